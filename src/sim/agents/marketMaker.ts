/**
 * The market maker: one account with deep capital that quotes a signed bid and ask on every market around the
 * index, at a half-spread that widens with realised volatility (an EWMA of squared log returns per step). Its
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

  constructor(
    readonly wallet: Wallet,
    readonly account: bigint,
    readonly domain: Domain,
    readonly cfg: { baseSpread: number; volSpreadMultiplier: number; maxSpread: number; depth: bigint[]; orderLifetime: number },
    readonly takerFeeRate: bigint,
  ) {}

  best(marketId: number, takerBuys: boolean): HedgeQuote | undefined {
    const b = this.books.get(marketId);
    const q = takerBuys ? b?.ask : b?.bid;
    return q && q.remaining > 0n ? q : undefined;
  }

  /** Half-spread (fraction) of `marketId` now. */
  halfSpread(marketId: number): number {
    const b = this.books.get(marketId);
    const sigma = Math.sqrt(b?.variance ?? 0);
    return Math.min(this.cfg.maxSpread, this.cfg.baseSpread + this.cfg.volSpreadMultiplier * sigma);
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
      const depth = this.cfg.depth[m];
      const stale = b.index !== index || expiring || !b.bid || !b.ask || b.bid.remaining * 4n < depth || b.ask.remaining * 4n < depth;
      b.index = index;
      this.books.set(m, b);
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
