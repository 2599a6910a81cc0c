/**
 * Deployment parameter files (`deploy/parameters/<network>.json`): their schema in human units, and their
 * conversion into a `DeploymentPlan` of on-chain integers.
 *
 * The schema is a set of field tables, one per object of the file (`FEED`, `CASH`, `COLLATERAL`, `MARKET_PARAMS`,
 * `AUCTION`, …): each key with how it is written (a zod type), and for a value in human units its unit (the
 * transform to WAD, token units or seconds), its on-chain bounds and the storage width it must fit. The zod schema
 * (`parametersSchema`) is built from the tables; `Resolution` converts and checks a table's values; small section
 * resolvers add what is not a per-field rule (addresses required on live networks, feed references, duplicates,
 * governance parties).
 *
 * `resolveParameters` rejects, before any transaction: unknown keys, missing required values, malformed units,
 * values outside the contracts' hard bounds (naming the key and the bound), IMR <= MMR, markets or collateral
 * that name a feed that does not exist, and non-local networks without real addresses.
 */
import { z, type ZodOptional, type ZodString, type ZodTypeAny } from "zod";
import { oneLine, UserError } from "../cli/errors";
import { isAddress, encodeBytes32String, getAddress, ZeroAddress } from "ethers";
import { RISK_BOUNDS, ORACLE_BOUNDS, VAULT_BOUNDS, ENGINE_BOUNDS, VENUE_BOUNDS, AUCTION_BOUNDS, INSURANCE_BOUNDS } from "./bounds";
import {
  parseDuration,
  parsePercent,
  parseRatio,
  parsePrice,
  parseTokenAmount,
  parseDecimal,
  formatDuration,
  formatWad,
  UnitError,
} from "./units";
import type { AuctionParams } from "../model/auction";
import type { RiskParams } from "../model/volatility";

/** Parameter files committed for live networks mark the addresses a deployer must fill in with this prefix. */
export const PLACEHOLDER = "SET-ME";

/**
 * Governance bounds of this deployment tooling (not on-chain constants: TimelockController and AccessManager accept
 * any delay). A live network's timelock must give holders at least an hour to react to a queued admin action.
 */
export const GOVERNANCE_POLICY = {
  MIN_LIVE_TIMELOCK_DELAY: 3600, // seconds: 1 h
  MAX_TIMELOCK_DELAY: 30 * 86400, // seconds: 30 d
  MAX_EXECUTION_DELAY: 30 * 86400, // seconds: 30 d
} as const;

// ------------------------------------------------------------------------------------------ units (transforms)

/** What a conversion may need besides the text: the object the key belongs to, and the file's cash symbol. */
interface UnitContext {
  item: Record<string, unknown>;
  cashSymbol: string;
}

/**
 * A human unit: its conversion to an on-chain integer (throws `UnitError`), the value standing in when the text
 * cannot be read, and how a value prints in a bound's message.
 */
interface Unit<V extends bigint | number> {
  parse(key: string, text: string, ctx: UnitContext): V;
  fallback: V;
  show(v: bigint | number): string;
}

const pct = (v: bigint | number) => `${Number(BigInt(v)) / 1e16}%`;
const wad = (v: bigint | number) => formatWad(BigInt(v));

/** "90s", "5m", "1h", "2d" -> seconds. */
const DURATION: Unit<number> = { parse: (k, s) => parseDuration(k, s), fallback: 0, show: formatDuration };
/** "15 gwei" -> 15 (whole gwei). */
const GWEI: Unit<number> = {
  parse: (k, s) => Number(parseTokenAmount(k, s, "gwei", 0)),
  fallback: 0,
  show: (v) => `${String(v)} gwei`,
};
/** "5%" -> 0.05e18 (WAD). */
const PERCENT: Unit<bigint> = { parse: (k, s) => parsePercent(k, s), fallback: 0n, show: pct };
/** "0.94" -> 0.94e18 (WAD). */
const RATIO: Unit<bigint> = { parse: (k, s) => parseRatio(k, s), fallback: 0n, show: wad };
/** "3,000" (USD) -> 3000e18 (WAD). */
const PRICE: Unit<bigint> = { parse: (k, s) => parsePrice(k, s), fallback: 0n, show: wad };
/** A mock feed's answer in the feed's own decimals (8 unless the feed gives `decimals`). */
const FEED_ANSWER: Unit<bigint> = {
  parse: (k, s, { item }) => parseDecimal(k, s, (item.decimals as number | undefined) ?? 8),
  fallback: 0n,
  show: String,
};

/** An amount with its unit symbol ("5,000 USDC"): of `symbol`, in `decimals` (18: WAD). */
function amount(symbol: (ctx: UnitContext) => string, decimals: (ctx: UnitContext) => number): Unit<bigint> {
  return { parse: (k, s, ctx) => parseTokenAmount(k, s, symbol(ctx), decimals(ctx)), fallback: 0n, show: wad };
}
const ownSymbol = ({ item }: UnitContext) => item.symbol as string;
const baseSymbol = ({ item }: UnitContext) => item.base as string;
const cashSymbol = (ctx: UnitContext) => ctx.cashSymbol;
const ownDecimals = ({ item }: UnitContext) => item.decimals as number;
const wadDecimals = () => 18;
/** The object's own token, in its decimals. */
const OWN_TOKENS = amount(ownSymbol, ownDecimals);
/** The object's own token, in WAD. */
const OWN_WAD = amount(ownSymbol, wadDecimals);
/** The market's base asset, in WAD. */
const BASE_WAD = amount(baseSymbol, wadDecimals);
/** The cash token, in WAD. */
const CASH_WAD = amount(cashSymbol, wadDecimals);

// ------------------------------------------------------------------------------------------ fields and tables

/** The converted values of a table so far, by file key (for bounds that depend on another value). */
type Converted = Record<string, bigint | number>;
/** Inclusive [lo, hi]. */
type Bound = readonly [bigint | number, bigint | number];

/** A key of the file holding a value in human units: its unit and what the converted value must satisfy. */
interface UnitField<V extends bigint | number, S extends ZodTypeAny = ZodString> {
  schema: S;
  unit: Unit<V>;
  /** On-chain bounds (inclusive), constant or depending on the object's other values and on the network. */
  bound?: Bound | ((v: Converted, local: boolean) => Bound);
  /** A relation with other values, checked just before the bound: the issue (with its key) when it fails. */
  rule?: (v: Converted, prefix: string) => string | undefined;
  /** The storage width: the value must be below 2^bits wei. */
  belowBits?: number;
}
/** What a unit field may require of its value. */
type FieldChecks = Pick<UnitField<bigint>, "bound" | "rule" | "belowBits">;

/** A key of the file taken as written (names, symbols, addresses, nested objects). */
interface PlainField<S extends ZodTypeAny> {
  schema: S;
}

type Table = Record<string, PlainField<ZodTypeAny> | UnitField<bigint, ZodTypeAny> | UnitField<number, ZodTypeAny>>;

/** The on-chain values of a table's unit fields, by file key. */
type Values<T extends Table> = {
  [K in keyof T as T[K] extends { unit: unknown } ? K : never]: T[K] extends UnitField<infer V, ZodTypeAny> ? V : never;
};

const text = z.string().min(1);
const address = z.string().refine((s) => isAddress(s), { message: "must be a 0x address" });
const decimals = z.number().int().min(0).max(18);
/** Where an address comes from (a documentation page, a registry file): kept with the address for reviewers. */
const source = z.string().min(1).optional();

/** A required value in `unit`. */
function inUnit<V extends bigint | number>(unit: Unit<V>, checks: FieldChecks = {}): UnitField<V> {
  return { schema: text, unit, ...checks };
}
/** `f`, which the file may leave out (its unit's fallback then, unchecked). */
function optional<V extends bigint | number>(f: UnitField<V>): UnitField<V, ZodOptional<ZodString>> {
  return { ...f, schema: f.schema.optional() };
}
/** A value taken as written. */
function plain<S extends ZodTypeAny>(schema: S): PlainField<S> {
  return { schema };
}

/** The zod shape of a table: every key, in table order. */
function shape<T extends Table>(table: T): { [K in keyof T]: T[K]["schema"] } {
  return Object.fromEntries(Object.entries(table).map(([k, f]) => [k, f.schema])) as { [K in keyof T]: T[K]["schema"] };
}

// ------------------------------------------------------------------------------------------ the file, table by table

const R = RISK_BOUNDS;
const A = AUCTION_BOUNDS;
const G = GOVERNANCE_POLICY;
const O = ORACLE_BOUNDS;
const I = INSURANCE_BOUNDS;
const ONE = 10n ** 18n; // 100% in WAD

const GOVERNANCE = {
  riskManager: plain(text),
  guardian: plain(text),
  timelockDelay: inUnit(DURATION, { bound: (_, local) => [local ? 0 : G.MIN_LIVE_TIMELOCK_DELAY, G.MAX_TIMELOCK_DELAY] }),
  riskManagerExecutionDelay: inUnit(DURATION, { bound: [0, G.MAX_EXECUTION_DELAY] }),
  handover: plain(z.boolean()),
  timelock: plain(
    z
      .object({ proposers: z.array(text).min(1), executors: z.array(text).min(1) })
      .strict()
      .optional(),
  ),
};

const SEQUENCER = {
  feed: plain(address),
  gracePeriod: inUnit(DURATION, { bound: [0, O.MAX_SEQUENCER_GRACE_PERIOD] }),
  source: plain(source),
};

const FEED = {
  primary: plain(address.optional()),
  decimals: plain(decimals.optional()),
  initialPrice: optional(inUnit(FEED_ANSWER)),
  heartbeat: inUnit(DURATION, { bound: [O.MIN_HEARTBEAT, O.MAX_HEARTBEAT] }),
  minPrice: inUnit(PRICE, {
    rule: (v, k) => (v.minPrice === 0n || v.minPrice >= v.maxPrice ? `${k}: minPrice must be > 0 and < maxPrice` : undefined),
  }),
  maxPrice: inUnit(PRICE, { belowBits: 96 }),
  secondary: plain(address.optional()),
  /** With `maxDeviation`, required and bounded exactly when `secondary` is given (`checkSecondary`). */
  secondaryHeartbeat: optional(inUnit(DURATION)),
  maxDeviation: optional(inUnit(PERCENT)),
  source: plain(source),
};
/** Bounds of a secondary feed's heartbeat and of its allowed deviation from the primary. */
const SECONDARY_BOUNDS = { heartbeat: [O.MIN_HEARTBEAT, O.MAX_HEARTBEAT], maxDeviation: [1n, O.MAX_DEVIATION] } as const;

const CASH = {
  symbol: plain(text),
  decimals: plain(decimals),
  address: plain(address.optional()),
  depositCap: inUnit(OWN_TOKENS),
  borrowCap: inUnit(OWN_WAD, { belowBits: 128 }),
  baseRatePerYear: inUnit(PERCENT, { bound: [0n, VAULT_BOUNDS.MAX_BASE_RATE_PER_YEAR] }),
  rateSlopePerYear: inUnit(PERCENT, { bound: [0n, VAULT_BOUNDS.MAX_RATE_SLOPE_PER_YEAR] }),
  source: plain(source),
};

const COLLATERAL = {
  symbol: plain(text),
  decimals: plain(decimals),
  address: plain(address.optional()),
  oracle: plain(text),
  haircut: inUnit(PERCENT, { bound: [0n, VAULT_BOUNDS.MAX_HAIRCUT] }),
  depositCap: inUnit(OWN_TOKENS),
  source: plain(source),
};

/** A market's risk parameters (MarketConfigurator.RiskParams). */
const MARKET_RISK = {
  mmr: inUnit(PERCENT, { bound: [R.MIN_MMR, R.MAX_MMR] }),
  imr: inUnit(PERCENT, {
    rule: (v, k) => (v.imr <= v.mmr ? `${k}.imr: ${pct(v.imr)} must be greater than mmr ${pct(v.mmr)}` : undefined),
    bound: [R.MIN_MMR, R.MAX_IMR],
  }),
  mmrFloor: inUnit(PERCENT, { bound: (v) => [R.MIN_MMR, v.mmr] }),
  mmrCap: inUnit(PERCENT, { bound: (v) => [v.mmr, R.MAX_MMR] }),
  volMultiplier: inUnit(RATIO, { bound: [0n, R.MAX_VOL_MULTIPLIER] }),
  volReference: inUnit(PERCENT, { bound: [0n, R.MAX_VOL_REFERENCE] }),
  volDecay: inUnit(RATIO, { bound: [R.MIN_VOL_DECAY, R.MAX_VOL_DECAY] }),
  observationInterval: inUnit(DURATION, { bound: [R.MIN_OBSERVATION_INTERVAL, R.MAX_OBSERVATION_INTERVAL] }),
  maxRatioStepPerHour: inUnit(PERCENT, { bound: [R.MIN_RATIO_STEP_PER_HOUR, R.MAX_RATIO_STEP_PER_HOUR] }),
  imrSizeFactor: inUnit(PERCENT, { bound: [0n, R.MAX_IMR_SIZE_FACTOR] }),
};

/**
 * One margin tier of a market (IMarginEngine.MarginTier): from `notional` (an amount in cash) the market's ratios of
 * the notional above it rise by the cumulative add-ons. Order across tiers is checked by `resolveMarginTiers`.
 */
const MARGIN_TIER = {
  notional: inUnit(CASH_WAD, { bound: [R.MIN_TIER_THRESHOLD, 2n ** 128n - 1n] }),
  mmrAddOn: inUnit(PERCENT, { bound: [0n, R.MAX_TIER_MMR_ADD_ON] }),
  imrAddOn: inUnit(PERCENT, {
    rule: (v, k) =>
      v.imrAddOn < v.mmrAddOn ? `${k}.imrAddOn: ${pct(v.imrAddOn)} must be at least mmrAddOn ${pct(v.mmrAddOn)}` : undefined,
    bound: [0n, R.MAX_TIER_IMR_ADD_ON],
  }),
};

/**
 * A market's trading parameters as the parameter file names them (MarketConfigurator.TradingParams): `maxFundingRate`
 * is the funding-rate cap per 8 hours (the contracts' `maxFundingRatePer8h`).
 */
const MARKET_TRADING = {
  openInterestCap: inUnit(BASE_WAD, { bound: [1n, 2n ** 112n - 1n] }),
  maxFundingRate: inUnit(PERCENT, { bound: [R.MIN_FUNDING_RATE_CAP, R.MAX_FUNDING_RATE_CAP] }),
  maxFillDeviation: inUnit(PERCENT, { bound: [R.MIN_FILL_DEVIATION, R.MAX_FILL_DEVIATION] }),
};

/** A market's share of the auction's shortfall cap (read after its parameters are checked). */
const MARKET_SHORTFALL = { shortfallCap: inUnit(CASH_WAD, { belowBits: 128 }) };

const ENGINE = { maxPriceAge: inUnit(DURATION, { bound: [0, ENGINE_BOUNDS.MAX_PRICE_AGE_LIMIT] }) };

const VENUE = {
  makerFee: inUnit(PERCENT, { bound: [0n, VENUE_BOUNDS.MAX_FEE_RATE] }),
  takerFee: inUnit(PERCENT, { bound: [0n, VENUE_BOUNDS.MAX_FEE_RATE] }),
};

const AUCTION = {
  startPrice: inUnit(PERCENT, { bound: [A.MIN_START_PRICE, ONE] }),
  fastPrice: inUnit(PERCENT, { bound: (v) => [A.MIN_FLOOR_PRICE, v.startPrice] }),
  floorPrice: inUnit(PERCENT, { bound: (v) => [A.MIN_FLOOR_PRICE, v.fastPrice] }),
  fastDuration: inUnit(DURATION, { bound: [A.MIN_DURATION, A.MAX_DURATION] }),
  slowDuration: inUnit(DURATION, { bound: [A.MIN_DURATION, A.MAX_DURATION] }),
  insolventDuration: inUnit(DURATION, { bound: [A.MIN_DURATION, A.MAX_DURATION] }),
  insolventBonus: inUnit(PERCENT, { bound: [0n, A.MAX_INSOLVENT_BONUS] }),
  bufferRatio: inUnit(PERCENT, { bound: [0n, A.MAX_BUFFER_RATIO] }),
  penaltyRate: inUnit(PERCENT, { bound: [0n, A.MAX_PENALTY_RATE] }),
  tipBaseFee: inUnit(GWEI, { bound: [0, A.MAX_TIP_BASE_FEE] }),
  insuranceShare: inUnit(PERCENT, { bound: [0n, ONE] }),
  tipRate: inUnit(PERCENT, { bound: [0n, A.MAX_TIP_RATE] }),
  flatTip: inUnit(CASH_WAD, { bound: [0n, A.MAX_FLAT_TIP] }),
  dustMargin: inUnit(CASH_WAD, { bound: [0n, A.MAX_DUST_MARGIN] }),
  globalShortfallCap: inUnit(CASH_WAD, { belowBits: 104 }),
};

const INSURANCE = {
  name: plain(text),
  symbol: plain(text),
  cooldown: inUnit(DURATION, { bound: [I.MIN_COOLDOWN, I.MAX_COOLDOWN] }),
  unstakeWindow: inUnit(DURATION, { bound: [I.MIN_WINDOW, I.MAX_WINDOW] }),
  eventCapRatio: inUnit(PERCENT, { bound: [I.MIN_EVENT_CAP_RATIO, ONE] }),
};

/** The whole file, built from the tables (unknown keys are refused everywhere). */
export const parametersSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    local: z.boolean(),
    chainId: z.number().int().positive().optional(),
    governance: z.object(shape(GOVERNANCE)).strict(),
    sequencer: z.object(shape(SEQUENCER)).strict().nullable(),
    cash: z.object(shape(CASH)).strict(),
    feeds: z.record(z.object(shape(FEED)).strict()),
    collateral: z.array(z.object(shape(COLLATERAL)).strict()),
    markets: z
      .array(
        z
          .object({
            name: text,
            base: text,
            oracle: text,
            ...shape(MARKET_RISK),
            ...shape(MARKET_TRADING),
            ...shape(MARKET_SHORTFALL),
            marginTiers: z.array(z.object(shape(MARGIN_TIER)).strict()).optional(),
          })
          .strict(),
      )
      .min(1),
    engine: z.object(shape(ENGINE)).strict(),
    venue: z.object(shape(VENUE)).strict(),
    auction: z.object(shape(AUCTION)).strict(),
    insurance: z.object(shape(INSURANCE)).strict(),
  })
  .strict();

export type NetworkParameters = z.infer<typeof parametersSchema>;

// ------------------------------------------------------------------------------------------ plan (on-chain units)

export interface FeedPlan {
  key: string;
  asset: string; // bytes32
  primary?: string;
  mockDecimals: number;
  mockInitialAnswer: bigint;
  heartbeat: number;
  minPrice: bigint;
  maxPrice: bigint;
  secondary?: string;
  secondaryHeartbeat: number;
  maxDeviation: bigint;
}

export interface TokenPlan {
  symbol: string;
  decimals: number;
  address?: string;
}

export interface CollateralPlan extends TokenPlan {
  oracleAsset: string;
  haircut: bigint;
  depositCap: bigint; // token units
}

export interface MarketPlan {
  name: string;
  oracleAsset: string;
  /** IMarketConfigurator.RiskParams, with the observation interval in seconds as a number. */
  risk: Omit<RiskParams, "minObservationInterval"> & { minObservationInterval: number };
  /** MarketConfigurator.TradingParams: open-interest cap [WAD base], funding-rate cap [WAD per 8 h], fill band [WAD]. */
  trading: { openInterestCap: bigint; maxFundingRatePer8h: bigint; maxFillDeviation: bigint };
  shortfallCap: bigint; // WAD cash
  /** IMarginEngine.MarginTier[]: thresholds [WAD cash], cumulative add-ons [WAD]; empty when the file gives none. */
  marginTiers: { notionalThreshold: bigint; mmrAddOn: bigint; imrAddOn: bigint }[];
}

export interface AuctionPlan {
  /** ILiquidationAuction.AuctionParams, with the durations in seconds and the tip's base fee in gwei as numbers. */
  params: Omit<AuctionParams, "fastDuration" | "slowDuration" | "insolventDuration" | "tipBaseFee"> & {
    tipBaseFee: number;
    fastDuration: number;
    slowDuration: number;
    insolventDuration: number;
  };
  globalShortfallCap: bigint; // WAD cash
}

export interface InsurancePlan {
  name: string;
  symbol: string;
  cooldown: number;
  unstakeWindow: number;
  eventCapRatio: bigint;
}

export interface TimelockPlan {
  /** Addresses or "deployer"; each also becomes a canceller (TimelockController's constructor does that). */
  proposers: string[];
  /** Addresses, "deployer", or the zero address for "anyone". */
  executors: string[];
}

export interface DeploymentPlan {
  local: boolean;
  chainId?: number;
  governance: {
    riskManager: string; // address or "deployer"
    guardian: string;
    timelockDelay: number;
    riskManagerExecutionDelay: number;
    handover: boolean;
    /** Present exactly when `handover` is true. */
    timelock: TimelockPlan | null;
  };
  sequencer: { feed: string; gracePeriod: number } | null;
  cash: TokenPlan & { depositCap: bigint; borrowCap: bigint; baseRatePerYear: bigint; rateSlopePerYear: bigint };
  feeds: FeedPlan[];
  collateral: CollateralPlan[];
  markets: MarketPlan[];
  engine: { maxPriceAge: number };
  venue: { makerFeeRate: bigint; takerFeeRate: bigint };
  auction: AuctionPlan;
  insurance: InsurancePlan;
}

/**
 * A parameter file that cannot be deployed; `issues` lists every problem found, each naming its key. A `UserError`
 * (exit code 2).
 */
export class ParameterError extends UserError {
  constructor(readonly issues: string[]) {
    super(`invalid deployment parameters: ${oneLine(issues)}`);
    this.name = "ParameterError";
  }
}

/** Converts a bytes32 oracle asset key from a feed name ("ETH/USD"). */
export function assetKey(name: string): string {
  return encodeBytes32String(name);
}

// ------------------------------------------------------------------------------------------ conversion and checks

/** The unit fields of a table, in table order. */
function unitFields(table: Table): [string, UnitField<bigint | number, ZodTypeAny>][] {
  return Object.entries(table).filter((e): e is [string, UnitField<bigint | number, ZodTypeAny>] => "unit" in e[1]);
}

/**
 * The conversion of one (schema-valid) file: every issue found so far, in the order found, and the keys whose text
 * could not be read (their stand-in value is not bound-checked, so each such key is reported once).
 */
class Resolution {
  readonly issues: string[] = [];
  readonly local: boolean;
  private readonly unparsed = new Set<string>();
  private readonly cashSymbol: string;
  private readonly feedKeys: Set<string>;

  constructor(p: NetworkParameters) {
    this.local = p.local;
    this.cashSymbol = p.cash.symbol;
    this.feedKeys = new Set(Object.keys(p.feeds));
  }

  issue(message: string): void {
    this.issues.push(message);
  }

  /** Converts the unit fields of `table` that `item` gives (a field left out: its fallback); unreadable text is an issue. */
  read<T extends Table>(table: T, item: object, prefix: string): Values<T> {
    const ctx = { item: item as Record<string, unknown>, cashSymbol: this.cashSymbol };
    const out: Converted = {};
    for (const [name, f] of unitFields(table)) {
      const text = ctx.item[name] as string | undefined;
      out[name] = text ? this.attempt(() => f.unit.parse(`${prefix}.${name}`, text, ctx), f.unit.fallback) : f.unit.fallback;
    }
    return out as Values<T>;
  }

  /** Checks converted `values` against `table`: each field's rule and bound in table order, then each storage width. */
  check<T extends Table>(table: T, values: Values<T>, prefix: string): void {
    const v = values as Converted;
    for (const [name, f] of unitFields(table)) {
      const broken = f.rule?.(v, prefix);
      if (broken) this.issue(broken);
      if (f.bound) this.bound(`${prefix}.${name}`, v[name], typeof f.bound === "function" ? f.bound(v, this.local) : f.bound, f.unit.show);
    }
    for (const [name, f] of unitFields(table)) {
      if (f.belowBits !== undefined && BigInt(v[name]) >= 2n ** BigInt(f.belowBits)) {
        this.issue(`${prefix}.${name}: must be below 2^${f.belowBits} wei`);
      }
    }
  }

  /** `read`, then `check`. */
  resolve<T extends Table>(table: T, item: object, prefix: string): Values<T> {
    const values = this.read(table, item, prefix);
    this.check(table, values, prefix);
    return values;
  }

  /** An issue naming the bound when `value` is outside [lo, hi] (none for a key whose text could not be read). */
  bound(key: string, value: bigint | number, [lo, hi]: Bound, show: (v: bigint | number) => string): void {
    if (this.unparsed.has(key)) return;
    if (BigInt(value) < BigInt(lo) || BigInt(value) > BigInt(hi))
      this.issue(`${key}: ${show(value)} is outside [${show(lo)}, ${show(hi)}]`);
  }

  /** A live network needs a real address where a local one deploys a test token or mock feed. */
  requireAddress(key: string, a: string | undefined): void {
    if (!this.local && !a) this.issue(`${key}: required on a non-local network`);
  }

  /** A market or collateral token must name a feed of the file. */
  needFeed(key: string, name: string): void {
    if (!this.feedKeys.has(name)) this.issue(`${key}: no feed named "${name}" in "feeds"`);
  }

  /** `value` must not be in `seen` yet (and is added). */
  listedOnce(seen: Set<string>, value: string, key: string): void {
    if (seen.has(value)) this.issue(`${key}: "${value}" is listed twice`);
    seen.add(value);
  }

  /** `fn()`, or `fallback` with the error recorded as an issue. */
  private attempt<V>(fn: () => V, fallback: V): V {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UnitError) this.unparsed.add(e.key);
      this.issue(e instanceof UnitError ? e.message : String(e));
      return fallback;
    }
  }
}

// ------------------------------------------------------------------------------------------ sections

/** A governance party: an address (not zero) or "deployer"; a placeholder left in the file is named as such. */
function badParty(r: Resolution, key: string, v: string, allowed: string): boolean {
  if (v.startsWith(PLACEHOLDER)) r.issue(`${key}: "${v}" is a placeholder: replace it with an address`);
  else if (v !== "deployer" && !isAddress(v)) r.issue(`${key}: must be an address or ${allowed}`);
  else if (v !== "deployer" && getAddress(v) === ZeroAddress) r.issue(`${key}: must not be the zero address`);
  else return false;
  return true;
}

/** A timelock party list: each an address, "deployer" (or, for executors, "anyone": the zero address), none twice. */
function parties(r: Resolution, key: string, list: string[], anyone: boolean): string[] {
  const seen = new Set<string>();
  return list.map((v, i) => {
    const k = `governance.timelock.${key}[${i}]`;
    const isAnyone = anyone && v === "anyone";
    if (!isAnyone && badParty(r, k, v, anyone ? '"anyone" or "deployer"' : '"deployer"')) return v;
    const normalised = isAnyone ? ZeroAddress : v === "deployer" ? v : getAddress(v);
    if (seen.has(normalised)) r.issue(`${k}: "${v}" is listed twice`);
    seen.add(normalised);
    return normalised;
  });
}

/** The timelock's proposers and executors: given exactly when governance.handover is true. */
function resolveTimelock(r: Resolution, g: NetworkParameters["governance"]): TimelockPlan | null {
  if (g.handover && !g.timelock) r.issue("governance.timelock: required when governance.handover is true (proposers and executors)");
  if (!g.handover && g.timelock) r.issue("governance.timelock: only used when governance.handover is true");
  if (!g.handover || !g.timelock) return null;
  return {
    proposers: parties(r, "proposers", g.timelock.proposers, false),
    executors: parties(r, "executors", g.timelock.executors, true),
  };
}

/** Role holders, delays and the timelock; at handover the deployer may hold no role. */
function resolveGovernance(r: Resolution, g: NetworkParameters["governance"]): DeploymentPlan["governance"] {
  const delays = r.read(GOVERNANCE, g, "governance");
  for (const who of ["riskManager", "guardian"] as const) {
    if (badParty(r, `governance.${who}`, g[who], '"deployer"')) continue;
    if (g.handover && g[who] === "deployer") {
      r.issue(`governance.${who}: must be an address when governance.handover is true (the deployer gives up every role at handover)`);
    }
  }
  r.check(GOVERNANCE, delays, "governance");
  return { riskManager: g.riskManager, guardian: g.guardian, ...delays, handover: g.handover, timelock: resolveTimelock(r, g) };
}

/** A secondary feed needs its heartbeat and maximum deviation; without one, neither may be given. */
function checkSecondary(r: Resolution, k: string, f: NetworkParameters["feeds"][string], v: Values<typeof FEED>): void {
  if (f.secondary) {
    if (!f.secondaryHeartbeat) r.issue(`${k}.secondaryHeartbeat: required with a secondary feed`);
    else r.bound(`${k}.secondaryHeartbeat`, v.secondaryHeartbeat, SECONDARY_BOUNDS.heartbeat, DURATION.show);
    if (!f.maxDeviation) r.issue(`${k}.maxDeviation: required with a secondary feed`);
    else r.bound(`${k}.maxDeviation`, v.maxDeviation, SECONDARY_BOUNDS.maxDeviation, PERCENT.show);
  } else if (f.secondaryHeartbeat || f.maxDeviation) {
    r.issue(`${k}: secondaryHeartbeat/maxDeviation given without a secondary feed`);
  }
}

/** One price feed: a real address on live networks, a mock's decimals and first answer on local ones. */
function resolveFeed(r: Resolution, key: string, f: NetworkParameters["feeds"][string]): FeedPlan {
  const k = `feeds.${key}`;
  r.requireAddress(`${k}.primary`, f.primary);
  if (r.local && !f.primary && (f.decimals === undefined || f.initialPrice === undefined)) {
    r.issue(`${k}: a local mock feed needs "decimals" and "initialPrice"`);
  }
  const v = r.resolve(FEED, f, k);
  checkSecondary(r, k, f, v);
  return {
    key,
    asset: assetKey(key),
    primary: f.primary,
    mockDecimals: f.decimals ?? 8,
    mockInitialAnswer: v.initialPrice,
    heartbeat: v.heartbeat,
    minPrice: v.minPrice,
    maxPrice: v.maxPrice,
    secondary: f.secondary,
    secondaryHeartbeat: v.secondaryHeartbeat,
    maxDeviation: v.maxDeviation,
  };
}

/** The collateral tokens: at most the vault's maximum, symbols distinct from each other and from cash. */
function resolveCollateral(r: Resolution, p: NetworkParameters): CollateralPlan[] {
  if (p.collateral.length > VAULT_BOUNDS.MAX_TOKENS) r.issue(`collateral: at most ${VAULT_BOUNDS.MAX_TOKENS} tokens`);
  const symbols = new Set<string>([p.cash.symbol]);
  return p.collateral.map((c, i) => {
    const k = `collateral[${i}](${c.symbol})`;
    r.listedOnce(symbols, c.symbol, `${k}.symbol`);
    r.requireAddress(`${k}.address`, c.address);
    r.needFeed(`${k}.oracle`, c.oracle);
    return { symbol: c.symbol, decimals: c.decimals, address: c.address, oracleAsset: assetKey(c.oracle), ...r.resolve(COLLATERAL, c, k) };
  });
}

/** One market: a distinct name, an existing feed, its risk and trading parameters, and its shortfall cap. */
function resolveMarket(r: Resolution, m: NetworkParameters["markets"][number], i: number, names: Set<string>): MarketPlan {
  const k = `markets[${i}](${m.name})`;
  r.listedOnce(names, m.name, `${k}.name`);
  r.needFeed(`${k}.oracle`, m.oracle);
  const v = r.read(MARKET_RISK, m, k);
  const t = r.read(MARKET_TRADING, m, k);
  r.check(MARKET_RISK, v, k);
  r.check(MARKET_TRADING, t, k);
  const risk = {
    mmrBase: v.mmr,
    imrBase: v.imr,
    mmrFloor: v.mmrFloor,
    mmrCap: v.mmrCap,
    volMultiplier: v.volMultiplier,
    volReference: v.volReference,
    volDecay: v.volDecay,
    minObservationInterval: v.observationInterval,
    maxRatioStepPerHour: v.maxRatioStepPerHour,
    imrSizeFactor: v.imrSizeFactor,
  };
  const trading = { openInterestCap: t.openInterestCap, maxFundingRatePer8h: t.maxFundingRate, maxFillDeviation: t.maxFillDeviation };
  const marginTiers = resolveMarginTiers(r, m.marginTiers ?? [], k);
  return { name: m.name, oracleAsset: assetKey(m.oracle), risk, trading, ...r.resolve(MARKET_SHORTFALL, m, k), marginTiers };
}

/**
 * A market's margin tiers as the engine bounds them (EngineMarketListing.setTiers): at most MAX_MARGIN_TIERS,
 * thresholds strictly increasing, add-ons non-decreasing, each imr add-on at least its mmr add-on.
 */
function resolveMarginTiers(
  r: Resolution,
  tiers: NonNullable<NetworkParameters["markets"][number]["marginTiers"]>,
  k: string,
): MarketPlan["marginTiers"] {
  if (tiers.length > R.MAX_MARGIN_TIERS) r.issue(`${k}.marginTiers: at most ${R.MAX_MARGIN_TIERS} tiers`);
  const out = tiers.map((t, j) => {
    const v = r.resolve(MARGIN_TIER, t, `${k}.marginTiers[${j}]`);
    return { notionalThreshold: v.notional, mmrAddOn: v.mmrAddOn, imrAddOn: v.imrAddOn };
  });
  out.forEach((t, j) => {
    if (j === 0) return;
    const p = out[j - 1];
    const kj = `${k}.marginTiers[${j}]`;
    if (t.notionalThreshold <= p.notionalThreshold)
      r.issue(`${kj}.notional: must be above the previous tier's ${formatWad(p.notionalThreshold)}`);
    if (t.mmrAddOn < p.mmrAddOn) r.issue(`${kj}.mmrAddOn: ${pct(t.mmrAddOn)} must be at least the previous tier's ${pct(p.mmrAddOn)}`);
    if (t.imrAddOn < p.imrAddOn) r.issue(`${kj}.imrAddOn: ${pct(t.imrAddOn)} must be at least the previous tier's ${pct(p.imrAddOn)}`);
  });
  return out;
}

/** The markets: at most the engine's maximum, names distinct. */
function resolveMarkets(r: Resolution, p: NetworkParameters): MarketPlan[] {
  if (p.markets.length > ENGINE_BOUNDS.MAX_MARKETS) r.issue(`markets: at most ${ENGINE_BOUNDS.MAX_MARKETS}`);
  const names = new Set<string>();
  return p.markets.map((m, i) => resolveMarket(r, m, i, names));
}

/**
 * Validates `raw` (a parsed JSON parameter file) and converts it to on-chain units.
 * @throws ParameterError listing every problem (key and bound) found: the schema's alone when the file does not
 *   have its shape, otherwise every unit, bound and reference problem, section by section in file order.
 */
export function resolveParameters(raw: unknown): DeploymentPlan {
  const parsed = parametersSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ParameterError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const p = parsed.data;
  const r = new Resolution(p);
  const governance = resolveGovernance(r, p.governance);
  if (!p.local && p.chainId === undefined) r.issue("chainId: required on a non-local network (the deploy refuses any other chain)");
  const sequencer = p.sequencer ? { feed: p.sequencer.feed, ...r.resolve(SEQUENCER, p.sequencer, "sequencer") } : null;
  const feeds = Object.entries(p.feeds).map(([key, f]) => resolveFeed(r, key, f));
  r.requireAddress("cash.address", p.cash.address);
  const cash = { symbol: p.cash.symbol, decimals: p.cash.decimals, address: p.cash.address, ...r.resolve(CASH, p.cash, "cash") };
  const collateral = resolveCollateral(r, p);
  const markets = resolveMarkets(r, p);
  const engine = r.resolve(ENGINE, p.engine, "engine");
  const fees = r.resolve(VENUE, p.venue, "venue");
  const { globalShortfallCap, ...auctionParams } = r.resolve(AUCTION, p.auction, "auction");
  const insurance = { name: p.insurance.name, symbol: p.insurance.symbol, ...r.resolve(INSURANCE, p.insurance, "insurance") };
  if (r.issues.length > 0) throw new ParameterError(r.issues);
  const venue = { makerFeeRate: fees.makerFee, takerFeeRate: fees.takerFee };
  const auction = { params: auctionParams, globalShortfallCap };
  return { local: p.local, chainId: p.chainId, governance, sequencer, cash, feeds, collateral, markets, engine, venue, auction, insurance };
}
