/**
 * Views of the margin engine: accountMargin (equity, maintenance and initial margin, health factor, liquidatable),
 * accountMarginAtPrices (input checks and agreement with accountMargin), position,
 * cumulativeFundingAt, accountInfo, marketView, operatorOf, marketCount and the constants.
 */
import { expect } from "chai";
import { artifacts, ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { IMarginEngineViews__factory, MarginEngineViews__factory, MarginEngine__factory } from "../../../typechain-types";
import {
  BTC,
  BTC_IMR,
  BTC_MMR,
  ETH,
  ETH_ASSET,
  ETH_IMR,
  ETH_MMR,
  MAX,
  MAX_FILL_DEVIATION,
  MAX_FUNDING_RATE,
  MAX_UINT96,
  USDC,
  WAD,
  bytes32,
  cashOf,
  engineFixture,
  fill,
  fund,
  healthFactor,
  initialMargin,
  maintenanceMargin,
  mulWadDown,
  positionValue,
  setFeed,
  wad,
  type EngineFixture,
} from "./helpers";

/**
 * carol: 1,000 USDC, 2 WETH (haircut weight 80%) and 0.1 WBTC (75%); long 3 ETH at 3,000 and short 0.2 BTC
 * at 60,000 (taker fees 4.5 and 6); then ETH at 3,100 and BTC at 61,000.
 */
async function portfolioFixture(): Promise<EngineFixture> {
  const f = await engineFixture();
  const { b, carol } = f;
  await fund(b, carol, "USDC", 1_000n * USDC);
  await fund(b, carol, "WETH", 2n * WAD);
  await fund(b, carol, "WBTC", 10_000_000n); // 0.1 WBTC, 8 decimals
  await (await fill(b, f.alice, carol, ETH, wad(-3), wad(3000))).wait();
  await (await fill(b, f.alice, carol, BTC, wad("0.2"), wad(60_000))).wait();
  await setFeed(b, "ETH/USD", 3100);
  await setFeed(b, "BTC/USD", 61_000);
  return f;
}

describe("MarginEngine: views", function () {
  it("accountMargin: equity = cash + haircut collateral + position values; margins, health factor and liquidatable exact", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    const cash = await cashOf(b, f.C);
    expect(cash).to.equal(wad("989.5"));
    const collateral =
      mulWadDown(mulWadDown(2n * WAD, wad(3100)), wad("0.8")) + mulWadDown(mulWadDown(wad("0.1"), wad(61_000)), wad("0.75"));
    const values = positionValue(wad(3), wad(9000), wad(3100), 0n) + positionValue(wad("-0.2"), wad(-12_000), wad(61_000), 0n);
    const equity = cash + collateral + values;
    const mm = maintenanceMargin(wad(3), wad(3100), ETH_MMR) + maintenanceMargin(wad("-0.2"), wad(61_000), BTC_MMR);
    const im = initialMargin(wad(3), wad(3100), ETH_IMR) + initialMargin(wad("-0.2"), wad(61_000), BTC_IMR);
    expect([collateral, values, equity, mm, im]).to.deep.equal([wad(9535), wad(100), wad("10624.5"), wad(584), wad(1075)]);
    const s = await b.engine.accountMargin(f.C);
    expect([s.equity, s.maintenanceMargin, s.initialMargin, s.healthFactor, s.liquidatable]).to.deep.equal([
      equity,
      mm,
      im,
      healthFactor(equity, mm),
      false,
    ]);
    expect(s.healthFactor).to.equal(18_192_636_986_301_369_863n);
  });

  it("accountMarginAtPrices equals accountMargin at the oracle's prices and evaluates other prices exactly", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    const c = await b.vault.marginCollateralFresh(f.C);
    const fresh = await b.engine.accountMargin(f.C);
    const at = await b.engine.accountMarginAtPrices(f.C, { cash: c.cash, collateralValue: c.collateralValue }, [wad(3100), wad(61_000)]);
    expect(at).to.deep.equal(fresh);
    // ETH at 2,000 and BTC at 70,000, with collateral given by the caller.
    const s = await b.engine.accountMarginAtPrices(f.C, { cash: wad(-500), collateralValue: wad(1000) }, [wad(2000), wad(70_000)]);
    const equity = wad(500) + positionValue(wad(3), wad(9000), wad(2000), 0n) + positionValue(wad("-0.2"), wad(-12_000), wad(70_000), 0n);
    const mm = maintenanceMargin(wad(3), wad(2000), ETH_MMR) + maintenanceMargin(wad("-0.2"), wad(70_000), BTC_MMR);
    expect(equity).to.equal(wad(-4500));
    expect([s.equity, s.maintenanceMargin, s.healthFactor, s.liquidatable]).to.deep.equal([equity, mm, 0n, true]);
    expect(s.initialMargin).to.equal(initialMargin(wad(3), wad(2000), ETH_IMR) + initialMargin(wad("-0.2"), wad(70_000), BTC_IMR));
  });

  it("liquidatable flips exactly where equity falls below maintenance margin (one wei of price)", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    const collateral = { cash: wad(100), collateralValue: 0n };
    const btc = wad(61_000);
    const btcValue = positionValue(wad("-0.2"), wad(-12_000), btc, 0n);
    const btcMm = maintenanceMargin(wad("-0.2"), btc, BTC_MMR);
    const surplus = (p: bigint) =>
      collateral.cash + btcValue + positionValue(wad(3), wad(9000), p, 0n) - btcMm - maintenanceMargin(wad(3), p, ETH_MMR);
    let lo = wad(2000);
    let hi = wad(4000);
    expect(surplus(lo) < 0n && surplus(hi) >= 0n).to.equal(true);
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (surplus(mid) >= 0n) hi = mid;
      else lo = mid;
    }
    const ok = await b.engine.accountMarginAtPrices(f.C, collateral, [hi, btc]);
    const bad = await b.engine.accountMarginAtPrices(f.C, collateral, [lo, btc]);
    expect(ok.liquidatable).to.equal(false);
    expect(ok.equity >= BigInt(ok.maintenanceMargin)).to.equal(true);
    expect(bad.liquidatable).to.equal(true);
    expect(bad.equity - BigInt(bad.maintenanceMargin)).to.equal(surplus(lo));
    expect(healthFactor(ok.equity, ok.maintenanceMargin)).to.equal(ok.healthFactor);
    expect(ok.healthFactor >= WAD && bad.healthFactor < WAD).to.equal(true);
  });

  it("without a margin requirement the health factor is type(uint256).max at equity >= 0 (an empty account included) and 0 below", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const withCash = await b.engine.accountMargin(f.A);
    expect([
      withCash.equity,
      withCash.maintenanceMargin,
      withCash.initialMargin,
      withCash.healthFactor,
      withCash.liquidatable,
    ]).to.deep.equal([wad(1_000_000), 0n, 0n, MAX, false]);
    const empty = await b.engine.accountMargin(f.E);
    expect([empty.equity, empty.maintenanceMargin, empty.initialMargin, empty.healthFactor, empty.liquidatable]).to.deep.equal([
      0n,
      0n,
      0n,
      MAX,
      false,
    ]);
    const prices = [wad(3000), wad(60_000)];
    const owing = await b.engine.accountMarginAtPrices(f.E, { cash: -1n, collateralValue: 0n }, prices);
    expect([owing.equity, owing.maintenanceMargin, owing.healthFactor, owing.liquidatable]).to.deep.equal([-1n, 0n, 0n, true]);
    const covered = await b.engine.accountMarginAtPrices(f.E, { cash: -1n, collateralValue: 1n }, prices);
    expect([covered.equity, covered.healthFactor, covered.liquidatable]).to.deep.equal([0n, MAX, false]);
    for (const s of [withCash, empty, owing, covered]) expect(s.healthFactor).to.equal(healthFactor(s.equity, s.maintenanceMargin));
  });

  it("under a margin requirement the health factor is equity / maintenance rounded down, and 0 when equity is zero or negative", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    // carol's positions are worth +100 at (3,100, 61,000) and need 584 of maintenance margin.
    const prices = [wad(3100), wad(61_000)];
    const mm = wad(584);
    const at = (cash: bigint) => b.engine.accountMarginAtPrices(f.C, { cash, collateralValue: 0n }, prices);
    const cases: [bigint, bigint, bigint, boolean][] = [
      // [cash, equity, health factor, liquidatable]
      [3n * mm - wad(100), 3n * mm, 3n * WAD, false],
      [mm - wad(100), mm, WAD, false],
      [mm - wad(100) - 1n, mm - 1n, WAD - 1n, true],
      [1n - wad(100), 1n, 0n, true],
      [-wad(100), 0n, 0n, true],
      [-wad(100) - 1n, -1n, 0n, true],
    ];
    for (const [cash, equity, hf, liquidatable] of cases) {
      const s = await at(cash);
      expect([s.equity, s.maintenanceMargin, s.healthFactor, s.liquidatable], `cash ${cash}`).to.deep.equal([equity, mm, hf, liquidatable]);
      expect(healthFactor(s.equity, s.maintenanceMargin)).to.equal(hf);
    }
  });

  it("accountMarginAtPrices requires one price per listed market and prices below 2**96", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    const c = { cash: 0n, collateralValue: 0n };
    await expect(b.engine.accountMarginAtPrices(f.C, c, [wad(3000)]))
      .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
      .withArgs(bytes32("marketPrices"), 1, 2, 2);
    await expect(b.engine.accountMarginAtPrices(f.C, c, [wad(3000), wad(1), wad(1)]))
      .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
      .withArgs(bytes32("marketPrices"), 3, 2, 2);
    await expect(b.engine.accountMarginAtPrices(f.C, c, [wad(3000), MAX_UINT96 + 1n]))
      .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
      .withArgs(bytes32("price"), MAX_UINT96 + 1n, 0, MAX_UINT96);
    const s = await b.engine.accountMarginAtPrices(f.C, c, [MAX_UINT96, wad(61_000)]);
    expect(s.equity).to.equal(positionValue(wad(3), wad(9000), MAX_UINT96, 0n) + positionValue(wad("-0.2"), wad(-12_000), wad(61_000), 0n));
  });

  it("position and cumulativeFundingAt report size, basis and the funding index at a price; prices above 2**96 revert", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    expect(await b.engine.position(f.C, ETH)).to.deep.equal([wad(3), wad(9000)]);
    expect(await b.engine.position(f.C, BTC)).to.deep.equal([wad("-0.2"), wad(-12_000)]);
    expect(await b.engine.position(f.E, ETH)).to.deep.equal([0n, 0n]);
    const p = wad("3012.345678901234567891");
    expect(await b.engine.cumulativeFundingAt(ETH, p)).to.equal(0n);
    await expect(b.engine.cumulativeFundingAt(ETH, MAX_UINT96 + 1n))
      .to.be.revertedWithCustomError(b.engine, "EngineParameterOutOfBounds")
      .withArgs(bytes32("price"), MAX_UINT96 + 1n, 0, MAX_UINT96);
  });

  it("accountInfo reports the market bitmap and isolation; operatorOf the scope and expiry", async function () {
    const f = await loadFixture(portfolioFixture);
    const { b } = f;
    expect(await b.engine.accountInfo(f.C)).to.deep.equal([3n, false]);
    expect(await b.engine.accountInfo(f.E)).to.deep.equal([0n, false]);
    const expiry = BigInt(await time.latest()) + 123n;
    await b.engine.connect(f.carol).setOperator(f.erin.address, 2, expiry);
    expect(await b.engine.operatorOf(f.carol.address, f.erin.address)).to.deep.equal([2n, expiry]);
  });

  it("marketView reports a listed market's oracle asset, flags, cached mark, ratios, funding state, open interest and setup", async function () {
    const f = await loadFixture(engineFixture);
    const { b } = f;
    const listed = (await b.configurator.queryFilter(b.configurator.filters.MarketListed(ETH)))[0];
    const t = BigInt((await listed.getBlock()).timestamp);
    // The deployment sets the margin tiers right after listing: that push accrues the market to its own block.
    const tiersSet = (await b.configurator.queryFilter(b.configurator.filters.MarginTiersSet(ETH)))[0];
    const tp = BigInt((await tiersSet.getBlock()).timestamp);
    const v = await b.engine.marketView(ETH);
    expect(v.oracleAsset).to.equal(ETH_ASSET);
    expect([v.listed, v.reduceOnly]).to.deep.equal([true, false]);
    expect([v.cachedPrice, v.cachedPriceTimestamp, v.mmr, v.imr]).to.deep.equal([wad(3000), t, ETH_MMR, ETH_IMR]);
    expect([v.cumulativeFunding, v.fundingRatePerSecond, v.lastUpdate, v.premium, v.premiumAccumulator, v.fundingEpoch]).to.deep.equal([
      0n,
      0n,
      tp,
      0n,
      0n,
      t / 3600n,
    ]);
    expect(v.tiers.map((x) => [...x])).to.deep.equal([[wad(500_000_000), wad("0.01"), wad("0.02")]]);
    expect([v.longOpenInterest, v.totalBasis]).to.deep.equal([0n, 0n]);
    expect(v.setup).to.deep.equal([ETH_MMR, ETH_IMR, wad("0.01"), 0n, wad(100_000), MAX_FUNDING_RATE, MAX_FILL_DEVIATION]);
    const btc = await b.engine.marketView(BTC);
    expect([btc.mmr, btc.imr, btc.setup.openInterestCap]).to.deep.equal([BTC_MMR, BTC_IMR, wad(5000)]);
    const none = await b.engine.marketView(7);
    expect([none.listed, none.oracleAsset, none.cachedPrice]).to.deep.equal([false, ethers.ZeroHash, 0n]);
  });

  it("marketCount, the bound contracts and the constants are as deployed", async function () {
    const { b } = await loadFixture(engineFixture);
    expect(await b.engine.marketCount()).to.equal(2n);
    expect(await b.engine.vault()).to.equal(await b.vault.getAddress());
    expect(await b.engine.oracle()).to.equal(await b.oracle.getAddress());
    expect(await b.engine.configurator()).to.equal(await b.configurator.getAddress());
    // The deployment binds the liquidation auction to the engine and to the vault.
    expect(await b.engine.liquidator()).to.equal(await b.auction.getAddress());
    expect(await b.vault.liquidator()).to.equal(await b.auction.getAddress());
    expect(await b.engine.isVenue(await b.venue.getAddress())).to.equal(true);
    expect(await b.engine.tradingPaused()).to.equal(false);
    expect([
      await b.engine.MAX_MARKETS(),
      await b.engine.MAX_ACCOUNT_MARKETS(),
      await b.engine.FUNDING_EPOCH(),
      await b.engine.FUNDING_PERIOD(),
      await b.engine.MAX_PRICE_AGE_LIMIT(),
    ]).to.deep.equal([128n, 16n, 3600n, 28800n, 300n]);
  });

  describe("the view module", function () {
    it("has only view and pure functions, so nothing the engine's fallback forwards can write the engine's storage", async function () {
      const abi = MarginEngineViews__factory.abi.filter((e) => e.type === "function");
      expect(abi.filter((e) => e.stateMutability !== "view" && e.stateMutability !== "pure").map((e) => e.name)).to.deep.equal([]);
      // Every IMarginEngineViews function is the module's, and none of them is also one of the engine's own (the
      // module's other functions, EngineStorage's getters, are answered by the engine itself with the same values).
      const engineOwn = new Set<string>(MarginEngine__factory.abi.filter((e) => e.type === "function").map((e) => e.name));
      const views = IMarginEngineViews__factory.abi.filter((e) => e.type === "function").map((e) => e.name);
      expect(views).to.have.members([
        "accountMargin",
        "accountMarginAtPrices",
        "position",
        "marketView",
        "cumulativeFundingAt",
        "operatorOf",
        "deleveragingIndex",
      ]);
      expect(views.filter((n) => engineOwn.has(n))).to.deep.equal([]);
      expect(views.filter((n) => !abi.some((e) => e.name === n))).to.deep.equal([]);
    });

    it("is created by the engine with the engine's vault and oracle and this checkout's code, and knows its engine", async function () {
      const { b } = await loadFixture(engineFixture);
      const module = MarginEngineViews__factory.connect(await b.engine.viewModule(), ethers.provider);
      expect(await module.vault()).to.equal(await b.vault.getAddress());
      // The engine's constructor created it: the engine's first CREATE (nonce 1).
      expect(await module.getAddress()).to.equal(ethers.getCreateAddress({ from: await b.engine.getAddress(), nonce: 1 }));
      // Its code is the artifact's with exactly three immutables filled in: the vault, the oracle and the engine.
      const name = "contracts/engine/MarginEngineViews.sol:MarginEngineViews";
      const info = await artifacts.getBuildInfo(name);
      const refs =
        info!.output.contracts["contracts/engine/MarginEngineViews.sol"].MarginEngineViews.evm.deployedBytecode.immutableReferences!;
      const code = (await ethers.provider.getCode(module)).slice(2);
      const expected = (await artifacts.readArtifact(name)).deployedBytecode.slice(2).split("");
      const filled = new Set<string>();
      for (const ranges of Object.values(refs)) {
        for (const { start, length } of ranges) {
          const word = code.slice(start * 2, (start + length) * 2);
          filled.add(ethers.getAddress(`0x${word.slice(-40)}`));
          expected.splice(start * 2, length * 2, ...word);
        }
      }
      expect(code).to.equal(expected.join(""));
      const expected3 = [await b.vault.getAddress(), await b.oracle.getAddress(), await b.engine.getAddress()];
      expect([...filled].sort()).to.deep.equal(expected3.sort());
    });

    it("called at its own address, where storage is empty, every view reverts EngineViewsNotDelegated instead of reporting accounts flat", async function () {
      const f = await loadFixture(portfolioFixture);
      const address = await f.b.engine.viewModule();
      const module = MarginEngineViews__factory.connect(address, ethers.provider);
      const engine = await f.b.engine.getAddress();
      expect((await f.b.engine.position(f.C, ETH)).size).to.equal(wad(3));
      const calls = [
        () => module.position(f.C, ETH),
        () => module.marketView(ETH),
        () => module.accountMargin(f.C),
        () => module.accountMarginAtPrices(f.C, { cash: 0n, collateralValue: 0n }, [0n, 0n]),
        () => module.cumulativeFundingAt(ETH, wad(3000)),
        () => module.operatorOf(f.alice.address, f.bob.address),
        () => module.deleveragingIndex(ETH, 0n, 0n),
      ];
      for (const call of calls) {
        await expect(call()).to.be.revertedWithCustomError(module, "EngineViewsNotDelegated").withArgs(address, engine);
      }
    });

    it("a selector neither the engine nor the module knows reverts, and so does a view or a plain transfer sent with value", async function () {
      const { b, alice } = await loadFixture(engineFixture);
      const engine = await b.engine.getAddress();
      await expect(alice.sendTransaction({ to: engine, data: "0xdeadbeef" })).to.be.revertedWithoutReason();
      await expect(alice.sendTransaction({ to: engine, value: 1n }))
        .to.be.revertedWithCustomError(b.engine, "EngineValueSent")
        .withArgs(1n);
      const data = IMarginEngineViews__factory.createInterface().encodeFunctionData("marketView", [0n]);
      await expect(alice.sendTransaction({ to: engine, data, value: 1n }))
        .to.be.revertedWithCustomError(b.engine, "EngineValueSent")
        .withArgs(1n);
      expect(await ethers.provider.getBalance(engine)).to.equal(0n);
      // Sent without value, a forwarded view answers like the eth_call (and writes nothing).
      await expect(alice.sendTransaction({ to: engine, data })).not.to.be.reverted;
    });
  });
});
