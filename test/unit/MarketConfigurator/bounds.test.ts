import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  configuratorFixture,
  listedFixture,
  risk,
  trading,
  riskTuple,
  tradingTuple,
  targetsOf,
  setupTuple,
  pct,
  B,
  SOL,
  SOL_ID,
  RISK,
  TRADING,
  type Risk,
  type Trading,
} from "./helpers";

type Bad<P> = { override: Partial<P>; value: bigint; min: bigint; max: bigint };
/** `name`: the struct field; `label`: the bytes32 name the contract's error carries when it differs from the field. */
type Case<P> = { name: keyof P & string; label?: string; range: string; bad: Bad<P>[]; good: Partial<P>[] };

/** A parameter bounded to [min, max]: one wei outside each end (below zero skipped) is refused, both ends accepted. */
function bounded<P>(name: keyof P & string, range: string, min: bigint, max: bigint): Case<P> {
  const at = (value: bigint) => ({ [name]: value }) as Partial<P>;
  const bad = (value: bigint): Bad<P> => ({ override: at(value), value, min, max });
  return { name, range, bad: min > 0n ? [bad(min - 1n), bad(max + 1n)] : [bad(max + 1n)], good: [at(min), at(max)] };
}

/** Baseline RISK: mmrBase 3%, imrBase 5%, floor 2%, cap 20%; bounds that depend on mmrBase use 3%. */
const riskCases: Case<Risk>[] = [
  {
    // mmrBase's ends need a matching floor, initial ratio and cap to be accepted.
    ...bounded<Risk>("mmrBase", "[MIN_MMR, MAX_MMR]", B.MIN_MMR, B.MAX_MMR),
    good: [
      { mmrBase: B.MIN_MMR, mmrFloor: B.MIN_MMR },
      { mmrBase: B.MAX_MMR, imrBase: pct(60), mmrCap: B.MAX_MMR },
    ],
  },
  {
    name: "imrBase",
    range: "(mmrBase, MAX_IMR]",
    bad: [
      { override: { imrBase: pct(1) }, value: pct(1), min: pct(3) + 1n, max: B.MAX_IMR },
      { override: { imrBase: pct(3) }, value: pct(3), min: pct(3) + 1n, max: B.MAX_IMR },
      { override: { imrBase: B.MAX_IMR + 1n }, value: B.MAX_IMR + 1n, min: pct(3) + 1n, max: B.MAX_IMR },
    ],
    good: [{ imrBase: pct(3) + 1n }, { imrBase: B.MAX_IMR }],
  },
  bounded<Risk>("mmrFloor", "[MIN_MMR, mmrBase]", B.MIN_MMR, pct(3)),
  bounded<Risk>("mmrCap", "[mmrBase, MAX_MMR]", pct(3), B.MAX_MMR),
  bounded<Risk>("volMultiplier", "[0, MAX_VOL_MULTIPLIER]", 0n, B.MAX_VOL_MULTIPLIER),
  bounded<Risk>("volReference", "[0, MAX_VOL_REFERENCE]", 0n, B.MAX_VOL_REFERENCE),
  bounded<Risk>("volDecay", "[MIN_VOL_DECAY, MAX_VOL_DECAY]", B.MIN_VOL_DECAY, B.MAX_VOL_DECAY),
  bounded<Risk>("minObservationInterval", "[60 s, 1 day]", B.MIN_OBSERVATION_INTERVAL, B.MAX_OBSERVATION_INTERVAL),
  bounded<Risk>(
    "maxRatioStepPerHour",
    "[MIN_RATIO_STEP_PER_HOUR, MAX_RATIO_STEP_PER_HOUR]",
    B.MIN_RATIO_STEP_PER_HOUR,
    B.MAX_RATIO_STEP_PER_HOUR,
  ),
  bounded<Risk>("imrSizeFactor", "[0, MAX_IMR_SIZE_FACTOR]", 0n, B.MAX_IMR_SIZE_FACTOR),
];

const tradingCases: Case<Trading>[] = [
  {
    name: "openInterestCap",
    range: "[1, 2^112 - 1]",
    bad: [{ override: { openInterestCap: 0n }, value: 0n, min: 1n, max: B.MAX_UINT112 }],
    good: [{ openInterestCap: 1n }, { openInterestCap: B.MAX_UINT112 }],
  },
  {
    // The field carries its unit; the error keeps the parameter file's name for it.
    ...bounded<Trading>(
      "maxFundingRatePer8h",
      "[MIN_FUNDING_RATE_CAP, MAX_FUNDING_RATE_CAP]",
      B.MIN_FUNDING_RATE_CAP,
      B.MAX_FUNDING_RATE_CAP,
    ),
    label: "maxFundingRate",
  },
  bounded<Trading>("maxFillDeviation", "[MIN_FILL_DEVIATION, MAX_FILL_DEVIATION]", B.MIN_FILL_DEVIATION, B.MAX_FILL_DEVIATION),
];

const name = (n: string) => ethers.encodeBytes32String(n);

describe("MarketConfigurator: parameter bounds (RiskBounds)", function () {
  describe("listMarket", function () {
    for (const c of riskCases) {
      if (c.bad.length > 0) {
        it(`rejects ${c.label ?? c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.label ?? c.name}", value, min, max)`, async function () {
          const f = await loadFixture(configuratorFixture);
          for (const bad of c.bad) {
            await expect(f.configurator.listMarket(SOL, risk(bad.override), TRADING))
              .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
              .withArgs(name(c.label ?? c.name), bad.value, bad.min, bad.max);
          }
        });
      }

      it(`accepts ${c.label ?? c.name} at both ends of ${c.range}`, async function () {
        const f = await loadFixture(configuratorFixture);
        for (const good of c.good) {
          const id = await f.engine.marketCount();
          await f.configurator.listMarket(SOL, risk(good), TRADING);
          expect(await f.configurator.riskParams(id)).to.deep.equal(riskTuple(risk(good)));
        }
      });
    }

    for (const c of tradingCases) {
      it(`rejects ${c.label ?? c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.label ?? c.name}", value, min, max)`, async function () {
        const f = await loadFixture(configuratorFixture);
        for (const bad of c.bad) {
          await expect(f.configurator.listMarket(SOL, RISK, trading(bad.override)))
            .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
            .withArgs(name(c.label ?? c.name), bad.value, bad.min, bad.max);
        }
      });

      it(`accepts ${c.label ?? c.name} at both ends of ${c.range}`, async function () {
        const f = await loadFixture(configuratorFixture);
        for (const good of c.good) {
          const id = await f.engine.marketCount();
          await f.configurator.listMarket(SOL, RISK, trading(good));
          expect(await f.configurator.tradingParams(id)).to.deep.equal(tradingTuple(trading(good)));
        }
      });
    }

    it("rejects an imrBase equal to mmrBase (the initial ratio must exceed the maintenance ratio)", async function () {
      const f = await loadFixture(configuratorFixture);
      await expect(f.configurator.listMarket(SOL, risk({ mmrBase: pct(4), imrBase: pct(4), mmrFloor: pct(4) }), TRADING))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
        .withArgs(name("imrBase"), pct(4), pct(4) + 1n, B.MAX_IMR);
    });

    it("names the first invalid parameter in declaration order (risk before trading)", async function () {
      const f = await loadFixture(configuratorFixture);
      const bad = risk({ volDecay: 0n, imrSizeFactor: B.MAX_IMR_SIZE_FACTOR + 1n });
      await expect(f.configurator.listMarket(SOL, bad, trading({ openInterestCap: 0n })))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
        .withArgs(name("volDecay"), 0n, B.MIN_VOL_DECAY, B.MAX_VOL_DECAY);
    });

    it("validates the parameters before reading the oracle", async function () {
      const f = await loadFixture(configuratorFixture);
      const unknown = ethers.encodeBytes32String("DOGE/USD");
      await expect(f.configurator.listMarket(unknown, risk({ mmrBase: 0n }), TRADING))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
        .withArgs(name("mmrBase"), 0n, B.MIN_MMR, B.MAX_MMR);
    });
  });

  describe("setRiskParams", function () {
    for (const c of riskCases) {
      if (c.bad.length > 0) {
        it(`rejects ${c.label ?? c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.label ?? c.name}", value, min, max)`, async function () {
          const f = await loadFixture(listedFixture);
          for (const bad of c.bad) {
            await expect(f.configurator.setRiskParams(SOL_ID, risk(bad.override)))
              .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
              .withArgs(name(c.label ?? c.name), bad.value, bad.min, bad.max);
          }
          expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(RISK));
        });
      }

      it(`accepts ${c.label ?? c.name} at both ends of ${c.range} and emits RiskParamsSet with the new targets`, async function () {
        const f = await loadFixture(listedFixture);
        for (const good of c.good) {
          const r = risk(good);
          const [mmrT, imrT] = targetsOf(r, 0n);
          await expect(f.configurator.setRiskParams(SOL_ID, r))
            .to.emit(f.configurator, "RiskParamsSet")
            .withArgs(SOL_ID, riskTuple(r), mmrT, imrT);
          expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(r));
          expect((await f.engine.marketView(SOL_ID)).setup).to.deep.equal(setupTuple(r, TRADING, mmrT, imrT));
        }
      });
    }
  });

  describe("setTradingParams", function () {
    for (const c of tradingCases) {
      it(`rejects ${c.label ?? c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.label ?? c.name}", value, min, max)`, async function () {
        const f = await loadFixture(listedFixture);
        for (const bad of c.bad) {
          await expect(f.configurator.setTradingParams(SOL_ID, trading(bad.override)))
            .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
            .withArgs(name(c.label ?? c.name), bad.value, bad.min, bad.max);
        }
        expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(TRADING));
      });

      it(`accepts ${c.label ?? c.name} at both ends of ${c.range} and emits TradingParamsSet`, async function () {
        const f = await loadFixture(listedFixture);
        const [mmrT, imrT] = targetsOf(RISK, 0n);
        for (const good of c.good) {
          const t = trading(good);
          await expect(f.configurator.setTradingParams(SOL_ID, t))
            .to.emit(f.configurator, "TradingParamsSet")
            .withArgs(SOL_ID, tradingTuple(t));
          expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(t));
          expect((await f.engine.marketView(SOL_ID)).setup).to.deep.equal(setupTuple(RISK, t, mmrT, imrT));
        }
      });
    }
  });
});
