/**
 * Automated deleveraging (ADL): the exact bigint rule of docs/LIQUIDATION.md ("Automated deleveraging"), which the
 * engine (contracts/libraries/DeleveragingMath.sol, contracts/engine/MarginEngineDeleveraging.sol) is fuzzed against
 * (issue #14 item 1).
 *
 * When an insolvent account's deficit exceeds what the insurance fund may pay, what is left (`deficit`) is allotted to
 * the markets it holds in proportion to their notionals (`allotDeficit`), and each of its positions is closed at its
 * bankruptcy price (`bankruptcyPrice`): the price at which closing it covers that market's part. The positions on the
 * other side of that market are all reduced by the same fraction `phi = |size| / openInterest` and the closed parts are
 * closed against the bankrupt position at that price, lazily: the side keeps a cumulative index (`AdlIndex`: the size
 * factor `keep`, starting at 1e18, and the closing index `closed`), an event moves it (`deleverageSide`), and a position
 * synced at an older index is brought up to date when next touched (`settleDeleveraged`). The closed part's result is
 * folded into the position's basis (no cash moves): closing `c` at price `p` with funding index `F` turns `(size,
 * basis)` into `(size - c, basis - c * (p - F))`, whose value at any price equals the realised result plus the value
 * of what is left (the basis share of the closed part cancels out).
 *
 * The bankrupt account is credited the matched part (`matchedSize`: phi x the open interest, rounded down) at the
 * bankruptcy price and the unmatched dust at the mark only when that is a loss, so it receives only what the other
 * side pays; what the other
 * side gives up against the mark is that part's worth (`coveredBy`).
 *
 * Rounding: the closed sizes round down (`phi` down, the size kept up), so an event never closes more than the
 * bankrupt size (minimality, to the wei); the closing index rounds against the side it belongs to (up for shorts,
 * whose basis it raises; down for longs) and a settled basis rounds up, so a holder never gives up less than its
 * share. Units: sizes [wad base], prices and funding indices [wad cash per base unit], bases and deficits [wad cash],
 * `keep` and `phi` [wad].
 */
import { WAD, abs, ceilDiv, floorDiv, mulDivDown, mulDivUp } from "./wad";
import type { Position } from "./trade";

/** Largest stored price [wad]: every engine price is a uint96. */
export const MAX_PRICE = 2n ** 96n - 1n;
/**
 * Smallest size factor an event may leave [wad]: 1e12 (a millionth). An event that would leave less (the bankrupt
 * position is almost the whole other side, or many events compounded) is not made: that market's part of the
 * deficit stays for the insurance fund and socialisation, so a side's positions keep at least six significant digits.
 */
export const MIN_KEEP = 10n ** 12n;

/** A side's cumulative ADL index: size factor [wad] and closing index [wad cash per unit of size at keep = 1e18]. */
export interface AdlIndex {
  keep: bigint;
  closed: bigint;
}

/** The index of a side with no event yet. */
export const ADL_START: AdlIndex = { keep: WAD, closed: 0n };

/**
 * `deficit` [wad cash] split over markets in proportion to `weights` [wad cash; the engine's trigger uses the
 * positions' losses]: part i is ceil(deficit * w_i / sum), so the parts cover the deficit (their sum is at least
 * `deficit` and less than `deficit + weights.length`); with `caps`, each part is at most its cap (the trigger caps
 * each at its position's loss, so a market's other side never gives up more than the bankrupt position lost to it),
 * and what the caps leave is not covered.
 * @throws RangeError when the weights are empty or sum to zero, or one is negative.
 */
export function allotDeficit(deficit: bigint, weights: readonly bigint[], caps?: readonly bigint[]): bigint[] {
  const total = weights.reduce((s, n) => s + n, 0n);
  if (weights.length === 0 || total <= 0n || weights.some((n) => n < 0n)) throw new RangeError("allotDeficit: no weight");
  return weights.map((n, i) => {
    const part = mulDivUp(deficit, n, total);
    return caps !== undefined && caps[i] < part ? caps[i] : part;
  });
}

/** The size [wad base] an event with fraction `phi` [wad] matches on the other side's `openInterest`: floor(O x phi). */
export const matchedSize = (openInterest: bigint, phi: bigint): bigint => mulDivDown(openInterest, phi, WAD);

/** What the other side gives up against the mark [wad cash] when `matched` closes at `price` instead of `mark`. */
export const coveredBy = (matched: bigint, price: bigint, mark: bigint): bigint => mulDivDown(matched, abs(price - mark), WAD);

/**
 * Bankruptcy price [wad] of a position of signed `size` at mark `mark` [wad] carrying `part` [wad cash] of the deficit:
 * for a long `mark + ceil(part / |size|)`, capped at `MAX_PRICE`; for a short `mark - ceil(part / |size|)`, floored
 * at 0. `covered` [wad cash] is what closing at it takes from the other side against closing at the mark,
 * floor(|size| * |price - mark|): at least `part` unless the cap or the floor bound it (the rest stays for the fund
 * and socialisation).
 * @throws RangeError for a zero size.
 */
export function bankruptcyPrice(size: bigint, mark: bigint, part: bigint): { price: bigint; covered: bigint } {
  if (size === 0n) throw new RangeError("bankruptcyPrice: zero size");
  const step = ceilDiv(part * WAD, abs(size));
  const price = size > 0n ? (mark + step > MAX_PRICE ? MAX_PRICE : mark + step) : mark > step ? mark - step : 0n;
  return { price, covered: mulDivDown(abs(size), abs(price - mark), WAD) };
}

/**
 * The other side's index after an event that closes `size` [wad base, > 0: the bankrupt position's |size|] against
 * its `openInterest` [wad base, >= size] at `price` with funding index `funding`:
 * `phi = floor(size * 1e18 / openInterest)`, `keep' = ceil(keep * (1e18 - phi) / 1e18)` and
 * `closed' = closed + keep * phi * (price - funding) / 1e36`, rounded up for the short side and down for the long
 * side (against the side). Returns undefined when phi is 0 (nothing would be matched) or `keep'` would fall below
 * `MIN_KEEP` (no event).
 * @throws RangeError unless 0 < size <= openInterest.
 */
export function deleverageSide(
  index: AdlIndex,
  side: "long" | "short",
  size: bigint,
  openInterest: bigint,
  price: bigint,
  funding: bigint,
): { index: AdlIndex; phi: bigint } | undefined {
  if (size <= 0n || size > openInterest) throw new RangeError("deleverageSide: size outside (0, openInterest]");
  const phi = mulDivDown(size, WAD, openInterest);
  const keep = mulDivUp(index.keep, WAD - phi, WAD);
  if (phi === 0n || keep < MIN_KEEP) return undefined;
  const num = index.keep * phi * (price - funding);
  const step = side === "short" ? ceilDiv(num, WAD * WAD) : floorDiv(num, WAD * WAD);
  return { index: { keep, closed: index.closed + step }, phi };
}

/**
 * Position `p` of the side whose index was `from` when it was last synced, brought to that side's index `to`: its size
 * keeps ceil(|size| * to.keep / from.keep) with its sign (a closed part rounded down), and its basis becomes
 * `basis - size * (to.closed - from.closed) / from.keep`, rounded up (against the holder).
 */
export function settleDeleveraged(p: Position, from: AdlIndex, to: AdlIndex): Position {
  const kept = mulDivUp(abs(p.size), to.keep, from.keep);
  return {
    size: p.size < 0n ? -kept : kept,
    basis: p.basis + ceilDiv(-p.size * (to.closed - from.closed), from.keep),
  };
}
