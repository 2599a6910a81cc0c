/**
 * One `eth_call` for many views: queues view calls on any contracts, runs them all through the test-only
 * InvariantLens (contracts/test/InvariantLens.sol) at one block, and decodes each result once. A reverting view
 * does not fail the batch: its getter throws an error carrying the revert data (`data`), as a direct call would.
 */
import { ethers } from "hardhat";
import type { Interface, Result } from "ethers";
import { InvariantLens__factory } from "../../typechain-types";

const LENS = InvariantLens__factory.createInterface();

/** Anything with an ABI and an address: a TypeChain contract, or `{ interface, target }`. */
export interface Viewable {
  interface: Interface;
  target: string | { getAddress(): Promise<string> };
}

/** The error a reverted view's getter throws (like ethers' CALL_EXCEPTION: the revert data in `data`). */
export class ViewReverted extends Error {
  constructor(
    readonly fn: string,
    readonly data: string,
  ) {
    super(`view ${fn} reverted (${data.slice(0, 10)})`);
  }
}

/** Deploys the lens the batches run through (once per deployment). @returns its address. */
export async function deployInvariantLens(): Promise<string> {
  const [deployer] = await ethers.getSigners();
  const lens = await new InvariantLens__factory(deployer).deploy();
  await lens.waitForDeployment();
  return lens.getAddress();
}

export class ViewBatch {
  private readonly calls: { target: string; data: string }[] = [];
  private readonly names: string[] = [];
  private readonly decoders: ((data: string) => unknown)[] = [];
  private results: [boolean, string][] | undefined;
  private readonly queued = new Map<string, () => unknown>();
  /** The block's timestamp and number (seconds; set by `run`). */
  timestamp = 0n;
  blockNumber = 0n;

  /** @param lens The InvariantLens address (Deployment.lens). */
  constructor(readonly lens: string) {}

  /** Number of queued views. */
  get size(): number {
    return this.calls.length;
  }

  /**
   * Queues `fn(...args)` on `c`. @returns a getter of its decoded result after `run` (a single return value as
   * itself, several as ethers' Result); the getter throws ViewReverted when the view reverted.
   */
  add<T = Result>(c: Viewable, fn: string, args: readonly unknown[] = []): () => T {
    if (typeof c.target !== "string") throw new Error(`view batch: ${fn} needs a contract connected by address`);
    const iface = c.interface;
    const f = iface.getFunction(fn, args as unknown[]);
    if (!f) throw new Error(`view batch: no function ${fn}`);
    const data = iface.encodeFunctionData(f, args as unknown[]);
    // The same view queued twice is read once.
    const key = `${c.target.toLowerCase()}${data}`;
    const same = this.queued.get(key);
    if (same) return same as () => T;
    const i = this.calls.length;
    this.calls.push({ target: c.target, data });
    this.names.push(fn);
    this.decoders.push((data) => {
      const r = iface.decodeFunctionResult(f, data);
      return f.outputs.length === 1 ? r[0] : r;
    });
    let cached: { v: T } | undefined;
    const get = (): T => {
      if (cached) return cached.v;
      if (!this.results) throw new Error(`view batch: ${fn} read before run()`);
      const [ok, ret] = this.results[i];
      if (!ok) throw new ViewReverted(fn, ret);
      cached = { v: this.decoders[i](ret) as T };
      return cached.v;
    };
    this.queued.set(key, get);
    return get;
  }

  /** Runs every queued view in one `eth_call` at `blockTag`. */
  async run(blockTag: string | number | { blockHash: string } = "latest"): Promise<void> {
    const data = LENS.encodeFunctionData("aggregate", [this.calls]);
    const tag = typeof blockTag === "number" ? ethers.toQuantity(blockTag) : blockTag;
    const raw = (await ethers.provider.send("eth_call", [{ to: this.lens, data }, tag])) as string;
    const [timestamp, blockNumber, results] = LENS.decodeFunctionResult("aggregate", raw);
    this.timestamp = timestamp as bigint;
    this.blockNumber = blockNumber as bigint;
    this.results = (results as Result).map((r: Result) => [r[0] as boolean, r[1] as string]);
  }
}
