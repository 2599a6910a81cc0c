/**
 * `npm run fuzz:mutations`: replays the mutation table of docs/TESTING.md ("Mutation table"). For each entry of
 * test/foundry/mutations/mutations.json it applies the patch to contracts/ (`git apply`), runs the recorded invariant
 * function in the recorded campaign with the recorded seed (`FUZZ_CAMPAIGN=<campaign> FUZZ_SEED=<seed> npm run
 * fuzz:forge -- --mt <invariant>`; the campaign is `short`, the one `npm test` runs, unless the entry names
 * another), reverts the patch (`git apply -R`, also on Ctrl-C or an error) and prints whether the campaign caught
 * the mutation. A catch counts only when the failure message names the expected invariant (`failure`), so a
 * mutant caught for an unrelated reason is reported as such.
 *
 * Options: `--only <id>[,<id>...]` runs only those entries; `--list` prints the entries; `--verbose` prints forge's
 * output and stack traces. Not part of `npm test` (each entry recompiles the mutated contract: about 1-3 minutes).
 *
 * Exit codes: 0 every expected catch happened; 1 a mutation expected to be caught was not (or a run failed to
 * compile); 2 bad option, unknown id, or contracts/ has uncommitted changes.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";

/** One row of the mutation table. */
interface Mutation {
  /** Patch file name without `.patch`, under test/foundry/mutations/. */
  id: string;
  /** `--mt` pattern of the invariant function expected to fail (one per test contract). */
  invariant: string;
  /** `--mc` pattern of the test contract to run (unset: every contract with that function). */
  contract?: string;
  /** Start of the expected failure message: the ID of the invariant that must break, e.g. "INV-20:". */
  failure: string;
  /** Campaign (foundry.toml profile) to run: `short` (CI's, the default), `default` or `long`. */
  campaign?: "short" | "default" | "long";
  /** Seed of the campaign (0x-hex); CI's is 0xba11a57. */
  seed: string;
  /** Whether the campaign at that seed is expected to fail with `failure`. */
  expectCaught: boolean;
}

const root = path.resolve(__dirname, "..");
const dir = path.join(root, "test", "foundry", "mutations");
const args = process.argv.slice(2);
const verbose = args.includes("--verbose");

function fail(message: string): never {
  console.error(`fuzz:mutations: ${message}`);
  process.exit(2);
}

if (args.includes("--help") || args.includes("-h")) {
  console.log(
    "Usage: npm run fuzz:mutations [-- --only <id>[,<id>...]] [--list] [--verbose]\n" +
      "  Applies each patch of test/foundry/mutations/mutations.json to contracts/, runs its invariant function with\n" +
      "  its campaign (short, CI's, unless the entry says otherwise) and seed, reverts the patch, and prints caught /\n" +
      "  not caught (a catch counts only with the entry's expected failure message).\n" +
      "Exit codes: 0 every expected catch happened, 1 an expected catch was missed, 2 bad option or dirty contracts/.",
  );
  process.exit(0);
}
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--only") i++;
  else if (!["--list", "--verbose"].includes(args[i])) fail(`unknown option "${args[i]}" (allowed: --only, --list, --verbose, --help)`);
}

const all: Mutation[] = JSON.parse(readFileSync(path.join(dir, "mutations.json"), "utf8"));
let selected = all;
const onlyAt = args.indexOf("--only");
if (onlyAt >= 0) {
  const ids = (args[onlyAt + 1] ?? "").split(",").filter((s) => s !== "");
  if (ids.length === 0) fail(`--only needs a comma-separated list of ids (allowed: ${all.map((m) => m.id).join(", ")})`);
  for (const id of ids) if (!all.some((m) => m.id === id)) fail(`--only "${id}" is not an id of mutations.json`);
  selected = all.filter((m) => ids.includes(m.id));
}
if (args.includes("--list")) {
  for (const m of selected) {
    const expect = m.expectCaught ? `caught ("${m.failure}")` : "not caught";
    console.log(`${m.id}  ${m.contract ?? "*"}.${m.invariant}  ${m.campaign ?? "short"} ${m.seed}  expect ${expect}`);
  }
  process.exit(0);
}

function git(...gitArgs: string[]): { ok: boolean; out: string } {
  const r = spawnSync("git", gitArgs, { cwd: root, encoding: "utf8" });
  return { ok: r.status === 0, out: (r.stdout ?? "") + (r.stderr ?? "") };
}

if (git("status", "--porcelain", "--", "contracts").out.trim() !== "") {
  fail("contracts/ has uncommitted changes; commit or stash them first (this runner patches and reverts contracts/)");
}

/** The patch currently applied, reverted on any exit path. */
let applied: string | undefined;
function revert(): void {
  if (applied === undefined) return;
  const r = git("apply", "-R", applied);
  if (!r.ok) console.error(`fuzz:mutations: could not revert ${applied}; run "git checkout -- contracts": ${r.out.trim()}`);
  applied = undefined;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    revert();
    process.exit(130);
  });
}

let missed = 0;
try {
  for (const m of selected) {
    const patch = path.join(dir, `${m.id}.patch`);
    const a = git("apply", patch);
    if (!a.ok) fail(`patch ${m.id}.patch does not apply: ${a.out.trim().split("\n")[0]}`);
    applied = patch;
    // A persisted counterexample would be replayed first and hide what this seed finds.
    rmSync(path.join(root, "forge-cache", "invariant"), { recursive: true, force: true });
    const started = Date.now();
    const match = ["--mt", m.invariant, ...(m.contract ? ["--mc", m.contract] : [])];
    const r = spawnSync("npx", ["ts-node", "--transpile-only", "scripts/fuzz-forge.ts", ...match], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, FUZZ_CAMPAIGN: m.campaign ?? "short", FUZZ_SEED: m.seed },
    });
    revert();
    const out = (r.stdout ?? "") + (r.stderr ?? "");
    if (verbose) console.log(out);
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    const compiled = !/Compiler run failed|Error \(\d+\)/.test(out);
    // Every failing contract's reason (forge prints each twice); the expected one counts wherever it comes.
    const reasons = [...out.matchAll(/\[FAIL: ([^\]]*)\]/g)].map((x) => x[1]);
    const failed = compiled && r.status === 1 && /\[FAIL/.test(out);
    const caught = failed && reasons.some((x) => x.startsWith(m.failure));
    const reason = (caught ? reasons.find((x) => x.startsWith(m.failure)) : reasons[0]) ?? "";
    const sequence = /\[Sequence\] \(original: (\d+), shrunk: (\d+)\)/.exec(out);
    const depth = sequence ? `, depth ${sequence[1]} (shrunk to ${sequence[2]})` : "";
    let verdict: string;
    if (!compiled) verdict = "ERROR: does not compile";
    else if (caught) verdict = `caught by ${m.invariant}${depth}: ${reason}`;
    else if (failed) verdict = `failed for another reason${depth}: ${reason}`;
    else verdict = "not caught";
    const ok = compiled && caught === m.expectCaught;
    if (!ok && m.expectCaught) missed++;
    const calls = /fuzz:forge: (\d+) handler calls/.exec(out)?.[1] ?? "?";
    console.log(`${ok ? "ok  " : "MISS"} ${m.id} (${m.campaign ?? "short"} ${m.seed}, ${calls} calls, ${seconds} s): ${verdict}`);
  }
} catch (e) {
  revert();
  if (verbose) throw e;
  fail(e instanceof Error ? e.message : String(e));
}
process.exit(missed > 0 ? 1 : 0);
