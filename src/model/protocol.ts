/**
 * One-step simulation of the state-changing paths whose arithmetic the margin checks depend on: a venue fill
 * (MarginEngine.settleTrade with CollateralVault.settleTrade) and a withdrawal (CollateralVault.withdraw). Given a
 * snapshot of the protocol's state and the valid oracle prices at the time of the next block, it returns the new
 * state or the custom error (with its arguments) the contracts revert with.
 *
 * Mirrors, in order: the cached mark and the fill's price band (refreshing a stale cache), `_updateMarket`, both
 * sides' `_applyFill`, open interest, the vault's cash settlement (interest accrued to now, fees first, then maker
 * and taker), then each side's initial-margin check at cached prices no older than `maxPriceAge` (refreshing and
 * storing stale market and collateral prices), with the strict risk-reduction exception.
 */
import { WAD, abs } from "./wad";
import { collateralValue, initialMargin, positionValue, scaleOf, toWad, fromWadDown, fundingIndexAt } from "./margin";
import { updateMarket, premiumOf, type MarketState } from "./market";
import { applyTrade, longDelta, surplusNotWorse, type Position, type Side } from "./trade";
import { addCash, cashValue, type CashState } from "./cash";

/** The vault's configuration and cache of one collateral token. */
export interface TokenSnapshot {
  decimals: number;
  haircut: bigint;
  price: bigint;
  priceTimestamp: bigint;
  /** Ledger total of the token (WAD): deposits minus withdrawals. */
  totalHeld: bigint;
}

/** What the engine and vault hold for one account. */
export interface AccountSnapshot {
  principal: bigint;
  /** WAD balances by token index. */
  collateral: bigint[];
  /** Positions by market id (absent: none). */
  positions: Map<number, Position>;
  frozen: boolean;
  nonce: bigint;
}

export interface ProtocolSnapshot {
  /** Timestamp of the block being simulated. */
  now: bigint;
  maxPriceAge: bigint;
  markets: MarketState[];
  tokens: TokenSnapshot[];
  /** Valid oracle price of each market / token at `now` (undefined: the oracle reverts). */
  marketOracle: (bigint | undefined)[];
  tokenOracle: (bigint | undefined)[];
  /** Cash state accrued to `now` (see cash.viewCash). */
  cash: CashState;
  /** Cash tokens held by the ledger (WAD), and the cash token's decimals. */
  cashHeld: bigint;
  cashDecimals: number;
  accounts: Map<bigint, AccountSnapshot>;
}

/** A custom error the contracts would revert with. */
export interface Revert {
  error: string;
  args: (bigint | string)[];
}

export class OracleInvalid extends Error {
  constructor(readonly what: string) {
    super(`oracle price invalid: ${what}`);
  }
}

export function emptyAccount(tokenCount: number): AccountSnapshot {
  return { principal: 0n, collateral: new Array<bigint>(tokenCount).fill(0n), positions: new Map(), frozen: false, nonce: 0n };
}

const accountOf = (s: ProtocolSnapshot, a: bigint): AccountSnapshot => {
  let x = s.accounts.get(a);
  if (!x) {
    x = emptyAccount(s.tokens.length);
    s.accounts.set(a, x);
  }
  return x;
};

/** Market ids an account holds, in the engine's iteration order (lowest bit first). */
export const heldMarkets = (a: AccountSnapshot): number[] =>
  [...a.positions.keys()].filter((id) => a.positions.get(id)!.size !== 0n).sort((x, y) => x - y);

/** `_markNoOlderThan(m, maxAge)` with the refreshed mark stored in the snapshot. */
function markNoOlderThan(s: ProtocolSnapshot, id: number, maxAge: bigint): MarketState {
  const m = s.markets[id];
  if (s.now - m.priceTimestamp > maxAge) {
    const p = s.marketOracle[id];
    if (p === undefined) throw new OracleInvalid(`market ${id}`);
    s.markets[id] = { ...m, price: p, priceTimestamp: s.now };
  }
  return s.markets[id];
}

/** `_positionsCached`: sum of position values and initial margin at cached prices no older than maxPriceAge. */
export function positionsCached(s: ProtocolSnapshot, account: bigint): { value: bigint; im: bigint } {
  const a = accountOf(s, account);
  let value = 0n;
  let im = 0n;
  for (const id of heldMarkets(a)) {
    const m = markNoOlderThan(s, id, s.maxPriceAge);
    const p = a.positions.get(id)!;
    const f = fundingIndexAt(m.cumulativeFunding, m.fundingRate, m.price, s.now - m.timestamp);
    value += positionValue(p.size, p.basis, m.price, f);
    im += initialMargin(p.size, m.price, m.imr, m.imrSizeFactor);
  }
  return { value, im };
}

/** `_marginCollateral`: cash value and haircut collateral value, refreshing stale token prices. */
export function marginCollateral(s: ProtocolSnapshot, account: bigint): { cash: bigint; collateralValue: bigint } {
  const a = accountOf(s, account);
  let total = 0n;
  a.collateral.forEach((bal, i) => {
    if (bal === 0n) return;
    const t = s.tokens[i];
    if (s.now - t.priceTimestamp > s.maxPriceAge) {
      const p = s.tokenOracle[i];
      if (p === undefined) throw new OracleInvalid(`token ${i}`);
      s.tokens[i] = { ...t, price: p, priceTimestamp: s.now };
    }
    total += collateralValue(bal, s.tokens[i].price, s.tokens[i].haircut);
  });
  return { cash: cashValue(a.principal, s.cash), collateralValue: total };
}

function addCashTo(s: ProtocolSnapshot, account: bigint, delta: bigint): void {
  const a = accountOf(s, account);
  if (delta !== 0n) a.principal = addCash(s.cash, a.principal, delta);
}

/** A fill as the venue reports it (IMarginEngine.Trade). */
export interface Fill {
  maker: bigint;
  taker: bigint;
  marketId: number;
  takerSize: bigint;
  price: bigint;
  makerFee: bigint;
  takerFee: bigint;
  feeAccount: bigint;
}

export interface FillResult {
  state: ProtocolSnapshot;
  revert?: Revert;
  maker?: Side;
  taker?: Side;
  premium?: bigint;
}

/** MarginEngine.settleTrade (maker not reduce-only, trading not paused, market not reduce-only). */
export function settleTrade(before: ProtocolSnapshot, t: Fill): FillResult {
  const s = structuredClone(before);
  const id = t.marketId;
  const tr = s.markets[id];
  let mark = markNoOlderThan(s, id, s.maxPriceAge);
  let premium = premiumOf(t.price, mark.price);
  if (abs(premium) > tr.maxFillDeviation && mark.priceTimestamp !== s.now) {
    mark = markNoOlderThan(s, id, 0n);
    premium = premiumOf(t.price, mark.price);
  }
  if (abs(premium) > tr.maxFillDeviation) {
    return { state: before, revert: { error: "EngineFillPriceOutOfBand", args: [BigInt(id), t.price, mark.price, tr.maxFillDeviation] } };
  }
  const m = updateMarket(mark, s.now, premium);
  s.markets[id] = m;
  const maker = accountOf(s, t.maker);
  const taker = accountOf(s, t.taker);
  const pm = maker.positions.get(id) ?? { size: 0n, basis: 0n };
  const pt = taker.positions.get(id) ?? { size: 0n, basis: 0n };
  const r = applyTrade(pm, pt, t.takerSize, t.price, m.cumulativeFunding);
  maker.positions.set(id, r.maker.position);
  taker.positions.set(id, r.taker.position);
  const dLong = longDelta(r.maker.sizeBefore, r.maker.sizeAfter) + longDelta(r.taker.sizeBefore, r.taker.sizeAfter);
  const newLong = m.longOpenInterest + dLong;
  if (dLong > 0n && newLong > m.openInterestCap) {
    return { state: before, revert: { error: "EngineOpenInterestCapExceeded", args: [BigInt(id), m.openInterestCap, newLong] } };
  }
  s.markets[id] = { ...m, longOpenInterest: newLong, totalBasis: m.totalBasis + r.maker.basisDelta + r.taker.basisDelta };
  // Vault: fees first, then maker (A) and taker (B); both nonces bump.
  if (maker.frozen) return { state: before, revert: { error: "VaultAccountInAuction", args: [t.maker] } };
  if (taker.frozen) return { state: before, revert: { error: "VaultAccountInAuction", args: [t.taker] } };
  const fees = t.makerFee + t.takerFee;
  if (fees !== 0n) addCashTo(s, t.feeAccount, fees);
  addCashTo(s, t.maker, r.maker.realised - t.makerFee);
  maker.nonce += 1n;
  addCashTo(s, t.taker, r.taker.realised - t.takerFee);
  taker.nonce += 1n;
  const collateralMaker = marginCollateral(s, t.maker);
  const collateralTaker = marginCollateral(s, t.taker);
  for (const [account, c, side, fee] of [
    [t.maker, collateralMaker, r.maker, t.makerFee],
    [t.taker, collateralTaker, r.taker, t.takerFee],
  ] as const) {
    const { value, im } = positionsCached(s, account);
    const equity = c.cash + c.collateralValue + value;
    if (equity >= im) continue;
    if (side.reducesRisk && surplusNotWorse(side, t.price, fee, mark.price, mark.mmr)) continue;
    return { state: before, revert: { error: "EngineInsufficientMargin", args: [account, equity, im] } };
  }
  for (const a of [maker, taker]) for (const [k, p] of a.positions) if (p.size === 0n && p.basis === 0n) a.positions.delete(k);
  return { state: s, maker: r.maker, taker: r.taker, premium };
}

/**
 * CollateralVault.withdraw of `amount` token units of `token` (index, -1: the cash token) from `account`;
 * `tokenAddress` names the token in the errors.
 */
export function withdraw(
  before: ProtocolSnapshot,
  account: bigint,
  token: number,
  amount: bigint,
  tokenAddress: string,
): { state: ProtocolSnapshot; revert?: Revert } {
  const s = structuredClone(before);
  const a = accountOf(s, account);
  if (token < 0) {
    const available = cashValue(a.principal, s.cash);
    const wad = toWad(amount, s.cashDecimals);
    if (available < wad) return { state: before, revert: { error: "VaultInsufficientCash", args: [account, available, amount] } };
    a.principal = addCash(s.cash, a.principal, -wad);
    a.nonce += 1n;
    if (wad > s.cashHeld) {
      return {
        state: before,
        revert: { error: "VaultInsufficientLiquidity", args: [tokenAddress, fromWadDown(s.cashHeld, s.cashDecimals), amount] },
      };
    }
    s.cashHeld -= wad;
  } else {
    const t = s.tokens[token];
    const wad = amount * scaleOf(t.decimals);
    const bal = a.collateral[token];
    if (bal < wad) {
      return {
        state: before,
        revert: { error: "VaultInsufficientBalance", args: [account, tokenAddress, fromWadDown(bal, t.decimals), amount] },
      };
    }
    a.collateral[token] = bal - wad;
    a.nonce += 1n;
    s.tokens[token] = { ...t, totalHeld: t.totalHeld - wad };
  }
  if (a.frozen) return { state: before, revert: { error: "VaultAccountInAuction", args: [account] } };
  if (heldMarkets(a).length === 0 && a.principal >= 0n) return { state: s };
  const { value, im } = positionsCached(s, account);
  const c = marginCollateral(s, account);
  const equity = c.cash + c.collateralValue + value;
  if (equity < im) return { state: before, revert: { error: "VaultInsufficientMargin", args: [account, equity, im] } };
  return { state: s };
}

export { WAD };
