/**
 * Account-level differential fuzzing: random market parameters (within bounds), random portfolios built through
 * real fills (1-8 markets, long and short, near-zero and huge sizes, 1-4 collateral tokens of 6, 8 and 18
 * decimals and/or cash, negative cash accruing interest, funding from premiums across epochs) and random prices.
 * Every margin quantity the contracts expose equals the reference model to the wei:
 * - MarginEngine.accountMargin (fresh oracle prices) and accountMarginAtPrices (arbitrary prices, crashes, spikes,
 *   1 wei and 2**96 - 1), with the vault's marginCollateralAtPrices: equity, maintenance and initial margin,
 *   health factor, liquidatable flag;
 * - MarginEngine.cumulativeFundingAt; CollateralVault.cashBalance (interest);
 * - RiskLens.accountsHealth and portfolio (per position value, margins and liquidation price) (INV-15).
 * Building the portfolio checks every fill and withdrawal against the model's one-step simulation (see
 * portfolio.ts), including the exact EngineInsufficientMargin / VaultInsufficientMargin reverts.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import { countCases, fuzz, runsFor, show, timeoutFor, prop } from "../shared/fuzz";
import { readSnapshot, accountInput, collateralOnMarketFeed, marketsOnMarketFeed } from "../shared/snapshot";
import { fuzzProtocol } from "./fixtures";
import { portfolioPlanArb, scenarioArb, scaled, type PortfolioPlan, type Scenario } from "./arbitraries";
import { Runner, buildPortfolio, type Log } from "./portfolio";

const FILE = "test/fuzz/engineMargin.test.ts";
const SUITE = "engine margin (accounts)";

const margin = (s: { equity: bigint; maintenanceMargin: bigint; initialMargin: bigint; healthFactor: bigint; liquidatable: boolean }) => ({
  equity: s.equity,
  maintenanceMargin: s.maintenanceMargin,
  initialMargin: s.initialMargin,
  healthFactor: s.healthFactor,
  liquidatable: s.liquidatable,
});

/** Replayable description of a failing case. */
function script(plan: PortfolioPlan, scenarios: Scenario[], log: Log): string {
  return [
    "// In test/fuzz/engineMargin.test.ts (or a new test), on loadFixture(fuzzProtocol):",
    `const plan: PortfolioPlan = ${show(plan)};`,
    `const scenarios: Scenario[] = ${show(scenarios)};`,
    "await buildPortfolio(new Runner(f, f.traders[0]), plan);",
    "// Steps the plan executed:",
    ...log.map((l) => `//   ${l}`),
  ].join("\n");
}

describe("fuzz: account margin equals the reference model to the wei", function () {
  it("equity, maintenance and initial margin, health factor and the liquidatable flag of random portfolios at fresh and at arbitrary prices equal the model, and the lens agrees with the engine (INV-15)", async function () {
    const runs = runsFor(20);
    this.timeout(timeoutFor(runs, 3000));
    await loadFixture(fuzzProtocol); // deployed before timing starts
    const logs = new WeakMap<PortfolioPlan, Log>();
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 20,
        file: FILE,
        printer: ([plan, scenarios]) => script(plan, scenarios, logs.get(plan) ?? []),
      },
      prop([portfolioPlanArb(8, 10), fc.array(scenarioArb, { minLength: 1, maxLength: 6 })], async (plan, scenarios) => {
        const f = await loadFixture(fuzzProtocol);
        const r = new Runner(f, f.traders[0]);
        const log: Log = [];
        logs.set(plan, log);
        await buildPortfolio(r, plan, log);
        const T = r.account;
        const now = await r.latest();
        const s = await readSnapshot(f.d, [T], now, "latest");
        const a = s.accounts.get(T)!;
        const oracleMarkets = s.marketOracle.map((p) => p!);
        const oracleTokens = s.tokenOracle.map((p) => p!);

        // Cash with interest (negative cash owes the borrow index), fresh margin state, lens health.
        expect(await f.vault.cashBalance(T), "cash value with interest").to.equal(M.cashValue(a.principal, s.cash));
        const expected = M.accountMargin(accountInput(s, a, oracleMarkets, oracleTokens));
        expect(margin(await f.engine.accountMargin(T)), "accountMargin at fresh prices").to.deep.equal(expected);
        const [h] = await f.lens.accountsHealth([T]);
        expect(h.priceValid, "lens prices valid").to.equal(true);
        expect(margin(h), "INV-15 the lens's health equals the engine's margin state").to.deep.equal(expected);
        countCases(2);

        // Per-market views at fresh prices.
        for (const id of M.heldMarkets(a)) {
          const m = s.markets[id];
          const price = oracleMarkets[id];
          const fIdx = M.fundingAt(m, price, now);
          expect(await f.engine.cumulativeFundingAt(id, price), `cumulativeFundingAt(${id})`).to.equal(fIdx);
        }

        // Arbitrary price scenarios through accountMarginAtPrices and marginCollateralAtPrices.
        for (const sc of scenarios) {
          const mp = oracleMarkets.map((p, id) => scaled(p, sc.markets[id]));
          const tp = oracleTokens.map((p, i) => scaled(p, sc.tokens[i]));
          const c = await f.vault.marginCollateralAtPrices(T, tp);
          const input = accountInput(s, a, mp, tp);
          expect([c.cash, c.collateralValue], `vault collateral at prices ${show(tp)}`).to.deep.equal([
            input.cash,
            M.collateralSum(input.collateral),
          ]);
          const got = await f.engine.accountMarginAtPrices(T, { cash: c.cash, collateralValue: c.collateralValue }, mp);
          expect(margin(got), `accountMarginAtPrices at ${show(mp)}`).to.deep.equal(M.accountMargin(input));
          countCases();
        }

        // The lens's portfolio: per-position value, margins and liquidation price, and the account's margin.
        const pf = await f.lens.portfolio(T);
        expect(pf.priceValid).to.equal(true);
        expect(margin(pf.margin), "INV-15 portfolio margin equals the engine's").to.deep.equal(expected);
        const input = accountInput(s, a, oracleMarkets, oracleTokens);
        const held = M.heldMarkets(a);
        expect(pf.positions.length).to.equal(held.length);
        held.forEach((id, i) => {
          const row = pf.positions[i];
          const q = input.positions[i];
          expect(row.marketId).to.equal(BigInt(id));
          expect([row.size, row.basis], `position ${id}`).to.deep.equal([q.size, q.basis]);
          expect(row.value, `portfolio value of market ${id}`).to.equal(M.pricedValue(q));
          // INV-29: with the market's margin tiers in force now.
          const pm = M.positionMargins(q.size, q.price, q.mmr, q.imr, q.imrSizeFactor, q.tiers);
          expect(row.maintenanceMargin, `portfolio maintenance margin of market ${id}`).to.equal(pm.mm);
          expect(row.initialMargin, `portfolio initial margin of market ${id}`).to.equal(pm.im);
          expect(row.liquidationPrice, `portfolio liquidation price of market ${id}`).to.equal(
            M.liquidationPrice(input, i, collateralOnMarketFeed(f.d, a, id), marketsOnMarketFeed(f.d, a, id)),
          );
        });
        countCases();
      }),
    );
  });
});
