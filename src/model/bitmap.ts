/**
 * Exact mirror of contracts/libraries/Bitmap.sol's `count`: how many markets or collateral tokens a bitmap (an
 * account's `markets` from `accountInfo`, its `accountTokens`) holds.
 */

/** Number of set bits of `bits` (>= 0). */
export function bitCount(bits: bigint): number {
  let n = 0;
  for (let x = bits; x !== 0n; x &= x - 1n) n++;
  return n;
}
