/**
 * Regression tests for bugs the fuzzers found (see docs/TESTING.md, "Bugs found"). Each test reproduces its bug
 * deterministically on the default deployment and fails until the contract is fixed.
 *
 * BUG-1 (found by test/fuzz/auction.test.ts, INV-25): AuctionMath.take's largest fraction f = ceil(A / D) restores
 * E >= (1 + bufferRatio) * M only in exact arithmetic. MarginEngine.transferPortfolio moves floor(|size| * f) and
 * floor(|basis| * f) (toward zero), so a short keeps up to one wei of size more than (1 - f) of it; at price P that
 * wei is worth -P / 1e18 wei of equity and adds mmr * P / 1e18 of margin, while rounding f up gains at most D / 1e18
 * wei. For BTC shorts (P / 1e18 ~ 60,000 wei) almost every maximum bid leaves the account tens of thousands of wei
 * below the buffer, often below maintenance margin: the auction does not end (AuctionEnded Restored is not
 * emitted), the account stays frozen and liquidatable, and later bids charge it penalties again.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployBallast, fund, trade, accountId, WAD } from "../shared/fixtures";
import { mulWadUp } from "../../src/model/wad";
import { toAuctionParams } from "../../src/model/auction";

const USDC = 10n ** 6n;

async function shortBtcFixture() {
  const b = await deployBallast();
  await time.increaseTo((Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10);
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  const [alice, bob, carol, dave] = b.users;
  await fund(b, bob, "USDC", 10_000_000n * USDC);
  await fund(b, dave, "USDC", 10_000_000n * USDC);
  // dustMargin 0: the account (R ~ 130 USDC) is auctioned in parts instead of whole.
  await (await b.auction.setParams({ ...toAuctionParams(await b.auction.params()), dustMargin: 0n })).wait();
  // alice: 360.002 USDC, short 0.1 BTC at 60,000 (bob buys).
  await fund(b, alice, "USDC", 360_002_000n);
  await (await trade(b, bob, alice, "BTC-PERP", WAD / 10n, 60_000n * WAD)).wait();
  // BTC rises to 62,131.76381642: alice is below maintenance margin but solvent.
  await (await b.feeds["BTC/USD"].updateAnswer(6_213_176_381_642n)).wait();
  await (await b.feeds["ETH/USD"].updateAnswer(await b.feeds["ETH/USD"].latestAnswer())).wait();
  return { b, alice, carol, dave, A: accountId(alice.address) };
}

describe("regression: bugs found by the fuzzers", function () {
  it("BUG-1 (INV-25): a maximum bid on a short BTC position restores the account to (1 + bufferRatio) * M and ends the auction", async function () {
    const { b, carol, dave, A } = await loadFixture(shortBtcFixture);
    expect((await b.engine.accountMargin(A)).liquidatable).to.equal(true);
    await (await b.auction.connect(carol).startAuction(A, accountId(carol.address))).wait();
    await time.increase(10);
    for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
    const q = await b.auction.quote(A);
    expect(q.maxFraction < WAD, "a partial fraction restores the buffer").to.equal(true);
    // The maximum bid: requested WAD is capped at maxFraction.
    await (await b.auction.connect(dave).bid(A, accountId(dave.address), WAD, q.nonce, q.unitPrice, "0x")).wait();
    const m = await b.engine.accountMargin(A);
    const target = mulWadUp(WAD + (await b.auction.params()).bufferRatio, m.maintenanceMargin);
    // Before the fix: equity is 25,592 wei short of the target and the auction is still running.
    expect(m.equity >= target, `INV-25 equity ${m.equity} reaches (1 + bufferRatio) * M = ${target}`).to.equal(true);
    expect((await b.auction.auctionOf(A)).active, "INV-25 the restored account's auction ended").to.equal(false);
  });
});
