/**
 * RiskLens.liquidationPrice: the returned price is safe on the engine's own margin function and one wei beyond
 * it is liquidatable (INV-15), checked with engine.accountMarginAtPrices(account, vault.marginCollateralFresh,
 * prices); closed-form values where the account is simple; and the documented special values.
 */
import { expect } from "chai";
import type { Result } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { assetKey } from "../../shared/fixtures";
import {
  lensFixture,
  liquidatableAt,
  refreshFeeds,
  setPrice,
  marketPrices,
  settle,
  ceilDiv,
  MAX_PROBE_PRICE,
  ETH,
  BTC,
  WAD,
  MAX,
  type LensFixture,
} from "./lens.helpers";

/** INV-15: at `price` the account is not liquidatable, one wei lower (long) or higher (short) it is. */
async function expectBoundary(v: LensFixture, account: bigint, marketId: number, price: bigint, long: boolean) {
  expect(price).to.be.greaterThan(1n);
  expect(price).to.be.lessThan(MAX_PROBE_PRICE);
  expect(await liquidatableAt(v, account, marketId, price)).to.equal(false);
  expect(await liquidatableAt(v, account, marketId, long ? price - 1n : price + 1n)).to.equal(true);
}

/**
 * The rule the reviews found wrong: a bisection over [lo, hi] that moves only market `id`, every other market and
 * all collateral held at today's prices. Returns the final [lo, hi] (their liquidatable flags differ).
 */
async function bisectOneMarket(v: LensFixture, account: bigint, id: number, lo: bigint, hi: bigint): Promise<[bigint, bigint]> {
  const mp = await marketPrices(v);
  const m = await v.vault.marginCollateralFresh(account);
  const liquidatableAt = async (price: bigint) => {
    mp[id] = price;
    return (await v.engine.accountMarginAtPrices(account, { cash: m.cash, collateralValue: m.collateralValue }, mp)).liquidatable;
  };
  const liqLo = await liquidatableAt(lo);
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if ((await liquidatableAt(mid)) === liqLo) lo = mid;
    else hi = mid;
  }
  return [lo, hi];
}

describe("RiskLens: liquidationPrice", function () {
  it("a long's liquidation price is the lowest safe price: safe there, liquidatable one wei lower (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    const price = await v.lens.liquidationPrice(v.a.alice, ETH);
    await expectBoundary(v, v.a.alice, ETH, price, true);
    // Closed form: cash 1985, long 10 from 3000, mmr 3%. Safe iff 1985 + 10P - 30000 >= ceil(0.3P), i.e.
    // 97P >= 280150 (in WAD units).
    expect(price).to.equal(ceilDiv(280_150n * WAD, 97n));
  });

  it("a short's liquidation price is the highest safe price: safe there, liquidatable one wei higher (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    const price = await v.lens.liquidationPrice(v.a.gina, ETH);
    await expectBoundary(v, v.a.gina, ETH, price, false);
    // Closed form: cash 997, short 5 from 3000, mmr 3%. Safe iff 997 + 15000 - 5P >= ceil(0.15P), i.e.
    // 103P <= 319940 (in WAD units).
    expect(price).to.equal((319_940n * WAD) / 103n);
  });

  it("for a two-market account each market's liquidation price holds the other market at its oracle price (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    const ethPrice = await v.lens.liquidationPrice(v.a.carol, ETH);
    const btcPrice = await v.lens.liquidationPrice(v.a.carol, BTC);
    await expectBoundary(v, v.a.carol, ETH, ethPrice, true);
    await expectBoundary(v, v.a.carol, BTC, btcPrice, false);
    // Carol is healthy now: her ETH long liquidates below the index, her BTC short above it.
    expect(ethPrice).to.be.lessThan(3_000n * WAD);
    expect(btcPrice).to.be.greaterThan(60_000n * WAD);
  });

  it("the liquidation price follows the other market's oracle price and still satisfies the boundary (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    const before = await v.lens.liquidationPrice(v.a.carol, ETH);
    // BTC up: Carol's BTC short loses, so her ETH long must be worth more to stay safe.
    await setPrice(v, "BTC/USD", "61000");
    const after = await v.lens.liquidationPrice(v.a.carol, ETH);
    expect(after).to.be.greaterThan(before);
    await expectBoundary(v, v.a.carol, ETH, after, true);
    // Moving the ETH price itself changes nothing: Carol's WETH is valued at the probe price too (class 11).
    await setPrice(v, "ETH/USD", "3100");
    expect(await v.lens.liquidationPrice(v.a.carol, ETH)).to.equal(after);
  });

  it("class 11 (INV-15) collateral priced by the market's own feed moves with the probe: WETH under an ETH long is valued at the probe price, which raises the liquidation price above the one that held WETH at today's price", async function () {
    const v = await loadFixture(lensFixture);
    // Carol's ETH liquidation price counts her 2 WETH at the probe price, not at 3,000: at the returned price
    // both her ETH-PERP long and her WETH are worth less, and one wei lower she is liquidatable.
    const price = await v.lens.liquidationPrice(v.a.carol, ETH);
    await expectBoundary(v, v.a.carol, ETH, price, true);
    // Valuing WETH at today's price instead (the reviewed defect) finds a lower, unsafe price: at it, with WETH
    // at the same price, Carol is liquidatable.
    const [, hi] = await bisectOneMarket(v, v.a.carol, ETH, 1n, 3_000n * WAD);
    expect(hi).to.be.lessThan(price);
    expect(await liquidatableAt(v, v.a.carol, ETH, hi)).to.equal(true);
    // portfolio reports the same figure as liquidationPrice.
    const p = await v.lens.portfolio(v.a.carol);
    expect(p.positions.find((x) => x.marketId === BigInt(ETH))!.liquidationPrice).to.equal(price);
  });

  it("review F4 (INV-15): every held market on the probed market's oracle asset moves with the probe: a short ETH-PERP hedged by a long on a second ETH/USD market gets one liquidation price for both, above the one that held the hedge at today's price", async function () {
    const v = await loadFixture(lensFixture);
    const c = v.configurator;
    const risk = ((await c.riskParams(ETH)) as unknown as Result).toObject(true);
    const trading = ((await c.tradingParams(ETH)) as unknown as Result).toObject(true);
    await (await c.listMarket(assetKey("ETH/USD"), risk as never, trading as never)).wait();
    const ETH2 = Number(await v.engine.marketCount()) - 1;
    // Bob (100,000 USDC, short 10 ETH-PERP) buys 8 on the second ETH/USD market from dave: net short 2 ETH.
    await settle(v, v.s.dave, v.s.bob, ETH2, -8n * WAD, 3000n * WAD, 20n);
    const price = await v.lens.liquidationPrice(v.a.bob, ETH);
    await expectBoundary(v, v.a.bob, ETH, price, false);
    expect(await v.lens.liquidationPrice(v.a.bob, ETH2)).to.equal(price);
    // Holding the hedge at today's price instead (the reviewed defect) finds a lower price, at which, with both
    // markets on the one feed, bob is in fact safe.
    const [lo] = await bisectOneMarket(v, v.a.bob, ETH, 3_000n * WAD, MAX_PROBE_PRICE);
    expect(lo).to.be.lessThan(price);
    expect(await liquidatableAt(v, v.a.bob, ETH, lo + 1n)).to.equal(false);
    const p = await v.lens.portfolio(v.a.bob);
    expect(p.positions.map((x) => x.liquidationPrice)).to.deep.equal([price, price]);
  });

  it("a position with no size has liquidation price 0", async function () {
    const v = await loadFixture(lensFixture);
    expect(await v.lens.liquidationPrice(v.a.frank, ETH)).to.equal(0n);
    expect(await v.lens.liquidationPrice(v.a.alice, BTC)).to.equal(0n);
    expect(await v.lens.liquidationPrice(v.a.erin, ETH)).to.equal(0n);
  });

  it("a long that is safe at every price has liquidation price 0", async function () {
    const v = await loadFixture(lensFixture);
    // Ivan: 10,000 cash, long 1 ETH from 3000: even at a price of 1 wei he keeps ~7,000.
    expect(await liquidatableAt(v, v.a.ivan, ETH, 1n)).to.equal(false);
    expect(await v.lens.liquidationPrice(v.a.ivan, ETH)).to.equal(0n);
  });

  it("a short that is safe at every price below 2**96 has liquidation price type(uint256).max", async function () {
    const v = await loadFixture(lensFixture);
    // Jack: 1,000 cash, short 1e-9 ETH: at 2**96 - 1 wei per ETH his loss is ~79.
    expect(await liquidatableAt(v, v.a.jack, ETH, MAX_PROBE_PRICE)).to.equal(false);
    expect(await v.lens.liquidationPrice(v.a.jack, ETH)).to.equal(MAX);
    expect(await v.lens.MAX_PROBE_PRICE()).to.equal(MAX_PROBE_PRICE);
  });

  it("a long that is liquidatable at every price below 2**96 has liquidation price type(uint256).max", async function () {
    const v = await loadFixture(lensFixture);
    // Kate's 0.5 BTC short is under water at 64,000; her 1e-9 ETH long cannot rescue her at any ETH price.
    await setPrice(v, "BTC/USD", "64000");
    expect(await liquidatableAt(v, v.a.kate, ETH, MAX_PROBE_PRICE)).to.equal(true);
    expect(await v.lens.liquidationPrice(v.a.kate, ETH)).to.equal(MAX);
  });

  it("a short that is liquidatable at every price has liquidation price 0", async function () {
    const v = await loadFixture(lensFixture);
    // Liam's 0.5 BTC long is under water at 56,000; his 1e-9 ETH short cannot rescue him even at 1 wei.
    await setPrice(v, "BTC/USD", "56000");
    expect(await liquidatableAt(v, v.a.liam, ETH, 1n)).to.equal(true);
    expect(await v.lens.liquidationPrice(v.a.liam, ETH)).to.equal(0n);
  });

  it("an account that is liquidatable now has a long liquidation price above the index (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    await setPrice(v, "ETH/USD", "2800");
    const [h] = await v.lens.accountsHealth([v.a.alice]);
    expect(h.liquidatable).to.equal(true);
    const price = await v.lens.liquidationPrice(v.a.alice, ETH);
    expect(price).to.be.greaterThan(2_800n * WAD);
    await expectBoundary(v, v.a.alice, ETH, price, true);
  });

  it("reverts with the oracle's error when a price the account needs is invalid", async function () {
    const v = await loadFixture(lensFixture);
    await time.increase(3_601);
    await refreshFeeds(v, ["BTC/USD"]);
    const feed = await v.feeds["BTC/USD"].getAddress();
    const [, , , updatedAt] = await v.feeds["BTC/USD"].latestRoundData();
    // Carol holds BTC-PERP.
    await expect(v.lens.liquidationPrice(v.a.carol, ETH))
      .to.be.revertedWithCustomError(v.oracle, "OracleStalePrice")
      .withArgs(assetKey("BTC/USD"), feed, updatedAt, 3_600n);
  });

  it("ignores an invalid price the account does not need: an ETH-only account keeps its liquidation price while BTC/USD is stale (as portfolio does)", async function () {
    const v = await loadFixture(lensFixture);
    const expected = ceilDiv(280_150n * WAD, 97n);
    expect(await v.lens.liquidationPrice(v.a.alice, ETH)).to.equal(expected);
    await time.increase(3_601);
    await refreshFeeds(v, ["BTC/USD"]);
    // Alice holds only ETH-PERP and USDC: portfolio still prices her and reports the same liquidation price...
    const p = await v.lens.portfolio(v.a.alice);
    expect(p.priceValid).to.equal(true);
    expect(p.positions[0].liquidationPrice).to.equal(expected);
    // ...and so must liquidationPrice ("reverts if a price the account needs is invalid").
    expect(await v.lens.liquidationPrice(v.a.alice, ETH)).to.equal(expected);
  });
});
