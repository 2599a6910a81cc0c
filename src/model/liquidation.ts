/**
 * Liquidation price by the rule of contracts/lens/RiskLens.sol `_bisect`: a bisection over [1, 2**96 - 1] that
 * keeps `liquidatable(lo) != liquidatable(hi)` on the exact margin function, moving only the price of one market.
 *
 * Returns, for a long, the lowest safe price (safe there, liquidatable one wei lower); for a short, the highest
 * safe price (safe there, liquidatable one wei higher). Special values: 0 when a long is safe at every probed
 * price or a short is liquidatable at every probed price; 2**256 - 1 when a long is liquidatable at every probed
 * price or a short is safe at every probed price.
 */
import { MAX_UINT256 } from "./margin";
import { accountMargin, type AccountInput } from "./account";

/** RiskLens.MAX_PROBE_PRICE: the engine caches prices as uint96. */
export const MAX_PROBE_PRICE = 2n ** 96n - 1n;

/** The bisection on a liquidatable-at-price predicate (the lens's exact rule). */
export function bisectLiquidationPrice(liquidatableAt: (price: bigint) => boolean, long: boolean): bigint {
  let lo = 1n;
  let hi = MAX_PROBE_PRICE;
  const liqLo = liquidatableAt(lo);
  const liqHi = liquidatableAt(hi);
  if (long) {
    if (!liqLo) return 0n;
    if (liqHi) return MAX_UINT256;
  } else {
    if (liqLo) return 0n;
    if (!liqHi) return MAX_UINT256;
  }
  while (hi - lo > 1n) {
    const mid = lo + (hi - lo) / 2n;
    if (liquidatableAt(mid) === long) lo = mid;
    else hi = mid;
  }
  return long ? hi : lo;
}

/**
 * The liquidation price of the position at index `i` of `a.positions` (its size decides long or short; 0 for no
 * size), every other input held fixed.
 */
export function liquidationPrice(a: AccountInput, i: number): bigint {
  const p = a.positions[i];
  if (p.size === 0n) return 0n;
  const at = (price: bigint) => {
    const positions = a.positions.map((q, j) => (j === i ? { ...q, price } : q));
    return accountMargin({ ...a, positions }).liquidatable;
  };
  return bisectLiquidationPrice(at, p.size > 0n);
}
