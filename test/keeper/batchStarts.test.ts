/**
 * Batch starts (issue 13 item 1): with the deployment's AuctionStarter, a keeper sends one block's starts as ONE
 * `startAuctions` transaction, its gas limit sized from the count, and keeps its per-account bookkeeping (an account
 * in a batch not yet mined is not sent again; the rest of the backlog goes out in the next block). Two keepers racing
 * on the same accounts do not revert: the later batch skips the accounts the earlier one started. A batch that
 * reverts (one account over a shortfall cap) is retried one account per transaction. Accounts a batch skipped because they
 * were no longer liquidatable when it ran are read again in the next block, not at the next oracle round. A batch
 * must pay its whole gas; an account passed over stays in the backlog and is priced again each block, and the accounts
 * of a batch that did not pay are tried after those not tried yet.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Keeper, KeeperLogEntry } from "../../src/keeper/keeper";
import {
  batchStartGasLimit,
  batchStartGasUsed,
  extraStartGas,
  GAS,
  gasCostCash,
  nextBaseFeeFloor,
  tipEstimate,
} from "../../src/keeper/strategy";
import { accountId, fund, WAD, type Ballast } from "../shared/fixtures";
import { startHash } from "../../src/keeper/startOrder";
import type { AuctionParams } from "../../src/model/auction";
import { setEth, USDC } from "../unit/LiquidationAuction/helpers";
import { riskParamsOf } from "../unit/MarginEngine/helpers";
import { eightMarketsLiquidatable, keeperOf, onLatest, sixLiquidatable } from "./fixtures";

const GWEI = 10n ** 9n;
/** Each fixture account's tip (6.30 USDC: 10 ETH long at 3,000 with 10,000 USDC, ETH at 2,050). */
const TIP = 6_300_000_000_000_000_000n;
/** The tip the keeper estimates for a fixture account under `p` when the next block's base fee is `baseFee`. */
const tipAt = (p: AuctionParams, baseFee: bigint) =>
  tipEstimate(
    p,
    { equity: 485n * WAD, maintenance: 615n * WAD, requirement: 615n * WAD, markToMarket: 485n * WAD },
    nextBaseFeeFloor(baseFee),
  );
/** Cost [WAD cash] of `gas` gas at `baseFee` plus the fixture keepers' 1 gwei priority fee, ETH at 2,050. */
const cost = (gas: bigint, baseFee: bigint) => gasCostCash(gas, baseFee + GWEI, 2050n * WAD);
/** The latest block as a keeper sending for a block whose base fee is `baseFee` sees it. */
async function at(baseFee: bigint) {
  const block = (await ethers.provider.getBlock("latest"))!;
  return { block: block.number, timestamp: block.timestamp, baseFee };
}

describe("keeper batch starts through the AuctionStarter", function () {
  afterEach(async function () {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("sends one block's starts as ONE startAuctions transaction (gas limit sized from the count), then the rest of the backlog in the next block", async function () {
    const f = await loadFixture(sixLiquidatable);
    const log: KeeperLogEntry[] = [];
    const keeper = await keeperOf(f, "eager", f.carol, 4, log);
    await network.provider.send("evm_setAutomine", [false]);
    const first = await onLatest(keeper);
    expect(first.sent.map((s) => [s.action, s.accounts?.length])).to.deep.equal([["start", 4]]);
    const tx1 = (await ethers.provider.getTransaction(first.sent[0].hash))!;
    expect(tx1.to).to.equal(await f.starter.getAddress());
    expect(tx1.gasLimit).to.equal(BigInt(batchStartGasLimit(4)));
    const call = f.starter.interface.decodeFunctionData("startAuctions", tx1.data);
    expect([...call.accounts]).to.deep.equal(first.sent[0].accounts);
    expect(call.tipAccount).to.equal(accountId(f.carol.address));
    await network.provider.send("evm_mine", []);
    const second = await onLatest(keeper);
    expect(second.sent.map((s) => s.accounts?.length)).to.deep.equal([2]);
    await network.provider.send("evm_mine", []);
    expect((await onLatest(keeper)).sent).to.deep.equal([]);

    // Every account started once, by the starter, tips to carol; the keeper logs one start per account.
    const batched = [...first.sent[0].accounts!, ...second.sent[0].accounts!];
    expect([...batched].sort()).to.deep.equal([...f.subs].sort());
    const events = await f.auction.queryFilter(f.auction.filters.AuctionStarted());
    expect(events.map((e) => e.args.account)).to.deep.equal(batched);
    expect(new Set(events.map((e) => e.args.starter))).to.deep.equal(new Set([await f.starter.getAddress()]));
    expect(new Set(events.map((e) => e.args.tipAccount))).to.deep.equal(new Set([accountId(f.carol.address)]));
    expect(log.filter((e) => e.action === "start").map((e) => e.account)).to.deep.equal(batched);
    expect(keeper.stats.starts).to.equal(6);
  });

  it("sends an account in eight markets with two collateral tokens with the gas its start needs: the batch of one succeeds, where the one-market limit would have run out", async function () {
    const f = await loadFixture(eightMarketsLiquidatable);
    const row = (await f.lens.accountsHealth([f.A]))[0];
    expect([row.liquidatable, row.marketCount, row.collateralCount]).to.deep.equal([true, 8n, 2n]);
    const keeper = await keeperOf(f, "eager", f.carol, 1, []);
    const out = await onLatest(keeper);
    expect(out.sent.map((s) => s.accounts)).to.deep.equal([[f.A]]);
    const extra = extraStartGas({ marketCount: 8, collateralCount: 2 });
    expect(extra).to.deep.equal({ used: 7n * 40_700n + 2n * 33_000n, limit: 7 * 61_000 + 2 * 50_000 });
    const tx = (await ethers.provider.getTransaction(out.sent[0].hash))!;
    expect(tx.gasLimit).to.equal(BigInt(batchStartGasLimit(1) + extra.limit));
    const receipt = (await ethers.provider.getTransactionReceipt(out.sent[0].hash))!;
    expect(receipt.status).to.equal(1);
    expect((await f.auction.quote(f.A)).active).to.equal(true);
    // More than a batch of one was given before the markets and tokens counted, and within 5% of what the keeper
    // expects it to use (its profit estimate).
    expect(receipt.gasUsed).to.be.greaterThan(BigInt(batchStartGasLimit(1)));
    const expected = Number(batchStartGasUsed(1) + extra.used);
    expect(Number(receipt.gasUsed)).to.be.within(expected * 0.95, expected * 1.05);
  });

  it("does not send an account again while its batch waits to be mined", async function () {
    const f = await loadFixture(sixLiquidatable);
    const keeper = await keeperOf(f, "eager", f.carol, 6, []);
    await network.provider.send("evm_setAutomine", [false]);
    const block = (await ethers.provider.getBlock("latest"))!;
    const ctx = { block: block.number, timestamp: block.timestamp, baseFee: block.baseFeePerGas ?? 0n };
    expect((await keeper.onBlock(ctx)).sent.map((s) => s.accounts?.length)).to.deep.equal([6]);
    // The same block seen again (the batch still in the mempool): nothing to send.
    expect((await keeper.onBlock(ctx)).sent).to.deep.equal([]);
    await network.provider.send("evm_mine", []);
    for (const account of f.subs) expect((await f.auction.quote(account)).active).to.equal(true);
  });

  it("two keepers batching the same accounts in one block: the later batch skips them instead of reverting", async function () {
    const f = await loadFixture(sixLiquidatable);
    const a = await keeperOf(f, "eager", f.carol, 6, []);
    const b = await keeperOf(f, "eager", f.dave, 6, []);
    await network.provider.send("evm_setAutomine", [false]);
    const sentA = (await onLatest(a)).sent;
    const sentB = (await onLatest(b)).sent;
    await network.provider.send("evm_mine", []);
    const receipts = await Promise.all([...sentA, ...sentB].map((s) => ethers.provider.getTransactionReceipt(s.hash)));
    expect(receipts.map((r) => r!.status)).to.deep.equal([1, 1]);
    const ran = receipts.map((r) => f.starter.interface.parseLog(r!.logs[r!.logs.length - 1])!.args);
    // Each account started once in all; what one keeper started the other skipped.
    expect(ran.map((x) => Number(x.started) + Number(x.skipped))).to.deep.equal([6, 6]);
    expect(Number(ran[0].started) + Number(ran[1].started)).to.equal(6);
  });

  it("retries the accounts of a reverted batch one transaction each, so one account's error (a shortfall cap) does not hold the others back", async function () {
    const f = await loadFixture(sixLiquidatable);
    const log: KeeperLogEntry[] = [];
    const keeper = await keeperOf(f, "eager", f.carol, 6, log);
    // Each account's shortfall is 130: the global cap lets exactly two auctions run.
    await f.auction.setGlobalShortfallCap(260n * WAD);
    await network.provider.send("evm_setAutomine", [false]);
    const first = await onLatest(keeper);
    expect(first.sent.map((s) => s.accounts?.length)).to.deep.equal([6]);
    await network.provider.send("evm_mine", []);
    const batchReceipt = await ethers.provider.getTransactionReceipt(first.sent[0].hash);
    expect(batchReceipt!.status).to.equal(0);
    // Next block: six single startAuction transactions, in the same order.
    const second = await onLatest(keeper);
    expect(second.sent.map((s) => [s.action, s.accounts])).to.deep.equal(Array(6).fill(["start", undefined]));
    expect(second.sent.map((s) => s.account)).to.deep.equal(first.sent[0].accounts);
    for (const s of second.sent) expect((await ethers.provider.getTransaction(s.hash))!.to).to.equal(await f.auction.getAddress());
    await network.provider.send("evm_mine", []);
    const statuses = await Promise.all(second.sent.map(async (s) => (await ethers.provider.getTransactionReceipt(s.hash))!.status));
    expect(statuses).to.deep.equal([1, 1, 0, 0, 0, 0]);
    const active = await Promise.all(f.subs.map(async (a) => (await f.auction.quote(a)).active));
    expect(active.filter(Boolean).length).to.equal(2);
  });

  it("reads again in the next block the accounts its batch skipped as no longer liquidatable (a maintenance ratio ramping down, which no event names), before any oracle round, and not while it reads a block before the batch (latency)", async function () {
    const f = await loadFixture(sixLiquidatable);
    const keeper = await keeperOf(f, "eager", f.carol, 6, []);
    // ETH-PERP's maintenance ratio ramps from 3% down to 2% at 5 points an hour: each account's maintenance margin
    // (10 ETH at 2,050) falls by 205 USDC within 12 minutes, more than its 130 USDC shortfall.
    const eth = f.markets["ETH-PERP"];
    await f.configurator.setRiskParams(eth, { ...(await riskParamsOf(f, eth)), mmrBase: WAD / 50n, maxRatioStepPerHour: WAD / 20n });
    await network.provider.send("evm_setAutomine", [false]);
    const first = await onLatest(keeper);
    expect(first.sent.map((s) => s.accounts?.length)).to.deep.equal([6]);
    await network.provider.send("evm_increaseTime", [900]);
    await network.provider.send("evm_mine", []);
    const receipt = (await ethers.provider.getTransactionReceipt(first.sent[0].hash))!;
    const ran = f.starter.interface.parseLog(receipt.logs[receipt.logs.length - 1])!.args;
    expect([ran.started, ran.skipped]).to.deep.equal([0n, 6n]);
    const partial = keeper.view.scans.partial;
    // A keeper still reading the block the batch was sent in (latency) does not know the receipt yet: nothing re-read.
    const sentIn = (await ethers.provider.getBlock(receipt.blockNumber - 1))!;
    expect(
      (await keeper.onBlock({ block: sentIn.number, timestamp: sentIn.timestamp, baseFee: sentIn.baseFeePerGas ?? 0n })).sent,
    ).to.deep.equal([]);
    expect(keeper.view.scans.partial).to.equal(partial);
    // The batch's block: no oracle round, yet the six accounts are read again, healthy; nothing is sent.
    const second = await onLatest(keeper);
    expect(second.sent).to.deep.equal([]);
    expect(keeper.view.scans.partial).to.equal(partial + 1);
    const rows = keeper.view.rowsReadAt(receipt.blockNumber);
    expect(rows.map((r) => r.account).sort()).to.deep.equal([...f.subs].sort());
    expect(rows.map((r) => r.liquidatable)).to.deep.equal(Array(6).fill(false));
    // Read once: the block after reads nothing again.
    await network.provider.send("evm_mine", []);
    expect((await onLatest(keeper)).sent).to.deep.equal([]);
    expect(keeper.view.scans.partial).to.equal(partial + 1);
  });

  it("does not send a batch whose tips pay each account's own gas but not the batch's fixed part; a larger batch carries it", async function () {
    const f = await loadFixture(sixLiquidatable);
    // At a base fee of 20 gwei (1 gwei of priority fee) and ETH at 2,050 each account's tip, 6.30 USDC, pays its own
    // share of a batch (76,100 gas: 3.28 USDC) but not a batch of one (163,100 gas: 7.02 USDC); six tips pay a batch
    // of six (543,600 gas: 23.40 USDC).
    const baseFee = 20n * GWEI;
    expect([
      tipAt(f.p, baseFee),
      cost(GAS.batchStart.perAccount, baseFee),
      cost(batchStartGasUsed(1), baseFee),
      cost(batchStartGasUsed(6), baseFee),
    ]).to.deep.equal([TIP, 3_276_105_000_000_000_000n, 7_021_455_000_000_000_000n, 23_401_980_000_000_000_000n]);
    await network.provider.send("evm_setAutomine", [false]);
    const one = await keeperOf(f, "eager", f.carol, 1, []);
    expect((await one.onBlock(await at(baseFee))).sent).to.deep.equal([]);
    const six = await keeperOf(f, "eager", f.dave, 6, []);
    expect((await six.onBlock(await at(baseFee))).sent.map((s) => s.accounts?.length)).to.deep.equal([6]);
  });

  it("keeps an account whose tip did not pay its gas and starts it once the base fee has fallen, without waiting for an oracle round", async function () {
    const f = await loadFixture(sixLiquidatable);
    // Only alice's main account stays liquidatable.
    for (const account of f.subs.slice(1)) await fund(f as Ballast, f.alice, "USDC", 10_000n * USDC, account);
    const keeper = await keeperOf(f, "eager", f.carol, 1, []);
    await network.provider.send("evm_setAutomine", [false]);
    expect((await keeper.onBlock(await at(20n * GWEI))).sent).to.deep.equal([]);
    const scans = keeper.stats.scans;
    // At 10 gwei a batch of one costs 3.68 USDC: the account, still in the backlog, is started with no new scan.
    expect(cost(batchStartGasUsed(1), 10n * GWEI)).to.equal(3_677_905_000_000_000_000n);
    expect(tipAt(f.p, 10n * GWEI)).to.equal(TIP);
    const second = await keeper.onBlock(await at(10n * GWEI));
    expect(keeper.stats.scans).to.equal(scans);
    expect(second.sent.map((s) => s.accounts)).to.deep.equal([[f.A]]);
    await network.provider.send("evm_mine", []);
    expect((await f.auction.quote(f.A)).active).to.equal(true);
  });

  it("tries the accounts of a batch that did not pay after the accounts not tried yet, also once an event re-sorts the backlog, so they do not take every block's start room", async function () {
    const f = await loadFixture(sixLiquidatable);
    const order = [...f.subs].sort((a, b) => (startHash("eager", a) < startHash("eager", b) ? -1 : 1));
    const keeper = await keeperOf(f, "eager", f.carol, 1, []);
    await network.provider.send("evm_setAutomine", [false]);
    // One start a call: at 20 gwei the first two accounts in the keeper's order are each a batch of one that does not pay.
    for (let i = 0; i < 2; i++) expect((await keeper.onBlock(await at(20n * GWEI))).sent).to.deep.equal([]);
    // A deposit of 1 USDC (still liquidatable) makes the keeper read the last account again and re-sort its backlog.
    await network.provider.send("evm_setAutomine", [true]);
    await fund(f as Ballast, f.alice, "USDC", USDC, order[5]);
    await network.provider.send("evm_setAutomine", [false]);
    const partial = keeper.view.scans.partial;
    // At 10 gwei every account is started, one a call, the two passed over last.
    const sentAccounts: bigint[][] = [];
    for (let i = 0; i < 7; i++) sentAccounts.push(...(await keeper.onBlock(await at(10n * GWEI))).sent.map((s) => s.accounts!));
    expect(keeper.view.scans.partial).to.equal(partial + 1);
    expect(sentAccounts).to.deep.equal([...order.slice(2), ...order.slice(0, 2)].map((a) => [a]));
  });

  it("forgets an account it was to start alone once a scan no longer lists it, and batches it when it is liquidatable again", async function () {
    const f = await loadFixture(sixLiquidatable);
    const order = [...f.subs].sort((a, b) => (startHash("eager", a) < startHash("eager", b) ? -1 : 1));
    const keeper = await keeperOf(f, "eager", f.carol, 2, []);
    // A shortfall cap of one account's 130 USDC: the first batch of two reverts.
    await f.auction.setGlobalShortfallCap(130n * WAD);
    await network.provider.send("evm_setAutomine", [false]);
    const first = await onLatest(keeper);
    expect(first.sent.map((s) => s.accounts)).to.deep.equal([order.slice(0, 2)]);
    await network.provider.send("evm_mine", []);
    expect((await ethers.provider.getTransactionReceipt(first.sent[0].hash))!.status).to.equal(0);
    // At 40 gwei no start pays (76,100 gas: 6.40 USDC against a tip of 6.30): the two stay, to be started alone.
    expect(cost(GAS.batchStart.perAccount, 40n * GWEI)).to.equal(6_396_205_000_000_000_000n);
    expect((await keeper.onBlock(await at(40n * GWEI))).sent).to.deep.equal([]);
    // 300 USDC more makes them healthy; a scan at the next oracle round no longer lists them.
    await network.provider.send("evm_setAutomine", [true]);
    for (const account of order.slice(0, 2)) await fund(f as Ballast, f.alice, "USDC", 300n * USDC, account);
    await setEth(f, 2051);
    await network.provider.send("evm_setAutomine", [false]);
    const scans = keeper.stats.scans;
    expect((await keeper.onBlock(await at(40n * GWEI))).sent).to.deep.equal([]);
    expect(keeper.stats.scans).to.equal(scans + 1);
    // ETH at 1,990: all six are liquidatable again; with room for six, one batch holds them all.
    await network.provider.send("evm_setAutomine", [true]);
    await f.auction.setGlobalShortfallCap(10n ** 30n);
    await setEth(f, 1990);
    await network.provider.send("evm_setAutomine", [false]);
    keeper.cfg.maxStartsPerBlock = 6;
    const last = await onLatest(keeper);
    expect(last.sent.map((s) => s.accounts?.length)).to.deep.equal([6]);
    expect([...last.sent[0].accounts!].sort()).to.deep.equal([...f.subs].sort());
  });

  it("sends a batch whose tips do not pay its gas when it holds an account with no equity (started for its subsidised bids)", async function () {
    const f = await loadFixture(sixLiquidatable);
    // 300 USDC more for five accounts; at ETH 1,995 alice's main account has no equity, the five have some.
    for (const account of f.subs.slice(1)) await fund(f as Ballast, f.alice, "USDC", 300n * USDC, account);
    await setEth(f, 1995);
    const rows = await f.lens.accountsHealth([f.A, f.subs[1]]);
    expect(rows.map((r) => [r.liquidatable, r.equity > 0n])).to.deep.equal([
      [true, false],
      [true, true],
    ]);
    const fiveTip = tipEstimate(
      f.p,
      {
        equity: rows[1].equity,
        maintenance: rows[1].maintenanceMargin,
        requirement: rows[1].requirement,
        markToMarket: rows[1].markToMarket,
      },
      nextBaseFeeFloor(20n * GWEI),
    );
    // At 20 gwei one of the five pays its own batch share but not a batch of two with the account that pays no tip.
    const price = (gas: bigint) => gasCostCash(gas, 21n * GWEI, 1995n * WAD);
    expect(fiveTip > price(GAS.batchStart.perAccount) && fiveTip < price(batchStartGasUsed(2))).to.equal(true);
    const keeper = await keeperOf(f, "eager", f.carol, 2, []);
    await network.provider.send("evm_setAutomine", [false]);
    const sent = (await keeper.onBlock(await at(20n * GWEI))).sent;
    expect(sent.map((s) => s.accounts?.length)).to.deep.equal([2]);
    expect(sent[0].accounts![0]).to.equal(f.A);
  });
});
