/**
 * The keeper bot: each block it (1) follows the protocol's events, (2) when an oracle round landed (or
 * `maxScanAge` passed) scans every known account through the lens in one batched call (between scans, it reads again
 * just the accounts an event changed since the last one, and those its batch start skipped), and every block starts
 * auctions for the tip on up to `maxStartsPerBlock` of the liquidatable ones it has not started yet whose tips pay
 * the gas (most under-margined first, in an order of its own: src/keeper/startOrder.ts), in one
 * `AuctionStarter.startAuctions` transaction (per 50 accounts) when the deployment has the starter, (3) quotes every
 * running auction and bids when its strategy says so, offering a priority fee in proportion to the gain, and (4)
 * hedges the positions it bought by taking quotes on the venue.
 *
 * The same class runs in-process in the simulator (which shares one `ChainView` between keepers and tells each
 * keeper the next block's timestamp) and against any JSON-RPC node (`npx hardhat keeper`).
 */
import { encodeBytes32String, type Interface } from "ethers";
import { FULL_SCANS, type AccountHealth, type ChainView, type ScanPolicy } from "./view";
import {
  GAS,
  batchPartsWithinCap,
  batchStartGasLimit,
  batchStartGasUsed,
  earliestBidClock,
  hedgeLegCost,
  planBid,
  priorityFeeFor,
  nextBaseFeeFloor,
  tipEstimate,
  wantsToBid,
  gasCostCash,
  extraStartGas,
  bidGasLimit,
  bidExtraGasUsed,
  deleverageGasLimit,
  scaledLimit,
  type BidContext,
  type StartShape,
  type StrategyConfig,
} from "./strategy";
import { orderStarts, type StartCandidate } from "./startOrder";
import { isRestored, type AuctionParams, type Valuation } from "../model/auction";
import { WAD, abs, mulWadDown, mulWadUp, wadToNumber } from "../model/wad";
import { shortAccount } from "../model/accountId";
import { bitCount } from "../model/bitmap";
import type { IOrderSettlement } from "../../typechain-types/contracts/venue/OrderSettlement";
import type { FlashLiquidator } from "../../typechain-types";
import { AccountMap, AccountSet } from "../model/accountMap";

/** Sends a transaction; returns its hash. Implementations manage nonces. */
export interface TxSender {
  readonly address: string;
  send(tx: { to: string; data: string; gas: number; priorityFee: bigint }): Promise<string>;
  /** Forget the local nonce (a sent transaction was dropped): the next send reads it from the node again. */
  resync?(): void;
}

/** A signed maker order a keeper may take to hedge. */
export interface HedgeQuote {
  order: IOrderSettlement.OrderStruct;
  signature: string;
  /** Limit price (WAD). */
  price: bigint;
  /** Size still fillable (WAD base). */
  remaining: bigint;
}

/** Liquidity for hedging: the best maker order on one side of a market. */
export interface QuoteSource {
  /** An order the taker can fill: `takerBuys` true takes an ask (maker sells). */
  best(marketId: number, takerBuys: boolean): HedgeQuote | undefined;
  /** Taker fee rate of the venue (WAD). */
  takerFeeRate: bigint;
}

export interface KeeperConfig {
  name: string;
  strategy: StrategyConfig;
  /** Account that bids and receives tips (owner << 96 | sub). For flash, the tip account; bids come from the contract. */
  account: bigint;
  /** FlashLiquidator owned by this keeper (flash strategy). */
  flashLiquidator?: FlashLiquidator;
  hedge: boolean;
  /** Seconds between blocks, to predict the auction clock at execution (RPC mode). */
  blockTime: number;
  /** Rescan at least this often (seconds) even without a new oracle round. */
  maxScanAge: number;
  /** Full scans or a watch list between them (see `ScanPolicy`). */
  scan: ScanPolicy;
  /** Blocks to wait before trying an account again after a transaction on it reverted. */
  retryAfterBlocks: number;
  /**
   * Blocks after which a sent transaction with no receipt counts as dropped by the node: it is forgotten (logged as
   * `dropped`) and the sender re-reads its nonce, so a dropped transaction cannot leave a nonce gap.
   */
  dropAfterBlocks: number;
  /**
   * Auctions started per block at most; with the deployment's AuctionStarter they go out as one `startAuctions`
   * transaction (near-equal parts of at most `MAX_BATCH_STARTS` accounts when more), else as one `startAuction`
   * transaction each.
   */
  maxStartsPerBlock: number;
  /** Oracle asset pricing gas (ETH/USD). */
  gasAsset: string;
  /** Assumed hedging slippage (WAD of notional) when no quote source is available. */
  assumedSlippage: bigint;
}

export type KeeperAction =
  "start" | "bid" | "flash-bid" | "hedge" | "terminate" | "checkpoint" | "deleverage" | "scan" | "failed" | "dropped";

export interface KeeperLogEntry {
  keeper: string;
  block: number;
  time: number;
  action: KeeperAction;
  account?: bigint;
  tx?: string;
  detail: Record<string, string | number>;
}

export interface SentTx {
  hash: string;
  action: KeeperAction;
  /** The target account (a batch start: its first account). */
  account: bigint;
  /** A batch start's accounts, in the order sent (undefined for every other transaction). */
  accounts?: bigint[];
  /** Mark-to-market value of the target when priced (bids), for the discount at fill. */
  value?: bigint;
  expectedGain?: bigint;
}

/** The parts of the auction's `quote` the keeper uses. */
export interface CachedQuote {
  active: boolean;
  elapsed: bigint;
  equity: bigint;
  maintenanceMargin: bigint;
  markToMarket: bigint;
  requirement: bigint;
  nonce: bigint;
  /** Auction-clock reading [s] at which the account's insolvency was recorded; undefined when none is. */
  insolventSince?: bigint;
}

export interface BlockContext {
  block: number;
  timestamp: number;
  /** Timestamp the next block will have (default: timestamp + blockTime). */
  nextTimestamp?: number;
  /**
   * Base fee [wei per gas] of the block the keeper sends its transactions for, the next block's: the node's
   * (`eth_feeHistory`) in `npx hardhat keeper` and in the simulator's native gas model, else the simulator's gas
   * market's.
   */
  baseFee: bigint;
}

export interface BlockOutcome {
  sent: SentTx[];
  /** The earliest time this keeper wants to look again if nothing changes (a patient bid's threshold, ...). */
  wakeAt?: number;
}

/** A start candidate chosen for this block's batch, with the tip estimated for it (WAD cash). */
type ChosenStart = StartCandidate & { tip: bigint };

/** The most markets (MAX_ACCOUNT_MARKETS) and collateral tokens an account can hold. */
const MOST_HELD: StartShape = { marketCount: 16, collateralCount: 16 };

/** Gas a batch start of `part` is expected to use: the batch's figures plus each account's markets and tokens. */
const batchGasUsed = (part: readonly StartShape[]): bigint =>
  part.reduce((sum, c) => sum + extraStartGas(c).used, batchStartGasUsed(part.length));

/** Gas limit a batch start of `part` is sent with: the batch's limits plus each account's markets and tokens. */
const batchLimit = (part: readonly StartShape[]): number =>
  part.reduce((sum, c) => sum + extraStartGas(c).limit, batchStartGasLimit(part.length));

const fmt = (wad: bigint, digits = 2): string => wadToNumber(wad).toFixed(digits);

/** Re-exported for the keeper's and the simulator's log lines (the codec lives in src/model/accountId.ts). */
export { shortAccount };

export function defaultKeeperConfig(name: string, strategy: StrategyConfig, account: bigint): KeeperConfig {
  return {
    name,
    strategy,
    account,
    hedge: true,
    blockTime: 12,
    maxScanAge: 0,
    scan: FULL_SCANS,
    retryAfterBlocks: 5,
    dropAfterBlocks: 50,
    maxStartsPerBlock: 25,
    gasAsset: encodeBytes32String("ETH/USD"),
    assumedSlippage: WAD / 200n,
  };
}

export class Keeper {
  private ready = false;
  private lastFeeds = "";
  private lastScan = -Infinity;
  /** Check the bidder's exposure from this block on (set after each bid; cleared once flat). */
  private hedgeFrom: number | undefined = 0;
  private readonly lastSent = new AccountMap<number>();
  /** Transactions sent and not yet seen mined: hash -> target account, action and the block it was sent at. */
  private readonly inflight = new Map<
    string,
    { account: bigint; accounts?: bigint[]; batch?: StartCandidate[]; action: KeeperAction; block: number }
  >();
  /**
   * Accounts to start in a transaction of their own: those of a batch that reverted (one account's error, a shortfall
   * cap for example, reverts the whole batch), so the others are not held back by it. An account leaves the set once
   * its start is sent or a scan no longer lists it (not liquidatable, already in auction, frozen or without a valid
   * price).
   */
  private readonly startAlone = new AccountSet();
  /**
   * Accounts of a batch (or batch of one) whose tips did not pay its gas: tried after the accounts not tried yet, so
   * they do not take the start room of every block (`maxStartsPerBlock`) from them. An account leaves the set once its
   * start is sent or a scan no longer lists it.
   */
  private readonly passedOver = new AccountSet();
  /** Accounts a batch start of this keeper skipped (not liquidatable when it ran), to read again at the next block. */
  private readonly skipped = new AccountSet();
  /** Accounts to leave alone until a block (after one of our transactions on them reverted). */
  private readonly backoff = new AccountMap<number>();
  readonly stats = { starts: 0, bids: 0, hedges: 0, terminates: 0, deleverages: 0, scans: 0 };
  private readonly quoteCache = new AccountMap<{ q: CachedQuote; feeds: string; time: number; block: number }>();
  /** Block of the last `checkpoint` sent per account (rate limit, see `sendCheckpoint`). */
  private readonly checkpointedAt = new AccountMap<number>();
  /** Liquidatable accounts of the latest scan not yet started by this keeper, in its start order. */
  private backlog: StartCandidate[] = [];
  /** Block of the scan the backlog comes from. */
  private backlogBlock = -1;

  constructor(
    readonly cfg: KeeperConfig,
    readonly view: ChainView,
    readonly sender: TxSender,
    readonly log: (e: KeeperLogEntry) => void,
    readonly quotes?: QuoteSource,
  ) {}

  /** The account bids come from. */
  get bidderAccount(): bigint {
    return this.flashAccount ?? this.cfg.account;
  }

  private flashAccount?: bigint;

  async init(): Promise<void> {
    if (this.cfg.flashLiquidator) this.flashAccount = await this.cfg.flashLiquidator.account();
    this.ready = true;
  }

  private entry(
    ctx: BlockContext,
    action: KeeperAction,
    account: bigint | undefined,
    tx: string | undefined,
    detail: KeeperLogEntry["detail"],
  ) {
    this.log({ keeper: this.cfg.name, block: ctx.block, time: ctx.timestamp, action, account, tx, detail });
  }

  /** Whether `account` holds no position and no collateral at `ctx.block` (LiquidationAuction.terminateAuction's write-off case). */
  private async isDebtOnly(ctx: BlockContext, account: bigint): Promise<boolean> {
    return (await this.view.heldMarkets(ctx.block, account)) === 0n && (await this.view.heldTokens(ctx.block, account)) === 0n;
  }

  /**
   * An auction's quote now: read from the chain when prices or the account changed since the last read, else the
   * last read with its clock moved on by the time since (the unit price and fraction follow from the model).
   */
  private async quote(ctx: BlockContext, account: bigint, feeds: string): Promise<CachedQuote> {
    const c = this.quoteCache.get(account);
    // An ADL event (or a socialised loss) changes accounts it does not name: every remembered quote is stale.
    if (c && c.feeds === feeds && this.view.touchedAt(account) < c.block && this.view.invalidatedSince() < c.block) {
      return { ...c.q, elapsed: c.q.active ? c.q.elapsed + BigInt(ctx.timestamp - c.time) : 0n };
    }
    const r = await this.view.quote(ctx.block, account);
    const q: CachedQuote = {
      active: r.active,
      elapsed: r.elapsed,
      equity: r.equity,
      maintenanceMargin: r.maintenanceMargin,
      markToMarket: r.markToMarket,
      requirement: r.requirement,
      nonce: r.nonce,
      insolventSince: r.insolvencyRecorded ? r.insolventSince : undefined,
    };
    this.quoteCache.set(account, { q, feeds, time: ctx.timestamp, block: ctx.block });
    return q;
  }

  /**
   * How many markets and collateral tokens `account` holds: from its latest scan row, else read at `block` from the
   * engine and the vault (an auction another keeper started on an account this one never scanned), else, when those
   * reads fail, undefined (callers size gas limits for the most an account can hold, `MOST_HELD`, and estimate
   * profits with nothing extra, so a failed read neither runs a transaction out of gas nor drops a profitable bid).
   */
  private async shapeOf(block: number, account: bigint): Promise<StartShape | undefined> {
    const row = this.view.latest.get(account);
    if (row) return { marketCount: Number(row.marketCount), collateralCount: Number(row.collateralCount) };
    try {
      const [markets, tokens] = await Promise.all([this.view.heldMarkets(block, account), this.view.heldTokens(block, account)]);
      return { marketCount: bitCount(markets), collateralCount: bitCount(tokens) };
    } catch {
      return undefined;
    }
  }

  /** The liquidatable accounts among `rows` that no auction runs on, as start candidates. */
  private startCandidates(rows: readonly AccountHealth[]): StartCandidate[] {
    return rows
      .filter((r) => r.priceValid && r.liquidatable && !r.frozen && !this.view.auctions.has(r.account))
      .map((r) => ({
        account: r.account,
        healthFactor: r.healthFactor,
        equity: r.equity,
        maintenance: r.maintenanceMargin,
        markToMarket: r.markToMarket,
        requirement: r.requirement,
        noEquity: r.equity <= 0n,
        marketCount: Number(r.marketCount),
        collateralCount: Number(r.collateralCount),
      }));
  }

  async onBlock(ctx: BlockContext): Promise<BlockOutcome> {
    if (!this.ready) await this.init();
    const v = this.view;
    const sent: SentTx[] = [];
    let wakeAt: number | undefined;
    const next = ctx.nextTimestamp ?? ctx.timestamp + this.cfg.blockTime;
    await v.sync(ctx.block);
    // Tips follow the current parameters; each running auction is priced with its own (`auctionParams`).
    const p = await v.params(ctx.block);
    await this.checkInflight(ctx);
    const ethPrice = await v.price(ctx.block, this.cfg.gasAsset);

    // (1) Scan when an oracle round landed or the last scan is too old; keep the liquidatable accounts in the order
    // this keeper starts them (most under-margined first, spread from other keepers: src/keeper/startOrder.ts).
    const feeds = await v.feedsKey(ctx.block);
    if (feeds !== this.lastFeeds || ctx.timestamp - this.lastScan >= this.cfg.maxScanAge) {
      this.lastFeeds = feeds;
      this.lastScan = ctx.timestamp;
      this.stats.scans++;
      const rows = await v.scan(ctx.block, ctx.timestamp, this.cfg.scan);
      this.backlog = orderStarts(this.startCandidates(rows), this.cfg.name);
      this.backlogBlock = ctx.block;
      const listed = new AccountSet(this.backlog.map((c) => c.account));
      for (const set of [this.startAlone, this.passedOver]) for (const account of set) if (!listed.has(account)) set.delete(account);
      this.skipped.clear(); // the scan read them (a liquidatable last row is never left out)
    } else {
      // Between scans, accounts an event changed since the last one (a trader's deposit, trade or withdrawal after
      // the oracle round) are read again at once, not at the next round: a reaction that leaves an account
      // liquidatable is started in the next block (issue #13 item 2: a p99 start delay of 26 blocks came from them).
      const touched = [...new AccountSet([...v.touchedAfter(this.backlogBlock), ...this.skipped])];
      this.skipped.clear();
      if (touched.length > 0) {
        const rows = await v.rescan(ctx.block, touched, this.cfg.scan);
        const again = new AccountSet(touched);
        const kept = this.backlog.filter((c) => !again.has(c.account));
        this.backlog = orderStarts([...kept, ...this.startCandidates(rows)], this.cfg.name);
        this.backlogBlock = ctx.block;
      }
    }
    await this.sendStarts(ctx, p, ethPrice, sent);
    if (this.backlog.length > 0) wakeAt = next;

    // (2) Running auctions: bid when the strategy says so, else say when to look again.
    const bidder = this.bidderAccount;
    const bidderEquity = this.cfg.strategy.kind === "flash" ? (await this.quote(ctx, bidder, feeds)).equity : 0n;
    for (const account of [...v.auctions.keys()].sort((a, b) => (a < b ? -1 : 1))) {
      if (this.lastSent.get(account) === ctx.block || (this.backoff.get(account) ?? 0) > ctx.block) continue;
      let q = await this.quote(ctx, account, feeds);
      if (!q.active) continue;
      // Read once per auction and block: gas limits take the most an account can hold when it could not be read,
      // the bid's profit estimate nothing extra.
      const shape = await this.shapeOf(ctx.block, account);
      const limitShape = shape ?? MOST_HELD;
      const pa = await v.auctionParams(ctx.block, account);
      const valuation: Valuation = {
        equity: q.equity,
        maintenanceMargin: q.maintenanceMargin,
        markToMarket: q.markToMarket,
        requirement: q.requirement,
      };
      const debtOnly = valuation.maintenanceMargin === 0n && valuation.equity < 0n && (await this.isDebtOnly(ctx, account));
      if (debtOnly || (isRestored(pa, valuation) && this.cfg.strategy.kind === "eager")) {
        // Restored by its owner (a deposit) or by prices: end it so the account is free again. A debt-only account
        // (no position, no collateral, negative cash) has nothing to bid on and pays no tip: every strategy ends its
        // auction, which writes the debt off (insurance fund first), so bad debt stops accruing interest (issue #11
        // class 11).
        await this.sendAuctionCall(ctx, account, "terminate", scaledLimit(GAS.terminate, extraStartGas(limitShape).used), sent);
        continue;
      }
      if (valuation.markToMarket <= 0n && valuation.maintenanceMargin > 0n && q.insolventSince !== undefined) {
        // Insolvent (recorded) with positions: when the insurance fund cannot pay what a final bid may claim (the
        // deficit plus the whole insolvent bonus), automated deleveraging closes the positions against the other side
        // instead of socialising the rest (LiquidationAuction.deleverage; docs/LIQUIDATION.md). Every strategy
        // sends it: it pays no reward, and it spares the keepers' own cash a socialised loss.
        const need = -valuation.markToMarket + mulWadUp(pa.insolventBonus, valuation.requirement);
        if (need > (await v.fundAvailable(ctx.block, account))) {
          await this.sendAuctionCall(ctx, account, "deleverage", deleverageGasLimit(limitShape.marketCount), sent);
          continue;
        }
      }
      if (valuation.markToMarket <= 0n && q.insolventSince === undefined) {
        // Insolvent, with no insolvency recorded (it started solvent): the insolvent bonus grows only from a record,
        // so record it now (LiquidationAuction.checkpoint); bids come once the bonus covers their costs.
        if (await this.sendCheckpoint(ctx, account, valuation.markToMarket, limitShape, sent))
          wakeAt = wakeAt === undefined ? next : Math.min(wakeAt, next);
        continue;
      }
      const elapsed = q.elapsed + BigInt(Math.max(0, next - ctx.timestamp));
      const hedge = await this.hedgePlan(ctx.block, account, q.nonce, this.cfg.strategy.kind !== "flash");
      const bctx: BidContext = {
        params: pa,
        valuation,
        elapsed,
        insolventSince: q.insolventSince,
        hedgeCostPerWhole: hedge.cost,
        bidderEquity,
        baseFee: ctx.baseFee,
        ethPrice,
        extraGas: shape ? bidExtraGasUsed(shape) : 0n,
      };
      let plan = planBid(this.cfg.strategy, bctx);
      if (wantsToBid(this.cfg.strategy, bctx, plan) && this.quoteCache.get(account)?.block !== ctx.block) {
        // About to bid on a remembered quote: read it afresh (funding and interest move the value between reads).
        this.quoteCache.delete(account);
        q = await this.quote(ctx, account, feeds);
        bctx.valuation = {
          equity: q.equity,
          maintenanceMargin: q.maintenanceMargin,
          markToMarket: q.markToMarket,
          requirement: q.requirement,
        };
        bctx.elapsed = q.elapsed + BigInt(Math.max(0, next - ctx.timestamp));
        bctx.insolventSince = q.insolventSince;
        plan = planBid(this.cfg.strategy, bctx);
      }
      if (!wantsToBid(this.cfg.strategy, bctx, plan) || (this.cfg.strategy.kind === "flash" && !hedge.complete)) {
        // Solvent again with an insolvency still recorded: clear it, so a later crossing of V = 0 starts the bonus from
        // zero instead of paying the bonus grown since the old record (INV-27).
        if (valuation.markToMarket > 0n && q.insolventSince !== undefined)
          await this.sendCheckpoint(ctx, account, valuation.markToMarket, limitShape, sent);
        const t = this.cfg.strategy.kind === "flash" && !hedge.complete ? undefined : earliestBidClock(this.cfg.strategy, bctx);
        if (t !== undefined) {
          const at = next + Number(t - elapsed);
          wakeAt = wakeAt === undefined ? at : Math.min(wakeAt, at);
        }
        continue;
      }
      // A limit a hair above the modelled price absorbs funding accrued between the quote and the block.
      const maxUnitPrice = plan.take.unitPrice + abs(q.markToMarket) / 2_000n + 1n;
      let hash: string | undefined;
      let action: KeeperAction = "bid";
      if (this.cfg.strategy.kind === "flash" && this.cfg.flashLiquidator) {
        action = "flash-bid";
        const fraction = plan.take.fraction;
        const hedges = hedge.legs
          .map((l) => ({ ...l, fillSize: abs((l.size * fraction) / WAD) }))
          .filter((l) => l.fillSize > 0n)
          .map((l) => ({ order: l.quote.order, signature: l.quote.signature, fillSize: l.fillSize, takerPriceLimit: l.quote.price }));
        const data = this.cfg.flashLiquidator.interface.encodeFunctionData("liquidate", [account, fraction, q.nonce, maxUnitPrice, hedges]);
        hash = await this.send(ctx, account, {
          to: await this.cfg.flashLiquidator.getAddress(),
          data,
          gas: bidGasLimit(limitShape, true, hedges.length),
          priorityFee: plan.priorityFee,
        });
      } else {
        const data = v.c.auction.interface.encodeFunctionData("bid", [account, bidder, WAD, q.nonce, maxUnitPrice, "0x"]);
        hash = await this.send(ctx, account, {
          to: v.c.addresses.auction,
          data,
          gas: bidGasLimit(limitShape, false),
          priorityFee: plan.priorityFee,
        });
        this.hedgeFrom = ctx.block + 1;
      }
      if (!hash) continue;
      this.stats.bids++;
      this.inflight.set(hash, { account, action, block: ctx.block });
      this.lastSent.set(account, ctx.block);
      sent.push({ hash, action, account, value: q.markToMarket, expectedGain: plan.net });
      this.entry(ctx, action, account, hash, {
        elapsed: Number(elapsed),
        fraction: fmt(plan.take.fraction * 100n, 2) + "%",
        unitPrice: fmt(plan.take.unitPrice),
        discount: plan.discount >= 0n ? fmt(plan.discount * 100n, 2) + "%" : "insolvent",
        expectedProfit: fmt(plan.net),
        priorityGwei: Number(plan.priorityFee) / 1e9,
      });
    }

    // (3) Hedge what previous bids bought.
    if (
      this.cfg.hedge &&
      this.quotes &&
      this.hedgeFrom !== undefined &&
      ctx.block >= this.hedgeFrom &&
      this.cfg.strategy.kind !== "flash"
    ) {
      let hedged = false;
      const positions = await v.exposure(ctx.block, bidder);
      const assets = await v.markets();
      for (const [marketId, size] of positions) {
        // Dust (under 50 cash units of exposure) is not worth a fill.
        if (mulWadDown(abs(size), await v.price(ctx.block, assets[marketId])) < 50n * WAD) continue;
        const q = this.quotes.best(marketId, size < 0n);
        if (!q) continue;
        const fill = abs(size) < q.remaining ? abs(size) : q.remaining;
        if (fill === 0n) continue;
        const data = v.c.venue.interface.encodeFunctionData("fill", [q.order, q.signature, bidder, fill, q.price]);
        const hash = await this.send(ctx, bidder, {
          to: v.c.addresses.venue,
          data,
          gas: GAS.hedge.limit,
          priorityFee: this.cfg.strategy.minPriorityFee,
        });
        if (!hash) continue;
        this.stats.hedges++;
        hedged = true;
        sent.push({ hash, action: "hedge", account: bidder });
        this.entry(ctx, "hedge", bidder, hash, { market: marketId, size: fmt(-size, 4), price: fmt(q.price) });
      }
      // Look again next block after a hedge (a partial fill or a bid mined meanwhile); stop once flat.
      this.hedgeFrom = hedged ? ctx.block + 1 : undefined;
    }
    return { sent, wakeAt };
  }

  /**
   * Starts auctions for the tip on up to `maxStartsPerBlock` backlog accounts this block; what is left waits for the
   * next block, not for the next oracle round. A start sent and not mined yet (its block was full) is not sent again
   * while it waits; an account touched since the backlog was read waits for its re-read. With a batch starter, the
   * block's starts go out as ONE `startAuctions` transaction (accounts another keeper started meanwhile, or that
   * recovered, are skipped on chain, not reverted, and read again next block), or as near-equal parts of at most
   * MAX_BATCH_STARTS accounts; an account whose batch reverted, and every account of a deployment without a starter,
   * get a `startAuction` transaction of their own.
   *
   * Each start must pay for itself: its gas at `ctx.baseFee` (the base fee of the block the keeper sends for) plus the
   * priority fee must be below its tip, priced at 7/8 of that base fee (the lowest the block after can have, should the
   * start land a block late; the tip's flat part follows the base fee of the block it lands in). In a batch each
   * account's tip must pay the gas it adds and the batch's tips its whole gas. An account with no equity left is
   * started whatever the gas: it is insolvent (no tip; started for its subsidised bids) or close to it (a late start
   * costs the fund more than the keeper's gas). Accounts passed over stay in the backlog and are priced again next
   * block, when the base fee may have fallen or other accounts may share a batch's fixed gas; those of a batch that
   * did not pay are tried after the accounts not tried yet (`passedOver`), so from the next block on they take no start
   * room (`maxStartsPerBlock`) from them.
   */
  private async sendStarts(ctx: BlockContext, p: AuctionParams, ethPrice: bigint, sent: SentTx[]): Promise<void> {
    const v = this.view;
    const pendingStarts = new AccountSet(
      [...this.inflight.values()]
        .filter((t) => t.action === "start" && ctx.block - t.block < this.cfg.retryAfterBlocks)
        .flatMap((t) => t.accounts ?? [t.account]),
    );
    const queue = this.backlog.filter(
      (c) =>
        !v.auctions.has(c.account) &&
        !pendingStarts.has(c.account) &&
        v.touchedAt(c.account) <= this.backlogBlock &&
        (this.backoff.get(c.account) ?? 0) <= ctx.block,
    );
    const batching = v.c.starter !== undefined;
    const tipBaseFee = nextBaseFeeFloor(ctx.baseFee);
    const chosen: ChosenStart[] = [];
    const started = new AccountSet();
    const untried = queue.filter((c) => !this.passedOver.has(c.account));
    for (const c of [...untried, ...queue.filter((c) => this.passedOver.has(c.account))]) {
      if (started.size + chosen.length >= this.cfg.maxStartsPerBlock) break;
      const start = { ...c, tip: tipEstimate(p, c, tipBaseFee) };
      const alone = !batching || this.startAlone.has(c.account);
      const gas = (alone ? GAS.start.used : GAS.batchStart.perAccount) + extraStartGas(c).used;
      const fee = this.startFee([start], gas, ctx.baseFee, ethPrice)?.fee;
      if (fee === undefined) continue;
      if (!alone) chosen.push(start);
      else if (await this.sendStart(ctx, start, fee, sent)) started.add(c.account);
    }
    this.backlog = queue.filter((c) => !started.has(c.account));
    for (const part of batchPartsWithinCap(chosen, batchLimit)) {
      const price = this.startFee(part, batchGasUsed(part), ctx.baseFee, ethPrice);
      if (price === undefined) {
        for (const c of part) this.passedOver.add(c.account);
        continue;
      }
      // Sent accounts leave the backlog (a start that loses the race is an auction another keeper started). A refused
      // part stays, at the front, each account to go alone (`retryAlone`).
      const out = await this.sendBatchStart(ctx, part, price);
      if (!out) continue;
      sent.push(out);
      const gone = new AccountSet(out.accounts);
      for (const account of gone) this.passedOver.delete(account);
      this.backlog = this.backlog.filter((c) => !gone.has(c.account));
    }
  }

  /**
   * The priority fee [wei per gas] of a start of `gas` gas for `starts` (`priorityFeeFor` over their tips) and the
   * sum of those tips [WAD cash], or undefined when the tips do not pay the gas at `baseFee` plus that fee and no
   * account among them has no equity (see `sendStarts`).
   */
  private startFee(starts: ChosenStart[], gas: bigint, baseFee: bigint, ethPrice: bigint): { fee: bigint; tips: bigint } | undefined {
    const tips = starts.reduce((sum, c) => sum + c.tip, 0n);
    const fee = priorityFeeFor(this.cfg.strategy, tips, gas, ethPrice);
    return starts.some((c) => c.noEquity) || tips > gasCostCash(gas, baseFee + fee, ethPrice) ? { fee, tips } : undefined;
  }

  /** Sends one `startAuction` for `c` with priority fee `fee`; true when the node took it. */
  private async sendStart(ctx: BlockContext, c: ChosenStart, fee: bigint, sent: SentTx[]): Promise<boolean> {
    const v = this.view;
    const data = v.c.auction.interface.encodeFunctionData("startAuction", [c.account, this.cfg.account]);
    const gas = GAS.start.limit + extraStartGas(c).limit;
    const hash = await this.send(ctx, c.account, { to: v.c.addresses.auction, data, gas, priorityFee: fee });
    if (!hash) return false;
    this.startAlone.delete(c.account);
    this.passedOver.delete(c.account);
    this.inflight.set(hash, { account: c.account, action: "start", block: ctx.block });
    this.stats.starts++;
    sent.push({ hash, action: "start", account: c.account, expectedGain: c.tip });
    this.entry(ctx, "start", c.account, hash, { tip: fmt(c.tip), priorityGwei: Number(fee) / 1e9 });
    return true;
  }

  /**
   * Sends `chosen` as one `AuctionStarter.startAuctions` transaction with `price.fee` as priority fee (`price.tips`:
   * the batch's tips, its expected gain), its gas limit sized from the count. Each account is pending (not chosen again) until the receipt or `retryAfterBlocks`. A batch that is
   * refused or reverts (an error other than "healthy" or "already in auction", which the starter skips) is retried one
   * account per transaction (`retryAlone`), so one account's error cannot hold the others back. Returns the sent
   * transaction (`accounts` lists the batch), or undefined when the node refused it.
   */
  private async sendBatchStart(
    ctx: BlockContext,
    chosen: ChosenStart[],
    price: { fee: bigint; tips: bigint },
  ): Promise<SentTx | undefined> {
    const { fee, tips } = price;
    const starter = this.view.c.starter!;
    const accounts = chosen.map((c) => c.account);
    const data = starter.interface.encodeFunctionData("startAuctions", [accounts, this.cfg.account]);
    const tx = { to: this.view.c.addresses.starter!, data, gas: batchLimit(chosen), priorityFee: fee };
    let hash: string;
    try {
      hash = await this.sender.send(tx);
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
      // No backoff: each account is tried once more alone, and backs off if that fails too.
      for (const account of accounts) this.entry(ctx, "failed", account, undefined, { reason });
      this.retryAlone(chosen);
      return undefined;
    }
    this.inflight.set(hash, { account: accounts[0], accounts, batch: chosen, action: "start", block: ctx.block });
    this.stats.starts += accounts.length;
    for (const c of chosen) {
      this.entry(ctx, "start", c.account, hash, { tip: fmt(c.tip), priorityGwei: Number(fee) / 1e9, batch: accounts.length });
    }
    return { hash, action: "start", account: accounts[0], accounts, expectedGain: tips };
  }

  /**
   * Puts `batch`'s accounts at the front of the backlog (the backlog's own reading of an account where it has one),
   * each to be started in a transaction of its own.
   */
  private retryAlone(batch: StartCandidate[]): void {
    for (const c of batch) this.startAlone.add(c.account);
    const queued = new AccountMap(this.backlog.map((c) => [c.account, c] as const));
    const front = new AccountSet(batch.map((c) => c.account));
    this.backlog = [...batch.map((c) => queued.get(c.account) ?? c), ...this.backlog.filter((c) => !front.has(c.account))];
  }

  /**
   * Sends a transaction; a node that refuses it (or, automining, reports its revert) is logged and the target
   * account left alone for a few blocks. Returns the hash, or undefined.
   */
  private async send(ctx: BlockContext, account: bigint, tx: { to: string; data: string; gas: number; priorityFee: bigint }) {
    try {
      return await this.sender.send(tx);
    } catch (e) {
      const reason = (e instanceof Error ? e.message : String(e)).split("\n")[0].slice(0, 200);
      this.entry(ctx, "failed", account, undefined, { reason });
      this.backoff.set(account, ctx.block + this.cfg.retryAfterBlocks);
      return undefined;
    }
  }

  /**
   * Sends `checkpoint(account)` (which records or clears the account's insolvency), at most once per
   * `retryAfterBlocks` per account: a checkpoint that changed nothing (prices not valid yet) is not repeated every
   * block. Its gas limit is sized for an account of `shape` (it values the account as a start does). Returns whether
   * one was sent.
   */
  private async sendCheckpoint(
    ctx: BlockContext,
    account: bigint,
    markToMarket: bigint,
    shape: StartShape,
    sent: SentTx[],
  ): Promise<boolean> {
    const last = this.checkpointedAt.get(account);
    if (last !== undefined && ctx.block - last < this.cfg.retryAfterBlocks) return false;
    const gas = scaledLimit(GAS.checkpoint, extraStartGas(shape).used);
    const hash = await this.sendAuctionCall(ctx, account, "checkpoint", gas, sent, { markToMarket: fmt(markToMarket) });
    if (!hash) return false;
    this.checkpointedAt.set(account, ctx.block);
    this.quoteCache.delete(account);
    return true;
  }

  /**
   * Sends the auction's `terminateAuction`, `deleverage` or `checkpoint` for `account` with `gas` [gas] at the
   * strategy's least priority fee, and records it (in flight, last sent, `sent`, the log entry with `detail`).
   * @returns The transaction hash, or undefined when sending failed (logged as "failed").
   */
  private async sendAuctionCall(
    ctx: BlockContext,
    account: bigint,
    action: "terminate" | "deleverage" | "checkpoint",
    gas: number,
    sent: SentTx[],
    detail: KeeperLogEntry["detail"] = {},
  ): Promise<string | undefined> {
    const v = this.view;
    // Each takes the account alone; TypeChain's overloads want one literal name, so through the plain Interface.
    const auction: Interface = v.c.auction.interface;
    const data = auction.encodeFunctionData(action === "terminate" ? "terminateAuction" : action, [account]);
    const hash = await this.send(ctx, account, { to: v.c.addresses.auction, data, gas, priorityFee: this.cfg.strategy.minPriorityFee });
    if (!hash) return undefined;
    this.inflight.set(hash, { account, action, block: ctx.block });
    this.lastSent.set(account, ctx.block);
    sent.push({ hash, action, account });
    this.entry(ctx, action, account, hash, detail);
    return hash;
  }

  /** Looks at the receipts of transactions sent earlier: after a revert, forget the quote and wait a few blocks. */
  private async checkInflight(ctx: BlockContext): Promise<void> {
    let dropped = false;
    for (const [hash, { account, action, block, batch }] of [...this.inflight]) {
      const r = await this.view.provider.getTransactionReceipt(hash);
      // A receipt from a block after the one this keeper reads (a keeper with latency) is not known to it yet.
      if (r && r.blockNumber > ctx.block) continue;
      if (!r) {
        if (ctx.block - block >= this.cfg.dropAfterBlocks) {
          this.inflight.delete(hash);
          this.entry(ctx, "dropped", account, hash, { action, sentInBlock: block });
          dropped = true;
        }
        continue;
      }
      this.inflight.delete(hash);
      // A reverted batch start: its accounts go back to the backlog, each to be started in a transaction of its own.
      if (r.status === 0 && batch) this.retryAlone(batch);
      // A batch that ran skipped the accounts it started no auction on: not liquidatable when it ran (between oracle
      // rounds, funding, interest or a ramping ratio moves an account). No event names them, so this keeper reads
      // them again now, not at the next oracle round: recovered (seen as such) or liquidatable again (started now).
      if (r.status === 1 && batch) for (const c of batch) if (!this.view.auctions.has(c.account)) this.skipped.add(c.account);
      // A start that lost the race is no reason to stay away from the auction.
      if (r.status === 0 && action !== "start") {
        this.quoteCache.delete(account);
        this.backoff.set(account, ctx.block + this.cfg.retryAfterBlocks);
      }
    }
    if (dropped) this.sender.resync?.();
  }

  /**
   * Quotes that would flatten the target's positions, and their cost against the index for the whole portfolio
   * ({hedgeLegCost} per quoted leg, signed; `assumedSlippage` of the notional for a leg with no quote).
   */
  private async hedgePlan(block: number, account: bigint, nonce: bigint, withCollateral: boolean) {
    const positions = withCollateral ? await this.view.exposure(block, account, nonce) : await this.view.positionsAt(block, account, nonce);
    const assets = await this.view.markets();
    let cost = 0n;
    let complete = true;
    const legs: { marketId: number; size: bigint; quote: HedgeQuote }[] = [];
    for (const [marketId, size] of positions) {
      const index = await this.view.price(block, assets[marketId]);
      const notional = mulWadDown(abs(size), index);
      const q = this.quotes?.best(marketId, size < 0n);
      if (!q || q.remaining < abs(size)) complete = false;
      if (!q) {
        cost += mulWadDown(notional, this.cfg.assumedSlippage);
        continue;
      }
      legs.push({ marketId, size, quote: q });
      cost += hedgeLegCost(size, q.price, index, this.quotes!.takerFeeRate);
    }
    return { cost, complete, legs };
  }
}
