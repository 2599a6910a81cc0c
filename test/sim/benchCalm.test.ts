/**
 * The calm benchmark scenario (`scenarios/bench-calm.json`): the benchmark's crash hours with a book no price move
 * in them can liquidate, so that `npm run bench:sim` on it measures what the number of accounts alone costs per
 * step (docs/SIMULATION.md, "Benchmark"). These tests hold it to that: the file keeps the benchmark's path and every
 * trader passive, lightly levered and on cash collateral, and a run over the whole window starts no auction.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadScenario } from "../../src/sim/scenario";
import { buildPath } from "../../src/sim/prices";
import type { Summary } from "../../src/sim/summary";
import { runHardhat } from "../shared/processes";

const ROOT = path.join(__dirname, "..", "..");
const CALM = path.join(ROOT, "scenarios/bench-calm.json");

describe("simulator: the calm benchmark scenario", function () {
  this.timeout(300_000);

  it("keeps the benchmark's 72 steps and liquidators and makes every trader passive, on USDC only, at 1 to 1.2 times leverage", function () {
    const calm = loadScenario(CALM, ROOT);
    const bench = loadScenario(path.join(ROOT, "scenarios/bench.json"), ROOT);
    expect(buildPath(calm.prices).points).to.deep.equal(buildPath(bench.prices).points);
    expect(calm.prices.intrabar).to.equal("close");
    expect(buildPath(calm.prices).points.length).to.equal(72);
    expect(calm.traders.behaviour).to.deep.equal({ passive: 1, topUp: 0, deleverage: 0 });
    expect(calm.traders.collateral).to.deep.equal({ USDC: 1, WETH: 0, WBTC: 0 });
    expect([calm.traders.leverage.min, calm.traders.leverage.max]).to.deep.equal([1, 1.2]);
    expect(calm.liquidators).to.deep.equal(bench.liquidators);
  });

  it("liquidates nobody over the whole window: no account becomes liquidatable, no auction starts, no bad debt", async function () {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-calm-"));
    try {
      const run = await runHardhat([
        "simulate",
        "--scenario",
        "scenarios/bench-calm.json",
        "--traders",
        "60",
        "--out",
        out,
        "--quiet",
        "--no-progress",
      ]);
      expect(run.code, run.stderr).to.equal(0);
      const set = (JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as Summary).sets[0];
      expect(set.liquidations.accountsLiquidatable).to.equal(0);
      expect(set.liquidations.auctions).to.equal(0);
      expect(set.liquidations.bids).to.equal(0);
      expect(set.losses.badDebt).to.equal(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
