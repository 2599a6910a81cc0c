import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { auctionFixture, WAD, ETH } from "./helpers";
import type { AuctionParams } from "../../../src/model/auction";

const name = (s: string) => ethers.encodeBytes32String(s);
const MIN = 60n;
const DAY = 86_400n;

/** [parameter, value, min, max, override] for each bound. */
function badParams(p: AuctionParams): [string, bigint, bigint, bigint, Partial<AuctionParams>][] {
  return [
    ["startPrice", 8n * 10n ** 17n - 1n, 8n * 10n ** 17n, WAD, { startPrice: 8n * 10n ** 17n - 1n }],
    ["startPrice", WAD + 1n, 8n * 10n ** 17n, WAD, { startPrice: WAD + 1n }],
    ["fastPrice", p.startPrice + 1n, 10n ** 17n, p.startPrice, { fastPrice: p.startPrice + 1n }],
    ["fastPrice", 10n ** 17n - 1n, 10n ** 17n, p.startPrice, { fastPrice: 10n ** 17n - 1n, floorPrice: 10n ** 17n - 1n }],
    ["floorPrice", p.fastPrice + 1n, 10n ** 17n, p.fastPrice, { floorPrice: p.fastPrice + 1n }],
    ["fastDuration", MIN - 1n, MIN, DAY, { fastDuration: MIN - 1n }],
    ["fastDuration", DAY + 1n, MIN, DAY, { fastDuration: DAY + 1n }],
    ["slowDuration", MIN - 1n, MIN, DAY, { slowDuration: MIN - 1n }],
    ["insolventDuration", DAY + 1n, MIN, DAY, { insolventDuration: DAY + 1n }],
    ["insolventBonus", WAD / 2n + 1n, 0n, WAD / 2n, { insolventBonus: WAD / 2n + 1n }],
    ["bufferRatio", WAD + 1n, 0n, WAD, { bufferRatio: WAD + 1n }],
    ["penaltyRate", WAD / 2n + 1n, 0n, WAD / 2n, { penaltyRate: WAD / 2n + 1n }],
    ["insuranceShare", WAD + 1n, 0n, WAD, { insuranceShare: WAD + 1n }],
    ["tipRate", WAD / 2n + 1n, 0n, WAD / 2n, { tipRate: WAD / 2n + 1n }],
    ["flatTip", 1000n * WAD + 1n, 0n, 1000n * WAD, { flatTip: 1000n * WAD + 1n }],
    ["dustMargin", 100_000n * WAD + 1n, 0n, 100_000n * WAD, { dustMargin: 100_000n * WAD + 1n }],
    ["tipBaseFee", 10_001n, 0n, 10_000n, { tipBaseFee: 10_001n }],
  ];
}

describe("LiquidationAuction: governance", function () {
  it("setParams stores parameters at their bounds and emits AuctionParamsSet with them", async function () {
    const f = await loadFixture(auctionFixture);
    const edge: AuctionParams = {
      ...f.p,
      startPrice: WAD,
      fastPrice: 10n ** 17n,
      floorPrice: 10n ** 17n,
      fastDuration: MIN,
      slowDuration: DAY,
      insolventDuration: DAY,
      insolventBonus: WAD / 2n,
      bufferRatio: WAD,
      penaltyRate: WAD / 2n,
      tipBaseFee: 10_000n,
      insuranceShare: WAD,
      tipRate: WAD / 2n,
      flatTip: 1000n * WAD,
      dustMargin: 100_000n * WAD,
    };
    await expect(f.auction.setParams(edge)).to.emit(f.auction, "AuctionParamsSet");
    const stored = await f.auction.params();
    expect(Object.values(edge)).to.deep.equal([...stored]);
  });

  for (const [i, [param, value, lo, hi]] of badParams({
    startPrice: 98n * 10n ** 16n,
    fastPrice: 9n * 10n ** 17n,
    floorPrice: 7n * 10n ** 17n,
  } as AuctionParams).entries()) {
    it(`setParams reverts with AuctionParameterOutOfBounds("${param}", ${value}, ${lo}, ${hi}) (case ${i + 1})`, async function () {
      const f = await loadFixture(auctionFixture);
      const override = badParams(f.p)[i][4];
      await expect(f.auction.setParams({ ...f.p, ...override }))
        .to.be.revertedWithCustomError(f.auction, "AuctionParameterOutOfBounds")
        .withArgs(name(param), value, lo, hi);
    });
  }

  it("sets the global and per-market shortfall caps and emits the new values", async function () {
    const f = await loadFixture(auctionFixture);
    await expect(f.auction.setGlobalShortfallCap(123n * WAD))
      .to.emit(f.auction, "GlobalShortfallCapSet")
      .withArgs(123n * WAD);
    await expect(f.auction.setMarketShortfallCap(ETH, 45n * WAD))
      .to.emit(f.auction, "MarketShortfallCapSet")
      .withArgs(ETH, 45n * WAD);
    const [, globalCap, , marketCap] = await f.auction.shortfallTotals(ETH);
    expect([globalCap, marketCap]).to.deep.equal([123n * WAD, 45n * WAD]);
    await expect(f.auction.setGlobalShortfallCap(2n ** 104n))
      .to.be.revertedWithCustomError(f.auction, "AuctionParameterOutOfBounds")
      .withArgs(name("globalShortfallCap"), 2n ** 104n, 0n, 2n ** 104n - 1n);
  });

  it("the guardian may raise the stop level to 1 or 2 but never lower it or set 3; the admin may set any level", async function () {
    const f = await loadFixture(auctionFixture);
    const [, , , , , , , guardian] = f.users;
    await f.manager.grantRole(2, guardian.address, 0);
    await expect(f.auction.connect(guardian).raiseStopLevel(1)).to.emit(f.auction, "StopLevelSet").withArgs(1);
    await expect(f.auction.connect(guardian).raiseStopLevel(2)).to.emit(f.auction, "StopLevelSet").withArgs(2);
    await expect(f.auction.connect(guardian).raiseStopLevel(1))
      .to.be.revertedWithCustomError(f.auction, "AuctionGuardianCannotLoosen")
      .withArgs(2, 1);
    await expect(f.auction.connect(guardian).raiseStopLevel(3))
      .to.be.revertedWithCustomError(f.auction, "AuctionGuardianCannotLoosen")
      .withArgs(2, 3);
    await expect(f.auction.connect(guardian).setStopLevel(0))
      .to.be.revertedWithCustomError(f.auction, "AccessManagedUnauthorized")
      .withArgs(guardian.address);
    await expect(f.auction.setStopLevel(3)).to.emit(f.auction, "StopLevelSet").withArgs(3);
    await expect(f.auction.setStopLevel(0)).to.emit(f.auction, "StopLevelSet").withArgs(0);
    await expect(f.auction.setStopLevel(4))
      .to.be.revertedWithCustomError(f.auction, "AuctionParameterOutOfBounds")
      .withArgs(name("stopLevel"), 4n, 0n, 3n);
  });

  it("every restricted function reverts with AccessManagedUnauthorized(caller) for a caller without a role", async function () {
    const f = await loadFixture(auctionFixture);
    const stranger = f.users[7];
    const a = f.auction.connect(stranger);
    // One call at a time: a rejected promise created before its `expect` awaits it is an unhandled rejection.
    for (const call of [
      () => a.setParams(f.p),
      () => a.setGlobalShortfallCap(1n),
      () => a.setMarketShortfallCap(ETH, 1n),
      () => a.setStopLevel(1),
      () => a.raiseStopLevel(1),
    ]) {
      await expect(call()).to.be.revertedWithCustomError(f.auction, "AccessManagedUnauthorized").withArgs(stranger.address);
    }
  });

  it("is wired to the deployed engine, vault, oracle and insurance fund, which bound it", async function () {
    const f = await loadFixture(auctionFixture);
    expect(await f.auction.engine()).to.equal(await f.engine.getAddress());
    expect(await f.auction.vault()).to.equal(await f.vault.getAddress());
    expect(await f.auction.oracle()).to.equal(await f.oracle.getAddress());
    expect(await f.auction.fund()).to.equal(await f.fund.getAddress());
    expect(await f.engine.liquidator()).to.equal(await f.auction.getAddress());
    expect(await f.vault.liquidator()).to.equal(await f.auction.getAddress());
    expect(await f.fund.auction()).to.equal(await f.auction.getAddress());
  });
});
