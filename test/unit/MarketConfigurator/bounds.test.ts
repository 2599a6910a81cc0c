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
type Case<P> = { name: keyof P & string; range: string; bad: Bad<P>[]; good: Partial<P>[] };

/** Baseline RISK: mmrBase 3%, imrBase 5%, floor 2%, cap 20%; bounds that depend on mmrBase use 3%. */
const riskCases: Case<Risk>[] = [
  {
    name: "mmrBase",
    range: "[MIN_MMR, MAX_MMR]",
    bad: [
      { override: { mmrBase: B.MIN_MMR - 1n }, value: B.MIN_MMR - 1n, min: B.MIN_MMR, max: B.MAX_MMR },
      { override: { mmrBase: B.MAX_MMR + 1n }, value: B.MAX_MMR + 1n, min: B.MIN_MMR, max: B.MAX_MMR },
    ],
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
  {
    name: "mmrFloor",
    range: "[MIN_MMR, mmrBase]",
    bad: [
      { override: { mmrFloor: B.MIN_MMR - 1n }, value: B.MIN_MMR - 1n, min: B.MIN_MMR, max: pct(3) },
      { override: { mmrFloor: pct(3) + 1n }, value: pct(3) + 1n, min: B.MIN_MMR, max: pct(3) },
    ],
    good: [{ mmrFloor: B.MIN_MMR }, { mmrFloor: pct(3) }],
  },
  {
    name: "mmrCap",
    range: "[mmrBase, MAX_MMR]",
    bad: [
      { override: { mmrCap: pct(3) - 1n }, value: pct(3) - 1n, min: pct(3), max: B.MAX_MMR },
      { override: { mmrCap: B.MAX_MMR + 1n }, value: B.MAX_MMR + 1n, min: pct(3), max: B.MAX_MMR },
    ],
    good: [{ mmrCap: pct(3) }, { mmrCap: B.MAX_MMR }],
  },
  {
    name: "volMultiplier",
    range: "[0, MAX_VOL_MULTIPLIER]",
    bad: [{ override: { volMultiplier: B.MAX_VOL_MULTIPLIER + 1n }, value: B.MAX_VOL_MULTIPLIER + 1n, min: 0n, max: B.MAX_VOL_MULTIPLIER }],
    good: [{ volMultiplier: 0n }, { volMultiplier: B.MAX_VOL_MULTIPLIER }],
  },
  {
    name: "volReference",
    range: "[0, MAX_VOL_REFERENCE]",
    bad: [{ override: { volReference: B.MAX_VOL_REFERENCE + 1n }, value: B.MAX_VOL_REFERENCE + 1n, min: 0n, max: B.MAX_VOL_REFERENCE }],
    good: [{ volReference: 0n }, { volReference: B.MAX_VOL_REFERENCE }],
  },
  {
    name: "volDecay",
    range: "[MIN_VOL_DECAY, MAX_VOL_DECAY]",
    bad: [
      { override: { volDecay: B.MIN_VOL_DECAY - 1n }, value: B.MIN_VOL_DECAY - 1n, min: B.MIN_VOL_DECAY, max: B.MAX_VOL_DECAY },
      { override: { volDecay: B.MAX_VOL_DECAY + 1n }, value: B.MAX_VOL_DECAY + 1n, min: B.MIN_VOL_DECAY, max: B.MAX_VOL_DECAY },
    ],
    good: [{ volDecay: B.MIN_VOL_DECAY }, { volDecay: B.MAX_VOL_DECAY }],
  },
  {
    name: "minObservationInterval",
    range: "[60 s, 1 day]",
    bad: [
      {
        override: { minObservationInterval: B.MIN_OBSERVATION_INTERVAL - 1n },
        value: B.MIN_OBSERVATION_INTERVAL - 1n,
        min: B.MIN_OBSERVATION_INTERVAL,
        max: B.MAX_OBSERVATION_INTERVAL,
      },
      {
        override: { minObservationInterval: B.MAX_OBSERVATION_INTERVAL + 1n },
        value: B.MAX_OBSERVATION_INTERVAL + 1n,
        min: B.MIN_OBSERVATION_INTERVAL,
        max: B.MAX_OBSERVATION_INTERVAL,
      },
    ],
    good: [{ minObservationInterval: B.MIN_OBSERVATION_INTERVAL }, { minObservationInterval: B.MAX_OBSERVATION_INTERVAL }],
  },
  {
    name: "maxRatioStepPerHour",
    range: "[MIN_RATIO_STEP_PER_HOUR, MAX_RATIO_STEP_PER_HOUR]",
    bad: [
      {
        override: { maxRatioStepPerHour: B.MIN_RATIO_STEP_PER_HOUR - 1n },
        value: B.MIN_RATIO_STEP_PER_HOUR - 1n,
        min: B.MIN_RATIO_STEP_PER_HOUR,
        max: B.MAX_RATIO_STEP_PER_HOUR,
      },
      {
        override: { maxRatioStepPerHour: B.MAX_RATIO_STEP_PER_HOUR + 1n },
        value: B.MAX_RATIO_STEP_PER_HOUR + 1n,
        min: B.MIN_RATIO_STEP_PER_HOUR,
        max: B.MAX_RATIO_STEP_PER_HOUR,
      },
    ],
    good: [{ maxRatioStepPerHour: B.MIN_RATIO_STEP_PER_HOUR }, { maxRatioStepPerHour: B.MAX_RATIO_STEP_PER_HOUR }],
  },
  {
    name: "imrSizeFactor",
    range: "[0, MAX_IMR_SIZE_FACTOR]",
    bad: [
      { override: { imrSizeFactor: B.MAX_IMR_SIZE_FACTOR + 1n }, value: B.MAX_IMR_SIZE_FACTOR + 1n, min: 0n, max: B.MAX_IMR_SIZE_FACTOR },
    ],
    good: [{ imrSizeFactor: 0n }, { imrSizeFactor: B.MAX_IMR_SIZE_FACTOR }],
  },
];

const tradingCases: Case<Trading>[] = [
  {
    name: "openInterestCap",
    range: "[1, 2^112 - 1]",
    bad: [{ override: { openInterestCap: 0n }, value: 0n, min: 1n, max: B.MAX_UINT112 }],
    good: [{ openInterestCap: 1n }, { openInterestCap: B.MAX_UINT112 }],
  },
  {
    name: "maxFundingRate",
    range: "[MIN_FUNDING_RATE_CAP, MAX_FUNDING_RATE_CAP]",
    bad: [
      {
        override: { maxFundingRate: B.MIN_FUNDING_RATE_CAP - 1n },
        value: B.MIN_FUNDING_RATE_CAP - 1n,
        min: B.MIN_FUNDING_RATE_CAP,
        max: B.MAX_FUNDING_RATE_CAP,
      },
      {
        override: { maxFundingRate: B.MAX_FUNDING_RATE_CAP + 1n },
        value: B.MAX_FUNDING_RATE_CAP + 1n,
        min: B.MIN_FUNDING_RATE_CAP,
        max: B.MAX_FUNDING_RATE_CAP,
      },
    ],
    good: [{ maxFundingRate: B.MIN_FUNDING_RATE_CAP }, { maxFundingRate: B.MAX_FUNDING_RATE_CAP }],
  },
  {
    name: "maxFillDeviation",
    range: "[MIN_FILL_DEVIATION, MAX_FILL_DEVIATION]",
    bad: [
      {
        override: { maxFillDeviation: B.MIN_FILL_DEVIATION - 1n },
        value: B.MIN_FILL_DEVIATION - 1n,
        min: B.MIN_FILL_DEVIATION,
        max: B.MAX_FILL_DEVIATION,
      },
      {
        override: { maxFillDeviation: B.MAX_FILL_DEVIATION + 1n },
        value: B.MAX_FILL_DEVIATION + 1n,
        min: B.MIN_FILL_DEVIATION,
        max: B.MAX_FILL_DEVIATION,
      },
    ],
    good: [{ maxFillDeviation: B.MIN_FILL_DEVIATION }, { maxFillDeviation: B.MAX_FILL_DEVIATION }],
  },
];

const name = (n: string) => ethers.encodeBytes32String(n);

describe("MarketConfigurator: parameter bounds (RiskBounds)", function () {
  describe("listMarket", function () {
    for (const c of riskCases) {
      if (c.bad.length > 0) {
        it(`rejects ${c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.name}", value, min, max)`, async function () {
          const f = await loadFixture(configuratorFixture);
          for (const bad of c.bad) {
            await expect(f.configurator.listMarket(SOL, risk(bad.override), TRADING))
              .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
              .withArgs(name(c.name), bad.value, bad.min, bad.max);
          }
        });
      }

      it(`accepts ${c.name} at both ends of ${c.range}`, async function () {
        const f = await loadFixture(configuratorFixture);
        for (const good of c.good) {
          const id = await f.engine.marketCount();
          await f.configurator.listMarket(SOL, risk(good), TRADING);
          expect(await f.configurator.riskParams(id)).to.deep.equal(riskTuple(risk(good)));
        }
      });
    }

    for (const c of tradingCases) {
      it(`rejects ${c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.name}", value, min, max)`, async function () {
        const f = await loadFixture(configuratorFixture);
        for (const bad of c.bad) {
          await expect(f.configurator.listMarket(SOL, RISK, trading(bad.override)))
            .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
            .withArgs(name(c.name), bad.value, bad.min, bad.max);
        }
      });

      it(`accepts ${c.name} at both ends of ${c.range}`, async function () {
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
        it(`rejects ${c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.name}", value, min, max)`, async function () {
          const f = await loadFixture(listedFixture);
          for (const bad of c.bad) {
            await expect(f.configurator.setRiskParams(SOL_ID, risk(bad.override)))
              .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
              .withArgs(name(c.name), bad.value, bad.min, bad.max);
          }
          expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(RISK));
        });
      }

      it(`accepts ${c.name} at both ends of ${c.range} and emits RiskParamsSet with the new targets`, async function () {
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
      it(`rejects ${c.name} outside ${c.range} with ConfiguratorParameterOutOfBounds("${c.name}", value, min, max)`, async function () {
        const f = await loadFixture(listedFixture);
        for (const bad of c.bad) {
          await expect(f.configurator.setTradingParams(SOL_ID, trading(bad.override)))
            .to.be.revertedWithCustomError(f.configurator, "ConfiguratorParameterOutOfBounds")
            .withArgs(name(c.name), bad.value, bad.min, bad.max);
        }
        expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(TRADING));
      });

      it(`accepts ${c.name} at both ends of ${c.range} and emits TradingParamsSet`, async function () {
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
