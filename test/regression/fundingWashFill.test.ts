/**
 * Issue #11 class 4: funding rate set by a 1-wei wash fill.
 *
 * The attack: every fill used to replace the market's premium with its own sample (fill - index) / index, whatever
 * its size. A 1-wei fill between two accounts of one owner at the edge of the price band (+5%) set the premium for
 * the rest of the epoch, so the next funding rate went to its cap (+1% per 8 h) for the price of two rounded-up
 * fees of 1 wei.
 *
 * The rule now (EngineStorage._updateMarket, MarginEngine._premiumWeight, docs/UNITS.md "Funding"): a fill of size s
 * moves the premium toward its sample by the weight min(1, s / depth), depth = 1% of the open-interest cap, so a
 * fill of notional n moves the next funding rate by at most (2 * maxFillDeviation / 8 h) * n / (depth * index)
 * (+ 1 wei of truncation).
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import { countCases, fuzz, prop, runsFor, timeoutFor } from "../shared/fuzz";
import {
  ETH,
  ETH_OI_CAP,
  FUNDING_PERIOD,
  MAX_FILL_DEVIATION,
  USDC,
  WAD,
  accountId,
  alignToHour,
  at,
  engineFixture,
  fill,
  fund,
  premiumAfterFill,
  premiumSample,
  setFeed,
  wad,
  type EngineFixture,
} from "../unit/MarginEngine/helpers";

const FILE = "test/regression/fundingWashFill.test.ts";
const DEPTH = ETH_OI_CAP / 100n; // 1,000 ETH: 1% of the ETH-PERP open-interest cap

/** engineFixture with carol's second account funded: carol owns both sides of a wash fill. */
async function washFixture(): Promise<EngineFixture & { C1: bigint }> {
  const f = await engineFixture();
  const C1 = accountId(f.carol.address, 1);
  await fund(f.b, f.carol, "USDC", 1_000_000n * USDC);
  await fund(f.b, f.carol, "USDC", 1_000_000n * USDC, C1);
  return { ...f, C1 };
}

/** washFixture at an hour boundary H with an honest premium of +0.5% from H + 10 (a fill of the whole depth). */
async function premiumFixture() {
  const f = await washFixture();
  const H = await alignToHour(f.b);
  await at(H + 10);
  await (await fill(f.b, f.alice, f.bob, ETH, wad(-1000), wad(3015))).wait();
  return { ...f, H };
}

describe("Issue #11 class 4: funding rate set by a 1-wei wash fill", function () {
  it("class 4 wash fill: a 1-wei fill between two accounts of one owner at +5% leaves the premium at zero and the next rate at zero (it used to reach the cap)", async function () {
    const f = await loadFixture(washFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 10);
    const price = wad(3150); // +5%: the edge of the band
    expect(premiumSample(price, wad(3000))).to.equal(MAX_FILL_DEVIATION);
    // carol's account 1 sells 1 wei of ETH at 3,150 to her account 0.
    await (await fill(b, f.carol, f.carol, ETH, -1n, price, { makerAccount: f.C1, takerAccount: f.C })).wait();
    expect(await b.engine.position(f.C, ETH)).to.deep.equal([1n, 3150n]);
    expect((await b.engine.marketView(ETH)).premium, "the wash fill did not move the premium").to.equal(0n);
    await setFeed(b, "ETH/USD", 3000, H + 3600 + 5); // heartbeat 1 h
    await at(H + 3600 + 10);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, 0n, 0n);
    expect((await b.engine.marketView(ETH)).fundingRatePerSecond).to.equal(0n);
  });

  it("class 4 wash fill: a fill moves the premium toward its sample in proportion to its size, fully from 1% of the open-interest cap on", async function () {
    const f = await loadFixture(washFixture);
    const { b } = f;
    const H = await alignToHour(b);
    // 10 ETH at +5%: weight 10 / 1,000, premium 0.05%.
    await at(H + 10);
    await (await fill(b, f.alice, f.bob, ETH, wad(-10), wad(3150))).wait();
    const p1 = premiumAfterFill(0n, MAX_FILL_DEVIATION, wad(10), ETH_OI_CAP);
    expect(p1).to.equal(MAX_FILL_DEVIATION / 100n);
    expect((await b.engine.marketView(ETH)).premium).to.equal(p1);
    // 1,000 ETH (the depth) at -1%: the sample replaces the premium.
    await at(H + 20);
    await (await fill(b, f.alice, f.bob, ETH, wad(1000), wad(2970))).wait();
    expect((await b.engine.marketView(ETH)).premium).to.equal(premiumSample(wad(2970), wad(3000)));
    expect(premiumAfterFill(p1, premiumSample(wad(2970), wad(3000)), DEPTH, ETH_OI_CAP)).to.equal(-wad("0.01"));
  });

  it("class 4 property (R-05): a fill of size s moves the next funding rate by at most (2 * maxFillDeviation / 8 h) * min(s, depth) / depth + 1 wei", async function () {
    const runs = runsFor(20);
    this.timeout(timeoutFor(runs, 3000));
    const name = this.test!.title;
    await fuzz(
      { name, suite: "fundingWashFill", runs: 20, file: FILE },
      prop(
        [
          fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 6n }), fc.bigInt({ min: 1n, max: 2n * DEPTH })), // size [wad]
          fc.bigInt({ min: -150n, max: 150n }), // fill price - index [cash], inside the 5% band of 3,000
          fc.integer({ min: 20, max: 3290 }), // second of the epoch the fill lands in (feeds valid to H + 3300)
        ],
        async (size, offset, second) => {
          const f = await loadFixture(premiumFixture);
          countCases();
          const { b, H } = f;
          const snap = await takeSnapshot();
          await setFeed(b, "ETH/USD", 3000, H + 3600 + 5); // heartbeat 1 h
          await at(H + 3600 + 10);
          await (await b.engine.updateMarket(ETH)).wait();
          const without = (await b.engine.marketView(ETH)).fundingRatePerSecond;
          await snap.restore();
          await at(H + second);
          await (await fill(b, f.carol, f.carol, ETH, -size, wad(3000) + offset * WAD, { makerAccount: f.C1, takerAccount: f.C })).wait();
          await setFeed(b, "ETH/USD", 3000, H + 3600 + 5); // heartbeat 1 h
          await at(H + 3600 + 10);
          await (await b.engine.updateMarket(ETH)).wait();
          const withFill = (await b.engine.marketView(ETH)).fundingRatePerSecond;
          const weighted = size < DEPTH ? size : DEPTH;
          const bound = M.ceilDiv(2n * MAX_FILL_DEVIATION * weighted, DEPTH * FUNDING_PERIOD) + 1n;
          const moved = withFill > without ? withFill - without : without - withFill;
          expect(moved <= bound, `rate moved ${moved} > bound ${bound} for a fill of ${size}`).to.equal(true);
        },
      ),
    );
  });
});
