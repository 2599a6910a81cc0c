import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ScriptedAggregator__factory } from "../../../typechain-types";
import { routerFixture, feedConfig, setRound, setSequencer, at, e8, WAD, ETH, UNKNOWN, type RouterFixture } from "./helpers";

const DEV = 2n * 10n ** 16n;

/** ETH/USD: primary (heartbeat 1 h) and, when `secondary`, the secondary feed (heartbeat 10 min, 2%). */
async function setup(opts: { secondary?: boolean; sequencer?: boolean } = {}): Promise<RouterFixture> {
  const f = await loadFixture(routerFixture);
  const { T0 } = f;
  const config = feedConfig(
    f.addr.primary,
    opts.secondary
      ? { secondary: f.addr.secondary, secondaryHeartbeat: 600, maxDeviation: DEV }
      : { minPrice: 1000n * WAD, maxPrice: 3000n * WAD },
  );
  await (await f.router.setFeed(ETH, config)).wait();
  await setRound(f.primary, e8("2000"), T0);
  await setRound(f.secondary, e8("2000"), T0);
  if (opts.sequencer) {
    await (await f.router.setSequencerFeed(f.addr.sequencer, 3600)).wait();
    await setSequencer(f.sequencer, 0n, T0 - 86_400);
  }
  return f;
}

async function expectInvalid(f: RouterFixture, asset = ETH): Promise<void> {
  const [valid, since, until] = await f.router.priceValidity(asset);
  expect([valid, since, until]).to.deep.equal([false, 0n, 0n]);
}

describe("OracleRouter: priceValidity", function () {
  describe("valid prices and their freshness window", function () {
    it("returns (true, updatedAt, updatedAt + heartbeat) for a primary-only asset", async function () {
      const f = await setup();
      const { T0 } = f;
      await at(T0 + 10);
      const [valid, since, until] = await f.router.priceValidity(ETH);
      expect([valid, since, until]).to.deep.equal([true, BigInt(T0), BigInt(T0 + 3600)]);
    });

    it("is valid at freshUntil and invalid (false, 0, 0) one second later", async function () {
      const f = await setup();
      const { T0 } = f;
      await at(T0 + 3600);
      const [valid, since, until] = await f.router.priceValidity(ETH);
      expect([valid, since, until]).to.deep.equal([true, BigInt(T0), BigInt(T0 + 3600)]);
      await at(T0 + 3601);
      await expectInvalid(f);
    });

    /**
     * Both feeds with the given heartbeats, updated `primaryAge` and `secondaryAge` seconds before T0; returns
     * priceValidity at T0 + 10 with the times relative to T0.
     */
    async function windowOf(primaryHeartbeat: number, secondaryHeartbeat: number, primaryAge: number, secondaryAge: number) {
      const f = await loadFixture(routerFixture);
      const { T0 } = f;
      await f.router.setFeed(
        ETH,
        feedConfig(f.addr.primary, { primaryHeartbeat, secondary: f.addr.secondary, secondaryHeartbeat, maxDeviation: DEV }),
      );
      await setRound(f.primary, e8("2000"), T0 - primaryAge);
      await setRound(f.secondary, e8("2001"), T0 - secondaryAge);
      await at(T0 + 10);
      const [valid, since, until] = await f.router.priceValidity(ETH);
      return [valid, Number(since) - T0, Number(until) - T0];
    }

    it("takes freshSince and freshUntil from the secondary when it updated later and expires earlier", async function () {
      // primary [T0 - 100, T0 + 3500], secondary [T0 - 50, T0 + 550]
      expect(await windowOf(3600, 600, 100, 50)).to.deep.equal([true, -50, 550]);
    });

    it("takes freshSince from the secondary and freshUntil from the primary when the primary expires first", async function () {
      // primary [T0 - 100, T0 + 500], secondary [T0 - 50, T0 + 3550]
      expect(await windowOf(600, 3600, 100, 50)).to.deep.equal([true, -50, 500]);
    });

    it("takes freshSince from the primary and freshUntil from the secondary when the primary updated later", async function () {
      // primary [T0 - 10, T0 + 3590], secondary [T0 - 500, T0 + 100]
      expect(await windowOf(3600, 600, 10, 500)).to.deep.equal([true, -10, 100]);
    });

    it("takes freshSince and freshUntil from the primary when it updated later and expires earlier", async function () {
      // primary [T0 - 10, T0 + 590], secondary [T0 - 500, T0 + 3100]
      expect(await windowOf(600, 3600, 10, 500)).to.deep.equal([true, -10, 590]);
    });

    it("reports the feeds' window only: the sequencer's recovery does not move freshSince (see sequencerState)", async function () {
      const f = await setup({ sequencer: true });
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000); // grace ends at T0 + 600; valid from T0 + 601
      await at(T0 + 700);
      const [valid, since, until] = await f.router.priceValidity(ETH);
      expect([valid, since, until]).to.deep.equal([true, BigInt(T0), BigInt(T0 + 3600)]);
    });

    it("sequencerState reports the uptime feed's status, its last change and the grace period", async function () {
      const f = await setup({ sequencer: true });
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000);
      await at(T0 + 700);
      expect(await f.router.sequencerState()).to.deep.equal([true, true, BigInt(T0 - 3000), 3600n]);
      await setSequencer(f.sequencer, 1n, T0 + 800);
      await at(T0 + 900);
      expect(await f.router.sequencerState()).to.deep.equal([true, false, BigInt(T0 + 800), 3600n]);
    });

    it("sequencerState reports an unconfigured sequencer as up, with no change time and no grace", async function () {
      const f = await setup();
      expect(await f.router.sequencerState()).to.deep.equal([false, true, 0n, 0n]);
    });

    it("is valid from startedAt + gracePeriod + 1 and not at startedAt + gracePeriod (Chainlink's <= convention)", async function () {
      const f = await setup({ sequencer: true });
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000); // grace ends at T0 + 600
      await at(T0 + 600);
      expect(await f.router.priceValidity(ETH)).to.deep.equal([false, 0n, 0n]);
      await at(T0 + 601);
      expect((await f.router.priceValidity(ETH))[0]).to.equal(true);
    });
  });

  describe("invalid prices: (false, 0, 0) without reverting", function () {
    it("for an asset that has no feed", async function () {
      const f = await setup();
      const { T0 } = f;
      await at(T0 + 10);
      await expectInvalid(f, UNKNOWN);
    });

    it("for a round with updatedAt 0", async function () {
      const f = await loadFixture(routerFixture);
      const { T0 } = f;
      await f.router.setFeed(ETH, feedConfig(f.addr.scripted));
      await f.scripted.setRound(5, e8("2000"), T0, 0, 5);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a round with answeredInRound below roundId", async function () {
      const f = await loadFixture(routerFixture);
      const { T0 } = f;
      await f.router.setFeed(ETH, feedConfig(f.addr.scripted));
      await f.scripted.setRound(5, e8("2000"), T0, T0, 4);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a zero answer", async function () {
      const f = await setup();
      const { T0 } = f;
      await setRound(f.primary, 0n, T0);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a negative answer", async function () {
      const f = await setup();
      const { T0 } = f;
      await setRound(f.primary, -1n, T0);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a stale primary", async function () {
      const f = await setup();
      const { T0 } = f;
      await at(T0 + 3601);
      await expectInvalid(f);
    });

    it("for a price below minPrice", async function () {
      const f = await setup();
      const { T0 } = f;
      await setRound(f.primary, e8("1000") - 1n, T0);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a price above maxPrice", async function () {
      const f = await setup();
      const { T0 } = f;
      await setRound(f.primary, e8("3000") + 1n, T0);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a secondary deviating by more than maxDeviation", async function () {
      const f = await setup({ secondary: true });
      const { T0 } = f;
      await setRound(f.secondary, e8("2040") + 1n, T0);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a stale secondary", async function () {
      const f = await setup({ secondary: true });
      const { T0 } = f;
      await at(T0 + 601);
      await expectInvalid(f);
    });

    it("while the sequencer is down", async function () {
      const f = await setup({ sequencer: true });
      const { T0 } = f;
      await setSequencer(f.sequencer, 1n, T0 - 7200);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("during the sequencer's grace period", async function () {
      const f = await setup({ sequencer: true });
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000); // grace ends at T0 + 600
      await at(T0 + 599);
      await expectInvalid(f);
    });

    it("for a sequencer feed address that is not a contract", async function () {
      const f = await setup();
      const { T0 } = f;
      await f.router.setSequencerFeed(f.stranger.address, 3600);
      await at(T0 + 10);
      await expectInvalid(f);
    });

    it("for a sequencer round with startedAt 0", async function () {
      const f = await setup();
      const { T0 } = f;
      const seq = await new ScriptedAggregator__factory(f.admin).deploy(0);
      await seq.setRound(2, 0, 0, T0, 2);
      await f.router.setSequencerFeed(await seq.getAddress(), 3600);
      await at(T0 + 10);
      await expectInvalid(f);
    });
  });
});
