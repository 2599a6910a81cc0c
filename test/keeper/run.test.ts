/**
 * `npx hardhat keeper` sends for the block after the latest: it reads that block's base fee from the node
 * (`eth_feeHistory`, each chain's own rule), falling back to the latest block's.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { nextBlockBaseFee } from "../../src/keeper/run";
import type { RpcProvider } from "../../src/keeper/sender";
import { nextBaseFee } from "../../src/sim/gasMarket";

describe("keeper command: the base fee it sends for", function () {
  it("is the next block's, as the node then sets it (EIP-1559 on Hardhat's chain), not the latest block's", async function () {
    // An empty block at 10 gwei: the next one's is 7/8 of it.
    await network.provider.send("hardhat_setNextBlockBaseFeePerGas", ["0x2540be400"]);
    await network.provider.send("evm_mine", []);
    const latest = (await ethers.provider.getBlock("latest"))!;
    expect([latest.baseFeePerGas, latest.gasUsed]).to.deep.equal([10n ** 10n, 0n]);
    const predicted = await nextBlockBaseFee(ethers.provider as unknown as RpcProvider, latest.baseFeePerGas!);
    expect(predicted).to.equal(nextBaseFee(latest.baseFeePerGas!, latest.gasUsed, latest.gasLimit));
    expect(predicted).to.equal(8_750_000_000n);
    await network.provider.send("evm_mine", []);
    expect((await ethers.provider.getBlock("latest"))!.baseFeePerGas).to.equal(predicted);
  });

  it("falls back to the latest block's when the node does not answer eth_feeHistory", async function () {
    const refusing = {
      send: async () => {
        throw new Error("the method eth_feeHistory does not exist");
      },
    } as unknown as RpcProvider;
    expect(await nextBlockBaseFee(refusing, 123n)).to.equal(123n);
  });
});
