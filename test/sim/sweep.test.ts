/**
 * Monte Carlo sweeps (src/sim/sweep.ts), without running the EVM: the plan and its shards (every run in exactly one
 * shard), the conservative quantile, the aggregate (distributions and recommended insurance fund) and its
 * independence from the order in which runs finished or the shard they ran in.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import fc from "fast-check";
import {
  admits,
  aggregateSweep,
  memoryNeed,
  parseShard,
  planRuns,
  quantileUp,
  runSweep,
  shardRuns,
  sweepCsv,
  sweepJson,
  type SweepPlan,
} from "../../src/sim/sweep";
import type { Summary } from "../../src/sim/summary";
import { sweepVerdict } from "../../src/sim/sweepCli";
import { runHardhat } from "../shared/processes";

const plan: SweepPlan = {
  scenarios: ["scenarios/smoke.json", "scenarios/bench.json"],
  seeds: [1, 2, 3, 4, 5],
  overrides: {},
  confidence: 0.95,
};

/** A summary with just the figures the aggregate reads. */
function fakeSummary(seed: number, scenario: string): Summary {
  const x = seed * (scenario.includes("bench") ? 10 : 1);
  const set = (name: string, k: number) => ({
    name,
    losses: {
      badDebt: 100 * x * k,
      paidByInsurance: 90 * x * k,
      deleveraged: seed === 5 ? 7 * k : 0,
      socialised: seed % 2 === 0 ? 10 * x * k : 0,
      unrealisedInRunningAuctions: x,
      minimumFundWithoutSocialisedLoss: 1000 * x * k,
      minimumFund: { withoutFeeIncome: 1100 * x * k, withoutAnyIncome: 1500 * x * k },
    },
    liquidations: {
      auctions: x,
      secondsToAuction: { median: 12, p90: 24, max: 12 * seed },
      blocksToAuction: { median: 1, p90: 2, p99: seed === 3 ? null : seed * k, max: seed * k },
      discountAtFill: { median: 0.02 * k },
      smallPortfolios: { discountMedian: seed % 2 === 1 ? 0.01 * seed : null },
    },
  });
  return { sets: [set("baseline", 1), set("slow-auction", 2)] } as unknown as Summary;
}

describe("simulator: Monte Carlo sweeps", function () {
  it("plans every scenario with every seed, scenario-major, with stable ids", function () {
    const runs = planRuns(plan);
    expect(runs.length).to.equal(10);
    expect(runs[0]).to.deep.equal({ index: 0, scenario: "scenarios/smoke.json", seed: 1, id: "smoke-seed-1" });
    expect(runs[9]).to.deep.equal({ index: 9, scenario: "scenarios/bench.json", seed: 5, id: "bench-seed-5" });
  });

  it("puts every run in exactly one shard, for any number of shards", function () {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 12 }), (seeds, n) => {
        const p = { ...plan, seeds: Array.from({ length: seeds }, (_, i) => i + 1) };
        const all = planRuns(p);
        const seen = Array.from({ length: n }, (_, k) => shardRuns(all, { k: k + 1, n }))
          .flat()
          .map((r) => r.index)
          .sort((a, b) => a - b);
        if (JSON.stringify(seen) !== JSON.stringify(all.map((r) => r.index))) throw new Error(`shards of ${n} miss or repeat runs`);
      }),
    );
  });

  it("parses k/n and refuses anything else, naming the value", function () {
    expect(parseShard("2/8")).to.deep.equal({ k: 2, n: 8 });
    for (const bad of ["0/4", "5/4", "2", "a/b", "1/0"]) expect(() => parseShard(bad)).to.throw(`--shard: "${bad}" is not k/n`);
  });

  it("takes the ceil(q*n)-th smallest value as the quantile (never interpolated)", function () {
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(quantileUp(xs, 0.5)).to.equal(10);
    expect(quantileUp(xs, 0.95)).to.equal(19);
    expect(quantileUp(xs, 0.99)).to.equal(20);
    expect(quantileUp([7], 0.99)).to.equal(7);
  });

  it("aggregates per scenario and parameter set, recommending the fund that covers 95% of the runs", function () {
    const summaries = new Map(planRuns(plan).map((r) => [r.id, fakeSummary(r.seed, r.scenario)]));
    const s = aggregateSweep(plan, summaries);
    expect(s.groups.map((g) => `${g.scenario}:${g.set}:${g.runs}`)).to.deep.equal([
      "scenarios/smoke.json:baseline:5",
      "scenarios/smoke.json:slow-auction:5",
      "scenarios/bench.json:baseline:5",
      "scenarios/bench.json:slow-auction:5",
    ]);
    const g = s.groups[0];
    expect(g.minimumFund).to.deep.equal({ p50: 3000, p95: 5000, p99: 5000, max: 5000, mean: 3000 });
    expect(g.recommendedFund).to.equal(5000);
    expect(g.minimumFundWithoutFeeIncome).to.deep.equal({ p50: 3300, p95: 5500, p99: 5500, max: 5500, mean: 3300 });
    expect(g.recommendedFundWithoutFeeIncome).to.equal(5500);
    // The stake alone (no penalty or fee income counted): 1,500 x seed.
    expect(g.minimumFundWithoutAnyIncome).to.deep.equal({ p50: 4500, p95: 7500, p99: 7500, max: 7500, mean: 4500 });
    expect(g.recommendedFundWithoutAnyIncome).to.equal(7500);
    expect(sweepVerdict(g, plan.confidence)).to.match(
      /\(5,500\.00 USDC counting no trading-fee income, 7,500\.00 USDC counting no income at all\)$/,
    );
    // Later CSV columns come last, so the columns before them keep their places.
    const csv = sweepCsv(s).split("\n");
    expect(csv[0].split(",").slice(-3)).to.deep.equal(["smallPortfolioDiscountMedian", "minimumFundWithoutAnyIncome", "deleveraged"]);
    expect(csv[1].split(",").slice(7, 9).concat(csv[1].split(",").slice(-2))).to.deep.equal(["1000", "1100", "1500", "0"]);
    // Automated deleveraging's distribution over the runs (seed 5 alone had any): 7 x the set's factor.
    expect(g.deleveraged).to.deep.equal({ p50: 0, p95: 7, p99: 7, max: 7, mean: 1.4 });
    expect(g.runsWithSocialisedLoss).to.equal(0.4);
    expect(g.secondsToAuctionMax.max).to.equal(60);
  });

  it("aggregates each run's start-delay p99 (blocks) and small-portfolio discount median over the runs that had one", function () {
    const summaries = new Map(planRuns(plan).map((r) => [r.id, fakeSummary(r.seed, r.scenario)]));
    const [baseline, slow] = aggregateSweep(plan, summaries).groups;
    // seeds 1, 2, 4, 5 have a p99 (seed 3 none): 1, 2, 4, 5 blocks; x2 in the second set
    expect(baseline.blocksToAuctionP99).to.deep.equal({ p50: 2, p95: 5, p99: 5, max: 5, mean: 3, runs: 4 });
    expect(slow.blocksToAuctionP99).to.deep.equal({ p50: 4, p95: 10, p99: 10, max: 10, mean: 6, runs: 4 });
    // odd seeds 1, 3, 5 have small portfolios with a solvent fill: 0.01, 0.03, 0.05
    expect(baseline.smallPortfolioDiscountMedian).to.deep.equal({ p50: 0.03, p95: 0.05, p99: 0.05, max: 0.05, mean: 0.03, runs: 3 });
    expect(baseline.perRun.map((r) => [r.blocksToAuctionP99, r.smallPortfolioDiscountMedian])).to.deep.equal([
      [1, 0.01],
      [2, null],
      [null, 0.03],
      [4, null],
      [5, 0.05],
    ]);
    const csv = sweepCsv(aggregateSweep(plan, summaries)).split("\n");
    expect(
      csv[0].endsWith(",discountMedian,blocksToAuctionP99,smallPortfolioDiscountMedian,minimumFundWithoutAnyIncome,deleveraged"),
    ).to.equal(true);
    expect(csv[3].endsWith(",0.02,,0.03,4500,0")).to.equal(true); // smoke, baseline, seed 3: no p99, 0.03, no ADL
  });

  it("treats a run summary without the newer figures as a run without them", function () {
    const old = (seed: number, scenario: string) => {
      const s = fakeSummary(seed, scenario) as unknown as { sets: { liquidations: Record<string, unknown> }[] };
      for (const set of s.sets) {
        delete set.liquidations.blocksToAuction;
        delete set.liquidations.smallPortfolios;
      }
      return s as unknown as Summary;
    };
    const g = aggregateSweep(plan, new Map(planRuns(plan).map((r) => [r.id, old(r.seed, r.scenario)]))).groups[0];
    expect(g.blocksToAuctionP99).to.deep.equal({ p50: 0, p95: 0, p99: 0, max: 0, mean: 0, runs: 0 });
    expect(g.smallPortfolioDiscountMedian.runs).to.equal(0);
  });

  it("gives byte-identical output whatever order the runs finished in (merged shards equal an unsharded sweep)", function () {
    const runs = planRuns(plan);
    const inOrder = new Map(runs.map((r) => [r.id, fakeSummary(r.seed, r.scenario)]));
    const shuffled = new Map([...runs].reverse().map((r) => [r.id, fakeSummary(r.seed, r.scenario)]));
    expect(sweepJson(aggregateSweep(plan, shuffled))).to.equal(sweepJson(aggregateSweep(plan, inOrder)));
    expect(sweepCsv(aggregateSweep(plan, shuffled))).to.equal(sweepCsv(aggregateSweep(plan, inOrder)));
  });

  it("refuses to aggregate an incomplete sweep, naming a missing run", function () {
    const summaries = new Map(
      planRuns(plan)
        .slice(1)
        .map((r) => [r.id, fakeSummary(r.seed, r.scenario)]),
    );
    expect(() => aggregateSweep(plan, summaries)).to.throw("sweep incomplete: 1 runs missing (first: smoke-seed-1)");
  });
});

describe("simulator: a sweep runs only as many replays at once as memory holds", function () {
  const GiB = 2 ** 30;

  it("sets aside a scenario's largest peak plus a quarter, and all the memory before any peak is known", function () {
    expect(memoryNeed(undefined)).to.equal(Infinity);
    expect(memoryNeed(4 * GiB)).to.equal(5 * GiB);
  });

  it("starts a run when nothing runs, else only when a slot is free and the needs fit the budget", function () {
    expect(admits(22 * GiB, [], Infinity, 2)).to.equal(true);
    // A default-scenario run (about 22 GB at its peak) beside another: 2 x 27.4 GB > 22 GiB.
    expect(admits(22 * GiB, [memoryNeed(21.9e9)], memoryNeed(21.9e9), 2)).to.equal(false);
    expect(admits(22 * GiB, [memoryNeed(3 * GiB)], memoryNeed(3 * GiB), 2)).to.equal(true);
    expect(admits(22 * GiB, [memoryNeed(3 * GiB), memoryNeed(3 * GiB)], memoryNeed(3 * GiB), 2)).to.equal(false);
    expect(admits(22 * GiB, [memoryNeed(3 * GiB)], Infinity, 8)).to.equal(false);
    // 22 GiB holds five runs of 3.75 GiB (a 3 GiB peak plus a quarter), not six.
    const four = Array.from({ length: 4 }, () => memoryNeed(3 * GiB));
    expect(admits(22 * GiB, four, memoryNeed(3 * GiB), 8)).to.equal(true);
    expect(admits(22 * GiB, [...four, memoryNeed(3 * GiB)], memoryNeed(3 * GiB), 8)).to.equal(false);
  });

  /** What a finished run leaves in `runDir`: its summary, then its timings with peak memory `peak` (bytes). */
  function writeFakeRun(runDir: string, peak: number): void {
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, "summary.json"), "{}\n");
    fs.writeFileSync(path.join(runDir, "timings.json"), JSON.stringify({ peakMemoryBytes: peak }));
  }

  /**
   * Runs a sweep of `scenarios` x `seeds` with fake runs whose peak is `peakOf(scenario)`; returns the most runs that
   * went at once in all and per scenario.
   */
  async function widest(
    scenarios: string[],
    seeds: number,
    peakOf: (scenario: string) => number,
    budget: number,
    concurrency: number,
    dir: string,
  ) {
    const now = new Map<string, number>();
    let all = 0;
    let most = 0;
    const mostOf = new Map<string, number>();
    const runner = async (r: { scenario: string }, runDir: string) => {
      now.set(r.scenario, (now.get(r.scenario) ?? 0) + 1);
      most = Math.max(most, ++all);
      mostOf.set(r.scenario, Math.max(mostOf.get(r.scenario) ?? 0, now.get(r.scenario)!));
      await new Promise((res) => setTimeout(res, 20));
      writeFakeRun(runDir, peakOf(r.scenario));
      now.set(r.scenario, now.get(r.scenario)! - 1);
      all--;
    };
    const p: SweepPlan = { ...plan, scenarios, seeds: Array.from({ length: seeds }, (_, i) => i + 1) };
    const m = await runSweep(".", p, { k: 1, n: 1 }, dir, { concurrency, memoryBudget: budget, runner });
    expect(m.runs.length).to.equal(scenarios.length * seeds);
    return { most, mostOf };
  }

  it("keeps runs that peak near the budget to one at a time, widens for small ones, and never counts one scenario's peak for another", async function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-sweep-mem-"));
    try {
      expect((await widest(["big.json"], 6, () => 21.9e9, 22 * GiB, 2, path.join(tmp, "big"))).most).to.equal(1);
      expect((await widest(["small.json"], 12, () => 1 * GiB, 22 * GiB, 4, path.join(tmp, "small"))).most).to.equal(4);
      expect((await widest(["mid.json"], 12, () => 8 * GiB, 22 * GiB, 4, path.join(tmp, "mid"))).most).to.equal(2);
      // Small runs first, then big ones: the small runs' peak never lets two big runs start together.
      const mixed = await widest(
        ["small.json", "big.json"],
        6,
        (s) => (s === "big.json" ? 21.9e9 : 1 * GiB),
        22 * GiB,
        4,
        path.join(tmp, "mixed"),
      );
      expect(mixed.mostOf.get("small.json")).to.equal(4);
      expect(mixed.mostOf.get("big.json")).to.equal(1);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("starts again a run that wrote its summary but not its timings (killed before it ended)", async function () {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-sweep-resume-"));
    try {
      const half = path.join(tmp, "runs", "small-seed-1");
      fs.mkdirSync(half, { recursive: true });
      fs.writeFileSync(path.join(half, "summary.json"), "{}\n");
      const ran: string[] = [];
      const runner = async (r: { id: string }, runDir: string) => {
        ran.push(r.id);
        writeFakeRun(runDir, GiB);
      };
      const p: SweepPlan = { ...plan, scenarios: ["small.json"], seeds: [1, 2] };
      await runSweep(".", p, { k: 1, n: 1 }, tmp, { concurrency: 2, memoryBudget: 22 * GiB, runner });
      expect(ran.sort()).to.deep.equal(["small-seed-1", "small-seed-2"]);
      ran.length = 0;
      await runSweep(".", p, { k: 1, n: 1 }, tmp, { concurrency: 2, memoryBudget: 22 * GiB, runner });
      expect(ran).to.deep.equal([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("simulator: a sweep sharded across two machines equals the same sweep run whole", function () {
  this.timeout(900_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-sweep-"));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("writes byte-identical sweep-summary.json and sweep.csv from simulate-merge of shards 1/2 and 2/2", async function () {
    const sweep = (out: string, extra: string[]) =>
      runHardhat([
        "simulate",
        "--scenario",
        "scenarios/smoke.json",
        "--steps",
        "1",
        "--seeds",
        "2",
        "--concurrency",
        "1",
        "--quiet",
        "--out",
        out,
        ...extra,
      ]);
    const runs = await Promise.all([
      sweep(path.join(tmp, "whole"), []),
      sweep(path.join(tmp, "s1"), ["--shard", "1/2"]),
      sweep(path.join(tmp, "s2"), ["--shard", "2/2"]),
    ]);
    for (const r of runs) expect(r.code, r.stderr).to.equal(0);
    const merge = await runHardhat(["simulate-merge", "--out", path.join(tmp, "merged"), path.join(tmp, "s2"), path.join(tmp, "s1")]);
    expect(merge.code, merge.stderr).to.equal(0);
    for (const f of ["sweep-summary.json", "sweep.csv", "sweep-report.html"]) {
      const whole = fs.readFileSync(path.join(tmp, "whole", f));
      expect(fs.readFileSync(path.join(tmp, "merged", f)).equals(whole), f).to.equal(true);
    }
    const s = JSON.parse(fs.readFileSync(path.join(tmp, "whole", "sweep-summary.json"), "utf8")) as { groups: { runs: number }[] };
    expect(s.groups.map((g) => g.runs)).to.deep.equal([2]);
    // Each run records its process's peak memory, which sizes how many runs go at once.
    for (const id of ["smoke-seed-1", "smoke-seed-2"]) {
      const t = JSON.parse(fs.readFileSync(path.join(tmp, "whole", "runs", id, "timings.json"), "utf8")) as { peakMemoryBytes: number };
      expect(t.peakMemoryBytes, id).to.be.greaterThan(100 * 2 ** 20);
    }
  });

  it("refuses to merge a shard set that misses a shard, naming the missing run", async function () {
    const merge = await runHardhat(["simulate-merge", "--out", path.join(tmp, "partial"), path.join(tmp, "s1")]);
    expect(merge.code).to.equal(2);
    expect(merge.stderr).to.match(/merge: sweep incomplete: 1 runs missing \(first: smoke-seed-2\)/);
  });
});
