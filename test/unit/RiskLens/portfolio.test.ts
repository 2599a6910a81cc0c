/**
 * RiskLens.portfolio and RiskLens.markets: every row checked against exact values computed with MarginMath's
 * rounding, and against the engine, vault and configurator views they summarise (INV-15).
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { assetKey } from "../../shared/fixtures";
import {
  lensFixture,
  freeze,
  refreshFeeds,
  setPrice,
  plain,
  maintenanceMargin,
  initialMargin,
  positionValue,
  haircutValue,
  ceilDiv,
  CAROL_ETH,
  ETH,
  BTC,
  WAD,
  type LensFixture,
} from "./lens.helpers";

/** Feed answers have 8 decimals: the WAD price of a feed answer. */
const E8 = 10n ** 10n;
const P_ETH = 312_345_678_901n * E8; // 3123.45678901
const P_BTC = 5_987_654_321_000n * E8; // 59876.54321

async function movePrices(v: LensFixture) {
  await setPrice(v, "ETH/USD", "3123.45678901");
  await setPrice(v, "BTC/USD", "59876.54321");
}

describe("RiskLens: portfolio and markets", function () {
  describe("portfolio", function () {
    it("a multi-market account: cash, collateral row, position rows with value and MarginMath-rounded margins, and the engine's margin state (INV-15)", async function () {
      const v = await loadFixture(lensFixture);
      await movePrices(v);
      const weth = await v.tokens.WETH.getAddress();
      const eth = await v.engine.marketView(ETH);
      const btc = await v.engine.marketView(BTC);
      // Effective ratios are the listing targets (no volatility observation, no ramp) and no funding accrued.
      expect([eth.mmr, eth.imr, eth.setup.imrSizeFactor]).to.deep.equal([3n * 10n ** 16n, 5n * 10n ** 16n, 0n]);
      expect([btc.mmr, btc.imr, btc.setup.imrSizeFactor]).to.deep.equal([25n * 10n ** 15n, 5n * 10n ** 16n, 0n]);
      expect(await v.engine.cumulativeFundingAt(ETH, P_ETH)).to.equal(0n);
      expect(await v.engine.cumulativeFundingAt(BTC, P_BTC)).to.equal(0n);

      const p = await v.lens.portfolio(v.a.carol);
      expect(p.account).to.equal(v.a.carol);
      expect(p.owner).to.equal(v.s.carol.address);
      // 10,000 deposited minus a taker fee of 0.05% of ~15,000 (CAROL_ETH at 3000, rounded up twice) and a 6 maker
      // fee (0.5 BTC at 60,000).
      const carolNotional = 15_000n * WAD + 123_456_789n * 3_000n;
      const takerFee = ceilDiv(carolNotional * 5n * 10n ** 14n, WAD);
      expect(takerFee).to.equal(7_500_000_000_185_185_184n);
      const cash = 10_000n * WAD - takerFee - 6n * WAD;
      expect(p.cash).to.equal(cash);
      expect(p.isolated).to.equal(false);
      expect(p.frozen).to.equal(false);
      expect(p.nonce).to.equal(2n); // one per fill; deposits do not count
      expect(p.priceValid).to.equal(true);

      const wethValue = haircutValue(2n * WAD, P_ETH, 8n * 10n ** 17n);
      expect(plain(p.collateral)).to.deep.equal([[weth, 2n * WAD, 2n * WAD, P_ETH, 8n * 10n ** 17n, wethValue]]);

      const ethValue = positionValue(CAROL_ETH, carolNotional, P_ETH, 0n);
      const btcValue = positionValue(-WAD / 2n, -30_000n * WAD, P_BTC, 0n);
      const ethMm = maintenanceMargin(CAROL_ETH, P_ETH, eth.mmr);
      const btcMm = maintenanceMargin(-WAD / 2n, P_BTC, btc.mmr);
      const ethIm = initialMargin(CAROL_ETH, P_ETH, eth.imr, 0n);
      // The ETH notional at this price is not a whole number of wei: values round down, margins up.
      expect((CAROL_ETH * P_ETH) % WAD).to.not.equal(0n);
      expect(ethValue).to.equal((CAROL_ETH * P_ETH) / WAD - carolNotional);
      expect(ethMm).to.equal(ceilDiv(ceilDiv(CAROL_ETH * P_ETH, WAD) * eth.mmr, WAD));
      const btcIm = initialMargin(-WAD / 2n, P_BTC, btc.imr, 0n);
      expect(plain(p.positions)).to.deep.equal([
        [0n, CAROL_ETH, carolNotional, P_ETH, ethValue, ethMm, ethIm, await v.lens.liquidationPrice(v.a.carol, ETH)],
        [1n, -WAD / 2n, -30_000n * WAD, P_BTC, btcValue, btcMm, btcIm, await v.lens.liquidationPrice(v.a.carol, BTC)],
      ]);

      const equity = cash + wethValue + ethValue + btcValue;
      const mm = ethMm + btcMm;
      const im = ethIm + btcIm;
      expect(plain(p.margin)).to.deep.equal([equity, mm, im, (equity * WAD) / mm, false]);
      expect(plain(p.margin)).to.deep.equal(plain(await v.engine.accountMargin(v.a.carol)));
    });

    it("a collateral-only account lists each collateral in token-index order with token and WAD balances, price, haircut and value", async function () {
      const v = await loadFixture(lensFixture);
      const weth = await v.tokens.WETH.getAddress();
      const wbtc = await v.tokens.WBTC.getAddress();
      const p = await v.lens.portfolio(v.a.erin);
      const wethValue = haircutValue((3n * WAD) / 2n, 3_000n * WAD, 8n * 10n ** 17n);
      const wbtcValue = haircutValue(WAD / 20n, 60_000n * WAD, 75n * 10n ** 16n);
      expect([wethValue, wbtcValue]).to.deep.equal([3_600n * WAD, 2_250n * WAD]);
      expect(plain(p.collateral)).to.deep.equal([
        [weth, (3n * WAD) / 2n, (3n * WAD) / 2n, 3_000n * WAD, 8n * 10n ** 17n, wethValue],
        // WBTC has 8 decimals: 5,000,000 token units are 0.05e18 WAD.
        [wbtc, 5_000_000n, WAD / 20n, 60_000n * WAD, 75n * 10n ** 16n, wbtcValue],
      ]);
      expect(plain(p.positions)).to.deep.equal([]);
      expect([p.cash, p.nonce, p.priceValid]).to.deep.equal([0n, 0n, true]);
      expect(plain(p.margin)).to.deep.equal([wethValue + wbtcValue, 0n, 0n, 2n ** 256n - 1n, false]);
      expect(plain(p.margin)).to.deep.equal(plain(await v.engine.accountMargin(v.a.erin)));
    });

    it("an empty isolated account has no rows, zero margin and reports its isolation", async function () {
      const v = await loadFixture(lensFixture);
      await expect(v.engine.connect(v.s.frank).setAccountIsolated(0, true))
        .to.emit(v.engine, "AccountIsolationSet")
        .withArgs(v.a.frank, true);
      const p = await v.lens.portfolio(v.a.frank);
      expect(plain(p)).to.deep.equal([
        v.a.frank,
        v.s.frank.address,
        0n,
        true,
        false,
        0n,
        true,
        [],
        [],
        [0n, 0n, 0n, 2n ** 256n - 1n, false],
      ]);
    });

    it("a frozen account's portfolio says frozen", async function () {
      const v = await loadFixture(lensFixture);
      await freeze(v, v.a.henry);
      const p = await v.lens.portfolio(v.a.henry);
      expect(p.frozen).to.equal(true);
      expect(plain(p.margin)).to.deep.equal(plain(await v.engine.accountMargin(v.a.henry)));
    });

    it("each position's liquidationPrice equals liquidationPrice(account, market) (INV-15)", async function () {
      const v = await loadFixture(lensFixture);
      await movePrices(v);
      for (const account of [v.a.alice, v.a.bob, v.a.carol, v.a.gina, v.a.ivan, v.a.jack, v.a.kate, v.a.liam]) {
        const p = await v.lens.portfolio(account);
        expect(p.positions.length).to.be.greaterThan(0);
        for (const pos of p.positions) {
          expect(pos.liquidationPrice).to.equal(await v.lens.liquidationPrice(account, pos.marketId));
        }
      }
    });

    it("a portfolio that holds a market without a valid price keeps its sizes and bases but reports priceValid = false and no margin", async function () {
      const v = await loadFixture(lensFixture);
      await time.increase(3_601);
      await refreshFeeds(v, ["BTC/USD"]);
      const p = await v.lens.portfolio(v.a.carol);
      expect(p.priceValid).to.equal(false);
      expect(p.positions.map((x) => [x.marketId, x.size, x.basis])).to.deep.equal([
        [0n, CAROL_ETH, 15_000n * WAD + 123_456_789n * 3_000n],
        [1n, -WAD / 2n, -30_000n * WAD],
      ]);
      const btcRow = p.positions[1];
      expect([btcRow.indexPrice, btcRow.value, btcRow.maintenanceMargin, btcRow.initialMargin, btcRow.liquidationPrice]).to.deep.equal([
        0n,
        0n,
        0n,
        0n,
        0n,
      ]);
      expect(plain(p.margin)).to.deep.equal([0n, 0n, 0n, 0n, false]);
      // Its collateral (WETH, priced by the fresh ETH/USD feed) is still valued.
      expect(plain(p.collateral)).to.deep.equal([
        [await v.tokens.WETH.getAddress(), 2n * WAD, 2n * WAD, 3_000n * WAD, 8n * 10n ** 17n, 4_800n * WAD],
      ]);
    });

    it("a portfolio holding a collateral without a valid price shows that row with price and value 0 and priceValid = false", async function () {
      const v = await loadFixture(lensFixture);
      await time.increase(3_601);
      await refreshFeeds(v, ["BTC/USD"]);
      const p = await v.lens.portfolio(v.a.erin);
      expect(p.priceValid).to.equal(false);
      expect(plain(p.collateral)).to.deep.equal([
        [await v.tokens.WETH.getAddress(), (3n * WAD) / 2n, (3n * WAD) / 2n, 3_000n * WAD, 8n * 10n ** 17n, 3_600n * WAD],
        [await v.tokens.WBTC.getAddress(), 5_000_000n, WAD / 20n, 0n, 75n * 10n ** 16n, 0n],
      ]);
      expect(plain(p.margin)).to.deep.equal([0n, 0n, 0n, 0n, false]);
    });
  });

  describe("markets", function () {
    it("returns one row per listed market with the oracle price and the engine's and configurator's state", async function () {
      const v = await loadFixture(lensFixture);
      await movePrices(v);
      const rows = await v.lens.markets();
      expect(rows.length).to.equal(2);
      const prices = [P_ETH, P_BTC];
      for (const id of [ETH, BTC]) {
        const r = rows[id];
        expect(r.marketId).to.equal(BigInt(id));
        expect(r.indexPrice).to.equal(prices[id]);
        expect(r.priceValid).to.equal(true);
        expect(plain(r.state)).to.deep.equal(plain(await v.engine.marketView(id)));
        expect(plain(r.risk)).to.deep.equal(plain(await v.configurator.riskParams(id)));
        expect(plain(r.trading)).to.deep.equal(plain(await v.configurator.tradingParams(id)));
        expect(plain(r.volatility)).to.deep.equal(plain(await v.configurator.volatility(id)));
      }
      // Spot values from deploy/parameters/hardhat.json and the fixture's positions.
      const pct = (x: bigint) => x * 10n ** 16n;
      expect(rows[ETH].state.oracleAsset).to.equal(assetKey("ETH/USD"));
      expect(rows[BTC].state.oracleAsset).to.equal(assetKey("BTC/USD"));
      const ratios = (r: (typeof rows)[number]["risk"]) => [r.mmrBase, r.imrBase, r.mmrFloor, r.mmrCap];
      expect(ratios(rows[ETH].risk)).to.deep.equal([pct(3n), pct(5n), pct(2n), pct(15n)]);
      expect(ratios(rows[BTC].risk)).to.deep.equal([pct(25n) / 10n, pct(5n), pct(15n) / 10n, pct(12n)]);
      expect(plain(rows[ETH].trading)).to.deep.equal([100_000n * WAD, pct(1n), pct(5n)]);
      expect(plain(rows[BTC].trading)).to.deep.equal([5_000n * WAD, pct(1n), pct(5n)]);
      // Long open interest: ETH alice 10 + henry 10 + carol CAROL_ETH + ivan 1 + kate 1e-9; BTC dave net 0.5 (+0.5 from carol,
      // +0.5 from kate, -0.5 to liam) + liam 0.5.
      expect(rows[ETH].state.longOpenInterest).to.equal(21n * WAD + CAROL_ETH + 10n ** 9n);
      expect(rows[BTC].state.longOpenInterest).to.equal(WAD);
      expect(rows[ETH].state.listed).to.equal(true);
    });

    it("a market without a valid price has priceValid = false and index price 0 but keeps its state rows", async function () {
      const v = await loadFixture(lensFixture);
      await time.increase(3_601);
      await refreshFeeds(v, ["BTC/USD"]);
      const rows = await v.lens.markets();
      expect([rows[ETH].priceValid, rows[ETH].indexPrice]).to.deep.equal([true, 3_000n * WAD]);
      expect([rows[BTC].priceValid, rows[BTC].indexPrice]).to.deep.equal([false, 0n]);
      expect(plain(rows[BTC].state)).to.deep.equal(plain(await v.engine.marketView(BTC)));
      expect(plain(rows[BTC].risk)).to.deep.equal(plain(await v.configurator.riskParams(BTC)));
    });
  });
});
