/**
 * Reads the deployed protocol's state into the reference model's snapshot (src/model/protocol.ts) for the
 * one-step differential checks, and builds the model's account inputs (src/model/account.ts) at given prices.
 */
import { ethers } from "hardhat";
import type { Ballast } from "./fixtures";
import { VaultProbe, type StoredAccount, type StoredCash } from "./vaultProbe";
import { ViewBatch, deployInvariantLens } from "./viewBatch";
import * as M from "../../src/model";

/** Rates of the vault's cash model (setCashRateModel), needed to accrue interest in the model. */
export interface CashRates {
  base: bigint;
  slope: bigint;
}

/** Static facts about the deployment that the model needs. */
export interface Deployment {
  b: Ballast;
  probe: VaultProbe;
  rates: CashRates;
  cashDecimals: number;
  tokenAddresses: string[];
  tokenDecimals: number[];
  tokenAssets: string[];
  marketAssets: string[];
  /** The cash token's address. */
  cashToken: string;
  /** The test-only InvariantLens every snapshot's views run through in one eth_call (test/shared/viewBatch.ts). */
  lens: string;
  /** When set, snapshots of the latest block share one read of its state (`StateCache`; the stateful suite). */
  cache?: StateCache;
}

export async function describeDeployment(b: Ballast, probe: VaultProbe): Promise<Deployment> {
  const tokenCount = Number(await b.vault.tokenCount());
  const tokenAddresses: string[] = [];
  const tokenDecimals: number[] = [];
  const tokenAssets: string[] = [];
  for (let i = 0; i < tokenCount; i++) {
    const t = await b.vault.tokenAt(i);
    const info = await b.vault.tokenInfo(t);
    tokenAddresses.push(t);
    tokenDecimals.push(Number(info.decimals));
    tokenAssets.push(info.oracleAsset);
  }
  const marketAssets: string[] = [];
  for (let id = 0; id < Number(await b.engine.marketCount()); id++) marketAssets.push(await b.engine.oracleAssetOf(id));
  return {
    b,
    probe,
    rates: { base: b.plan.cash.baseRatePerYear, slope: b.plan.cash.rateSlopePerYear },
    cashDecimals: b.plan.cash.decimals,
    tokenAddresses,
    tokenDecimals,
    tokenAssets,
    marketAssets,
    cashToken: await b.vault.cashToken(),
    lens: await deployInvariantLens(),
  };
}

/**
 * The oracle's price of `asset` in the pending block (its timestamp set beforehand) or at `blockTag`, or undefined
 * when the oracle reverts.
 */
export async function pendingPrice(b: Ballast, asset: string, blockTag = "pending"): Promise<bigint | undefined> {
  try {
    return await b.oracle.getPrice(asset, { blockTag });
  } catch {
    return undefined;
  }
}

/** The vault's stored cash state and account slots (read with eth_getStorageAt: no view exposes them exactly). */
export interface StoredState {
  cash: StoredCash;
  /** One decoded slot per account, in the order of the snapshot's accounts (checked when the snapshot is built). */
  accounts: StoredAccount[];
}

/** Reads the stored cash state and the account slots of `accounts` at `blockTag`. */
export async function readStored(d: Deployment, accounts: bigint[], blockTag: string | number = "latest"): Promise<StoredState> {
  const [cash, ...slots] = await Promise.all([d.probe.cash(blockTag), ...accounts.map((a) => d.probe.rawAccount(a, blockTag))]);
  return { cash: cash as StoredCash, accounts: slots as StoredAccount[] };
}

/** An account's flags and bitmaps as the vault's and engine's views report them. */
export interface AccountViews {
  nonce: bigint;
  /** Collateral token bitmap (vault.accountTokens). */
  tokens: bigint;
  frozen: boolean;
  hasPositions: boolean;
  /** Market bitmap (engine.accountInfo). */
  markets: bigint;
  isolated: boolean;
}

/** Oracle prices (WAD) per market and per token; undefined where the oracle refuses the price. */
export interface OraclePrices {
  marketOracle: (bigint | undefined)[];
  tokenOracle: (bigint | undefined)[];
}

/** A snapshot's views queued on a ViewBatch; `build` assembles the snapshot once the batch ran. */
export interface QueuedSnapshot {
  /** The queued accounts. */
  readonly accounts: bigint[];
  /**
   * The snapshot at `now` of `only` (default: every queued account) from the batch's results and the stored slots
   * (each slot checked against the views), with `prices` (default: the queued ones, none when none were queued).
   */
  build(now: bigint, stored: StoredState, only?: bigint[], prices?: OraclePrices): M.ProtocolSnapshot;
  /** A queued account's flags and bitmaps (after the batch ran). */
  views(account: bigint): AccountViews;
  /**
   * With `deferPositions`: queues on `batch` the positions of the markets each account holds (after the first batch
   * ran, so that only held markets are read; run `batch` at the same block before `build`).
   */
  queuePositions(batch: ViewBatch): void;
}

/** Queues the oracle's price of every market and token on `batch`; the getter gives them (undefined: refused). */
export function queuePrices(d: Deployment, batch: ViewBatch): () => OraclePrices {
  const price = (a: string) => {
    const g = batch.add<bigint>(d.b.oracle, "getPrice", [a]);
    return () => {
      try {
        return g();
      } catch {
        return undefined;
      }
    };
  };
  const markets = d.marketAssets.map(price);
  const tokens = d.tokenAssets.map(price);
  return () => ({ marketOracle: markets.map((g) => g()), tokenOracle: tokens.map((g) => g()) });
}

/**
 * Queues every view a snapshot of `accounts` needs on `batch` (state) and `prices` (oracle prices: the same batch
 * for the latest block, another one run at "pending" for the next block, undefined when prices are not needed).
 */
export function queueSnapshot(
  d: Deployment,
  accounts: bigint[],
  batch: ViewBatch,
  prices: ViewBatch | undefined,
  deferPositions = false,
): QueuedSnapshot {
  const { b } = d;
  const markets = d.marketAssets.map((_a, id) => batch.add<Parameters<typeof M.marketStateFromView>[0]>(b.engine, "marketView", [id]));
  const tokens = d.tokenAddresses.map((t) => batch.add<Awaited<ReturnType<Ballast["vault"]["tokenInfo"]>>>(b.vault, "tokenInfo", [t]));
  const queuedPrices = prices ? queuePrices(d, prices) : undefined;
  const cashHeld = batch.add<bigint>(b.vault, "totalHeldWad", [d.cashToken]);
  const maxPriceAge = batch.add<bigint>(b.engine, "maxPriceAge");
  const index = new Map(accounts.map((a, k) => [a, k]));
  const acc = accounts.map((a) => ({
    nonce: batch.add<bigint>(b.vault, "accountNonce", [a]),
    tokens: batch.add<bigint>(b.vault, "accountTokens", [a]),
    status: batch.add<[boolean, boolean]>(b.vault, "accountStatus", [a]),
    collateral: d.tokenAddresses.map((t) => batch.add<bigint>(b.vault, "collateralBalanceWad", [a, t])),
    info: batch.add<[bigint, boolean]>(b.engine, "accountInfo", [a]),
    positions: deferPositions ? [] : d.marketAssets.map((_m, id) => batch.add<[bigint, bigint]>(b.engine, "position", [a, id])),
  }));
  const queuePositions = (later: ViewBatch): void => {
    accounts.forEach((a, k) => {
      const [bits] = acc[k].info();
      acc[k].positions = d.marketAssets.map((_m, id) =>
        (bits & (1n << BigInt(id))) !== 0n
          ? later.add<[bigint, bigint]>(b.engine, "position", [a, id])
          : () => [0n, 0n] as [bigint, bigint],
      );
    });
  };
  const at = (account: bigint): number => {
    const k = index.get(account);
    if (k === undefined) throw new Error(`snapshot: account ${account} was not read`);
    return k;
  };
  const views = (account: bigint): AccountViews => {
    const x = acc[at(account)];
    const [frozen, hasPositions] = x.status();
    const [markets, isolated] = x.info();
    return { nonce: x.nonce(), tokens: BigInt(x.tokens()), frozen, hasPositions, markets, isolated };
  };
  const build = (now: bigint, stored: StoredState, only: bigint[] = accounts, prices?: OraclePrices): M.ProtocolSnapshot => {
    const { supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal, lastAccrual } = stored.cash;
    const px = prices ??
      queuedPrices?.() ?? { marketOracle: d.marketAssets.map(() => undefined), tokenOracle: d.tokenAssets.map(() => undefined) };
    const snapshot: M.ProtocolSnapshot = {
      now,
      maxPriceAge: maxPriceAge(),
      markets: markets.map((m) => M.marketStateFromView(m())),
      // No suite using snapshots delists a collateral (class 14), so the weight `tokenInfo` reports is the stored one.
      tokens: tokens.map((g, i) => {
        const info = g();
        return {
          decimals: d.tokenDecimals[i],
          haircut: info.haircut,
          price: info.cachedPrice,
          priceTimestamp: info.cachedPriceTimestamp,
          totalHeld: info.totalDeposits,
        };
      }),
      marketOracle: px.marketOracle,
      tokenOracle: px.tokenOracle,
      cash: M.viewCash({ supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal }, lastAccrual, now, d.rates.base, d.rates.slope),
      cashHeld: cashHeld(),
      cashDecimals: d.cashDecimals,
      accounts: new Map(),
    };
    for (const a of only) {
      const k = at(a);
      const v = views(a);
      const slot = stored.accounts[k];
      VaultProbe.check(slot, v);
      const positions = new Map<number, M.Position>();
      for (let id = 0; id < d.marketAssets.length; id++) {
        if ((v.markets & (1n << BigInt(id))) === 0n) continue;
        const [size, basis] = acc[k].positions[id]();
        positions.set(id, { size, basis });
      }
      const collateral = acc[k].collateral.map((g) => g());
      snapshot.accounts.set(a, {
        principal: slot.cashPrincipal,
        collateral,
        positions,
        frozen: slot.frozen,
        nonce: slot.nonce,
        isolated: v.isolated,
      });
    }
    return snapshot;
  };
  return { accounts, build, views, queuePositions };
}

/**
 * The state of one block, read once for a fixed list of accounts and shared by every snapshot of that block
 * (issue #12): the stateful suite reads the accounts it watches once per block, not once per use.
 */
export interface StateCache {
  /** The accounts every read covers (a snapshot of other accounts reads them directly). */
  accounts: bigint[];
  /** The block the cached state belongs to (its hash: a chain revert to an earlier block keeps state and hash). */
  entry?: { hash: string; q: QueuedSnapshot; stored: StoredState };
}

/**
 * The cached state of the latest block (read when the latest block is not the cached one). Only for deployments
 * with a `cache` (the stateful suite's); no transaction may run while it is read.
 */
export async function cachedState(d: Deployment & { cache: StateCache }): Promise<{ q: QueuedSnapshot; stored: StoredState }> {
  const { hash } = (await ethers.provider.send("eth_getBlockByNumber", ["latest", false])) as { hash: string };
  if (d.cache.entry?.hash === hash) return d.cache.entry;
  // Two eth_calls at the block: everything but positions, then the positions of held markets only.
  const batch = new ViewBatch(d.lens);
  const q = queueSnapshot(d, d.cache.accounts, batch, undefined, true);
  const [stored] = await Promise.all([readStored(d, d.cache.accounts), batch.run({ blockHash: hash })]);
  const positions = new ViewBatch(d.lens);
  q.queuePositions(positions);
  if (positions.size > 0) await positions.run({ blockHash: hash });
  d.cache.entry = { hash, q, stored };
  return d.cache.entry;
}

/**
 * The protocol's state as a block at `now` sees it, for `accounts`: the next block (`now` set beforehand with
 * setNextBlockTimestamp, oracle prices read in the pending block), or the latest one (`now` its timestamp,
 * `priceTag` "latest"; "none": no oracle prices, all undefined). Interest and funding are accrued to `now`.
 * Every view is read in one eth_call through the InvariantLens (two with pending prices), the stored slots with
 * eth_getStorageAt; with a state cache (`d.cache`), the latest block's state is read once and shared.
 */
export async function readSnapshot(d: Deployment, accounts: bigint[], now: bigint, priceTag = "pending"): Promise<M.ProtocolSnapshot> {
  const { cache } = d;
  if (cache && accounts.every((a) => cache.accounts.includes(a))) {
    const prices = priceTag === "none" ? undefined : new ViewBatch(d.lens);
    const px = prices ? queuePrices(d, prices) : undefined;
    const [state] = await Promise.all([cachedState({ ...d, cache }), prices?.run(priceTag)]);
    return state.q.build(now, state.stored, accounts, px?.());
  }
  const batch = new ViewBatch(d.lens);
  const prices = priceTag === "none" ? undefined : priceTag === "latest" ? batch : new ViewBatch(d.lens);
  const q = queueSnapshot(d, accounts, batch, prices);
  const [stored] = await Promise.all([
    readStored(d, accounts),
    batch.run("latest"),
    prices && prices !== batch ? prices.run(priceTag) : undefined,
  ]);
  return q.build(now, stored);
}

/** One account's holdings as the model sees them. */
export async function readAccount(d: Deployment, account: bigint): Promise<M.AccountSnapshot> {
  return (await readSnapshot(d, [account], 0n, "none")).accounts.get(account)!;
}

/**
 * The model's account input of `a` at market prices `marketPrices[id]` and token prices `tokenPrices[i]`, with
 * the snapshot's markets (funding accrued from their last update to `now` at those prices) and cash state.
 */
export function accountInput(s: M.ProtocolSnapshot, a: M.AccountSnapshot, marketPrices: bigint[], tokenPrices: bigint[]): M.AccountInput {
  return {
    cash: M.cashValue(a.principal, s.cash),
    collateral: a.collateral
      .map((bal, i) => ({ balanceWad: bal, price: tokenPrices[i], haircut: M.tokenWeight(s, i) }))
      .filter((h) => h.balanceWad !== 0n),
    positions: M.heldMarkets(a).map((id) => {
      const m = s.markets[id];
      const p = a.positions.get(id)!;
      return {
        size: p.size,
        basis: p.basis,
        price: marketPrices[id],
        cumulativeFunding: m.cumulativeFunding,
        fundingRatePerSecond: m.fundingRatePerSecond,
        sinceUpdate: s.now - m.timestamp,
        mmr: M.effectiveRatios(m, s.now).mmr,
        imr: M.effectiveRatios(m, s.now).imr,
        imrSizeFactor: m.imrSizeFactor,
        tiers: M.effectiveTiers(m, s.now),
      };
    }),
  };
}

/**
 * For each holding of `accountInput(s, a, ...).collateral` (non-zero balances in token order): whether the token is
 * priced by market `marketId`'s oracle asset, so its price moves with the market's in a liquidation-price search
 * (RiskLens, issue #11 class 11).
 */
export function collateralOnMarketFeed(d: Deployment, a: M.AccountSnapshot, marketId: number): boolean[] {
  return a.collateral.flatMap((bal, t) => (bal !== 0n ? [d.tokenAssets[t] === d.marketAssets[marketId]] : []));
}

/**
 * For each held market of `a` (in `heldMarkets` order, the order of `accountInput`'s positions): whether it is
 * priced by market `marketId`'s oracle asset, so its price moves with the probed market's (RiskLens, review F4).
 */
export function marketsOnMarketFeed(d: Deployment, a: M.AccountSnapshot, marketId: number): boolean[] {
  return M.heldMarkets(a).map((id) => d.marketAssets[id] === d.marketAssets[marketId]);
}

/**
 * Whether `account` is liquidatable with market `marketId` at `price`, the other markets at `marketPrices` except
 * every market on the same oracle asset (`marketAssets[m] === marketAssets[marketId]`, the market itself included: a hedged pair on one asset, review F4),
 * and the collateral at `tokenPrices` except every token priced by that asset (`tokenAssets[i]` the same:
 * WETH under ETH-PERP), which all move to `price` too (RiskLens.liquidationPrice, issue #11 class 11):
 * engine.accountMarginAtPrices over vault.marginCollateralAtPrices.
 */
export async function liquidatableAtProbe(
  b: Ballast,
  account: bigint,
  marketId: number,
  price: bigint,
  probe: { marketPrices: bigint[]; tokenPrices: bigint[]; tokenAssets: string[]; marketAssets: string[] },
): Promise<boolean> {
  const marketAsset = probe.marketAssets[marketId];
  const tp = probe.tokenPrices.map((p, t) => (probe.tokenAssets[t] === marketAsset ? price : p));
  const c = await b.vault.marginCollateralAtPrices(account, tp);
  const mp = probe.marketPrices.map((p, m) => (probe.marketAssets[m] === marketAsset ? price : p));
  return (await b.engine.accountMarginAtPrices(account, { cash: c.cash, collateralValue: c.collateralValue }, mp)).liquidatable;
}

/** Compares a snapshot account with another (positions by id, zero positions ignored). */
export function holdings(a: M.AccountSnapshot) {
  const positions: Record<number, M.Position> = {};
  for (const id of M.heldMarkets(a)) positions[id] = a.positions.get(id)!;
  return { principal: a.principal, collateral: a.collateral, positions, frozen: a.frozen, nonce: a.nonce, isolated: a.isolated };
}
