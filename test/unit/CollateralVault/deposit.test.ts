/**
 * CollateralVault.deposit: WAD crediting for every decimals, events, who may deposit, caps, pauses, token quirks
 * (fee-on-transfer, no return values) and donations.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { FeeOnTransferERC20__factory, NoReturnERC20__factory } from "../../../typechain-types";
import {
  protocolFixture,
  depositInto,
  mintAndApprove,
  addFeed,
  newToken,
  accountId,
  WAD,
  USDC,
  BTC,
  USDC_SCALE,
  BTC_SCALE,
} from "./helpers";

describe("CollateralVault: deposit", function () {
  describe("crediting", function () {
    it("credits 6-decimal cash as exact WAD cash and emits Deposited", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const amount = 1_234_567_891n; // 1,234.567891 USDC
      await mintAndApprove(b.vault, b.cash, b.alice, amount);
      await expect(b.vault.connect(b.alice).deposit(acc, await b.cash.getAddress(), amount))
        .to.emit(b.vault, "Deposited")
        .withArgs(acc, await b.cash.getAddress(), amount, b.alice.address);
      expect(await b.vault.cashBalance(acc)).to.equal(amount * USDC_SCALE);
      expect(await b.vault.balanceOf(acc, await b.cash.getAddress())).to.equal(amount);
      expect(await b.vault.totalHeldWad(await b.cash.getAddress())).to.equal(1_234_567_891_000_000_000_000n);
      expect(await b.cash.balanceOf(await b.vault.getAddress())).to.equal(amount);
      expect(await b.vault.accountTokens(acc)).to.equal(0n); // cash has no bitmap bit
    });

    it("credits an 8-decimal collateral (WBTC) as exact WAD and sets its bitmap bit (INV-04)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const amount = 12_345_678n; // 0.12345678 WBTC
      await mintAndApprove(b.vault, b.wbtc, b.alice, amount);
      await expect(b.vault.connect(b.alice).deposit(acc, await b.wbtc.getAddress(), amount))
        .to.emit(b.vault, "Deposited")
        .withArgs(acc, await b.wbtc.getAddress(), amount, b.alice.address);
      expect(await b.vault.collateralBalanceWad(acc, await b.wbtc.getAddress())).to.equal(amount * BTC_SCALE);
      expect(await b.vault.collateralBalanceWad(acc, await b.wbtc.getAddress())).to.equal(123_456_780_000_000_000n);
      expect(await b.vault.balanceOf(acc, await b.wbtc.getAddress())).to.equal(amount);
      expect(await b.vault.totalHeldWad(await b.wbtc.getAddress())).to.equal(123_456_780_000_000_000n);
      expect(await b.vault.accountTokens(acc)).to.equal(0b10n); // WBTC is token index 1
    });

    it("credits an 18-decimal collateral (WETH) one to one and sets bit 0 (INV-04)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const amount = 1_500_000_000_000_000_001n;
      await depositInto(b.vault, b.weth, b.alice, amount);
      expect(await b.vault.collateralBalanceWad(acc, await b.weth.getAddress())).to.equal(amount);
      expect(await b.vault.balanceOf(acc, await b.weth.getAddress())).to.equal(amount);
      expect(await b.vault.totalHeldWad(await b.weth.getAddress())).to.equal(amount);
      expect(await b.vault.accountTokens(acc)).to.equal(0b01n);
      await depositInto(b.vault, b.wbtc, b.alice, 1n);
      expect(await b.vault.accountTokens(acc)).to.equal(0b11n);
    });

    it("credits a 0-decimal collateral as amount * 1e18", async function () {
      const b = await loadFixture(protocolFixture);
      const token = await newToken(b, 0, "ZERO");
      const { asset } = await addFeed(b, "ZERO/USD");
      await (await b.vault.listCollateral(token, asset, 5n * 10n ** 17n, 1_000n)).wait();
      const acc = accountId(b.alice.address);
      await mintAndApprove(b.vault, token, b.alice, 7n);
      await expect(b.vault.connect(b.alice).deposit(acc, token, 7n))
        .to.emit(b.vault, "Deposited")
        .withArgs(acc, await token.getAddress(), 7n, b.alice.address);
      expect(await b.vault.collateralBalanceWad(acc, token)).to.equal(7n * WAD);
      expect(await b.vault.balanceOf(acc, token)).to.equal(7n);
      expect(await b.vault.totalHeldWad(token)).to.equal(7n * WAD);
      expect(await b.vault.accountTokens(acc)).to.equal(0b100n); // third listed token
      expect((await b.vault.tokenInfo(token)).depositCap).to.equal(1_000n * WAD);
    });

    it("adds successive deposits into one balance", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.wbtc, b.alice, 3n * BTC);
      await depositInto(b.vault, b.wbtc, b.alice, 1n);
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal(3n * WAD + BTC_SCALE);
      expect(await b.vault.totalHeldWad(b.wbtc)).to.equal(3n * WAD + BTC_SCALE);
    });
  });

  describe("who may deposit", function () {
    it("R-15 refuses a deposit by anyone but the owner or a full-scope operator with VaultUnauthorized(caller, account)", async function () {
      const b = await loadFixture(protocolFixture);
      const aliceAcc = accountId(b.alice.address, 7);
      await mintAndApprove(b.vault, b.weth, b.stranger, WAD);
      await expect(b.vault.connect(b.stranger).deposit(aliceAcc, b.weth, WAD))
        .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
        .withArgs(b.stranger.address, aliceAcc);
      expect(await b.vault.accountTokens(aliceAcc)).to.equal(0n);
    });

    it("INV-05 lets the owner and its full-scope operator deposit into a subaccount without bumping its nonce", async function () {
      const b = await loadFixture(protocolFixture);
      const aliceAcc = accountId(b.alice.address, 7);
      await (await b.engine.connect(b.alice).setOperator(b.stranger.address, 2, 2n ** 40n)).wait();
      await mintAndApprove(b.vault, b.weth, b.stranger, WAD);
      await expect(b.vault.connect(b.stranger).deposit(aliceAcc, b.weth, WAD))
        .to.emit(b.vault, "Deposited")
        .withArgs(aliceAcc, await b.weth.getAddress(), WAD, b.stranger.address);
      await depositInto(b.vault, b.cash, b.alice, 10n * USDC, aliceAcc);
      expect(await b.vault.collateralBalanceWad(aliceAcc, b.weth)).to.equal(WAD);
      expect(await b.vault.cashBalance(aliceAcc)).to.equal(10n * WAD);
      expect(await b.vault.accountNonce(aliceAcc)).to.equal(0n);
      expect(await b.vault.collateralBalanceWad(accountId(b.stranger.address), b.weth)).to.equal(0n);
    });

    it("accepts deposits while deposits of other collateral are disabled", async function () {
      const b = await loadFixture(protocolFixture);
      await (await b.vault.disableCollateral(b.wbtc)).wait();
      await depositInto(b.vault, b.weth, b.alice, WAD);
      expect(await b.vault.collateralBalanceWad(accountId(b.alice.address), b.weth)).to.equal(WAD);
    });
  });

  describe("refusals", function () {
    it("reverts a zero amount with VaultZeroAmount", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), b.weth, 0n)).to.be.revertedWithCustomError(
        b.vault,
        "VaultZeroAmount",
      );
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), b.cash, 0n)).to.be.revertedWithCustomError(
        b.vault,
        "VaultZeroAmount",
      );
    });

    it("reverts an unlisted token with VaultTokenNotListed", async function () {
      const b = await loadFixture(protocolFixture);
      const token = await newToken(b, 18, "NOPE");
      await mintAndApprove(b.vault, token, b.alice, WAD);
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), token, WAD))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(await token.getAddress());
    });

    it("reverts a disabled collateral with VaultTokenDisabled, and accepts it again once re-enabled", async function () {
      const b = await loadFixture(protocolFixture);
      await (await b.vault.disableCollateral(b.weth)).wait();
      await mintAndApprove(b.vault, b.weth, b.alice, WAD);
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), b.weth, WAD))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenDisabled")
        .withArgs(await b.weth.getAddress());
      await (await b.vault.enableCollateral(b.weth)).wait();
      await (await b.vault.connect(b.alice).deposit(accountId(b.alice.address), b.weth, WAD)).wait();
      expect(await b.vault.collateralBalanceWad(accountId(b.alice.address), b.weth)).to.equal(WAD);
    });

    it("reverts while deposits are paused with VaultDepositsPaused (cash and collateral), until unpaused", async function () {
      const b = await loadFixture(protocolFixture);
      await mintAndApprove(b.vault, b.weth, b.alice, WAD);
      await mintAndApprove(b.vault, b.cash, b.alice, USDC);
      await (await b.vault.pauseDeposits()).wait();
      const acc = accountId(b.alice.address);
      await expect(b.vault.connect(b.alice).deposit(acc, b.weth, WAD)).to.be.revertedWithCustomError(b.vault, "VaultDepositsPaused");
      await expect(b.vault.connect(b.alice).deposit(acc, b.cash, USDC)).to.be.revertedWithCustomError(b.vault, "VaultDepositsPaused");
      await (await b.vault.unpauseDeposits()).wait();
      await (await b.vault.connect(b.alice).deposit(acc, b.cash, USDC)).wait();
      expect(await b.vault.cashBalance(acc)).to.equal(WAD);
    });
  });

  describe("deposit caps", function () {
    it("accepts a collateral deposit that reaches the cap exactly and refuses one more unit with VaultDepositCapExceeded", async function () {
      const b = await loadFixture(protocolFixture);
      await (await b.vault.setDepositCap(b.wbtc, 2n * BTC)).wait();
      await depositInto(b.vault, b.wbtc, b.alice, BTC);
      await depositInto(b.vault, b.wbtc, b.bob, BTC); // totals exactly the cap
      expect(await b.vault.totalHeldWad(b.wbtc)).to.equal(2n * WAD);
      await mintAndApprove(b.vault, b.wbtc, b.carol, 1n);
      await expect(b.vault.connect(b.carol).deposit(accountId(b.carol.address), b.wbtc, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultDepositCapExceeded")
        .withArgs(await b.wbtc.getAddress(), 2n * WAD, 2n * WAD + BTC_SCALE);
    });

    it("accepts a cash deposit that reaches the cap exactly and refuses one more unit with VaultDepositCapExceeded", async function () {
      const b = await loadFixture(protocolFixture);
      await (await b.vault.setDepositCap(b.cash, 1_000n * USDC)).wait();
      await depositInto(b.vault, b.cash, b.alice, 1_000n * USDC);
      await mintAndApprove(b.vault, b.cash, b.bob, 1n);
      await expect(b.vault.connect(b.bob).deposit(accountId(b.bob.address), b.cash, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultDepositCapExceeded")
        .withArgs(await b.cash.getAddress(), 1_000n * WAD, 1_000n * WAD + USDC_SCALE);
    });

    it("frees cap room when collateral is withdrawn", async function () {
      const b = await loadFixture(protocolFixture);
      await (await b.vault.setDepositCap(b.weth, WAD)).wait();
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await (await b.vault.connect(b.alice).withdraw(accountId(b.alice.address), b.weth, WAD / 4n, b.alice.address)).wait();
      await depositInto(b.vault, b.weth, b.bob, WAD / 4n);
      expect(await b.vault.totalHeldWad(b.weth)).to.equal(WAD);
      await mintAndApprove(b.vault, b.weth, b.bob, 1n);
      await expect(b.vault.connect(b.bob).deposit(accountId(b.bob.address), b.weth, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultDepositCapExceeded")
        .withArgs(await b.weth.getAddress(), WAD, WAD + 1n);
    });

    it("refuses every deposit of a token whose cap was set below its holdings, while withdrawals still work", async function () {
      const b = await loadFixture(protocolFixture);
      await depositInto(b.vault, b.weth, b.alice, 2n * WAD);
      await (await b.vault.setDepositCap(b.weth, WAD)).wait();
      await mintAndApprove(b.vault, b.weth, b.alice, 1n);
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), b.weth, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultDepositCapExceeded")
        .withArgs(await b.weth.getAddress(), WAD, 2n * WAD + 1n);
      await (await b.vault.connect(b.alice).withdraw(accountId(b.alice.address), b.weth, 2n * WAD, b.alice.address)).wait();
      expect(await b.vault.totalHeldWad(b.weth)).to.equal(0n);
    });
  });

  describe("token quirks", function () {
    it("refuses a fee-on-transfer token with VaultTransferShortfall(token, expected, received)", async function () {
      const b = await loadFixture(protocolFixture);
      const fee = await new FeeOnTransferERC20__factory(b.deployer).deploy();
      const { asset } = await addFeed(b, "FEE/USD");
      await (await b.vault.listCollateral(fee, asset, 5n * 10n ** 17n, 1_000_000n * WAD)).wait();
      await mintAndApprove(b.vault, fee, b.alice, 1_000n);
      await expect(b.vault.connect(b.alice).deposit(accountId(b.alice.address), fee, 1_000n))
        .to.be.revertedWithCustomError(b.vault, "VaultTransferShortfall")
        .withArgs(await fee.getAddress(), 1_000n, 990n);
      expect(await b.vault.totalHeldWad(fee)).to.equal(0n);
      expect(await b.vault.collateralBalanceWad(accountId(b.alice.address), fee)).to.equal(0n);
    });

    it("deposits and withdraws a token without return values (USDT-like) through SafeERC20", async function () {
      const b = await loadFixture(protocolFixture);
      const usdt = await new NoReturnERC20__factory(b.deployer).deploy(6);
      const { asset } = await addFeed(b, "USDT/USD", 8, 10n ** 8n);
      await (await b.vault.listCollateral(usdt, asset, 95n * 10n ** 16n, 1_000_000n * USDC)).wait();
      const acc = accountId(b.alice.address);
      await mintAndApprove(b.vault, usdt, b.alice, 500n * USDC);
      await expect(b.vault.connect(b.alice).deposit(acc, usdt, 500n * USDC))
        .to.emit(b.vault, "Deposited")
        .withArgs(acc, await usdt.getAddress(), 500n * USDC, b.alice.address);
      expect(await b.vault.collateralBalanceWad(acc, usdt)).to.equal(500n * WAD);
      await expect(b.vault.connect(b.alice).withdraw(acc, usdt, 200n * USDC, b.bob.address))
        .to.emit(b.vault, "Withdrawn")
        .withArgs(acc, await usdt.getAddress(), 200n * USDC, b.bob.address);
      expect(await usdt.balanceOf(b.bob.address)).to.equal(200n * USDC);
      expect(await usdt.balanceOf(await b.vault.getAddress())).to.equal(300n * USDC);
      expect(await b.vault.balanceOf(acc, usdt)).to.equal(300n * USDC);
      expect(await b.vault.totalHeldWad(usdt)).to.equal(300n * WAD);
    });

    it("refuses to list a token with 19 decimals with VaultUnsupportedDecimals", async function () {
      const b = await loadFixture(protocolFixture);
      const token = await newToken(b, 19, "T19");
      const { asset } = await addFeed(b, "T19/USD");
      await expect(b.vault.listCollateral(token, asset, 5n * 10n ** 17n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultUnsupportedDecimals")
        .withArgs(await token.getAddress(), 19);
    });
  });

  describe("donations", function () {
    it("INV-01 INV-02 a plain transfer to the vault changes no balance and no totalHeldWad", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await depositInto(b.vault, b.cash, b.alice, 100n * USDC);
      const vaultAddr = await b.vault.getAddress();
      for (const [token, amount] of [
        [b.weth, 5n * WAD],
        [b.cash, 50n * USDC],
        [b.wbtc, BTC],
      ] as const) {
        await (await token.connect(b.stranger).mint(b.stranger.address, amount)).wait();
        await (await token.connect(b.stranger).transfer(vaultAddr, amount)).wait();
      }
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal(WAD);
      expect(await b.vault.cashBalance(acc)).to.equal(100n * WAD);
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal(0n);
      expect(await b.vault.totalHeldWad(b.weth)).to.equal(WAD);
      expect(await b.vault.totalHeldWad(b.cash)).to.equal(100n * WAD);
      expect(await b.vault.totalHeldWad(b.wbtc)).to.equal(0n);
      expect(await b.vault.cashTotals()).to.deep.equal([100n * WAD, 0n]);
      // The vault holds at least what the ledger accounts for (donations only add).
      expect(await b.weth.balanceOf(vaultAddr)).to.equal(6n * WAD);
      expect((await b.cash.balanceOf(vaultAddr)) * USDC_SCALE).to.be.greaterThanOrEqual(await b.vault.totalHeldWad(b.cash));
      expect(await b.vault.accountTokens(accountId(b.stranger.address))).to.equal(0n);
      // The donated tokens are not withdrawable by anyone: the ledger has nothing for the donor.
      await expect(b.vault.connect(b.stranger).withdraw(accountId(b.stranger.address), b.weth, 1n, b.stranger.address))
        .to.be.revertedWithCustomError(b.vault, "VaultInsufficientBalance")
        .withArgs(accountId(b.stranger.address), await b.weth.getAddress(), 0n, 1n);
    });
  });
});
