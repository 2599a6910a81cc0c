/**
 * Properties of the automated-deleveraging rule (src/model/adl.ts; docs/LIQUIDATION.md, "Automated deleveraging:
 * design"), the reference the engine's implementation will be fuzzed against (issue #14 item 1):
 *
 * - minimality: an event never closes more than the bankrupt size, to the wei, and leaves at most one wei per holder
 *   plus the rounding of `phi` unmatched;
 * - pro rata: each holder closes its exact share |z| * size / openInterest rounded down, within one wei plus the
 *   rounding of `phi`, and gives up, against closing at the mark, at least what its closed part was worth between the
 *   mark and the bankruptcy price;
 * - the closed part's result is folded into the basis exactly: at every price, the settled position's value is what
 *   closing the part at the bankruptcy price realises plus the value of what is left (up to the rounding stated);
 * - two events settled at once give the position two events settled one by one do, within the stated rounding;
 * - the deficit's parts cover it, and a bankruptcy price covers its part unless the price bounds stop it.
 *
 * Pure bigint properties (no chain): bounded runs in `npm test`, 20 times as many with FUZZ_CAMPAIGN=long.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { DeleveragingMathHarness } from "../../typechain-types";
import * as M from "../../src/model";
import {
  ADL_START,
  MAX_PRICE,
  MIN_KEEP,
  allotDeficit,
  bankruptcyPrice,
  deleverageSide,
  settleDeleveraged,
  type AdlIndex,
} from "../../src/model/adl";
import { countCases, fuzz, prop, runsFor, show, signedSpread, spread, timeoutFor } from "../shared/fuzz";

const FILE = "test/fuzz/adl.test.ts";
const SUITE = "ADL rule (model)";
const WAD = M.WAD;

/** Value of (size, basis) at price `p` with funding index `f` as an exact rational times 1e18 [wad cash * 1e18]. */
const value18 = (q: M.Position, p: bigint, f: bigint): bigint => q.size * (p - f) - q.basis * WAD;

/** An event: the holders (one side of a market) and the bankrupt position on the other side. */
const eventArb = fc
  .record({
    side: fc.constantFrom<"long" | "short">("long", "short"),
    holders: fc.array(fc.record({ size: spread(1n, 10n ** 24n), basis: signedSpread(10n ** 30n) }), { minLength: 1, maxLength: 12 }),
    /** The bankrupt size as a share of the open interest [wad]. */
    share: fc.oneof(spread(1n, WAD), fc.constantFrom(WAD, WAD / 2n, 1n)),
    mark: spread(10n ** 6n, 10n ** 24n),
    funding: fc.oneof(fc.constant(0n), signedSpread(10n ** 21n)),
    part: fc.oneof(spread(0n, 10n ** 30n), fc.constant(0n)),
  })
  .map((e) => {
    const openInterest = e.holders.reduce((s, h) => s + h.size, 0n);
    const size = M.max(1n, M.mulDivDown(openInterest, e.share, WAD));
    // Holders' signed sizes: the side's sign.
    const holders = e.holders.map((h) => ({ size: e.side === "long" ? h.size : -h.size, basis: h.basis }));
    // The bankrupt position is on the other side: a long bankrupt closes against shorts at a price above the mark.
    const bankrupt = e.side === "short" ? size : -size;
    return { ...e, holders, openInterest, size, bankrupt, pb: bankruptcyPrice(bankrupt, e.mark, e.part) };
  });

type AdlCase = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

/** The event applied to `index` and every holder settled from `index` to the result (undefined: no event). */
function apply(e: AdlCase, index: AdlIndex) {
  const r = deleverageSide(index, e.side, e.size, e.openInterest, e.pb.price, e.funding);
  if (!r) return undefined;
  return { ...r, settled: e.holders.map((h) => settleDeleveraged(h, index, r.index)) };
}

describe("fuzz: automated deleveraging rule (model)", function () {
  it("INV-31, INV-32: closes no more than the bankrupt size, each holder its pro-rata share rounded down, and folds each closed part's result into the basis", async function () {
    const runs = runsFor(400);
    this.timeout(timeoutFor(runs, 5));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 400, file: FILE, printer: ([e]) => `const e = ${show(e)};` },
      prop([eventArb], async (e) => {
        countCases();
        const r = apply(e, ADL_START);
        const phi = M.mulDivDown(e.size, WAD, e.openInterest);
        if (!r) {
          // No event only when nothing would be matched or it would leave less than a millionth of the side.
          expect(phi === 0n || M.mulDivUp(WAD, WAD - phi, WAD) < MIN_KEEP, "no event only at phi 0 or below MIN_KEEP").to.equal(true);
          return;
        }
        expect(r.phi).to.equal(phi);
        const closed = e.holders.map((h, i) => M.abs(h.size) - M.abs(r.settled[i].size));
        const total = closed.reduce((s, c) => s + c, 0n);
        // Minimality: never more than the bankrupt size; unmatched at most one wei per holder plus phi's rounding.
        expect(total <= e.size, `closed ${total} > size ${e.size}`).to.equal(true);
        expect(e.size - total <= BigInt(e.holders.length) + e.openInterest / WAD + 1n, "unmatched dust").to.equal(true);
        e.holders.forEach((h, i) => {
          const exact = M.mulDivDown(M.abs(h.size), e.size, e.openInterest);
          // Pro rata: at most the exact share, at least it less one wei and phi's rounding.
          expect(closed[i] <= exact && closed[i] >= exact - 1n - M.abs(h.size) / WAD, `share of ${show(h)}`).to.equal(true);
          // Same sign, never flipped.
          expect(r.settled[i].size === 0n || r.settled[i].size > 0n === h.size > 0n).to.equal(true);
          // Folded result: at any price, settled value = value before - closed part's value + closing it at pb,
          // i.e. value18(after) - value18(before) = c * (pb - p)... evaluated at the mark and at the bankruptcy price.
          const c = h.size - r.settled[i].size; // signed closed part
          for (const p of [e.mark, e.pb.price, 0n]) {
            const delta = value18(r.settled[i], p, e.funding) - value18(h, p, e.funding);
            const expected = c * (e.pb.price - p);
            // Rounding (value18 units): the size kept differs from the exact (1 - phi) * z by less than a wei, worth
            // less than |pb - f| either way; the basis rounds up (< 1e18) and the closing index against the side
            // (< |z|): those two only ever count against the holder.
            const either = M.abs(e.pb.price - e.funding) + 1n;
            expect(delta <= expected + either, `fold at ${p}: ${delta} above ${expected}`).to.equal(true);
            expect(delta >= expected - either - WAD - M.abs(h.size), `fold at ${p}: ${delta} below ${expected}`).to.equal(true);
          }
        });
      }),
    );
  });

  it("makes each holder give up at least its closed part's worth between the mark and the bankruptcy price, and in all about what closing the bankrupt position there takes", async function () {
    const runs = runsFor(300);
    this.timeout(timeoutFor(runs, 5));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 300, file: FILE, printer: ([e]) => `const e = ${show(e)};` },
      prop([eventArb], async (e) => {
        countCases();
        const r = apply(e, ADL_START);
        if (!r) return;
        let given = 0n;
        e.holders.forEach((h, i) => {
          // Loss at the mark, in value18 units: -(value after - value before).
          const loss = -(value18(r.settled[i], e.mark, e.funding) - value18(h, e.mark, e.funding));
          const c = M.abs(h.size - r.settled[i].size);
          const worth = c * M.abs(e.pb.price - e.mark);
          // At least the closed part's worth, less the rounding of the size kept (< 1 wei at |pb - f|).
          expect(loss >= worth - M.abs(e.pb.price - e.funding) - 1n, `holder ${i} gave up less than its part`).to.equal(true);
          given += loss;
        });
        // In all, what the bankrupt position's close takes from the other side, up to the unmatched dust's worth.
        const takes = e.size * M.abs(e.pb.price - e.mark);
        const dust = (BigInt(e.holders.length) + e.openInterest / WAD + 1n) * M.abs(e.pb.price - e.mark);
        const n = BigInt(e.holders.length);
        const either = n * (M.abs(e.pb.price - e.funding) + 1n);
        const against = n * WAD + e.holders.reduce((s, h) => s + M.abs(h.size), 0n);
        expect(given >= takes - dust - either, `given ${given} < takes ${takes}`).to.equal(true);
        expect(given <= takes + either + against, `given ${given} > takes ${takes}`).to.equal(true);
      }),
    );
  });

  it("settles two events at once as it settles them one by one, within a wei of size and the stated rounding of the basis", async function () {
    const runs = runsFor(300);
    this.timeout(timeoutFor(runs, 5));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 300, file: FILE, printer: ([a, b]) => `const a = ${show(a)}; const b = ${show(b)};` },
      prop([eventArb, spread(1n, WAD / 2n)], async (e, share2) => {
        countCases();
        const first = apply(e, ADL_START);
        if (!first) return;
        // A second event on the same side: its open interest is what the first left (sum of the settled sizes).
        const oi2 = first.settled.reduce((s, q) => s + M.abs(q.size), 0n);
        const size2 = M.max(1n, M.mulDivDown(oi2, share2, WAD));
        if (size2 > oi2) return;
        const second = deleverageSide(first.index, e.side, size2, oi2, e.pb.price, e.funding);
        if (!second) return;
        e.holders.forEach((h, i) => {
          const once = settleDeleveraged(h, ADL_START, second.index);
          const stepwise = settleDeleveraged(first.settled[i], first.index, second.index);
          expect(M.abs(once.size - stepwise.size) <= 1n, `size of ${show(h)}`).to.equal(true);
          const tol = 2n + (2n * M.abs(e.pb.price - e.funding)) / WAD + 1n;
          expect(M.abs(once.basis - stepwise.basis) <= tol, `basis of ${show(h)}`).to.equal(true);
        });
      }),
    );
  });

  it("allots a deficit over markets so that the parts cover it, and prices each part so that closing covers it unless a price bound stops it", async function () {
    const runs = runsFor(400);
    this.timeout(timeoutFor(runs, 2));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 400, file: FILE },
      prop(
        [
          spread(0n, 10n ** 30n),
          fc.array(spread(1n, 10n ** 30n), { minLength: 1, maxLength: 16 }),
          signedSpread(10n ** 26n),
          spread(1n, MAX_PRICE),
        ],
        async (deficit, notionals, size, mark) => {
          countCases();
          const parts = allotDeficit(deficit, notionals);
          const sum = parts.reduce((s, p) => s + p, 0n);
          expect(sum >= deficit && sum < deficit + BigInt(notionals.length)).to.equal(true);
          const total = notionals.reduce((s, n) => s + n, 0n);
          parts.forEach((p, i) => expect(p * total >= deficit * notionals[i]).to.equal(true));
          const part = parts[0];
          const { price, covered } = bankruptcyPrice(size, mark, part);
          const bounded = size > 0n ? price === MAX_PRICE : price === 0n;
          if (!bounded) {
            expect(covered >= part, `covered ${covered} < part ${part}`).to.equal(true);
            // The closest such price: one wei nearer the mark covers less than the part (when the part is not zero).
            if (part > 0n) expect(M.mulDivDown(M.abs(size), M.abs(price - mark) - 1n, WAD) < part).to.equal(true);
          }
          expect(price >= 0n && price <= MAX_PRICE).to.equal(true);
          expect(size > 0n ? price >= mark || mark > MAX_PRICE : price <= mark).to.equal(true);
        },
      ),
    );
  });
});

async function harnessFixture(): Promise<DeleveragingMathHarness> {
  return (await ethers.deployContract("DeleveragingMathHarness")) as unknown as DeleveragingMathHarness;
}

/** Sizes that put an event's size factor at MIN_KEEP - 1, MIN_KEEP and MIN_KEEP + 1 (from keep 1e18, interest 1e18). */
const AT_MIN_KEEP = [WAD - MIN_KEEP + 1n, WAD - MIN_KEEP, WAD - MIN_KEEP - 1n];

const engineEventCase = fc
  .oneof(
    fc.record({
      size: signedSpread(2n ** 112n),
      mark: spread(0n, MAX_PRICE),
      part: fc.oneof(fc.constant(0n), spread(0n, 10n ** 36n)),
      keep: fc.oneof(fc.constant(WAD), spread(MIN_KEEP, WAD)),
      closed: fc.oneof(fc.constant(0n), signedSpread(10n ** 32n)),
      extra: fc.oneof(fc.constant(0n), spread(0n, 2n ** 112n)),
      funding: fc.oneof(fc.constant(0n), signedSpread(2n ** 95n - 1n)),
    }),
    // The size factor's bound, to the wei on either side.
    fc.record({
      size: fc.tuple(fc.constantFrom(...AT_MIN_KEEP), fc.boolean()).map(([x, neg]) => (neg ? -x : x)),
      mark: spread(1n, 10n ** 24n),
      part: spread(0n, 10n ** 24n),
      keep: fc.constant(WAD),
      closed: fc.constant(0n),
      extra: fc.constant(0n),
      funding: fc.constant(0n),
    }),
  )
  .map((c) => ({ ...c, openInterest: M.abs(c.size) + c.extra }));

const engineSettleCase = fc
  .record({
    size: signedSpread(2n ** 112n),
    basis: fc.oneof(fc.constant(0n), signedSpread(2n ** 120n)),
    fromKeep: fc.oneof(fc.constant(WAD), spread(MIN_KEEP, WAD)),
    toShare: spread(MIN_KEEP, WAD),
    fromClosed: fc.oneof(fc.constant(0n), signedSpread(10n ** 32n)),
    step: fc.oneof(fc.constant(0n), signedSpread(10n ** 32n)),
  })
  .map((c) => {
    const toKeep = M.max(MIN_KEEP, M.mulDivUp(c.fromKeep, c.toShare, WAD));
    return { size: c.size, basis: c.basis, fromKeep: c.fromKeep, fromClosed: c.fromClosed, toKeep, toClosed: c.fromClosed + c.step };
  });

describe("fuzz: DeleveragingMath equals the ADL reference model to the wei", function () {
  it("INV-31: the bankruptcy price, what it covers and the other side's new index (or no event at the size factor's bound, MIN_KEEP +- 1) equal src/model/adl.ts for any bounded input", async function () {
    const runs = runsFor(120);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 120, file: FILE, printer: ([cs]) => `await harness.events(${show(cs)});` },
      prop([fc.array(engineEventCase, { minLength: 1, maxLength: 24 })], async (cs) => {
        const r = await h.events(cs.map(({ extra: _extra, ...c }) => c));
        countCases(cs.length);
        cs.forEach((c, i) => {
          const tag = `case ${i}: ${show(c)}`;
          const bp = bankruptcyPrice(c.size, c.mark, c.part);
          expect([r[i].price, r[i].covered], `bankruptcyPrice ${tag}`).to.deep.equal([bp.price, bp.covered]);
          const side = deleverageSide(
            { keep: c.keep, closed: c.closed },
            c.size > 0n ? "short" : "long",
            M.abs(c.size),
            c.openInterest,
            bp.price,
            c.funding,
          );
          expect(r[i].phi, `phi ${tag}`).to.equal(M.mulDivDown(M.abs(c.size), WAD, c.openInterest));
          if (side === undefined) expect(r[i].keep, `no event ${tag}`).to.equal(0n);
          else expect([r[i].keep, r[i].closed], `index ${tag}`).to.deep.equal([side.index.keep, side.index.closed]);
        });
      }),
    );
  });

  it("a position settled between two indices equals src/model/adl.ts's settleDeleveraged for any bounded input", async function () {
    const runs = runsFor(120);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 120, file: FILE, printer: ([cs]) => `await harness.settles(${show(cs)});` },
      prop([fc.array(engineSettleCase, { minLength: 1, maxLength: 24 })], async (cs) => {
        const r = await h.settles(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const q = settleDeleveraged(
            { size: c.size, basis: c.basis },
            { keep: c.fromKeep, closed: c.fromClosed },
            { keep: c.toKeep, closed: c.toClosed },
          );
          expect([r[i][0], r[i][1]], `settle case ${i}: ${show(c)}`).to.deep.equal([q.size, q.basis]);
        });
      }),
    );
  });
});
