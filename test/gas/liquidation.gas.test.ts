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
import { snapshotGas, snapshotValue } from "./snapshot";

const USDC = 10n ** 6n;
// Raised for issue #11 (per-auction terms slot, pending bad debt, 1 optimizer run for the auction: docs/GAS.md).
const REGRESSION_CEILING = { start: 190_000, partialBid: 210_000, startPlusBid: 400_000 };
// Batch starts through the AuctionStarter (issue #13 item 1): regression guards at the measured level (docs/GAS.md);
// the target of 80,000 per account amortised over 10 is not met by this design (see docs/GAS.md).
const BATCH_CEILING = { one: 190_000, ten: 1_150_000, perAccountOfTen: 115_000 };
/** Accounts in the measured batch. */
const BATCH = 10;
let salt = 1n;

async function fill(b: Ballast, maker: HardhatEthersSigner, taker: HardhatEthersSigner, size: bigint, price: bigint) {
  const order = await makeOrder({
    account: accountId(maker.address),
    marketId: 0,
    size,
    limitPrice: price,
    signer: maker.address,
    salt: salt++,
  });
  return b.venue
    .connect(taker)
    .fill(order, await signOrder(b, maker, order), accountId(taker.address), size < 0n ? -size : size, size < 0n ? 10n ** 40n : 0n);
}

async function publishAll(b: Ballast, t: number, eth: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t);
  await (await b.feeds["ETH/USD"].updateAnswer(eth)).wait();
  await time.setNextBlockTimestamp(t + 1);
  await (await b.feeds["BTC/USD"].updateAnswer(await b.feeds["BTC/USD"].latestAnswer())).wait();
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
  });
});
