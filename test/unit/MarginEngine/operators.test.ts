/**
 * Operators (session keys) of the margin engine: setOperator, operatorOf, isAuthorized (owner, scope ordering
 * None < Trade < Full, inclusive expiry) and what each scope allows at the venue (Trade) and the vault (Full).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { Signer } from "ethers";
import { ETH, Scope, USDC, accountId, at, engineFixture, fill, pos, wad, type EngineFixture } from "./helpers";

async function withdrawUsdc(f: EngineFixture, sender: typeof f.alice, account: bigint, amount: bigint) {
  return f.b.vault.connect(sender).withdraw(account, await f.b.cash.getAddress(), amount, sender.address);
}

describe("MarginEngine: operators", function () {
  it("setOperator stores scope and expiry per owner and emits OperatorSet(owner, operator, scope, expiry)", async function () {
    const { b, alice, bob, dave } = await loadFixture(engineFixture);
    const now = BigInt(await time.latest());
    const later = now + 30n * 86_400n;
    await expect(b.engine.connect(alice).setOperator(dave.address, Scope.Trade, later))
      .to.emit(b.engine, "OperatorSet")
      .withArgs(alice.address, dave.address, Scope.Trade, later);
    expect(await b.engine.operatorOf(alice.address, dave.address)).to.deep.equal([BigInt(Scope.Trade), later]);
    expect(await b.engine.operatorOf(bob.address, dave.address)).to.deep.equal([0n, 0n]);
    // An expiry in the past is stored as given (the operator is simply not authorized).
    const past = now - 1000n;
    await expect(b.engine.connect(alice).setOperator(dave.address, Scope.Full, past))
      .to.emit(b.engine, "OperatorSet")
      .withArgs(alice.address, dave.address, Scope.Full, past);
    expect(await b.engine.operatorOf(alice.address, dave.address)).to.deep.equal([BigInt(Scope.Full), past]);
    expect(await b.engine.isAuthorized(alice.address, dave.address, Scope.Trade)).to.equal(false);
  });

  it("setOperator rejects the zero address with EngineZeroAddress", async function () {
    const { b, alice } = await loadFixture(engineFixture);
    const later = BigInt(await time.latest()) + 86_400n;
    await expect(b.engine.connect(alice).setOperator(ethers.ZeroAddress, Scope.Full, later)).to.be.revertedWithCustomError(
      b.engine,
      "EngineZeroAddress",
    );
  });

  it("setOperator with a scope outside the enum is refused by ABI decoding (EngineInvalidScope cannot be reached)", async function () {
    const { b, alice, dave } = await loadFixture(engineFixture);
    const data = b.engine.interface.encodeFunctionData("setOperator", [dave.address, Scope.Full, 1n]);
    // Replace the scope word (second argument) by 3.
    const bad = data.slice(0, 10 + 64) + (3).toString(16).padStart(64, "0") + data.slice(10 + 128);
    await expect(alice.sendTransaction({ to: await b.engine.getAddress(), data: bad })).to.be.revertedWithoutReason();
    expect(await b.engine.operatorOf(alice.address, dave.address)).to.deep.equal([0n, 0n]);
  });

  it("isAuthorized: the owner is authorized for every scope; others only with an operator scope at least the one asked", async function () {
    const { b, alice, carol, dave, erin } = await loadFixture(engineFixture);
    const far = BigInt(await time.latest()) + 86_400n;
    await b.engine.connect(alice).setOperator(dave.address, Scope.Trade, far);
    await b.engine.connect(alice).setOperator(erin.address, Scope.Full, far);
    const check = async (caller: string, scope: number) => b.engine.isAuthorized(alice.address, caller, scope);
    expect([
      await check(alice.address, Scope.None),
      await check(alice.address, Scope.Trade),
      await check(alice.address, Scope.Full),
    ]).to.deep.equal([true, true, true]);
    expect([
      await check(dave.address, Scope.None),
      await check(dave.address, Scope.Trade),
      await check(dave.address, Scope.Full),
    ]).to.deep.equal([false, true, false]);
    expect([
      await check(erin.address, Scope.None),
      await check(erin.address, Scope.Trade),
      await check(erin.address, Scope.Full),
    ]).to.deep.equal([false, true, true]);
    expect([await check(carol.address, Scope.Trade), await check(carol.address, Scope.Full)]).to.deep.equal([false, false]);
  });

  it("isAuthorized holds through the expiry second and fails one second later", async function () {
    const { b, alice, dave } = await loadFixture(engineFixture);
    const expiry = (await time.latest()) + 1000;
    await b.engine.connect(alice).setOperator(dave.address, Scope.Full, expiry);
    await time.increaseTo(expiry);
    expect(await b.engine.isAuthorized(alice.address, dave.address, Scope.Full)).to.equal(true);
    await time.increaseTo(expiry + 1);
    expect(await b.engine.isAuthorized(alice.address, dave.address, Scope.Full)).to.equal(false);
    expect(await b.engine.isAuthorized(alice.address, dave.address, Scope.Trade)).to.equal(false);
  });

  /**
   * `owner` gives trade key `key` venue limits that never bind here (issue #11 class 5: the venue refuses a trade-scope
   * key without them): 5% band, 1e30 notional per day, for 30 days.
   */
  async function openVenueLimits(f: EngineFixture, owner: Signer, key: string) {
    const expiry = BigInt(await time.latest()) + 30n * 86_400n;
    await (await f.b.venue.connect(owner).setSessionKeyLimits(key, 5n * 10n ** 16n, 10n ** 30n, 86_400n, expiry)).wait();
  }

  it("a Trade operator fills as taker and signs maker orders for its owner but cannot withdraw (VaultUnauthorized)", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, bob, dave } = f;
    await b.engine.connect(bob).setOperator(dave.address, Scope.Trade, BigInt(await time.latest()) + 86_400n);
    await openVenueLimits(f, bob, dave.address);
    // dave sends the fill for bob's account.
    await (await fill(b, alice, bob, ETH, wad(-1), wad(3000), { sender: dave })).wait();
    // dave signs a maker order for bob's account.
    await (await fill(b, bob, alice, ETH, wad("-0.5"), wad(3000), { makerSigner: dave })).wait();
    expect(await pos(b, f.B, ETH)).to.deep.equal({ size: wad("0.5"), basis: wad(1500) });
    await expect(withdrawUsdc(f, dave, f.B, 1n * USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
      .withArgs(dave.address, f.B);
  });

  it("a Full operator may also withdraw and transfer its owner's cash, for every subaccount of the owner", async function () {
    const f = await loadFixture(engineFixture);
    const { b, bob, dave } = f;
    await b.engine.connect(bob).setOperator(dave.address, Scope.Full, BigInt(await time.latest()) + 86_400n);
    await expect(withdrawUsdc(f, dave, f.B, 10n * USDC)).to.changeTokenBalance(b.cash, dave, 10n * USDC);
    const sub = accountId(bob.address, 9);
    await (await b.vault.connect(dave).transferCash(f.B, sub, 5n * USDC)).wait();
    expect(await b.vault.cashBalance(sub)).to.equal(wad(5));
  });

  it("an operator acts only for the owner who set it", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, bob, dave } = f;
    await b.engine.connect(bob).setOperator(dave.address, Scope.Full, BigInt(await time.latest()) + 86_400n);
    await expect(fill(b, bob, alice, ETH, wad(-1), wad(3000), { sender: dave }))
      .to.be.revertedWithCustomError(b.venue, "OrderTakerNotAuthorized")
      .withArgs(dave.address, f.A);
    await expect(withdrawUsdc(f, dave, f.A, 1n * USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultUnauthorized")
      .withArgs(dave.address, f.A);
  });

  it("an operator's fill in the expiry second settles, one second later it reverts OrderTakerNotAuthorized; scope None revokes", async function () {
    const f = await loadFixture(engineFixture);
    const { b, alice, bob, dave } = f;
    const expiry = (await time.latest()) + 1000;
    await b.engine.connect(bob).setOperator(dave.address, Scope.Trade, expiry);
    await openVenueLimits(f, bob, dave.address);
    await at(expiry);
    await (await fill(b, alice, bob, ETH, wad(-1), wad(3000), { sender: dave })).wait();
    await at(expiry + 1);
    await expect(fill(b, alice, bob, ETH, wad(-1), wad(3000), { sender: dave }))
      .to.be.revertedWithCustomError(b.venue, "OrderTakerNotAuthorized")
      .withArgs(dave.address, f.B);
    await b.engine.connect(bob).setOperator(dave.address, Scope.Trade, expiry + 100_000);
    await (await fill(b, alice, bob, ETH, wad(-1), wad(3000), { sender: dave })).wait();
    await expect(b.engine.connect(bob).setOperator(dave.address, Scope.None, expiry + 100_000))
      .to.emit(b.engine, "OperatorSet")
      .withArgs(bob.address, dave.address, Scope.None, expiry + 100_000);
    expect(await b.engine.isAuthorized(bob.address, dave.address, Scope.None)).to.equal(false);
    await expect(fill(b, alice, bob, ETH, wad(-1), wad(3000), { sender: dave }))
      .to.be.revertedWithCustomError(b.venue, "OrderTakerNotAuthorized")
      .withArgs(dave.address, f.B);
    expect((await pos(b, f.B, ETH)).size).to.equal(wad(2));
  });
});
