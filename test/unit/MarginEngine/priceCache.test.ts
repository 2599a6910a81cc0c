/**
 * The engine's cached marks (INV-14): margin checks of fills and withdrawals use a cached oracle price while it is
 * at most maxPriceAge (60 s in the fixture) old and refresh it from the oracle when older; a fill outside the band
 * of a cached mark not from this block is checked again against a fresh index; updateMarket always reads the
 * oracle; a price the oracle refuses (stale, out of bounds) reverts with the oracle's error; views read the oracle
 * fresh.
 * Times are pinned relative to an hour boundary H (feeds refreshed at H - 300 and H - 299, heartbeat 1 h).
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  BTC,
  BTC_ASSET,
  ETH,
  ETH_ASSET,
  MAX,
  MAX_FILL_DEVIATION,
  USDC,
  WAD,
  alignToHour,
  at,
  bytes32,
  engineFixture,
  expectFill,
  fill,
  fund,
  nextSalt,
  premiumSample,
  premiumAfterFill,
  ETH_OI_CAP,
  revertErrorOf,
  setFeed,
  wad,
  type EngineFixture,
} from "./helpers";
import { makeOrder, signOrder } from "../../shared/fixtures";

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

  it("INV-14 a fill inside the band of the cached mark settles against it; one outside it is checked again against a fresh index", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
    await setFeed(b, "ETH/USD", 3300, H + 110);
    // Age 20: 3,000 is inside the band of the cached 3,000 and settles against it (premium 0, mark kept).
    await at(H + 120);
    await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3000) });
    let v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.premium]).to.deep.equal([wad(3000), BigInt(H + 100), 0n]);
    // Age 30: the new price, 10% above the cached mark, is checked again against the oracle's 3,300 and settles
    // well within maxPriceAge; the fresh index is stored and the premium sampled against it.
    expect(premiumSample(wad(3300), wad(3000))).to.equal(wad("0.1"));
    await at(H + 130);
    await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3300) });
    v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.premium]).to.deep.equal([wad(3300), BigInt(H + 130), 0n]);
  });

  it("INV-14 a fill outside the band of the fresh index reverts EngineFillPriceOutOfBand with the fresh index; the boundary is exact", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 100);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
    await setFeed(b, "ETH/USD", 3300, H + 110);
    // Against the fresh 3,300 the band ends at 3,465 + 3,299 wei (the premium rounds down).
    const ok = wad(3465) + 3299n;
    const bad = wad(3465) + 3300n;
    expect([premiumSample(ok, wad(3300)), premiumSample(bad, wad(3300))]).to.deep.equal([MAX_FILL_DEVIATION, MAX_FILL_DEVIATION + 1n]);
    await at(H + 120);
    await expect(fill(b, f.alice, f.bob, ETH, wad(-1), bad))
      .to.be.revertedWithCustomError(b.engine, "EngineFillPriceOutOfBand")
      .withArgs(ETH, bad, wad(3300), MAX_FILL_DEVIATION);
    // The reverted refresh is not stored.
    let v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3000), BigInt(H + 100)]);
    await at(H + 130);
    await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: ok });
    v = await b.engine.marketView(ETH);
    // Two 1 ETH fills: the premium moved 1/1,000 of the way to 0 (first) and then to the +5% sample.
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.premium]).to.deep.equal([
      wad(3300),
      BigInt(H + 130),
      premiumAfterFill(0n, MAX_FILL_DEVIATION, WAD, ETH_OI_CAP),
    ]);
  });

  it("INV-14 a fill outside the band of a mark cached in the same block is not checked again: it reverts against that mark", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    const feed = b.feeds["ETH/USD"];
    const order = await makeOrder({
      account: f.A,
      marketId: ETH,
      size: wad(-1),
      limitPrice: wad(3300),
      signer: f.alice.address,
      salt: nextSalt(),
    });
    const sig = await signOrder(b, f.alice, order);
    // One block at H + 100: updateMarket caches 3,000, then the feed moves to 3,300, then a fill at 3,300.
    await network.provider.send("evm_setAutomine", [false]);
    let txs;
    try {
      txs = [
        await b.engine.connect(f.erin).updateMarket(ETH),
        await feed.updateAnswer(ethers.parseUnits("3300", await feed.decimals())),
        await b.venue.connect(f.bob).fill(order, sig, f.B, WAD, MAX, { gasLimit: 3_000_000 }),
      ];
      await network.provider.send("evm_mine", [H + 100]);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
    }
    const receipts = await Promise.all(txs!.map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
    expect(receipts.map((r) => [r!.blockNumber, r!.index, r!.status])).to.deep.equal([
      [receipts[0]!.blockNumber, 0, 1],
      [receipts[0]!.blockNumber, 1, 1],
      [receipts[0]!.blockNumber, 2, 0],
    ]);
    const err = await revertErrorOf(b.engine.interface, txs![2].hash);
    expect(err.name).to.equal("EngineFillPriceOutOfBand");
    expect([...err.args]).to.deep.equal([BigInt(ETH), wad(3300), wad(3000), MAX_FILL_DEVIATION]);
    let v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3000), BigInt(H + 100)]);
    // In the next block the cached mark is no longer from this block: the fill is checked against 3,300 and settles.
    await at(H + 101);
    await (await b.venue.connect(f.bob).fill(order, sig, f.B, WAD, MAX)).wait();
    v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.premium]).to.deep.equal([wad(3300), BigInt(H + 101), 0n]);
  });

  it("INV-14 within maxPriceAge a fill inside the band settles on the cached mark after the feed went stale; one outside it reverts OracleStalePrice", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    await alignToHour(b);
    const feed = b.feeds["ETH/USD"];
    const [, , , updatedAt] = await feed.latestRoundData();
    // Cached at updatedAt + 3590 (a valid price); the feed is stale from updatedAt + 3601 on.
    await at(updatedAt + 3590n);
    await (await fill(b, f.alice, f.bob, ETH, wad(-1), wad(3000))).wait();
    await at(updatedAt + 3601n);
    await expectFill(f, { maker: f.alice, taker: f.bob, marketId: ETH, makerSize: wad(-1), price: wad(3100) });
    const v = await b.engine.marketView(ETH);
    expect([v.cachedPrice, v.cachedPriceTimestamp]).to.deep.equal([wad(3000), updatedAt + 3590n]);
    await at(updatedAt + 3602n);
    await expect(fill(b, f.alice, f.bob, ETH, wad(-1), wad(3300)))
      .to.be.revertedWithCustomError(b.oracle, "OracleStalePrice")
      .withArgs(ETH_ASSET, await feed.getAddress(), updatedAt, 3600);
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

  it("updateMarket refreshes the cached mark from the oracle even while it is younger than maxPriceAge; fills keep a fresh-enough mark", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const H = await alignToHour(b);
    await at(H + 10);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    let v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(60_000), BigInt(H + 10), BigInt(H + 10)]);
    await setFeed(b, "BTC/USD", 61_000, H + 20);
    // A fill 15 s later (inside the band of the cached mark) updates the market at the cached 60,000.
    await at(H + 25);
    await (await fill(b, f.alice, f.bob, BTC, wad("-0.1"), wad(60_000))).wait();
    v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(60_000), BigInt(H + 10), BigInt(H + 25)]);
    // updateMarket 20 s after the cache reads the oracle.
    await at(H + 30);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(61_000), BigInt(H + 30), BigInt(H + 30)]);
    // At most one refresh per block: a feed update between two updateMarket calls of one block waits for the next.
    const feed = b.feeds["BTC/USD"];
    await network.provider.send("evm_setAutomine", [false]);
    let txs;
    try {
      txs = [
        await feed.updateAnswer(ethers.parseUnits("61500", await feed.decimals())),
        await b.engine.connect(f.erin).updateMarket(BTC),
        await feed.updateAnswer(ethers.parseUnits("62000", await feed.decimals())),
        await b.engine.connect(f.erin).updateMarket(BTC, { gasLimit: 500_000 }),
      ];
      await network.provider.send("evm_mine", [H + 50]);
    } finally {
      await network.provider.send("evm_setAutomine", [true]);
    }
    const receipts = await Promise.all(txs!.map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
    expect(receipts.map((r) => [r!.blockNumber, r!.index, r!.status])).to.deep.equal(
      [0, 1, 2, 3].map((i) => [receipts[0]!.blockNumber, i, 1]),
    );
    v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(61_500), BigInt(H + 50), BigInt(H + 50)]);
    await at(H + 51);
    await (await b.engine.connect(f.erin).updateMarket(BTC)).wait();
    v = await b.engine.marketView(BTC);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.lastUpdate]).to.deep.equal([wad(62_000), BigInt(H + 51), BigInt(H + 51)]);
    await expect(b.engine.updateMarket(2)).to.be.revertedWithCustomError(b.engine, "EngineMarketUnknown").withArgs(2);
  });
});
