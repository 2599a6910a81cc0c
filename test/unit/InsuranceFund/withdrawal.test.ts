/**
 * Exits from the fund: `requestWithdrawal` escrows shares, `cancelWithdrawal` returns them, and `claimWithdrawal`
 * pays min(value at request, value at claim) during [readyAt, expiresAt] = [request + cooldown, + unstakeWindow],
 * from idle tokens first and then from the fund's vault account. Fixture timing: cooldown 7 d, window 2 d.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  stakedFixture,
  collectFees,
  cover,
  donateIdle,
  eventId,
  fundCash,
  fundState,
  idle,
  requestAt,
  toAssets,
  USDC,
  SCALE,
  OFFSET,
  WAD,
  ALICE_STAKE,
  ALICE_SHARES,
  BOB_STAKE,
  BOB_SHARES,
} from "./helpers";

const NO_REQUEST = [0n, 0n, 0n, 0n];

describe("InsuranceFund: withdrawal requests", function () {
  describe("requestWithdrawal", function () {
    it("escrows the shares in the fund, records the request and emits WithdrawalRequested with their value, readyAt and expiresAt", async function () {
      const f = await loadFixture(stakedFixture);
      await collectFees(f, 10n * WAD); // 21 USDC: a non-integral share price
      const { supply, total } = await fundState(f);
      const shares = 400n * USDC * OFFSET + 123_456_789n;
      const value = toAssets(shares, supply, total);
      expect(value).to.equal(402_100_124n); // rounded down
      const { tx, t, readyAt, expiresAt } = await requestAt(f, f.alice, shares);
      expect(readyAt).to.equal(t + 7n * 86_400n);
      expect(expiresAt).to.equal(t + 9n * 86_400n);
      await expect(tx).to.emit(f.fund, "WithdrawalRequested").withArgs(f.alice.address, shares, value, readyAt, expiresAt);
      await expect(tx).to.emit(f.fund, "Transfer").withArgs(f.alice.address, f.fundAddress, shares);
      expect(await f.fund.withdrawalRequest(f.alice.address)).to.deep.equal([shares, value, readyAt, expiresAt]);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES - shares);
      expect(await f.fund.balanceOf(f.fundAddress)).to.equal(shares);
      // Escrowed shares stay in the supply and the assets stay in the fund.
      expect(await fundState(f)).to.deep.equal({ supply, total });
    });

    it("reverts InsuranceZeroAmount for zero shares", async function () {
      const f = await loadFixture(stakedFixture);
      await expect(f.fund.connect(f.alice).requestWithdrawal(0n)).to.be.revertedWithCustomError(f.fund, "InsuranceZeroAmount");
    });

    it("reverts with ERC20InsufficientBalance for more shares than the caller holds", async function () {
      const f = await loadFixture(stakedFixture);
      await expect(f.fund.connect(f.alice).requestWithdrawal(ALICE_SHARES + 1n))
        .to.be.revertedWithCustomError(f.fund, "ERC20InsufficientBalance")
        .withArgs(f.alice.address, ALICE_SHARES, ALICE_SHARES + 1n);
      await expect(f.fund.connect(f.stranger).requestWithdrawal(1n))
        .to.be.revertedWithCustomError(f.fund, "ERC20InsufficientBalance")
        .withArgs(f.stranger.address, 0n, 1n);
    });

    it("reverts InsuranceRequestPending while a request is pending, even after its window expired, until it is cancelled", async function () {
      const f = await loadFixture(stakedFixture);
      const { expiresAt } = await requestAt(f, f.alice, ALICE_SHARES / 2n);
      await expect(f.fund.connect(f.alice).requestWithdrawal(1n))
        .to.be.revertedWithCustomError(f.fund, "InsuranceRequestPending")
        .withArgs(f.alice.address);
      await time.increaseTo(expiresAt + 1n);
      await expect(f.fund.connect(f.alice).requestWithdrawal(1n))
        .to.be.revertedWithCustomError(f.fund, "InsuranceRequestPending")
        .withArgs(f.alice.address);
      await (await f.fund.connect(f.alice).cancelWithdrawal()).wait();
      await expect(f.fund.connect(f.alice).requestWithdrawal(1n)).to.emit(f.fund, "WithdrawalRequested");
    });

    it("is per owner: two stakers hold independent requests", async function () {
      const f = await loadFixture(stakedFixture);
      const a = await requestAt(f, f.alice, ALICE_SHARES);
      const b = await requestAt(f, f.bob, BOB_SHARES / 3n);
      expect(await f.fund.withdrawalRequest(f.alice.address)).to.deep.equal([ALICE_SHARES, ALICE_STAKE, a.readyAt, a.expiresAt]);
      expect(await f.fund.withdrawalRequest(f.bob.address)).to.deep.equal([BOB_SHARES / 3n, BOB_STAKE / 3n, b.readyAt, b.expiresAt]);
      expect(await f.fund.balanceOf(f.fundAddress)).to.equal(ALICE_SHARES + BOB_SHARES / 3n);
    });

    it("uses the timing in force at the request: a later timing change moves neither readyAt nor expiresAt", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt, expiresAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await (await f.fund.setWithdrawalTiming(3_600, 3_600)).wait();
      expect(await f.fund.withdrawalRequest(f.alice.address)).to.deep.equal([ALICE_SHARES, ALICE_STAKE, readyAt, expiresAt]);
      await time.increaseTo(readyAt - 86_400n);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "InsuranceCooldownNotOver")
        .withArgs(readyAt);
      await time.setNextBlockTimestamp(expiresAt);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address)).to.emit(f.fund, "WithdrawalClaimed");
      // A request made now gets the new timing.
      const b = await requestAt(f, f.bob, BOB_SHARES, 3_600n, 3_600n);
      expect(await f.fund.withdrawalRequest(f.bob.address)).to.deep.equal([BOB_SHARES, BOB_STAKE, b.t + 3_600n, b.t + 7_200n]);
    });
  });

  describe("cancelWithdrawal", function () {
    it("returns the escrowed shares, deletes the request and emits WithdrawalCancelled", async function () {
      const f = await loadFixture(stakedFixture);
      const shares = ALICE_SHARES / 4n;
      await requestAt(f, f.alice, shares);
      const tx = f.fund.connect(f.alice).cancelWithdrawal();
      await expect(tx).to.emit(f.fund, "WithdrawalCancelled").withArgs(f.alice.address, shares);
      await expect(tx).to.emit(f.fund, "Transfer").withArgs(f.fundAddress, f.alice.address, shares);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES);
      expect(await f.fund.balanceOf(f.fundAddress)).to.equal(0n);
      expect(await f.fund.withdrawalRequest(f.alice.address)).to.deep.equal(NO_REQUEST);
      expect(await fundState(f)).to.deep.equal({ supply: ALICE_SHARES + BOB_SHARES, total: ALICE_STAKE + BOB_STAKE });
    });

    it("works during the window and after it expired", async function () {
      const f = await loadFixture(stakedFixture);
      const a = await requestAt(f, f.alice, ALICE_SHARES);
      const b = await requestAt(f, f.bob, BOB_SHARES);
      await time.increaseTo(a.readyAt + 1n);
      await expect(f.fund.connect(f.alice).cancelWithdrawal())
        .to.emit(f.fund, "WithdrawalCancelled")
        .withArgs(f.alice.address, ALICE_SHARES);
      await time.increaseTo(b.expiresAt + 86_400n);
      await expect(f.fund.connect(f.bob).cancelWithdrawal()).to.emit(f.fund, "WithdrawalCancelled").withArgs(f.bob.address, BOB_SHARES);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES);
      expect(await f.fund.balanceOf(f.bob.address)).to.equal(BOB_SHARES);
    });

    it("reverts InsuranceNoRequest without a pending request, as does claimWithdrawal", async function () {
      const f = await loadFixture(stakedFixture);
      await expect(f.fund.connect(f.alice).cancelWithdrawal())
        .to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest")
        .withArgs(f.alice.address);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest")
        .withArgs(f.alice.address);
      await requestAt(f, f.alice, 1n);
      await (await f.fund.connect(f.alice).cancelWithdrawal()).wait();
      await expect(f.fund.connect(f.alice).cancelWithdrawal())
        .to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest")
        .withArgs(f.alice.address);
      // Bob's request is his own: Alice cannot cancel or claim it.
      await requestAt(f, f.bob, BOB_SHARES);
      await expect(f.fund.connect(f.alice).cancelWithdrawal())
        .to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest")
        .withArgs(f.alice.address);
    });
  });

  describe("claimWithdrawal timing", function () {
    it("reverts InsuranceCooldownNotOver(readyAt) one second before readyAt and succeeds exactly at readyAt", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await time.setNextBlockTimestamp(readyAt - 1n);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "InsuranceCooldownNotOver")
        .withArgs(readyAt);
      await time.setNextBlockTimestamp(readyAt);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.alice.address);
      await expect(tx).to.emit(f.fund, "WithdrawalClaimed").withArgs(f.alice.address, f.alice.address, ALICE_SHARES, ALICE_STAKE);
      expect((await ethers.provider.getBlock("latest"))!.timestamp).to.equal(Number(readyAt));
    });

    it("reverts InsuranceWindowExpired(expiresAt) one second after expiresAt and succeeds exactly at expiresAt", async function () {
      const f = await loadFixture(stakedFixture);
      const a = await requestAt(f, f.alice, ALICE_SHARES);
      const b = await requestAt(f, f.bob, BOB_SHARES);
      await time.setNextBlockTimestamp(a.expiresAt);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.emit(f.fund, "WithdrawalClaimed")
        .withArgs(f.alice.address, f.alice.address, ALICE_SHARES, ALICE_STAKE);
      expect((await ethers.provider.getBlock("latest"))!.timestamp).to.equal(Number(a.expiresAt));
      await time.setNextBlockTimestamp(b.expiresAt + 1n);
      await expect(f.fund.connect(f.bob).claimWithdrawal(f.bob.address))
        .to.be.revertedWithCustomError(f.fund, "InsuranceWindowExpired")
        .withArgs(b.expiresAt);
      expect(await f.fund.withdrawalRequest(f.bob.address)).to.deep.equal([BOB_SHARES, BOB_STAKE, b.readyAt, b.expiresAt]);
    });
  });

  describe("claimWithdrawal value", function () {
    it("at an unchanged price burns the escrowed shares, sends their value to the receiver and emits WithdrawalClaimed and Withdraw (INV-02: held tokens fall by exactly the payout)", async function () {
      const f = await loadFixture(stakedFixture);
      const shares = ALICE_SHARES / 4n;
      const assets = ALICE_STAKE / 4n;
      const { readyAt } = await requestAt(f, f.alice, shares);
      await time.increaseTo(readyAt + 100n);
      expect(await f.fund.connect(f.alice).claimWithdrawal.staticCall(f.carol.address)).to.equal(assets);
      const heldBefore = await f.vault.totalHeldWad(f.usdc);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.carol.address);
      await expect(tx).to.emit(f.fund, "WithdrawalClaimed").withArgs(f.alice.address, f.carol.address, shares, assets);
      await expect(tx).to.emit(f.fund, "Withdraw").withArgs(f.alice.address, f.carol.address, f.alice.address, assets, shares);
      await expect(tx).to.emit(f.fund, "Transfer").withArgs(f.fundAddress, ethers.ZeroAddress, shares);
      await expect(tx).to.emit(f.vault, "Withdrawn").withArgs(f.fundAcct, f.usdc, assets, f.carol.address);
      await expect(tx).to.changeTokenBalances(f.cash, [f.carol, f.alice, f.fundAddress], [assets, 0n, 0n]);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES - shares);
      expect(await f.fund.balanceOf(f.fundAddress)).to.equal(0n);
      expect(await f.fund.withdrawalRequest(f.alice.address)).to.deep.equal(NO_REQUEST);
      expect(await fundState(f)).to.deep.equal({ supply: ALICE_SHARES + BOB_SHARES - shares, total: ALICE_STAKE + BOB_STAKE - assets });
      expect(await fundCash(f)).to.equal((ALICE_STAKE + BOB_STAKE - assets) * SCALE);
      expect(await f.vault.totalHeldWad(f.usdc)).to.equal(heldBefore - assets * SCALE);
    });

    it("after fees raised the share price pays only the value at request, and the excess stays with the remaining stakers", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await collectFees(f, 10n * WAD); // +21 USDC
      const supply = ALICE_SHARES + BOB_SHARES;
      const total = ALICE_STAKE + BOB_STAKE + 21n * USDC;
      expect(await f.fund.previewRedeem(ALICE_SHARES)).to.equal(toAssets(ALICE_SHARES, supply, total));
      expect(toAssets(ALICE_SHARES, supply, total)).to.equal(1_005_249_999n); // what the escrowed shares are worth now
      await time.increaseTo(readyAt);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.alice.address);
      await expect(tx).to.emit(f.fund, "WithdrawalClaimed").withArgs(f.alice.address, f.alice.address, ALICE_SHARES, ALICE_STAKE);
      await expect(tx).to.changeTokenBalance(f.cash, f.alice, ALICE_STAKE);
      // Bob now owns the whole 21 USDC (less the virtual shares' sliver), not 3/4 of it.
      expect(await fundState(f)).to.deep.equal({ supply: BOB_SHARES, total: BOB_STAKE + 21n * USDC });
      expect(await f.fund.convertToAssets(BOB_SHARES)).to.equal(toAssets(BOB_SHARES, BOB_SHARES, BOB_STAKE + 21n * USDC));
      expect(await f.fund.convertToAssets(BOB_SHARES)).to.equal(3_020_999_999n);
    });

    it("after a cover payout lowered the share price pays the lower value: escrowed shares bear the loss like the others and nobody exits ahead of it", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      expect((await f.fund.withdrawalRequest(f.alice.address)).assetsAtRequest).to.equal(ALICE_STAKE);
      await (await cover(f, eventId("loss"), f.recipient, 400n * WAD)).wait(); // 10% of the fund
      const supply = ALICE_SHARES + BOB_SHARES;
      const total = ALICE_STAKE + BOB_STAKE - 400n * USDC;
      const aliceNow = toAssets(ALICE_SHARES, supply, total);
      expect(aliceNow).to.equal(900n * USDC);
      expect(await f.fund.previewRedeem(ALICE_SHARES)).to.equal(aliceNow);
      await time.increaseTo(readyAt);
      expect(await f.fund.connect(f.alice).claimWithdrawal.staticCall(f.alice.address)).to.equal(aliceNow);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.alice.address);
      await expect(tx).to.emit(f.fund, "WithdrawalClaimed").withArgs(f.alice.address, f.alice.address, ALICE_SHARES, aliceNow);
      await expect(tx).to.emit(f.fund, "Withdraw").withArgs(f.alice.address, f.alice.address, f.alice.address, aliceNow, ALICE_SHARES);
      await expect(tx).to.changeTokenBalance(f.cash, f.alice, aliceNow);
      // Bob bears the same 10%.
      expect(await fundState(f)).to.deep.equal({ supply: BOB_SHARES, total: 2_700n * USDC });
      expect(await f.fund.convertToAssets(BOB_SHARES)).to.equal(2_700n * USDC);
    });

    it("after a loss and a partial recovery still pays the lower of both values", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await (await cover(f, eventId("loss"), f.recipient, 400n * WAD)).wait();
      await collectFees(f, 100n * WAD); // +210 USDC: 3,810 USDC, still below the 4,000 at request
      const total = 3_810n * USDC;
      const now = toAssets(ALICE_SHARES, ALICE_SHARES + BOB_SHARES, total);
      expect(now).to.equal(952_500_000n);
      await time.increaseTo(readyAt);
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.emit(f.fund, "WithdrawalClaimed")
        .withArgs(f.alice.address, f.alice.address, ALICE_SHARES, now);
    });

    it("after the fund was drained by payouts burns the escrowed shares and pays 0 without touching the vault", async function () {
      const f = await loadFixture(stakedFixture);
      await (await f.fund.setEventCapRatio(WAD)).wait();
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await (await cover(f, eventId("wipe-out"), f.recipient, 10_000n * WAD)).wait();
      expect(await f.fund.totalAssets()).to.equal(0n);
      await time.increaseTo(readyAt);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.alice.address);
      await expect(tx).to.emit(f.fund, "WithdrawalClaimed").withArgs(f.alice.address, f.alice.address, ALICE_SHARES, 0n);
      await expect(tx).to.not.emit(f.vault, "Withdrawn");
      await expect(tx).to.changeTokenBalance(f.cash, f.alice, 0n);
      expect(await fundState(f)).to.deep.equal({ supply: BOB_SHARES, total: 0n });
    });

    it("pays from idle tokens first and only the rest from the fund's vault account", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 100n * USDC);
      const { supply, total } = await fundState(f);
      const value = toAssets(ALICE_SHARES, supply, total);
      expect(value).to.equal(1_024_999_999n);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await time.increaseTo(readyAt);
      const cashBefore = await fundCash(f);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.bob.address);
      await expect(tx).to.changeTokenBalances(f.cash, [f.bob, f.fundAddress], [value, -100n * USDC]);
      await expect(tx)
        .to.emit(f.vault, "Withdrawn")
        .withArgs(f.fundAcct, f.usdc, value - 100n * USDC, f.bob.address);
      expect(await idle(f)).to.equal(0n);
      expect(await fundCash(f)).to.equal(cashBefore - (value - 100n * USDC) * SCALE);
    });

    it("pays entirely from idle tokens when they suffice, leaving the vault account untouched", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 5_000n * USDC);
      const { supply, total } = await fundState(f);
      const value = toAssets(ALICE_SHARES, supply, total);
      expect(value).to.equal(2_249_999_999n);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES);
      await time.increaseTo(readyAt);
      const cashBefore = await fundCash(f);
      const tx = f.fund.connect(f.alice).claimWithdrawal(f.alice.address);
      await expect(tx).to.changeTokenBalances(f.cash, [f.alice, f.fundAddress], [value, -value]);
      await expect(tx).to.not.emit(f.vault, "Withdrawn");
      expect(await fundCash(f)).to.equal(cashBefore);
      expect(await idle(f)).to.equal(5_000n * USDC - value);
    });

    it("deletes the request: a second claim reverts InsuranceNoRequest and a new request can be made", async function () {
      const f = await loadFixture(stakedFixture);
      const { readyAt } = await requestAt(f, f.alice, ALICE_SHARES / 2n);
      await time.increaseTo(readyAt);
      await (await f.fund.connect(f.alice).claimWithdrawal(f.alice.address)).wait();
      await expect(f.fund.connect(f.alice).claimWithdrawal(f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest")
        .withArgs(f.alice.address);
      // At the unchanged price the remaining half is still worth 500 USDC.
      const r = await requestAt(f, f.alice, ALICE_SHARES / 2n);
      await expect(r.tx)
        .to.emit(f.fund, "WithdrawalRequested")
        .withArgs(f.alice.address, ALICE_SHARES / 2n, ALICE_STAKE / 2n, r.readyAt, r.expiresAt);
    });
  });
});
