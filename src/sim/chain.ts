/**
 * Control of the in-process Hardhat (EDR) chain the simulator drives: automine off, blocks mined at explicit
 * timestamps, transactions from unlocked (impersonated) accounts with explicit nonces, gas limits and fees, so
 * that a transaction that reverts is still mined and its gas counted.
 */
import { keccak256, toQuantity, type Log, type Wallet } from "ethers";
import type { BaseFeeSource } from "./gasMarket";

export interface Eip1193 {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
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

/** The highest fee any simulated transaction accepts; the effective price is base fee + priority fee below it. */
export const MAX_FEE_PER_GAS = 100_000n * 10n ** 9n;

export class Chain {
  private readonly nonces = new Map<string, number>();
  /** Timestamp of the latest mined block. */
  now = 0;
  block = 0;
  /** Where each mined block's base fee comes from (src/sim/gasMarket.ts); undefined: the node's own EIP-1559. */
  fees?: BaseFeeSource;

  constructor(readonly provider: Eip1193) {}

  /** Wall time and count per JSON-RPC method (diagnostics). */
  readonly rpcTime = new Map<string, { ms: number; n: number }>();

  async rpc<T>(method: string, params: unknown[] = []): Promise<T> {
    const t = performance.now();
    const r = (await this.provider.request({ method, params })) as T;
    const e = this.rpcTime.get(method) ?? { ms: 0, n: 0 };
    e.ms += performance.now() - t;
    e.n++;
    this.rpcTime.set(method, e);
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
   * Makes `address` an unlocked sender with `wei` ETH and reads its nonce (call it while no transaction is
   * pending: a "pending" nonce query would make the node execute the whole mempool).
   */
  async unlock(address: string, wei: bigint): Promise<void> {
    await this.rpc("hardhat_impersonateAccount", [address]);
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
      maxFeePerGas: MAX_FEE_PER_GAS,
      maxPriorityFeePerGas: tx.priorityFee,
    });
    return { hash: keccak256(raw), raw };
  }

  /** Sends a transaction signed by `sign`; it is mined by `mine`. */
  async sendRaw(raw: string): Promise<string> {
    return this.rpc<string>("eth_sendRawTransaction", [raw]);
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

  /** Sends a transaction from an unlocked account with the next local nonce; it is mined by `mine`. */
  async send(tx: TxRequest): Promise<string> {
    const from = tx.from.toLowerCase();
    const nonce = await this.takeNonce(from);
    return this.rpc<string>("eth_sendTransaction", [
      {
        from,
        to: tx.to,
        data: tx.data,
        gas: toQuantity(tx.gas),
        nonce: toQuantity(nonce),
        value: toQuantity(tx.value ?? 0n),
        maxFeePerGas: toQuantity(MAX_FEE_PER_GAS),
        maxPriorityFeePerGas: toQuantity(tx.priorityFee),
      },
    ]);
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
      if (args.method === "eth_sendTransaction" || args.method === "eth_sendRawTransaction") {
        await original({ method: "evm_setNextBlockTimestamp", params: [next++] });
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

  /** Mines one block at `timestamp` holding the pending transactions (highest priority fee first). */
  async mineAt(timestamp: number): Promise<void> {
    if (timestamp <= this.now) {
      throw new Error(`simulator clock: block time ${timestamp} is not after the latest block's ${this.now} (block ${this.block})`);
    }
    if (this.fees) await this.rpc("hardhat_setNextBlockBaseFeePerGas", [toQuantity(this.fees.next(timestamp))]);
    await this.rpc("evm_mine", [timestamp]);
    this.block += 1;
    this.now = timestamp;
    this.times.set(this.block, timestamp);
    if (this.fees) {
      const b = await this.rpc<{ gasUsed: string; gasLimit: string }>("eth_getBlockByNumber", ["latest", false]);
      this.fees.mined(BigInt(b.gasUsed), BigInt(b.gasLimit));
    }
  }

  /** Base fee (wei per gas) the next block will have under `fees`, or the latest block's when the node decides. */
  async nextBaseFee(timestamp: number): Promise<bigint> {
    if (this.fees) return this.fees.next(timestamp);
    return BigInt((await this.rpc<{ baseFeePerGas: string }>("eth_getBlockByNumber", ["latest", false])).baseFeePerGas);
  }

  /**
   * Mines `count` empty blocks `interval` seconds apart, the first one `interval` seconds after the latest block.
   * Call it with nothing pending: `hardhat_mine` would put pending transactions in the first of these blocks.
   * The first block's time is pinned explicitly: `hardhat_mine` alone would give it the node's wall-clock time, so
   * a slow set-up would shift every later block (and could pass the next step's time).
   */
  async mineEmpty(count: number, interval: number): Promise<void> {
    if (count <= 0) return;
    await this.rpc("evm_setNextBlockTimestamp", [this.now + interval]);
    if (this.fees) await this.rpc("hardhat_setNextBlockBaseFeePerGas", [toQuantity(this.fees.next(this.now + interval))]);
    await this.rpc("hardhat_mine", [toQuantity(count), toQuantity(interval)]);
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
    if (!r) return null;
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

  async pendingCount(): Promise<number> {
    const b = await this.rpc<{ transactions: string[] }>("eth_getBlockByNumber", ["pending", false]);
    return b.transactions.length;
  }
}
