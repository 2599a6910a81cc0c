/**
 * The chain behaviour the simulator relies on, on both of its EVMs (Hardhat's in-process network and an anvil
 * process): with automine off, a block holds the transactions sent since the last one in the simulator's order
 * (highest priority fee first, each sender's in nonce order, equal fees in arrival order; src/sim/chain.ts), and a
 * transaction sent with an explicit gas limit that reverts is still mined, and pays for the gas it used.
 */
import { expect } from "chai";
import hre from "hardhat";
import { Wallet, keccak256, toUtf8Bytes } from "ethers";
import { Chain } from "../../src/sim/chain";
import { openNode, type SimNode } from "../../src/sim/node";
import { TestERC20__factory } from "../../typechain-types";

const GWEI = 10n ** 9n;
const key = (label: string) => new Wallet(keccak256(toUtf8Bytes(`mempool-test:${label}`)));

/** A chain with automine off and senders `a`, `b`, `c` funded (their keys sign what `send` sends). */
async function senders(chain: Chain): Promise<Wallet[]> {
  await chain.sync();
  await chain.setAutomine(false);
  const wallets = ["a", "b", "c"].map(key);
  for (const w of wallets) await chain.unlock(w.address, 10n ** 21n, w);
  return wallets;
}

for (const engine of ["hardhat", "anvil"] as const) {
  describe(`simulator chain on ${engine}: block order and reverted transactions`, function () {
    this.timeout(120_000);
    let chain: Chain;
    let node: SimNode | undefined;
    let snapshot: unknown;
    beforeEach(async function () {
      if (engine === "hardhat") {
        snapshot = await hre.network.provider.request({ method: "evm_snapshot", params: [] });
        chain = new Chain(hre.network.provider);
      } else {
        node = await openNode(hre, "anvil");
        chain = new Chain(node.provider, node.provider);
      }
    });
    afterEach(async function () {
      if (engine === "hardhat") {
        await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
        await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
      } else await node?.close();
    });

    const indexes = (hashes: string[]) => Promise.all(hashes.map(async (h) => (await chain.receipt(h))!.transactionIndex));
    const to = key("to").address;

    /**
     * Sends a plain transfer (21,000 gas used) from each wallet in turn with the given priority fee (gwei) and gas
     * limit (default 21,000); returns the hashes.
     */
    const transfers = async (list: [Wallet, bigint, number?][]) => {
      const hashes: string[] = [];
      for (const [w, gwei, gas] of list)
        hashes.push(await chain.send({ from: w.address, to, data: "0x", gas: gas ?? 21_000, priorityFee: gwei * GWEI }));
      return hashes;
    };

    it("mines the transactions sent since the last block highest priority fee first, whatever order they were sent in", async function () {
      const [a, b, c] = await senders(chain);
      const sent = await transfers([
        [a, 1n],
        [b, 3n],
        [c, 2n],
      ]);
      expect(chain.pendingCount).to.equal(3);
      await chain.mineAt(chain.now + 12);
      expect(chain.pendingCount).to.equal(0);
      expect(await indexes(sent)).to.deep.equal([2, 0, 1]);
    });

    it("mines a sender's later transaction after its earlier one even when it pays a higher fee, and both are mined", async function () {
      // anvil 1.7.1 ordering its own mempool by fee drops the second transaction here: the simulator orders instead.
      const [a, b] = await senders(chain);
      const sent = await transfers([
        [a, 1n],
        [a, 300n],
        [b, 2n],
      ]);
      await chain.mineAt(chain.now + 12);
      expect(await indexes(sent)).to.deep.equal([1, 2, 0]);
    });

    it("mines transactions paying the same fee in the order they were sent", async function () {
      const [a, b, c] = await senders(chain);
      const sent = await transfers([
        [c, 2n],
        [a, 2n],
        [b, 2n],
      ]);
      await chain.mineAt(chain.now + 12);
      expect(await indexes(sent)).to.deep.equal([0, 1, 2]);
    });

    it("leaves what does not fit in the block gas limit for the next block, and mines it there first", async function () {
      const [a, b, c] = await senders(chain);
      await chain.setBlockGasLimit(50_000); // two transfers of 21,000 gas
      const sent = await transfers([
        [a, 1n],
        [a, 1n],
        [b, 3n],
      ]);
      await chain.mineAt(chain.now + 12);
      const [first, second, third] = await chain.receiptsAfterMining(sent);
      expect([third?.transactionIndex, first?.transactionIndex, second]).to.deep.equal([0, 1, null]);
      const [later] = await transfers([[c, 5n]]);
      await chain.mineAt(chain.now + 12);
      const [left, next] = await chain.receiptsAfterMining([sent[1], later]);
      expect([left?.blockNumber, left?.transactionIndex, next?.transactionIndex]).to.deep.equal([third!.blockNumber + 1, 0, 1]);
    });

    it("keeps a sender's later transactions when its earlier one does not fit, and mines them all first in the next block", async function () {
      // anvil 1.7.1 skips a's first transaction (its gas limit exceeds the gas left) and discards a's second as
      // invalid (nonce gap) while c's still fits; Hardhat's network skips both of a's. The simulator carries them.
      const [a, b, c] = await senders(chain);
      await chain.setBlockGasLimit(60_000);
      const sent = await transfers([
        [b, 3n],
        [a, 2n, 40_000],
        [a, 2n],
        [c, 1n],
      ]);
      await chain.mineAt(chain.now + 12);
      const first = await chain.receiptsAfterMining(sent);
      expect(first.map((r) => r?.transactionIndex ?? null)).to.deep.equal([0, null, null, 1]);
      expect(chain.pendingCount).to.equal(2);
      await chain.setBlockGasLimit(100_000);
      const [later] = await transfers([[b, 5n]]);
      await chain.mineAt(chain.now + 12);
      const second = await chain.receiptsAfterMining([sent[1], sent[2], later]);
      expect(second.map((r) => [r?.blockNumber, r?.transactionIndex])).to.deep.equal([
        [first[0]!.blockNumber + 1, 0],
        [first[0]!.blockNumber + 1, 1],
        [first[0]!.blockNumber + 1, 2],
      ]);
      expect(chain.pendingCount).to.equal(0);
    });

    it("stops the run when the node refuses a transaction no block could hold, instead of waiting for it forever", async function () {
      const [a, b] = await senders(chain);
      await chain.setBlockGasLimit(50_000);
      await transfers([
        [a, 2n, 60_000],
        [b, 1n],
      ]);
      await expect(chain.mineAt(chain.now + 12)).to.be.rejectedWith(/gas.limit/); // "gas limit" (Hardhat), "gas_limit" (anvil)
    });

    it("mines a transaction that reverts, with status 0 and the gas it used charged to its sender", async function () {
      // The token first, with automine on, from a's key; then the chain takes over a's nonces.
      const a = key("a");
      const provider = node ? node.ethers : hre.ethers.provider;
      await provider.send("hardhat_setBalance", [a.address, "0x3635c9adc5dea00000"]);
      const token = await new TestERC20__factory(a.connect(provider)).deploy("T", "T", 6);
      await token.waitForDeployment();
      await senders(chain);
      const before = await provider.getBalance(a.address);
      // transfer more than the balance: ERC20InsufficientBalance
      const data = token.interface.encodeFunctionData("transfer", [a.address, 1n]);
      const hash = await chain.send({ from: a.address, to: await token.getAddress(), data, gas: 100_000, priorityFee: GWEI });
      await chain.mineAt(chain.now + 12);
      const [r] = await chain.receiptsAfterMining([hash]);
      expect(r!.status).to.equal(0);
      expect(r!.gasUsed > 21_000n && r!.gasUsed < 100_000n).to.equal(true);
      expect(before - (await provider.getBalance(a.address))).to.equal(r!.gasUsed * r!.effectiveGasPrice);
    });
  });
}
