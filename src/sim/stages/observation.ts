/**
 * Replay step "observation": the step's record (prices, oracle round, liquidatable accounts and running
 * auctions per the latest scan, starts and bids, the fund's cash, bad debt, the health-factor histogram, open
 * positions).
 */
import { HEALTH_BUCKETS } from "../records";
import type { AccountHealth } from "../../keeper/view";
import { wadToNumber } from "../../model/wad";
import type { RunState } from "./state";

/** Records the step at price time `pt.t`. */
export async function observeStep(run: RunState, pt: { t: number; prices: Record<string, number> }, pushed: boolean): Promise<void> {
  const m = run.metrics;
  const fund = await run.dep.contracts.vault.cashBalance(run.dep.fundAccount);
  const { traderByAccount } = run.agents;
  m.steps.push({
    t: pt.t,
    prices: pt.prices,
    pushed,
    liquidatable: m.lastHealth.filter((h) => h.priceValid && h.liquidatable).length,
    activeAuctions: run.view.auctions.size,
    starts: m.stepStarts,
    bids: m.stepBids,
    fund,
    badDebt: m.badDebt,
    socialised: m.socialised,
    deleveraged: m.deleveraged,
    health: healthBuckets(m.lastHealth),
    openPositions: m.lastHealth.filter((h) => traderByAccount.has(h.account) && h.maintenanceMargin > 0n).length,
  });
}

/** Accounts with a position per health-factor bucket (`HEALTH_BUCKETS`); liquidatable ones in the first. */
export function healthBuckets(rows: AccountHealth[]): number[] {
  const out = HEALTH_BUCKETS.map(() => 0);
  for (const h of rows) {
    if (!h.priceValid || h.maintenanceMargin === 0n) continue;
    const hf = h.liquidatable ? 0 : wadToNumber(h.healthFactor);
    out[HEALTH_BUCKETS.findIndex((b) => hf < b)]++;
  }
  return out;
}
