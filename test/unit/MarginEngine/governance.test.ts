/**
 * EngineGovernance and the engine's hooks: restricted setters (AccessManager roles of src/deploy/roles.ts),
 * one-time bindings, the configurator hooks with their re-validation against RiskBounds, ramped effective ratios
 * (INV-10), the vault hook positionsMargin and the liquidator hook transferPortfolio (called as the liquidation
 * auction the deployment binds, impersonated), with the bid's cash legs and the vault's auction freeze.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ROLE } from "../../../src/deploy/roles";
import {
  BTC,
  BTC_ASSET,
  ETH,
  ETH_IMR,
  ETH_MMR,
  MAX_FILL_DEVIATION,
  MAX_FUNDING_RATE,
  NO_LEGS,
  USDC,
  WAD,
  alignToHour,
  at,
  auctionSigner,
  bytes32,
  cashOf,
  engineFactory,
  engineFixture,
  expectMarketConsistent,
  fill,
  fund,
  impersonate,
  maintenanceMargin,
  mulWadDown,
  pos,
  riskParamsOf,
  setFeed,
  wad,
} from "./helpers";
import type { IMarginEngine } from "../../../typechain-types/contracts/engine/MarginEngine";
import { positionShare } from "../../../src/model/auction";

const SETUP: IMarginEngine.MarketSetupStruct = {
  mmrTarget: ETH_MMR,
  imrTarget: ETH_IMR,
  maxStepPerHour: wad("0.01"),
  imrSizeFactor: 0n,
  openInterestCap: wad(1000),
  maxFundingRatePer8h: MAX_FUNDING_RATE,
  maxFillDeviation: MAX_FILL_DEVIATION,
};

describe("MarginEngine: governance and hooks", function () {
  describe("restricted setters", function () {
    it("every restricted function refuses a caller without a role with AccessManagedUnauthorized(caller)", async function () {
      const { b, erin } = await loadFixture(engineFixture);
      const e = b.engine.connect(erin);
      const calls = [
        () => e.pauseTrading(),
        () => e.unpauseTrading(),
        () => e.setVenue(erin.address, true),
        () => e.setMaxPriceAge(10),
        () => e.bindLiquidator(erin.address),
        () => e.bindConfigurator(erin.address),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(b.engine, "AccessManagedUnauthorized").withArgs(erin.address);
      }
    });

    it("the guardian may pause but not unpause; the risk manager may unpause and set maxPriceAge but not register venues", async function () {
      const { b, carol, dave } = await loadFixture(engineFixture);
      await b.manager.grantRole(ROLE.GUARDIAN, dave.address, 0);
      await b.manager.grantRole(ROLE.RISK_MANAGER, carol.address, 0);
      await expect(b.engine.connect(dave).pauseTrading()).to.emit(b.engine, "TradingPausedSet").withArgs(true);
      await expect(b.engine.connect(dave).unpauseTrading())
        .to.be.revertedWithCustomError(b.engine, "AccessManagedUnauthorized")
        .withArgs(dave.address);
      await expect(b.engine.connect(carol).pauseTrading())
        .to.be.revertedWithCustomError(b.engine, "AccessManagedUnauthorized")
        .withArgs(carol.address);
      await expect(b.engine.connect(carol).unpauseTrading()).to.emit(b.engine, "TradingPausedSet").withArgs(false);
      await expect(b.engine.connect(carol).setMaxPriceAge(10)).to.emit(b.engine, "MaxPriceAgeSet").withArgs(10);
      for (const call of [
        () => b.engine.connect(carol).setVenue(carol.address, true),
        () => b.engine.connect(dave).bindLiquidator(dave.address),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(b.engine, "AccessManagedUnauthorized");
      }
    });

    it("setVenue registers and removes venues with VenueSet; a removed venue's fills revert EngineUnauthorizedVenue; zero is refused", async function () {
      const { b, alice, bob, erin } = await loadFixture(engineFixture);
      const venue = await b.venue.getAddress();
      await expect(b.engine.setVenue(erin.address, true)).to.emit(b.engine, "VenueSet").withArgs(erin.address, true);
      expect(await b.engine.isVenue(erin.address)).to.equal(true);
      await expect(b.engine.setVenue(venue, false)).to.emit(b.engine, "VenueSet").withArgs(venue, false);
      await expect(fill(b, alice, bob, ETH, wad(-1), wad(3000)))
        .to.be.revertedWithCustomError(b.engine, "EngineUnauthorizedVenue")
        .withArgs(venue);
      await b.engine.setVenue(venue, true);
      await (await fill(b, alice, bob, ETH, wad(-1), wad(3000))).wait();
      await expect(b.engine.setVenue(ethers.ZeroAddress, true)).to.be.revertedWithCustomError(b.engine, "EngineZeroAddress");
    });

    it("bindLiquidator binds once (LiquidatorBound), then reverts EngineAlreadyBound(current); the zero address reverts EngineZeroAddress", async function () {
      // A fresh engine under the deployment's AccessManager (the deployer holds ADMIN): nothing bound yet.
      const { b, dave, erin } = await loadFixture(engineFixture);
      const [manager, vault, oracle] = await Promise.all([b.manager.getAddress(), b.vault.getAddress(), b.oracle.getAddress()]);
      const engine = await (await engineFactory(b.deployer)).deploy(manager, vault, oracle);
      expect(await engine.liquidator()).to.equal(ethers.ZeroAddress);
      await expect(engine.bindLiquidator(ethers.ZeroAddress)).to.be.revertedWithCustomError(engine, "EngineZeroAddress");
      await expect(engine.bindLiquidator(erin.address)).to.emit(engine, "LiquidatorBound").withArgs(erin.address);
      expect(await engine.liquidator()).to.equal(erin.address);
      await expect(engine.bindLiquidator(dave.address)).to.be.revertedWithCustomError(engine, "EngineAlreadyBound").withArgs(erin.address);
      await expect(engine.bindLiquidator(ethers.ZeroAddress)).to.be.revertedWithCustomError(engine, "EngineZeroAddress");
    });

    it("the deployment bound the liquidation auction (LiquidatorBound(auction)); bindLiquidator then reverts EngineAlreadyBound(auction)", async function () {
      const { b, erin } = await loadFixture(engineFixture);
      const auction = await b.auction.getAddress();
      expect(await b.engine.liquidator()).to.equal(auction);
      const bound = await b.engine.queryFilter(b.engine.filters.LiquidatorBound());
      expect(bound.map((e) => e.args.liquidator)).to.deep.equal([auction]);
      await expect(b.engine.bindLiquidator(erin.address)).to.be.revertedWithCustomError(b.engine, "EngineAlreadyBound").withArgs(auction);
      await expect(b.engine.bindLiquidator(ethers.ZeroAddress)).to.be.revertedWithCustomError(b.engine, "EngineZeroAddress");
    });

    it("the constructor refuses a zero vault or oracle with EngineZeroAddress", async function () {
      const { b } = await loadFixture(engineFixture);
      const factory = await engineFactory(b.deployer);
      const [manager, vault, oracle] = await Promise.all([b.manager.getAddress(), b.vault.getAddress(), b.oracle.getAddress()]);
      await expect(factory.deploy(manager, ethers.ZeroAddress, oracle)).to.be.revertedWithCustomError(b.engine, "EngineZeroAddress");
      await expect(factory.deploy(manager, vault, ethers.ZeroAddress)).to.be.revertedWithCustomError(b.engine, "EngineZeroAddress");
    });

    it("bindConfigurator is already bound by the deployment: EngineAlreadyBound(configurator); the zero address reverts EngineZeroAddress", async function () {
      const { b, erin } = await loadFixture(engineFixture);
      await expect(b.engine.bindConfigurator(erin.address))
        .to.be.revertedWithCustomError(b.engine, "EngineAlreadyBound")
        .withArgs(await b.configurator.getAddress());
      await expect(b.engine.bindConfigurator(ethers.ZeroAddress)).to.be.revertedWithCustomError(b.engine, "EngineZeroAddress");
    });
  });

  describe("configurator hooks", function () {
    it("listMarket, configureMarket and setMarketReduceOnly refuse any caller but the configurator with EngineOnlyConfigurator", async function () {
      const { b, erin } = await loadFixture(engineFixture);
      const e = b.engine.connect(erin);
      for (const call of [
        () => e.listMarket(BTC_ASSET, SETUP),
        () => e.configureMarket(ETH, SETUP),
        () => e.setMarketReduceOnly(ETH, true),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(b.engine, "EngineOnlyConfigurator").withArgs(erin.address);
      }
      await expect(b.engine.setMarketReduceOnly(ETH, true)).to.be.revertedWithCustomError(b.engine, "EngineOnlyConfigurator");
    });

    it("the configurator lists a market: MarketListed(id, asset, setup), ratios start at the targets, marketCount grows", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      // BTC's parameters with a reference sigma of 0.4% per hour: a new market (variance 0) sits below it, so the
      // target is mmrBase - volMultiplier * 0.4% = 2.5% - 0.8% = 1.7% (above the 1.5% floor), imr 1.7% * 5 / 2.5.
      const risk = { ...(await riskParamsOf(b, BTC)), volReference: wad("0.004") };
      expect([risk.mmrBase, risk.imrBase, risk.mmrFloor, risk.volMultiplier]).to.deep.equal([
        wad("0.025"),
        wad("0.05"),
        wad("0.015"),
        wad(2),
      ]);
      const trading = { openInterestCap: wad(77), maxFundingRatePer8h: wad("0.02"), maxFillDeviation: wad("0.1") };
      await expect(b.configurator.listMarket(BTC_ASSET, risk, trading))
        .to.emit(b.engine, "MarketListed")
        .withArgs(2, BTC_ASSET, [wad("0.017"), wad("0.034"), wad("0.01"), 0n, wad(77), wad("0.02"), wad("0.1")]);
      expect(await b.engine.marketCount()).to.equal(3n);
      expect(await b.configurator.targets(2)).to.deep.equal([wad("0.017"), wad("0.034")]);
      const v = await b.engine.marketView(2);
      expect([v.listed, v.oracleAsset, v.cachedPrice, v.mmr, v.imr]).to.deep.equal([
        true,
        BTC_ASSET,
        wad(60_000),
        wad("0.017"),
        wad("0.034"),
      ]);
      await (await fill(b, f.alice, f.bob, 2, wad("-0.5"), wad(60_000))).wait();
      expect(await pos(b, f.B, 2)).to.deep.equal({ size: wad("0.5"), basis: wad(30_000) });
    });

    it("the engine re-validates every pushed value against RiskBounds with EngineParameterOutOfBounds(name, value, min, max)", async function () {
      const { b } = await loadFixture(engineFixture);
      const cfg = await impersonate(await b.configurator.getAddress());
      const e = b.engine.connect(cfg);
      // [field, value, min, max, the error's name when it is not the field's (the field carries its unit)]
      const cases: [keyof IMarginEngine.MarketSetupStruct, bigint, bigint, bigint, string?][] = [
        ["mmrTarget", wad("0.002") - 1n, wad("0.002"), wad("0.5")],
        ["mmrTarget", wad("0.5") + 1n, wad("0.002"), wad("0.5")],
        ["imrTarget", ETH_MMR, ETH_MMR + 1n, WAD],
        ["imrTarget", WAD + 1n, ETH_MMR + 1n, WAD],
        ["maxStepPerHour", wad("0.0005") - 1n, wad("0.0005"), wad("0.05")],
        ["maxStepPerHour", wad("0.05") + 1n, wad("0.0005"), wad("0.05")],
        ["imrSizeFactor", WAD + 1n, 0n, WAD],
        ["openInterestCap", 0n, 1n, 2n ** 112n - 1n],
        ["maxFundingRatePer8h", wad("0.0001") - 1n, wad("0.0001"), wad("0.05"), "maxFundingRate"],
        ["maxFundingRatePer8h", wad("0.05") + 1n, wad("0.0001"), wad("0.05"), "maxFundingRate"],
        ["maxFillDeviation", wad("0.001") - 1n, wad("0.001"), wad("0.5")],
        ["maxFillDeviation", wad("0.5") + 1n, wad("0.001"), wad("0.5")],
      ];
      for (const [field, value, lo, hi, name = field] of cases) {
        const s = { ...SETUP, [field]: value };
        await expect(e.configureMarket(ETH, s))
          .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
          .withArgs(bytes32(name), value, lo, hi);
        await expect(e.listMarket(BTC_ASSET, s))
          .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
          .withArgs(bytes32(name), value, lo, hi);
      }
      // The bounds themselves are accepted.
      const edge = {
        ...SETUP,
        mmrTarget: wad("0.5"),
        imrTarget: WAD,
        maxStepPerHour: wad("0.05"),
        imrSizeFactor: WAD,
        openInterestCap: 1n,
      };
      await expect(e.configureMarket(ETH, edge)).to.emit(b.engine, "MarketConfigured");
      await expect(e.configureMarket(9, SETUP)).to.be.revertedWithCustomError(b.engine, "EngineMarketUnknown").withArgs(9);
      await expect(e.setMarketReduceOnly(9, true)).to.be.revertedWithCustomError(b.engine, "EngineMarketUnknown").withArgs(9);
      await expect(e.listMarket(bytes32("DOGE/USD"), SETUP))
        .to.be.revertedWithCustomError(b.oracle, "OracleAssetUnknown")
        .withArgs(bytes32("DOGE/USD"));
    });

    it("at most MAX_MARKETS (128) markets can be listed; the next reverts EngineTooManyMarketsListed(128)", async function () {
      this.timeout(600_000);
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const risk = await riskParamsOf(b, ETH);
      const trading = { openInterestCap: wad(1000), maxFundingRatePer8h: MAX_FUNDING_RATE, maxFillDeviation: MAX_FILL_DEVIATION };
      for (let i = 2; i < 128; i++) await (await b.configurator.listMarket(BTC_ASSET, risk, trading)).wait();
      expect(await b.engine.marketCount()).to.equal(128n);
      await expect(b.configurator.listMarket(BTC_ASSET, risk, trading))
        .to.be.revertedWithCustomError(b.engine, "EngineTooManyMarketsListed")
        .withArgs(128);
      // The last market (id 127, the top bit of the bitmap) trades.
      await (await fill(b, f.alice, f.bob, 127, wad("-0.01"), wad(60_000))).wait();
      expect(await b.engine.accountInfo(f.B)).to.deep.equal([1n << 127n, false]);
    });

    it("INV-10 effective ratios ramp toward new targets by maxStepPerHour * elapsed / 1 h and stop at them", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      const H = await alignToHour(b);
      await at(H + 10);
      await (await fill(b, f.alice, f.bob, ETH, wad(-2), wad(3000))).wait();
      const risk = { ...(await riskParamsOf(b, ETH)), mmrBase: wad("0.06"), imrBase: wad("0.1") };
      await at(H + 100);
      await expect(b.configurator.setRiskParams(ETH, risk))
        .to.emit(b.engine, "MarketConfigured")
        .withArgs(ETH, [wad("0.06"), wad("0.1"), wad("0.01"), 0n, wad(100_000), MAX_FUNDING_RATE, MAX_FILL_DEVIATION]);
      const ratios = async () => {
        const v = await b.engine.marketView(ETH);
        expect(v.mmr < v.imr, "INV-10 mmr < imr").to.equal(true);
        return [v.mmr, v.imr];
      };
      expect(await ratios()).to.deep.equal([ETH_MMR, ETH_IMR]);
      await at(H + 1900);
      await (await b.engine.updateMarket(ETH)).wait();
      expect(await ratios()).to.deep.equal([wad("0.035"), wad("0.055")]);
      expect((await b.engine.accountMargin(f.B)).maintenanceMargin).to.equal(maintenanceMargin(wad(2), wad(3000), wad("0.035")));
      // 2.5 h later mmr reaches its target (6%) and stops; imr moves the full 2.5 points.
      await setFeed(b, "ETH/USD", 3000, H + 10_850);
      await at(H + 10_900);
      await (await b.engine.updateMarket(ETH)).wait();
      expect(await ratios()).to.deep.equal([wad("0.06"), wad("0.08")]);
      await setFeed(b, "ETH/USD", 3000, H + 18_050);
      await at(H + 18_100);
      await (await b.engine.updateMarket(ETH)).wait();
      expect(await ratios()).to.deep.equal([wad("0.06"), wad("0.1")]);
      // Back down: one hour moves each ratio one point toward 3% / 5%.
      await at(H + 18_200);
      await b.configurator.setRiskParams(ETH, { ...risk, mmrBase: ETH_MMR, imrBase: ETH_IMR });
      await setFeed(b, "ETH/USD", 3000, H + 21_750);
      await at(H + 21_800);
      await (await b.engine.updateMarket(ETH)).wait();
      expect(await ratios()).to.deep.equal([wad("0.05"), wad("0.09")]);
    });
  });

  describe("vault and liquidator hooks", function () {
    it("positionsMargin refuses any caller but the vault with EngineOnlyVault; for the vault it returns value, IM and maxPriceAge", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await expect(b.engine.connect(f.erin).positionsMargin(f.B))
        .to.be.revertedWithCustomError(b.engine, "EngineOnlyVault")
        .withArgs(f.erin.address);
      await (await fill(b, f.alice, f.bob, ETH, wad(-2), wad(3000))).wait();
      await (await fill(b, f.alice, f.bob, BTC, wad("0.1"), wad(60_000))).wait();
      const vault = await impersonate(await b.vault.getAddress());
      await setFeed(b, "ETH/USD", 3100);
      await b.engine.setMaxPriceAge(0);
      // INV-28: B's position is 200 in profit, which counts zero toward a withdrawal.
      expect(await b.engine.connect(vault).positionsMargin.staticCall(f.B)).to.deep.equal([
        0n,
        mulWadDown(wad(6200), wad("0.05")) + mulWadDown(wad(6000), wad("0.05")),
        0n,
      ]);
    });

    it("transferPortfolio refuses any caller but the bound liquidator (the auction) with EngineOnlyLiquidator, and bad fractions, self transfers or unbalanced legs", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      for (const caller of [f.erin, b.deployer]) {
        await expect(b.engine.connect(caller).transferPortfolio(f.B, f.D, WAD, NO_LEGS))
          .to.be.revertedWithCustomError(b.engine, "EngineOnlyLiquidator")
          .withArgs(caller.address);
      }
      const l = b.engine.connect(await auctionSigner(b));
      await expect(l.transferPortfolio(f.B, f.D, 0n, NO_LEGS))
        .to.be.revertedWithCustomError(b.engine, "EngineInvalidFraction")
        .withArgs(0n);
      await expect(l.transferPortfolio(f.B, f.D, WAD + 1n, NO_LEGS))
        .to.be.revertedWithCustomError(b.engine, "EngineInvalidFraction")
        .withArgs(WAD + 1n);
      await expect(l.transferPortfolio(f.B, f.B, WAD, NO_LEGS))
        .to.be.revertedWithCustomError(b.engine, "EngineSelfTrade")
        .withArgs(f.B);
      // The bid's cash legs must sum to zero.
      await expect(l.transferPortfolio(f.B, f.D, WAD, { ...NO_LEGS, toFrom: 1n }))
        .to.be.revertedWithCustomError(b.vault, "VaultCashNotConserved")
        .withArgs(1n);
      await expect(l.transferPortfolio(f.B, f.D, WAD, { toFrom: wad(5), toTo: -wad(2), third: f.FEE, toThird: -wad(4) }))
        .to.be.revertedWithCustomError(b.vault, "VaultCashNotConserved")
        .withArgs(-wad(1));
      expect(await cashOf(b, f.D)).to.equal(0n);
    });

    it("INV-07 transferPortfolio moves a fraction of every position (size away from zero, basis in proportion), of every collateral and of the cash", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.bob, "WETH", WAD);
      await (await fill(b, f.alice, f.bob, ETH, wad(-3), wad(3000))).wait();
      await (await fill(b, f.alice, f.bob, BTC, wad("0.1"), wad(60_000))).wait();
      const fraction = WAD / 3n;
      const cash = await cashOf(b, f.B);
      const weth = await b.tokens.WETH.getAddress();
      const [nonceB, nonceD] = [await b.vault.accountNonce(f.B), await b.vault.accountNonce(f.D)];
      const [ethBefore, btcBefore] = [await pos(b, f.B, ETH), await pos(b, f.B, BTC)];
      const eth = positionShare(ethBefore.size, ethBefore.basis, fraction);
      const btc = positionShare(btcBefore.size, btcBefore.basis, fraction);
      // Long 3 ETH at 3,000: 3 x floor(1e18 / 3) is exact, the basis follows the size moved; short 0.1 BTC: the
      // size moved rounds away from zero (bob keeps less than two thirds), the basis follows the size moved.
      expect(eth).to.deep.equal({ size: 999_999_999_999_999_999n, basis: 2_999_999_999_999_999_997_000n });
      expect(btc.size).to.equal(-33_333_333_333_333_334n);
      expect(btc.basis).to.equal(-((-btcBefore.basis * 33_333_333_333_333_334n) / 100_000_000_000_000_000n));
      const wethMoved = mulWadDown(WAD, fraction);
      expect(wethMoved).to.equal(333_333_333_333_333_333n);
      await expect(b.engine.connect(await auctionSigner(b)).transferPortfolio(f.B, f.D, fraction, NO_LEGS))
        .to.emit(b.vault, "CollateralTransferred")
        .withArgs(f.B, f.D, weth, wethMoved)
        .and.not.to.emit(b.vault, "CashSettled");
      expect(await pos(b, f.D, ETH)).to.deep.equal(eth);
      expect(await pos(b, f.D, BTC)).to.deep.equal(btc);
      expect(await pos(b, f.B, ETH)).to.deep.equal({ size: ethBefore.size - eth.size, basis: ethBefore.basis - eth.basis });
      expect(await pos(b, f.B, BTC)).to.deep.equal({ size: btcBefore.size - btc.size, basis: btcBefore.basis - btc.basis });
      expect(await cashOf(b, f.D)).to.equal(mulWadDown(cash, fraction));
      expect(await cashOf(b, f.B)).to.equal(cash - mulWadDown(cash, fraction));
      expect(await b.vault.collateralBalanceWad(f.D, weth)).to.equal(wethMoved);
      expect(await b.vault.collateralBalanceWad(f.B, weth)).to.equal(WAD - wethMoved);
      for (const a of [f.B, f.D]) {
        expect(await b.engine.accountInfo(a)).to.deep.equal([3n, false]);
        expect(await b.vault.accountStatus(a)).to.deep.equal([false, true]);
        expect(await b.vault.accountTokens(a), "INV-04 token bitmap").to.equal(1n);
      }
      expect(await b.vault.accountNonce(f.B), "INV-05 sender nonce").to.be.greaterThan(nonceB);
      expect(await b.vault.accountNonce(f.D), "INV-05 receiver nonce").to.be.greaterThan(nonceD);
      await expectMarketConsistent(b, ETH, [f.A, f.B, f.D]);
      await expectMarketConsistent(b, BTC, [f.A, f.B, f.D]);
    });

    it("INV-07 a receiving account that already holds the market adds the moved size and basis to its position", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.dave, "USDC", 10_000n * USDC);
      await (await fill(b, f.alice, f.bob, ETH, wad(-3), wad(3000))).wait();
      await (await fill(b, f.alice, f.dave, ETH, wad(-1), wad(3030))).wait();
      await (await b.engine.connect(await auctionSigner(b)).transferPortfolio(f.B, f.D, WAD / 2n, NO_LEGS)).wait();
      expect(await pos(b, f.B, ETH)).to.deep.equal({ size: wad("1.5"), basis: wad(4500) });
      expect(await pos(b, f.D, ETH)).to.deep.equal({ size: wad("2.5"), basis: wad(7530) });
      expect(await b.engine.accountInfo(f.D)).to.deep.equal([1n, false]);
      expect((await b.engine.marketView(ETH)).longOpenInterest).to.equal(wad(4));
      await expectMarketConsistent(b, ETH, [f.A, f.B, f.D]);
    });

    it("INV-07 a receiving position that nets to zero realises its remaining basis into cash (the vault's CashSettled)", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await fund(b, f.carol, "USDC", 10_000n * USDC);
      await fund(b, f.dave, "USDC", 10_000n * USDC);
      await (await fill(b, f.alice, f.carol, ETH, wad(-1), wad(3000))).wait(); // carol long 1 at 3,000
      await (await fill(b, f.alice, f.dave, ETH, wad(1), wad(3030))).wait(); // dave short 1 at 3,030
      const carolCash = await cashOf(b, f.C);
      const daveCash = await cashOf(b, f.D);
      await expect(b.engine.connect(await auctionSigner(b)).transferPortfolio(f.C, f.D, WAD, NO_LEGS))
        .to.emit(b.vault, "CashSettled")
        .withArgs(f.D, wad(30));
      expect(await pos(b, f.C, ETH)).to.deep.equal({ size: 0n, basis: 0n });
      expect(await pos(b, f.D, ETH)).to.deep.equal({ size: 0n, basis: 0n });
      expect(await cashOf(b, f.D)).to.equal(daveCash + carolCash + wad(30));
      expect(await cashOf(b, f.C)).to.equal(0n);
      for (const a of [f.C, f.D]) {
        expect(await b.engine.accountInfo(a)).to.deep.equal([0n, false]);
        expect(await b.vault.accountStatus(a)).to.deep.equal([false, false]);
      }
      await expectMarketConsistent(b, ETH, [f.A, f.C, f.D]);
    });

    it("transferPortfolio applies the bid's zero-sum cash legs with the transfer: to the sender, the receiver and a third account", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await (await fill(b, f.alice, f.bob, ETH, wad(-2), wad(3000))).wait();
      const l = b.engine.connect(await auctionSigner(b));
      const [cashB, cashD, cashFee] = [await cashOf(b, f.B), await cashOf(b, f.D), await cashOf(b, f.FEE)];
      const moved = mulWadDown(cashB, WAD / 2n);
      await (await l.transferPortfolio(f.B, f.D, WAD / 2n, { toFrom: wad(40), toTo: -wad(100), third: f.FEE, toThird: wad(60) })).wait();
      expect(await cashOf(b, f.B)).to.equal(cashB - moved + wad(40));
      expect(await cashOf(b, f.D)).to.equal(cashD + moved - wad(100));
      expect(await cashOf(b, f.FEE)).to.equal(cashFee + wad(60));
      expect(await pos(b, f.B, ETH)).to.deep.equal({ size: wad(1), basis: wad(3000) });
      expect(await pos(b, f.D, ETH)).to.deep.equal({ size: wad(1), basis: wad(3000) });
      // Legs between sender and receiver only: the named third account is untouched.
      const [cashB2, cashD2] = [await cashOf(b, f.B), await cashOf(b, f.D)];
      const moved2 = mulWadDown(cashB2, WAD / 4n);
      await (await l.transferPortfolio(f.B, f.D, WAD / 4n, { toFrom: -wad(7), toTo: wad(7), third: f.FEE, toThird: 0n })).wait();
      expect(await cashOf(b, f.B)).to.equal(cashB2 - moved2 - wad(7));
      expect(await cashOf(b, f.D)).to.equal(cashD2 + moved2 + wad(7));
      expect(await cashOf(b, f.FEE)).to.equal(cashFee + wad(60));
      await expectMarketConsistent(b, ETH, [f.A, f.B, f.D]);
    });

    it("transferPortfolio to an account frozen in a liquidation auction reverts VaultAccountInAuction(to); a frozen sender's portfolio moves", async function () {
      const f = await loadFixture(engineFixture);
      const { b } = f;
      await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
      const auction = await auctionSigner(b);
      const l = b.engine.connect(auction);
      // The freeze lives in the vault.
      await expect(b.vault.connect(auction).startLiquidation(f.D, f.E, 0n))
        .to.emit(b.vault, "LiquidationStarted")
        .withArgs(f.D, f.E, 0n);
      expect(await b.vault.accountStatus(f.D)).to.deep.equal([true, false]);
      await expect(l.transferPortfolio(f.B, f.D, WAD, NO_LEGS))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(f.D);
      await expect(b.vault.connect(auction).endLiquidation(f.D)).to.emit(b.vault, "LiquidationEnded").withArgs(f.D);
      await (await b.vault.connect(auction).startLiquidation(f.B, f.E, 0n)).wait();
      await (await l.transferPortfolio(f.B, f.D, WAD, NO_LEGS)).wait();
      expect(await pos(b, f.D, ETH)).to.deep.equal({ size: wad(1), basis: wad(3000) });
      expect(await pos(b, f.B, ETH)).to.deep.equal({ size: 0n, basis: 0n });
      expect(await b.vault.accountStatus(f.B)).to.deep.equal([true, false]);
      expect(await b.vault.accountStatus(f.D)).to.deep.equal([false, true]);
      await expectMarketConsistent(b, ETH, [f.A, f.B, f.D]);
    });
  });
});
