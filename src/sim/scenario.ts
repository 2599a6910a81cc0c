/**
 * Scenario files (`scenarios/*.json`): the schema in human units and its conversion, in this one place, into the
 * typed `Scenario` the simulator runs (WAD bigints, seconds, wei). A scenario may `extends` another file and
 * override any part of it (objects merge key by key; arrays and values replace).
 *
 * `resolveScenario` rejects unknown keys, malformed units and inconsistent values before anything is deployed,
 * naming the key.
 */
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { parseDuration, parseGwei, parsePercent, parseTokenAmount, UnitError } from "../config/units";
import { parseBaseFeeSeries, type GasSpec } from "./gasMarket";
import { parseLatency } from "./latency";
import { oneLine, UserError } from "../cli/errors";
import type { NetworkParameters } from "../config/schema";
import type { CashPegSpec, PathSpec } from "./prices";
import { wadToNumber } from "../model/wad";
import { STRATEGIES, type StrategyKind } from "../keeper/strategy";

/** Re-exported for the simulator's callers: the strategies and the gas-price parser live in lower layers. */
export { STRATEGIES, parseGwei, type StrategyKind };

const text = z.string().min(1);
const weights = z.record(z.number().nonnegative());
const amountDistribution = z.object({ median: text, sigma: z.number().nonnegative(), min: text, max: text }).strict();
const numberDistribution = z
  .object({ median: z.number().positive(), sigma: z.number().nonnegative(), min: z.number().positive(), max: z.number().positive() })
  .strict();

const liquidatorSchema = z
  .object({
    name: text,
    strategy: z.enum(STRATEGIES),
    capital: text,
    minProfit: text.optional(),
    targetDiscount: text.optional(),
    gasShare: text.optional(),
    minPriorityFee: text.optional(),
    maxPriorityFee: text.optional(),
    hedge: z.boolean().optional(),
    latency: text.optional(),
  })
  .strict();

const parameterSetSchema = z
  .object({
    name: text,
    description: z.string().optional(),
    overrides: z.record(z.unknown()),
    insurance: z.object({ initialStake: text }).strict().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    $schema: z.string().optional(),
    extends: z.string().optional(),
    name: text,
    description: z.string().optional(),
    seed: z.number().int().nonnegative(),
    prices: z
      .object({
        index: text,
        window: z.object({ start: text, end: text }).strict(),
        resolution: text,
        intrabar: z.enum(["close", "ohlc"]),
        series: z.record(z.object({ file: text, interpolate: z.enum(["previous", "linear"]) }).strict()),
        cashPeg: z
          .object({
            file: text.optional(),
            points: z
              .array(z.object({ at: text, price: text }).strict())
              .min(1)
              .optional(),
            interpolate: z.enum(["previous", "linear"]),
          })
          .strict()
          .optional(),
      })
      .strict(),
    chain: z.object({ blockTime: text, reactionBlocks: z.number().int().min(1).max(10) }).strict(),
    oracle: z.object({ deviation: text, heartbeat: text }).strict(),
    gas: z
      .object({
        model: z.enum(["native", "eip1559", "series"]),
        calmBaseFee: text.optional(),
        maxBaseFee: text.optional(),
        referenceVolatility: text.optional(),
        elasticity: z.number().nonnegative().max(5).optional(),
        series: z.object({ file: text }).strict().optional(),
      })
      .strict()
      .optional(),
    traders: z
      .object({
        count: z.number().int().min(1),
        equity: amountDistribution,
        leverage: numberDistribution,
        longShare: text,
        markets: weights,
        collateral: weights,
        behaviour: z
          .object({ passive: z.number().nonnegative(), topUp: z.number().nonnegative(), deleverage: z.number().nonnegative() })
          .strict(),
        reactionHealth: z.object({ min: z.number().min(1), max: z.number().min(1) }).strict(),
        attention: text,
        topUpShare: text,
        maxTopUps: z.number().int().nonnegative(),
        cutShare: text,
      })
      .strict(),
    marketMaker: z
      .object({
        capital: text,
        baseSpread: text,
        volSpreadMultiplier: z.number().nonnegative(),
        maxSpread: text,
        depth: z.record(text),
        orderLifetime: text,
        depthResponse: z
          .object({ reference: text, elasticity: z.number().nonnegative().max(5) })
          .strict()
          .optional(),
        withdrawVolatility: text.optional(),
      })
      .strict(),
    liquidators: z.array(liquidatorSchema).min(1),
    insurance: z.object({ initialStake: text }).strict(),
    protocol: z.object({ base: text, overrides: z.record(z.unknown()) }).strict(),
    parameterSets: z.array(parameterSetSchema).min(1).max(2),
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioSchema>;

// ------------------------------------------------------------------------------------------ resolved scenario

export interface LiquidatorSpec {
  name: string;
  strategy: StrategyKind;
  capital: bigint; // WAD cash
  minProfit: bigint; // WAD cash
  targetDiscount: bigint; // WAD
  gasShare: bigint; // WAD
  minPriorityFee: bigint; // wei per gas
  maxPriorityFee: bigint; // wei per gas
  hedge: boolean;
  /** RPC latency in blocks (src/sim/latency.ts): sees the chain this many blocks late, its transactions land as late. 0: none. */
  latency: number;
}

export interface Scenario {
  name: string;
  description: string;
  file: string;
  seed: number;
  prices: PathSpec;
  chain: { blockTime: number; reactionBlocks: number };
  oracle: { deviation: bigint; heartbeat: number };
  /** Base-fee model of the simulated chain (src/sim/gasMarket.ts); `native` when the file has no `gas`. */
  gas: GasSpec;
  traders: {
    count: number;
    equity: { median: number; sigma: number; min: number; max: number }; // cash units
    leverage: { median: number; sigma: number; min: number; max: number };
    longShare: number;
    markets: Record<string, number>;
    collateral: Record<string, number>;
    behaviour: { passive: number; topUp: number; deleverage: number };
    reactionHealth: { min: number; max: number };
    attention: number;
    topUpShare: number;
    maxTopUps: number;
    cutShare: number;
  };
  marketMaker: {
    capital: bigint;
    baseSpread: number;
    volSpreadMultiplier: number;
    maxSpread: number;
    depth: Record<string, bigint>; // WAD base units per market name
    orderLifetime: number;
    /** Depth x min(1, (reference / per-step sigma)^elasticity); undefined: fixed depth. */
    depthResponse?: { reference: number; elasticity: number };
    /** Per-step sigma (fraction) above which the market maker pulls its quotes; undefined: never. */
    withdrawVolatility?: number;
  };
  liquidators: LiquidatorSpec[];
  insurance: { initialStake: bigint };
  protocol: { base: NetworkParameters; overrides: Record<string, unknown> };
  parameterSets: ParameterSet[];
}

/**
 * A parameter set: a name, protocol parameter overrides (deployment parameters, human units) and, optionally, its own
 * initial insurance stake (WAD cash; unset: the scenario's `insurance.initialStake`), e.g. a fund of 1% of the
 * default to show who bears bad debt once the fund runs out (issue #14 item 4).
 */
export interface ParameterSet {
  name: string;
  description: string;
  overrides: Record<string, unknown>;
  initialStake?: bigint;
}

/**
 * Reads a `--compare` parameter-set file (`{ "name", "description"?, "overrides", "insurance"?: { "initialStake" } }`,
 * the shape of a scenario's `parameterSets[i]`), converting its insurance stake from `symbol` to WAD cash. Errors
 * name the file as `shownAs` (the path the user typed; default `file`).
 * @throws ScenarioError naming the file and every bad key (schema, or a stake that is not an amount of `symbol`);
 * the errors of {readScenarioFile} for a file that cannot be read or parsed.
 */
export function readParameterSet(file: string, symbol: string, shownAs = file): ParameterSet {
  const parsed = parameterSetSchema.safeParse(readScenarioFile(file));
  if (!parsed.success) {
    throw new ScenarioError(
      shownAs,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  }
  const set = parsed.data;
  let initialStake: bigint | undefined;
  if (set.insurance !== undefined) {
    try {
      initialStake = parseTokenAmount("insurance.initialStake", set.insurance.initialStake, symbol, 18);
    } catch (e) {
      if (e instanceof UnitError) throw new ScenarioError(shownAs, [e.message]);
      throw e;
    }
  }
  return { name: set.name, description: set.description ?? "", overrides: set.overrides, initialStake };
}

/** The initial insurance stake of parameter set `set` of scenario `s` [WAD cash]. */
export function initialStakeOf(s: Scenario, set: ParameterSet): bigint {
  return set.initialStake ?? s.insurance.initialStake;
}

/** A scenario file that breaks its schema or is inconsistent; a `UserError` (exit code 2) naming every key. */
export class ScenarioError extends UserError {
  constructor(
    readonly file: string,
    readonly issues: string[],
  ) {
    super(`${file}: ${oneLine(issues)}`);
    this.name = "ScenarioError";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const keyOf = (v: unknown): string | undefined =>
  isObject(v)
    ? ((typeof v.name === "string" ? v.name : typeof v.symbol === "string" ? v.symbol : undefined) as string | undefined)
    : undefined;

/**
 * Objects merge key by key. Arrays of named objects (markets by `name`, collateral by `symbol`) merge element by
 * element on that key, new names appended; any other value in `over` replaces `base`.
 */
export function deepMerge<T>(base: T, over: unknown): T {
  if (
    Array.isArray(base) &&
    Array.isArray(over) &&
    over.every((o) => keyOf(o) !== undefined) &&
    base.every((b) => keyOf(b) !== undefined)
  ) {
    const out: unknown[] = base.map((b) => {
      const o = over.find((x) => keyOf(x) === keyOf(b));
      return o === undefined ? b : deepMerge(b, o);
    });
    for (const o of over) if (!base.some((b) => keyOf(b) === keyOf(o))) out.push(o);
    return out as T;
  }
  if (!isObject(base) || !isObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** Reads a scenario file, following `extends` (relative to the file). */
export function readScenarioFile(file: string, seen: string[] = []): Record<string, unknown> {
  const abs = path.resolve(file);
  if (seen.includes(abs)) throw new ScenarioError(file, [`extends cycle: ${[...seen, abs].join(" -> ")}`]);
  if (!fs.existsSync(abs)) {
    const from = seen[seen.length - 1];
    throw new ScenarioError(from ? path.relative(process.cwd(), from) : file, [`${from ? "extends: " : ""}${file} does not exist`]);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(abs, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw new ScenarioError(path.relative(process.cwd(), abs), [`not valid JSON (${(e as Error).message})`]);
  }
  if (typeof raw.extends !== "string") return raw;
  const parent = readScenarioFile(path.resolve(path.dirname(abs), raw.extends), [...seen, abs]);
  const { extends: _ignored, ...own } = raw;
  void _ignored;
  return deepMerge(parent, own);
}

/** Converts a scenario file (already read, `extends` applied) into a `Scenario`. Paths resolve from `root`. */
export function resolveScenario(raw: unknown, file: string, root: string): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success)
    throw new ScenarioError(
      file,
      parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
    );
  const s = parsed.data;
  const issues: string[] = [];
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      issues.push(e instanceof UnitError ? e.message : String(e instanceof Error ? e.message : e));
      return fallback;
    }
  };
  const time = (key: string, iso: string): number => {
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) throw new UnitError(key, `"${iso}" is not an ISO date such as "2020-03-12T00:00:00Z"`);
    return Math.floor(ms / 1000);
  };
  const fraction = (key: string, v: string): number => Number(attempt(() => parsePercent(key, v), 0n)) / 1e18;
  const protocolBase = attempt(
    () => JSON.parse(fs.readFileSync(path.resolve(root, s.protocol.base), "utf8")) as NetworkParameters,
    {} as NetworkParameters,
  );
  const cashSymbol = protocolBase.cash?.symbol ?? "USDC";
  const cash = (key: string, v: string): bigint => attempt(() => parseTokenAmount(key, v, cashSymbol, 18), 0n);
  const cashUnits = (key: string, v: string): number => wadToNumber(cash(key, v));

  const series: Scenario["prices"]["series"] = {};
  for (const [k, v] of Object.entries(s.prices.series)) {
    const f = path.resolve(root, v.file);
    if (!fs.existsSync(f)) issues.push(`prices.series.${k}.file: ${v.file} does not exist`);
    series[k] = { file: f, interpolate: v.interpolate };
  }
  if (!(s.prices.index in s.prices.series)) issues.push(`prices.index: "${s.prices.index}" is not one of prices.series`);
  const feeds = Object.keys(protocolBase.feeds ?? {});
  for (const f of feeds) if (!(f in series)) issues.push(`prices.series: no price series for the protocol's feed "${f}"`);

  const t = s.traders;
  const markets = (protocolBase.markets ?? []).map((m) => m.name);
  for (const m of Object.keys(t.markets)) if (!markets.includes(m)) issues.push(`traders.markets.${m}: no such market`);
  const tokens = [cashSymbol, ...(protocolBase.collateral ?? []).map((c) => c.symbol)];
  for (const c of Object.keys(t.collateral)) if (!tokens.includes(c)) issues.push(`traders.collateral.${c}: no such token`);
  if (t.reactionHealth.max < t.reactionHealth.min) issues.push("traders.reactionHealth: max < min");
  const depth: Record<string, bigint> = {};
  for (const m of protocolBase.markets ?? []) {
    const d = s.marketMaker.depth[m.name];
    if (d === undefined) issues.push(`marketMaker.depth.${m.name}: missing`);
    else depth[m.name] = attempt(() => parseTokenAmount(`marketMaker.depth.${m.name}`, d, m.base, 18), 0n);
  }
  const names = new Set<string>();
  const liquidators: LiquidatorSpec[] = s.liquidators.map((l, i) => {
    const k = `liquidators[${i}](${l.name})`;
    if (names.has(l.name)) issues.push(`${k}.name: duplicate`);
    names.add(l.name);
    const spec: LiquidatorSpec = {
      name: l.name,
      strategy: l.strategy,
      capital: cash(`${k}.capital`, l.capital),
      minProfit: cash(`${k}.minProfit`, l.minProfit ?? `10 ${cashSymbol}`),
      targetDiscount: attempt(() => parsePercent(`${k}.targetDiscount`, l.targetDiscount ?? "0%"), 0n),
      gasShare: attempt(() => parsePercent(`${k}.gasShare`, l.gasShare ?? "10%"), 0n),
      minPriorityFee: attempt(() => parseGwei(`${k}.minPriorityFee`, l.minPriorityFee ?? "1 gwei"), 0n),
      maxPriorityFee: attempt(() => parseGwei(`${k}.maxPriorityFee`, l.maxPriorityFee ?? "500 gwei"), 0n),
      hedge: l.hedge ?? true,
      latency: 0, // set below, once chain.blockTime is known
    };
    if (spec.strategy === "flash" && spec.capital !== 0n)
      issues.push(`${k}.capital: a flash liquidator is capital-free ("0 ${cashSymbol}")`);
    if (spec.strategy === "patient" && spec.targetDiscount === 0n) issues.push(`${k}.targetDiscount: required for a patient liquidator`);
    if (spec.maxPriorityFee < spec.minPriorityFee) issues.push(`${k}: maxPriorityFee < minPriorityFee`);
    return spec;
  });
  const resolution = attempt(() => parseDuration("prices.resolution", s.prices.resolution), 300);
  const blockTime = attempt(() => parseDuration("chain.blockTime", s.chain.blockTime), 12);
  const stepSeconds = s.prices.intrabar === "ohlc" ? resolution / 3 : resolution;
  if (stepSeconds < blockTime * (s.chain.reactionBlocks + 1)) {
    issues.push(
      `chain: a step (${stepSeconds}s) must hold the oracle block and ${s.chain.reactionBlocks} reaction blocks of ${blockTime}s`,
    );
  }
  const cashPeg = resolveCashPeg(s.prices.cashPeg, root, issues, time, attempt);
  s.liquidators.forEach((l, i) => {
    if (l.latency === undefined) return;
    const key = `liquidators[${i}](${l.name}).latency`;
    const blocks = attempt(() => parseLatency(key, l.latency!, blockTime), 0);
    liquidators[i].latency = blocks;
    // An oracle round seen `blocks` late, answered by a transaction that lands `blocks` later, must fit in a step.
    if ((2 * blocks + 1) * blockTime >= stepSeconds)
      issues.push(`${key}: ${blocks} blocks; a step (${stepSeconds}s) must hold 2 x ${blocks} + 1 blocks of ${blockTime}s`);
  });
  const heartbeat = attempt(() => parseDuration("oracle.heartbeat", s.oracle.heartbeat), 3600);
  const gas = resolveGas(s.gas, root, issues, attempt);
  const sc: Scenario = {
    name: s.name,
    description: s.description ?? "",
    file,
    seed: s.seed,
    prices: {
      index: s.prices.index,
      start: attempt(() => time("prices.window.start", s.prices.window.start), 0),
      end: attempt(() => time("prices.window.end", s.prices.window.end), 0),
      resolution,
      intrabar: s.prices.intrabar,
      series,
      ...(cashPeg ? { cashPeg } : {}),
    },
    chain: { blockTime, reactionBlocks: s.chain.reactionBlocks },
    oracle: { deviation: attempt(() => parsePercent("oracle.deviation", s.oracle.deviation), 0n), heartbeat },
    gas,
    traders: {
      count: t.count,
      equity: {
        median: cashUnits("traders.equity.median", t.equity.median),
        sigma: t.equity.sigma,
        min: cashUnits("traders.equity.min", t.equity.min),
        max: cashUnits("traders.equity.max", t.equity.max),
      },
      leverage: t.leverage,
      longShare: fraction("traders.longShare", t.longShare),
      markets: t.markets,
      collateral: t.collateral,
      behaviour: t.behaviour,
      reactionHealth: t.reactionHealth,
      attention: fraction("traders.attention", t.attention),
      topUpShare: fraction("traders.topUpShare", t.topUpShare),
      maxTopUps: t.maxTopUps,
      cutShare: fraction("traders.cutShare", t.cutShare),
    },
    marketMaker: {
      capital: cash("marketMaker.capital", s.marketMaker.capital),
      baseSpread: fraction("marketMaker.baseSpread", s.marketMaker.baseSpread),
      volSpreadMultiplier: s.marketMaker.volSpreadMultiplier,
      maxSpread: fraction("marketMaker.maxSpread", s.marketMaker.maxSpread),
      depth,
      orderLifetime: attempt(() => parseDuration("marketMaker.orderLifetime", s.marketMaker.orderLifetime), 600),
      depthResponse: s.marketMaker.depthResponse && {
        reference: fraction("marketMaker.depthResponse.reference", s.marketMaker.depthResponse.reference),
        elasticity: s.marketMaker.depthResponse.elasticity,
      },
      withdrawVolatility:
        s.marketMaker.withdrawVolatility === undefined
          ? undefined
          : fraction("marketMaker.withdrawVolatility", s.marketMaker.withdrawVolatility),
    },
    liquidators,
    insurance: { initialStake: cash("insurance.initialStake", s.insurance.initialStake) },
    protocol: { base: protocolBase, overrides: s.protocol.overrides },
    parameterSets: s.parameterSets.map((p, i) => ({
      name: p.name,
      description: p.description ?? "",
      overrides: p.overrides,
      initialStake: p.insurance && cash(`parameterSets[${i}].insurance.initialStake`, p.insurance.initialStake),
    })),
  };
  if (sc.prices.end <= sc.prices.start) issues.push("prices.window: end must be after start");
  if (sc.traders.leverage.min <= 0 || sc.traders.leverage.max < sc.traders.leverage.min) issues.push("traders.leverage: bad bounds");
  if (sc.marketMaker.depthResponse && sc.marketMaker.depthResponse.reference <= 0)
    issues.push("marketMaker.depthResponse.reference: must be above 0%");
  if (sc.marketMaker.withdrawVolatility !== undefined && sc.marketMaker.withdrawVolatility <= 0)
    issues.push("marketMaker.withdrawVolatility: must be above 0%");
  if (sc.marketMaker.maxSpread >= 0.045) issues.push("marketMaker.maxSpread: a quote must stay well inside the fill band (< 4.5%)");
  if (issues.length > 0) throw new ScenarioError(file, issues);
  return sc;
}

/** Largest USD value of one cash unit a peg path may give (a stablecoin far above 1 USD is a typo). */
const MAX_PEG = 2;

/**
 * The `prices.cashPeg` section: exactly one of `file` (an OHLCV file read like a price series) and `points`
 * (`[{ at: ISO time, price: USD per cash unit }]`, strictly increasing in time, each price in (0, 2]).
 */
function resolveCashPeg(
  p: ScenarioFile["prices"]["cashPeg"],
  root: string,
  issues: string[],
  time: (key: string, iso: string) => number,
  attempt: <T>(fn: () => T, fallback: T) => T,
): CashPegSpec | undefined {
  if (!p) return undefined;
  if ((p.file === undefined) === (p.points === undefined)) {
    issues.push("prices.cashPeg: give exactly one of file and points");
    return undefined;
  }
  if (p.file !== undefined) {
    const file = path.resolve(root, p.file);
    if (!fs.existsSync(file)) issues.push(`prices.cashPeg.file: ${p.file} does not exist`);
    return { file, interpolate: p.interpolate };
  }
  const points = p.points!.map((x, i) => {
    const key = `prices.cashPeg.points[${i}]`;
    const price = Number(x.price);
    if (!/^\d+(\.\d+)?$/.test(x.price.trim()) || !(price > 0) || price > MAX_PEG)
      issues.push(`${key}.price: "${x.price}" is not a USD value of one cash unit in (0, ${MAX_PEG}], e.g. "0.97"`);
    return { t: attempt(() => time(`${key}.at`, x.at), NaN), price }; // NaN: reported, not compared
  });
  for (let i = 1; i < points.length; i++)
    if (points[i].t <= points[i - 1].t) issues.push(`prices.cashPeg.points[${i}].at: not after the previous point's`);
  return { points, interpolate: p.interpolate };
}

/**
 * The `gas` section: `native` when absent; `eip1559` with defaults calmBaseFee "10 gwei", maxBaseFee "500 gwei",
 * referenceVolatility "1%" (hourly) and elasticity 1.2; `series` needs `series.file`. Problems go to `issues`.
 */
function resolveGas(g: ScenarioFile["gas"], root: string, issues: string[], attempt: <T>(fn: () => T, fallback: T) => T): GasSpec {
  if (!g || g.model === "native") {
    for (const k of ["calmBaseFee", "maxBaseFee", "referenceVolatility", "elasticity", "series"] as const)
      if (g && g[k] !== undefined) issues.push(`gas.${k}: only with model "eip1559"${k === "series" ? ' or "series"' : ""}`);
    return { model: "native" };
  }
  if (g.model === "series") {
    if (!g.series) {
      issues.push('gas.series: required with model "series" ({ "file": "<csv of timestamp_unix_seconds,base_fee_gwei>" })');
      return { model: "native" };
    }
    const file = path.resolve(root, g.series.file);
    const points = attempt(
      () => {
        if (!fs.existsSync(file)) throw new Error(`gas.series.file: ${g.series!.file} does not exist`);
        return parseBaseFeeSeries(g.series!.file, fs.readFileSync(file, "utf8"));
      },
      [] as [number, bigint][],
    );
    return points.length > 0 ? { model: "series", file, points } : { model: "native" };
  }
  if (g.series) issues.push('gas.series: only with model "series"');
  const spec: GasSpec = {
    model: "eip1559",
    calmBaseFee: attempt(() => parseGwei("gas.calmBaseFee", g.calmBaseFee ?? "10 gwei"), 10n ** 10n),
    maxBaseFee: attempt(() => parseGwei("gas.maxBaseFee", g.maxBaseFee ?? "500 gwei"), 5n * 10n ** 11n),
    referenceVolatility: Number(attempt(() => parsePercent("gas.referenceVolatility", g.referenceVolatility ?? "1%"), 10n ** 16n)) / 1e18,
    elasticity: g.elasticity ?? 1.2,
  };
  if (spec.calmBaseFee <= 0n) issues.push("gas.calmBaseFee: must be above 0 gwei");
  if (spec.maxBaseFee < spec.calmBaseFee) issues.push("gas.maxBaseFee: must be at least gas.calmBaseFee");
  if (spec.referenceVolatility <= 0) issues.push("gas.referenceVolatility: must be above 0%");
  return spec;
}

/** Reads and resolves a scenario file. */
export function loadScenario(file: string, root = process.cwd()): Scenario {
  const raw = readScenarioFile(file);
  return resolveScenario(raw, path.relative(root, path.resolve(file)), root);
}
