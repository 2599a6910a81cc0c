/**
 * Child processes in tests: Hardhat tasks run as real processes (as a user runs them), and the suite-wide check that
 * no process a test started outlives the suite (registered as a Mocha root hook in hardhat.config.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

/** What a finished child process left. */
export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A `hardhat` child process started by `spawnHardhat`: the process, its output so far, and its exit. */
export interface HardhatProcess {
  child: ChildProcess;
  /** Everything the process printed on stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process exits, with all its output. */
  exit: Promise<ProcessRun>;
}

/**
 * Starts `hardhat <args>` in the repository as a child process (node directly, no `npx` wrapper whose grandchildren
 * could outlive it) and returns at once, collecting its output.
 * @param env extra environment variables, merged over this process's environment.
 */
export function spawnHardhat(args: string[], env: NodeJS.ProcessEnv = {}): HardhatProcess {
  const child = spawn(process.execPath, [HARDHAT_CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const exit = new Promise<ProcessRun>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/**
 * Runs `hardhat <args>` in the repository as a child process (see `spawnHardhat`) and resolves when it exits.
 * @param env extra environment variables, merged over this process's environment.
 * @param timeoutMs the child is SIGKILLed after this many milliseconds (the run then has `signal: "SIGKILL"`).
 * @param killWhen polled every 20 ms while the child runs; it is SIGKILLed as soon as this returns true.
 */
export async function runHardhat(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 600_000,
  killWhen?: () => boolean,
): Promise<ProcessRun> {
  const { child, exit } = spawnHardhat(args, env);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const poll = killWhen
    ? setInterval(() => {
        if (killWhen()) child.kill("SIGKILL");
      }, 20)
    : undefined;
  const run = await exit;
  clearTimeout(timer);
  if (poll) clearInterval(poll);
  return run;
}

/** One live process: its pid and command line. */
export interface LiveProcess {
  pid: number;
  command: string;
}

/**
 * Environment variable that marks every process started (directly or not) by this test run: children inherit it,
 * so a process that lost its parent (say `npx` was killed but the node it started was not) still carries it.
 */
export const SESSION_VARIABLE = "BALLAST_TEST_SESSION";

/** Marks this process as a test run's root (once; a nested Hardhat process keeps the outer run's mark). */
export function markTestSession(): void {
  process.env[SESSION_VARIABLE] ??= String(process.pid);
}

/**
 * Every live process other than this one that carries this test run's mark, orphans included, read from /proc
 * (Linux; elsewhere the list is empty).
 */
export function survivors(): LiveProcess[] {
  const mark = process.env[SESSION_VARIABLE];
  if (!mark || !fs.existsSync("/proc/self/environ")) return [];
  const needle = `${SESSION_VARIABLE}=${mark}`;
  const out: LiveProcess[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // "pid (comm) state ...": comm may hold spaces and parentheses, so read the state after the last ")".
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue; // exited; only bookkeeping is left
      if (!fs.readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(needle)) continue;
      const command = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      out.push({ pid: Number(entry), command });
    } catch {
      // the process exited while we were reading, or is not ours to read
    }
  }
  return out;
}

/**
 * The suite's last check: fails (after killing them) if any process started by a test is still alive, so a test
 * that forgets to stop its `hardhat node` or browser is a red test rather than an orphan on the developer's machine.
 */
export function assertNoChildProcessSurvives(): void {
  const alive = survivors();
  if (alive.length === 0) return;
  for (const p of alive) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  throw new Error(`processes started by tests were still running after the suite: ${alive.map((p) => `${p.pid} ${p.command}`).join("; ")}`);
}
