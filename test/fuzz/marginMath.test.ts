/**
 * Differential fuzzing of the pure margin libraries (contracts/libraries/MarginMath.sol, WadMath.sol) against the
 * reference model (src/model/margin.ts, wad.ts), through a batching harness: each run sends a batch of random
 * cases in one eth_call and compares every output to the wei. Inputs span MarginMath's documented bounds
 * (|size|, |basis| < 2**127, price < 2**96, |F| < 2**102, ratios < 2**64, |rate| < 2**63, dt < 2**32), from one
 * wei to the bound, boundaries included.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { MarginMathHarness } from "../../typechain-types";
import * as M from "../../src/model";
import { RISK_BOUNDS } from "../../src/config/bounds";
import { countCases, fuzz, runsFor, show, signedSpread, spread, timeoutFor, prop } from "../shared/fuzz";

const FILE = "test/fuzz/marginMath.test.ts";
const SUITE = "MarginMath/WadMath harness";
const U64 = 2n ** 64n - 1n;

async function harnessFixture(): Promise<MarginMathHarness> {
  return (await ethers.deployContract("MarginMathHarness")) as unknown as MarginMathHarness;
}

const positionCase = fc.record({
  size: signedSpread(2n ** 127n - 1n),
  basis: fc.oneof(fc.constant(0n), signedSpread(2n ** 127n - 1n)),
  price: spread(0n, 2n ** 96n - 1n),
  cumulativeFunding: fc.oneof(fc.constant(0n), signedSpread(2n ** 102n - 1n)),
  mmr: fc.oneof(spread(RISK_BOUNDS.MIN_MMR, M.WAD / 2n), spread(0n, U64)),
  imr: fc.oneof(spread(RISK_BOUNDS.MIN_MMR, M.WAD), spread(0n, U64)),
  imrSizeFactor: fc.oneof(fc.constant(0n), spread(0n, M.WAD), spread(0n, U64)),
  ratePerSecond: fc.oneof(fc.constant(0n), signedSpread(2n ** 63n - 1n)),
  dt: spread(0n, 2n ** 32n - 1n),
});
type PositionCase = typeof positionCase extends fc.Arbitrary<infer T> ? T : never;

describe("fuzz: MarginMath and WadMath equal the reference model to the wei", function () {
  it("position value, notional, maintenance and initial margin (size-scaled ratio) and the funding index equal the model for any input within MarginMath's bounds", async function () {
    const runs = runsFor(150);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 150,
        file: FILE,
        printer: ([cs]) => `const cases = ${show(cs)};\nawait harness.positions(cases);`,
      },
      prop([fc.array(positionCase, { minLength: 1, maxLength: 32 })], async (cs: PositionCase[]) => {
        const r = await h.positions(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const tag = `case ${i}: ${show(c)}`;
          expect(r[i].value, `positionValue ${tag}`).to.equal(M.positionValue(c.size, c.basis, c.price, c.cumulativeFunding));
          expect(r[i].notional, `notionalUp ${tag}`).to.equal(M.notionalUp(c.size, c.price));
          expect(r[i].maintenance, `maintenanceMargin ${tag}`).to.equal(M.maintenanceMargin(c.size, c.price, c.mmr));
          expect(r[i].initialRatio, `initialMarginRatio ${tag}`).to.equal(M.initialMarginRatio(c.size, c.imr, c.imrSizeFactor));
          expect(r[i].initial, `initialMargin ${tag}`).to.equal(M.initialMargin(c.size, c.price, c.imr, c.imrSizeFactor));
          expect(r[i].fundingIndex, `fundingIndexAt ${tag}`).to.equal(
            M.fundingIndexAt(c.cumulativeFunding, c.ratePerSecond, c.price, c.dt),
          );
        });
      }),
    );
  });

  it("the health factor equals the model, including no requirement (max) and non-positive equity (0)", async function () {
    const runs = runsFor(60);
    this.timeout(timeoutFor(runs, 20));
    const h = await loadFixture(harnessFixture);
    const pair = fc.tuple(fc.oneof(fc.constant(0n), signedSpread(2n ** 190n)), fc.oneof(fc.constant(0n), spread(1n, 2n ** 200n)));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 60, file: FILE },
      prop([fc.array(pair, { minLength: 1, maxLength: 32 })], async (cs) => {
        const r = await h.healthFactors(
          cs.map((c) => c[0]),
          cs.map((c) => c[1]),
        );
        countCases(cs.length);
        cs.forEach(([e, m], i) => expect(r[i], `healthFactor(${e}, ${m})`).to.equal(M.healthFactor(e, m)));
      }),
    );
  });

  it("moveTowards moves toward the target by at most the step and equals the model (INV-10's ramp step)", async function () {
    const runs = runsFor(60);
    this.timeout(timeoutFor(runs, 20));
    const h = await loadFixture(harnessFixture);
    const triple = fc.tuple(spread(0n, U64), spread(0n, U64), spread(0n, U64));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 60, file: FILE },
      prop([fc.array(triple, { minLength: 1, maxLength: 32 })], async (cs) => {
        const r = await h.moveTowards(
          cs.map((c) => c[0]),
          cs.map((c) => c[1]),
          cs.map((c) => c[2]),
        );
        countCases(cs.length);
        cs.forEach(([cur, target, step], i) => {
          expect(r[i], `moveTowards(${cur}, ${target}, ${step})`).to.equal(M.moveTowards(cur, target, step));
          const moved = r[i] > cur ? r[i] - cur : cur - r[i];
          expect(moved <= step, "INV-10 a ratio moves by at most one step").to.equal(true);
          expect(M.abs(target - r[i]) <= M.abs(target - cur), "INV-10 a ratio moves toward its target").to.equal(true);
        });
      }),
    );
  });

  it("every WadMath function equals the model with the rounding in its name, unsigned and signed", async function () {
    const runs = runsFor(100);
    this.timeout(timeoutFor(runs, 30));
    const h = await loadFixture(harnessFixture);
    const LIM = 2n ** 127n - 1n;
    const wadCase = fc.record({
      x: spread(0n, LIM),
      y: spread(0n, LIM),
      d: spread(1n, LIM),
      sx: fc.oneof(fc.constant(0n), signedSpread(LIM)),
      sy: fc.oneof(fc.constant(0n), signedSpread(LIM)),
    });
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 100, file: FILE },
      prop([fc.array(wadCase, { minLength: 1, maxLength: 32 })], async (cs) => {
        const r = await h.wad(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          const tag = show(c);
          expect(r[i].mulWadDown, `mulWadDown ${tag}`).to.equal(M.mulWadDown(c.x, c.y));
          expect(r[i].mulWadUp, `mulWadUp ${tag}`).to.equal(M.mulWadUp(c.x, c.y));
          expect(r[i].divWadDown, `divWadDown ${tag}`).to.equal(M.divWadDown(c.x, c.d));
          expect(r[i].divWadUp, `divWadUp ${tag}`).to.equal(M.divWadUp(c.x, c.d));
          expect(r[i].mulDivDown, `mulDivDown ${tag}`).to.equal(M.mulDivDown(c.x, c.y, c.d));
          expect(r[i].mulDivUp, `mulDivUp ${tag}`).to.equal(M.mulDivUp(c.x, c.y, c.d));
          expect(r[i].smulWadDownU, `mulWadDown(int, uint) ${tag}`).to.equal(M.smulWadDown(c.sx, c.y));
          expect(r[i].smulWadUpU, `mulWadUp(int, uint) ${tag}`).to.equal(M.smulWadUp(c.sx, c.y));
          expect(r[i].smulWadDownS, `mulWadDown(int, int) ${tag}`).to.equal(M.smulWadDown(c.sx, c.sy));
          expect(r[i].smulWadUpS, `mulWadUp(int, int) ${tag}`).to.equal(M.smulWadUp(c.sx, c.sy));
          expect(r[i].sdivWadDown, `divWadDown(int, uint) ${tag}`).to.equal(M.sdivWadDown(c.sx, c.d));
        });
      }),
    );
  });

  it("WadMath's checked arithmetic reverts exactly when the rounded product overflows 2**256 (never wraps)", async function () {
    const runs = runsFor(40);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    const MAXU = 2n ** 256n - 1n;
    const triple = fc.tuple(spread(0n, MAXU), spread(0n, MAXU), spread(0n, MAXU));
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 40, file: FILE },
      prop([fc.array(triple, { minLength: 1, maxLength: 16 })], async (cs) => {
        const [mulWad, mulDiv] = await h.wadReverts(
          cs.map((c) => c[0]),
          cs.map((c) => c[1]),
          cs.map((c) => c[2]),
        );
        countCases(cs.length);
        cs.forEach(([x, y, d], i) => {
          expect(mulWad[i], `mulWadUp(${x}, ${y}) reverts`).to.equal(x * y + M.WAD - 1n > MAXU);
          expect(mulDiv[i], `mulDivUp(${x}, ${y}, ${d}) reverts`).to.equal(d === 0n || x * y + d - 1n > MAXU);
        });
      }),
    );
  });
});
