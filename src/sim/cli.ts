/**
 * What `npx hardhat simulate` (and `npm run simulate`) does: load a scenario, apply the command line's overrides,
 * run it, write `summary.json`, `report.html`, the per-auction records (`auctions.json`, `auctions.csv`), one keeper
 * log per parameter set and `timings.json` (wall-clock timings live there, never in the summary), and print the key
 * numbers.
 */
import { nodePeakMemoryBytes } from "./node";
import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import Table from "cli-table3";
import pc from "picocolors";
import { loadScenario, readParameterSet, STRATEGIES, type LiquidatorSpec, type Scenario, type StrategyKind } from "./scenario";
import { simulate } from "./run";
import { auctionRows, auctionsCsv, auctionsJson, buildSummary, summaryJson, type Summary } from "./summary";
import { keyRows, renderReport } from "./report";
import { Progress } from "./progress";
import type { SimulateOptions } from "../cli/simulate";
import { UserError } from "../cli/errors";
import { fitToWidth } from "../cli/table";
import { WAD } from "../model/wad";

export const DEFAULT_SCENARIO = "scenarios/black-thursday.json";

/** What one run needs: the validated options of the command line (src/cli/simulate.ts) and how to report. */
export type SimulateArgs = Omit<SimulateOptions, "gates" | "sweep"> & {
  progress: boolean;
  quiet: boolean;
  /** A reporter already showing earlier phases (the task's compile); made from `progress`/`quiet` if absent. */
  reporter?: Progress;
};

export interface SimulateOutput {
  summary: Summary;
  outDir: string;
  files: { summary: string; report: string; timings: string; keeperLogs: string[]; auctionsJson: string; auctionsCsv: string };
  wallSeconds: number;
  steps: number;
}

/** Liquidators from a comma-separated list of strategies, reusing the scenario's settings for each strategy. */
export function liquidatorsFromList(s: Scenario, list: string): LiquidatorSpec[] {
  const kinds = list.split(",").map((k) => k.trim());
  const counts: Record<string, number> = {};
  return kinds.map((k) => {
    if (!(STRATEGIES as readonly string[]).includes(k))
      throw new UserError(`--liquidators: unknown strategy "${k}" (use ${STRATEGIES.join(", ")})`);
    const kind = k as StrategyKind;
    counts[kind] = (counts[kind] ?? 0) + 1;
    const template = s.liquidators.find((l) => l.strategy === kind) ?? {
      name: kind,
      strategy: kind,
      capital: kind === "flash" ? 0n : 2_000_000n * WAD, // 2,000,000 cash units
      minProfit: 25n * WAD, // 25 cash units
      targetDiscount: kind === "patient" ? 8n * 10n ** 16n : 0n,
      gasShare: 2n * 10n ** 17n,
      minPriorityFee: 10n ** 9n,
      maxPriorityFee: 1000n * 10n ** 9n,
      hedge: true,
      latency: 0,
    };
    return { ...template, name: `${kind}-${counts[kind]}` };
  });
}

/** The scenario with the command line's overrides applied. */
export function scenarioWithOverrides(args: SimulateArgs, root: string): Scenario {
  const s = loadScenario(args.scenario, root);
  if (args.seed !== undefined) s.seed = args.seed;
  if (args.traders !== undefined) s.traders.count = args.traders;
  if (args.liquidators) s.liquidators = liquidatorsFromList(s, args.liquidators);
  if (args.compare) {
    s.parameterSets = [s.parameterSets[0], readParameterSet(args.compare, s.protocol.base.cash?.symbol ?? "USDC")];
  }
  return s;
}

export async function runSimulateCommand(hre: HardhatRuntimeEnvironment, args: SimulateArgs): Promise<SimulateOutput> {
  const root = hre.config.paths.root;
  const scenario = scenarioWithOverrides(args, root);
  const outDir = path.resolve(root, args.out ?? path.join("reports", "sim", path.basename(args.scenario, ".json")));
  fs.mkdirSync(outDir, { recursive: true });
  const progress = args.reporter ?? new Progress({ silent: !args.progress || args.quiet, bar: process.stderr.isTTY === true });
  const started = Date.now();
  const result = await simulate(hre, scenario, { progress, maxSteps: args.steps, engine: args.evm });
  const wallSeconds = (Date.now() - started) / 1000;
  progress.phase("report", outDir);
  const summary = buildSummary(result);
  const files = {
    summary: path.join(outDir, "summary.json"),
    report: path.join(outDir, "report.html"),
    timings: path.join(outDir, "timings.json"),
    keeperLogs: result.sets.map((_, i) => path.join(outDir, `keeper-${i + 1}.log`)),
    auctionsJson: path.join(outDir, "auctions.json"),
    auctionsCsv: path.join(outDir, "auctions.csv"),
  };
  fs.writeFileSync(files.summary, summaryJson(summary));
  const auctions = auctionRows(result);
  fs.writeFileSync(files.auctionsJson, auctionsJson(auctions));
  fs.writeFileSync(files.auctionsCsv, auctionsCsv(auctions));
  fs.writeFileSync(files.report, renderReport(summary));
  result.sets.forEach((set, i) => fs.writeFileSync(files.keeperLogs[i], set.keeperLog.join("\n") + "\n"));
  const steps = summary.scenario.steps;
  fs.writeFileSync(
    files.timings,
    JSON.stringify(
      {
        wallSeconds,
        stepsPerSecond: (steps * result.sets.length) / wallSeconds,
        // The process's peak resident memory: a sweep sizes how many runs go at once by it (src/sim/sweep.ts).
        // This process's peak plus its node's (anvil runs as a child process, one set after the other).
        peakMemoryBytes: process.resourceUsage().maxRSS * 1024 + nodePeakMemoryBytes(),
        sets: result.sets.map((s) => ({ name: s.name, seconds: s.timings, keeperReads: s.rpcCalls, scans: s.scans })),
      },
      null,
      2,
    ) + "\n",
  );
  progress.done();
  if (!args.quiet) printSummary(summary, files, wallSeconds, steps * result.sets.length);
  return { summary, outDir, files, wallSeconds, steps };
}

/** Column heads of the per-set liquidator table the command prints (amounts in USDC). */
export function liquidatorTableHead(setName: string): string[] {
  return [
    `liquidators (${setName})`,
    "strategy",
    "starts won/sent",
    "bids won/sent",
    "reverted",
    "gas USDC",
    "wasted USDC",
    "profit kept USDC",
  ];
}

export function printSummary(s: Summary, files: SimulateOutput["files"], wallSeconds: number, steps: number): void {
  const out = (line = "") => process.stdout.write(line + "\n");
  out();
  out(
    pc.bold(`Ballast simulation: ${s.scenario.name}`) +
      pc.dim(` (seed ${s.scenario.seed}, ${s.scenario.steps} steps, ${s.scenario.traders} traders)`),
  );
  const key = new Table({ head: ["", ...s.sets.map((x) => x.name)], style: { head: ["cyan"] } });
  for (const r of keyRows(s)) key.push(r.map(String));
  out(fitToWidth(key).toString());
  for (const set of s.sets) {
    const t = new Table({ head: liquidatorTableHead(set.name), style: { head: ["cyan"] } });
    for (const l of set.liquidators) {
      t.push(
        [
          l.name,
          l.strategy,
          `${l.startsWon}/${l.startsSent}`,
          `${l.bidsWon}/${l.bidsSent}`,
          l.reverted,
          l.gasCost.toFixed(2),
          l.wastedGasCost.toFixed(2),
          l.pnl.toFixed(2),
        ].map(String),
      );
    }
    out(fitToWidth(t).toString());
    for (const l of set.liquidators.filter((x) => x.ownAccountsLiquidated.auctions > 0))
      out(
        pc.yellow(
          `keeper ${l.name} was itself liquidated: ${l.ownAccountsLiquidated.auctions} auctions on its own accounts, ${l.ownAccountsLiquidated.badDebt.toFixed(2)} USDC bad debt`,
        ),
      );
    const reverts = set.reverts.map((r) => `${r.actor} ${r.error} ${r.count}`);
    if (reverts.length > 0) out(`reverted by actor and error: ${reverts.join(", ")}`);
    const ok = set.invariants.ok;
    out(
      ok
        ? pc.green(`invariants hold at the end (${set.invariants.accountsChecked} accounts)`)
        : pc.red(`invariant violations: ${set.invariants.violations.join("; ")}`),
    );
  }
  out(`wall time ${wallSeconds.toFixed(1)} s, ${(steps / wallSeconds).toFixed(2)} steps/s`);
  out(`summary: ${files.summary}`);
  out(`report:  ${files.report}`);
  out(`auctions: ${files.auctionsCsv} (and .json)`);
}
