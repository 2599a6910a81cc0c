/**
 * Full scans that leave out accounts far from the watch list: the bound, a pure function. Whether a health row read
 * earlier proves that an account is still at a health factor of at least a bound now, from what the scans since read:
 * see `provesFarFromWatch`. `ChainView` (src/keeper/view.ts) keeps the rows, the scans' parameters and the events
 * that rule a row out; docs/SIMULATION.md, "Full scans leave out accounts far from the watch list", states the rule.
 */
import { WAD } from "../model/wad";
import type { IRiskLens } from "../../typechain-types/contracts/lens/RiskLens";

type AccountHealth = IRiskLens.AccountHealthStructOutput;

/** What a full scan at one block knows of the risk parameters and prices in force (for `ScanPolicy.skipFar`). */
export interface ScanReach {
  block: number;
  time: number;
  /** Oracle price (WAD) of every asset a market or a collateral is priced by. */
  prices: Map<string, bigint>;
  /** Each market's maintenance ratio in force (WAD), in market id order. */
  ratios: bigint[];
  /** Smallest margin-tier threshold of any market (WAD cash; none: undefined). */
  minTierThreshold?: bigint;
  /** Largest funding cap (`maxFundingRatePer8h`) or funding rate in force over 8 hours of any market (WAD). */
  maxFundingPer8h: bigint;
  /** Earliest funding update of any market (seconds): funding accrued since then is priced at the next update. */
  fundingSince: number;
  /** Largest haircut weight of any listed collateral (WAD). */
  maxWeight: bigint;
  /** The cash borrow rate at full utilisation (WAD per year): the rate model's base plus slope. */
  maxBorrowRatePerYear: bigint;
}

/**
 * Debt assumed at most collateral plus this many times the notional when bounding interest (see `farFromWatch`): a
 * debt is backed by collateral and realised profit, and a short's unrealised profit exceeds 10 x its notional only
 * after a fall of over 90% since its entry. An assumption, checked by `verifySkips`, not derived.
 */
const DEBT_NOTIONAL_MULTIPLE = 10;

/** Seconds in 8 hours (the funding cap's period) and in a year (the interest rate's). */
const EIGHT_HOURS = 8 * 3600;
const YEAR = 365 * 24 * 3600;

/**
 * Whether `row`, read under `then`, proves that its account's health factor is at least `health` (WAD) under `now`.
 * `path` holds the scans from `then` to `now` (prices in between bound the funding paid). From the row (equity E,
 * maintenance margin M, haircut amount H = requirement - M), with r the largest relative move of any asset's price
 * from `then` to `now`, u the largest relative rise of any price on the path, g the largest rise of any market's
 * maintenance ratio (ratio now / ratio then), v the largest relative move of any price on the path either way, f the
 * largest funding cap or rate in force at any scan on the path, dt the seconds since the read and p those between the earliest funding update before it and
 * the read:
 *
 *   notional            N <= M / (smallest ratio then)           (margin tiers only add to M)
 *   collateral value    C <= H / (1 - largest haircut weight)    (each token's haircut part is >= (1 - w) of it)
 *   equity now          >= E - (N + C) r - N f ((1 + u) dt + v p) / 8 h - (C + 10 N) rate dt / 1 year
 *   requirement now     M' <= M g (1 + r)                         (while N (1 + r) is below every tier threshold)
 *
 * with rate the cash borrow rate at full utilisation (the larger of then and now), the debt bound an assumption
 * (`DEBT_NOTIONAL_MULTIPLE`), and a margin of 1e-9 relative plus 1e-6 cash for rounding. False for a row that was not
 * price-valid, was liquidatable or frozen, when time ran backwards, a weight changed or reached 1, a price or a ratio
 * is missing or zero, or N (1 + r) reaches a tier threshold.
 */
export function provesFarFromWatch(
  row: AccountHealth,
  then: ScanReach,
  now: ScanReach,
  path: readonly ScanReach[],
  health: bigint,
): boolean {
  if (!row.priceValid || row.liquidatable || row.frozen) return false;
  const dt = now.time - then.time;
  if (dt < 0 || now.maxWeight >= WAD || then.maxWeight !== now.maxWeight) return false;
  const cash = (x: bigint) => Number(x) / 1e18;
  const E = cash(row.equity);
  const M = cash(row.maintenanceMargin);
  const C = cash(row.requirement - row.maintenanceMargin) / (1 - cash(then.maxWeight));
  const minRatio = then.ratios.reduce((a, b) => (b < a ? b : a), then.ratios[0] ?? 0n);
  if (M > 0 && minRatio === 0n) return false;
  const N = M > 0 ? M / cash(minRatio) : 0;
  let r = 0;
  let u = 0;
  let v = 0;
  for (const [asset, p0] of then.prices) {
    const p1 = now.prices.get(asset);
    if (!p1 || p0 === 0n) return false;
    r = Math.max(r, Math.abs(Number(p1 - p0) / Number(p0)));
    for (const step of [...path, now]) {
      const p = step.prices.get(asset);
      if (!p) return false;
      const move = Number(p - p0) / Number(p0);
      u = Math.max(u, move);
      v = Math.max(v, Math.abs(move));
    }
  }
  if (now.minTierThreshold !== undefined && N * (1 + r) >= cash(now.minTierThreshold)) return false;
  let g = 0;
  for (let m = 0; m < now.ratios.length; m++) {
    if (then.ratios[m] === undefined || then.ratios[m] === 0n) return false;
    g = Math.max(g, Number(now.ratios[m]) / Number(then.ratios[m]));
  }
  const f = cash([then, ...path, now].reduce((a, x) => (x.maxFundingPer8h > a ? x.maxFundingPer8h : a), 0n));
  const rate = cash(now.maxBorrowRatePerYear > then.maxBorrowRatePerYear ? now.maxBorrowRatePerYear : then.maxBorrowRatePerYear);
  // Funding accrued since a market's last update is priced at the price of the moment it is read: what the read
  // counted over the `pending` seconds before it moves with the price (v), and what accrues after it is paid at
  // prices up to (1 + u) times the read's.
  const pending = Math.max(0, then.time - then.fundingSince);
  const funding = (N * f * ((1 + u) * dt + v * pending)) / EIGHT_HOURS;
  const interest = ((C + DEBT_NOTIONAL_MULTIPLE * N) * rate * dt) / YEAR;
  const equityLow = E - (N + C) * r - funding - interest;
  const requirementHigh = M * g * (1 + r);
  return equityLow >= cash(health) * requirementHigh * (1 + 1e-9) + 1e-6;
}
