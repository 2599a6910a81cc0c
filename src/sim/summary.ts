/**
 * `summary.json`: the machine-readable result of a simulation. Everything in it is a function of the scenario and
 * the seed (no wall-clock time, no block hashes), so two runs with the same inputs give byte-identical files.
 * Cash amounts are in cash units (USDC) rounded to the cent; prices to 1e-4; times are the price path's (UTC).
 */
import { formatUnits } from "ethers";
import type { AuctionRecord, FillRecord, FundIncome, SetResult, SimulationResult } from "./run";
import { HEALTH_LABELS } from "./run";
import { shortAccount } from "../keeper/keeper";
import { abs } from "../model/wad";
import { AccountSet } from "../model/accountMap";

const WAD = 10n ** 18n;

/** WAD cash to a number of cash units, rounded to the cent. */
export const cash = (wad: bigint): number => Math.round(Number(formatUnits(wad, 16))) / 100;
/** WAD ratio to a number, rounded to 1e-6. */
export const ratio = (wad: bigint): number => Math.round(Number(formatUnits(wad, 12))) / 1e6;
const iso = (t: number) => new Date(t * 1000).toISOString().replace(".000Z", "Z");
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/**
 * The smallest initial insurance fund that would have paid every subsidy on this path without socialising any
 * loss, given the same bids: for each subsidised auction e (need N_e, first paid when the fund had received income
 * I_e and paid P_e before it), the per-event cap requires capRatio * (F + I_e - P_e) >= N_e, and the fund's cash
 * requires F + I_e - P_e >= N_e. Income: the credits `counts` keeps (default: every one: liquidation penalties
 * and trading fees, the traders' opening trades included); interest on the fund's cash is left out, which errs on
 * the safe side. Amounts below one cash-token unit per payout are rounding dust the fund never pays (it pays whole
 * token units) and are ignored.
 * @param counts which fund income counts as protection (`withoutFeeIncome`: penalties only; `() => false`: none).
 * @returns the amount (WAD cash) and the key of the subsidised auction that binds it (null when nothing was paid).
 */
export function minimumInsuranceFund(
  set: SetResult,
  counts: (income: FundIncome) => boolean = () => true,
): { amount: bigint; bindingEvent: string | null } {
  const cap = set.eventCapRatio;
  const events = [
    ...set.fundIncome.filter(counts).map((e) => ({ seq: e.seq, income: e.amount, need: 0n, key: "" })),
    ...set.subsidies.map((e) => ({ seq: e.seq, income: 0n, need: e.insurance + e.socialised, key: e.key })),
  ].sort((a, b) => a.seq - b.seq);
  const dust = 10n ** BigInt(18 - set.plan.cash.decimals);
  let income = 0n;
  let paid = 0n;
  let best = 0n;
  let binding: string | null = null;
  for (const e of events) {
    if (e.income > 0n) {
      income += e.income;
      continue;
    }
    if (e.need < dust) continue;
    const byCap = cap > 0n ? (e.need * WAD + cap - 1n) / cap - (income - paid) : e.need;
    const byCash = e.need - (income - paid);
    const required = byCap > byCash ? byCap : byCash;
    if (required > best) {
      best = required;
      binding = e.key;
    }
    paid += e.need;
  }
  return { amount: best, bindingEvent: binding };
}

/** Fund income that `minimumInsuranceFund` counts when trading fees are left out: liquidation penalties only. */
export const withoutFeeIncome = (income: FundIncome): boolean => income.kind === "penalty";

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/**
 * The discount bidders got on what they bought from an auction, over its solvent fills (V > 0, B >= 0):
 * 1 - sum(f * B) / sum(f * V), each fill's fraction f of the portfolio then left, at unit price B, its value V.
 * Null without a solvent fill.
 */
export function auctionDiscount(fills: FillRecord[]): number | null {
  const solvent = fills.filter(isSolventFill);
  if (solvent.length === 0) return null;
  const paid = sum(solvent.map((f) => f.fraction * f.unitPrice));
  const value = sum(solvent.map((f) => f.fraction * f.value!));
  return round(1 - Number((paid * 10n ** 12n) / value) / 1e12);
}

/** The markets an auction's account held at its start, as one label ("ETH-PERP", "ETH-PERP + BTC-PERP", "none"). */
export function marketLabel(set: SetResult, a: AuctionRecord): string {
  return a.markets.length === 0 ? "no position" : a.markets.map((m) => set.marketNames[m] ?? `market ${m}`).join(" + ");
}

/**
 * Per market: the auctions of accounts that held that market alone when their auction started, their bids, bad
 * debt (insurance paid + automated deleveraging + socialised), penalties to the fund and discounts at fill; accounts holding several markets
 * form rows of their own ("ETH-PERP + BTC-PERP"), so that every auction is counted once and the rows add up to the
 * set's totals. Rows: the markets in id order, then the combinations and "no position" in order of appearance.
 */
function marketBreakdown(set: SetResult) {
  const labels = [...set.marketNames];
  for (const a of set.auctions) {
    const l = marketLabel(set, a);
    if (!labels.includes(l)) labels.push(l);
  }
  return labels.map((market) => {
    const auctions = set.auctions.filter((a) => marketLabel(set, a) === market);
    const ids = new Set(auctions.map((a) => a.id));
    const fills = set.fills.filter((f) => ids.has(f.auction));
    const discounts = fills.filter(isSolventFill).map((f) => 1 - Number(f.unitPrice) / Number(f.value!));
    const outcomes: Record<string, number> = { Restored: 0, Emptied: 0, Terminated: 0, running: 0 };
    for (const a of auctions) outcomes[a.reason ?? "running"]++;
    const insurance = sum(auctions.map((a) => a.insurance));
    const socialised = sum(auctions.map((a) => a.socialised));
    const deleveraged = sum(auctions.map((a) => a.deleveraged));
    return {
      market,
      auctions: auctions.length,
      auctionOutcomes: outcomes,
      accounts: new AccountSet(auctions.map((a) => a.account)).size,
      bids: fills.length,
      insolventFills: fills.filter((f) => f.unitPrice < 0n).length,
      badDebt: cash(insurance + deleveraged + socialised),
      paidByInsurance: cash(insurance),
      deleveraged: cash(deleveraged),
      socialised: cash(socialised),
      penaltiesToFund: cash(sum(auctions.map((a) => a.penaltyToFund))),
      discountAtFill: {
        median: discounts.length ? round(quantile(discounts, 0.5)!) : null,
        p90: discounts.length ? round(quantile(discounts, 0.9)!) : null,
        solventFills: discounts.length,
      },
    };
  });
}

/** Every reverted transaction of the set by actor class and decoded error, most frequent first within an actor. */
function revertBreakdown(set: SetResult) {
  return set.actors.flatMap((a) =>
    Object.entries(a.reverts)
      .sort(([x, n], [y, m]) => m - n || (x < y ? -1 : 1))
      .map(([error, count]) => ({ actor: a.actor, error, count })),
  );
}

/** `seconds` in whole blocks of `blockTime` seconds, rounded up (null stays null). */
const blocksOf = (seconds: number | null, blockTime: number): number | null => (seconds === null ? null : Math.ceil(seconds / blockTime));

/**
 * Issue #13's small portfolios: accounts whose mark-to-market value V was positive and below this when their auction
 * started (WAD cash: 500 cash units).
 */
export const SMALL_PORTFOLIO = 500n * 10n ** 18n;

/**
 * The auctions of small portfolios (0 < V at start < {@link SMALL_PORTFOLIO}): how many, how many had a solvent fill,
 * and the discount each got over its solvent fills (`auctionDiscount`, one figure per auction), median and p90, to
 * compare with the penalty (issue #13's target: median at most penalty + 2%).
 */
export function smallPortfolios(set: SetResult) {
  const small = set.auctions.filter((a) => a.value > 0n && a.value < SMALL_PORTFOLIO);
  const discounts = small.map((a) => auctionDiscount(set.fills.filter((f) => f.auction === a.id))).filter((d): d is number => d !== null);
  return {
    threshold: cash(SMALL_PORTFOLIO),
    auctions: small.length,
    withSolventFill: discounts.length,
    discountMedian: discounts.length ? round(quantile(discounts, 0.5)!) : null,
    discountP90: discounts.length ? round(quantile(discounts, 0.9)!) : null,
  };
}

/** A fill of a solvent portfolio at a non-negative unit price: the ones with a discount 1 - B/V. */
const isSolventFill = (f: SetResult["fills"][number]) => f.value !== undefined && f.value > 0n && f.unitPrice >= 0n;

function setSummary(r: SimulationResult, set: SetResult) {
  const last = set.steps[set.steps.length - 1];
  const fundSeries = set.steps.map((s) => s.fund);
  const minFund = minimumInsuranceFund(set);
  const minFundNoFees = minimumInsuranceFund(set, withoutFeeIncome);
  const minFundNoIncome = minimumInsuranceFund(set, () => false);
  const income = (pick: (e: FundIncome) => boolean) => cash(sum(set.fundIncome.filter(pick).map((e) => e.amount)));
  const outcomes: Record<string, number> = { Restored: 0, Emptied: 0, Terminated: 0, running: 0 };
  for (const a of set.auctions) outcomes[a.reason ?? "running"]++;
  const toRestore = set.episodes.filter((e) => e.endT !== undefined).map((e) => e.endT! - e.liquidatableT);
  const toAuction = set.episodes.filter((e) => e.auctionT !== undefined).map((e) => e.auctionT! - e.liquidatableT);
  const auctionDelay = {
    median: quantile(toAuction, 0.5),
    p90: quantile(toAuction, 0.9),
    p99: quantile(toAuction, 0.99),
    max: quantile(toAuction, 1),
  };
  const toLiquidate = set.episodes.filter((e) => e.auctionT !== undefined && e.endT !== undefined).map((e) => e.endT! - e.liquidatableT);
  // Solvent fills only: a fill at a negative unit price (insolvent phase) has no meaningful discount.
  const discounts = set.fills.filter(isSolventFill).map((f) => 1 - Number(f.unitPrice) / Number(f.value!));
  const totalPaid = set.subsidies.reduce((s, e) => s + e.insurance, 0n);
  const socialised = cash(last.socialised);
  const invariantsHold = set.invariants.violations.length === 0;
  return {
    name: set.name,
    description: set.description,
    /**
     * The report's one-line verdict. solvent: every loss was covered without touching depositors (no socialised
     * loss) and every invariant holds at the end. insuranceDrawnShare: insurance payouts / the fund's initial
     * stake (1e-4). Discounts: solvent fills (ratio, 1e-4). secondsToLiquidateMedian: from the scan that found an
     * account liquidatable to the end of its auction (restored, emptied or terminated).
     */
    verdict: {
      solvent: socialised === 0 && invariantsHold,
      invariantsHold,
      socialisedLoss: socialised,
      insuranceDrawn: cash(totalPaid),
      insuranceDrawnShare: set.initialFund > 0n ? round(Number(totalPaid) / Number(set.initialFund)) : null,
      auctions: set.auctions.length,
      discountMedian: discounts.length ? round(quantile(discounts, 0.5)!) : null,
      discountP95: discounts.length ? round(quantile(discounts, 0.95)!) : null,
      secondsToLiquidateMedian: quantile(toLiquidate, 0.5),
    },
    parameters: {
      auction: set.parameters.auction,
      markets: set.parameters.markets.map((m) => ({
        name: m.name,
        mmr: m.mmr,
        imr: m.imr,
        mmrCap: m.mmrCap,
        volMultiplier: m.volMultiplier,
      })),
      insurance: { ...set.parameters.insurance, initialStake: cash(set.initialFund) },
    },
    liquidations: {
      accountsLiquidatable: new AccountSet(set.episodes.map((e) => e.account)).size,
      episodes: set.episodes.length,
      auctions: set.auctions.length,
      auctionOutcomes: outcomes,
      bids: set.fills.length,
      tradersLiquidated: set.traders.liquidated,
      secondsToAuction: auctionDelay,
      /** The same delays in blocks (`chain.blockTime` apart; 0: started in the block of the scan that found it). */
      blocksToAuction: {
        median: blocksOf(auctionDelay.median, r.scenario.chain.blockTime),
        p90: blocksOf(auctionDelay.p90, r.scenario.chain.blockTime),
        p99: blocksOf(auctionDelay.p99, r.scenario.chain.blockTime),
        max: blocksOf(auctionDelay.max, r.scenario.chain.blockTime),
      },
      secondsToRestored: { median: quantile(toRestore, 0.5), p90: quantile(toRestore, 0.9), max: quantile(toRestore, 1) },
      secondsToLiquidate: { median: quantile(toLiquidate, 0.5), p90: quantile(toLiquidate, 0.9), max: quantile(toLiquidate, 1) },
      discountAtFill: {
        median: round(quantile(discounts, 0.5) ?? 0),
        p10: round(quantile(discounts, 0.1) ?? 0),
        p90: round(quantile(discounts, 0.9) ?? 0),
        p95: round(quantile(discounts, 0.95) ?? 0),
        solventFills: discounts.length,
        insolventFills: set.fills.filter((f) => f.unitPrice < 0n).length,
      },
      /** Auctions of portfolios worth less than 500 cash units at start, and their discounts (issue #13, item 3). */
      smallPortfolios: smallPortfolios(set),
    },
    losses: {
      badDebt: cash(last.badDebt),
      paidByInsurance: cash(totalPaid),
      /** Covered by automated deleveraging: what the positions on the other side gave up against the mark. */
      deleveraged: cash(last.deleveraged),
      socialised: cash(last.socialised),
      /**
       * Automated deleveraging (issue #14 items 1 and 4): events (one per bankrupt position), the notional they closed
       * at their bankruptcy prices, the accounts on the other side just before each (counted once per event) and the
       * profit and loss they gave up against closing at the mark (= `deleveraged`).
       */
      deleveraging: {
        events: set.deleveragings.length,
        notionalClosed: cash(sum(set.deleveragings.map((d) => (abs(d.size) * d.price) / WAD))),
        accountsHit: set.deleveragings.reduce((n, d) => n + d.accountsHit, 0),
        pnlGivenUp: cash(sum(set.deleveragings.map((d) => d.covered))),
      },
      unrealisedInRunningAuctions: cash(set.unrealisedBadDebt),
      insuranceFund: {
        initial: cash(set.initialFund),
        final: cash(last.fund),
        min: cash(fundSeries.reduce((a, b) => (b < a ? b : a), fundSeries[0])),
        eventCapRatio: ratio(set.eventCapRatio),
        /** What the fund was credited during the run, by source (penalties; trading fees of the opening trades and later). */
        income: {
          penalties: income((e) => e.kind === "penalty"),
          openingTradeFees: income((e) => e.kind === "fee" && e.setUp),
          tradeFeesDuringReplay: income((e) => e.kind === "fee" && !e.setUp),
          total: income(() => true),
        },
      },
      /** The smallest initial stake with no socialised loss, counting every credit to the fund as protection. */
      minimumFundWithoutSocialisedLoss: cash(minFund.amount),
      /**
       * The same smallest stake under three readings of what protects: every credit to the fund (penalties and
       * trading fees, the opening trades' included: `minimumFundWithoutSocialisedLoss`), penalties only (no fee
       * income), or nothing but the stake itself.
       */
      minimumFund: {
        countingAllIncome: cash(minFund.amount),
        withoutFeeIncome: cash(minFundNoFees.amount),
        withoutAnyIncome: cash(minFundNoIncome.amount),
      },
    },
    traders: set.traders,
    liquidators: set.liquidators.map((l) => ({
      name: l.name,
      strategy: l.strategy,
      startsSent: l.starts,
      startsWon: l.startsWon,
      bidsSent: l.bids,
      bidsWon: l.bidsWon,
      hedges: l.hedges,
      transactions: l.txs,
      reverted: l.reverted,
      gasUsed: Number(l.gasUsed),
      gasCost: cash(l.gasCost),
      wastedGas: Number(l.wastedGas),
      wastedGasCost: cash(l.wastedCost),
      tips: cash(l.tips),
      /** Change in mark-to-market value minus gas: what the liquidator kept, net of its socialised-loss share. */
      pnl: cash(l.pnl),
      /** Its estimated share of socialised losses (borne by its cash through the vault's supply index). */
      socialisedLossBorne: cash(l.socialisedBorne),
      /** pnl + socialisedLossBorne: what liquidating earned before socialised losses. */
      profit: cash(l.profit),
      /** Reverted transactions by decoded error. */
      revertReasons: Object.fromEntries(Object.entries(l.revertReasons).sort()),
      /** Reverted transactions that lost a race to an earlier transaction of the block on the same auction. */
      lostRaces: set.actors.find((a) => a.actor === l.name)?.lostRaces ?? 0,
      /** Auctions on the keeper's own accounts (its vault account and its FlashLiquidator's): it was liquidated. */
      ownAccountsLiquidated: ownAuctions(set, l.name),
    })),
    /** Per actor class: every transaction it sent (set-up included), reverted ones, gas. */
    actors: set.actors.map((a) => ({
      actor: a.actor,
      transactions: a.transactions,
      setUpTransactions: a.setUpTransactions,
      reverted: a.reverted,
      lostRaces: a.lostRaces,
      gasUsed: Number(a.gasUsed),
      gasCost: cash(a.gasCost),
    })),
    /** Every reverted transaction, by actor class and decoded custom error (panics and plain reverts named as such). */
    reverts: revertBreakdown(set),
    markets: marketBreakdown(set),
    chain: {
      transactions: set.txs.sent,
      reverted: set.txs.reverted,
      gasUsed: Number(set.txs.gasUsed),
      blocks: set.txs.blocks,
      blocksWithTransactions: set.txs.activeBlocks,
    },
    invariants: {
      ok: set.invariants.violations.length === 0,
      violations: set.invariants.violations,
      accountsChecked: set.invariants.accounts,
      cashReserve: cash(set.invariants.cashReserve),
    },
    unexplainedReverts: set.unexplainedReverts,
    series: {
      time: set.steps.map((s) => iso(s.t)),
      index: set.steps.map((s) => round(s.prices[r.scenario.prices.index])),
      /** Every price series of the scenario (the index among them), keyed by name, per step. */
      prices: Object.fromEntries(Object.keys(r.scenario.prices.series).map((k) => [k, set.steps.map((s) => round(s.prices[k]))])),
      oraclePushed: set.steps.map((s) => (s.pushed ? 1 : 0)),
      liquidatable: set.steps.map((s) => s.liquidatable),
      activeAuctions: set.steps.map((s) => s.activeAuctions),
      auctionsStarted: set.steps.map((s) => s.starts),
      bids: set.steps.map((s) => s.bids),
      insuranceFund: set.steps.map((s) => cash(s.fund)),
      badDebt: set.steps.map((s) => cash(s.badDebt)),
      socialised: set.steps.map((s) => cash(s.socialised)),
      healthBuckets: HEALTH_LABELS,
      health: set.steps.map((s) => s.health),
    },
    fills: set.fills.map((f) => ({
      time: iso(f.t),
      account: shortAccount(f.account),
      bidder: f.bidder,
      elapsed: f.elapsed,
      fraction: ratio(f.fraction),
      unitPrice: cash(f.unitPrice),
      discount: f.value !== undefined && f.value > 0n ? round(1 - Number(f.unitPrice) / Number(f.value)) : null,
      subsidy: cash(f.subsidy),
    })),
    episodes: set.episodes.map((e) => ({
      account: shortAccount(e.account),
      liquidatable: iso(e.liquidatableT),
      auctionAfter: e.auctionT === undefined ? null : e.auctionT - e.liquidatableT,
      endedAfter: e.endT === undefined ? null : e.endT - e.liquidatableT,
      outcome: e.outcome ?? "running",
    })),
  };
}

export type SetSummary = ReturnType<typeof setSummary>;

/** The auctions on keeper `name`'s own accounts: how many, on how many accounts, their bad debt. */
function ownAuctions(set: SetResult, name: string) {
  const own = set.auctions.filter((a) => a.owner === name);
  return {
    auctions: own.length,
    accounts: new AccountSet(own.map((a) => a.account)).size,
    badDebt: cash(sum(own.map((a) => a.insurance + a.socialised))),
  };
}

/** CSV column order of `auctions.csv` (the keys of an `auctionRows` row). */
export const AUCTION_COLUMNS = [
  "set",
  "auction",
  "account",
  "owner",
  "markets",
  "starter",
  "startStep",
  "startTime",
  "startBlock",
  "endStep",
  "endTime",
  "endBlock",
  "seconds",
  "outcome",
  "restarts",
  "bids",
  "insolventFills",
  "bidders",
  "tip",
  "shortfall",
  "equityAtStart",
  "maintenanceMarginAtStart",
  "valueAtStart",
  "discount",
  "badDebt",
  "insurancePaid",
  "deleveraged",
  "socialised",
  "penaltyToFund",
] as const;

export type AuctionRow = Record<(typeof AUCTION_COLUMNS)[number], string | number | null>;

/**
 * One row per auction of every parameter set, in start order (`auctions.json`, `auctions.csv`). Steps are the
 * replay's 0-based steps, times the price path's (UTC), amounts cash units to the cent; discount: `auctionDiscount`
 * (null without a solvent fill); bad debt = insurance paid + covered by automated deleveraging + socialised; outcome
 * "running" when it had not ended.
 */
export function auctionRows(r: SimulationResult): AuctionRow[] {
  return r.sets.flatMap((set) =>
    set.auctions.map((a) => {
      const fills = set.fills.filter((f) => f.auction === a.id);
      return {
        set: set.name,
        auction: a.id + 1,
        account: shortAccount(a.account),
        owner: a.owner,
        markets: marketLabel(set, a),
        starter: a.starter,
        startStep: a.startStep,
        startTime: iso(a.startT),
        startBlock: a.startBlock,
        endStep: a.endStep ?? null,
        endTime: a.endT === undefined ? null : iso(a.endT),
        endBlock: a.endBlock ?? null,
        seconds: a.endT === undefined ? null : a.endT - a.startT,
        outcome: a.reason ?? "running",
        restarts: a.restarts,
        bids: a.bids,
        insolventFills: fills.filter((f) => f.unitPrice < 0n).length,
        bidders: a.bidders.join(";"),
        tip: cash(a.tip),
        shortfall: cash(a.shortfall),
        equityAtStart: cash(a.equity),
        maintenanceMarginAtStart: cash(a.maintenance),
        valueAtStart: cash(a.value),
        discount: auctionDiscount(fills),
        badDebt: cash(a.insurance + a.deleveraged + a.socialised),
        insurancePaid: cash(a.insurance),
        deleveraged: cash(a.deleveraged),
        socialised: cash(a.socialised),
        penaltyToFund: cash(a.penaltyToFund),
      };
    }),
  );
}

/** `auctions.json`: the rows as a JSON array (two-space indent, final newline). */
export function auctionsJson(rows: AuctionRow[]): string {
  return JSON.stringify(rows, null, 2) + "\n";
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; null as an empty field. */
const csvField = (v: string | number | null): string => {
  const t = v === null ? "" : String(v);
  return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
};

/** `auctions.csv`: a header line (`AUCTION_COLUMNS`) and one line per auction. */
export function auctionsCsv(rows: AuctionRow[]): string {
  return [AUCTION_COLUMNS.join(","), ...rows.map((r) => AUCTION_COLUMNS.map((c) => csvField(r[c])).join(","))].join("\n") + "\n";
}

/**
 * The cash peg over the replayed steps (scenario key `prices.cashPeg`): its lowest value (USD per cash unit, 1e-6)
 * and the first step time it was reached, and its first and last values. Undefined without a peg path.
 */
export function cashPegSummary(r: SimulationResult): { min: number; minAt: string; first: number; last: number } | undefined {
  if (!r.scenario.prices.cashPeg) return undefined;
  const points = r.path.points.slice(0, r.sets[0]?.steps.length ?? r.path.points.length).filter((p) => p.cashPeg !== undefined);
  if (points.length === 0) return undefined;
  let low = points[0];
  for (const p of points) if (p.cashPeg! < low.cashPeg!) low = p;
  return {
    min: round(low.cashPeg!, 6),
    minAt: iso(low.t),
    first: round(points[0].cashPeg!, 6),
    last: round(points[points.length - 1].cashPeg!, 6),
  };
}

export function buildSummary(r: SimulationResult) {
  const s = r.scenario;
  const peg = cashPegSummary(r);
  return {
    scenario: {
      name: s.name,
      description: s.description,
      file: s.file,
      seed: s.seed,
      index: s.prices.index,
      window: { start: iso(s.prices.start), end: iso(s.prices.end) },
      resolution: s.prices.resolution,
      intrabar: s.prices.intrabar,
      steps: r.sets[0]?.steps.length ?? 0,
      blockTime: s.chain.blockTime,
      oracle: { deviation: ratio(s.oracle.deviation), heartbeat: s.oracle.heartbeat },
      traders: s.traders.count,
      liquidators: s.liquidators.map((l) => ({ name: l.name, strategy: l.strategy, capital: cash(l.capital) })),
      priceFiles: Object.fromEntries(Object.entries(s.prices.series).map(([k, v]) => [k, v.file.split(/[\\/]/).slice(-3).join("/")])),
      /** Present only with a cash peg path: the protocol kept reading USD prices as cash prices (threat R-02). */
      ...(peg ? { cashPeg: peg } : {}),
    },
    sets: r.sets.map((set) => setSummary(r, set)),
  };
}

export type Summary = ReturnType<typeof buildSummary>;

/** Serialises the summary deterministically (stable key order as built, two-space indent, final newline). */
export function summaryJson(summary: Summary): string {
  return JSON.stringify(summary, null, 2) + "\n";
}
