/**
 * Isolated subaccounts (INV-11): setAccountIsolated only without positions, and an isolated account never holds
 * more than one market.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { BTC, ETH, USDC, accountId, engineFixture, expectFill, fill, fund, pos, wad } from "./helpers";

describe("MarginEngine: isolated accounts (INV-11)", function () {
  it("setAccountIsolated marks the caller's subaccount and emits AccountIsolationSet(account, isolated)", async function () {
    const { b, carol } = await loadFixture(engineFixture);
    const sub = accountId(carol.address, 7);
    await expect(b.engine.connect(carol).setAccountIsolated(7, true)).to.emit(b.engine, "AccountIsolationSet").withArgs(sub, true);
    expect(await b.engine.accountInfo(sub)).to.deep.equal([0n, true]);
    expect(await b.engine.accountInfo(accountId(carol.address, 0))).to.deep.equal([0n, false]);
    await expect(b.engine.connect(carol).setAccountIsolated(7, false)).to.emit(b.engine, "AccountIsolationSet").withArgs(sub, false);
    expect(await b.engine.accountInfo(sub)).to.deep.equal([0n, false]);
  });

  it("setAccountIsolated reverts EngineAccountHasPositions while the account holds a position and succeeds after it is closed", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, bob } = f;
    await (await fill(b, alice, bob, ETH, wad(-1), wad(3000))).wait();
    await expect(b.engine.connect(bob).setAccountIsolated(0, true))
      .to.be.revertedWithCustomError(b.engine, "EngineAccountHasPositions")
      .withArgs(f.B);
    await (await fill(b, alice, bob, ETH, wad(1), wad(3000))).wait();
    await expect(b.engine.connect(bob).setAccountIsolated(0, true)).to.emit(b.engine, "AccountIsolationSet").withArgs(f.B, true);
  });

  it("INV-11 an isolated taker opening a second market reverts EngineIsolatedAccountSecondMarket(account, heldMarket, newMarket)", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, carol } = f;
    const iso = accountId(carol.address, 1);
    await b.engine.connect(carol).setAccountIsolated(1, true);
    await fund(b, carol, "USDC", 50_000n * USDC, iso);
    await expectFill(f, { maker: alice, taker: carol, marketId: BTC, makerSize: wad("-0.1"), price: wad(60_000), takerAccount: iso });
    await expect(fill(b, alice, carol, ETH, wad(-1), wad(3000), { takerAccount: iso }))
      .to.be.revertedWithCustomError(b.engine, "EngineIsolatedAccountSecondMarket")
      .withArgs(iso, BTC, ETH);
    expect(await b.engine.accountInfo(iso)).to.deep.equal([1n << BigInt(BTC), true]);
  });

  it("INV-11 an isolated maker opening a second market reverts EngineIsolatedAccountSecondMarket", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, carol } = f;
    const iso = accountId(carol.address, 1);
    await b.engine.connect(carol).setAccountIsolated(1, true);
    await fund(b, carol, "USDC", 50_000n * USDC, iso);
    await (await fill(b, carol, alice, ETH, wad(-1), wad(3000), { makerAccount: iso })).wait();
    await expect(fill(b, carol, alice, BTC, wad("0.1"), wad(60_000), { makerAccount: iso }))
      .to.be.revertedWithCustomError(b.engine, "EngineIsolatedAccountSecondMarket")
      .withArgs(iso, ETH, BTC);
  });

  it("INV-11 an isolated account may add to, reduce and flip its one market, and open another once it is closed", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, carol } = f;
    const iso = accountId(carol.address, 1);
    await b.engine.connect(carol).setAccountIsolated(1, true);
    await fund(b, carol, "USDC", 50_000n * USDC, iso);
    await expectFill(f, { maker: alice, taker: carol, marketId: ETH, makerSize: wad(-1), price: wad(3000), takerAccount: iso });
    await expectFill(f, { maker: alice, taker: carol, marketId: ETH, makerSize: wad(-1), price: wad(3000), takerAccount: iso });
    await expectFill(f, { maker: alice, taker: carol, marketId: ETH, makerSize: wad(3), price: wad(3000), takerAccount: iso });
    expect(await pos(b, iso, ETH)).to.deep.equal({ size: wad(-1), basis: wad(-3000) });
    await expectFill(f, { maker: alice, taker: carol, marketId: ETH, makerSize: wad(-1), price: wad(3000), takerAccount: iso });
    await expectFill(f, { maker: alice, taker: carol, marketId: BTC, makerSize: wad("0.1"), price: wad(60_000), takerAccount: iso });
    expect(await b.engine.accountInfo(iso)).to.deep.equal([1n << BigInt(BTC), true]);
  });

  it("INV-11 a cross account holds several markets at once", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, bob } = f;
    await (await fill(b, alice, bob, ETH, wad(-1), wad(3000))).wait();
    await (await fill(b, alice, bob, BTC, wad("0.1"), wad(60_000))).wait();
    expect(await b.engine.accountInfo(f.B)).to.deep.equal([3n, false]);
  });
});
