/**
 * The EVM a simulation runs on, one fresh chain per parameter set:
 *
 * - `anvil` (the default): Foundry's node, from the `@foundry-rs/anvil` npm package (pinned), started as a child
 *   process on a free 127.0.0.1 port with the in-process network's genesis (date, hardfork, accounts, chain id) and
 *   stopped at the end of the set. It executes calls without tracing them, so the keepers' reads cost a tenth of
 *   what they cost on Hardhat's network, and it keeps about a tenth of the memory (docs/SIMULATION.md, "Benchmark").
 * - `hardhat`: Hardhat's in-process network (EDR), reset to its genesis. Every step of every call is traced.
 *
 * Either way the simulator talks to the node through `LogicalBlocks` (empty blocks counted, not mined) and deploys
 * with the production Ignition module through that same provider.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatEthersProvider } from "@nomicfoundation/hardhat-ethers/internal/hardhat-ethers-provider";
import { EthersIgnitionHelper } from "@nomicfoundation/hardhat-ignition-ethers/dist/src/ethers-ignition-helper";
import type { Eip1193 } from "./chain";
import { LogicalBlocks } from "./logicalBlocks";

import type { EvmEngine } from "./engines";

export { EVM_ENGINES, type EvmEngine } from "./engines";

/** A fresh chain at the in-process network's genesis, and what the simulator drives it with. */
export interface SimNode {
  engine: EvmEngine;
  /**
   * Whether empty blocks are counted rather than mined (`LogicalBlocks`): on anvil, whose calls take block
   * overrides; Hardhat's network mines them (cheaply) instead.
   */
  countsEmptyBlocks: boolean;
  /** The node's provider with logical blocks; every request of the run goes through it. */
  provider: LogicalBlocks;
  /** An ethers provider over `provider`. */
  ethers: HardhatEthersProvider;
  /** Deploys an Ignition module through `provider` (in memory: no deployment journal is written). */
  ignition: EthersIgnitionHelper;
  /** The node's unlocked accounts (the network's default mnemonic: the same 20 on both engines). */
  accounts(): Promise<string[]>;
  /** Stops the node (anvil) or does nothing (hardhat). Idempotent. */
  close(): Promise<void>;
}

/** Starts a fresh chain on `engine`. */
export async function openNode(hre: HardhatRuntimeEnvironment, engine: EvmEngine): Promise<SimNode> {
  let inner: Eip1193;
  let close = async (): Promise<void> => {};
  if (engine === "hardhat") {
    await hre.network.provider.request({ method: "hardhat_reset", params: [] });
    inner = hre.network.provider;
  } else {
    const anvil = await startAnvil(hre);
    inner = anvil.provider;
    close = anvil.stop;
  }
  const provider = new LogicalBlocks(inner);
  const ethers = new HardhatEthersProvider(provider as never, "hardhat");
  return {
    engine,
    countsEmptyBlocks: engine === "anvil",
    provider,
    ethers,
    ignition: new EthersIgnitionHelper(hre, hre.config.ignition, provider as never),
    accounts: async () => (await provider.request({ method: "eth_accounts", params: [] })) as string[],
    close,
  };
}

/** The native anvil binary of `@foundry-rs/anvil`'s platform package (its `bin.mjs` wrapper adds a node process). */
export function anvilBinary(root: string): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    return require.resolve(`${pkg}/bin/anvil`, { paths: [root] });
  } catch {
    throw new Error(`no anvil binary for ${process.platform}-${arch}: run \`npm ci\` (it installs ${pkg}), or use --evm hardhat`);
  }
}

/** The largest peak resident memory of a node process this process started and stopped (bytes; 0 if none). */
let nodePeak = 0;

/** The largest peak resident memory (bytes) of the anvil processes this process has run, for `timings.json`. */
export function nodePeakMemoryBytes(): number {
  return nodePeak;
}

/** A live process's peak resident memory in bytes (`VmHWM`, Linux), or 0 where it cannot be read. */
function peakResidentBytes(pid: number | undefined): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every anvil this process started and has not stopped: killed if the process exits or is told to stop. */
const children = new Set<ChildProcess>();
let signalsHooked = false;

/** Kills the anvils left on exit, and on SIGINT, SIGTERM and SIGHUP (then dies of the same signal). */
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  const killAll = () => {
    for (const c of children) c.kill("SIGKILL");
    children.clear();
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/** How long one JSON-RPC request may take before the run fails (ms): far above any the simulator makes. */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * An EIP-1193 provider over one WebSocket to the node (anvil serves JSON-RPC over HTTP and WebSocket on the same
 * port): one connection for the whole run, no HTTP request per read (fetch's per-request cost was about a sixth of
 * a default run's time). A JSON-RPC error becomes an Error with its `code` and `data` (revert data included); a
 * request unanswered after `REQUEST_TIMEOUT_MS`, or a closed connection, fails with the node's last output.
 */
class WsJsonRpc implements Eip1193 {
  private id = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly socket: WebSocket,
    private readonly lastWords: () => string,
  ) {
    socket.on("message", (data: Buffer) => {
      let msg: { id: number; result?: unknown; error?: { code: number; message: string; data?: unknown } };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return this.failAll(`the node sent a message that is not JSON: ${data.toString().slice(0, 200)}`);
      }
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      clearTimeout(w.timer);
      if (msg.error) w.reject(Object.assign(new Error(msg.error.message), { code: msg.error.code, data: msg.error.data }));
      else w.resolve(msg.result);
    });
    socket.on("error", (e) => this.failAll(`connection to the node failed: ${e.message}`));
    socket.on("close", () => this.failAll("the node closed the connection"));
  }

  private failAll(why: string): void {
    const words = this.lastWords().trim();
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(words ? `${why} (anvil: ${words.split("\n").slice(-3).join(" | ")})` : why));
    }
    this.waiting.clear();
  }

  /** Connects to `url`; rejects if the node does not accept the connection. */
  static open(url: string, lastWords: () => string): Promise<WsJsonRpc> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      socket.once("open", () => resolve(new WsJsonRpc(socket, lastWords)));
      socket.once("error", (e) => {
        socket.terminate();
        reject(e);
      });
    });
  }

  request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`the node did not answer ${args.method} within ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      this.waiting.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ jsonrpc: "2.0", id, method: args.method, params: args.params ?? [] }), (e) => {
        if (e && this.waiting.delete(id)) {
          clearTimeout(timer);
          reject(e);
        }
      });
    });
  }

  close(): void {
    this.socket.removeAllListeners("close");
    this.socket.close();
  }
}

/**
 * Starts anvil with the in-process network's genesis: fixed date, hardfork, chain id, block gas limit, and the
 * default mnemonic's first 20 accounts with 10,000 ETH each (Hardhat's defaults). It binds a port the OS picks
 * (`--port 0`) and says which on its first lines, so parallel runs never share one.
 */
async function startAnvil(hre: HardhatRuntimeEnvironment): Promise<{ provider: Eip1193; stop: () => Promise<void> }> {
  const net = hre.config.networks.hardhat;
  const genesis = Math.floor(Date.parse(net.initialDate ?? "") / 1000);
  if (!Number.isFinite(genesis)) throw new Error("the simulator needs networks.hardhat.initialDate in hardhat.config.ts");
  const args = [
    ["--host", "127.0.0.1"],
    ["--port", "0"],
    ["--timestamp", String(genesis)],
    ["--hardfork", net.hardfork],
    ["--chain-id", String(net.chainId)],
    ["--accounts", "20"],
    ["--balance", "10000"],
    ["--gas-limit", String(net.blockGasLimit)],
    ["--order", "fifo"], // the simulator orders each block itself (src/sim/chain.ts, `submitQueued`)
    // Reads are pinned to recent blocks only (keepers with latency read a few blocks back): keep 256 states in
    // memory and none on disk (anvil's default writes older states to disk as JSON, which costs more than the run).
    ["--prune-history", "256"],
  ].flat();
  const child: ChildProcess = spawn(anvilBinary(hre.config.paths.root), args, { stdio: ["ignore", "pipe", "pipe"] });
  hookSignals();
  children.add(child);
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (!children.delete(child)) return;
    nodePeak = Math.max(nodePeak, peakResidentBytes(child.pid));
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(killer);
  };
  // anvil logs every request on stdout: read on (and dropped) so that it never blocks on a full pipe.
  const listening = new Promise<string>((resolve, reject) => {
    let head = "";
    const onData = (d: Buffer) => {
      keep(d);
      head += d.toString();
      const m = /Listening on (\S+)/.exec(head);
      if (m) {
        child.stdout?.off("data", onData);
        child.stdout?.on("data", () => {});
        resolve(m[1]);
      } else if (head.length > 100_000) head = head.slice(-1000);
    };
    child.stdout?.on("data", onData);
    child.once("error", reject);
    void exited.then(() => reject(new Error(`anvil exited at start: ${output.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), 30_000);
  try {
    const address = await listening;
    const provider = await WsJsonRpc.open(`ws://${address}`, () => output);
    await provider.request({ method: "eth_chainId" });
    return {
      provider,
      stop: async () => {
        provider.close();
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw new Error(`anvil did not start: ${(e as Error).message}`);
  } finally {
    clearTimeout(timeout);
  }
}
