/**
 * `npm run fuzz:forge`: runs the Foundry invariant campaign of test/foundry (docs/TESTING.md, "Foundry invariant
 * campaign") with a printed seed, and reports handler calls per second.
 *
 * Environment:
 * - `FUZZ_CAMPAIGN`: `short` (inside `npm test`, 115,200 handler calls), unset (default, 460,800) or `long`
 *   (10 million); selects the foundry.toml profile of that name (runs x depth per test contract, one invariant function
 *   per contract).
 * - `FUZZ_SEED`: the seed (decimal or 0x-hex, or `random`). Unset: the short campaign uses the fixed
 *   `SHORT_CAMPAIGN_SEED` (so `npm test` is deterministic, like the Hardhat suites' fixed seeds); the default and
 *   long campaigns draw a random one. The seed is always printed; the same seed and campaign replay the same calls.
 * Extra arguments are passed to `forge test` (e.g. `--mc BallastInvariants -vv`).
 *
 * Each run is appended to reports/fuzz-forge.jsonl (campaign, seed, calls, seconds, exit code).
 *
 * Reproducibility: a campaign is a function of the sources, the campaign and the seed. forge replays a failing
 * sequence it persisted in `forge-cache/invariant/` before fuzzing, which would make a run depend on the runs before
 * it, so the runner deletes that directory first; a failure is replayed by its printed seed instead (foundry.toml
 * also keeps storage values out of the fuzz dictionary, which forge fills in a per-process order). The sources are
 * compiled by a separate `forge build` first: forge 1.7.1 fuzzes differently in a `forge test` that compiles than in
 * one that finds everything compiled (measured: the same seed caught a mutant only in the run that compiled it), so
 * `forge test` must never compile.
 *
 * Exit codes: forge's own (0 all invariants held, 1 an invariant failed or forge failed); 2 bad environment value.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

const CAMPAIGNS = ["short", "default", "long"] as const;
/** Seed of the short campaign inside `npm test` when FUZZ_SEED is unset. */
const SHORT_CAMPAIGN_SEED = "0xba11a57";
type Campaign = (typeof CAMPAIGNS)[number];

function fail(message: string): never {
  console.error(`fuzz:forge: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(
    "Usage: npm run fuzz:forge [-- <forge test options>]\n" +
      "  FUZZ_CAMPAIGN=short|default|long   campaign size (default: default)\n" +
      "  FUZZ_SEED=<decimal, 0x-hex or random> reproduce a campaign (default: fixed for short, else random; printed)\n" +
      "Exit codes: 0 invariants held, 1 an invariant failed or forge failed, 2 bad environment value.",
  );
  process.exit(0);
}

const campaign = (process.env.FUZZ_CAMPAIGN ?? "default") as Campaign;
if (!CAMPAIGNS.includes(campaign)) fail(`FUZZ_CAMPAIGN="${campaign}" is not one of ${CAMPAIGNS.join(", ")}`);
let seed: string;
if (process.env.FUZZ_SEED === undefined && campaign === "short") {
  seed = SHORT_CAMPAIGN_SEED;
} else if (process.env.FUZZ_SEED && process.env.FUZZ_SEED !== "random") {
  try {
    seed = "0x" + BigInt(process.env.FUZZ_SEED).toString(16);
  } catch {
    fail(`FUZZ_SEED="${process.env.FUZZ_SEED}" is not a decimal or 0x-hex integer, or "random"`);
  }
} else {
  seed = "0x" + randomBytes(8).toString("hex");
}

const root = path.resolve(__dirname, "..");

/**
 * The native forge binary of @foundry-rs/forge's platform package. The package's `bin.mjs` wrapper does not pass
 * forge's exit code on (it exits 0 when tests fail), so the binary is called directly when it can be found; the
 * output is checked for failures either way.
 */
function forgeBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  try {
    return require.resolve(`@foundry-rs/forge-${process.platform}-${arch}/bin/forge`, { paths: [root] });
  } catch {
    return path.join(root, "node_modules", ".bin", "forge");
  }
}
const forge = forgeBinary();
console.log(
  `Foundry invariant campaign "${campaign}", seed ${seed} (reproduce: FUZZ_CAMPAIGN=${campaign} FUZZ_SEED=${seed} npm run fuzz:forge)`,
);

// Persisted failures of earlier runs (foundry.toml `failure_persist_dir`): replayed first by forge, so removed.
rmSync(path.join(root, "forge-cache", "invariant"), { recursive: true, force: true });

// Compile first, in its own process, so that the campaign below always starts from a compiled project.
const env = { ...process.env, FOUNDRY_PROFILE: campaign };
const build = spawnSync(forge, ["build"], { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
if (build.status !== 0) {
  console.error(`fuzz:forge: forge build failed (exit ${build.status ?? "signal"}); no campaign ran`);
  process.exit(1);
}

const started = Date.now();
const child = spawn(forge, ["test", "--fuzz-seed", seed, ...args], {
  cwd: root,
  env,
  stdio: ["ignore", "pipe", "inherit"],
});
let output = "";
child.stdout.on("data", (chunk: Buffer) => {
  output += chunk.toString();
  process.stdout.write(chunk);
});
child.on("close", (code) => {
  const failed = /Suite result: FAILED|Encountered a total of \d+ failing test|Compiler run failed/.test(output);
  const exit = code === 0 && failed ? 1 : (code ?? 1);
  // "invariant_protocol() (runs: 96, calls: 38400, reverts: 0)" per invariant function, under the line naming its
  // test contract ("Ran 1 test for <path>:<Contract>", or "Encountered 1 failing test in <path>:<Contract>" before
  // forge repeats a failing function's line in its summary), so each contract's function counts once even when two
  // contracts share the function's name; "Ran 3 test suites in 25.09s" for the whole run (all suites; each suite's
  // own "finished in" would count only one of them).
  const perFunction = new Map<string, number>();
  let contract = "";
  for (const line of output.split("\n")) {
    const header = /^(?:Ran \d+ tests? for|Encountered \d+ failing tests? in) (\S+)/.exec(line);
    if (header) contract = header[1];
    const result = /(\w+)\(\) \(runs: \d+, calls: (\d+)/.exec(line);
    if (result) perFunction.set(`${contract}.${result[1]}`, Number(result[2]));
  }
  const calls = [...perFunction.values()].reduce((s, n) => s + n, 0);
  const suite = /Ran \d+ test suites? in ([\d.]+)(ms|s)/.exec(output) ?? /Suite result: .*finished in ([\d.]+)(ms|s)/.exec(output);
  const seconds = suite ? Number(suite[1]) / (suite[2] === "ms" ? 1000 : 1) : (Date.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(calls / seconds) : 0;
  console.log(`fuzz:forge: ${calls} handler calls in ${seconds.toFixed(1)} s of campaign (${rate} calls/s), seed ${seed}`);
  mkdirSync(path.join(root, "reports"), { recursive: true });
  const record = { date: new Date().toISOString(), campaign, seed, calls, seconds, callsPerSecond: rate, exitCode: exit };
  appendFileSync(path.join(root, "reports", "fuzz-forge.jsonl"), JSON.stringify(record) + "\n");
  process.exit(exit);
});
