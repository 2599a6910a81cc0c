/**
 * RiskLens.accountsHealth and liquidatableAccounts: the lens agrees with the engine to the wei (INV-15), a bad
 * price marks only the accounts that need it (never a revert), and keepers get exactly the liquidatable,
 * non-frozen accounts.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { assetKey } from "../../shared/fixtures";
import { bitCount } from "../../../src/model/bitmap";
import {
  lensFixture,
  freeze,
  refreshFeeds,
  setPrice,
  settle,
  maintenanceMargin,
  initialMargin,
  CAROL_ETH,
  ETH,
  WAD,
  type LensFixture,
} from "./lens.helpers";

/** The first funding-epoch (hour) boundary after `t`. */
function nextHour(t: bigint): number {
  return (Number(t / 3600n) + 1) * 3600;
}

/**
 * Asserts that accountsHealth(accounts) equals engine.accountMargin field by field, in order (INV-15), and that its
 * V and R are the auction's: V = E + H, R = M + H with H = raw collateral value - margin collateral value from the
 * vault's `collateralValuesFresh` (AuctionLifecycle.valuation's formula).
 */
async function expectHealthMatchesEngine(v: LensFixture, accounts: bigint[]) {
  const rows = await v.lens.accountsHealth(accounts);
  expect(rows.length).to.equal(accounts.length);
  for (const [i, account] of accounts.entries()) {
    const m = await v.engine.accountMargin(account);
    const [frozen] = await v.vault.accountStatus(account);
    const r = rows[i];
    expect(r.account).to.equal(account);
    expect(r.priceValid).to.equal(true);
    expect(r.equity).to.equal(m.equity);
    expect(r.maintenanceMargin).to.equal(m.maintenanceMargin);
    expect(r.initialMargin).to.equal(m.initialMargin);
    expect(r.healthFactor).to.equal(m.healthFactor);
    expect(r.liquidatable).to.equal(m.liquidatable);
    expect(r.frozen).to.equal(frozen);
    const [c, raw] = await v.vault.collateralValuesFresh(account);
    expect(r.markToMarket).to.equal(m.equity + raw - c.collateralValue);
    expect(r.requirement).to.equal(m.maintenanceMargin + raw - c.collateralValue);
  }
  return rows;
}

describe("RiskLens: accountsHealth and liquidatableAccounts", function () {
  it("accountsHealth equals engine.accountMargin field by field for long, short, multi-market, collateral-only and empty accounts (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    const { alice, bob, carol, erin, frank, gina, kate, liam } = v.a;
    const rows = await expectHealthMatchesEngine(v, [alice, bob, carol, erin, frank, gina, kate, liam]);
    // Spot values: Alice's equity is her cash (2000 - 15 taker fee) at the entry price; her maintenance margin
    // 3% of 30,000. Erin's equity is her haircut collateral. Frank has nothing: health factor 0 (equity <= 0).
    expect(rows[0].equity).to.equal(1_985n * WAD);
    expect(rows[0].maintenanceMargin).to.equal(900n * WAD);
    expect(rows[0].initialMargin).to.equal(1_500n * WAD);
    expect(rows[0].healthFactor).to.equal((1_985n * WAD * WAD) / (900n * WAD));
    expect(rows[3].equity).to.equal(3_600n * WAD + 2_250n * WAD); // 1.5 * 3000 * 80% + 0.05 * 60000 * 75%
    expect(rows[3].maintenanceMargin).to.equal(0n);
    expect(rows[3].healthFactor).to.equal(2n ** 256n - 1n);
    // Erin's V is her collateral before haircuts, R its haircut amount: 1.5 * 3000 + 0.05 * 60000 = 7,500; 7,500 - 5,850.
    expect([rows[3].markToMarket, rows[3].requirement]).to.deep.equal([7_500n * WAD, 1_650n * WAD]);
    // Alice holds only cash: V = E, R = M.
    expect([rows[0].markToMarket, rows[0].requirement]).to.deep.equal([1_985n * WAD, 900n * WAD]);
    expect([rows[4].equity, rows[4].maintenanceMargin, rows[4].initialMargin, rows[4].healthFactor, rows[4].liquidatable]).to.deep.equal([
      0n,
      0n,
      0n,
      2n ** 256n - 1n, // no requirement, equity 0: an empty account is not at risk
      false,
    ]);
  });

  it("accountsHealth still equals the engine to the wei after prices move (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    await setPrice(v, "ETH/USD", "3123.45678901");
    await setPrice(v, "BTC/USD", "59876.54321");
    const { alice, bob, carol, erin, frank, gina, kate, liam, dave } = v.a;
    const rows = await expectHealthMatchesEngine(v, [alice, bob, carol, erin, frank, gina, kate, liam, dave]);
    // Carol's odd ETH size makes her ETH notional inexact at this price: the lens reproduces the engine's rounding.
    const pEth = 3_123_456_789_010_000_000_000n;
    const pBtc = 59_876_543_210_000_000_000_000n;
    expect((CAROL_ETH * pEth) % WAD).to.not.equal(0n);
    expect(rows[2].maintenanceMargin).to.equal(
      maintenanceMargin(CAROL_ETH, pEth, 3n * 10n ** 16n) + maintenanceMargin(-WAD / 2n, pBtc, 25n * 10n ** 15n),
    );
    expect(rows[2].initialMargin).to.equal(
      initialMargin(CAROL_ETH, pEth, 5n * 10n ** 16n, 0n) + initialMargin(-WAD / 2n, pBtc, 5n * 10n ** 16n, 0n),
    );
  });

  it("accountsHealth equals the engine with funding and cash interest accrued (INV-15)", async function () {
    const v = await loadFixture(lensFixture);
    // Erin borrows cash (her taker fee) and buys 0.1 ETH 3.3% above the index: a premium sample.
    await settle(v, v.s.dave, v.s.erin, ETH, -WAD / 10n, 3100n * WAD, 101n);
    expect(await v.vault.cashBalance(v.a.erin)).to.be.lessThan(0n);
    // Close the funding epoch (a non-zero rate follows), then let funding and interest accrue.
    const hour = nextHour(v.t0);
    await time.increaseTo(hour + 600);
    await refreshFeeds(v);
    await (await v.engine.updateMarket(ETH)).wait();
    expect((await v.engine.marketView(ETH)).fundingRatePerSecond).to.not.equal(0n);
    await time.increaseTo(hour + 1_600);
    await refreshFeeds(v);
    expect(await v.engine.cumulativeFundingAt(ETH, 3000n * WAD)).to.not.equal(0n);
    const [, borrowIndex] = await v.vault.cashIndices();
    expect(borrowIndex).to.be.greaterThan(WAD);
    const { alice, bob, carol, dave, erin, frank, gina, henry, ivan, jack, kate, liam } = v.a;
    await expectHealthMatchesEngine(v, [alice, bob, carol, dave, erin, frank, gina, henry, ivan, jack, kate, liam]);
  });

  it("an empty input gives an empty result, and a repeated account gives the same row twice", async function () {
    const v = await loadFixture(lensFixture);
    expect(await v.lens.accountsHealth([])).to.deep.equal([]);
    expect(await v.lens.liquidatableAccounts([])).to.deep.equal([]);
    const rows = await v.lens.accountsHealth([v.a.carol, v.a.carol]);
    expect(rows[0].equity).to.equal(rows[1].equity);
    expect(rows[0].account).to.equal(v.a.carol);
    expect(rows[1].account).to.equal(v.a.carol);
  });

  it("a stale market oracle sets priceValid = false with zero values for the accounts that hold that market, while the others are still evaluated", async function () {
    const v = await loadFixture(lensFixture);
    // Past the 1 h heartbeat, only ETH/USD is refreshed: BTC-PERP and WBTC have no valid price.
    await time.increase(3_601);
    await refreshFeeds(v, ["BTC/USD"]);
    const btcFeed = await v.feeds["BTC/USD"].getAddress();
    const [, , , btcUpdatedAt] = await v.feeds["BTC/USD"].latestRoundData();
    await expect(v.oracle.getPrice(assetKey("BTC/USD")))
      .to.be.revertedWithCustomError(v.oracle, "OracleStalePrice")
      .withArgs(assetKey("BTC/USD"), btcFeed, btcUpdatedAt, 3_600n);

    const { alice, carol, erin, frank, gina, kate, ivan } = v.a;
    const accounts = [alice, carol, erin, frank, gina, kate, ivan];
    const rows = await v.lens.accountsHealth(accounts);
    // carol and kate hold BTC-PERP; erin holds WBTC collateral.
    const invalid = new Set([carol, erin, kate]);
    for (const [i, account] of accounts.entries()) {
      const r = rows[i];
      expect(r.account).to.equal(account);
      if (invalid.has(account)) {
        expect([r.priceValid, r.equity, r.maintenanceMargin, r.initialMargin, r.healthFactor, r.liquidatable, r.frozen]).to.deep.equal([
          false,
          0n,
          0n,
          0n,
          0n,
          false,
          false,
        ]);
        // The engine itself cannot evaluate these accounts: it reverts on the bad price.
        await expect(v.engine.accountMargin(account))
          .to.be.revertedWithCustomError(v.oracle, "OracleStalePrice")
          .withArgs(assetKey("BTC/USD"), btcFeed, btcUpdatedAt, 3_600n);
      } else {
        const m = await v.engine.accountMargin(account);
        expect([r.priceValid, r.equity, r.maintenanceMargin, r.initialMargin, r.healthFactor, r.liquidatable]).to.deep.equal([
          true,
          m.equity,
          m.maintenanceMargin,
          m.initialMargin,
          m.healthFactor,
          m.liquidatable,
        ]);
      }
      // The counts of held markets and collateral tokens are reported either way (keepers size a start's gas with them).
      const [markets] = await v.engine.accountInfo(account);
      const tokens = await v.vault.accountTokens(account);
      expect([r.marketCount, r.collateralCount]).to.deep.equal([BigInt(bitCount(markets)), BigInt(bitCount(tokens))]);
    }
    // carol and kate hold BTC-PERP with ETH-PERP or alone, erin WBTC: each count seen at least once above zero.
    expect(rows.some((r) => r.marketCount >= 2n) && rows.some((r) => r.collateralCount >= 1n && !r.priceValid)).to.equal(true);
  });

  it("liquidatableAccounts returns exactly the liquidatable, non-frozen accounts after a price crash, in input order", async function () {
    const v = await loadFixture(lensFixture);
    const { alice, bob, carol, dave, erin, frank, gina, henry, ivan, jack, kate, liam } = v.a;
    const all = [bob, henry, carol, dave, alice, erin, frank, gina, ivan, jack, kate, liam];
    expect(await v.lens.liquidatableAccounts(all)).to.deep.equal([]);
    // Alice and Henry (10 ETH long on ~2,000) go under maintenance below ~2888; nobody else does at 2800.
    await setPrice(v, "ETH/USD", "2800");
    const rows = await v.lens.accountsHealth(all);
    const liquidatable = all.filter((_, i) => rows[i].liquidatable);
    expect(liquidatable).to.deep.equal([henry, alice]);
    expect(await v.lens.liquidatableAccounts(all)).to.deep.equal([henry, alice]);
    // Their V and R are the auction's, which values the portfolio and caps the starter's tip with them.
    for (const account of [henry, alice]) {
      const q = await v.auction.quote(account);
      const [row] = await v.lens.accountsHealth([account]);
      expect([row.markToMarket, row.requirement]).to.deep.equal([q.markToMarket, q.requirement]);
    }
    // A frozen account (already in an auction) is left out although it is liquidatable.
    await freeze(v, henry);
    const [henryRow] = await v.lens.accountsHealth([henry]);
    expect(henryRow.frozen).to.equal(true);
    expect(henryRow.liquidatable).to.equal(true);
    expect(await v.lens.liquidatableAccounts(all)).to.deep.equal([alice]);
  });

  it("liquidatableAccounts finds a short squeezed by a price rise", async function () {
    const v = await loadFixture(lensFixture);
    const { alice, bob, carol, gina, ivan, jack } = v.a;
    // Gina: 997 cash short 5 ETH from 3000; at 3200 her equity is -3.
    await setPrice(v, "ETH/USD", "3200");
    expect(await v.lens.liquidatableAccounts([alice, bob, carol, gina, ivan, jack])).to.deep.equal([gina]);
    const [g] = await v.lens.accountsHealth([gina]);
    expect(g.equity).to.equal(-3n * WAD);
    expect(g.healthFactor).to.equal(0n);
  });

  it("liquidatableAccounts leaves out an account it cannot price, even one that was liquidatable at the last valid price", async function () {
    const v = await loadFixture(lensFixture);
    const { alice, liam } = v.a;
    // Liam (long 0.5 BTC on ~2,000) is liquidatable at BTC 56,000; Alice at ETH 2800.
    await setPrice(v, "BTC/USD", "56000");
    await setPrice(v, "ETH/USD", "2800");
    expect(await v.lens.liquidatableAccounts([alice, liam])).to.deep.equal([alice, liam]);
    // Then BTC/USD goes stale: Liam can no longer be judged, Alice still can.
    await time.increase(3_601);
    await refreshFeeds(v, ["BTC/USD"]);
    const [a, l] = await v.lens.accountsHealth([alice, liam]);
    expect(a.priceValid).to.equal(true);
    expect(a.liquidatable).to.equal(true);
    expect(l.priceValid).to.equal(false);
    expect(l.liquidatable).to.equal(false);
    expect(await v.lens.liquidatableAccounts([alice, liam])).to.deep.equal([alice]);
  });
});
