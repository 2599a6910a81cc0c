/**
 * Issue #11 class 13: withdrawals did not measure what leaves the vault.
 *
 * The attack (or accident): a listed collateral is an upgradeable token that starts charging a transfer fee after it
 * was listed. Deposits measure what arrives and refuse a shortfall, but a withdrawal sent `amount` and debited the
 * ledger by `amount` whatever the transfer did: the recipient silently got less, and a token that charges the fee on
 * top of the amount would take more from the vault than the ledger recorded (the ledger drifts from the tokens held).
 *
 * The rule now (CollateralVault._sendExact): a withdrawal measures the vault's and the recipient's balance
 * differences and reverts with VaultWithdrawalMismatch(token, amount, sent, received) unless both equal `amount`;
 * nothing changes, and the balance can be withdrawn again once the token transfers exactly (or governance delists it).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { FeeOnTransferERC20__factory } from "../../typechain-types";
import { accountId, addFeed, protocolFixture, WAD } from "../unit/CollateralVault/helpers";

/** A fee token listed while its fee was off; alice deposited 1,000 wei of it (18 decimals) into her account. */
async function listedFeeTokenFixture() {
  const b = await protocolFixture();
  const fee = await new FeeOnTransferERC20__factory(b.deployer).deploy();
  await (await fee.setFeeOn(false)).wait();
  const { asset } = await addFeed(b, "FEE/USD");
  await (await b.vault.listCollateral(fee, asset, 5n * 10n ** 17n, 1_000_000n * WAD)).wait();
  const A = accountId(b.alice.address);
  await (await fee.mint(b.alice.address, 1_000n)).wait();
  await (await fee.connect(b.alice).approve(await b.vault.getAddress(), 1_000n)).wait();
  await (await b.vault.connect(b.alice).deposit(A, fee, 1_000n)).wait();
  return { ...b, fee, A };
}

describe("Issue #11 class 13: withdrawals measure what leaves the vault", function () {
  it("class 13 withdrawal measurement: after the token switches on a 1% fee, a withdrawal reverts VaultWithdrawalMismatch(token, 1000, 1000, 990) and changes nothing", async function () {
    const { vault, fee, alice, bob, A } = await loadFixture(listedFeeTokenFixture);
    expect(await vault.collateralBalanceWad(A, fee)).to.equal(1_000n);
    await (await fee.setFeeOn(true)).wait();
    await expect(vault.connect(alice).withdraw(A, fee, 1_000n, bob.address))
      .to.be.revertedWithCustomError(vault, "VaultWithdrawalMismatch")
      .withArgs(await fee.getAddress(), 1_000n, 1_000n, 990n);
    expect(await vault.collateralBalanceWad(A, fee)).to.equal(1_000n);
    expect(await vault.totalHeldWad(fee)).to.equal(1_000n);
    expect(await fee.balanceOf(await vault.getAddress())).to.equal(1_000n);
    expect(await fee.balanceOf(bob.address)).to.equal(0n);
  });

  it("class 13 withdrawal measurement: the balance is not stranded: once the token transfers exactly again, the same withdrawal pays 1,000 and the ledger matches the tokens held", async function () {
    const { vault, fee, alice, bob, A } = await loadFixture(listedFeeTokenFixture);
    await (await fee.setFeeOn(true)).wait();
    await expect(vault.connect(alice).withdraw(A, fee, 1_000n, bob.address)).to.be.revertedWithCustomError(
      vault,
      "VaultWithdrawalMismatch",
    );
    await (await fee.setFeeOn(false)).wait();
    await expect(vault.connect(alice).withdraw(A, fee, 1_000n, bob.address))
      .to.emit(vault, "Withdrawn")
      .withArgs(A, await fee.getAddress(), 1_000n, bob.address);
    expect(await fee.balanceOf(bob.address)).to.equal(1_000n);
    expect([await vault.totalHeldWad(fee), await fee.balanceOf(await vault.getAddress())]).to.deep.equal([0n, 0n]);
  });
});
