/**
 * Exact bigint mirror of contracts/libraries/AuctionMath.sol (price curve, largest fraction, payments, tip and the
 * stopped clock). Shared by the tests, the keeper bot and the simulator so that all three price bids exactly as
 * the contract does. Formulas: contracts/interfaces/ILiquidationAuction.sol and docs/LIQUIDATION.md.
 */
import { WAD, max, min, mulDivDown, mulDivUp, mulWadDown, mulWadUp } from "./wad";

export interface AuctionParams {
  startPrice: bigint;
  fastPrice: bigint;
  floorPrice: bigint;
  fastDuration: bigint;
  slowDuration: bigint;
  insolventDuration: bigint;
  insolventBonus: bigint;
  bufferRatio: bigint;
  penaltyRate: bigint;
  /** Base fee [gwei] above which the flat tip grows with the base fee (0: never); see {@link flatTipAt}. */
  tipBaseFee: bigint;
  insuranceShare: bigint;
  tipRate: bigint;
  flatTip: bigint;
  dustMargin: bigint;
}

/**
 * An account's valuation (WAD cash), AuctionMath.Valuation: the quantities ILiquidationAuction.Quote reports under
 * the same names, margin equity E, maintenanceMargin M, markToMarket V = E + H (H: the collateral haircut amount) and
 * requirement R = M + H.
 */
export interface Valuation {
  equity: bigint;
  maintenanceMargin: bigint;
  markToMarket: bigint;
  requirement: bigint;
}

export interface Take {
  unitPrice: bigint;
  maxFraction: bigint;
  fraction: bigint;
  payment: bigint;
  penalty: bigint;
  penaltyToFund: bigint;
  subsidy: bigint;
}

export interface ClockState {
  checkpoint: bigint;
  elapsed: bigint;
  guaranteedUntil: bigint;
  validAtCheckpoint: boolean;
}

const U32_MAX = 2n ** 32n - 1n;
/** AuctionMath.ROUNDING_ALLOWANCE: 1e12 WAD cash added to A when sizing the largest fraction. */
export const ROUNDING_ALLOWANCE = 10n ** 12n;

const progress = (t: bigint, duration: bigint): bigint => (t >= duration ? WAD : mulDivDown(t, WAD, duration));

/** pi(t) during the solvent phase (WAD, rounded up). */
export function priceFactor(p: AuctionParams, t: bigint): bigint {
  if (t <= p.fastDuration) return p.startPrice - mulDivDown(p.startPrice - p.fastPrice, t, p.fastDuration);
  const s = t - p.fastDuration;
  if (s <= p.slowDuration) return p.fastPrice - mulDivDown(p.fastPrice - p.floorPrice, s, p.slowDuration);
  return p.floorPrice;
}

/**
 * Unit price B(t): WAD cash per whole portfolio, rounded up; negative (the bidder is paid) only when V <= 0: a solvent
 * account's price stops at zero past the floor (INV-26).
 *
 * @param t The auction clock [s].
 * @param insolventElapsed Auction-clock seconds since the account's insolvency was recorded (0 when none is): the
 *   insolvent bonus grows with it, not with `t` (review R3-1; see {@link insolventElapsedAt}).
 */
export function unitPrice(p: AuctionParams, t: bigint, markToMarket: bigint, requirement: bigint, insolventElapsed: bigint): bigint {
  const bonus = mulWadDown(p.insolventBonus, requirement);
  if (markToMarket <= 0n) return markToMarket - mulWadDown(bonus, progress(insolventElapsed, p.insolventDuration));
  const solventEnd = p.fastDuration + p.slowDuration;
  if (t <= solventEnd) return mulWadUp(markToMarket, priceFactor(p, t));
  const floorValue = mulWadUp(markToMarket, p.floorPrice);
  // A solvent account is never priced below zero (INV-26): the fund pays only for bad debt.
  const fall = mulWadDown(floorValue + bonus, progress(t - solventEnd, p.insolventDuration));
  return fall >= floorValue ? 0n : floorValue - fall;
}

/**
 * The margin equity an auctioned account needs to count as restored: (1 + bufferRatio) * maintenance, rounded up
 * (WAD cash), as LiquidationAuction computes it in `terminateAuction`, `_restored` and AuctionMath.take's A.
 */
export function restoreTargetUp(p: Pick<AuctionParams, "bufferRatio">, maintenance: bigint): bigint {
  return mulWadUp(WAD + p.bufferRatio, maintenance);
}

/** Whether the account is restored: E >= (1 + bufferRatio) * M rounded up (AuctionMath.take then allows no bid). */
export function isRestored(p: Pick<AuctionParams, "bufferRatio">, v: Pick<Valuation, "equity" | "maintenanceMargin">): boolean {
  return v.equity >= restoreTargetUp(p, v.maintenanceMargin);
}

/**
 * Auction-clock seconds since insolvency was recorded, at clock reading `t`, as the auction reads its record: 0 when
 * none is recorded (`since` undefined) or when V > 0 (the bonus does not apply).
 */
export function insolventElapsedAt(t: bigint, since: bigint | undefined, markToMarket: bigint): bigint {
  return since === undefined || markToMarket > 0n || t < since ? 0n : t - since;
}

/** The bid of `requested` (WAD fraction) at clock `t` (`insolventElapsed`: see {@link unitPrice}). */
export function take(p: AuctionParams, v: Valuation, t: bigint, insolventElapsed: bigint, requested: bigint): Take {
  const k: Take = {
    unitPrice: unitPrice(p, t, v.markToMarket, v.requirement, insolventElapsed),
    maxFraction: 0n,
    fraction: 0n,
    payment: 0n,
    penalty: 0n,
    penaltyToFund: 0n,
    subsidy: 0n,
  };
  const penaltyUnit = k.unitPrice > 0n ? min(mulWadDown(p.penaltyRate, v.requirement), k.unitPrice) : 0n;
  const shortOfBuffer = restoreTargetUp(p, v.maintenanceMargin) - v.equity;
  if (shortOfBuffer <= 0n) k.maxFraction = 0n;
  else if (k.unitPrice <= 0n || v.requirement < p.dustMargin) k.maxFraction = WAD;
  else {
    const a = shortOfBuffer + ROUNDING_ALLOWANCE;
    const d = a + k.unitPrice - penaltyUnit;
    k.maxFraction = d <= 0n ? WAD : min(WAD, mulDivUp(a, WAD, d));
    if (k.maxFraction < WAD && mulWadDown(v.requirement, WAD - k.maxFraction) < p.dustMargin) k.maxFraction = WAD;
  }
  k.fraction = min(requested, k.maxFraction);
  if (k.unitPrice > 0n) {
    k.payment = mulWadUp(k.unitPrice, k.fraction);
    k.penalty = mulWadUp(penaltyUnit, k.fraction);
    // Under dustMargin the bidder keeps the whole penalty (AuctionMath.take, issue #13 item 3).
    k.penaltyToFund = v.requirement < p.dustMargin ? 0n : mulWadDown(k.penalty, p.insuranceShare);
  } else {
    // Insolvent: a bid that would leave a remainder whose R is below dustMargin takes it all (AuctionMath.take).
    if (k.unitPrice < 0n && k.fraction < WAD && mulWadDown(v.requirement, WAD - k.fraction) < p.dustMargin) k.fraction = WAD;
    k.subsidy = mulWadDown(-k.unitPrice, k.fraction);
  }
  return k;
}

/**
 * MarginEngine._share: the part of a position (size, basis) a transfer of `fraction` < WAD moves. Size rounds away
 * from zero, basis moves in proportion to the size moved rounded up (the account it leaves keeps the lower basis).
 */
export function positionShare(size: bigint, basis: bigint, fraction: bigint): { size: bigint; basis: bigint } {
  if (fraction === WAD) return { size, basis };
  const sizeAbs = size < 0n ? -size : size;
  const moved = mulWadUp(sizeAbs, fraction);
  return {
    size: size >= 0n ? moved : -moved,
    basis: basis >= 0n ? mulDivUp(basis, moved, sizeAbs) : -mulDivDown(-basis, moved, sizeAbs),
  };
}

/** AuctionLifecycle.shortfallOf: max(M - E, 0) capped at 2**96 - 1 wei (WAD; the shortfall the start's tip uses). */
export const MAX_SHORTFALL = 2n ** 96n - 1n;
export function auctionShortfall(v: Pick<Valuation, "equity" | "maintenanceMargin">): bigint {
  const gap = v.maintenanceMargin - v.equity;
  return gap <= 0n ? 0n : min(gap, MAX_SHORTFALL);
}

/** Unit of the auction record's shortfall [wei]: 1e12 = 1e-6 cash units (`Auction.shortfallMicro`). */
export const SHORTFALL_UNIT = 10n ** 12n;
/** Largest `Auction.shortfallMicro` (its 56 bits). */
export const MAX_SHORTFALL_MICRO = 2n ** 56n - 1n;

/**
 * What an auction of exact shortfall `shortfall` (WAD, from {@link auctionShortfall}) counts against the circuit
 * breakers (WAD): rounded up to a whole {@link SHORTFALL_UNIT}, capped at {@link MAX_SHORTFALL_MICRO} units
 * (AuctionLifecycle.shortfallMicroUp times the unit); also the `shortfall` of `AuctionStarted` and `AuctionRestarted`.
 */
export function countedShortfall(shortfall: bigint): bigint {
  return min((shortfall + SHORTFALL_UNIT - 1n) / SHORTFALL_UNIT, MAX_SHORTFALL_MICRO) * SHORTFALL_UNIT;
}

/**
 * AuctionMath.flatTipAt: the flat part of the starter's tip (WAD cash) in a block whose base fee is `baseFee` [wei per
 * gas]: `flatTip` up to `tipBaseFee` gwei (or when `tipBaseFee` is 0), else flatTip * baseFee / (tipBaseFee gwei),
 * rounded down.
 */
export function flatTipAt(p: Pick<AuctionParams, "flatTip" | "tipBaseFee">, baseFee: bigint): bigint {
  const threshold = p.tipBaseFee * 10n ** 9n;
  return threshold === 0n || baseFee <= threshold ? p.flatTip : (p.flatTip * baseFee) / threshold;
}

/**
 * The starter's tip: min(F + tipRate * shortfall, penaltyRate * requirement, penaltyRate * max(markToMarket, 0))
 * (WAD), F being {@link flatTipAt} at the block's base fee `baseFee` [wei per gas; 0, the default: F = flatTip]: never
 * above the penalty of the whole portfolio (INV-20) nor the penalty rate of the account's own mark-to-market value V
 * (class 9: an insolvent account pays no tip; review 6, M-1: a solvent one keeps (1 - penaltyRate) * V > 0).
 */
export function tip(p: AuctionParams, shortfall: bigint, requirement: bigint, markToMarket: bigint, baseFee = 0n): bigint {
  const t = min(flatTipAt(p, baseFee) + mulWadDown(p.tipRate, shortfall), mulWadDown(p.penaltyRate, requirement));
  return markToMarket <= 0n ? 0n : min(t, mulWadDown(p.penaltyRate, markToMarket));
}

/** What the clock knows now (AuctionMath.ClockInput). */
export interface ClockInput {
  valid: boolean;
  feedsSince: bigint;
  feedsUntil: bigint;
  sequencerConfigured: boolean;
  sequencerUp: boolean;
  sequencerChangedAt: bigint;
  sequencerGrace: bigint;
  /** Stop level 3 (no bids) now. */
  halted: boolean;
  /** When stop level 3 last ended [unix seconds; 0 never]. */
  haltEndedAt: bigint;
}

const span = (from: bigint, to: bigint): bigint => (to > from ? to - from : 0n);

/** The stopped clock advanced to `time` (see AuctionMath.advance). */
export function advance(a: ClockState, x: ClockInput, time: bigint): ClockState {
  const c = a.checkpoint;
  const d = a.guaranteedUntil;
  let lo = c;
  let hi = time;
  if (x.sequencerConfigured) {
    if (x.sequencerUp) lo = max(lo, x.sequencerChangedAt + x.sequencerGrace + 1n);
    // Down now: earlier outages between c and changedAt are unknown, so nothing since c is proven (class 10).
    else hi = lo;
  }
  // Stop level 3 counts like an outage: halted now, nothing since c; after a halt, nothing before its end (M3).
  if (x.halted) hi = lo;
  else lo = max(lo, x.haltEndedAt);
  let counted = 0n;
  if (a.validAtCheckpoint) {
    if (!x.valid) counted = span(lo, min(d, hi));
    else if (time <= d || x.feedsSince <= d) counted = span(lo, hi);
    else counted = span(lo, min(d, hi)) + span(max(x.feedsSince, lo), hi);
  } else if (x.valid) {
    counted = span(max(lo, x.feedsSince), hi);
  }
  return {
    elapsed: min(a.elapsed + counted, U32_MAX),
    checkpoint: time,
    validAtCheckpoint: x.valid,
    guaranteedUntil: x.valid ? min(x.feedsUntil, U32_MAX) : 0n,
  };
}

/** Parameters as returned by the contract (ethers Result or plain object) to bigint fields. */
export function toAuctionParams(r: Record<keyof AuctionParams, bigint | number>): AuctionParams {
  const b = (k: keyof AuctionParams) => BigInt(r[k]);
  return {
    startPrice: b("startPrice"),
    fastPrice: b("fastPrice"),
    floorPrice: b("floorPrice"),
    fastDuration: b("fastDuration"),
    slowDuration: b("slowDuration"),
    insolventDuration: b("insolventDuration"),
    insolventBonus: b("insolventBonus"),
    bufferRatio: b("bufferRatio"),
    penaltyRate: b("penaltyRate"),
    tipBaseFee: b("tipBaseFee"),
    insuranceShare: b("insuranceShare"),
    tipRate: b("tipRate"),
    flatTip: b("flatTip"),
    dustMargin: b("dustMargin"),
  };
}
