/**
 * CollateralVault: eviction of what holders leave in a delisted collateral (review F1 of issue #11 class 14).
 * After the delisting ramp, `evictCollateral` (admin) moves an account's balance out of the ledger into the
 * account's claim on the token, so that `removeToken` can free the slot whatever is left (a remainder below one
 * token unit, a balance never withdrawn, a token that cannot be transferred); `claimEvicted` pays the claim to its
 * owner, before or after the removal.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ROLE } from "../../../src/deploy/roles";
import { FeeOnTransferERC20__factory } from "../../../typechain-types";
import {
  protocolFixture,
  standaloneFixture,
  depositInto,
  mintAndApprove,
  addFeed,
  newToken,
  accountId,
  Scope,
  NO_LEGS,
  WAD,
  BTC,
  BTC_SCALE,
  DAY,
} from "./helpers";
import { RAMP, ALICE_WBTC_WAD, ALICE_CASH, ALICE_IM, blockAt, delistingFixture } from "./delisting.helpers";

/** WBTC's bit in the fixture's account bitmaps (slot 1). */
const WBTC_BIT = 2n;

/**
 * A standalone vault where alice's 1 WBTC was split by the engine, a third to bob (rounded down in WAD), and WBTC's
 * one-day delisting ramp has ended: alice holds 0.666666666666666667 WBTC and bob 0.333333333333333333, neither a
 * whole number of satoshis.
 */
async function remainderFixture() {
  const s = await standaloneFixture();
  const A = accountId(s.alice.address);
  const B = accountId(s.bob.address);
  await depositInto(s.vault, s.wbtc, s.alice, BTC);
  await (await s.vault.connect(s.engineEoa).transferFraction(A, B, WAD / 3n, false, false, NO_LEGS)).wait();
  await (await s.vault.beginDelisting(s.wbtc, DAY)).wait();
  await time.increase(DAY);
  return { ...s, A, B, wbtcAddress: await s.wbtc.getAddress() };
}

describe("CollateralVault: eviction of a delisted collateral (review F1)", function () {
  describe("evictCollateral", function () {
    it("refuses a ramp not yet ended with VaultDelistingIncomplete(token, rampEnd) (0: not delisting), an unlisted token and an account holding none", async function () {
      const f = await loadFixture(delistingFixture);
      await time.setNextBlockTimestamp(f.T0 + RAMP - 1n);
      await expect(f.vault.evictCollateral(f.B, f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultDelistingIncomplete")
        .withArgs(f.wbtcAddress, f.T0 + RAMP);
      await expect(f.vault.evictCollateral(f.B, f.weth))
        .to.be.revertedWithCustomError(f.vault, "VaultDelistingIncomplete")
        .withArgs(await f.weth.getAddress(), 0n);
      await expect(f.vault.evictCollateral(f.B, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenNotListed")
        .withArgs(f.alice.address);
      await time.increaseTo(f.T0 + RAMP + 10n);
      const C = accountId(f.carol.address);
      await expect(f.vault.evictCollateral(C, f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultInsufficientBalance")
        .withArgs(C, f.wbtcAddress, 0n, 0n);
    });

    it("moves bob's whole balance into his claim with CollateralEvicted, clears his bit, bumps his nonce and leaves his margin unchanged", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      const nonce = await f.vault.accountNonce(f.B);
      expect(await f.vault.accountTokens(f.B)).to.equal(WBTC_BIT);
      const margin = await f.vault.marginCollateralFresh(f.B);
      await expect(f.vault.evictCollateral(f.B, f.wbtc))
        .to.emit(f.vault, "CollateralEvicted")
        .withArgs(f.B, f.wbtcAddress, BTC * BTC_SCALE, BTC);
      expect(await f.vault.collateralBalanceWad(f.B, f.wbtc)).to.equal(0n);
      expect(await f.vault.accountTokens(f.B)).to.equal(0n);
      expect(await f.vault.accountNonce(f.B)).to.equal(nonce + 1n);
      expect(await f.vault.totalHeldWad(f.wbtc)).to.equal(ALICE_WBTC_WAD);
      expect(await f.vault.evictedClaim(f.B, f.wbtc)).to.deep.equal([BTC, BTC]);
      expect(await f.vault.marginCollateralFresh(f.B)).to.deep.equal(margin);
      // The tokens stay in the vault until the claim is paid.
      expect(await f.wbtc.balanceOf(await f.vault.getAddress())).to.equal(BTC + ALICE_WBTC_WAD / BTC_SCALE);
    });

    it("refuses an account below initial margin with VaultInsufficientMargin and one in auction with VaultAccountInAuction: its liquidation can still sell the balance", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      await expect(f.vault.evictCollateral(f.A, f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultInsufficientMargin")
        .withArgs(f.A, ALICE_CASH, ALICE_IM);
      await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
      await expect(f.vault.evictCollateral(f.A, f.wbtc)).to.be.revertedWithCustomError(f.vault, "VaultAccountInAuction").withArgs(f.A);
      expect(await f.vault.collateralBalanceWad(f.A, f.wbtc)).to.equal(ALICE_WBTC_WAD);
      expect(await f.vault.evictedClaim(f.A, f.wbtc)).to.deep.equal([0n, 0n]);
    });

    it("reverts from a stranger, a guardian and a risk manager with AccessManagedUnauthorized(caller)", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      const guardian = f.users[10];
      const rm = f.users[11];
      await (await f.manager.grantRole(ROLE.GUARDIAN, guardian.address, 0)).wait();
      await (await f.manager.grantRole(ROLE.RISK_MANAGER, rm.address, 0)).wait();
      for (const who of [f.stranger, f.bob, guardian, rm]) {
        await expect(f.vault.connect(who).evictCollateral(f.B, f.wbtc))
          .to.be.revertedWithCustomError(f.vault, "AccessManagedUnauthorized")
          .withArgs(who.address);
      }
    });
  });

  describe("freeing the slot (review F1)", function () {
    it("evicts sub-unit remainders: each claim is rounded down to whole satoshis, the rest stays with the vault, and removeToken frees the slot", async function () {
      const f = await loadFixture(remainderFixture);
      const aliceWad = WAD - WAD / 3n;
      const bobWad = WAD / 3n;
      expect(await f.vault.collateralBalanceWad(f.A, f.wbtc)).to.equal(aliceWad);
      await expect(f.vault.removeToken(f.wbtc)).to.be.revertedWithCustomError(f.vault, "VaultTokenStillHeld").withArgs(f.wbtcAddress, WAD);
      await expect(f.vault.evictCollateral(f.A, f.wbtc))
        .to.emit(f.vault, "CollateralEvicted")
        .withArgs(f.A, f.wbtcAddress, aliceWad, 66_666_666n);
      await expect(f.vault.evictCollateral(f.B, f.wbtc))
        .to.emit(f.vault, "CollateralEvicted")
        .withArgs(f.B, f.wbtcAddress, bobWad, 33_333_333n);
      expect(await f.vault.evictedClaim(f.A, f.wbtc)).to.deep.equal([66_666_666n, 99_999_999n]);
      await expect(f.vault.removeToken(f.wbtc)).to.emit(f.vault, "CollateralRemoved").withArgs(f.wbtcAddress, 1n);
      expect(await f.vault.tokenAt(1)).to.equal(ethers.ZeroAddress);
      // The vault keeps one satoshi more than the claims: the two remainders, toward the protocol.
      expect(await f.wbtc.balanceOf(await f.vault.getAddress())).to.equal(BTC);
    });

    it("pays claims after the removal and after a new listing reuses the slot, to the owner's chosen recipient", async function () {
      const f = await loadFixture(remainderFixture);
      await (await f.vault.evictCollateral(f.A, f.wbtc)).wait();
      await (await f.vault.evictCollateral(f.B, f.wbtc)).wait();
      await (await f.vault.removeToken(f.wbtc)).wait();
      const claim = f.vault.connect(f.alice).claimEvicted(f.A, f.wbtc, f.carol.address);
      await expect(claim).to.emit(f.vault, "EvictedCollateralClaimed").withArgs(f.A, f.wbtcAddress, 66_666_666n, f.carol.address);
      await expect(claim).to.changeTokenBalances(f.wbtc, [f.vault, f.carol], [-66_666_666n, 66_666_666n]);
      const fresh = await newToken(f, 18, "NEW");
      const { asset } = await addFeed(f, "NEW/USD");
      await expect(f.vault.listCollateral(fresh, asset, WAD / 2n, 1_000n * WAD))
        .to.emit(f.vault, "CollateralListed")
        .withArgs(await fresh.getAddress(), asset, 18, 1, WAD / 2n, 1_000n * WAD);
      await expect(f.vault.connect(f.bob).claimEvicted(f.B, f.wbtc, f.bob.address)).to.changeTokenBalances(
        f.wbtc,
        [f.vault, f.bob],
        [-33_333_333n, 33_333_333n],
      );
      expect(await f.vault.evictedClaim(f.B, f.wbtc)).to.deep.equal([0n, 0n]);
      expect(await f.wbtc.balanceOf(await f.vault.getAddress())).to.equal(1n);
    });

    it("frees the slot of a token that can no longer be transferred as listed: the claim waits, measured, until it can", async function () {
      const b = await loadFixture(protocolFixture);
      const fee = await new FeeOnTransferERC20__factory(b.deployer).deploy();
      await (await fee.setFeeOn(false)).wait();
      const { asset } = await addFeed(b, "FEE/USD");
      await (await b.vault.listCollateral(fee, asset, WAD / 2n, 1_000n * WAD)).wait();
      const A = accountId(b.alice.address);
      await mintAndApprove(b.vault, fee, b.alice, 10n * WAD);
      await (await b.vault.connect(b.alice).deposit(A, fee, 10n * WAD)).wait();
      await (await b.vault.beginDelisting(fee, DAY)).wait();
      await time.increase(DAY);
      // The token starts charging 1% on transfers: a withdrawal now fails, so alice could never empty the slot.
      await (await fee.setFeeOn(true)).wait();
      const feeAddress = await fee.getAddress();
      await expect(b.vault.connect(b.alice).withdraw(A, fee, 10n * WAD, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultWithdrawalMismatch")
        .withArgs(feeAddress, 10n * WAD, 10n * WAD, 99n * 10n ** 17n);
      await (await b.vault.evictCollateral(A, fee)).wait();
      await expect(b.vault.removeToken(fee)).to.emit(b.vault, "CollateralRemoved");
      await expect(b.vault.connect(b.alice).claimEvicted(A, fee, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultWithdrawalMismatch")
        .withArgs(feeAddress, 10n * WAD, 10n * WAD, 99n * 10n ** 17n);
      expect(await b.vault.evictedClaim(A, fee)).to.deep.equal([10n * WAD, 10n * WAD]);
      await (await fee.setFeeOn(false)).wait();
      await expect(b.vault.connect(b.alice).claimEvicted(A, fee, b.alice.address)).to.changeTokenBalance(fee, b.alice, 10n * WAD);
    });
  });

  describe("claimEvicted", function () {
    it("pays a full-scope operator's request and refuses strangers and trade-scope operators with VaultUnauthorized(caller, account)", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      await (await f.vault.evictCollateral(f.B, f.wbtc)).wait();
      const expiry = BigInt(await time.latest()) + DAY;
      await (await f.engine.connect(f.bob).setOperator(f.operator.address, Scope.Trade, expiry)).wait();
      for (const who of [f.stranger, f.alice, f.operator]) {
        await expect(f.vault.connect(who).claimEvicted(f.B, f.wbtc, who.address))
          .to.be.revertedWithCustomError(f.vault, "VaultUnauthorized")
          .withArgs(who.address, f.B);
      }
      await (await f.engine.connect(f.bob).setOperator(f.operator.address, Scope.Full, expiry)).wait();
      await expect(f.vault.connect(f.operator).claimEvicted(f.B, f.wbtc, f.bob.address)).to.changeTokenBalance(f.wbtc, f.bob, BTC);
    });

    it("refuses a zero recipient with VaultZeroAddress and an empty claim with VaultZeroAmount, changing nothing", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      await expect(f.vault.connect(f.bob).claimEvicted(f.B, f.wbtc, f.bob.address)).to.be.revertedWithCustomError(
        f.vault,
        "VaultZeroAmount",
      );
      await (await f.vault.evictCollateral(f.B, f.wbtc)).wait();
      await expect(f.vault.connect(f.bob).claimEvicted(f.B, f.wbtc, ethers.ZeroAddress)).to.be.revertedWithCustomError(
        f.vault,
        "VaultZeroAddress",
      );
      await (await f.vault.connect(f.bob).claimEvicted(f.B, f.wbtc, f.bob.address)).wait();
      await expect(f.vault.connect(f.bob).claimEvicted(f.B, f.wbtc, f.bob.address)).to.be.revertedWithCustomError(
        f.vault,
        "VaultZeroAmount",
      );
      expect(await f.vault.evictedClaim(f.B, f.wbtc)).to.deep.equal([0n, 0n]);
    });
  });
});
