/**
 * The simulator's records: what one parameter set's run produced (`SetResult`) and its parts. Built by the
 * stages under src/sim/stages/, read by src/sim/summary.ts and src/sim/report.ts. Cash amounts are WAD cash,
 * times the price path's unix seconds unless stated.
 */
import type { EvmEngine } from "./engines";
import type { DeploymentPlan, NetworkParameters } from "../config/schema";
import type { Progress } from "./progress";
import type { PricePath } from "./prices";
import type { Scenario } from "./scenario";

export interface RunOptions {
  /** Where phases and replay progress are reported. */
  progress: Progress;
  /** Stop after this many steps (benchmarks). */
  maxSteps?: number;
  /** The EVM to run on (src/sim/node.ts; default `DEFAULT_ENGINE`, anvil). */
  engine?: EvmEngine;
}

/** What one liquidator did. */
export interface LiquidatorStats {
  name: string;
  strategy: string;
  starts: number;
  startsWon: number;
  bids: number;
  bidsWon: number;
  hedges: number;
  txs: number;
  reverted: number;
  gasUsed: bigint;
  gasCost: bigint; // WAD cash
  wastedGas: bigint;
  wastedCost: bigint; // WAD cash
  tips: bigint;
  valueStart: bigint;
  valueEnd: bigint;
  /** valueEnd - valueStart - gasCost (WAD cash): everything, including its share of socialised losses. */
  pnl: bigint;
  /** Estimated share of socialised losses borne by its cash: capital x (1 - product of supply-index cuts). */
  socialisedBorne: bigint;
  /** pnl + socialisedBorne: what liquidating earned. */
  profit: bigint;
  revertReasons: Record<string, number>;
}

export interface StepRecord {
  /** Price time (unix seconds). */
  t: number;
  prices: Record<string, number>;
  pushed: boolean;
  liquidatable: number;
  activeAuctions: number;
  starts: number;
  bids: number;
  fund: bigint;
  badDebt: bigint;
  socialised: bigint;
  /** Bad debt covered by automated deleveraging so far (WAD cash, cumulative). */
  deleveraged: bigint;
  health: number[];
  openPositions: number;
}

export interface FillRecord {
  /** The auction's `AuctionRecord.id` (-1 when the simulator saw no start, which does not happen in a run). */
  auction: number;
  account: bigint;
  bidder: string;
  t: number;
  elapsed: number;
  fraction: bigint;
  unitPrice: bigint;
  value?: bigint;
  payment: bigint;
  subsidy: bigint;
}

export interface AuctionRecord {
  /** 0-based position among the set's auctions, in start order. */
  id: number;
  account: bigint;
  /** Who owns the account: `trader:<i>`, a keeper's name (its own or its FlashLiquidator's account), `market-maker`. */
  owner: string;
  /** Market ids the account held a position in when its auction started (after the start block). */
  markets: number[];
  starter: string;
  startT: number;
  /** Replay step (0-based) and block of the start. */
  startStep: number;
  startBlock: number;
  endStep?: number;
  endBlock?: number;
  /** Keepers that won its bids, in the order of their first fill. */
  bidders: string[];
  /** Penalties its bids paid to the insurance fund (WAD cash). */
  penaltyToFund: bigint;
  /** Times a stalled auction restarted (`AuctionRestarted`). */
  restarts: number;
  tip: bigint;
  shortfall: bigint;
  equity: bigint;
  maintenance: bigint;
  value: bigint;
  endT?: number;
  reason?: string;
  bids: number;
  insurance: bigint;
  socialised: bigint;
  /** What automated deleveraging's counterparties covered for it (WAD cash; `AuctionDeleveraged.covered`). */
  deleveraged: bigint;
}

/** One automated-deleveraging event: a bankrupt account's position closed against the other side of its market. */
export interface DeleveragingRecord {
  /** The auction's `AuctionRecord.id` (-1 when the simulator saw no start). */
  auction: number;
  account: bigint;
  market: number;
  /** Price time (unix seconds). */
  t: number;
  block: number;
  /** The bankrupt position (WAD base, signed), closed at `price` (WAD; the mark was `mark`). */
  size: bigint;
  price: bigint;
  mark: bigint;
  /** The fraction of every opposite position closed (WAD). */
  phi: bigint;
  /** What the other side gave up against closing at the mark (WAD cash). */
  covered: bigint;
  /** Accounts that held a position on the other side just before the event (each closes phi of it). */
  accountsHit: number;
}

export interface EpisodeRecord {
  account: bigint;
  liquidatableT: number;
  auctionT?: number;
  endT?: number;
  outcome?: string;
}

export interface SubsidyEvent {
  seq: number;
  key: string;
  insurance: bigint;
  socialised: bigint;
}

/** Where a credit to the insurance fund came from. */
export interface FundIncome {
  seq: number;
  amount: bigint;
  /** `penalty`: an auction bid's penalty share; `fee`: a trade's maker and taker fees. */
  kind: "penalty" | "fee";
  /** Credited in the two set-up blocks (the traders' opening trades), before the replay. */
  setUp: boolean;
}

/** What one actor class sent: the traders together, the market maker, each keeper, the oracle pusher, the staker. */
export interface ActorStats {
  actor: string;
  transactions: number;
  /** Of `transactions`, those mined in the two set-up blocks. */
  setUpTransactions: number;
  reverted: number;
  gasUsed: bigint;
  /** WAD cash, at the first market's index when mined. */
  gasCost: bigint;
  /** Reverts that lost a race (an earlier transaction of the block started or bid on the same auction). */
  lostRaces: number;
  /** Reverted transactions by decoded error name (`RevertDecoder`). */
  reverts: Record<string, number>;
}

export interface SetResult {
  name: string;
  description: string;
  parameters: NetworkParameters;
  plan: DeploymentPlan;
  steps: StepRecord[];
  auctions: AuctionRecord[];
  fills: FillRecord[];
  episodes: EpisodeRecord[];
  liquidators: LiquidatorStats[];
  fundIncome: FundIncome[];
  /** Market names by market id. */
  marketNames: string[];
  /** Per actor class, in first-transaction order. */
  actors: ActorStats[];
  subsidies: SubsidyEvent[];
  /** Automated-deleveraging events, in order. */
  deleveragings: DeleveragingRecord[];
  initialFund: bigint;
  eventCapRatio: bigint;
  /** Sum of -V over auctions still running at the end with V < 0 (WAD cash). */
  unrealisedBadDebt: bigint;
  traders: { count: number; byBehaviour: Record<string, number>; topUps: number; cuts: number; liquidated: number };
  txs: { sent: number; reverted: number; gasUsed: bigint; blocks: number; activeBlocks: number };
  invariants: { violations: string[]; cashReserve: bigint; accounts: number };
  /** Keepers' reverts that did not lose a race, with the decoded error and its arguments. */
  unexplainedReverts: { agent: string; action: string; reason: string }[];
  keeperLog: string[];
  timings: Record<string, number>;
  rpcCalls: number;
  /** The shared keeper view's scans: full and partial, accounts read, and accounts full scans left out (timings.json). */
  scans: { full: number; partial: number; accountsRead: number; skipped: number };
}

export interface SimulationResult {
  scenario: Scenario;
  path: PricePath;
  sets: SetResult[];
}

/** Health-factor buckets of the report (upper bounds; the last is open). */
export const HEALTH_BUCKETS = [1, 1.1, 1.25, 1.5, 2, Infinity];
export const HEALTH_LABELS = ["< 1 (liquidatable)", "1 - 1.1", "1.1 - 1.25", "1.25 - 1.5", "1.5 - 2", ">= 2"];
