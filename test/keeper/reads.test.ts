/**
 * ViewReader (src/keeper/reads.ts), the keeper's reads without ethers' per-call overhead: every view the keeper reads
 * that way returns exactly what the TypeChain `Contract` call returns, at the same block, on a fixture with a running
 * auction; a reverting view throws.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-toolbox/network-helpers";
import { ViewReader } from "../../src/keeper/reads";
import { fixtureContracts, sixLiquidatable } from "./fixtures";

describe("keeper: ViewReader", function () {
  it("returns what the Contract call returns for every view the keeper reads through it, at the same block", async function () {
    const f = await loadFixture(sixLiquidatable);
    await (await f.auction.startAuction(f.subs[1], f.A)).wait();
    const c = await fixtureContracts(f, ethers.provider, false);
    const r = new ViewReader(ethers.provider);
    const block = await ethers.provider.getBlockNumber();
    const at = { blockTag: block };
    const a = f.subs[1];
    const usdc = await f.tokens.USDC.getAddress();
    const asset = await c.engine.oracleAssetOf(0);
    const pairs: [string, unknown, unknown][] = [
      ["quote", await r.read(c.auction, "quote", [a], block), await c.auction.quote(a, at)],
      ["auctionParams", await r.read(c.auction, "auctionParams", [a], block), await c.auction.auctionParams(a, at)],
      ["auctionOf", await r.read(c.auction, "auctionOf", [a], block), await c.auction.auctionOf(a, at)],
      ["accountsHealth", await r.read(c.lens, "accountsHealth", [f.subs], block), await c.lens.accountsHealth(f.subs, at)],
      ["accountInfo", await r.read(c.engine, "accountInfo", [a], block), await c.engine.accountInfo(a, at)],
      ["position", await r.read(c.engine, "position", [a, 0], block), await c.engine.position(a, 0, at)],
      [
        "collateralBalanceWad",
        await r.read(c.vault, "collateralBalanceWad", [a, usdc], block),
        await c.vault.collateralBalanceWad(a, usdc, at),
      ],
      ["accountTokens", await r.read(c.vault, "accountTokens", [a], block), await c.vault.accountTokens(a, at)],
      ["getPrice", await r.read(c.oracle, "getPrice", [asset], block), await c.oracle.getPrice(asset, at)],
    ];
    for (const [name, fast, slow] of pairs) expect(fast, name).to.deep.equal(slow);
    // The running auction and the account's position are really there (the comparison is not of zeros).
    expect((await r.read(c.auction, "quote", [a], block)).active).to.equal(true);
    expect((await r.read(c.engine, "position", [a, 0], block))[0]).to.equal(10n * 10n ** 18n);
    // Named fields survive as they do through ethers.
    expect((await r.read(c.engine, "accountInfo", [a], block)).markets).to.equal(1n);
    // An earlier block answers as of that block: no auction yet.
    expect((await r.read(c.auction, "quote", [a], block - 1)).active).to.equal(false);
  });

  it("a view that reverts throws (the node's error, where the Contract call throws ethers' decoded one)", async function () {
    const f = await loadFixture(sixLiquidatable);
    const r = new ViewReader(ethers.provider);
    const block = await ethers.provider.getBlockNumber();
    const unknownAsset = ethers.encodeBytes32String("NOPE/USD");
    await expect(f.oracle.getPrice(unknownAsset)).to.be.reverted;
    let thrown: unknown;
    try {
      await r.read(f.oracle, "getPrice", [unknownAsset], block);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).to.be.instanceOf(Error);
  });
});
