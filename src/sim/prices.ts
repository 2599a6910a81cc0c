/**
 * Price paths from OHLCV files (`timestamp_unix_seconds,open,high,low,close,volume`, bar open time in UTC; see
 * data/prices/README.md): loading, windowing, resampling to the scenario's resolution, and the sequence of oracle
 * observations the simulator pushes, one per step.
 */
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../cli/errors";

export interface Bar {
  /** Bar open time, unix seconds. */
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

/**
 * One step of the path: the time the price is known (bar close) and every series' price at that time (USD). With a
 * cash peg path, `cashPeg` is the USD value of one cash unit at that time (absent: the cash token is worth 1 USD).
 */
export interface PricePoint {
  t: number;
  prices: Record<string, number>;
  cashPeg?: number;
}

/** One point of a piecewise cash peg path: from time `t` (unix seconds), one cash unit is worth `price` USD. */
export interface PegPoint {
  t: number;
  price: number;
}

/**
 * The cash token's USD value over time (scenario key `prices.cashPeg`): a piecewise path of points, or an OHLCV file
 * read like a price series (bar closes, known at bar end).
 */
export type CashPegSpec = { points: PegPoint[]; interpolate: "previous" | "linear" } | { file: string; interpolate: "previous" | "linear" };

/**
 * The peg at time `t` from points in increasing time: the first point's price before it, the last one's after it,
 * in between the latest point's price ("previous") or the straight line between the two around `t` ("linear").
 */
export function pegAt(points: PegPoint[], t: number, interpolate: "previous" | "linear"): number {
  if (points.length === 0) return 1;
  if (t <= points[0].t) return points[0].price;
  const last = points[points.length - 1];
  if (t >= last.t) return last.price;
  let i = 0;
  while (points[i + 1].t <= t) i++;
  const a = points[i];
  const b = points[i + 1];
  return interpolate === "previous" ? a.price : a.price + ((b.price - a.price) * (t - a.t)) / (b.t - a.t);
}

/** The cash value of an asset worth `usd` USD when one cash unit is worth `peg` USD (no peg: `usd`). */
export function cashPrice(usd: number, peg: number | undefined): number {
  return peg === undefined ? usd : usd / peg;
}

/** A price file that cannot be read or parsed; a `UserError` (exit code 2) naming the file and the line. */
export class PriceFileError extends UserError {
  constructor(file: string, message: string) {
    super(`${path.relative(process.cwd(), file)}: ${message}`);
    this.name = "PriceFileError";
  }
}

/** Reads an OHLCV file; rows must be strictly increasing in time with positive prices. */
export function loadBars(file: string): Bar[] {
  if (!fs.existsSync(file)) throw new PriceFileError(file, "no such file");
  const text = fs.readFileSync(file, "utf8").trim();
  const [header, ...lines] = text.split(/\r?\n/);
  if (!header.startsWith("timestamp_unix_seconds,open,high,low,close")) {
    throw new PriceFileError(file, `unexpected header "${header}"`);
  }
  const bars = lines.map((line, i) => {
    const [t, open, high, low, close] = line.split(",").map(Number);
    if (![t, open, high, low, close].every(Number.isFinite) || Math.min(open, high, low, close) <= 0) {
      throw new PriceFileError(
        file,
        `line ${i + 2}: "${line}" is not a row "timestamp_unix_seconds,open,high,low,close[,volume]" with positive prices`,
      );
    }
    return { t, open, high, low, close };
  });
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].t <= bars[i - 1].t)
      throw new PriceFileError(file, `line ${i + 2}: timestamp ${bars[i].t} is not after the previous row's ${bars[i - 1].t}`);
  }
  if (bars.length === 0) throw new PriceFileError(file, "no rows");
  return bars;
}

/** The bar interval of a file (its smallest gap between rows), seconds. */
export function barInterval(bars: Bar[]): number {
  let d = Infinity;
  for (let i = 1; i < bars.length; i++) d = Math.min(d, bars[i].t - bars[i - 1].t);
  return Number.isFinite(d) ? d : 0;
}

/** Aggregates bars into bars of `resolution` seconds (a multiple of the file's interval), aligned to the epoch. */
export function resample(bars: Bar[], resolution: number): Bar[] {
  const out: Bar[] = [];
  for (const b of bars) {
    const t = Math.floor(b.t / resolution) * resolution;
    const last = out[out.length - 1];
    if (last && last.t === t) {
      last.high = Math.max(last.high, b.high);
      last.low = Math.min(last.low, b.low);
      last.close = b.close;
    } else {
      out.push({ ...b, t });
    }
  }
  return out;
}

/** Price of a series at time `t` (bar closes as known at bar end): the latest close, or linear between closes. */
export function priceAt(bars: Bar[], interval: number, t: number, interpolate: "previous" | "linear"): number {
  // Close of bar i is known at bars[i].t + interval.
  const known = (i: number) => bars[i].t + interval;
  if (t <= known(0)) return t < bars[0].t + interval ? bars[0].open : bars[0].close;
  if (t >= known(bars.length - 1)) return bars[bars.length - 1].close;
  let lo = 0;
  let hi = bars.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (known(mid) <= t) lo = mid;
    else hi = mid;
  }
  if (interpolate === "previous") return bars[lo].close;
  const w = (t - known(lo)) / (known(hi) - known(lo));
  return bars[lo].close + (bars[hi].close - bars[lo].close) * w;
}

export interface PathSpec {
  index: string;
  start: number;
  end: number;
  resolution: number;
  intrabar: "close" | "ohlc";
  series: Record<string, { file: string; interpolate: "previous" | "linear" }>;
  /** The cash token's USD value over time; undefined: exactly 1 USD throughout. */
  cashPeg?: CashPegSpec;
}

export interface PricePath {
  /** Prices when the market is set up (the first bar's open), at `points[0].t - resolution`. */
  initial: PricePoint;
  /** One point per step, in time order. */
  points: PricePoint[];
  /** Seconds between steps (resolution, or a third of it with intrabar "ohlc"). */
  stepSeconds: number;
}

/**
 * Builds the path: the index series sets the steps (one per bar of the window at the scenario resolution, at the
 * bar's close; with "ohlc" two more points inside each bar visit its high and low, in the order the bar moved);
 * every other series is read at the same times.
 */
export function buildPath(spec: PathSpec): PricePath {
  const loaded: Record<string, { bars: Bar[]; interval: number }> = {};
  for (const [key, s] of Object.entries(spec.series)) {
    const bars = loadBars(s.file);
    loaded[key] = { bars, interval: barInterval(bars) };
  }
  const idx = loaded[spec.index];
  if (!idx) throw new Error(`prices.index "${spec.index}" is not one of prices.series`);
  if (spec.resolution % idx.interval !== 0) {
    throw new Error(`prices.resolution ${spec.resolution}s is not a multiple of the index file's ${idx.interval}s bars`);
  }
  const bars = resample(
    idx.bars.filter((b) => b.t >= spec.start && b.t < spec.end),
    spec.resolution,
  );
  if (bars.length < 2) throw new Error("prices.window holds fewer than two bars of the index series");
  const others = Object.keys(spec.series).filter((k) => k !== spec.index);
  const peg = pegFunction(spec.cashPeg);
  const at = (t: number, index: number): PricePoint => {
    const prices: Record<string, number> = { [spec.index]: index };
    for (const k of others) prices[k] = priceAt(loaded[k].bars, loaded[k].interval, t, spec.series[k].interpolate);
    return peg ? { t, prices, cashPeg: peg(t) } : { t, prices };
  };
  const res = spec.resolution;
  const points: PricePoint[] = [];
  const stepSeconds = spec.intrabar === "ohlc" ? res / 3 : res;
  for (const b of bars) {
    if (spec.intrabar === "ohlc") {
      const [first, second] = b.close < b.open ? [b.high, b.low] : [b.low, b.high];
      points.push(at(b.t + stepSeconds, first), at(b.t + 2 * stepSeconds, second));
    }
    points.push(at(b.t + res, b.close));
  }
  return { initial: at(bars[0].t, bars[0].open), points, stepSeconds };
}

/** The peg at a time, from the scenario's peg path; undefined when the scenario has none. */
function pegFunction(spec: CashPegSpec | undefined): ((t: number) => number) | undefined {
  if (!spec) return undefined;
  if ("points" in spec) return (t) => pegAt(spec.points, t, spec.interpolate);
  const bars = loadBars(spec.file);
  const interval = barInterval(bars);
  return (t) => priceAt(bars, interval, t, spec.interpolate);
}
