/**
 * VaultAdmin: the linked library running the vault's cold functions on the vault's storage (by DELEGATECALL with the
 * vault's own calldata), and nothing else.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { CollateralVault__factory, VaultAdmin__factory } from "../../../typechain-types";

describe("VaultAdmin", function () {
  it("refuses a direct call of a state-changing function: it runs only by DELEGATECALL from the vault", async function () {
    const [deployer] = await ethers.getSigners();
    const admin = await new VaultAdmin__factory(deployer).deploy();
    // Its functions carry the vault's signatures (the compiler leaves state-changing library functions out of the
    // library's ABI), so the vault's interface reaches them.
    const asVault = CollateralVault__factory.connect(await admin.getAddress(), deployer);
    await expect(asVault.setBorrowCap(1n)).to.be.revertedWithoutReason();
    await expect(asVault.pauseDeposits()).to.be.revertedWithoutReason();
    await expect(asVault.bindEngine(deployer.address)).to.be.revertedWithoutReason();
  });
});
