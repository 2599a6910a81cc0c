/**
 * `npm run prove`: checks the `assert`s of the harness contracts in proofs/ with solc's SMTChecker (CHC engine)
 * and prints, per property, `proved`, `violated` (with the counterexample) or `unknown` (the solver timed out or
 * gave up). A property is an `assert` whose line, or the comment line just above it, carries `property: <name>`.
 *
 * The compiler is the pinned `solc` package (solcjs); its built-in solver cannot run here, so queries go to the
 * `z3` binary on PATH through the package's SMT callback (`apt-get install z3`; docs/VERIFICATION.md).
 *
 * The package's own solver function (solc/smtsolver) caps every z3 call at 10 s of wall time and a fixed resource
 * limit, which the nonlinear queries here outgrow on a loaded machine; `solveWithZ3` below runs z3 with the same
 * options and a configurable wall time and resource limit instead.
 *
 * Options: `--timeout <ms>` wall time per solver query (default 60000), `--rlimit <n>` z3 resource limit per
 * query (default 200000000), `--only <file substring>`, `--verbose`.
 * Exit codes: 0 no property violated (unknowns allowed, and listed), 1 a property violated or a harness failed to
 * compile, 2 bad option or no z3 on PATH.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/* eslint-disable @typescript-eslint/no-require-imports */
const solc = require("solc") as { compile(input: string, callbacks: object): string; version(): string };
const smtchecker = require("solc/smtchecker") as { smtCallback(solve: unknown, solver: unknown): (q: string) => unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

const root = path.resolve(__dirname, "..");
const proofsDir = path.join(root, "proofs");

interface SolcError {
  severity: string;
  errorCode?: string;
  message: string;
  formattedMessage?: string;
  sourceLocation?: { file: string; start: number; end: number };
}

type Status = "proved" | "violated" | "unknown";

function usage(code: number): never {
  console.log("Usage: npm run prove [-- --timeout <ms>] [--only <file substring>] [--verbose]");
  console.log("Exit codes: 0 nothing violated, 1 a property violated or a harness failed to compile, 2 bad option or no z3.");
  process.exit(code);
}

function parseArgs(argv: string[]) {
  const opts = { timeout: 60_000, rlimit: 200_000_000, only: "", verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") usage(0);
    else if (a === "--verbose") opts.verbose = true;
    else if (a === "--timeout") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) {
        console.error(`prove: --timeout "${argv[i]}" must be a positive integer (milliseconds)`);
        process.exit(2);
      }
      opts.timeout = v;
    } else if (a === "--rlimit") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v <= 0) {
        console.error(`prove: --rlimit "${argv[i]}" must be a positive integer`);
        process.exit(2);
      }
      opts.rlimit = v;
    } else if (a === "--only") opts.only = argv[++i] ?? "";
    else {
      console.error(`prove: unknown option "${a}"; allowed: --timeout <ms>, --rlimit <n>, --only <substring>, --verbose, --help`);
      process.exit(2);
    }
  }
  return opts;
}

function findImports(p: string): { contents: string } | { error: string } {
  for (const base of [root, path.join(root, "node_modules")]) {
    const file = path.resolve(base, p);
    if (existsSync(file)) return { contents: readFileSync(file, "utf8") };
  }
  return { error: `File not found: ${p}` };
}

/** Property names by 1-based line of their assert: a `property:` comment on the assert's line or the line above. */
function properties(source: string): Map<number, string> {
  const lines = source.split("\n");
  const found = new Map<number, string>();
  lines.forEach((line, i) => {
    const m = /\/\/\s*property:\s*(.+)$/.exec(line);
    if (!m) return;
    const assertLine = line.includes("assert(") ? i + 1 : i + 2;
    found.set(assertLine, m[1].trim());
  });
  return found;
}

/**
 * Answers one SMT-LIB2 query with z3 (the options solc/smtsolver uses, with `rlimit` and a wall-time limit of
 * `timeoutMs`). Returns z3's output; a timed-out query answers `unknown`.
 */
function solveWithZ3(query: string, timeoutMs: number, rlimit: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "prove-"));
  const file = path.join(dir, "query.smt2");
  writeFileSync(file, query);
  const args = [
    "-smt2",
    `rlimit=${rlimit}`,
    "rewriter.pull_cheap_ite=true",
    "fp.spacer.q3.use_qgen=true",
    "fp.spacer.mbqi=false",
    "fp.spacer.ground_pobs=false",
    file,
  ];
  try {
    return execFileSync("z3", args, { encoding: "utf8", maxBuffer: 1 << 30, timeout: timeoutMs });
  } catch (e) {
    // z3 exits non-zero when asked for a model of an unsat query; its stdout is still the answer.
    const out = String((e as { stdout?: string }).stdout ?? "");
    return /^(sat|unsat|unknown|\(error|error)/.test(out) ? out : "unknown\n";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split("\n").length;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  try {
    execFileSync("z3", ["--version"], { stdio: "ignore" });
  } catch {
    console.error("prove: z3 is not on PATH; install it with `apt-get install -y z3` (docs/VERIFICATION.md)");
    process.exit(2);
  }
  const files = readdirSync(proofsDir)
    .filter((f) => f.endsWith(".sol") && f.includes(opts.only))
    .sort();
  const smt = smtchecker.smtCallback((q: string) => solveWithZ3(q, opts.timeout, opts.rlimit), undefined);
  let violated = 0;
  let failed = 0;
  const counts: Record<Status, number> = { proved: 0, violated: 0, unknown: 0 };
  console.log(`SMTChecker (CHC, z3) with solc ${solc.version()}, ${opts.timeout} ms and rlimit ${opts.rlimit} per query`);
  for (const f of files) {
    const rel = `proofs/${f}`;
    const source = readFileSync(path.join(proofsDir, f), "utf8");
    const contract = path.basename(f, ".sol");
    const props = properties(source);
    const input = {
      language: "Solidity",
      sources: { [rel]: { content: source } },
      settings: {
        optimizer: { enabled: true, runs: 200 },
        evmVersion: "cancun",
        modelChecker: {
          engine: "chc",
          solvers: ["smtlib2"],
          targets: ["assert"],
          timeout: opts.timeout,
          contracts: { [rel]: [contract] },
          showUnproved: true,
          showProvedSafe: true,
        },
        outputSelection: { "*": { "": [] } },
      },
    };
    const started = Date.now();
    const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports, smtSolver: smt })) as { errors?: SolcError[] };
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const errors = out.errors ?? [];
    const fatal = errors.filter((e) => e.severity === "error");
    if (fatal.length) {
      failed++;
      console.log(`\n${rel}: does not compile`);
      for (const e of fatal) console.log(e.formattedMessage ?? e.message);
      continue;
    }
    const status = new Map<number, { status: Status; detail: string }>();
    for (const e of errors) {
      if (!e.sourceLocation || e.sourceLocation.file !== rel) {
        if (opts.verbose) console.log(`  (note) ${e.message}`);
        continue;
      }
      const line = lineOf(source, e.sourceLocation.start);
      let s: Status | undefined;
      if (/Assertion violation happens here/.test(e.message)) s = "violated";
      else if (/Assertion violation check is safe/.test(e.message)) s = "proved";
      else if (/Assertion violation might happen here|might happen/.test(e.message)) s = "unknown";
      if (!s) {
        if (opts.verbose) console.log(`  (note, line ${line}) ${e.message}`);
        continue;
      }
      status.set(line, { status: s, detail: e.formattedMessage ?? e.message });
    }
    console.log(`\n${rel} (${seconds} s)`);
    for (const [line, name] of [...props.entries()].sort((a, b) => a[0] - b[0])) {
      // CHC reports nothing for an assert it does not reach in any analysed path; without showProvedSafe output
      // that would be ambiguous, so a missing report counts as unknown.
      const r = status.get(line) ?? { status: "unknown" as Status, detail: "no report from the SMTChecker" };
      counts[r.status]++;
      if (r.status === "violated") violated++;
      console.log(`  ${r.status.padEnd(8)} ${name}  (line ${line})`);
      if (r.status === "violated" || (opts.verbose && r.status === "unknown")) {
        console.log(r.detail.replace(/^/gm, "      "));
      }
    }
  }
  console.log(`\n${counts.proved} proved, ${counts.violated} violated, ${counts.unknown} unknown`);
  process.exit(violated > 0 || failed > 0 ? 1 : 0);
}

main();
