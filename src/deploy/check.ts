/**
 * Post-deploy verification: reads the chain and compares every parameter, role, delay, feed and wiring of a Ballast
 * deployment against its parameter file (resolved plan) and its Ignition journal (addresses, deployer).
 *
 * Each comparison is one `CheckRow` named by the key a reviewer would look for ("markets[0](ETH-PERP).imr",
 * "roles.ADMIN.members", "wiring.vault.engine"); `check-deployment` prints them and fails on any mismatch.
 * Set membership (role holders, feeds, venues, role-function mappings) is rebuilt from the contracts' events since
 * the deployment's first block, so an extra holder or an extra mapping is reported, not only a missing one.
 */
import { Interface, ZeroAddress, getAddress, type Provider, type BaseContract } from "ethers";
import type { DeploymentPlan } from "../config/schema";
import { formatDuration, formatPercent, formatWad } from "../config/units";
import { samePair } from "./preflight";
import { ADMIN_FUNCTIONS, FUNCTION_ROLES, ROLE, type RestrictedContract } from "./roles";
import type { DeploymentRecord } from "./journal";
import {
  AccessManager__factory,
  AggregatorV3Interface__factory,
  CollateralVault__factory,
  IERC20Metadata__factory,
  InsuranceFund__factory,
  LiquidationAuction__factory,
  MarginEngine__factory,
  MarketConfigurator__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  RiskLens__factory,
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

const CORE: Record<string, string> = {
  AccessManager: "AccessManager",
  OracleRouter: "OracleRouter",
  CollateralVault: "CollateralVault",
  CollateralListing: "CollateralListing",
  MarginEngine: "MarginEngine",
  MarketConfigurator: "MarketConfigurator",
  InsuranceFund: "InsuranceFund",
  OrderSettlement: "OrderSettlement",
  LiquidationAuction: "LiquidationAuction",
  AuctionGovernance: "AuctionGovernance",
  RiskLens: "RiskLens",
};

const futureId = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
const addr = (a: string) => (a === "" ? a : getAddress(a));
const showAddress = (a: string) => (a === ZeroAddress ? "0x0 (none)" : a);
const sameSet = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
const showSet = (s: string[]) => (s.length === 0 ? "(none)" : [...s].sort().join(", "));

/** Replays grant/revoke events (in chain order) into the current members of each key. */
interface OrderedLog<A> {
  blockNumber: number;
  index: number;
  args: A;
}

function members<G extends { account: string }, R extends { account: string }>(
  grants: OrderedLog<G>[],
  revokes: OrderedLog<R>[],
  key: (l: OrderedLog<G | R>) => string,
): Map<string, Set<string>> {
  const all = [
    ...grants.map((l) => ({ l: l as OrderedLog<G | R>, grant: true })),
    ...revokes.map((l) => ({ l: l as OrderedLog<G | R>, grant: false })),
  ];
  all.sort((x, y) => x.l.blockNumber - y.l.blockNumber || x.l.index - y.l.index);
  const out = new Map<string, Set<string>>();
  for (const { l, grant } of all) {
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

/** Runs every check; the deployment is as intended when every row is `ok`. */
export async function checkDeployment({ provider, plan, deployment, codeMatches }: CheckInput): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const eq = <T>(item: string, expected: T, actual: T, show: (v: T) => string = String) =>
    rows.push({ item, expected: show(expected), actual: show(actual), ok: expected === actual });
  const a = deployment.addresses;
  const fromBlock = deployment.fromBlock;
  const deployer = getAddress(deployment.deployer);
  const latest = await provider.getBlockNumber();
  const scan = <T>(query: (from: number, to: number) => Promise<T[]>) => scanRange(query, fromBlock, latest);

  // ---- the journal: complete, every contract present
  eq("journal.unfinishedFutures", "(none)", showSet(deployment.unfinished));
  const need = [...Object.keys(CORE), ...(plan.governance.handover ? ["TimelockController"] : [])];
  if (plan.local) {
    if (!plan.cash.address) need.push(futureId(`Token_${plan.cash.symbol}`));
    for (const c of plan.collateral) if (!c.address) need.push(futureId(`Token_${c.symbol}`));
    for (const f of plan.feeds) if (!f.primary) need.push(futureId(`Feed_${f.key}`));
  }
  const missing = need.filter((n) => !a[n]);
  eq("journal.contracts", "(all present)", missing.length === 0 ? "(all present)" : `missing ${missing.join(", ")}`);
  if (missing.length > 0) return rows; // nothing else can be read

  const chainId = Number((await provider.getNetwork()).chainId);
  eq("chainId", deployment.chainId, chainId);
  if (plan.chainId !== undefined) eq("chainId (parameter file)", plan.chainId, chainId);

  // ---- code: what is at each address is what this checkout compiles
  for (const [id, address] of Object.entries(a)) {
    const code = await provider.getCode(address);
    const name = id.startsWith("Token_") ? "TestERC20" : id.startsWith("Feed_") ? "MockV3Aggregator" : id;
    if (code === "0x") eq(`code.${id}`, "contract", "no code");
    else if (codeMatches)
      eq(`code.${id}`, `${name} (this checkout)`, (await codeMatches(name, code, address)) ? `${name} (this checkout)` : "different code");
  }

  const manager = AccessManager__factory.connect(a.AccessManager, provider);
  const oracle = OracleRouter__factory.connect(a.OracleRouter, provider);
  const vault = CollateralVault__factory.connect(a.CollateralVault, provider);
  const engine = MarginEngine__factory.connect(a.MarginEngine, provider);
  const configurator = MarketConfigurator__factory.connect(a.MarketConfigurator, provider);
  const fund = InsuranceFund__factory.connect(a.InsuranceFund, provider);
  const venue = OrderSettlement__factory.connect(a.OrderSettlement, provider);
  const auction = LiquidationAuction__factory.connect(a.LiquidationAuction, provider);
  const lens = RiskLens__factory.connect(a.RiskLens, provider);
  const at = (c: BaseContract) => c.target as string;

  // ---- wiring
  const wire = async (item: string, expected: string, actual: Promise<string>) => eq(`wiring.${item}`, addr(expected), addr(await actual));
  await wire("vault.oracle", a.OracleRouter, vault.oracle());
  await wire("vault.engine", a.MarginEngine, vault.engine());
  await wire("vault.liquidator", a.LiquidationAuction, vault.liquidator());
  await wire("engine.vault", a.CollateralVault, engine.vault());
  await wire("engine.oracle", a.OracleRouter, engine.oracle());
  await wire("engine.configurator", a.MarketConfigurator, engine.configurator());
  await wire("engine.liquidator", a.LiquidationAuction, engine.liquidator());
  eq("wiring.engine.isVenue(OrderSettlement)", true, await engine.isVenue(a.OrderSettlement));
  const venueLogs = await scan((f, t) => engine.queryFilter(engine.filters.VenueSet(), f, t));
  const allowed = new Set<string>();
  for (const l of venueLogs) {
    if (l.args.allowed) allowed.add(getAddress(l.args.venue));
    else allowed.delete(getAddress(l.args.venue));
  }
  eq("wiring.engine.venues", showSet([addr(a.OrderSettlement)]), showSet([...allowed]));
  await wire("configurator.engine", a.MarginEngine, configurator.engine());
  await wire("configurator.oracle", a.OracleRouter, configurator.oracle());
  await wire("venue.engine", a.MarginEngine, venue.engine());
  eq("wiring.venue.feeAccount (insurance fund)", await fund.fundAccount(), await venue.feeAccount(), (v) => `0x${v.toString(16)}`);
  await wire("auction.engine", a.MarginEngine, auction.engine());
  await wire("auction.vault", a.CollateralVault, auction.vault());
  await wire("auction.oracle", a.OracleRouter, auction.oracle());
  await wire("auction.fund", a.InsuranceFund, auction.fund());
  await wire("fund.vault", a.CollateralVault, fund.vault());
  await wire("fund.auction", a.LiquidationAuction, fund.auction());
  await wire("lens.engine", a.MarginEngine, lens.engine());
  await wire("lens.vault", a.CollateralVault, lens.vault());
  await wire("lens.configurator", a.MarketConfigurator, lens.configurator());
  await wire("lens.oracle", a.OracleRouter, lens.oracle());

  // ---- oracle: feeds and sequencer
  const feedLogs = await scan((f, t) => oracle.queryFilter(oracle.filters.FeedSet(), f, t));
  const removedLogs = await scan((f, t) => oracle.queryFilter(oracle.filters.FeedRemoved(), f, t));
  const assets = new Set<string>();
  for (const l of [...feedLogs.map((l) => ({ l, set: true })), ...removedLogs.map((l) => ({ l, set: false }))].sort(
    (x, y) => x.l.blockNumber - y.l.blockNumber || x.l.index - y.l.index,
  )) {
    if (l.set) assets.add(l.l.args.asset);
    else assets.delete(l.l.args.asset);
  }
  const feedName = (asset: string) => plan.feeds.find((f) => f.asset === asset)?.key ?? asset;
  eq("feeds (configured assets)", showSet(plan.feeds.map((f) => f.key)), showSet([...assets].map(feedName)));
  for (const f of plan.feeds) {
    const k = `feeds.${f.key}`;
    const cfg = await oracle.feedConfig(f.asset);
    const primary = f.primary ?? a[futureId(`Feed_${f.key}`)];
    eq(`${k}.primary`, addr(primary), addr(cfg.primary), showAddress);
    eq(`${k}.heartbeat`, BigInt(f.heartbeat), cfg.primaryHeartbeat, formatDuration);
    eq(`${k}.secondary`, addr(f.secondary ?? ZeroAddress), addr(cfg.secondary), showAddress);
    eq(`${k}.secondaryHeartbeat`, BigInt(f.secondaryHeartbeat), cfg.secondaryHeartbeat, formatDuration);
    eq(`${k}.maxDeviation`, f.maxDeviation, cfg.maxDeviation, formatPercent);
    eq(`${k}.minPrice`, f.minPrice, cfg.minPrice, formatWad);
    eq(`${k}.maxPrice`, f.maxPrice, cfg.maxPrice, formatWad);
    if (f.primary) {
      const description = await AggregatorV3Interface__factory.connect(f.primary, provider).description();
      eq(`${k}.primary.description`, f.key, samePair(description, f.key) ? f.key : description);
    }
  }
  const [seqFeed, seqGrace] = await oracle.sequencerFeed();
  eq("sequencer.feed", addr(plan.sequencer?.feed ?? ZeroAddress), addr(seqFeed), showAddress);
  eq("sequencer.gracePeriod", BigInt(plan.sequencer?.gracePeriod ?? 0), seqGrace, formatDuration);

  // ---- vault: cash and collateral
  const cashToken = plan.cash.address ?? a[futureId(`Token_${plan.cash.symbol}`)];
  eq("cash.address", addr(cashToken), addr(await vault.cashToken()));
  const cash = IERC20Metadata__factory.connect(cashToken, provider);
  eq("cash.symbol", plan.cash.symbol, await cash.symbol());
  eq("cash.decimals", BigInt(plan.cash.decimals), await cash.decimals());
  const cashScale = 10n ** BigInt(18 - plan.cash.decimals);
  eq("cash.depositCap", plan.cash.depositCap * cashScale, (await vault.tokenInfo(cashToken)).depositCap, formatWad);
  const [baseRatePerYear, slopePerYear, borrowCap] = await vault.cashParams();
  eq("cash.baseRatePerYear", plan.cash.baseRatePerYear, baseRatePerYear, formatPercent);
  eq("cash.rateSlopePerYear", plan.cash.rateSlopePerYear, slopePerYear, formatPercent);
  eq("cash.borrowCap", plan.cash.borrowCap, borrowCap, formatWad);
  eq("vault.depositsPaused", false, await vault.depositsPaused());
  eq("collateral (count)", BigInt(plan.collateral.length), await vault.tokenCount());
  for (const [i, c] of plan.collateral.entries()) {
    const k = `collateral[${i}](${c.symbol})`;
    const token = c.address ?? a[futureId(`Token_${c.symbol}`)];
    eq(`${k}.address`, addr(token), addr(await vault.tokenAt(i)));
    const info = await vault.tokenInfo(token);
    eq(`${k}.oracle`, feedName(c.oracleAsset), feedName(info.oracleAsset));
    eq(`${k}.haircut`, c.haircut, info.haircut, formatPercent);
    eq(`${k}.decimals`, BigInt(c.decimals), info.decimals);
    eq(`${k}.symbol`, c.symbol, await IERC20Metadata__factory.connect(token, provider).symbol());
    eq(`${k}.enabled`, true, info.enabled);
    eq(`${k}.depositCap`, c.depositCap * 10n ** BigInt(18 - c.decimals), info.depositCap, formatWad);
  }

  // ---- markets
  eq("markets (count)", BigInt(plan.markets.length), await engine.marketCount());
  for (const [i, mk] of plan.markets.entries()) {
    const k = `markets[${i}](${mk.name})`;
    eq(`${k}.oracle`, feedName(mk.oracleAsset), feedName(await configurator.oracleAsset(i)));
    eq(`${k}.oracle (engine)`, feedName(mk.oracleAsset), feedName(await engine.oracleAssetOf(i)));
    const r = await configurator.riskParams(i);
    eq(`${k}.mmr`, mk.risk.mmrBase, r.mmrBase, formatPercent);
    eq(`${k}.imr`, mk.risk.imrBase, r.imrBase, formatPercent);
    eq(`${k}.mmrFloor`, mk.risk.mmrFloor, r.mmrFloor, formatPercent);
    eq(`${k}.mmrCap`, mk.risk.mmrCap, r.mmrCap, formatPercent);
    eq(`${k}.volMultiplier`, mk.risk.volMultiplier, r.volMultiplier, formatWad);
    eq(`${k}.volReference`, mk.risk.volReference, r.volReference, formatPercent);
    eq(`${k}.volDecay`, mk.risk.volDecay, r.volDecay, formatWad);
    eq(`${k}.observationInterval`, BigInt(mk.risk.minObservationInterval), r.minObservationInterval, formatDuration);
    eq(`${k}.maxRatioStepPerHour`, mk.risk.maxRatioStepPerHour, r.maxRatioStepPerHour, formatPercent);
    eq(`${k}.imrSizeFactor`, mk.risk.imrSizeFactor, r.imrSizeFactor, formatPercent);
    const t = await configurator.tradingParams(i);
    eq(`${k}.openInterestCap`, mk.trading.openInterestCap, t.openInterestCap, formatWad);
    eq(`${k}.maxFundingRate`, mk.trading.maxFundingRate, t.maxFundingRate, formatPercent);
    eq(`${k}.maxFillDeviation`, mk.trading.maxFillDeviation, t.maxFillDeviation, formatPercent);
    const [, , , marketCap] = await auction.shortfallTotals(i);
    eq(`${k}.shortfallCap`, mk.shortfallCap, marketCap, formatWad);
    const view = await engine.marketView(i);
    eq(`${k}.reduceOnly`, false, view.reduceOnly);
  }

  // ---- engine, venue, auction, insurance
  eq("engine.maxPriceAge", BigInt(plan.engine.maxPriceAge), await engine.maxPriceAge(), formatDuration);
  eq("engine.tradingPaused", false, await engine.tradingPaused());
  eq("venue.makerFee", plan.venue.makerFeeRate, await venue.makerFeeRate(), formatPercent);
  eq("venue.takerFee", plan.venue.takerFeeRate, await venue.takerFeeRate(), formatPercent);
  const p = await auction.params();
  const ap = plan.auction.params;
  eq("auction.startPrice", ap.startPrice, p.startPrice, formatPercent);
  eq("auction.fastPrice", ap.fastPrice, p.fastPrice, formatPercent);
  eq("auction.floorPrice", ap.floorPrice, p.floorPrice, formatPercent);
  eq("auction.fastDuration", BigInt(ap.fastDuration), p.fastDuration, formatDuration);
  eq("auction.slowDuration", BigInt(ap.slowDuration), p.slowDuration, formatDuration);
  eq("auction.insolventDuration", BigInt(ap.insolventDuration), p.insolventDuration, formatDuration);
  eq("auction.insolventBonus", ap.insolventBonus, p.insolventBonus, formatPercent);
  eq("auction.bufferRatio", ap.bufferRatio, p.bufferRatio, formatPercent);
  eq("auction.penaltyRate", ap.penaltyRate, p.penaltyRate, formatPercent);
  eq("auction.insuranceShare", ap.insuranceShare, p.insuranceShare, formatPercent);
  eq("auction.tipRate", ap.tipRate, p.tipRate, formatPercent);
  eq("auction.flatTip", ap.flatTip, p.flatTip, formatWad);
  eq("auction.dustMargin", ap.dustMargin, p.dustMargin, formatWad);
  const [, globalCap] = await auction.shortfallTotals(0);
  eq("auction.globalShortfallCap", plan.auction.globalShortfallCap, globalCap, formatWad);
  eq("auction.stopLevel", 0n, await auction.stopLevel());
  eq("insurance.name", plan.insurance.name, await fund.name());
  eq("insurance.symbol", plan.insurance.symbol, await fund.symbol());
  eq("insurance.asset (cash)", addr(cashToken), addr(await fund.asset()));
  eq("insurance.cooldown", BigInt(plan.insurance.cooldown), await fund.cooldown(), formatDuration);
  eq("insurance.unstakeWindow", BigInt(plan.insurance.unstakeWindow), await fund.unstakeWindow(), formatDuration);
  eq("insurance.eventCapRatio", plan.insurance.eventCapRatio, await fund.eventCapRatio(), formatPercent);

  // ---- access control: authority, role table, delays, role holders
  const targets: Record<RestrictedContract, string> = {
    OracleRouter: at(oracle),
    CollateralVault: at(vault),
    MarginEngine: at(engine),
    MarketConfigurator: at(configurator),
    OrderSettlement: at(venue),
    LiquidationAuction: at(auction),
    InsuranceFund: at(fund),
  };
  const factories = {
    OracleRouter: OracleRouter__factory,
    CollateralVault: CollateralVault__factory,
    MarginEngine: MarginEngine__factory,
    MarketConfigurator: MarketConfigurator__factory,
    OrderSettlement: OrderSettlement__factory,
    LiquidationAuction: LiquidationAuction__factory,
    InsuranceFund: InsuranceFund__factory,
  } as const;
  const roleName = (id: bigint) => (Object.entries(ROLE).find(([, v]) => v === id)?.[0] ?? `role ${id}`) as string;
  const mappingLogs = await scan((f, t) => manager.queryFilter(manager.filters.TargetFunctionRoleUpdated(), f, t));
  const mapped = new Map<string, bigint>(); // "target:selector" -> role, as the events left it
  for (const l of mappingLogs) mapped.set(`${getAddress(l.args.target)}:${l.args.selector}`, l.args.roleId);
  const expectedMapping = new Set<string>();
  for (const [name, target] of Object.entries(targets) as [RestrictedContract, string][]) {
    const iface = new Interface(factories[name].abi);
    const authority = (await factories[name].connect(target, provider).authority()) as string;
    eq(`access.${name}.authority`, addr(a.AccessManager), addr(authority));
    eq(`access.${name}.targetAdminDelay`, 0n, BigInt(await manager.getTargetAdminDelay(target)), formatDuration);
    eq(`access.${name}.closed`, false, await manager.isTargetClosed(target));
    const table: [string, bigint][] = [
      ...FUNCTION_ROLES[name].RISK_MANAGER.map((f) => [f, ROLE.RISK_MANAGER] as [string, bigint]),
      ...FUNCTION_ROLES[name].GUARDIAN.map((f) => [f, ROLE.GUARDIAN] as [string, bigint]),
      ...ADMIN_FUNCTIONS[name].map((f) => [f, ROLE.ADMIN] as [string, bigint]),
    ];
    for (const [fn, role] of table) {
      const selector = iface.getFunction(fn)!.selector;
      if (role !== ROLE.ADMIN) expectedMapping.add(`${getAddress(target)}:${selector}`);
      eq(`access.${name}.${fn}`, roleName(role), roleName(await manager.getTargetFunctionRole(target, selector)));
    }
  }
  const extra = [...mapped.entries()]
    .filter(([k, role]) => role !== ROLE.ADMIN && !expectedMapping.has(k))
    .map(([k, role]) => `${k}->${roleName(role)}`);
  eq("access.mappings outside the role table", "(none)", showSet(extra));

  const roleLogs = members(
    await scan((f, t) => manager.queryFilter(manager.filters.RoleGranted(), f, t)),
    await scan((f, t) => manager.queryFilter(manager.filters.RoleRevoked(), f, t)),
    (l) => roleName(l.args.roleId as bigint),
  );
  const holder = (v: string) => (v === "deployer" ? deployer : getAddress(v));
  const timelock = plan.governance.handover ? getAddress(a.TimelockController) : undefined;
  const expectedHolders: Record<"ADMIN" | "RISK_MANAGER" | "GUARDIAN", string[]> = {
    ADMIN: [timelock ?? deployer],
    RISK_MANAGER: [holder(plan.governance.riskManager)],
    GUARDIAN: [holder(plan.governance.guardian)],
  };
  const label = (x: string) => (x === deployer ? `${x} (deployer)` : x === timelock ? `${x} (timelock)` : x);
  for (const role of ["ADMIN", "RISK_MANAGER", "GUARDIAN"] as const) {
    const actual = [...(roleLogs.get(role) ?? [])];
    rows.push({
      item: `roles.${role}.members`,
      expected: showSet(expectedHolders[role].map(label)),
      actual: showSet(actual.map(label)),
      ok: sameSet(expectedHolders[role], actual),
    });
    const [isMember, delay] = await manager.hasRole(ROLE[role], expectedHolders[role][0]);
    eq(`roles.${role}.${role === "ADMIN" && timelock ? "timelock" : "holder"}.active`, true, isMember);
    const expectedDelay = role === "RISK_MANAGER" ? BigInt(plan.governance.riskManagerExecutionDelay) : 0n;
    eq(`roles.${role}.executionDelay`, expectedDelay, BigInt(delay), formatDuration);
    if (role !== "ADMIN") {
      eq(`roles.${role}.admin`, "ADMIN", roleName(await manager.getRoleAdmin(ROLE[role])));
      eq(`roles.${role}.grantDelay`, 0n, BigInt(await manager.getRoleGrantDelay(ROLE[role])), formatDuration);
    }
  }
  eq("roles.RISK_MANAGER.guardian", "GUARDIAN", roleName(await manager.getRoleGuardian(ROLE.RISK_MANAGER)));
  if (plan.governance.handover) {
    for (const role of ["ADMIN", "RISK_MANAGER", "GUARDIAN"] as const) {
      eq(`roles.deployer.${role}`, false, (await manager.hasRole(ROLE[role], deployer))[0]);
    }
  }

  // ---- timelock
  if (plan.governance.handover && timelock && plan.governance.timelock) {
    const tl = TimelockController__factory.connect(timelock, provider);
    eq("governance.timelockDelay", BigInt(plan.governance.timelockDelay), await tl.getMinDelay(), formatDuration);
    const [proposer, executor, canceller, admin] = await Promise.all([
      tl.PROPOSER_ROLE(),
      tl.EXECUTOR_ROLE(),
      tl.CANCELLER_ROLE(),
      tl.DEFAULT_ADMIN_ROLE(),
    ]);
    const names: Record<string, string> = {
      [proposer]: "proposers",
      [executor]: "executors",
      [canceller]: "cancellers",
      [admin]: "admins",
    };
    const tlMembers = members(
      await scan((f, t) => tl.queryFilter(tl.filters.RoleGranted(), f, t)),
      await scan((f, t) => tl.queryFilter(tl.filters.RoleRevoked(), f, t)),
      (l) => names[l.args.role as string] ?? (l.args.role as string),
    );
    const party = (v: string) => (v === "deployer" ? deployer : getAddress(v));
    const expected: Record<string, string[]> = {
      proposers: plan.governance.timelock.proposers.map(party),
      cancellers: plan.governance.timelock.proposers.map(party),
      executors: plan.governance.timelock.executors.map(party),
      admins: [timelock],
    };
    for (const [k, list] of Object.entries(expected)) {
      const actual = [...(tlMembers.get(k) ?? [])];
      rows.push({
        item: `governance.timelock.${k}`,
        expected: showSet(list.map((x) => (x === ZeroAddress ? "anyone" : label(x)))),
        actual: showSet(actual.map((x) => (x === ZeroAddress ? "anyone" : label(x)))),
        ok: sameSet(list, actual),
      });
    }
  }
  return rows;
}
