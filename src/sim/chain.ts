/**
 * Control of the chain the simulator drives (anvil or Hardhat's in-process network, src/sim/node.ts): automine off,
 * blocks mined at explicit timestamps, transactions signed by the agents' keys with explicit nonces, gas limits and
 * fees and kept in the simulator's own mempool until their block, so that a transaction that reverts is still
 * mined and its gas counted, and every block's order is the simulator's on any node.
 */
import { Transaction, keccak256, toQuantity, type Log, type Wallet } from "ethers";
import type { BaseFeeSource } from "./gasMarket";
import { nodeNextBaseFee } from "../keeper/strategy";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** Counts empty blocks instead of mining them (`LogicalBlocks`, src/sim/logicalBlocks.ts). */
export interface EmptyBlockCounter {
  skipEmpty(count: number, firstTime: number, interval: number): Promise<void>;
}

export interface TxRequest {
  from: string;
  to?: string;
  data: string;
  gas: number;
  priorityFee: bigint;
  value?: bigint;
}

export interface Receipt {
  hash: string;
  status: number;
  gasUsed: bigint;
  effectiveGasPrice: bigint;
  blockNumber: number;
  transactionIndex: number;
  contractAddress: string | null;
  logs: Log[];
}

/** A signed transaction waiting in the simulator's mempool (`seq`: arrival order). */
interface QueuedTx {
  from: string;
  nonce: number;
  priorityFee: bigint;
  raw: string;
  hash: string;
  seq: number;
}

interface RpcReceipt {
  transactionHash: string;
  status: string;
  gasUsed: string;
  effectiveGasPrice: string;
  blockNumber: string;
  transactionIndex: string;
  contractAddress: string | null;
  logs: { address: string; topics: string[]; data: string; logIndex: string; blockNumber: string; transactionHash: string }[];
}

/**
 * The base fee no simulated block reaches (wei per gas): every transaction's fee cap is this plus its priority fee
 * (`maxFeePerGas`), so it always pays base fee + priority fee, and its priority fee is its miner's tip (the order
 * of `submitQueued`).
 */
export const MAX_BASE_FEE = 100_000n * 10n ** 9n;

function toReceipt(r: RpcReceipt): Receipt {
  return {
    hash: r.transactionHash,
    status: Number(r.status),
    gasUsed: BigInt(r.gasUsed),
    effectiveGasPrice: BigInt(r.effectiveGasPrice),
    blockNumber: Number(r.blockNumber),
    transactionIndex: Number(r.transactionIndex),
    contractAddress: r.contractAddress,
    logs: r.logs as unknown as Log[],
  };
}

export class Chain {
  private readonly nonces = new Map<string, number>();
  /** Each sender's key (by lower-case address), given to `unlock`. */
  private readonly wallets = new Map<string, Wallet>();
  /** Timestamp of the latest mined block. */
  now = 0;
  block = 0;
  /** Where each mined block's base fee comes from (src/sim/gasMarket.ts); undefined: the node's own EIP-1559. */
  fees?: BaseFeeSource;

  /**
   * `provider` is the node's, or a `LogicalBlocks` over it (`logical`): then, while the simulator sets every block's
   * base fee (`fees`), `mineEmpty` counts empty blocks instead of mining them.
   */
  constructor(
    readonly provider: Eip1193,
    private readonly logical?: EmptyBlockCounter,
  ) {}

  /** Wall time and count per JSON-RPC method (diagnostics). */
  readonly rpcTime = new Map<string, { ms: number; n: number }>();

  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    return this.timed(method, async () => (await this.provider.request({ method, params })) as T);
  }

  /** Runs `body`, adding its wall time to `rpcTime[label]`. */
  private async timed<T>(label: string, body: () => Promise<T>): Promise<T> {
    const t = performance.now();
    const r = await body();
    const e = this.rpcTime.get(label) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t;
    e.n++;
    this.rpcTime.set(label, e);
    return r;
  }

  async sync(): Promise<void> {
    const b = await this.rpc<{ number: string; timestamp: string }>("eth_getBlockByNumber", ["latest", false]);
    this.block = Number(b.number);
    this.now = Number(b.timestamp);
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.rpc("evm_setAutomine", [on]);
  }

  async setBlockGasLimit(gas: number): Promise<void> {
    await this.rpc("evm_setBlockGasLimit", [toQuantity(gas)]);
  }

  /**
   * Makes `address` a sender with `wei` ETH and reads its nonce (call it while no transaction is
   * pending: a "pending" nonce query would make the node execute the whole mempool). `wallet`, its key, signs what
   * `send` sends from it.
   */
  async unlock(address: string, wei: bigint, wallet?: Wallet): Promise<void> {
    if (wallet) this.wallets.set(address.toLowerCase(), wallet);
    await this.rpc("hardhat_setBalance", [address, toQuantity(wei)]);
    this.nonces.set(address.toLowerCase(), Number(await this.rpc<string>("eth_getTransactionCount", [address, "latest"])));
  }

  /** The next local nonce of `from` (read from the node the first time), counted as used. */
  private async takeNonce(from: string): Promise<number> {
    let nonce = this.nonces.get(from);
    if (nonce === undefined) nonce = Number(await this.rpc<string>("eth_getTransactionCount", [from, "pending"]));
    this.nonces.set(from, nonce + 1);
    return nonce;
  }

  private chainId?: number;

  /**
   * Signs `tx` with `wallet` (its sender) and the next local nonce, without sending it: a transaction held back
   * (keeper latency, src/sim/latency.ts) has its hash now and reaches the node later with `sendRaw`, with the same
   * fees as `send`. Deterministic (RFC 6979 signatures).
   */
  async sign(wallet: Wallet, tx: TxRequest): Promise<{ hash: string; raw: string }> {
    const { hash, raw } = await this.signNext(wallet, tx);
    return { hash, raw };
  }

  private async signNext(wallet: Wallet, tx: TxRequest): Promise<{ hash: string; raw: string; nonce: number }> {
    const nonce = await this.takeNonce(tx.from.toLowerCase());
    this.chainId ??= Number(await this.rpc<string>("eth_chainId"));
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce,
      to: tx.to,
      data: tx.data,
      gasLimit: tx.gas,
      value: tx.value ?? 0n,
      maxFeePerGas: MAX_BASE_FEE + tx.priorityFee,
      maxPriorityFeePerGas: tx.priorityFee,
    });
    return { hash: keccak256(raw), raw, nonce };
  }

  /** Queues a transaction signed by `sign` for the next `mineAt` (a later one if the block is full). Returns its hash. */
  sendRaw(raw: string): string {
    const t = Transaction.from(raw);
    this.queue({
      from: t.from!.toLowerCase(),
      nonce: t.nonce,
      priorityFee: t.maxPriorityFeePerGas ?? 0n,
      raw,
      hash: t.hash!,
    });
    return t.hash!;
  }

  /**
   * The simulator's mempool: transactions signed and sent, in arrival order, until `mineAt` hands them to the node.
   * The node mines what it is handed in that order (anvil `--order fifo`, Hardhat `mempool.order = "fifo"`), so
   * the order in a block is the simulator's, the same on every node. Ordering by fee is left to neither node:
   * anvil 1.7.1's `--order fees` drops a sender's transaction whose fee is above that of its own earlier pending
   * one (docs/SIMULATION.md, "The EVM").
   */
  private readonly mempool: QueuedTx[] = [];
  private arrivals = 0;
  /** Transactions handed to the node for the block being mined (`submitQueued`), in the order handed. */
  private handed: QueuedTx[] = [];
  /**
   * Transactions handed for the last block that it did not hold (block gas limit), in the order handed: taken back
   * from the node and handed first for the next block, before anything sent since, as a FIFO mempool keeps them.
   */
  private carried: QueuedTx[] = [];

  /** Lower-case hashes of the transactions in `mempool` and `carried`. */
  private readonly queuedHashes = new Set<string>();

  private queue(tx: Omit<QueuedTx, "seq">): void {
    this.mempool.push({ ...tx, seq: this.arrivals++ });
    this.queuedHashes.add(tx.hash.toLowerCase());
  }

  /** Transactions sent and not yet mined (waiting in the simulator's mempool). */
  get pendingCount(): number {
    return this.mempool.length + this.carried.length;
  }

  /**
   * Hands the queued transactions to the node in block order: highest priority fee first (every fee cap is
   * `MAX_BASE_FEE` plus the priority fee, so the priority fee is the miner's tip), each sender's in nonce order,
   * equal fees in arrival order; the transactions the last block did not hold first, in their order. Both nodes fill
   * the block in that order and skip a transaction whose gas limit exceeds the gas left (counted by the gas each
   * earlier one used), and the rest of its sender's (Hardhat's network keeps those, anvil discards them);
   * `takeBackLeftovers` then queues all of them for the next block.
   */
  private async submitQueued(): Promise<void> {
    this.handed = [];
    for (const tx of this.carried.splice(0)) await this.hand(tx);
    if (this.mempool.length === 0) return;
    const bySender = new Map<string, typeof this.mempool>();
    for (const tx of this.mempool) {
      const list = bySender.get(tx.from) ?? [];
      list.push(tx);
      bySender.set(tx.from, list);
    }
    for (const list of bySender.values()) list.sort((a, b) => a.nonce - b.nonce);
    this.mempool.length = 0;
    const heads = [...bySender.values()];
    while (heads.length > 0) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) {
        const a = heads[i][0];
        const b = heads[best][0];
        if (a.priorityFee > b.priorityFee || (a.priorityFee === b.priorityFee && a.seq < b.seq)) best = i;
      }
      const tx = heads[best].shift()!;
      if (heads[best].length === 0) heads.splice(best, 1);
      await this.hand(tx);
    }
  }

  private async hand(tx: QueuedTx): Promise<void> {
    this.handed.push(tx);
    this.queuedHashes.delete(tx.hash.toLowerCase());
    await this.rpc<string>("eth_sendRawTransaction", [tx.raw]);
  }

  /**
   * After a block: the handed transactions it does not hold (`minedHashes`) are dropped from the node's mempool and
   * carried to the next block. Leaving them in the node would not do: anvil 1.7.1 keeps a skipped transaction but
   * *discards* its sender's later ones as invalid (nonce gap), where Hardhat's network keeps them all.
   * @throws if a sender's first left-over transaction was no longer in the node's mempool (the node lost it), or if
   *   the block holds none of the handed transactions (the first could never fit: waiting would never end).
   */
  private async takeBackLeftovers(minedHashes: readonly string[]): Promise<void> {
    const mined = new Set(minedHashes.map((h) => h.toLowerCase()));
    const left = this.handed.filter((tx) => !mined.has(tx.hash.toLowerCase()));
    if (left.length === 0) return;
    if (left.length === this.handed.length) {
      throw new Error(
        `simulator: block ${this.block} holds none of the ${left.length} transactions handed to it (the first, ${left[0].hash}, exceeds the block gas limit?)`,
      );
    }
    const senders = new Set<string>();
    for (const tx of left) {
      // Hardhat's network answers true/false, anvil the hash or null: whether the transaction was in its mempool.
      const held = Boolean(await this.rpc<unknown>("hardhat_dropTransaction", [tx.hash]));
      if (!held && !senders.has(tx.from))
        throw new Error(`simulator: the node dropped transaction ${tx.hash}, handed to it for block ${this.block}`);
      senders.add(tx.from);
      this.carried.push(tx);
      this.queuedHashes.add(tx.hash.toLowerCase());
    }
  }

  /** Whether `hash` was sent and waits in the simulator's mempool for a later block. */
  isQueued(hash: string): boolean {
    return this.queuedHashes.has(hash.toLowerCase());
  }

  /** For the blocks mined empty in one `mineEmpty` call: the block before them, whose state they share. */
  private readonly sameStateAs = new Map<number, number>();

  /**
   * A block whose state equals block `block`'s and can be read at: `block` itself, or for a block mined empty by
   * `mineEmpty` the last block before its run (the node keeps no readable state for every block of a
   * `hardhat_mine` run: a read pinned inside one returns nothing).
   */
  stateBlock(block: number): number {
    return this.sameStateAs.get(block) ?? block;
  }

  /** Timestamps of the blocks mined through this object (block number -> unix seconds). */
  private readonly times = new Map<number, number>();

  /** The timestamp of block `block` (mined through this object), else an estimate `blockTime` seconds per block back. */
  timeOf(block: number, blockTime: number): number {
    return this.times.get(block) ?? this.now - (this.block - block) * blockTime;
  }

  /**
   * Signs a transaction with its sender's key (given to `unlock`) and the next local nonce and queues it in the
   * simulator's mempool for the next `mineAt` (a later one if the block is full). Returns its hash. The node sees it only then: a transaction the
   * node refuses makes that `mineAt` throw and the run stop (the simulator's transactions are well formed; a
   * refusal is a bug, not a market event).
   */
  async send(tx: TxRequest): Promise<string> {
    const from = tx.from.toLowerCase();
    const wallet = this.wallets.get(from);
    if (!wallet) throw new Error(`simulator: no key for sender ${tx.from} (unlock it with its wallet)`);
    const { hash, raw, nonce } = await this.signNext(wallet, tx);
    this.queue({ from, nonce, priorityFee: tx.priorityFee, raw, hash });
    return hash;
  }

  /**
   * Runs `body` (a deployment, which mines one block per transaction with automine on) with every block's time set
   * explicitly: `first`, `first + 1`, ... Without this the node stamps those blocks with its wall clock, so how long
   * compiling or deploying took would reach the chain (funding accrued since deployment, every later timestamp).
   */
  async withPinnedBlockTimes<T>(first: number, body: () => Promise<T>): Promise<T> {
    const provider = this.provider;
    const own = Object.prototype.hasOwnProperty.call(provider, "request") ? provider.request : undefined;
    const original = provider.request.bind(provider);
    let next = first;
    const pinned = async (args: { method: string; params?: unknown[] }): Promise<unknown> => {
      // Estimate as the transaction will run, at its block's time (anvil estimates in a pending block at its own
      // clock otherwise, and a governed ramp read at the wrong time costs a different amount of gas).
      if (args.method === "eth_estimateGas") await original({ method: "evm_setNextBlockTimestamp", params: [next] });
      if (args.method === "eth_sendTransaction" || args.method === "eth_sendRawTransaction") {
        await original({ method: "evm_setNextBlockTimestamp", params: [next++] });
        // anvil mines in the background: wait for this block before the next timestamp is set (a library sending
        // a batch would otherwise put two transactions in one block, or a block at the wrong time).
        const hash = await original(args);
        while ((await original({ method: "eth_getTransactionReceipt", params: [hash] })) === null) {
          await new Promise((r) => setTimeout(r, 2));
        }
        return hash;
      }
      return original(args);
    };
    provider.request = pinned;
    try {
      return await body();
    } finally {
      if (own) provider.request = own;
      else delete (provider as { request?: unknown }).request;
      await this.sync();
    }
  }

  /** Forgets cached nonces (after a reset). */
  resetNonces(): void {
    this.nonces.clear();
  }

  /**
   * Mines one block at `timestamp` holding the queued transactions in `submitQueued`'s order (the last block's
   * left-overs first) as far as the block gas limit allows; the rest are carried to the next `mineAt`.
   */
  async mineAt(timestamp: number): Promise<void> {
    if (timestamp <= this.now) {
      throw new Error(`simulator clock: block time ${timestamp} is not after the latest block's ${this.now} (block ${this.block})`);
    }
    await this.submitQueued();
    if (this.fees) await this.rpc("hardhat_setNextBlockBaseFeePerGas", [toQuantity(this.fees.next(timestamp))]);
    await this.rpc("evm_mine", [timestamp]);
    this.block += 1;
    this.now = timestamp;
    this.times.set(this.block, timestamp);
    if (!this.fees && this.handed.length === 0) return;
    const b = await this.rpc<{ gasUsed: string; gasLimit: string; transactions: string[] }>("eth_getBlockByNumber", ["latest", false]);
    this.fees?.mined(BigInt(b.gasUsed), BigInt(b.gasLimit));
    await this.takeBackLeftovers(b.transactions);
  }

  /**
   * Base fee (wei per gas) the next block will have: under `fees` the one `mineAt` will set, else the node's own
   * (`nodeNextBaseFee`, as `npx hardhat keeper` reads it).
   */
  async nextBaseFee(timestamp: number): Promise<bigint> {
    if (this.fees) return this.fees.next(timestamp);
    return nodeNextBaseFee((method, params) => this.rpc(method, params));
  }

  /**
   * Mines `count` empty blocks `interval` seconds apart, the first one `interval` seconds after the latest block.
   * Queued transactions stay queued for the next `mineAt` (nothing the simulator sends waits in the node between
   * blocks, so `hardhat_mine` finds an empty mempool).
   * The first block's time is pinned explicitly: `hardhat_mine` alone would give it the node's wall-clock time, so
   * a slow set-up would shift every later block (and could pass the next step's time).
   */
  async mineEmpty(count: number, interval: number): Promise<void> {
    if (count <= 0) return;
    if (this.fees && this.logical) {
      // Counted, not mined (src/sim/logicalBlocks.ts): `fees` prices every block, so nothing but the number and the
      // time of an empty block matters, and `mineAt` gives the next mined block its time.
      await this.timed("skipEmpty", () => this.logical!.skipEmpty(count, this.now + interval, interval));
    } else {
      await this.rpc("evm_setNextBlockTimestamp", [this.now + interval]);
      if (this.fees) await this.rpc("hardhat_setNextBlockBaseFeePerGas", [toQuantity(this.fees.next(this.now + interval))]);
      await this.rpc("hardhat_mine", [toQuantity(count), toQuantity(interval)]);
    }
    const base = this.stateBlock(this.block);
    for (let i = 1; i <= count; i++) {
      this.times.set(this.block + i, this.now + i * interval);
      this.sameStateAs.set(this.block + i, base);
    }
    this.block += count;
    this.now += count * interval;
    if (this.fees) {
      const b = await this.rpc<{ gasLimit: string }>("eth_getBlockByNumber", ["latest", false]);
      this.fees.minedEmpty(count, BigInt(b.gasLimit));
    }
  }

  /** The receipt of a mined transaction, or null while it is pending. */
  async receipt(hash: string): Promise<Receipt | null> {
    const r = await this.rpc<RpcReceipt | null>("eth_getTransactionReceipt", [hash]);
    return r ? toReceipt(r) : null;
  }

  /** Whether the node answers `eth_getBlockReceipts` (anvil does, Hardhat's network does not); learnt on first use. */
  private blockReceipts?: boolean;

  /**
   * The receipts of `hashes` (null for each still pending), called right after a block was mined: every transaction
   * mined since it was sent is in that block. One `eth_getBlockReceipts` for the block where the node has it, one
   * `eth_getTransactionReceipt` per transaction otherwise.
   */
  async receiptsAfterMining(hashes: readonly string[]): Promise<(Receipt | null)[]> {
    if (hashes.length === 0) return [];
    if (this.blockReceipts !== false) {
      try {
        const all = await this.rpc<RpcReceipt[]>("eth_getBlockReceipts", [toQuantity(this.block)]);
        this.blockReceipts = true;
        const byHash = new Map(all.map((r) => [r.transactionHash.toLowerCase(), r]));
        // A transaction not in the block: still queued for a later one, or (never expected) mined elsewhere.
        return await Promise.all(
          hashes.map(async (h) => {
            const r = byHash.get(h.toLowerCase());
            return r ? toReceipt(r) : this.isQueued(h) ? null : this.receipt(h);
          }),
        );
      } catch (e) {
        if (this.blockReceipts === true) throw e;
        this.blockReceipts = false;
      }
    }
    return Promise.all(hashes.map((h) => this.receipt(h)));
  }
}
