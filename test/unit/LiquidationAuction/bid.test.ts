import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  startedAuctionFixture,
  startedPartialAuctionFixture,
  auctionFixture,
  setEth,
  valuation,
  accountId,
  WAD,
  USDC,
  ETH,
  type AuctionFixture,
} from "./helpers";
import { fund, trade } from "../../shared/fixtures";
import { take, unitPrice, priceFactor, positionShare } from "../../../src/model/auction";
import { mulWadUp } from "../../../src/model/wad";

/**
 * Re-publishes every feed just before `seconds` after the auction's start, and pins the next transaction (the
 * bid) at exactly that time. The feeds stay fresh, so the clock counts every second (see clock.test.ts).
 */
async function at(f: AuctionFixture, seconds: number): Promise<void> {
  const start = Number((await f.auction.auctionOf(f.A)).startTime);
  const feeds = Object.values(f.feeds);
  for (let i = 0; i < feeds.length; i++) {
    await time.setNextBlockTimestamp(start + seconds - feeds.length + i);
    await (await feeds[i].updateAnswer(await feeds[i].latestAnswer())).wait();
  }
  await time.setNextBlockTimestamp(start + seconds);
}

describe("LiquidationAuction: bids on a solvent account", function () {
  it("prices the portfolio at pi(t) * V: startPrice at t = 0, fastPrice after fastDuration, floorPrice after slowDuration", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const { p } = f;
    const v = await valuation(f, f.A);
    for (const t of [300n, p.fastDuration, p.fastDuration + 1500n, p.fastDuration + p.slowDuration - 60n]) {
      await at(f, Number(t));
      await f.auction.checkpoint(f.A);
      const a = await f.auction.auctionOf(f.A);
      expect(a.elapsed).to.equal(t);
      const q = await f.auction.quote(f.A);
      expect(q.unitPrice).to.equal(unitPrice(p, t, v.markToMarket, v.requirement, 0n));
      expect(q.unitPrice).to.equal(mulWadUp(v.markToMarket, priceFactor(p, t)));
    }
    expect(priceFactor(p, 0n)).to.equal(p.startPrice);
    expect(priceFactor(p, p.fastDuration)).to.equal(p.fastPrice);
    expect(priceFactor(p, p.fastDuration + p.slowDuration)).to.equal(p.floorPrice);
  });

  it("several bidders take parts at different times until the account is back above the buffer, then the auction ends", async function () {
    const f = await loadFixture(startedPartialAuctionFixture);
    const { p } = f;
    const fundAccount = await f.fund.fundAccount();
    const bidders = [f.dave, f.erin, f.bob];
    const schedule: [number, bigint][] = [
      [120, WAD / 10n],
      [420, WAD / 8n],
      [900, WAD],
    ];
    let fundCash = await f.vault.cashBalance(fundAccount);
    for (let i = 0; i < schedule.length; i++) {
      const [t, requested] = schedule[i];
      await at(f, t);
      const v = await valuation(f, f.A);
      const healthBefore = (v.equity * WAD) / v.maintenanceMargin;
      const k = take(p, v, BigInt(t), 0n, requested);
      const bidder = accountId(bidders[i].address);
      const bidderCash = await f.vault.cashBalance(bidder);
      const aliceCash = await f.vault.cashBalance(f.A);
      const [aliceSize, aliceBasis] = await f.engine.position(f.A, ETH);
      const q = await f.auction.quote(f.A);
      const tx = f.auction.connect(bidders[i]).bid(f.A, bidder, requested, q.nonce, q.unitPrice, "0x");
      await expect(tx)
        .to.emit(f.auction, "AuctionBid")
        .withArgs(f.A, bidder, k.fraction, k.unitPrice, k.payment, k.penalty, k.penaltyToFund, 0n, BigInt(t));
      // Every amount to the wei: the account's cash fraction moves with the portfolio, then the bid's cash legs.
      const movedCash = (aliceCash * k.fraction) / WAD;
      expect(await f.vault.cashBalance(f.A)).to.equal(aliceCash - movedCash + k.payment - k.penalty);
      expect(await f.vault.cashBalance(bidder)).to.equal(bidderCash + movedCash - k.payment + (k.penalty - k.penaltyToFund));
      expect(await f.vault.cashBalance(fundAccount)).to.equal(fundCash + k.penaltyToFund);
      fundCash += k.penaltyToFund;
      const moved = positionShare(aliceSize, aliceBasis, k.fraction);
      expect(await f.engine.position(f.A, ETH)).to.deep.equal([aliceSize - moved.size, aliceBasis - moved.basis]);
      if (i < schedule.length - 1) {
        // INV-18: a bid never lowers the account's health factor, and partial bids leave the auction running.
        const after = await valuation(f, f.A);
        expect((after.equity * WAD) / after.maintenanceMargin >= healthBefore).to.equal(true);
        expect((await f.auction.auctionOf(f.A)).active).to.equal(true);
      } else {
        await expect(tx).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 0, BigInt(t));
      }
    }
    // Restored to at least (1 + bufferRatio) * maintenance margin, unfrozen, breakers released.
    const m = await f.engine.accountMargin(f.A);
    expect(m.equity >= mulWadUp(WAD + p.bufferRatio, m.maintenanceMargin)).to.equal(true);
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(false);
    expect((await f.auction.shortfallTotals(ETH))[0]).to.equal(0n);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
  });

  it("caps a bid at the fraction that restores the buffer, and that fraction restores it", async function () {
    const f = await loadFixture(startedPartialAuctionFixture);
    await at(f, 300);
    const v = await valuation(f, f.A);
    const q = await f.auction.quote(f.A);
    // A quote is a view at its own block time: compare it with the model at the clock it reports.
    const k = take(f.p, v, q.elapsed, 0n, WAD);
    expect(k.maxFraction < WAD).to.equal(true);
    expect(q.maxFraction).to.equal(k.maxFraction);
    await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, q.nonce, q.unitPrice, "0x");
    const m = await f.engine.accountMargin(f.A);
    expect(m.equity >= mulWadUp(WAD + f.p.bufferRatio, m.maintenanceMargin)).to.equal(true);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
  });

  it("issue #13 item 3: a portfolio whose remainder would fall below dustMargin (500 USDC) may be bought whole in one bid, and with R = 615 above it the fund still gets its share of the penalty", async function () {
    const f = await loadFixture(startedAuctionFixture);
    expect(f.p.dustMargin).to.equal(500n * WAD);
    await at(f, 300);
    const v = await valuation(f, f.A);
    expect(v.requirement).to.equal(615n * WAD);
    const q = await f.auction.quote(f.A);
    const k = take(f.p, v, 300n, 0n, WAD);
    // With dustMargin at 50 the largest fraction was 0.400291 (LIQUIDATION.md's worked example); its remainder's R, 368.8, is under 500.
    expect([q.maxFraction, k.maxFraction]).to.deep.equal([WAD, WAD]);
    expect(k.penaltyToFund).to.equal(k.penalty / 2n);
    const dave = accountId(f.dave.address);
    await expect(f.auction.connect(f.dave).bid(f.A, dave, WAD, q.nonce, k.unitPrice, "0x"))
      .to.emit(f.auction, "AuctionBid")
      .withArgs(f.A, dave, WAD, k.unitPrice, k.payment, k.penalty, k.penaltyToFund, 0n, 300n);
    expect(await f.engine.position(f.A, ETH)).to.deep.equal([0n, 0n]);
  });

  it("issue #13 item 3: on a portfolio whose R is below dustMargin the bidder keeps the whole penalty and the fund gets none", async function () {
    const f = await loadFixture(auctionFixture);
    // alice's sub-account 1: 5,000 USDC and 5 ETH long at 3,000; at 2,050 E = 4,992.5 - 4,750 = 242.5 < M = 307.5 = R.
    const small = accountId(f.alice.address, 1n);
    await fund(f, f.alice, "USDC", 5_000n * USDC, small);
    await (await trade(f, f.bob, f.alice, "ETH-PERP", -5n * WAD, 3000n * WAD, { takerAccount: small })).wait();
    await setEth(f, 2050);
    await (await f.auction.connect(f.carol).startAuction(small, accountId(f.carol.address))).wait();
    const start = Number((await f.auction.auctionOf(small)).startTime);
    await time.setNextBlockTimestamp(start + 120);
    const v = await valuation(f, small);
    expect(v.requirement).to.equal(3075n * 10n ** 17n);
    const fundAccount = await f.fund.fundAccount();
    const fundCash = await f.vault.cashBalance(fundAccount);
    const dave = accountId(f.dave.address);
    const daveCash = await f.vault.cashBalance(dave);
    const smallCash = await f.vault.cashBalance(small);
    const k = take(f.p, v, 120n, 0n, WAD);
    expect(k.fraction).to.equal(WAD);
    expect(k.penalty > 0n).to.equal(true);
    expect(k.penaltyToFund).to.equal(0n);
    await expect(f.auction.connect(f.dave).bid(small, dave, WAD, await f.vault.accountNonce(small), k.unitPrice, "0x"))
      .to.emit(f.auction, "AuctionBid")
      .withArgs(small, dave, WAD, k.unitPrice, k.payment, k.penalty, 0n, 0n, 120n);
    // The fund's cash is untouched; dave received the account's cash, paid B and kept the whole penalty.
    expect(await f.vault.cashBalance(fundAccount)).to.equal(fundCash);
    expect(await f.vault.cashBalance(dave)).to.equal(daveCash + smallCash - k.payment + k.penalty);
  });

  it("reverts with AuctionStaleNonce(account, expected, actual) when the account changed after the bidder priced it", async function () {
    // The bidder read the account before its auction started; the start paid the starter's tip out of it.
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    const before = await f.vault.accountNonce(f.A);
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    const q = await f.auction.quote(f.A);
    expect(q.nonce).to.equal(before + 1n);
    await expect(f.auction.connect(f.erin).bid(f.A, accountId(f.erin.address), WAD / 20n, before, q.unitPrice + WAD, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionStaleNonce")
      .withArgs(f.A, before, q.nonce);
  });

  it("review M1 (INV-05) keeps the account's nonce through bids: a second bidder who priced before the first bid still fills", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await at(f, 200);
    const q = await f.auction.quote(f.A);
    await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, q.unitPrice, "0x");
    expect(await f.vault.accountNonce(f.A)).to.equal(q.nonce);
    await expect(f.auction.connect(f.erin).bid(f.A, accountId(f.erin.address), WAD / 20n, q.nonce, q.unitPrice + WAD, "0x")).to.emit(
      f.auction,
      "AuctionBid",
    );
  });

  it("reverts with AuctionPriceLimitExceeded(unitPrice, limit) when the price is above the bidder's limit", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await at(f, 200);
    const q = await f.auction.quote(f.A);
    const price = unitPrice(f.p, 200n, q.markToMarket, q.requirement, 0n);
    await expect(f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, price - 1n, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionPriceLimitExceeded")
      .withArgs(price, price - 1n);
  });

  it("reverts with AuctionBidderBelowInitialMargin when the bidder would end below initial margin", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const [, , , , , , poor] = f.users;
    await fund(f, poor, "USDC", 10n * USDC);
    await at(f, 200);
    const q = await f.auction.quote(f.A);
    await expect(
      f.auction.connect(poor).bid(f.A, accountId(poor.address), WAD / 5n, q.nonce, q.unitPrice, "0x"),
    ).to.be.revertedWithCustomError(f.auction, "AuctionBidderBelowInitialMargin");
  });

  it("reverts with AuctionInvalidFraction for a fraction of 0 or above 1e18", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const q = await f.auction.quote(f.A);
    for (const fraction of [0n, WAD + 1n]) {
      await expect(f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), fraction, q.nonce, q.unitPrice, "0x"))
        .to.be.revertedWithCustomError(f.auction, "AuctionInvalidFraction")
        .withArgs(fraction);
    }
  });

  it("reverts with AuctionBidderUnauthorized for a caller who is not the bidder account's owner or full operator, and accepts a full operator", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const q = await f.auction.quote(f.A);
    const dave = accountId(f.dave.address);
    await expect(f.auction.connect(f.erin).bid(f.A, dave, WAD / 20n, q.nonce, q.unitPrice, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionBidderUnauthorized")
      .withArgs(f.erin.address, dave);
    await f.engine.connect(f.dave).setOperator(f.erin.address, 1, 2n ** 40n);
    await expect(f.auction.connect(f.erin).bid(f.A, dave, WAD / 20n, q.nonce, q.unitPrice, "0x")).to.be.revertedWithCustomError(
      f.auction,
      "AuctionBidderUnauthorized",
    );
    await f.engine.connect(f.dave).setOperator(f.erin.address, 2, 2n ** 40n);
    await expect(f.auction.connect(f.erin).bid(f.A, dave, WAD / 20n, q.nonce, q.unitPrice, "0x")).to.emit(f.auction, "AuctionBid");
  });

  it("reverts with AuctionSelfBid when the bidder account is the liquidated account", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const q = await f.auction.quote(f.A);
    await expect(f.auction.connect(f.alice).bid(f.A, f.A, WAD / 20n, q.nonce, q.unitPrice, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionSelfBid")
      .withArgs(f.A);
  });

  it("reverts with AuctionNotActive on an account without an auction", async function () {
    const f = await loadFixture(auctionFixture);
    await expect(f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, 0, 0, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionNotActive")
      .withArgs(f.A);
  });

  it("stops bids at stop level 3, which only the admin can set, and resumes them when the admin lowers it", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const q = await f.auction.quote(f.A);
    await f.auction.setStopLevel(3);
    await expect(f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, q.unitPrice, "0x"))
      .to.be.revertedWithCustomError(f.auction, "AuctionStopped")
      .withArgs(3, 3);
    await f.auction.setStopLevel(2);
    await expect(f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, q.unitPrice, "0x")).to.emit(
      f.auction,
      "AuctionBid",
    );
  });

  it("INV-14 a bid reverts with the oracle's error while a price is stale", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await time.increase(3601);
    const q = { nonce: await f.vault.accountNonce(f.A) };
    await expect(
      f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD / 20n, q.nonce, 10n ** 30n, "0x"),
    ).to.be.revertedWithCustomError(f.oracle, "OracleStalePrice");
  });
});
