/**
 * Liquidation strategies: when to bid on a running auction and for how much, priced offline with the exact
 * mirror of the auction's math (src/model/auction.ts), and what priority fee to offer.
 *
 * Every amount is WAD cash unless stated. A bid that takes fraction f of a portfolio worth V (mark to market) at
 * unit price B gains the bidder  f*V - f*B + (its share of the penalty) + (any subsidy, when B < 0),  less what it
 * costs to hedge the positions it receives (the quote's distance from the index plus the taker fee) and gas.
 *
 *  - eager:   bids at the first block where that net gain reaches `minProfit`.
 *  - patient: also waits until the discount 1 - B/V reaches `targetDiscount` (insolvent portfolios: at once).
 *  - flash:   capital-free: bids through the FlashLiquidator, selling what it receives inside the callback, so it
 *             can only bid once the discount covers the collateral haircut it takes on (its account must end at or
 *             above initial margin); otherwise like eager.
 */
import { insolventElapsedAt, take, tip, unitPrice, type AuctionParams, type Take, type Valuation } from "../model/auction";
import { WAD, mulWadDown, max, min } from "../model/wad";

/** The liquidation strategies a keeper can run (scenario files and `npx hardhat keeper --strategy` name them). */
export const STRATEGIES = ["eager", "patient", "flash"] as const;
export type StrategyKind = (typeof STRATEGIES)[number];

export interface StrategyConfig {
  kind: StrategyKind;
  minProfit: bigint;
  targetDiscount: bigint;
  /** Share of the expected gain offered as priority fee (WAD). */
  gasShare: bigint;
  minPriorityFee: bigint;
  maxPriorityFee: bigint;
}

/**
 * Gas a keeper expects each action to use (for its profit estimate) and the limit it sends with. The start figures are
 * the gas snapshot's for an account with one position and cash (test/gas/gas-snapshot.json, checked against it by
 * test/keeper/strategy.test.ts): `start` is `LiquidationAuction.startAuction` (156,016); `batchStart` is
 * `AuctionStarter.startAuctions` on n accounts, `base + perAccount * n` used (162,500 for one account, 845,358 for ten:
 * about 75,800 per further account and 86,600 shared, the transaction base and the cold first reads), sent with
 * `limitBase + limitPerAccount * n`. Each further market an account holds adds `perMarket` (the snapshot's 40,492 per
 * market, accounts of 2 and 8 markets) and each collateral token `perCollateral` (32,818 per token, cash only against
 * cash, WETH and WBTC) to what its start uses and to its limit ({@link extraStartGas}, from the lens's `marketCount`
 * and `collateralCount`), so an account in 16 markets with 16 tokens is sent with enough gas.
 */
export const GAS = {
  start: { used: 156_300n, limit: 400_000 },
  batchStart: { base: 87_000n, perAccount: 76_100n, limitBase: 150_000, limitPerAccount: 280_000 },
  /** Each market an account holds beyond its first, on a start (alone or in a batch). */
  perMarket: { used: 40_700n, limit: 61_000 },
  /** Each collateral token an account holds, on a start (alone or in a batch). */
  perCollateral: { used: 33_000n, limit: 50_000 },
  bid: { used: 260_000n, limit: 900_000 },
  flashBid: { used: 520_000n, limit: 2_000_000 },
  /**
   * What each further market and each collateral token of a portfolio adds to a bid's gas limit ({@link bidGasLimit};
   * the token figure also to its expected use, {@link bidExtraGasUsed}): per market the snapshot's 29,091 (a bidder
   * already holding it) plus a position slot new to the bidder (20,000) and the bidder's own margin check of it (9,362),
   * 58,453 rounded up; per token the snapshot's
   * 68,518 (the bidder's first receipt of it). A flash bid adds a hedge fill per leg: the snapshot's fill for a taker
   * holding eight markets, 246,116, rounded up.
   */
  bidPerMarket: 58_500n,
  bidPerCollateral: 69_000n,
  /** Each further market of a portfolio on a bid's expected use (its profit estimate): the snapshot's 29,091. */
  bidMarketUsed: 29_100n,
  flashHedgeLeg: 246_200n,
  hedge: { used: 230_000n, limit: 700_000 },
  terminate: { used: 120_000n, limit: 400_000 },
  /**
   * Automated deleveraging (`LiquidationAuction.deleverage`) of a one-market account: the gas snapshot's "auction:
   * deleverage (ADL), one market" (310,058, the fund's payment included) rounded up (asserted there), and each
   * further market: 126,062 measured on an account in ETH and BTC (each market: its position, price, funding and loss
   * read, its update, a new index entry, the bankrupt position's removal).
   */
  deleverage: { used: 310_100n, perMarket: 126_100n },
  checkpoint: { used: 120_000n, limit: 1_000_000 },
} as const;

/**
 * Cost [WAD cash] of flattening a position of `size` [WAD base, signed] by taking a quote at `quotePrice` [WAD] when
 * the index is `index` [WAD]: the price gap, signed (selling a long above the index, or buying back a short below
 * it, is a gain: a negative cost), plus the taker fee on the quote's notional (`takerFeeRate`, WAD). A gain is
 * rounded toward zero, so the estimate never flatters the hedge by more than a wei.
 */
export function hedgeLegCost(size: bigint, quotePrice: bigint, index: bigint, takerFeeRate: bigint): bigint {
  const abs = size < 0n ? -size : size;
  return mulWadDown(-size, quotePrice - index) + mulWadDown(mulWadDown(abs, quotePrice), takerFeeRate);
}

export interface BidContext {
  params: AuctionParams;
  valuation: Valuation;
  /** Auction clock (seconds) when the bid will execute. */
  elapsed: bigint;
  /** Auction-clock reading [s] at which the account's insolvency was recorded (the insolvent bonus grows from there); undefined when none is. */
  insolventSince?: bigint;
  /** Cost of hedging the whole portfolio (fraction 1), WAD cash, negative when the quotes pay more than the index
   * ({hedgeLegCost}); scaled by the fraction taken. */
  hedgeCostPerWhole: bigint;
  /** Bidder's current margin equity (flash: its account's equity; others: ignored). */
  bidderEquity: bigint;
  baseFee: bigint;
  /** WAD cash per ETH, to price gas. */
  ethPrice: bigint;
  /** Gas the portfolio's further markets and tokens add to the bid ({@link bidExtraGasUsed}); 0 when absent. */
  extraGas?: bigint;
}

export interface BidPlan {
  take: Take;
  /** Gain before gas. */
  gain: bigint;
  gasCost: bigint;
  net: bigint;
  priorityFee: bigint;
  /** 1 - B/V (WAD), or -1 when V <= 0. */
  discount: bigint;
}

/** Priority fee (wei per gas) that spends `share` of `gain` (WAD cash) on `gas` gas, within the strategy's bounds. */
export function priorityFeeFor(cfg: StrategyConfig, gain: bigint, gas: bigint, ethPrice: bigint): bigint {
  if (gain <= 0n || ethPrice <= 0n) return cfg.minPriorityFee;
  const budgetWei = (mulWadDown(gain, cfg.gasShare) * WAD) / ethPrice;
  return min(cfg.maxPriorityFee, max(cfg.minPriorityFee, budgetWei / gas));
}

/** Gas cost in WAD cash. */
export function gasCostCash(gas: bigint, pricePerGas: bigint, ethPrice: bigint): bigint {
  return (gas * pricePerGas * ethPrice) / WAD;
}

/** The bid this strategy would make at `ctx.elapsed` (requesting everything the auction allows). */
export function planBid(cfg: StrategyConfig, ctx: BidContext): BidPlan {
  const t = take(
    ctx.params,
    ctx.valuation,
    ctx.elapsed,
    insolventElapsedAt(ctx.elapsed, ctx.insolventSince, ctx.valuation.markToMarket),
    WAD,
  );
  const v = ctx.valuation.markToMarket;
  const received = mulWadDown(v, t.fraction);
  const hedgeCost = mulWadDown(ctx.hedgeCostPerWhole, t.fraction);
  const gain = received - t.payment + t.penalty - t.penaltyToFund + t.subsidy - hedgeCost;
  const gas = (cfg.kind === "flash" ? GAS.flashBid.used : GAS.bid.used) + (ctx.extraGas ?? 0n);
  const priorityFee = priorityFeeFor(cfg, gain, gas, ctx.ethPrice);
  const gasCost = gasCostCash(gas, ctx.baseFee + priorityFee, ctx.ethPrice);
  const discount = v > 0n ? WAD - (t.unitPrice * WAD) / v : -1n;
  return { take: t, gain, gasCost, net: gain - gasCost, priorityFee, discount };
}

/** Whether the strategy bids now, given its plan. */
export function wantsToBid(cfg: StrategyConfig, ctx: BidContext, plan: BidPlan): boolean {
  if (plan.take.fraction === 0n || plan.net < cfg.minProfit) return false;
  if (cfg.kind === "patient" && plan.discount >= 0n && plan.discount < cfg.targetDiscount) return false;
  if (cfg.kind === "flash") {
    // The flash account keeps the collateral it receives at its haircut value: it must end with equity >= 0.
    const haircut = ctx.valuation.markToMarket - ctx.valuation.equity;
    const after = ctx.bidderEquity + plan.gain - mulWadDown(max(haircut, 0n), plan.take.fraction);
    if (after <= 0n) return false;
  }
  return true;
}

/**
 * The earliest auction clock (>= ctx.elapsed) at which the strategy would bid if nothing else changed, found by
 * bisection (the unit price falls with time); undefined when it never would within the whole curve.
 */
export function earliestBidClock(cfg: StrategyConfig, ctx: BidContext): bigint | undefined {
  const p = ctx.params;
  // The price stops falling at the end of the curve, or once a recorded insolvency's bonus has fully grown.
  const end = max(p.fastDuration + p.slowDuration, ctx.insolventSince ?? 0n) + p.insolventDuration;
  const ok = (t: bigint) => {
    const c = { ...ctx, elapsed: t };
    return wantsToBid(cfg, c, planBid(cfg, c));
  };
  if (ok(ctx.elapsed)) return ctx.elapsed;
  if (ctx.elapsed >= end || !ok(end)) return undefined;
  let lo = ctx.elapsed;
  let hi = end;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The lowest base fee [wei per gas] the block after one with `baseFee` can have: 7/8 of it (EIP-1559). */
export function nextBaseFeeFloor(baseFee: bigint): bigint {
  return baseFee - baseFee / 8n;
}

/**
 * Base fee [wei per gas] of the block after the latest, as the node reports it: the last entry of
 * `eth_feeHistory(1, "latest")`, which the node computes by its chain's own rule (Ethereum's EIP-1559, OP Stack's and
 * Arbitrum's differ). `send` is the node's JSON-RPC call; throws when the node does not answer it.
 */
export async function nodeNextBaseFee(send: (method: string, params: unknown[]) => Promise<unknown>): Promise<bigint> {
  const h = (await send("eth_feeHistory", ["0x1", "latest", []])) as { baseFeePerGas: string[] };
  return BigInt(h.baseFeePerGas[h.baseFeePerGas.length - 1]);
}

/** The four valuation figures the lens reports for an account (`RiskLens.accountsHealth`), WAD cash. */
export interface TipInputs {
  /** Margin equity E. */
  equity: bigint;
  /** Maintenance margin M. */
  maintenance: bigint;
  /** V = E + H (H: collateral haircut amount). */
  markToMarket: bigint;
  /** R = M + H. */
  requirement: bigint;
}

/**
 * The starter's tip the contract pays for an account the lens valued at `v`, in a block whose base fee is `baseFee`
 * [wei per gas; default 0: the flat tip unscaled]: min(F + tipRate * max(M - E, 0), penaltyRate * R, penaltyRate *
 * max(V, 0)), F = flatTip * max(1, baseFee / tipBaseFee) (WAD cash, rounded down: `AuctionMath.tip`). Exact at the
 * lens's prices; callers pass the lowest base fee the block the start lands in can have, so it is a lower bound there.
 */
export function tipEstimate(p: AuctionParams, v: TipInputs, baseFee = 0n): bigint {
  return tip(p, max(v.maintenance - v.equity, 0n), v.requirement, v.markToMarket, baseFee);
}

export { unitPrice };

/**
 * Largest batch a keeper sends to `AuctionStarter.startAuctions` in one transaction (the contract takes up to
 * `MAX_BATCH` = 100): 50 keeps the gas limit, `batchStartGasLimit(50)` = 14,150,000, under the per-transaction gas cap
 * of EIP-7825 (2^24 = 16,777,216), which nodes enforce when the transaction is sent.
 */
export const MAX_BATCH_STARTS = 50;

/**
 * `items` split into the fewest batches of at most `max`, in order and of near-equal sizes (they differ by at most
 * one), so no batch is left with a lone account that could not pay a batch's fixed gas: 51 accounts go out as 25 and
 * 26, not 50 and 1.
 */
export function batchParts<T>(items: readonly T[], max = MAX_BATCH_STARTS): T[][] {
  const parts = Math.ceil(items.length / max);
  return Array.from({ length: parts }, (_, k) =>
    items.slice(Math.floor((k * items.length) / parts), Math.floor(((k + 1) * items.length) / parts)),
  );
}

/** What an account's positions and collateral add to its start (see `GAS.perMarket`, `GAS.perCollateral`). */
export interface StartShape {
  /** Markets it holds a position in (the lens's `marketCount`). */
  marketCount: number;
  /** Collateral tokens it holds (the lens's `collateralCount`). */
  collateralCount: number;
}

/**
 * Gas an account adds to a start beyond the snapshot's one position and cash: `used` [gas] for the keeper's profit
 * estimate, `limit` [gas] to the transaction's gas limit. Zero for an account in one market with cash only.
 */
export function extraStartGas(s: StartShape): { used: bigint; limit: number } {
  return {
    used: shapeGas(s, GAS.perMarket.used, GAS.perCollateral.used),
    limit: Number(shapeGas(s, BigInt(GAS.perMarket.limit), BigInt(GAS.perCollateral.limit))),
  };
}

/** `perMarket` [gas] for each market of `s` beyond its first plus `perToken` [gas] for each of its tokens. */
function shapeGas(s: StartShape, perMarket: bigint, perToken: bigint): bigint {
  return perMarket * BigInt(Math.max(s.marketCount - 1, 0)) + perToken * BigInt(s.collateralCount);
}

/**
 * Largest gas limit a keeper gives one transaction: EIP-7825's per-transaction cap (2^24), which nodes enforce when
 * the transaction is sent.
 */
export const TX_GAS_CAP = 16_777_216;

/**
 * `items` in the fewest batches, in order, whose gas limits (`limitOf` of a batch) are all at most `TX_GAS_CAP` and
 * whose sizes are at most `max`: the count of a greedy packing in order (the fewest contiguous batches), split into
 * near-equal sizes (`batchParts`) when those fit too, else the greedy batches themselves. An account over the cap on
 * its own goes out alone. Deterministic: only the inputs decide the split.
 */
export function batchPartsWithinCap<T>(items: readonly T[], limitOf: (part: readonly T[]) => number, max = MAX_BATCH_STARTS): T[][] {
  const greedy: T[][] = [];
  for (const item of items) {
    const last = greedy[greedy.length - 1];
    if (last && last.length < max && limitOf([...last, item]) <= TX_GAS_CAP) last.push(item);
    else greedy.push([item]);
  }
  // The same number of parts, near-equal in count (part k is items[floor(k n / g), floor((k + 1) n / g))).
  const g = greedy.length;
  const even = Array.from({ length: g }, (_, k) =>
    items.slice(Math.floor((k * items.length) / g), Math.floor(((k + 1) * items.length) / g)),
  );
  return even.every((p) => p.length <= max && limitOf(p) <= TX_GAS_CAP) ? even : greedy;
}

/**
 * Gas limit [gas] of `LiquidationAuction.deleverage` on an account holding `markets` markets: 1.5 x what it is
 * expected to use ({@link GAS}.deleverage), so an account in 16 markets gets 3,302,400.
 */
export function deleverageGasLimit(markets: number): number {
  const used = GAS.deleverage.used + GAS.deleverage.perMarket * BigInt(Math.max(0, markets - 1));
  return Math.ceil((Number(used) * 3) / 2);
}

/**
 * Gas limit [gas] of an action whose fixed figures are `action` when the account adds `extraUsed` [gas]: the fixed
 * limit, or 1.5 x (the fixed use + the extra) when that is more. Accounts in one or two markets with a token or two
 * keep the fixed limits; one in 16 markets with 16 tokens gets what it needs.
 */
export function scaledLimit(action: { used: bigint; limit: number }, extraUsed: bigint): number {
  return Math.max(action.limit, Math.ceil((Number(action.used + extraUsed) * 3) / 2));
}

/**
 * Gas [gas] a portfolio of shape `s` adds to what a bid on it is expected to use, beyond the fixed `GAS.bid.used` /
 * `GAS.flashBid.used` (which cover a one-market portfolio with cash): the snapshot's 29,091 per further market
 * (`GAS.bidMarketUsed`, a bidder already holding the market; one that is flat pays a new position slot more) and
 * 68,518 per token (`GAS.bidPerCollateral`). A flash bid's further hedge legs are not counted (a known gap).
 */
export function bidExtraGasUsed(s: StartShape): bigint {
  return shapeGas(s, GAS.bidMarketUsed, GAS.bidPerCollateral);
}

/**
 * Gas limit [gas] of a bid on a portfolio of shape `s` (`hedgeLegs` > 0: a flash bid with that many hedge fills):
 * {@link scaledLimit} of the bid's figures with the portfolio's further markets and tokens (`GAS.bidPerMarket`,
 * `GAS.bidPerCollateral`) and the hedge legs (`GAS.flashHedgeLeg`).
 */
export function bidGasLimit(s: StartShape, flash: boolean, hedgeLegs = 0): number {
  const extra = shapeGas(s, GAS.bidPerMarket, GAS.bidPerCollateral) + (flash ? GAS.flashHedgeLeg * BigInt(hedgeLegs) : 0n);
  return scaledLimit(flash ? GAS.flashBid : GAS.bid, extra);
}

/** Gas a batch start of `n` accounts is expected to use (see `GAS.batchStart`). */
export function batchStartGasUsed(n: number): bigint {
  return GAS.batchStart.base + GAS.batchStart.perAccount * BigInt(n);
}

/** Gas limit a batch start of `n` accounts is sent with (see `GAS.batchStart`). */
export function batchStartGasLimit(n: number): number {
  return GAS.batchStart.limitBase + GAS.batchStart.limitPerAccount * n;
}
