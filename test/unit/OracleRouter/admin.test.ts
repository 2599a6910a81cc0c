import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MockV3Aggregator__factory, ScriptedAggregator__factory } from "../../../typechain-types";
import { ballastFixture } from "../../shared/fixtures";
import { ROLE } from "../../../src/deploy/roles";
import {
  routerFixture,
  feedConfig,
  configTuple,
  setRound,
  at,
  e8,
  WAD,
  ETH,
  BTC,
  MIN_HEARTBEAT,
  MAX_HEARTBEAT,
  MAX_DEVIATION,
  MAX_SEQUENCER_GRACE_PERIOD,
} from "./helpers";

const DEV = 2n * 10n ** 16n;

describe("OracleRouter: administration", function () {
  describe("constants", function () {
    it("exposes the documented bounds: heartbeat [60 s, 2 days], deviation <= 20%, sequencer grace <= 1 day", async function () {
      const { router } = await loadFixture(routerFixture);
      expect(await router.MIN_HEARTBEAT()).to.equal(MIN_HEARTBEAT);
      expect(await router.MAX_HEARTBEAT()).to.equal(MAX_HEARTBEAT);
      expect(await router.MAX_DEVIATION()).to.equal(MAX_DEVIATION);
      expect(await router.MAX_SEQUENCER_GRACE_PERIOD()).to.equal(MAX_SEQUENCER_GRACE_PERIOD);
    });
  });

  describe("setFeed", function () {
    it("stores a primary-only configuration and emits FeedSet with it", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      const config = feedConfig(addr.primary, { primaryHeartbeat: 900, minPrice: 5n * WAD, maxPrice: 7n * WAD });
      await expect(router.setFeed(ETH, config)).to.emit(router, "FeedSet").withArgs(ETH, configTuple(config));
      expect(await router.feedConfig(ETH)).to.deep.equal(configTuple(config));
    });

    it("stores a secondary feed with its heartbeat and maxDeviation and emits FeedSet with them", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      const config = feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation: DEV });
      await expect(router.setFeed(ETH, config)).to.emit(router, "FeedSet").withArgs(ETH, configTuple(config));
      expect(await router.feedConfig(ETH)).to.deep.equal(configTuple(config));
    });

    it("keeps assets independent", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      const eth = feedConfig(addr.primary);
      const btc = feedConfig(addr.secondary, { primaryHeartbeat: 120 });
      await router.setFeed(ETH, eth);
      await router.setFeed(BTC, btc);
      expect(await router.feedConfig(ETH)).to.deep.equal(configTuple(eth));
      expect(await router.feedConfig(BTC)).to.deep.equal(configTuple(btc));
    });

    it("replaces an existing configuration and clears a previous secondary when the new one has none", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation: DEV }));
      const replacement = feedConfig(addr.scripted, { primaryHeartbeat: 120, minPrice: 2n * WAD, maxPrice: 3n * WAD });
      await router.setFeed(ETH, replacement);
      expect(await router.feedConfig(ETH)).to.deep.equal([addr.scripted, 120n, ethers.ZeroAddress, 0n, 0n, 2n * WAD, 3n * WAD]);
    });

    it("stores a zero secondary heartbeat and maxDeviation when no secondary feed is given", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary, { secondaryHeartbeat: 600, maxDeviation: DEV }));
      expect(await router.feedConfig(ETH)).to.deep.equal([addr.primary, 3600n, ethers.ZeroAddress, 0n, 0n, WAD, 1_000_000n * WAD]);
    });

    it('reverts with OracleInvalidConfig(asset, "primary") for a zero primary feed', async function () {
      const { router } = await loadFixture(routerFixture);
      await expect(router.setFeed(ETH, feedConfig(ethers.ZeroAddress)))
        .to.be.revertedWithCustomError(router, "OracleInvalidConfig")
        .withArgs(ETH, "primary");
    });

    it("accepts primary heartbeats of exactly MIN_HEARTBEAT (60 s) and MAX_HEARTBEAT (2 days)", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary, { primaryHeartbeat: MIN_HEARTBEAT }));
      expect((await router.feedConfig(ETH)).primaryHeartbeat).to.equal(MIN_HEARTBEAT);
      await router.setFeed(ETH, feedConfig(addr.primary, { primaryHeartbeat: MAX_HEARTBEAT }));
      expect((await router.feedConfig(ETH)).primaryHeartbeat).to.equal(MAX_HEARTBEAT);
    });

    for (const heartbeat of [0n, MIN_HEARTBEAT - 1n, MAX_HEARTBEAT + 1n]) {
      it(`reverts with OracleInvalidConfig(asset, "heartbeat") for a primary heartbeat of ${heartbeat} s`, async function () {
        const { router, addr } = await loadFixture(routerFixture);
        await expect(router.setFeed(ETH, feedConfig(addr.primary, { primaryHeartbeat: heartbeat })))
          .to.be.revertedWithCustomError(router, "OracleInvalidConfig")
          .withArgs(ETH, "heartbeat");
      });
    }

    const badBounds: [string, bigint, bigint][] = [
      ["minPrice is zero", 0n, WAD],
      ["minPrice equals maxPrice", WAD, WAD],
      ["minPrice is above maxPrice", WAD + 1n, WAD],
    ];
    for (const [label, minPrice, maxPrice] of badBounds) {
      it(`reverts with OracleInvalidConfig(asset, "bounds") when ${label}`, async function () {
        const { router, addr } = await loadFixture(routerFixture);
        await expect(router.setFeed(ETH, feedConfig(addr.primary, { minPrice, maxPrice })))
          .to.be.revertedWithCustomError(router, "OracleInvalidConfig")
          .withArgs(ETH, "bounds");
      });
    }

    it("accepts the narrowest bounds, minPrice = maxPrice - 1", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary, { minPrice: 1n, maxPrice: 2n }));
      expect((await router.feedConfig(ETH)).maxPrice).to.equal(2n);
    });

    for (const heartbeat of [0n, MIN_HEARTBEAT - 1n, MAX_HEARTBEAT + 1n]) {
      it(`reverts with OracleInvalidConfig(asset, "heartbeat") for a secondary feed with a heartbeat of ${heartbeat} s`, async function () {
        const { router, addr } = await loadFixture(routerFixture);
        const config = feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: heartbeat, maxDeviation: DEV });
        await expect(router.setFeed(ETH, config)).to.be.revertedWithCustomError(router, "OracleInvalidConfig").withArgs(ETH, "heartbeat");
      });
    }

    for (const maxDeviation of [0n, MAX_DEVIATION + 1n]) {
      it(`reverts with OracleInvalidConfig(asset, "maxDeviation") for a secondary feed with maxDeviation ${maxDeviation}`, async function () {
        const { router, addr } = await loadFixture(routerFixture);
        const config = feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation });
        await expect(router.setFeed(ETH, config))
          .to.be.revertedWithCustomError(router, "OracleInvalidConfig")
          .withArgs(ETH, "maxDeviation");
      });
    }

    it("accepts maxDeviation of exactly MAX_DEVIATION (20%) and of 1 wei", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      for (const maxDeviation of [MAX_DEVIATION, 1n]) {
        await router.setFeed(ETH, feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation }));
        expect((await router.feedConfig(ETH)).maxDeviation).to.equal(maxDeviation);
      }
    });

    it("reverts with OracleUnsupportedDecimals for a primary feed with 19 decimals", async function () {
      const { router, admin } = await loadFixture(routerFixture);
      const feed = await new ScriptedAggregator__factory(admin).deploy(19);
      await expect(router.setFeed(ETH, feedConfig(await feed.getAddress())))
        .to.be.revertedWithCustomError(router, "OracleUnsupportedDecimals")
        .withArgs(await feed.getAddress(), 19);
    });

    it("reverts with OracleUnsupportedDecimals for a secondary feed with 19 decimals", async function () {
      const { router, admin, addr } = await loadFixture(routerFixture);
      const feed = await new ScriptedAggregator__factory(admin).deploy(19);
      const config = feedConfig(addr.primary, { secondary: await feed.getAddress(), secondaryHeartbeat: 600, maxDeviation: DEV });
      await expect(router.setFeed(ETH, config))
        .to.be.revertedWithCustomError(router, "OracleUnsupportedDecimals")
        .withArgs(await feed.getAddress(), 19);
    });

    it("accepts feeds with 18 decimals", async function () {
      const { router, admin } = await loadFixture(routerFixture);
      const p = await new MockV3Aggregator__factory(admin).deploy(18, WAD);
      const s = await new MockV3Aggregator__factory(admin).deploy(18, WAD);
      const config = feedConfig(await p.getAddress(), { secondary: await s.getAddress(), secondaryHeartbeat: 600, maxDeviation: DEV });
      await expect(router.setFeed(ETH, config)).to.emit(router, "FeedSet").withArgs(ETH, configTuple(config));
    });

    it("leaves the previous configuration in place when a replacement is rejected", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      const config = feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation: DEV });
      await router.setFeed(ETH, config);
      const bad = feedConfig(addr.scripted, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation: MAX_DEVIATION + 1n });
      await expect(router.setFeed(ETH, bad)).to.be.revertedWithCustomError(router, "OracleInvalidConfig").withArgs(ETH, "maxDeviation");
      expect(await router.feedConfig(ETH)).to.deep.equal(configTuple(config));
    });
  });

  describe("removeFeed", function () {
    it("deletes the configuration, emits FeedRemoved, and later reads revert with OracleAssetUnknown", async function () {
      const { router, addr, primary, T0 } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary, { secondary: addr.secondary, secondaryHeartbeat: 600, maxDeviation: DEV }));
      await setRound(primary, e8("2000"), T0);
      await expect(router.removeFeed(ETH)).to.emit(router, "FeedRemoved").withArgs(ETH);
      expect(await router.feedConfig(ETH)).to.deep.equal([ethers.ZeroAddress, 0n, ethers.ZeroAddress, 0n, 0n, 0n, 0n]);
      await at(T0 + 10);
      await expect(router.getPrice(ETH)).to.be.revertedWithCustomError(router, "OracleAssetUnknown").withArgs(ETH);
    });

    it("reverts with OracleAssetUnknown for an asset that has no feed", async function () {
      const { router } = await loadFixture(routerFixture);
      await expect(router.removeFeed(ETH)).to.be.revertedWithCustomError(router, "OracleAssetUnknown").withArgs(ETH);
    });

    it("reverts with OracleAssetUnknown when the asset was already removed", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary));
      await router.removeFeed(ETH);
      await expect(router.removeFeed(ETH)).to.be.revertedWithCustomError(router, "OracleAssetUnknown").withArgs(ETH);
    });

    it("leaves other assets priced", async function () {
      const { router, addr, primary, secondary, T0 } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary));
      await router.setFeed(BTC, feedConfig(addr.secondary, { maxPrice: 10n ** 28n }));
      await setRound(primary, e8("2000"), T0);
      await setRound(secondary, e8("60000"), T0);
      await router.removeFeed(ETH);
      await at(T0 + 10);
      expect(await router.getPrice(BTC)).to.equal(60_000n * WAD);
    });

    it("allows the asset to be configured again after removal", async function () {
      const { router, addr, primary, T0 } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary));
      await router.removeFeed(ETH);
      await router.setFeed(ETH, feedConfig(addr.primary));
      await setRound(primary, e8("2000"), T0);
      await at(T0 + 10);
      expect(await router.getPrice(ETH)).to.equal(2000n * WAD);
    });
  });

  describe("setSequencerFeed", function () {
    it("is disabled by default: sequencerFeed() is (address(0), 0)", async function () {
      const { router } = await loadFixture(routerFixture);
      const [feed, grace] = await router.sequencerFeed();
      expect([feed, grace]).to.deep.equal([ethers.ZeroAddress, 0n]);
    });

    it("stores the feed and grace period and emits SequencerFeedSet", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await expect(router.setSequencerFeed(addr.sequencer, 3600)).to.emit(router, "SequencerFeedSet").withArgs(addr.sequencer, 3600n);
      const [feed, grace] = await router.sequencerFeed();
      expect([feed, grace]).to.deep.equal([addr.sequencer, 3600n]);
    });

    it("accepts a grace period of exactly MAX_SEQUENCER_GRACE_PERIOD (1 day)", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await expect(router.setSequencerFeed(addr.sequencer, MAX_SEQUENCER_GRACE_PERIOD))
        .to.emit(router, "SequencerFeedSet")
        .withArgs(addr.sequencer, MAX_SEQUENCER_GRACE_PERIOD);
    });

    it('reverts with OracleInvalidConfig(0, "gracePeriod") for a grace period one second above 1 day', async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await expect(router.setSequencerFeed(addr.sequencer, MAX_SEQUENCER_GRACE_PERIOD + 1n))
        .to.be.revertedWithCustomError(router, "OracleInvalidConfig")
        .withArgs(ethers.ZeroHash, "gracePeriod");
    });

    it("disables the check with address(0) and emits SequencerFeedSet(address(0), 0)", async function () {
      const { router, addr } = await loadFixture(routerFixture);
      await router.setSequencerFeed(addr.sequencer, 3600);
      await expect(router.setSequencerFeed(ethers.ZeroAddress, 0)).to.emit(router, "SequencerFeedSet").withArgs(ethers.ZeroAddress, 0n);
      const [feed, grace] = await router.sequencerFeed();
      expect([feed, grace]).to.deep.equal([ethers.ZeroAddress, 0n]);
    });
  });

  describe("access control", function () {
    it("setFeed reverts with AccessManagedUnauthorized for a caller without ADMIN", async function () {
      const { router, stranger, addr } = await loadFixture(routerFixture);
      await expect(router.connect(stranger).setFeed(ETH, feedConfig(addr.primary)))
        .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("removeFeed reverts with AccessManagedUnauthorized for a caller without ADMIN", async function () {
      const { router, stranger, addr } = await loadFixture(routerFixture);
      await router.setFeed(ETH, feedConfig(addr.primary));
      await expect(router.connect(stranger).removeFeed(ETH))
        .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("setSequencerFeed reverts with AccessManagedUnauthorized for a caller without ADMIN", async function () {
      const { router, stranger, addr } = await loadFixture(routerFixture);
      await expect(router.connect(stranger).setSequencerFeed(addr.sequencer, 3600))
        .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
        .withArgs(stranger.address);
    });

    it("in the deployed protocol, a holder of RISK_MANAGER and GUARDIAN without ADMIN cannot change feeds", async function () {
      const b = await loadFixture(ballastFixture);
      const [user] = b.users;
      await b.manager.grantRole(ROLE.RISK_MANAGER, user.address, 0);
      await b.manager.grantRole(ROLE.GUARDIAN, user.address, 0);
      const eth = ethers.encodeBytes32String("ETH/USD");
      const config = await b.oracle.feedConfig(eth);
      const router = b.oracle.connect(user);
      await expect(router.setFeed(eth, feedConfig(config.primary)))
        .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
        .withArgs(user.address);
      await expect(router.removeFeed(eth)).to.be.revertedWithCustomError(router, "AccessManagedUnauthorized").withArgs(user.address);
      await expect(router.setSequencerFeed(ethers.ZeroAddress, 0))
        .to.be.revertedWithCustomError(router, "AccessManagedUnauthorized")
        .withArgs(user.address);
    });

    it("the deployed router holds the parameter file's ETH/USD feed: heartbeat 1 h, bounds [1, 1,000,000], price 3000", async function () {
      const b = await loadFixture(ballastFixture);
      const eth = ethers.encodeBytes32String("ETH/USD");
      const feed = await b.feeds["ETH/USD"].getAddress();
      expect(await b.oracle.feedConfig(eth)).to.deep.equal([feed, 3600n, ethers.ZeroAddress, 0n, 0n, WAD, 1_000_000n * WAD]);
      expect(await b.oracle.getPrice(eth)).to.equal(3000n * WAD);
    });
  });
});
