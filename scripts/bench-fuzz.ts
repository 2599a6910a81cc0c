/**
 * Throughput benchmark of the property-based suites: runs each suite for a fixed number of runs with a fixed seed
 * and reports cases (differential comparisons) or commands (stateful steps) per second for every property, so that
 * the numbers can be compared over time. Writes reports/bench-fuzz.json. Never asserts speed.
 *
 * Usage: npm run bench:fuzz   (BENCH_RUNS=<runs per property, default 10>, BENCH_STEPS=<commands per stateful run,
 * default 30>, BENCH_SEED=<seed, default 1>). A bad setting fails with one line naming the variable (exit code 2); a
 * suite that fails still gets its row, and the benchmark then exits 1 (README.md, "Exit codes").
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PropertyStats } from "../test/shared/fuzz";
import { CliError, EXIT, parseWholeNumber, runMain } from "../src/cli/errors";
import { MAX_LINE_WIDTH } from "../src/cli/table";

const ROOT = path.join(__dirname, "..");
const SUITES: [string, string[]][] = [
  ["MarginMath/WadMath harness", ["test/fuzz/marginMath.test.ts"]],
  ["volatility and ramp", ["test/fuzz/volatility.test.ts"]],
  ["AuctionMath harness", ["test/fuzz/auctionMath.test.ts"]],
  ["engine margin (accounts)", ["test/fuzz/engineMargin.test.ts"]],
  ["liquidation price boundary", ["test/fuzz/liquidationPrice.test.ts"]],
  ["liquidation auctions", ["test/fuzz/auction.test.ts"]],
  ["insurance inflation", ["test/invariant/insurance.test.ts"]],
  ["stateful protocol", ["test/invariant/protocol.test.ts"]],
];

/** `text` cut to `width` characters, an ellipsis marking the cut. */
const fit = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

function main(): void {
  const runs = String(parseWholeNumber("BENCH_RUNS", process.env.BENCH_RUNS ?? "10", 1));
  const steps = String(parseWholeNumber("BENCH_STEPS", process.env.BENCH_STEPS ?? "30", 1));
  const seed = String(parseWholeNumber("BENCH_SEED", process.env.BENCH_SEED ?? "1", 0));
  const out = path.join(os.tmpdir(), `bench-fuzz-${process.pid}.jsonl`);
  fs.rmSync(out, { force: true });
  const results: (PropertyStats & { wallSeconds: number; exitCode: number | null })[] = [];
  for (const [suite, files] of SUITES) {
    const t0 = Date.now();
    const r = spawnSync("npx", ["hardhat", "test", ...files], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        FUZZ_RUNS: runs,
        FUZZ_STEPS: steps,
        FUZZ_SEED: seed,
        FUZZ_BENCH_OUT: out,
      },
    });
    const wallSeconds = (Date.now() - t0) / 1000;
    const lines = fs.existsSync(out) ? fs.readFileSync(out, "utf8").trim().split("\n").filter(Boolean) : [];
    fs.rmSync(out, { force: true });
    for (const l of lines) results.push({ ...(JSON.parse(l) as PropertyStats), suite, wallSeconds, exitCode: r.status });
    if (lines.length === 0)
      results.push({
        suite,
        property: "(no statistics)",
        seed: 0,
        runs: 0,
        cases: 0,
        commands: 0,
        seconds: 0,
        wallSeconds,
        exitCode: r.status,
      });
  }
  const rows = results.map((s) => {
    const unit = s.commands > 0 ? "commands" : "cases";
    const count = s.commands > 0 ? s.commands : s.cases;
    return {
      ...s,
      unit,
      count,
      perSecond: s.seconds > 0 ? Number((count / s.seconds).toFixed(2)) : 0,
      runsPerSecond: s.seconds > 0 ? Number((s.runs / s.seconds).toFixed(3)) : 0,
    };
  });
  console.log("\nFuzz throughput (fixed seed %s, %s runs per property, %s commands per stateful run)\n", seed, runs, steps);
  // One line per suite, then its properties indented: every line fits MAX_LINE_WIDTH characters.
  const columns = (c: string[]) =>
    `  ${c[0].padStart(5)} ${c[1].padStart(8)} ${c[2].padEnd(8)} ${c[3].padStart(9)} ${c[4].padStart(7)} ${c[5].padStart(7)}  `;
  const head = columns(["runs", "count", "unit", "per s", "runs/s", "time s"]);
  console.log(`${head}property`);
  let suite = "";
  for (const r of rows) {
    if (r.suite !== suite) {
      suite = r.suite;
      console.log(fit(`${suite}${r.exitCode ? "  (suite failed)" : ""}`, MAX_LINE_WIDTH));
    }
    const line = columns([String(r.runs), String(r.count), r.unit, String(r.perSecond), String(r.runsPerSecond), r.seconds.toFixed(1)]);
    console.log(line + fit(r.property, MAX_LINE_WIDTH - line.length));
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    seed: Number(seed),
    runsPerProperty: Number(runs),
    stepsPerStatefulRun: Number(steps),
    results: rows,
  };
  fs.mkdirSync(path.join(ROOT, "reports"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "reports", "bench-fuzz.json"), JSON.stringify(report, null, 2) + "\n");
  console.log("\nwrote reports/bench-fuzz.json");
  const failed = [...new Set(rows.filter((r) => r.exitCode).map((r) => r.suite))];
  if (failed.length > 0)
    throw new CliError(`${failed.length} suite(s) failed: ${failed.join(", ")} (their output is above)`, EXIT.internal);
}

void runMain(main);
