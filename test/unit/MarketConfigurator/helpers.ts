/**
 * MarketConfigurator fixtures and a bigint model of its documented arithmetic.
 *
 * `configuratorFixture`: the protocol from the shared Ignition fixture plus a SOL/USD MockV3Aggregator (8 decimals,
 * heartbeat 1 day) registered on the router, not yet listed. `listedFixture`: SOL-PERP listed with `RISK` and
 * `TRADING` at exactly the fixture's `T0` (its feed answered 100 at T0 - 1), engine market id 2 (after ETH-PERP and
 * BTC-PERP). `T0` is the first whole hour at least two hours after the chain's time when the fixture is built.
 * The deployer holds ADMIN, RISK_MANAGER and GUARDIAN; `b.users` hold nothing.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { MockV3Aggregator__factory } from "../../../typechain-types";
import { ballastFixture, WAD } from "../../shared/fixtures";
import type { RiskParams } from "../../../src/model";

export { WAD };
export const SOL = ethers.encodeBytes32String("SOL/USD");
export const DOGE = ethers.encodeBytes32String("DOGE/USD");
export const SOL_ID = 2n;

/** RiskBounds.sol */
export const B = {
  MIN_MMR: 2n * 10n ** 15n,
  MAX_MMR: 5n * 10n ** 17n,
  MAX_IMR: WAD,
  MAX_VOL_MULTIPLIER: 10n * WAD,
  MAX_VOL_REFERENCE: WAD,
  MIN_VOL_DECAY: 5n * 10n ** 17n,
  MAX_VOL_DECAY: 9999n * 10n ** 14n,
  MIN_OBSERVATION_INTERVAL: 60n,
  MAX_OBSERVATION_INTERVAL: 86_400n,
  MIN_RATIO_STEP_PER_HOUR: 5n * 10n ** 14n,
  MAX_RATIO_STEP_PER_HOUR: 5n * 10n ** 16n,
  MAX_IMR_SIZE_FACTOR: WAD,
  MIN_FUNDING_RATE_CAP: 10n ** 14n,
  MAX_FUNDING_RATE_CAP: 5n * 10n ** 16n,
  MIN_FILL_DEVIATION: 10n ** 15n,
  MAX_FILL_DEVIATION: 5n * 10n ** 17n,
  MAX_VARIANCE_SAMPLE: WAD,
  MAX_UINT112: 2n ** 112n - 1n,
};

/** Percent as WAD: pct(3) = 0.03e18, pct("2.5") = 0.025e18. */
export const pct = (p: number | string): bigint => ethers.parseUnits(String(p), 16);

/** IMarketConfigurator.RiskParams as bigint (src/model). */
export type Risk = RiskParams;
export type Trading = { openInterestCap: bigint; maxFundingRatePer8h: bigint; maxFillDeviation: bigint };

export const RISK: Risk = {
  mmrBase: pct(3),
  imrBase: pct(5),
  mmrFloor: pct(2),
  mmrCap: pct(20),
  volMultiplier: 2n * WAD,
  volReference: 0n,
  volDecay: pct(94),
  minObservationInterval: 300n,
  maxRatioStepPerHour: pct(1),
  imrSizeFactor: 0n,
};

export const TRADING: Trading = { openInterestCap: 100_000n * WAD, maxFundingRatePer8h: pct(1), maxFillDeviation: pct(5) };

export const risk = (o: Partial<Risk> = {}): Risk => ({ ...RISK, ...o });
export const trading = (o: Partial<Trading> = {}): Trading => ({ ...TRADING, ...o });

export const riskTuple = (r: Risk): bigint[] => [
  r.mmrBase,
  r.imrBase,
  r.mmrFloor,
  r.mmrCap,
  r.volMultiplier,
  r.volReference,
  r.volDecay,
  r.minObservationInterval,
  r.maxRatioStepPerHour,
  r.imrSizeFactor,
];
export const tradingTuple = (t: Trading): bigint[] => [t.openInterestCap, t.maxFundingRatePer8h, t.maxFillDeviation];

/** The engine's MarketSetup tuple for the given parameters and targets. */
export const setupTuple = (r: Risk, t: Trading, mmrT: bigint, imrT: bigint): bigint[] => [
  mmrT,
  imrT,
  r.maxRatioStepPerHour,
  r.imrSizeFactor,
  t.openInterestCap,
  t.maxFundingRatePer8h,
  t.maxFillDeviation,
];

/** 8-decimal feed answer of a human price. */
export const e8 = (price: string): bigint => ethers.parseUnits(price, 8);
/** WAD price of a human price. */
export const wad = (price: string): bigint => ethers.parseUnits(price, 18);

// ------------------------------------------------------------------ bigint model (IMarketConfigurator NatSpec)

export const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

export function sqrtFloor(x: bigint): bigint {
  if (x < 2n) return x;
  let r = x;
  let y = (r + 1n) / 2n;
  while (y < r) {
    r = y;
    y = (r + x / r) / 2n;
  }
  return r;
}

/** ceil(sqrt(x)) */
export function sqrtCeil(x: bigint): bigint {
  const r = sqrtFloor(x);
  return r * r === x ? r : r + 1n;
}

/**
 * Targets: mmrT = clamp(mmrBase + volMultiplier * (sqrt(variance) - volReference), mmrFloor, mmrCap) and
 * imrT = min(1e18, mmrT * imrBase / mmrBase). Rounding goes toward the protocol: sigma = ceil(sqrt(variance *
 * 1e18)), an add-on ceil(volMultiplier * (sigma - ref) / 1e18), a relief floor(volMultiplier * (ref - sigma) / 1e18).
 */
export function targetsOf(r: Risk, variance: bigint): [bigint, bigint] {
  const sigma = sqrtCeil(variance * WAD);
  let mmr: bigint;
  if (sigma >= r.volReference) mmr = r.mmrBase + ceilDiv(r.volMultiplier * (sigma - r.volReference), WAD);
  else {
    const relief = (r.volMultiplier * (r.volReference - sigma)) / WAD;
    mmr = relief >= r.mmrBase ? 0n : r.mmrBase - relief;
  }
  if (mmr < r.mmrFloor) mmr = r.mmrFloor;
  if (mmr > r.mmrCap) mmr = r.mmrCap;
  const imr = ceilDiv(mmr * r.imrBase, r.mmrBase);
  return [mmr, imr < WAD ? imr : WAD];
}

/**
 * One EWMA step: r = ceil(|p - last| * 1e18 / last); sample = min(1e18, ceil(ceil(r * r / 1e18) * 3600 / dt));
 * v' = ceil(decay * v / 1e18) + ceil((1e18 - decay) * sample / 1e18).
 */
export function nextVariance(decay: bigint, v: bigint, last: bigint, price: bigint, dt: bigint): bigint {
  const diff = price > last ? price - last : last - price;
  const ret = ceilDiv(diff * WAD, last);
  const raw = ceilDiv(ceilDiv(ret * ret, WAD) * 3600n, dt);
  const sample = raw < WAD ? raw : WAD;
  return ceilDiv(decay * v, WAD) + ceilDiv((WAD - decay) * sample, WAD);
}

/** The engine's ramp: each ratio moves toward its target by floor(maxStepPerHour * dt / 3600). */
export function ramp(current: bigint, target: bigint, maxStepPerHour: bigint, dt: bigint): bigint {
  const step = (maxStepPerHour * dt) / 3600n;
  if (current < target) return target - current > step ? current + step : target;
  return current - target > step ? current - step : target;
}

// ------------------------------------------------------------------ fixtures

/**
 * The first whole hour at least two hours after the chain's current time. Relative to the chain (not a constant)
 * because a fixture is first built on whatever state earlier test files left; loadFixture then restores it.
 */
async function baseTime(): Promise<number> {
  const now = await time.latest();
  return Math.ceil((now + 7200) / 3600) * 3600;
}

export async function configuratorFixture() {
  const b = await ballastFixture();
  const [stranger, guardian, riskManager] = b.users;
  const solFeed = await new MockV3Aggregator__factory(b.deployer).deploy(8, e8("100"));
  await (
    await b.oracle.setFeed(SOL, {
      primary: await solFeed.getAddress(),
      primaryHeartbeat: 86_400,
      secondary: ethers.ZeroAddress,
      secondaryHeartbeat: 0,
      maxDeviation: 0,
      minPrice: wad("0.01"),
      maxPrice: wad("1000000"),
    })
  ).wait();
  const T0 = await baseTime();
  await time.setNextBlockTimestamp(T0 - 1);
  await (await solFeed.updateAnswer(e8("100"))).wait();
  return { ...b, T0, solFeed, stranger, guardian, riskManager };
}

export type ConfiguratorFixture = Awaited<ReturnType<typeof configuratorFixture>>;

export async function listedFixture(): Promise<ConfiguratorFixture> {
  const f = await configuratorFixture();
  await time.setNextBlockTimestamp(f.T0);
  await (await f.configurator.listMarket(SOL, RISK, TRADING)).wait();
  return f;
}

/** Sets the SOL/USD answer in a block at `t - 1`, then records an observation in a block at `t`. */
export async function observe(f: ConfiguratorFixture, price: string, t: number) {
  await time.setNextBlockTimestamp(t - 1);
  await (await f.solFeed.updateAnswer(e8(price))).wait();
  await time.setNextBlockTimestamp(t);
  return f.configurator.recordObservation(SOL_ID);
}

/** Runs `fn` in a block at exactly `t`. */
export async function atBlock<T>(t: number, fn: () => Promise<T>): Promise<T> {
  await time.setNextBlockTimestamp(t);
  return fn();
}

/** The engine's effective (mmr, imr) of `id`. */
export async function effective(f: ConfiguratorFixture, id = SOL_ID): Promise<[bigint, bigint]> {
  const v = await f.engine.marketView(id);
  return [v.mmr, v.imr];
}

/** The engine's (mmrTarget, imrTarget) of `id`. */
export async function engineTargets(f: ConfiguratorFixture, id = SOL_ID): Promise<[bigint, bigint]> {
  const v = await f.engine.marketView(id);
  return [v.setup.mmrTarget, v.setup.imrTarget];
}
