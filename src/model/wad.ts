/**
 * Exact bigint mirror of contracts/libraries/WadMath.sol: WAD fixed point with the rounding direction in every
 * function name. Signed `Down` rounds toward negative infinity, signed `Up` toward positive infinity.
 */
export const WAD = 10n ** 18n;

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);
export const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
export const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** x * y / d rounded down (x, y >= 0, d > 0). */
export const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
/** x * y / d rounded up (x, y >= 0, d > 0). */
export const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + d - 1n) / d;

export const mulWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, y, WAD);
export const mulWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, WAD);
export const divWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, WAD, y);
export const divWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, WAD, y);

/** floor(a / b) for signed a and positive b. */
export const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
};
/** ceil(a / b) for signed a and positive b. */
export const ceilDiv = (a: bigint, b: bigint): bigint => -floorDiv(-a, b);

/** Signed x times unsigned or signed y over 1e18, toward negative infinity. */
export const smulWadDown = (x: bigint, y: bigint): bigint => floorDiv(x * y, WAD);
/** Signed x times unsigned or signed y over 1e18, toward positive infinity. */
export const smulWadUp = (x: bigint, y: bigint): bigint => ceilDiv(x * y, WAD);
/** Signed x over positive y, toward negative infinity. */
export const sdivWadDown = (x: bigint, y: bigint): bigint => floorDiv(x * WAD, y);

/** ceil(sqrt(x)) as OpenZeppelin Math.sqrt(x, Ceil). */
export function sqrtCeil(x: bigint): bigint {
  if (x < 2n) return x;
  let r = x;
  let y = (r + 1n) / 2n;
  while (y < r) {
    r = y;
    y = (r + x / r) / 2n;
  }
  return r * r === x ? r : r + 1n;
}

/**
 * A float in WAD, rounded to `decimals` decimal places first (simulator inputs such as prices and cash amounts
 * from a price path or a scenario). `decimals` in [0, 18].
 */
export const wadFromNumber = (x: number, decimals = 6): bigint => BigInt(Math.round(x * 10 ** decimals)) * 10n ** BigInt(18 - decimals);

/** A WAD value as a float, truncated toward zero to `decimals` decimal places first (for display and heuristics). */
export const wadToNumber = (wad: bigint, decimals = 6): number => Number(wad / 10n ** BigInt(18 - decimals)) / 10 ** decimals;
