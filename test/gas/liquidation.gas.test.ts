/**
 * Gas of starting an auction and of a partial bid (issue #3), from receipts, compared with the committed snapshot.
 *
 * Issue #3 asks for startAuction <= 110,000 and a partial bid <= 150,000. This design measures more (see
 * docs/GAS.md for the breakdown and why): the ceilings asserted here guard the measured values against
 * regressions and are not the targets.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployOnFreshChain, fund, accountId, WAD, makeOrder, signOrder, type Ballast } from "../shared/fixtures";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { snapshotGas, snapshotValue, eightMarketParams } from "./snapshot";
import { GAS } from "../../src/keeper/strategy";

const USDC = 10n ** 6n;
// Raised for issue #11 (per-auction terms slot, pending bad debt, 1 optimizer run for the auction: docs/GAS.md).
const REGRESSION_CEILING = { start: 190_000, partialBid: 210_000, startPlusBid: 400_000 };
// Batch starts through the AuctionStarter (issue #13 item 1): regression guards at the measured level (docs/GAS.md);
// the target of 80,000 per account amortised over 10 is not met by this design (see docs/GAS.md).
const BATCH_CEILING = { one: 190_000, ten: 1_150_000, perAccountOfTen: 115_000 };
/** Accounts in the measured batch. */
const BATCH = 10;
/** Block gas limit of the throughput figure (issue #13 item 4: at least 250 liquidations per 60M-gas block). */
const BLOCK_GAS = 60_000_000;
/** Regression floor at the measured level (the 250 is not met: docs/GAS.md). */
const BLOCK_FLOOR = 200;
/**
 * Per extra market held, regression guards at the measured level: issue #13 item 4 asks for at most 10,000 on start
 * and bid, out of reach while every market's price is read fresh from its feed (docs/GAS.md has the breakdown).
 */
const PER_MARKET_CEILING = { start: 42_500, bid: 30_000 };
/** Per collateral token held, a regression guard at the measured level (a balance and a fresh price per token). */
const PER_COLLATERAL_CEILING = { start: 35_000, bid: 100_000 };
/** Chain time of the multi-market fixture. */
let T8 = 0;
let salt = 1n;

/** A fill of `size` of ETH-PERP (market 0) at `price`, `maker` signing and `taker` filling. */
async function fill(b: Ballast, maker: HardhatEthersSigner, taker: HardhatEthersSigner, size: bigint, price: bigint) {
  return fillIn(b, maker, taker, "ETH-PERP", size, price);
}

async function fillIn(b: Ballast, maker: HardhatEthersSigner, taker: HardhatEthersSigner, market: string, size: bigint, price: bigint) {
  const order = await makeOrder({
    account: accountId(maker.address),
    marketId: b.markets[market],
    size,
    limitPrice: price,
    signer: maker.address,
    salt: salt++,
  });
  return b.venue
    .connect(taker)
    .fill(order, await signOrder(b, maker, order), accountId(taker.address), size < 0n ? -size : size, size < 0n ? 10n ** 40n : 0n);
}

/** Re-publishes every feed at `t` (ETH/USD at `eth`), one block each. */
async function publishAll(b: Ballast, t: number, eth: bigint): Promise<void> {
  let i = 0;
  for (const [key, feed] of Object.entries(b.feeds)) {
    await time.setNextBlockTimestamp(t + i++);
    await (await feed.updateAnswer(key === "ETH/USD" ? eth : await feed.latestAnswer())).wait();
  }
}

/** alice: one ETH position and cash only; carol (keeper) and dave (bidder, already long ETH) hold accounts. */
async function liquidationFixture() {
  const b = await deployOnFreshChain();
  const T = (Math.floor((await time.latest()) / 3600) + 2) * 3600 + 10;
  await publishAll(b, T - 300, 3000n * 10n ** 8n);
  const [alice, bob, carol, dave] = b.users;
  await fund(b, alice, "USDC", 10_000n * USDC);
  await fund(b, bob, "USDC", 2_000_000n * USDC);
  await fund(b, carol, "USDC", 1_000n * USDC);
  await fund(b, dave, "USDC", 200_000n * USDC);
  await (await fill(b, bob, alice, -10n * WAD, 3000n * WAD)).wait();
  await (await fill(b, bob, dave, -1n * WAD, 3000n * WAD)).wait();
  return { b, T, alice, carol, dave };
}

/**
 * The liquidation fixture plus BATCH more owners (signers 5 to 14), each long 1 ETH at 3,000 with 1,000 USDC; all
 * of them and alice are liquidatable once ETH is at 2,050.
 */
async function batchFixture() {
  const f = await liquidationFixture();
  const { b } = f;
  const bob = b.users[1];
  const traders = b.users.slice(4, 4 + BATCH);
  for (const t of traders) {
    await fund(b, t, "USDC", 1_000n * USDC);
    await (await fill(b, bob, t, -1n * WAD, 3000n * WAD)).wait();
  }
  return { ...f, accounts: traders.map((t) => accountId(t.address)) };
}

/**
 * Eight markets on eight feeds (ETH, BTC and six at 100 USD). X holds 10 ETH long at 3,000 and 1 SOL; Y and Z hold
 * 10 ETH and 1 unit of each of the seven others (BTC: 0.01); each has enough cash that ETH at 2,050 leaves it
 * liquidatable and solvent. dave (the bidder) holds every market already.
 */
async function marketsFixture() {
  const b = await deployOnFreshChain(eightMarketParams());
  T8 = (Math.floor((await time.latest()) / 3600) + 2) * 3600 + 10;
  await publishAll(b, T8 - 600, 3000n * 10n ** 8n);
  const [x, bob, carol, dave, y, z] = b.users;
  await fund(b, bob, "USDC", 10_000_000n * USDC);
  await fund(b, carol, "USDC", 1_000n * USDC);
  await fund(b, dave, "USDC", 1_000_000n * USDC);
  await fund(b, x, "USDC", 9_800n * USDC);
  await fund(b, y, "USDC", 9_800n * USDC);
  await fund(b, z, "USDC", 9_800n * USDC);
  const size = (m: string) => (m === "BTC-PERP" ? WAD / 100n : WAD);
  const price = (m: string) => (m === "BTC-PERP" ? 60_000n : 100n) * WAD;
  for (const who of [x, y, z, dave]) await (await fillIn(b, bob, who, "ETH-PERP", -10n * WAD, 3000n * WAD)).wait();
  await (await fillIn(b, bob, x, "SOL-PERP", -WAD, 100n * WAD)).wait();
  for (const m of Object.keys(b.markets)) {
    if (m === "ETH-PERP") continue;
    await (await fillIn(b, bob, y, m, -size(m), price(m))).wait();
    await (await fillIn(b, bob, z, m, -size(m), price(m))).wait();
    await (await fillIn(b, bob, dave, m, -size(m), price(m))).wait();
  }
  return { b, X: accountId(x.address), Y: accountId(y.address), Z: accountId(z.address), carol, dave };
}

describe("gas: liquidation (#3)", function () {
  it("records startAuction and a partial bid on an account with one position and one collateral", async function () {
    const { b, T, alice, carol, dave } = await loadFixture(liquidationFixture);
    const A = accountId(alice.address);
    await publishAll(b, T, 2050n * 10n ** 8n);
    await time.setNextBlockTimestamp(T + 2);
    const start = await snapshotGas(
      "auction: startAuction, one position and cash",
      b.auction.connect(carol).startAuction(A, accountId(carol.address)),
    );
    await publishAll(b, T + 118, 2050n * 10n ** 8n);
    await time.setNextBlockTimestamp(T + 122);
    const nonce = await b.vault.accountNonce(A);
    const bid = await snapshotGas(
      "auction: partial bid (10%) by a bidder already holding the market",
      b.auction.connect(dave).bid(A, accountId(dave.address), WAD / 10n, nonce, 10n ** 30n, "0x"),
    );
    snapshotValue("auction: startAuction plus a partial bid", start + bid);
    expect(start).to.be.at.most(REGRESSION_CEILING.start);
    expect(bid).to.be.at.most(REGRESSION_CEILING.partialBid);
    expect(start + bid).to.be.at.most(REGRESSION_CEILING.startPlusBid);
  });

  it("records automated deleveraging of an insolvent one-market account the (empty) insurance fund cannot cover", async function () {
    const { b, T, alice, carol } = await loadFixture(liquidationFixture);
    const A = accountId(alice.address);
    // ETH at 1,800: alice's 10 ETH lose 12,000 against her 10,000 USDC; bob's short of 11 is the other side.
    await publishAll(b, T, 1800n * 10n ** 8n);
    await time.setNextBlockTimestamp(T + 2);
    await (await b.auction.connect(carol).startAuction(A, accountId(carol.address))).wait();
    await time.setNextBlockTimestamp(T + 4);
    const gas = await snapshotGas("auction: deleverage (ADL), one market", b.auction.connect(carol).deleverage(A));
    // The keeper's expected use for a one-market account (src/keeper/strategy.ts GAS.deleverage) covers it.
    expect(BigInt(gas)).to.be.at.most(GAS.deleverage.used);
  });

  it("records batch starts through the AuctionStarter: one account, and ten accounts with the per-account share (#13)", async function () {
    const { b, T, alice, carol, accounts } = await loadFixture(batchFixture);
    const K = accountId(carol.address);
    await publishAll(b, T, 2050n * 10n ** 8n);
    await time.setNextBlockTimestamp(T + 2);
    const one = await snapshotGas(
      "starter: startAuctions, batch of 1 (one position and cash)",
      b.starter.connect(carol).startAuctions([accountId(alice.address)], K),
    );
    await time.setNextBlockTimestamp(T + 3);
    const ten = await snapshotGas(
      "starter: startAuctions, batch of 10 (one position and cash each)",
      b.starter.connect(carol).startAuctions(accounts, K),
    );
    for (const a of accounts) expect((await b.auction.auctionOf(a)).active).to.equal(true);
    const perAccount = Math.round(ten / BATCH);
    snapshotValue("starter: startAuctions, batch of 10, per account (total / 10)", perAccount);
    expect(one).to.be.at.most(BATCH_CEILING.one);
    expect(ten).to.be.at.most(BATCH_CEILING.ten);
    expect(perAccount).to.be.at.most(BATCH_CEILING.perAccountOfTen);

    // One liquidation = its share of a batch start + one bid taking the whole portfolio (R is under dustMargin, so
    // the whole may be bought at once) by a bidder already holding the market; the bid ends the auction.
    await publishAll(b, T + 118, 2050n * 10n ** 8n);
    await time.setNextBlockTimestamp(T + 122);
    const dave = b.users[3];
    const whole = await snapshotGas(
      "auction: whole bid on a one-market portfolio under dustMargin (ends the auction)",
      b.auction.connect(dave).bid(accounts[0], accountId(dave.address), WAD, await b.vault.accountNonce(accounts[0]), 10n ** 30n, "0x"),
    );
    expect((await b.auction.auctionOf(accounts[0])).active).to.equal(false);
    const ended = await b.auction.queryFilter(b.auction.filters.AuctionEnded(accounts[0]));
    expect(ended.map((e) => e.args.reason)).to.deep.equal([1n]); // EndReason.Emptied: the bid took the whole portfolio
    const perBlock = Math.floor(BLOCK_GAS / (perAccount + whole));
    snapshotValue("liquidations per 60M-gas block (batched start + whole bid)", perBlock);
    expect(perBlock).to.be.at.least(BLOCK_FLOOR);
  });

  it("records what each collateral token held adds to a start and to a partial bid (cash only against cash, WETH and WBTC)", async function () {
    const f = await loadFixture(liquidationFixture);
    const { b, T, carol } = f;
    const bob = b.users[1];
    const [warm, cashOnly, withTokens] = b.users.slice(4, 7);
    // Each long 1 ETH at 3,000; at 2,050 each is liquidatable and solvent. The tokens are worth a few USDC.
    for (const t of [warm, cashOnly, withTokens]) {
      await fund(b, t, "USDC", 1_000n * USDC);
      await (await fill(b, bob, t, -1n * WAD, 3000n * WAD)).wait();
    }
    await fund(b, withTokens, "WETH", WAD / 1000n);
    await fund(b, withTokens, "WBTC", 10_000n); // 0.0001 WBTC (8 decimals)
    const K = accountId(carol.address);
    await publishAll(b, T, 2050n * 10n ** 8n);
    // The first start in the market writes its breaker slot new (+20,000): a crash's steady state has it written.
    await time.setNextBlockTimestamp(T + 10);
    await (await b.auction.connect(carol).startAuction(accountId(warm.address), K)).wait();
    await time.setNextBlockTimestamp(T + 11);
    const tx1 = await (await b.auction.connect(carol).startAuction(accountId(cashOnly.address), K)).wait();
    await time.setNextBlockTimestamp(T + 12);
    const tx3 = await (await b.auction.connect(carol).startAuction(accountId(withTokens.address), K)).wait();
    expect(await b.vault.accountTokens(accountId(withTokens.address))).to.equal(3n); // WETH and WBTC: token bits 0 and 1
    const perToken = Math.ceil((Number(tx3!.gasUsed) - Number(tx1!.gasUsed)) / 2);
    snapshotValue("auction: each additional collateral token on startAuction (cash vs cash, WETH and WBTC)", perToken);
    expect(perToken).to.be.at.most(PER_COLLATERAL_CEILING.start);
    // A partial bid (10%) on each, by dave (already long ETH). The warm account's bid goes first (its market's state
    // and dave's position written in this block's steady state); dave receives WETH and WBTC for the first time in
    // the last bid, so the per-token figure includes his new balance slots and token bitmap: a bidder's worst case.
    await publishAll(b, T + 118, 2050n * 10n ** 8n);
    const D = accountId(f.dave.address);
    const bidOn = async (who: HardhatEthersSigner, t: number) => {
      await time.setNextBlockTimestamp(T + t);
      const A = accountId(who.address);
      return (await (await b.auction.connect(f.dave).bid(A, D, WAD / 10n, await b.vault.accountNonce(A), 10n ** 30n, "0x")).wait())!;
    };
    await bidOn(warm, 122);
    const bid1 = await bidOn(cashOnly, 123);
    const bid3 = await bidOn(withTokens, 124);
    const perTokenBid = Math.ceil((Number(bid3.gasUsed) - Number(bid1.gasUsed)) / 2);
    snapshotValue("auction: each additional collateral token on a partial bid (cash vs cash, WETH and WBTC)", perTokenBid);
    expect(perTokenBid).to.be.at.most(PER_COLLATERAL_CEILING.bid);
  });

  it("records what each extra market held adds to a start and to a partial bid (accounts of 2 and 8 markets)", async function () {
    const { b, X, Y, Z, carol, dave } = await loadFixture(marketsFixture);
    const K = accountId(carol.address);
    await publishAll(b, T8, 2050n * 10n ** 8n);
    // Z's auction (8 markets, not measured) leaves every market's breaker slot written: the steady state of a crash,
    // where auctions are running in every market (a market's first running auction writes that slot new, +20,000).
    await time.setNextBlockTimestamp(T8 + 9);
    await (await b.auction.connect(carol).startAuction(Z, K)).wait();
    await time.setNextBlockTimestamp(T8 + 10);
    const start2 = await snapshotGas("auction: startAuction, 2 markets and cash", b.auction.connect(carol).startAuction(X, K));
    await time.setNextBlockTimestamp(T8 + 11);
    const start8 = await snapshotGas("auction: startAuction, 8 markets and cash", b.auction.connect(carol).startAuction(Y, K));
    await publishAll(b, T8 + 110, 2050n * 10n ** 8n);
    // Every market's cached price and funding brought up to date (an active market's steady state), as the fill
    // measurements do (test/gas/core.gas.test.ts).
    let offset = 120;
    for (const id of Object.values(b.markets)) {
      await time.setNextBlockTimestamp(T8 + offset++);
      await (await b.engine.updateMarket(id)).wait();
    }
    await time.setNextBlockTimestamp(T8 + 130);
    const D = accountId(dave.address);
    const bid2 = await snapshotGas(
      "auction: partial bid (10%), 2 markets",
      b.auction.connect(dave).bid(X, D, WAD / 10n, await b.vault.accountNonce(X), 10n ** 30n, "0x"),
    );
    await time.setNextBlockTimestamp(T8 + 131);
    const bid8 = await snapshotGas(
      "auction: partial bid (10%), 8 markets",
      b.auction.connect(dave).bid(Y, D, WAD / 10n, await b.vault.accountNonce(Y), 10n ** 30n, "0x"),
    );
    const startPerMarket = Math.ceil((start8 - start2) / 6);
    const bidPerMarket = Math.ceil((bid8 - bid2) / 6);
    snapshotValue("auction: each additional market on startAuction (2 vs 8 markets)", startPerMarket);
    snapshotValue("auction: each additional market on a partial bid (2 vs 8 markets)", bidPerMarket);
    expect(startPerMarket).to.be.at.most(PER_MARKET_CEILING.start);
    expect(bidPerMarket).to.be.at.most(PER_MARKET_CEILING.bid);
  });
});
