/**
 * Exact bigint mirror of the vault's cash ledger (contracts/vault/VaultStorage.sol): a signed principal per
 * account scaled by a supply index (positive cash) or a borrow index (debt), the utilisation-based borrow rate,
 * interest accrual, and the supply-index cut of a socialised loss.
 */
import { WAD, min, mulDivUp, mulWadDown, mulWadUp, divWadDown, divWadUp } from "./wad";

export const SECONDS_PER_YEAR = 365n * 86_400n;
export const MIN_SUPPLY_INDEX = 10n ** 9n;

export interface CashState {
  supplyIndex: bigint;
  borrowIndex: bigint;
  supplyPrincipal: bigint;
  borrowPrincipal: bigint;
}

/** Cash value of a principal: supply rounds down, debt rounds up in magnitude. */
export function cashValue(principal: bigint, c: CashState): bigint {
  return principal >= 0n ? mulWadDown(principal, c.supplyIndex) : -mulWadUp(-principal, c.borrowIndex);
}

/** The principal after adding `delta` (WAD cash) to `principal`; updates the totals in `c`. */
export function addCash(c: CashState, principal: bigint, delta: bigint): bigint {
  const v = cashValue(principal, c) + delta;
  const p2 = v >= 0n ? divWadDown(v, c.supplyIndex) : -divWadUp(-v, c.borrowIndex);
  if (principal >= 0n) c.supplyPrincipal -= principal;
  else c.borrowPrincipal -= -principal;
  if (p2 >= 0n) c.supplyPrincipal += p2;
  else c.borrowPrincipal += -p2;
  return p2;
}

/** Borrow rate per year: base + slope * min(1, debt / positive cash). */
export function ratePerYear(c: CashState, baseRatePerYear: bigint, slopePerYear: bigint): bigint {
  const supplyValue = mulWadDown(c.supplyPrincipal, c.supplyIndex);
  const borrowValue = mulWadUp(c.borrowPrincipal, c.borrowIndex);
  const u = supplyValue === 0n ? WAD : min(WAD, divWadUp(borrowValue, supplyValue));
  return baseRatePerYear + mulWadUp(slopePerYear, u);
}

/** Indices after `dt` seconds of interest; returns the interest added to debts. */
export function accrue(c: CashState, dt: bigint, baseRatePerYear: bigint, slopePerYear: bigint): bigint {
  if (dt === 0n || c.borrowPrincipal === 0n) return 0n;
  const bI = c.borrowIndex;
  const newBI = bI + mulWadUp(bI, mulDivUp(ratePerYear(c, baseRatePerYear, slopePerYear), dt, SECONDS_PER_YEAR));
  const interest = mulWadDown(c.borrowPrincipal, newBI - bI);
  if (c.supplyPrincipal !== 0n) c.supplyIndex += divWadDown(interest, c.supplyPrincipal);
  c.borrowIndex = newBI;
  return interest;
}

/** The supply-index cut of socialising `amount`; returns what was socialised (capped at MIN_SUPPLY_INDEX). */
export function socialise(c: CashState, amount: bigint): bigint {
  const before = c.supplyIndex;
  if (c.supplyPrincipal === 0n || before <= MIN_SUPPLY_INDEX) return 0n;
  const socialised = min(amount, mulWadDown(c.supplyPrincipal, before - MIN_SUPPLY_INDEX));
  c.supplyIndex = before - divWadUp(socialised, c.supplyPrincipal);
  return socialised;
}

/**
 * `_viewCash`: the cash state accrued from its stored value (accrual at `lastAccrual`) to `now`, without
 * writing; `_loadCash` gives the same indices.
 */
export function viewCash(stored: CashState, lastAccrual: bigint, now: bigint, baseRatePerYear: bigint, slopePerYear: bigint): CashState {
  const c = { ...stored };
  accrue(c, now - lastAccrual, baseRatePerYear, slopePerYear);
  return c;
}

/**
 * The share of a cash value that moves with a fraction of a portfolio (CollateralVault.transferFraction): all of
 * it at 1e18, else `v * fraction` rounded toward negative infinity (the receiver gets positive cash rounded down
 * and debt rounded up).
 */
export function cashFraction(v: bigint, fraction: bigint): bigint {
  if (fraction === WAD) return v;
  const p = v * fraction;
  const q = p / WAD;
  return p < 0n && q * WAD !== p ? q - 1n : q;
}
