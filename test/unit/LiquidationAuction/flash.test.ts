import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import {
  startedAuctionFixture,
  startedPartialAuctionFixture,
  refreshFeeds,
  accountId,
  WAD,
  USDC,
  ETH,
  type AuctionFixture,
} from "./helpers";
import { makeOrder, signOrder } from "../../shared/fixtures";
import { FlashLiquidator__factory, BadLiquidator__factory } from "../../../typechain-types";

async function after(f: AuctionFixture, seconds: number): Promise<void> {
  const start = Number((await f.auction.auctionOf(f.A)).startTime);
  await time.setNextBlockTimestamp(start + seconds - 2);
  await refreshFeeds(f);
  await time.setNextBlockTimestamp(start + seconds);
}

/** The reference FlashLiquidator, owned by dave, wired to the fixture's auction, venue and vault. */
async function deployFlashLiquidator(f: AuctionFixture) {
  return new FlashLiquidator__factory(f.dave).deploy(
    f.dave.address,
    await f.auction.getAddress(),
    await f.venue.getAddress(),
    await f.vault.getAddress(),
  );
}

/**
 * The market maker bob's signed bid for `size` ETH (WAD) at 2,049, one dollar under the index, and the hedge leg that
 * sells all of it to him from a flash callback.
 */
async function bobBuys(f: AuctionFixture, size: bigint, salt: bigint) {
  const order = await makeOrder({
    account: accountId(f.bob.address),
    marketId: ETH,
    size,
    limitPrice: 2049n * WAD,
    signer: f.bob.address,
    salt,
  });
  return { order, hedge: { order, signature: await signOrder(f, f.bob, order), fillSize: size, takerPriceLimit: 2049n * WAD } };
}

describe("LiquidationAuction: flash bids", function () {
  it("a capital-free liquidator receives the portfolio, sells it through the venue in the callback, pays from the proceeds and keeps the profit", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const liq = await deployFlashLiquidator(f);
    const L = await liq.account();
    expect(await f.vault.cashBalance(L)).to.equal(0n);
    // The market maker bob bids for 2 ETH at 2,049 (one dollar under the index).
    const { hedge } = await bobBuys(f, 2n * WAD, 1n);
    await after(f, 600);
    const q = await f.auction.quote(f.A);
    await expect(liq.connect(f.dave).liquidate(f.A, WAD / 5n, q.nonce, 10n ** 30n, [hedge]))
      .to.emit(f.auction, "AuctionBid")
      .and.to.emit(f.engine, "TradeSettled");
    // Flat and in profit: it took 20% (2 ETH) at a 10% discount and sold for one dollar under the index.
    expect(await f.engine.position(L, ETH)).to.deep.equal([0n, 0n]);
    const profit = await f.vault.cashBalance(L);
    expect(profit > 0n).to.equal(true);
    const tokens = profit / 10n ** 12n;
    await liq.connect(f.dave).withdraw(await f.cash.getAddress(), tokens, f.dave.address);
    expect(await f.vault.balanceOf(L, await f.cash.getAddress())).to.equal(0n);
  });

  it("a flash bid capped at the largest fraction hedges only what it received: fills are scaled by moved / requested, so it ends flat (review 6, L-1)", async function () {
    const f = await loadFixture(startedPartialAuctionFixture);
    const liq = await deployFlashLiquidator(f);
    const L = await liq.account();
    // The keeper planned half the portfolio (5 ETH) and sized its hedge for it; the auction moves only its largest
    // fraction, under half.
    const { order, hedge } = await bobBuys(f, 5n * WAD, 2n);
    await after(f, 600);
    const q = await f.auction.quote(f.A);
    const tx = liq.connect(f.dave).liquidate(f.A, WAD / 2n, q.nonce, 10n ** 30n, [hedge]);
    await expect(tx).to.emit(f.auction, "AuctionBid");
    const [bid] = await f.auction.queryFilter(f.auction.filters.AuctionBid(f.A));
    const moved = bid.args.fraction;
    expect(moved < WAD / 2n).to.equal(true);
    // It sold exactly 5 ETH x moved / requested, rounded down, and holds what the transfer left over: at most 1 wei.
    const sold = (5n * WAD * moved) / (WAD / 2n);
    expect(await f.venue.filled(await f.venue.hashOrder(order))).to.equal(sold);
    const [size] = await f.engine.position(L, ETH);
    expect(size >= 0n && size <= 1n).to.equal(true);
  });

  it("a flash liquidation of a zero fraction reverts with FlashLiquidatorZeroFraction(target)", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const liq = await deployFlashLiquidator(f);
    const q = await f.auction.quote(f.A);
    await expect(liq.connect(f.dave).liquidate(f.A, 0n, q.nonce, 10n ** 30n, []))
      .to.be.revertedWithCustomError(liq, "FlashLiquidatorZeroFraction")
      .withArgs(f.A);
  });

  it("a flash bidder that does not hedge ends below initial margin and the bid reverts with AuctionBidderBelowInitialMargin", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const liq = await deployFlashLiquidator(f);
    await after(f, 600);
    const q = await f.auction.quote(f.A);
    await expect(liq.connect(f.dave).liquidate(f.A, WAD / 5n, q.nonce, 10n ** 30n, [])).to.be.revertedWithCustomError(
      f.auction,
      "AuctionBidderBelowInitialMargin",
    );
  });

  it("a callback that does not return onLiquidationBid's selector reverts with AuctionCallbackFailed", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const bad = await new BadLiquidator__factory(f.dave).deploy(await f.auction.getAddress());
    await f.vault
      .connect(f.dave)
      .deposit(accountId(await bad.getAddress()), await f.cash.getAddress(), 0n)
      .catch(() => undefined);
    const q = await f.auction.quote(f.A);
    await expect(bad.bid(f.A, WAD / 10n, q.nonce, 10n ** 30n, 0))
      .to.be.revertedWithCustomError(f.auction, "AuctionCallbackFailed")
      .withArgs(await bad.getAddress());
  });

  it("re-entering the auction from the callback is impossible (ReentrancyGuardReentrantCall)", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const bad = await new BadLiquidator__factory(f.dave).deploy(await f.auction.getAddress());
    const q = await f.auction.quote(f.A);
    await expect(bad.bid(f.A, WAD / 10n, q.nonce, 10n ** 30n, 1)).to.be.revertedWithCustomError(f.auction, "ReentrancyGuardReentrantCall");
  });

  it("only the auction, during the liquidator's own bid, may call the callback (FlashLiquidatorUnexpectedCallback)", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const liq = await deployFlashLiquidator(f);
    await expect(liq.connect(f.erin).onLiquidationBid(f.A, 0, WAD, 0, "0x"))
      .to.be.revertedWithCustomError(liq, "FlashLiquidatorUnexpectedCallback")
      .withArgs(f.erin.address);
    void USDC;
  });
});
