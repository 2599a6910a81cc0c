/**
 * Test helpers for the command line: a Hardhat task or script run as a child process (exit code, stdout, stderr),
 * temporary input files under cache/, and a minimal JSON-RPC server standing in for a remote node.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";

export const ROOT = path.resolve(__dirname, "..", "..");
const HARDHAT_CLI = require.resolve("hardhat/internal/cli/cli.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables a developer's shell may set that would change what the commands under test do. */
const CLEARED = ["KEEPER_PRIVATE_KEY", "DEPLOYER_PRIVATE_KEY", "SEPOLIA_RPC_URL", "LOCALHOST_RPC_URL", "HARDHAT_NETWORK"];

/** Runs `command args` from the repository root with `env` added to a cleaned environment; resolves on exit. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" };
  for (const k of CLEARED) delete base[k];
  const child = spawn(command, args, { cwd: ROOT, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

/** `npx hardhat <args>` as a child process. */
export function hardhat(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(process.execPath, [HARDHAT_CLI, ...args], env);
}

/** True when `text` holds a JavaScript stack trace. */
export const hasStackTrace = (text: string): boolean => /^\s+at .+[(:]\d+/m.test(text);

const tempDirs: string[] = [];

/** Writes `content` to a new temporary file `name` under cache/ and returns its path relative to the root. */
export function tempFile(name: string, content: string): string {
  fs.mkdirSync(path.join(ROOT, "cache"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(ROOT, "cache", "cli-test-"));
  tempDirs.push(dir);
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), content);
  return path.relative(ROOT, path.join(dir, name));
}

export function removeTempFiles(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export interface FakeNode {
  url: string;
  close(): Promise<void>;
}

/**
 * A JSON-RPC server that answers as a node of chain `chainId` with no unlocked account and no code anywhere: enough
 * for Hardhat's chain-id check and the tasks' first reads.
 */
export async function fakeNode(chainId: number): Promise<FakeNode> {
  const answer = (method: string): unknown =>
    ({
      eth_chainId: `0x${chainId.toString(16)}`,
      net_version: String(chainId),
      eth_accounts: [],
      eth_blockNumber: "0x1",
      eth_getCode: "0x",
    })[method] ?? null;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      const msg = JSON.parse(body) as { id: number; method: string } | { id: number; method: string }[];
      const reply = (m: { id: number; method: string }) => ({ jsonrpc: "2.0", id: m.id, result: answer(m.method) });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(Array.isArray(msg) ? msg.map(reply) : reply(msg)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A port on 127.0.0.1 nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * Starts the given runs, at most `concurrency` at a time, and returns each one's result by key: a suite starts
 * its runs in `before` and every test awaits its own, so that the processes' start-up overlaps.
 */
export function startAll<K extends string>(runs: Record<K, () => Promise<Run>>, concurrency = 4): Record<K, Promise<Run>> {
  const queue = Object.entries(runs) as [K, () => Promise<Run>][];
  const out = {} as Record<K, Promise<Run>>;
  let active = 0;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (active >= concurrency) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  for (const [key, start] of queue) {
    out[key] = (async () => {
      await slot();
      try {
        return await start();
      } finally {
        release();
      }
    })();
  }
  return out;
}
