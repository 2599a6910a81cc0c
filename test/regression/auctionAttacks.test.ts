/**
 * Regression tests for the auction and insurance attack classes of security issue #11 (see docs/THREAT_MODEL.md,
 * "Review findings"). Each test performs the attack on the production deployment fixture and asserts that it now
 * fails with the exact custom error, or has no effect.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import {
  auctionFixture,
  startedAuctionFixture,
  setEth,
  valuation,
  accountId,
  WAD,
  USDC,
} from "../unit/LiquidationAuction/helpers";
import { fund, trade } from "../shared/fixtures";
import { tip as modelTip } from "../../src/model/auction";

describe("Regression: auction attack classes of issue #11", function () {
  describe("class 3: a third party voids all pending bids for the price of a tip", function () {
    it("class 3 (R-15) a 0.000001-USDC transferCash into an account in auction leaves its nonce, so a pending bid still fills", async function () {
      const f = await loadFixture(startedAuctionFixture);
      const q = await f.auction.quote(f.A);
      const cash = await f.vault.cashBalance(f.A);
      await fund(f, f.frank, "USDC", 1n);
      await expect(f.vault.connect(f.frank).transferCash(accountId(f.frank.address), f.A, 1n))
        .to.emit(f.vault, "CashTransferred")
        .withArgs(accountId(f.frank.address), f.A, 10n ** 12n);
      expect(await f.vault.cashBalance(f.A)).to.equal(cash + 10n ** 12n);
      expect(await f.vault.accountNonce(f.A)).to.equal(q.nonce);
      await expect(
        f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, q.unitPrice + WAD, "0x"),
      ).to.emit(f.auction, "AuctionBid");
    });

    it("class 3 (R-15) naming an account in auction as the tip account of another start leaves its nonce, so a pending bid still fills", async function () {
      const f = await loadFixture(auctionFixture);
      // erin's subaccount 1: 10,000 USDC, long 10 ETH at 3,000, liquidatable after the crash like alice.
      const E1 = accountId(f.erin.address, 1);
      await fund(f, f.erin, "USDC", 10_000n * USDC, E1);
      await (await trade(f, f.bob, f.erin, "ETH-PERP", -10n * WAD, 3000n * WAD, { takerAccount: E1 })).wait();
      await setEth(f, 2050);
      await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
      const q = await f.auction.quote(f.A);
      const cash = await f.vault.cashBalance(f.A);
      const tx = f.auction.connect(f.carol).startAuction(E1, f.A);
      await expect(tx).to.emit(f.vault, "LiquidationStarted");
      expect(await f.vault.cashBalance(f.A) > cash).to.equal(true);
      expect(await f.vault.accountNonce(f.A)).to.equal(q.nonce);
      await expect(
        f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, q.unitPrice + 10n * WAD, "0x"),
      ).to.emit(f.auction, "AuctionBid");
    });
  });
});
