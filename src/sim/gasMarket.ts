/**
 * The simulated chain's base fee (scenario key `gas`; docs/SIMULATION.md, "Gas market"). Three models:
 *
 * - `native`: whatever the node computes from the simulated blocks alone (EIP-1559 on blocks that hold only the
 *   simulation's transactions, so the base fee decays toward zero: the behaviour before this model existed).
 * - `eip1559`: EIP-1559's update rule on blocks that also carry background demand. Each block's base fee is
 *   `b' = b + b * (used - target) / target / 8` (integer, as the protocol computes it) with `target` half the block
 *   gas limit and `used` the simulation's own gas plus the background's. The background fills
 *   `0.5 + 0.5 * clamp(log2(b* / b), -1, 1)` of the block: full when the base fee is at half its willingness to pay
 *   `b*` or below, empty at twice it or above, so the base fee moves toward `b*` at most 12.5% per block.
 *   `b* = calmBaseFee * max(1, sigma / referenceVolatility) ^ elasticity`, capped at `maxBaseFee`, with sigma the
 *   hourly volatility of the index (EWMA of squared per-step log returns, weight `1 - 1/VOL_WINDOW_STEPS` on the
 *   past): congestion follows the market's turbulence, as on 12 March 2020.
 * - `series`: a historical base-fee series (CSV `timestamp_unix_seconds,base_fee_gwei`), read at each block's price
 *   time (the last row at or before it).
 *
 * Deterministic: the only floating-point steps are the willingness to pay and the background share, both functions
 * of the price path alone, rounded to whole wei before they enter the integer update.
 */

/** Steps in the volatility EWMA's window (weight of the past 1 - 1/20 per step). */
export const VOL_WINDOW_STEPS = 20;
/** EIP-1559's base-fee change denominator (at most 1/8 = 12.5% per block). */
const CHANGE_DENOMINATOR = 8n;

/** The resolved `gas` section of a scenario. */
export type GasSpec =
  | { model: "native" }
  | {
      model: "eip1559";
      /** Base fee at the start and willingness to pay in calm markets (wei per gas). */
      calmBaseFee: bigint;
      /** Cap of the willingness to pay (wei per gas). */
      maxBaseFee: bigint;
      /** Hourly index volatility (fraction, e.g. 0.01) at and below which demand is calm. */
      referenceVolatility: number;
      /** Exponent of the willingness to pay in the volatility ratio. */
      elasticity: number;
    }
  | { model: "series"; file: string; points: [number, bigint][] };

/** Where the chain gets each block's base fee from (undefined: the node's own). */
export interface BaseFeeSource {
  /** Base fee of the next block (wei per gas), given its chain time. */
  next(chainTime: number): bigint;
  /** Records a mined block: its gas used and the block gas limit. */
  mined(gasUsed: bigint, gasLimit: bigint): void;
  /** Records `count` empty blocks mined in one call. */
  minedEmpty(count: number, gasLimit: bigint): void;
  /** Records the index price at the start of a replay step (price time `t`, seconds). */
  observeIndex(price: number, stepSeconds: number): void;
}

/** `eip1559`: EIP-1559 with background demand that follows the index's volatility. */
export class Eip1559Market implements BaseFeeSource {
  private baseFee: bigint;
  private variance?: number;
  private lastPrice?: number;
  private perHour = 1;

  constructor(private readonly spec: Extract<GasSpec, { model: "eip1559" }>) {
    this.baseFee = spec.calmBaseFee;
  }

  /** Willingness to pay of the background demand now (wei per gas). */
  willingnessToPay(): bigint {
    const sigma = this.variance === undefined ? 0 : Math.sqrt(this.variance * this.perHour);
    const ratio = Math.max(1, sigma / this.spec.referenceVolatility);
    const wtp = BigInt(Math.round(Number(this.spec.calmBaseFee) * ratio ** this.spec.elasticity));
    return wtp < this.spec.maxBaseFee ? wtp : this.spec.maxBaseFee;
  }

  /** Gas the background puts in a block at the current base fee. */
  backgroundGas(gasLimit: bigint): bigint {
    const wtp = this.willingnessToPay();
    const share = 0.5 + 0.5 * Math.max(-1, Math.min(1, Math.log2(Number(wtp) / Number(this.baseFee > 0n ? this.baseFee : 1n))));
    return (gasLimit * BigInt(Math.round(share * 1e6))) / 1_000_000n;
  }

  next(): bigint {
    return this.baseFee;
  }

  mined(gasUsed: bigint, gasLimit: bigint): void {
    const used = gasUsed + this.backgroundGas(gasLimit);
    this.baseFee = nextBaseFee(this.baseFee, used > gasLimit ? gasLimit : used, gasLimit);
  }

  minedEmpty(count: number, gasLimit: bigint): void {
    for (let i = 0; i < count; i++) this.mined(0n, gasLimit);
  }

  observeIndex(price: number, stepSeconds: number): void {
    this.perHour = 3600 / stepSeconds;
    if (this.lastPrice !== undefined && this.lastPrice > 0 && price > 0) {
      const r = Math.log(price / this.lastPrice);
      const w = 1 / VOL_WINDOW_STEPS;
      this.variance = this.variance === undefined ? r * r : (1 - w) * this.variance + w * r * r;
    }
    this.lastPrice = price;
  }
}

/** `series`: the last row of a base-fee series at or before each block's price time. */
export class SeriesMarket implements BaseFeeSource {
  constructor(
    private readonly points: [number, bigint][],
    private readonly priceTime: (chainTime: number) => number,
  ) {}

  next(chainTime: number): bigint {
    const t = this.priceTime(chainTime);
    let lo = 0;
    let hi = this.points.length - 1;
    if (t < this.points[0][0]) return this.points[0][1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.points[mid][0] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.points[lo][1];
  }

  mined(): void {}
  minedEmpty(): void {}
  observeIndex(): void {}
}

/**
 * EIP-1559's base fee of the block after one with `baseFee` that used `gasUsed` of `gasLimit` (target half the limit):
 * `b + b * (used - target) / target / 8`, the increase at least 1 wei (as in the EIP), integer division toward zero.
 */
export function nextBaseFee(baseFee: bigint, gasUsed: bigint, gasLimit: bigint): bigint {
  const target = gasLimit / 2n;
  if (gasUsed === target || target === 0n) return baseFee;
  if (gasUsed > target) {
    const delta = (baseFee * (gasUsed - target)) / target / CHANGE_DENOMINATOR;
    return baseFee + (delta > 1n ? delta : 1n);
  }
  return baseFee - (baseFee * (target - gasUsed)) / target / CHANGE_DENOMINATOR;
}

/** The base-fee source of `spec` (undefined for `native`). `priceTime` converts chain time to price time. */
export function createGasMarket(spec: GasSpec, priceTime: (chainTime: number) => number): BaseFeeSource | undefined {
  if (spec.model === "native") return undefined;
  if (spec.model === "eip1559") return new Eip1559Market(spec);
  return new SeriesMarket(spec.points, priceTime);
}

/**
 * Parses a base-fee series: CSV `timestamp_unix_seconds,base_fee_gwei` (a header line allowed), rows in time order.
 * @throws Error naming the file, line and what is wrong.
 */
export function parseBaseFeeSeries(file: string, text: string): [number, bigint][] {
  const out: [number, bigint][] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || (i === 0 && /[a-z]/i.test(line))) continue;
    const m = /^(\d+),(\d+(?:\.\d{1,9})?)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected "timestamp_unix_seconds,base_fee_gwei", got "${line}"`);
    const [whole, frac = ""] = m[2].split(".");
    const wei = BigInt(whole) * 10n ** 9n + BigInt(frac.padEnd(9, "0"));
    const t = Number(m[1]);
    if (out.length > 0 && t <= out[out.length - 1][0]) throw new Error(`${file}:${i + 1}: timestamps must increase`);
    out.push([t, wei]);
  }
  if (out.length === 0) throw new Error(`${file}: no rows`);
  return out;
}
