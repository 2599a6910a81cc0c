/**
 * Differential fuzzing of the pure auction formulas (contracts/libraries/AuctionMath.sol) against the reference
 * model (src/model/auction.ts) through a batching harness: for random parameters within the auction's hard
 * bounds, random valuations (solvent, insolvent, dust), random clock times and requested fractions, the unit
 * price, price factor, largest fraction, payment, penalty, insurance share, subsidy and tip equal the model to the
 * wei; random clock states and price-validity inputs advance the stopped clock exactly as the model does. Checked
 * on the way: INV-20 (tip <= penaltyRate * R), INV-23 (the clock never counts more than wall-clock time and not
 * while a price it depends on is invalid), and a bid's penalty never exceeds its payment (INV-18's premise).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { AuctionMathBatchHarness } from "../../typechain-types";
import * as M from "../../src/model";
import { AUCTION_BOUNDS as A } from "../../src/config/bounds";
import { countCases, fuzz, runsFor, show, signedSpread, spread, timeoutFor, prop } from "../shared/fuzz";
import { auctionParamsArb } from "./arbitraries";

const FILE = "test/fuzz/auctionMath.test.ts";
const SUITE = "AuctionMath harness";
const WAD = M.WAD;
const U32 = 2n ** 32n - 1n;

/** A valuation: M >= 0 and H >= 0 up to 1e30 (a trillion cash units), E anywhere (solvent or not), V = E + H, R = M + H. */
const valuationArb: fc.Arbitrary<M.Valuation> = fc
  .tuple(
    fc.oneof(spread(0n, 10n ** 30n), fc.constant(0n)),
    fc.oneof(fc.constant(0n), spread(0n, 10n ** 30n)),
    fc.oneof(fc.constant(0n), signedSpread(10n ** 30n)),
  )
  .map(([maintenanceMargin, h, equity]) => ({ equity, maintenanceMargin, markToMarket: equity + h, requirement: maintenanceMargin + h }));

const takeCaseArb = fc.record({
  p: auctionParamsArb,
  v: valuationArb,
  t: fc.oneof(spread(0n, 3n * 86_400n), spread(0n, 3600n)),
  // Seconds since a recorded insolvency (R3-1): none, within the insolvent phase, or anywhere.
  insolventElapsed: fc.oneof(fc.constant(0n), spread(0n, 3600n), spread(0n, 3n * 86_400n)),
  requested: fc.oneof(spread(1n, WAD), fc.constant(WAD)),
});

/** A stopped-clock input: checkpoint, guarantee, feed window and sequencer, all consistent with `time`. */
const clockCaseArb = fc
  .record({
    checkpoint: spread(1_700_000_000n, 1_800_000_000n),
    dt: fc.oneof(spread(0n, 7200n), spread(0n, 4n * 86_400n)),
    elapsed: fc.oneof(spread(0n, 86_400n), fc.constant(U32 - 10n)),
    validAtCheckpoint: fc.boolean(),
    guarantee: spread(0n, 2n * 86_400n),
    valid: fc.boolean(),
    sinceBack: spread(0n, 3n * 86_400n),
    untilAhead: spread(0n, 2n * 86_400n),
    sequencer: fc.option(fc.record({ up: fc.boolean(), back: spread(0n, 3n * 86_400n), grace: spread(0n, 86_400n) })),
    // Stop level 3 now, or when it last ended (seconds before `time`; none: never halted).
    halted: fc.boolean(),
    haltBack: fc.option(spread(0n, 3n * 86_400n)),
  })
  .map((c) => {
    const time = c.checkpoint + c.dt;
    const a = {
      startTime: c.checkpoint,
      checkpoint: c.checkpoint,
      elapsed: c.elapsed,
      guaranteedUntil: c.validAtCheckpoint ? c.checkpoint + c.guarantee : 0n,
      validAtCheckpoint: c.validAtCheckpoint,
      active: true,
      market: 0n,
      multi: false,
      badDebtRecorded: false,
      paramsVersion: 0n,
      shortfallMicro: 0n,
    };
    const since = time > c.sinceBack ? time - c.sinceBack : 0n;
    const x: M.ClockInput = {
      valid: c.valid,
      feedsSince: c.valid ? since : 0n,
      feedsUntil: c.valid ? time + c.untilAhead : 0n,
      sequencerConfigured: c.sequencer !== null,
      sequencerUp: c.sequencer?.up ?? true,
      sequencerChangedAt: c.sequencer ? (time > c.sequencer.back ? time - c.sequencer.back : 0n) : 0n,
      sequencerGrace: c.sequencer?.grace ?? 0n,
      halted: c.halted,
      haltEndedAt: c.haltBack === null ? 0n : time > c.haltBack ? time - c.haltBack : 1n,
    };
    return { a, x, time };
  });

async function harnessFixture(): Promise<AuctionMathBatchHarness> {
  return (await ethers.deployContract("AuctionMathBatchHarness")) as unknown as AuctionMathBatchHarness;
}

describe("fuzz: auction math equals the reference model to the wei", function () {
  it("unit price, price factor, largest fraction, payment, penalty, insurance share and subsidy equal the model for random parameters, valuations, times and fractions; the penalty never exceeds the payment (INV-18); a solvent account is never priced below zero, so no subsidy is paid on it (INV-26); an insolvent account with no recorded insolvency gets no bonus (INV-27)", async function () {
    const runs = runsFor(120);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 120, file: FILE, printer: ([cs]) => `await harness.takes(${show(cs)});` },
      prop([fc.array(takeCaseArb, { minLength: 1, maxLength: 24 })], async (cs) => {
        const [r, pf] = await Promise.all([
          h.takes(cs),
          h.priceFactors(
            cs.map((c) => c.p),
            cs.map((c) => c.t),
          ),
        ]);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const k = M.take(c.p, c.v, c.t, c.insolventElapsed, c.requested);
          const got = r[i];
          expect(
            {
              unitPrice: got.unitPrice,
              maxFraction: got.maxFraction,
              fraction: got.fraction,
              payment: got.payment,
              penalty: got.penalty,
              penaltyToFund: got.penaltyToFund,
              subsidy: got.subsidy,
            },
            `take ${show(c)}`,
          ).to.deep.equal(k);
          expect(pf[i], `priceFactor ${show(c)}`).to.equal(M.priceFactor(c.p, c.t));
          // At most what was asked, except that an insolvent bid that would leave a remainder whose R is below
          // dustMargin takes the whole portfolio (review of the I-3 fix).
          const dustRaised =
            k.unitPrice < 0n && k.fraction === WAD && c.requested < WAD && (c.v.requirement * (WAD - c.requested)) / WAD < c.p.dustMargin;
          expect(
            k.maxFraction <= WAD && (k.fraction <= c.requested || dustRaised) && k.fraction <= k.maxFraction,
            "fractions in range",
          ).to.equal(true);
          expect(k.penalty <= k.payment, "INV-18 the account's penalty never exceeds what the bidder pays it").to.equal(true);
          expect(k.penaltyToFund <= k.penalty, "the fund's share is part of the penalty").to.equal(true);
          if (c.v.markToMarket > 0n) {
            expect(got.unitPrice >= 0n && got.subsidy === 0n, "INV-26 no subsidy on an account with V > 0").to.equal(true);
          } else if (c.insolventElapsed === 0n) {
            expect(got.unitPrice, "INV-27 no insolvent bonus before the insolvency is recorded").to.equal(c.v.markToMarket);
          }
        });
      }),
    );
  });

  it("the starter's tip equals the model at any base fee (the flat part scaled above tipBaseFee) and never exceeds penaltyRate * R, so self-liquidation cannot profit (INV-20)", async function () {
    const runs = runsFor(60);
    this.timeout(timeoutFor(runs, 20));
    const h = await loadFixture(harnessFixture);
    const tipCase = fc.record({
      flatTip: spread(0n, A.MAX_FLAT_TIP),
      tipRate: spread(0n, A.MAX_TIP_RATE),
      penaltyRate: spread(0n, A.MAX_PENALTY_RATE),
      shortfall: spread(0n, 10n ** 30n),
      requirement: spread(0n, 10n ** 30n),
      markToMarket: fc.oneof(
        spread(0n, 10n ** 30n),
        spread(0n, 10n ** 30n).map((x) => -x),
      ),
      tipBaseFee: fc.oneof(spread(0n, BigInt(A.MAX_TIP_BASE_FEE)), fc.constant(0n)),
      baseFee: fc.oneof(spread(0n, 10n ** 14n), fc.constant(0n)), // up to 100,000 gwei
    });
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 60, file: FILE },
      prop([fc.array(tipCase, { minLength: 1, maxLength: 32 })], async (cs) => {
        const r = await h.tips(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const p = { flatTip: c.flatTip, tipRate: c.tipRate, penaltyRate: c.penaltyRate, tipBaseFee: c.tipBaseFee } as M.AuctionParams;
          const expected = M.tip(p, c.shortfall, c.requirement, c.markToMarket, c.baseFee);
          expect(expected >= M.tip(p, c.shortfall, c.requirement, c.markToMarket), "a base fee never lowers the tip").to.equal(true);
          expect(r[i], `tip ${show(c)}`).to.equal(expected);
          expect(r[i] <= M.mulWadDown(c.penaltyRate, c.requirement), "INV-20 tip <= penaltyRate * R").to.equal(true);
          expect(
            r[i] <= (c.markToMarket > 0n ? M.mulWadDown(c.penaltyRate, c.markToMarket) : 0n),
            "class 9, review 6 M-1: tip <= penaltyRate * max(V, 0)",
          ).to.equal(true);
        });
      }),
    );
  });

  it("the stopped clock advances exactly as the model, never by more than the wall-clock time and never while the prices it depends on are invalid (INV-23)", async function () {
    const runs = runsFor(80);
    this.timeout(timeoutFor(runs, 30));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 80, file: FILE, printer: ([cs]) => `await harness.advances(${show(cs)});` },
      prop([fc.array(clockCaseArb, { minLength: 1, maxLength: 24 })], async (cs) => {
        const r = await h.advances(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const m = M.advance(c.a, c.x, c.time);
          const got = r[i];
          expect(
            {
              checkpoint: got.checkpoint,
              elapsed: got.elapsed,
              guaranteedUntil: got.guaranteedUntil,
              validAtCheckpoint: got.validAtCheckpoint,
            },
            `advance ${show(c)}`,
          ).to.deep.equal(m);
          const counted = m.elapsed - c.a.elapsed;
          expect(counted >= 0n && counted <= c.time - c.a.checkpoint, "INV-23 the clock counts at most the wall-clock time").to.equal(true);
          if (!c.a.validAtCheckpoint && !c.x.valid) expect(counted, "INV-23 no count while every price was invalid").to.equal(0n);
          if (c.a.validAtCheckpoint && !c.x.valid) {
            expect(
              counted <= M.max(0n, c.a.guaranteedUntil - c.a.checkpoint),
              "INV-23 invalid now: counts only the guaranteed window",
            ).to.equal(true);
          }
          if (c.x.sequencerConfigured && !c.x.sequencerUp) {
            expect(
              counted <= M.max(0n, c.x.sequencerChangedAt - c.a.checkpoint),
              "INV-23 nothing counts after the sequencer went down",
            ).to.equal(true);
          }
        });
      }),
    );
  });
});
