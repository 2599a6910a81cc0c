/**
 * The market maker: one account with deep capital that quotes a signed bid and ask on every market around the
 * index, at a half-spread that widens with realised volatility (an EWMA of squared log returns per step) and a
 * depth that shrinks as volatility rises (`depthResponse`: depth x min(1, (reference / sigma)^elasticity)); above
 * `withdrawVolatility` (per-step sigma) it pulls both quotes until the market calms. Its
 * quotes are the liquidity traders cut positions against and liquidators hedge against; it also takes the other
 * side of every trader's opening order. It refreshes a quote when the index moves, when the quote is mostly filled
 * or about to expire.
 */
import type { Wallet } from "ethers";
import type { HedgeQuote, QuoteSource } from "../../keeper/keeper";
import { orderDigest, signOrder, type Domain, type Order } from "../../venue/orders";
import { WAD } from "../../model/wad";

interface Book {
  bid?: HedgeQuote & { hash: string; size: bigint };
  ask?: HedgeQuote & { hash: string; size: bigint };
  index: bigint;
  variance: number;
  lastLog?: number;
}

export class MarketMaker implements QuoteSource {
  private readonly books = new Map<number, Book>();
  private salt = 1n;
  private expiryAt = 0;
  quotesSigned = 0;
  /** Times a market's quotes were pulled (volatility above `withdrawVolatility`). */
  withdrawals = 0;

  constructor(
    readonly wallet: Wallet,
    readonly account: bigint,
    readonly domain: Domain,
    readonly cfg: {
      baseSpread: number;
      volSpreadMultiplier: number;
      maxSpread: number;
      depth: bigint[];
      orderLifetime: number;
      /** Depth x min(1, (reference / sigma)^elasticity), sigma per step; undefined: fixed depth. */
      depthResponse?: { reference: number; elasticity: number };
      /** Per-step sigma above which both quotes are withdrawn (undefined: never). */
      withdrawVolatility?: number;
    },
    readonly takerFeeRate: bigint,
  ) {}

  best(marketId: number, takerBuys: boolean): HedgeQuote | undefined {
    const b = this.books.get(marketId);
    const q = takerBuys ? b?.ask : b?.bid;
    return q && q.remaining > 0n ? q : undefined;
  }

  /** Per-step volatility of `marketId`'s index (square root of the EWMA of squared log returns; 0 before any). */
  private sigma(marketId: number): number {
    return Math.sqrt(this.books.get(marketId)?.variance ?? 0);
  }

  /** Half-spread (fraction) of `marketId` now. */
  halfSpread(marketId: number): number {
    return Math.min(this.cfg.maxSpread, this.cfg.baseSpread + this.cfg.volSpreadMultiplier * this.sigma(marketId));
  }

  /** Whether the market maker has pulled its quotes on `marketId` (per-step sigma above `withdrawVolatility`). */
  withdrawn(marketId: number): boolean {
    const w = this.cfg.withdrawVolatility;
    return w !== undefined && this.sigma(marketId) > w;
  }

  /** Size (base units, WAD) quoted on each side of `marketId` now: the configured depth, shrunk as volatility rises. */
  depthNow(marketId: number): bigint {
    const depth = this.cfg.depth[marketId];
    const r = this.cfg.depthResponse;
    const sigma = this.sigma(marketId);
    if (!r || sigma <= r.reference) return depth;
    const share = (r.reference / sigma) ** r.elasticity;
    return (depth * BigInt(Math.round(share * 1e6))) / 1_000_000n;
  }

  /**
   * Re-quotes where needed: when the index moved, a quote is three-quarters filled or about to expire. `newStep`
   * marks a new observation of the index, which updates the volatility estimate.
   */
  async update(now: number, indexPrices: bigint[], newStep: boolean): Promise<void> {
    const expiring = now + 60 >= this.expiryAt;
    if (expiring) this.expiryAt = now + this.cfg.orderLifetime;
    for (let m = 0; m < indexPrices.length; m++) {
      const index = indexPrices[m];
      const b = this.books.get(m) ?? { index, variance: 0 };
      const log = Math.log(Number(index / 10n ** 10n));
      if (newStep) {
        if (b.lastLog !== undefined) b.variance = 0.9 * b.variance + 0.1 * (log - b.lastLog) ** 2;
        b.lastLog = log;
      }
      const moved = b.index !== index;
      b.index = index;
      this.books.set(m, b);
      if (this.withdrawn(m)) {
        this.withdrawals += b.bid || b.ask ? 1 : 0;
        b.bid = b.ask = undefined;
        continue;
      }
      const depth = this.depthNow(m);
      const stale = moved || expiring || !b.bid || !b.ask || b.bid.remaining * 4n < depth || b.ask.remaining * 4n < depth;
      if (!stale) continue;
      const hs = BigInt(Math.round(this.halfSpread(m) * 1e9)) * 10n ** 9n;
      b.bid = await this.quote(m, depth, index - (index * hs) / WAD);
      b.ask = await this.quote(m, -depth, index + (index * hs) / WAD);
    }
  }

  private async quote(marketId: number, size: bigint, price: bigint) {
    const order: Order = {
      account: this.account,
      marketId,
      size,
      limitPrice: price,
      expiry: BigInt(this.expiryAt),
      nonce: 0n,
      salt: this.salt++,
      reduceOnly: false,
      signer: this.wallet.address,
    };
    this.quotesSigned++;
    const signature = await signOrder(this.wallet, this.domain, order);
    const hash = orderDigest(this.domain, order);
    return { order, signature, price, remaining: size < 0n ? -size : size, hash, size };
  }

  /** An `OrderFilled` event: `filledTotal` of order `hash` is filled. */
  onFilled(hash: string, filledTotal: bigint): void {
    for (const b of this.books.values()) {
      for (const q of [b.bid, b.ask]) {
        if (q && q.hash === hash) q.remaining = (q.size < 0n ? -q.size : q.size) - filledTotal;
      }
    }
  }
}
