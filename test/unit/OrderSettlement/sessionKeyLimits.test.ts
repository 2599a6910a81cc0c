/**
 * OrderSettlement session-key limits (issue #11 class 5): an owner bounds what a trade-scope key can do on the venue
 * with an expiry, a price band around the index and a notional per period window; a trade-scope key without limits
 * is refused. Covers the setter and revoke (bounds, events), enforcement on the maker (signer) and taker (caller)
 * sides, the expiry boundary, the window rollover, and the round-trip drain of the issue.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fund, setPrice } from "../../shared/fixtures";
import {
  venueFixture,
  order,
  sign,
  fillOrder,
  feesOf,
  setKeyLimits,
  accountId,
  WAD,
  USDC,
  SCOPE,
  ETH,
  type VenueFixture,
} from "./venue.helpers";

/** The fixture's ETH index price (deploy/parameters/hardhat.json), WAD. */
const INDEX = 3000n * WAD;
/** The key's price band in these tests: 0.01e18 (1% off the index). */
const BAND = 10n ** 16n;
/** The key's notional limit per window in these tests: 100,000 USD (WAD). */
const LIMIT = 100_000n * WAD;
/** The key's window in these tests: 1 hour (seconds). */
const PERIOD = 3_600n;
/** Highest price band an owner may set: 0.5e18 (RiskBounds.MAX_FILL_DEVIATION). */
const MAX_BAND = 5n * 10n ** 17n;
/** Longest window an owner may set: 365 days (seconds). */
const MAX_PERIOD = 365n * 86_400n;

/** Alice scopes Dave as a trade key and sets {@link BAND}, {@link LIMIT}, {@link PERIOD}; Dave funds his own account. */
async function keyFixture() {
  const v = await venueFixture();
  await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
  await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: LIMIT, period: PERIOD });
  await fund(v, v.dave, "USDC", 1_000_000n * USDC);
  return v;
}

/** An order for Alice's account signed by her key Dave: `size` > 0 buys, < 0 sells. */
function keyOrder(v: VenueFixture, size: bigint, limitPrice: bigint, salt: bigint, extra: Partial<Parameters<typeof order>[1]> = {}) {
  return order(v, { account: accountId(v.alice.address), size, limitPrice, signer: v.dave.address, salt, ...extra });
}

/** Dave signs `size` at `price` for Alice's account and fills all of it himself, into his own account. */
async function keyTrade(v: VenueFixture, size: bigint, price: bigint, salt: bigint) {
  const o = keyOrder(v, size, price, salt);
  return fillOrder(v, v.dave, o, await sign(v, v.dave, o), size < 0n ? -size : size, { takerAccount: accountId(v.dave.address) });
}

/** Notional a key fill is charged: ceil(size * max(price, index)), WAD cash. */
function keyNotional(size: bigint, price: bigint, index = INDEX): bigint {
  const p = price > index ? price : index;
  return (size * p + WAD - 1n) / WAD;
}

describe("OrderSettlement: session-key limits (issue #11 class 5)", function () {
  describe("setSessionKeyLimits and revokeSessionKey", function () {
    it("an owner sets limits for a key, with an event carrying the new values, and reads them back", async function () {
      const v = await loadFixture(venueFixture);
      const expiry = v.t0 + 7_200n;
      await expect(v.venue.connect(v.alice).setSessionKeyLimits(v.dave.address, BAND, LIMIT, PERIOD, expiry))
        .to.emit(v.venue, "SessionKeyLimitsSet")
        .withArgs(v.alice.address, v.dave.address, BAND, LIMIT, PERIOD, expiry);
      expect(await v.venue.sessionKeyLimits(v.alice.address, v.dave.address)).to.deep.equal([LIMIT, BAND, PERIOD, expiry]);
      // Limits are per owner: Bob has set none for the same key.
      expect(await v.venue.sessionKeyLimits(v.bob.address, v.dave.address)).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("accepts the widest band and the longest period, and rejects one more of each", async function () {
      const v = await loadFixture(venueFixture);
      const expiry = v.t0 + 7_200n;
      const set = (band: bigint, period: bigint) =>
        v.venue.connect(v.alice).setSessionKeyLimits(v.dave.address, band, LIMIT, period, expiry);
      await expect(set(MAX_BAND + 1n, PERIOD))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyPriceBandTooWide")
        .withArgs(MAX_BAND + 1n, MAX_BAND);
      await expect(set(BAND, MAX_PERIOD + 1n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyInvalidPeriod")
        .withArgs(MAX_PERIOD + 1n, MAX_PERIOD);
      expect(await v.venue.sessionKeyLimits(v.alice.address, v.dave.address)).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(set(MAX_BAND, MAX_PERIOD)).to.emit(v.venue, "SessionKeyLimitsSet");
      expect(await v.venue.sessionKeyLimits(v.alice.address, v.dave.address)).to.deep.equal([LIMIT, MAX_BAND, MAX_PERIOD, expiry]);
    });

    it("rejects a zero or self key, a zero period, a zero notional and an expiry not in the future, changing nothing", async function () {
      const v = await loadFixture(venueFixture);
      const venue = v.venue.connect(v.alice);
      const expiry = v.t0 + 7_200n;
      await expect(venue.setSessionKeyLimits(ZERO, BAND, LIMIT, PERIOD, expiry))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyInvalidKey")
        .withArgs(ZERO);
      await expect(venue.setSessionKeyLimits(v.alice.address, BAND, LIMIT, PERIOD, expiry))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyInvalidKey")
        .withArgs(v.alice.address);
      await expect(venue.setSessionKeyLimits(v.dave.address, BAND, LIMIT, 0n, expiry))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyInvalidPeriod")
        .withArgs(0n, MAX_PERIOD);
      await expect(venue.setSessionKeyLimits(v.dave.address, BAND, 0n, PERIOD, expiry)).to.be.revertedWithCustomError(
        v.venue,
        "SessionKeyZeroNotionalLimit",
      );
      const now = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(now);
      await expect(venue.setSessionKeyLimits(v.dave.address, BAND, LIMIT, PERIOD, now))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyExpiryNotInFuture")
        .withArgs(now, now);
      expect(await v.venue.sessionKeyLimits(v.alice.address, v.dave.address)).to.deep.equal([0n, 0n, 0n, 0n]);
    });

    it("a revoked key can no longer trade (SessionKeyLimitsNotSet), and revoking twice reverts", async function () {
      const v = await loadFixture(keyFixture);
      await expect(v.venue.connect(v.alice).revokeSessionKey(v.dave.address))
        .to.emit(v.venue, "SessionKeyRevoked")
        .withArgs(v.alice.address, v.dave.address);
      expect(await v.venue.sessionKeyLimits(v.alice.address, v.dave.address)).to.deep.equal([0n, 0n, 0n, 0n]);
      await expect(keyTrade(v, -WAD, INDEX, 1n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyLimitsNotSet")
        .withArgs(v.alice.address, v.dave.address);
      await expect(v.venue.connect(v.alice).revokeSessionKey(v.dave.address))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyLimitsNotSet")
        .withArgs(v.alice.address, v.dave.address);
    });
  });

  describe("default: a trade-scope key without limits is denied", function () {
    it("as the signer of a maker order", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      const o = keyOrder(v, -WAD, INDEX, 2n);
      await expect(fillOrder(v, v.bob, o, await sign(v, v.dave, o), WAD))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyLimitsNotSet")
        .withArgs(v.alice.address, v.dave.address);
    });

    it("as the taker filling for its owner's account", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      const o = order(v, { account: accountId(v.alice.address), size: -WAD, limitPrice: INDEX, signer: v.alice.address, salt: 3n });
      await expect(fillOrder(v, v.dave, o, await sign(v, v.alice, o), WAD, { takerAccount: accountId(v.bob.address) }))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyLimitsNotSet")
        .withArgs(v.bob.address, v.dave.address);
    });

    it("a full-scope operator is not limited (it may withdraw the account's cash anyway)", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Full, v.expiry)).wait();
      // 4% above the index: outside any band Bob could have set below 4%, inside the market's 5% band.
      const price = (INDEX * 104n) / 100n;
      const o = order(v, { account: accountId(v.alice.address), size: -WAD, limitPrice: price, signer: v.alice.address, salt: 4n });
      await expect(fillOrder(v, v.dave, o, await sign(v, v.alice, o), WAD, { takerAccount: accountId(v.bob.address) })).to.emit(
        v.venue,
        "OrderFilled",
      );
      expect(await v.venue.sessionKeyUsage(v.bob.address, v.dave.address)).to.deep.equal([0n, BigInt(await time.latest())]);
    });
  });

  describe("expiry", function () {
    it("a key acts up to its expiry second and is refused one second later, as signer and as taker", async function () {
      const v = await loadFixture(keyFixture);
      const expiry = v.t0 + 600n;
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: LIMIT, period: PERIOD, expiry });
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.bob, v.dave.address, { priceBand: BAND, notionalPerPeriod: LIMIT, period: PERIOD, expiry });
      // Maker side: Dave signs for Alice; Bob takes.
      const o = keyOrder(v, -2n * WAD, INDEX, 5n);
      const sig = await sign(v, v.dave, o);
      await time.setNextBlockTimestamp(expiry);
      await expect(fillOrder(v, v.bob, o, sig, WAD)).to.emit(v.venue, "OrderFilled");
      await time.setNextBlockTimestamp(expiry + 1n);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyExpired")
        .withArgs(v.alice.address, v.dave.address, expiry);
      // Taker side: Dave fills for Bob's account a sell Carol signed.
      const c = order(v, { account: accountId(v.carol.address), size: -WAD, limitPrice: INDEX, signer: v.carol.address, salt: 6n });
      await expect(fillOrder(v, v.dave, c, await sign(v, v.carol, c), WAD, { takerAccount: accountId(v.bob.address) }))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyExpired")
        .withArgs(v.bob.address, v.dave.address, expiry);
    });
  });

  describe("price band around the index", function () {
    it("a key fills exactly at the band's edges and is refused one wei outside, on both sides of the index", async function () {
      const v = await loadFixture(keyFixture);
      const high = INDEX + (INDEX * BAND) / WAD; // 3030
      const low = INDEX - (INDEX * BAND) / WAD; // 2970
      await expect(keyTrade(v, WAD, high + 1n, 7n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyPriceOutOfBand")
        .withArgs(v.alice.address, v.dave.address, high + 1n, INDEX, BAND);
      await expect(keyTrade(v, -WAD, low - 1n, 8n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyPriceOutOfBand")
        .withArgs(v.alice.address, v.dave.address, low - 1n, INDEX, BAND);
      await expect(keyTrade(v, WAD, high, 9n)).to.emit(v.venue, "OrderFilled");
      await expect(keyTrade(v, -WAD, low, 10n)).to.emit(v.venue, "OrderFilled");
    });

    it("the band is measured against the oracle's index now", async function () {
      const v = await loadFixture(keyFixture);
      await setPrice(v, "ETH/USD", "3100");
      const index = 3100n * WAD;
      // 3000 is 3.2% below the new index: outside Dave's 1% band although inside the market's 5%.
      await expect(keyTrade(v, -WAD, INDEX, 11n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyPriceOutOfBand")
        .withArgs(v.alice.address, v.dave.address, INDEX, index, BAND);
      await expect(keyTrade(v, -WAD, index, 12n)).to.emit(v.venue, "OrderFilled");
    });

    it("a taker key is held to its owner's band", async function () {
      const v = await loadFixture(keyFixture);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.bob, v.dave.address, { priceBand: BAND, notionalPerPeriod: LIMIT, period: PERIOD });
      const price = INDEX + (INDEX * BAND) / WAD + 1n;
      const c = order(v, { account: accountId(v.carol.address), size: -WAD, limitPrice: price, signer: v.carol.address, salt: 13n });
      await expect(fillOrder(v, v.dave, c, await sign(v, v.carol, c), WAD, { takerAccount: accountId(v.bob.address) }))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyPriceOutOfBand")
        .withArgs(v.bob.address, v.dave.address, price, INDEX, BAND);
    });
  });

  describe("notional per period", function () {
    it("counts each fill at max(price, index), accepts a fill that reaches the limit exactly and refuses the next wei", async function () {
      const v = await loadFixture(keyFixture);
      const limit = 90_000n * WAD;
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: limit, period: PERIOD });
      const low = INDEX - (INDEX * BAND) / WAD;
      // A sell at 2970 is counted at the index: 10 ETH * 3000 = 30,000.
      const first = keyNotional(10n * WAD, low);
      expect(first).to.equal(30_000n * WAD);
      const tx = keyTrade(v, -10n * WAD, low, 14n);
      await expect(tx).to.emit(v.venue, "SessionKeyNotionalUsed");
      const start = BigInt(await time.latest());
      await expect(tx).to.emit(v.venue, "SessionKeyNotionalUsed").withArgs(v.alice.address, v.dave.address, first, first, start);
      // Fill the rest of the window exactly: 20 ETH bought at the index, 60,000.
      const rest = limit - first;
      await expect(keyTrade(v, 20n * WAD, INDEX, 15n))
        .to.emit(v.venue, "SessionKeyNotionalUsed")
        .withArgs(v.alice.address, v.dave.address, rest, limit, start);
      expect(await v.venue.sessionKeyUsage(v.alice.address, v.dave.address)).to.deep.equal([limit, start]);
      // One more wei of size is charged 1 * 3000e18 / 1e18 = 3000 wei of notional.
      await expect(keyTrade(v, 1n, INDEX, 16n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, limit, 3000n, limit);
    });

    it("a new window opens at the first fill at or after the window's end, and not one second before", async function () {
      const v = await loadFixture(keyFixture);
      // A 10-minute window of 30,000 (the feed's 1 h heartbeat keeps the index valid throughout).
      const period = 600n;
      const limit = 30_000n * WAD;
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: limit, period });
      await (await keyTrade(v, 10n * WAD, INDEX, 17n)).wait();
      const start = BigInt(await time.latest());
      // One second before the window ends: still full.
      await time.setNextBlockTimestamp(start + period - 1n);
      await expect(keyTrade(v, -WAD, INDEX, 18n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, limit, INDEX, limit);
      // At the window's end: a new window starts at this fill.
      const next = start + period;
      await time.setNextBlockTimestamp(next);
      await expect(keyTrade(v, -WAD, INDEX, 19n))
        .to.emit(v.venue, "SessionKeyNotionalUsed")
        .withArgs(v.alice.address, v.dave.address, INDEX, INDEX, next);
      expect(await v.venue.sessionKeyUsage(v.alice.address, v.dave.address)).to.deep.equal([INDEX, next]);
    });

    it("the usage view reports an ended window as empty, starting now", async function () {
      const v = await loadFixture(keyFixture);
      await (await keyTrade(v, WAD, INDEX, 20n)).wait();
      const start = BigInt(await time.latest());
      expect(await v.venue.sessionKeyUsage(v.alice.address, v.dave.address)).to.deep.equal([INDEX, start]);
      await time.increaseTo(start + PERIOD);
      expect(await v.venue.sessionKeyUsage(v.alice.address, v.dave.address)).to.deep.equal([0n, start + PERIOD]);
    });

    it("setting limits again keeps the window's usage: a lower limit applies at once and nothing is refunded", async function () {
      const v = await loadFixture(keyFixture);
      await (await keyTrade(v, 10n * WAD, INDEX, 21n)).wait();
      const used = 30_000n * WAD;
      const lower = 20_000n * WAD;
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: lower, period: PERIOD });
      await expect(keyTrade(v, -WAD, INDEX, 22n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, used, INDEX, lower);
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: LIMIT, period: PERIOD });
      expect((await v.venue.sessionKeyUsage(v.alice.address, v.dave.address))[0]).to.equal(used);
    });

    it("a key acting for two owners has a separate window per owner", async function () {
      const v = await loadFixture(keyFixture);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.bob, v.dave.address, { priceBand: BAND, notionalPerPeriod: INDEX, period: PERIOD });
      // Dave fills Carol's sell for Bob's account, up to Bob's limit of 3,000 notional.
      const c = order(v, { account: accountId(v.carol.address), size: -2n * WAD, limitPrice: INDEX, signer: v.carol.address, salt: 23n });
      const sig = await sign(v, v.carol, c);
      const bobAcc = accountId(v.bob.address);
      await expect(fillOrder(v, v.dave, c, sig, WAD, { takerAccount: bobAcc })).to.emit(v.venue, "OrderFilled");
      await expect(fillOrder(v, v.dave, c, sig, WAD, { takerAccount: bobAcc }))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.bob.address, v.dave.address, INDEX, INDEX, INDEX);
      expect((await v.venue.sessionKeyUsage(v.alice.address, v.dave.address))[0]).to.equal(0n);
    });
  });

  describe("regression", function () {
    it("class 5: a compromised session key's maximum damage equals the owner's chosen limit", async function () {
      const v = await loadFixture(keyFixture);
      const aliceAcc = accountId(v.alice.address);
      const equityOf = async (acc: bigint) => (await v.engine.accountMargin(acc)).equity;
      const aliceBefore = await equityOf(aliceAcc);
      const high = INDEX + (INDEX * BAND) / WAD; // 3030: Alice buys 1% above the index
      const low = INDEX - (INDEX * BAND) / WAD; // 2970: and sells 1% below it
      const size = 5n * WAD;

      // The attack of the issue: Dave, holding Alice's key, round-trips Alice against his own account at the edges
      // of the band. Each round trip moves 5 * 60 = 300 from Alice to Dave and is charged 15,150 + 15,000 notional.
      let fees = 0n;
      let used = 0n;
      let salt = 100n;
      for (let i = 0; i < 3; i++) {
        await (await keyTrade(v, size, high, salt++)).wait();
        await (await keyTrade(v, -size, low, salt++)).wait();
        fees += feesOf(size, high).makerFee + feesOf(size, low).makerFee;
        used += keyNotional(size, high) + keyNotional(size, low);
      }
      expect(used).to.equal(90_450n * WAD);
      expect(await v.engine.position(aliceAcc, ETH)).to.deep.equal([0n, 0n]);
      const loss = aliceBefore - (await equityOf(aliceAcc));
      expect(loss).to.equal(3n * 300n * WAD + fees);
      expect(loss).to.be.at.most(mulWad(LIMIT, BAND) + fees);

      // The next leg would pass the limit: refused with the window's usage, the leg's notional and the limit.
      await expect(keyTrade(v, size, high, salt++))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, used, keyNotional(size, high), LIMIT);

      // The rest of the window, spent selling at the low edge (charged at the index), still stays under the bound.
      const restSize = ((LIMIT - used) * WAD) / INDEX;
      await (await keyTrade(v, -restSize, low, salt++)).wait();
      fees += feesOf(restSize, low).makerFee;
      used += keyNotional(restSize, low);
      const total = aliceBefore - (await equityOf(aliceAcc));
      expect(total).to.equal(3n * 300n * WAD + mulWad(restSize, INDEX - low) + fees);
      expect(total).to.be.at.most(mulWad(LIMIT, BAND) + fees);
      await expect(keyTrade(v, -1n, low, salt++))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, used, 3000n, LIMIT);
    });

    it("the bound is reached exactly by a key that only sells at the low edge of its band", async function () {
      const v = await loadFixture(keyFixture);
      const limit = 30_000n * WAD;
      await setKeyLimits(v, v.alice, v.dave.address, { priceBand: BAND, notionalPerPeriod: limit, period: PERIOD });
      const aliceAcc = accountId(v.alice.address);
      const before = (await v.engine.accountMargin(aliceAcc)).equity;
      const low = INDEX - (INDEX * BAND) / WAD;
      await (await keyTrade(v, -10n * WAD, low, 200n)).wait();
      const loss = before - (await v.engine.accountMargin(aliceAcc)).equity;
      expect(loss).to.equal(mulWad(limit, BAND) + feesOf(10n * WAD, low).makerFee);
      await expect(keyTrade(v, -1n, low, 201n))
        .to.be.revertedWithCustomError(v.venue, "SessionKeyNotionalLimitExceeded")
        .withArgs(v.alice.address, v.dave.address, limit, 3000n, limit);
    });
  });
});

const ZERO = "0x0000000000000000000000000000000000000000";

/** x * y / 1e18 rounded down. */
function mulWad(x: bigint, y: bigint): bigint {
  return (x * y) / WAD;
}
