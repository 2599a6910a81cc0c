/**
 * InsuranceFund.cover: the liquidation auction draws on the fund for an event. It pays
 * min(amount, cap - paid, total assets) in whole token units, where the event's cap is eventCapRatio (50% in the
 * fixture) of total assets at its first payout, by moving vault cash from the fund's account to the recipient;
 * idle tokens are swept into the vault first. `coverage` reports the same quantities.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  insuranceFixture,
  stakedFixture,
  cover,
  coverStatic,
  donateIdle,
  eventId,
  fundCash,
  idle,
  accountId,
  USDC,
  SCALE,
  WAD,
  ALICE_STAKE,
  BOB_STAKE,
} from "./helpers";

const E1 = eventId("event-1");
const E2 = eventId("event-2");
const STAKED = (ALICE_STAKE + BOB_STAKE) * SCALE; // 4,000 USDC as WAD cash

describe("InsuranceFund: cover", function () {
  it("reverts InsuranceOnlyAuction for any caller but the bound auction, the admin included", async function () {
    const f = await loadFixture(stakedFixture);
    expect(await f.fund.auction()).to.equal(f.auctionAddress);
    for (const caller of [f.deployer, f.alice, f.stranger]) {
      await expect(f.fund.connect(caller).cover(E1, f.recipient, WAD))
        .to.be.revertedWithCustomError(f.fund, "InsuranceOnlyAuction")
        .withArgs(caller.address);
    }
  });

  it("pays the requested amount within the cap, credits the recipient's vault cash exactly and emits LossCovered and CashTransferred (INV-02: no tokens move)", async function () {
    const f = await loadFixture(stakedFixture);
    expect(await f.fund.coverage(E1)).to.deep.equal([STAKED, STAKED / 2n, 0n, STAKED / 2n]);
    const amount = 100n * WAD;
    expect(await coverStatic(f, E1, f.recipient, amount)).to.equal(amount);
    const heldBefore = await f.vault.totalHeldWad(f.usdc);
    const tx = cover(f, E1, f.recipient, amount);
    await expect(tx).to.emit(f.fund, "LossCovered").withArgs(E1, f.recipient, amount, amount);
    await expect(tx).to.emit(f.vault, "CashTransferred").withArgs(f.fundAcct, f.recipient, amount);
    await expect(tx).to.changeTokenBalances(f.cash, [f.fundAddress, f.vault], [0n, 0n]);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(amount);
    expect(await fundCash(f)).to.equal(STAKED - amount);
    expect(await f.fund.totalAssets()).to.equal(3_900n * USDC);
    expect(await f.vault.totalHeldWad(f.usdc)).to.equal(heldBefore);
    // The event's cap stays 2,000 with 100 paid; a new event would get 50% of the 3,900 left.
    expect(await f.fund.coverage(E1)).to.deep.equal([STAKED - amount, STAKED / 2n - amount, amount, STAKED / 2n]);
    expect(await f.fund.coverage(E2)).to.deep.equal([STAKED - amount, (STAKED - amount) / 2n, 0n, (STAKED - amount) / 2n]);
  });

  it("credits a recipient that already holds cash on top of its balance", async function () {
    const f = await loadFixture(stakedFixture);
    const dave = accountId(f.dave.address);
    const before = await f.vault.cashBalance(dave);
    expect(before).to.equal(1_000_000n * WAD);
    await expect(cover(f, E1, dave, 250n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, dave, 250n * WAD, 250n * WAD);
    expect(await f.vault.cashBalance(dave)).to.equal(before + 250n * WAD);
  });

  it("pays whole token units: a WAD amount with sub-unit dust is paid rounded down and the WAD actually paid is returned", async function () {
    const f = await loadFixture(stakedFixture);
    const amount = 123_456_789_123_456_789_123n; // 123.456789123456789123 USDC
    const paid = 123_456_789n * SCALE; // 123.456789 USDC
    expect(await coverStatic(f, E1, f.recipient, amount)).to.equal(paid);
    const tx = cover(f, E1, f.recipient, amount);
    await expect(tx).to.emit(f.fund, "LossCovered").withArgs(E1, f.recipient, amount, paid);
    await expect(tx).to.emit(f.vault, "CashTransferred").withArgs(f.fundAcct, f.recipient, paid);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(paid);
    expect(await fundCash(f)).to.equal(STAKED - paid);
    expect((await f.fund.coverage(E1))[2]).to.equal(paid);
  });

  it("an amount below one token unit pays 0 and moves no cash", async function () {
    const f = await loadFixture(stakedFixture);
    expect(await coverStatic(f, E1, f.recipient, SCALE - 1n)).to.equal(0n);
    const tx = cover(f, E1, f.recipient, SCALE - 1n);
    await expect(tx)
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, SCALE - 1n, 0n);
    await expect(tx).to.not.emit(f.vault, "CashTransferred");
    expect(await fundCash(f)).to.equal(STAKED);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(0n);
  });

  it("caps an event's first payout at eventCapRatio (50%) of total assets at that moment", async function () {
    const f = await loadFixture(stakedFixture);
    const tx = cover(f, E1, f.recipient, 3_000n * WAD);
    await expect(tx)
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 3_000n * WAD, 2_000n * WAD);
    await expect(tx)
      .to.emit(f.vault, "CashTransferred")
      .withArgs(f.fundAcct, f.recipient, 2_000n * WAD);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(2_000n * WAD);
    expect(await f.fund.coverage(E1)).to.deep.equal([2_000n * WAD, 0n, 2_000n * WAD, 2_000n * WAD]);
    // The exhausted event pays nothing more.
    await expect(cover(f, E1, f.recipient, WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, WAD, 0n);
    expect(await fundCash(f)).to.equal(2_000n * WAD);
  });

  it("fixes the cap at the event's first payout: later payouts of the same event share it, even after new deposits", async function () {
    const f = await loadFixture(stakedFixture);
    await (await cover(f, E1, f.recipient, 500n * WAD)).wait(); // cap 2,000
    await (await f.fund.connect(f.carol).deposit(4_000n * USDC, f.carol.address)).wait(); // 7,500 in the fund
    expect(await f.fund.coverage(E1)).to.deep.equal([7_500n * WAD, 1_500n * WAD, 500n * WAD, 2_000n * WAD]);
    await expect(cover(f, E1, f.recipient, 3_000n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 3_000n * WAD, 1_500n * WAD);
    await expect(cover(f, E1, f.recipient, 3_000n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 3_000n * WAD, 0n);
    expect(await f.fund.coverage(E1)).to.deep.equal([6_000n * WAD, 0n, 2_000n * WAD, 2_000n * WAD]);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(2_000n * WAD);
  });

  it("gives a new event its own cap from the total assets at its first payout", async function () {
    const f = await loadFixture(stakedFixture);
    await (await cover(f, E1, f.recipient, 2_000n * WAD)).wait();
    expect(await f.fund.coverage(E2)).to.deep.equal([2_000n * WAD, 1_000n * WAD, 0n, 1_000n * WAD]);
    await expect(cover(f, E2, f.recipient, 2_000n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E2, f.recipient, 2_000n * WAD, 1_000n * WAD);
    expect(await f.fund.coverage(E2)).to.deep.equal([1_000n * WAD, 0n, 1_000n * WAD, 1_000n * WAD]);
    expect(await f.fund.coverage(E1)).to.deep.equal([1_000n * WAD, 0n, 2_000n * WAD, 2_000n * WAD]);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(3_000n * WAD);
  });

  it("never pays more than the fund's assets when an event's remaining cap is larger", async function () {
    const f = await loadFixture(stakedFixture);
    await (await f.fund.setEventCapRatio(WAD)).wait();
    await (await cover(f, E1, f.recipient, 100n * WAD)).wait(); // E1 cap 4,000
    await (await cover(f, E2, f.recipient, 3_000n * WAD)).wait(); // E2 cap 3,900: 900 left in the fund
    expect(await f.fund.coverage(E1)).to.deep.equal([900n * WAD, 900n * WAD, 100n * WAD, 4_000n * WAD]);
    await expect(cover(f, E1, f.recipient, 4_000n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 4_000n * WAD, 900n * WAD);
    expect(await fundCash(f)).to.equal(0n);
    expect(await f.fund.totalAssets()).to.equal(0n);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(STAKED);
    expect(await f.fund.coverage(E1)).to.deep.equal([0n, 0n, 1_000n * WAD, 4_000n * WAD]);
  });

  it("an empty fund pays 0, emits LossCovered(eventId, recipient, requested, 0) and moves no cash", async function () {
    const f = await loadFixture(insuranceFixture);
    expect(await f.fund.coverage(E1)).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(await coverStatic(f, E1, f.recipient, 100n * WAD)).to.equal(0n);
    const tx = cover(f, E1, f.recipient, 100n * WAD);
    await expect(tx)
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 100n * WAD, 0n);
    await expect(tx).to.not.emit(f.vault, "CashTransferred");
    expect(await f.vault.cashBalance(f.recipient)).to.equal(0n);
    expect(await f.fund.coverage(E1)).to.deep.equal([0n, 0n, 0n, 0n]);
  });

  it("an event that found the fund empty takes its cap from its first payout that pays", async function () {
    const f = await loadFixture(insuranceFixture);
    await (await cover(f, E1, f.recipient, 100n * WAD)).wait();
    await (await f.fund.connect(f.alice).deposit(1_000n * USDC, f.alice.address)).wait();
    expect(await f.fund.coverage(E1)).to.deep.equal([1_000n * WAD, 500n * WAD, 0n, 500n * WAD]);
    await expect(cover(f, E1, f.recipient, 800n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 800n * WAD, 500n * WAD);
  });

  it("pays from its vault cash only: idle tokens count in totalAssets but neither for the cap nor the payout until swept", async function () {
    const f = await loadFixture(stakedFixture);
    await donateIdle(f, 2_000n * USDC);
    expect(await f.fund.coverage(E1)).to.deep.equal([6_000n * WAD, 2_000n * WAD, 0n, 2_000n * WAD]);
    const tx = cover(f, E1, f.recipient, 3_500n * WAD);
    await expect(tx)
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 3_500n * WAD, 2_000n * WAD);
    await expect(tx).to.changeTokenBalances(f.cash, [f.fundAddress, f.vault], [0n, 0n]);
    expect(await idle(f)).to.equal(2_000n * USDC);
    expect(await fundCash(f)).to.equal(2_000n * WAD);
    expect(await f.vault.cashBalance(f.recipient)).to.equal(2_000n * WAD);
  });

  it("sweep deposits the idle tokens into the fund's vault account, after which they can pay losses", async function () {
    const f = await loadFixture(insuranceFixture);
    await (await f.fund.setEventCapRatio(WAD)).wait();
    await donateIdle(f, 100n * USDC);
    await expect(cover(f, E1, f.recipient, 150n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E1, f.recipient, 150n * WAD, 0n);
    const heldBefore = await f.vault.totalHeldWad(f.usdc);
    await expect(f.fund.connect(f.stranger).sweep())
      .to.emit(f.fund, "IdleSwept")
      .withArgs(100n * USDC)
      .and.to.emit(f.vault, "Deposited")
      .withArgs(f.fundAcct, f.usdc, 100n * USDC, f.fundAddress);
    expect(await f.vault.totalHeldWad(f.usdc)).to.equal(heldBefore + 100n * USDC * SCALE);
    await expect(cover(f, E2, f.recipient, 150n * WAD))
      .to.emit(f.fund, "LossCovered")
      .withArgs(E2, f.recipient, 150n * WAD, 100n * WAD);
    expect(await f.fund.totalAssets()).to.equal(0n);
  });

  it("sweep reverts with InsuranceZeroAmount without idle tokens, and with the vault's error while deposits are paused", async function () {
    const f = await loadFixture(stakedFixture);
    await expect(f.fund.sweep()).to.be.revertedWithCustomError(f.fund, "InsuranceZeroAmount");
    await donateIdle(f, 1n, f.stranger);
    await (await f.vault.pauseDeposits()).wait();
    await expect(f.fund.sweep()).to.be.revertedWithCustomError(f.vault, "VaultDepositsPaused");
  });

  it("does not revert when vault deposits are paused and someone sent the fund idle tokens: it pays from its vault cash", async function () {
    const f = await loadFixture(stakedFixture);
    await donateIdle(f, 1n, f.stranger); // anyone can send the fund 1 token unit
    await (await f.vault.pauseDeposits()).wait(); // the guardian's emergency brake
    const tx = cover(f, E1, f.recipient, 100n * WAD);
    await expect(tx).to.not.be.reverted;
    expect(await f.vault.cashBalance(f.recipient)).to.equal(100n * WAD);
  });

  it("does not revert when sweeping idle tokens would exceed the vault's cash deposit cap: it pays from its vault cash", async function () {
    const f = await loadFixture(stakedFixture);
    const held = await f.vault.totalHeldWad(f.usdc);
    await (await f.vault.setDepositCap(f.usdc, held / SCALE)).wait(); // the cap is reached
    await donateIdle(f, 1n, f.stranger);
    const tx = cover(f, E1, f.recipient, 100n * WAD);
    await expect(tx).to.not.be.reverted;
    expect(await f.vault.cashBalance(f.recipient)).to.equal(100n * WAD);
  });

  it("coverage reports as available exactly what cover then pays, also when the cap is not a whole token unit", async function () {
    const f = await loadFixture(stakedFixture);
    await donateIdle(f, 1n);
    await (await f.fund.sweep()).wait(); // 4,000.000001 USDC of vault cash: a 50% cap of 2,000.0000005 USDC
    const [total, available, paid, cap] = await f.fund.coverage(E1);
    expect([total, paid, cap]).to.deep.equal([STAKED + SCALE, 0n, (STAKED + SCALE) / 2n]);
    const actual = await coverStatic(f, E1, f.recipient, ethers.MaxUint256);
    expect(actual).to.equal(2_000n * WAD);
    expect(available).to.equal(actual);
  });
});
