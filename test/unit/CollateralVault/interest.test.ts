/**
 * Cash interest: utilisation, the per-year rate, the borrow and supply indices, interest paid by negative cash to
 * positive cash, lazy accrual (INV-06) and the rate-model setter.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { setPrice } from "../../shared/fixtures";
import {
  standaloneFixture,
  debtFixture,
  depositInto,
  cashStateAtPar,
  accrue,
  cashValue,
  totals,
  ratePerYear,
  mulWadDown,
  divWadDown,
  divWadUp,
  accountId,
  b32,
  type CashState,
  type Standalone,
  WAD,
  USDC,
  DAY,
  YEAR,
  BASE_RATE,
  RATE_SLOPE,
  MAX_BASE_RATE_PER_YEAR,
  MAX_RATE_SLOPE_PER_YEAR,
} from "./helpers";

/**
 * Standalone vault at 2% + 20% * u: alice supplies 10,000; the liquidator moves 2,500 from bob (who goes negative)
 * to carol with moveCashBatch at t0. Supply principal 12,500, borrow principal 2,500, utilisation 20%, rate 6% per year.
 */
async function lending(s: Standalone) {
  await (await s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).wait();
  await depositInto(s.vault, s.cash, s.alice, 10_000n * USDC);
  const alice = accountId(s.alice.address);
  const bob = accountId(s.bob.address);
  const carol = accountId(s.carol.address);
  const t0 = BigInt(await time.latest()) + 10n;
  await time.setNextBlockTimestamp(t0);
  await (await s.vault.connect(s.liquidator).moveCashBatch([bob, carol], [-2_500n * WAD, 2_500n * WAD])).wait();
  const state: CashState = { supplyIndex: WAD, borrowIndex: WAD, supplyPrincipal: 12_500n * WAD, borrowPrincipal: 2_500n * WAD };
  return { alice, bob, carol, t0, state };
}

describe("CollateralVault: cash interest", function () {
  describe("accrual (hand-computed)", function () {
    it("starts at par with totals 12,500 / 2,500 and a 6% rate at 20% utilisation", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob, carol, t0 } = await lending(s);
      expect(await s.vault.cashIndices()).to.deep.equal([WAD, WAD, t0]);
      expect(await s.vault.cashTotals()).to.deep.equal([12_500n * WAD, 2_500n * WAD]);
      expect(await s.vault.borrowRatePerYear()).to.equal(6n * 10n ** 16n);
      expect(await s.vault.cashBalance(alice)).to.equal(10_000n * WAD);
      expect(await s.vault.cashBalance(bob)).to.equal(-2_500n * WAD);
      expect(await s.vault.cashBalance(carol)).to.equal(2_500n * WAD);
    });

    it("after one year at 6%: borrow index 1.06, supply index 1.012, interest 150, each balance to the wei", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob, carol, t0 } = await lending(s);
      await time.increaseTo(t0 + YEAR);
      // Views accrue to now without writing.
      expect(await s.vault.cashIndices()).to.deep.equal([1_012_000_000_000_000_000n, 1_060_000_000_000_000_000n, t0]);
      expect(await s.vault.cashTotals()).to.deep.equal([12_650n * WAD, 2_650n * WAD]);
      expect(await s.vault.cashBalance(alice)).to.equal(10_120n * WAD);
      expect(await s.vault.cashBalance(bob)).to.equal(-2_650n * WAD);
      expect(await s.vault.cashBalance(carol)).to.equal(2_530n * WAD);
      expect(await s.vault.balanceOf(alice, s.cash)).to.equal(10_120n * USDC);
      expect(await s.vault.balanceOf(bob, s.cash)).to.equal(0n);
    });

    it("after one day: growth ceil(0.06 * 86400 / 365 days), interest rounded down, supply share rounded down", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob, carol, t0 } = await lending(s);
      await time.increaseTo(t0 + DAY);
      // growth = ceil(6e16 * 86,400 / 31,536,000) = 164,383,561,643,836
      // bI = 1e18 + ceil(1e18 * growth / 1e18); interest = floor(2,500e18 * growth / 1e18) = 410,958,904,109,590,000
      // sI = 1e18 + floor(interest * 1e18 / 12,500e18) = 1e18 + 32,876,712,328,767
      expect(await s.vault.cashIndices()).to.deep.equal([1_000_032_876_712_328_767n, 1_000_164_383_561_643_836n, t0]);
      expect(await s.vault.cashBalance(bob)).to.equal(-2_500_410_958_904_109_590_000n);
      expect(await s.vault.cashBalance(alice)).to.equal(10_000_328_767_123_287_670_000n);
      expect(await s.vault.cashBalance(carol)).to.equal(2_500_082_191_780_821_917_500n);
      // 2,500 wei of the interest stays with the protocol (supply gain rounds down).
      expect(await s.vault.cashTotals()).to.deep.equal([12_500_410_958_904_109_587_500n, 2_500_410_958_904_109_590_000n]);
      expect(await s.vault.balanceOf(alice, s.cash)).to.equal(10_000_328_767n);
    });

    it("persists the accrual on the next write and emits CashInterestAccrued(supplyIndex, borrowIndex, interest)", async function () {
      const s = await loadFixture(standaloneFixture);
      const { bob, t0 } = await lending(s);
      await time.setNextBlockTimestamp(t0 + YEAR);
      await expect(s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(1_012_000_000_000_000_000n, 1_060_000_000_000_000_000n, 150n * WAD);
      expect(await s.vault.cashIndices()).to.deep.equal([1_012_000_000_000_000_000n, 1_060_000_000_000_000_000n, t0 + YEAR]);
      expect(await s.vault.cashBalance(bob)).to.equal(-2_650n * WAD);
      // Utilisation 2,650 / 12,650 rounded up = 209,486,166,007,905,139; rate = 2% + ceil(20% * u).
      expect(await s.vault.borrowRatePerYear()).to.equal(BASE_RATE + 41_897_233_201_581_028n);
    });

    it("compounds over two persisted periods exactly as the model and re-prices utilisation each time", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob, carol, t0, state } = await lending(s);
      const s1 = accrue(state, BASE_RATE, RATE_SLOPE, 90n * DAY);
      await time.setNextBlockTimestamp(t0 + 90n * DAY);
      await expect(s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(s1.supplyIndex, s1.borrowIndex, s1.interest);
      const s2 = accrue(s1, BASE_RATE, RATE_SLOPE, 200n * DAY + 17n);
      await time.setNextBlockTimestamp(t0 + 290n * DAY + 17n);
      await expect(s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(s2.supplyIndex, s2.borrowIndex, s2.interest);
      expect(s2.borrowIndex).to.be.greaterThan(s1.borrowIndex); // INV-06
      expect(s2.supplyIndex).to.be.greaterThan(s1.supplyIndex);
      expect(await s.vault.cashIndices()).to.deep.equal([s2.supplyIndex, s2.borrowIndex, t0 + 290n * DAY + 17n]);
      expect(await s.vault.cashTotals()).to.deep.equal(totals(s2));
      expect(await s.vault.borrowRatePerYear()).to.equal(ratePerYear(s2, BASE_RATE, RATE_SLOPE));
      expect(await s.vault.cashBalance(alice)).to.equal(cashValue(10_000n * WAD, s2));
      expect(await s.vault.cashBalance(carol)).to.equal(cashValue(2_500n * WAD, s2));
      expect(await s.vault.cashBalance(bob)).to.equal(cashValue(-2_500n * WAD, s2));
    });

    it("caps utilisation at 100%: debt above positive cash pays base + slope", async function () {
      const s = await loadFixture(standaloneFixture);
      await (await s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).wait();
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      const t0 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t0);
      await (await s.vault.connect(s.engineEoa).settleCash(accountId(s.bob.address), -5_000n * WAD, false)).wait();
      expect(await s.vault.borrowRatePerYear()).to.equal(22n * 10n ** 16n);
      await time.increaseTo(t0 + YEAR);
      // bI = 1.22; interest = 5,000 * 0.22 = 1,100; sI = 1 + 1,100 / 1,000 = 2.1
      expect(await s.vault.cashIndices()).to.deep.equal([2_100_000_000_000_000_000n, 1_220_000_000_000_000_000n, t0]);
      expect(await s.vault.cashBalance(accountId(s.alice.address))).to.equal(2_100n * WAD);
      expect(await s.vault.cashBalance(accountId(s.bob.address))).to.equal(-6_100n * WAD);
    });

    it("charges interest with no positive cash at all but leaves the supply index at par (utilisation 1)", async function () {
      const s = await loadFixture(standaloneFixture);
      await (await s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).wait();
      const bob = accountId(s.bob.address);
      const t0 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t0);
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -100n * WAD, false)).wait();
      expect(await s.vault.borrowRatePerYear()).to.equal(22n * 10n ** 16n);
      await time.setNextBlockTimestamp(t0 + YEAR);
      await expect(s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(WAD, 1_220_000_000_000_000_000n, 22n * WAD);
      expect(await s.vault.cashBalance(bob)).to.equal(-122n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 122n * WAD]);
    });
  });

  describe("a realised loss larger than cash (protocol fixture)", function () {
    it("leaves the trader at -102.36 cash against 10,202.36 of positive cash at par indices", async function () {
      const b = await loadFixture(debtFixture);
      expect(await b.vault.cashBalance(accountId(b.alice.address))).to.equal(-102_360_000_000_000_000_000n);
      expect(await b.vault.cashBalance(accountId(b.bob.address))).to.equal(10_194_100_000_000_000_000_000n);
      expect(await b.vault.cashBalance(b.feeAccount)).to.equal(8_260_000_000_000_000_000n);
      expect(await b.vault.cashTotals()).to.deep.equal([10_202_360_000_000_000_000_000n, 102_360_000_000_000_000_000n]);
      const [sI, bI] = await b.vault.cashIndices();
      expect([sI, bI]).to.deep.equal([WAD, WAD]);
      expect(await b.vault.collateralBalanceWad(accountId(b.alice.address), b.weth)).to.equal(WAD);
      // u = ceil(102.36e18 * 1e18 / 10,202.36e18) = 10,032,972,763,164,602; rate = 2% + ceil(20% * u)
      expect(await b.vault.borrowRatePerYear()).to.equal(BASE_RATE + 2_006_594_552_632_921n);
    });

    it("accrues 30 days of interest on the debt and pays it to bob and the fee account, to the wei", async function () {
      const b = await loadFixture(debtFixture);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      const s1 = accrue(s0, BASE_RATE, RATE_SLOPE, 30n * DAY);
      await time.increaseTo(t0 + 30n * DAY);
      expect(await b.vault.cashIndices()).to.deep.equal([s1.supplyIndex, s1.borrowIndex, t0]);
      expect(await b.vault.cashTotals()).to.deep.equal(totals(s1));
      expect(await b.vault.borrowRatePerYear()).to.equal(ratePerYear(s1, BASE_RATE, RATE_SLOPE));
      const alice = await b.vault.cashBalance(accountId(b.alice.address));
      const bob = await b.vault.cashBalance(accountId(b.bob.address));
      const fees = await b.vault.cashBalance(b.feeAccount);
      expect(alice).to.equal(cashValue(-102_360_000_000_000_000_000n, s1));
      expect(bob).to.equal(cashValue(10_194_100_000_000_000_000_000n, s1));
      expect(fees).to.equal(cashValue(8_260_000_000_000_000_000n, s1));
      expect(alice).to.be.lessThan(-102_360_000_000_000_000_000n);
      // INV-02: every position is closed, so the claims are the cash values; they never exceed what is held.
      const held = await b.vault.totalHeldWad(b.cash);
      expect(held).to.equal(10_100n * WAD);
      expect(alice + bob + fees).to.be.at.most(held);
    });

    it("persists the accrual on a cash deposit, then accrues the next period on the new principals", async function () {
      const b = await loadFixture(debtFixture);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      const aliceAcc = accountId(b.alice.address);

      // Alice repays part of her debt with a 50 USDC deposit at t0 + 30 days.
      const s1 = accrue(s0, BASE_RATE, RATE_SLOPE, 30n * DAY);
      await b.cash.connect(b.alice).mint(b.alice.address, 50n * USDC);
      await b.cash.connect(b.alice).approve(b.vault, 50n * USDC);
      await time.setNextBlockTimestamp(t0 + 30n * DAY);
      await expect(b.vault.connect(b.alice).deposit(aliceAcc, b.cash, 50n * USDC))
        .to.emit(b.vault, "CashInterestAccrued")
        .withArgs(s1.supplyIndex, s1.borrowIndex, s1.interest);
      const debt1 = -cashValue(-102_360_000_000_000_000_000n, s1) - 50n * WAD;
      const alicePrincipal = -((debt1 * WAD + s1.borrowIndex - 1n) / s1.borrowIndex); // debt shares round up
      const s1b: CashState = { ...s1, borrowPrincipal: s1.borrowPrincipal - 102_360_000_000_000_000_000n + -alicePrincipal };
      expect(await b.vault.cashBalance(aliceAcc)).to.equal(cashValue(alicePrincipal, s1b));
      expect(await b.vault.cashIndices()).to.deep.equal([s1.supplyIndex, s1.borrowIndex, t0 + 30n * DAY]);

      const s2 = accrue(s1b, BASE_RATE, RATE_SLOPE, 45n * DAY);
      await time.increaseTo(t0 + 75n * DAY);
      expect(await b.vault.cashIndices()).to.deep.equal([s2.supplyIndex, s2.borrowIndex, t0 + 30n * DAY]);
      expect(await b.vault.cashTotals()).to.deep.equal(totals(s2));
      expect(await b.vault.cashBalance(aliceAcc)).to.equal(cashValue(alicePrincipal, s2));
      expect(await b.vault.cashBalance(accountId(b.bob.address))).to.equal(cashValue(10_194_100_000_000_000_000_000n, s2));
    });

    it("INV-06 neither stores nor reports an accrual on a collateral withdrawal of an indebted account, so the next write reports the whole period once", async function () {
      // The withdrawal's margin check values the debt at the indices accrued to now without storing them, and the
      // accrual event is emitted only where the accrual is stored: no interest is reported twice.
      const b = await loadFixture(debtFixture);
      const acc = accountId(b.alice.address);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      const s1 = accrue(s0, BASE_RATE, RATE_SLOPE, DAY);
      await time.setNextBlockTimestamp(t0 + DAY - 5n);
      await setPrice(b, "ETH/USD", "3000"); // keep the WETH feed fresh for the margin check
      await time.setNextBlockTimestamp(t0 + DAY);
      const tx = await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD / 10n, b.alice.address);
      await expect(tx)
        .to.emit(b.vault, "Withdrawn")
        .withArgs(acc, await b.weth.getAddress(), WAD / 10n, b.alice.address);
      await expect(tx).not.to.emit(b.vault, "CashInterestAccrued");
      // Views still accrue to now; the stored accrual time has not moved.
      expect(await b.vault.cashIndices()).to.deep.equal([s1.supplyIndex, s1.borrowIndex, t0]);
      expect(await b.vault.cashBalance(acc)).to.equal(cashValue(-102_360_000_000_000_000_000n, s1));

      const whole = accrue(s0, BASE_RATE, RATE_SLOPE, 2n * DAY);
      await time.setNextBlockTimestamp(t0 + 2n * DAY);
      await expect(b.vault.setCashRateModel(BASE_RATE, RATE_SLOPE))
        .to.emit(b.vault, "CashInterestAccrued")
        .withArgs(whole.supplyIndex, whole.borrowIndex, whole.interest);
      expect(await b.vault.cashIndices()).to.deep.equal([whole.supplyIndex, whole.borrowIndex, t0 + 2n * DAY]);
      expect(await b.vault.cashTotals()).to.deep.equal(totals(whole));
    });

    it("credits the venue's fees to the insurance fund's account 0, not to the deployer's", async function () {
      const b = await loadFixture(debtFixture);
      expect(await b.venue.feeAccount()).to.equal(accountId(await b.fund.getAddress(), 0));
      expect(await b.fund.fundAccount()).to.equal(await b.venue.feeAccount());
      expect(b.feeAccount).to.equal(await b.venue.feeAccount());
      expect(await b.vault.cashBalance(b.feeAccount)).to.equal(8_260_000_000_000_000_000n);
      expect(await b.vault.cashBalance(accountId(b.deployer.address))).to.equal(0n);
    });
  });

  describe("accrual on liquidation hooks", function () {
    it("stores and reports the accrual when startLiquidation moves a tip, and neither when it moves none", async function () {
      const s = await loadFixture(standaloneFixture);
      const { bob, carol, t0, state } = await lending(s);
      await time.setNextBlockTimestamp(t0 + DAY);
      const untipped = await s.vault.connect(s.liquidator).startLiquidation(bob, carol, 0n);
      await expect(untipped).to.emit(s.vault, "LiquidationStarted").withArgs(bob, carol, 0n);
      await expect(untipped).not.to.emit(s.vault, "CashInterestAccrued");
      expect((await s.vault.cashIndices())[2]).to.equal(t0);
      await (await s.vault.connect(s.liquidator).endLiquidation(bob)).wait();

      const s2 = accrue(state, BASE_RATE, RATE_SLOPE, 2n * DAY);
      const tip = 5n * WAD;
      await time.setNextBlockTimestamp(t0 + 2n * DAY);
      await expect(s.vault.connect(s.liquidator).startLiquidation(bob, carol, tip))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(s2.supplyIndex, s2.borrowIndex, s2.interest)
        .and.to.emit(s.vault, "LiquidationStarted")
        .withArgs(bob, carol, tip);
      expect(await s.vault.cashIndices()).to.deep.equal([s2.supplyIndex, s2.borrowIndex, t0 + 2n * DAY]);
      // Bob's debt grows by the tip (debt shares round up); carol's cash by the tip (supply shares round down).
      const bobPrincipal = -divWadUp(-cashValue(-2_500n * WAD, s2) + tip, s2.borrowIndex);
      const carolPrincipal = divWadDown(cashValue(2_500n * WAD, s2) + tip, s2.supplyIndex);
      expect(await s.vault.cashBalance(bob)).to.equal(cashValue(bobPrincipal, s2));
      expect(await s.vault.cashBalance(carol)).to.equal(cashValue(carolPrincipal, s2));
      expect(await s.vault.accountStatus(bob)).to.deep.equal([true, false]);
    });
  });

  describe("no debt (INV-06)", function () {
    it("INV-06 leaves both indices at exactly 1e18 and emits no accrual while no cash is negative", async function () {
      const s = await loadFixture(standaloneFixture);
      await (await s.vault.setCashRateModel(MAX_BASE_RATE_PER_YEAR, MAX_RATE_SLOPE_PER_YEAR)).wait();
      const alice = accountId(s.alice.address);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      await time.increase(YEAR);
      await s.cash.connect(s.bob).mint(s.bob.address, USDC);
      await s.cash.connect(s.bob).approve(s.vault, USDC);
      await expect(s.vault.connect(s.bob).deposit(accountId(s.bob.address), s.cash, USDC)).not.to.emit(s.vault, "CashInterestAccrued");
      await time.increase(YEAR);
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 400n * USDC, s.alice.address)).not.to.emit(
        s.vault,
        "CashInterestAccrued",
      );
      await time.increase(YEAR);
      await expect(s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).not.to.emit(s.vault, "CashInterestAccrued");
      const [sI, bI] = await s.vault.cashIndices();
      expect([sI, bI]).to.deep.equal([WAD, WAD]);
      expect(await s.vault.cashBalance(alice)).to.equal(600n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([601n * WAD, 0n]);
      // Utilisation 0 with positive cash: the base rate.
      expect(await s.vault.borrowRatePerYear()).to.equal(BASE_RATE);
    });

    it("INV-06 does not write the accrual time on a call that changes no cash while there is no debt", async function () {
      const s = await loadFixture(standaloneFixture);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      const [, , t0] = await s.vault.cashIndices();
      expect(t0).to.equal(BigInt(await time.latest()));
      await time.increase(DAY);
      await (await s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).wait();
      expect(await s.vault.cashIndices()).to.deep.equal([WAD, WAD, t0]);
    });

    it("reports base + slope as the rate of an empty vault (utilisation 1 without positive cash)", async function () {
      const s = await loadFixture(standaloneFixture);
      await (await s.vault.setCashRateModel(BASE_RATE, RATE_SLOPE)).wait();
      expect(await s.vault.borrowRatePerYear()).to.equal(BASE_RATE + RATE_SLOPE);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 0n]);
    });
  });

  describe("setCashRateModel", function () {
    it("accrues under the old model up to the change, then under the new one", async function () {
      const s = await loadFixture(standaloneFixture);
      const { bob, t0, state } = await lending(s);
      const s1 = accrue(state, BASE_RATE, RATE_SLOPE, YEAR / 2n);
      await time.setNextBlockTimestamp(t0 + YEAR / 2n);
      const newBase = 10n ** 17n;
      const newSlope = 10n ** 18n;
      await expect(s.vault.setCashRateModel(newBase, newSlope))
        .to.emit(s.vault, "CashInterestAccrued")
        .withArgs(s1.supplyIndex, s1.borrowIndex, s1.interest)
        .and.to.emit(s.vault, "CashRateModelSet")
        .withArgs(newBase, newSlope);
      const s2 = accrue(s1, newBase, newSlope, YEAR / 2n);
      await time.increaseTo(t0 + YEAR);
      expect(await s.vault.cashIndices()).to.deep.equal([s2.supplyIndex, s2.borrowIndex, t0 + YEAR / 2n]);
      expect(await s.vault.cashBalance(bob)).to.equal(cashValue(-2_500n * WAD, s2));
      expect(await s.vault.borrowRatePerYear()).to.equal(ratePerYear(s2, newBase, newSlope));
      // 6% for half a year: growth 3e16 exactly.
      expect(s1.borrowIndex).to.equal(1_030_000_000_000_000_000n);
      expect(s1.supplyIndex).to.equal(WAD + divWadDown(mulWadDown(2_500n * WAD, 3n * 10n ** 16n), 12_500n * WAD));
    });

    it("accepts the maximum base rate and slope and refuses one wei more with VaultParameterOutOfBounds", async function () {
      const s = await loadFixture(standaloneFixture);
      await expect(s.vault.setCashRateModel(MAX_BASE_RATE_PER_YEAR, MAX_RATE_SLOPE_PER_YEAR))
        .to.emit(s.vault, "CashRateModelSet")
        .withArgs(MAX_BASE_RATE_PER_YEAR, MAX_RATE_SLOPE_PER_YEAR);
      const [, , borrowCap] = await s.vault.cashParams();
      expect(await s.vault.cashParams()).to.deep.equal([MAX_BASE_RATE_PER_YEAR, MAX_RATE_SLOPE_PER_YEAR, borrowCap]);
      await expect(s.vault.setCashRateModel(MAX_BASE_RATE_PER_YEAR + 1n, 0n))
        .to.be.revertedWithCustomError(s.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("baseRatePerYear"), MAX_BASE_RATE_PER_YEAR + 1n, 0n, MAX_BASE_RATE_PER_YEAR);
      await expect(s.vault.setCashRateModel(0n, MAX_RATE_SLOPE_PER_YEAR + 1n))
        .to.be.revertedWithCustomError(s.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("slopePerYear"), MAX_RATE_SLOPE_PER_YEAR + 1n, 0n, MAX_RATE_SLOPE_PER_YEAR);
      // A refused setter changes nothing.
      expect(await s.vault.cashParams()).to.deep.equal([MAX_BASE_RATE_PER_YEAR, MAX_RATE_SLOPE_PER_YEAR, borrowCap]);
      await expect(s.vault.setCashRateModel(0n, 0n)).to.emit(s.vault, "CashRateModelSet").withArgs(0n, 0n);
    });

    it("with a zero rate model, debt stays at par and accrual events carry zero interest", async function () {
      const s = await loadFixture(standaloneFixture);
      const bob = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([bob, accountId(s.alice.address)], [-100n * WAD, 100n * WAD])).wait();
      await time.increase(YEAR);
      await expect(s.vault.setCashRateModel(0n, 0n)).to.emit(s.vault, "CashInterestAccrued").withArgs(WAD, WAD, 0n);
      expect(await s.vault.cashBalance(bob)).to.equal(-100n * WAD);
    });
  });
});
