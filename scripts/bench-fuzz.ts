/**
 * Throughput benchmark of the property-based suites: runs each suite for a fixed number of runs with a fixed seed
 * and reports cases (differential comparisons) or commands (stateful steps) per second for every property, then the
 * Foundry invariant campaign (`npm run fuzz:forge`, scripts/fuzz-forge.ts) with the same seed and a fixed profile
 * and its handler calls per second, so that the numbers can be compared over time. Writes reports/bench-fuzz.json.
 * Never asserts speed.
 *
 * Usage: npm run bench:fuzz [-- --help]; settings in the environment (`USAGE` below). A bad setting fails with one
 * line naming the variable and the allowed values (exit code 2); a suite or campaign that fails still gets its row,
 * and the benchmark then exits 1 (README.md, "Exit codes").
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { PropertyStats } from "../test/shared/fuzz";
import { badValue, CliError, EXIT, parseWholeNumber, runMain } from "../src/cli/errors";
import { MAX_LINE_WIDTH } from "../src/cli/table";

const ROOT = path.join(__dirname, "..");
/** The Hardhat suites: id (for BENCH_SUITES), name, test files. */
const SUITES: [string, string, string[]][] = [
  ["marginMath", "MarginMath/WadMath harness", ["test/fuzz/marginMath.test.ts"]],
  ["volatility", "volatility and ramp", ["test/fuzz/volatility.test.ts"]],
  ["auctionMath", "AuctionMath harness", ["test/fuzz/auctionMath.test.ts"]],
  ["engineMargin", "engine margin (accounts)", ["test/fuzz/engineMargin.test.ts"]],
  ["liquidationPrice", "liquidation price boundary", ["test/fuzz/liquidationPrice.test.ts"]],
  ["auction", "liquidation auctions", ["test/fuzz/auction.test.ts"]],
  ["insurance", "insurance inflation", ["test/invariant/insurance.test.ts"]],
  ["protocol", "stateful protocol", ["test/invariant/protocol.test.ts"]],
];
/** foundry.toml profiles the benchmark may run (the long campaign takes hours and is not a benchmark). */
const FORGE_CAMPAIGNS = ["short", "default"] as const;

const USAGE = `Usage: npm run bench:fuzz [-- --help]
Runs the Hardhat property suites and the Foundry invariant campaign with a fixed seed; prints cases, commands or
handler calls per second and writes reports/bench-fuzz.json. Never asserts speed.
  BENCH_RUNS=<n>                  runs per Hardhat property (default 10)
  BENCH_STEPS=<n>                 commands per stateful run (default 30)
  BENCH_SEED=<n>                  seed of every suite and of the Foundry campaign (default 1)
  BENCH_SUITES=<id,...>|none      Hardhat suites to run (default all):
    ${SUITES.map((s) => s[0]).join(", ")}
  BENCH_FORGE=1|0                 run the Foundry campaign (default 1)
  BENCH_FORGE_CAMPAIGN=short|default  its foundry.toml profile (default default)
Exit codes: 0 done, 1 a suite or the campaign failed (its row is still written), 2 a bad setting.`;

/** One run of the Foundry campaign, from the record scripts/fuzz-forge.ts appends to reports/fuzz-forge.jsonl. */
interface ForgeBench {
  campaign: string;
  /** Seed passed to forge (0x-hex). */
  seed: string;
  /** Handler calls made by all invariant campaigns together. */
  calls: number;
  /** Campaign time reported by forge ("Ran N test suites in", all suites), seconds; compilation excluded. */
  seconds: number;
  /** `calls / seconds`. */
  callsPerSecond: number;
  /** Wall time of `npm run fuzz:forge` including compilation, seconds. */
  wallSeconds: number;
  exitCode: number | null;
}

/** The benchmark's settings from the environment. @throws UserError naming the variable and the allowed values. */
function settings() {
  const runs = String(parseWholeNumber("BENCH_RUNS", process.env.BENCH_RUNS ?? "10", 1));
  const steps = String(parseWholeNumber("BENCH_STEPS", process.env.BENCH_STEPS ?? "30", 1));
  const seed = String(parseWholeNumber("BENCH_SEED", process.env.BENCH_SEED ?? "1", 0));
  const ids = SUITES.map((s) => s[0]);
  const list = process.env.BENCH_SUITES ?? ids.join(",");
  const wanted = list === "none" ? [] : list.split(",").map((t) => t.trim());
  if (list !== "none" && (wanted.length === 0 || wanted.some((t) => !ids.includes(t))))
    throw badValue("BENCH_SUITES", list, `"none" or a comma-separated list of ${ids.join(", ")}`);
  const forge = process.env.BENCH_FORGE ?? "1";
  if (forge !== "0" && forge !== "1") throw badValue("BENCH_FORGE", forge, "1 (run the Foundry campaign) or 0 (skip it)");
  const campaign = process.env.BENCH_FORGE_CAMPAIGN ?? "default";
  if (!(FORGE_CAMPAIGNS as readonly string[]).includes(campaign))
    throw badValue("BENCH_FORGE_CAMPAIGN", campaign, FORGE_CAMPAIGNS.join(" or "));
  return { runs, steps, seed, suites: SUITES.filter((s) => wanted.includes(s[0])), forgeCampaign: forge === "1" ? campaign : undefined };
}

/**
 * Runs `npm run fuzz:forge` with the campaign's profile and `seed`, its output shown, and returns the record it
 * appended to reports/fuzz-forge.jsonl (calls 0 when it appended none, e.g. forge could not start).
 */
function benchForge(campaign: string, seed: string): ForgeBench {
  const log = path.join(ROOT, "reports", "fuzz-forge.jsonl");
  const before = fs.existsSync(log) ? fs.statSync(log).size : 0;
  const t0 = Date.now();
  const r = spawnSync("npx", ["ts-node", "--transpile-only", "scripts/fuzz-forge.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, FUZZ_CAMPAIGN: campaign, FUZZ_SEED: seed },
  });
  const wallSeconds = (Date.now() - t0) / 1000;
  const appended = fs.existsSync(log) ? fs.readFileSync(log).subarray(before).toString("utf8").trim().split("\n").filter(Boolean) : [];
  const last = appended.length > 0 ? (JSON.parse(appended[appended.length - 1]) as Partial<ForgeBench>) : {};
  return {
    campaign,
    seed: last.seed ?? `0x${BigInt(seed).toString(16)}`,
    calls: last.calls ?? 0,
    seconds: last.seconds ?? 0,
    callsPerSecond: last.callsPerSecond ?? 0,
    wallSeconds,
    exitCode: r.status,
  };
}

/** `text` cut to `width` characters, an ellipsis marking the cut. */
const fit = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, width - 1)}…`);

function main(): void {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  const { runs, steps, seed, suites, forgeCampaign } = settings();
  const out = path.join(os.tmpdir(), `bench-fuzz-${process.pid}.jsonl`);
  fs.rmSync(out, { force: true });
  const results: (PropertyStats & { wallSeconds: number; exitCode: number | null })[] = [];
  for (const [, suite, files] of suites) {
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
  const forge = forgeCampaign === undefined ? null : benchForge(forgeCampaign, seed);
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
  if (forge) {
    console.log(
      fit(
        `Foundry invariant campaign "${forge.campaign}", seed ${forge.seed}${forge.exitCode ? "  (campaign failed)" : ""}`,
        MAX_LINE_WIDTH,
      ),
    );
    const line = columns(["", String(forge.calls), "calls", String(forge.callsPerSecond), "", forge.seconds.toFixed(1)]);
    console.log(line + fit(`all invariants (${forge.wallSeconds.toFixed(0)} s with compilation)`, MAX_LINE_WIDTH - line.length));
  }
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    seed: Number(seed),
    runsPerProperty: Number(runs),
    stepsPerStatefulRun: Number(steps),
    results: rows,
    /** The Foundry campaign (null with BENCH_FORGE=0). */
    forge,
  };
  fs.mkdirSync(path.join(ROOT, "reports"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "reports", "bench-fuzz.json"), JSON.stringify(report, null, 2) + "\n");
  console.log("\nwrote reports/bench-fuzz.json");
  const failed = [...new Set(rows.filter((r) => r.exitCode).map((r) => r.suite))];
  if (forge?.exitCode) failed.push(`Foundry campaign "${forge.campaign}"`);
  if (failed.length > 0)
    throw new CliError(`${failed.length} suite(s) failed: ${failed.join(", ")} (their output is above)`, EXIT.internal);
}

void runMain(main);
