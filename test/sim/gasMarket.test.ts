/**
 * The simulated chain's base-fee models (src/sim/gasMarket.ts): EIP-1559's update rule to the wei, background
 * demand that follows the index's volatility, the willingness-to-pay cap, and historical series.
 */
import { expect } from "chai";
import { Eip1559Market, SeriesMarket, nextBaseFee, parseBaseFeeSeries, createGasMarket, VOL_WINDOW_STEPS } from "../../src/sim/gasMarket";

const GWEI = 10n ** 9n;
const LIMIT = 30_000_000n;
const spec = { model: "eip1559" as const, calmBaseFee: 10n * GWEI, maxBaseFee: 500n * GWEI, referenceVolatility: 0.01, elasticity: 1.2 };

describe("gas market: EIP-1559 base fee with volatility-driven background demand", function () {
  it("nextBaseFee is EIP-1559's rule: +12.5% for a full block, -12.5% for an empty one, unchanged at the target", function () {
    expect(nextBaseFee(10n * GWEI, LIMIT, LIMIT)).to.equal(11_250_000_000n);
    expect(nextBaseFee(10n * GWEI, 0n, LIMIT)).to.equal(8_750_000_000n);
    expect(nextBaseFee(10n * GWEI, LIMIT / 2n, LIMIT)).to.equal(10n * GWEI);
    // Half above the target (22.5M of a 15M target): +1/2 of 1/8 = 6.25%.
    expect(nextBaseFee(10n * GWEI, 22_500_000n, LIMIT)).to.equal(10_625_000_000n);
    // The increase is at least one wei; a 7-wei base fee cannot fall (7 / 8 rounds to 0).
    expect(nextBaseFee(7n, 15_000_001n, LIMIT)).to.equal(8n);
    expect(nextBaseFee(7n, 0n, LIMIT)).to.equal(7n);
  });

  it("in a calm market the background fills half of each block and the base fee stays at the calm fee", function () {
    const m = new Eip1559Market(spec);
    for (let i = 0; i < 50; i++) m.observeIndex(100 * (1 + 0.001 * (i % 2)), 300); // 0.1% per 5 min: calm
    expect(m.willingnessToPay()).to.equal(10n * GWEI);
    expect(m.backgroundGas(LIMIT)).to.equal(15_000_000n);
    m.minedEmpty(100, LIMIT);
    expect(m.next()).to.equal(10n * GWEI);
  });

  it("in a crash the willingness to pay rises with volatility^elasticity and the base fee climbs toward it, at most 12.5% a block", function () {
    const m = new Eip1559Market(spec);
    // Alternating 3% moves per 5-minute step: hourly sigma about 3% * sqrt(12) = 10.4%, ten times the reference.
    let p = 100;
    for (let i = 0; i < 5 * VOL_WINDOW_STEPS; i++) m.observeIndex((p *= i % 2 === 0 ? 1.03 : 1 / 1.03), 300);
    const wtp = m.willingnessToPay();
    expect(Number(wtp) / 1e9).to.be.within(160, 180); // 10 * 10.4^1.2 gwei
    let previous = m.next();
    for (let i = 0; i < 40; i++) {
      m.mined(0n, LIMIT);
      const b = m.next();
      expect(b <= (previous * 1125n) / 1000n + 1n, `block ${i}`).to.equal(true);
      previous = b;
    }
    // 40 blocks after the jump the fee has converged to within a factor sqrt(2) of the willingness to pay.
    expect(Number(previous) / Number(wtp)).to.be.within(0.7, 1.0);
  });

  it("the willingness to pay is capped at maxBaseFee", function () {
    const m = new Eip1559Market({ ...spec, maxBaseFee: 50n * GWEI });
    let p = 100;
    for (let i = 0; i < 100; i++) m.observeIndex((p *= i % 2 === 0 ? 1.2 : 1 / 1.2), 300);
    expect(m.willingnessToPay()).to.equal(50n * GWEI);
  });

  it("a base-fee series gives each block the last row at or before its price time", function () {
    const points = parseBaseFeeSeries("fees.csv", "timestamp_unix_seconds,base_fee_gwei\n1000,20\n1300,35.5\n1600,12.000000001\n");
    expect(points).to.deep.equal([
      [1000, 20n * GWEI],
      [1300, 35_500_000_000n],
      [1600, 12_000_000_001n],
    ]);
    const m = new SeriesMarket(points, (t) => t - 5000);
    expect([m.next(5500), m.next(6000), m.next(6299), m.next(6300), m.next(9999)]).to.deep.equal([
      20n * GWEI,
      20n * GWEI,
      20n * GWEI,
      35_500_000_000n,
      12_000_000_001n,
    ]);
  });

  it("a malformed series is refused naming the file, line and expected format", function () {
    expect(() => parseBaseFeeSeries("fees.csv", "1000,20\n1300,abc\n")).to.throw(
      'fees.csv:2: expected "timestamp_unix_seconds,base_fee_gwei", got "1300,abc"',
    );
    expect(() => parseBaseFeeSeries("fees.csv", "1000,20\n900,21\n")).to.throw("fees.csv:2: timestamps must increase");
  });

  it("the native model leaves the base fee to the node", function () {
    expect(createGasMarket({ model: "native" }, (t) => t)).to.equal(undefined);
  });
});
