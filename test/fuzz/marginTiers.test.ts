/**
 * INV-29 on the reference model (src/model): the margin tier rule is continuous and monotone in the notional,
 * keeps maintenance at or below initial margin, and a governed change of tiers never raises any requirement at the
 * moment it is made (increases ramp by at most maxStepPerHour per hour, decreases apply at once). The engine is
 * held to the model at the tier boundaries by test/unit/MarginEngine/tiers.test.ts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { positionMargins, type MarginTier } from "../../src/model/margin";
import { tiersArb } from "./arbitraries";
import { effectiveTiers, setMarketTiers, MAX_TIER_IMR_ADD_ON, MAX_TIER_MMR_ADD_ON, type MarketState } from "../../src/model/market";

const WAD = 10n ** 18n;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Up to 4 valid tiers with thresholds up to 4e26 (WAD cash) and add-ons up to the bounds' quarter / eighth per tier. */
const anyTiers = tiersArb(10n ** 26n, MAX_TIER_MMR_ADD_ON / 4n, MAX_TIER_IMR_ADD_ON / 8n);

/** A market with open interest (so a change ramps) and the given current tiers in force. */
function market(tiers: MarginTier[], step: bigint): MarketState {
  return {
    price: 3000n * WAD,
    priceTimestamp: 0n,
    mmr: 3n * 10n ** 16n,
    imr: 5n * 10n ** 16n,
    rampStart: 0n,
    cumulativeFunding: 0n,
    fundingRatePerSecond: 0n,
    timestamp: 0n,
    premium: 0n,
    accumulator: 0n,
    epoch: 0n,
    reduceOnly: false,
    longOpenInterest: WAD,
    totalBasis: 0n,
    mmrTarget: 3n * 10n ** 16n,
    imrTarget: 5n * 10n ** 16n,
    maxStepPerHour: step,
    imrSizeFactor: 0n,
    openInterestCap: 10n ** 30n,
    maxFundingRatePer8h: 10n ** 16n,
    maxFillDeviation: 5n * 10n ** 16n,
    tiers: tiers.map((t) => ({ ...t, mmrFrom: t.mmrAddOn, imrFrom: t.imrAddOn })),
    tierRampStart: 0n,
    tierStepPerHour: step,
  };
}

/** Requirements of 1 base unit at `notional` (the price is the notional to the wei). */
const at = (n: bigint, tiers: MarginTier[]) => positionMargins(WAD, n, 3n * 10n ** 16n, 5n * 10n ** 16n, 0n, tiers);

describe("fuzz: margin tiers on the reference model (INV-29)", function () {
  it("INV-29 requirements are non-decreasing and continuous in the notional (one wei moves maintenance by at most one wei, initial by at most the ceiling of its marginal ratio) and maintenance <= initial", function () {
    fc.assert(
      fc.property(
        anyTiers,
        fc.nat({ max: 3 }),
        fc.bigInt({ min: -2n, max: 2n }),
        fc.bigInt({ min: 5n * 10n ** 15n, max: WAD / 2n }),
        fc.bigInt({ min: 0n, max: WAD }),
        (tiers, i, d, mmr, imrOver) => {
          const imr = mmr + imrOver > WAD ? WAD : mmr + imrOver;
          const base = tiers.length === 0 ? WAD : tiers[Math.min(i, tiers.length - 1)].notionalThreshold;
          const n = base + d > 0n ? base + d : 1n;
          const req = (x: bigint) => positionMargins(WAD, x, mmr, imr, 0n, tiers);
          const a = req(n);
          const b = req(n + 1n);
          // Marginal initial ratio at n: imr plus the add-on of the highest tier reached by n + 1 (up to 1.5).
          const addOn = tiers.filter((t) => t.notionalThreshold <= n + 1n).reduce((x, t) => t.imrAddOn, 0n);
          const imStep = (imr + addOn + WAD - 1n) / WAD;
          expect(a.mm <= a.im, "mm <= im").to.equal(true);
          expect(b.mm >= a.mm && b.mm - a.mm <= 1n, "maintenance continuous").to.equal(true);
          expect(b.im >= a.im && b.im - a.im <= imStep, "initial continuous").to.equal(true);
        },
      ),
      { numRuns: RUNS, seed: 29 },
    );
  });

  it("INV-29 a change of tiers never raises a requirement when it is made, and afterwards raises it by at most maxStepPerHour x notional per hour", function () {
    fc.assert(
      fc.property(
        anyTiers,
        anyTiers,
        fc.bigInt({ min: 5n * 10n ** 14n, max: 5n * 10n ** 16n }),
        fc.bigInt({ min: WAD, max: 10n ** 27n }),
        fc.bigInt({ min: 0n, max: 30n * 3600n }),
        (oldTiers, newTiers, step, n, dt) => {
          const m0 = market(oldTiers, step);
          const now = 1000n;
          const before = at(n, effectiveTiers(m0, now));
          const m1 = setMarketTiers(m0, newTiers, now);
          const same = at(n, effectiveTiers(m1, now));
          expect(same.mm <= before.mm, "maintenance not raised at once").to.equal(true);
          expect(same.im <= before.im, "initial not raised at once").to.equal(true);
          const later = at(n, effectiveTiers(m1, now + dt));
          const bound = (n * ((step * dt) / 3600n)) / WAD + 2n;
          expect(later.mm - same.mm <= bound, "maintenance ramp speed").to.equal(true);
          // Eventually every target applies.
          const end = at(n, effectiveTiers(m1, now + 400n * 3600n));
          expect(end).to.deep.equal(at(n, newTiers));
        },
      ),
      { numRuns: RUNS, seed: 1429 },
    );
  });
});
