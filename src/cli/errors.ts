/**
 * The one error mechanism of Ballast's command-line tools (every Hardhat task and benchmark script): errors a user
 * can fix are `UserError`s, failed opt-in CI gates are `GateError`s, and `cliAction` / `runMain` turn whatever a
 * command throws into one line on stderr and a documented exit code (README.md, "Exit codes"):
 *
 * | code | meaning |
 * |---|---|
 * | 0 | the command completed |
 * | 1 | an unexpected internal error, or the simulator found an invariant violation |
 * | 2 | bad input: a usage or configuration error (option, file, network, key) |
 * | 3 | an opt-in gate failed (`simulate --fail-on-socialised-loss` / `--max-bad-debt`, `check-deployment`) |
 *
 * A stack trace is printed only with `--verbose` (Hardhat's global flag) or `--show-stack-traces`.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Process exit codes of every Ballast command. */
export const EXIT = {
  /** The command completed. */
  ok: 0,
  /** An unexpected internal error, or an invariant violation found by the simulator. */
  internal: 1,
  /** Bad input: a usage or configuration error the user can fix. */
  badInput: 2,
  /** An opt-in gate (CI check) failed. */
  gateFailed: 3,
} as const;

/** An error with a one-line message meant for the user and the exit code it ends the command with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Printed before the message on stderr. */
    readonly label = "Error",
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad input the user can fix (an option, a file, a network, a key): exit code 2. */
export class UserError extends CliError {
  constructor(message: string) {
    super(message, EXIT.badInput);
    this.name = "UserError";
  }
}

/** An opt-in gate that failed (e.g. `--max-bad-debt`): exit code 3. */
export class GateError extends CliError {
  constructor(message: string) {
    super(message, EXIT.gateFailed, "Gate failed");
    this.name = "GateError";
  }
}

/** `--option "value": expected <allowed>` as a `UserError`. `option` is written as on the command line. */
export function badValue(option: string, value: unknown, allowed: string): UserError {
  return new UserError(`${option} ${JSON.stringify(String(value))}: expected ${allowed}`);
}

/** Joins a list of problems into one line. */
export function oneLine(issues: string[]): string {
  return issues.length === 1 ? issues[0] : `${issues.length} problems: ${issues.join("; ")}`;
}

/** `camelCase` Hardhat parameter name -> `--kebab-case` option. */
export const optionName = (param: string): string => `--${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * A whole number given as text on the command line (Hardhat's own `int` type would fail with its HH301 error
 * before the task runs). Thousands separators "," and "_" are accepted.
 * @throws UserError naming the option, the value and the allowed range.
 */
export function parseWholeNumber(option: string, value: string | number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value).trim().replace(/[,_]/g, "");
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw badValue(option, value, `a whole number ${range}`);
  }
  return n;
}

/**
 * A comma-separated list of whole numbers, each from `min` to `max` (as `parseWholeNumber` reads one), such as an
 * environment variable of the benchmarks (`BENCH_TRADERS=200,2000`). `example` shows the form in the error.
 * @throws UserError naming the option, the whole list and the allowed form.
 */
export function parseWholeNumberList(option: string, list: string, min: number, example: string, max = Number.MAX_SAFE_INTEGER): number[] {
  try {
    return list.split(",").map((x) => parseWholeNumber(option, x, min, max));
  } catch {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min.toLocaleString("en-US")} to ${max.toLocaleString("en-US")}`;
    throw badValue(option, list, `a comma-separated list of whole numbers ${range}, such as ${example}`);
  }
}

interface NetworkLike {
  name: string;
  config: { url?: string; chainId?: number };
}

/** The environment variable that holds a network's RPC URL in hardhat.config.ts (`arbitrumSepolia` -> ARBITRUM_SEPOLIA_RPC_URL). */
export const rpcUrlVariable = (network: string): string => `${network.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_RPC_URL`;

/**
 * Rewrites the errors Hardhat and ethers raise for a bad network into `UserError`s: an unreachable RPC (HH108,
 * ECONNREFUSED), a network without a URL (HH117), a node on another chain than the network's configured chain id
 * (HH101). Other errors are returned unchanged.
 */
export function translateNetworkError(e: unknown, network: NetworkLike | undefined): unknown {
  if (e instanceof CliError || network === undefined || !(e instanceof Error)) return e;
  const url = network.config.url ?? "(in-process)";
  const hh = e as Error & { number?: number; _isHardhatError?: boolean; messageArguments?: Record<string, unknown>; code?: string };
  if (hh._isHardhatError && hh.number === 108) {
    return new UserError(
      `--network ${network.name}: no JSON-RPC node answers at ${url} (start it, or set ${rpcUrlVariable(network.name)})`,
    );
  }
  if (hh._isHardhatError && hh.number === 117) {
    return new UserError(`--network ${network.name}: no RPC URL: set ${rpcUrlVariable(network.name)}`);
  }
  if (hh._isHardhatError && hh.number === 101) {
    const a = hh.messageArguments ?? {};
    return new UserError(
      `--network ${network.name}: the node at ${url} is chain ${String(a.connectionChainId)}, expected chain ${String(a.configChainId)}`,
    );
  }
  if (hh.code === "ECONNREFUSED" || /ECONNREFUSED|ENOTFOUND/.test(e.message)) {
    return new UserError(
      `--network ${network.name}: no JSON-RPC node answers at ${url} (start it, or set ${rpcUrlVariable(network.name)})`,
    );
  }
  return e;
}

/**
 * Writes the one-line report of `e` to `write` (stderr) and returns the exit code it ends the command with: the
 * error's own for a `CliError`, 1 (internal) otherwise. The stack trace follows only when `verbose`.
 */
export function reportError(e: unknown, verbose: boolean, write: (text: string) => void = (t) => process.stderr.write(t)): number {
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);
  if (e instanceof CliError) {
    write(`${red(`${e.label}:`)} ${e.message}\n`);
  } else {
    const message = e instanceof Error ? e.message.split("\n")[0] : String(e);
    write(`${red("Error:")} internal error: ${message}${verbose ? "" : " (re-run with --verbose for the stack trace)"}\n`);
  }
  if (verbose && e instanceof Error && e.stack) write(`${e.stack}\n`);
  return e instanceof CliError ? e.exitCode : EXIT.internal;
}

/** Whether Hardhat was started with `--verbose` or `--show-stack-traces`. */
export function isVerbose(hre?: Pick<HardhatRuntimeEnvironment, "hardhatArguments">): boolean {
  const a = hre?.hardhatArguments;
  return a?.verbose === true || a?.showStackTraces === true || process.argv.includes("--verbose");
}

/**
 * Wraps a Hardhat task action: any error becomes one line on stderr and the exit code of `reportError` (set on
 * `process.exitCode`, which Hardhat exits with), never Hardhat's multi-line report.
 */
export function cliAction<A>(
  action: (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<void> {
  return async (args, hre) => {
    try {
      await action(args, hre);
    } catch (e) {
      process.exitCode = reportError(translateNetworkError(e, hre.network), isVerbose(hre));
    }
  };
}

/**
 * The same for a script's `main` (benchmarks): reports any error like `cliAction` and exits with its code.
 * `--verbose` on the command line (`hardhat run --verbose`, or VERBOSE=1) prints stack traces.
 */
export async function runMain(main: () => Promise<void> | void, network?: NetworkLike): Promise<void> {
  try {
    await main();
  } catch (e) {
    const env = process.env;
    // `hardhat run --verbose script.ts` runs the script in a child process and passes its flags as variables.
    const verbose =
      process.argv.includes("--verbose") ||
      env.VERBOSE === "1" ||
      env.HARDHAT_VERBOSE === "true" ||
      env.HARDHAT_SHOW_STACK_TRACES === "true";
    process.exitCode = reportError(translateNetworkError(e, network), verbose);
  }
}
