/**
 * The chain behaviour the simulator relies on: with automine off, a block holds the pending transactions highest
 * priority fee first (hardhat.config.ts sets `mining.mempool.order = "priority"`), and a transaction sent with an
 * explicit gas limit that reverts is still mined, and pays for the gas it used.
 */
import { expect } from "chai";
import hre from "hardhat";
import { Chain } from "../../src/sim/chain";
import { TestERC20__factory } from "../../typechain-types";

describe("simulator chain: mempool order and reverted transactions", function () {
  let snapshot: unknown;
  beforeEach(async function () {
    snapshot = await hre.network.provider.request({ method: "evm_snapshot", params: [] });
  });
  afterEach(async function () {
    await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
    await hre.network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("mines pending transactions highest priority fee first, whatever order they were sent in", async function () {
    const [a, b, c, to] = await hre.ethers.getSigners();
    const chain = new Chain(hre.network.provider);
    await chain.sync();
    await chain.setAutomine(false);
    const gwei = 10n ** 9n;
    const sent = [
      await chain.send({ from: a.address, to: to.address, data: "0x", gas: 21_000, priorityFee: 1n * gwei }),
      await chain.send({ from: b.address, to: to.address, data: "0x", gas: 21_000, priorityFee: 3n * gwei }),
      await chain.send({ from: c.address, to: to.address, data: "0x", gas: 21_000, priorityFee: 2n * gwei }),
    ];
    await chain.mineAt(chain.now + 12);
    const index = await Promise.all(sent.map(async (h) => (await chain.receipt(h))!.transactionIndex));
    expect(index).to.deep.equal([2, 0, 1]);
  });

  it("mines a transaction that reverts, with status 0 and the gas it used charged to its sender", async function () {
    const [a] = await hre.ethers.getSigners();
    const token = await new TestERC20__factory(a).deploy("T", "T", 6);
    const chain = new Chain(hre.network.provider);
    await chain.sync();
    await chain.setAutomine(false);
    const before = await hre.ethers.provider.getBalance(a.address);
    // transfer more than the balance: ERC20InsufficientBalance
    const data = token.interface.encodeFunctionData("transfer", [a.address, 1n]);
    const hash = await chain.send({ from: a.address, to: await token.getAddress(), data, gas: 100_000, priorityFee: 10n ** 9n });
    await chain.mineAt(chain.now + 12);
    const r = (await chain.receipt(hash))!;
    expect(r.status).to.equal(0);
    expect(r.gasUsed > 21_000n && r.gasUsed < 100_000n).to.equal(true);
    expect(before - (await hre.ethers.provider.getBalance(a.address))).to.equal(r.gasUsed * r.effectiveGasPrice);
  });
});
