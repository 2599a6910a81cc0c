/**
 * Exact bigint mirror of how fills and liquidation transfers change positions (contracts/engine/MarginEngine.sol:
 * `_applyTrade`, `_applyFill`, `_surplusNotWorse`, `_movePosition`) and of the venue's fees
 * (contracts/venue/OrderSettlement.sol `_settle`).
 *
 * A position is `(size, basis)` with value `size * (P - F) - basis` (see margin.ts). A fill of signed size `d` at
 * notional `n = d * (price - F)` (rounded toward negative infinity) increases the basis by `n`, or removes the
 * closed share of the basis (rounded up, so realised PnL rounds down); realised = basisDelta - n, so each side's
 * cash - basis changes by exactly -n.
 */
import { positionShare } from "./auction";
import { WAD, abs, ceilDiv, floorDiv, mulWadDown, mulWadUp, smulWadDown } from "./wad";

export interface Position {
  size: bigint;
  basis: bigint;
}

/** One side of a fill after it was applied (MarginEngine.Side) and the new position. */
export interface Side {
  sizeBefore: bigint;
  sizeAfter: bigint;
  basisDelta: bigint;
  realised: bigint;
  reducesRisk: boolean;
  position: Position;
}

/** floor(a / b) for any non-zero b. */
const floorDivSigned = (a: bigint, b: bigint): bigint => (b < 0n ? floorDiv(-a, -b) : floorDiv(a, b));

/** The fill's notional for the taker: `takerSize * (price - F)`, rounded toward negative infinity. */
export function tradeNotional(takerSize: bigint, price: bigint, cumulativeFunding: bigint): bigint {
  return smulWadDown(takerSize, price - cumulativeFunding);
}

/** `_applyFill`: applies the signed size change `d` at notional `n` to `p`. */
export function applyFill(p: Position, d: bigint, n: bigint): Side {
  const sizeBefore = p.size;
  const sizeAfter = sizeBefore + d;
  let basisDelta: bigint;
  let reducesRisk = false;
  if (sizeBefore === 0n || sizeBefore > 0n === d > 0n) {
    basisDelta = n;
  } else {
    const absBefore = abs(sizeBefore);
    const absD = abs(d);
    if (absD >= absBefore) {
      basisDelta = -p.basis;
      if (sizeAfter !== 0n) basisDelta += floorDivSigned(n * sizeAfter, d);
    } else {
      basisDelta = -ceilDiv(p.basis * absD, absBefore);
    }
    reducesRisk = abs(sizeAfter) < absBefore && (sizeAfter === 0n || sizeAfter > 0n === sizeBefore > 0n);
  }
  return {
    sizeBefore,
    sizeAfter,
    basisDelta,
    realised: basisDelta - n,
    reducesRisk,
    position: { size: sizeAfter, basis: p.basis + basisDelta },
  };
}

/** Both sides of a fill: the maker receives `-takerSize` at `-n`. */
export function applyTrade(maker: Position, taker: Position, takerSize: bigint, price: bigint, cumulativeFunding: bigint) {
  const n = tradeNotional(takerSize, price, cumulativeFunding);
  return { notional: n, maker: applyFill(maker, -takerSize, -n), taker: applyFill(taker, takerSize, n) };
}

/** Change of long open interest when `before` becomes `after` for one account. */
export const longDelta = (before: bigint, after: bigint): bigint => (after > 0n ? after : 0n) - (before > 0n ? before : 0n);

/**
 * `_surplusNotWorse`: the fill did not lower the account's surplus over maintenance margin: pnl at the mark
 * minus the fee plus the maintenance margin released is >= 0 (each rounded against the account).
 */
export function surplusNotWorse(s: Side, fillPrice: bigint, fee: bigint, markPrice: bigint, markMmr: bigint): boolean {
  const released = mulWadDown(mulWadDown(abs(s.sizeBefore) - abs(s.sizeAfter), markPrice), markMmr);
  return pnlAtMark(s, fillPrice, markPrice) - fee + released >= 0n;
}

/** The fill's pnl valued at the mark, `d * (mark - price)` rounded toward negative infinity (`_surplusNotWorse`). */
export function pnlAtMark(s: Side, fillPrice: bigint, markPrice: bigint): bigint {
  return smulWadDown(s.sizeAfter - s.sizeBefore, markPrice - fillPrice);
}

/**
 * Issue #11 class 1 (`_checkAfterTrade`): whether a fill that passed `surplusNotWorse` may leave the account below
 * initial margin. Only at a price no worse than the mark when the account ends below maintenance margin
 * (`equity < maintenance`, both at the cached marks); otherwise EngineLiquidatableFillWorseThanMark.
 */
export function liquidatableFillAllowed(s: Side, fillPrice: bigint, markPrice: bigint, equity: bigint, maintenance: bigint): boolean {
  return pnlAtMark(s, fillPrice, markPrice) >= 0n || equity >= maintenance;
}

/** The venue's fees of a fill of `fillSize` at `limitPrice`: notional and each fee rounded up. */
export function venueFees(fillSize: bigint, limitPrice: bigint, makerFeeRate: bigint, takerFeeRate: bigint) {
  const notional = mulWadUp(fillSize, limitPrice);
  return { makerFee: mulWadUp(notional, makerFeeRate), takerFee: mulWadUp(notional, takerFeeRate) };
}

/** x * fraction / 1e18 rounded toward zero (a share of a signed size). */
export function towardZero(x: bigint, fraction: bigint): bigint {
  const q = mulWadDown(abs(x), fraction);
  return x >= 0n ? q : -q;
}

/**
 * `_movePosition`: moves `fraction` of `from` to `to` (everything at 1e18; below it the share of
 * `positionShare`: size away from zero, basis in proportion rounded up); when `to` nets to zero its remaining
 * basis is realised into its cash (`cashTo`).
 */
export function movePosition(from: Position, to: Position, fraction: bigint) {
  const share = positionShare(from.size, from.basis, fraction);
  const ds = share.size;
  const db = share.basis;
  const newFrom = { size: from.size - ds, basis: from.basis - db };
  let toBasis = to.basis + db;
  let cashTo = 0n;
  if (to.size + ds === 0n) {
    cashTo = -toBasis;
    toBasis = 0n;
  }
  return { from: newFrom, to: { size: to.size + ds, basis: toBasis }, cashTo };
}
