/**
 * Exact bigint mirror of the volatility-adjusted margin targets (contracts/config/MarketConfigurator.sol:
 * `recordObservation`, `_targetsOf`) and of the engine's ramp of effective ratios (EngineMarkets.update,
 * MarginMath.moveTowards).
 *
 * - Observation: r = |p - p0| / p0 (rounded up), sample = min(1e18, r^2 * 3600 / dt) (rounded up),
 *   v' = lambda * v + (1 - lambda) * sample (each term rounded up).
 * - Targets: sigma = ceil(sqrt(v)); mmr = clamp(mmrBase + k * (sigma - ref), floor, cap) with the add-on rounded up
 *   and the relief rounded down; imr = min(1e18, mmr * imrBase / mmrBase) rounded up.
 * - Ramp: each effective ratio moves toward its target by at most maxStepPerHour * dt / 3600 (rounded down).
 */
import { WAD, min, mulDivUp, mulWadDown, mulWadUp, divWadUp, sqrtCeil } from "./wad";
import { moveTowards } from "./margin";

/** RiskBounds.MAX_VARIANCE_SAMPLE: one hourly-variance sample is capped at 1e18. */
export const MAX_VARIANCE_SAMPLE = WAD;
/** RiskBounds.MAX_IMR. */
export const MAX_IMR = WAD;

/** IMarketConfigurator.RiskParams, as bigint. */
export interface RiskParams {
  mmrBase: bigint;
  imrBase: bigint;
  mmrFloor: bigint;
  mmrCap: bigint;
  volMultiplier: bigint;
  volReference: bigint;
  volDecay: bigint;
  minObservationInterval: bigint;
  maxRatioStepPerHour: bigint;
  imrSizeFactor: bigint;
}

/** IMarketConfigurator.Volatility, as bigint. */
export interface Volatility {
  variancePerHour: bigint;
  lastObservation: bigint;
  lastPrice: bigint;
}

/** The hourly variance sample of a move from `lastPrice` to `price` over `dt` seconds (dt > 0). */
export function varianceSample(lastPrice: bigint, price: bigint, dt: bigint): bigint {
  const diff = price > lastPrice ? price - lastPrice : lastPrice - price;
  const ret = divWadUp(diff, lastPrice);
  return min(MAX_VARIANCE_SAMPLE, mulDivUp(mulWadUp(ret, ret), 3600n, dt));
}

/**
 * `recordObservation` at `now` with the fresh oracle `price`: the new volatility state, or `undefined` when the
 * observation comes before `lastObservation + minObservationInterval` (the contract reverts).
 */
export function observe(v: Volatility, r: RiskParams, now: bigint, price: bigint): Volatility | undefined {
  if (now < v.lastObservation + r.minObservationInterval) return undefined;
  const sample = varianceSample(v.lastPrice, price, now - v.lastObservation);
  const variance = mulDivUp(r.volDecay, v.variancePerHour, WAD) + mulDivUp(WAD - r.volDecay, sample, WAD);
  return { variancePerHour: variance, lastObservation: now, lastPrice: price };
}

/** `_targetsOf`: the margin targets of a market with risk parameters `r` and hourly variance `variance`. */
export function targets(r: RiskParams, variance: bigint): { mmrTarget: bigint; imrTarget: bigint } {
  const sigma = sqrtCeil(variance * WAD);
  let mmr: bigint;
  if (sigma >= r.volReference) {
    mmr = r.mmrBase + mulWadUp(r.volMultiplier, sigma - r.volReference);
  } else {
    const relief = mulWadDown(r.volMultiplier, r.volReference - sigma);
    mmr = relief >= r.mmrBase ? 0n : r.mmrBase - relief;
  }
  if (mmr < r.mmrFloor) mmr = r.mmrFloor;
  if (mmr > r.mmrCap) mmr = r.mmrCap;
  return { mmrTarget: mmr, imrTarget: min(MAX_IMR, mulDivUp(mmr, r.imrBase, r.mmrBase)) };
}

/** The ramp of both effective ratios over `dt` seconds toward their targets. */
export function ramp(
  mmr: bigint,
  imr: bigint,
  mmrTarget: bigint,
  imrTarget: bigint,
  maxStepPerHour: bigint,
  dt: bigint,
): { mmr: bigint; imr: bigint } {
  const step = (maxStepPerHour * dt) / 3600n;
  return { mmr: moveTowards(mmr, mmrTarget, step), imr: moveTowards(imr, imrTarget, step) };
}

/** RiskParams from a contract Result or plain object. */
export function toRiskParams(r: Record<keyof RiskParams, bigint | number>): RiskParams {
  const b = (k: keyof RiskParams) => BigInt(r[k]);
  return {
    mmrBase: b("mmrBase"),
    imrBase: b("imrBase"),
    mmrFloor: b("mmrFloor"),
    mmrCap: b("mmrCap"),
    volMultiplier: b("volMultiplier"),
    volReference: b("volReference"),
    volDecay: b("volDecay"),
    minObservationInterval: b("minObservationInterval"),
    maxRatioStepPerHour: b("maxRatioStepPerHour"),
    imrSizeFactor: b("imrSizeFactor"),
  };
}
