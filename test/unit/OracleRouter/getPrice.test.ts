import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { MockV3Aggregator__factory, ScriptedAggregator__factory } from "../../../typechain-types";
import { routerFixture, feedConfig, setRound, setSequencer, at, e8, WAD, ETH, UNKNOWN, type RouterFixture } from "./helpers";

/** ETH/USD on the fixture's primary MockV3Aggregator (8 decimals) answering 2000 at T0, heartbeat 1 h. */
async function primaryOnly(overrides: Parameters<typeof feedConfig>[1] = {}): Promise<RouterFixture> {
  const f = await loadFixture(routerFixture);
  const { T0 } = f;
  await (await f.router.setFeed(ETH, feedConfig(f.addr.primary, overrides))).wait();
  await setRound(f.primary, e8("2000"), T0);
  return f;
}

/** ETH/USD with the fixture's secondary feed (heartbeat 10 min, maxDeviation 2%); both answer 2000 at T0. */
async function withSecondary(overrides: Parameters<typeof feedConfig>[1] = {}): Promise<RouterFixture> {
  const f = await loadFixture(routerFixture);
  const { T0 } = f;
  const config = feedConfig(f.addr.primary, {
    secondary: f.addr.secondary,
    secondaryHeartbeat: 600,
    maxDeviation: 2n * 10n ** 16n,
    ...overrides,
  });
  await (await f.router.setFeed(ETH, config)).wait();
  await setRound(f.primary, e8("2000"), T0);
  await setRound(f.secondary, e8("2000"), T0);
  return f;
}

/** ETH/USD priced by the fixture's ScriptedAggregator (8 decimals). */
async function scriptedPrimary(): Promise<RouterFixture> {
  const f = await loadFixture(routerFixture);
  await (await f.router.setFeed(ETH, feedConfig(f.addr.scripted))).wait();
  return f;
}

/** A sequencer-uptime feed with a one-hour grace period. */
async function withSequencer(): Promise<RouterFixture> {
  const f = await primaryOnly();
  await (await f.router.setSequencerFeed(f.addr.sequencer, 3600)).wait();
  return f;
}

describe("OracleRouter: getPrice", function () {
  describe("normalisation to WAD", function () {
    const cases: { decimals: number; answer: bigint; wad: bigint }[] = [
      { decimals: 0, answer: 2000n, wad: 2000n * WAD },
      { decimals: 6, answer: 2_000_123_456n, wad: 2_000_123_456_000_000_000_000n },
      { decimals: 8, answer: 200_012_345_678n, wad: 2_000_123_456_780_000_000_000n },
      { decimals: 18, answer: 2_000_123_456_789_012_345_678n, wad: 2_000_123_456_789_012_345_678n },
    ];
    for (const c of cases) {
      it(`returns a ${c.decimals}-decimal answer multiplied by 10^(18 - ${c.decimals}), exactly`, async function () {
        const f = await loadFixture(routerFixture);
        const { T0 } = f;
        const feed = await new MockV3Aggregator__factory(f.admin).deploy(c.decimals, c.answer);
        await f.router.setFeed(ETH, feedConfig(await feed.getAddress(), { minPrice: 1n, maxPrice: 10n ** 28n }));
        await setRound(feed, c.answer, T0);
        await at(T0 + 10);
        expect(await f.router.getPrice(ETH)).to.equal(c.wad);
      });
    }

    it("returns the smallest positive answer of an 18-decimal feed as 1 wei", async function () {
      const f = await loadFixture(routerFixture);
      const { T0 } = f;
      const feed = await new MockV3Aggregator__factory(f.admin).deploy(18, 1n);
      await f.router.setFeed(ETH, feedConfig(await feed.getAddress(), { minPrice: 1n, maxPrice: 2n }));
      await setRound(feed, 1n, T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(1n);
    });
  });

  describe("asset", function () {
    it("reverts with OracleAssetUnknown for an asset that has no feed", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await at(T0 + 10);
      await expect(f.router.getPrice(UNKNOWN)).to.be.revertedWithCustomError(f.router, "OracleAssetUnknown").withArgs(UNKNOWN);
    });

    it("reverts with OracleAssetUnknown after the asset's feed was removed", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await f.router.removeFeed(ETH);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH)).to.be.revertedWithCustomError(f.router, "OracleAssetUnknown").withArgs(ETH);
    });
  });

  describe("round completeness", function () {
    it("reverts with OracleIncompleteRound when the round's updatedAt is zero", async function () {
      const f = await scriptedPrimary();
      const { T0 } = f;
      await f.scripted.setRound(5, e8("2000"), T0, 0, 5);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleIncompleteRound")
        .withArgs(ETH, f.addr.scripted, 5n, 5n, 0n);
    });

    it("reverts with OracleIncompleteRound when answeredInRound is below roundId (a carried-over answer)", async function () {
      const f = await scriptedPrimary();
      const { T0 } = f;
      await f.scripted.setRound(5, e8("2000"), T0, T0, 4);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleIncompleteRound")
        .withArgs(ETH, f.addr.scripted, 5n, 4n, BigInt(T0));
    });

    it("accepts a round whose answeredInRound equals roundId", async function () {
      const f = await scriptedPrimary();
      const { T0 } = f;
      await f.scripted.setRound(5, e8("2000"), T0, T0, 5);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("reports an incomplete round before a non-positive answer", async function () {
      const f = await scriptedPrimary();
      const { T0 } = f;
      await f.scripted.setRound(5, 0, T0, 0, 5);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleIncompleteRound")
        .withArgs(ETH, f.addr.scripted, 5n, 5n, 0n);
    });
  });

  describe("answer sign", function () {
    it("reverts with OracleNonPositivePrice when the answer is zero", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await setRound(f.primary, 0n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleNonPositivePrice")
        .withArgs(ETH, f.addr.primary, 0n);
    });

    it("reverts with OracleNonPositivePrice when the answer is negative", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await setRound(f.primary, -1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleNonPositivePrice")
        .withArgs(ETH, f.addr.primary, -1n);
    });

    it("reports a non-positive answer before staleness", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await setRound(f.primary, -5n, T0);
      await at(T0 + 3601);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleNonPositivePrice")
        .withArgs(ETH, f.addr.primary, -5n);
    });
  });

  describe("staleness", function () {
    it("returns the price exactly at the heartbeat (block.timestamp == updatedAt + heartbeat)", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await at(T0 + 3600);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("reverts with OracleStalePrice one second after the heartbeat", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await at(T0 + 3601);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleStalePrice")
        .withArgs(ETH, f.addr.primary, BigInt(T0), 3600n);
    });

    it("is fresh again after the feed updates", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      await at(T0 + 3601);
      await time.setNextBlockTimestamp(T0 + 3602);
      await setRound(f.primary, e8("2100"), T0 + 3602, 8n);
      await at(T0 + 3603);
      expect(await f.router.getPrice(ETH)).to.equal(2100n * WAD);
    });

    it("reports staleness before the price bounds", async function () {
      const f = await primaryOnly({ minPrice: 2500n * WAD, maxPrice: 3000n * WAD });
      const { T0 } = f;
      await at(T0 + 3601);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleStalePrice")
        .withArgs(ETH, f.addr.primary, BigInt(T0), 3600n);
    });
  });

  describe("price bounds", function () {
    const bounds = { minPrice: 1000n * WAD, maxPrice: 3000n * WAD };

    it("accepts a price exactly at minPrice", async function () {
      const f = await primaryOnly(bounds);
      const { T0 } = f;
      await setRound(f.primary, e8("1000"), T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(1000n * WAD);
    });

    it("accepts a price exactly at maxPrice", async function () {
      const f = await primaryOnly(bounds);
      const { T0 } = f;
      await setRound(f.primary, e8("3000"), T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(3000n * WAD);
    });

    it("reverts with OraclePriceOutOfBounds one feed unit below minPrice", async function () {
      const f = await primaryOnly(bounds);
      const { T0 } = f;
      await setRound(f.primary, e8("1000") - 1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OraclePriceOutOfBounds")
        .withArgs(ETH, 999_999_999_990_000_000_000n, bounds.minPrice, bounds.maxPrice);
    });

    it("reverts with OraclePriceOutOfBounds one feed unit above maxPrice", async function () {
      const f = await primaryOnly(bounds);
      const { T0 } = f;
      await setRound(f.primary, e8("3000") + 1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OraclePriceOutOfBounds")
        .withArgs(ETH, 3_000_000_000_010_000_000_000n, bounds.minPrice, bounds.maxPrice);
    });
  });

  describe("L2 sequencer", function () {
    it("reverts with OracleSequencerDown while the sequencer reports down (answer 1)", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 1n, T0 - 7200);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH)).to.be.revertedWithCustomError(f.router, "OracleSequencerDown").withArgs(f.addr.sequencer);
    });

    it("reports the sequencer down rather than in its grace period when it went down recently", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH)).to.be.revertedWithCustomError(f.router, "OracleSequencerDown").withArgs(f.addr.sequencer);
    });

    // The sequencer came back up at T0 - 3000; the one-hour grace period ends at T0 + 600 (the primary is fresh).
    it("reverts with OracleSequencerGracePeriod one second before the grace period ends", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000);
      await at(T0 + 599);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleSequencerGracePeriod")
        .withArgs(BigInt(T0 - 3000), 3600n);
    });

    it("reverts with OracleSequencerGracePeriod exactly at the end of the grace period (Chainlink's <= convention)", async function () {
      // IOracleRouter: the grace error means "came back up gracePeriod seconds ago or less".
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000);
      await at(T0 + 600);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleSequencerGracePeriod")
        .withArgs(BigInt(T0 - 3000), 3600n);
    });

    it("returns the price one second after the grace period", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 0n, T0 - 3000);
      await at(T0 + 601);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("reverts with OracleSequencerInvalidRound when the sequencer round has startedAt 0", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      const seq = await new ScriptedAggregator__factory(f.admin).deploy(0);
      await seq.setRound(2, 0, 0, T0, 2);
      await f.router.setSequencerFeed(await seq.getAddress(), 3600);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleSequencerInvalidRound")
        .withArgs(await seq.getAddress());
    });

    it("checks the sequencer before the asset's feeds", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 1n, T0 - 7200);
      await at(T0 + 3601); // the primary is stale too
      await expect(f.router.getPrice(UNKNOWN)).to.be.revertedWithCustomError(f.router, "OracleSequencerDown").withArgs(f.addr.sequencer);
      await expect(f.router.getPrice(ETH)).to.be.revertedWithCustomError(f.router, "OracleSequencerDown").withArgs(f.addr.sequencer);
    });

    it("stops checking the sequencer once the sequencer feed is set to address(0)", async function () {
      const f = await withSequencer();
      const { T0 } = f;
      await setSequencer(f.sequencer, 1n, T0 - 7200);
      await f.router.setSequencerFeed(ethers.ZeroAddress, 0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });
  });

  describe("secondary feed", function () {
    it("accepts a secondary exactly maxDeviation (2%) above the primary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, e8("2040"), T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("accepts a secondary exactly maxDeviation (2%) below the primary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, e8("1960"), T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("reverts with OracleDeviationTooLarge for a secondary one feed unit more than 2% above the primary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, e8("2040") + 1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleDeviationTooLarge")
        .withArgs(ETH, 2000n * WAD, 2_040_000_000_010_000_000_000n, 2n * 10n ** 16n);
    });

    it("reverts with OracleDeviationTooLarge for a secondary one feed unit more than 2% below the primary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, e8("1960") - 1n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleDeviationTooLarge")
        .withArgs(ETH, 2000n * WAD, 1_959_999_999_990_000_000_000n, 2n * 10n ** 16n);
    });

    it("compares normalised prices across decimals and rounds the deviation up (one wei beyond the bound reverts)", async function () {
      const f = await loadFixture(routerFixture);
      const { T0 } = f;
      const p6 = await new MockV3Aggregator__factory(f.admin).deploy(6, 2000n * 10n ** 6n);
      const s18 = await new MockV3Aggregator__factory(f.admin).deploy(18, 2040n * WAD);
      const config = feedConfig(await p6.getAddress(), {
        secondary: await s18.getAddress(),
        secondaryHeartbeat: 600,
        maxDeviation: 2n * 10n ** 16n,
      });
      await f.router.setFeed(ETH, config);
      await setRound(p6, 2000n * 10n ** 6n, T0);
      await setRound(s18, 2040n * WAD, T0);
      await at(T0 + 10);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
      // |2000 - (2040 + 1 wei)| / 2000 = 0.02 + 5e-22: rounded up to 0.02e18 + 1 > 0.02e18.
      await time.setNextBlockTimestamp(T0 + 11);
      await setRound(s18, 2040n * WAD + 1n, T0 + 11);
      await at(T0 + 12);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleDeviationTooLarge")
        .withArgs(ETH, 2000n * WAD, 2040n * WAD + 1n, 2n * 10n ** 16n);
    });

    it("returns the price when the secondary is exactly at its own heartbeat", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await at(T0 + 600);
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });

    it("reverts with OracleStalePrice naming the secondary when only the secondary is past its heartbeat", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await at(T0 + 601);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleStalePrice")
        .withArgs(ETH, f.addr.secondary, BigInt(T0), 600n);
    });

    it("reverts with OracleNonPositivePrice naming the secondary when the secondary answers zero", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, 0n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleNonPositivePrice")
        .withArgs(ETH, f.addr.secondary, 0n);
    });

    it("reverts with OracleIncompleteRound naming the secondary when the secondary's round is incomplete", async function () {
      const f = await primaryOnly();
      const { T0 } = f;
      const config = feedConfig(f.addr.primary, {
        secondary: f.addr.scripted,
        secondaryHeartbeat: 600,
        maxDeviation: 2n * 10n ** 16n,
      });
      await f.router.setFeed(ETH, config);
      await f.scripted.setRound(9, e8("2000"), T0, T0, 8);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleIncompleteRound")
        .withArgs(ETH, f.addr.scripted, 9n, 8n, BigInt(T0));
    });

    it("checks the primary before the secondary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.primary, 0n, T0);
      await setRound(f.secondary, 0n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleNonPositivePrice")
        .withArgs(ETH, f.addr.primary, 0n);
    });

    it("checks the primary's bounds before reading the secondary", async function () {
      const f = await withSecondary({ minPrice: 2500n * WAD, maxPrice: 3000n * WAD });
      const { T0 } = f;
      await setRound(f.secondary, 0n, T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OraclePriceOutOfBounds")
        .withArgs(ETH, 2000n * WAD, 2500n * WAD, 3000n * WAD);
    });

    it("applies the price bounds to the secondary too (IOracleRouter: the secondary gets the same checks)", async function () {
      // Primary exactly at maxPrice, secondary 1% above it: within maxDeviation but outside the bounds.
      const f = await withSecondary({ minPrice: 1000n * WAD, maxPrice: 2000n * WAD });
      const { T0 } = f;
      await setRound(f.secondary, e8("2020"), T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OraclePriceOutOfBounds")
        .withArgs(ETH, 2020n * WAD, 1000n * WAD, 2000n * WAD);
    });

    it("stops cross-checking once the feed is replaced by a configuration without a secondary", async function () {
      const f = await withSecondary();
      const { T0 } = f;
      await setRound(f.secondary, e8("3000"), T0);
      await at(T0 + 10);
      await expect(f.router.getPrice(ETH))
        .to.be.revertedWithCustomError(f.router, "OracleDeviationTooLarge")
        .withArgs(ETH, 2000n * WAD, 3000n * WAD, 2n * 10n ** 16n);
      await f.router.setFeed(ETH, feedConfig(f.addr.primary));
      expect(await f.router.getPrice(ETH)).to.equal(2000n * WAD);
    });
  });
});
