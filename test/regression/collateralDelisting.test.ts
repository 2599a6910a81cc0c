/**
 * Issue #11 class 14: a listed collateral could not be wound down.
 *
 * The problem: once listed, a collateral stayed at its haircut weight for ever. A token that breaks (its issuer
 * pauses or blocklists it, it is compromised or migrates) could only have its deposits disabled by the guardian
 * (and re-enabled by the risk manager); its weight could fall by at most 5 points a day; and nothing freed one of the
 * 16 bitmap slots.
 *
 * The rule now (VaultGovernance.beginDelisting / removeToken, VaultStorage._weightNow): the admin begins a delisting,
 * which refuses new deposits at once (`VaultTokenDelisting`) and ramps the haircut weight linearly to zero over 1 to
 * 90 days as a pure function of block time in every valuation; withdrawals and liquidations keep working; the slot is
 * freed only when the ramp has ended and the vault holds none of the token (`VaultTokenStillHeld` otherwise), so no
 * balance is ever stranded and no account keeps a bit pointing at a reused slot.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fund, trade } from "../shared/fixtures";
import { checkInvariants } from "../shared/invariants";
import {
  accountId,
  addFeed,
  depositInto,
  mintAndApprove,
  newToken,
  protocolFixture,
  type Protocol,
  WAD,
  USDC,
  DAY,
  ETH_PRICE,
} from "../unit/CollateralVault/helpers";

type Feed = Awaited<ReturnType<typeof addFeed>>["feed"];

/** Mines an empty block at `t` after re-publishing every feed, and `extra`, in the blocks just before it. */
async function blockAt(b: Protocol, t: bigint, extra: Feed[]): Promise<void> {
  const feeds = [...Object.values(b.feeds), ...extra];
  let s = t - BigInt(feeds.length);
  for (const feed of feeds) {
    await time.setNextBlockTimestamp(s++);
    await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  }
  await time.increaseTo(t);
}

/**
 * BRK (18 decimals, priced 100, haircut 50%) is listed at index 2. Alice holds 100 BRK and 100 USDC and is long
 * 10 ETH-PERP at 3,000 (cash 94 after the 6 USDC maker fee; IM 1,500); bob holds 50 BRK.
 */
async function brokenTokenFixture() {
  const b = await protocolFixture();
  const brk = await newToken(b, 18, "BRK");
  const { asset, feed } = await addFeed(b, "BRK/USD");
  const brkAsset = asset;
  await (await b.vault.listCollateral(brk, asset, WAD / 2n, 1_000_000n * WAD)).wait();
  const A = accountId(b.alice.address);
  const B = accountId(b.bob.address);
  await depositInto(b.vault, brk, b.alice, 100n * WAD);
  await depositInto(b.vault, brk, b.bob, 50n * WAD);
  await fund(b, b.alice, "USDC", 100n * USDC);
  await fund(b, b.bob, "USDC", 100_000n * USDC);
  await (await trade(b, b.alice, b.bob, "ETH-PERP", 10n * WAD, ETH_PRICE)).wait();
  return { ...b, brk, brkAddress: await brk.getAddress(), brkFeed: feed, brkAsset, A, B };
}

describe("Issue #11 class 14: a listed collateral can be wound down", function () {
  it("class 14: a broken collateral is wound down without stranding balances", async function () {
    const f = await loadFixture(brokenTokenFixture);
    const { vault, brk, brkAddress, A, B } = f;
    // Every account that ever held anything: alice, bob, carol and the fee account (the insurance fund's).
    const accounts = [A, B, accountId(f.carol.address), accountId(await f.fund.getAddress())];
    expect((await vault.marginCollateralFresh(A)).collateralValue).to.equal(5_000n * WAD);

    // The token breaks: the admin begins delisting it over 2 days. New deposits stop at once.
    const T0 = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(T0);
    await expect(vault.beginDelisting(brk, 2n * DAY))
      .to.emit(vault, "CollateralDelistingBegun")
      .withArgs(brkAddress, WAD / 2n, T0, T0 + 2n * DAY);
    await mintAndApprove(vault, brk, f.carol, WAD);
    await expect(vault.connect(f.carol).deposit(accountId(f.carol.address), brk, WAD))
      .to.be.revertedWithCustomError(vault, "VaultTokenDelisting")
      .withArgs(brkAddress);

    // Half way the weight is 25%: alice's 100 BRK count 2,500. Bob leaves; alice adds cash for the rest of the ramp.
    await blockAt(f, T0 + DAY, [f.brkFeed]);
    expect((await vault.tokenInfo(brk)).haircut).to.equal(WAD / 4n);
    expect((await vault.marginCollateralFresh(A)).collateralValue).to.equal(2_500n * WAD);
    await expect(vault.connect(f.bob).withdraw(B, brk, 50n * WAD, f.bob.address)).to.changeTokenBalance(brk, f.bob, 50n * WAD);
    await fund(f, f.alice, "USDC", 1_500n * USDC);

    // The slot cannot be freed while anybody holds the token.
    await blockAt(f, T0 + 2n * DAY, [f.brkFeed]);
    expect((await vault.marginCollateralFresh(A)).collateralValue).to.equal(0n);
    await expect(vault.removeToken(brk))
      .to.be.revertedWithCustomError(vault, "VaultTokenStillHeld")
      .withArgs(brkAddress, 100n * WAD);

    // At weight zero alice's BRK carries no margin, so taking it out leaves her where she is (1,594 >= IM 1,500).
    await expect(vault.connect(f.alice).withdraw(A, brk, 100n * WAD, f.alice.address)).to.changeTokenBalance(brk, f.alice, 100n * WAD);
    expect(await brk.balanceOf(await vault.getAddress())).to.equal(0n);
    expect(await vault.totalHeldWad(brk)).to.equal(0n);

    // Now the slot is freed; no account keeps its bit; the next listing takes it.
    await expect(vault.removeToken(brk)).to.emit(vault, "CollateralRemoved").withArgs(brkAddress, 2n);
    expect([await vault.accountTokens(A), await vault.accountTokens(B)]).to.deep.equal([0n, 0n]);
    await checkInvariants(f, accounts); // INV-01 and INV-04 hold with slot 2 empty
    const next = await newToken(f, 6, "NXT");
    const { asset } = await addFeed(f, "NXT/USD");
    await expect(vault.listCollateral(next, asset, WAD / 2n, 1_000n * USDC))
      .to.emit(vault, "CollateralListed")
      .withArgs(await next.getAddress(), asset, 6, 2, WAD / 2n, 1_000n * WAD);
    await expect(vault.connect(f.alice).deposit(A, brk, 1n))
      .to.be.revertedWithCustomError(vault, "VaultTokenNotListed")
      .withArgs(brkAddress);
    expect(await vault.tokenAt(2)).to.equal(await next.getAddress());
    await depositInto(vault, next, f.bob, 10n * USDC);
    expect(await vault.accountTokens(B)).to.equal(0b100n);
    await checkInvariants(f, accounts);
  });

  it("review F2: a fully delisted collateral needs no price: its dead feed blocks neither the valuation nor the liquidation of its holders", async function () {
    const f = await loadFixture(brokenTokenFixture);
    const { vault, brk, A, B } = f;
    const T0 = BigInt(await time.latest()) + 10n;
    await time.setNextBlockTimestamp(T0);
    await (await vault.beginDelisting(brk, DAY)).wait();
    // The ramp ends and the BRK feed is never published again: its price is stale for good.
    await blockAt(f, T0 + 3n * DAY, []);
    await expect(f.oracle.getPrice(f.brkAsset)).to.be.revertedWithCustomError(f.oracle, "OracleStalePrice");
    const c = await vault.collateralValuesFresh(A);
    expect([c[0].collateralValue, c[1]]).to.deep.equal([0n, 0n]);
    // Alice (cash 94, long 10 ETH at 3,000, her 100 BRK now worth nothing) is below maintenance: anyone starts her
    // auction and bob, who also holds BRK, bids; before the fix both reverted with the BRK feed's error.
    await expect(f.auction.connect(f.carol).startAuction(A, accountId(f.carol.address))).to.emit(f.auction, "AuctionStarted");
    const q = await f.auction.quote(A);
    await expect(f.auction.connect(f.bob).bid(A, B, WAD / 10n, q.nonce, q.unitPrice + WAD, "0x")).to.emit(f.auction, "AuctionBid");
    await expect(f.auction.checkpoint(A)).to.emit(f.auction, "AuctionClockUpdated");
  });
});
