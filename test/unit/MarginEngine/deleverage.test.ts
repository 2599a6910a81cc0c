import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import * as adl from "../../../src/model/adl";
import { MarginEngineDeleveraging__factory } from "../../../typechain-types";
import {
  ETH,
  USDC,
  WAD,
  type EngineFixture,
  auctionSigner,
  fill,
  freshPriceFixture,
  fund,
  pos,
  positionValue,
  setFeed,
  wad,
} from "./helpers";

/**
 * Automated deleveraging in the engine (issue #14 item 1; docs/LIQUIDATION.md, "Automated deleveraging"): the
 * liquidation module's `deleverage` closes a bankrupt account's positions at their bankruptcy prices against every
 * opposite position, pro-rata through the side's index, and each position is settled with it when next touched.
 * Expected values come from the reference model src/model/adl.ts.
 */

/** Carol long 30 ETH and dave long 10 against alice short 25 and bob short 15, all at 3,000; ETH then at 2,600. */
async function bankruptFixture(): Promise<EngineFixture> {
  const f = await freshPriceFixture();
  const { b } = f;
  await fund(b, f.carol, "USDC", 10_000n * USDC);
  await fund(b, f.dave, "USDC", 10_000n * USDC);
  await (await fill(b, f.alice, f.carol, ETH, wad(-20), wad(3000))).wait();
  await (await fill(b, f.bob, f.carol, ETH, wad(-10), wad(3000))).wait();
  await (await fill(b, f.alice, f.dave, ETH, wad(-5), wad(3000))).wait();
  await (await fill(b, f.bob, f.dave, ETH, wad(-5), wad(3000))).wait();
  // Carol's 30 ETH lose 12,000 against her 9,955 of cash: about 2,045 below zero.
  await setFeed(b, "ETH/USD", 2600);
  return f;
}

const PART = wad(2000); // the deficit the insurance fund cannot pay, all on ETH

/** The deleveraging event of carol's position, as the model computes it from the market's state after it. */
async function expectedEvent(f: EngineFixture) {
  const v = await f.b.engine.marketView(ETH);
  const bp = adl.bankruptcyPrice(wad(30), wad(2600), PART);
  const side = adl.deleverageSide(adl.ADL_START, "short", wad(30), wad(40), bp.price, v.cumulativeFunding)!;
  return { bp, side, funding: v.cumulativeFunding };
}

describe("MarginEngine: automated deleveraging", function () {
  it("INV-31: deleverage closes the bankrupt long at its bankruptcy price against every short, pro-rata, closing exactly its size, and settles its result into its cash", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    const carol = await pos(b, f.C, ETH);
    const before = { A: await pos(b, f.A, ETH), B: await pos(b, f.B, ETH), oi: await b.engine.marketView(ETH) };
    const tx = b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART]);
    await (await tx).wait();
    const { bp, side, funding } = await expectedEvent(f);
    // phi = 30 / 40: each short keeps a quarter of its size.
    expect(side.phi).to.equal(wad("0.75"));
    expect(side.index.keep).to.equal(wad("0.25"));
    await expect(tx).to.emit(b.engine, "MarketDeleveraged").withArgs(ETH, f.C, 1n, 1n, wad(30), bp.price, wad(2600), side.phi, bp.covered);
    const cash = positionValue(carol.size, carol.basis, bp.price, funding);
    await expect(tx).to.emit(b.vault, "CashSettled").withArgs(f.C, cash);
    // The bankrupt position is gone; its result at the bankruptcy price covers the part (it was about 2,045 short).
    expect(await pos(b, f.C, ETH)).to.deep.equal({ size: 0n, basis: 0n });
    expect((await b.engine.accountInfo(f.C)).markets).to.equal(0n);
    // INV-04: the vault's record follows (the settlement tells it the account holds no position any more).
    expect((await b.vault.accountStatus(f.C)).hasPositions).to.equal(false);
    expect(bp.covered).to.be.gte(PART);
    // Every short is settled with the side's index in every view, before it is touched.
    const A = adl.settleDeleveraged(before.A, adl.ADL_START, side.index);
    const B = adl.settleDeleveraged(before.B, adl.ADL_START, side.index);
    expect(await pos(b, f.A, ETH)).to.deep.equal(A);
    expect(await pos(b, f.B, ETH)).to.deep.equal(B);
    expect([A.size, B.size]).to.deep.equal([wad("-6.25"), wad("-3.75")]);
    // INV-31: the closed sizes are the bankrupt size to the wei here (nothing rounds), and the market's sizes sum to
    // zero against dave's 10; the open interest and the total basis follow.
    expect(before.A.size - A.size + (before.B.size - B.size)).to.equal(-wad(30));
    const v = await b.engine.marketView(ETH);
    expect(v.longOpenInterest).to.equal(wad(10));
    const dave = await pos(b, f.D, ETH);
    expect(v.totalBasis).to.equal(A.basis + B.basis + dave.basis);
    expect(await b.engine.deleveragingIndex(ETH, 1n, 1n)).to.deep.equal([1n, side.index.keep, side.index.closed]);
    expect(await b.engine.deleveragingIndex(ETH, 0n, 0n)).to.deep.equal([0n, WAD, 0n]);
  });

  it("INV-32: each short gives up its share of the deficit by size and keeps its value: the fold equals closing the part at the bankruptcy price", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    const before = await pos(b, f.A, ETH);
    await (await b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART])).wait();
    const { bp, funding } = await expectedEvent(f);
    const after = await pos(b, f.A, ETH);
    const closed = before.size - after.size; // -18.75 ETH
    for (const price of [wad(1000), wad(2600), wad(4321)]) {
      // Value after = value of the closed part at the bankruptcy price + value of what is left, at any price.
      const share = (before.basis * closed) / before.size;
      const realised = positionValue(closed, share, bp.price, funding);
      const left = positionValue(after.size, before.basis - share, price, funding);
      const folded = positionValue(after.size, after.basis, price, funding);
      // The closing index rounds up by at most a wei per unit of size: against the holder, at most 25 wei here (and
      // a wei from each floor).
      expect(folded - (realised + left)).to.be.within(-27n, 1n);
    }
    // Against closing at the mark, alice gives up 25/40 of what the shorts cover (the deficit, by size), rounded against her
    const givenUp = positionValue(closed, 0n, wad(2600), funding) - positionValue(closed, 0n, bp.price, funding);
    // (never less; the index's rounding up adds at most a wei per unit of size).
    expect(givenUp).to.be.within((bp.covered * 25n) / 40n, (bp.covered * 25n) / 40n + 26n);
  });

  it("RiskLens.positionSizes reports every account's size settled through the event, as the engine's view does, in one call; an unlisted market gives zeros", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    await (await b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART])).wait();
    const accounts = [f.A, f.B, f.C, f.D, f.E];
    // Alice and bob are not touched since the event: the lens settles them as the engine's view does.
    expect(await b.lens.positionSizes(ETH, accounts)).to.deep.equal([wad("-6.25"), wad("-3.75"), 0n, wad(10), 0n]);
    for (const a of accounts) expect((await pos(b, a, ETH)).size).to.equal((await b.lens.positionSizes(ETH, [a]))[0]);
    expect(await b.lens.positionSizes(7, accounts)).to.deep.equal([0n, 0n, 0n, 0n, 0n]);
    expect(await b.lens.positionSizes(ETH, [])).to.deep.equal([]);
  });

  it("the next trade settles the deleveraged position, emits PositionDeleveraged once and stores it; settleDeleveraging then does nothing", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    const before = await pos(b, f.A, ETH);
    await (await b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART])).wait();
    const settled = await pos(b, f.A, ETH);
    const proceeds = before.basis - settled.basis;
    const sizeClosed = before.size - settled.size;
    const tx = b.engine.settleDeleveraging(f.A, ETH);
    await expect(tx)
      .to.emit(b.engine, "PositionDeleveraged")
      .withArgs(f.A, ETH, 0n, 1n, sizeClosed, proceeds, proceeds - (before.basis * sizeClosed) / before.size);
    await expect(b.engine.settleDeleveraging(f.A, ETH)).to.not.emit(b.engine, "PositionDeleveraged");
    expect(await pos(b, f.A, ETH)).to.deep.equal(settled);
    // Bob is settled by his own next fill: buying back 1 ETH from dave.
    const bobBefore = await pos(b, f.B, ETH);
    await expect(fill(b, f.dave, f.bob, ETH, wad(-1), wad(2600)))
      .to.emit(b.engine, "PositionDeleveraged")
      .withArgs(f.B, ETH, 0n, 1n, anyValue, anyValue, anyValue);
    expect((await pos(b, f.B, ETH)).size).to.equal(bobBefore.size + wad(1));
    await expect(b.engine.settleDeleveraging(f.B, ETH)).to.not.emit(b.engine, "PositionDeleveraged");
  });

  it("INV-32: a position opened after an event is not reduced by it, and a market without events settles nothing", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    await fund(b, f.erin, "USDC", 10_000n * USDC);
    await (await b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART])).wait();
    // Erin sells 2 ETH to dave after the event: her short starts at the side's current index.
    await (await fill(b, f.erin, f.dave, ETH, wad(-2), wad(2600))).wait();
    expect((await pos(b, f.E, ETH)).size).to.equal(-wad(2));
    await expect(b.engine.settleDeleveraging(f.E, ETH)).to.not.emit(b.engine, "PositionDeleveraged");
    // BTC has had no event: nothing to settle, nothing emitted.
    await expect(b.engine.settleDeleveraging(f.A, 1)).to.not.emit(b.engine, "PositionDeleveraged");
  });

  it("INV-31: an event that would leave the other side below a millionth of its size is not made: the bankrupt position stays for the auction", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    // Dave closes his long: carol's 30 are the whole long side, so phi = 1 and keep would be 0.
    await (await fill(b, f.dave, f.alice, ETH, wad(-10), wad(2600))).wait();
    const l = b.engine.connect(await auctionSigner(b));
    expect(await l.deleverage.staticCall(f.C, [PART])).to.equal(0n);
    await expect(l.deleverage(f.C, [PART])).to.not.emit(b.engine, "MarketDeleveraged");
    expect((await pos(b, f.C, ETH)).size).to.equal(wad(30));
    expect((await b.engine.deleveragingIndex(ETH, 1n, 0n))[0]).to.equal(0n);
  });

  it("a part of 0 closes the position at the mark, the other side giving up nothing against it; the covered total is returned", async function () {
    const f = await loadFixture(bankruptFixture);
    const l = f.b.engine.connect(await auctionSigner(f.b));
    expect(await l.deleverage.staticCall(f.C, [0n])).to.equal(0n);
    const side = adl.deleverageSide(
      adl.ADL_START,
      "short",
      wad(30),
      wad(40),
      wad(2600),
      (await f.b.engine.marketView(ETH)).cumulativeFunding,
    )!;
    await expect(l.deleverage(f.C, [0n]))
      .to.emit(f.b.engine, "MarketDeleveraged")
      .withArgs(ETH, f.C, 1n, 1n, wad(30), wad(2600), wad(2600), side.phi, 0n);
    await (await f.b.engine.settleDeleveraging(f.A, ETH)).wait();
    expect((await pos(f.b, f.A, ETH)).size).to.equal(-wad("6.25"));
  });

  it("the bankrupt account is credited only the size the other side matched at the bankruptcy price, and nothing for the unmatched dust's gain at the mark", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    // Dave buys 7 wei more from alice: the long open interest is 40 ETH + 7 wei, so phi = 30 / 40.000...07 rounds down
    // and the shorts match a few wei less than carol's 30 ETH.
    await (await fill(b, f.alice, f.dave, ETH, -7n, wad(2600))).wait();
    const carol = await pos(b, f.C, ETH);
    const O = wad(40) + 7n;
    const tx = b.engine.connect(await auctionSigner(b)).deleverage(f.C, [PART]);
    await (await tx).wait();
    const F = (await b.engine.marketView(ETH)).cumulativeFunding;
    const bp = adl.bankruptcyPrice(wad(30), wad(2600), PART);
    const side = adl.deleverageSide(adl.ADL_START, "short", wad(30), O, bp.price, F)!;
    const matched = adl.matchedSize(O, side.phi);
    expect(matched < wad(30) && matched > wad(30) - 100n, `matched ${matched}`).to.equal(true);
    const covered = adl.coveredBy(matched, bp.price, wad(2600));
    await expect(tx).to.emit(b.engine, "MarketDeleveraged").withArgs(ETH, f.C, 1n, 1n, wad(30), bp.price, wad(2600), side.phi, covered);
    // The unmatched dust of her long is worth a gain at the mark (2,600 above the funding index): not credited.
    const dust = positionValue(wad(30) - matched, 0n, wad(2600), F);
    expect(dust > 0n).to.equal(true);
    const cash = positionValue(matched, carol.basis, bp.price, F);
    await expect(tx).to.emit(b.vault, "CashSettled").withArgs(f.C, cash);
    // What the shorts gave up covers what carol was credited above the mark (against the protocol by at most a wei
    // per short and the index's rounding up).
    expect(covered <= bp.covered).to.equal(true);
  });

  it("returns what the other side covered", async function () {
    const f = await loadFixture(bankruptFixture);
    const l = f.b.engine.connect(await auctionSigner(f.b));
    expect(await l.deleverage.staticCall(f.C, [PART])).to.equal(adl.bankruptcyPrice(wad(30), wad(2600), PART).covered);
  });

  it("only the liquidation module may deleverage, with one part per market held; the module itself cannot be called directly", async function () {
    const f = await loadFixture(bankruptFixture);
    const { b } = f;
    await expect(b.engine.connect(f.alice).deleverage(f.C, [PART]))
      .to.be.revertedWithCustomError(b.engine, "EngineOnlyLiquidator")
      .withArgs(f.alice.address);
    const l = b.engine.connect(await auctionSigner(b));
    await expect(l.deleverage(f.C, [])).to.be.revertedWithCustomError(b.engine, "EngineDeleveragingPartsMismatch").withArgs(f.C, 1n, 0n);
    await expect(l.deleverage(f.C, [PART, PART]))
      .to.be.revertedWithCustomError(b.engine, "EngineDeleveragingPartsMismatch")
      .withArgs(f.C, 1n, 2n);
    const address = await b.engine.deleveragingModule();
    expect(address).to.equal(ethers.getCreateAddress({ from: await b.engine.getAddress(), nonce: 2 }));
    const module = MarginEngineDeleveraging__factory.connect(address, await auctionSigner(b));
    await expect(module.deleverage(f.C, [PART]))
      .to.be.revertedWithCustomError(module, "EngineViewsNotDelegated")
      .withArgs(address, await b.engine.getAddress());
  });
});
