/**
 * Vault views: balances in token units and WAD, margin inputs at fresh and given prices, collateral values with
 * and without haircuts (collateralValuesFresh), bitmaps, nonces, account status, token configuration and held totals.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { setPrice, trade } from "../../shared/fixtures";
import {
  protocolFixture,
  standaloneFixture,
  positionFixture,
  debtFixture,
  depositInto,
  addFeed,
  newToken,
  collateralValue,
  mulWadDown,
  cashStateAtPar,
  accrue,
  cashValue,
  BASE_RATE,
  RATE_SLOPE,
  accountId,
  assetKey,
  b32,
  WAD,
  USDC,
  BTC,
  BTC_SCALE,
  ETH_PRICE,
  BTC_PRICE,
  WETH_HAIRCUT,
  WBTC_HAIRCUT,
  tokenInfoOf,
} from "./helpers";

describe("CollateralVault: views", function () {
  describe("balances", function () {
    it("balanceOf reports cash as its positive part rounded down to token units, and 0 for debt", async function () {
      const s = await loadFixture(standaloneFixture);
      const alice = accountId(s.alice.address);
      const bob = accountId(s.bob.address);
      await depositInto(s.vault, s.cash, s.alice, 10n * USDC);
      await (await s.vault.connect(s.engineEoa).settleCash(alice, 999_999_999_999n, false)).wait(); // + 0.999999999999 micro-USDC
      expect(await s.vault.cashBalance(alice)).to.equal(10n * WAD + 999_999_999_999n);
      expect(await s.vault.balanceOf(alice, s.cash)).to.equal(10n * USDC);
      await (await s.vault.connect(s.engineEoa).settleCash(bob, -1n, false)).wait();
      expect(await s.vault.cashBalance(bob)).to.equal(-1n);
      expect(await s.vault.balanceOf(bob, s.cash)).to.equal(0n);
      expect(await s.vault.balanceOf(accountId(s.carol.address), s.cash)).to.equal(0n);
    });

    it("balanceOf reports collateral in token units rounded down and collateralBalanceWad the exact WAD", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.wbtc, b.alice, 2n * BTC + 3n);
      expect(await b.vault.balanceOf(acc, b.wbtc)).to.equal(2n * BTC + 3n);
      expect(await b.vault.collateralBalanceWad(acc, b.wbtc)).to.equal((2n * BTC + 3n) * BTC_SCALE);
      expect(await b.vault.balanceOf(acc, b.weth)).to.equal(0n);
      expect(await b.vault.collateralBalanceWad(acc, b.weth)).to.equal(0n);
    });

    it("balanceOf reverts for an unlisted token with VaultTokenNotListed; collateralBalanceWad reports 0", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await expect(b.vault.balanceOf(acc, b.alice.address))
        .to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed")
        .withArgs(b.alice.address);
      expect(await b.vault.collateralBalanceWad(acc, b.alice.address)).to.equal(0n);
    });

    it("cashBalance is signed WAD and is zero for an account never used", async function () {
      const s = await loadFixture(standaloneFixture);
      const acc = accountId(s.alice.address, 5);
      expect(await s.vault.cashBalance(acc)).to.equal(0n);
      await (await s.vault.connect(s.engineEoa).settleCash(acc, -7n * WAD, false)).wait();
      expect(await s.vault.cashBalance(acc)).to.equal(-7n * WAD);
    });
  });

  describe("margin inputs", function () {
    it("marginCollateralFresh sums balance * oracle price * haircut per token, each rounded down, with the cash value", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, 1_500_000_000_000_000_001n);
      await depositInto(b.vault, b.wbtc, b.alice, 12_345_678n);
      await depositInto(b.vault, b.cash, b.alice, 100n * USDC);
      const weth = collateralValue(1_500_000_000_000_000_001n, ETH_PRICE, WETH_HAIRCUT); // 3,600 + 2,400 wei
      const wbtc = collateralValue(12_345_678n * BTC_SCALE, BTC_PRICE, WBTC_HAIRCUT); // 5,555.5551
      expect(weth).to.equal(3_600n * WAD + 2_400n);
      expect(wbtc).to.equal(5_555_555_100n * 10n ** 12n);
      const m = await b.vault.marginCollateralFresh(acc);
      expect([m.cash, m.collateralValue]).to.deep.equal([100n * WAD, weth + wbtc]);
    });

    it("marginCollateralFresh reads the oracle now, ignoring and not writing the cached price", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await setPrice(b, "ETH/USD", "3100.5");
      expect((await b.vault.marginCollateralFresh(acc)).collateralValue).to.equal(2_480_400_000_000_000_000_000n);
      expect((await b.vault.tokenInfo(b.weth)).cachedPrice).to.equal(ETH_PRICE);
    });

    it("marginCollateralFresh reverts with the oracle's error when a held token's feed is stale", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const feed = b.feeds["ETH/USD"];
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increaseTo(updatedAt + 3_601n);
      await expect(b.vault.marginCollateralFresh(acc))
        .to.be.revertedWithCustomError(b.oracle, "OracleStalePrice")
        .withArgs(assetKey("ETH/USD"), await feed.getAddress(), updatedAt, 3_600n);
      // An account holding nothing but cash needs no price.
      expect((await b.vault.marginCollateralFresh(accountId(b.bob.address))).collateralValue).to.equal(0n);
    });

    it("marginCollateralAtPrices values each held token at tokenPrices[index] and ignores prices of tokens not held", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.wbtc, b.alice, 3n);
      await depositInto(b.vault, b.cash, b.alice, 5n * USDC);
      const btcPrice = 61_234_567_890_123_456_789_012n;
      const m = await b.vault.marginCollateralAtPrices(acc, [1n, btcPrice]);
      expect([m.cash, m.collateralValue]).to.deep.equal([5n * WAD, collateralValue(3n * BTC_SCALE, btcPrice, WBTC_HAIRCUT)]);
      expect(m.collateralValue).to.equal(1_377_777_777_527_777n);
      const empty = await b.vault.marginCollateralAtPrices(accountId(b.carol.address), [0n, 0n]);
      expect([empty.cash, empty.collateralValue]).to.deep.equal([0n, 0n]);
    });

    it("marginCollateralAtPrices refuses a price list of the wrong length with VaultParameterOutOfBounds('tokenPrices')", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await expect(b.vault.marginCollateralAtPrices(acc, [ETH_PRICE]))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("tokenPrices"), 1n, 2n, 2n);
      await expect(b.vault.marginCollateralAtPrices(acc, [ETH_PRICE, BTC_PRICE, 1n]))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("tokenPrices"), 3n, 2n, 2n);
      await expect(b.vault.marginCollateralAtPrices(acc, []))
        .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
        .withArgs(b32("tokenPrices"), 0n, 2n, 2n);
    });
  });

  describe("collateralValuesFresh", function () {
    it("returns marginCollateralFresh's inputs and the collateral value without haircuts, each token rounded down", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, 1_500_000_000_000_000_001n);
      await depositInto(b.vault, b.wbtc, b.alice, 12_345_678n);
      await depositInto(b.vault, b.cash, b.alice, 100n * USDC);
      const raw = mulWadDown(1_500_000_000_000_000_001n, ETH_PRICE) + mulWadDown(12_345_678n * BTC_SCALE, BTC_PRICE);
      expect(raw).to.equal(11_907_406_800_000_000_003_000n); // 4,500 + 3,000 wei + 7,407.4068
      const [m, rawValue] = await b.vault.collateralValuesFresh(acc);
      const fresh = await b.vault.marginCollateralFresh(acc);
      expect([m.cash, m.collateralValue]).to.deep.equal([fresh.cash, fresh.collateralValue]);
      expect([m.cash, m.collateralValue]).to.deep.equal([100n * WAD, 3_600n * WAD + 2_400n + 5_555_555_100n * 10n ** 12n]);
      expect(rawValue).to.equal(raw);
    });

    it("counts a zero-haircut collateral at its full value in the raw value and at nothing in the margin value", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const token = await newToken(b, 18, "ZH");
      const { asset } = await addFeed(b, "ZH/USD", 8, 250n * 10n ** 8n);
      await (await b.vault.listCollateral(token, asset, 0n, 1_000n * WAD)).wait();
      await depositInto(b.vault, token, b.alice, 3n * WAD + 1n);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      const [m, rawValue] = await b.vault.collateralValuesFresh(acc);
      expect(m.collateralValue).to.equal(collateralValue(WAD, ETH_PRICE, WETH_HAIRCUT));
      expect(rawValue).to.equal(750n * WAD + 250n + ETH_PRICE);
    });

    it("reads the oracle now, ignoring and not writing the cached price", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await setPrice(b, "ETH/USD", "3100.5");
      const [m, rawValue] = await b.vault.collateralValuesFresh(acc);
      expect([m.collateralValue, rawValue]).to.deep.equal([2_480_400_000_000_000_000_000n, 3_100_500_000_000_000_000_000n]);
      expect((await b.vault.tokenInfo(b.weth)).cachedPrice).to.equal(ETH_PRICE);
    });

    it("reports debt with the interest accrued to now", async function () {
      const b = await loadFixture(debtFixture);
      const acc = accountId(b.alice.address);
      const s0 = await cashStateAtPar(b.vault);
      const [, , t0] = await b.vault.cashIndices();
      await time.increaseTo(t0 + 600n);
      const debt = cashValue(-102_360_000_000_000_000_000n, accrue(s0, BASE_RATE, RATE_SLOPE, 600n));
      expect(debt).to.be.lessThan(-102_360_000_000_000_000_000n);
      const [m, rawValue] = await b.vault.collateralValuesFresh(acc);
      expect([m.cash, m.collateralValue, rawValue]).to.deep.equal([debt, 2_400n * WAD, ETH_PRICE]);
    });

    it("R-01 reverts with the oracle's error when a held token's feed is stale (a bad price never liquidates)", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.alice.address);
      const bob = accountId(b.bob.address);
      await depositInto(b.vault, b.weth, b.alice, WAD);
      await depositInto(b.vault, b.cash, b.bob, 7n * USDC);
      const feed = b.feeds["ETH/USD"];
      const [, , , updatedAt] = await feed.latestRoundData();
      await time.increaseTo(updatedAt + 3_601n);
      await expect(b.vault.collateralValuesFresh(acc))
        .to.be.revertedWithCustomError(b.oracle, "OracleStalePrice")
        .withArgs(assetKey("ETH/USD"), await feed.getAddress(), updatedAt, 3_600n);
      const [m, rawValue] = await b.vault.collateralValuesFresh(bob);
      expect([m.cash, m.collateralValue, rawValue]).to.deep.equal([7n * WAD, 0n, 0n]);
    });
  });

  describe("account state", function () {
    it("accountStatus reports the engine's position flag as fills open and close positions", async function () {
      const b = await loadFixture(positionFixture);
      const alice = accountId(b.alice.address);
      const bob = accountId(b.bob.address);
      expect(await b.vault.accountStatus(alice)).to.deep.equal([false, true]);
      expect(await b.vault.accountStatus(bob)).to.deep.equal([false, true]);
      expect(await b.vault.accountNonce(alice)).to.equal(1n);
      await (await trade(b, b.alice, b.bob, "ETH-PERP", -WAD, ETH_PRICE)).wait();
      expect(await b.vault.accountStatus(alice)).to.deep.equal([false, false]);
      expect(await b.vault.accountStatus(bob)).to.deep.equal([false, false]);
      expect(await b.vault.accountNonce(alice)).to.equal(2n);
      expect(await b.vault.accountNonce(bob)).to.equal(2n);
      expect(await b.vault.accountStatus(accountId(b.carol.address))).to.deep.equal([false, false]);
    });

    it("accountTokens and accountNonce of an account never used are zero", async function () {
      const b = await loadFixture(protocolFixture);
      const acc = accountId(b.carol.address, 42);
      expect(await b.vault.accountTokens(acc)).to.equal(0n);
      expect(await b.vault.accountNonce(acc)).to.equal(0n);
    });
  });

  describe("tokens", function () {
    it("tokenInfo reports the fixture's WETH and WBTC configuration and cache", async function () {
      const b = await loadFixture(protocolFixture);
      await depositInto(b.vault, b.wbtc, b.alice, BTC);
      const weth = await tokenInfoOf(b.vault, b.weth);
      const wbtc = await tokenInfoOf(b.vault, b.wbtc);
      expect(weth).to.deep.include({
        oracleAsset: assetKey("ETH/USD"),
        haircut: WETH_HAIRCUT,
        decimals: 18n,
        index: 0n,
        enabled: true,
        depositCap: 100_000n * WAD,
        totalDeposits: 0n,
        cachedPrice: ETH_PRICE,
      });
      expect(wbtc).to.deep.include({
        oracleAsset: assetKey("BTC/USD"),
        haircut: WBTC_HAIRCUT,
        decimals: 8n,
        index: 1n,
        enabled: true,
        depositCap: 5_000n * WAD,
        totalDeposits: WAD,
        cachedPrice: BTC_PRICE,
      });
      expect(weth.cachedPriceTimestamp).to.be.greaterThan(0n);
    });

    it("tokenInfo of the cash token carries only its cap and holdings; an unlisted token reports zeros", async function () {
      const b = await loadFixture(protocolFixture);
      await depositInto(b.vault, b.cash, b.alice, 3n * USDC);
      const cash = await tokenInfoOf(b.vault, b.cash);
      expect(cash).to.deep.equal({
        oracleAsset: ethers.ZeroHash,
        haircut: 0n,
        decimals: 0n,
        index: 0n,
        enabled: false,
        depositCap: 100_000_000n * WAD,
        totalDeposits: 3n * WAD,
        cachedPrice: 0n,
        cachedPriceTimestamp: 0n,
      });
      const none = await b.vault.tokenInfo(b.alice.address);
      expect(none.depositCap + none.haircut + none.cachedPrice).to.equal(0n);
      expect(none.enabled).to.equal(false);
    });

    it("tokenAt lists the collateral by index and answers the zero address beyond it; tokenCount counts them", async function () {
      const b = await loadFixture(protocolFixture);
      expect(await b.vault.tokenCount()).to.equal(2n);
      expect(await b.vault.tokenAt(0)).to.equal(await b.weth.getAddress());
      expect(await b.vault.tokenAt(1)).to.equal(await b.wbtc.getAddress());
      for (const i of [2n, 15n, 16n, 2n ** 255n]) expect(await b.vault.tokenAt(i)).to.equal(ethers.ZeroAddress);
    });

    it("cashToken is the fixture's USDC, and totalHeldWad starts at zero for every token", async function () {
      const b = await loadFixture(protocolFixture);
      expect(await b.vault.cashToken()).to.equal(await b.cash.getAddress());
      for (const t of [b.cash, b.weth, b.wbtc]) expect(await b.vault.totalHeldWad(t)).to.equal(0n);
      expect(await b.vault.totalHeldWad(b.alice.address)).to.equal(0n);
    });

    it("cashIndices start at par with the deployment's accrual time", async function () {
      const s = await loadFixture(standaloneFixture);
      const [sI, bI, last] = await s.vault.cashIndices();
      const receipt = await s.vault.deploymentTransaction()!.wait();
      const deployedAt = (await ethers.provider.getBlock(receipt!.blockNumber))!.timestamp;
      expect([sI, bI, last]).to.deep.equal([WAD, WAD, BigInt(deployedAt)]);
    });
  });
});
