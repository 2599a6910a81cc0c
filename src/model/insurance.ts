/**
 * Exact bigint mirror of the insurance fund's arithmetic (contracts/insurance/InsuranceFund.sol):
 *
 * - `cover`: the fund pays min(amount, cap - paid, vault cash) in whole token units (rounded down), where the
 *   event's cap is fixed at its first payout to eventCapRatio * the fund's vault cash (rounded down).
 * - ERC-4626 conversions with OpenZeppelin's virtual shares (decimals offset 6):
 *   shares = assets * (supply + 1e6) / (totalAssets + 1), assets = shares * (totalAssets + 1) / (supply + 1e6).
 * - exits: a claim pays min(value at request, value at claim).
 */
import { min, mulWadDown } from "./wad";
import { fromWadDown, scaleOf, toWad } from "./margin";

/** InsuranceFund.DECIMALS_OFFSET. */
export const DECIMALS_OFFSET = 6n;
const VIRTUAL_SHARES = 10n ** DECIMALS_OFFSET;

/** Per liquidation event: payout cap and amount paid [wad] (InsuranceFund.EventPayout). */
export interface EventPayout {
  cap: bigint;
  paid: bigint;
}

/** The fund's vault cash in whole token units, as WAD (InsuranceFund._vaultCashWad). */
export function vaultCashWad(fundCashValue: bigint, decimals: number | bigint): bigint {
  return fundCashValue > 0n ? toWad(fromWadDown(fundCashValue, decimals), decimals) : 0n;
}

/**
 * `cover(eventId, recipient, amount)`: what the fund pays (WAD) and the event's new state, given the fund's
 * vault cash in WAD whole units (`cashWad`, see `vaultCashWad`).
 */
export function cover(
  e: EventPayout,
  amount: bigint,
  cashWad: bigint,
  eventCapRatio: bigint,
  decimals: number | bigint,
): { paid: bigint; event: EventPayout } {
  const cap = e.paid === 0n && e.cap === 0n ? mulWadDown(cashWad, eventCapRatio) : e.cap;
  const tokens = fromWadDown(min(amount, min(cap - e.paid, cashWad)), decimals);
  const paid = tokens * scaleOf(decimals);
  return { paid, event: { cap, paid: e.paid + paid } };
}

/** `coverage(eventId)`: the event's cap (fixed or prospective) and what the fund could pay now (WAD). */
export function coverage(e: EventPayout, cashWad: bigint, eventCapRatio: bigint, decimals: number | bigint) {
  const cap = e.paid === 0n && e.cap === 0n ? mulWadDown(cashWad, eventCapRatio) : e.cap;
  return { cap, paid: e.paid, available: toWad(fromWadDown(min(cap - e.paid, cashWad), decimals), decimals) };
}

/** ERC-4626 `convertToShares` / `previewDeposit` (rounded down). */
export const convertToShares = (assets: bigint, totalAssets: bigint, totalSupply: bigint): bigint =>
  (assets * (totalSupply + VIRTUAL_SHARES)) / (totalAssets + 1n);

/** ERC-4626 `convertToAssets` / `previewRedeem` (rounded down). */
export const convertToAssets = (shares: bigint, totalAssets: bigint, totalSupply: bigint): bigint =>
  (shares * (totalAssets + 1n)) / (totalSupply + VIRTUAL_SHARES);

/** ERC-4626 `previewMint` (rounded up). */
export const previewMint = (shares: bigint, totalAssets: bigint, totalSupply: bigint): bigint =>
  (shares * (totalAssets + 1n) + totalSupply + VIRTUAL_SHARES - 1n) / (totalSupply + VIRTUAL_SHARES);

/** `claimWithdrawal`: the lower of the shares' value at request and now. */
export const claimAmount = (assetsAtRequest: bigint, valueNow: bigint): bigint => min(assetsAtRequest, valueNow);

/**
 * `totalAssets()`: the fund's vault cash plus idle tokens (token units), less the auctions' known pending bad debt
 * (`pendingBadDebtWad`, rounded up to whole tokens), floored at 0 (class 8: the share price marks a visible loss).
 */
export function markedTotalAssets(cashAndIdle: bigint, pendingBadDebtWad: bigint, decimals: number | bigint): bigint {
  const scale = scaleOf(decimals);
  const pending = (pendingBadDebtWad + scale - 1n) / scale;
  return cashAndIdle > pending ? cashAndIdle - pending : 0n;
}
