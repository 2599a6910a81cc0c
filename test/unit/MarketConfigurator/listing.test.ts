import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ballastFixture } from "../../shared/fixtures";
import {
  configuratorFixture,
  risk,
  riskTuple,
  tradingTuple,
  setupTuple,
  targetsOf,
  pct,
  wad,
  SOL,
  DOGE,
  SOL_ID,
  RISK,
  TRADING,
  WAD,
} from "./helpers";

describe("MarketConfigurator: listMarket", function () {
  it("lists the market under the engine's next id and emits MarketListed with its asset and parameters", async function () {
    const f = await loadFixture(configuratorFixture);
    const { T0 } = f;
    expect(await f.configurator.listMarket.staticCall(SOL, RISK, TRADING)).to.equal(SOL_ID);
    await time.setNextBlockTimestamp(T0);
    await expect(f.configurator.listMarket(SOL, RISK, TRADING))
      .to.emit(f.configurator, "MarketListed")
      .withArgs(SOL_ID, SOL, riskTuple(RISK), tradingTuple(TRADING));
    expect(await f.engine.marketCount()).to.equal(SOL_ID + 1n);
    expect(await f.configurator.oracleAsset(SOL_ID)).to.equal(SOL);
    expect(await f.configurator.riskParams(SOL_ID)).to.deep.equal(riskTuple(RISK));
    expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(TRADING));
  });

  it("starts the volatility estimate at zero variance with the listing as the first observation (time and price)", async function () {
    const f = await loadFixture(configuratorFixture);
    const { T0 } = f;
    await time.setNextBlockTimestamp(T0);
    await f.configurator.listMarket(SOL, RISK, TRADING);
    expect(await f.configurator.volatility(SOL_ID)).to.deep.equal([0n, BigInt(T0), wad("100")]);
  });

  it("lists the market in the engine with zero-variance targets (mmrBase, imrBase) and effective ratios starting at them", async function () {
    const f = await loadFixture(configuratorFixture);
    const { T0 } = f;
    await time.setNextBlockTimestamp(T0);
    await expect(f.configurator.listMarket(SOL, RISK, TRADING))
      .to.emit(f.engine, "MarketListed")
      .withArgs(SOL_ID, SOL, setupTuple(RISK, TRADING, pct(3), pct(5)));
    const v = await f.engine.marketView(SOL_ID);
    expect([v.oracleAsset, v.listed, v.reduceOnly, v.mmr, v.imr]).to.deep.equal([SOL, true, false, pct(3), pct(5)]);
    expect(v.setup).to.deep.equal(setupTuple(RISK, TRADING, pct(3), pct(5)));
    expect(await f.configurator.targets(SOL_ID)).to.deep.equal([pct(3), pct(5)]);
  });

  it("lists a market with imrBase 100% and pushes imrTarget exactly 1e18", async function () {
    const f = await loadFixture(configuratorFixture);
    const r = risk({ mmrBase: pct(7), imrBase: pct(100), mmrFloor: pct(7), mmrCap: pct(7) });
    expect(targetsOf(r, 0n)).to.deep.equal([pct(7), WAD]);
    await f.configurator.listMarket(SOL, r, TRADING);
    expect(await f.configurator.targets(SOL_ID)).to.deep.equal([pct(7), WAD]);
    const v = await f.engine.marketView(SOL_ID);
    expect([v.mmr, v.imr]).to.deep.equal([pct(7), WAD]);
  });

  it("lists several markets on the same asset under consecutive ids", async function () {
    const f = await loadFixture(configuratorFixture);
    await f.configurator.listMarket(SOL, RISK, TRADING);
    await f.configurator.listMarket(SOL, risk({ mmrBase: pct(4), imrBase: pct(8) }), TRADING);
    expect(await f.engine.marketCount()).to.equal(4n);
    expect((await f.configurator.riskParams(3n)).mmrBase).to.equal(pct(4));
    expect(await f.configurator.targets(3n)).to.deep.equal([pct(4), pct(8)]);
  });

  it("reverts with the oracle's OracleAssetUnknown for an asset without a feed", async function () {
    const f = await loadFixture(configuratorFixture);
    await expect(f.configurator.listMarket(DOGE, RISK, TRADING))
      .to.be.revertedWithCustomError(f.oracle, "OracleAssetUnknown")
      .withArgs(DOGE);
  });

  it("reverts with the oracle's OracleStalePrice when the asset's price is stale", async function () {
    const f = await loadFixture(configuratorFixture);
    const { T0 } = f;
    await time.setNextBlockTimestamp(T0 - 1 + 86_401);
    await expect(f.configurator.listMarket(SOL, RISK, TRADING))
      .to.be.revertedWithCustomError(f.oracle, "OracleStalePrice")
      .withArgs(SOL, await f.solFeed.getAddress(), BigInt(T0 - 1), 86_400n);
  });

  it("reverts with the oracle's OracleNonPositivePrice when the asset's feed answers zero", async function () {
    const f = await loadFixture(configuratorFixture);
    await f.solFeed.updateAnswer(0);
    await expect(f.configurator.listMarket(SOL, RISK, TRADING))
      .to.be.revertedWithCustomError(f.oracle, "OracleNonPositivePrice")
      .withArgs(SOL, await f.solFeed.getAddress(), 0n);
    expect(await f.engine.marketCount()).to.equal(2n);
  });

  it("the deployed ETH-PERP carries the parameter file's parameters (3%/5%, floor 2%, cap 15%, 2x above 0%, 0.94, 5 min, 1%/h)", async function () {
    const b = await loadFixture(ballastFixture);
    expect(await b.configurator.riskParams(0n)).to.deep.equal([pct(3), pct(5), pct(2), pct(15), 2n * WAD, 0n, pct(94), 300n, pct(1), 0n]);
    expect(await b.configurator.tradingParams(0n)).to.deep.equal([100_000n * WAD, pct(1), pct(5)]);
    expect(await b.configurator.oracleAsset(0n)).to.equal(ethers.encodeBytes32String("ETH/USD"));
    expect((await b.configurator.volatility(0n)).lastPrice).to.equal(3000n * WAD);
    expect(await b.configurator.engine()).to.equal(await b.engine.getAddress());
    expect(await b.configurator.oracle()).to.equal(await b.oracle.getAddress());
    expect(await b.engine.configurator()).to.equal(await b.configurator.getAddress());
  });
});
