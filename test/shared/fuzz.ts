/**
 * Run control of the property-based suites (test/fuzz, test/invariant): campaign size, seeds, replay, failure
 * reports and throughput statistics.
 *
 * Environment:
 * - FUZZ_RUNS=<n>        runs per property (default: each property's bounded size, see docs/TESTING.md)
 * - FUZZ_SEED=<int>      seed of every property (default: a fixed seed per property, derived from its name);
 *                        "random" draws one per property and prints it
 * - FUZZ_PATH=<path>     replays one counterexample (with its FUZZ_SEED; run that test alone with --grep)
 * - FUZZ_REPLAY_PATH=<p> the command-sequence replay path of a stateful failure (with FUZZ_SEED and FUZZ_PATH)
 * - FUZZ_CAMPAIGN=long   every property runs LONG_FACTOR times its bounded size (unless FUZZ_RUNS is set) and the
 *                        seed is random unless FUZZ_SEED is set: `npm run fuzz`
 * - FUZZ_BENCH_OUT=<file> appends one JSON line of statistics per property (scripts/bench-fuzz.ts)
 * - FUZZ_VERBOSE=1       fast-check verbose reports
 */
import fs from "node:fs";
import fc from "fast-check";

/** How much larger a long campaign is than the bounded one in `npm test`. */
export const LONG_FACTOR = 20;

const env = process.env;
const long = env.FUZZ_CAMPAIGN === "long";

/** FNV-1a of a property name: its default seed, so that the bounded campaign is deterministic. */
export function nameSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h | 0;
}

/** The number of runs of a property whose bounded size is `bounded`. */
export function runsFor(bounded: number): number {
  if (env.FUZZ_RUNS) return Math.max(1, Number.parseInt(env.FUZZ_RUNS, 10));
  return long ? bounded * LONG_FACTOR : bounded;
}

/** The seed of property `name`. */
export function seedFor(name: string): number {
  const s = env.FUZZ_SEED;
  if (s && s !== "random") return Number.parseInt(s, 10) | 0;
  if (s === "random" || long) return (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  return nameSeed(name);
}

/** The replay path of a failing command sequence, when replaying one (FUZZ_REPLAY_PATH). */
export const replayPath = (): string | undefined => env.FUZZ_REPLAY_PATH || undefined;

/** A mocha timeout for `runs` runs of about `msPerRun` each (generous: shared CPUs vary). */
export function timeoutFor(runs: number, msPerRun: number): number {
  return Math.max(120_000, runs * msPerRun * 4 + 60_000);
}

// ------------------------------------------------------------------ statistics

interface Counter {
  cases: number;
  commands: number;
}
let counter: Counter = { cases: 0, commands: 0 };

/** Counts `n` evaluated cases (a batch of differential comparisons counts each comparison's case). */
export function countCases(n = 1): void {
  counter.cases += n;
}

/** Counts `n` executed commands of a stateful run. */
export function countCommands(n = 1): void {
  counter.commands += n;
}

export interface PropertyStats {
  suite: string;
  property: string;
  seed: number;
  runs: number;
  cases: number;
  commands: number;
  seconds: number;
}

// ------------------------------------------------------------------ running a property

/** Seconds spent shrinking a failure before reporting the smallest counterexample found (FUZZ_SHRINK_SECONDS). */
const SHRINK_SECONDS = Number(env.FUZZ_SHRINK_SECONDS ?? (long ? 600 : 60));
const shrink: { failedAt: number | undefined } = { failedAt: undefined };

/**
 * fc.asyncProperty with a shrinking budget: once a run has failed and SHRINK_SECONDS have passed, further shrink
 * candidates are accepted without running, so fast-check reports the smallest failing counterexample found so far
 * (its seed and path replay it exactly).
 */
export function prop<Ts extends [unknown, ...unknown[]]>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => Promise<void>,
): fc.IAsyncProperty<Ts> {
  const guarded = async (...args: Ts): Promise<void> => {
    if (shrink.failedAt !== undefined && Date.now() - shrink.failedAt > SHRINK_SECONDS * 1000) return;
    try {
      await predicate(...args);
    } catch (e) {
      shrink.failedAt ??= Date.now();
      throw e;
    }
  };
  const asyncProperty = fc.asyncProperty as unknown as (...a: unknown[]) => fc.IAsyncProperty<Ts>;
  return asyncProperty(...(arbitraries as unknown as unknown[]), guarded);
}

export interface FuzzOptions<Ts> {
  /** The property's name (its test title); the default seed derives from it. */
  name: string;
  /** The suite (file) name, for statistics. */
  suite: string;
  /** Runs in the bounded campaign of `npm test`. */
  runs: number;
  /** Renders a counterexample as a replayable script (default: fast-check's printer). */
  printer?: (counterexample: Ts, run: { seed: number; path: string; grep: string }) => string;
  /** Test file to name in the replay command. */
  file: string;
}

/**
 * Checks an async property with the campaign's runs and seed. On failure, throws an error that states the seed, the
 * counterexample path, the command that replays it, fast-check's report and (with `printer`) a readable script.
 */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  o: FuzzOptions<Ts>,
  property: fc.IAsyncProperty<Ts>,
): Promise<PropertyStats> {
  const seed = seedFor(o.name);
  const numRuns = runsFor(o.runs);
  shrink.failedAt = undefined;
  const params: fc.Parameters<Ts> = { seed, numRuns, endOnFailure: false, verbose: env.FUZZ_VERBOSE ? 2 : 0 };
  if (env.FUZZ_PATH) params.path = env.FUZZ_PATH;
  counter = { cases: 0, commands: 0 };
  const t0 = process.hrtime.bigint();
  const details = await fc.check(property, params);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const stats: PropertyStats = {
    suite: o.suite,
    property: o.name,
    seed,
    runs: details.numRuns,
    cases: counter.cases,
    commands: counter.commands,
    seconds,
  };
  if (env.FUZZ_BENCH_OUT) fs.appendFileSync(env.FUZZ_BENCH_OUT, JSON.stringify(stats) + "\n");
  if (details.failed) {
    const report = (await fc.asyncDefaultReportMessage(details)) ?? "";
    const lines = [
      `Property failed: ${o.name}`,
      `  seed ${details.seed}, path "${details.counterexamplePath}" (after ${details.numRuns} runs and ${details.numShrinks} shrinks)`,
      `  replay: FUZZ_SEED=${details.seed} FUZZ_PATH="${details.counterexamplePath}" npx hardhat test ${o.file} --grep "${grepOf(o.name)}"`,
    ];
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    lines.push("", `Failure: ${cause}`);
    if (o.printer && details.counterexample) {
      const run = { seed: details.seed, path: details.counterexamplePath ?? "", grep: grepOf(o.name) };
      lines.push("", "Replayable script of the counterexample:", o.printer(details.counterexample, run));
    }
    lines.push("", report);
    const err = new Error(lines.join("\n"));
    throw err;
  }
  return stats;
}

/** A mocha --grep pattern (a regular expression) matching a test title. */
export function grepOf(title: string): string {
  return title.slice(0, 60).replace(/[.*+?^${}()|[\]\\"]/g, "\\$&");
}

// ------------------------------------------------------------------ arbitraries shared by the suites

/** A positive bigint spread over orders of magnitude: mantissa in [1, 9999] times 10**e, e in [minExp, maxExp]. */
export function magnitude(minExp: number, maxExp: number): fc.Arbitrary<bigint> {
  return fc.tuple(fc.integer({ min: minExp, max: maxExp }), fc.bigInt({ min: 1n, max: 9999n })).map(([e, m]) => m * 10n ** BigInt(e));
}

/** A bigint in [min, max], spread over orders of magnitude of (x - min), boundaries included. */
export function spread(min: bigint, max: bigint): fc.Arbitrary<bigint> {
  const width = max - min;
  const digits = width.toString().length;
  return fc.oneof(
    { weight: 6, arbitrary: magnitude(0, Math.max(0, digits - 1)).map((x) => min + (x % (width + 1n))) },
    { weight: 2, arbitrary: fc.bigInt({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(min, max) },
  );
}

/** A signed bigint with |x| in [1, maxAbs], spread over orders of magnitude. */
export function signedSpread(maxAbs: bigint): fc.Arbitrary<bigint> {
  return fc.tuple(spread(1n, maxAbs), fc.boolean()).map(([x, neg]) => (neg ? -x : x));
}

/** Pretty-prints bigint-containing values for scripts (`123n`). */
export function show(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)).replace(/"(-?\d+)n"/g, "$1n");
}
