/**
 * A price crash, end to end: accounts become liquidatable, keepers start auctions, bidders bid at different times,
 * an insolvent account is covered by the insurance fund and, once the fund's per-event cap is reached, the rest is
 * socialised. Every ledger invariant is checked after every step, and the losses add up exactly.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployBallast, fund, trade, accountId, WAD, type Ballast } from "../shared/fixtures";
import { checkInvariants } from "../shared/invariants";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";

const USDC = 10n ** 6n;

async function publish(b: Ballast, eth: bigint) {
  await (await b.feeds["ETH/USD"].updateAnswer(eth * 10n ** 8n)).wait();
  await (await b.feeds["BTC/USD"].updateAnswer(await b.feeds["BTC/USD"].latestAnswer())).wait();
}

async function crashFixture() {
  const b = await deployBallast();
  await time.increaseTo((Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10);
  await publish(b, 3000n);
  const [alice, bob, carol, dave, erin, frank, grace] = b.users;
  const signers: HardhatEthersSigner[] = [alice, bob, carol, dave, erin, frank, grace];
  await fund(b, alice, "USDC", 10_000n * USDC); // 10x long, solvent after the crash
  await fund(b, grace, "USDC", 4_000n * USDC); // 15x long, insolvent after the crash
  await fund(b, bob, "USDC", 3_000_000n * USDC); // market maker
  for (const s of [carol, dave, erin]) await fund(b, s, "USDC", 300_000n * USDC);
  await (await b.cash.connect(frank).mint(frank.address, 5_000n * USDC)).wait();
  await (await b.cash.connect(frank).approve(await b.fund.getAddress(), 5_000n * USDC)).wait();
  await (await b.fund.connect(frank).deposit(5_000n * USDC, frank.address)).wait();
  await b.fund.setEventCapRatio(WAD / 10n); // 10% of the fund per event
  await (await trade(b, bob, alice, "ETH-PERP", -10n * WAD, 3000n * WAD)).wait();
  await (await trade(b, bob, grace, "ETH-PERP", -20n * WAD, 3000n * WAD)).wait();
  const accounts = [...signers.map((s) => accountId(s.address)), accountId(b.deployer.address), await b.fund.fundAccount()];
  return { b, alice, bob, carol, dave, erin, frank, grace, accounts };
}

describe("integration: a crash liquidated end to end", function () {
  it("restores a solvent account through several bids, covers an insolvent one from the fund and socialises the rest; invariants hold throughout", async function () {
    const { b, alice, carol, dave, erin, grace, accounts } = await loadFixture(crashFixture);
    const A = accountId(alice.address);
    const G = accountId(grace.address);
    await checkInvariants(b, accounts);

    // The crash, first leg: ETH 3,000 -> 2,060. alice (10x) falls below maintenance margin but stays solvent.
    await publish(b, 2060n);
    expect((await b.engine.accountMargin(A)).liquidatable).to.equal(true);
    await b.auction.connect(carol).startAuction(A, accountId(carol.address));
    await checkInvariants(b, accounts);

    for (const [wait, bidder, fraction] of [
      [150, dave, WAD / 10n],
      [300, erin, WAD],
    ] as const) {
      await time.increase(wait);
      await publish(b, 2060n);
      const q = await b.auction.quote(A);
      await (await b.auction.connect(bidder).bid(A, accountId(bidder.address), fraction, q.nonce, q.unitPrice, "0x")).wait();
      await checkInvariants(b, accounts);
    }
    const m = await b.engine.accountMargin(A);
    expect(m.healthFactor >= (WAD * 12n) / 10n).to.equal(true); // back above the 20% buffer
    expect((await b.auction.auctionOf(A)).active).to.equal(false);

    // A further fall makes grace insolvent: the fund pays up to its event cap, the rest is socialised.
    await publish(b, 2000n);
    expect((await b.engine.accountMargin(G)).equity < 0n).to.equal(true);
    await b.auction.connect(carol).startAuction(G, accountId(carol.address));
    await time.increase(900);
    await publish(b, 2000n);
    const q = await b.auction.quote(G);
    // The fund's vault cash (its totalAssets marks grace's pending bad debt meanwhile, class 8).
    const fundCash = async () => b.vault.balanceOf(await b.fund.fundAccount(), await b.cash.getAddress());
    const fundBefore = await fundCash();
    expect(await b.fund.totalAssets()).to.be.lessThan(fundBefore);
    const receipt = await (await b.auction.connect(dave).bid(G, accountId(dave.address), WAD, q.nonce, q.unitPrice, "0x")).wait();
    const logs = receipt!.logs.map((l) => b.auction.interface.parseLog(l)).filter((l) => l !== null);
    const bid = logs.find((l) => l!.name === "AuctionBid")!;
    const drawn = logs.find((l) => l!.name === "InsuranceDrawn")!;
    const socialised = logs.find((l) => l!.name === "BadDebtSocialised")!;
    // Losses are borne in order and add up: the fund's payment plus the socialised rest equal the subsidy.
    expect(drawn.args.amount + socialised.args.amount).to.equal(bid.args.subsidy);
    expect(drawn.args.amount).to.equal((fundBefore * 10n ** 12n) / 10n); // the 10% cap, to the wei
    // The socialised rest then cuts every positive cash balance by the same factor, the fund's remainder included.
    const cut = receipt!.logs.map((l) => b.vault.interface.parseLog(l)).find((l) => l?.name === "LossSocialised")!;
    expect(cut.args.amount).to.equal(socialised.args.amount);
    // (Within one token unit: the fund's balance is a principal times the index, each step rounded down.)
    const left = ((fundBefore * 10n ** 12n - drawn.args.amount) * cut.args.indexAfter) / cut.args.indexBefore / 10n ** 12n;
    expect(await fundCash()).to.be.within(left - 1n, left + 1n);
    expect(await b.auction.pendingBadDebt()).to.equal(0n);
    expect(await b.fund.totalAssets()).to.equal(await fundCash());
    const report = await checkInvariants(b, accounts);
    expect(report.cashReserve >= 0n).to.equal(true);
  });
});
