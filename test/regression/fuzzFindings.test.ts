/**
 * Regression tests for bugs the fuzzers found (see docs/TESTING.md, "Bugs found"). Each test reproduces its bug
 * deterministically on the default deployment; each failed before its fix (described with the bug).
 *
 * BUG-1 (found by test/fuzz/auction.test.ts, INV-25): AuctionMath.take's largest fraction f = ceil(A / D) restores
 * E >= (1 + bufferRatio) * M only in exact arithmetic. MarginEngine.transferPortfolio moves floor(|size| * f) and
 * floor(|basis| * f) (toward zero), so a short keeps up to one wei of size more than (1 - f) of it; at price P that
 * wei is worth -P / 1e18 wei of equity and adds mmr * P / 1e18 of margin, while rounding f up gains at most D / 1e18
 * wei. For BTC shorts (P / 1e18 ~ 60,000 wei) almost every maximum bid leaves the account tens of thousands of wei
 * below the buffer, often below maintenance margin: the auction does not end (AuctionEnded Restored is not
 * emitted), the account stays frozen and liquidatable, and later bids charge it penalties again.
 * Fixed: the moved size rounds away from zero with the basis in proportion (MarginEngine._share), and the largest
 * fraction is sized with AuctionMath.ROUNDING_ALLOWANCE for a profitable position's size rounding.
 *
 * BUG-2 (found by test/fuzz/auction.test.ts): LiquidationAuction.startAuction stores the shortfall M - E as a
 * uint96 (`shortfall.toUint96()`), so an account whose shortfall reaches 2**96 wei (79.2 billion cash units) can
 * never be liquidated: startAuction reverts with SafeCastOverflowedUintDowncast(96, shortfall). The circuit breakers
 * stop it first at their default caps, but governance may raise them to 2**104 - 1 (global) and 2**128 - 1 (per
 * market) and then the auction still cannot start. Nothing else bounds the shortfall below 2**96: the default
 * parameter file allows a 100,000 ETH short and an ETH price of 1,000,000.
 * Fixed: an auction counts a capped shortfall in the breakers: min(M - E, 2**96 - 1) until issue #13, now M - E rounded
 * up to whole micro cash units (1e12 wei), at most 2**56 - 1 of them (AuctionLifecycle.shortfallMicroUp).
 *
 * BUG-3 (found by test/fuzz/auction.test.ts, INV-18; same root cause as BUG-1): MarginEngine._movePosition rounds
 * the moved size and the moved basis toward zero independently. When |size| * f / 1e18 has a fractional part, the
 * bidder receives the basis of that fraction of a unit without its size. For a short the slice handed over is then
 * worth up to P / 1e18 wei more than its share of the position, so a bid lowers the account's equity by more than
 * its share and its health factor falls (by a few parts in 1e15 at a one-wei fraction). A bidder can repeat tiny
 * bids to extract up to P / 1e18 wei each time (dust, far below gas), and the account's health factor goes down.
 * Fixed with BUG-1: the basis moves in proportion to the size moved, rounded so the account keeps the lower basis.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployBallast, fund, trade, accountId, WAD } from "../shared/fixtures";
import { mulWadUp } from "../../src/model/wad";
import { toAuctionParams, MAX_SHORTFALL_MICRO, SHORTFALL_UNIT } from "../../src/model/auction";

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

/** bob shorts 100,000 ETH (the default open-interest cap) at 3,000 with 16M USDC; alice is the long side. */
async function hugeShortFixture() {
  const b = await deployBallast();
  await time.increaseTo((Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10);
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  const [alice, bob, carol] = b.users;
  await fund(b, alice, "USDC", 20_000_000n * USDC);
  await fund(b, bob, "USDC", 16_000_000n * USDC);
  await (await trade(b, alice, bob, "ETH-PERP", 100_000n * WAD, 3000n * WAD)).wait();
  // The circuit breakers at their widest (within LiquidationAuction's bounds).
  await (await b.auction.setGlobalShortfallCap(2n ** 104n - 1n)).wait();
  await (await b.auction.setMarketShortfallCap(0, 2n ** 128n - 1n)).wait();
  return { b, carol, B: accountId(bob.address) };
}

/** alice: 300 USDC, short 1.5 ETH at 3,000; ETH at 3,150 makes her liquidatable (solvent). */
async function shortEthFixture() {
  const b = await deployBallast();
  await time.increaseTo((Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10);
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  const [alice, bob, carol, dave] = b.users;
  await fund(b, bob, "USDC", 10_000_000n * USDC);
  await fund(b, dave, "USDC", 10_000_000n * USDC);
  await fund(b, alice, "USDC", 300n * USDC);
  await (await trade(b, bob, alice, "ETH-PERP", (3n * WAD) / 2n, 3000n * WAD)).wait();
  await (await b.feeds["ETH/USD"].updateAnswer(3150n * 10n ** 8n)).wait();
  await (await b.feeds["BTC/USD"].updateAnswer(await b.feeds["BTC/USD"].latestAnswer())).wait();
  return { b, carol, dave, A: accountId(alice.address) };
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

  it("BUG-2: an account whose shortfall exceeds 2**96 wei can still be liquidated (startAuction does not overflow)", async function () {
    const { b, carol, B } = await loadFixture(hugeShortFixture);
    // ETH at 1,000,000 (the feed's maxPrice): bob's loss is ~99.7 billion USDC.
    await (await b.feeds["ETH/USD"].updateAnswer(1_000_000n * 10n ** 8n)).wait();
    await (await b.feeds["BTC/USD"].updateAnswer(await b.feeds["BTC/USD"].latestAnswer())).wait();
    const m = await b.engine.accountMargin(B);
    expect(m.maintenanceMargin - BigInt(m.equity) >= 2n ** 96n, "the shortfall exceeds 2**96 wei").to.equal(true);
    // Before the fix: reverts with SafeCastOverflowedUintDowncast(96, shortfall).
    await expect(b.auction.connect(carol).startAuction(B, accountId(carol.address))).to.emit(b.auction, "AuctionStarted");
    // The fix: the breakers count at most what the auction record holds: 2**56 - 1 micro cash units since issue #13
    // (2**96 - 1 wei before, the record's width then).
    expect((await b.auction.auctionOf(B)).shortfallMicro).to.equal(MAX_SHORTFALL_MICRO);
    expect((await b.auction.shortfallTotals(0))[0]).to.equal(MAX_SHORTFALL_MICRO * SHORTFALL_UNIT);
  });

  it("BUG-3 (INV-18): a one-wei-fraction bid on a 1.5 ETH short does not lower the account's health factor", async function () {
    const { b, carol, dave, A } = await loadFixture(shortEthFixture);
    await (await b.auction.connect(carol).startAuction(A, accountId(carol.address))).wait();
    const before = await b.engine.accountMargin(A);
    const q = await b.auction.quote(A);
    await (await b.auction.connect(dave).bid(A, accountId(dave.address), 1n, q.nonce, q.unitPrice, "0x")).wait();
    const after = await b.engine.accountMargin(A);
    // Before the fix: 1 wei of size moved with 4,500 wei of basis; equity fell by 1,591 wei, the health factor from
    // 0.473086419753086419 to 0.473086419753086408.
    expect(after.healthFactor >= before.healthFactor, `INV-18 health factor ${before.healthFactor} -> ${after.healthFactor}`).to.equal(
      true,
    );
  });
});
