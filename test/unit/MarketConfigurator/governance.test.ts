import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ROLE } from "../../../src/deploy/roles";
import {
  listedFixture,
  observe,
  atBlock,
  e8,
  risk,
  trading,
  riskTuple,
  tradingTuple,
  setupTuple,
  targetsOf,
  nextVariance,
  pct,
  wad,
  SOL,
  SOL_ID,
  RISK,
  TRADING,
  WAD,
  type ConfiguratorFixture,
} from "./helpers";

const OI = ethers.encodeBytes32String("openInterestCap");
const UNLISTED = 3n; // the engine's next id after SOL-PERP

describe("MarketConfigurator: governance", function () {
  describe("setRiskParams", function () {
    it("stores the parameters, pushes the new targets and limits to the engine and emits RiskParamsSet", async function () {
      const f = await loadFixture(listedFixture);
      const r = risk({ mmrBase: pct(4), imrBase: pct(10), mmrFloor: pct(4), maxRatioStepPerHour: pct(2), imrSizeFactor: pct(1) });
      const [mmrT, imrT] = targetsOf(r, 0n);
      expect([mmrT, imrT]).to.deep.equal([pct(4), pct(10)]);
      await expect(f.configurator.setRiskParams(SOL_ID, r))
        .to.emit(f.configurator, "RiskParamsSet")
        .withArgs(SOL_ID, riskTuple(r), mmrT, imrT)
        .and.to.emit(f.engine, "MarketConfigured")
        .withArgs(SOL_ID, setupTuple(r, TRADING, mmrT, imrT));
      expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(r));
      expect(await f.configurator.targets(SOL_ID)).to.deep.equal([mmrT, imrT]);
      expect((await f.engine.marketView(SOL_ID)).setup).to.deep.equal(setupTuple(r, TRADING, mmrT, imrT));
    });

    it("keeps the volatility estimate and computes the new targets from it", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await observe(f, "101.5", T0 + 300);
      const v = nextVariance(RISK.volDecay, 0n, wad("100"), wad("101.5"), 300n);
      const r = risk({ volMultiplier: 5n * WAD });
      const [mmrT, imrT] = targetsOf(r, v);
      await expect(f.configurator.setRiskParams(SOL_ID, r))
        .to.emit(f.configurator, "RiskParamsSet")
        .withArgs(SOL_ID, riskTuple(r), mmrT, imrT);
      expect(await f.configurator.volatility(SOL_ID)).to.deep.equal([v, BigInt(T0 + 300), wad("101.5")]);
    });
  });

  describe("setTradingParams", function () {
    it("stores the parameters, pushes them with unchanged targets to the engine and emits TradingParamsSet", async function () {
      const f = await loadFixture(listedFixture);
      const t = trading({ openInterestCap: 5n * WAD, maxFundingRatePer8h: pct(2), maxFillDeviation: pct(10) });
      await expect(f.configurator.setTradingParams(SOL_ID, t))
        .to.emit(f.configurator, "TradingParamsSet")
        .withArgs(SOL_ID, tradingTuple(t))
        .and.to.emit(f.engine, "MarketConfigured")
        .withArgs(SOL_ID, setupTuple(RISK, t, pct(3), pct(5)));
      expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(t));
      expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(RISK));
    });

    it("may raise the open-interest cap (risk manager)", async function () {
      const f = await loadFixture(listedFixture);
      const t = trading({ openInterestCap: TRADING.openInterestCap * 2n });
      await f.configurator.setTradingParams(SOL_ID, t);
      expect((await f.engine.marketView(SOL_ID)).setup.openInterestCap).to.equal(TRADING.openInterestCap * 2n);
    });
  });

  describe("reduceOpenInterestCap (guardian)", function () {
    it("lowers the cap in the configurator and the engine and emits TradingParamsSet", async function () {
      const f = await loadFixture(listedFixture);
      const cap = 40_000n * WAD;
      await expect(f.configurator.reduceOpenInterestCap(SOL_ID, cap))
        .to.emit(f.configurator, "TradingParamsSet")
        .withArgs(SOL_ID, [cap, TRADING.maxFundingRatePer8h, TRADING.maxFillDeviation]);
      expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal([cap, TRADING.maxFundingRatePer8h, TRADING.maxFillDeviation]);
      expect((await f.engine.marketView(SOL_ID)).setup).to.deep.equal(setupTuple(RISK, trading({ openInterestCap: cap }), pct(3), pct(5)));
    });

    it("accepts the current cap (no change is not a loosening)", async function () {
      const f = await loadFixture(listedFixture);
      await expect(f.configurator.reduceOpenInterestCap(SOL_ID, TRADING.openInterestCap))
        .to.emit(f.configurator, "TradingParamsSet")
        .withArgs(SOL_ID, tradingTuple(TRADING));
    });

    it("reverts with ConfiguratorGuardianCannotLoosen for a cap one wei above the current one", async function () {
      const f = await loadFixture(listedFixture);
      await expect(f.configurator.reduceOpenInterestCap(SOL_ID, TRADING.openInterestCap + 1n))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorGuardianCannotLoosen")
        .withArgs(OI, TRADING.openInterestCap, TRADING.openInterestCap + 1n);
    });

    it("cannot raise a cap back after lowering it", async function () {
      const f = await loadFixture(listedFixture);
      await f.configurator.reduceOpenInterestCap(SOL_ID, 10n * WAD);
      await expect(f.configurator.reduceOpenInterestCap(SOL_ID, 20n * WAD))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorGuardianCannotLoosen")
        .withArgs(OI, 10n * WAD, 20n * WAD);
    });

    it('reverts with ConfiguratorParameterOutOfBounds("openInterestCap", 0, 1, current) for a cap of zero', async function () {
      const f = await loadFixture(listedFixture);
      await expect(f.configurator.reduceOpenInterestCap(SOL_ID, 0))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
        .withArgs(OI, 0n, 1n, TRADING.openInterestCap);
    });

    it("accepts a cap of 1 wei", async function () {
      const f = await loadFixture(listedFixture);
      await f.configurator.reduceOpenInterestCap(SOL_ID, 1n);
      expect((await f.engine.marketView(SOL_ID)).setup.openInterestCap).to.equal(1n);
    });
  });

  describe("reduce-only", function () {
    it("setMarketReduceOnly makes the engine market reduce-only (MarketReduceOnlySet(id, true))", async function () {
      const f = await loadFixture(listedFixture);
      await expect(f.configurator.setMarketReduceOnly(SOL_ID)).to.emit(f.engine, "MarketReduceOnlySet").withArgs(SOL_ID, true);
      expect((await f.engine.marketView(SOL_ID)).reduceOnly).to.equal(true);
    });

    it("clearMarketReduceOnly lifts it (MarketReduceOnlySet(id, false))", async function () {
      const f = await loadFixture(listedFixture);
      await f.configurator.setMarketReduceOnly(SOL_ID);
      await expect(f.configurator.clearMarketReduceOnly(SOL_ID)).to.emit(f.engine, "MarketReduceOnlySet").withArgs(SOL_ID, false);
      expect((await f.engine.marketView(SOL_ID)).reduceOnly).to.equal(false);
    });

    it("only affects the market named", async function () {
      const f = await loadFixture(listedFixture);
      await f.configurator.setMarketReduceOnly(SOL_ID);
      expect((await f.engine.marketView(0n)).reduceOnly).to.equal(false);
      expect((await f.engine.marketView(1n)).reduceOnly).to.equal(false);
    });
  });

  describe("unknown markets", function () {
    const calls: [string, (f: ConfiguratorFixture, id: bigint) => Promise<unknown>][] = [
      ["setRiskParams", (f, id) => f.configurator.setRiskParams(id, RISK)],
      ["setTradingParams", (f, id) => f.configurator.setTradingParams(id, TRADING)],
      ["reduceOpenInterestCap", (f, id) => f.configurator.reduceOpenInterestCap(id, 1n)],
      ["setMarketReduceOnly", (f, id) => f.configurator.setMarketReduceOnly(id)],
      ["clearMarketReduceOnly", (f, id) => f.configurator.clearMarketReduceOnly(id)],
      ["recordObservation", (f, id) => f.configurator.recordObservation(id)],
    ];
    for (const [fn, call] of calls) {
      it(`${fn} reverts with ConfiguratorMarketUnknown for the next unused id and for a far id`, async function () {
        const f = await loadFixture(listedFixture);
        for (const id of [UNLISTED, 2n ** 200n]) {
          await expect(call(f, id)).to.be.revertedWithCustomError(f.configurator, "ConfiguratorMarketUnknown").withArgs(id);
        }
      });
    }

    it("views of an unknown market return zeros", async function () {
      const f = await loadFixture(listedFixture);
      expect(await f.configurator.riskParams(UNLISTED)).to.deep.equal(Array(10).fill(0n));
      expect(await f.configurator.tradingParams(UNLISTED)).to.deep.equal([0n, 0n, 0n]);
      expect(await f.configurator.volatility(UNLISTED)).to.deep.equal([0n, 0n, 0n]);
      expect(await f.configurator.oracleAsset(UNLISTED)).to.equal(ethers.ZeroHash);
    });
  });

  describe("access control", function () {
    type Configurator = ConfiguratorFixture["configurator"];
    const restricted: Record<string, (c: Configurator) => Promise<unknown>> = {
      listMarket: (c) => c.listMarket(SOL, RISK, TRADING),
      setRiskParams: (c) => c.setRiskParams(SOL_ID, RISK),
      setTradingParams: (c) => c.setTradingParams(SOL_ID, TRADING),
      reduceOpenInterestCap: (c) => c.reduceOpenInterestCap(SOL_ID, 1n),
      setMarketReduceOnly: (c) => c.setMarketReduceOnly(SOL_ID),
      clearMarketReduceOnly: (c) => c.clearMarketReduceOnly(SOL_ID),
    };
    for (const [fn, call] of Object.entries(restricted)) {
      it(`${fn} reverts with AccessManagedUnauthorized for a caller without a role`, async function () {
        const f = await loadFixture(listedFixture);
        await expect(call(f.configurator.connect(f.stranger)))
          .to.be.revertedWithCustomError(f.configurator, "AccessManagedUnauthorized")
          .withArgs(f.stranger.address);
      });
    }

    it("a GUARDIAN may reduce the open-interest cap and set reduce-only, and nothing else", async function () {
      const f = await loadFixture(listedFixture);
      await f.manager.grantRole(ROLE.GUARDIAN, f.guardian.address, 0);
      const c = f.configurator.connect(f.guardian);
      await c.reduceOpenInterestCap(SOL_ID, 10n * WAD);
      await c.setMarketReduceOnly(SOL_ID);
      expect((await f.engine.marketView(SOL_ID)).setup.openInterestCap).to.equal(10n * WAD);
      expect((await f.engine.marketView(SOL_ID)).reduceOnly).to.equal(true);
      for (const fn of ["listMarket", "setRiskParams", "setTradingParams", "clearMarketReduceOnly"]) {
        await expect(restricted[fn](c)).to.be.revertedWithCustomError(c, "AccessManagedUnauthorized").withArgs(f.guardian.address);
      }
    });

    it("a RISK_MANAGER may set risk and trading parameters and clear reduce-only, and nothing else", async function () {
      const f = await loadFixture(listedFixture);
      await f.manager.grantRole(ROLE.RISK_MANAGER, f.riskManager.address, 0);
      await f.configurator.setMarketReduceOnly(SOL_ID);
      const c = f.configurator.connect(f.riskManager);
      const r = risk({ mmrBase: pct(4), imrBase: pct(6), mmrFloor: pct(4) });
      const t = trading({ openInterestCap: 7n * WAD });
      await c.setRiskParams(SOL_ID, r);
      await c.setTradingParams(SOL_ID, t);
      await c.clearMarketReduceOnly(SOL_ID);
      expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(r));
      expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(t));
      expect((await f.engine.marketView(SOL_ID)).reduceOnly).to.equal(false);
      for (const fn of ["listMarket", "reduceOpenInterestCap", "setMarketReduceOnly"]) {
        await expect(restricted[fn](c)).to.be.revertedWithCustomError(c, "AccessManagedUnauthorized").withArgs(f.riskManager.address);
      }
    });

    it("recordObservation is open to anyone", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await atBlock(T0 + 299, () => f.solFeed.updateAnswer(e8("100")));
      const v = nextVariance(RISK.volDecay, 0n, wad("100"), wad("100"), 300n);
      await atBlock(T0 + 300, async () =>
        expect(f.configurator.connect(f.stranger).recordObservation(SOL_ID))
          .to.emit(f.configurator, "VolatilityObserved")
          .withArgs(SOL_ID, wad("100"), v, pct(3), pct(5)),
      );
      expect(await f.configurator.volatility(SOL_ID)).to.deep.equal([0n, BigInt(T0 + 300), wad("100")]);
    });
  });

  describe("engine hooks", function () {
    const setup = {
      mmrTarget: pct(3),
      imrTarget: pct(5),
      maxStepPerHour: RISK.maxRatioStepPerHour,
      imrSizeFactor: RISK.imrSizeFactor,
      ...TRADING,
    };

    it("the engine rejects configureMarket from anyone but the configurator, the admin included (EngineOnlyConfigurator)", async function () {
      const f = await loadFixture(listedFixture);
      for (const caller of [f.stranger, f.deployer]) {
        await expect(f.engine.connect(caller).configureMarket(SOL_ID, setup))
          .to.be.revertedWithCustomError(f.engine, "EngineOnlyConfigurator")
          .withArgs(caller.address);
      }
    });

    it("the engine rejects listMarket from anyone but the configurator, the admin included (EngineOnlyConfigurator)", async function () {
      const f = await loadFixture(listedFixture);
      for (const caller of [f.stranger, f.deployer]) {
        await expect(f.engine.connect(caller).listMarket(SOL, setup))
          .to.be.revertedWithCustomError(f.engine, "EngineOnlyConfigurator")
          .withArgs(caller.address);
      }
    });

    it("the engine rejects setMarketReduceOnly from anyone but the configurator, the admin included (EngineOnlyConfigurator)", async function () {
      const f = await loadFixture(listedFixture);
      for (const caller of [f.stranger, f.deployer]) {
        await expect(f.engine.connect(caller).setMarketReduceOnly(SOL_ID, true))
          .to.be.revertedWithCustomError(f.engine, "EngineOnlyConfigurator")
          .withArgs(caller.address);
      }
    });

    it("the engine's configurator binding is one-time (EngineAlreadyBound)", async function () {
      const f = await loadFixture(listedFixture);
      await expect(f.engine.bindConfigurator(f.stranger.address))
        .to.be.revertedWithCustomError(f.engine, "EngineAlreadyBound")
        .withArgs(await f.configurator.getAddress());
    });
  });
});
