/**
 * MarginEngine.settleTrade through the reference venue: positions, basis and realised PnL (open, add, partial
 * close, full close, flip), the zero-sum rule and fees (INV-08), open interest and totalBasis (INV-07), the
 * open-interest cap (INV-09), the price band, self trades, venue authorisation, accounts frozen by a liquidation
 * auction, the fee account (the insurance fund's) as a trader and the per-account market limit.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  ETH,
  EXTRA_MARKETS,
  MAX_FILL_DEVIATION,
  Scope,
  USDC,
  WAD,
  abs,
  accountId,
  auctionSigner,
  cashOf,
  engineFixture,
  expectFill,
  expectMarketConsistent,
  fill,
  freshPriceFixture,
  fund,
  fundSigner,
  pos,
  premiumSample,
  premiumAfterFill,
  ETH_OI_CAP,
  setFeed,
  seventeenMarketFixture,
  venueFees,
  wad,
} from "./helpers";
import { MAX, makeOrder, signOrder } from "../../shared/fixtures";

describe("MarginEngine: settleTrade", function () {
  describe("positions, basis and realised PnL", function () {
    it("an opening fill sets basis = size * price on both sides, realises nothing and charges 0.02% / 0.05% of notional", async function () {
      const f = await loadFixture(engineFixture);
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-2), price: wad(3000) });
      // Literal values (2 ETH at 3,000): notional 6,000, maker fee 1.2, taker fee 3.
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: wad(2), basis: wad(6000) });
      expect(await pos(f.b, f.A, ETH)).to.deep.equal({ size: wad(-2), basis: wad(-6000) });
      expect([r.mk.realised, r.tk.realised, r.makerFee, r.takerFee]).to.deep.equal([0n, 0n, wad("1.2"), wad(3)]);
      expect(await cashOf(f.b, f.FEE)).to.equal(wad("4.2"));
    });

    it("adding to a position adds the new notional to the basis and realises nothing", async function () {
      const f = await loadFixture(engineFixture);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-2), price: wad(3000) });
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3030) });
      expect(r.tk.realised).to.equal(0n);
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: wad(3), basis: wad(9030) });
      expect(await pos(f.b, f.A, ETH)).to.deep.equal({ size: wad(-3), basis: wad(-9030) });
    });

    it("a partial close realises the closed share of the basis: 1.5 of 3 ETH (avg 3,010) sold at 3,100 realises +135 / -135", async function () {
      const f = await loadFixture(freshPriceFixture);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-2), price: wad(3000) });
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3030) });
      await setFeed(f.b, "ETH/USD", 3100);
      // bob (taker) sells 1.5: alice's maker order buys 1.5.
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad("1.5"), price: wad(3100) });
      expect(r.tk.realised).to.equal(wad(135));
      expect(r.mk.realised).to.equal(wad(-135));
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: wad("1.5"), basis: wad(4515) });
      expect(await pos(f.b, f.A, ETH)).to.deep.equal({ size: wad("-1.5"), basis: wad(-4515) });
    });

    it("a partial close with an inexact share rounds the closed basis so that both sides' realised PnL rounds down", async function () {
      const f = await loadFixture(freshPriceFixture);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-2), price: wad(3001) });
      // 3 ETH at a basis of 9,002: closing 1 releases 9,002 / 3 = 3,000.666..., not a whole number of wei.
      expect((wad(9002) * WAD) % wad(3)).to.not.equal(0n);
      await setFeed(f.b, "ETH/USD", 3100);
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(1), price: wad(3100) });
      // Long: removes ceil(3000.666...e18) = ...667, realises 3100 - 3000.666...7 = 99.333...333 (down).
      expect(r.tk.realised).to.equal(99_333333333333333333n);
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: wad(2), basis: 6001_333333333333333333n });
      // Short: removes -floor(3000.666...e18), realises -99.333...334 (down); one wei of basis stays with it.
      expect(r.mk.realised).to.equal(-99_333333333333333334n);
      expect(await pos(f.b, f.A, ETH)).to.deep.equal({ size: wad(-2), basis: -6001_333333333333333334n });
      await expectMarketConsistent(f.b, ETH, [f.A, f.B]);
    });

    it("a full close realises the whole basis and clears the market from the account and the vault's hasPositions (INV-04)", async function () {
      const f = await loadFixture(freshPriceFixture);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-2), price: wad(3001) });
      await setFeed(f.b, "ETH/USD", 3100);
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(3), price: wad(3100) });
      expect(r.tk.realised).to.equal(wad(298));
      expect(r.mk.realised).to.equal(wad(-298));
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: 0n, basis: 0n });
      expect(await f.b.engine.accountInfo(f.B)).to.deep.equal([0n, false]);
      expect(await f.b.vault.accountStatus(f.B)).to.deep.equal([false, false]);
      const v = await f.b.engine.marketView(ETH);
      expect([v.longOpenInterest, v.totalBasis]).to.deep.equal([0n, 0n]);
    });

    it("a flip closes the whole position and opens the remainder at its share of the notional, rounded down", async function () {
      const f = await loadFixture(freshPriceFixture);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      // bob (long 1) sells 2.5 at 3001.000000000000000001: the remaining short 1.5 opens at n * 1.5 / 2.5 (inexact).
      const price = wad(3001) + 1n;
      const n = -((wad("2.5") * price + WAD - 1n) / WAD); // floor of a negative product
      expect((n * wad("-1.5")) % wad("-2.5")).to.not.equal(0n);
      const r = await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad("2.5"), price });
      expect(r.tk.reducesRisk).to.equal(false);
      expect(await pos(f.b, f.B, ETH)).to.deep.equal({ size: wad("-1.5"), basis: -4501_500000000000000002n });
      expect(r.tk.realised).to.equal(wad(1) + 1n);
      // alice (short 1) flips to long 1.5.
      expect(await pos(f.b, f.A, ETH)).to.deep.equal({ size: wad("1.5"), basis: 4501_500000000000000001n });
      expect(r.mk.realised).to.equal(-wad(1) - 2n);
      await expectMarketConsistent(f.b, ETH, [f.A, f.B]);
    });

    it("a maker order filled in two parts by two takers settles each part's own notional and fees", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.carol, "USDC", 100_000n * USDC);
      const order = await makeOrder({
        account: f.A,
        marketId: BTC,
        size: wad(-1),
        limitPrice: wad(60_000),
        signer: f.alice.address,
        salt: 77n,
      });
      const sig = await signOrder(b, f.alice, order);
      const part1 = venueFees(wad("0.3"), wad(60_000));
      const part2 = venueFees(wad("0.7"), wad(60_000));
      await expect(b.venue.connect(f.bob).fill(order, sig, f.B, wad("0.3"), MAX))
        .to.emit(b.engine, "TradeSettled")
        .withArgs(await b.venue.getAddress(), BTC, f.A, f.B, wad("0.3"), wad(60_000), part1.makerFee, part1.takerFee, 0n, 0n);
      await expect(b.venue.connect(f.carol).fill(order, sig, f.C, wad("0.7"), MAX))
        .to.emit(b.engine, "TradeSettled")
        .withArgs(await b.venue.getAddress(), BTC, f.A, f.C, wad("0.7"), wad(60_000), part2.makerFee, part2.takerFee, 0n, 0n);
      expect(await pos(b, f.A, BTC)).to.deep.equal({ size: wad(-1), basis: wad(-60_000) });
      expect(await pos(b, f.B, BTC)).to.deep.equal({ size: wad("0.3"), basis: wad(18_000) });
      expect(await pos(b, f.C, BTC)).to.deep.equal({ size: wad("0.7"), basis: wad(42_000) });
      expect(await cashOf(b, f.A)).to.equal(1_000_000n * WAD - part1.makerFee - part2.makerFee);
      expect(await cashOf(b, f.FEE)).to.equal(part1.makerFee + part1.takerFee + part2.makerFee + part2.takerFee);
      await expectMarketConsistent(b, BTC, [f.A, f.B, f.C]);
    });
  });

  describe("zero-sum, open interest and basis (INV-07, INV-08)", function () {
    it("INV-08 INV-07 over fills between three accounts in two markets, cash - basis sums change by exactly the fees", async function () {
      const f = await loadFixture(freshPriceFixture);
      await fund(f.b, f.carol, "USDC", 200_000n * USDC);
      const feeBefore = await cashOf(f.b, f.FEE);
      let fees = 0n;
      const steps: [typeof f.alice, typeof f.alice, number, bigint, bigint][] = [
        [f.alice, f.bob, ETH, wad(-3), wad(3000)],
        [f.carol, f.bob, BTC, wad("0.25"), wad(60_100)],
        [f.bob, f.carol, ETH, wad("-1.7"), wad("2999.99")],
        [f.alice, f.carol, BTC, wad("-0.4"), wad(59_950)],
        [f.carol, f.alice, ETH, wad("4.2"), wad("3010.123456789")],
        [f.bob, f.alice, BTC, wad("0.15"), wad(60_000)],
      ];
      for (const [maker, taker, market, size, price] of steps) {
        const r = await expectFill(f, { maker, taker, marketId: market, makerSize: size, price });
        fees += r.makerFee + r.takerFee;
      }
      expect(await cashOf(f.b, f.FEE)).to.equal(feeBefore + fees);
      await expectMarketConsistent(f.b, ETH, [f.A, f.B, f.C]);
      await expectMarketConsistent(f.b, BTC, [f.A, f.B, f.C]);
      // Across all traders, cash - basis fell by exactly the fees (deposits: 2,200,000 USDC).
      let total = 0n;
      for (const a of [f.A, f.B, f.C]) {
        total += (await cashOf(f.b, a)) - (await pos(f.b, a, ETH)).basis - (await pos(f.b, a, BTC)).basis;
      }
      expect(total).to.equal(2_200_000n * WAD - fees);
    });
  });

  describe("open-interest cap (INV-09)", function () {
    it("INV-09 a fill may take long open interest exactly to the cap; one wei more reverts EngineOpenInterestCapExceeded", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await expect(b.configurator.reduceOpenInterestCap(ETH, wad(10))).to.emit(b.engine, "MarketConfigured");
      expect((await b.engine.marketView(ETH)).setup.openInterestCap).to.equal(wad(10));
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-6), price: wad(3000) });
      await expect(fill(b, f.alice, f.bob, ETH, -(wad(4) + 1n), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineOpenInterestCapExceeded")
        .withArgs(ETH, wad(10), wad(10) + 1n);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-4), price: wad(3000) });
      expect((await b.engine.marketView(ETH)).longOpenInterest).to.equal(wad(10));
      await expect(fill(b, f.alice, f.bob, ETH, -1n, wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineOpenInterestCapExceeded")
        .withArgs(ETH, wad(10), wad(10) + 1n);
    });

    it("INV-09 at the cap, a fill that moves longs between accounts or lowers open interest still settles", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.carol, "USDC", 100_000n * USDC);
      await b.configurator.reduceOpenInterestCap(ETH, wad(10));
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-10), price: wad(3000) });
      // bob sells 4 to carol: bob's long falls by 4, carol's rises by 4, open interest stays at the cap.
      await expectFill(f, { maker: f.bob, taker: f.carol, marketId: ETH, makerSize: wad(-4), price: wad(3000) });
      expect((await b.engine.marketView(ETH)).longOpenInterest).to.equal(wad(10));
      // Lowering the cap below open interest: closing fills still pass, opening ones do not.
      await b.configurator.reduceOpenInterestCap(ETH, wad(5));
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(2), price: wad(3000) });
      expect((await b.engine.marketView(ETH)).longOpenInterest).to.equal(wad(8));
      await expect(fill(b, f.alice, f.carol, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineOpenInterestCapExceeded")
        .withArgs(ETH, wad(5), wad(9));
    });
  });

  describe("price band", function () {
    // Index 3,000, band 5%: premium = floor((p - 3000) / 3000) must stay within [-5%, +5%]; above the index the
    // floor admits up to 2,999 wei more than 3,150, below it 2,850 is the last accepted price.
    it("the band accepts 3,150 + 2,999 wei and rejects 3,150 + 3,000 wei with EngineFillPriceOutOfBand", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const ok = wad(3150) + 2999n;
      const bad = wad(3150) + 3000n;
      expect(premiumSample(ok, wad(3000))).to.equal(MAX_FILL_DEVIATION);
      expect(premiumSample(bad, wad(3000))).to.equal(MAX_FILL_DEVIATION + 1n);
      await expect(fill(b, f.alice, f.bob, ETH, wad(-1), bad))
        .to.be.revertedWithCustomError(b.engine, "EngineFillPriceOutOfBand")
        .withArgs(ETH, bad, wad(3000), MAX_FILL_DEVIATION);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: ok });
      // A 1 ETH fill weighs 1 / 1,000 of the premium depth (1% of the 100,000 ETH cap).
      expect((await b.engine.marketView(ETH)).premium).to.equal(premiumAfterFill(0n, MAX_FILL_DEVIATION, WAD, ETH_OI_CAP));
      expect(premiumAfterFill(0n, MAX_FILL_DEVIATION, WAD, ETH_OI_CAP)).to.equal(MAX_FILL_DEVIATION / 1000n);
    });

    it("the band accepts 2,850 and rejects 2,850 - 1 wei with EngineFillPriceOutOfBand", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const bad = wad(2850) - 1n;
      await expect(fill(b, f.alice, f.bob, ETH, wad(1), bad))
        .to.be.revertedWithCustomError(b.engine, "EngineFillPriceOutOfBand")
        .withArgs(ETH, bad, wad(3000), MAX_FILL_DEVIATION);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(1), price: wad(2850) });
      expect((await b.engine.marketView(ETH)).premium).to.equal(premiumAfterFill(0n, -MAX_FILL_DEVIATION, WAD, ETH_OI_CAP));
    });
  });

  describe("accounts and venues", function () {
    it("a fill between two accounts of the same id reverts EngineSelfTrade; two subaccounts of one owner may trade", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await expect(fill(b, f.bob, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineSelfTrade")
        .withArgs(f.B);
      const sub = accountId(f.bob.address, 1);
      await fund(b, f.bob, "USDC", 10_000n * USDC, sub);
      await expectFill(f, { maker: f.bob, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000), takerAccount: sub });
      expect(await pos(b, sub, ETH)).to.deep.equal({ size: wad(1), basis: wad(3000) });
    });

    it("settleTrade from an address that is not a registered venue reverts EngineUnauthorizedVenue(caller)", async function () {
      const { b, A, B, FEE, erin } = await loadFixture(engineFixture);
      const t = {
        maker: A,
        taker: B,
        marketId: ETH,
        takerSize: wad(1),
        price: wad(3000),
        makerFee: 0n,
        takerFee: 0n,
        makerReduceOnly: false,
      };
      await expect(b.engine.connect(erin).settleTrade(t, FEE))
        .to.be.revertedWithCustomError(b.engine, "EngineUnauthorizedVenue")
        .withArgs(erin.address);
      await expect(b.engine.settleTrade(t, FEE))
        .to.be.revertedWithCustomError(b.engine, "EngineUnauthorizedVenue")
        .withArgs(b.deployer.address);
    });

    it("a registered venue's fill of size zero reverts EngineZeroSize and one in an unlisted market EngineMarketUnknown", async function () {
      const { b, A, B, FEE, erin } = await loadFixture(engineFixture);
      await b.engine.setVenue(erin.address, true);
      const t = { maker: A, taker: B, marketId: ETH, takerSize: 0n, price: wad(3000), makerFee: 0n, takerFee: 0n, makerReduceOnly: false };
      await expect(b.engine.connect(erin).settleTrade(t, FEE)).to.be.revertedWithCustomError(b.engine, "EngineZeroSize");
      await expect(b.engine.connect(erin).settleTrade({ ...t, takerSize: wad(1), marketId: 2 }, FEE))
        .to.be.revertedWithCustomError(b.engine, "EngineMarketUnknown")
        .withArgs(2);
    });

    it("a fill with an account frozen in a liquidation auction reverts VaultAccountInAuction(account), as maker or taker, until the auction ends", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.carol, "USDC", 100_000n * USDC);
      const auction = await auctionSigner(b);
      await expect(b.vault.connect(auction).startLiquidation(f.B, f.E, 0n))
        .to.emit(b.vault, "LiquidationStarted")
        .withArgs(f.B, f.E, 0n);
      await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(f.B);
      await expect(fill(b, f.bob, f.alice, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(f.B);
      // Other accounts trade meanwhile.
      await expectFill(f, { maker: f.alice, taker: f.carol, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      await expect(b.vault.connect(auction).endLiquidation(f.B)).to.emit(b.vault, "LiquidationEnded").withArgs(f.B);
      await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
      await expectFill(f, { maker: f.bob, taker: f.carol, marketId: ETH, makerSize: wad("-0.5"), price: wad(3000) });
    });

    it("INV-08 a venue's fees go to the fee account it names, and the event reports the venue", async function () {
      const { b, A, B, E, erin } = await loadFixture(engineFixture);
      await b.engine.setVenue(erin.address, true);
      const t = {
        maker: A,
        taker: B,
        marketId: BTC,
        takerSize: wad("-0.5"),
        price: wad(60_000),
        makerFee: 7n,
        takerFee: wad(11),
        makerReduceOnly: false,
      };
      await expect(b.engine.connect(erin).settleTrade(t, E))
        .to.emit(b.engine, "TradeSettled")
        .withArgs(erin.address, BTC, A, B, wad("-0.5"), wad(60_000), 7n, wad(11), 0n, 0n);
      expect(await cashOf(b, E)).to.equal(wad(11) + 7n);
      expect(await cashOf(b, A)).to.equal(1_000_000n * WAD - 7n);
      expect(await cashOf(b, B)).to.equal(1_000_000n * WAD - wad(11));
      expect(await pos(b, A, BTC)).to.deep.equal({ size: wad("0.5"), basis: wad(30_000) });
    });
  });

  describe("the fee account as a trader", function () {
    // The venue's fees accrue to the insurance fund's vault account (subaccount 0 of the fund), which may trade.
    // Per IMarginEngine.settleTrade an account must end at or above initial margin; the vault credits a fill's
    // fees before it values the traders, so the fee account is margin-checked with the fees of the same fill.
    it("the venue's fee account is the insurance fund's vault account", async function () {
      const { b, FEE } = await loadFixture(engineFixture);
      expect(FEE).to.equal(accountId(await b.fund.getAddress(), 0));
      expect(FEE).to.equal(await b.fund.fundAccount());
      expect(FEE).to.not.equal(accountId(b.deployer.address, 0));
    });

    it("INV-12 the fee account trading as taker is margin-checked with the fees it receives in the same fill", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const insurer = await fundSigner(b);
      const { makerFee, takerFee } = venueFees(WAD, wad(3000));
      expect([makerFee, takerFee]).to.deep.equal([wad("0.6"), wad("1.5")]);
      // 149.399999 USDC - 1.5 + (0.6 + 1.5) = 149.999999 < 150, the initial margin of 1 ETH at 3,000.
      await fund(b, insurer, "USDC", 149_399_999n, f.FEE); // only the owner deposits into an account
      await expect(fill(b, f.alice, insurer, ETH, wad(-1), wad(3000), { takerAccount: f.FEE }))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.FEE, wad("149.999999"), wad(150));
      // One more micro-USDC: 149.4 - 1.5 + 2.1 = 150 meets initial margin exactly (without the fees: 147.9).
      await fund(b, insurer, "USDC", 1n, f.FEE); // only the owner deposits into an account
      await expect(fill(b, f.alice, insurer, ETH, wad(-1), wad(3000), { takerAccount: f.FEE }))
        .to.emit(b.engine, "TradeSettled")
        .withArgs(await b.venue.getAddress(), ETH, f.A, f.FEE, WAD, wad(3000), makerFee, takerFee, 0n, 0n);
      expect(await cashOf(b, f.FEE)).to.equal(wad("149.4") - takerFee + makerFee + takerFee);
      expect(await cashOf(b, f.A)).to.equal(1_000_000n * WAD - makerFee);
      expect(await pos(b, f.FEE, ETH)).to.deep.equal({ size: WAD, basis: wad(3000) });
      const s = await b.engine.accountMargin(f.FEE);
      expect([s.equity, s.initialMargin]).to.deep.equal([wad(150), wad(150)]);
      await expectMarketConsistent(b, ETH, [f.A, f.FEE]);
    });

    it("INV-12 the fee account trading as maker (an order signed by the fund's operator) is margin-checked with the fees of the same fill", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const insurer = await fundSigner(b);
      const expiry = BigInt(await time.latest()) + 86_400n;
      await expect(b.engine.connect(insurer).setOperator(f.erin.address, Scope.Trade, expiry))
        .to.emit(b.engine, "OperatorSet")
        .withArgs(insurer.address, f.erin.address, Scope.Trade, expiry);
      // The venue refuses a trade-scope key without its owner's limits (issue #11 class 5): limits that never bind here.
      await (await b.venue.connect(insurer).setSessionKeyLimits(f.erin.address, 5n * 10n ** 16n, 10n ** 30n, 86_400n, expiry)).wait();
      const { makerFee, takerFee } = venueFees(WAD, wad(3000));
      const asMaker = { makerAccount: f.FEE, makerSigner: f.erin };
      // 148.499999 USDC - 0.6 + (0.6 + 1.5) = 149.999999 < 150.
      await fund(b, insurer, "USDC", 148_499_999n, f.FEE); // only the owner deposits into an account
      await expect(fill(b, insurer, f.bob, ETH, wad(-1), wad(3000), asMaker))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(f.FEE, wad("149.999999"), wad(150));
      // 148.5 - 0.6 + 2.1 = 150 meets initial margin exactly (without the fees: 147.9).
      await fund(b, insurer, "USDC", 1n, f.FEE); // only the owner deposits into an account
      await expect(fill(b, insurer, f.bob, ETH, wad(-1), wad(3000), asMaker))
        .to.emit(b.engine, "TradeSettled")
        .withArgs(await b.venue.getAddress(), ETH, f.FEE, f.B, WAD, wad(3000), makerFee, takerFee, 0n, 0n);
      expect(await cashOf(b, f.FEE)).to.equal(wad("148.5") - makerFee + makerFee + takerFee);
      expect(await cashOf(b, f.B)).to.equal(1_000_000n * WAD - takerFee);
      expect(await pos(b, f.FEE, ETH)).to.deep.equal({ size: -WAD, basis: -wad(3000) });
      const s = await b.engine.accountMargin(f.FEE);
      expect([s.equity, s.initialMargin]).to.deep.equal([wad(150), wad(150)]);
      await expectMarketConsistent(b, ETH, [f.B, f.FEE]);
    });
  });

  describe("markets per account", function () {
    it("INV-04 an account may hold 16 markets; opening a 17th reverts EngineTooManyMarkets(account, 16), closing one frees a slot", async function () {
      this.timeout(600_000);
      const f = await loadFixture(seventeenMarketFixture);
      const { b } = f;
      expect(await b.engine.marketCount()).to.equal(BigInt(2 + EXTRA_MARKETS));
      const price = (id: number) => (id === ETH ? wad(3000) : id === BTC ? wad(60_000) : wad(100));
      for (let id = 0; id < 16; id++) await (await fill(b, f.alice, f.bob, id, wad("-0.01"), price(id))).wait();
      const [bits] = await b.engine.accountInfo(f.B);
      expect(bits).to.equal((1n << 16n) - 1n);
      // bob as taker of a 17th market (maker carol is fresh).
      await expect(fill(b, f.carol, f.bob, 16, wad("-0.01"), wad(100)))
        .to.be.revertedWithCustomError(b.engine, "EngineTooManyMarkets")
        .withArgs(f.B, 16);
      // bob as maker of a 17th market.
      await expect(fill(b, f.bob, f.dave, 16, wad("-0.01"), wad(100)))
        .to.be.revertedWithCustomError(b.engine, "EngineTooManyMarkets")
        .withArgs(f.B, 16);
      // Closing market 3 frees a slot for market 16.
      await (await fill(b, f.alice, f.bob, 3, wad("0.01"), wad(100))).wait();
      await (await fill(b, f.carol, f.bob, 16, wad("-0.01"), wad(100))).wait();
      const [bits2] = await b.engine.accountInfo(f.B);
      expect(bits2).to.equal(((1n << 17n) - 1n) & ~(1n << 3n));
      expect(abs((await pos(b, f.B, 16)).size)).to.equal(wad("0.01"));
    });
  });
});
