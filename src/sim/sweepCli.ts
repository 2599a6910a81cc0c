/**
 * `npx hardhat simulate --seeds N [--shard k/n]` and `npx hardhat simulate-merge`: run a Monte Carlo sweep
 * (src/sim/sweep.ts) and write its aggregate — `sweep-summary.json` (deterministic), `sweep.csv` (one row per run and
 * parameter set) and `sweep-report.html` (distributions and the recommended insurance fund, self-contained SVG).
 */
import fs from "node:fs";
import path from "node:path";
import * as echarts from "echarts";
import { UserError } from "../cli/errors";
import type { SimulateOptions } from "../cli/simulate";
import { base, renderChart } from "./report";
import { aggregateSweep, readSweepDirs, runSweep, sweepCsv, sweepJson, type SweepGroup, type SweepPlan, type SweepSummary } from "./sweep";

type Option = echarts.EChartsCoreOption;

/** The files an aggregate is written to. */
export interface SweepFiles {
  summary: string;
  csv: string;
  report: string;
}

/** Writes the aggregate of `summary` into `outDir`. */
export function writeSweepOutputs(summary: SweepSummary, outDir: string): SweepFiles {
  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    summary: path.join(outDir, "sweep-summary.json"),
    csv: path.join(outDir, "sweep.csv"),
    report: path.join(outDir, "sweep-report.html"),
  };
  fs.writeFileSync(files.summary, sweepJson(summary));
  fs.writeFileSync(files.csv, sweepCsv(summary));
  fs.writeFileSync(files.report, renderSweepReport(summary));
  return files;
}

/** Runs the sweep `opts.sweep` asks for; aggregates it when it is the whole sweep (shard 1/1). */
export async function runSweepCommand(root: string, opts: SimulateOptions, out: { quiet: boolean; progress: boolean }): Promise<void> {
  const sw = opts.sweep!;
  const plan: SweepPlan = {
    scenarios: [opts.scenario],
    seeds: sw.seeds,
    overrides: { traders: opts.traders, steps: opts.steps, liquidators: opts.liquidators, compare: opts.compare, evm: opts.evm },
    confidence: sw.confidence,
  };
  const whole = sw.shard.n === 1;
  const outDir = path.resolve(
    root,
    opts.out ??
      path.join("reports", "sweep", path.basename(opts.scenario, ".json") + (whole ? "" : `-shard-${sw.shard.k}-of-${sw.shard.n}`)),
  );
  const log = out.progress ? (line: string) => process.stderr.write(line + "\n") : undefined;
  await runSweep(root, plan, sw.shard, outDir, { concurrency: sw.concurrency, log });
  if (!whole) {
    if (!out.quiet)
      process.stdout.write(`shard ${sw.shard.k} of ${sw.shard.n} written to ${outDir}; combine with \`npx hardhat simulate-merge\`\n`);
    return;
  }
  const { summaries } = readSweepDirs([outDir]);
  const summary = aggregateSweep(plan, summaries);
  const files = writeSweepOutputs(summary, outDir);
  if (!out.quiet) printSweep(summary, files);
}

/** Merges shard directories into one aggregate in `outDir`. @throws UserError when they do not cover one plan. */
export function runMergeCommand(root: string, shardDirs: string[], outDir: string): void {
  let read;
  try {
    read = readSweepDirs(shardDirs.map((d) => path.resolve(root, d)));
  } catch (e) {
    throw new UserError((e as Error).message);
  }
  let summary: SweepSummary;
  try {
    summary = aggregateSweep(read.plan, read.summaries);
  } catch (e) {
    throw new UserError(`merge: ${(e as Error).message}`);
  }
  printSweep(summary, writeSweepOutputs(summary, path.resolve(root, outDir)));
}

const usd = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** One line per (scenario, parameter set): the sweep's verdict. */
export function sweepVerdict(g: SweepGroup, confidence: number): string {
  return (
    `${g.scenario} / ${g.set}: ${g.runs} seeds; socialised loss in ${pct(g.runsWithSocialisedLoss)} of them ` +
    `(p99 ${usd(g.socialised.p99)} USDC); bad debt p50 ${usd(g.badDebt.p50)}, p99 ${usd(g.badDebt.p99)} USDC; ` +
    `recommended insurance fund at ${pct(confidence)}: ${usd(g.recommendedFund)} USDC ` +
    `(${usd(g.recommendedFundWithoutFeeIncome)} USDC counting no trading-fee income, ` +
    `${usd(g.recommendedFundWithoutAnyIncome)} USDC counting no income at all)`
  );
}

function printSweep(s: SweepSummary, files: SweepFiles): void {
  for (const g of s.groups) process.stdout.write(sweepVerdict(g, s.plan.confidence) + "\n");
  process.stdout.write(`summary: ${files.summary}\ncsv:     ${files.csv}\nreport:  ${files.report}\n`);
}

/** Sorted values against their cumulative share: the empirical distribution function. */
function cdfChart(title: string, unit: string, series: { name: string; values: number[] }[]): Option {
  return {
    ...base(title),
    xAxis: { type: "value", name: unit, nameLocation: "middle", nameGap: 28 },
    yAxis: {
      type: "value",
      min: 0,
      max: 100,
      name: "share of seeds (%)",
      nameLocation: "end",
      nameGap: 10,
      nameTextStyle: { align: "left" },
    },
    series: series.map((x) => {
      const v = [...x.values].sort((a, b) => a - b);
      return { name: x.name, type: "line", step: "end", showSymbol: false, data: v.map((y, i) => [y, ((i + 1) * 100) / v.length]) };
    }),
  };
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The sweep's HTML report: a verdict per group, a table of distributions, and CDF charts. */
export function renderSweepReport(s: SweepSummary): string {
  const rows = (g: SweepGroup) =>
    (
      [
        ["Bad debt (USDC)", g.badDebt],
        ["Paid by the insurance fund (USDC)", g.paidByInsurance],
        ["Covered by automated deleveraging (USDC)", g.deleveraged],
        ["Socialised loss (USDC)", g.socialised],
        ["Bad debt not yet realised (USDC)", g.unrealisedBadDebt],
        ["Smallest sufficient insurance fund, counting all fund income (USDC)", g.minimumFund],
        ["Smallest sufficient insurance fund, without fee income (USDC)", g.minimumFundWithoutFeeIncome],
        ["Smallest sufficient stake, counting no fund income at all (USDC)", g.minimumFundWithoutAnyIncome],
        ["Median time liquidatable -> auction (s)", g.secondsToAuctionMedian],
        ["Longest time liquidatable -> auction (s)", g.secondsToAuctionMax],
        ["Median discount at fill", g.discountMedian],
        [`Start delay p99 (blocks), over the ${g.blocksToAuctionP99.runs} of ${g.runs} runs with an auction`, g.blocksToAuctionP99],
        [
          `Median small-portfolio discount (0 < V < 500 USDC at start), over the ${g.smallPortfolioDiscountMedian.runs} of ${g.runs} runs with one`,
          g.smallPortfolioDiscountMedian,
        ],
      ] as const
    )
      .map(
        ([label, d]) => `<tr><th>${esc(label)}</th>${[d.p50, d.p95, d.p99, d.max, d.mean].map((x) => `<td>${usd(x)}</td>`).join("")}</tr>`,
      )
      .join("\n");
  const charts = [
    {
      id: "minimum-fund",
      option: cdfChart(
        "Smallest sufficient insurance fund per seed",
        "USDC",
        s.groups.map((g) => ({ name: `${g.scenario} / ${g.set}`, values: g.perRun.map((r) => r.minimumFund) })),
      ),
    },
    {
      id: "minimum-stake",
      option: cdfChart(
        "Smallest sufficient stake per seed, counting no fund income",
        "USDC",
        s.groups.map((g) => ({
          name: `${g.scenario} / ${g.set}`,
          values: g.perRun.map((r) => r.minimumFundWithoutAnyIncome),
        })),
      ),
    },
    {
      id: "bad-debt",
      option: cdfChart(
        "Bad debt per seed",
        "USDC",
        s.groups.map((g) => ({ name: `${g.scenario} / ${g.set}`, values: g.perRun.map((r) => r.badDebt) })),
      ),
    },
    {
      id: "socialised",
      option: cdfChart(
        "Socialised loss per seed",
        "USDC",
        s.groups.map((g) => ({ name: `${g.scenario} / ${g.set}`, values: g.perRun.map((r) => r.socialised) })),
      ),
    },
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballast Monte Carlo sweep</title>
<style>
* { box-sizing: border-box; }
body { font-family: sans-serif; margin: 24px auto; padding: 0 16px; max-width: 1200px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; }
.verdict { font-size: 15px; padding: 10px 14px; border-radius: 6px; border: 1px solid #d0d7de; background: #f6f8fa; margin: 6px 0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
thead th, tbody th { background: #f6f8fa; text-align: left; }
figure.chart { margin: 0 0 16px; border: 1px solid #d0d7de; padding: 8px; width: 918px; max-width: 100%; overflow-x: auto; }
.note { font-size: 12px; color: #57606a; }
</style>
</head>
<body>
<h1>Ballast Monte Carlo sweep</h1>
${s.groups.map((g) => `<p class="verdict">${esc(sweepVerdict(g, s.plan.confidence))}</p>`).join("\n")}
<p class="note">Seeds ${s.plan.seeds[0]}-${s.plan.seeds[s.plan.seeds.length - 1]}; quantiles are the ceil(q*n)-th smallest run (docs/SIMULATION.md, "Monte Carlo sweeps").</p>
${s.groups
  .map(
    (g) => `<h2>${esc(g.scenario)} / ${esc(g.set)} (${g.runs} seeds)</h2>
<table><thead><tr><th></th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>mean</th></tr></thead><tbody>
${rows(g)}
</tbody></table>`,
  )
  .join("\n")}
<h2>Distributions</h2>
${charts.map((c) => `<figure class="chart" data-chart="${c.id}">${renderChart(c.option)}</figure>`).join("\n")}
</body>
</html>
`;
}
