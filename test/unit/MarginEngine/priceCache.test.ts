/**
 * The engine's cached marks (INV-14): margin checks of fills and withdrawals use a cached oracle price while it is
 * at most maxPriceAge (60 s in the fixture) old and refresh it from the oracle when older; a price the oracle
 * refuses (stale, out of bounds) reverts with the oracle's error; views read the oracle fresh.
 * Times are pinned relative to an hour boundary H (feeds refreshed at H - 300 and H - 299, heartbeat 1 h).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  BTC_ASSET,
  ETH,
  ETH_ASSET,
  MAX_FILL_DEVIATION,
  USDC,
  alignToHour,
  at,
  bytes32,
  engineFixture,
  fill,
  fund,
  setFeed,
  wad,
  type EngineFixture,
} from "./helpers";

async function withdrawUsdc(f: EngineFixture, who: typeof f.alice, account: bigint, amount: bigint) {
  return f.b.vault.connect(who).withdraw(account, await f.b.cash.getAddress(), amount, who.address);
}

describe("MarginEngine: price cache (INV-14)", function () {
  it("INV-14 a withdrawal's margin check uses the cached mark while it is exactly maxPriceAge old and refreshes it one second later", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    await fund(b, f.carol, "USDC", 1_000n * USDC);
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.carol, ETH, wad(-5), wad(3000))).wait(); // carol: cash 992.5, IM 750
    let v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3000), BigInt(H + 100)]);
    await setFeed(b, "ETH/USD", 2950, H + 110);

    // Age 60: the cached 3,000 applies: equity 792.5 >= 750 (at 2,950 it would be 542.5 < 737.5).
    await at(H + 160);
    await (await withdrawUsdc(f, f.carol, f.C, 200n * USDC)).wait();
    v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3000), BigInt(H + 100)]);

    // Age 61: the oracle's 2,950 applies: equity 791.5 - 250 = 541.5 < 737.5.
    await at(H + 161);
    await expect(withdrawUsdc(f, f.carol, f.C, 1n * USDC))
      .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
      .withArgs(f.C, wad("541.5"), wad("737.5"));

    // A successful check stores the refreshed mark.
    await at(H + 170);
    await (await withdrawUsdc(f, f.alice, f.A, 1n * USDC)).wait();
    v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(2950), BigInt(H + 170)]);
  });

  it("INV-14 a fill bands its price against the cached mark while fresh and against the oracle once the cache is older than maxPriceAge", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
    await setFeed(b, "ETH/USD", 3300, H + 110);
    await at(H + 160);
    await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3300)))
      .to.be.revertedWithCustomError(b.engine, "EngineFillPriceOutOfBand")
      .withArgs(ETH, wad(3300), wad(3000), MAX_FILL_DEVIATION);
    await at(H + 161);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3300))).wait();
    const v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.premium]).to.deep.equal([wad(3300), BigInt(H + 161), 0n]);
  });

  it("INV-14 a fill whose cached mark is older than maxPriceAge and whose feed is stale reverts with OracleStalePrice", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    const feed = b.feeds["ETH/USD"];
    const [, , , updatedAt] = await feed.latestRoundData();
    await at(updatedAt + 3601n);
    await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000)))
      .to.be.revertedWithCustomError(b.oracle, "OracleStalePrice")
      .withArgs(ETH_ASSET, await feed.getAddress(), updatedAt, 3600);
    // The same feed is accepted at exactly updatedAt + heartbeat.
    await setFeed(b, "ETH/USD", 3000, H + 3500);
    await at(H + 3500 + 3600);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
  });

  it("INV-14 a stale price of another market the account holds reverts the fill's margin check; accounts without it trade", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    await fund(b, f.carol, "USDC", 100_000n * USDC);
    await fund(b, f.dave, "USDC", 100_000n * USDC);
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.carol, BTC, wad("-0.1"), wad(60_000))).wait();
    const btcFeed = b.feeds["BTC/USD"];
    const [, , , btcUpdated] = await btcFeed.latestRoundData();
    await setFeed(b, "ETH/USD", 3000, H + 3400); // ETH fresh, BTC stale from H + 3302 on
    await at(H + 3410);
    await expect(fill(b, f.dave, f.carol, ETH, wad(-1), wad(3000)))
      .to.be.revertedWithCustomError(b.oracle, "OracleStalePrice")
      .withArgs(BTC_ASSET, await btcFeed.getAddress(), btcUpdated, 3600);
    await at(H + 3411);
    await (await fill(b, f.dave, f.bob, ETH, wad(-1), wad(3000))).wait();
    // Views read the oracle fresh and refuse the stale price too.
    await expect(b.engine.accountMargin(f.C)).to.be.revertedWithCustomError(b.oracle, "OracleStalePrice");
    expect((await b.engine.accountMargin(f.D)).maintenanceMargin).to.equal(wad(90));
  });

  it("INV-14 a price outside the feed's bounds reverts a fill with OraclePriceOutOfBounds and never reaches margin", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await setFeed(b, "ETH/USD", "0.5", H + 10);
    await at(H + 20);
    await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad("0.5")))
      .to.be.revertedWithCustomError(b.oracle, "OraclePriceOutOfBounds")
      .withArgs(ETH_ASSET, wad("0.5"), wad(1), wad(1_000_000));
    await expect(b.engine.updateMarket(ETH)).to.be.revertedWithCustomError(b.oracle, "OraclePriceOutOfBounds");
  });

  it("with maxPriceAge 0 every margin check reads the oracle and stores the price with its block time", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    await expect(b.engine.setMaxPriceAge(0)).to.emit(b.engine, "MaxPriceAgeSet").withArgs(0);
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
    await setFeed(b, "ETH/USD", 3001, H + 101);
    await at(H + 102);
    await (await withdrawUsdc(f, f.bob, f.B, 1n * USDC)).wait();
    const v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3001), BigInt(H + 102)]);
  });

  it("setMaxPriceAge accepts MAX_PRICE_AGE_LIMIT (300) and emits MaxPriceAgeSet; 301 reverts EngineParameterOutOfBounds", async function () {
    const { b } = await loadFixture(engineFixture);
    expect(await b.engine.maxPriceAge()).to.equal(60n);
    expect(await b.engine.MAX_PRICE_AGE_LIMIT()).to.equal(300n);
    await expect(b.engine.setMaxPriceAge(300)).to.emit(b.engine, "MaxPriceAgeSet").withArgs(300);
    expect(await b.engine.maxPriceAge()).to.equal(300n);
    await expect(b.engine.setMaxPriceAge(301))
      .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
      .withArgs(bytes32("maxPriceAge"), 301, 0, 300);
  });

  it("updateMarket refreshes a cached mark older than maxPriceAge (and only then); an unlisted market reverts EngineMarketUnknown", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 10);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    await setFeed(b, "BTC/USD", 61_000, H + 20);
    await at(H + 70);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    let v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(60_000), BigInt(H + 10), BigInt(H + 70)]);
    await at(H + 71);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(61_000), BigInt(H + 71), BigInt(H + 71)]);
    await expect(b.engine.updateMarket(2)).to.be.revertedWithCustomError(b.engine, "EngineMarketUnknown").withArgs(2);
  });
});
