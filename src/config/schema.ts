/**
 * Deployment parameter files (`deploy/parameters/<network>.json`): their schema in human units, and their
 * conversion into a `DeploymentPlan` of on-chain integers.
 *
 * `resolveParameters` rejects, before any transaction: unknown keys, missing required values, malformed units,
 * values outside the contracts' hard bounds (naming the key and the bound), IMR <= MMR, markets or collateral
 * that name a feed that does not exist, and non-local networks without real addresses.
 */
import { z } from "zod";
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

// ------------------------------------------------------------------------------------------ schema (human units)

const address = z.string().refine((s) => isAddress(s), { message: "must be a 0x address" });
const text = z.string().min(1);
/** Where an address comes from (a documentation page, a registry file): kept with the address for reviewers. */
const source = z.string().min(1).optional();

const feedSchema = z
  .object({
    primary: address.optional(),
    decimals: z.number().int().min(0).max(18).optional(),
    initialPrice: text.optional(),
    heartbeat: text,
    minPrice: text,
    maxPrice: text,
    secondary: address.optional(),
    secondaryHeartbeat: text.optional(),
    maxDeviation: text.optional(),
    source,
  })
  .strict();

const cashSchema = z
  .object({
    symbol: text,
    decimals: z.number().int().min(0).max(18),
    address: address.optional(),
    depositCap: text,
    borrowCap: text,
    baseRatePerYear: text,
    rateSlopePerYear: text,
    source,
  })
  .strict();

const collateralSchema = z
  .object({
    symbol: text,
    decimals: z.number().int().min(0).max(18),
    address: address.optional(),
    oracle: text,
    haircut: text,
    depositCap: text,
    source,
  })
  .strict();

const marketSchema = z
  .object({
    name: text,
    base: text,
    oracle: text,
    mmr: text,
    imr: text,
    mmrFloor: text,
    mmrCap: text,
    volMultiplier: text,
    volReference: text,
    volDecay: text,
    observationInterval: text,
    maxRatioStepPerHour: text,
    imrSizeFactor: text,
    openInterestCap: text,
    maxFundingRate: text,
    maxFillDeviation: text,
    shortfallCap: text,
  })
  .strict();

const auctionSchema = z
  .object({
    startPrice: text,
    fastPrice: text,
    floorPrice: text,
    fastDuration: text,
    slowDuration: text,
    insolventDuration: text,
    insolventBonus: text,
    bufferRatio: text,
    penaltyRate: text,
    insuranceShare: text,
    tipRate: text,
    flatTip: text,
    dustMargin: text,
    globalShortfallCap: text,
  })
  .strict();

const insuranceSchema = z
  .object({
    name: text,
    symbol: text,
    cooldown: text,
    unstakeWindow: text,
    eventCapRatio: text,
  })
  .strict();

const governanceSchema = z
  .object({
    riskManager: text,
    guardian: text,
    timelockDelay: text,
    riskManagerExecutionDelay: text,
    handover: z.boolean(),
    timelock: z
      .object({
        proposers: z.array(text).min(1),
        executors: z.array(text).min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export const parametersSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    local: z.boolean(),
    chainId: z.number().int().positive().optional(),
    governance: governanceSchema,
    sequencer: z.object({ feed: address, gracePeriod: text, source }).strict().nullable(),
    cash: cashSchema,
    feeds: z.record(feedSchema),
    collateral: z.array(collateralSchema),
    markets: z.array(marketSchema).min(1),
    engine: z.object({ maxPriceAge: text }).strict(),
    venue: z.object({ makerFee: text, takerFee: text }).strict(),
    auction: auctionSchema,
    insurance: insuranceSchema,
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
  risk: {
    mmrBase: bigint;
    imrBase: bigint;
    mmrFloor: bigint;
    mmrCap: bigint;
    volMultiplier: bigint;
    volReference: bigint;
    volDecay: bigint;
    minObservationInterval: number;
    maxRatioStepPerHour: bigint;
    imrSizeFactor: bigint;
  };
  trading: { openInterestCap: bigint; maxFundingRate: bigint; maxFillDeviation: bigint };
  shortfallCap: bigint; // WAD cash
}

export interface AuctionPlan {
  params: {
    startPrice: bigint;
    fastPrice: bigint;
    floorPrice: bigint;
    fastDuration: number;
    slowDuration: number;
    insolventDuration: number;
    insolventBonus: bigint;
    bufferRatio: bigint;
    penaltyRate: bigint;
    insuranceShare: bigint;
    tipRate: bigint;
    flatTip: bigint;
    dustMargin: bigint;
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
 * Governance bounds of this deployment tooling (not on-chain constants: TimelockController and AccessManager accept
 * any delay). A live network's timelock must give holders at least an hour to react to a queued admin action.
 */
/** Parameter files committed for live networks mark the addresses a deployer must fill in with this prefix. */
export const PLACEHOLDER = "SET-ME";

export const GOVERNANCE_POLICY = {
  MIN_LIVE_TIMELOCK_DELAY: 3600,
  MAX_TIMELOCK_DELAY: 30 * 86400,
  MAX_EXECUTION_DELAY: 30 * 86400,
} as const;

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

/**
 * Validates `raw` (a parsed JSON parameter file) and converts it to on-chain units.
 * @throws ParameterError listing every problem (key and bound) found.
 */
export function resolveParameters(raw: unknown): DeploymentPlan {
  const parsed = parametersSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ParameterError(parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`));
  }
  const p = parsed.data;
  const issues: string[] = [];
  const unparsed = new Set<string>(); // keys whose value could not be read: no bound check on their fallback
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UnitError) unparsed.add(e.key);
      issues.push(e instanceof UnitError ? e.message : String(e));
      return fallback;
    }
  };
  const bound = (
    key: string,
    value: bigint | number,
    lo: bigint | number,
    hi: bigint | number,
    show: (v: bigint | number) => string = String,
  ) => {
    if (unparsed.has(key)) return;
    if (BigInt(value) < BigInt(lo) || BigInt(value) > BigInt(hi)) {
      issues.push(`${key}: ${show(value)} is outside [${show(lo)}, ${show(hi)}]`);
    }
  };
  const pct = (v: bigint | number) => `${Number(BigInt(v)) / 1e16}%`;
  const dur = (v: bigint | number) => formatDuration(v);
  const wad = (v: bigint | number) => formatWad(BigInt(v));
  const requireAddress = (key: string, a: string | undefined) => {
    if (!p.local && !a) issues.push(`${key}: required on a non-local network`);
  };

  const governance = {
    riskManager: p.governance.riskManager,
    guardian: p.governance.guardian,
    timelockDelay: attempt(() => parseDuration("governance.timelockDelay", p.governance.timelockDelay), 0),
    riskManagerExecutionDelay: attempt(
      () => parseDuration("governance.riskManagerExecutionDelay", p.governance.riskManagerExecutionDelay),
      0,
    ),
    handover: p.governance.handover,
    timelock: null as TimelockPlan | null,
  };
  /** A governance party: an address (not zero) or "deployer"; placeholders left in a file are named as such. */
  const badParty = (key: string, v: string, allowed: string): boolean => {
    if (v.startsWith(PLACEHOLDER)) issues.push(`${key}: "${v}" is a placeholder: replace it with an address`);
    else if (v !== "deployer" && !isAddress(v)) issues.push(`${key}: must be an address or ${allowed}`);
    else if (v !== "deployer" && getAddress(v) === ZeroAddress) issues.push(`${key}: must not be the zero address`);
    else return false;
    return true;
  };
  for (const who of ["riskManager", "guardian"] as const) {
    const v = p.governance[who];
    if (badParty(`governance.${who}`, v, '"deployer"')) continue;
    else if (p.governance.handover && v === "deployer") {
      issues.push(`governance.${who}: must be an address when governance.handover is true (the deployer gives up every role at handover)`);
    }
  }
  const G = GOVERNANCE_POLICY;
  bound(
    "governance.timelockDelay",
    governance.timelockDelay,
    p.local ? 0 : G.MIN_LIVE_TIMELOCK_DELAY,
    G.MAX_TIMELOCK_DELAY,
    formatDuration,
  );
  bound("governance.riskManagerExecutionDelay", governance.riskManagerExecutionDelay, 0, G.MAX_EXECUTION_DELAY, formatDuration);
  if (p.governance.handover && !p.governance.timelock) {
    issues.push("governance.timelock: required when governance.handover is true (proposers and executors)");
  }
  if (!p.governance.handover && p.governance.timelock) {
    issues.push("governance.timelock: only used when governance.handover is true");
  }
  if (p.governance.handover && p.governance.timelock) {
    const t = p.governance.timelock;
    const parties = (key: string, list: string[], anyone: boolean) => {
      const seen = new Set<string>();
      return list.map((v, i) => {
        const k = `governance.timelock.${key}[${i}]`;
        const isAnyone = anyone && v === "anyone";
        if (!isAnyone && badParty(k, v, anyone ? '"anyone" or "deployer"' : '"deployer"')) return v;
        const normalised = isAnyone ? ZeroAddress : v === "deployer" ? v : getAddress(v);
        if (seen.has(normalised)) issues.push(`${k}: "${v}" is listed twice`);
        seen.add(normalised);
        return normalised;
      });
    };
    governance.timelock = { proposers: parties("proposers", t.proposers, false), executors: parties("executors", t.executors, true) };
  }
  if (!p.local && p.chainId === undefined) issues.push("chainId: required on a non-local network (the deploy refuses any other chain)");

  const sequencer = p.sequencer
    ? { feed: p.sequencer.feed, gracePeriod: attempt(() => parseDuration("sequencer.gracePeriod", p.sequencer!.gracePeriod), 0) }
    : null;
  if (sequencer) bound("sequencer.gracePeriod", sequencer.gracePeriod, 0, ORACLE_BOUNDS.MAX_SEQUENCER_GRACE_PERIOD, dur);

  const feeds: FeedPlan[] = Object.entries(p.feeds).map(([key, f]) => {
    const k = `feeds.${key}`;
    requireAddress(`${k}.primary`, f.primary);
    if (p.local && !f.primary && (f.decimals === undefined || f.initialPrice === undefined)) {
      issues.push(`${k}: a local mock feed needs "decimals" and "initialPrice"`);
    }
    const plan: FeedPlan = {
      key,
      asset: assetKey(key),
      primary: f.primary,
      mockDecimals: f.decimals ?? 8,
      mockInitialAnswer: f.initialPrice ? attempt(() => parseDecimal(`${k}.initialPrice`, f.initialPrice!, f.decimals ?? 8), 0n) : 0n,
      heartbeat: attempt(() => parseDuration(`${k}.heartbeat`, f.heartbeat), 0),
      minPrice: attempt(() => parsePrice(`${k}.minPrice`, f.minPrice), 0n),
      maxPrice: attempt(() => parsePrice(`${k}.maxPrice`, f.maxPrice), 0n),
      secondary: f.secondary,
      secondaryHeartbeat: f.secondaryHeartbeat ? attempt(() => parseDuration(`${k}.secondaryHeartbeat`, f.secondaryHeartbeat!), 0) : 0,
      maxDeviation: f.maxDeviation ? attempt(() => parsePercent(`${k}.maxDeviation`, f.maxDeviation!), 0n) : 0n,
    };
    bound(`${k}.heartbeat`, plan.heartbeat, ORACLE_BOUNDS.MIN_HEARTBEAT, ORACLE_BOUNDS.MAX_HEARTBEAT, dur);
    if (plan.minPrice === 0n || plan.minPrice >= plan.maxPrice) issues.push(`${k}: minPrice must be > 0 and < maxPrice`);
    if (plan.maxPrice >= 2n ** 96n) issues.push(`${k}.maxPrice: must be below 2^96 wei`);
    if (f.secondary) {
      if (!f.secondaryHeartbeat) issues.push(`${k}.secondaryHeartbeat: required with a secondary feed`);
      else bound(`${k}.secondaryHeartbeat`, plan.secondaryHeartbeat, ORACLE_BOUNDS.MIN_HEARTBEAT, ORACLE_BOUNDS.MAX_HEARTBEAT, dur);
      if (!f.maxDeviation) issues.push(`${k}.maxDeviation: required with a secondary feed`);
      else bound(`${k}.maxDeviation`, plan.maxDeviation, 1n, ORACLE_BOUNDS.MAX_DEVIATION, pct);
    } else if (f.secondaryHeartbeat || f.maxDeviation) {
      issues.push(`${k}: secondaryHeartbeat/maxDeviation given without a secondary feed`);
    }
    return plan;
  });
  const feedKeys = new Set(Object.keys(p.feeds));
  const needFeed = (key: string, name: string) => {
    if (!feedKeys.has(name)) issues.push(`${key}: no feed named "${name}" in "feeds"`);
  };

  requireAddress("cash.address", p.cash.address);
  const cash = {
    symbol: p.cash.symbol,
    decimals: p.cash.decimals,
    address: p.cash.address,
    depositCap: attempt(() => parseTokenAmount("cash.depositCap", p.cash.depositCap, p.cash.symbol, p.cash.decimals), 0n),
    borrowCap: attempt(() => parseTokenAmount("cash.borrowCap", p.cash.borrowCap, p.cash.symbol, 18), 0n),
    baseRatePerYear: attempt(() => parsePercent("cash.baseRatePerYear", p.cash.baseRatePerYear), 0n),
    rateSlopePerYear: attempt(() => parsePercent("cash.rateSlopePerYear", p.cash.rateSlopePerYear), 0n),
  };
  bound("cash.baseRatePerYear", cash.baseRatePerYear, 0n, VAULT_BOUNDS.MAX_BASE_RATE_PER_YEAR, pct);
  bound("cash.rateSlopePerYear", cash.rateSlopePerYear, 0n, VAULT_BOUNDS.MAX_RATE_SLOPE_PER_YEAR, pct);
  if (cash.borrowCap >= 2n ** 128n) issues.push("cash.borrowCap: must be below 2^128 wei");

  if (p.collateral.length > VAULT_BOUNDS.MAX_TOKENS) issues.push(`collateral: at most ${VAULT_BOUNDS.MAX_TOKENS} tokens`);
  const symbols = new Set<string>([p.cash.symbol]);
  const collateral: CollateralPlan[] = p.collateral.map((c, i) => {
    const k = `collateral[${i}](${c.symbol})`;
    if (symbols.has(c.symbol)) issues.push(`${k}.symbol: "${c.symbol}" is listed twice`);
    symbols.add(c.symbol);
    requireAddress(`${k}.address`, c.address);
    needFeed(`${k}.oracle`, c.oracle);
    const plan: CollateralPlan = {
      symbol: c.symbol,
      decimals: c.decimals,
      address: c.address,
      oracleAsset: assetKey(c.oracle),
      haircut: attempt(() => parsePercent(`${k}.haircut`, c.haircut), 0n),
      depositCap: attempt(() => parseTokenAmount(`${k}.depositCap`, c.depositCap, c.symbol, c.decimals), 0n),
    };
    bound(`${k}.haircut`, plan.haircut, 0n, VAULT_BOUNDS.MAX_HAIRCUT, pct);
    return plan;
  });

  if (p.markets.length > ENGINE_BOUNDS.MAX_MARKETS) issues.push(`markets: at most ${ENGINE_BOUNDS.MAX_MARKETS}`);
  const names = new Set<string>();
  const markets: MarketPlan[] = p.markets.map((m, i) => {
    const k = `markets[${i}](${m.name})`;
    if (names.has(m.name)) issues.push(`${k}.name: "${m.name}" is listed twice`);
    names.add(m.name);
    needFeed(`${k}.oracle`, m.oracle);
    const risk = {
      mmrBase: attempt(() => parsePercent(`${k}.mmr`, m.mmr), 0n),
      imrBase: attempt(() => parsePercent(`${k}.imr`, m.imr), 0n),
      mmrFloor: attempt(() => parsePercent(`${k}.mmrFloor`, m.mmrFloor), 0n),
      mmrCap: attempt(() => parsePercent(`${k}.mmrCap`, m.mmrCap), 0n),
      volMultiplier: attempt(() => parseRatio(`${k}.volMultiplier`, m.volMultiplier), 0n),
      volReference: attempt(() => parsePercent(`${k}.volReference`, m.volReference), 0n),
      volDecay: attempt(() => parseRatio(`${k}.volDecay`, m.volDecay), 0n),
      minObservationInterval: attempt(() => parseDuration(`${k}.observationInterval`, m.observationInterval), 0),
      maxRatioStepPerHour: attempt(() => parsePercent(`${k}.maxRatioStepPerHour`, m.maxRatioStepPerHour), 0n),
      imrSizeFactor: attempt(() => parsePercent(`${k}.imrSizeFactor`, m.imrSizeFactor), 0n),
    };
    const trading = {
      openInterestCap: attempt(() => parseTokenAmount(`${k}.openInterestCap`, m.openInterestCap, m.base, 18), 0n),
      maxFundingRate: attempt(() => parsePercent(`${k}.maxFundingRate`, m.maxFundingRate), 0n),
      maxFillDeviation: attempt(() => parsePercent(`${k}.maxFillDeviation`, m.maxFillDeviation), 0n),
    };
    const B = RISK_BOUNDS;
    bound(`${k}.mmr`, risk.mmrBase, B.MIN_MMR, B.MAX_MMR, pct);
    if (risk.imrBase <= risk.mmrBase) issues.push(`${k}.imr: ${pct(risk.imrBase)} must be greater than mmr ${pct(risk.mmrBase)}`);
    bound(`${k}.imr`, risk.imrBase, B.MIN_MMR, B.MAX_IMR, pct);
    bound(`${k}.mmrFloor`, risk.mmrFloor, B.MIN_MMR, risk.mmrBase, pct);
    bound(`${k}.mmrCap`, risk.mmrCap, risk.mmrBase, B.MAX_MMR, pct);
    bound(`${k}.volMultiplier`, risk.volMultiplier, 0n, B.MAX_VOL_MULTIPLIER, wad);
    bound(`${k}.volReference`, risk.volReference, 0n, B.MAX_VOL_REFERENCE, pct);
    bound(`${k}.volDecay`, risk.volDecay, B.MIN_VOL_DECAY, B.MAX_VOL_DECAY, wad);
    bound(`${k}.observationInterval`, risk.minObservationInterval, B.MIN_OBSERVATION_INTERVAL, B.MAX_OBSERVATION_INTERVAL, dur);
    bound(`${k}.maxRatioStepPerHour`, risk.maxRatioStepPerHour, B.MIN_RATIO_STEP_PER_HOUR, B.MAX_RATIO_STEP_PER_HOUR, pct);
    bound(`${k}.imrSizeFactor`, risk.imrSizeFactor, 0n, B.MAX_IMR_SIZE_FACTOR, pct);
    bound(`${k}.openInterestCap`, trading.openInterestCap, 1n, 2n ** 112n - 1n, wad);
    bound(`${k}.maxFundingRate`, trading.maxFundingRate, B.MIN_FUNDING_RATE_CAP, B.MAX_FUNDING_RATE_CAP, pct);
    bound(`${k}.maxFillDeviation`, trading.maxFillDeviation, B.MIN_FILL_DEVIATION, B.MAX_FILL_DEVIATION, pct);
    const shortfallCap = attempt(() => parseTokenAmount(`${k}.shortfallCap`, m.shortfallCap, p.cash.symbol, 18), 0n);
    if (shortfallCap >= 2n ** 128n) issues.push(`${k}.shortfallCap: must be below 2^128 wei`);
    return { name: m.name, oracleAsset: assetKey(m.oracle), risk, trading, shortfallCap };
  });

  const engine = { maxPriceAge: attempt(() => parseDuration("engine.maxPriceAge", p.engine.maxPriceAge), 0) };
  bound("engine.maxPriceAge", engine.maxPriceAge, 0, ENGINE_BOUNDS.MAX_PRICE_AGE_LIMIT, dur);
  const venue = {
    makerFeeRate: attempt(() => parsePercent("venue.makerFee", p.venue.makerFee), 0n),
    takerFeeRate: attempt(() => parsePercent("venue.takerFee", p.venue.takerFee), 0n),
  };
  bound("venue.makerFee", venue.makerFeeRate, 0n, VENUE_BOUNDS.MAX_FEE_RATE, pct);
  bound("venue.takerFee", venue.takerFeeRate, 0n, VENUE_BOUNDS.MAX_FEE_RATE, pct);

  const a = p.auction;
  const A = AUCTION_BOUNDS;
  const auction: AuctionPlan = {
    params: {
      startPrice: attempt(() => parsePercent("auction.startPrice", a.startPrice), 0n),
      fastPrice: attempt(() => parsePercent("auction.fastPrice", a.fastPrice), 0n),
      floorPrice: attempt(() => parsePercent("auction.floorPrice", a.floorPrice), 0n),
      fastDuration: attempt(() => parseDuration("auction.fastDuration", a.fastDuration), 0),
      slowDuration: attempt(() => parseDuration("auction.slowDuration", a.slowDuration), 0),
      insolventDuration: attempt(() => parseDuration("auction.insolventDuration", a.insolventDuration), 0),
      insolventBonus: attempt(() => parsePercent("auction.insolventBonus", a.insolventBonus), 0n),
      bufferRatio: attempt(() => parsePercent("auction.bufferRatio", a.bufferRatio), 0n),
      penaltyRate: attempt(() => parsePercent("auction.penaltyRate", a.penaltyRate), 0n),
      insuranceShare: attempt(() => parsePercent("auction.insuranceShare", a.insuranceShare), 0n),
      tipRate: attempt(() => parsePercent("auction.tipRate", a.tipRate), 0n),
      flatTip: attempt(() => parseTokenAmount("auction.flatTip", a.flatTip, p.cash.symbol, 18), 0n),
      dustMargin: attempt(() => parseTokenAmount("auction.dustMargin", a.dustMargin, p.cash.symbol, 18), 0n),
    },
    globalShortfallCap: attempt(() => parseTokenAmount("auction.globalShortfallCap", a.globalShortfallCap, p.cash.symbol, 18), 0n),
  };
  const ap = auction.params;
  bound("auction.startPrice", ap.startPrice, A.MIN_START_PRICE, 10n ** 18n, pct);
  bound("auction.fastPrice", ap.fastPrice, A.MIN_FLOOR_PRICE, ap.startPrice, pct);
  bound("auction.floorPrice", ap.floorPrice, A.MIN_FLOOR_PRICE, ap.fastPrice, pct);
  bound("auction.fastDuration", ap.fastDuration, A.MIN_DURATION, A.MAX_DURATION, dur);
  bound("auction.slowDuration", ap.slowDuration, A.MIN_DURATION, A.MAX_DURATION, dur);
  bound("auction.insolventDuration", ap.insolventDuration, A.MIN_DURATION, A.MAX_DURATION, dur);
  bound("auction.insolventBonus", ap.insolventBonus, 0n, A.MAX_INSOLVENT_BONUS, pct);
  bound("auction.bufferRatio", ap.bufferRatio, 0n, A.MAX_BUFFER_RATIO, pct);
  bound("auction.penaltyRate", ap.penaltyRate, 0n, A.MAX_PENALTY_RATE, pct);
  bound("auction.insuranceShare", ap.insuranceShare, 0n, 10n ** 18n, pct);
  bound("auction.tipRate", ap.tipRate, 0n, A.MAX_TIP_RATE, pct);
  bound("auction.flatTip", ap.flatTip, 0n, A.MAX_FLAT_TIP, wad);
  bound("auction.dustMargin", ap.dustMargin, 0n, A.MAX_DUST_MARGIN, wad);
  if (auction.globalShortfallCap >= 2n ** 104n) issues.push("auction.globalShortfallCap: must be below 2^104 wei");

  const ins = p.insurance;
  const insurance: InsurancePlan = {
    name: ins.name,
    symbol: ins.symbol,
    cooldown: attempt(() => parseDuration("insurance.cooldown", ins.cooldown), 0),
    unstakeWindow: attempt(() => parseDuration("insurance.unstakeWindow", ins.unstakeWindow), 0),
    eventCapRatio: attempt(() => parsePercent("insurance.eventCapRatio", ins.eventCapRatio), 0n),
  };
  bound("insurance.cooldown", insurance.cooldown, INSURANCE_BOUNDS.MIN_COOLDOWN, INSURANCE_BOUNDS.MAX_COOLDOWN, dur);
  bound("insurance.unstakeWindow", insurance.unstakeWindow, INSURANCE_BOUNDS.MIN_WINDOW, INSURANCE_BOUNDS.MAX_WINDOW, dur);
  bound("insurance.eventCapRatio", insurance.eventCapRatio, INSURANCE_BOUNDS.MIN_EVENT_CAP_RATIO, 10n ** 18n, pct);

  if (issues.length > 0) throw new ParameterError(issues);
  return { local: p.local, chainId: p.chainId, governance, sequencer, cash, feeds, collateral, markets, engine, venue, auction, insurance };
}
