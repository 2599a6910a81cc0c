/**
 * VaultGovernance: collateral listing, bounded parameter setters, guardian-only tightening, one-time bindings and
 * access control through OpenZeppelin AccessManager (roles from src/deploy/roles.ts).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ROLE } from "../../../src/deploy/roles";
import {
  protocolFixture,
  vaultFactory,
  depositInto,
  addFeed,
  newToken,
  collateralValue,
  accountId,
  assetKey,
  b32,
  type Protocol,
  WAD,
  USDC,
  BTC,
  DAY,
  ETH_PRICE,
  WETH_HAIRCUT,
  MAX_TOKENS,
  MAX_HAIRCUT,
  MAX_HAIRCUT_DECREASE,
  HAIRCUT_DECREASE_COOLDOWN,
  tokenInfoOf,
} from "./helpers";

const ZERO = ethers.ZeroAddress;
const MAX_UINT128 = 2n ** 128n - 1n;

/** Lists a fresh token with `decimals` priced by a new feed answering 100 (8 decimals). */
async function listNew(b: Protocol, decimals = 18, haircut = 5n * 10n ** 17n, cap = 10n ** 24n) {
  const token = await newToken(b, decimals);
  const { asset } = await addFeed(b, `N${(await token.getAddress()).slice(2, 10)}/USD`);
  await (await b.vault.listCollateral(token, asset, haircut, cap)).wait();
  return { token, asset };
}

describe("CollateralVault: governance", function () {
  describe("constructor", function () {
    it("refuses a zero cash token or oracle with VaultZeroAddress and a cash token above 18 decimals", async function () {
      const b = await loadFixture(protocolFixture);
      const factory = await vaultFactory(b.deployer);
      const manager = await b.manager.getAddress();
      await expect(factory.deploy(manager, ZERO, b.oracle)).to.be.revertedWithCustomError(factory, "VaultZeroAddress");
      await expect(factory.deploy(manager, b.cash, ZERO)).to.be.revertedWithCustomError(factory, "VaultZeroAddress");
      const t19 = await newToken(b, 19);
      await expect(factory.deploy(manager, t19, b.oracle))
        .to.be.revertedWithCustomError(factory, "VaultUnsupportedDecimals")
        .withArgs(await t19.getAddress(), 19);
    });
  });

  describe("listCollateral", function () {
    it("lists a token at the next index with its cached price and emits CollateralListed with the WAD cap", async function () {
      const b = await loadFixture(protocolFixture);
      const token = await newToken(b, 6, "USDT");
      const { asset } = await addFeed(b, "USDT/USD", 8, 99_990_000n);
      const haircut = 9n * 10n ** 17n;
      await expect(b.vault.listCollateral(token, asset, haircut, 2_500_000n * USDC))
        .to.emit(b.vault, "CollateralListed")
        .withArgs(await token.getAddress(), asset, 6, 2, haircut, 2_500_000n * WAD);
      const info = await tokenInfoOf(b.vault, token);
      const listedAt = BigInt(await time.latest());
      expect(info).to.deep.equal({
        oracleAsset: asset,
        haircut,
        decimals: 6n,
        index: 2n,
        enabled: true,
        depositCap: 2_500_000n * WAD,
        totalDeposits: 0n,
        cachedPrice: 999_900_000_000_000_000n,
        cachedPriceTimestamp: listedAt,
      });
      expect(await b.vault.tokenAt(2)).to.equal(await token.getAddress());
      expect(await b.vault.tokenCount()).to.equal(3n);
    });

    it("refuses the zero address with VaultZeroAddress", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.listCollateral(ZERO, assetKey("ETH/USD"), 0n, 1n)).to.be.revertedWithCustomError(b.vault, "VaultZeroAddress");
    });

    it("refuses a listed token and the cash token with VaultTokenAlreadyListed", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.listCollateral(b.weth, assetKey("ETH/USD"), 0n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenAlreadyListed")
        .withArgs(await b.weth.getAddress());
      await expect(b.vault.listCollateral(b.cash, assetKey("ETH/USD"), 0n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenAlreadyListed")
        .withArgs(await b.cash.getAddress());
    });

    it("lists up to 16 tokens and refuses the 17th with VaultTooManyTokens(16)", async function () {
      const b = await loadFixture(protocolFixture);
      const asset = assetKey("ETH/USD");
      for (let i = 2n; i < MAX_TOKENS; i++) {
        const t = await newToken(b, 18, `X${i}`);
        await (await b.vault.listCollateral(t, asset, 0n, 1n)).wait();
        expect((await b.vault.tokenInfo(t)).index).to.equal(i);
      }
      expect(await b.vault.tokenCount()).to.equal(16n);
      const last = await b.vault.tokenAt(15);
      await depositInto(b.vault, { getAddress: async () => last }, b.alice, 1n);
      expect(await b.vault.accountTokens(accountId(b.alice.address))).to.equal(0x8000n); // bit 15
      const extra = await newToken(b, 18, "X16");
      await expect(b.vault.listCollateral(extra, asset, 0n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTooManyTokens")
        .withArgs(16n);
    });

    it("accepts a haircut of MAX_HAIRCUT and refuses one wei more with VaultParameterOutOfBounds('haircut')", async function () {
      const b = await loadFixture(protocolFixture);
      const asset = assetKey("ETH/USD");
      const t1 = await newToken(b, 18, "H1");
      await expect(b.vault.listCollateral(t1, asset, MAX_HAIRCUT + 1n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircut"), MAX_HAIRCUT + 1n, 0n, MAX_HAIRCUT);
      await (await b.vault.listCollateral(t1, asset, MAX_HAIRCUT, 1n)).wait();
      expect((await b.vault.tokenInfo(t1)).haircut).to.equal(MAX_HAIRCUT);
    });

    it("refuses a deposit cap whose WAD value exceeds uint128 with VaultParameterOutOfBounds('depositCap')", async function () {
      const b = await loadFixture(protocolFixture);
      const t6 = await newToken(b, 6, "C6");
      const maxCap = MAX_UINT128 / 10n ** 12n;
      await expect(b.vault.listCollateral(t6, assetKey("ETH/USD"), 0n, maxCap + 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("depositCap"), maxCap + 1n, 0n, maxCap);
      await (await b.vault.listCollateral(t6, assetKey("ETH/USD"), 0n, maxCap)).wait();
      expect((await b.vault.tokenInfo(t6)).depositCap).to.equal(maxCap * 10n ** 12n);
    });

    it("refuses an asset the oracle cannot price with the oracle's error", async function () {
      const b = await loadFixture(protocolFixture);
      const t = await newToken(b, 18, "U");
      const unknown = assetKey("NOPE/USD");
      await expect(b.vault.listCollateral(t, unknown, 0n, 1n))
        .to.be.revertedWithCustomError(b.oracle, "OracleAssetUnknown")
        .withArgs(unknown);
      const { asset, feed } = await addFeed(b, "ZERO/USD");
      await (await feed.updateAnswer(0n)).wait();
      await expect(b.vault.listCollateral(t, asset, 0n, 1n))
        .to.be.revertedWithCustomError(b.oracle, "OracleNonPositivePrice")
        .withArgs(asset, await feed.getAddress(), 0n);
      expect(await b.vault.tokenCount()).to.equal(2n);
    });
  });

  describe("setCollateralOracle", function () {
    it("switches the oracle asset, refreshes the cached price and emits CollateralOracleSet", async function () {
      const b = await loadFixture(protocolFixture);
      const { token } = await listNew(b);
      const { asset: other } = await addFeed(b, "OTHER/USD", 8, 250n * 10n ** 8n);
      await expect(b.vault.setCollateralOracle(token, other))
        .to.emit(b.vault, "CollateralOracleSet")
        .withArgs(await token.getAddress(), other);
      const info = await b.vault.tokenInfo(token);
      expect([info.oracleAsset, info.cachedPrice, info.cachedPriceTimestamp]).to.deep.equal([
        other,
        250n * WAD,
        BigInt(await time.latest()),
      ]);
      await depositInto(b.vault, token, b.alice, WAD);
      expect((await b.vault.marginCollateralFresh(accountId(b.alice.address))).collateralValue).to.equal(125n * WAD);
    });

    it("refuses an unlisted token with VaultTokenNotListed and an unknown asset with the oracle's error", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setCollateralOracle(b.cash, assetKey("ETH/USD")))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(await b.cash.getAddress());
      await expect(b.vault.setCollateralOracle(b.weth, assetKey("NOPE/USD")))
        .to.be.revertedWithCustomError(b.oracle, "OracleAssetUnknown")
        .withArgs(assetKey("NOPE/USD"));
    });
  });

  describe("setHaircut", function () {
    it("raises a haircut by any amount up to MAX_HAIRCUT at once, repeatedly, and emits HaircutSet", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setHaircut(b.weth, 9n * 10n ** 17n))
        .to.emit(b.vault, "HaircutSet")
        .withArgs(await b.weth.getAddress(), 9n * 10n ** 17n);
      await expect(b.vault.setHaircut(b.weth, MAX_HAIRCUT))
        .to.emit(b.vault, "HaircutSet")
        .withArgs(await b.weth.getAddress(), MAX_HAIRCUT);
      expect((await b.vault.tokenInfo(b.weth)).haircut).to.equal(MAX_HAIRCUT);
      await expect(b.vault.setHaircut(b.weth, MAX_HAIRCUT + 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircut"), MAX_HAIRCUT + 1n, 0n, MAX_HAIRCUT);
    });

    it("lowers a haircut by at most 5 points: one wei more reverts with VaultParameterOutOfBounds('haircut', value, lowest, max)", async function () {
      const b = await loadFixture(protocolFixture);
      const lowest = WETH_HAIRCUT - MAX_HAIRCUT_DECREASE;
      await expect(b.vault.setHaircut(b.weth, lowest - 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircut"), lowest - 1n, lowest, MAX_HAIRCUT);
      await expect(b.vault.setHaircut(b.weth, lowest))
        .to.emit(b.vault, "HaircutSet")
        .withArgs(await b.weth.getAddress(), lowest);
      expect((await b.vault.tokenInfo(b.weth)).haircut).to.equal(75n * 10n ** 16n);
    });

    it("allows the next decrease only a full day later (VaultParameterOutOfBounds('haircutCooldown') before)", async function () {
      const b = await loadFixture(protocolFixture);
      const t1 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t1);
      await (await b.vault.setHaircut(b.weth, 78n * 10n ** 16n)).wait();
      await time.setNextBlockTimestamp(t1 + HAIRCUT_DECREASE_COOLDOWN - 1n);
      await expect(b.vault.setHaircut(b.weth, 77n * 10n ** 16n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircutCooldown"), t1 + DAY - 1n, t1 + DAY, ethers.MaxUint256);
      await time.setNextBlockTimestamp(t1 + HAIRCUT_DECREASE_COOLDOWN);
      await expect(b.vault.setHaircut(b.weth, 73n * 10n ** 16n))
        .to.emit(b.vault, "HaircutSet")
        .withArgs(await b.weth.getAddress(), 73n * 10n ** 16n);
      // The 5-point bound is measured from the current haircut (0.78 -> 0.73).
      await time.setNextBlockTimestamp(t1 + 2n * HAIRCUT_DECREASE_COOLDOWN);
      await expect(b.vault.setHaircut(b.weth, 67n * 10n ** 16n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircut"), 67n * 10n ** 16n, 68n * 10n ** 16n, MAX_HAIRCUT);
    });

    it("allows increases during the decrease cooldown without restarting it", async function () {
      const b = await loadFixture(protocolFixture);
      const t1 = BigInt(await time.latest()) + 10n;
      await time.setNextBlockTimestamp(t1);
      await (await b.vault.setHaircut(b.weth, 76n * 10n ** 16n)).wait();
      await time.setNextBlockTimestamp(t1 + 100n);
      await (await b.vault.setHaircut(b.weth, 8n * 10n ** 17n)).wait();
      await time.setNextBlockTimestamp(t1 + 200n);
      await expect(b.vault.setHaircut(b.weth, 79n * 10n ** 16n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("haircutCooldown"), t1 + 200n, t1 + DAY, ethers.MaxUint256);
      await time.setNextBlockTimestamp(t1 + DAY);
      await (await b.vault.setHaircut(b.weth, 79n * 10n ** 16n)).wait();
      expect((await b.vault.tokenInfo(b.weth)).haircut).to.equal(79n * 10n ** 16n);
    });

    it("lets a haircut below 5 points fall to zero", async function () {
      const b = await loadFixture(protocolFixture);
      const { token } = await listNew(b, 18, 3n * 10n ** 16n);
      await expect(b.vault.setHaircut(token, 0n))
        .to.emit(b.vault, "HaircutSet")
        .withArgs(await token.getAddress(), 0n);
      expect((await b.vault.tokenInfo(token)).haircut).to.equal(0n);
    });

    it("applies the new haircut to margin valuation", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await (await b.vault.setHaircut(b.weth, 76n * 10n ** 16n)).wait();
      expect((await b.vault.marginCollateralFresh(acc)).collateralValue).to.equal(collateralValue(WAD, ETH_PRICE, 76n * 10n ** 16n));
      expect((await b.vault.marginCollateralFresh(acc)).collateralValue).to.equal(2_280n * WAD);
    });

    it("refuses an unlisted token with VaultTokenNotListed", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setHaircut(b.cash, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(await b.cash.getAddress());
    });
  });

  describe("deposit caps", function () {
    it("setDepositCap converts token units to WAD for collateral and cash and emits DepositCapSet", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setDepositCap(b.wbtc, 10n * BTC + 1n))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.wbtc.getAddress(), 10n * WAD + 10n ** 10n);
      expect((await b.vault.tokenInfo(b.wbtc)).depositCap).to.equal(10n * WAD + 10n ** 10n);
      await expect(b.vault.setDepositCap(b.cash, 5n * USDC))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.cash.getAddress(), 5n * WAD);
      expect((await b.vault.tokenInfo(b.cash)).depositCap).to.equal(5n * WAD);
      // Raising is free for the risk manager.
      await expect(b.vault.setDepositCap(b.cash, 10n ** 9n * USDC))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.cash.getAddress(), 10n ** 9n * WAD);
    });

    it("review R3-2 a cash deposit cap converts with the cash scale fixed at deployment, whatever the token's decimals() answers later", async function () {
      const b = await loadFixture(protocolFixture);
      const token = await ethers.deployContract("MutableDecimalsERC20", [6]);
      const factory = await vaultFactory(b.deployer);
      const vault = await factory.deploy(await b.manager.getAddress(), token, b.oracle);
      expect(await vault.cashScale()).to.equal(10n ** 12n);
      await (await token.setDecimals(18)).wait();
      // 5 cash units are 5e6 token units: 5e18 WAD at the vault's scale (the token's new answer would give 5e6 WAD).
      await expect(vault.setDepositCap(token, 5n * USDC))
        .to.emit(vault, "DepositCapSet")
        .withArgs(await token.getAddress(), 5n * WAD);
      expect(await vault.cashScale()).to.equal(10n ** 12n);
    });

    it("setDepositCap refuses an unlisted token and a cap above uint128 in WAD", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setDepositCap(b.alice.address, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(b.alice.address);
      const maxCap = MAX_UINT128 / 10n ** 10n;
      await expect(b.vault.setDepositCap(b.wbtc, maxCap + 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("depositCap"), maxCap + 1n, 0n, maxCap);
    });

    it("reduceDepositCap lowers or keeps a cap and refuses to raise it with VaultGuardianCannotLoosen", async function () {
      const b = await loadFixture(protocolFixture);
      const current = 100_000n * WAD;
      expect((await b.vault.tokenInfo(b.weth)).depositCap).to.equal(current);
      await expect(b.vault.reduceDepositCap(b.weth, current + 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultGuardianCannotLoosen")
        .withArgs(b32("depositCap"), current, current + 1n);
      await expect(b.vault.reduceDepositCap(b.weth, current))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.weth.getAddress(), current);
      await expect(b.vault.reduceDepositCap(b.weth, 5n * WAD))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.weth.getAddress(), 5n * WAD);
      await expect(b.vault.reduceDepositCap(b.cash, 100_000_000n * USDC + 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultGuardianCannotLoosen")
        .withArgs(b32("depositCap"), 100_000_000n * WAD, 100_000_000n * WAD + 10n ** 12n);
      await expect(b.vault.reduceDepositCap(b.cash, 0n))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.cash.getAddress(), 0n);
      await expect(b.vault.reduceDepositCap(b.alice.address, 0n))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(b.alice.address);
    });
  });

  describe("enabling, pausing and the borrow cap", function () {
    it("disableCollateral and enableCollateral flip tokenInfo.enabled and emit CollateralEnabledSet", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.disableCollateral(b.wbtc))
        .to.emit(b.vault, "CollateralEnabledSet")
        .withArgs(await b.wbtc.getAddress(), false);
      expect((await b.vault.tokenInfo(b.wbtc)).enabled).to.equal(false);
      await expect(b.vault.enableCollateral(b.wbtc))
        .to.emit(b.vault, "CollateralEnabledSet")
        .withArgs(await b.wbtc.getAddress(), true);
      expect((await b.vault.tokenInfo(b.wbtc)).enabled).to.equal(true);
    });

    it("keeps a disabled collateral withdrawable and counted in margin", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await (await b.vault.disableCollateral(b.weth)).wait();
      expect((await b.vault.marginCollateralFresh(acc)).collateralValue).to.equal(2_400n * WAD);
      await (await b.vault.connect(b.alice).withdraw(acc, b.weth, WAD, b.alice.address)).wait();
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal(0n);
    });

    it("refuses to disable or enable an unlisted token (the cash token included) with VaultTokenNotListed", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.disableCollateral(b.cash))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(await b.cash.getAddress());
      await expect(b.vault.enableCollateral(b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(b.alice.address);
    });

    it("pauseDeposits and unpauseDeposits set depositsPaused and emit DepositsPausedSet; withdrawals stay open", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.cash, b.alice, 10n * USDC);
      await expect(b.vault.pauseDeposits()).to.emit(b.vault, "DepositsPausedSet").withArgs(true);
      expect(await b.vault.depositsPaused()).to.equal(true);
      await (await b.vault.connect(b.alice).withdraw(acc, b.cash, 10n * USDC, b.alice.address)).wait();
      await expect(b.vault.unpauseDeposits()).to.emit(b.vault, "DepositsPausedSet").withArgs(false);
      expect(await b.vault.depositsPaused()).to.equal(false);
    });

    it("setBorrowCap emits the new cap", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.setBorrowCap(MAX_UINT128)).to.emit(b.vault, "BorrowCapSet").withArgs(MAX_UINT128);
      await expect(b.vault.setBorrowCap(0n)).to.emit(b.vault, "BorrowCapSet").withArgs(0n);
    });
  });

  describe("one-time bindings", function () {
    it("refuses to rebind the engine with VaultAlreadyBound(current) and a zero engine with VaultZeroAddress", async function () {
      const b = await loadFixture(protocolFixture);
      await expect(b.vault.bindEngine(b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultAlreadyBound")
        .withArgs(await b.engine.getAddress());
      await expect(b.vault.bindEngine(ZERO)).to.be.revertedWithCustomError(b.vault, "VaultZeroAddress");
    });

    it("refuses to rebind the deployed vault's liquidator (the LiquidationAuction) with VaultAlreadyBound(auction) and a zero liquidator with VaultZeroAddress", async function () {
      const b = await loadFixture(protocolFixture);
      const auction = await b.auction.getAddress();
      expect(await b.vault.liquidator()).to.equal(auction);
      await expect(b.vault.bindLiquidator(ZERO)).to.be.revertedWithCustomError(b.vault, "VaultZeroAddress");
      await expect(b.vault.bindLiquidator(b.carol.address)).to.be.revertedWithCustomError(b.vault, "VaultAlreadyBound").withArgs(auction);
      await expect(b.vault.bindLiquidator(auction)).to.be.revertedWithCustomError(b.vault, "VaultAlreadyBound").withArgs(auction);
      expect(await b.vault.liquidator()).to.equal(auction);
    });

    it("binds the liquidator of a fresh vault once with LiquidatorBound and refuses a second binding and the zero address", async function () {
      const b = await loadFixture(protocolFixture);
      const fresh = await (await vaultFactory(b.deployer)).deploy(b.manager, b.cash, b.oracle);
      expect(await fresh.liquidator()).to.equal(ZERO);
      await expect(fresh.bindLiquidator(ZERO)).to.be.revertedWithCustomError(fresh, "VaultZeroAddress");
      await expect(fresh.bindLiquidator(b.carol.address)).to.emit(fresh, "LiquidatorBound").withArgs(b.carol.address);
      expect(await fresh.liquidator()).to.equal(b.carol.address);
      await expect(fresh.bindLiquidator(b.dave.address))
        .to.be.revertedWithCustomError(fresh, "VaultAlreadyBound")
        .withArgs(b.carol.address);
      await expect(fresh.bindLiquidator(b.carol.address))
        .to.be.revertedWithCustomError(fresh, "VaultAlreadyBound")
        .withArgs(b.carol.address);
    });

    it("binds the engine of a fresh vault once and emits EngineBound", async function () {
      const b = await loadFixture(protocolFixture);
      const fresh = await (await vaultFactory(b.deployer)).deploy(b.manager, b.cash, b.oracle);
      expect(await fresh.engine()).to.equal(ZERO);
      await expect(fresh.bindEngine(b.carol.address)).to.emit(fresh, "EngineBound").withArgs(b.carol.address);
      expect(await fresh.engine()).to.equal(b.carol.address);
      await expect(fresh.bindEngine(b.dave.address)).to.be.revertedWithCustomError(fresh, "VaultAlreadyBound").withArgs(b.carol.address);
    });
  });

  describe("access control", function () {
    const restricted: [string, (b: Protocol) => Promise<unknown>][] = [
      ["listCollateral", async (b) => b.vault.listCollateral(b.alice.address, assetKey("ETH/USD"), 0n, 1n)],
      ["setCollateralOracle", async (b) => b.vault.setCollateralOracle(b.weth, assetKey("ETH/USD"))],
      ["setHaircut", async (b) => b.vault.setHaircut(b.weth, 1n)],
      ["beginDelisting", async (b) => b.vault.beginDelisting(b.weth, DAY)],
      ["evictCollateral", async (b) => b.vault.evictCollateral(accountId(b.alice.address, 0), b.weth)],
      ["removeToken", async (b) => b.vault.removeToken(b.weth)],
      ["setDepositCap", async (b) => b.vault.setDepositCap(b.weth, 1n)],
      ["reduceDepositCap", async (b) => b.vault.reduceDepositCap(b.weth, 1n)],
      ["disableCollateral", async (b) => b.vault.disableCollateral(b.weth)],
      ["enableCollateral", async (b) => b.vault.enableCollateral(b.weth)],
      ["setCashRateModel", async (b) => b.vault.setCashRateModel(0n, 0n)],
      ["setBorrowCap", async (b) => b.vault.setBorrowCap(0n)],
      ["pauseDeposits", async (b) => b.vault.pauseDeposits()],
      ["unpauseDeposits", async (b) => b.vault.unpauseDeposits()],
      ["bindEngine", async (b) => b.vault.bindEngine(b.alice.address)],
      ["bindLiquidator", async (b) => b.vault.bindLiquidator(b.alice.address)],
    ];

    for (const [name, call] of restricted) {
      it(`reverts ${name} from a caller without a role with AccessManagedUnauthorized(caller)`, async function () {
        const b = await loadFixture(protocolFixture);
        const asStranger = { ...b, vault: b.vault.connect(b.stranger) };
        await expect(call(asStranger)).to.be.revertedWithCustomError(b.vault, "AccessManagedUnauthorized").withArgs(b.stranger.address);
      });
    }

    it("lets a guardian only tighten: pause, reduce caps, disable; everything else is refused", async function () {
      const b = await loadFixture(protocolFixture);
      const guardian = b.users[10];
      await (await b.manager.grantRole(ROLE.GUARDIAN, guardian.address, 0)).wait();
      const v = b.vault.connect(guardian);
      await expect(v.pauseDeposits()).to.emit(b.vault, "DepositsPausedSet").withArgs(true);
      await expect(v.reduceDepositCap(b.weth, WAD))
        .to.emit(b.vault, "DepositCapSet")
        .withArgs(await b.weth.getAddress(), WAD);
      await expect(v.disableCollateral(b.weth))
        .to.emit(b.vault, "CollateralEnabledSet")
        .withArgs(await b.weth.getAddress(), false);
      for (const tx of [
        () => v.unpauseDeposits(),
        () => v.setDepositCap(b.weth, 2n),
        () => v.enableCollateral(b.weth),
        () => v.setHaircut(b.weth, 1n),
        () => v.setCashRateModel(0n, 0n),
        () => v.setBorrowCap(0n),
        () => v.listCollateral(b.alice.address, assetKey("ETH/USD"), 0n, 1n),
        () => v.bindLiquidator(b.alice.address),
      ]) {
        await expect(tx()).to.be.revertedWithCustomError(b.vault, "AccessManagedUnauthorized").withArgs(guardian.address);
      }
    });

    it("lets a risk manager set bounded parameters but not list, rebind or use guardian functions", async function () {
      const b = await loadFixture(protocolFixture);
      const rm = b.users[11];
      await (await b.manager.grantRole(ROLE.RISK_MANAGER, rm.address, 0)).wait();
      const v = b.vault.connect(rm);
      await expect(v.setHaircut(b.weth, 85n * 10n ** 16n)).to.emit(b.vault, "HaircutSet");
      await expect(v.setDepositCap(b.weth, 2n * WAD)).to.emit(b.vault, "DepositCapSet");
      await expect(v.enableCollateral(b.weth)).to.emit(b.vault, "CollateralEnabledSet");
      await expect(v.setCashRateModel(1n, 2n)).to.emit(b.vault, "CashRateModelSet").withArgs(1n, 2n);
      await expect(v.setBorrowCap(3n)).to.emit(b.vault, "BorrowCapSet").withArgs(3n);
      expect(await b.vault.cashParams()).to.deep.equal([1n, 2n, 3n]);
      await expect(v.unpauseDeposits()).to.emit(b.vault, "DepositsPausedSet").withArgs(false);
      for (const tx of [
        () => v.pauseDeposits(),
        () => v.reduceDepositCap(b.weth, 1n),
        () => v.disableCollateral(b.weth),
        () => v.listCollateral(b.alice.address, assetKey("ETH/USD"), 0n, 1n),
        () => v.setCollateralOracle(b.weth, assetKey("ETH/USD")),
        () => v.bindLiquidator(b.alice.address),
      ]) {
        await expect(tx()).to.be.revertedWithCustomError(b.vault, "AccessManagedUnauthorized").withArgs(rm.address);
      }
    });
  });
});
