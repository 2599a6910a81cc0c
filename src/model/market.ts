/**
 * Exact bigint mirror of the engine's per-market state machine (contracts/engine/EngineStorage.sol
 * `_markNoOlderThan`, contracts/engine/EngineMarkets.sol `update`, contracts/engine/EngineMarketListing.sol `configure`): the cached
 * mark price, funding accrual at the stored per-second rate, the hourly premium TWAP that sets the next rate
 * (clamped to maxFundingRatePer8h) of premiums that each fill moves in proportion to its size, and the ramp of the effective margin ratios toward their targets.
 *
 * Functions are pure: they take a `MarketState` and return a new one.
 */
import { WAD, sdivWadDown } from "./wad";
import { fundingIndexAt, type MarginTier } from "./margin";
import { ramp } from "./volatility";

/** EngineStorage.FUNDING_EPOCH: premiums are sampled per hour. */
export const FUNDING_EPOCH = 3600n;
/** EngineStorage.FUNDING_PERIOD: a rate equal to the premium is paid over 8 hours. */
export const FUNDING_PERIOD = 8n * 3600n;

/** EngineStorage.PREMIUM_DEPTH_SHARE: a fill as large as 1% of the open-interest cap moves the premium fully. */
export const PREMIUM_DEPTH_SHARE = 10n ** 16n;

/**
 * `MarginEngine._premiumWeight`: the weight [wad] of a fill of `size` in the premium,
 * min(1e18, floor(|size| * 1e18 / ceil(openInterestCap * 1%))).
 */
export function premiumWeight(size: bigint, openInterestCap: bigint): bigint {
  const depth = (openInterestCap * PREMIUM_DEPTH_SHARE + WAD - 1n) / WAD;
  const w = ((size < 0n ? -size : size) * WAD) / depth;
  return w > WAD ? WAD : w;
}

/** The premium after a sample of `weight` [wad]: premium + (sample - premium) * weight / 1e18, toward zero. */
export const blendPremium = (premium: bigint, sample: bigint, weight: bigint): bigint => premium + ((sample - premium) * weight) / WAD;

/** The targets and limits the configurator pushes (IMarginEngine.MarketSetup). */
export interface MarketSetup {
  mmrTarget: bigint;
  imrTarget: bigint;
  maxStepPerHour: bigint;
  imrSizeFactor: bigint;
  openInterestCap: bigint;
  maxFundingRatePer8h: bigint;
  maxFillDeviation: bigint;
}

/** What the engine stores about one market (the fields of IMarginEngine.MarketView, all bigint). */
export interface MarketState extends MarketSetup {
  /** Cached oracle price [wad] and its timestamp. */
  price: bigint;
  priceTimestamp: bigint;
  /**
   * Ratios [wad] stored at the start of the current ramp (`rampStart`, seconds); the effective ratios at any time
   * are `effectiveRatios` (issue #11 class 6: a pure function of block time).
   */
  mmr: bigint;
  imr: bigint;
  rampStart: bigint;
  /** Funding index [wad cash per base unit], rate [wad per second], last update [s]. */
  cumulativeFunding: bigint;
  fundingRatePerSecond: bigint;
  timestamp: bigint;
  /** Premium [wad] (each fill moves it toward its sample by its size weight), accumulated premium * seconds of this epoch, epoch number. */
  premium: bigint;
  accumulator: bigint;
  epoch: bigint;
  reduceOnly: boolean;
  longOpenInterest: bigint;
  totalBasis: bigint;
  /** Margin tiers (EngineStorage.MarketTiers): targets and ramp start values; none when absent. */
  tiers?: MarketTierState[];
  /** Tier ramp start [s] and speed [wad per hour] (the market's maxStepPerHour when the tiers were set). */
  tierRampStart?: bigint;
  tierStepPerHour?: bigint;
}

/** One stored margin tier: the targets and the add-ons at the ramp's start (`mmrFrom` <= `mmrAddOn`, same for imr). */
export interface MarketTierState extends MarginTier {
  mmrFrom: bigint;
  imrFrom: bigint;
}

/** RiskBounds: at most 4 tiers, thresholds from 1e18, cumulative add-ons <= 25% (maintenance) and 50% (initial). */
export const MAX_MARGIN_TIERS = 4;
export const MIN_TIER_THRESHOLD = WAD;
export const MAX_TIER_MMR_ADD_ON = 25n * 10n ** 16n;
export const MAX_TIER_IMR_ADD_ON = 50n * 10n ** 16n;

/** The engine's `EngineMarginTierOutOfBounds(index, parameter, value, min, max)`. */
export class MarginTierOutOfBounds extends Error {
  constructor(
    readonly index: bigint,
    readonly parameter: string,
    readonly value: bigint,
    readonly min: bigint,
    readonly max: bigint,
  ) {
    super(`margin tier ${index}: ${parameter} = ${value} outside [${min}, ${max}]`);
  }
}

const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const maxB = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/**
 * `EngineMarkets.tierAddOns` for every tier: the add-ons in force at `now`, min(target, from + floor(stepPerHour *
 * (now - start) / 1 h)) (the engine's `marketView().effectiveTiers`).
 */
export function effectiveTiers(m: MarketState, now: bigint): MarginTier[] {
  const tiers = m.tiers ?? [];
  const step = ((m.tierStepPerHour ?? 0n) * (now - (m.tierRampStart ?? now))) / 3600n;
  return tiers.map((t) => ({
    notionalThreshold: t.notionalThreshold,
    mmrAddOn: minB(t.mmrAddOn, t.mmrFrom + step),
    imrAddOn: minB(t.imrAddOn, t.imrFrom + step),
  }));
}

/**
 * `EngineMarketListing.setTiers` at `now` (run by every listMarket/configureMarket with the configurator's tiers):
 * validates `tiers` (throws `MarginTierOutOfBounds` as the engine reverts) and installs them; each tier starts at
 * min(target, the add-on in force now at its threshold under the old tiers), or at its target when the market
 * has no open interest; the ramp speed is the market's `maxStepPerHour`.
 */
export function setMarketTiers(m: MarketState, tiers: readonly MarginTier[], now: bigint): MarketState {
  const n = BigInt(tiers.length);
  if (tiers.length > MAX_MARGIN_TIERS) throw new MarginTierOutOfBounds(n, "count", n, 0n, BigInt(MAX_MARGIN_TIERS));
  // No tiers after: the margin rule reads none (the engine's view then shows none; the model drops the fields).
  if (tiers.length === 0) {
    const { tiers: _tiers, tierRampStart: _start, tierStepPerHour: _step, ...rest } = m;
    void _tiers;
    void _start;
    void _step;
    return rest;
  }
  const old = effectiveTiers(m, now);
  const fresh = m.longOpenInterest === 0n;
  const out: MarketTierState[] = [];
  const bound = (i: number, name: string, v: bigint, lo: bigint, hi: bigint): void => {
    if (v < lo || v > hi) throw new MarginTierOutOfBounds(BigInt(i), name, v, lo, hi);
  };
  tiers.forEach((x, i) => {
    const prev = i === 0 ? undefined : tiers[i - 1];
    bound(i, "notionalThreshold", x.notionalThreshold, prev ? prev.notionalThreshold + 1n : MIN_TIER_THRESHOLD, 2n ** 128n - 1n);
    bound(i, "mmrAddOn", x.mmrAddOn, prev?.mmrAddOn ?? 0n, MAX_TIER_MMR_ADD_ON);
    bound(i, "imrAddOn", x.imrAddOn, maxB(prev?.imrAddOn ?? 0n, x.mmrAddOn), MAX_TIER_IMR_ADD_ON);
    let fromM = x.mmrAddOn;
    let fromI = x.imrAddOn;
    if (!fresh) {
      let oldM = 0n;
      let oldI = 0n;
      for (const o of old) {
        if (o.notionalThreshold > x.notionalThreshold) break;
        oldM = o.mmrAddOn;
        oldI = o.imrAddOn;
      }
      fromM = minB(fromM, oldM);
      fromI = minB(fromI, oldI);
    }
    out.push({ notionalThreshold: x.notionalThreshold, mmrAddOn: x.mmrAddOn, imrAddOn: x.imrAddOn, mmrFrom: fromM, imrFrom: fromI });
  });
  return { ...m, tiers: out, tierRampStart: now, tierStepPerHour: m.maxStepPerHour };
}

/** The targets of a market's tiers (what the configurator holds and the engine reads back on every push). */
export const tierTargets = (m: MarketState): MarginTier[] =>
  (m.tiers ?? []).map((t) => ({ notionalThreshold: t.notionalThreshold, mmrAddOn: t.mmrAddOn, imrAddOn: t.imrAddOn }));

/** `MarketFunding.rampActive`: a stored ratio differs from its target. */
export const rampActive = (m: MarketState): boolean => m.mmr !== m.mmrTarget || m.imr !== m.imrTarget;

/**
 * `EngineMarkets.effectiveRatios` at `now`: the stored ratios moved toward the targets by
 * floor(maxStepPerHour * (now - rampStart) / 1 h), never past them (the engine's `marketView` mmr/imr).
 */
export function effectiveRatios(m: MarketState, now: bigint): { mmr: bigint; imr: bigint } {
  if (!rampActive(m)) return { mmr: m.mmr, imr: m.imr };
  return ramp(m.mmr, m.imr, m.mmrTarget, m.imrTarget, m.maxStepPerHour, now - m.rampStart);
}

/** The funding index accrued to `now` at `price` (IMarginEngine.cumulativeFundingAt). */
export function fundingAt(m: MarketState, price: bigint, now: bigint): bigint {
  return fundingIndexAt(m.cumulativeFunding, m.fundingRatePerSecond, price, now - m.timestamp);
}

/** Fill premium (price - index) / index, rounded toward negative infinity (MarginEngine.settleTrade). */
export function premiumOf(fillPrice: bigint, indexPrice: bigint): bigint {
  return sdivWadDown(fillPrice - indexPrice, indexPrice);
}

/** `_markNoOlderThan`: the cached mark, refreshed to `oraclePrice` at `now` when older than `maxAge` seconds. */
export function markNoOlderThan(m: MarketState, now: bigint, maxAge: bigint, oraclePrice: bigint): MarketState {
  if (now - m.priceTimestamp > maxAge) return { ...m, price: oraclePrice, priceTimestamp: now };
  return m;
}

/**
 * `EngineMarkets.update` at `now` with the market's current mark: accrues funding at the stored rate over the time since
 * the last update, accumulates the premium, closes the funding epoch if one ended (only the epoch that just ended
 * can have a non-zero TWAP; Solidity's signed division truncates toward zero, as bigint division does), ramps
 * the effective ratios, then moves the premium toward `premiumSample` by `sampleWeight` (wad; a fill's
 * `premiumWeight`; 0 or undefined: no sample).
 */
export function updateMarket(m: MarketState, now: bigint, premiumSample?: bigint, sampleWeight = WAD): MarketState {
  const weight = premiumSample === undefined ? 0n : sampleWeight;
  const dt = now - m.timestamp;
  if (dt === 0n && weight === 0n) return m;
  const next = { ...m };
  if (dt > 0n) {
    next.cumulativeFunding = fundingIndexAt(m.cumulativeFunding, m.fundingRatePerSecond, m.price, dt);
    const epoch = now / FUNDING_EPOCH;
    if (epoch > m.epoch) {
      let twap = 0n;
      if (epoch === m.epoch + 1n) {
        const acc = m.accumulator + m.premium * (epoch * FUNDING_EPOCH - m.timestamp);
        twap = acc / FUNDING_EPOCH;
      }
      const cap = m.maxFundingRatePer8h;
      if (twap > cap) twap = cap;
      if (twap < -cap) twap = -cap;
      next.fundingRatePerSecond = twap / FUNDING_PERIOD;
      next.accumulator = 0n;
      next.premium = 0n;
      next.epoch = epoch;
    } else {
      next.accumulator = m.accumulator + m.premium * dt;
    }
    // A finished ramp stores its targets; an unfinished one is not re-based.
    const r = effectiveRatios(m, now);
    if (rampActive(m) && r.mmr === m.mmrTarget && r.imr === m.imrTarget) {
      next.mmr = r.mmr;
      next.imr = r.imr;
    }
    next.timestamp = now;
  }
  if (weight !== 0n) next.premium = blendPremium(next.premium, premiumSample!, weight);
  return next;
}

/** The next funding rate an epoch would set from a TWAP premium (clamped, per second, truncated toward zero). */
export function rateFromTwap(twap: bigint, maxFundingRatePer8h: bigint): bigint {
  const t = twap > maxFundingRatePer8h ? maxFundingRatePer8h : twap < -maxFundingRatePer8h ? -maxFundingRatePer8h : twap;
  return t / FUNDING_PERIOD;
}

/**
 * `configureMarket` at `now`: accrues and ramps under the old targets (at the fresh `oraclePrice` when the cache
 * is older than `maxPriceAge` and the oracle answers; at the cache when `oraclePrice` is undefined), then
 * installs the new targets and limits; the new ramp starts at `now` from the old ramp's effective ratios. Then
 * applies the configurator's margin tiers (`tiers`; the market's current targets when undefined) with
 * `setMarketTiers`.
 */
export function configureMarket(
  m: MarketState,
  now: bigint,
  setup: MarketSetup,
  maxPriceAge: bigint,
  oraclePrice: bigint | undefined,
  tiers?: readonly MarginTier[],
): MarketState {
  let mark = m;
  if (now - m.priceTimestamp > maxPriceAge && oraclePrice !== undefined) mark = { ...m, price: oraclePrice, priceTimestamp: now };
  // EngineMarkets.update writes the mark only when time passed; a refreshed price within the same second stays unstored.
  const updated = updateMarket(mark, now);
  const base = now - m.timestamp > 0n ? updated : { ...updated, price: m.price, priceTimestamp: m.priceTimestamp };
  // The new ramp starts now from the old one's effective ratios; the configurator's tiers are applied again.
  const eff = effectiveRatios(base, now);
  const next = { ...base, ...setup, mmr: eff.mmr, imr: eff.imr, rampStart: now };
  return setMarketTiers(next, tiers ?? tierTargets(m), now);
}

/** A `MarketState` from the engine's `marketView` (ethers Result or plain object). */
export function marketStateFromView(v: {
  cachedPrice: bigint;
  cachedPriceTimestamp: bigint;
  mmr: bigint;
  imr: bigint;
  cumulativeFunding: bigint;
  fundingRatePerSecond: bigint;
  lastUpdate: bigint;
  premium: bigint;
  premiumAccumulator: bigint;
  fundingEpoch: bigint;
  reduceOnly: boolean;
  longOpenInterest: bigint;
  totalBasis: bigint;
  setup: MarketSetup;
  rampFromMmr: bigint;
  rampFromImr: bigint;
  rampStart: bigint;
  tiers?: readonly MarginTier[];
  tierRampFrom?: readonly MarginTier[];
  tierRampStart?: bigint;
  tierRampStepPerHour?: bigint;
}): MarketState {
  const tiers = (v.tiers ?? []).map((t, i) => ({
    notionalThreshold: t.notionalThreshold,
    mmrAddOn: t.mmrAddOn,
    imrAddOn: t.imrAddOn,
    mmrFrom: v.tierRampFrom![i].mmrAddOn,
    imrFrom: v.tierRampFrom![i].imrAddOn,
  }));
  return {
    price: v.cachedPrice,
    priceTimestamp: v.cachedPriceTimestamp,
    mmr: v.rampFromMmr,
    imr: v.rampFromImr,
    rampStart: v.rampStart,
    cumulativeFunding: v.cumulativeFunding,
    fundingRatePerSecond: v.fundingRatePerSecond,
    timestamp: v.lastUpdate,
    premium: v.premium,
    accumulator: v.premiumAccumulator,
    epoch: v.fundingEpoch,
    mmrTarget: v.setup.mmrTarget,
    imrTarget: v.setup.imrTarget,
    maxStepPerHour: v.setup.maxStepPerHour,
    imrSizeFactor: v.setup.imrSizeFactor,
    openInterestCap: v.setup.openInterestCap,
    maxFundingRatePer8h: v.setup.maxFundingRatePer8h,
    maxFillDeviation: v.setup.maxFillDeviation,
    reduceOnly: v.reduceOnly,
    longOpenInterest: v.longOpenInterest,
    totalBasis: v.totalBasis,
    ...(tiers.length === 0 ? {} : { tiers, tierRampStart: v.tierRampStart, tierStepPerHour: v.tierRampStepPerHour }),
  };
}

export { WAD };
