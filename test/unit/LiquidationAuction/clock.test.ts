import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import fc from "fast-check";
import { auctionFixture, accountId, WAD, type AuctionFixture } from "./helpers";
import { advance, type ClockInput } from "../../../src/model/auction";
import { AuctionMathHarness__factory, MockV3Aggregator__factory, type MockV3Aggregator } from "../../../typechain-types";

/** Publishes `feed`'s current answer (or `answer`, 8 decimals) in a block at exactly `t`. */
async function publish(feed: MockV3Aggregator, t: number, answer?: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t);
  await (await feed.updateAnswer(answer ?? (await feed.latestAnswer()))).wait();
}

/** Crashes ETH to 2,050 at T - 2 (BTC refreshed at T - 1) and starts alice's auction at T; returns T. */
async function startAt(f: AuctionFixture, T: number): Promise<void> {
  await publish(f.feeds["ETH/USD"], T - 2, 2050n * 10n ** 8n);
  await publish(f.feeds["BTC/USD"], T - 1);
  await time.setNextBlockTimestamp(T);
  await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address));
}

async function checkpointAt(f: AuctionFixture, t: number) {
  await time.setNextBlockTimestamp(t);
  return f.auction.checkpoint(f.A);
}

describe("LiquidationAuction: the stopped clock", function () {
  it("stops while a feed is stale: the outage is not counted and the price does not fall meanwhile", async function () {
    const f = await loadFixture(auctionFixture);
    const T = (await time.latest()) + 100;
    await startAt(f, T);
    // ETH updated at T - 2 with a one-hour heartbeat: fresh until T + 3598. BTC keeps updating.
    await publish(f.feeds["BTC/USD"], T + 1000);
    await expect(checkpointAt(f, T + 5000))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 3598n, false);
    // The feed resumes; only time after its update counts (alice depends on ETH/USD only).
    await publish(f.feeds["ETH/USD"], T + 7000);
    await publish(f.feeds["BTC/USD"], T + 7001);
    await expect(checkpointAt(f, T + 7100))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 3598n + 100n, true);
    expect((await f.auction.auctionOf(f.A)).elapsed).to.equal(3698n);
  });

  it("stops while the L2 sequencer is down and during its grace period", async function () {
    const f = await loadFixture(auctionFixture);
    const seq = await new MockV3Aggregator__factory(f.deployer).deploy(0, 0);
    const T = (await time.latest()) + 100;
    await seq.updateRoundData(1, 0, T - 10_000, T - 10_000); // up for a long time
    await f.oracle.setSequencerFeed(await seq.getAddress(), 3600);
    await startAt(f, T);
    await time.setNextBlockTimestamp(T + 600);
    await seq.updateRoundData(2, 1, T + 600, T + 600); // down at T + 600
    // Down now: earlier outages since the checkpoint cannot be ruled out, so nothing is counted (class 10).
    await expect(checkpointAt(f, T + 900))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 0n, false);
    await time.setNextBlockTimestamp(T + 1500);
    await seq.updateRoundData(3, 0, T + 1500, T + 1500); // up again; grace until T + 5100
    await expect(checkpointAt(f, T + 3000))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 0n, false);
    await publish(f.feeds["ETH/USD"], T + 5000);
    await publish(f.feeds["BTC/USD"], T + 5001);
    // Valid from T + 5101 (past grace); counted to T + 5200.
    await expect(checkpointAt(f, T + 5200))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 99n, true);
  });

  it("does not count an outage of the sequencer that started and ended between two checkpoints", async function () {
    const f = await loadFixture(auctionFixture);
    const seq = await new MockV3Aggregator__factory(f.deployer).deploy(0, 0);
    const T = (await time.latest()) + 100;
    await seq.updateRoundData(1, 0, T - 10_000, T - 10_000);
    await f.oracle.setSequencerFeed(await seq.getAddress(), 60);
    await startAt(f, T);
    await time.setNextBlockTimestamp(T + 300);
    await seq.updateRoundData(2, 1, T + 300, T + 300); // down, unseen by the auction
    await time.setNextBlockTimestamp(T + 600);
    await seq.updateRoundData(3, 0, T + 600, T + 600); // up again, unseen
    // Feeds stay fresh (updated at T - 2, fresh until T + 3598); valid again from T + 661.
    await expect(checkpointAt(f, T + 1000))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 339n, true);
  });

  it("counts every second while all prices stay valid, and a checkpoint in the same block changes nothing", async function () {
    const f = await loadFixture(auctionFixture);
    const T = (await time.latest()) + 100;
    await startAt(f, T);
    await expect(checkpointAt(f, T + 1800))
      .to.emit(f.auction, "AuctionClockUpdated")
      .withArgs(f.A, 1800n, true);
    await expect(f.auction.checkpoint(f.A)).to.emit(f.auction, "AuctionClockUpdated").withArgs(f.A, 1801n, true);
  });

  it("AuctionMath.advance equals the reference model for any clock state and inputs (property)", async function () {
    const [signer] = await ethers.getSigners();
    const h = await new AuctionMathHarness__factory(signer).deploy();
    const u32 = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n });
    // Timestamps are stored as uint32 (valid until 2106): keep checkpoint + dt within that range.
    const checkpoints = fc.bigInt({ min: 0n, max: 2n ** 32n - 1n - 10n ** 6n });
    await fc.assert(
      fc.asyncProperty(
        checkpoints,
        u32,
        u32,
        fc.boolean(),
        fc.boolean(),
        u32,
        u32,
        fc.boolean(),
        fc.boolean(),
        u32,
        fc.bigInt({ min: 0n, max: 86_400n }),
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        async (checkpoint, elapsed, until0, valid0, valid, since, until, seqConf, seqUp, changed, grace, dt) => {
          const time_ = checkpoint + dt;
          const a = {
            startTime: 0n,
            checkpoint,
            elapsed,
            guaranteedUntil: valid0 ? until0 : 0n,
            validAtCheckpoint: valid0,
            active: true,
            market: 0n,
            multi: false,
            badDebtRecorded: false,
            paramsVersion: 0n,
            shortfallMicro: 0n,
          };
          const x: ClockInput = {
            valid,
            feedsSince: since,
            feedsUntil: until,
            sequencerConfigured: seqConf,
            sequencerUp: seqUp,
            sequencerChangedAt: changed,
            sequencerGrace: grace,
            halted: false,
            haltEndedAt: 0n,
          };
          const r = await h.advance(a, x, time_);
          const m = advance({ checkpoint, elapsed, guaranteedUntil: a.guaranteedUntil, validAtCheckpoint: valid0 }, x, time_);
          expect([r.elapsed, r.checkpoint, r.guaranteedUntil, r.validAtCheckpoint]).to.deep.equal([
            m.elapsed,
            m.checkpoint,
            m.guaranteedUntil,
            m.validAtCheckpoint,
          ]);
          // Never more than the wall-clock time since the checkpoint.
          expect(m.elapsed - elapsed <= (time_ > checkpoint ? time_ - checkpoint : 0n) || m.elapsed === 2n ** 32n - 1n).to.equal(true);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
    void WAD;
  });
});
