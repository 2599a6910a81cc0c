import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { auctionFixture, stakedFixture, valuation, accountId, WAD, ETH, type AuctionFixture } from "./helpers";
import { trade } from "../../shared/fixtures";
import * as adl from "../../../src/model/adl";
import { mulWadUp } from "../../../src/model/wad";

/**
 * The loss waterfall's third step (issue #14 item 1; docs/LIQUIDATION.md, "Who bears a loss"): when an insolvent
 * auction needs more than the insurance fund can still pay for its event, anyone may call `deleverage`, which closes
 * the account's positions at their bankruptcy prices against every opposite position, pro-rata by size, so that
 * nothing is socialised over depositors' cash.
 */

const eventId = (account: bigint, start: bigint) =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [account, start]));

/** Alice long 10 ETH and dave long 10 against bob short 20, at 3,000; ETH then crashes to 1,900 and alice's auction starts. */
async function insolvent(f: AuctionFixture): Promise<{ start: bigint }> {
  await (await trade(f, f.bob, f.dave, "ETH-PERP", -10n * WAD, 3000n * WAD)).wait();
  const T = (await time.latest()) + 100;
  await time.setNextBlockTimestamp(T - 2);
  await (await f.feeds["ETH/USD"].updateAnswer(1900n * 10n ** 8n)).wait();
  await time.setNextBlockTimestamp(T - 1);
  await (await f.feeds["BTC/USD"].updateAnswer(await f.feeds["BTC/USD"].latestAnswer())).wait();
  await time.setNextBlockTimestamp(T);
  await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
  return { start: BigInt(T) };
}

async function emptyFundFixture() {
  const f = await auctionFixture();
  return { f, ...(await insolvent(f)) };
}

async function stakedInsolventFixture() {
  const f = await stakedFixture();
  return { f, ...(await insolvent(f)) };
}

describe("LiquidationAuction: automated deleveraging", function () {
  it("an insolvent auction the fund cannot cover ends with ADL: the shorts take the deficit at the bankruptcy price, the fund pays its part at once and nothing is socialised", async function () {
    const { f, start } = await loadFixture(emptyFundFixture);
    const v = await valuation(f, f.A);
    expect(v.markToMarket < 0n).to.equal(true);
    const [, available] = await f.fund.coverage(eventId(f.A, start));
    // Needed: a final bid could claim -V plus the whole insolvent bonus on R, more than the fund can pay. The deficit
    // handed to ADL is the claim once the positions are gone: no collateral (R = M), so -V alone, beyond the fund.
    expect(-v.markToMarket + mulWadUp(f.p.insolventBonus, v.requirement) > available).to.equal(true);
    const deficit = -v.markToMarket - available;
    expect(deficit > 0n).to.equal(true);
    const bob = accountId(f.bob.address);
    const bobBefore = await f.engine.position(bob, ETH);
    const pendingBefore = await f.auction.pendingBadDebt();
    // Anyone may trigger it: erin, who has nothing to do with the account.
    const tx = f.auction.connect(f.erin).deleverage(f.A);
    const bp = adl.bankruptcyPrice(10n * WAD, 1900n * WAD, deficit);
    await expect(tx).to.emit(f.auction, "AuctionDeleveraged").withArgs(f.A, deficit, bp.covered);
    await expect(tx)
      .to.emit(f.engine, "MarketDeleveraged")
      .withArgs(ETH, f.A, 1n, 1n, 10n * WAD, bp.price, 1900n * WAD, WAD / 2n, bp.covered);
    // Alice holds no position; her deficit is now what the fund can pay, so her auction's recorded bad debt fell.
    expect(await f.engine.position(f.A, ETH)).to.deep.equal([0n, 0n]);
    const after = await valuation(f, f.A);
    // The fund paid its part into her account in the same transaction (reserved for her event): what is left of her
    // deficit is the rounding of the bankruptcy price, at most a wei.
    await expect(tx).to.emit(f.auction, "InsuranceDrawn").withArgs(f.A, eventId(f.A, start), available);
    expect(after.markToMarket - (v.markToMarket + bp.covered + available)).to.be.within(-1n, 0n);
    expect(await f.auction.pendingBadDebt()).to.equal(pendingBefore - (-v.markToMarket - -after.markToMarket));
    // Bob, the whole short side, keeps half his size (phi = 10 / 20) and carries the deficit in his basis.
    const bobAfter = await f.engine.position(bob, ETH);
    expect(bobAfter[0]).to.equal(bobBefore[0] / 2n);
    // Nothing is left to auction: she holds no position and no debt, so anyone ends her auction (Terminated) and
    // nothing was socialised.
    const end = f.auction.connect(f.erin).terminateAuction(f.A);
    await expect(end).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 2, anyValue);
    await expect(end).to.not.emit(f.auction, "BadDebtSocialised");
    expect((await f.vault.cashBalance(f.A)) >= 0n).to.equal(true);
  });

  it("is refused while the fund covers the need, and a second call once the positions are gone", async function () {
    const { f, start } = await loadFixture(stakedInsolventFixture);
    const v = await valuation(f, f.A);
    const [, available] = await f.fund.coverage(eventId(f.A, start));
    await expect(f.auction.deleverage(f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionDeleveragingNotNeeded")
      .withArgs(f.A, v.markToMarket, -v.markToMarket + mulWadUp(f.p.insolventBonus, v.requirement), available);
    const empty = await loadFixture(emptyFundFixture);
    await (await empty.f.auction.deleverage(empty.f.A)).wait();
    await expect(empty.f.auction.deleverage(empty.f.A)).to.be.revertedWithCustomError(empty.f.auction, "AuctionDeleveragingNotNeeded");
  });

  it("is refused for an account without an auction and while auctions are halted (stop level 3)", async function () {
    const { f } = await loadFixture(emptyFundFixture);
    await expect(f.auction.deleverage(accountId(f.erin.address)))
      .to.be.revertedWithCustomError(f.auction, "AuctionNotActive")
      .withArgs(accountId(f.erin.address));
    await (await f.auction.setStopLevel(3)).wait();
    await expect(f.auction.deleverage(f.A)).to.be.revertedWithCustomError(f.auction, "AuctionStopped").withArgs(3n, 3n);
  });

  it("is refused for a solvent auction", async function () {
    const f = await loadFixture(auctionFixture);
    await (await trade(f, f.bob, f.dave, "ETH-PERP", -10n * WAD, 3000n * WAD)).wait();
    await (await f.feeds["ETH/USD"].updateAnswer(2050n * 10n ** 8n)).wait();
    await (await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address))).wait();
    const v = await valuation(f, f.A);
    expect(v.markToMarket > 0n).to.equal(true);
    await expect(f.auction.deleverage(f.A)).to.be.revertedWithCustomError(f.auction, "AuctionDeleveragingNotNeeded");
  });
});
