/**
 * Transaction senders for the keeper outside the simulator: a local private key (signed here, sent raw) or an
 * account the node unlocks (`eth_sendTransaction`, e.g. `npx hardhat node`'s accounts). Both keep their own nonce
 * and send with an explicit gas limit and EIP-1559 fees, so a transaction that will revert is still sent and mined.
 * The nonce counts only transactions the node accepted: after a refused send (an error from the node, a timeout) or
 * a `resync()` (the keeper saw a transaction dropped) the next send reads the account's pending transaction count
 * again, so one refusal never leaves a nonce gap that would keep every later transaction from being mined.
 */
import { toQuantity, type Provider, type Wallet } from "ethers";
import type { TxSender } from "./keeper";

/** A provider that also forwards raw JSON-RPC requests (ethers' JsonRpcProvider, Hardhat's provider). */
export type RpcProvider = Provider & { send(method: string, params: unknown[]): Promise<string> };

/** Fee cap: twice the latest base fee plus the priority fee. */
async function maxFee(provider: RpcProvider, priorityFee: bigint): Promise<bigint> {
  const block = await provider.getBlock("latest");
  return 2n * (block?.baseFeePerGas ?? 0n) + priorityFee;
}

/** The local nonce of one sending account: read from the node when unknown, advanced only by accepted sends. */
class NonceTracker {
  private next?: number;

  constructor(
    private readonly provider: RpcProvider,
    private readonly address: () => string,
  ) {}

  /** Runs `send` with the next nonce; advances it if the node accepted the transaction, else forgets it. */
  async use(send: (nonce: number) => Promise<string>): Promise<string> {
    const nonce = this.next ?? (await this.provider.getTransactionCount(this.address(), "pending"));
    try {
      const hash = await send(nonce);
      this.next = nonce + 1;
      return hash;
    } catch (e) {
      this.next = undefined;
      throw e;
    }
  }

  /** Forgets the nonce: the next send reads the pending transaction count from the node. */
  reset(): void {
    this.next = undefined;
  }
}

export class WalletSender implements TxSender {
  private readonly nonces: NonceTracker;

  constructor(
    readonly wallet: Wallet,
    readonly provider: RpcProvider,
  ) {
    this.nonces = new NonceTracker(provider, () => wallet.address);
  }

  get address(): string {
    return this.wallet.address;
  }

  async send(tx: { to: string; data: string; gas: number; priorityFee: bigint }): Promise<string> {
    const { chainId } = await this.provider.getNetwork();
    const maxFeePerGas = await maxFee(this.provider, tx.priorityFee);
    return this.nonces.use(async (nonce) => {
      const signed = await this.wallet.signTransaction({
        type: 2,
        chainId,
        to: tx.to,
        data: tx.data,
        gasLimit: tx.gas,
        nonce,
        maxPriorityFeePerGas: tx.priorityFee,
        maxFeePerGas,
      });
      return this.provider.send("eth_sendRawTransaction", [signed]);
    });
  }

  resync(): void {
    this.nonces.reset();
  }
}

export class UnlockedSender implements TxSender {
  private readonly nonces: NonceTracker;

  constructor(
    readonly address: string,
    readonly provider: RpcProvider,
  ) {
    this.nonces = new NonceTracker(provider, () => address);
  }

  async send(tx: { to: string; data: string; gas: number; priorityFee: bigint }): Promise<string> {
    const maxFeePerGas = await maxFee(this.provider, tx.priorityFee);
    return this.nonces.use((nonce) =>
      this.provider.send("eth_sendTransaction", [
        {
          from: this.address,
          to: tx.to,
          data: tx.data,
          gas: toQuantity(tx.gas),
          nonce: toQuantity(nonce),
          maxPriorityFeePerGas: toQuantity(tx.priorityFee),
          maxFeePerGas: toQuantity(maxFeePerGas),
        },
      ]),
    );
  }

  resync(): void {
    this.nonces.reset();
  }
}
