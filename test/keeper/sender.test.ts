/**
 * The keeper's transaction senders (src/keeper/sender.ts) on Hardhat's EDR network: the local nonce advances only
 * when the node accepts a transaction, so one refused send (or a dropped transaction, after `resync`) never leaves
 * a nonce gap that would keep every later transaction of the keeper from being mined.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Wallet, toQuantity } from "ethers";
import { UnlockedSender, WalletSender, type RpcProvider } from "../../src/keeper/sender";

const provider = ethers.provider as unknown as RpcProvider;
const TX = { to: "0x000000000000000000000000000000000000dEaD", data: "0x", gas: 21_000, priorityFee: 1_000_000_000n };

async function minedNonce(hash: string): Promise<number> {
  const r = await ethers.provider.getTransactionReceipt(hash);
  expect(r?.status, `receipt of ${hash}`).to.equal(1);
  return (await ethers.provider.getTransaction(hash))!.nonce;
}

describe("keeper senders: nonces", function () {
  it("an unlocked sender refused by the node (gas below the intrinsic 21,000) sends its next transaction with the same nonce, and it is mined", async function () {
    const [signer] = await ethers.getSigners();
    const sender = new UnlockedSender(signer.address, provider);
    const start = await ethers.provider.getTransactionCount(signer.address, "pending");
    expect(await minedNonce(await sender.send(TX))).to.equal(start);
    await expect(sender.send({ ...TX, gas: 20_000 })).to.be.rejected;
    expect(await minedNonce(await sender.send(TX))).to.equal(start + 1);
    expect(await minedNonce(await sender.send(TX))).to.equal(start + 2);
  });

  it("a wallet sender refused by the node sends its next transaction with the same nonce, and it is mined", async function () {
    const wallet = Wallet.createRandom();
    await network.provider.send("hardhat_setBalance", [wallet.address, toQuantity(10n ** 20n)]);
    const sender = new WalletSender(wallet as unknown as Wallet, provider);
    expect(await minedNonce(await sender.send(TX))).to.equal(0);
    await expect(sender.send({ ...TX, gas: 20_000 })).to.be.rejected;
    expect(await minedNonce(await sender.send(TX))).to.equal(1);
  });

  it("after a transaction is dropped from the mempool, resync makes the next send reuse its nonce, and it is mined", async function () {
    const wallet = Wallet.createRandom();
    await network.provider.send("hardhat_setBalance", [wallet.address, toQuantity(10n ** 20n)]);
    const sender = new WalletSender(wallet as unknown as Wallet, provider);
    await network.provider.send("evm_setAutomine", [false]);
    try {
      const dropped = await sender.send(TX);
      await network.provider.send("hardhat_dropTransaction", [dropped]);
      sender.resync();
      const next = await sender.send(TX);
      await network.provider.send("evm_mine", []);
      expect(await minedNonce(next)).to.equal(0);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
    }
  });
});
