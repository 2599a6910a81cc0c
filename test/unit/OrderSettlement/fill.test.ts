/**
 * OrderSettlement fills: full and partial fills at the maker's price, positions, fees, events, overfills and
 * signature replay (INV-16: an order's filled size never exceeds its size).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fund } from "../../shared/fixtures";
import {
  venueFixture,
  order,
  sign,
  fillOrder,
  tradeFull,
  feesOf,
  mulWadFloor,
  accountId,
  WAD,
  DEPOSIT_WAD,
  ETH,
  type VenueFixture,
} from "./venue.helpers";

async function cashOf(v: VenueFixture, account: bigint): Promise<bigint> {
  return v.vault.cashBalance(account);
}

async function positionOf(v: VenueFixture, account: bigint, marketId = ETH): Promise<[bigint, bigint]> {
  const [size, basis] = await v.engine.position(account, marketId);
  return [size, basis];
}

describe("OrderSettlement: fills", function () {
  it("a full fill of a maker sell opens both positions at the maker's price and charges both fees, rounded up", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const bobAcc = accountId(v.bob.address);
    const size = 1_234_567_890_123_456_789n; // 1.234567890123456789 ETH
    const price = 3_001_123_456_789_000_000_000n; // 3001.123456789
    const o = order(v, { account: aliceAcc, size: -size, limitPrice: price, signer: v.alice.address, salt: 1n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    const feeAccount = await v.venue.feeAccount();
    const feesBefore = await cashOf(v, feeAccount);

    const { notional, makerFee, takerFee } = feesOf(size, price);
    // The fill notional is not a whole number of wei, so each fee is rounded up from an already rounded-up notional.
    expect((size * price) % WAD).to.not.equal(0n);
    expect(notional).to.equal((size * price) / WAD + 1n);

    const tx = fillOrder(v, v.bob, o, sig, size, { limit: price });
    await expect(tx).to.emit(v.venue, "OrderFilled").withArgs(hash, bobAcc, size);
    await expect(tx)
      .to.emit(v.engine, "TradeSettled")
      .withArgs(await v.venue.getAddress(), ETH, aliceAcc, bobAcc, size, price, makerFee, takerFee, 0n, 0n);

    // Both sides open at the same notional (the taker's, rounded down), with opposite signs.
    const basis = mulWadFloor(size, price);
    expect(await positionOf(v, aliceAcc)).to.deep.equal([-size, -basis]);
    expect(await positionOf(v, bobAcc)).to.deep.equal([size, basis]);
    expect(await v.venue.filled(hash)).to.equal(size);
    expect(await cashOf(v, aliceAcc)).to.equal(DEPOSIT_WAD - makerFee);
    expect(await cashOf(v, bobAcc)).to.equal(DEPOSIT_WAD - takerFee);
    expect(await cashOf(v, feeAccount)).to.equal(feesBefore + makerFee + takerFee);
  });

  it("the fee account is the insurance fund's subaccount 0 and receives exactly the maker plus taker fee of a fill", async function () {
    const v = await loadFixture(venueFixture);
    const feeAccount = await v.venue.feeAccount();
    expect(feeAccount).to.equal(accountId(await v.fund.getAddress(), 0));
    expect(await cashOf(v, feeAccount)).to.equal(0n);
    await tradeFull(v, v.alice, v.bob, -2n * WAD, 3000n * WAD, 2n);
    // notional 6000: maker 0.02% = 1.2, taker 0.05% = 3.0
    expect(await cashOf(v, feeAccount)).to.equal(1_200_000_000_000_000_000n + 3n * WAD);
  });

  it("several partial fills of a maker buy each settle at the limit price with fees on their own notional", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const bobAcc = accountId(v.bob.address);
    const carolAcc = accountId(v.carol.address);
    const size = 3n * WAD;
    const price = 2_999_876_543_210_000_000_000n; // 2999.87654321
    const o = order(v, { account: aliceAcc, size, limitPrice: price, signer: v.alice.address, salt: 2n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    const venueAddr = await v.venue.getAddress();
    const feeAccount = await v.venue.feeAccount();

    const fills: { taker: typeof v.bob; account: bigint; amount: bigint }[] = [
      { taker: v.bob, account: bobAcc, amount: WAD + 1n },
      { taker: v.carol, account: carolAcc, amount: WAD / 2n - 7n },
      { taker: v.bob, account: bobAcc, amount: size - (WAD + 1n) - (WAD / 2n - 7n) },
    ];
    let filledTotal = 0n;
    let makerFees = 0n;
    let aliceBasis = 0n;
    const takerBasis = new Map<bigint, bigint>([
      [bobAcc, 0n],
      [carolAcc, 0n],
    ]);
    const takerFees = new Map<bigint, bigint>([
      [bobAcc, 0n],
      [carolAcc, 0n],
    ]);
    for (const f of fills) {
      const { makerFee, takerFee } = feesOf(f.amount, price);
      filledTotal += f.amount;
      const tx = fillOrder(v, f.taker, o, sig, f.amount, { limit: price });
      await expect(tx).to.emit(v.venue, "OrderFilled").withArgs(hash, f.account, filledTotal);
      await expect(tx)
        .to.emit(v.engine, "TradeSettled")
        .withArgs(venueAddr, ETH, aliceAcc, f.account, -f.amount, price, makerFee, takerFee, 0n, 0n);
      expect(await v.venue.filled(hash)).to.equal(filledTotal);
      // The taker sells: its notional is floor(-amount * price), the maker's the same with the opposite sign.
      const n = mulWadFloor(-f.amount, price);
      aliceBasis -= n;
      takerBasis.set(f.account, takerBasis.get(f.account)! + n);
      takerFees.set(f.account, takerFees.get(f.account)! + takerFee);
      makerFees += makerFee;
    }
    expect(filledTotal).to.equal(size);
    expect(await positionOf(v, aliceAcc)).to.deep.equal([size, aliceBasis]);
    expect(await positionOf(v, bobAcc)).to.deep.equal([-(fills[0].amount + fills[2].amount), takerBasis.get(bobAcc)]);
    expect(await positionOf(v, carolAcc)).to.deep.equal([-fills[1].amount, takerBasis.get(carolAcc)]);
    expect(await cashOf(v, aliceAcc)).to.equal(DEPOSIT_WAD - makerFees);
    expect(await cashOf(v, bobAcc)).to.equal(DEPOSIT_WAD - takerFees.get(bobAcc)!);
    expect(await cashOf(v, carolAcc)).to.equal(DEPOSIT_WAD - takerFees.get(carolAcc)!);
    expect(await cashOf(v, feeAccount)).to.equal(makerFees + takerFees.get(bobAcc)! + takerFees.get(carolAcc)!);

    // INV-16: the completed order accepts not one more wei.
    await expect(fillOrder(v, v.carol, o, sig, 1n, { limit: price }))
      .to.be.revertedWithCustomError(v.venue, "OrderOverfilled")
      .withArgs(hash, size, size, 1n);
  });

  it("a fill that reduces the maker's position reports the maker's realised PnL in TradeSettled and settles it into cash", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const carolAcc = accountId(v.carol.address);
    // Alice buys 2 at 3000 (as maker), then sells 1 at 3100 (as maker): +100 realised on the closed half.
    await tradeFull(v, v.alice, v.bob, 2n * WAD, 3000n * WAD, 3n);
    const price = 3100n * WAD;
    const o = order(v, { account: aliceAcc, size: -WAD, limitPrice: price, signer: v.alice.address, salt: 4n });
    const sig = await sign(v, v.alice, o);
    const first = feesOf(2n * WAD, 3000n * WAD);
    const second = feesOf(WAD, price);
    await expect(fillOrder(v, v.carol, o, sig, WAD))
      .to.emit(v.engine, "TradeSettled")
      .withArgs(await v.venue.getAddress(), ETH, aliceAcc, carolAcc, WAD, price, second.makerFee, second.takerFee, 100n * WAD, 0n);
    expect(await positionOf(v, aliceAcc)).to.deep.equal([WAD, 3000n * WAD]);
    expect(await positionOf(v, carolAcc)).to.deep.equal([WAD, 3100n * WAD]);
    expect(await cashOf(v, aliceAcc)).to.equal(DEPOSIT_WAD - first.makerFee - second.makerFee + 100n * WAD);
  });

  it("a fill larger than the order reverts with OrderOverfilled(hash, size, filled, requested) (INV-16)", async function () {
    const v = await loadFixture(venueFixture);
    const size = 2n * WAD;
    const o = order(v, { account: accountId(v.alice.address), size: -size, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 5n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    await expect(fillOrder(v, v.bob, o, sig, size + 1n))
      .to.be.revertedWithCustomError(v.venue, "OrderOverfilled")
      .withArgs(hash, size, 0n, size + 1n);
    expect(await v.venue.filled(hash)).to.equal(0n);
  });

  it("after a partial fill, only the remaining size can be filled (INV-16)", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const size = 2n * WAD;
    const part = (3n * WAD) / 2n;
    const o = order(v, { account: aliceAcc, size: -size, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 6n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    await (await fillOrder(v, v.bob, o, sig, part)).wait();
    await expect(fillOrder(v, v.carol, o, sig, size - part + 1n))
      .to.be.revertedWithCustomError(v.venue, "OrderOverfilled")
      .withArgs(hash, size, part, size - part + 1n);
    await expect(fillOrder(v, v.carol, o, sig, size - part))
      .to.emit(v.venue, "OrderFilled")
      .withArgs(hash, accountId(v.carol.address), size);
    expect(await v.venue.filled(hash)).to.equal(size);
    expect((await positionOf(v, aliceAcc))[0]).to.equal(-size);
  });

  it("replaying a filled order's signature, by the same or another taker, cannot fill more than the order size (INV-16)", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const size = WAD;
    const o = order(v, { account: aliceAcc, size: -size, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 7n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    await (await fillOrder(v, v.bob, o, sig, size)).wait();
    for (const taker of [v.bob, v.carol]) {
      await expect(fillOrder(v, taker, o, sig, size))
        .to.be.revertedWithCustomError(v.venue, "OrderOverfilled")
        .withArgs(hash, size, size, size);
    }
    expect(await v.venue.filled(hash)).to.equal(size);
    expect(await positionOf(v, aliceAcc)).to.deep.equal([-size, -3000n * WAD]);
    expect(await positionOf(v, accountId(v.carol.address))).to.deep.equal([0n, 0n]);
  });

  it("over a sequence of fills and rejected overfills, filled(hash) equals the sum of accepted fills and never exceeds the size (INV-16)", async function () {
    const v = await loadFixture(venueFixture);
    const size = 5n * WAD;
    const o = order(v, { account: accountId(v.alice.address), size: size, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 8n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    const attempts = [2n * WAD, 4n * WAD, WAD + 3n, 2n * WAD, 2n * WAD - 3n, 1n, WAD];
    let accepted = 0n;
    for (const [i, amount] of attempts.entries()) {
      const taker = i % 2 === 0 ? v.bob : v.carol;
      if (accepted + amount <= size) {
        await expect(fillOrder(v, taker, o, sig, amount)).to.emit(v.venue, "OrderFilled");
        accepted += amount;
      } else {
        await expect(fillOrder(v, taker, o, sig, amount))
          .to.be.revertedWithCustomError(v.venue, "OrderOverfilled")
          .withArgs(hash, size, accepted, amount);
      }
      expect(await v.venue.filled(hash)).to.equal(accepted);
    }
    expect(accepted).to.equal(size);
  });

  it("a fill that leaves the taker below initial margin reverts with the engine's EngineInsufficientMargin and changes nothing", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const daveAcc = accountId(v.dave.address); // no collateral at all
    const o = order(v, { account: aliceAcc, size: -WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 9n });
    const sig = await sign(v, v.alice, o);
    const hash = await v.venue.hashOrder(o);
    // Dave's equity is minus his taker fee (1.5); initial margin is 5% of 3000.
    await expect(fillOrder(v, v.dave, o, sig, WAD))
      .to.be.revertedWithCustomError(v.engine, "EngineInsufficientMargin")
      .withArgs(daveAcc, -1_500_000_000_000_000_000n, 150n * WAD);
    expect(await v.venue.filled(hash)).to.equal(0n);
    expect(await positionOf(v, aliceAcc)).to.deep.equal([0n, 0n]);
    expect(await positionOf(v, daveAcc)).to.deep.equal([0n, 0n]);
    expect(await cashOf(v, aliceAcc)).to.equal(DEPOSIT_WAD);
  });

  it("a 1-wei fill still charges a fee to each side: notional and fees round up", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const bobAcc = accountId(v.bob.address);
    const o = order(v, { account: aliceAcc, size: -WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 13n });
    const sig = await sign(v, v.alice, o);
    // notional = ceil(1 * 3000e18 / 1e18) = 3000 wei; maker ceil(3000 * 0.0002) = 1 wei, taker ceil(3000 * 0.0005) = 2 wei.
    expect(feesOf(1n, 3000n * WAD)).to.deep.equal({ notional: 3000n, makerFee: 1n, takerFee: 2n });
    await expect(fillOrder(v, v.bob, o, sig, 1n))
      .to.emit(v.engine, "TradeSettled")
      .withArgs(await v.venue.getAddress(), ETH, aliceAcc, bobAcc, 1n, 3000n * WAD, 1n, 2n, 0n, 0n);
    expect(await cashOf(v, await v.venue.feeAccount())).to.equal(3n);
    expect(await cashOf(v, aliceAcc)).to.equal(DEPOSIT_WAD - 1n);
  });

  it("an order for an unlisted market passes the venue's checks and is refused by the engine (EngineMarketUnknown)", async function () {
    const v = await loadFixture(venueFixture);
    const o = order(v, {
      account: accountId(v.alice.address),
      marketId: 5,
      size: -WAD,
      limitPrice: 3000n * WAD,
      signer: v.alice.address,
      salt: 14n,
    });
    await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD))
      .to.be.revertedWithCustomError(v.engine, "EngineMarketUnknown")
      .withArgs(5n);
    expect(await v.venue.filled(await v.venue.hashOrder(o))).to.equal(0n);
  });

  it("a maker cannot fill its own order into the same account (EngineSelfTrade)", async function () {
    const v = await loadFixture(venueFixture);
    const aliceAcc = accountId(v.alice.address);
    const o = order(v, { account: aliceAcc, size: -WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 10n });
    const sig = await sign(v, v.alice, o);
    await expect(fillOrder(v, v.alice, o, sig, WAD))
      .to.be.revertedWithCustomError(v.engine, "EngineSelfTrade")
      .withArgs(aliceAcc);
  });

  it("an order of a subaccount fills into that subaccount only", async function () {
    const v = await loadFixture(venueFixture);
    const aliceSub = accountId(v.alice.address, 5);
    await fund(v, v.alice, "USDC", 10_000n * 10n ** 6n, aliceSub);
    const o = order(v, { account: aliceSub, size: WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 12n });
    const sig = await sign(v, v.alice, o);
    await (await fillOrder(v, v.bob, o, sig, WAD)).wait();
    expect(await positionOf(v, aliceSub)).to.deep.equal([WAD, 3000n * WAD]);
    expect(await positionOf(v, accountId(v.alice.address))).to.deep.equal([0n, 0n]);
  });
});
