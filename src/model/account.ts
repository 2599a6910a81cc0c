/**
 * Account-level margin (IMarginEngine): the aggregate of an account's cash, haircut collateral and positions, as
 * `MarginEngine._margin` and `accountMarginAtPrices` compute it, and the auction's valuation
 * (LiquidationAuction._value): E, M, V = E + H and R = M + H, H being the collateral haircut amount.
 *
 *   equity = cash + sum(collateral value) + sum(position value)        (each term rounded down)
 *   maintenance = sum(|size| * P * mmr), initial = sum(|size| * P * ratio(size))   (each term rounded up)
 *   healthFactor = equity / maintenance (rounded down), liquidatable iff equity < maintenance.
 */
import {
  collateralValue,
  fundingIndexAt,
  healthFactor,
  positionMargins,
  positionValue,
  rawCollateralValue,
  type MarginTier,
} from "./margin";
import type { Valuation } from "./auction";

/** One collateral holding: WAD balance, price [wad], haircut weight [wad]. */
export interface CollateralHolding {
  balanceWad: bigint;
  price: bigint;
  haircut: bigint;
}

/**
 * One position priced at `price`, with its market's funding state (index, per-second rate and the time since
 * the market's last update) and effective ratios.
 */
export interface PricedPosition {
  size: bigint;
  basis: bigint;
  price: bigint;
  cumulativeFunding: bigint;
  fundingRatePerSecond: bigint;
  sinceUpdate: bigint;
  mmr: bigint;
  imr: bigint;
  imrSizeFactor: bigint;
  /** The market's margin tiers with the add-ons in force at the valuation time (`effectiveTiers`); none if absent. */
  tiers?: MarginTier[];
}

export interface AccountInput {
  /** Signed cash value [wad], interest accrued to the valuation time (see cash.ts). */
  cash: bigint;
  collateral: CollateralHolding[];
  positions: PricedPosition[];
}

/** IMarginEngine.MarginState. */
export interface MarginState {
  equity: bigint;
  maintenanceMargin: bigint;
  initialMargin: bigint;
  healthFactor: bigint;
  liquidatable: boolean;
}

/** The funding index of a priced position's market accrued to the valuation time at its price. */
export const fundingOf = (p: PricedPosition): bigint => fundingIndexAt(p.cumulativeFunding, p.fundingRatePerSecond, p.price, p.sinceUpdate);

/** Value of one priced position (unrealised PnL plus funding), rounded down. */
export const pricedValue = (p: PricedPosition): bigint => positionValue(p.size, p.basis, p.price, fundingOf(p));

/** Sum of the haircut collateral values (what the vault passes to the engine as `collateralValue`). */
export const collateralSum = (c: CollateralHolding[]): bigint =>
  c.reduce((s, h) => s + collateralValue(h.balanceWad, h.price, h.haircut), 0n);

/** Sum of the collateral values before haircuts (the vault's `rawCollateralValue`). */
export const rawCollateralSum = (c: CollateralHolding[]): bigint => c.reduce((s, h) => s + rawCollateralValue(h.balanceWad, h.price), 0n);

/** The engine's margin state of an account. */
export function accountMargin(a: AccountInput): MarginState {
  let equity = a.cash + collateralSum(a.collateral);
  let mm = 0n;
  let im = 0n;
  for (const p of a.positions) {
    equity += pricedValue(p);
    const pm = positionMargins(p.size, p.price, p.mmr, p.imr, p.imrSizeFactor, p.tiers);
    mm += pm.mm;
    im += pm.im;
  }
  return { equity, maintenanceMargin: mm, initialMargin: im, healthFactor: healthFactor(equity, mm), liquidatable: equity < mm };
}

/** The auction's valuation of an account: E, M, V = E + H, R = M + H. */
export function valuation(a: AccountInput): Valuation {
  const s = accountMargin(a);
  const h = rawCollateralSum(a.collateral) - collateralSum(a.collateral);
  return { equity: s.equity, maintenanceMargin: s.maintenanceMargin, markToMarket: s.equity + h, requirement: s.maintenanceMargin + h };
}
