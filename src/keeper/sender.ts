/**
 * Transaction senders for the keeper outside the simulator: a local private key (signed here, sent raw) or an
 * account the node unlocks (`eth_sendTransaction`, e.g. `npx hardhat node`'s accounts). Both keep their own nonce
 * and send with an explicit gas limit and EIP-1559 fees, so a transaction that will revert is still sent and mined.
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

export class WalletSender implements TxSender {
  private nonce?: number;

  constructor(
    readonly wallet: Wallet,
    readonly provider: RpcProvider,
  ) {}

  get address(): string {
    return this.wallet.address;
  }

  async send(tx: { to: string; data: string; gas: number; priorityFee: bigint }): Promise<string> {
    if (this.nonce === undefined) this.nonce = await this.provider.getTransactionCount(this.wallet.address, "pending");
    const { chainId } = await this.provider.getNetwork();
    const signed = await this.wallet.signTransaction({
      type: 2,
      chainId,
      to: tx.to,
      data: tx.data,
      gasLimit: tx.gas,
      nonce: this.nonce++,
      maxPriorityFeePerGas: tx.priorityFee,
      maxFeePerGas: await maxFee(this.provider, tx.priorityFee),
    });
    return this.provider.send("eth_sendRawTransaction", [signed]);
  }
}

export class UnlockedSender implements TxSender {
  private nonce?: number;

  constructor(
    readonly address: string,
    readonly provider: RpcProvider,
  ) {}

  async send(tx: { to: string; data: string; gas: number; priorityFee: bigint }): Promise<string> {
    if (this.nonce === undefined) this.nonce = await this.provider.getTransactionCount(this.address, "pending");
    return this.provider.send("eth_sendTransaction", [
      {
        from: this.address,
        to: tx.to,
        data: tx.data,
        gas: toQuantity(tx.gas),
        nonce: toQuantity(this.nonce++),
        maxPriorityFeePerGas: toQuantity(tx.priorityFee),
        maxFeePerGas: toQuantity(await maxFee(this.provider, tx.priorityFee)),
      },
    ]);
  }
}
