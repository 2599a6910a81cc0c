/**
 * Keeper RPC latency (scenario key `liquidators[].latency`): a keeper with a latency of L blocks sees the chain as it
 * was L blocks before the head, and its transactions reach the mempool L blocks after it decided. An event mined in
 * block E is seen by the keeper when the head is E + L, and its answer is mined in block E + 2L + 1 at the earliest
 * (E + 1 without latency). The pure parts: the option's parsing, the queue of held transactions, and the next block
 * the replay must reach for a latent keeper to see the last change or for a held transaction to be released.
 */
import { parseDuration, UnitError } from "../config/units";

/** Largest latency a scenario may give a keeper, in blocks. */
export const MAX_LATENCY_BLOCKS = 50;

/**
 * Parses a latency: "2 blocks" (whole blocks) or a duration ("30s", "1m"), rounded to the nearest whole number of
 * `blockTime`-second blocks. Returns blocks. Throws a `UnitError` naming `key` for anything else or above
 * `MAX_LATENCY_BLOCKS`.
 */
export function parseLatency(key: string, text: string, blockTime: number): number {
  const m = /^\s*(\d+)\s*blocks?\s*$/.exec(text);
  let blocks: number;
  if (m) blocks = Number(m[1]);
  else {
    let seconds: number;
    try {
      seconds = parseDuration(key, text);
    } catch {
      throw new UnitError(key, `"${text}" is not a latency such as "2 blocks" or "30s"`);
    }
    blocks = Math.round(seconds / blockTime);
  }
  if (blocks > MAX_LATENCY_BLOCKS) throw new UnitError(key, `"${text}" is more than ${MAX_LATENCY_BLOCKS} blocks`);
  return blocks;
}

/** A signed transaction a latent keeper decided on, held until the head reaches `release`. */
export interface HeldTx<T> {
  hash: string;
  raw: string;
  /** Block number the head must reach before the transaction is sent (it is then mined in a later block). */
  release: number;
  /** What the simulator records about it once sent (set after the keeper returns it). */
  info?: T;
}

/** Transactions held back by latency, each released once the head reaches its release block. */
export class HeldTxs<T> {
  private readonly held: HeldTx<T>[] = [];

  /** Holds a transaction until the head reaches block `release`. */
  hold(hash: string, raw: string, release: number): void {
    this.held.push({ hash, raw, release });
  }

  /** Attaches what the simulator records to the held transaction `hash` (no effect when it is not held). */
  describe(hash: string, info: T): void {
    const h = this.held.find((x) => x.hash === hash);
    if (h) h.info = info;
  }

  /**
   * Removes and returns, in decision order, the transactions due when the head is block `head`. A keeper has one
   * latency and decides at non-decreasing heads, so its own transactions come out in nonce order.
   */
  due(head: number): HeldTx<T>[] {
    const out = this.held.filter((h) => h.release <= head);
    const keep = this.held.filter((h) => h.release > head);
    this.held.splice(0, this.held.length, ...keep);
    return out;
  }

  /** Release blocks of the transactions still held. */
  releases(): number[] {
    return this.held.map((h) => h.release);
  }

  get size(): number {
    return this.held.length;
  }
}

/**
 * The next head block the replay must reach after head `head`: the first block at which a latent keeper (latency
 * L > 0 in `latencies`) first sees the latest block with transactions (`lastActive + L`), or at which a held
 * transaction is released (`releases`; one already due is released at the current head). Undefined when nothing
 * is waiting; the replay then goes on as without latency.
 */
export function nextLatencyBlock(head: number, lastActive: number, latencies: number[], releases: number[]): number | undefined {
  let next: number | undefined;
  const consider = (b: number) => (next = next === undefined ? b : Math.min(next, b));
  for (const l of latencies) if (l > 0 && lastActive + l > head) consider(lastActive + l);
  for (const r of releases) consider(Math.max(r, head));
  return next;
}
