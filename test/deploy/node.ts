/**
 * Test helpers for the deployment tooling: a real `npx hardhat node` on 127.0.0.1 and the repository's Hardhat
 * tasks run as child processes against it (`--network localhost` with LOCALHOST_RPC_URL pointing at its port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { JsonRpcProvider } from "ethers";
import { runHardhat, spawnHardhat, type ProcessRun } from "../shared/processes";

export const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LocalNode {
  url: string;
  provider: JsonRpcProvider;
  stop(): Promise<void>;
}

/** Starts `hardhat node` on a free port of 127.0.0.1 and resolves once it answers JSON-RPC. */
export async function startNode(): Promise<LocalNode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [HARDHAT_CLI, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited (${child.exitCode}): ${stderr}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`hardhat node did not answer on ${url}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  return {
    url,
    provider,
    stop: async () => {
      provider.destroy();
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGKILL");
  await exited;
}

/** What a finished task process left (the shared `ProcessRun`). */
export type TaskRun = ProcessRun;

/**
 * Runs `hardhat <args>` against `node` (as `--network localhost`).
 * @param killWhen polled every 20 ms while the task runs; the process is SIGKILLed as soon as it returns true.
 */
export async function hardhat(node: LocalNode, args: string[], killWhen?: () => boolean): Promise<TaskRun> {
  return runHardhat([...args, "--network", "localhost"], { LOCALHOST_RPC_URL: node.url }, 600_000, killWhen);
}

/** A Hardhat task still running against a node: its output so far, and a way to wait for a line of it. */
export interface LiveTask {
  /** Everything the task printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with the first match of `pattern` in stdout once it appears; rejects when the task exits first or
   * after `timeoutMs`.
   */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the task exits (SIGKILLed after `timeoutMs`). */
  exited(timeoutMs?: number): Promise<TaskRun>;
  /** Sends the task `signal` (e.g. SIGTERM, which the keeper answers by finishing its block and exiting 0). */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILLs the task if it is still running and waits for it to exit. */
  kill(): Promise<void>;
}

/** Starts `hardhat <args> --network localhost` against `node` and returns at once, its output readable while it runs. */
export function startHardhat(node: LocalNode, args: string[]): LiveTask {
  const { child, stdout, stderr, exit } = spawnHardhat([...args, "--network", "localhost"], { LOCALHOST_RPC_URL: node.url });
  let done = false;
  void exit.then(() => (done = true));
  return {
    stdout,
    stderr,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = stdout().match(pattern);
        if (m) return m;
        if (done) throw new Error(`the task exited before printing ${pattern}:\n${stdout()}\n${stderr()}`);
        if (Date.now() > deadline) throw new Error(`the task did not print ${pattern} within ${timeoutMs} ms:\n${stdout()}\n${stderr()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async exited(timeoutMs = 60_000) {
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exit;
      } finally {
        clearTimeout(timer);
      }
    },
    signal: (signal) => {
      if (!done) child.kill(signal);
    },
    kill: () => stopChild(child),
  };
}

/** A deployment id unique to this test process, whose journal `removeDeployment` deletes. */
export function testDeploymentId(name: string): string {
  return `chain-31337-test-${process.pid}-${name}`;
}

export function journalDir(deploymentId: string): string {
  return path.join(ROOT, "deploy", "deployments", deploymentId);
}

export function removeDeployment(deploymentId: string): void {
  fs.rmSync(journalDir(deploymentId), { recursive: true, force: true });
}

/** The journal's messages (one JSON object per line); empty before the first line is written. */
export function journal(deploymentId: string): { type: string; futureId?: string }[] {
  const file = path.join(journalDir(deploymentId), "journal.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim().startsWith("{") && l.trim().endsWith("}"))
    .map((l) => JSON.parse(l) as { type: string; futureId?: string });
}

/** deployed_addresses.json of a deployment: contract address by future id. */
export function deployedAddresses(deploymentId: string): Record<string, string> {
  const file = path.join(journalDir(deploymentId), "deployed_addresses.json");
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>) : {};
}

const parameterDirs: string[] = [];

/** Writes `params` to a temporary parameter file (under cache/, see `removeParameterFiles`) and returns its path. */
export function writeParameterFile(name: string, params: unknown): string {
  fs.mkdirSync(path.join(ROOT, "cache"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, "cache", "deploy-test-"));
  parameterDirs.push(dir);
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(params, null, 2));
  return file;
}

export function removeParameterFiles(): void {
  for (const dir of parameterDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
