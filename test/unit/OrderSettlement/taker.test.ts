/**
 * OrderSettlement taker side and order amounts: taker authorisation, the taker's price limit, zero amounts and
 * reduce-only maker orders.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fund } from "../../shared/fixtures";
import {
  venueFixture,
  order,
  sign,
  fillOrder,
  tradeFull,
  accountId,
  WAD,
  USDC,
  SCOPE,
  ETH,
  setKeyLimits,
  type VenueFixture,
} from "./venue.helpers";

const PRICE = 3000n * WAD;

function aliceOrder(v: VenueFixture, size: bigint, salt: bigint, extra: Partial<Parameters<typeof order>[1]> = {}) {
  return order(v, { account: accountId(v.alice.address), size, limitPrice: PRICE, signer: v.alice.address, salt, ...extra });
}

describe("OrderSettlement: taker and amounts", function () {
  describe("taker authorisation", function () {
    it("the taker account's owner may fill into any of its subaccounts", async function () {
      const v = await loadFixture(venueFixture);
      const bobSub = accountId(v.bob.address, 7);
      await fund(v, v.bob, "USDC", 10_000n * USDC, bobSub);
      const o = aliceOrder(v, -WAD, 81n);
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD, { takerAccount: bobSub }))
        .to.emit(v.venue, "OrderFilled")
        .withArgs(await v.venue.hashOrder(o), bobSub, WAD);
      expect(await v.engine.position(bobSub, ETH)).to.deep.equal([WAD, PRICE]);
      expect(await v.engine.position(accountId(v.bob.address), ETH)).to.deep.equal([0n, 0n]);
    });

    it("a trade-scope operator fills for the owner's account, and the position lands in that account", async function () {
      const v = await loadFixture(venueFixture);
      const bobAcc = accountId(v.bob.address);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.bob, v.dave.address);
      const o = aliceOrder(v, -WAD, 82n);
      await expect(fillOrder(v, v.dave, o, await sign(v, v.alice, o), WAD, { takerAccount: bobAcc }))
        .to.emit(v.venue, "OrderFilled")
        .withArgs(await v.venue.hashOrder(o), bobAcc, WAD);
      expect(await v.engine.position(bobAcc, ETH)).to.deep.equal([WAD, PRICE]);
      expect(await v.engine.position(accountId(v.dave.address), ETH)).to.deep.equal([0n, 0n]);
    });

    it("a stranger cannot fill for someone else's account (OrderTakerNotAuthorized)", async function () {
      const v = await loadFixture(venueFixture);
      const bobAcc = accountId(v.bob.address);
      const o = aliceOrder(v, -WAD, 83n);
      const hash = await v.venue.hashOrder(o);
      await expect(fillOrder(v, v.erin, o, await sign(v, v.alice, o), WAD, { takerAccount: bobAcc }))
        .to.be.revertedWithCustomError(v.venue, "OrderTakerNotAuthorized")
        .withArgs(v.erin.address, bobAcc);
      expect(await v.venue.filled(hash)).to.equal(0n);
    });

    it("an operator with scope None, an expired operator and the maker cannot fill for the taker account", async function () {
      const v = await loadFixture(venueFixture);
      const bobAcc = accountId(v.bob.address);
      const o = aliceOrder(v, -2n * WAD, 84n);
      const sig = await sign(v, v.alice, o);
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.None, v.expiry)).wait();
      await expect(fillOrder(v, v.dave, o, sig, WAD, { takerAccount: bobAcc }))
        .to.be.revertedWithCustomError(v.venue, "OrderTakerNotAuthorized")
        .withArgs(v.dave.address, bobAcc);
      const opExpiry = v.t0 + 600n;
      await (await v.engine.connect(v.bob).setOperator(v.dave.address, SCOPE.Trade, opExpiry)).wait();
      await setKeyLimits(v, v.bob, v.dave.address);
      await time.setNextBlockTimestamp(opExpiry);
      await expect(fillOrder(v, v.dave, o, sig, WAD, { takerAccount: bobAcc })).to.emit(v.venue, "OrderFilled");
      await time.setNextBlockTimestamp(opExpiry + 1n);
      await expect(fillOrder(v, v.dave, o, sig, WAD, { takerAccount: bobAcc }))
        .to.be.revertedWithCustomError(v.venue, "OrderTakerNotAuthorized")
        .withArgs(v.dave.address, bobAcc);
      await expect(fillOrder(v, v.alice, o, sig, WAD, { takerAccount: bobAcc }))
        .to.be.revertedWithCustomError(v.venue, "OrderTakerNotAuthorized")
        .withArgs(v.alice.address, bobAcc);
    });
  });

  describe("taker price limit", function () {
    it("a taker buying from a maker sell accepts a limit equal to the price and rejects one wei below (OrderPriceLimitExceeded)", async function () {
      const v = await loadFixture(venueFixture);
      const price = 3010n * WAD + 7n;
      const o = aliceOrder(v, -2n * WAD, 91n, { limitPrice: price });
      const sig = await sign(v, v.alice, o);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: price - 1n }))
        .to.be.revertedWithCustomError(v.venue, "OrderPriceLimitExceeded")
        .withArgs(price, price - 1n);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: 0n }))
        .to.be.revertedWithCustomError(v.venue, "OrderPriceLimitExceeded")
        .withArgs(price, 0n);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: price })).to.emit(v.venue, "OrderFilled");
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: ethers.MaxUint256 })).to.emit(v.venue, "OrderFilled");
    });

    it("a taker selling into a maker buy accepts a limit equal to the price and rejects one wei above (OrderPriceLimitExceeded)", async function () {
      const v = await loadFixture(venueFixture);
      const price = 2990n * WAD - 3n;
      const o = aliceOrder(v, 2n * WAD, 92n, { limitPrice: price });
      const sig = await sign(v, v.alice, o);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: price + 1n }))
        .to.be.revertedWithCustomError(v.venue, "OrderPriceLimitExceeded")
        .withArgs(price, price + 1n);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: ethers.MaxUint256 }))
        .to.be.revertedWithCustomError(v.venue, "OrderPriceLimitExceeded")
        .withArgs(price, ethers.MaxUint256);
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: price })).to.emit(v.venue, "OrderFilled");
      await expect(fillOrder(v, v.bob, o, sig, WAD, { limit: 0n })).to.emit(v.venue, "OrderFilled");
      expect((await v.engine.position(accountId(v.bob.address), ETH))[0]).to.equal(-2n * WAD);
    });
  });

  describe("amounts", function () {
    it("a fill size of zero reverts with OrderInvalidAmount", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceOrder(v, -WAD, 101n);
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), 0n)).to.be.revertedWithCustomError(v.venue, "OrderInvalidAmount");
    });

    it("an order of size zero reverts with OrderInvalidAmount", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceOrder(v, 0n, 102n);
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD, { limit: 0n })).to.be.revertedWithCustomError(
        v.venue,
        "OrderInvalidAmount",
      );
    });

    it("an order with limit price zero reverts with OrderInvalidAmount", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceOrder(v, WAD, 103n, { limitPrice: 0n });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD, { limit: 0n })).to.be.revertedWithCustomError(
        v.venue,
        "OrderInvalidAmount",
      );
    });

    it("amounts are checked before anything else: a zero fill of an expired, unsigned order still reports OrderInvalidAmount", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceOrder(v, -WAD, 104n, { expiry: v.t0 - 1n });
      await expect(fillOrder(v, v.bob, o, "0x", 0n)).to.be.revertedWithCustomError(v.venue, "OrderInvalidAmount");
    });
  });

  describe("reduce-only maker orders", function () {
    async function longTwo() {
      const v = await venueFixture();
      // Alice holds +2 ETH.
      await tradeFull(v, v.alice, v.bob, 2n * WAD, PRICE, 110n);
      return v;
    }

    it("a reduce-only order that reduces the maker's position fills", async function () {
      const v = await loadFixture(longTwo);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, -WAD, 111n, { reduceOnly: true });
      await expect(fillOrder(v, v.carol, o, await sign(v, v.alice, o), WAD)).to.emit(v.venue, "OrderFilled");
      expect((await v.engine.position(aliceAcc, ETH))[0]).to.equal(WAD);
    });

    it("a reduce-only order that closes the maker's position exactly fills", async function () {
      const v = await loadFixture(longTwo);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, -2n * WAD, 112n, { reduceOnly: true });
      await expect(fillOrder(v, v.carol, o, await sign(v, v.alice, o), 2n * WAD)).to.emit(v.venue, "OrderFilled");
      expect(await v.engine.position(aliceAcc, ETH)).to.deep.equal([0n, 0n]);
    });

    it("a reduce-only order that would increase the maker's position reverts with EngineReduceOnlyViolated", async function () {
      const v = await loadFixture(longTwo);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, WAD, 113n, { reduceOnly: true });
      await expect(fillOrder(v, v.carol, o, await sign(v, v.alice, o), WAD))
        .to.be.revertedWithCustomError(v.engine, "EngineReduceOnlyViolated")
        .withArgs(aliceAcc, ETH, 2n * WAD, 3n * WAD);
    });

    it("a reduce-only order that would flip the maker's position reverts with EngineReduceOnlyViolated", async function () {
      const v = await loadFixture(longTwo);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, -3n * WAD, 114n, { reduceOnly: true });
      await expect(fillOrder(v, v.carol, o, await sign(v, v.alice, o), 3n * WAD))
        .to.be.revertedWithCustomError(v.engine, "EngineReduceOnlyViolated")
        .withArgs(aliceAcc, ETH, 2n * WAD, -WAD);
    });

    it("a reduce-only order on a flat position reverts with EngineReduceOnlyViolated", async function () {
      const v = await loadFixture(venueFixture);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, -WAD, 115n, { reduceOnly: true });
      await expect(fillOrder(v, v.carol, o, await sign(v, v.alice, o), WAD))
        .to.be.revertedWithCustomError(v.engine, "EngineReduceOnlyViolated")
        .withArgs(aliceAcc, ETH, 0n, -WAD);
    });

    it("a reduce-only order partially filled down to a flat position cannot fill its remainder", async function () {
      const v = await loadFixture(longTwo);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceOrder(v, -3n * WAD, 116n, { reduceOnly: true });
      const sig = await sign(v, v.alice, o);
      await expect(fillOrder(v, v.carol, o, sig, 2n * WAD)).to.emit(v.venue, "OrderFilled");
      await expect(fillOrder(v, v.carol, o, sig, WAD))
        .to.be.revertedWithCustomError(v.engine, "EngineReduceOnlyViolated")
        .withArgs(aliceAcc, ETH, 0n, -WAD);
      expect(await v.venue.filled(await v.venue.hashOrder(o))).to.equal(2n * WAD);
    });
  });
});
