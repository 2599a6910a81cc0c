/**
 * Engine-only and liquidator-only functions: settleTrade, settleCash, transferFraction, moveCash, socialiseLoss,
 * setAccountFrozen and requireInitialMargin. Driven directly on a standalone vault whose engine and liquidator are
 * plain accounts, and through the protocol fixture where the engine's own calls matter.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { setPrice, trade } from "../../shared/fixtures";
import {
  protocolFixture,
  standaloneFixture,
  positionFixture,
  depositInto,
  collateralValue,
  initialMargin,
  divWadDown,
  mulWadDown,
  accountId,
  type Standalone,
  WAD,
  USDC,
  BTC,
  USDC_SCALE,
  BTC_SCALE,
  ETH_PRICE,
  BTC_PRICE,
  WETH_HAIRCUT,
  WBTC_HAIRCUT,
  IMR,
  MIN_SUPPLY_INDEX,
} from "./helpers";

type TradeCash = {
  accountA: bigint;
  deltaA: bigint;
  hasPositionsA: boolean;
  accountB: bigint;
  deltaB: bigint;
  hasPositionsB: boolean;
  feeAccount: bigint;
  fees: bigint;
};

function tradeCash(s: Standalone, o: Partial<TradeCash> = {}): TradeCash {
  return {
    accountA: accountId(s.alice.address),
    deltaA: 0n,
    hasPositionsA: false,
    accountB: accountId(s.bob.address),
    deltaB: 0n,
    hasPositionsB: false,
    feeAccount: accountId(s.deployer.address),
    fees: 0n,
    ...o,
  };
}

describe("CollateralVault: engine and liquidator hooks", function () {
  describe("caller checks", function () {
    it("rejects engine-only functions from any other caller with VaultOnlyEngine(caller)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      for (const caller of [s.deployer, s.liquidator, s.alice]) {
        await expect(s.vault.connect(caller).settleCash(acc, 1n))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).settleTrade(tradeCash(s), 60))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).transferFraction(acc, accountId(s.bob.address), WAD, false, false))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
      }
    });

    it("rejects liquidator-only functions from any other caller with VaultOnlyLiquidator(caller)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      for (const caller of [s.deployer, s.engineEoa, s.alice]) {
        await expect(s.vault.connect(caller).setAccountFrozen(acc, true))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).moveCash(acc, accountId(s.bob.address), 1n))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).socialiseLoss(acc, 1n))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).requireInitialMargin(acc))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
      }
    });

    it("in the deployed protocol, rejects the admin on engine hooks and everyone on liquidator hooks while none is bound", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      expect(await b.vault.engine()).to.equal(await b.engine.getAddress());
      expect(await b.vault.liquidator()).to.equal("0x0000000000000000000000000000000000000000");
      await expect(b.vault.settleCash(acc, 1n)).to.be.revertedWithCustomError(b.vault, "VaultOnlyEngine").withArgs(b.deployer.address);
      await expect(b.vault.connect(b.alice).setAccountFrozen(acc, true))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyLiquidator")
        .withArgs(b.alice.address);
      await expect(b.vault.socialiseLoss(acc, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyLiquidator")
        .withArgs(b.deployer.address);
    });
  });

  describe("settleCash", function () {
    it("adds a signed WAD delta, emits CashSettled and bumps the nonce (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await expect(s.vault.connect(s.engineEoa).settleCash(acc, -150n * WAD - 1n))
        .to.emit(s.vault, "CashSettled")
        .withArgs(acc, -150n * WAD - 1n);
      expect(await s.vault.cashBalance(acc)).to.equal(-50n * WAD - 1n);
      expect(await s.vault.accountNonce(acc)).to.equal(1n);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 50n * WAD + 1n]);
      await (await s.vault.connect(s.engineEoa).settleCash(acc, 70n * WAD)).wait();
      expect(await s.vault.cashBalance(acc)).to.equal(20n * WAD - 1n);
      expect(await s.vault.cashTotals()).to.deep.equal([20n * WAD - 1n, 0n]);
      expect(await s.vault.accountNonce(acc)).to.equal(2n);
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(100n * WAD); // tokens held do not move
    });
  });

  describe("settleTrade", function () {
    it("applies both deltas, credits the fees, records positions and bumps the traders' nonces only", async function () {
      const s = await loadFixture(standaloneFixture);
      const tc = tradeCash(s, { deltaA: -12n * WAD, hasPositionsA: true, deltaB: 7n * WAD, hasPositionsB: true, fees: 5n * WAD });
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await (await s.vault.connect(s.engineEoa).settleTrade(tc, 60)).wait();
      expect(await s.vault.cashBalance(tc.accountA)).to.equal(88n * WAD);
      expect(await s.vault.cashBalance(tc.accountB)).to.equal(7n * WAD);
      expect(await s.vault.cashBalance(tc.feeAccount)).to.equal(5n * WAD);
      expect(await s.vault.accountNonce(tc.accountA)).to.equal(1n);
      expect(await s.vault.accountNonce(tc.accountB)).to.equal(1n);
      expect(await s.vault.accountNonce(tc.feeAccount)).to.equal(0n);
      expect(await s.vault.accountStatus(tc.accountA)).to.deep.equal([false, true]);
      expect(await s.vault.accountStatus(tc.accountB)).to.deep.equal([false, true]);
      await (await s.vault.connect(s.engineEoa).settleTrade({ ...tc, hasPositionsA: false, fees: 0n }, 60)).wait();
      expect(await s.vault.accountStatus(tc.accountA)).to.deep.equal([false, false]);
    });

    it("returns both accounts' margin inputs after settlement, with haircut collateral values", async function () {
      const s = await loadFixture(standaloneFixture);
      const tc = tradeCash(s, { deltaA: -12n * WAD, deltaB: 7n * WAD, fees: 5n * WAD });
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await depositInto(s.vault, s.weth, s.alice, WAD / 3n);
      await depositInto(s.vault, s.wbtc, s.bob, 12_345_678n);
      const [a, bm, capExceeded] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(tc, 3_600);
      expect([a.cash, a.collateralValue]).to.deep.equal([88n * WAD, collateralValue(WAD / 3n, ETH_PRICE, WETH_HAIRCUT)]);
      expect(a.collateralValue).to.equal(799_999_999_999_999_999_200n);
      expect([bm.cash, bm.collateralValue]).to.deep.equal([7n * WAD, collateralValue(12_345_678n * BTC_SCALE, BTC_PRICE, WBTC_HAIRCUT)]);
      expect(bm.collateralValue).to.equal(5_555_555_100n * 10n ** 12n);
      expect(capExceeded).to.equal(false);
    });

    it("returns accountA's margin inputs including the fees when accountA is also the fee account", async function () {
      // The interface promises the inputs "after settlement"; the fees are credited after accountA's copy was
      // taken, so a trader that is also the fee account would be checked without its fee income.
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      const tc = tradeCash(s, { accountA: acc, deltaA: -10n * WAD, deltaB: 5n * WAD, feeAccount: acc, fees: 5n * WAD });
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      const [a] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(tc, 60);
      await (await s.vault.connect(s.engineEoa).settleTrade(tc, 60)).wait();
      expect(await s.vault.cashBalance(acc)).to.equal(95n * WAD);
      expect(a.cash).to.equal(95n * WAD);
    });

    it("flags the borrow cap only when total negative cash is strictly above it", async function () {
      const s = await loadFixture(standaloneFixture);
      await expect(s.vault.setBorrowCap(100n * WAD))
        .to.emit(s.vault, "BorrowCapSet")
        .withArgs(100n * WAD);
      const atCap = tradeCash(s, { deltaA: -100n * WAD, deltaB: 100n * WAD });
      const [, , atCapFlag] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(atCap, 60);
      expect(atCapFlag).to.equal(false);
      const above = tradeCash(s, { deltaA: -100n * WAD - 1n, deltaB: 100n * WAD + 1n });
      const [, , aboveFlag] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(above, 60);
      expect(aboveFlag).to.equal(true);
      const noDebt = tradeCash(s, { deltaA: 0n, deltaB: 0n });
      await (await s.vault.setBorrowCap(0n)).wait();
      const [, , noDebtFlag] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(noDebt, 60);
      expect(noDebtFlag).to.equal(false);
    });

    it("refuses a frozen account on either side with VaultAccountInAuction", async function () {
      const s = await loadFixture(standaloneFixture);
      const tc = tradeCash(s, { deltaA: -1n, deltaB: 1n });
      await (await s.vault.connect(s.liquidator).setAccountFrozen(tc.accountB, true)).wait();
      await expect(s.vault.connect(s.engineEoa).settleTrade(tc, 60))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(tc.accountB);
      await (await s.vault.connect(s.liquidator).setAccountFrozen(tc.accountA, true)).wait();
      await expect(s.vault.connect(s.engineEoa).settleTrade(tc, 60))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(tc.accountA);
    });

    it("refreshes a cached collateral price older than maxPriceAge and keeps a younger one", async function () {
      const s = await loadFixture(standaloneFixture);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      const listedAt = (await s.vault.tokenInfo(s.weth)).cachedPriceTimestamp;
      await setPrice(s, "ETH/USD", "3100");
      const t = BigInt(await time.latest()) + 10n;
      const maxAge = t - listedAt;
      await time.setNextBlockTimestamp(t);
      // At t the cache is exactly maxAge old, which is not older than maxAge: it keeps 3,000.
      await (await s.vault.connect(s.engineEoa).settleTrade(tradeCash(s), maxAge)).wait();
      const kept = await s.vault.tokenInfo(s.weth);
      expect([kept.cachedPrice, kept.cachedPriceTimestamp]).to.deep.equal([ETH_PRICE, listedAt]);
      await time.setNextBlockTimestamp(t + 1n);
      await (await s.vault.connect(s.engineEoa).settleTrade(tradeCash(s), maxAge)).wait();
      const info = await s.vault.tokenInfo(s.weth);
      expect([info.cachedPrice, info.cachedPriceTimestamp]).to.deep.equal([3_100n * WAD, t + 1n]);
    });

    it("refuses a fill with a frozen account through the venue (protocol fixture)", async function () {
      const b = await loadFixture(positionFixture);
      const bob = accountId(b.bob.address);
      await (await b.vault.connect(b.liquidator).setAccountFrozen(bob, true)).wait();
      await expect(trade(b, b.alice, b.bob, "ETH-PERP", -WAD, ETH_PRICE))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(bob);
    });
  });

  describe("moveCash", function () {
    it("moves WAD cash, lets the sender go negative, emits CashTransferred and bumps both nonces", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      await expect(s.vault.connect(s.liquidator).moveCash(from, to, 25n * WAD + 3n))
        .to.emit(s.vault, "CashTransferred")
        .withArgs(from, to, 25n * WAD + 3n);
      expect(await s.vault.cashBalance(from)).to.equal(-15n * WAD - 3n);
      expect(await s.vault.cashBalance(to)).to.equal(25n * WAD + 3n);
      expect(await s.vault.accountNonce(from)).to.equal(1n);
      expect(await s.vault.accountNonce(to)).to.equal(1n);
      expect(await s.vault.cashTotals()).to.deep.equal([25n * WAD + 3n, 15n * WAD + 3n]);
    });
  });

  describe("setAccountFrozen", function () {
    it("records the freeze in accountStatus and emits AccountFrozenSet without bumping the nonce", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      await expect(s.vault.connect(s.liquidator).setAccountFrozen(acc, true)).to.emit(s.vault, "AccountFrozenSet").withArgs(acc, true);
      expect(await s.vault.accountStatus(acc)).to.deep.equal([true, false]);
      expect(await s.vault.accountNonce(acc)).to.equal(0n);
      await expect(s.vault.connect(s.liquidator).setAccountFrozen(acc, false)).to.emit(s.vault, "AccountFrozenSet").withArgs(acc, false);
      expect(await s.vault.accountStatus(acc)).to.deep.equal([false, false]);
    });
  });

  describe("transferFraction", function () {
    it("refuses a fraction of 0 or above 1e18 with VaultInvalidFraction", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, 0n, false, false))
        .to.be.revertedWithCustomError(s.vault, "VaultInvalidFraction")
        .withArgs(0n);
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, WAD + 1n, false, false))
        .to.be.revertedWithCustomError(s.vault, "VaultInvalidFraction")
        .withArgs(WAD + 1n);
    });

    it("refuses a frozen receiver with VaultAccountInAuction but moves out of a frozen sender", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      await (await s.vault.connect(s.liquidator).setAccountFrozen(to, true)).wait();
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(to);
      await (await s.vault.connect(s.liquidator).setAccountFrozen(to, false)).wait();
      await (await s.vault.connect(s.liquidator).setAccountFrozen(from, true)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false)).wait();
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(WAD);
    });

    it("moves a third of every balance rounded down, with events, bitmaps (INV-04), flags and nonces (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const third = 333_333_333_333_333_333n;
      await depositInto(s.vault, s.weth, s.alice, WAD + 1n);
      await depositInto(s.vault, s.wbtc, s.alice, BTC);
      await depositInto(s.vault, s.cash, s.alice, 1_000_000_001n);
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, third, true, true))
        .to.emit(s.vault, "CollateralTransferred")
        .withArgs(from, to, await s.weth.getAddress(), third)
        .and.to.emit(s.vault, "CollateralTransferred")
        .withArgs(from, to, await s.wbtc.getAddress(), third)
        .and.to.emit(s.vault, "PortfolioFractionTransferred")
        .withArgs(from, to, third);
      expect(await s.vault.collateralBalanceWad(from, s.weth)).to.equal(WAD + 1n - third);
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(third);
      expect(await s.vault.collateralBalanceWad(from, s.wbtc)).to.equal(WAD - third);
      expect(await s.vault.collateralBalanceWad(to, s.wbtc)).to.equal(third);
      const movedCash = mulWadDown(1_000_000_001n * USDC_SCALE, third);
      expect(movedCash).to.equal(333_333_333_666_666_666_333n);
      expect(await s.vault.cashBalance(to)).to.equal(movedCash);
      expect(await s.vault.cashBalance(from)).to.equal(1_000_000_001n * USDC_SCALE - movedCash);
      expect(await s.vault.accountTokens(from)).to.equal(0b11n);
      expect(await s.vault.accountTokens(to)).to.equal(0b11n);
      expect(await s.vault.accountStatus(from)).to.deep.equal([false, true]);
      expect(await s.vault.accountStatus(to)).to.deep.equal([false, true]);
      expect(await s.vault.accountNonce(from)).to.equal(1n);
      expect(await s.vault.accountNonce(to)).to.equal(1n);
      // INV-01: the move changes no total.
      expect(await s.vault.totalHeldWad(s.weth)).to.equal(WAD + 1n);
      expect(await s.vault.totalHeldWad(s.wbtc)).to.equal(WAD);
    });

    it("pays out a WAD balance that is not a whole token unit rounded down, and never more (INV-04 keeps the dust bit)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.wbtc, s.alice, BTC);
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, 333_333_333_333_333_333n, false, false)).wait();
      expect(await s.vault.balanceOf(to, s.wbtc)).to.equal(33_333_333n);
      await expect(s.vault.connect(s.bob).withdraw(to, s.wbtc, 33_333_334n, s.bob.address))
        .to.be.revertedWithCustomError(s.vault, "VaultInsufficientBalance")
        .withArgs(to, await s.wbtc.getAddress(), 33_333_333n, 33_333_334n);
      await (await s.vault.connect(s.bob).withdraw(to, s.wbtc, 33_333_333n, s.bob.address)).wait();
      expect(await s.vault.collateralBalanceWad(to, s.wbtc)).to.equal(3_333_333_333n);
      expect(await s.vault.balanceOf(to, s.wbtc)).to.equal(0n);
      expect(await s.vault.accountTokens(to)).to.equal(0b10n);
      expect(await s.vault.totalHeldWad(s.wbtc)).to.equal(WAD - 33_333_333n * BTC_SCALE);
    });

    it("INV-04 skips a token whose moved amount rounds down to zero: no event and no bit for the receiver", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.weth, s.alice, 1n);
      await depositInto(s.vault, s.wbtc, s.alice, 1n);
      const half = WAD / 2n;
      const receipt = await (await s.vault.connect(s.engineEoa).transferFraction(from, to, half, false, false)).wait();
      const moved = receipt!.logs
        .map((log) => s.vault.interface.parseLog(log))
        .filter((e) => e?.name === "CollateralTransferred")
        .map((e) => [e!.args.token, e!.args.amountWad]);
      expect(moved).to.deep.equal([[await s.wbtc.getAddress(), BTC_SCALE / 2n]]);
      expect(await s.vault.collateralBalanceWad(from, s.weth)).to.equal(1n);
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(0n);
      expect(await s.vault.accountTokens(from)).to.equal(0b11n);
      expect(await s.vault.accountTokens(to)).to.equal(0b10n);
    });

    it("moves a fraction of debt rounded up toward the receiver", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await (await s.vault.connect(s.engineEoa).settleCash(from, -100n * WAD)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, 333_333_333_333_333_333n, false, false)).wait();
      expect(await s.vault.cashBalance(to)).to.equal(-33_333_333_333_333_333_300n);
      expect(await s.vault.cashBalance(from)).to.equal(-66_666_666_666_666_666_700n);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 100n * WAD]);
    });

    it("moves everything with a fraction of 1e18 and clears the sender's bitmap (INV-04)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.weth, s.alice, WAD + 1n);
      await depositInto(s.vault, s.wbtc, s.alice, 7n);
      await depositInto(s.vault, s.weth, s.bob, 5n);
      await (await s.vault.connect(s.engineEoa).settleCash(from, -3n * WAD - 1n)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, true)).wait();
      expect(await s.vault.accountTokens(from)).to.equal(0n);
      expect(await s.vault.accountTokens(to)).to.equal(0b11n);
      expect(await s.vault.collateralBalanceWad(from, s.weth)).to.equal(0n);
      expect(await s.vault.collateralBalanceWad(from, s.wbtc)).to.equal(0n);
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(WAD + 6n);
      expect(await s.vault.collateralBalanceWad(to, s.wbtc)).to.equal(7n * BTC_SCALE);
      expect(await s.vault.cashBalance(from)).to.equal(0n);
      expect(await s.vault.cashBalance(to)).to.equal(-3n * WAD - 1n);
      expect(await s.vault.accountStatus(from)).to.deep.equal([false, false]);
      expect(await s.vault.accountStatus(to)).to.deep.equal([false, true]);
    });
  });

  describe("socialiseLoss", function () {
    /** Alice supplies 1,000; the liquidator moves 300 from bob to alice: supply principal 1,300, bob -300. */
    async function lossSetup(s: Standalone) {
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      await (await s.vault.connect(s.liquidator).moveCash(bob, alice, 300n * WAD)).wait();
      return { alice, bob };
    }

    it("INV-06 writes off debt by cutting the supply index, rounded up, with LossSocialised(amount, before, after)", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob } = await lossSetup(s);
      // cut = ceil(300e18 * 1e18 / 1,300e18) = 230,769,230,769,230,770
      const after = WAD - 230_769_230_769_230_770n;
      expect(await s.vault.connect(s.liquidator).socialiseLoss.staticCall(bob, 300n * WAD)).to.equal(300n * WAD);
      await expect(s.vault.connect(s.liquidator).socialiseLoss(bob, 300n * WAD))
        .to.emit(s.vault, "LossSocialised")
        .withArgs(300n * WAD, WAD, after);
      const [sI, bI] = await s.vault.cashIndices();
      expect([sI, bI]).to.deep.equal([after, WAD]);
      expect(await s.vault.cashBalance(bob)).to.equal(0n);
      expect(await s.vault.cashBalance(alice)).to.equal(999_999_999_999_999_999_000n); // lost 300 and 1,000 wei
      expect(await s.vault.cashTotals()).to.deep.equal([999_999_999_999_999_999_000n, 0n]);
      expect(await s.vault.accountNonce(bob)).to.equal(2n);
    });

    it("writes off part of a debt and leaves the rest owed", async function () {
      const s = await loadFixture(standaloneFixture);
      const { alice, bob } = await lossSetup(s);
      const cut = (100n * WAD * WAD + 1_300n * WAD - 1n) / (1_300n * WAD);
      await expect(s.vault.connect(s.liquidator).socialiseLoss(bob, 100n * WAD))
        .to.emit(s.vault, "LossSocialised")
        .withArgs(100n * WAD, WAD, WAD - cut);
      expect(await s.vault.cashBalance(bob)).to.equal(-200n * WAD);
      expect(await s.vault.cashBalance(alice)).to.equal(mulWadDown(1_300n * WAD, WAD - cut));
    });

    it("INV-06 caps the loss so the supply index stops at MIN_SUPPLY_INDEX, then socialises nothing more", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -5_000n * WAD)).wait();
      // capacity = floor(1,000e18 * (1e18 - 1e9) / 1e18) = 1e21 - 1e12
      const capacity = 10n ** 21n - 10n ** 12n;
      expect(await s.vault.connect(s.liquidator).socialiseLoss.staticCall(bob, 5_000n * WAD)).to.equal(capacity);
      await expect(s.vault.connect(s.liquidator).socialiseLoss(bob, 5_000n * WAD))
        .to.emit(s.vault, "LossSocialised")
        .withArgs(capacity, WAD, MIN_SUPPLY_INDEX);
      expect((await s.vault.cashIndices())[0]).to.equal(MIN_SUPPLY_INDEX);
      expect(await s.vault.cashBalance(bob)).to.equal(-5_000n * WAD + capacity);
      expect(await s.vault.cashBalance(alice)).to.equal(10n ** 12n);
      expect(await s.vault.connect(s.liquidator).socialiseLoss.staticCall(bob, WAD)).to.equal(0n);
      await expect(s.vault.connect(s.liquidator).socialiseLoss(bob, WAD))
        .to.emit(s.vault, "LossSocialised")
        .withArgs(0n, MIN_SUPPLY_INDEX, MIN_SUPPLY_INDEX);
      expect(await s.vault.cashBalance(bob)).to.equal(-5_000n * WAD + capacity);
    });

    it("socialises nothing when no account holds positive cash", async function () {
      const s = await loadFixture(standaloneFixture);
      const bob = accountId(s.bob.address);
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -100n * WAD)).wait();
      expect(await s.vault.connect(s.liquidator).socialiseLoss.staticCall(bob, 100n * WAD)).to.equal(0n);
      await expect(s.vault.connect(s.liquidator).socialiseLoss(bob, 100n * WAD))
        .to.emit(s.vault, "LossSocialised")
        .withArgs(0n, WAD, WAD);
      expect(await s.vault.cashBalance(bob)).to.equal(-100n * WAD);
      expect(await s.vault.accountNonce(bob)).to.equal(1n); // from settleCash only
      expect((await s.vault.cashIndices())[0]).to.equal(WAD);
    });

    it("credits later cash deposits at the lowered index, rounded down", async function () {
      const s = await loadFixture(standaloneFixture);
      const { bob } = await lossSetup(s);
      await (await s.vault.connect(s.liquidator).socialiseLoss(bob, 300n * WAD)).wait();
      const index = WAD - 230_769_230_769_230_770n;
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.carol, 100n * USDC);
      const principal = divWadDown(100n * WAD, index);
      expect(await s.vault.cashBalance(carol)).to.equal(mulWadDown(principal, index));
      expect(await s.vault.cashBalance(carol)).to.equal(100n * WAD - 1n);
      expect(await s.vault.balanceOf(carol, s.cash)).to.equal(100n * USDC - 1n);
    });
  });

  describe("requireInitialMargin", function () {
    it("passes at or above initial margin and reverts below it with exact equity and margin (protocol fixture)", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await (await b.vault.connect(b.liquidator).requireInitialMargin(acc)).wait();
      await setPrice(b, "ETH/USD", "2000");
      await time.increase(61);
      // Cash 999.4, position value 2,000 - 3,000 = -1,000, initial margin 2,000 * 5% = 100.
      const im = initialMargin(WAD, 2_000n * WAD, IMR);
      await expect(b.vault.connect(b.liquidator).requireInitialMargin(acc))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, -600_000_000_000_000_000n, im);
      expect(im).to.equal(100n * WAD);
    });

    it("does not refuse a frozen account: it checks margin only", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await (await b.vault.connect(b.liquidator).setAccountFrozen(acc, true)).wait();
      await (await b.vault.connect(b.liquidator).requireInitialMargin(acc)).wait();
      expect(await b.vault.accountStatus(acc)).to.deep.equal([true, true]);
    });
  });
});
