/**
 * Engine-only and liquidator-only functions: settleTrade, settleCash, transferFraction (with its cash legs),
 * moveCashBatch, socialiseLoss, startLiquidation and endLiquidation. Driven directly on a standalone vault whose
 * engine and liquidator are plain accounts, and through the protocol fixture (whose liquidator is the deployed
 * LiquidationAuction, impersonated) where the engine's own calls matter.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionReceipt } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { setPrice, trade } from "../../shared/fixtures";
import {
  protocolFixture,
  standaloneFixture,
  positionFixture,
  auctionSigner,
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
  NO_LEGS,
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

/** Calldata of `signature` with ABI-encoded `args` (for calls to functions the vault no longer has). */
function calldata(signature: string, types: string[], args: unknown[]): string {
  return ethers.id(signature).slice(0, 10) + ethers.AbiCoder.defaultAbiCoder().encode(types, args).slice(2);
}

/** Names of the vault events a receipt carries, in order. */
function eventNames(s: Standalone, receipt: ContractTransactionReceipt | null): string[] {
  return receipt!.logs.map((log) => s.vault.interface.parseLog(log)?.name ?? "?");
}

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
        await expect(s.vault.connect(caller).settleCash(acc, 1n, false))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).settleTrade(tradeCash(s), 60))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).transferFraction(acc, accountId(s.bob.address), WAD, false, false, NO_LEGS))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyEngine")
          .withArgs(caller.address);
      }
    });

    it("rejects liquidator-only functions from any other caller with VaultOnlyLiquidator(caller)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      for (const caller of [s.deployer, s.engineEoa, s.alice]) {
        await expect(s.vault.connect(caller).startLiquidation(acc, bob, 0n))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).endLiquidation(acc))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).moveCashBatch([acc, bob], [-1n, 1n]))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
        await expect(s.vault.connect(caller).socialiseLoss(acc, 1n))
          .to.be.revertedWithCustomError(s.vault, "VaultOnlyLiquidator")
          .withArgs(caller.address);
      }
    });

    it("no longer answers the removed entry points setAccountFrozen, moveCash, requireInitialMargin and the legless transferFraction", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const to = await s.vault.getAddress();
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      const removed: [HardhatEthersSigner, string][] = [
        [s.liquidator, calldata("setAccountFrozen(uint256,bool)", ["uint256", "bool"], [acc, true])],
        [s.liquidator, calldata("moveCash(uint256,uint256,uint256)", ["uint256", "uint256", "uint256"], [acc, bob, WAD])],
        [s.liquidator, calldata("requireInitialMargin(uint256)", ["uint256"], [acc])],
        [
          s.engineEoa,
          calldata(
            "transferFraction(uint256,uint256,uint256,bool,bool)",
            ["uint256", "uint256", "uint256", "bool", "bool"],
            [acc, bob, WAD, false, false],
          ),
        ],
      ];
      for (const [caller, data] of removed) {
        await expect(caller.sendTransaction({ to, data })).to.be.revertedWithoutReason();
      }
      expect(await s.vault.accountStatus(acc)).to.deep.equal([false, false]);
      expect(await s.vault.cashBalance(acc)).to.equal(10n * WAD);
    });

    it("in the deployed protocol, takes engine hooks only from the MarginEngine and liquidator hooks only from the LiquidationAuction", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const engineAddress = await b.engine.getAddress();
      const auctionAddress = await b.auction.getAddress();
      expect(await b.vault.engine()).to.equal(engineAddress);
      expect(await b.vault.liquidator()).to.equal(auctionAddress);
      expect(await b.engine.liquidator()).to.equal(auctionAddress);
      await expect(b.vault.settleCash(acc, 1n, false))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyEngine")
        .withArgs(b.deployer.address);
      await expect(b.vault.connect(b.alice).startLiquidation(acc, acc, 0n))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyLiquidator")
        .withArgs(b.alice.address);
      await expect(b.vault.socialiseLoss(acc, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyLiquidator")
        .withArgs(b.deployer.address);
      const engine = await ethers.getImpersonatedSigner(engineAddress);
      await setBalance(engineAddress, WAD);
      await expect(b.vault.connect(engine).endLiquidation(acc))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyLiquidator")
        .withArgs(engineAddress);
      const auction = await auctionSigner(b);
      await expect(b.vault.connect(auction).settleCash(acc, 1n, false))
        .to.be.revertedWithCustomError(b.vault, "VaultOnlyEngine")
        .withArgs(auctionAddress);
      await expect(b.vault.connect(auction).startLiquidation(acc, acc, 0n))
        .to.emit(b.vault, "LiquidationStarted")
        .withArgs(acc, acc, 0n);
      expect(await b.vault.accountStatus(acc)).to.deep.equal([true, false]);
    });
  });

  describe("settleCash", function () {
    it("adds a signed WAD delta, emits CashSettled and bumps the nonce (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await expect(s.vault.connect(s.engineEoa).settleCash(acc, -150n * WAD - 1n, false))
        .to.emit(s.vault, "CashSettled")
        .withArgs(acc, -150n * WAD - 1n);
      expect(await s.vault.cashBalance(acc)).to.equal(-50n * WAD - 1n);
      expect(await s.vault.accountNonce(acc)).to.equal(1n);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 50n * WAD + 1n]);
      await (await s.vault.connect(s.engineEoa).settleCash(acc, 70n * WAD, false)).wait();
      expect(await s.vault.cashBalance(acc)).to.equal(20n * WAD - 1n);
      expect(await s.vault.cashTotals()).to.deep.equal([20n * WAD - 1n, 0n]);
      expect(await s.vault.accountNonce(acc)).to.equal(2n);
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(100n * WAD); // tokens held do not move
    });

    it("records whether the account still holds a position, as the engine says (INV-04: automated deleveraging closes them with a cash settlement)", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      await (await s.vault.connect(s.engineEoa).settleCash(acc, WAD, true)).wait();
      expect((await s.vault.accountStatus(acc)).hasPositions).to.equal(true);
      await (await s.vault.connect(s.engineEoa).settleCash(acc, 0n, false)).wait();
      expect((await s.vault.accountStatus(acc)).hasPositions).to.equal(false);
      expect(await s.vault.cashBalance(acc)).to.equal(WAD);
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

    it("credits the fees before valuing the traders, so accountA's margin inputs include them when it is also the fee account", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address);
      const tc = tradeCash(s, { accountA: acc, deltaA: -10n * WAD, deltaB: 5n * WAD, feeAccount: acc, fees: 5n * WAD });
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      const [a, bm] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(tc, 60);
      expect([a.cash, a.collateralValue]).to.deep.equal([95n * WAD, 0n]);
      expect(bm.cash).to.equal(5n * WAD);
      await (await s.vault.connect(s.engineEoa).settleTrade(tc, 60)).wait();
      expect(await s.vault.cashBalance(acc)).to.equal(95n * WAD);
      expect(await s.vault.accountNonce(acc)).to.equal(1n); // bumped once, as a trader (INV-05)
    });

    it("credits the fees before valuing the traders, so accountB's margin inputs include them when it is also the fee account", async function () {
      const s = await loadFixture(standaloneFixture);
      const bob = accountId(s.bob.address);
      const tc = tradeCash(s, { deltaA: -5n * WAD, accountB: bob, deltaB: 2n * WAD, feeAccount: bob, fees: 3n * WAD });
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      const [a, bm] = await s.vault.connect(s.engineEoa).settleTrade.staticCall(tc, 60);
      expect(a.cash).to.equal(95n * WAD);
      expect([bm.cash, bm.collateralValue]).to.deep.equal([5n * WAD, 0n]);
      await (await s.vault.connect(s.engineEoa).settleTrade(tc, 60)).wait();
      expect(await s.vault.cashBalance(bob)).to.equal(5n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([100n * WAD, 0n]);
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

    it("refuses an account in liquidation on either side with VaultAccountInAuction, and accepts it again once ended", async function () {
      const s = await loadFixture(standaloneFixture);
      const tc = tradeCash(s, { deltaA: -1n, deltaB: 1n });
      await (await s.vault.connect(s.liquidator).startLiquidation(tc.accountB, tc.accountB, 0n)).wait();
      await expect(s.vault.connect(s.engineEoa).settleTrade(tc, 60))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(tc.accountB);
      await (await s.vault.connect(s.liquidator).startLiquidation(tc.accountA, tc.accountA, 0n)).wait();
      await expect(s.vault.connect(s.engineEoa).settleTrade(tc, 60))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(tc.accountA);
      await (await s.vault.connect(s.liquidator).endLiquidation(tc.accountA)).wait();
      await (await s.vault.connect(s.liquidator).endLiquidation(tc.accountB)).wait();
      await (await s.vault.connect(s.engineEoa).settleTrade(tc, 60)).wait();
      expect(await s.vault.cashBalance(tc.accountB)).to.equal(1n);
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

    it("refuses a fill with an account in liquidation through the venue (protocol fixture)", async function () {
      const b = await loadFixture(positionFixture);
      const bob = accountId(b.bob.address);
      await (await b.vault.connect(b.liquidator).startLiquidation(bob, bob, 0n)).wait();
      await expect(trade(b, b.alice, b.bob, "ETH-PERP", -WAD, ETH_PRICE))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(bob);
    });
  });

  describe("moveCashBatch", function () {
    it("INV-05 applies signed WAD deltas summing to zero, lets balances go negative, emits nothing and bumps every touched nonce", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      const receipt = await (
        await s.vault.connect(s.liquidator).moveCashBatch([alice, bob, carol], [-25n * WAD - 3n, 20n * WAD, 5n * WAD + 3n])
      ).wait();
      expect(eventNames(s, receipt)).to.deep.equal([]);
      expect(await s.vault.cashBalance(alice)).to.equal(-15n * WAD - 3n);
      expect(await s.vault.cashBalance(bob)).to.equal(20n * WAD);
      expect(await s.vault.cashBalance(carol)).to.equal(5n * WAD + 3n);
      for (const acc of [alice, bob, carol]) expect(await s.vault.accountNonce(acc)).to.equal(1n);
      // INV-02 INV-03: the principal totals follow; the tokens held do not move.
      expect(await s.vault.cashTotals()).to.deep.equal([25n * WAD + 3n, 15n * WAD + 3n]);
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(10n * WAD);
    });

    it("leaves an account listed with a zero delta untouched: same cash, same nonce", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.bob, 10n * USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([alice, bob, carol], [-1n, 0n, 1n])).wait();
      expect(await s.vault.cashBalance(bob)).to.equal(10n * WAD);
      expect(await s.vault.accountNonce(bob)).to.equal(0n);
      expect(await s.vault.accountNonce(alice)).to.equal(1n);
      expect(await s.vault.accountNonce(carol)).to.equal(1n);
    });

    it("applies every entry of an account listed twice and bumps its nonce for each (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      await (await s.vault.connect(s.liquidator).moveCashBatch([alice, bob, alice], [5n * WAD, -7n * WAD, 2n * WAD])).wait();
      expect(await s.vault.cashBalance(alice)).to.equal(7n * WAD);
      expect(await s.vault.cashBalance(bob)).to.equal(-7n * WAD);
      expect(await s.vault.accountNonce(alice)).to.equal(2n);
      expect(await s.vault.accountNonce(bob)).to.equal(1n);
    });

    it("refuses deltas that do not sum to zero with VaultCashNotConserved(sum)", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const v = s.vault.connect(s.liquidator);
      await expect(v.moveCashBatch([alice, bob], [5n * WAD, -5n * WAD + 1n]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(1n);
      await expect(v.moveCashBatch([alice, bob], [-5n * WAD, 5n * WAD - 1n]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(-1n);
      await expect(v.moveCashBatch([alice], [3n * WAD]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(3n * WAD);
      expect(await s.vault.cashBalance(alice)).to.equal(0n);
      expect(await s.vault.accountNonce(alice)).to.equal(0n);
    });

    it("refuses arrays of different lengths with VaultCashNotConserved(sum of the deltas), even when the deltas sum to zero", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const carol = accountId(s.carol.address);
      const v = s.vault.connect(s.liquidator);
      await expect(v.moveCashBatch([alice, bob, carol], [5n * WAD, -5n * WAD]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(0n);
      await expect(v.moveCashBatch([alice], [5n * WAD, -5n * WAD]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(0n);
      await expect(v.moveCashBatch([alice, bob], [3n * WAD]))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(3n * WAD);
      await expect(v.moveCashBatch([alice], []))
        .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
        .withArgs(0n);
      expect(await s.vault.cashTotals()).to.deep.equal([0n, 0n]);
    });

    it("accepts an empty batch and changes nothing", async function () {
      const s = await loadFixture(standaloneFixture);
      await depositInto(s.vault, s.cash, s.alice, USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([], [])).wait();
      expect(await s.vault.cashTotals()).to.deep.equal([WAD, 0n]);
      expect(await s.vault.accountNonce(accountId(s.alice.address))).to.equal(0n);
    });
  });

  describe("startLiquidation and endLiquidation", function () {
    it("INV-05 freezes the account, moves the tip to the tip account, emits LiquidationStarted and bumps the account's nonce only (R-15: a tip is a credit)", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const carol = accountId(s.carol.address);
      const tip = 7n * WAD + 1n;
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      const tx = await s.vault.connect(s.liquidator).startLiquidation(alice, carol, tip);
      await expect(tx).to.emit(s.vault, "LiquidationStarted").withArgs(alice, carol, tip);
      expect(eventNames(s, await tx.wait())).to.deep.equal(["LiquidationStarted"]);
      expect(await s.vault.accountStatus(alice)).to.deep.equal([true, false]);
      expect(await s.vault.accountStatus(carol)).to.deep.equal([false, false]);
      expect(await s.vault.cashBalance(alice)).to.equal(93n * WAD - 1n);
      expect(await s.vault.cashBalance(carol)).to.equal(tip);
      expect(await s.vault.accountNonce(alice)).to.equal(1n);
      expect(await s.vault.accountNonce(carol)).to.equal(0n);
      // INV-02: a move between accounts; the tokens held do not move.
      expect(await s.vault.cashTotals()).to.deep.equal([100n * WAD, 0n]);
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(100n * WAD);
    });

    it("review F3 (INV-05) bumps the nonce at every start, tip or not, so a bid priced in an earlier auction never fills in a later one", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await (await s.vault.connect(s.liquidator).startLiquidation(alice, alice, 0n)).wait();
      expect(await s.vault.accountNonce(alice)).to.equal(1n);
      await (await s.vault.connect(s.liquidator).endLiquidation(alice)).wait();
      expect(await s.vault.accountNonce(alice)).to.equal(1n);
      await (await s.vault.connect(s.liquidator).startLiquidation(alice, alice, 0n)).wait();
      expect(await s.vault.accountNonce(alice)).to.equal(2n);
    });

    it("takes the tip even beyond the account's cash, leaving the account in debt", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 3n * USDC);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      await (await s.vault.connect(s.liquidator).startLiquidation(alice, carol, 5n * WAD)).wait();
      expect(await s.vault.cashBalance(alice)).to.equal(-2n * WAD);
      expect(await s.vault.cashBalance(carol)).to.equal(5n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([5n * WAD, 2n * WAD]);
      expect(await s.vault.collateralBalanceWad(alice, s.weth)).to.equal(WAD); // the tip is cash only
    });

    it("freezes without moving cash when the tip is zero, bumping the account's nonce only (review F3)", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      await expect(s.vault.connect(s.liquidator).startLiquidation(alice, carol, 0n))
        .to.emit(s.vault, "LiquidationStarted")
        .withArgs(alice, carol, 0n);
      expect(await s.vault.accountStatus(alice)).to.deep.equal([true, false]);
      expect(await s.vault.cashBalance(alice)).to.equal(10n * WAD);
      expect(await s.vault.cashBalance(carol)).to.equal(0n);
      expect(await s.vault.accountNonce(alice)).to.equal(1n);
      expect(await s.vault.accountNonce(carol)).to.equal(0n);
    });

    it("endLiquidation unfreezes, emits LiquidationEnded and keeps the position flag and the nonce", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      await (await s.vault.connect(s.engineEoa).settleTrade(tradeCash(s, { hasPositionsA: true }), 60)).wait();
      await (await s.vault.connect(s.liquidator).startLiquidation(alice, alice, 0n)).wait();
      expect(await s.vault.accountStatus(alice)).to.deep.equal([true, true]);
      const tx = await s.vault.connect(s.liquidator).endLiquidation(alice);
      await expect(tx).to.emit(s.vault, "LiquidationEnded").withArgs(alice);
      expect(eventNames(s, await tx.wait())).to.deep.equal(["LiquidationEnded"]);
      expect(await s.vault.accountStatus(alice)).to.deep.equal([false, true]);
      expect(await s.vault.accountNonce(alice)).to.equal(2n); // from settleTrade and the start, not the end
    });
  });

  describe("transferFraction", function () {
    it("refuses a fraction of 0 or above 1e18 with VaultInvalidFraction", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, 0n, false, false, NO_LEGS))
        .to.be.revertedWithCustomError(s.vault, "VaultInvalidFraction")
        .withArgs(0n);
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, WAD + 1n, false, false, NO_LEGS))
        .to.be.revertedWithCustomError(s.vault, "VaultInvalidFraction")
        .withArgs(WAD + 1n);
    });

    it("refuses a receiver in liquidation with VaultAccountInAuction but moves out of a sender in liquidation", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      await (await s.vault.connect(s.liquidator).startLiquidation(to, to, 0n)).wait();
      await expect(s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false, NO_LEGS))
        .to.be.revertedWithCustomError(s.vault, "VaultAccountInAuction")
        .withArgs(to);
      await (await s.vault.connect(s.liquidator).endLiquidation(to)).wait();
      await (await s.vault.connect(s.liquidator).startLiquidation(from, from, 0n)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false, NO_LEGS)).wait();
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(WAD);
    });

    it("moves a third of every balance rounded down, with collateral events only, bitmaps (INV-04), flags and nonces (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const third = 333_333_333_333_333_333n;
      await depositInto(s.vault, s.weth, s.alice, WAD + 1n);
      await depositInto(s.vault, s.wbtc, s.alice, BTC);
      await depositInto(s.vault, s.cash, s.alice, 1_000_000_001n);
      const tx = await s.vault.connect(s.engineEoa).transferFraction(from, to, third, true, true, NO_LEGS);
      await expect(tx)
        .to.emit(s.vault, "CollateralTransferred")
        .withArgs(from, to, await s.weth.getAddress(), third)
        .and.to.emit(s.vault, "CollateralTransferred")
        .withArgs(from, to, await s.wbtc.getAddress(), third);
      // The collateral moves are the only events: the auction's AuctionBid states the fraction.
      expect(eventNames(s, await tx.wait())).to.deep.equal(["CollateralTransferred", "CollateralTransferred"]);
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
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, 333_333_333_333_333_333n, false, false, NO_LEGS)).wait();
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
      const receipt = await (await s.vault.connect(s.engineEoa).transferFraction(from, to, half, false, false, NO_LEGS)).wait();
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
      await (await s.vault.connect(s.engineEoa).settleCash(from, -100n * WAD, false)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, 333_333_333_333_333_333n, false, false, NO_LEGS)).wait();
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
      await (await s.vault.connect(s.engineEoa).settleCash(from, -3n * WAD - 1n, false)).wait();
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, true, NO_LEGS)).wait();
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

  describe("transferFraction cash legs", function () {
    it("INV-02 applies zero-sum legs to the sender, the receiver and a third account in the same call, bumping sender and receiver (INV-05)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const fundAccount = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      // The bidder (to) pays 40 for half the portfolio; the account (from) pays a penalty of 10 to the third account.
      const legs = { toFrom: 30n * WAD, toTo: -40n * WAD, third: fundAccount, toThird: 10n * WAD };
      const tx = await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD / 2n, false, true, legs);
      await expect(tx)
        .to.emit(s.vault, "CollateralTransferred")
        .withArgs(from, to, await s.weth.getAddress(), WAD / 2n);
      expect(eventNames(s, await tx.wait())).to.deep.equal(["CollateralTransferred"]);
      expect(await s.vault.cashBalance(from)).to.equal(80n * WAD); // 100 - 50 moved + 30
      expect(await s.vault.cashBalance(to)).to.equal(10n * WAD); // 50 moved - 40
      expect(await s.vault.cashBalance(fundAccount)).to.equal(10n * WAD);
      expect(await s.vault.collateralBalanceWad(to, s.weth)).to.equal(WAD / 2n);
      expect(await s.vault.accountNonce(from)).to.equal(1n);
      expect(await s.vault.accountNonce(to)).to.equal(1n);
      expect(await s.vault.accountStatus(to)).to.deep.equal([false, true]);
      expect(await s.vault.cashTotals()).to.deep.equal([100n * WAD, 0n]);
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(100n * WAD);
    });

    it("lets the legs leave the receiver in debt when its payment exceeds the cash it receives", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      const legs = { toFrom: 150n * WAD, toTo: -150n * WAD, third: 0n, toThird: 0n };
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false, legs)).wait();
      expect(await s.vault.cashBalance(from)).to.equal(150n * WAD);
      expect(await s.vault.cashBalance(to)).to.equal(-50n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([150n * WAD, 50n * WAD]);
    });

    it("refuses legs that do not sum to zero with VaultCashNotConserved(sum)", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const third = accountId(s.carol.address);
      await depositInto(s.vault, s.weth, s.alice, WAD);
      const v = s.vault.connect(s.engineEoa);
      for (const [legs, sum] of [
        [{ toFrom: 1n, toTo: 0n, third: 0n, toThird: 0n }, 1n],
        [{ toFrom: 0n, toTo: -1n, third: 0n, toThird: 0n }, -1n],
        [{ toFrom: 5n * WAD, toTo: -3n * WAD, third, toThird: -3n * WAD }, -WAD],
        [{ toFrom: 0n, toTo: 0n, third, toThird: 2n }, 2n],
      ] as const) {
        await expect(v.transferFraction(from, to, WAD, false, false, legs))
          .to.be.revertedWithCustomError(s.vault, "VaultCashNotConserved")
          .withArgs(sum);
      }
      expect(await s.vault.collateralBalanceWad(from, s.weth)).to.equal(WAD);
      expect(await s.vault.accountNonce(from)).to.equal(0n);
    });

    it("leaves the third account untouched when its leg is zero", async function () {
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const third = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      const legs = { toFrom: 5n * WAD, toTo: -5n * WAD, third, toThird: 0n };
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD / 2n, false, false, legs)).wait();
      expect(await s.vault.cashBalance(from)).to.equal(10n * WAD);
      expect(await s.vault.cashBalance(to)).to.equal(0n);
      expect(await s.vault.cashBalance(third)).to.equal(0n);
      expect(await s.vault.accountNonce(third)).to.equal(0n);
    });

    it("INV-05 bumps the third account's nonce when a negative leg debits it", async function () {
      // INV-05: the nonce rises with every change of an account's holdings except deposits (which only add value).
      // A negative third leg takes cash from the third account, so it must bump that account's nonce, as
      // moveCashBatch does for the same legs on the flash-bid path.
      const s = await loadFixture(standaloneFixture);
      const from = accountId(s.alice.address);
      const to = accountId(s.bob.address);
      const third = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.carol, 20n * USDC);
      const legs = { toFrom: 0n, toTo: 10n * WAD, third, toThird: -10n * WAD };
      await (await s.vault.connect(s.engineEoa).transferFraction(from, to, WAD, false, false, legs)).wait();
      expect(await s.vault.cashBalance(third)).to.equal(10n * WAD);
      expect(await s.vault.cashBalance(to)).to.equal(10n * WAD);
      expect(await s.vault.accountNonce(third)).to.equal(1n);
    });
  });

  describe("socialiseLoss", function () {
    /** Alice supplies 1,000; the liquidator moves 300 from bob to alice (moveCashBatch): supply principal 1,300, bob -300. */
    async function lossSetup(s: Standalone) {
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 1_000n * USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([bob, alice], [-300n * WAD, 300n * WAD])).wait();
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
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -5_000n * WAD, false)).wait();
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
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -100n * WAD, false)).wait();
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

  describe("the withdrawal's margin check (requireInitialMargin is removed)", function () {
    it("INV-13 still margin-checks withdrawals: passes above initial margin and refuses below it with exact equity and margin (protocol fixture)", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, 1n, b.alice.address)).wait();
      await setPrice(b, "ETH/USD", "2000");
      await time.increase(61);
      // Cash 999.399999 - 0.000001, position value 2,000 - 3,000 = -1,000, initial margin 2,000 * 5% = 100.
      const im = initialMargin(WAD, 2_000n * WAD, IMR);
      expect(im).to.equal(100n * WAD);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, 999_399_998n * USDC_SCALE - 1_000n * WAD, im);
      expect(await b.vault.cashBalance(acc)).to.equal(999_399_999n * USDC_SCALE);
    });

    it("refuses an account in liquidation before any margin check, even with ample margin (protocol fixture)", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await (await b.vault.connect(b.liquidator).startLiquidation(acc, acc, 0n)).wait();
      expect(await b.vault.accountStatus(acc)).to.deep.equal([true, true]);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(acc);
    });
  });
});
