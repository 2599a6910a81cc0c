/**
 * One-step simulation of the state-changing paths whose arithmetic the margin checks depend on: a venue fill
 * (MarginEngine.settleTrade with CollateralVault.settleTrade), a withdrawal (CollateralVault.withdraw), and the
 * liquidation flows (the auction's valuation, the start's tip, a bid's portfolio transfer and cash legs, the
 * insurance fund's cover and the socialised rest, the write-off of a debt-only account). Given a snapshot of the
 * protocol's state and the valid oracle prices at the time of the next block, each returns the new state or the
 * custom error (with its arguments) the contracts revert with.
 *
 * Mirrors, in order: the cached mark and the fill's price band (refreshing a stale cache), `EngineMarkets.update`, both
 * sides' `_applyFill`, open interest, the vault's cash settlement (interest accrued to now, fees first, then maker
 * and taker), then each side's initial-margin check at cached prices no older than `maxPriceAge` (refreshing and
 * storing stale market and collateral prices), with the strict risk-reduction exception.
 */
import { WAD, abs, mulWadDown } from "./wad";
import { collateralValue, haircutWeightAt, positionMargins, positionValue, scaleOf, toWad, fromWadDown, fundingIndexAt } from "./margin";
import { effectiveRatios, effectiveTiers, updateMarket, premiumOf, premiumWeight, type MarketState } from "./market";
import { applyTrade, liquidatableFillAllowed, longDelta, movePosition, surplusNotWorse, type Position, type Side } from "./trade";
import { addCash, cashFraction, cashValue, socialise, MIN_SUPPLY_INDEX, type CashState } from "./cash";
import type { Take, Valuation } from "./auction";
import { cover, vaultCashWad, type EventPayout } from "./insurance";

/** The vault's configuration and cache of one collateral token. */
export interface TokenSnapshot {
  decimals: number;
  /** Stored haircut weight [wad]; while delisting, the weight the ramp started from (see `tokenWeight`). */
  haircut: bigint;
  price: bigint;
  priceTimestamp: bigint;
  /** Ledger total of the token (WAD): deposits minus withdrawals. */
  totalHeld: bigint;
  /** Start and end [seconds] of the token's delisting ramp; absent when it is not being delisted (issue #11 class 14). */
  delisting?: { rampStart: bigint; rampEnd: bigint };
}

/** VaultStorage._weightNow: the haircut weight [wad] of token `i` at the snapshot's `now` (ramped while delisting). */
export function tokenWeight(s: ProtocolSnapshot, i: number): bigint {
  const t = s.tokens[i];
  return t.delisting ? haircutWeightAt(t.haircut, t.delisting.rampStart, t.delisting.rampEnd, s.now) : t.haircut;
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
  /** The account holds at most one market at a time (MarginEngine.setAccountIsolated). */
  isolated: boolean;
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

/** Thrown when a step needs a price the oracle would refuse: the contracts revert with the oracle's error. */
export class OracleInvalid extends Error {
  constructor(
    readonly kind: "market" | "token",
    readonly index: number,
  ) {
    super(`oracle price invalid: ${kind} ${index}`);
  }
}

export function emptyAccount(tokenCount: number): AccountSnapshot {
  return {
    principal: 0n,
    collateral: new Array<bigint>(tokenCount).fill(0n),
    positions: new Map(),
    frozen: false,
    nonce: 0n,
    isolated: false,
  };
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
    if (p === undefined) throw new OracleInvalid("market", id);
    s.markets[id] = { ...m, price: p, priceTimestamp: s.now };
  }
  return s.markets[id];
}

/** `_positionsCached`: sum of position values (only the losing ones when `profitCounts` is false: withdrawals, INV-28)
 * and initial margin at cached prices no older than maxPriceAge; also the
 * maintenance margin at those prices (read only by the risk-reduction exception); both with the margin tiers. */
export function positionsCached(s: ProtocolSnapshot, account: bigint, profitCounts: boolean): { value: bigint; im: bigint; mm: bigint } {
  const a = accountOf(s, account);
  let value = 0n;
  let im = 0n;
  let mm = 0n;
  for (const id of heldMarkets(a)) {
    const m = markNoOlderThan(s, id, s.maxPriceAge);
    const p = a.positions.get(id)!;
    const f = fundingIndexAt(m.cumulativeFunding, m.fundingRatePerSecond, m.price, s.now - m.timestamp);
    const v = positionValue(p.size, p.basis, m.price, f);
    if (profitCounts || v < 0n) value += v;
    const r = effectiveRatios(m, s.now);
    const pm = positionMargins(p.size, m.price, r.mmr, r.imr, m.imrSizeFactor, effectiveTiers(m, s.now));
    im += pm.im;
    mm += pm.mm;
  }
  return { value, im, mm };
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
      if (p === undefined) throw new OracleInvalid("token", i);
      s.tokens[i] = { ...t, price: p, priceTimestamp: s.now };
    }
    total += collateralValue(bal, s.tokens[i].price, tokenWeight(s, i));
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
  if (t.takerSize === 0n) return { state: before, revert: { error: "EngineZeroSize", args: [] } };
  if (t.maker === t.taker) return { state: before, revert: { error: "EngineSelfTrade", args: [t.maker] } };
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
  const m = updateMarket(mark, s.now, premium, premiumWeight(t.takerSize, tr.openInterestCap));
  s.markets[id] = m;
  const maker = accountOf(s, t.maker);
  const taker = accountOf(s, t.taker);
  const pm = maker.positions.get(id) ?? { size: 0n, basis: 0n };
  const pt = taker.positions.get(id) ?? { size: 0n, basis: 0n };
  const r = applyTrade(pm, pt, t.takerSize, t.price, m.cumulativeFunding);
  // _setHeld: an isolated account cannot open a second market (maker first, then taker).
  for (const [account, a, side] of [
    [t.maker, maker, r.maker],
    [t.taker, taker, r.taker],
  ] as const) {
    const held = heldMarkets(a);
    if (side.sizeBefore === 0n && side.sizeAfter !== 0n && a.isolated && held.length > 0) {
      return {
        state: before,
        revert: { error: "EngineIsolatedAccountSecondMarket", args: [account, BigInt(held[held.length - 1]), BigInt(id)] },
      };
    }
    a.positions.set(id, side.position);
  }
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
    const { value, im, mm } = positionsCached(s, account, true);
    const equity = c.cash + c.collateralValue + value;
    if (equity >= im) continue;
    // INV-30 (review H-1): the risk-reduction exception never leaves an account with negative equity.
    if (side.reducesRisk && equity >= 0n && surplusNotWorse(side, t.price, fee, mark.price, effectiveRatios(mark, s.now).mmr)) {
      if (liquidatableFillAllowed(side, t.price, mark.price, equity, mm)) continue;
      return { state: before, revert: { error: "EngineLiquidatableFillWorseThanMark", args: [account, t.price, mark.price] } };
    }
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
  // INV-28: unrealised profit never backs a withdrawal; losses count in full.
  const { value, im } = positionsCached(s, account, false);
  const c = marginCollateral(s, account);
  const equity = c.cash + c.collateralValue + value;
  if (equity < im) return { state: before, revert: { error: "VaultInsufficientMargin", args: [account, equity, im] } };
  return { state: s };
}

export { WAD };

// ------------------------------------------------------------------ liquidation flows (LiquidationAuction + vault)

/**
 * The auction's valuation of `account` at fresh oracle prices (LiquidationAuction._value): E and M as the engine
 * computes them, V = E + H and R = M + H with H the collateral haircut amount. Throws OracleInvalid when a price
 * it needs is invalid (the contract reverts with the oracle's error).
 */
export function auctionValuation(s: ProtocolSnapshot, account: bigint): Valuation {
  const a = accountOf(s, account);
  let equity = cashValue(a.principal, s.cash);
  let raw = 0n;
  let haircutValue = 0n;
  a.collateral.forEach((bal, i) => {
    if (bal === 0n) return;
    // A collateral of weight zero (fully delisted) counts nothing in margin; its raw value counts when its price is
    // valid and is 0 when it is not (VaultStorage._marginCollateralView, review F2).
    const weight = tokenWeight(s, i);
    const p = s.tokenOracle[i];
    if (p === undefined && weight === 0n) return;
    if (p === undefined) throw new OracleInvalid("token", i);
    const v = mulWadDown(bal, p);
    raw += v;
    haircutValue += mulWadDown(v, weight);
  });
  equity += haircutValue;
  let mm = 0n;
  for (const id of heldMarkets(a)) {
    const p = s.marketOracle[id];
    if (p === undefined) throw new OracleInvalid("market", id);
    const m = s.markets[id];
    const pos = a.positions.get(id)!;
    equity += positionValue(pos.size, pos.basis, p, fundingIndexAt(m.cumulativeFunding, m.fundingRatePerSecond, p, s.now - m.timestamp));
    const r = effectiveRatios(m, s.now);
    mm += positionMargins(pos.size, p, r.mmr, r.imr, m.imrSizeFactor, effectiveTiers(m, s.now)).mm;
  }
  const h = raw - haircutValue;
  return { equity, maintenanceMargin: mm, markToMarket: equity + h, requirement: mm + h };
}

/** CollateralVault.startLiquidation: freezes `account` and moves `tip` (WAD cash) to `tipAccount`. */
export function startLiquidation(before: ProtocolSnapshot, account: bigint, tipAccount: bigint, tip: bigint): ProtocolSnapshot {
  const s = structuredClone(before);
  const a = accountOf(s, account);
  a.frozen = true;
  // Every start bumps the nonce (review F3): it then stays constant through the auction (review M1).
  a.nonce += 1n;
  if (tip !== 0n) {
    a.principal = addCash(s.cash, a.principal, -tip);
    // A credit: the tip account's nonce stays.
    addCashTo(s, tipAccount, tip);
  }
  return s;
}

/** The zero-sum cash legs of a bid (LiquidationAuction._legs). */
export interface CashLegs {
  toFrom: bigint;
  toTo: bigint;
  third: bigint;
  toThird: bigint;
}

export function bidLegs(t: Take, fundAccount: bigint): CashLegs {
  if (t.payment === 0n && t.penalty === 0n) return { toFrom: 0n, toTo: 0n, third: 0n, toThird: 0n };
  return {
    toFrom: t.payment - t.penalty,
    toTo: t.penalty - t.penaltyToFund - t.payment,
    third: fundAccount,
    toThird: t.penaltyToFund,
  };
}

/**
 * MarginEngine.transferPortfolio with CollateralVault.transferFraction: moves `fraction` of every position,
 * collateral balance and of the cash value of `from` to `to`, applies the legs, then realises `to`'s netted bases.
 */
export function transferPortfolio(before: ProtocolSnapshot, from: bigint, to: bigint, fraction: bigint, legs: CashLegs): FillResult {
  const s = structuredClone(before);
  const af = accountOf(s, from);
  const at = accountOf(s, to);
  let cashTo = 0n;
  for (const id of heldMarkets(af)) {
    const pf = af.positions.get(id)!;
    const pt = at.positions.get(id) ?? { size: 0n, basis: 0n };
    const mv = movePosition(pf, pt, fraction);
    af.positions.set(id, mv.from);
    at.positions.set(id, mv.to);
    cashTo += mv.cashTo;
    const m = s.markets[id];
    s.markets[id] = {
      ...m,
      longOpenInterest: m.longOpenInterest + longDelta(pf.size, mv.from.size) + longDelta(pt.size, mv.to.size),
      totalBasis: m.totalBasis + mv.cashTo,
    };
  }
  if (at.frozen) return { state: before, revert: { error: "VaultAccountInAuction", args: [to] } };
  af.collateral.forEach((bal, i) => {
    const amt = fraction === WAD ? bal : mulWadDown(bal, fraction);
    af.collateral[i] = bal - amt;
    at.collateral[i] += amt;
  });
  const moved = cashFraction(cashValue(af.principal, s.cash), fraction);
  addCashTo(s, from, legs.toFrom - moved);
  bumpNonce(af);
  addCashTo(s, to, legs.toTo + moved);
  bumpNonce(at);
  if (legs.toThird !== 0n) {
    addCashTo(s, legs.third, legs.toThird);
    if (legs.toThird < 0n) bumpNonce(accountOf(s, legs.third));
  }
  if (cashTo !== 0n) {
    addCashTo(s, to, cashTo);
    bumpNonce(at);
  }
  for (const a of [af, at]) for (const [k, p] of a.positions) if (p.size === 0n && p.basis === 0n) a.positions.delete(k);
  return { state: s };
}

/**
 * VaultStorage._applyCash's nonce rule (INV-05): a change bumps the nonce, except for an account in auction, whose
 * nonce stays constant from its start so that no bid voids another (review M1).
 */
function bumpNonce(a: { nonce: bigint; frozen: boolean }): void {
  if (!a.frozen) a.nonce += 1n;
}

/** What a loss cost the fund and positive cash (INV-17). */
export interface LossCover {
  /** Paid by the insurance fund (WAD, whole token units) and the event's new state. */
  drawn: bigint;
  event: EventPayout;
  /** Written off by lowering the supply index. */
  socialised: bigint;
  /** Whether the vault's socialiseLoss was called (it emits LossSocialised even for 0). */
  socialiseCalled: boolean;
}

/**
 * The fund's `cover` of `amount` to `recipient` (a transferCash from the fund's account, whole token units), then
 * what it did not pay socialised and credited to `recipient` (LiquidationAuction._subsidise).
 */
export function subsidise(
  s: ProtocolSnapshot,
  fundAccount: bigint,
  recipient: bigint,
  amount: bigint,
  e: EventPayout,
  eventCapRatio: bigint,
): LossCover {
  const drawn = coverFromFund(s, fundAccount, recipient, amount, e, eventCapRatio);
  if (drawn.drawn >= amount) return { ...drawn, socialised: 0n, socialiseCalled: false };
  const socialised = socialiseTo(s, recipient, amount - drawn.drawn);
  return { ...drawn, socialised, socialiseCalled: true };
}

/** InsuranceFund.cover: pays from the fund's vault cash to `recipient` (mutates `s`). */
function coverFromFund(s: ProtocolSnapshot, fundAccount: bigint, recipient: bigint, amount: bigint, e: EventPayout, ratio: bigint) {
  const fund = accountOf(s, fundAccount);
  const r = cover(e, amount, vaultCashWad(cashValue(fund.principal, s.cash), s.cashDecimals), ratio, s.cashDecimals);
  if (r.paid !== 0n) {
    fund.principal = addCash(s.cash, fund.principal, -r.paid);
    bumpNonce(fund);
    // transferCash credits the recipient without bumping its nonce.
    addCashTo(s, recipient, r.paid);
  }
  return { drawn: r.paid, event: r.event };
}

/** CollateralVault.socialiseLoss(account, amount) (mutates `s`); returns what was written off. */
function socialiseTo(s: ProtocolSnapshot, account: bigint, amount: bigint): bigint {
  if (s.cash.supplyPrincipal === 0n || s.cash.supplyIndex <= MIN_SUPPLY_INDEX) return 0n;
  const socialised = socialise(s.cash, amount);
  addCashTo(s, account, socialised);
  bumpNonce(accountOf(s, account));
  return socialised;
}

/**
 * LiquidationAuction._writeOffDebt: the fund covers a debt-only account's debt, then what is left (read after the
 * payment) is socialised.
 */
export function writeOffDebt(s: ProtocolSnapshot, fundAccount: bigint, account: bigint, e: EventPayout, eventCapRatio: bigint): LossCover {
  const debt = -cashValue(accountOf(s, account).principal, s.cash);
  const drawn = coverFromFund(s, fundAccount, account, debt, e, eventCapRatio);
  const left = cashValue(accountOf(s, account).principal, s.cash);
  if (left >= 0n) return { ...drawn, socialised: 0n, socialiseCalled: false };
  return { ...drawn, socialised: socialiseTo(s, account, -left), socialiseCalled: true };
}
