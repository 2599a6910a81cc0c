/**
 * Differential fuzzing of the volatility-adjusted, ramped margin ratios against the reference model
 * (src/model/volatility.ts, market.ts):
 * - the configurator's targets for any risk parameters within their bounds and any hourly variance (batching
 *   harness over `_targetsOf`);
 * - on the deployed protocol, random sequences of price observations, risk-parameter changes and market updates:
 *   the EWMA variance, the targets pushed to the engine and the engine's ramped effective ratios, funding state
 *   and cached price equal the model after every step (INV-10).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ConfiguratorHarness } from "../../typechain-types";
import * as M from "../../src/model";
import { RISK_BOUNDS as B } from "../../src/config/bounds";
import { deployBallast, type Ballast } from "../shared/fixtures";
import { countCases, countCommands, fuzz, runsFor, show, spread, timeoutFor, prop } from "../shared/fuzz";
import { riskParamsArb } from "./arbitraries";

const FILE = "test/fuzz/volatility.test.ts";
const SUITE = "volatility and ramp";
const WAD = M.WAD;

async function harnessFixture(): Promise<ConfiguratorHarness> {
  return (await ethers.deployContract("ConfiguratorHarness")) as unknown as ConfiguratorHarness;
}

/** The deployed protocol, ten seconds past an hour (funding epochs predictable). */
async function protocolFixture(): Promise<Ballast> {
  const b = await deployBallast();
  const now = await time.latest();
  await time.increaseTo((Math.floor(now / 3600) + 1) * 3600 + 10);
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  return b;
}

type Step =
  { kind: "observe"; dt: bigint; priceBps: number } | { kind: "risk"; dt: bigint; risk: M.RiskParams } | { kind: "update"; dt: bigint };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("observe" as const),
      dt: fc.oneof(spread(2n, 600n), spread(60n, 86_400n)),
      // Price move in basis points of the previous price: calm to crash/spike.
      priceBps: fc.oneof(fc.integer({ min: -300, max: 300 }), fc.integer({ min: -9000, max: 30000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("risk" as const), dt: spread(2n, 7200n), risk: riskParamsArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), dt: spread(2n, 86_400n) }) },
);

const toSetup = (r: M.RiskParams, t: { mmrTarget: bigint; imrTarget: bigint }, m: M.MarketState): M.MarketSetup => ({
  mmrTarget: t.mmrTarget,
  imrTarget: t.imrTarget,
  maxStepPerHour: r.maxRatioStepPerHour,
  imrSizeFactor: r.imrSizeFactor,
  openInterestCap: m.openInterestCap,
  maxFundingRatePer8h: m.maxFundingRatePer8h,
  maxFillDeviation: m.maxFillDeviation,
});

describe("fuzz: volatility-adjusted and ramped margin ratios equal the reference model", function () {
  it("the configurator's targets equal the model for any risk parameters within bounds and any variance, and satisfy MIN_MMR <= mmr < imr <= MAX_IMR (INV-10)", async function () {
    const runs = runsFor(80);
    this.timeout(timeoutFor(runs, 30));
    const h = await loadFixture(harnessFixture);
    const pair = fc.tuple(riskParamsArb, fc.oneof(spread(0n, WAD + 2n), spread(0n, 10n ** 12n)));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 80, file: FILE, printer: ([cs]) => `await harness.targetsOf(${show(cs)})` },
      prop([fc.array(pair, { minLength: 1, maxLength: 24 })], async (cs) => {
        const [mmr, imr] = await h.targetsOf(
          cs.map((c) => c[0]),
          cs.map((c) => c[1]),
        );
        countCases(cs.length);
        cs.forEach(([r, v], i) => {
          const t = M.targets(r, v);
          expect(mmr[i], `mmrTarget ${show(r)} variance ${v}`).to.equal(t.mmrTarget);
          expect(imr[i], `imrTarget ${show(r)} variance ${v}`).to.equal(t.imrTarget);
          expect(
            t.mmrTarget >= B.MIN_MMR && t.mmrTarget < t.imrTarget && t.imrTarget <= B.MAX_IMR,
            "INV-10 targets within bounds",
          ).to.equal(true);
        });
      }),
    );
  });

  it("observations, parameter changes and updates move the EWMA variance, the targets and the engine's ramped ratios exactly as the model, by at most one step per elapsed time (INV-10)", async function () {
    const runs = runsFor(25);
    this.timeout(timeoutFor(runs, 800));
    await loadFixture(protocolFixture); // deployed before timing starts
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 25,
        file: FILE,
        printer: ([market, steps]) => `// market ${market}\nconst steps = ${show(steps)};`,
      },
      prop([fc.integer({ min: 0, max: 1 }), fc.array(stepArb, { minLength: 1, maxLength: 8 })], async (id, steps) => {
        const b = await loadFixture(protocolFixture);
        const feedKey = id === 0 ? "ETH/USD" : "BTC/USD";
        const feed = b.feeds[feedKey];
        const decimals = await feed.decimals();
        const unit = 10n ** (18n - decimals);
        const cfg = await b.oracle.feedConfig(await b.engine.oracleAssetOf(id));
        const maxPriceAge = await b.engine.maxPriceAge();
        let risk = M.toRiskParams(await b.configurator.riskParams(id));
        const v0 = await b.configurator.volatility(id);
        let vol: M.Volatility = { variancePerHour: v0.variancePerHour, lastObservation: v0.lastObservation, lastPrice: v0.lastPrice };
        let market = M.marketStateFromView(await b.engine.marketView(id));
        let answer = await feed.latestAnswer();
        let prevNow = BigInt(await time.latest());
        for (const s of steps) {
          countCommands();
          const now = BigInt(await time.latest()) + s.dt;
          const before = market;
          if (s.kind === "observe") {
            // New price within the feed's bounds; published one second before the observation.
            let next = (answer * BigInt(10_000 + s.priceBps)) / 10_000n;
            const lo = cfg.minPrice / unit + 1n;
            const hi = cfg.maxPrice / unit;
            next = next < lo ? lo : next > hi ? hi : next;
            await time.setNextBlockTimestamp(now - 1n);
            await (await feed.updateAnswer(next)).wait();
            answer = next;
            const price = next * unit;
            await time.setNextBlockTimestamp(now);
            const expected = M.observe(vol, risk, now, price);
            if (expected === undefined) {
              await expect(b.configurator.recordObservation(id))
                .to.be.revertedWithCustomError(b.configurator, "ConfiguratorObservationTooSoon")
                .withArgs(id, vol.lastObservation + risk.minObservationInterval);
              await time.setNextBlockTimestamp(now + 1n);
              await ethers.provider.send("evm_mine", []);
              continue;
            }
            await (await b.configurator.recordObservation(id)).wait();
            vol = expected;
            market = M.configureMarket(market, now, toSetup(risk, M.targets(risk, vol.variancePerHour), market), maxPriceAge, price);
          } else if (s.kind === "risk") {
            await time.setNextBlockTimestamp(now);
            await (await b.configurator.setRiskParams(id, s.risk)).wait();
            risk = s.risk;
            const price = (await feed.latestRoundData()).updatedAt + cfg.primaryHeartbeat >= now ? answer * unit : undefined;
            market = M.configureMarket(market, now, toSetup(risk, M.targets(risk, vol.variancePerHour), market), maxPriceAge, price);
          } else {
            await time.setNextBlockTimestamp(now - 1n);
            await (await feed.updateAnswer(answer)).wait();
            await time.setNextBlockTimestamp(now);
            await (await b.engine.updateMarket(id)).wait();
            market = M.updateMarket(M.markNoOlderThan(market, now, 0n, answer * unit), now);
          }
          const v = await b.configurator.volatility(id);
          expect(
            { variancePerHour: v.variancePerHour, lastObservation: v.lastObservation, lastPrice: v.lastPrice },
            "EWMA state",
          ).to.deep.equal(vol);
          const [mmrT, imrT] = await b.configurator.targets(id);
          expect({ mmrTarget: mmrT, imrTarget: imrT }, "targets").to.deep.equal(M.targets(risk, vol.variancePerHour));
          const view = await b.engine.marketView(id);
          const onChain = M.marketStateFromView(view);
          expect(onChain, `engine market state after ${show(s)}`).to.deep.equal(market);
          // The effective ratios are a function of block time (issue #11 class 6): the view equals the model now.
          const effNow = M.effectiveRatios(market, now);
          expect({ mmr: view.mmr, imr: view.imr }, "effective ratios now").to.deep.equal(effNow);
          // INV-10: between two steps an effective ratio moves toward its (previous) target by at most one step.
          const effBefore = M.effectiveRatios(before, prevNow);
          // Rounded up: floor(S * (t - t0)) - floor(S * (tp - t0)) can exceed floor(S * (t - tp)) by one wei.
          const step = M.ceilDiv(before.maxStepPerHour * (now - prevNow), 3600n);
          for (const [k, t] of [
            ["mmr", "mmrTarget"],
            ["imr", "imrTarget"],
          ] as const) {
            expect(M.abs(effNow[k] - effBefore[k]) <= step, `INV-10 ${k} moved at most one step`).to.equal(true);
            expect(M.abs(before[t] - effNow[k]) <= M.abs(before[t] - effBefore[k]), `INV-10 ${k} moved toward its target`).to.equal(true);
          }
          expect(
            effNow.mmr >= B.MIN_MMR && effNow.mmr < effNow.imr && effNow.imr <= B.MAX_IMR,
            "INV-10 effective ratios in bounds",
          ).to.equal(true);
          prevNow = now;
        }
      }),
    );
  });
});
