/**
 * Exact bigint mirror of contracts/libraries/MarginMath.sol and of the token-amount and collateral-value
 * conversions of the vault (contracts/libraries/TokenAmountLib.sol, VaultStorage._marginCollateral).
 *
 * Rounding always favours the protocol: values and equity round toward negative infinity, margins round up.
 * Every function here gives the contract's result to the wei for inputs within MarginMath's bounds
 * (|size|, |basis| < 2**127, price < 2**96, |F| < 2**102, ratios < 2**64).
 */
import { WAD, abs, floorDiv, mulWadDown } from "./wad";

export const MAX_UINT256 = 2n ** 256n - 1n;

/** MarginMath.positionValue: `size * (price - F) - basis`, WAD cash, rounded toward negative infinity. */
export function positionValue(size: bigint, basis: bigint, price: bigint, cumulativeFunding: bigint): bigint {
  return floorDiv(size * (price - cumulativeFunding), WAD) - basis;
}

/** MarginMath.notionalUp: |size| * price, WAD cash, rounded up. */
export function notionalUp(size: bigint, price: bigint): bigint {
  return (abs(size) * price + WAD - 1n) / WAD;
}

/** MarginMath.maintenanceMargin: notionalUp(size, price) * mmr, rounded up. */
export function maintenanceMargin(size: bigint, price: bigint, mmr: bigint): bigint {
  return (notionalUp(size, price) * mmr + WAD - 1n) / WAD;
}

/** MarginMath.initialMarginRatio: imr + imrSizeFactor * |size| (rounded up), capped at 1e18; imr when the factor is 0. */
export function initialMarginRatio(size: bigint, imr: bigint, imrSizeFactor: bigint): bigint {
  if (imrSizeFactor === 0n) return imr;
  const r = imr + (imrSizeFactor * abs(size) + WAD - 1n) / WAD;
  return r > WAD ? WAD : r;
}

/** MarginMath.initialMargin: notionalUp(size, price) * initialMarginRatio, rounded up. */
export function initialMargin(size: bigint, price: bigint, imr: bigint, imrSizeFactor: bigint): bigint {
  return (notionalUp(size, price) * initialMarginRatio(size, imr, imrSizeFactor) + WAD - 1n) / WAD;
}

/**
 * MarginMath.fundingIndexAt: `F + rate * dt * price / 1e18`, the increment rounded toward negative infinity
 * (rate: WAD per second, positive when longs pay shorts).
 */
export function fundingIndexAt(cumulativeFunding: bigint, ratePerSecond: bigint, price: bigint, dt: bigint): bigint {
  if (ratePerSecond === 0n || dt === 0n) return cumulativeFunding;
  return cumulativeFunding + floorDiv(ratePerSecond * dt * price, WAD);
}

/**
 * MarginMath.healthFactor: equity / maintenance (WAD, rounded down); type(uint256).max with no requirement and
 * non-negative equity; 0 when equity <= 0 under a requirement, or equity < 0 without one.
 */
export function healthFactor(equity: bigint, maintenance: bigint): bigint {
  if (maintenance === 0n) return equity >= 0n ? MAX_UINT256 : 0n;
  if (equity <= 0n) return 0n;
  return (equity * WAD) / maintenance;
}

/** MarginMath.moveTowards: `current` moved toward `target` by at most `step`. */
export function moveTowards(current: bigint, target: bigint, step: bigint): bigint {
  if (current < target) return target - current > step ? current + step : target;
  return current - target > step ? current - step : target;
}

// ------------------------------------------------------------------ token amounts and collateral (vault)

/** TokenAmountLib.scaleOf: 10**(18 - decimals). */
export const scaleOf = (decimals: number | bigint): bigint => 10n ** (18n - BigInt(decimals));
/** TokenAmountLib.toWad: a token amount in WAD (exact). */
export const toWad = (amount: bigint, decimals: number | bigint): bigint => amount * scaleOf(decimals);
/** TokenAmountLib.fromWadDown: a WAD amount in token units, rounded down. */
export const fromWadDown = (wad: bigint, decimals: number | bigint): bigint => wad / scaleOf(decimals);

/** One collateral holding's haircut value: `balanceWad * price * haircut`, each product rounded down (VaultStorage). */
export function collateralValue(balanceWad: bigint, price: bigint, haircut: bigint): bigint {
  return mulWadDown(mulWadDown(balanceWad, price), haircut);
}

/**
 * VaultStorage._weightNow: a collateral's haircut weight [wad] at `now` (seconds). Not delisting (`rampEnd` 0): the
 * stored weight; while delisting, that weight ramped linearly to zero between `rampStart` and `rampEnd`
 * (`weight * (rampEnd - now) / (rampEnd - rampStart)`, rounded down); zero from `rampEnd` on (issue #11 class 14).
 */
export function haircutWeightAt(weight: bigint, rampStart: bigint, rampEnd: bigint, now: bigint): bigint {
  if (rampEnd === 0n) return weight;
  if (now >= rampEnd) return 0n;
  return (weight * (rampEnd - now)) / (rampEnd - rampStart);
}

/** One collateral holding's value before haircut: `balanceWad * price`, rounded down (the auction's raw value). */
export function rawCollateralValue(balanceWad: bigint, price: bigint): bigint {
  return mulWadDown(balanceWad, price);
}

/**
 * One margin tier (IMarginEngine.MarginTier): above `notionalThreshold` [wad cash] the maintenance and initial
 * ratios of the notional beyond it rise by the cumulative add-ons `mmrAddOn` / `imrAddOn` [wad].
 */
export interface MarginTier {
  notionalThreshold: bigint;
  mmrAddOn: bigint;
  imrAddOn: bigint;
}

/**
 * MarginMath.tierTerm summed over `tiers` (EngineMarkets.tierTerms, the lens's `_positionMargins`): for each tier
 * whose threshold T_i <= `notional`, (A_i - A_(i-1)) * (notional - T_i) [wad cash * wad], for maintenance (`mm`)
 * and initial (`im`) add-ons. The sum is the integral over [0, notional] of the add-on of the highest tier reached:
 * continuous in the notional, no jump at a threshold.
 */
export function tierTerms(notional: bigint, tiers: readonly MarginTier[]): { mm: bigint; im: bigint } {
  let mm = 0n;
  let im = 0n;
  let prevM = 0n;
  let prevI = 0n;
  for (const t of tiers) {
    if (notional < t.notionalThreshold) break;
    mm += (t.mmrAddOn - prevM) * (notional - t.notionalThreshold);
    im += (t.imrAddOn - prevI) * (notional - t.notionalThreshold);
    prevM = t.mmrAddOn;
    prevI = t.imrAddOn;
  }
  return { mm, im };
}

/**
 * The engine's per-position requirements (EngineMarkets.positionMargin, MarginMath.marginsUp): with N =
 * notionalUp(size, price), maintenance = ceil((N * mmr + tier mm terms) / 1e18), initial = min(N,
 * ceil((N * initialMarginRatio + tier im terms) / 1e18)). Without tiers these equal `maintenanceMargin` and
 * `initialMargin`. `tiers`: the add-ons in force now (`effectiveTiers`).
 */
export function positionMargins(
  size: bigint,
  price: bigint,
  mmr: bigint,
  imr: bigint,
  imrSizeFactor: bigint,
  tiers: readonly MarginTier[] = [],
): { mm: bigint; im: bigint } {
  const n = notionalUp(size, price);
  const t = tierTerms(n, tiers);
  const mm = (n * mmr + t.mm + WAD - 1n) / WAD;
  const im = (n * initialMarginRatio(size, imr, imrSizeFactor) + t.im + WAD - 1n) / WAD;
  return { mm, im: im > n ? n : im };
}
