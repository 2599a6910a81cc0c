/**
 * Reads the deployed protocol's state into the reference model's snapshot (src/model/protocol.ts) for the
 * one-step differential checks, and builds the model's account inputs (src/model/account.ts) at given prices.
 */
import type { Ballast } from "./fixtures";
import type { VaultProbe } from "./vaultProbe";
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

/**
 * The protocol's state as a block at `now` sees it, for `accounts`: the next block (`now` set beforehand with
 * setNextBlockTimestamp, oracle prices read in the pending block), or the latest one (`now` its timestamp,
 * `priceTag` "latest"). Interest and funding are accrued to `now`.
 */
export async function readSnapshot(d: Deployment, accounts: bigint[], now: bigint, priceTag = "pending"): Promise<M.ProtocolSnapshot> {
  const { b } = d;
  const markets = await Promise.all(d.marketAssets.map(async (_a, id) => M.marketStateFromView(await b.engine.marketView(id))));
  const tokens = await Promise.all(
    d.tokenAddresses.map(async (t, i) => {
      const info = await b.vault.tokenInfo(t);
      // No suite using snapshots delists a collateral (class 14), so the weight `tokenInfo` reports is the stored one.
      return {
        decimals: d.tokenDecimals[i],
        haircut: info.haircut,
        price: info.cachedPrice,
        priceTimestamp: info.cachedPriceTimestamp,
        totalHeld: info.totalDeposits,
      };
    }),
  );
  // priceTag "none": oracle prices are not needed (undefined).
  const price = (a: string) => (priceTag === "none" ? Promise.resolve(undefined) : pendingPrice(b, a, priceTag));
  const marketOracle = await Promise.all(d.marketAssets.map(price));
  const tokenOracle = await Promise.all(d.tokenAssets.map(price));
  const stored = await d.probe.cash();
  const { supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal, lastAccrual } = stored;
  const cash = M.viewCash({ supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal }, lastAccrual, now, d.rates.base, d.rates.slope);
  const cashHeld = await b.vault.totalHeldWad(await b.vault.cashToken());
  const snapshot: M.ProtocolSnapshot = {
    now,
    maxPriceAge: await b.engine.maxPriceAge(),
    markets,
    tokens,
    marketOracle,
    tokenOracle,
    cash,
    cashHeld,
    cashDecimals: d.cashDecimals,
    accounts: new Map(),
  };
  for (const a of accounts) snapshot.accounts.set(a, await readAccount(d, a));
  return snapshot;
}

/** One account's holdings as the model sees them. */
export async function readAccount(d: Deployment, account: bigint): Promise<M.AccountSnapshot> {
  const { b } = d;
  const stored = await d.probe.account(account);
  const collateral = await Promise.all(d.tokenAddresses.map((t) => b.vault.collateralBalanceWad(account, t)));
  const positions = new Map<number, M.Position>();
  const [bits, isolated] = await b.engine.accountInfo(account);
  for (let id = 0; id < d.marketAssets.length; id++) {
    if ((bits & (1n << BigInt(id))) === 0n) continue;
    const [size, basis] = await b.engine.position(account, id);
    positions.set(id, { size, basis });
  }
  return { principal: stored.cashPrincipal, collateral, positions, frozen: stored.frozen, nonce: stored.nonce, isolated };
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
        fundingRate: m.fundingRate,
        sinceUpdate: s.now - m.timestamp,
        mmr: M.effectiveRatios(m, s.now).mmr,
        imr: M.effectiveRatios(m, s.now).imr,
        imrSizeFactor: m.imrSizeFactor,
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
