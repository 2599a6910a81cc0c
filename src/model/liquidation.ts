/**
 * Liquidation price by the rule of contracts/lens/RiskLens.sol `_bisect`: a bisection over [1, 2**96 - 1] that
 * keeps `liquidatable(lo) != liquidatable(hi)` on the exact margin function, moving the price of one market, of
 * every other held market on the same oracle asset (review F4) and of every collateral priced by that asset (issue
 * #11 class 11).
 *
 * The side at which the account is liquidatable decides the direction. Liquidated by a fall (a long, or a short
 * backed by enough collateral on the market's feed): the lowest safe price (safe there, liquidatable one wei
 * lower). By a rise: the highest safe price (safe there, liquidatable one wei higher). Special values: safe at
 * every probed price: 0 for a long, 2**256 - 1 for a short; liquidatable at every probed price: 2**256 - 1 for a
 * long, 0 for a short.
 */
import { MAX_UINT256 } from "./margin";
import { accountMargin, type AccountInput } from "./account";

/** RiskLens.MAX_PROBE_PRICE: the engine caches prices as uint96. */
export const MAX_PROBE_PRICE = 2n ** 96n - 1n;

/** The bisection on a liquidatable-at-price predicate (the lens's exact rule); `long` only breaks the ties. */
export function bisectLiquidationPrice(liquidatableAt: (price: bigint) => boolean, long: boolean): bigint {
  let lo = 1n;
  let hi = MAX_PROBE_PRICE;
  const liqLo = liquidatableAt(lo);
  const liqHi = liquidatableAt(hi);
  if (liqLo === liqHi) return liqLo === long ? MAX_UINT256 : 0n;
  while (hi - lo > 1n) {
    const mid = lo + (hi - lo) / 2n;
    if (liquidatableAt(mid) === liqLo) lo = mid;
    else hi = mid;
  }
  return liqLo ? hi : lo;
}

/**
 * The liquidation price of the position at index `i` of `a.positions` (its size breaks the ties; 0 for no size),
 * every other input held fixed except the collateral holdings `k` with `movesWith[k]` true and the other positions
 * `j` with `marketsMoveWith[j]` true (priced by the market's own oracle asset), whose prices follow the probe.
 */
export function liquidationPrice(
  a: AccountInput,
  i: number,
  movesWith: readonly boolean[] = [],
  marketsMoveWith: readonly boolean[] = [],
): bigint {
  const p = a.positions[i];
  if (p.size === 0n) return 0n;
  const at = (price: bigint) => {
    const positions = a.positions.map((q, j) => (j === i || marketsMoveWith[j] ? { ...q, price } : q));
    const collateral = a.collateral.map((c, k) => (movesWith[k] ? { ...c, price } : c));
    return accountMargin({ ...a, positions, collateral }).liquidatable;
  };
  return bisectLiquidationPrice(at, p.size > 0n);
}
