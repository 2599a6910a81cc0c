/**
 * Differential fuzzing of the keeper's restoration check (src/model/auction.ts `isRestored`, used by
 * src/keeper/keeper.ts to decide when to terminate an auction) against the contract: AuctionMath.take allows no
 * bid (largest fraction 0) exactly when E >= (1 + bufferRatio) * M rounded up, the product LiquidationAuction's
 * `terminateAuction` and `_restored` compare equity with. The cases concentrate on the boundary, where rounding
 * decides: maintenance margins whose product with 1 + bufferRatio is exact (a keeper computing
 * `mulWadDown(...) + 1` would wrongly see the account as not restored there) and equity within a wei of the target.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { AuctionMathBatchHarness } from "../../typechain-types";
import * as M from "../../src/model";
import { countCases, fuzz, runsFor, show, signedSpread, spread, timeoutFor, prop } from "../shared/fuzz";
import { auctionParamsArb } from "./arbitraries";

const FILE = "test/fuzz/keeperRestore.test.ts";
const SUITE = "keeper restoration check";
const WAD = M.WAD;

/** Maintenance margin: any amount up to 1e30, or a whole number of cash units (then (1 + b) * M is exact). */
const maintenanceArb = fc.oneof(
  spread(0n, 10n ** 30n),
  spread(0n, 10n ** 12n).map((k) => k * WAD),
);

const caseArb = fc
  .record({
    p: auctionParamsArb,
    maintenance: maintenanceArb,
    /** Equity relative to the target: within a wei of it, or anywhere. */
    offset: fc.oneof(fc.constantFrom(-1n, 0n, 1n), signedSpread(10n ** 24n)),
    h: fc.oneof(fc.constant(0n), spread(0n, 10n ** 30n)),
    t: spread(0n, 3n * 86_400n),
  })
  .map(({ p, maintenance, offset, h, t }) => {
    const equity = M.restoreTargetUp(p, maintenance) + offset;
    const v: M.Valuation = { equity, maintenanceMargin: maintenance, markToMarket: equity + h, requirement: maintenance + h };
    return { p, v, t, insolventElapsed: t, requested: WAD };
  });

async function harnessFixture(): Promise<AuctionMathBatchHarness> {
  return (await ethers.deployContract("AuctionMathBatchHarness")) as unknown as AuctionMathBatchHarness;
}

describe("fuzz: the keeper's restoration check rounds as the contract", function () {
  it("an account whose equity is exactly (1 + bufferRatio) * M is restored for both the contract and the keeper", async function () {
    const h = await loadFixture(harnessFixture);
    const [p] = fc.sample(auctionParamsArb, { seed: 1, numRuns: 1 });
    const params = { ...p, bufferRatio: WAD / 10n }; // 10%
    const v: M.Valuation = { equity: 110n * WAD, maintenanceMargin: 100n * WAD, markToMarket: 110n * WAD, requirement: 100n * WAD };
    const [r] = await h.takes([{ p: params, v, t: 0n, insolventElapsed: 0n, requested: WAD }]);
    expect(r.maxFraction).to.equal(0n);
    expect(M.restoreTargetUp(params, v.maintenanceMargin)).to.equal(110n * WAD);
    expect(M.isRestored(params, v)).to.equal(true);
    expect(M.isRestored(params, { ...v, equity: v.equity - 1n })).to.equal(false);
  });

  it("for random parameters and valuations at and around the boundary, the keeper sees an account as restored exactly when the contract allows no bid", async function () {
    const runs = runsFor(60);
    this.timeout(timeoutFor(runs, 40));
    const h = await loadFixture(harnessFixture);
    await fuzz(
      { name: this.test!.title, suite: SUITE, runs: 60, file: FILE, printer: ([cs]) => `await harness.takes(${show(cs)});` },
      prop([fc.array(caseArb, { minLength: 1, maxLength: 32 })], async (cs) => {
        const r = await h.takes(cs);
        countCases(cs.length);
        cs.forEach((c, i) => {
          expect(M.isRestored(c.p, c.v), `restored ${show(c)}`).to.equal(r[i].maxFraction === 0n);
        });
      }),
    );
  });
});
