/**
 * Throughput benchmark of the property-based suites: runs each suite for a fixed number of runs with a fixed seed
 * and reports cases (differential comparisons) or commands (stateful steps) per second for every property, so that
 * the numbers can be compared over time. Writes reports/bench-fuzz.json. Never asserts speed.
 *
 * Usage: npm run bench:fuzz   (BENCH_RUNS=<runs per property, default 10>, BENCH_STEPS=<commands per stateful run,
 * default 30>, BENCH_SEED=<seed, default 1>).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PropertyStats } from "../test/shared/fuzz";

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

function main(): void {
  const runs = process.env.BENCH_RUNS ?? "10";
  const steps = process.env.BENCH_STEPS ?? "30";
  const seed = process.env.BENCH_SEED ?? "1";
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
  console.log(
    `${"suite".padEnd(28)} ${"runs".padStart(5)} ${"count".padStart(8)} ${"unit".padEnd(9)} ${"per s".padStart(9)} ${"runs/s".padStart(7)} ${"time s".padStart(7)}  property`,
  );
  for (const r of rows) {
    console.log(
      `${r.suite.padEnd(28)} ${String(r.runs).padStart(5)} ${String(r.count).padStart(8)} ${r.unit.padEnd(9)} ${String(r.perSecond).padStart(9)} ${String(r.runsPerSecond).padStart(7)} ${r.seconds.toFixed(1).padStart(7)}  ${r.property.slice(0, 70)}${r.exitCode ? "  (suite failed)" : ""}`,
    );
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
}

main();
