/**
 * What the simulator records from each protocol event of a successful transaction: auctions started and ended,
 * bids (fills), insurance draws, automated deleveraging and socialised bad debt per auction, fund income (penalties and venue fees),
 * supply-index cuts, and the market maker's filled orders.
 */
import type { AuctionRecord } from "../records";
import type { ProtocolEvent } from "../../keeper/events";
import type { Pending, RunState } from "./state";

const END_REASONS = ["Restored", "Emptied", "Terminated"]; // ILiquidationAuction.EndReason

/** Who owns `account`: a trader (`trader:<i>`), a keeper (its own or its FlashLiquidator's), the market maker. */
export function accountOwner(run: RunState, account: bigint): string {
  const tr = run.agents.traderByAccount.get(account);
  if (tr) return `trader:${tr.index}`;
  const keeper = run.metrics.accountOwner.get(account);
  if (keeper) return keeper;
  if (account === run.agents.mmAccount) return "market-maker";
  if (account === run.dep.fundAccount) return "insurance fund";
  return "other";
}

/**
 * Records `ev`, emitted by the transaction `p` in block `at.block` at price time `at.now`. `touched` collects
 * "start:<account>" and "bid:<account>" for the auctions this block already changed (later reverts on them lost a
 * race).
 */
export function recordEvent(run: RunState, ev: ProtocolEvent, p: Pending, at: { now: number; block: number }, touched: Set<string>): void {
  const m = run.metrics;
  const args = ev.args;
  const now = at.now;
  switch (ev.name) {
    case "AuctionStarted": {
      const acct = args.account as bigint;
      touched.add(`start:${acct}`);
      const rec: AuctionRecord = {
        id: m.auctionList.length,
        account: acct,
        owner: accountOwner(run, acct),
        markets: [],
        starter: p.agent,
        startT: now,
        startStep: m.step,
        startBlock: at.block,
        bidders: [],
        penaltyToFund: 0n,
        restarts: 0,
        tip: args.tip,
        shortfall: args.shortfall,
        equity: args.equity,
        maintenance: args.maintenanceMargin,
        value: args.markToMarket,
        bids: 0,
        insurance: 0n,
        socialised: 0n,
        deleveraged: 0n,
      };
      m.auctions.set(acct, rec);
      m.lastAuction.set(acct, rec);
      m.auctionList.push(rec);
      m.newAuctions.push(rec);
      m.stepStarts++;
      const stats = m.liquidators.get(p.agent);
      if (stats) stats.tips += args.tip;
      const ep = m.episodes.get(acct);
      if (ep && ep.auctionT === undefined) ep.auctionT = now;
      break;
    }
    case "AuctionBid": {
      const acct = args.account as bigint;
      touched.add(`bid:${acct}`);
      const rec = m.auctions.get(acct);
      m.stepBids++;
      const bidder = m.accountOwner.get(args.bidderAccount as bigint) ?? p.agent;
      if (rec) {
        rec.bids++;
        rec.penaltyToFund += args.penaltyToFund;
        if (!rec.bidders.includes(bidder)) rec.bidders.push(bidder);
      }
      const bs = m.liquidators.get(bidder);
      if (bs) bs.bidsWon++;
      m.fills.push({
        auction: rec?.id ?? -1,
        account: acct,
        bidder,
        t: now,
        elapsed: Number(args.elapsed),
        fraction: args.fraction,
        unitPrice: args.unitPrice,
        value: p.meta?.value,
        payment: args.payment,
        subsidy: args.subsidy,
      });
      if (args.penaltyToFund > 0n) m.fundIncome.push({ seq: m.seq++, amount: args.penaltyToFund, kind: "penalty", setUp: m.setUp });
      break;
    }
    case "AuctionEnded": {
      const acct = args.account as bigint;
      touched.add(`bid:${acct}`);
      const rec = m.auctions.get(acct);
      const reason = END_REASONS[Number(args.reason)] ?? "?";
      if (rec) {
        rec.endT = now;
        rec.endStep = m.step;
        rec.endBlock = at.block;
        rec.reason = reason;
        m.auctions.delete(acct);
      }
      const ep = m.episodes.get(acct);
      if (ep) {
        ep.endT = now;
        ep.outcome = reason;
        m.episodes.delete(acct);
      }
      break;
    }
    case "AuctionRestarted": {
      const rec = m.auctions.get(args.account as bigint);
      if (rec) rec.restarts++;
      break;
    }
    case "InsuranceDrawn":
    case "BadDebtSocialised": {
      const acct = args.account as bigint;
      // the running auction, or the one that ended earlier in this transaction
      const rec = m.auctions.get(acct) ?? m.lastAuction.get(acct);
      const key = `${acct}:${rec?.startT ?? now}`;
      const sub = m.subsidies.get(key) ?? { seq: m.seq++, key, insurance: 0n, socialised: 0n };
      m.subsidies.set(key, sub);
      if (ev.name === "InsuranceDrawn") {
        sub.insurance += args.amount;
        if (rec) rec.insurance += args.amount;
      } else {
        sub.socialised += args.amount;
        m.socialised += args.amount;
        if (rec) rec.socialised += args.amount;
      }
      m.badDebt += args.amount;
      break;
    }
    case "AuctionDeleveraged": {
      const acct = args.account as bigint;
      touched.add(`deleverage:${acct}`);
      const rec = m.auctions.get(acct) ?? m.lastAuction.get(acct);
      if (rec) rec.deleveraged += args.covered;
      m.deleveraged += args.covered;
      m.badDebt += args.covered;
      break;
    }
    case "MarketDeleveraged": {
      const acct = args.account as bigint;
      const rec = m.auctions.get(acct) ?? m.lastAuction.get(acct);
      const d = {
        auction: rec?.id ?? -1,
        account: acct,
        market: Number(args.marketId),
        t: now,
        block: at.block,
        size: args.size as bigint,
        price: args.bankruptcyPrice as bigint,
        mark: args.markPrice as bigint,
        phi: args.phi as bigint,
        covered: args.covered as bigint,
        accountsHit: 0,
      };
      m.deleveragings.push(d);
      m.newDeleveragings.push(d);
      break;
    }
    case "TradeSettled": {
      const fees = (args.makerFee as bigint) + (args.takerFee as bigint);
      if (fees > 0n) m.fundIncome.push({ seq: m.seq++, amount: fees, kind: "fee", setUp: m.setUp });
      break;
    }
    case "LossSocialised":
      m.supplyRatio = (m.supplyRatio * (args.indexAfter as bigint)) / (args.indexBefore as bigint);
      break;
    case "OrderFilled":
      run.agents.mm.onFilled(args.orderHash, args.filledTotal);
      break;
  }
}
