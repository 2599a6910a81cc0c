/**
 * A keeper's view of the chain: the accounts worth scanning (found from the vault's, engine's and auction's
 * events), the running auctions, and reads pinned to a block and remembered for that block. The simulator gives
 * every in-process keeper the same view, so identical reads at the same block are made once.
 *
 * The scan is the lens's `accountsHealth` over every known account, in batches of `batchSize` (a single call per
 * block up to that many accounts; the EVM's per-call gas cap bounds a batch), or, under `ScanPolicy.skipFar`, over
 * every account but those whose last read proves them still far from the watch list (`farFromWatch`).
 */
import { AbiCoder, ZeroAddress, keccak256, type Provider } from "ethers";
import { InsuranceFund__factory, type InsuranceFund } from "../../typechain-types";
import type { KeeperContracts } from "./contracts";
import { EventFollower } from "./events";
import { provesFarFromWatch, type ScanReach } from "./farScan";
import { TouchLog } from "./touchLog";
import { ViewReader } from "./reads";
import { WAD } from "../model/wad";
import { toAuctionParams, type AuctionParams } from "../model/auction";
import type { IRiskLens } from "../../typechain-types/contracts/lens/RiskLens";
import type { ILiquidationAuction } from "../../typechain-types/contracts/liquidation/LiquidationAuction";
import { AccountMap, AccountSet } from "../model/accountMap";

export type AccountHealth = IRiskLens.AccountHealthStructOutput;
export type Quote = ILiquidationAuction.QuoteStructOutput;

/**
 * When to scan every account and when only the watch list. A full scan reads every known account; in between, on
 * each oracle round, only accounts whose health factor was below `watchHealth` at their last read, and accounts
 * changed since (deposits, trades, bids), are read. A full scan happens when any market's price moved by
 * `fullScanMove` since the last full scan, or `fullScanEvery` seconds after it. `fullScanMove` 0 scans everything
 * every time. A position far from its maintenance margin (health factor h) needs a move of roughly
 * mmr * (h - 1) (half that with collateral in the same asset) to become liquidatable: with h >= 2 and mmr >= 2%,
 * a 1% threshold finds every account in time. Margin tiers (INV-29) only raise a position's average maintenance ratio
 * above mmr, so the bound holds for large positions too; the keeper reads every requirement from the lens, which
 * applies the engine's tiers.
 */
export interface ScanPolicy {
  watchHealth: bigint;
  fullScanMove: bigint;
  fullScanEvery: number;
  /**
   * On a full scan, leave out the accounts whose last read shows that no price move, ratio change or accrual since
   * could have brought them below `watchHealth` (`farFromWatch`); each is still read at least every
   * `fullScanEvery` seconds and after any event that names it.
   */
  skipFar?: boolean;
  /**
   * The health factor (WAD) a left-out account must provably still have (default and at least `watchHealth`): the
   * simulator raises it to its traders' highest reaction health, so that no reaction reads a row left stale.
   */
  farHealth?: bigint;
}

/** The health factor a full scan must prove to leave an account out: `farHealth`, at least `watchHealth`. */
export function farHealthOf(policy: ScanPolicy): bigint {
  return policy.farHealth !== undefined && policy.farHealth > policy.watchHealth ? policy.farHealth : policy.watchHealth;
}

/**
 * Whether a health row belongs on a watch list bounded by `health` (WAD): its price is invalid, it is liquidatable or
 * frozen, or it has a maintenance margin and a health factor below `health`.
 */
export function risky(row: AccountHealth, health: bigint): boolean {
  return !row.priceValid || row.liquidatable || row.frozen || (row.maintenanceMargin > 0n && row.healthFactor < health);
}

export const FULL_SCANS: ScanPolicy = { watchHealth: 0n, fullScanMove: 0n, fullScanEvery: 0 };

/** A remembered read and the version (a block number) it was made for. */
interface Versioned<T> {
  version: number;
  value: Promise<T>;
}

/**
 * Events after which no earlier read may be trusted to bound an account (the haircuts, collateral list or interest
 * model changed): a full scan reads every account again. `LossSocialised` cuts every positive cash balance;
 * `MarketDeleveraged` (automated deleveraging) reduces every position on one side of a market without naming them.
 */
const INVALIDATING_EVENTS = new Set([
  "LossSocialised",
  "MarketDeleveraged",
  "HaircutSet",
  "CollateralDelistingBegun",
  "CollateralRemoved",
  "CollateralListed",
  "CollateralOracleSet",
  "CashRateModelSet",
]);

/** Event arguments that name an account whose holdings the event changed. */
const ACCOUNT_ARGS = ["account", "maker", "taker", "from", "to", "bidderAccount", "tipAccount"];

export interface RunningAuction {
  account: bigint;
  startBlock: number;
  /** Block of its start or latest restart: the auction runs on the parameters in force then (`auctionParams`). */
  paramsFrom: number;
  /** Its insurance-fund event id (`keccak256(account, startTime)`), once read; a restart clears it. */
  eventId?: string;
}

export class ChainView {
  /** Accounts in the order they were first seen. */
  readonly accounts: bigint[] = [];
  readonly auctions = new AccountMap<RunningAuction>();
  /** Each known account's place in `accounts`. */
  private readonly seen = new AccountMap<number>();
  /** Last block in which an event touched each account (deposit, trade, auction start or bid). */
  private readonly touched = new TouchLog();
  private syncedTo: number;
  private memoBlock = -1;
  private memo = new Map<string, Promise<unknown>>();
  private marketAssets?: string[];
  private tokenMarkets?: { token: string; marketId: number }[];
  /**
   * Each account's positions and price exposure, remembered for one (vault nonce, last event that touched it): a bid
   * moves part of a portfolio without moving the nonce (review 7, F2). One entry per account.
   */
  private readonly holdings = new AccountMap<{ tag: string; positions?: Map<number, bigint>; exposure?: Map<number, bigint> }>();
  /** The latest health read of every account scanned so far. */
  readonly latest = new AccountMap<AccountHealth>();
  /** The block each row of `latest` was read at. */
  private readonly readAt = new AccountMap<number>();
  private readonly watch = new AccountSet();
  private lastFull?: { time: number; prices: bigint[] };
  /** Block of the latest `AuctionParamsSet` seen (-1: none since `fromBlock`), and the parameters read after it. */
  private paramsSetAt = -1;
  /** The parameters new starts use (one entry), with the `paramsSetAt` they were read after. */
  private readonly currentParams = new Map<"new", Versioned<AuctionParams>>();
  /** Each running auction's own parameters, with the block of the start or restart they were read for. */
  private readonly runningParams = new AccountMap<Versioned<AuctionParams>>();
  private lastScanBlock = -1;
  /** Full and watch-list scans made. */
  readonly scans = { full: 0, partial: 0, accountsRead: 0, skipped: 0 };
  /** When and under what parameters each row of `latest` was read by a scan (rows from `rescan` have none). */
  private readonly readReach = new AccountMap<ScanReach>();
  /** Last block in which any event named each account (a superset of `touched`: withdrawals, transfers, ...). */
  private readonly changed = new AccountMap<number>();
  /** Block of the latest event that invalidates every read (`INVALIDATING_EVENTS`). */
  private invalidatedAt = -1;
  /** Set once a collateral's delisting began: full scans read every account from then on. */
  private neverSkip = false;
  /** Listed collateral tokens' oracle assets (read again after any change of the collateral list or an oracle). */
  private collateralAssets?: { token: string; asset: string }[];
  /**
   * The scans' parameters and prices of the last two hours, oldest first: the path of every price since a row's read
   * (a row whose scan is no longer here is read again, as is one older than `fullScanEvery`).
   */
  private readonly reaches: ScanReach[] = [];
  /** The insurance fund (at the auction's `fund()`), read once. */
  private fund?: InsuranceFund;
  /** Reads made (not remembered), for the benchmark. */
  calls = 0;
  /** Reads the views called for every running auction at every block, without ethers' per-call overhead. */
  readonly reader: ViewReader;
  /** Decodes the vault's, engine's and auction's logs. */
  readonly events: EventFollower;
  /** Time spent per kind of read (ms), for the benchmark. */
  readonly timing = new Map<string, { ms: number; n: number }>();

  constructor(
    readonly c: KeeperContracts,
    readonly provider: Provider,
    readonly opts: {
      fromBlock?: number;
      batchSize?: number;
      /** Read the accounts a full scan leaves out too, and throw if one of them is within reach of the watch list. */
      verifySkips?: boolean;
    } = {},
  ) {
    this.syncedTo = (opts.fromBlock ?? 0) - 1;
    this.reader = new ViewReader(provider);
    this.events = new EventFollower(c, ["vault", "engine", "auction"]);
  }

  /** Reads once per block: later identical requests at the same block get the same promise. */
  async at<T>(block: number, key: string, read: () => Promise<T>): Promise<T> {
    if (block !== this.memoBlock) {
      this.memoBlock = block;
      this.memo = new Map();
    }
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      this.calls++;
      const kind = key.split(":")[0];
      const t = performance.now();
      p = read().then((r) => {
        const e = this.timing.get(kind) ?? { ms: 0, n: 0 };
        e.ms += performance.now() - t;
        e.n++;
        this.timing.set(kind, e);
        return r;
      });
      this.memo.set(key, p);
    }
    return p;
  }

  /** Follows events up to `block`: new accounts, auctions started and ended. */
  async sync(block: number): Promise<void> {
    if (block <= this.syncedTo) return;
    const events = await this.events.fetch(this.provider, this.syncedTo + 1, block);
    this.calls++;
    for (const { source, name, args, log } of events) {
      if (INVALIDATING_EVENTS.has(name)) this.invalidatedAt = log.blockNumber;
      if (name === "CollateralListed" || name === "CollateralRemoved" || name === "CollateralOracleSet") this.collateralAssets = undefined;
      // A delisting lowers a collateral's weight in force over time without further events: no read bounds it.
      if (name === "CollateralDelistingBegun") this.neverSkip = true;
      for (const key of ACCOUNT_ARGS) {
        const v: unknown = args.getValue === undefined ? undefined : safeArg(args, key);
        if (typeof v === "bigint") this.changed.set(v, log.blockNumber);
      }
      if (source === "vault") {
        if (name === "Deposited") this.add(args.account as bigint, log.blockNumber);
      } else if (source === "engine") {
        if (name === "TradeSettled") {
          this.add(args.maker as bigint, log.blockNumber);
          this.add(args.taker as bigint, log.blockNumber);
        }
      } else if (name === "AuctionStarted") {
        const account = args.account as bigint;
        this.auctions.set(account, { account, startBlock: log.blockNumber, paramsFrom: log.blockNumber });
        this.touched.touch(args.account as bigint, log.blockNumber);
        this.touched.touch(args.tipAccount as bigint, log.blockNumber);
      } else if (name === "AuctionRestarted") {
        const running = this.auctions.get(args.account as bigint);
        if (running) {
          running.paramsFrom = log.blockNumber;
          running.eventId = undefined;
        }
      } else if (name === "AuctionParamsSet") this.paramsSetAt = log.blockNumber;
      else if (name === "AuctionEnded") {
        this.auctions.delete(args.account as bigint);
        this.runningParams.delete(args.account as bigint);
      } else if (name === "AuctionBid") {
        this.touched.touch(args.account as bigint, log.blockNumber);
        this.add(args.bidderAccount as bigint, log.blockNumber);
      } else if (name === "AuctionDeleveraged") this.touched.touch(args.account as bigint, log.blockNumber);
    }
    this.syncedTo = block;
  }

  /** The last block in which an event changed `account` (-1 if none seen). */
  touchedAt(account: bigint): number {
    return this.touched.at(account);
  }

  /** The block of the latest event that changed accounts without naming them (`INVALIDATING_EVENTS`; -1: none). */
  invalidatedSince(): number {
    return this.invalidatedAt;
  }

  /** The rows of `latest` read at `block` (by a scan or a rescan at that block). */
  rowsReadAt(block: number): AccountHealth[] {
    return [...this.latest.values()].filter((r) => this.readAt.get(r.account) === block);
  }

  /** The known accounts an event changed after block `block`, in the order they were first seen. */
  touchedAfter(block: number): bigint[] {
    return [...this.touched.after(block)].filter((a) => this.seen.has(a)).sort((x, y) => this.seen.get(x)! - this.seen.get(y)!);
  }

  /**
   * Reads the health of just `accounts` at `block` (a partial scan between full ones: accounts a deposit, trade or
   * withdrawal changed since the last scan) and updates the watch list with them. Returns the rows read.
   */
  rescan(block: number, accounts: bigint[], policy: ScanPolicy): Promise<AccountHealth[]> {
    return this.at(block, `rescan:${accounts.join(",")}`, async () => {
      this.scans.partial++;
      this.scans.accountsRead += accounts.length;
      const rows = accounts.length > 0 ? await this.healthOf(block, accounts) : [];
      this.remember(rows, block, policy);
      for (const r of rows) this.readReach.delete(r.account);
      return rows;
    });
  }

  /**
   * Keeps `rows` (read at `block`) as the latest of their accounts and updates the watch list under `policy`: an
   * account stays watched while its price is invalid, it is liquidatable or frozen, or its health factor is below
   * `watchHealth`.
   */
  private remember(rows: readonly AccountHealth[], block: number, policy: ScanPolicy): void {
    for (const r of rows) {
      this.latest.set(r.account, r);
      this.readAt.set(r.account, block);
      if (risky(r, policy.watchHealth)) this.watch.add(r.account);
      else this.watch.delete(r.account);
    }
  }

  private add(account: bigint, block: number): void {
    this.touched.touch(account, block);
    if (this.seen.has(account)) return;
    this.seen.set(account, this.accounts.length);
    this.accounts.push(account);
  }

  /** Health of every known account at `block` (lens `accountsHealth`, batched). */
  health(block: number): Promise<AccountHealth[]> {
    const accounts = [...this.accounts];
    return this.at(block, `health:${accounts.length}`, () => this.healthOf(block, accounts));
  }

  /** Health of `accounts` at `block` (lens `accountsHealth`, batched). */
  private async healthOf(block: number, accounts: bigint[]): Promise<AccountHealth[]> {
    const size = this.opts.batchSize ?? 50;
    const out: AccountHealth[] = [];
    for (let i = 0; i < accounts.length; i += size) {
      out.push(...(await this.reader.read(this.c.lens, "accountsHealth", [accounts.slice(i, i + size)], block)));
    }
    return out;
  }

  /** Scans at `block` (time `time`) under `policy`: every account or the watch list. Returns the rows read. */
  scan(block: number, time: number, policy: ScanPolicy): Promise<AccountHealth[]> {
    return this.at(block, "scan", async () => {
      const assets = await this.markets();
      const prices = await Promise.all(assets.map((a) => this.price(block, a).catch(() => 0n)));
      const moved = (p: bigint, p0: bigint) => p0 === 0n || (p > p0 ? p - p0 : p0 - p) * WAD >= policy.fullScanMove * p0;
      const full =
        this.lastFull === undefined ||
        policy.fullScanMove === 0n ||
        time - this.lastFull.time >= policy.fullScanEvery ||
        prices.some((p, i) => moved(p, this.lastFull!.prices[i]));
      let list: bigint[];
      let skipped: bigint[] = [];
      const reach = policy.skipFar ? await this.reach(block, time) : undefined;
      if (full) {
        list = [...this.accounts];
        if (reach) {
          skipped = list.filter((a) => this.farFromWatch(a, reach, policy));
          const skip = new AccountSet(skipped);
          list = list.filter((a) => !skip.has(a));
          this.scans.skipped += skipped.length;
        }
        this.lastFull = { time, prices };
        this.scans.full++;
      } else {
        list = this.accounts.filter((a) => this.watch.has(a) || !this.latest.has(a) || this.touchedAt(a) > this.lastScanBlock);
        this.scans.partial++;
      }
      this.scans.accountsRead += list.length;
      const rows = list.length > 0 ? await this.healthOf(block, list) : [];
      this.remember(rows, block, policy);
      for (const r of rows) {
        if (reach) this.readReach.set(r.account, reach);
        else this.readReach.delete(r.account);
      }
      if (this.opts.verifySkips && skipped.length > 0) await this.verifySkipped(block, skipped, policy);
      this.lastScanBlock = block;
      return rows;
    });
  }

  /**
   * The risk parameters and prices in force at `block` (time `time`) that `farFromWatch` compares a read with: each
   * market's maintenance ratio, funding cap and smallest tier threshold, the largest haircut weight, and the price of
   * every asset a market or a collateral is priced by.
   */
  private async reach(block: number, time: number): Promise<ScanReach> {
    const assets = await this.markets();
    if (!this.collateralAssets) {
      const tag = { blockTag: block };
      const n = Number(await this.c.vault.tokenCount(tag));
      const out: { token: string; asset: string }[] = [];
      for (let i = 0; i < n; i++) {
        const token = await this.c.vault.tokenAt(i, tag);
        if (token !== ZeroAddress) out.push({ token, asset: (await this.c.vault.tokenInfo(token, tag)).oracleAsset });
      }
      this.collateralAssets = out;
    }
    const ratios: bigint[] = [];
    let minTierThreshold: bigint | undefined;
    let maxFundingPer8h = 0n;
    let fundingSince = time;
    for (let m = 0; m < assets.length; m++) {
      const v = await this.at(block, `marketView:${m}`, () => this.c.engine.marketView(m, { blockTag: block }));
      ratios.push(v.mmr);
      fundingSince = Math.min(fundingSince, Number(v.lastUpdate));
      // The rate in force was clamped by the cap of its last update, which a market configuration may have lowered since.
      const rate = v.fundingRatePerSecond < 0n ? -v.fundingRatePerSecond : v.fundingRatePerSecond;
      for (const f of [v.setup.maxFundingRatePer8h, rate * 28_800n]) if (f > maxFundingPer8h) maxFundingPer8h = f;
      for (const t of v.tiers)
        if (minTierThreshold === undefined || t.notionalThreshold < minTierThreshold) minTierThreshold = t.notionalThreshold;
    }
    let maxWeight = 0n;
    for (const { token } of this.collateralAssets) {
      const info = await this.at(block, `tokenInfo:${token}`, () => this.c.vault.tokenInfo(token, { blockTag: block }));
      if (info.haircut > maxWeight) maxWeight = info.haircut;
    }
    const prices = new Map<string, bigint>();
    for (const a of new Set([...assets, ...this.collateralAssets.map((c) => c.asset)])) {
      prices.set(a, await this.price(block, a).catch(() => 0n));
    }
    const [base, slope] = await this.at(block, "cashParams", () => this.c.vault.cashParams({ blockTag: block }));
    const reach = {
      block,
      time,
      prices,
      ratios,
      minTierThreshold,
      maxFundingPer8h,
      fundingSince,
      maxWeight,
      maxBorrowRatePerYear: base + slope,
    };
    this.reaches.push(reach);
    while (this.reaches.length > 0 && this.reaches[0].time < time - 2 * 3600) this.reaches.shift();
    return reach;
  }

  /**
   * Whether `account`'s last scan row proves that it is still outside the watch list now (`provesFarFromWatch`, with
   * the scans since its read as the price path). Never for a row that was not read by a scan, is older than
   * `fullScanEvery`, or whose account an event named since (or after an event that invalidates every read).
   */
  private farFromWatch(account: bigint, now: ScanReach, policy: ScanPolicy): boolean {
    const row = this.latest.get(account);
    const then = this.readReach.get(account);
    if (this.neverSkip || !row || !then) return false;
    // `changed` covers `touched`: both are set in `sync` from the same events' account arguments (ACCOUNT_ARGS).
    if ((this.changed.get(account) ?? -1) > then.block || this.invalidatedAt > then.block) return false;
    const since = this.reaches.indexOf(then);
    if (since < 0 || now.time - then.time >= policy.fullScanEvery) return false;
    return provesFarFromWatch(row, then, now, this.reaches.slice(since), farHealthOf(policy));
  }

  /** Reads the accounts a full scan left out and throws if any of them is within reach of the watch list. */
  private async verifySkipped(block: number, skipped: bigint[], policy: ScanPolicy): Promise<void> {
    const bound = farHealthOf(policy);
    for (const r of await this.healthOf(block, skipped)) {
      if (risky(r, bound))
        throw new Error(`scan left out account ${r.account} at block ${block}, whose health factor is ${r.healthFactor}`);
    }
  }

  /**
   * The auction parameters new starts use (`params()`), read at `block` once and again only after an
   * `AuctionParamsSet` event (call `sync` first): a keeper's tip estimates follow governance changes.
   */
  params(block: number): Promise<AuctionParams> {
    return this.cachedRead(this.currentParams, "new", this.paramsSetAt, () =>
      this.c.auction.params({ blockTag: block }).then(toAuctionParams),
    );
  }

  /**
   * The parameters `account`'s running auction prices with (`auctionParams(account)`: those in force at its start or
   * latest restart, whatever governance set since), read once per start or restart (review 6, L-1).
   */
  auctionParams(block: number, account: bigint): Promise<AuctionParams> {
    const from = this.auctions.get(account)?.paramsFrom ?? -1;
    return this.cachedRead(this.runningParams, account, from, () =>
      this.reader.read(this.c.auction, "auctionParams", [account], block).then(toAuctionParams),
    );
  }

  /**
   * `read()`'s promise, remembered in `cache` under `key` while `version` (a block number) is unchanged; a failed read
   * is dropped, so the next call reads again. Counts each read made in `calls`.
   */
  private cachedRead<K, T>(cache: Map<K, Versioned<T>>, key: K, version: number, read: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.version === version) return hit.value;
    this.calls++;
    const value = read();
    cache.set(key, { version, value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }

  quote(block: number, account: bigint): Promise<Quote> {
    return this.at(block, `quote:${account}`, () => this.reader.read(this.c.auction, "quote", [account], block));
  }

  /**
   * What the insurance fund can still pay [WAD cash, whole token units] for the event of `account`'s running auction
   * at `block` (`IInsuranceFund.coverage(keccak256(account, startTime)).available`): automated deleveraging's bound.
   */
  fundAvailable(block: number, account: bigint): Promise<bigint> {
    return this.at(block, `fundAvailable:${account}`, async () => {
      this.fund ??= InsuranceFund__factory.connect(await this.c.auction.fund(), this.provider);
      // The event id changes only with a start or a restart (its start time): read once per start.
      const running = this.auctions.get(account);
      let id = running?.eventId;
      if (id === undefined) {
        const { startTime } = await this.reader.read(this.c.auction, "auctionOf", [account], block);
        id = keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [account, startTime]));
        if (running) running.eventId = id;
      }
      const [, available] = await this.reader.read(this.fund, "coverage", [id], block);
      return available;
    });
  }

  /** Oracle assets of the markets, in market id order. */
  async markets(): Promise<string[]> {
    if (!this.marketAssets) {
      const n = Number(await this.c.engine.marketCount());
      this.marketAssets = [];
      for (let m = 0; m < n; m++) this.marketAssets.push(await this.c.engine.oracleAssetOf(m));
    }
    return this.marketAssets;
  }

  /** Oracle price (WAD) of `asset` at `block`. */
  price(block: number, asset: string): Promise<bigint> {
    return this.at(block, `price:${asset}`, () => this.reader.read(this.c.oracle, "getPrice", [asset], block));
  }

  /** Bitmap of the markets `account` holds a position in at `block` (the engine's `accountInfo`). */
  heldMarkets(block: number, account: bigint): Promise<bigint> {
    return this.at(
      block,
      `accountInfo:${account}`,
      async () => (await this.reader.read(this.c.engine, "accountInfo", [account], block))[0],
    );
  }

  /** Bitmap of the collateral tokens `account` holds at `block` (the vault's `accountTokens`). */
  heldTokens(block: number, account: bigint): Promise<bigint> {
    return this.at(block, `accountTokens:${account}`, () => this.reader.read(this.c.vault, "accountTokens", [account], block));
  }

  /** Positions of `account` at `block`: market id -> size (WAD base), non-zero only. */
  positions(block: number, account: bigint): Promise<Map<number, bigint>> {
    return this.at(block, `positions:${account}`, async () => {
      const bits = await this.heldMarkets(block, account);
      const out = new Map<number, bigint>();
      for (let m = 0; bits >> BigInt(m) !== 0n; m++) {
        if (((bits >> BigInt(m)) & 1n) === 0n) continue;
        const [size] = await this.reader.read(this.c.engine, "position", [account, m], block);
        if (size !== 0n) out.set(m, size);
      }
      return out;
    });
  }

  /** Listed collateral tokens priced by a market's oracle asset, with that market (WETH -> ETH-PERP). */
  async collateralMarkets(): Promise<{ token: string; marketId: number }[]> {
    if (!this.tokenMarkets) {
      const assets = await this.markets();
      const n = Number(await this.c.vault.tokenCount());
      this.tokenMarkets = [];
      for (let i = 0; i < n; i++) {
        const token = await this.c.vault.tokenAt(i);
        if (token === ZeroAddress) continue; // a slot freed by removeToken
        const m = assets.indexOf((await this.c.vault.tokenInfo(token)).oracleAsset);
        if (m >= 0) this.tokenMarkets.push({ token, marketId: m });
      }
    }
    return this.tokenMarkets;
  }

  /**
   * Price exposure of `account` per market (WAD base): its position plus the collateral priced by the same asset.
   * Remembered by (account, nonce, last event touching it): its holdings change only with its vault nonce or a bid.
   */
  async exposure(block: number, account: bigint, nonce?: bigint): Promise<Map<number, bigint>> {
    const entry = nonce === undefined ? undefined : this.holdingsOf(account, nonce);
    if (entry?.exposure) return entry.exposure;
    const out = new Map(await this.positionsAt(block, account, nonce));
    for (const { token, marketId } of await this.collateralMarkets()) {
      const bal = await this.at(block, `coll:${account}:${token}`, () =>
        this.reader.read(this.c.vault, "collateralBalanceWad", [account, token], block),
      );
      if (bal !== 0n) out.set(marketId, (out.get(marketId) ?? 0n) + bal);
    }
    if (entry) entry.exposure = out;
    return out;
  }

  /** As `positions`, remembered by (account, nonce, last event touching it) when the nonce is known. */
  async positionsAt(block: number, account: bigint, nonce?: bigint): Promise<Map<number, bigint>> {
    if (nonce === undefined) return this.positions(block, account);
    const entry = this.holdingsOf(account, nonce);
    entry.positions ??= await this.positions(block, account);
    return entry.positions;
  }

  /** The remembered holdings of `account` for `nonce` and its latest touching event, a fresh entry when either moved. */
  private holdingsOf(account: bigint, nonce: bigint) {
    // An ADL event changes positions it does not name: remembered holdings from before it are stale.
    const tag = `${nonce}:${this.touchedAt(account)}:${this.invalidatedAt}`;
    let entry = this.holdings.get(account);
    if (entry?.tag !== tag) {
      entry = { tag };
      this.holdings.set(account, entry);
    }
    return entry;
  }

  /** A key that changes whenever any market's feed published a new round (a price update). */
  async feedsKey(block: number): Promise<string> {
    const assets = await this.markets();
    return this.at(block, "feeds", async () => {
      const parts: string[] = [];
      for (const a of [...new Set(assets)]) {
        const [since] = await this.c.oracle.priceWindow(a, { blockTag: block });
        parts.push(String(since));
      }
      return parts.join(",");
    });
  }
}

/** `args[key]` of a decoded event, undefined when the event has no argument of that name. */
function safeArg(args: { getValue(name: string): unknown }, key: string): unknown {
  try {
    return args.getValue(key);
  } catch {
    return undefined;
  }
}
