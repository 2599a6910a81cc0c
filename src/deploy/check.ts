/**
 * Post-deploy verification: reads the chain and compares every parameter, role, delay, feed and wiring of a Ballast
 * deployment against its parameter file (resolved plan) and its Ignition journal (addresses, deployer).
 *
 * The checks are a table: each `Check` names one row the way a reviewer would look for it ("markets[0](ETH-PERP).imr",
 * "roles.ADMIN.members", "wiring.vault.engine") with the value the plan or journal implies and how to read the value
 * on chain; `CHECK_GROUPS` lists them by what they check (journal, chain, code, wiring, feeds, vault, markets,
 * parameters, access, roles, timelock) and `checkDeployment` evaluates them in that order into `CheckRow`s.
 * `check-deployment` prints the rows and fails on any mismatch. Set membership (role holders, feeds, venues,
 * role-function mappings) is rebuilt from the contracts' events since the deployment's first block, so an extra
 * holder or an extra mapping is reported, not only a missing one.
 */
import { Interface, ZeroAddress, getAddress, getCreateAddress, type Provider } from "ethers";
import type { DeploymentPlan, FeedPlan, CollateralPlan, MarketPlan } from "../config/schema";
import { formatDuration, formatPercent, formatWad } from "../config/units";
import { samePair } from "./preflight";
import { ADMIN_FUNCTIONS, FUNCTION_ROLES, ROLE, type RestrictedContract, type RoleName } from "./roles";
import type { DeploymentRecord } from "./journal";
import { connectEngine } from "../contracts/engine";
import {
  AccessManager__factory,
  AggregatorV3Interface__factory,
  CollateralVault__factory,
  IERC20Metadata__factory,
  InsuranceFund__factory,
  LiquidationAuction__factory,
  MarginEngine__factory,
  MarginEngineViews__factory,
  MarginEngineDeleveraging__factory,
  MarketConfigurator__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  RiskLens__factory,
  AuctionStarter__factory,
  TimelockController__factory,
} from "../../typechain-types";

export interface CheckRow {
  /** The parameter or property checked, named like the parameter file's keys where there is one. */
  item: string;
  expected: string;
  actual: string;
  ok: boolean;
}

/** Compiled runtime code of a contract, for comparing with what is on chain (immutables are masked). */
export type CodeMatcher = (contractName: string, onchainCode: string, address: string) => Promise<boolean>;

export interface CheckInput {
  provider: Provider;
  plan: DeploymentPlan;
  deployment: DeploymentRecord;
  /** Compares on-chain code with this checkout's artifacts; skipped when absent. */
  codeMatches?: CodeMatcher;
}

// ------------------------------------------------------------------------------------------ the table's vocabulary

/** A value of a check: given, or read (from the chain) when the check is evaluated. */
type Value<T> = T | (() => T | Promise<T>);

/** One row of the table: its name, the value the plan or journal implies, and the value on chain. */
interface Check<T> {
  item: string;
  expected: Value<T>;
  actual: Value<T>;
  /** How both values print (default `String`). */
  show?: (v: T) => string;
  /** Whether the values agree (default `===`). */
  same?: (expected: T, actual: T) => boolean;
}

/** A list of checks of any value types (each check's own `T` is fixed where it is built). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Checks = Check<any>[];

/** A check comparing with `===`, printed with `show`. */
function eq<T>(item: string, expected: Value<T>, actual: Value<T>, show?: (v: T) => string): Check<T> {
  return { item, expected, actual, show };
}

/** A function that reads once however often it is called (one RPC call for a struct several rows compare). */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= read());
}

/** A reader of one field of a struct (or named result) read by `read`. */
function field<S, K extends keyof S>(read: () => Promise<S>, key: K): () => Promise<S[K]> {
  return async () => (await read())[key];
}

/** Evaluates `check` into its row: expected first, then actual. */
async function evaluate<T>(check: Check<T>): Promise<CheckRow> {
  const value = async (v: Value<T>) => (typeof v === "function" ? await (v as () => T | Promise<T>)() : v);
  const expected = await value(check.expected);
  const actual = await value(check.actual);
  const show = check.show ?? String;
  const same = check.same ?? ((x: T, y: T) => x === y);
  return { item: check.item, expected: show(expected), actual: show(actual), ok: same(expected, actual) };
}

const CORE = [
  "AccessManager",
  "OracleRouter",
  "CollateralVault",
  "VaultAdmin",
  "MarginEngine",
  "EngineMarketListing",
  "EngineAccounts",
  "MarketConfigurator",
  "InsuranceFund",
  "OrderSettlement",
  "LiquidationAuction",
  "AuctionGovernance",
  "AuctionLifecycle",
  "RiskLens",
  "AuctionStarter",
];

const futureId = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
const addr = (a: string) => (a === "" ? a : getAddress(a));
const showAddress = (a: string) => (a === ZeroAddress ? "0x0 (none)" : a);
const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
const showSet = (s: string[]) => (s.length === 0 ? "(none)" : [...s].sort().join(", "));
const hex = (v: bigint) => `0x${v.toString(16)}`;
const roleName = (id: bigint) => (Object.entries(ROLE).find(([, v]) => v === id)?.[0] ?? `role ${id}`) as string;

// ------------------------------------------------------------------------------------------ events

/** A log with its position in the chain. */
interface OrderedLog<A> {
  blockNumber: number;
  index: number;
  args: A;
}

/** Logs of several kinds in chain order, each tagged with its kind. */
function inChainOrder<L extends { blockNumber: number; index: number }, K>(...lists: [K, L[]][]): [K, L][] {
  const all = lists.flatMap(([kind, logs]) => logs.map((l) => [kind, l] as [K, L]));
  return all.sort(([, x], [, y]) => x.blockNumber - y.blockNumber || x.index - y.index);
}

/** Replays grant/revoke events (in chain order) into the current members of each key. */
function members<G extends { account: string }, R extends { account: string }>(
  grants: OrderedLog<G>[],
  revokes: OrderedLog<R>[],
  key: (l: OrderedLog<G | R>) => string,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [grant, l] of inChainOrder<OrderedLog<G | R>, boolean>([true, grants], [false, revokes])) {
    const k = key(l);
    const account = getAddress(l.args.account);
    if (!out.has(k)) out.set(k, new Set());
    if (grant) out.get(k)!.add(account);
    else out.get(k)!.delete(account);
  }
  return out;
}

/**
 * All logs of a query from `from` to `to`; a range the RPC refuses (block-range or result limits of hosted
 * providers) is split in halves until each part is accepted.
 */
async function scanRange<T>(query: (from: number, to: number) => Promise<T[]>, from: number, to: number): Promise<T[]> {
  try {
    return await query(from, to);
  } catch (e) {
    if (to <= from) throw e;
    const mid = Math.floor((from + to) / 2);
    return [...(await scanRange(query, from, mid)), ...(await scanRange(query, mid + 1, to))];
  }
}

// ------------------------------------------------------------------------------------------ context

/** Everything the checks read: the input, the deployment's contracts, and helpers over the plan and journal. */
interface CheckContext extends CheckInput {
  /** Contract address by future id (the journal's). */
  a: Record<string, string>;
  deployer: string;
  /** The TimelockController holding ADMIN after a handover. */
  timelock?: string;
  c: ReturnType<typeof connectCore>;
  /** The logs of `query` from the deployment's first block to the latest. */
  scan<T>(query: (from: number, to: number) => Promise<T[]>): Promise<T[]>;
  /** A feed's key in the plan, or the asset itself when the plan has no feed for it. */
  feedName(asset: string): string;
  /** The cash token: the plan's address or the test token the deployment made. */
  cashToken: string;
  /** An account, marked "(deployer)" or "(timelock)" when it is one of them. */
  label(account: string): string;
  /** A governance party of the plan (an address or "deployer") as a checksummed address. */
  party(v: string): string;
}

/** The core contracts at the journal's addresses. */
function connectCore(a: Record<string, string>, provider: Provider) {
  return {
    manager: AccessManager__factory.connect(a.AccessManager, provider),
    oracle: OracleRouter__factory.connect(a.OracleRouter, provider),
    vault: CollateralVault__factory.connect(a.CollateralVault, provider),
    engine: connectEngine(a.MarginEngine, provider),
    configurator: MarketConfigurator__factory.connect(a.MarketConfigurator, provider),
    fund: InsuranceFund__factory.connect(a.InsuranceFund, provider),
    venue: OrderSettlement__factory.connect(a.OrderSettlement, provider),
    auction: LiquidationAuction__factory.connect(a.LiquidationAuction, provider),
    lens: RiskLens__factory.connect(a.RiskLens, provider),
    starter: AuctionStarter__factory.connect(a.AuctionStarter, provider),
  };
}

/** Builds the context once the journal names every contract. */
async function context(input: CheckInput): Promise<CheckContext> {
  const { provider, plan, deployment } = input;
  const a = deployment.addresses;
  const deployer = getAddress(deployment.deployer);
  const timelock = plan.governance.handover ? getAddress(a.TimelockController) : undefined;
  const latest = await provider.getBlockNumber();
  return {
    ...input,
    a,
    deployer,
    timelock,
    c: connectCore(a, provider),
    scan: (query) => scanRange(query, deployment.fromBlock, latest),
    feedName: (asset) => plan.feeds.find((f) => f.asset === asset)?.key ?? asset,
    cashToken: plan.cash.address ?? a[futureId(`Token_${plan.cash.symbol}`)],
    label: (x) => (x === deployer ? `${x} (deployer)` : x === timelock ? `${x} (timelock)` : x),
    party: (v) => (v === "deployer" ? deployer : getAddress(v)),
  };
}

// ------------------------------------------------------------------------------------------ journal and chain

/** The journal's contracts the plan needs: the core, the timelock on handover, local test tokens and mock feeds. */
function missingContracts(plan: DeploymentPlan, a: Record<string, string>): string[] {
  const need = [...CORE, ...(plan.governance.handover ? ["TimelockController"] : [])];
  if (plan.local) {
    if (!plan.cash.address) need.push(futureId(`Token_${plan.cash.symbol}`));
    for (const c of plan.collateral) if (!c.address) need.push(futureId(`Token_${c.symbol}`));
    for (const f of plan.feeds) if (!f.primary) need.push(futureId(`Feed_${f.key}`));
  }
  return need.filter((n) => !a[n]);
}

/** The journal is complete and names every contract (nothing else can be read otherwise). */
function journalChecks({ plan, deployment }: CheckInput): Checks {
  const missing = missingContracts(plan, deployment.addresses);
  return [
    eq("journal.unfinishedFutures", "(none)", showSet(deployment.unfinished)),
    eq("journal.contracts", "(all present)", missing.length === 0 ? "(all present)" : `missing ${missing.join(", ")}`),
  ];
}

/** The chain is the journal's (and the parameter file's, when it names one). */
function chainChecks({ provider, plan, deployment }: CheckContext): Checks {
  const chainId = once(async () => Number((await provider.getNetwork()).chainId));
  return [
    eq("chainId", deployment.chainId, chainId),
    ...(plan.chainId !== undefined ? [eq("chainId (parameter file)", plan.chainId, chainId)] : []),
  ];
}

/**
 * What is at each address is what this checkout compiles (test tokens and mock feeds included), and so are the
 * engine's view and deleveraging modules, which the engine's constructor creates (so the journal does not name them;
 * an engine that does not answer `viewModule` or `deleveragingModule` gets a row saying so).
 */
async function codeChecks({ provider, a, c, codeMatches }: CheckContext): Promise<Checks> {
  const checks: Checks = [];
  const addresses = Object.entries(a);
  if (a.MarginEngine) {
    const module = await c.engine.viewModule().catch(() => undefined);
    if (module) addresses.push(["MarginEngineViews", module]);
    else checks.push(eq("code.MarginEngineViews", "contract", "no viewModule() on the engine"));
    const deleveraging = await c.engine.deleveragingModule().catch(() => undefined);
    if (deleveraging) addresses.push(["MarginEngineDeleveraging", deleveraging]);
    else checks.push(eq("code.MarginEngineDeleveraging", "contract", "no deleveragingModule() on the engine"));
  }
  for (const [id, address] of addresses) {
    const code = await provider.getCode(address);
    const name = id.startsWith("Token_") ? "TestERC20" : id.startsWith("Feed_") ? "MockV3Aggregator" : id;
    const mine = `${name} (this checkout)`;
    if (code === "0x") checks.push(eq(`code.${id}`, "contract", "no code"));
    else if (codeMatches)
      checks.push(eq(`code.${id}`, mine, async () => ((await codeMatches(name, code, address)) ? mine : "different code")));
  }
  return checks;
}

// ------------------------------------------------------------------------------------------ wiring

/** The venues the engine allows, as its VenueSet events left them. */
async function allowedVenues({ c, scan }: CheckContext): Promise<string[]> {
  const allowed = new Set<string>();
  for (const l of await scan((f, t) => c.engine.queryFilter(c.engine.filters.VenueSet(), f, t))) {
    if (l.args.allowed) allowed.add(getAddress(l.args.venue));
    else allowed.delete(getAddress(l.args.venue));
  }
  return [...allowed];
}

/** Every contract points at the others of the same deployment. */
function wiringChecks(x: CheckContext): Checks {
  const { a, c } = x;
  const viewModule = once(() => c.engine.viewModule());
  const deleveragingModule = once(() => c.engine.deleveragingModule());
  const wire = (item: string, expected: string, actual: () => Promise<string>) =>
    eq(`wiring.${item}`, addr(expected), async () => addr(await actual()));
  return [
    wire("vault.oracle", a.OracleRouter, () => c.vault.oracle()),
    wire("vault.engine", a.MarginEngine, () => c.vault.engine()),
    wire("vault.liquidator", a.LiquidationAuction, () => c.vault.liquidator()),
    wire("engine.vault", a.CollateralVault, () => c.engine.vault()),
    wire("engine.oracle", a.OracleRouter, () => c.engine.oracle()),
    wire("engine.configurator", a.MarketConfigurator, () => c.engine.configurator()),
    wire("engine.liquidator", a.LiquidationAuction, () => c.engine.liquidator()),
    eq("wiring.engine.isVenue(OrderSettlement)", true, () => c.engine.isVenue(a.OrderSettlement)),
    eq("wiring.engine.venues", showSet([addr(a.OrderSettlement)]), async () => showSet(await allowedVenues(x))),
    wire("configurator.engine", a.MarginEngine, () => c.configurator.engine()),
    wire("configurator.oracle", a.OracleRouter, () => c.configurator.oracle()),
    wire("venue.engine", a.MarginEngine, () => c.venue.engine()),
    eq(
      "wiring.venue.feeAccount (insurance fund)",
      () => c.fund.fundAccount(),
      () => c.venue.feeAccount(),
      hex,
    ),
    wire("auction.engine", a.MarginEngine, () => c.auction.engine()),
    wire("auction.vault", a.CollateralVault, () => c.auction.vault()),
    wire("auction.oracle", a.OracleRouter, () => c.auction.oracle()),
    wire("auction.fund", a.InsuranceFund, () => c.auction.fund()),
    wire("fund.vault", a.CollateralVault, () => c.fund.vault()),
    wire("fund.auction", a.LiquidationAuction, () => c.fund.auction()),
    wire("lens.engine", a.MarginEngine, () => c.lens.engine()),
    wire("lens.vault", a.CollateralVault, () => c.lens.vault()),
    wire("lens.configurator", a.MarketConfigurator, () => c.lens.configurator()),
    wire("lens.oracle", a.OracleRouter, () => c.lens.oracle()),
    wire("starter.auction", a.LiquidationAuction, () => c.starter.auction()),
    // Created by the engine's constructor (its first CREATE), which passes the engine's own vault and oracle: with
    // the code check above, the module's immutables are the engine's.
    wire("engine.viewModule", getCreateAddress({ from: a.MarginEngine, nonce: 1 }), viewModule),
    wire("engine.viewModule.vault", a.CollateralVault, async () =>
      MarginEngineViews__factory.connect(await viewModule(), x.provider).vault(),
    ),
    // Its second CREATE: the module automated deleveraging's events run in, on the engine's storage.
    wire("engine.deleveragingModule", getCreateAddress({ from: a.MarginEngine, nonce: 2 }), deleveragingModule),
    wire("engine.deleveragingModule.vault", a.CollateralVault, async () =>
      MarginEngineDeleveraging__factory.connect(await deleveragingModule(), x.provider).vault(),
    ),
  ];
}

// ------------------------------------------------------------------------------------------ oracle

/** The assets with a feed, as the router's FeedSet and FeedRemoved events left them. */
async function configuredAssets({ c, scan }: CheckContext): Promise<string[]> {
  const set = await scan((f, t) => c.oracle.queryFilter(c.oracle.filters.FeedSet(), f, t));
  const removed = await scan((f, t) => c.oracle.queryFilter(c.oracle.filters.FeedRemoved(), f, t));
  const assets = new Set<string>();
  for (const [isSet, l] of inChainOrder<(typeof set)[number] | (typeof removed)[number], boolean>([true, set], [false, removed])) {
    if (isSet) assets.add(l.args.asset);
    else assets.delete(l.args.asset);
  }
  return [...assets];
}

/** One feed's configuration in the router, and the description of a real primary feed. */
function feedChecks(x: CheckContext, f: FeedPlan): Checks {
  const k = `feeds.${f.key}`;
  const cfg = once(() => x.c.oracle.feedConfig(f.asset));
  const describe = async (primary: string) => {
    const description = await AggregatorV3Interface__factory.connect(primary, x.provider).description();
    return samePair(description, f.key) ? f.key : description;
  };
  return [
    eq(`${k}.primary`, addr(f.primary ?? x.a[futureId(`Feed_${f.key}`)]), async () => addr((await cfg()).primary), showAddress),
    eq(`${k}.heartbeat`, BigInt(f.heartbeat), field(cfg, "primaryHeartbeat"), formatDuration),
    eq(`${k}.secondary`, addr(f.secondary ?? ZeroAddress), async () => addr((await cfg()).secondary), showAddress),
    eq(`${k}.secondaryHeartbeat`, BigInt(f.secondaryHeartbeat), field(cfg, "secondaryHeartbeat"), formatDuration),
    eq(`${k}.maxDeviation`, f.maxDeviation, field(cfg, "maxDeviation"), formatPercent),
    eq(`${k}.minPrice`, f.minPrice, field(cfg, "minPrice"), formatWad),
    eq(`${k}.maxPrice`, f.maxPrice, field(cfg, "maxPrice"), formatWad),
    ...(f.primary ? [eq(`${k}.primary.description`, f.key, () => describe(f.primary!))] : []),
  ];
}

/** The router knows exactly the plan's feeds, each configured as planned, and the plan's sequencer feed. */
function oracleChecks(x: CheckContext): Checks {
  const { plan } = x;
  const sequencer = once(() => x.c.oracle.sequencerFeed());
  return [
    eq("feeds (configured assets)", showSet(plan.feeds.map((f) => f.key)), async () =>
      showSet((await configuredAssets(x)).map(x.feedName)),
    ),
    ...plan.feeds.flatMap((f) => feedChecks(x, f)),
    eq("sequencer.feed", addr(plan.sequencer?.feed ?? ZeroAddress), async () => addr((await sequencer()).feed), showAddress),
    eq("sequencer.gracePeriod", BigInt(plan.sequencer?.gracePeriod ?? 0), field(sequencer, "gracePeriod"), formatDuration),
  ];
}

// ------------------------------------------------------------------------------------------ vault

/** The vault's cash token, its deposit cap and borrowing parameters. */
function cashChecks({ plan, c, cashToken, provider }: CheckContext): Checks {
  const cash = IERC20Metadata__factory.connect(cashToken, provider);
  const params = once(() => c.vault.cashParams());
  const wad = 10n ** BigInt(18 - plan.cash.decimals); // token units -> WAD
  return [
    eq("cash.address", addr(cashToken), async () => addr(await c.vault.cashToken())),
    eq("cash.symbol", plan.cash.symbol, () => cash.symbol()),
    eq("cash.decimals", BigInt(plan.cash.decimals), () => cash.decimals()),
    eq("cash.depositCap", plan.cash.depositCap * wad, async () => (await c.vault.tokenInfo(cashToken)).depositCap, formatWad),
    eq("cash.baseRatePerYear", plan.cash.baseRatePerYear, field(params, "baseRatePerYear"), formatPercent),
    eq("cash.rateSlopePerYear", plan.cash.rateSlopePerYear, field(params, "slopePerYear"), formatPercent),
    eq("cash.borrowCap", plan.cash.borrowCap, field(params, "borrowCap"), formatWad),
    eq("vault.depositsPaused", false, () => c.vault.depositsPaused()),
  ];
}

/** One collateral token, listed at its index, priced by its feed, with its haircut and deposit cap. */
function collateralChecks(x: CheckContext, col: CollateralPlan, i: number): Checks {
  const k = `collateral[${i}](${col.symbol})`;
  const token = col.address ?? x.a[futureId(`Token_${col.symbol}`)];
  const info = once(() => x.c.vault.tokenInfo(token));
  return [
    eq(`${k}.address`, addr(token), async () => addr(await x.c.vault.tokenAt(i))),
    eq(`${k}.oracle`, x.feedName(col.oracleAsset), async () => x.feedName((await info()).oracleAsset)),
    eq(`${k}.haircut`, col.haircut, field(info, "haircut"), formatPercent),
    eq(`${k}.decimals`, BigInt(col.decimals), field(info, "decimals")),
    eq(`${k}.symbol`, col.symbol, () => IERC20Metadata__factory.connect(token, x.provider).symbol()),
    eq(`${k}.enabled`, true, field(info, "enabled")),
    eq(`${k}.depositCap`, col.depositCap * 10n ** BigInt(18 - col.decimals), field(info, "depositCap"), formatWad),
  ];
}

/** The vault: cash, then exactly the plan's collateral tokens. */
function vaultChecks(x: CheckContext): Checks {
  return [
    ...cashChecks(x),
    eq("collateral (count)", BigInt(x.plan.collateral.length), () => x.c.vault.tokenCount()),
    ...x.plan.collateral.flatMap((col, i) => collateralChecks(x, col, i)),
  ];
}

// ------------------------------------------------------------------------------------------ markets

/** One market's feed, risk and trading parameters, shortfall cap, and that it is open (not reduce-only). */
function marketChecks({ c, feedName }: CheckContext, mk: MarketPlan, i: number): Checks {
  const k = `markets[${i}](${mk.name})`;
  const r = once(() => c.configurator.riskParams(i));
  const t = once(() => c.configurator.tradingParams(i));
  // The engine's own copy: what margin checks use (read back from the configurator on every push).
  const tiers = once(async () => (await c.engine.marketView(i)).tiers);
  return [
    eq(`${k}.oracle`, feedName(mk.oracleAsset), async () => feedName(await c.configurator.oracleAsset(i))),
    eq(`${k}.oracle (engine)`, feedName(mk.oracleAsset), async () => feedName(await c.engine.oracleAssetOf(i))),
    eq(`${k}.mmr`, mk.risk.mmrBase, field(r, "mmrBase"), formatPercent),
    eq(`${k}.imr`, mk.risk.imrBase, field(r, "imrBase"), formatPercent),
    eq(`${k}.mmrFloor`, mk.risk.mmrFloor, field(r, "mmrFloor"), formatPercent),
    eq(`${k}.mmrCap`, mk.risk.mmrCap, field(r, "mmrCap"), formatPercent),
    eq(`${k}.volMultiplier`, mk.risk.volMultiplier, field(r, "volMultiplier"), formatWad),
    eq(`${k}.volReference`, mk.risk.volReference, field(r, "volReference"), formatPercent),
    eq(`${k}.volDecay`, mk.risk.volDecay, field(r, "volDecay"), formatWad),
    eq(`${k}.observationInterval`, BigInt(mk.risk.minObservationInterval), field(r, "minObservationInterval"), formatDuration),
    eq(`${k}.maxRatioStepPerHour`, mk.risk.maxRatioStepPerHour, field(r, "maxRatioStepPerHour"), formatPercent),
    eq(`${k}.imrSizeFactor`, mk.risk.imrSizeFactor, field(r, "imrSizeFactor"), formatPercent),
    eq(`${k}.openInterestCap`, mk.trading.openInterestCap, field(t, "openInterestCap"), formatWad),
    eq(`${k}.maxFundingRate`, mk.trading.maxFundingRatePer8h, field(t, "maxFundingRatePer8h"), formatPercent),
    eq(`${k}.maxFillDeviation`, mk.trading.maxFillDeviation, field(t, "maxFillDeviation"), formatPercent),
    eq(`${k}.shortfallCap`, mk.shortfallCap, async () => (await c.auction.shortfallTotals(i)).marketCap, formatWad),
    eq(`${k}.marginTiers (count)`, BigInt(mk.marginTiers.length), async () => BigInt((await tiers()).length)),
    ...mk.marginTiers.flatMap((t, j) => [
      eq(`${k}.marginTiers[${j}].notional`, t.notionalThreshold, async () => (await tiers())[j]?.notionalThreshold ?? 0n, formatWad),
      eq(`${k}.marginTiers[${j}].mmrAddOn`, t.mmrAddOn, async () => (await tiers())[j]?.mmrAddOn ?? 0n, formatPercent),
      eq(`${k}.marginTiers[${j}].imrAddOn`, t.imrAddOn, async () => (await tiers())[j]?.imrAddOn ?? 0n, formatPercent),
    ]),
    eq(`${k}.reduceOnly`, false, async () => (await c.engine.marketView(i)).reduceOnly),
  ];
}

/** Exactly the plan's markets, in its order. */
function marketsChecks(x: CheckContext): Checks {
  return [
    eq("markets (count)", BigInt(x.plan.markets.length), () => x.c.engine.marketCount()),
    ...x.plan.markets.flatMap((mk, i) => marketChecks(x, mk, i)),
  ];
}

// ------------------------------------------------------------------------------------------ engine, venue, auction, insurance

/** The auction's parameters, shortfall cap and stop level. */
function auctionChecks({ plan, c }: CheckContext): Checks {
  const p = once(() => c.auction.params());
  const ap = plan.auction.params;
  return [
    eq("auction.startPrice", ap.startPrice, field(p, "startPrice"), formatPercent),
    eq("auction.fastPrice", ap.fastPrice, field(p, "fastPrice"), formatPercent),
    eq("auction.floorPrice", ap.floorPrice, field(p, "floorPrice"), formatPercent),
    eq("auction.fastDuration", BigInt(ap.fastDuration), field(p, "fastDuration"), formatDuration),
    eq("auction.slowDuration", BigInt(ap.slowDuration), field(p, "slowDuration"), formatDuration),
    eq("auction.insolventDuration", BigInt(ap.insolventDuration), field(p, "insolventDuration"), formatDuration),
    eq("auction.insolventBonus", ap.insolventBonus, field(p, "insolventBonus"), formatPercent),
    eq("auction.bufferRatio", ap.bufferRatio, field(p, "bufferRatio"), formatPercent),
    eq("auction.penaltyRate", ap.penaltyRate, field(p, "penaltyRate"), formatPercent),
    eq("auction.insuranceShare", ap.insuranceShare, field(p, "insuranceShare"), formatPercent),
    eq("auction.tipRate", ap.tipRate, field(p, "tipRate"), formatPercent),
    eq("auction.flatTip", ap.flatTip, field(p, "flatTip"), formatWad),
    eq("auction.dustMargin", ap.dustMargin, field(p, "dustMargin"), formatWad),
    eq("auction.tipBaseFee", BigInt(ap.tipBaseFee), field(p, "tipBaseFee"), (v) => `${v} gwei`),
    eq(
      "auction.globalShortfallCap",
      plan.auction.globalShortfallCap,
      async () => (await c.auction.shortfallTotals(0)).globalCap,
      formatWad,
    ),
    eq("auction.stopLevel", 0n, () => c.auction.stopLevel()),
  ];
}

/** The engine's, venue's, auction's and insurance fund's own parameters, and nothing paused. */
function parameterChecks(x: CheckContext): Checks {
  const { plan, c } = x;
  return [
    eq("engine.maxPriceAge", BigInt(plan.engine.maxPriceAge), () => c.engine.maxPriceAge(), formatDuration),
    eq("engine.tradingPaused", false, () => c.engine.tradingPaused()),
    eq("venue.makerFee", plan.venue.makerFeeRate, () => c.venue.makerFeeRate(), formatPercent),
    eq("venue.takerFee", plan.venue.takerFeeRate, () => c.venue.takerFeeRate(), formatPercent),
    ...auctionChecks(x),
    eq("insurance.name", plan.insurance.name, () => c.fund.name()),
    eq("insurance.symbol", plan.insurance.symbol, () => c.fund.symbol()),
    eq("insurance.asset (cash)", addr(x.cashToken), async () => addr(await c.fund.asset())),
    eq("insurance.cooldown", BigInt(plan.insurance.cooldown), () => c.fund.cooldown(), formatDuration),
    eq("insurance.unstakeWindow", BigInt(plan.insurance.unstakeWindow), () => c.fund.unstakeWindow(), formatDuration),
    eq("insurance.eventCapRatio", plan.insurance.eventCapRatio, () => c.fund.eventCapRatio(), formatPercent),
  ];
}

// ------------------------------------------------------------------------------------------ access control

const FACTORIES = {
  OracleRouter: OracleRouter__factory,
  CollateralVault: CollateralVault__factory,
  MarginEngine: MarginEngine__factory,
  MarketConfigurator: MarketConfigurator__factory,
  OrderSettlement: OrderSettlement__factory,
  LiquidationAuction: LiquidationAuction__factory,
  InsuranceFund: InsuranceFund__factory,
} as const;

/** Each restricted function of `name` with its selector and the role the table gives it (RISK_MANAGER, GUARDIAN, ADMIN). */
function roleTable(name: RestrictedContract): { fn: string; selector: string; role: bigint }[] {
  const iface = new Interface(FACTORIES[name].abi);
  const entries: [string, bigint][] = [
    ...FUNCTION_ROLES[name].RISK_MANAGER.map((f) => [f, ROLE.RISK_MANAGER] as [string, bigint]),
    ...FUNCTION_ROLES[name].GUARDIAN.map((f) => [f, ROLE.GUARDIAN] as [string, bigint]),
    ...ADMIN_FUNCTIONS[name].map((f) => [f, ROLE.ADMIN] as [string, bigint]),
  ];
  return entries.map(([fn, role]) => ({ fn, selector: iface.getFunction(fn)!.selector, role }));
}

/** The restricted contracts at the journal's addresses. */
function restrictedTargets(a: Record<string, string>): [RestrictedContract, string][] {
  return (Object.keys(FACTORIES) as RestrictedContract[]).map((name) => [name, a[name]]);
}

/** One restricted contract: governed by the deployment's AccessManager, open, and its functions mapped to their roles. */
function targetChecks({ c, a, provider }: CheckContext, name: RestrictedContract, target: string): Checks {
  const role = async (selector: string) => roleName(await c.manager.getTargetFunctionRole(target, selector));
  return [
    eq(`access.${name}.authority`, addr(a.AccessManager), async () => addr(await FACTORIES[name].connect(target, provider).authority())),
    eq(`access.${name}.targetAdminDelay`, 0n, async () => BigInt(await c.manager.getTargetAdminDelay(target)), formatDuration),
    eq(`access.${name}.closed`, false, () => c.manager.isTargetClosed(target)),
    ...roleTable(name).map(({ fn, selector, role: r }) => eq(`access.${name}.${fn}`, roleName(r), () => role(selector))),
  ];
}

/** Non-admin mappings the manager's TargetFunctionRoleUpdated events left outside the role table ("target:selector->ROLE"). */
async function extraMappings({ c, a, scan }: CheckContext): Promise<string[]> {
  const expected = new Set<string>();
  for (const [name, target] of restrictedTargets(a)) {
    for (const { selector, role } of roleTable(name)) if (role !== ROLE.ADMIN) expected.add(`${getAddress(target)}:${selector}`);
  }
  const mapped = new Map<string, bigint>(); // "target:selector" -> role, as the events left it
  for (const l of await scan((f, t) => c.manager.queryFilter(c.manager.filters.TargetFunctionRoleUpdated(), f, t))) {
    mapped.set(`${getAddress(l.args.target)}:${l.args.selector}`, l.args.roleId);
  }
  return [...mapped.entries()].filter(([k, role]) => role !== ROLE.ADMIN && !expected.has(k)).map(([k, role]) => `${k}->${roleName(role)}`);
}

/** Every restricted contract's authority and role table, and no mapping beyond the table. */
function accessChecks(x: CheckContext): Checks {
  return [
    ...restrictedTargets(x.a).flatMap(([name, target]) => targetChecks(x, name, target)),
    eq("access.mappings outside the role table", "(none)", async () => showSet(await extraMappings(x))),
  ];
}

// ------------------------------------------------------------------------------------------ roles

const ROLES: RoleName[] = ["ADMIN", "RISK_MANAGER", "GUARDIAN"];

/** A check of who holds something: compared as sets, printed with deployer and timelock marked. */
function holders(x: CheckContext, item: string, expected: string[], actual: () => Promise<string[]>, anyone = false): Check<string[]> {
  const show = (s: string[]) => showSet(s.map((a) => (anyone && a === ZeroAddress ? "anyone" : x.label(a))));
  return { item, expected, actual, show, same: sameSet };
}

/** The holders of each AccessManager role, as its RoleGranted and RoleRevoked events left them. */
async function roleMembers({ c, scan }: CheckContext): Promise<Map<string, Set<string>>> {
  return members(
    await scan((f, t) => c.manager.queryFilter(c.manager.filters.RoleGranted(), f, t)),
    await scan((f, t) => c.manager.queryFilter(c.manager.filters.RoleRevoked(), f, t)),
    (l) => roleName(l.args.roleId as bigint),
  );
}

/** One role: exactly its planned holder, active, with its execution delay; a non-admin role's admin and grant delay. */
function roleChecks(x: CheckContext, role: RoleName, holder: string, all: () => Promise<Map<string, Set<string>>>): Checks {
  const { plan, c } = x;
  const held = once(() => c.manager.hasRole(ROLE[role], holder));
  const delay = role === "RISK_MANAGER" ? BigInt(plan.governance.riskManagerExecutionDelay) : 0n;
  return [
    holders(x, `roles.${role}.members`, [holder], async () => [...((await all()).get(role) ?? [])]),
    eq(`roles.${role}.${role === "ADMIN" && x.timelock ? "timelock" : "holder"}.active`, true, field(held, "isMember")),
    eq(`roles.${role}.executionDelay`, delay, async () => BigInt((await held()).executionDelay), formatDuration),
    ...(role === "ADMIN"
      ? []
      : [
          eq(`roles.${role}.admin`, "ADMIN", async () => roleName(await c.manager.getRoleAdmin(ROLE[role]))),
          eq(`roles.${role}.grantDelay`, 0n, async () => BigInt(await c.manager.getRoleGrantDelay(ROLE[role])), formatDuration),
        ]),
  ];
}

/** The roles' holders (the timelock or deployer as ADMIN), the guardian of RISK_MANAGER, and a deployer left with none after handover. */
function rolesChecks(x: CheckContext): Checks {
  const { plan, c, deployer, party } = x;
  const holder = {
    ADMIN: x.timelock ?? deployer,
    RISK_MANAGER: party(plan.governance.riskManager),
    GUARDIAN: party(plan.governance.guardian),
  };
  const all = once(() => roleMembers(x));
  return [
    ...ROLES.flatMap((role) => roleChecks(x, role, holder[role], all)),
    eq("roles.RISK_MANAGER.guardian", "GUARDIAN", async () => roleName(await c.manager.getRoleGuardian(ROLE.RISK_MANAGER))),
    ...(plan.governance.handover
      ? ROLES.map((role) => eq(`roles.deployer.${role}`, false, async () => (await c.manager.hasRole(ROLE[role], deployer))[0]))
      : []),
  ];
}

// ------------------------------------------------------------------------------------------ timelock

/** The timelock's role holders by list name (proposers, executors, cancellers, admins), from its events. */
async function timelockMembers({ provider, scan }: CheckContext, timelock: string): Promise<Map<string, Set<string>>> {
  const tl = TimelockController__factory.connect(timelock, provider);
  const [proposer, executor, canceller, admin] = await Promise.all([
    tl.PROPOSER_ROLE(),
    tl.EXECUTOR_ROLE(),
    tl.CANCELLER_ROLE(),
    tl.DEFAULT_ADMIN_ROLE(),
  ]);
  const names: Record<string, string> = { [proposer]: "proposers", [executor]: "executors", [canceller]: "cancellers", [admin]: "admins" };
  return members(
    await scan((f, t) => tl.queryFilter(tl.filters.RoleGranted(), f, t)),
    await scan((f, t) => tl.queryFilter(tl.filters.RoleRevoked(), f, t)),
    (l) => names[l.args.role as string] ?? (l.args.role as string),
  );
}

/** After a handover: the timelock's delay, and exactly the planned proposers, cancellers, executors and itself as admin. */
function timelockChecks(x: CheckContext): Checks {
  const { plan, timelock, party } = x;
  const planned = plan.governance.timelock;
  if (!plan.governance.handover || !timelock || !planned) return [];
  const all = once(() => timelockMembers(x, timelock));
  const expected: Record<string, string[]> = {
    proposers: planned.proposers.map(party),
    cancellers: planned.proposers.map(party),
    executors: planned.executors.map(party),
    admins: [timelock],
  };
  const tl = TimelockController__factory.connect(timelock, x.provider);
  return [
    eq("governance.timelockDelay", BigInt(plan.governance.timelockDelay), () => tl.getMinDelay(), formatDuration),
    ...Object.entries(expected).map(([k, list]) =>
      holders(x, `governance.timelock.${k}`, list, async () => [...((await all()).get(k) ?? [])], true),
    ),
  ];
}

// ------------------------------------------------------------------------------------------ the table and its runner

/** The checks after the journal's, by what they check, in the order of the rows. */
const CHECK_GROUPS: ((x: CheckContext) => Checks | Promise<Checks>)[] = [
  chainChecks,
  codeChecks,
  wiringChecks,
  oracleChecks,
  vaultChecks,
  marketsChecks,
  parameterChecks,
  accessChecks,
  rolesChecks,
  timelockChecks,
];

/** Evaluates `checks` one after another (reads in sequence, gentle on hosted RPCs). */
async function run(checks: Checks): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  for (const check of checks) rows.push(await evaluate(check));
  return rows;
}

/**
 * Runs every check: the journal's, then (when it names every contract) each of `CHECK_GROUPS`. The deployment is
 * as intended when every row is `ok`.
 */
export async function checkDeployment(input: CheckInput): Promise<CheckRow[]> {
  const rows = await run(journalChecks(input));
  if (rows.some((r) => r.item === "journal.contracts" && !r.ok)) return rows; // nothing else can be read
  const x = await context(input);
  for (const group of CHECK_GROUPS) rows.push(...(await run(await group(x))));
  return rows;
}
