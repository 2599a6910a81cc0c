/**
 * CollateralVault.withdraw and transferCash: authorisation (owner, operators), amounts, balances, initial margin
 * after the withdrawal (INV-13), the auction freeze, nonces (INV-05), bitmaps (INV-04) and held totals (INV-01).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fund, setPrice, trade } from "../../shared/fixtures";
import {
  protocolFixture,
  positionFixture,
  standaloneFixture,
  debtFixture,
  depositInto,
  cashStateAtPar,
  accrue,
  initialMargin,
  mulWadUp,
  accountId,
  Scope,
  WAD,
  USDC,
  BTC,
  USDC_SCALE,
  BTC_SCALE,
  ETH_PRICE,
  IMR,
  BASE_RATE,
  RATE_SLOPE,
} from "./helpers";

describe("CollateralVault: withdraw", function () {
  describe("by the owner", function () {
    it("pays out collateral in token units, debits the WAD balance, emits Withdrawn and bumps the nonce (INV-05)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.wbtc, b.alice, 3n * BTC);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.wbtc, 125_000_000n, b.carol.address))
        .to.emit(b.vault, "Withdrawn")
        .withArgs(acc, await b.wbtc.getAddress(), 125_000_000n, b.carol.address);
      expect(await b.wbtc.balanceOf(b.carol.address)).to.equal(125_000_000n);
      expect(await b.wbtc.balanceOf(await b.vault.getAddress())).to.equal(175_000_000n);
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal(175_000_000n * BTC_SCALE);
      expect(await b.vault.balanceOf(acc, b.wbtc)).to.equal(175_000_000n);
      expect(await b.vault.totalHeldWad(b.wbtc)).to.equal(1_750_000_000_000_000_000n);
      expect(await b.vault.accountNonce(acc)).to.equal(1n);
      expect(await b.vault.accountTokens(acc)).to.equal(0b10n);
    });

    it("pays out cash, debits WAD cash, lowers totalHeldWad and bumps the nonce (INV-05)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.cash, b.alice, 1_000n * USDC);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, 250_500_001n, b.alice.address))
        .to.emit(b.vault, "Withdrawn")
        .withArgs(acc, await b.cash.getAddress(), 250_500_001n, b.alice.address);
      expect(await b.cash.balanceOf(b.alice.address)).to.equal(250_500_001n);
      expect(await b.vault.cashBalance(acc)).to.equal(749_499_999n * USDC_SCALE);
      expect(await b.vault.totalHeldWad(b.cash)).to.equal(749_499_999n * USDC_SCALE);
      expect(await b.vault.cashTotals()).to.deep.equal([749_499_999n * USDC_SCALE, 0n]);
      expect(await b.vault.accountNonce(acc)).to.equal(1n);
    });

    it("bumps the nonce once per withdrawal and never on deposits (INV-05)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, 3n * WAD);
      for (let i = 1n; i <= 3n; i++) {
        await (await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD / 2n, b.alice.address)).wait();
        expect(await b.vault.accountNonce(acc)).to.equal(i);
        await depositInto(b.vault, b.weth, b.alice, 1n);
        expect(await b.vault.accountNonce(acc)).to.equal(i);
      }
    });

    it("INV-04 keeps the token bit while a balance remains and clears it when the balance reaches zero", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await depositInto(b.vault, b.wbtc, b.alice, BTC);
      expect(await b.vault.accountTokens(acc)).to.equal(0b11n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.wbtc, 40_000_000n, b.alice.address)).wait();
      expect(await b.vault.accountTokens(acc)).to.equal(0b11n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.wbtc, 60_000_000n, b.alice.address)).wait();
      expect(await b.vault.accountTokens(acc)).to.equal(0b01n);
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal(0n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD, b.alice.address)).wait();
      expect(await b.vault.accountTokens(acc)).to.equal(0n);
      expect(await b.vault.totalHeldWad(b.weth)).to.equal(0n);
      expect(await b.vault.totalHeldWad(b.wbtc)).to.equal(0n);
    });

    it("INV-01 keeps totalHeldWad equal to the sum of balances across several accounts", async function () {
      const b = await loadFixture(protocolFixture);
      await depositInto(b.vault, b.weth, b.alice, 2n * WAD);
      await depositInto(b.vault, b.weth, b.bob, 3n * WAD + 7n);
      await depositInto(b.vault, b.weth, b.alice, WAD, accountId(b.alice.address, 1));
      await (await b.vault.connect(b.bob).withdraw(accountId(b.bob.address), b.weth, WAD + 3n, b.bob.address)).wait();
      const balances = await Promise.all(
        [accountId(b.alice.address), accountId(b.bob.address), accountId(b.alice.address, 1)].map((a) =>
          b.vault.collateralBalanceWad(a, b.weth),
        ),
      );
      expect(balances).to.deep.equal([2n * WAD, 2n * WAD + 4n, WAD]);
      expect(await b.vault.totalHeldWad(b.weth)).to.equal(5n * WAD + 4n);
      expect(await b.weth.balanceOf(await b.vault.getAddress())).to.equal(5n * WAD + 4n);
    });
  });

  describe("authorisation", function () {
    it("lets a full-scope operator of the owner withdraw to any address", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address, 3);
      await depositInto(b.vault, b.weth, b.alice, WAD, acc);
      const expiry = BigInt(await time.latest()) + 3_600n;
      await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Full, expiry)).wait();
      await expect(b.vault.connect(b.operator).withdraw(acc, b.weth, WAD / 4n, b.operator.address))
        .to.emit(b.vault, "Withdrawn")
        .withArgs(acc, await b.weth.getAddress(), WAD / 4n, b.operator.address);
      expect(await b.weth.balanceOf(b.operator.address)).to.equal(WAD / 4n);
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal((3n * WAD) / 4n);
    });

    it("refuses a trade-scope operator with VaultUnauthorized(caller, account)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const expiry = BigInt(await time.latest()) + 3_600n;
      await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Trade, expiry)).wait();
      await expect(b.vault.connect(b.operator).withdraw(acc, b.weth, 1n, b.operator.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.operator.address, acc);
    });

    it("accepts a full-scope operator up to its expiry second and refuses it one second later", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const expiry = BigInt(await time.latest()) + 100n;
      await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Full, expiry)).wait();
      await time.setNextBlockTimestamp(expiry);
      await (await b.vault.connect(b.operator).withdraw(acc, b.weth, 1n, b.operator.address)).wait();
      expect(await time.latest()).to.equal(Number(expiry));
      await time.setNextBlockTimestamp(expiry + 1n);
      await expect(b.vault.connect(b.operator).withdraw(acc, b.weth, 1n, b.operator.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.operator.address, acc);
    });

    it("refuses a revoked operator and a stranger with VaultUnauthorized", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const expiry = BigInt(await time.latest()) + 3_600n;
      await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Full, expiry)).wait();
      await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.None, expiry)).wait();
      await expect(b.vault.connect(b.operator).withdraw(acc, b.weth, 1n, b.operator.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.operator.address, acc);
      await expect(b.vault.connect(b.stranger).withdraw(acc, b.weth, 1n, b.stranger.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.stranger.address, acc);
    });

    it("refuses an operator of another owner: the account id names its owner", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const expiry = BigInt(await time.latest()) + 3_600n;
      await (await b.engine.connect(b.bob).setOperator(b.operator.address, Scope.Full, expiry)).wait();
      await expect(b.vault.connect(b.operator).withdraw(acc, b.weth, 1n, b.operator.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.operator.address, acc);
      await expect(b.vault.connect(b.bob).withdraw(acc, b.weth, 1n, b.bob.address))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.bob.address, acc);
    });
  });

  describe("refusals", function () {
    it("reverts a zero amount with VaultZeroAmount and a zero recipient with VaultZeroAddress", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.weth, 0n, b.alice.address)).to.be.revertedWithCustomError(
        b.vault,
        "VaultZeroAmount",
      );
      await expect(
        b.vault.connect(b.alice).withdraw(acc, b.weth, 1n, "0x0000000000000000000000000000000000000000"),
      ).to.be.revertedWithCustomError(b.vault, "VaultZeroAddress");
    });

    it("reverts an unlisted token with VaultTokenNotListed", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.alice.address, 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(b.alice.address);
    });

    it("reverts more than the collateral balance with VaultInsufficientBalance(account, token, balance, amount) in token units", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.wbtc, b.alice, 50_000_000n);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.wbtc, 50_000_001n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientBalance")
        .withArgs(acc, await b.wbtc.getAddress(), 50_000_000n, 50_000_001n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.wbtc, 50_000_000n, b.alice.address)).wait();
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal(0n);
    });

    it("reverts more than the positive cash with VaultInsufficientCash(account, availableWad, amount)", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, 999_400_001n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientCash")
        .withArgs(acc, 999_400_000n * USDC_SCALE, 999_400_001n);
      const empty = accountId(b.carol.address);
      await expect(b.vault.connect(b.carol).withdraw(empty, b.cash, 1n, b.carol.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientCash")
        .withArgs(empty, 0n, 1n);
    });

    it("reverts any cash withdrawal of an account in debt with VaultInsufficientCash carrying the accrued debt", async function () {
      const b = await loadFixture(debtFixture);
      const acc = accountId(b.alice.address);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      const s1 = accrue(s0, BASE_RATE, RATE_SLOPE, 500n);
      await time.setNextBlockTimestamp(t0 + 500n);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientCash")
        .withArgs(acc, -mulWadUp(102_360_000_000_000_000_000n, s1.borrowIndex), 1n);
    });

    it("refuses a cash withdrawal beyond the cash tokens the vault holds with VaultInsufficientLiquidity(token, available, amount)", async function () {
      // Positive cash funded by another account's debt is a claim, not tokens: the last supplier out waits for the
      // debtor to repay.
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const carol = accountId(s.carol.address);
      const cash = await s.cash.getAddress();
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([bob, carol], [-50n * WAD, 50n * WAD])).wait();
      await (await s.vault.connect(s.carol).withdraw(carol, s.cash, 50n * USDC, s.carol.address)).wait();
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(50n * WAD);
      expect(await s.vault.cashBalance(alice)).to.equal(100n * WAD);
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 100n * USDC, s.alice.address))
        .to.be.revertedWithCustomError(s.vault, "VaultInsufficientLiquidity")
        .withArgs(cash, 50n * USDC, 100n * USDC);
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 50n * USDC + 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.vault, "VaultInsufficientLiquidity")
        .withArgs(cash, 50n * USDC, 50n * USDC + 1n);
      // Exactly what is held passes; the rest of alice's cash stays a claim on bob's debt (INV-02: the cash values,
      // alice 50 and bob -50, sum to 0 and the vault holds 0).
      await (await s.vault.connect(s.alice).withdraw(alice, s.cash, 50n * USDC, s.alice.address)).wait();
      expect(await s.vault.totalHeldWad(s.cash)).to.equal(0n);
      expect(await s.vault.cashBalance(alice)).to.equal(50n * WAD);
      expect(await s.vault.cashTotals()).to.deep.equal([50n * WAD, 50n * WAD]);
      expect(await s.vault.accountNonce(alice)).to.equal(1n); // only the successful withdrawal bumped it (INV-05)
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.vault, "VaultInsufficientLiquidity")
        .withArgs(cash, 0n, 1n);
    });

    it("pays the last supplier once the debtor repays with a cash deposit", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      const carol = accountId(s.carol.address);
      await depositInto(s.vault, s.cash, s.alice, 100n * USDC);
      await (await s.vault.connect(s.liquidator).moveCashBatch([bob, carol], [-50n * WAD, 50n * WAD])).wait();
      await (await s.vault.connect(s.carol).withdraw(carol, s.cash, 50n * USDC, s.carol.address)).wait();
      await depositInto(s.vault, s.cash, s.bob, 20n * USDC);
      expect(await s.vault.cashBalance(bob)).to.equal(-30n * WAD);
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 70n * USDC + 1n, s.alice.address))
        .to.be.revertedWithCustomError(s.vault, "VaultInsufficientLiquidity")
        .withArgs(await s.cash.getAddress(), 70n * USDC, 70n * USDC + 1n);
      await expect(s.vault.connect(s.alice).withdraw(alice, s.cash, 70n * USDC, s.alice.address))
        .to.emit(s.vault, "Withdrawn")
        .withArgs(alice, await s.cash.getAddress(), 70n * USDC, s.alice.address);
      expect(await s.cash.balanceOf(await s.vault.getAddress())).to.equal(0n);
      expect(await s.vault.cashBalance(alice)).to.equal(30n * WAD);
    });
  });

  describe("initial margin after the withdrawal (INV-13)", function () {
    it("INV-13 allows a cash withdrawal down to initial margin exactly and refuses one more unit with exact equity and margin", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await setPrice(b, "ETH/USD", "2900");
      await time.increase(61); // the cached mark is older than maxPriceAge: the check reads 2,900
      expect((await b.engine.marketView(b.markets["ETH-PERP"])).imr).to.equal(IMR);
      const price = 2_900n * WAD;
      const im = initialMargin(WAD, price, IMR); // 145
      expect(im).to.equal(145n * WAD);
      const value = price - ETH_PRICE; // size 1 * (2,900 - funding 0) - basis 3,000
      const cash = 999_400_000n * USDC_SCALE;
      const maxOut = (cash + value - im) / USDC_SCALE; // 754.4 USDC
      expect(maxOut).to.equal(754_400_000n);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, maxOut + 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, 144_999_999n * USDC_SCALE, 145n * WAD);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, maxOut, b.alice.address)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(245n * WAD); // equity 245 - 100 = 145
      const m = await b.engine.accountMargin(acc);
      expect([m.equity, m.initialMargin]).to.deep.equal([145n * WAD, 145n * WAD]);
    });

    it("INV-28 pumping the index of one market then withdrawing cannot take out the paper profit: only cash and collateral back a withdrawal", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      // Alice is long 1 ETH from 3,000 with 999.4 USDC; the index is pushed to 4,000: 1,000 of unrealised profit.
      await setPrice(b, "ETH/USD", "4000");
      await time.increase(61);
      const im = initialMargin(WAD, 4_000n * WAD, IMR); // 200
      const cash = 999_400_000n * USDC_SCALE;
      // The profit still counts for trading: the engine sees equity 1,999.4 (1,799.4 above initial margin).
      const m = await b.engine.accountMargin(acc);
      expect([m.equity, m.initialMargin]).to.deep.equal([cash + 1_000n * WAD, im]);
      // A withdrawal counts only the cash: 999.4 - 200 = 799.4 may leave, not one unit more (before: 1,799.4).
      const maxOut = (cash - im) / USDC_SCALE;
      expect(maxOut).to.equal(799_400_000n);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, maxOut + 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, im - USDC_SCALE, im);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, maxOut, b.alice.address)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(im);
    });

    it("INV-28 an outgoing cash transfer cannot move paper profit either, not even to the owner's own subaccount", async function () {
      const b = await loadFixture(positionFixture);
      const from = accountId(b.alice.address);
      const to = accountId(b.alice.address, 1);
      await setPrice(b, "ETH/USD", "4000");
      await time.increase(61);
      await expect(b.vault.connect(b.alice).transferCash(from, to, 799_400_001n))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(from, 200n * WAD - USDC_SCALE, 200n * WAD);
      await (await b.vault.connect(b.alice).transferCash(from, to, 799_400_000n)).wait();
      expect(await b.vault.cashBalance(to)).to.equal(799_400_000n * USDC_SCALE);
    });

    it("INV-28 profit realised by a trade (paid in cash by the counterparty) can be withdrawn", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await setPrice(b, "ETH/USD", "4000");
      // Carol buys alice's long at 4,000: alice's 1,000 of profit is realised into cash (less the fee).
      await fund(b, b.carol, "USDC", 2_000n * USDC);
      await (await trade(b, b.alice, b.carol, "ETH-PERP", -WAD, 4_000n * WAD)).wait();
      expect(await b.engine.position(acc, b.markets["ETH-PERP"])).to.deep.equal([0n, 0n]);
      const cash = await b.vault.cashBalance(acc);
      // 999.4 + 1,000 realised - 0.8 maker fee (0.02% of 4,000).
      expect(cash).to.equal(1_998_600_000n * USDC_SCALE);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, cash / USDC_SCALE, b.alice.address)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(0n);
    });

    it("INV-30 review H-1: after a pump the insolvent short cannot buy back from the profitable long at the mark, so the long's profit stays paper and cannot leave", async function () {
      // Bob stands for the attacker's sibling account (the engine's rule does not depend on who owns either side).
      const b = await loadFixture(positionFixture);
      const alice = accountId(b.alice.address);
      const bob = accountId(b.bob.address);
      await setPrice(b, "ETH/USD", "4000");
      // Bob is short 1 from 3,000 with 998.5 USDC: equity 998.5 - 1,000 = -1.5 at 4,000 (insolvent).
      expect((await b.engine.accountMargin(bob)).equity).to.equal(-1_500_000n * USDC_SCALE);
      // Buying back at the mark keeps bob's surplus over maintenance (the risk-reduction exception), but it would
      // leave him with negative equity: 998.5 - 1,000 realised - 2 taker fee = -3.5, against no initial margin.
      await expect(trade(b, b.alice, b.bob, "ETH-PERP", -WAD, 4_000n * WAD))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(bob, -3_500_000n * USDC_SCALE, 0n);
      // Alice's 1,000 of profit is still unrealised: a withdrawal counts it at zero (INV-28), 799.4 may leave.
      await time.increase(61);
      await expect(b.vault.connect(b.alice).withdraw(alice, b.cash, 799_400_001n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(alice, 200n * WAD - USDC_SCALE, 200n * WAD);
    });

    it("INV-13 counts haircut collateral: a WETH withdrawal may leave exactly initial margin and not one wei less", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD / 2n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, 999_400_000n, b.alice.address)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(0n);
      await time.increase(61);
      // Equity = WETH balance * 3,000 * 0.8 (cash 0, position value 0 at 3,000); initial margin 150.
      const keep = (WAD * 625n) / 10_000n; // 0.0625 WETH -> 150 exactly
      await expect(b.vault.connect(b.alice).withdraw(acc, b.weth, WAD / 2n - keep + 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, 150n * WAD - 2_400n, 150n * WAD);
      await (await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD / 2n - keep, b.alice.address)).wait();
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal(keep);
      expect(await b.vault.accountTokens(acc)).to.equal(0b01n);
    });

    it("INV-13 lets an indebted account without positions withdraw collateral down to zero equity, not below", async function () {
      const b = await loadFixture(debtFixture);
      const acc = accountId(b.alice.address);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      const principal = -102_360_000_000_000_000_000n;
      expect(await b.vault.cashBalance(acc)).to.equal(principal); // before any time passes

      // At t0 + 600: debt d; 1 WETH is worth 2,400 after the haircut, so the smallest balance that covers d is
      // ceil(d / 2,400) wei.
      const d1 = mulWadUp(-principal, accrue(s0, BASE_RATE, RATE_SLOPE, 600n).borrowIndex);
      const keep1 = (d1 + 2_399n) / 2_400n;
      await time.setNextBlockTimestamp(t0 + 600n);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.weth, WAD - keep1 + 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
        .withArgs(acc, 2_400n * (keep1 - 1n) - d1, 0n);

      const d2 = mulWadUp(-principal, accrue(s0, BASE_RATE, RATE_SLOPE, 601n).borrowIndex);
      const keep2 = (d2 + 2_399n) / 2_400n;
      await time.setNextBlockTimestamp(t0 + 601n);
      await (await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD - keep2, b.alice.address)).wait();
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal(keep2);
      expect(2_400n * keep2 - d2).to.be.lessThan(2_400n);
    });
  });

  describe("auction freeze", function () {
    it("refuses withdrawals and collateral deposits of an account in liquidation with VaultAccountInAuction, keeps the owner's cash deposits open and refuses a stranger's (R-15)", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await expect(b.vault.connect(b.liquidator).startLiquidation(acc, acc, 0n))
        .to.emit(b.vault, "LiquidationStarted")
        .withArgs(acc, acc, 0n);
      expect(await b.vault.accountStatus(acc)).to.deep.equal([true, true]);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.cash, USDC, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(acc);
      await expect(depositInto(b.vault, b.weth, b.alice, WAD))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(acc);
      await expect(b.vault.connect(b.alice).withdraw(acc, b.weth, 1n, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(acc);
      await depositInto(b.vault, b.cash, b.alice, USDC, acc);
      expect(await b.vault.cashBalance(acc)).to.equal(1_000_400_000n * USDC_SCALE);
      await expect(depositInto(b.vault, b.cash, b.carol, USDC, acc))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.carol.address, acc);
    });

    it("allows withdrawals again once the liquidator ends the liquidation, with the starter's tip gone", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.alice.address);
      const starter = accountId(b.carol.address);
      await (await b.vault.connect(b.liquidator).startLiquidation(acc, starter, 5n * WAD)).wait();
      await expect(b.vault.connect(b.liquidator).endLiquidation(acc)).to.emit(b.vault, "LiquidationEnded").withArgs(acc);
      expect(await b.vault.accountStatus(acc)).to.deep.equal([false, true]);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, 100n * USDC, b.alice.address)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(894_400_000n * USDC_SCALE);
      expect(await b.vault.cashBalance(starter)).to.equal(5n * WAD);
      await (await b.vault.connect(b.carol).withdraw(starter, b.cash, 5n * USDC, b.carol.address)).wait();
      expect(await b.cash.balanceOf(b.carol.address)).to.equal(5n * USDC);
    });

    it("refuses even a withdrawal from a frozen account that holds no position and no debt", async function () {
      const b = await loadFixture(positionFixture);
      const acc = accountId(b.carol.address);
      await depositInto(b.vault, b.weth, b.carol, WAD);
      await (await b.vault.connect(b.liquidator).startLiquidation(acc, acc, 0n)).wait();
      await expect(b.vault.connect(b.carol).withdraw(acc, b.weth, WAD, b.carol.address))
        .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
        .withArgs(acc);
    });
  });
});

describe("CollateralVault: transferCash", function () {
  it("moves cash between subaccounts, emits CashTransferred in WAD and bumps the sender's nonce only (INV-05, R-15: a credit)", async function () {
    const b = await loadFixture(protocolFixture);
    const from = accountId(b.alice.address);
    const to = accountId(b.alice.address, 1);
    await depositInto(b.vault, b.cash, b.alice, 1_000n * USDC);
    await expect(b.vault.connect(b.alice).transferCash(from, to, 123_456_789n))
      .to.emit(b.vault, "CashTransferred")
      .withArgs(from, to, 123_456_789n * USDC_SCALE);
    expect(await b.vault.cashBalance(from)).to.equal(876_543_211n * USDC_SCALE);
    expect(await b.vault.cashBalance(to)).to.equal(123_456_789n * USDC_SCALE);
    expect(await b.vault.accountNonce(from)).to.equal(1n);
    expect(await b.vault.accountNonce(to)).to.equal(0n);
    expect(await b.vault.totalHeldWad(b.cash)).to.equal(1_000n * WAD);
    expect(await b.vault.cashTotals()).to.deep.equal([1_000n * WAD, 0n]);
    expect(await b.cash.balanceOf(await b.vault.getAddress())).to.equal(1_000n * USDC);
  });

  it("may credit another owner's account", async function () {
    const b = await loadFixture(protocolFixture);
    const from = accountId(b.alice.address);
    const to = accountId(b.bob.address, 9);
    await depositInto(b.vault, b.cash, b.alice, 10n * USDC);
    await (await b.vault.connect(b.alice).transferCash(from, to, 10n * USDC)).wait();
    expect(await b.vault.cashBalance(from)).to.equal(0n);
    expect(await b.vault.cashBalance(to)).to.equal(10n * WAD);
  });

  it("lets a full-scope operator transfer and refuses a trade-scope operator and strangers with VaultUnauthorized", async function () {
    const b = await loadFixture(protocolFixture);
    const from = accountId(b.alice.address);
    const to = accountId(b.alice.address, 1);
    await depositInto(b.vault, b.cash, b.alice, 10n * USDC);
    const expiry = BigInt(await time.latest()) + 3_600n;
    await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Trade, expiry)).wait();
    await expect(b.vault.connect(b.operator).transferCash(from, to, USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
      .withArgs(b.operator.address, from);
    await expect(b.vault.connect(b.stranger).transferCash(from, to, USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
      .withArgs(b.stranger.address, from);
    await (await b.engine.connect(b.alice).setOperator(b.operator.address, Scope.Full, expiry)).wait();
    await (await b.vault.connect(b.operator).transferCash(from, to, USDC)).wait();
    expect(await b.vault.cashBalance(to)).to.equal(WAD);
  });

  it("reverts a zero amount with VaultZeroAmount and more than the positive cash with VaultInsufficientCash", async function () {
    const b = await loadFixture(protocolFixture);
    const from = accountId(b.alice.address);
    const to = accountId(b.alice.address, 1);
    await depositInto(b.vault, b.cash, b.alice, 10n * USDC);
    await expect(b.vault.connect(b.alice).transferCash(from, to, 0n)).to.be.revertedWithCustomError(b.vault, "VaultZeroAmount");
    await expect(b.vault.connect(b.alice).transferCash(from, to, 10n * USDC + 1n))
      .to.be.revertedWithCustomError(b.vault, "VaultInsufficientCash")
      .withArgs(from, 10n * WAD, 10n * USDC + 1n);
  });

  it("INV-13 margin-checks the sender: exactly initial margin passes, one unit more reverts with exact values", async function () {
    const b = await loadFixture(positionFixture);
    const from = accountId(b.alice.address);
    const to = accountId(b.alice.address, 1);
    // Price 3,000: position value 0, initial margin 150, cash 999.4 -> 849.4 may move.
    await expect(b.vault.connect(b.alice).transferCash(from, to, 849_400_001n))
      .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
      .withArgs(from, 149_999_999n * USDC_SCALE, 150n * WAD);
    await (await b.vault.connect(b.alice).transferCash(from, to, 849_400_000n)).wait();
    expect(await b.vault.cashBalance(from)).to.equal(150n * WAD);
    expect(await b.vault.cashBalance(to)).to.equal(849_400_000n * USDC_SCALE);
  });

  it("refuses a transfer out of an account in liquidation with VaultAccountInAuction and allows one into it", async function () {
    const b = await loadFixture(positionFixture);
    const alice = accountId(b.alice.address);
    const bob = accountId(b.bob.address);
    await (await b.vault.connect(b.liquidator).startLiquidation(alice, alice, 0n)).wait();
    await expect(b.vault.connect(b.alice).transferCash(alice, accountId(b.alice.address, 1), USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultAccountInAuction")
      .withArgs(alice);
    await (await b.vault.connect(b.bob).transferCash(bob, alice, USDC)).wait();
    expect(await b.vault.cashBalance(alice)).to.equal(1_000_400_000n * USDC_SCALE);
  });
});
