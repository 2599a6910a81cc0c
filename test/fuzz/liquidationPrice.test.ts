/**
 * Threshold boundaries: for random portfolios (longs, shorts and mixed, 1-8 markets, collateral of 6/8/18
 * decimals) the lens's liquidation price of every position is consistent with the engine's liquidation check (not
 * liquidatable at the price, liquidatable one wei beyond it on the adverse side; the special values 0 and
 * 2**256 - 1 mean safe or liquidatable at every price the engine can store) and equals the reference model's
 * bisection (src/model/liquidation.ts) to the wei (INV-15).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import { countCases, fuzz, runsFor, show, timeoutFor, prop } from "../shared/fuzz";
import { readSnapshot, accountInput, collateralOnMarketFeed, marketsOnMarketFeed, liquidatableAtProbe } from "../shared/snapshot";
import { fuzzProtocol, type FuzzProtocol } from "./fixtures";
import { portfolioPlanArb, type PortfolioPlan } from "./arbitraries";
import { Runner, buildPortfolio, type Log } from "./portfolio";

const FILE = "test/fuzz/liquidationPrice.test.ts";
const SUITE = "liquidation price boundary";

/** The lens's boundary predicate at `price` for market `id`, other prices at their oracle values (see liquidatableAtProbe). */
const liquidatableAt = (f: FuzzProtocol, account: bigint, marketPrices: bigint[], tokenPrices: bigint[], id: number, price: bigint) =>
  liquidatableAtProbe(f, account, id, price, {
    marketPrices,
    tokenPrices,
    tokenAssets: f.d.tokenAssets,
    marketAssets: f.d.marketAssets,
  });

describe("fuzz: liquidation prices sit exactly on the liquidation threshold", function () {
  it("the lens's liquidation price of every long and short in random portfolios is safe, one wei beyond it is liquidatable, and it equals the model's bisection (INV-15)", async function () {
    const runs = runsFor(15);
    this.timeout(timeoutFor(runs, 3000));
    await loadFixture(fuzzProtocol); // deployed before timing starts
    const logs = new WeakMap<PortfolioPlan, Log>();
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 15,
        file: FILE,
        printer: ([plan]) =>
          [`const plan: PortfolioPlan = ${show(plan)};`, "// steps:", ...(logs.get(plan) ?? []).map((l) => `//   ${l}`)].join("\n"),
      },
      prop([portfolioPlanArb(8, 8)], async (plan) => {
        const f = await loadFixture(fuzzProtocol);
        const r = new Runner(f, f.traders[1]);
        const log: Log = [];
        logs.set(plan, log);
        await buildPortfolio(r, plan, log);
        const T = r.account;
        const s = await readSnapshot(f.d, [T], await r.latest(), "latest");
        const a = s.accounts.get(T)!;
        const oracleMarkets = s.marketOracle.map((p) => p!);
        const oracleTokens = s.tokenOracle.map((p) => p!);
        const input = accountInput(s, a, oracleMarkets, oracleTokens);
        const held = M.heldMarkets(a);
        for (let i = 0; i < held.length; i++) {
          const id = held[i];
          const long = input.positions[i].size > 0n;
          const p = await f.lens.liquidationPrice(T, id);
          expect(p, `liquidation price of market ${id} (${long ? "long" : "short"}) equals the model's bisection`).to.equal(
            M.liquidationPrice(input, i, collateralOnMarketFeed(f.d, a, id), marketsOnMarketFeed(f.d, a, id)),
          );
          const side = long ? "long" : "short";
          if (p === 0n) {
            // Long: safe at every price; short: liquidatable at every price.
            expect(
              await liquidatableAt(f, T, oracleMarkets, oracleTokens, id, 1n),
              `INV-15 ${side} with liquidation price 0 at 1 wei`,
            ).to.equal(!long);
          } else if (p === M.MAX_UINT256) {
            // Long: liquidatable at every price; short: safe at every price.
            expect(
              await liquidatableAt(f, T, oracleMarkets, oracleTokens, id, M.MAX_PROBE_PRICE),
              `INV-15 ${side} with liquidation price max at 2**96 - 1`,
            ).to.equal(long);
          } else {
            expect(
              await liquidatableAt(f, T, oracleMarkets, oracleTokens, id, p),
              `INV-15 ${side} of market ${id} is safe at its liquidation price ${p}`,
            ).to.equal(false);
            // The adverse side: a fall when the account is liquidatable at 1 wei (a long, or a short backed by
            // enough collateral on the market's own feed), else a rise.
            const fall = await liquidatableAt(f, T, oracleMarkets, oracleTokens, id, 1n);
            const beyond = fall ? p - 1n : p + 1n;
            expect(
              await liquidatableAt(f, T, oracleMarkets, oracleTokens, id, beyond),
              `INV-15 ${side} of market ${id} is liquidatable one wei beyond ${p}`,
            ).to.equal(true);
          }
          countCases();
        }
      }),
    );
  });
});
