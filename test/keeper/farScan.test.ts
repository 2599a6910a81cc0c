/**
 * The bound by which a full scan leaves out accounts far from the watch list (src/keeper/farScan.ts): each term at
 * its edge, with a row of equity E and maintenance margin M at a health factor of 3 and a bound of 2.
 */
import { expect } from "chai";
import { provesFarFromWatch, type ScanReach } from "../../src/keeper/farScan";
import { WAD } from "../../src/model/wad";

const w = (x: number) => BigInt(Math.round(x * 1e9)) * 10n ** 9n;
const TWO = 2n * WAD;

/** A scan at `time` with ETH at `eth` (ETH-PERP's maintenance ratio 3%, funding cap 1% per 8 h, WETH weight 80%). */
function reach(time: number, eth: number, over: Partial<ScanReach> = {}): ScanReach {
  return {
    block: time,
    time,
    prices: new Map([["ETH", w(eth)]]),
    ratios: [w(0.03)],
    maxFundingPer8h: w(0.01),
    fundingSince: time,
    maxWeight: w(0.8),
    maxBorrowRatePerYear: w(0.22),
    ...over,
  };
}

/** A lens row: equity `e`, maintenance `m`, haircut amount `h` (cash). */
function row(e: number, m: number, h = 0, flags: { priceValid?: boolean; liquidatable?: boolean; frozen?: boolean } = {}) {
  return {
    account: 1n,
    priceValid: flags.priceValid ?? true,
    equity: w(e),
    maintenanceMargin: w(m),
    initialMargin: 0n,
    healthFactor: m > 0 ? (w(e) * WAD) / w(m) : 2n ** 256n - 1n,
    liquidatable: flags.liquidatable ?? false,
    frozen: flags.frozen ?? false,
    markToMarket: w(e + h),
    requirement: w(m + h),
  } as unknown as Parameters<typeof provesFarFromWatch>[0];
}

const proves = (r: ReturnType<typeof row>, then: ScanReach, now: ScanReach, path: ScanReach[] = [then, now]) =>
  provesFarFromWatch(r, then, now, path, TWO);

describe("keeper: full scans leave out only accounts provably far from the watch list", function () {
  const then = reach(0, 2000);

  it("leaves out an account at health 3 while no price moved and no time passed", function () {
    expect(proves(row(3000, 1000), then, reach(0, 2000))).to.equal(true);
  });

  it("reads it once a price moved far enough: N = M / 3% = 33,333, so E - N r >= 2 M (1 + r) holds up to r = 2.83%", function () {
    expect(proves(row(3000, 1000), then, reach(0, 2000 * 1.028))).to.equal(true);
    expect(proves(row(3000, 1000), then, reach(0, 2000 * 1.0285))).to.equal(false);
    expect(proves(row(3000, 1000), then, reach(0, 2000 * (1 - 0.0285)))).to.equal(false);
  });

  it("charges an hour of funding at its cap (41.67) and of interest at 22% a year on 10 N (8.37)", function () {
    // E - 50.04 against 2,000.
    expect(proves(row(2051, 1000), then, reach(3600, 2000))).to.equal(true);
    expect(proves(row(2049, 1000), then, reach(3600, 2000))).to.equal(false);
  });

  it("charges funding at the largest cap or rate in force at any scan on the path", function () {
    const doubled = reach(1800, 2000, { maxFundingPer8h: w(0.02) });
    expect(proves(row(2051, 1000), then, reach(3600, 2000), [then, doubled])).to.equal(false);
    expect(proves(row(2093, 1000), then, reach(3600, 2000), [then, doubled])).to.equal(true);
  });

  it("prices the funding paid at the highest price on the path, not only at the ends", function () {
    const spike = reach(1800, 2200);
    expect(proves(row(2051, 1000), then, reach(3600, 2000), [then, reach(3600, 2000)])).to.equal(true);
    expect(proves(row(2051, 1000), then, reach(3600, 2000), [then, spike, reach(3600, 2000)])).to.equal(false);
  });

  it("re-prices the funding pending since the market's last update before the read by the path's largest move", function () {
    // Three days pending at the read: 33,333 x 1% x 259,200 / 28,800 = 3,000 of funding moving with the price. With
    // no move it costs nothing more; a 1% dip on the path costs 30 (E - 50.04 - 30 against 2,000).
    const pendingThen = { ...then, fundingSince: -259_200 };
    expect(proves(row(2051, 1000), pendingThen, reach(3600, 2000))).to.equal(true);
    const dip = reach(1800, 2000 * 0.99);
    expect(proves(row(2081, 1000), pendingThen, reach(3600, 2000), [pendingThen, dip])).to.equal(true);
    expect(proves(row(2079, 1000), pendingThen, reach(3600, 2000), [pendingThen, dip])).to.equal(false);
  });

  it("raises the requirement by the largest rise of a market's maintenance ratio", function () {
    expect(proves(row(2150, 1000), then, reach(0, 2000))).to.equal(true);
    expect(proves(row(2150, 1000), then, reach(0, 2000, { ratios: [w(0.033)] }))).to.equal(false);
    expect(proves(row(2250, 1000), then, reach(0, 2000, { ratios: [w(0.033)] }))).to.equal(true);
  });

  it("values held collateral at its haircut amount / (1 - weight): 200 of haircut is 1,000 of WETH moving with ETH", function () {
    // r = 2%: 3,000 - (33,333 + 1,000) x 2% = 2,313.3 against 2,040. At r = 0.56%, E = 2,200 holds without the
    // collateral (2,013.3 against 2,011.2) but not with it (2,007.7).
    expect(proves(row(3000, 1000, 200), then, reach(0, 2000 * 1.02))).to.equal(true);
    expect(proves(row(2200, 1000, 0), then, reach(0, 2000 * 1.0056))).to.equal(true);
    expect(proves(row(2200, 1000, 200), then, reach(0, 2000 * 1.0056))).to.equal(false);
  });

  it("never leaves out a row that was not price-valid, was liquidatable or frozen", function () {
    const now = reach(0, 2000);
    expect(proves(row(3000, 1000, 0, { priceValid: false }), then, now)).to.equal(false);
    expect(proves(row(3000, 1000, 0, { liquidatable: true }), then, now)).to.equal(false);
    expect(proves(row(3000, 1000, 0, { frozen: true }), then, now)).to.equal(false);
  });

  it("never leaves one out when a weight changed, a price is missing, time ran backwards or a tier threshold is in reach", function () {
    expect(proves(row(3000, 1000), then, reach(0, 2000, { maxWeight: w(0.7) }))).to.equal(false);
    expect(proves(row(3000, 1000), then, reach(0, 2000, { prices: new Map() }))).to.equal(false);
    expect(proves(row(3000, 1000), reach(10, 2000), reach(0, 2000))).to.equal(false);
    expect(proves(row(3000, 1000), then, reach(0, 2000, { minTierThreshold: w(33_000) }))).to.equal(false);
    expect(proves(row(3000, 1000), then, reach(0, 2000, { minTierThreshold: w(34_000) }))).to.equal(true);
  });

  it("leaves out an account without positions while its equity covers its collateral's move, never an empty one", function () {
    expect(proves(row(1000, 0, 200), then, reach(0, 2000 * 0.9))).to.equal(true);
    expect(proves(row(0, 0), then, reach(0, 2000))).to.equal(false);
  });
});
