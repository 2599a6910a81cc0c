/**
 * Funding (EngineStorage._updateMarket): every fill samples the premium (fill - index) / index (rounded down);
 * the sample is held and accumulated per second; the first update of a new hour-epoch turns the previous epoch's
 * time-weighted premium, clamped to +-maxFundingRatePer8h, into a per-second rate (twap / 8 h, toward zero) that
 * accrues into cumulativeFunding (F += rate * dt * mark, rounded down) until the next rollover. configureMarket
 * accrues under the old setup at a mark no older than maxPriceAge (refreshed from the oracle when older).
 *
 * Every value here depends on time, so every transaction that touches the engine is pinned (`at`), relative to
 * an hour boundary H (`alignToHour`). Feeds are refreshed at H - 300 and again where needed (heartbeat 1 h).
 */
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  ETH,
  ETH_ASSET,
  FUNDING_EPOCH,
  MAX_FUNDING_RATE,
  USDC,
  WAD,
  alignToHour,
  at,
  cashOf,
  engineFixture,
  expectFill,
  fill,
  fund,
  fundingIndexAt,
  fundingRate,
  pos,
  positionValue,
  positionValueAt,
  premiumSample,
  setFeed,
  wad,
  type EngineFixture,
} from "./helpers";

/**
 * engineFixture with carol and dave funded (100,000 USDC each) and the open-interest caps cut to 100 ETH and 10 BTC,
 * so that the premium depth (1% of the cap) is 1 ETH and 0.1 BTC: every fill here weighs fully in the premium (a
 * fill's sample replaces it). Size weighting has its own tests at the end.
 */
async function fundingFixture(): Promise<EngineFixture> {
  const f = await engineFixture();
  await fund(f.b, f.carol, "USDC", 100_000n * USDC);
  await fund(f.b, f.dave, "USDC", 100_000n * USDC);
  await (await f.b.configurator.reduceOpenInterestCap(ETH, wad(100))).wait();
  await (await f.b.configurator.reduceOpenInterestCap(BTC, wad(10))).wait();
  return f;
}

describe("MarginEngine: funding", function () {
  it("a fill records its premium sample (fill - index) / index rounded down, and samples accumulate per second", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    // The first update of the epoch closes the listing epoch (no samples): rate 0.
    await expect(fill(b, f.dave, f.carol, ETH, wad(-1), wad(3001)))
      .to.emit(b.engine, "FundingRateUpdated")
      .withArgs(ETH, 0n, 0n);
    const p1 = premiumSample(wad(3001), wad(3000));
    expect(p1).to.equal(333_333_333_333_333n);
    let v = await b.engine.marketView(ETH);
    expect([v.premium, v.premiumAccumulator, v.lastUpdate, v.fundingEpoch]).to.deep.equal([
      p1,
      0n,
      BigInt(H + 100),
      BigInt(H / FUNDING_EPOCH),
    ]);

    await at(H + 250);
    await (await fill(b, f.dave, f.carol, ETH, wad(1), wad(3000) - 1n)).wait();
    // A negative sample rounds toward negative infinity: -1 wei below the index samples -1.
    v = await b.engine.marketView(ETH);
    expect([v.premium, v.premiumAccumulator, v.lastUpdate]).to.deep.equal([-1n, p1 * 150n, BigInt(H + 250)]);

    // updateMarket accumulates the held sample without replacing it.
    await at(H + 1250);
    await (await b.engine.updateMarket(ETH)).wait();
    v = await b.engine.marketView(ETH);
    expect([v.premium, v.premiumAccumulator, v.lastUpdate]).to.deep.equal([-1n, p1 * 150n - 1000n, BigInt(H + 1250)]);
    expect([v.fundingRatePerSecond, v.cumulativeFunding]).to.deep.equal([0n, 0n]);
  });

  it("at the first update of a new epoch the time-weighted premium sets the rate: FundingRateUpdated(id, twap, twap / 28800)", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.dave, f.carol, ETH, wad(-2), wad(3030))).wait(); // +1%
    await at(H + 1000);
    await (await b.engine.updateMarket(ETH)).wait();
    expect((await b.engine.marketView(ETH)).premiumAccumulator).to.equal(wad("0.01") * 900n);
    await at(H + 1900);
    await (await fill(b, f.dave, f.carol, ETH, wad(1), wad(2985))).wait(); // -0.5%
    await setFeed(b, "ETH/USD", 3000, H + 3610);
    await setFeed(b, "BTC/USD", 60_000, H + 3611);

    // [H, H+100): 0; [H+100, H+1900): +1%; [H+1900, H+3600): -0.5%.
    const acc = wad("0.01") * 1800n + wad("-0.005") * 1700n;
    const { twap, rate } = fundingRate(acc / 3600n);
    expect([twap, rate]).to.deep.equal([2_638_888_888_888_888n, 91_628_086_419n]);
    await at(H + 3650);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, twap, rate);
    const v = await b.engine.marketView(ETH);
    expect([v.fundingRatePerSecond, v.premium, v.premiumAccumulator, v.fundingEpoch, v.cumulativeFunding]).to.deep.equal([
      rate,
      0n,
      0n,
      BigInt(H / FUNDING_EPOCH + 1),
      0n, // the previous rate (0) applied until this update
    ]);
  });

  it("the part of an epoch before its first fill samples zero: +1% from mid-epoch gives a twap of +0.5%", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 1800);
    await (await fill(b, f.dave, f.carol, ETH, wad(-1), wad(3030))).wait();
    await setFeed(b, "ETH/USD", 3000, H + 3610);
    await at(H + 3620);
    const { twap, rate } = fundingRate((wad("0.01") * 1800n) / 3600n);
    expect([twap, rate]).to.deep.equal([wad("0.005"), 173_611_111_111n]);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, twap, rate);
  });

  it("the twap is clamped to +maxFundingRate and -maxFundingRate before it sets the rate", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 10);
    await (await fill(b, f.dave, f.carol, ETH, wad(-1), wad(3150))).wait(); // +5%
    await at(H + 20);
    await (await fill(b, f.dave, f.carol, BTC, wad("0.1"), wad(57_000))).wait(); // -5%
    await setFeed(b, "ETH/USD", 3000, H + 3610);
    await setFeed(b, "BTC/USD", 60_000, H + 3611);
    const ethTwap = (wad("0.05") * 3590n) / 3600n;
    const btcTwap = (wad("-0.05") * 3580n) / 3600n;
    expect(ethTwap > MAX_FUNDING_RATE && btcTwap < -MAX_FUNDING_RATE).to.equal(true);
    await at(H + 3620);
    await expect(b.engine.updateMarket(ETH))
      .to.emit(b.engine, "FundingRateUpdated")
      .withArgs(ETH, MAX_FUNDING_RATE, MAX_FUNDING_RATE / 28800n);
    await at(H + 3621);
    await expect(b.engine.updateMarket(BTC))
      .to.emit(b.engine, "FundingRateUpdated")
      .withArgs(BTC, -MAX_FUNDING_RATE, -(MAX_FUNDING_RATE / 28800n));
    expect((await b.engine.marketView(ETH)).fundingRatePerSecond).to.equal(347_222_222_222n);
    expect((await b.engine.marketView(BTC)).fundingRatePerSecond).to.equal(-347_222_222_222n);
  });

  it("INV-08 a negative rate accrues rounded toward negative infinity; shorts pay longs, each side's value rounded down", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 20);
    // dave buys 0.1 BTC from carol at 57,000 (-5%): the next rate is -1% / 8 h.
    await (await fill(b, f.dave, f.carol, BTC, wad("0.1"), wad(57_000))).wait();
    const price = wad("57000.12345678");
    await setFeed(b, "BTC/USD", "57000.12345678", H + 3610);
    await at(H + 3620);
    await (await b.engine.updateMarket(BTC)).wait();
    const rate = -(MAX_FUNDING_RATE / 28800n);
    const dave0 = await positionValueAt(b.engine, f.D, BTC, price);
    const carol0 = await positionValueAt(b.engine, f.C, BTC, price);
    await at(H + 4620);
    await (await b.engine.updateMarket(BTC)).wait();
    const F = fundingIndexAt(0n, rate, price, 1000);
    // The product is inexact: flooring a negative increment lands one wei below truncation.
    expect(F).to.equal((rate * 1000n * price) / WAD - 1n);
    expect((await b.engine.marketView(BTC)).cumulativeFunding).to.equal(F);
    const dave1 = await positionValueAt(b.engine, f.D, BTC, price);
    const carol1 = await positionValueAt(b.engine, f.C, BTC, price);
    expect(dave1).to.equal(positionValue(wad("0.1"), wad(5700), price, F));
    expect(carol1).to.equal(positionValue(wad("-0.1"), wad(-5700), price, F));
    expect([dave0, carol0]).to.deep.equal([
      positionValue(wad("0.1"), wad(5700), price, 0n),
      positionValue(wad("-0.1"), wad(-5700), price, 0n),
    ]);
    expect(dave1 > dave0 && carol1 < carol0).to.equal(true);
    // The transfer itself is 0.1 * dF each way; valuing 0.1 * (P - F) rounds each side down, so the two value
    // changes sum to minus one wei of dust (in the protocol's favour), never to a gain.
    expect(dave1 - dave0 + (carol1 - carol0)).to.equal(-1n);
  });

  it("fills in one block: each later sample replaces the earlier one, which is held for zero seconds; a same-block updateMarket is a no-op", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.dave, f.carol, ETH, wad(-1), wad(3030))).wait(); // +1% from H + 100
    await network.provider.send("evm_setAutomine", [false]);
    let txs;
    try {
      txs = [
        await fill(b, f.dave, f.carol, ETH, wad(-1), wad(2985)), // -0.5%, replaced in the same block
        await fill(b, f.dave, f.carol, ETH, wad(-1), wad(3015)), // +0.5% from H + 200
        await b.engine.connect(f.erin).updateMarket(ETH),
      ];
      await network.provider.send("evm_mine", [H + 200]);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
    }
    for (const tx of txs!) expect((await tx.wait())!.status).to.equal(1);
    const v = await b.engine.marketView(ETH);
    expect([v.premium, v.premiumAccumulator, v.lastUpdate]).to.deep.equal([wad("0.005"), wad("0.01") * 100n, BigInt(H + 200)]);
    await setFeed(b, "ETH/USD", 3000, H + 3610);
    const { twap, rate } = fundingRate((wad("0.01") * 100n + wad("0.005") * 3400n) / 3600n);
    await at(H + 3620);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, twap, rate);
  });

  describe("accrual and payments", function () {
    /**
     * dave short 2, carol long 2 at 3,030 (H + 100, +1%); at H + 3650 the rate becomes clamp(twap) / 28800 with
     * twap = 1% * 3500 / 3600. The ETH index is 3,000.12345678 from H + 3610 (a price that makes accrual inexact).
     */
    async function accruingFixture() {
      const f = await fundingFixture();
      const { b } = f;
      const H = await alignToHour(b);
      await at(H + 100);
      await (await fill(b, f.dave, f.carol, ETH, wad(-2), wad(3030))).wait();
      await setFeed(b, "ETH/USD", "3000.12345678", H + 3610);
      await setFeed(b, "BTC/USD", 60_000, H + 3611);
      await at(H + 3650);
      await (await b.engine.updateMarket(ETH)).wait();
      const { rate } = fundingRate((wad("0.01") * 3500n) / 3600n);
      return { f, H, rate, price: wad("3000.12345678") };
    }

    it("cumulativeFunding accrues rate * dt * mark rounded down from the rollover on, in storage and in cumulativeFundingAt", async function () {
      const { f, H, rate, price } = await loadFixture(accruingFixture);
      const { b } = f;
      let v = await b.engine.marketView(ETH);
      expect([v.fundingRatePerSecond, v.cumulativeFunding, v.cachedPrice, v.lastUpdate]).to.deep.equal([rate, 0n, price, BigInt(H + 3650)]);
      await at(H + 4650);
      await (await b.engine.updateMarket(ETH)).wait();
      const F1 = fundingIndexAt(0n, rate, price, 1000);
      expect((rate * 1000n * price) % WAD).to.not.equal(0n);
      v = await b.engine.marketView(ETH);
      expect([v.cumulativeFunding, v.lastUpdate]).to.deep.equal([F1, BigInt(H + 4650)]);
      // The view accrues to the latest block at the price it is given.
      await time.increaseTo(H + 5000);
      expect(await b.engine.cumulativeFundingAt(ETH, wad(2000))).to.equal(fundingIndexAt(F1, rate, wad(2000), 350));
      expect(await b.engine.cumulativeFundingAt(ETH, price)).to.equal(fundingIndexAt(F1, rate, price, 350));
      // A price change is picked up by the next update (cache older than maxPriceAge): accrual at the new mark.
      await setFeed(b, "ETH/USD", 3100, H + 5100);
      await at(H + 5400);
      await (await b.engine.updateMarket(ETH)).wait();
      const F2 = fundingIndexAt(F1, rate, wad(3100), 750);
      expect((await b.engine.marketView(ETH)).cumulativeFunding).to.equal(F2);
    });

    it("INV-08 funding moves value from longs to shorts only: position values change by -+size * dF, cash and basis do not", async function () {
      const { f, H, rate, price } = await loadFixture(accruingFixture);
      const { b } = f;
      const snapshot = async () => ({
        carol: await positionValueAt(b.engine, f.C, ETH, price),
        dave: await positionValueAt(b.engine, f.D, ETH, price),
        carolCash: await cashOf(b, f.C),
        daveCash: await cashOf(b, f.D),
        carolPos: await pos(b, f.C, ETH),
        davePos: await pos(b, f.D, ETH),
        F: (await b.engine.marketView(ETH)).cumulativeFunding,
      });
      const s0 = await snapshot();
      expect(s0.carol).to.equal(positionValue(wad(2), wad(6060), price, 0n));
      await at(H + 3650 + 1800);
      await (await b.engine.updateMarket(ETH)).wait();
      const s1 = await snapshot();
      const dF = s1.F - s0.F;
      expect(dF).to.equal(fundingIndexAt(0n, rate, price, 1800));
      expect(s1.carol - s0.carol, "long pays").to.equal(-2n * dF);
      expect(s1.dave - s0.dave, "short receives").to.equal(2n * dF);
      expect(s1.carol - s0.carol + (s1.dave - s0.dave), "INV-08 zero-sum").to.equal(0n);
      expect([s1.carolCash, s1.daveCash, s1.carolPos, s1.davePos]).to.deep.equal([s0.carolCash, s0.daveCash, s0.carolPos, s0.davePos]);
      const m = await b.engine.accountMargin(f.C);
      expect(m.equity).to.equal(s1.carolCash + positionValue(wad(2), wad(6060), price, s1.F));
    });

    it("closing after funding realises it: realised PnL = size * (price - F) - basis at the fill's funding index", async function () {
      const { f, H, rate, price } = await loadFixture(accruingFixture);
      const { b } = f;
      // The close at H + 5000 refreshes the mark (cache older than 60 s) and accrues 1,350 s at it.
      const F = fundingIndexAt(0n, rate, price, 1350);
      await at(H + 5000);
      const r = await expectFill(f, {
        maker: f.dave,
        taker: f.carol,
        marketId: ETH,
        makerSize: wad(2),
        price: wad(3010),
        cumulativeFunding: F,
      });
      expect(r.tk.realised).to.equal(2n * (wad(3010) - F) - wad(6060));
      expect(r.mk.realised).to.equal(-(2n * (wad(3010) - F)) + wad(6060));
      expect(F > 0n).to.equal(true);
      expect((await b.engine.marketView(ETH)).cumulativeFunding).to.equal(F);
    });

    it("configureMarket accrues under the old setup at the cached mark while it is at most maxPriceAge old, else at a refreshed oracle price", async function () {
      const { f, H, rate, price } = await loadFixture(accruingFixture);
      const { b } = f;
      const t = await b.configurator.tradingParams(ETH);
      const trading = {
        openInterestCap: t.openInterestCap,
        maxFundingRatePer8h: t.maxFundingRatePer8h,
        maxFillDeviation: t.maxFillDeviation,
      };
      await setFeed(b, "ETH/USD", 3100, H + 3660);
      // Mark cached at H + 3650: 50 s later it is still fresh enough and funding accrues at 3,000.12345678.
      await at(H + 3700);
      await expect(b.configurator.setTradingParams(ETH, trading)).to.emit(b.engine, "MarketConfigured");
      const F1 = fundingIndexAt(0n, rate, price, 50);
      let v = await b.engine.marketView(ETH);
      expect([v.cumulativeFunding, v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([
        F1,
        price,
        BigInt(H + 3650),
        BigInt(H + 3700),
      ]);
      // 150 s after the cache: the mark is refreshed to the oracle's 3,100 first and the next 100 s accrue at it.
      await at(H + 3800);
      await expect(b.configurator.setTradingParams(ETH, trading)).to.emit(b.engine, "MarketConfigured");
      const F2 = fundingIndexAt(F1, rate, wad(3100), 100);
      expect(F2 - F1).to.not.equal(fundingIndexAt(0n, rate, price, 100));
      v = await b.engine.marketView(ETH);
      expect([v.cumulativeFunding, v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate, v.fundingRatePerSecond]).to.deep.equal([
        F2,
        wad(3100),
        BigInt(H + 3800),
        BigInt(H + 3800),
        rate,
      ]);
    });

    it("configureMarket during an oracle outage accrues at the cached price, so the guardian can still cut open interest", async function () {
      const { f, H } = await loadFixture(accruingFixture);
      const { b } = f;
      const feed = b.feeds["ETH/USD"];
      const [, , , updatedAt] = await feed.latestRoundData();
      expect(updatedAt).to.equal(BigInt(H + 3610));
      const before = await b.engine.marketView(ETH);
      await at(updatedAt + 3601n);
      await expect(b.configurator.reduceOpenInterestCap(ETH, wad(10))).to.emit(b.configurator, "TradingParamsSet");
      expect((await b.oracle.priceValidity(ETH_ASSET))[0]).to.equal(false); // the feed is stale in this block
      const after = await b.engine.marketView(ETH);
      expect(after.setup.openInterestCap).to.equal(wad(10));
      // The cache is neither refreshed nor discarded; funding accrued over the elapsed time at the cached price.
      expect([after.cachedPrice, after.cachedPriceTimestamp]).to.deep.equal([before.cachedPrice, before.cachedPriceTimestamp]);
      const dt = BigInt(after.lastUpdate) - BigInt(before.lastUpdate);
      expect(after.cumulativeFunding).to.equal(
        fundingIndexAt(before.cumulativeFunding, before.fundingRatePerSecond, before.cachedPrice, Number(dt)),
      );
    });

    it("the rate applies until the next rollover; an epoch without fills then sets a zero rate", async function () {
      const { f, H, rate, price } = await loadFixture(accruingFixture);
      const { b } = f;
      await setFeed(b, "ETH/USD", "3000.12345678", 2 * FUNDING_EPOCH + H + 10);
      await at(H + 2 * FUNDING_EPOCH + 20);
      await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, 0n, 0n);
      const v = await b.engine.marketView(ETH);
      expect([v.fundingRatePerSecond, v.cumulativeFunding]).to.deep.equal([0n, fundingIndexAt(0n, rate, price, 3600 + 20 - 50)]);
    });
  });

  it("an epoch that closes after a whole epoch without updates sets a zero rate even though an earlier epoch had fills", async function () {
    const f = await loadFixture(fundingFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.dave, f.carol, ETH, wad(-1), wad(3030))).wait();
    await setFeed(b, "ETH/USD", 3000, H + 2 * FUNDING_EPOCH + 10);
    await at(H + 2 * FUNDING_EPOCH + 20);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, 0n, 0n);
    expect((await b.engine.marketView(ETH)).fundingEpoch).to.equal(BigInt(H / FUNDING_EPOCH + 2));
  });
});
