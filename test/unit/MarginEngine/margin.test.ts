/**
 * Margin checks after a fill (INV-12): initial margin with exact equity and requirement in the error, the strict
 * risk-reduction exception, trading pause, market reduce-only, reduce-only maker orders and the borrow cap.
 * Uses maxPriceAge 0 (freshPriceFixture) so that a price pushed to a feed is the mark of the next fill.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  BTC_IMR,
  ETH,
  ETH_IMR,
  ETH_MMR,
  USDC,
  WAD,
  cashOf,
  expectFill,
  fill,
  freshPriceFixture,
  fund,
  initialMargin,
  maintenanceMargin,
  modelTrade,
  mulWadDown,
  pos,
  positionValue,
  riskParamsOf,
  setFeed,
  surplusChange,
  venueFees,
  wad,
  type EngineFixture,
} from "./helpers";

/** carol: 160 USDC, long 1 ETH at 3,000 (taker fee 1.5), then ETH at 2,930: below IM (146.5), above MM (87.9). */
async function belowInitialMarginFixture(): Promise<EngineFixture> {
  const f = await freshPriceFixture();
  await fund(f.b, f.carol, "USDC", 160n * USDC);
  await (await fill(f.b, f.alice, f.carol, ETH, wad(-1), wad(3000))).wait();
  await setFeed(f.b, "ETH/USD", 2930);
  return f;
}

/** Equity minus maintenance margin of `account` at fresh prices. */
async function surplus(f: EngineFixture, account: bigint): Promise<bigint> {
  const s = await f.b.engine.accountMargin(account);
  return s.equity - s.maintenanceMargin;
}

describe("MarginEngine: margin checks after a fill (INV-12)", function () {
  describe("initial margin", function () {
    it("INV-12 a taker ending below initial margin reverts EngineInsufficientMargin(account, equity, im) with exact values", async function () {
      const f = await loadFixture(freshPriceFixture);
      await fund(f.b, f.carol, "USDC", 150n * USDC);
      // 150 cash - 1.5 fee = 148.5 equity < 150 initial margin (5% of 3,000).
      await expect(fill(f.b, f.alice, f.carol, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad("148.5"), wad(150));
    });

    it("INV-12 equity exactly equal to initial margin passes", async function () {
      const f = await loadFixture(freshPriceFixture);
      await fund(f.b, f.carol, "USDC", 1_515n * (USDC / 10n));
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      const s = await f.b.engine.accountMargin(f.C);
      expect([s.equity, s.initialMargin]).to.deep.equal([wad(150), wad(150)]);
    });

    it("INV-12 a maker ending below initial margin reverts EngineInsufficientMargin for the maker", async function () {
      const f = await loadFixture(freshPriceFixture);
      await fund(f.b, f.carol, "USDC", 150n * USDC);
      // Maker fee 0.6: equity 149.4 < 150.
      await expect(fill(f.b, f.carol, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad("149.4"), wad(150));
    });

    it("INV-12 initial margin sums every held market at its mark; equity adds haircut collateral and other markets' PnL", async function () {
      const f = await loadFixture(freshPriceFixture);
      const { b } = f;
      await fund(b, f.carol, "USDC", 100n * USDC);
      await fund(b, f.carol, "WETH", WAD);
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: BTC, makerSize: wad("-0.4"), price: wad(60_000) });
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(-5), price: wad(3000) });
      await setFeed(b, "BTC/USD", 61_000);
      const size = wad("6.1");
      const { takerFee } = venueFees(size, wad(3000));
      const cash = (await cashOf(b, f.C)) - takerFee;
      const collateral = mulWadDown(mulWadDown(WAD, wad(3000)), wad("0.8"));
      const btcValue = positionValue(wad("0.4"), wad(24_000), wad(61_000), 0n);
      const equity = cash + collateral + btcValue;
      const im = initialMargin(wad("0.4"), wad(61_000), BTC_IMR) + initialMargin(wad("11.1"), wad(3000), ETH_IMR);
      expect([btcValue, equity, im]).to.deep.equal([wad(400), wad("2871.35"), wad(2885)]);
      await expect(fill(b, f.alice, f.carol, ETH, -size, wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, equity, im);
      // One ETH less fits: equity 2,871.5 >= 2,870.
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(-6), price: wad(3000) });
    });
  });

  describe("size-scaled initial margin", function () {
    it("INV-12 initial margin uses imr + imrSizeFactor * |size| (rounded up), capped at 100% of notional; maintenance is unchanged", async function () {
      const f = await loadFixture(freshPriceFixture);
      const { b } = f;
      const factor = wad("0.01"); // +1 percentage point of IM per ETH
      await b.configurator.setRiskParams(ETH, { ...(await riskParamsOf(b, ETH)), imrSizeFactor: factor });
      expect((await b.engine.marketView(ETH)).setup.imrSizeFactor).to.equal(factor);
      // A third of an ETH: the ratio 5% + 0.333...% rounds up to the next wei.
      const third = WAD / 3n;
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: -third, price: wad(3000) });
      const ratio = ETH_IMR + (factor * third + WAD - 1n) / WAD;
      expect(ratio).to.equal(ETH_IMR + 3_333_333_333_333_334n);
      const s = await b.engine.accountMargin(f.B);
      expect([s.initialMargin, s.maintenanceMargin]).to.deep.equal([
        initialMargin(third, wad(3000), ETH_IMR, factor),
        maintenanceMargin(third, wad(3000), ETH_MMR),
      ]);
      // 10 ETH need 15% of 30,000 = 4,500: 4,000 USDC is not enough (equity 4,000 - 15 fee).
      await fund(b, f.carol, "USDC", 4_000n * USDC);
      await expect(fill(b, f.alice, f.carol, ETH, wad(-10), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad(3985), wad(4500));
      // 100 ETH: 5% + 100% is capped at 100% of notional.
      await fund(b, f.dave, "USDC", 400_000n * USDC);
      await expectFill(f, { maker: f.alice, taker: f.dave, marketId: ETH, makerSize: wad(-100), price: wad(3000) });
      expect((await b.engine.accountMargin(f.D)).initialMargin).to.equal(wad(300_000));
    });
  });

  describe("strict risk-reduction exception", function () {
    it("INV-12 an account below initial margin but above maintenance may reduce at the mark and stays below initial margin", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      const s0 = await b.engine.accountMargin(f.C);
      expect([s0.equity, s0.maintenanceMargin, s0.initialMargin]).to.deep.equal([wad("88.5"), wad("87.9"), wad("146.5")]);
      const before = await surplus(f, f.C);
      // carol sells 0.1 at the mark (alice's order buys 0.1).
      const r = await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad("0.1"), price: wad(2930) });
      expect(r.tk.reducesRisk).to.equal(true);
      expect(surplusChange(r.tk, wad(2930), r.takerFee, wad(2930), ETH_MMR)).to.equal(wad("8.79") - wad("0.1465"));
      const s1 = await b.engine.accountMargin(f.C);
      expect([s1.equity, s1.initialMargin]).to.deep.equal([wad("88.3535"), wad("131.85")]);
      expect(s1.equity < s1.initialMargin).to.equal(true);
      expect((await surplus(f, f.C)) - before, "surplus over maintenance did not fall").to.equal(wad("8.79") - wad("0.1465"));
    });

    it("INV-12 reducing at a price that lowers the surplus over maintenance reverts EngineInsufficientMargin", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      const price = wad(2840);
      const { takerFee } = venueFees(wad("0.1"), price);
      const m = modelTrade(await pos(b, f.A, ETH), await pos(b, f.C, ETH), wad("-0.1"), price);
      expect(surplusChange(m.tk, price, takerFee, wad(2930), ETH_MMR)).to.equal(-wad("9") - wad("0.142") + wad("8.79"));
      const equity = (await cashOf(b, f.C)) + m.tk.realised - takerFee + positionValue(m.tk.after.size, m.tk.after.basis, wad(2930), 0n);
      const im = initialMargin(m.tk.after.size, wad(2930), ETH_IMR);
      expect([equity, im]).to.deep.equal([wad("79.358"), wad("131.85")]);
      await expect(fill(b, f.alice, f.carol, ETH, wad("0.1"), price))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, equity, im);
    });

    it("INV-12 the reduction boundary is exact: the lowest price with a non-negative surplus change passes, one wei lower reverts", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      const size = wad("0.1");
      const change = (p: bigint) =>
        surplusChange({ sizeBefore: WAD, sizeAfter: WAD - size }, p, venueFees(size, p).takerFee, wad(2930), ETH_MMR);
      let lo = wad(2800);
      let hi = wad(2930);
      expect(change(lo) < 0n && change(hi) >= 0n).to.equal(true);
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (change(mid) >= 0n) hi = mid;
        else lo = mid;
      }
      // hi: lowest price whose surplus change is >= 0; lo = hi - 1 is the highest that lowers the surplus.
      const mLo = modelTrade(await pos(b, f.A, ETH), await pos(b, f.C, ETH), -size, lo);
      const feeLo = venueFees(size, lo).takerFee;
      const cash = await cashOf(b, f.C);
      const equityLo = cash + mLo.tk.realised - feeLo + positionValue(mLo.tk.after.size, mLo.tk.after.basis, wad(2930), 0n);
      const im = initialMargin(WAD - size, wad(2930), ETH_IMR);
      expect(equityLo < im).to.equal(true);
      await expect(fill(b, f.alice, f.carol, ETH, size, lo))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, equityLo, im);
      const before = await surplus(f, f.C);
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: size, price: hi });
      const s = await b.engine.accountMargin(f.C);
      expect(s.equity < s.initialMargin).to.equal(true);
      expect((await surplus(f, f.C)) >= before, "surplus over maintenance did not fall").to.equal(true);
    });

    it("INV-12 a maker below initial margin may reduce through its own order at the mark", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      // carol's maker order sells 0.2 at 2,930; bob buys. Maker fee 0.1172, released 17.58.
      const before = await surplus(f, f.C);
      const r = await expectFill(f, { maker: f.carol, taker: f.bob, marketId: ETH, makerSize: wad("-0.2"), price: wad(2930) });
      expect(r.mk.reducesRisk).to.equal(true);
      const s = await f.b.engine.accountMargin(f.C);
      expect(s.equity < s.initialMargin).to.equal(true);
      expect((await surplus(f, f.C)) - before).to.equal(wad("17.58") - wad("0.1172"));
    });

    it("INV-12 a flip to a smaller |size| is not a reduction: it must meet initial margin", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      // carol (long 1) sells 1.9 at the mark: short 0.9; |size| falls but the side flips.
      const m = modelTrade(await pos(b, f.A, ETH), await pos(b, f.C, ETH), wad("-1.9"), wad(2930));
      const { takerFee } = venueFees(wad("1.9"), wad(2930));
      expect(m.tk.reducesRisk).to.equal(false);
      expect(surplusChange(m.tk, wad(2930), takerFee, wad(2930), ETH_MMR) > 0n).to.equal(true);
      const equity = (await cashOf(b, f.C)) + m.tk.realised - takerFee + positionValue(m.tk.after.size, m.tk.after.basis, wad(2930), 0n);
      const im = initialMargin(wad("-0.9"), wad(2930), ETH_IMR);
      expect([equity, im]).to.deep.equal([wad("85.7165"), wad("131.85")]);
      await expect(fill(b, f.alice, f.carol, ETH, wad("1.9"), wad(2930)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, equity, im);
    });

    it("INV-12 adding to a position below initial margin reverts even at a favourable price", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      const m = modelTrade(await pos(b, f.A, ETH), await pos(b, f.C, ETH), wad("0.01"), wad(2900));
      const { takerFee } = venueFees(wad("0.01"), wad(2900));
      const equity = (await cashOf(b, f.C)) - takerFee + positionValue(m.tk.after.size, m.tk.after.basis, wad(2930), 0n);
      const im = initialMargin(m.tk.after.size, wad(2930), ETH_IMR);
      await expect(fill(b, f.alice, f.carol, ETH, wad("-0.01"), wad(2900)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, equity, im);
    });

    it("a fully closed position needs no margin: equity >= 0 passes even far below maintenance", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      await setFeed(f.b, "ETH/USD", 2850);
      expect((await f.b.engine.accountMargin(f.C)).liquidatable).to.equal(true);
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(1), price: wad(2850) });
      expect(await cashOf(f.b, f.C)).to.equal(wad("158.5") - wad(150) - venueFees(WAD, wad(2850)).takerFee);
    });
    it("INV-30 an insolvent account may not close even at the mark: the fill would leave negative equity and reverts EngineInsufficientMargin (review H-1)", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      await setFeed(b, "ETH/USD", 2800);
      // carol: long 1 from 3,000 with 158.5 of cash; at 2,800 her equity is 158.5 - 200 = -41.5.
      expect((await b.engine.accountMargin(f.C)).equity).to.equal(wad("-41.5"));
      // Closing all at the mark: 158.5 - 200 realised - 1.4 taker fee = -42.9 against no initial margin.
      await expect(fill(b, f.alice, f.carol, ETH, wad(1), wad(2800)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad("-42.9"), 0n);
      // Closing half at the mark: equity -41.5 - 0.7 fee = -42.2, initial margin of 0.5 at 2,800 = 70.
      await expect(fill(b, f.alice, f.carol, ETH, wad("0.5"), wad(2800)))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad("-42.2"), initialMargin(wad("0.5"), wad(2800), ETH_IMR));
      expect(await pos(b, f.C, ETH)).to.deep.equal({ size: WAD, basis: wad(3000) });
    });

    it("INV-30 the boundary is exact: above the mark, the lowest price whose close leaves equity >= 0 passes and one wei of price lower (negative equity, which the risk-reduction exception used to let through) reverts", async function () {
      const f = await loadFixture(belowInitialMarginFixture);
      const { b } = f;
      await setFeed(b, "ETH/USD", 2800);
      const cash = await cashOf(b, f.C);
      // A full close at p leaves cash + (p - 3,000) - taker fee(p): find the lowest p that leaves >= 0.
      const left = (p: bigint) => cash + (p - wad(3000)) - venueFees(WAD, p).takerFee;
      let lo = wad(2800);
      let hi = wad(2900);
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (left(mid) >= 0n) hi = mid;
        else lo = mid;
      }
      expect(left(lo) < 0n && left(hi) >= 0n).to.equal(true);
      // At lo the fill is above the mark (pnl at the mark >= 0), which the exception alone would have allowed.
      await expect(fill(b, f.alice, f.carol, ETH, wad(1), lo))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, left(lo), 0n);
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(1), price: hi });
      expect(await cashOf(b, f.C)).to.equal(left(hi));
    });
  });

  describe("trading pause", function () {
    /** alice short 3, bob long 2, carol long 1, then trading paused. */
    async function pausedFixture(): Promise<EngineFixture> {
      const f = await freshPriceFixture();
      await fund(f.b, f.carol, "USDC", 100_000n * USDC);
      await fund(f.b, f.dave, "USDC", 100_000n * USDC);
      await (await fill(f.b, f.alice, f.bob, ETH, wad(-2), wad(3000))).wait();
      await (await fill(f.b, f.alice, f.carol, ETH, wad(-1), wad(3000))).wait();
      await (await f.b.engine.pauseTrading()).wait();
      return f;
    }

    it("pauseTrading and unpauseTrading set the flag and emit TradingPausedSet", async function () {
      const { b } = await loadFixture(freshPriceFixture);
      await expect(b.engine.pauseTrading()).to.emit(b.engine, "TradingPausedSet").withArgs(true);
      expect(await b.engine.tradingPaused()).to.equal(true);
      await expect(b.engine.unpauseTrading()).to.emit(b.engine, "TradingPausedSet").withArgs(false);
      expect(await b.engine.tradingPaused()).to.equal(false);
    });

    it("INV-12 while paused, a fill that increases the maker's risk reverts EngineTradingPaused(maker)", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(fill(f.b, f.alice, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineTradingPaused")
        .withArgs(f.A);
    });

    it("INV-12 while paused, a fill that reduces the maker but opens the taker reverts EngineTradingPaused(taker)", async function () {
      const f = await loadFixture(pausedFixture);
      await expect(fill(f.b, f.bob, f.dave, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineTradingPaused")
        .withArgs(f.D);
    });

    it("INV-12 while paused, a flip is not a reduction and reverts EngineTradingPaused", async function () {
      const f = await loadFixture(pausedFixture);
      // carol (long 1) sells 2 to alice (short 3 -> short 1, a reduction): carol flips.
      await expect(fill(f.b, f.carol, f.alice, ETH, wad(-2), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineTradingPaused")
        .withArgs(f.C);
    });

    it("INV-12 while paused, a fill that reduces both sides settles; after unpauseTrading opening fills settle again", async function () {
      const f = await loadFixture(pausedFixture);
      const r = await expectFill(f, { maker: f.bob, taker: f.alice, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      expect([r.mk.reducesRisk, r.tk.reducesRisk]).to.deep.equal([true, true]);
      await expectFill(f, { maker: f.carol, taker: f.alice, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      await f.b.engine.unpauseTrading();
      await expectFill(f, { maker: f.alice, taker: f.dave, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
    });
  });

  describe("market reduce-only and reduce-only orders", function () {
    it("INV-12 in a reduce-only market increasing fills revert EngineMarketReduceOnly(market, account); reductions and other markets settle", async function () {
      const f = await loadFixture(freshPriceFixture);
      const { b } = f;
      await fund(b, f.dave, "USDC", 100_000n * USDC);
      await (await fill(b, f.alice, f.bob, ETH, wad(-2), wad(3000))).wait();
      await expect(b.configurator.setMarketReduceOnly(ETH)).to.emit(b.engine, "MarketReduceOnlySet").withArgs(ETH, true);
      expect((await b.engine.marketView(ETH)).reduceOnly).to.equal(true);
      await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineMarketReduceOnly")
        .withArgs(ETH, f.A);
      await expect(fill(b, f.bob, f.dave, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineMarketReduceOnly")
        .withArgs(ETH, f.D);
      // Paused as well: the market's reduce-only error takes precedence.
      await b.engine.pauseTrading();
      await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineMarketReduceOnly")
        .withArgs(ETH, f.A);
      await b.engine.unpauseTrading();
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(1), price: wad(3000) });
      await expectFill(f, { maker: f.alice, taker: f.dave, marketId: BTC, makerSize: wad("-0.1"), price: wad(60_000) });
      await expect(b.configurator.clearMarketReduceOnly(ETH)).to.emit(b.engine, "MarketReduceOnlySet").withArgs(ETH, false);
      await expectFill(f, { maker: f.alice, taker: f.dave, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
    });

    it("a reduce-only maker order that would increase or flip the maker reverts EngineReduceOnlyViolated; a reducing one settles", async function () {
      const f = await loadFixture(freshPriceFixture);
      const { b } = f;
      await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
      await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000), { reduceOnly: true }))
        .to.be.revertedWithCustomError(b.engine, "EngineReduceOnlyViolated")
        .withArgs(f.A, ETH, wad(-1), wad(-2));
      await expect(fill(b, f.alice, f.bob, ETH, wad(2), wad(3000), { reduceOnly: true }))
        .to.be.revertedWithCustomError(b.engine, "EngineReduceOnlyViolated")
        .withArgs(f.A, ETH, wad(-1), wad(1));
      await (await fill(b, f.alice, f.bob, ETH, wad("0.4"), wad(3000), { reduceOnly: true })).wait();
      expect((await pos(b, f.A, ETH)).size).to.equal(wad("-0.6"));
    });
  });

  describe("borrow cap", function () {
    it("above the borrow cap, a fill adding risk to an account with negative cash reverts EngineBorrowCapExceeded; reductions settle", async function () {
      const f = await loadFixture(freshPriceFixture);
      const { b } = f;
      await fund(b, f.carol, "WETH", WAD);
      // carol has no cash: the fee of her first fill is borrowed.
      await b.vault.setBorrowCap(1n);
      await expect(fill(b, f.alice, f.carol, ETH, wad("-0.1"), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineBorrowCapExceeded")
        .withArgs(f.C);
      await b.vault.setBorrowCap(wad(1));
      await (await fill(b, f.alice, f.carol, ETH, wad("-0.2"), wad(3000))).wait();
      expect(await cashOf(b, f.C)).to.be.lessThan(0n);
      await b.vault.setBorrowCap(1n);
      await expect(fill(b, f.alice, f.carol, ETH, wad("-0.1"), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineBorrowCapExceeded")
        .withArgs(f.C);
      // An account with positive cash is not limited by the cap; a reduction by the borrower settles.
      await (await fill(b, f.alice, f.bob, ETH, wad("-0.1"), wad(3000))).wait();
      await (await fill(b, f.alice, f.carol, ETH, wad("0.1"), wad(3000))).wait();
      expect((await pos(b, f.C, ETH)).size).to.equal(wad("0.1"));
    });
  });
});
