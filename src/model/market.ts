/**
 * Exact bigint mirror of the engine's per-market state machine (contracts/engine/EngineStorage.sol
 * `_markNoOlderThan`, contracts/engine/EngineMarkets.sol `update`, contracts/engine/EngineMarketListing.sol `configure`): the cached
 * mark price, funding accrual at the stored per-second rate, the hourly premium TWAP that sets the next rate
 * (clamped to maxFundingRatePer8h) of premiums that each fill moves in proportion to its size, and the ramp of the effective margin ratios toward their targets.
 *
 * Functions are pure: they take a `MarketState` and return a new one.
 */
import { WAD, sdivWadDown } from "./wad";
import { fundingIndexAt } from "./margin";
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
}

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
 * installs the new targets and limits; the new ramp starts at `now` from the old ramp's effective ratios.
 */
export function configureMarket(
  m: MarketState,
  now: bigint,
  setup: MarketSetup,
  maxPriceAge: bigint,
  oraclePrice: bigint | undefined,
): MarketState {
  let mark = m;
  if (now - m.priceTimestamp > maxPriceAge && oraclePrice !== undefined) mark = { ...m, price: oraclePrice, priceTimestamp: now };
  // EngineMarkets.update writes the mark only when time passed; a refreshed price within the same second stays unstored.
  const updated = updateMarket(mark, now);
  const base = now - m.timestamp > 0n ? updated : { ...updated, price: m.price, priceTimestamp: m.priceTimestamp };
  // The new ramp starts now from the old one's effective ratios.
  const eff = effectiveRatios(base, now);
  return { ...base, ...setup, mmr: eff.mmr, imr: eff.imr, rampStart: now };
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
}): MarketState {
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
  };
}

export { WAD };
