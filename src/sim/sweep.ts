/**
 * Monte Carlo sweeps: many replays (scenarios × seeds; each run holds all of its scenario's parameter sets) in
 * parallel worker processes, sharded across machines if wanted, aggregated into distributions and a recommended
 * insurance-fund size.
 *
 * Each run is an ordinary `hardhat simulate` process writing `runs/<id>/summary.json`, so a run of a sweep is
 * byte-identical to the same run made alone. `--shard k/n` runs the runs whose index i (in plan order) has
 * i mod n = k - 1 and records them; `merge` reads any set of shard directories, checks that every run of the plan is
 * there once, and aggregates. The aggregate depends only on the plan and the runs' summaries (sorted by plan index),
 * never on which machine or process made them or in which order they finished: merged shards and an unsharded sweep
 * give byte-identical `sweep-summary.json`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Summary } from "./summary";
import { clock, EtaEstimator } from "./progress";

/** What a sweep runs: every scenario with every seed, each with the same command-line overrides. */
export interface SweepPlan {
  /** Scenario files, relative to the repository root. */
  scenarios: string[];
  /** Seeds, in order. */
  seeds: number[];
  /** Overrides passed to every run (as `hardhat simulate` options). */
  overrides: { traders?: number; steps?: number; liquidators?: string; compare?: string; evm?: string };
  /** Confidence for the recommended insurance-fund size (0 < c < 1). */
  confidence: number;
}

/** One replay of a sweep. */
export interface SweepRun {
  /** Position in the plan (scenario-major, then seed). */
  index: number;
  scenario: string;
  seed: number;
  /** Directory name under `runs/`: `<scenario file name>-seed-<seed>`. */
  id: string;
}

/** A shard: the `k`-th (1-based) of `n` slices. */
export interface Shard {
  k: number;
  n: number;
}

/** Parses "k/n" (1 ≤ k ≤ n). Throws an Error naming the value and what is allowed. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) throw new Error(`--shard: "${text}" is not k/n with 1 <= k <= n (e.g. 2/8)`);
  return { k, n };
}

/** Every run of the plan, in plan order. */
export function planRuns(plan: SweepPlan): SweepRun[] {
  const runs: SweepRun[] = [];
  for (const scenario of plan.scenarios) {
    for (const seed of plan.seeds) {
      runs.push({ index: runs.length, scenario, seed, id: `${path.basename(scenario, ".json")}-seed-${seed}` });
    }
  }
  return runs;
}

/** The runs of shard k of n: those whose plan index i has i mod n = k - 1 (spreads slow scenarios over shards). */
export function shardRuns(runs: SweepRun[], shard: Shard): SweepRun[] {
  return runs.filter((r) => r.index % shard.n === shard.k - 1);
}

/** The manifest each sweep or shard directory holds (`sweep.json`). */
export interface SweepManifest {
  plan: SweepPlan;
  shard: Shard;
  /** Ids of the runs this directory holds, finished. */
  runs: string[];
}

const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

/** Runs one replay as a `hardhat simulate` child process; rejects with its last stderr line on failure. */
function runOne(root: string, run: SweepRun, plan: SweepPlan, outDir: string): Promise<void> {
  const args = [HARDHAT_CLI, "simulate", "--scenario", run.scenario, "--seed", String(run.seed), "--out", outDir, "--quiet"];
  const o = plan.overrides;
  if (o.traders !== undefined) args.push("--traders", String(o.traders));
  if (o.steps !== undefined) args.push("--steps", String(o.steps));
  if (o.liquidators) args.push("--liquidators", o.liquidators);
  if (o.compare) args.push("--compare", o.compare);
  if (o.evm) args.push("--evm", o.evm);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    });
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else {
        const last = stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? "";
        reject(new Error(`run ${run.id} failed (${signal ?? `exit ${code}`}): ${last}`));
      }
    });
  });
}

/** How a sweep reports and how wide it runs. */
export interface SweepOptions {
  /**
   * Worker processes at most at once (default: the machine's cores). Fewer run while memory is short: see
   * `memoryNeed` and `admits`.
   */
  concurrency?: number;
  /** Memory the sweep may fill (bytes; default: the memory available when it starts, `os.freemem()`). */
  memoryBudget?: number;
  /** Makes one run into its directory (default: a `hardhat simulate` child process); tests pass their own. */
  runner?: (run: SweepRun, runDir: string) => Promise<void>;
  /** Called with one plain line per event (run finished, heartbeat); nothing when undefined. */
  log?: (line: string) => void;
}

/**
 * Memory (bytes) to set aside for a run of a scenario whose runs peaked at `peak` so far: the peak plus a quarter;
 * with no peak seen yet, all of it (`Infinity`: such a run goes alone). A default-scenario run peaks near 1.4 GB on
 * anvil; on Hardhat's network (`--evm hardhat`) a run's memory grows with the EVM work it replays (about 25 bytes
 * per unit of gas executed, calls included: docs/SIMULATION.md, "Benchmark"), near 22 GB for the default scenario.
 */
export function memoryNeed(peak: number | undefined): number {
  return peak === undefined ? Infinity : peak * 1.25;
}

/**
 * Whether a run needing `need` bytes may start beside runs needing `running` within `budget` bytes and `max` runs:
 * always when nothing runs, otherwise when there is a free slot and the needs fit.
 */
export function admits(budget: number, running: readonly number[], need: number, max: number): boolean {
  if (running.length === 0) return true;
  return running.length < max && running.reduce((a, b) => a + b, 0) + need <= budget;
}

/** The memory a sweep may fill: what is free now, within the process's memory limit (a container's) if it has one. */
export function defaultMemoryBudget(): number {
  const limit = process.constrainedMemory?.() ?? 0;
  return limit > 0 ? Math.min(os.freemem(), limit) : os.freemem();
}

/** The peak memory (bytes) a finished run recorded in its `timings.json`, if any. */
function runPeakMemory(runDir: string): number | undefined {
  try {
    const t = JSON.parse(fs.readFileSync(path.join(runDir, "timings.json"), "utf8")) as { peakMemoryBytes?: number };
    return typeof t.peakMemoryBytes === "number" && t.peakMemoryBytes > 0 ? t.peakMemoryBytes : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `runs` of `plan` into `outDir/runs/<id>/`, at most `concurrency` at a time and as many as memory allows
 * (`memoryNeed`, `admits`), skipping runs whose summary is already
 * there (a sweep interrupted and started again resumes), and writes `outDir/sweep.json`.
 */
export async function runSweep(
  root: string,
  plan: SweepPlan,
  shard: Shard,
  outDir: string,
  opts: SweepOptions = {},
): Promise<SweepManifest> {
  const runs = shardRuns(planRuns(plan), shard);
  const concurrency = Math.max(1, opts.concurrency ?? os.cpus().length);
  fs.mkdirSync(path.join(outDir, "runs"), { recursive: true });
  const started = Date.now();
  const eta = new EtaEstimator(0);
  const budget = opts.memoryBudget ?? defaultMemoryBudget();
  // A run is done when its last file, timings.json, is written (summary.json comes first).
  const finishedRun = (r: SweepRun) => ["summary.json", "timings.json"].every((f) => fs.existsSync(path.join(outDir, "runs", r.id, f)));
  const todo = runs.filter((r) => !finishedRun(r));
  let done = runs.length - todo.length;
  // Each scenario's largest peak so far: from the runs already written (a resumed sweep), then from each run that ends.
  const peaks = new Map<string, number>();
  const notePeak = (r: SweepRun) => {
    const p = runPeakMemory(path.join(outDir, "runs", r.id));
    if (p !== undefined && p > (peaks.get(r.scenario) ?? 0)) peaks.set(r.scenario, p);
  };
  for (const r of runs) if (!todo.includes(r)) notePeak(r);
  const say = (text: string) => opts.log?.(`[${clock((Date.now() - started) / 1000)}] ${text}`);
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  say(
    `sweep: ${runs.length} runs (shard ${shard.k} of ${shard.n}), ${done} already done, at most ${concurrency} at a time ` +
      `within ${gib(budget)} of memory (a scenario's runs go one at a time until one reports its peak)`,
  );
  let running = 0;
  const heartbeat = setInterval(() => say(`sweep: ${done}/${runs.length} runs done, ${running} running, ${todo.length} waiting`), 5_000);
  heartbeat.unref();
  const failures: string[] = [];
  let doneHere = 0;
  // The next run waits until its memory need fits beside the running ones' (a run's end frees memory and may report
  // a peak); with nothing running it always starts.
  let wake: () => void = () => {};
  let finished = new Promise<void>((r) => (wake = r));
  const needs = new Map<SweepRun, number>();
  let lastWidth = 0;
  const worker = async () => {
    for (;;) {
      while (todo.length > 0 && !admits(budget, [...needs.values()], memoryNeed(peaks.get(todo[0].scenario)), concurrency)) await finished;
      const r = todo.shift();
      if (!r) return;
      needs.set(r, memoryNeed(peaks.get(r.scenario)));
      running++;
      if (running > lastWidth) {
        lastWidth = running;
        say(`sweep: ${running} runs at a time`);
      }
      let ok = false;
      try {
        const runDir = path.join(outDir, "runs", r.id);
        await (opts.runner ? opts.runner(r, runDir) : runOne(root, r, plan, runDir));
        ok = true;
      } catch (e) {
        failures.push((e as Error).message);
      } finally {
        running--;
        needs.delete(r);
      }
      if (ok) {
        done++;
        doneHere++;
        notePeak(r);
        const left = eta.estimate(doneHere, doneHere + todo.length, (Date.now() - started) / 1000, Date.now() / 1000);
        say(`run ${done}/${runs.length} done: ${r.id}${left !== undefined && left > 0 ? `, ETA ${clock(left)}` : ""}`);
      }
      const w = wake;
      finished = new Promise<void>((res) => (wake = res));
      w();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, () => worker()));
  } finally {
    clearInterval(heartbeat);
  }
  if (failures.length > 0) throw new Error(`${failures.length} of ${runs.length} runs failed; first: ${failures[0]}`);
  const manifest: SweepManifest = { plan, shard, runs: runs.map((r) => r.id) };
  fs.writeFileSync(path.join(outDir, "sweep.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

/** Distribution of one figure over the runs (cash in USDC, times in seconds, discounts as fractions). */
export interface Distribution {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The empirical quantile: the ⌈q·n⌉-th smallest value (an actual observation, never interpolated, so a high
 * quantile of few runs is the conservative larger value).
 */
export function quantileUp(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** A distribution over the runs that had the figure (a run without one, e.g. no auction, is left out). */
export interface PartialDistribution extends Distribution {
  /** Runs that had the figure (of the group's `runs`). */
  runs: number;
}

function partialDistribution(xs: number[]): PartialDistribution {
  return { ...distribution(xs), runs: xs.length };
}

function distribution(xs: number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    p50: r(quantileUp(s, 0.5)),
    p95: r(quantileUp(s, 0.95)),
    p99: r(quantileUp(s, 0.99)),
    max: r(s[s.length - 1] ?? 0),
    mean: r(mean),
  };
}

/** One run's figures for one parameter set. */
export interface RunFigures {
  id: string;
  seed: number;
  badDebt: number;
  paidByInsurance: number;
  /** Covered by automated deleveraging (cash units). */
  deleveraged: number;
  socialised: number;
  unrealisedBadDebt: number;
  minimumFund: number;
  /** The run's smallest sufficient fund counting no trading-fee income (penalties only). */
  minimumFundWithoutFeeIncome: number;
  /** The run's smallest sufficient fund counting no income at all: the stake alone (`losses.minimumFund.withoutAnyIncome`). */
  minimumFundWithoutAnyIncome: number;
  auctions: number;
  secondsToAuctionMedian: number | null;
  secondsToAuctionMax: number | null;
  discountMedian: number;
  /** The run's p99 start delay in blocks (`liquidations.blocksToAuction.p99`); null: no auction started. */
  blocksToAuctionP99: number | null;
  /**
   * The run's median discount over small portfolios' auctions (`liquidations.smallPortfolios.discountMedian`:
   * 0 < V < 500 USDC at start); null: none had a solvent fill (or a summary from before that figure).
   */
  smallPortfolioDiscountMedian: number | null;
}

/** The aggregate of one (scenario, parameter set) over every seed. */
export interface SweepGroup {
  scenario: string;
  set: string;
  runs: number;
  badDebt: Distribution;
  paidByInsurance: Distribution;
  deleveraged: Distribution;
  socialised: Distribution;
  unrealisedBadDebt: Distribution;
  minimumFund: Distribution;
  minimumFundWithoutFeeIncome: Distribution;
  /** The smallest sufficient stake counting no income at all. */
  minimumFundWithoutAnyIncome: Distribution;
  secondsToAuctionMedian: Distribution;
  secondsToAuctionMax: Distribution;
  discountMedian: Distribution;
  /** Over the runs with an auction: each run's p99 start delay, in blocks. */
  blocksToAuctionP99: PartialDistribution;
  /** Over the runs with a small portfolio's solvent fill: each run's median small-portfolio discount (fraction). */
  smallPortfolioDiscountMedian: PartialDistribution;
  /** Share of runs with any socialised loss. */
  runsWithSocialisedLoss: number;
  /**
   * The insurance fund that would have avoided any socialised loss in a share `confidence` of the runs: the
   * ⌈confidence·n⌉-th smallest of the runs' smallest sufficient funds (each computed from the run's own payouts,
   * income and per-event cap; see minimumInsuranceFund in summary.ts). USDC.
   */
  recommendedFund: number;
  /** The same from the runs' smallest sufficient funds counting no trading-fee income. USDC. */
  recommendedFundWithoutFeeIncome: number;
  /**
   * The same from the runs' smallest sufficient stakes counting no income at all (penalties and fees credited during
   * the run not counted): what the stake must hold if income cannot be relied on. USDC.
   */
  recommendedFundWithoutAnyIncome: number;
  perRun: RunFigures[];
}

/** `sweep-summary.json`. */
export interface SweepSummary {
  plan: SweepPlan;
  groups: SweepGroup[];
}

/**
 * Aggregates the runs' summaries (by plan order) into distributions per scenario and parameter set.
 * @param summaries run id → its summary.json content; must hold every run of the plan.
 */
export function aggregateSweep(plan: SweepPlan, summaries: Map<string, Summary>): SweepSummary {
  const runs = planRuns(plan);
  const missing = runs.filter((r) => !summaries.has(r.id)).map((r) => r.id);
  if (missing.length > 0) throw new Error(`sweep incomplete: ${missing.length} runs missing (first: ${missing[0]})`);
  const groups = new Map<string, { scenario: string; set: string; rows: RunFigures[] }>();
  for (const r of runs) {
    const s = summaries.get(r.id)!;
    for (const set of s.sets) {
      const key = `${r.scenario}\0${set.name}`;
      const g = groups.get(key) ?? { scenario: r.scenario, set: set.name, rows: [] };
      groups.set(key, g);
      const lq = set.liquidations;
      g.rows.push({
        id: r.id,
        seed: r.seed,
        badDebt: set.losses.badDebt,
        paidByInsurance: set.losses.paidByInsurance,
        deleveraged: set.losses.deleveraged,
        socialised: set.losses.socialised,
        unrealisedBadDebt: set.losses.unrealisedInRunningAuctions,
        minimumFund: set.losses.minimumFundWithoutSocialisedLoss,
        minimumFundWithoutFeeIncome: set.losses.minimumFund.withoutFeeIncome,
        minimumFundWithoutAnyIncome: set.losses.minimumFund.withoutAnyIncome,
        auctions: lq.auctions,
        secondsToAuctionMedian: lq.secondsToAuction.median,
        secondsToAuctionMax: lq.secondsToAuction.max,
        discountMedian: lq.discountAtFill.median,
        blocksToAuctionP99: lq.blocksToAuction?.p99 ?? null,
        smallPortfolioDiscountMedian: lq.smallPortfolios?.discountMedian ?? null,
      });
    }
  }
  const out: SweepGroup[] = [];
  for (const g of groups.values()) {
    const col = (f: (r: RunFigures) => number | null) => g.rows.map(f).filter((x): x is number => x !== null);
    const minFunds = col((r) => r.minimumFund).sort((a, b) => a - b);
    const minFundsNoFees = col((r) => r.minimumFundWithoutFeeIncome).sort((a, b) => a - b);
    const stakesAlone = col((r) => r.minimumFundWithoutAnyIncome).sort((a, b) => a - b);
    out.push({
      scenario: g.scenario,
      set: g.set,
      runs: g.rows.length,
      badDebt: distribution(col((r) => r.badDebt)),
      paidByInsurance: distribution(col((r) => r.paidByInsurance)),
      deleveraged: distribution(col((r) => r.deleveraged)),
      socialised: distribution(col((r) => r.socialised)),
      unrealisedBadDebt: distribution(col((r) => r.unrealisedBadDebt)),
      minimumFund: distribution(minFunds),
      minimumFundWithoutFeeIncome: distribution(minFundsNoFees),
      minimumFundWithoutAnyIncome: distribution(stakesAlone),
      secondsToAuctionMedian: distribution(col((r) => r.secondsToAuctionMedian)),
      secondsToAuctionMax: distribution(col((r) => r.secondsToAuctionMax)),
      discountMedian: distribution(col((r) => r.discountMedian)),
      blocksToAuctionP99: partialDistribution(col((r) => r.blocksToAuctionP99)),
      smallPortfolioDiscountMedian: partialDistribution(col((r) => r.smallPortfolioDiscountMedian)),
      runsWithSocialisedLoss: Math.round((1e4 * g.rows.filter((r) => r.socialised > 0).length) / g.rows.length) / 1e4,
      recommendedFund: quantileUp(minFunds, plan.confidence),
      recommendedFundWithoutFeeIncome: quantileUp(minFundsNoFees, plan.confidence),
      recommendedFundWithoutAnyIncome: quantileUp(stakesAlone, plan.confidence),
      perRun: g.rows,
    });
  }
  return { plan, groups: out };
}

/** Reads the runs of one or more sweep/shard directories; checks they belong to one plan and cover it exactly once. */
export function readSweepDirs(dirs: string[]): { plan: SweepPlan; summaries: Map<string, Summary> } {
  if (dirs.length === 0) throw new Error("merge: no shard directories given");
  let plan: SweepPlan | undefined;
  const summaries = new Map<string, Summary>();
  for (const dir of dirs) {
    const file = path.join(dir, "sweep.json");
    if (!fs.existsSync(file)) throw new Error(`merge: ${file} is missing (not a finished sweep or shard directory)`);
    const m = JSON.parse(fs.readFileSync(file, "utf8")) as SweepManifest;
    if (plan && JSON.stringify(plan) !== JSON.stringify(m.plan)) throw new Error(`merge: ${dir} belongs to another sweep plan`);
    plan = m.plan;
    for (const id of m.runs) {
      if (summaries.has(id)) throw new Error(`merge: run ${id} appears in more than one directory`);
      summaries.set(id, JSON.parse(fs.readFileSync(path.join(dir, "runs", id, "summary.json"), "utf8")) as Summary);
    }
  }
  return { plan: plan!, summaries };
}

/** Serialises a sweep summary deterministically. */
export function sweepJson(s: SweepSummary): string {
  return JSON.stringify(s, null, 2) + "\n";
}

/** Per-run figures as CSV (one row per run and parameter set). */
export function sweepCsv(s: SweepSummary): string {
  const head = [
    "scenario",
    "set",
    "seed",
    "badDebt",
    "paidByInsurance",
    "socialised",
    "unrealisedBadDebt",
    "minimumFund",
    "minimumFundWithoutFeeIncome",
    "auctions",
    "secondsToAuctionMedian",
    "secondsToAuctionMax",
    "discountMedian",
    "blocksToAuctionP99",
    "smallPortfolioDiscountMedian",
    "minimumFundWithoutAnyIncome",
    "deleveraged",
  ];
  const rows = s.groups.flatMap((g) =>
    g.perRun.map((r) =>
      [
        g.scenario,
        g.set,
        r.seed,
        r.badDebt,
        r.paidByInsurance,
        r.socialised,
        r.unrealisedBadDebt,
        r.minimumFund,
        r.minimumFundWithoutFeeIncome,
        r.auctions,
        r.secondsToAuctionMedian ?? "",
        r.secondsToAuctionMax ?? "",
        r.discountMedian,
        r.blocksToAuctionP99 ?? "",
        r.smallPortfolioDiscountMedian ?? "",
        r.minimumFundWithoutAnyIncome,
        r.deleveraged,
      ].join(","),
    ),
  );
  return [head.join(","), ...rows].join("\n") + "\n";
}
