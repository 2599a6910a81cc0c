/**
 * VaultGovernance: winding a collateral down (issue #11 class 14). `beginDelisting` stops new deposits at once and
 * ramps the haircut weight linearly to zero as a pure function of block time in every valuation; `removeToken`
 * frees the bitmap slot once the ramp has ended and the vault holds none of the token; a new listing reuses it.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fund } from "../../shared/fixtures";
import { haircutWeightAt } from "../../../src/model/margin";
import { ROLE } from "../../../src/deploy/roles";
import {
  protocolFixture,
  depositInto,
  mintAndApprove,
  addFeed,
  newToken,
  collateralValue,
  accountId,
  assetKey,
  b32,
  tokenInfoOf,
  type Protocol,
  WAD,
  USDC,
  BTC,
  BTC_SCALE,
  DAY,
  ETH_PRICE,
  BTC_PRICE,
  WBTC_HAIRCUT,
  MAX_TOKENS,
} from "./helpers";
import {
  MIN_DELISTING_RAMP,
  MAX_DELISTING_RAMP,
  RAMP,
  ALICE_WBTC,
  ALICE_WBTC_WAD,
  ALICE_CASH,
  ALICE_IM,
  ALICE_MM,
  blockAt,
  delistingFixture,
} from "./delisting.helpers";

/** Lists a fresh 18-decimal token priced 100 by a new feed, haircut 50%, cap 1e6 tokens. */
async function listNew(b: Protocol, symbol: string) {
  const token = await newToken(b, 18, symbol);
  const { asset } = await addFeed(b, `${symbol}/USD`);
  await (await b.vault.listCollateral(token, asset, WAD / 2n, 1_000_000n * WAD)).wait();
  return { token, asset, address: await token.getAddress() };
}

describe("CollateralVault: delisting (issue #11 class 14)", function () {
  describe("beginDelisting", function () {
    it("emits CollateralDelistingBegun with the weight it ramps from, the start and the end", async function () {
      const f = await loadFixture(delistingFixture);
      await expect(f.tx)
        .to.emit(f.vault, "CollateralDelistingBegun")
        .withArgs(f.wbtcAddress, WBTC_HAIRCUT, f.T0, f.T0 + RAMP);
      expect(await f.vault.MIN_DELISTING_RAMP()).to.equal(MIN_DELISTING_RAMP);
      expect(await f.vault.MAX_DELISTING_RAMP()).to.equal(MAX_DELISTING_RAMP);
    });

    it("refuses new deposits of the token at once with VaultTokenDelisting(token), from any account", async function () {
      const f = await loadFixture(delistingFixture);
      for (const user of [f.alice, f.carol]) {
        await mintAndApprove(f.vault, f.wbtc, user, BTC);
        await expect(f.vault.connect(user).deposit(accountId(user.address), f.wbtc, 1n))
          .to.be.revertedWithCustomError(f.vault, "VaultTokenDelisting")
          .withArgs(f.wbtcAddress);
      }
      // Other collateral and cash are untouched.
      await depositInto(f.vault, f.weth, f.alice, WAD);
      await depositInto(f.vault, f.cash, f.alice, USDC);
      expect(await f.vault.collateralBalanceWad(f.A, f.wbtc)).to.equal(ALICE_WBTC_WAD);
    });

    it("refuses setHaircut on a delisting token and a second beginDelisting with VaultTokenDelisting(token)", async function () {
      const f = await loadFixture(delistingFixture);
      await expect(f.vault.setHaircut(f.wbtc, WBTC_HAIRCUT))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenDelisting")
        .withArgs(f.wbtcAddress);
      await expect(f.vault.beginDelisting(f.wbtc, RAMP))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenDelisting")
        .withArgs(f.wbtcAddress);
    });

    it("accepts ramps of exactly 1 and 90 days and refuses one second less or more with VaultParameterOutOfBounds('rampDuration')", async function () {
      const b = await loadFixture(protocolFixture);
      for (const d of [MIN_DELISTING_RAMP - 1n, MAX_DELISTING_RAMP + 1n]) {
        await expect(b.vault.beginDelisting(b.weth, d))
          .to.be.revertedWithCustomError(b.vault, "VaultParameterOutOfBounds")
          .withArgs(b32("rampDuration"), d, MIN_DELISTING_RAMP, MAX_DELISTING_RAMP);
      }
      const now = BigInt(await time.latest());
      await expect(b.vault.beginDelisting(b.weth, MIN_DELISTING_RAMP))
        .to.emit(b.vault, "CollateralDelistingBegun")
        .withArgs(await b.weth.getAddress(), 8n * 10n ** 17n, now + 1n, now + 1n + MIN_DELISTING_RAMP);
      await expect(b.vault.beginDelisting(b.wbtc, MAX_DELISTING_RAMP))
        .to.emit(b.vault, "CollateralDelistingBegun")
        .withArgs(await b.wbtc.getAddress(), WBTC_HAIRCUT, now + 2n, now + 2n + MAX_DELISTING_RAMP);
    });

    it("refuses an unlisted token and the cash token with VaultTokenNotListed(token)", async function () {
      const b = await loadFixture(protocolFixture);
      for (const token of [b.alice.address, await b.cash.getAddress()]) {
        await expect(b.vault.beginDelisting(token, DAY)).to.be.revertedWithCustomError(b.vault, "VaultTokenNotListed").withArgs(token);
      }
    });
  });

  describe("the haircut weight ramps with block time", function () {
    // Quarter points of the 4-day ramp: 75% -> 56.25% -> 37.5% -> 18.75% -> 0, and zero after the end.
    const points: [string, bigint, bigint][] = [
      ["at the start", 0n, 75n * 10n ** 16n],
      ["one second in", 1n, (WBTC_HAIRCUT * (RAMP - 1n)) / RAMP],
      ["at a quarter", DAY, 5625n * 10n ** 14n],
      ["at half", 2n * DAY, 375n * 10n ** 15n],
      ["at three quarters", 3n * DAY, 1875n * 10n ** 14n],
      ["at the end", RAMP, 0n],
      ["a day after the end", RAMP + DAY, 0n],
    ];
    for (const [name, dt, weight] of points) {
      it(`${name}: tokenInfo, the vault's valuations and the lens use the weight ${weight} (the model's haircutWeightAt)`, async function () {
        const f = await loadFixture(delistingFixture);
        const t = f.T0 + dt;
        if (dt > 0n) await blockAt(f, t); // at the start, the views run in the block that began the delisting
        expect(BigInt(await time.latest())).to.equal(t);
        const w = weight;
        expect(haircutWeightAt(WBTC_HAIRCUT, f.T0, f.T0 + RAMP, t)).to.equal(w);

        expect((await f.vault.tokenInfo(f.wbtc)).haircut).to.equal(w);
        const value = collateralValue(ALICE_WBTC_WAD, BTC_PRICE, w);
        const fresh = await f.vault.marginCollateralFresh(f.A);
        expect([fresh.cash, fresh.collateralValue]).to.deep.equal([ALICE_CASH, value]);
        const [m, raw] = await f.vault.collateralValuesFresh(f.A);
        expect([m.collateralValue, raw]).to.deep.equal([value, 3000n * WAD]);
        const atPrices = await f.vault.marginCollateralAtPrices(f.A, [ETH_PRICE, BTC_PRICE]);
        expect(atPrices.collateralValue).to.equal(value);

        const p = await f.lens.portfolio(f.A);
        expect(p.priceValid).to.equal(true);
        const row = p.collateral.find((c) => c.token === f.wbtcAddress)!;
        expect([row.balanceWad, row.price, row.haircut, row.value]).to.deep.equal([ALICE_WBTC_WAD, BTC_PRICE, w, value]);
        const [h] = await f.lens.accountsHealth([f.A]);
        expect([h.equity, h.maintenanceMargin, h.initialMargin]).to.deep.equal([ALICE_CASH + value, ALICE_MM, ALICE_IM]);
        expect(h.liquidatable).to.equal(ALICE_CASH + value < ALICE_MM);
      });
    }

    it("starts the ramp from the weight at the time it begins, without any transaction during it", async function () {
      const f = await loadFixture(delistingFixture);
      // 3 days + 1 hour in: floor(0.75e18 * (1 day - 1 h) / 4 days).
      await blockAt(f, f.T0 + 3n * DAY + 3600n);
      expect((await f.vault.tokenInfo(f.wbtc)).haircut).to.equal((WBTC_HAIRCUT * (DAY - 3600n)) / RAMP);
      expect((await f.vault.tokenInfo(f.wbtc)).haircut).to.equal(179_687_500_000_000_000n);
    });
  });

  describe("holders are never stranded", function () {
    it("lets a holder without positions withdraw during the ramp and after it", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + DAY);
      await expect(f.vault.connect(f.bob).withdraw(f.B, f.wbtc, BTC / 2n, f.bob.address))
        .to.emit(f.vault, "Withdrawn")
        .withArgs(f.B, f.wbtcAddress, BTC / 2n, f.bob.address);
      await blockAt(f, f.T0 + RAMP + DAY);
      await expect(f.vault.connect(f.bob).withdraw(f.B, f.wbtc, BTC / 2n, f.bob.address)).to.changeTokenBalance(f.wbtc, f.bob, BTC / 2n);
      expect(await f.vault.accountTokens(f.B)).to.equal(0n);
    });

    it("checks initial margin at the ramped weight: at half (37.5%) alice may take out 0.001 WBTC but not 0.01", async function () {
      const f = await loadFixture(delistingFixture);
      const t = f.T0 + 2n * DAY;
      await blockAt(f, t - 1n);
      // alice's 10 ETH long from 3,000 is worth 0 at the index (no funding accrued): size x (price - F) - basis.
      const [size, basis] = await f.engine.position(f.A, 0);
      expect((size * (ETH_PRICE - (await f.engine.cumulativeFundingAt(0, ETH_PRICE)))) / 10n ** 18n - basis).to.equal(0n);
      // 0.04 WBTC left: 2,400 * 0.375 = 900; equity 494 + 900 = 1,394 < IM 1,500 (at 75% it would be 2,294).
      await time.setNextBlockTimestamp(t);
      await expect(f.vault.connect(f.alice).withdraw(f.A, f.wbtc, BTC / 100n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "VaultInsufficientMargin")
        .withArgs(f.A, 1394n * WAD, ALICE_IM);
      // 0.049 WBTC left: 2,940 * 0.375 = 1,102.5; equity 1,596.5 >= 1,500.
      await time.setNextBlockTimestamp(t + 1n);
      await expect(f.vault.connect(f.alice).withdraw(f.A, f.wbtc, BTC / 1000n, f.alice.address))
        .to.emit(f.vault, "Withdrawn")
        .withArgs(f.A, f.wbtcAddress, BTC / 1000n, f.alice.address);
      expect(await f.vault.collateralBalanceWad(f.A, f.wbtc)).to.equal((49n * WAD) / 1000n);
    });

    it("liquidates an account the ramp pushed below maintenance through the auction, and the bidder can withdraw what it took", async function () {
      const f = await loadFixture(delistingFixture);
      // At three quarters alice is above maintenance (494 + 562.5), at the end she is not (494 < 900).
      await blockAt(f, f.T0 + 3n * DAY);
      expect(await f.lens.liquidatableAccounts([f.A])).to.deep.equal([]);
      await blockAt(f, f.T0 + RAMP);
      expect(await f.lens.liquidatableAccounts([f.A])).to.deep.equal([f.A]);
      const C = accountId(f.carol.address);
      await expect(f.auction.connect(f.carol).startAuction(f.A, C)).to.emit(f.vault, "LiquidationStarted");
      const D = accountId(f.dave.address);
      await fund(f, f.dave, "USDC", 200_000n * USDC);
      const q = await f.auction.quote(f.A);
      const before = await f.vault.collateralBalanceWad(f.A, f.wbtc);
      const taken = q.maxFraction === WAD ? before : (before * q.maxFraction) / WAD;
      await expect(f.auction.connect(f.dave).bid(f.A, D, q.maxFraction, q.nonce, q.unitPrice + WAD, "0x"))
        .to.emit(f.vault, "CollateralTransferred")
        .withArgs(f.A, D, f.wbtcAddress, taken);
      expect(await f.vault.collateralBalanceWad(D, f.wbtc)).to.equal(taken);
      const takenTokens = taken / BTC_SCALE;
      await expect(f.vault.connect(f.dave).withdraw(D, f.wbtc, takenTokens, f.dave.address)).to.changeTokenBalance(
        f.wbtc,
        f.dave,
        takenTokens,
      );
    });
  });

  describe("removeToken", function () {
    it("refuses a token whose ramp has not ended with VaultDelistingIncomplete(token, rampEnd) (0: not delisting)", async function () {
      const f = await loadFixture(delistingFixture);
      await expect(f.vault.removeToken(f.weth))
        .to.be.revertedWithCustomError(f.vault, "VaultDelistingIncomplete")
        .withArgs(await f.weth.getAddress(), 0n);
      await time.setNextBlockTimestamp(f.T0 + RAMP - 1n);
      await expect(f.vault.removeToken(f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultDelistingIncomplete")
        .withArgs(f.wbtcAddress, f.T0 + RAMP);
      await expect(f.vault.removeToken(f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenNotListed")
        .withArgs(f.alice.address);
    });

    it("refuses while balances exist with VaultTokenStillHeld(token, heldWad) and frees the slot once everyone withdrew", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      await expect(f.vault.removeToken(f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenStillHeld")
        .withArgs(f.wbtcAddress, ALICE_WBTC_WAD + BTC * BTC_SCALE);
      await (await f.vault.connect(f.bob).withdraw(f.B, f.wbtc, BTC, f.bob.address)).wait();
      await expect(f.vault.removeToken(f.wbtc))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenStillHeld")
        .withArgs(f.wbtcAddress, ALICE_WBTC_WAD);
      // Alice's WBTC counts zero now: taking it all out leaves her margin unchanged (cash 494 + 0 vs IM 1,500 is
      // refused already, so she first adds cash).
      await fund(f, f.alice, "USDC", 1_100n * USDC);
      await (await f.vault.connect(f.alice).withdraw(f.A, f.wbtc, ALICE_WBTC, f.alice.address)).wait();
      expect(await f.vault.totalHeldWad(f.wbtc)).to.equal(0n);
      await expect(f.vault.removeToken(f.wbtc)).to.emit(f.vault, "CollateralRemoved").withArgs(f.wbtcAddress, 1n);
      expect(await f.vault.tokenAt(1)).to.equal(ethers.ZeroAddress);
      expect(await f.vault.tokenCount()).to.equal(2n);
      expect(await tokenInfoOf(f.vault, f.wbtc)).to.deep.equal({
        oracleAsset: ethers.ZeroHash,
        haircut: 0n,
        decimals: 0n,
        index: 0n,
        enabled: false,
        depositCap: 0n,
        totalDeposits: 0n,
        cachedPrice: 0n,
        cachedPriceTimestamp: 0n,
      });
      // The old token can no longer be deposited (nor withdrawn: nobody holds any).
      await mintAndApprove(f.vault, f.wbtc, f.alice, 1n);
      await expect(f.vault.connect(f.alice).deposit(f.A, f.wbtc, 1n))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenNotListed")
        .withArgs(f.wbtcAddress);
      await expect(f.vault.connect(f.alice).withdraw(f.A, f.wbtc, 1n, f.alice.address))
        .to.be.revertedWithCustomError(f.vault, "VaultTokenNotListed")
        .withArgs(f.wbtcAddress);
      // The lens and the auction skip the empty slot.
      expect((await f.lens.portfolio(f.A)).priceValid).to.equal(true);
      expect((await f.lens.accountsHealth([f.A]))[0].priceValid).to.equal(true);
    });

    it("lets a new listing reuse the freed slot: no account still has its bit, and the new token is valued at its own price", async function () {
      const f = await loadFixture(delistingFixture);
      await blockAt(f, f.T0 + RAMP);
      await (await f.vault.connect(f.bob).withdraw(f.B, f.wbtc, BTC, f.bob.address)).wait();
      await fund(f, f.alice, "USDC", 1_100n * USDC);
      await (await f.vault.connect(f.alice).withdraw(f.A, f.wbtc, ALICE_WBTC, f.alice.address)).wait();
      await (await f.vault.removeToken(f.wbtc)).wait();
      expect(await f.vault.accountTokens(f.A)).to.equal(0n);
      expect(await f.vault.accountTokens(f.B)).to.equal(0n);

      const token = await newToken(f, 18, "NEW");
      const { asset } = await addFeed(f, "NEW/USD");
      await expect(f.vault.listCollateral(token, asset, WAD / 2n, 1_000n * WAD))
        .to.emit(f.vault, "CollateralListed")
        .withArgs(await token.getAddress(), asset, 18, 1, WAD / 2n, 1_000n * WAD);
      expect(await f.vault.tokenAt(1)).to.equal(await token.getAddress());
      expect(await f.vault.tokenCount()).to.equal(2n);
      expect(await f.vault.accountTokens(f.A)).to.equal(0n);
      expect(await f.vault.marginCollateralFresh(f.A)).to.deep.equal([1594n * WAD, 0n]);
      await depositInto(f.vault, token, f.alice, 2n * WAD);
      expect(await f.vault.accountTokens(f.A)).to.equal(0b10n);
      // 2 tokens at 100 with a 50% haircut.
      expect((await f.vault.marginCollateralFresh(f.A)).collateralValue).to.equal(100n * WAD);
      const row = (await f.lens.portfolio(f.A)).collateral[0];
      expect([row.token, row.value]).to.deep.equal([await token.getAddress(), 100n * WAD]);
      // The old token may be listed again, as a new token in the next slot.
      await expect(f.vault.listCollateral(f.wbtc, assetKey("BTC/USD"), WBTC_HAIRCUT, BTC))
        .to.emit(f.vault, "CollateralListed")
        .withArgs(f.wbtcAddress, assetKey("BTC/USD"), 8, 2, WBTC_HAIRCUT, BTC * BTC_SCALE);
    });

    it("with all 16 slots taken, removing one lets a 17th token be listed at its index", async function () {
      const b = await loadFixture(protocolFixture);
      const listed: string[] = [];
      for (let i = 2n; i < MAX_TOKENS; i++) listed.push((await listNew(b, `S${i}`)).address);
      const extra = await newToken(b, 18, "S16");
      const asset = assetKey("ETH/USD");
      await expect(b.vault.listCollateral(extra, asset, 0n, 1n))
        .to.be.revertedWithCustomError(b.vault, "VaultTooManyTokens")
        .withArgs(16n);
      const victim = listed[5]; // index 7
      await (await b.vault.beginDelisting(victim, DAY)).wait();
      await time.increase(Number(DAY));
      await (await b.feeds["ETH/USD"].updateAnswer(ETH_PRICE / 10n ** 10n)).wait();
      await expect(b.vault.removeToken(victim)).to.emit(b.vault, "CollateralRemoved").withArgs(victim, 7n);
      await expect(b.vault.listCollateral(extra, asset, 0n, 1n))
        .to.emit(b.vault, "CollateralListed")
        .withArgs(await extra.getAddress(), asset, 18, 7, 0n, 1n);
      expect(await b.vault.tokenCount()).to.equal(16n);
    });
  });

  describe("access control", function () {
    it("reverts beginDelisting and removeToken from a stranger, a guardian and a risk manager with AccessManagedUnauthorized(caller)", async function () {
      const b = await loadFixture(protocolFixture);
      const guardian = b.users[10];
      const rm = b.users[11];
      await (await b.manager.grantRole(ROLE.GUARDIAN, guardian.address, 0)).wait();
      await (await b.manager.grantRole(ROLE.RISK_MANAGER, rm.address, 0)).wait();
      for (const who of [b.stranger, guardian, rm]) {
        const v = b.vault.connect(who);
        await expect(v.beginDelisting(b.wbtc, DAY))
          .to.be.revertedWithCustomError(b.vault, "AccessManagedUnauthorized")
          .withArgs(who.address);
        await expect(v.removeToken(b.wbtc)).to.be.revertedWithCustomError(b.vault, "AccessManagedUnauthorized").withArgs(who.address);
      }
    });
  });
});
