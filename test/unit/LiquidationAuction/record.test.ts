import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { auctionFixture, stakedFixture, setEth, valuation, accountId, WAD, USDC, ETH, type AuctionFixture } from "./helpers";
import { fund, trade } from "../../shared/fixtures";
import { countedShortfall, SHORTFALL_UNIT } from "../../../src/model/auction";

/**
 * The auction record holds everything a single-market solvent auction needs (issue #13: one new storage slot per
 * start); the terms slot beside it is used only for a multi-market account (its markets bitmap) or a recorded bad
 * debt, and the record's flags say when.
 */
describe("LiquidationAuction: the auction record and its terms slot", function () {
  const coder = ethers.AbiCoder.defaultAbiCoder();
  const entry = (index: number, key: bigint) => ethers.keccak256(coder.encode(["uint256", "uint256"], [key, index]));

  /**
   * The storage index of the terms mapping (declared right after the auctions mapping in AuctionLifecycle.State),
   * found from the storage itself: the auctions mapping is the index whose entry for the running auction of `running`
   * holds its record, so the test does not restate the layout.
   */
  async function termsIndex(f: AuctionFixture, running: bigint): Promise<number> {
    const auction = await f.auction.getAddress();
    const startTime = (await f.auction.auctionOf(running)).startTime;
    for (let index = 0; index < 32; index++) {
      const word = BigInt(await ethers.provider.getStorage(auction, entry(index, running)));
      if (word !== 0n && (word & 0xffffffffn) === startTime) return index + 1;
    }
    throw new Error("auction record not found in storage");
  }

  /** The raw terms slot of `account`. */
  async function termsWord(f: AuctionFixture, index: number, account: bigint): Promise<bigint> {
    return BigInt(await ethers.provider.getStorage(await f.auction.getAddress(), entry(index, account)));
  }

  /** alice also holds 0.01 BTC long at the feed's price: two markets. */
  async function twoMarketFixture(): Promise<AuctionFixture & { BTC: number }> {
    const f = await auctionFixture();
    const btc = (await f.feeds["BTC/USD"].latestAnswer()) * 10n ** 10n;
    await (await trade(f, f.bob, f.alice, "BTC-PERP", -WAD / 100n, btc)).wait();
    return { ...f, BTC: f.markets["BTC-PERP"] };
  }

  it("records a multi-market account's markets and counts its rounded-up shortfall in every market's breaker until it ends", async function () {
    const f = await loadFixture(twoMarketFixture);
    await setEth(f, 2050);
    const v = await valuation(f, f.A);
    expect(v.equity < BigInt(v.maintenanceMargin) && v.markToMarket > 0n, "liquidatable and solvent").to.equal(true);
    const counted = countedShortfall(v.maintenanceMargin - v.equity);
    expect(counted > 0n).to.equal(true);
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    const a = await f.auction.auctionOf(f.A);
    expect([a.multi, a.market, a.badDebtRecorded, a.shortfallMicro * SHORTFALL_UNIT]).to.deep.equal([true, 0n, false, counted]);
    const [global, , eth] = await f.auction.shortfallTotals(ETH);
    const btc = (await f.auction.shortfallTotals(f.BTC))[2];
    expect([global, eth, btc]).to.deep.equal([counted, counted, counted]);
    const index = await termsIndex(f, f.A);
    expect(await termsWord(f, index, f.A), "the terms slot holds the markets bitmap").to.equal(3n);
    await fund(f, f.alice, "USDC", 5_000n * USDC);
    await (await f.auction.terminateAuction(f.A)).wait();
    const after = [
      (await f.auction.shortfallTotals(ETH))[0],
      (await f.auction.shortfallTotals(ETH))[2],
      (await f.auction.shortfallTotals(f.BTC))[2],
    ];
    expect(after).to.deep.equal([0n, 0n, 0n]);
    expect(await termsWord(f, index, f.A), "the terms slot is cleared at the end").to.equal(0n);
  });

  it("a restart at a solvent price releases the bad debt an insolvent start recorded and clears the record's flag", async function () {
    const f = await loadFixture(stakedFixture);
    await setEth(f, 1900);
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    expect(await f.auction.pendingBadDebt()).to.equal(1015n * WAD);
    expect((await f.auction.auctionOf(f.A)).badDebtRecorded).to.equal(true);
    const index = await termsIndex(f, f.A);
    expect(await termsWord(f, index, f.A), "the terms slot holds the bad debt (above the 128-bit bitmap)").to.equal((1015n * WAD) << 128n);
    // Run the whole curve at 2,050 (solvent, still liquidatable), checkpointing after each refresh.
    const start = Number((await f.auction.auctionOf(f.A)).startTime);
    const required = Number(f.p.fastDuration + f.p.slowDuration + f.p.insolventDuration);
    for (let s = 1800; s <= required + 1800; s += 1800) {
      await time.setNextBlockTimestamp(start + s);
      await setEth(f, 2050);
      await (await f.auction.checkpoint(f.A)).wait();
    }
    const v = await valuation(f, f.A);
    expect(v.markToMarket > 0n).to.equal(true);
    await expect(f.auction.restartAuction(f.A))
      .to.emit(f.auction, "AuctionRestarted")
      .withArgs(f.A, countedShortfall(v.maintenanceMargin - v.equity));
    expect(await f.auction.pendingBadDebt()).to.equal(0n);
    const a = await f.auction.auctionOf(f.A);
    expect([a.active, a.multi, a.badDebtRecorded, a.market]).to.deep.equal([true, false, false, BigInt(ETH)]);
    expect(await termsWord(f, index, f.A), "the restart zeroed the terms slot").to.equal(0n);
    // A full bid ends it with nothing pending and the breakers back at zero.
    const q = await f.auction.quote(f.A);
    await (await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, q.nonce, q.unitPrice, "0x")).wait();
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
    expect(await f.auction.pendingBadDebt()).to.equal(0n);
    expect((await f.auction.shortfallTotals(ETH))[0]).to.equal(0n);
  });

  it("an auction that ends with its bad debt still recorded releases it and clears the terms slot; the next one starts clean", async function () {
    const f = await loadFixture(stakedFixture);
    await setEth(f, 1900);
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    expect(await f.auction.pendingBadDebt()).to.equal(1015n * WAD);
    const index = await termsIndex(f, f.A);
    expect(await termsWord(f, index, f.A)).to.equal((1015n * WAD) << 128n);
    // alice restores her margin with a deposit and ends the auction herself: no bid has settled any of the debt.
    await fund(f, f.alice, "USDC", 3_000n * USDC);
    await expect(f.auction.connect(f.alice).terminateAuction(f.A)).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 2, anyValue);
    expect(await f.auction.pendingBadDebt(), "the recorded bad debt is released at the end").to.equal(0n);
    expect(await termsWord(f, index, f.A), "the terms slot is cleared at the end").to.equal(0n);
    // ETH at 1,730: below maintenance margin again, solvent this time.
    await setEth(f, 1730);
    const v = await valuation(f, f.A);
    expect(v.equity < BigInt(v.maintenanceMargin) && v.markToMarket > 0n, "liquidatable and solvent").to.equal(true);
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    const a = await f.auction.auctionOf(f.A);
    expect([a.badDebtRecorded, a.multi]).to.deep.equal([false, false]);
    expect(await f.auction.pendingBadDebt()).to.equal(0n);
    expect(await termsWord(f, index, f.A), "a single-market solvent auction leaves the terms slot empty").to.equal(0n);
  });
});
