/**
 * Empty blocks without mining them. The simulator keeps a 12-second block clock through quiet stretches (between
 * price steps, before each oracle block), so block counts (keeper latency, start delays, block numbers in records
 * and logs) mean the same thing at any time. Mining those blocks costs nothing on Hardhat's network but about
 * 17 ms each on anvil, which recomputes the whole state root for every block: most of a default run. No contract
 * reads `block.number`, and with the simulator's gas market every block's base fee is set explicitly, so an empty
 * block changes nothing but the block number and the time.
 *
 * `LogicalBlocks` wraps the node's EIP-1193 provider and presents *logical* blocks: the node's (physical) blocks
 * plus runs of empty blocks that were only counted (`skipEmpty`). Block numbers going in (block tags of reads,
 * `eth_getLogs` ranges, `eth_getBlockByNumber`) are mapped to the physical block holding that state; block numbers
 * coming out (`eth_blockNumber`, blocks, receipts, logs, transactions) are mapped back. A logical empty block reads
 * the state of the physical block before it, which is its state, with its own number and time (calls get them as
 * block overrides, which anvil supports and Hardhat's network does not: only anvil counts empty blocks), and
 * `eth_getBlockByNumber` of it returns that block with the logical number and time.
 */
import { toQuantity } from "ethers";
import type { Eip1193 } from "./chain";

/** A run of `count` empty blocks counted after physical block `after`, the first at `firstTime`, `interval` apart. */
interface EmptyRun {
  after: number;
  count: number;
  firstTime: number;
  interval: number;
}

type Json = Record<string, unknown>;

/** Methods taking a block that `LogicalBlocks` does not map: refused once blocks have been counted. */
const UNMAPPED = new Set([
  "eth_createAccessList",
  "debug_traceCall",
  "eth_feeHistory",
  "eth_getProof",
  "eth_getBlockTransactionCountByNumber",
  "eth_getTransactionByBlockNumberAndIndex",
  "debug_traceBlockByNumber",
]);

/** Positions of a block tag among the parameters of the read methods the simulator and its libraries use. */
const TAG_AT: Record<string, number> = {
  eth_call: 1,
  eth_estimateGas: 1,
  eth_getBalance: 1,
  eth_getCode: 1,
  eth_getTransactionCount: 1,
  eth_getStorageAt: 2,
  eth_getBlockByNumber: 0,
  eth_getBlockReceipts: 0,
};

export class LogicalBlocks implements Eip1193 {
  /** Runs counted so far, in order (their `after` never decreases). */
  private readonly runs: EmptyRun[] = [];
  /** Empty blocks counted in every run so far. */
  private counted = 0;

  constructor(private readonly inner: Eip1193) {}

  /**
   * Counts `count` empty blocks after the node's latest block, the first at `firstTime` (unix seconds), `interval`
   * seconds apart, without mining them. The next mined block must be given its time explicitly (`evm_mine` with a
   * timestamp), after the run's last.
   */
  async skipEmpty(count: number, firstTime: number, interval: number): Promise<void> {
    if (count <= 0) return;
    const head = Number(await this.inner.request({ method: "eth_blockNumber", params: [] }));
    this.runs.push({ after: head, count, firstTime, interval });
    this.counted += count;
  }

  /** The logical number of physical block `p`. */
  logical(p: number): number {
    let n = p;
    for (const r of this.runs) {
      if (r.after < p) n += r.count;
      else break;
    }
    return n;
  }

  /**
   * The physical block holding the state of logical block `n` (itself if mined, else the block before its run),
   * and the run block's time when `n` was only counted.
   */
  physical(n: number): { block: number; time?: number } {
    let before = 0;
    for (const r of this.runs) {
      const runStart = r.after + 1 + before; // logical number of the run's first block
      if (n < runStart) break;
      if (n < runStart + r.count) return { block: r.after, time: r.firstTime + (n - runStart) * r.interval };
      before += r.count;
    }
    return { block: n - before };
  }

  /** The logical number of the latest block. */
  private async head(): Promise<number> {
    const p = Number(await this.inner.request({ method: "eth_blockNumber", params: [] }));
    return this.logical(p) + this.trailing(p);
  }

  /** Empty blocks counted after physical block `p` when it is the latest (a run not yet followed by a mined block). */
  private trailing(p: number): number {
    let n = 0;
    for (const r of this.runs) if (r.after === p) n += r.count;
    return n;
  }

  /** The `send(method, params)` form Hardhat's providers also offer (hardhat-ethers calls it). */
  send(method: string, params?: unknown[]): Promise<unknown> {
    return this.request({ method, params });
  }

  async request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    if (this.counted === 0) return this.inner.request(args);
    const params = args.params ? [...args.params] : [];
    let runTime: number | undefined;
    let asked: number | undefined;
    if (UNMAPPED.has(args.method)) throw new Error(`simulator: ${args.method} is not mapped to logical blocks (src/sim/logicalBlocks.ts)`);
    const at = TAG_AT[args.method];
    if (at !== undefined) {
      const tag = at < params.length ? params[at] : undefined;
      if (typeof tag === "string" && tag.startsWith("0x")) {
        asked = Number(tag);
        const { block, time } = this.physical(asked);
        runTime = time;
        params[at] = toQuantity(block);
      } else if (tag === "latest" || tag === undefined) {
        // The latest logical block: a counted one while a run is the last thing on the chain (its state is the
        // latest mined block's; a call there runs at its number and time, like one at a counted block's number).
        const p = Number(await this.inner.request({ method: "eth_blockNumber", params: [] }));
        const last = this.runs[this.runs.length - 1];
        if (args.method === "eth_getBlockByNumber" || last.after === p) asked = this.logical(p) + this.trailing(p);
        if (last.after === p) runTime = last.firstTime + (last.count - 1) * last.interval;
      }
    }
    if (args.method === "eth_getLogs") {
      const f = { ...(params[0] as Json) };
      const head = Number(await this.inner.request({ method: "eth_blockNumber", params: [] }));
      const range = this.physicalRange(f.fromBlock, f.toBlock, head);
      if (!range) return [];
      if (range.from !== undefined) f.fromBlock = toQuantity(range.from);
      if (range.to !== undefined) f.toBlock = toQuantity(range.to);
      params[0] = f;
    }
    if (args.method === "eth_blockNumber") return toQuantity(await this.head());
    if (runTime !== undefined && asked !== undefined && (args.method === "eth_call" || args.method === "eth_estimateGas")) {
      // A call "in" a counted block runs on the state before its run but with its own number and time (the Dutch
      // auction's price moves with the time): the block overrides of geth's and anvil's `eth_call`.
      while (params.length < 3) params.push(params.length === 2 ? {} : "latest");
      params[3] = { number: toQuantity(asked), time: toQuantity(runTime) };
    }
    const result = await this.inner.request({ method: args.method, params });
    return this.mapResult(args.method, result, asked, runTime);
  }

  /** The physical range of a logical `eth_getLogs` range, or undefined when it holds no mined block. */
  private physicalRange(from: unknown, to: unknown, head: number): { from?: number; to?: number } | undefined {
    const out: { from?: number; to?: number } = {};
    if (typeof from === "string" && from.startsWith("0x")) {
      const p = this.physical(Number(from));
      out.from = p.time === undefined ? p.block : p.block + 1; // a counted block holds no logs: start after its run
    }
    if (typeof to === "string" && to.startsWith("0x")) out.to = this.physical(Number(to)).block;
    if (out.from !== undefined && out.from > (out.to ?? head)) return undefined; // only counted blocks: no logs
    return out;
  }

  private mapResult(method: string, result: unknown, asked: number | undefined, runTime: number | undefined): unknown {
    if (result === null || typeof result !== "object") return result;
    const num = (v: unknown) => (typeof v === "string" && v.startsWith("0x") ? toQuantity(this.logical(Number(v))) : v);
    const mapLogs = (logs: unknown) => (Array.isArray(logs) ? logs.map((l: Json) => ({ ...l, blockNumber: num(l.blockNumber) })) : logs);
    if (method === "eth_getLogs") return mapLogs(result);
    if (method === "eth_getBlockReceipts" && Array.isArray(result)) {
      return result.map((r: Json) => ({ ...r, blockNumber: num(r.blockNumber), logs: mapLogs(r.logs) }));
    }
    const r = { ...(result as Json) };
    if (method === "eth_getBlockByNumber" || method === "eth_getBlockByHash") {
      r.number = asked !== undefined ? toQuantity(asked) : num(r.number);
      if (runTime !== undefined) {
        // A counted block: the block before its run, at its own time, and empty.
        r.timestamp = toQuantity(runTime);
        r.transactions = [];
        r.gasUsed = "0x0";
      }
      if (Array.isArray(r.transactions)) {
        r.transactions = r.transactions.map((t: unknown) =>
          typeof t === "object" && t !== null ? { ...(t as Json), blockNumber: num((t as Json).blockNumber) } : t,
        );
      }
      return r;
    }
    if (method === "eth_getTransactionReceipt" || method === "eth_getTransactionByHash") {
      if ("blockNumber" in r) r.blockNumber = num(r.blockNumber);
      if ("logs" in r) r.logs = mapLogs(r.logs);
      return r;
    }
    return result;
  }
}
