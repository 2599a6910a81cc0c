/**
 * Review 6, L-1 (keeper side): a running auction keeps the parameters it started with (`auctionParams`), and the
 * keeper prices its bids with them, not with the parameter set governance has put in force since; new starts (the
 * tip) follow the current set, re-read after every `AuctionParamsSet`.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Keeper, KeeperLogEntry } from "../../src/keeper/keeper";
import { WAD } from "../shared/fixtures";
import { keeperOf, onLatest, sixLiquidatable } from "./fixtures";

describe("keeper: each auction priced with its own parameters", function () {
  it("bids on an auction at the price of the parameters it started with after governance lowered the curve for new auctions (review 6, L-1)", async function () {
    const f = await loadFixture(sixLiquidatable);
    const log: KeeperLogEntry[] = [];
    const keeper = await keeperOf(f, "eager", f.carol, 6, log, false);
    // Automine: each transaction lands in a block of its own, one second after the previous one.
    keeper.cfg.blockTime = 1;
    // Block 1: the keeper starts the six auctions (one transaction each, automined).
    const starts = (await onLatest(keeper)).sent.filter((s) => s.action === "start");
    expect(starts.length).to.equal(6);
    // Governance lowers the curve for auctions that start from now on: start 80%, fast 70%, floor 50%.
    const lower = { ...f.p, startPrice: (WAD * 80n) / 100n, fastPrice: (WAD * 70n) / 100n, floorPrice: WAD / 2n };
    await (await f.auction.setParams(lower)).wait();
    const running = await f.auction.auctionParams(f.A);
    expect(running.startPrice).to.equal(f.p.startPrice);
    expect((await f.auction.params()).startPrice).to.equal(lower.startPrice);

    // On the auctions' own curve (98% of V at the start) a bid does not pay yet: the keeper sends none and asks to
    // be woken later. On the new curve (80%) it would have bid at once with a price limit near 80% of V, under the
    // contract's price, and every bid would have reverted.
    const first = await onLatest(keeper);
    expect(first.sent).to.deep.equal([]);
    expect(first.wakeAt).to.not.equal(undefined);
    // Half a minute after the time it asked for (the six auctions started a second apart), it bids,
    // priced on the curve each started with: every bid fills.
    await time.setNextBlockTimestamp(first.wakeAt! + 30);
    await ethers.provider.send("evm_mine", []);
    const bids = (await onLatest(keeper)).sent.filter((s) => s.action === "bid");
    expect(bids.length).to.be.greaterThan(0);
    for (const b of bids) {
      const receipt = (await ethers.provider.getTransactionReceipt(b.hash))!;
      expect(receipt.status, `bid on ${b.account}`).to.equal(1);
      const [bid] = await f.auction.queryFilter(f.auction.filters.AuctionBid(b.account), receipt.blockNumber, receipt.blockNumber);
      const call = f.auction.interface.decodeFunctionData("bid", (await ethers.provider.getTransaction(b.hash))!.data);
      // The limit the keeper modelled covers the unit price the auction charged.
      expect(call.maxUnitPrice >= bid.args.unitPrice).to.equal(true);
    }
    // None refused for its price (carol's margin pays for two of the six: the rest fail on her initial margin).
    const refused = log.filter((e) => e.action === "failed").map((e) => String(e.detail.reason));
    expect(refused.filter((r) => !r.includes("AuctionBidderBelowInitialMargin"))).to.deep.equal([]);
  });

  it("re-reads the current parameters after AuctionParamsSet, so start tips follow a governance change", async function () {
    const f = await loadFixture(sixLiquidatable);
    const keeper = await keeperOf(f, "eager", f.carol, 6, [], false);
    const view = keeper.view;
    const before = await ethers.provider.getBlockNumber();
    await view.sync(before);
    expect((await view.params(before)).flatTip).to.equal(f.p.flatTip);
    await (await f.auction.setParams({ ...f.p, flatTip: 7n * WAD })).wait();
    const after = await ethers.provider.getBlockNumber();
    await view.sync(after);
    expect((await view.params(after)).flatTip).to.equal(7n * WAD);
    // Read once per change: a later block with no AuctionParamsSet reads nothing.
    const calls = view.calls;
    await ethers.provider.send("evm_mine", []);
    await view.sync(after + 1);
    const synced = view.calls;
    expect((await view.params(after + 1)).flatTip).to.equal(7n * WAD);
    expect(view.calls).to.equal(synced);
    expect(synced - calls).to.equal(1); // the event sync only
  });
});
