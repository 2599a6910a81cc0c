import { AccountMap, AccountSet } from "../model/accountMap";

/**
 * The blocks in which events touched each account, for "which accounts changed since block b" in time that follows
 * the events since b, not the number of accounts (`ChainView.touchedAfter`, read by every keeper at every block).
 */
export class TouchLog {
  /** Each account's latest touch (block number). */
  private readonly latest = new AccountMap<number>();
  /** Every touch in arrival order, which is block order: the touches after a block are a suffix. */
  private readonly log: { account: bigint; block: number }[] = [];

  /**
   * Records a touch of `account` in `block`.
   * @throws Error when `block` is below an earlier touch's (events must arrive in block order).
   */
  touch(account: bigint, block: number): void {
    const last = this.log.length > 0 ? this.log[this.log.length - 1].block : -1;
    if (block < last) throw new Error(`TouchLog: block ${block} after block ${last} (touches must come in block order)`);
    this.latest.set(account, block);
    this.log.push({ account, block });
    // Only each account's latest touch matters: past twice the accounts touched, keep just those (in block order),
    // so a keeper that runs for months holds a log the size of its accounts.
    if (this.log.length > 2 * this.latest.size + 1024) {
      const kept = [...this.latest].map(([a, b]) => ({ account: a, block: b })).sort((x, y) => x.block - y.block);
      this.log.length = 0;
      for (const t of kept) this.log.push(t);
    }
  }

  /** The last block in which `account` was touched (-1: never). */
  at(account: bigint): number {
    return this.latest.get(account) ?? -1;
  }

  /** The accounts touched after `block`, each once, in any order. */
  after(block: number): AccountSet {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].block > block) hi = mid;
      else lo = mid + 1;
    }
    const found = new AccountSet();
    for (let i = lo; i < this.log.length; i++) found.add(this.log[i].account);
    return found;
  }

  /** Entries held (for tests of the compaction). */
  get size(): number {
    return this.log.length;
  }
}
