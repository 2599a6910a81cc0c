/**
 * The simulator's records: what one parameter set's run produced (`SetResult`) and its parts. Built by the
 * stages under src/sim/stages/, read by src/sim/summary.ts and src/sim/report.ts. Cash amounts are WAD cash,
 * times the price path's unix seconds unless stated.
 */
import type { DeploymentPlan, NetworkParameters } from "../config/schema";
import type { Progress } from "./progress";
import type { PricePath } from "./prices";
import type { Scenario } from "./scenario";

export interface RunOptions {
  /** Where phases and replay progress are reported. */
  progress: Progress;
  /** Stop after this many steps (benchmarks). */
  maxSteps?: number;
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
  health: number[];
  openPositions: number;
}

export interface FillRecord {
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
  account: bigint;
  starter: string;
  startT: number;
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
  fundIncome: { seq: number; amount: bigint }[];
  subsidies: SubsidyEvent[];
  initialFund: bigint;
  eventCapRatio: bigint;
  /** Sum of -V over auctions still running at the end with V < 0 (WAD cash). */
  unrealisedBadDebt: bigint;
  traders: { count: number; byBehaviour: Record<string, number>; topUps: number; cuts: number; liquidated: number };
  txs: { sent: number; reverted: number; gasUsed: bigint; blocks: number; activeBlocks: number };
  invariants: { violations: string[]; cashReserve: bigint; accounts: number };
  unexplainedReverts: { agent: string; action: string; reason: string }[];
  keeperLog: string[];
  timings: Record<string, number>;
  rpcCalls: number;
}

export interface SimulationResult {
  scenario: Scenario;
  path: PricePath;
  sets: SetResult[];
}

/** Health-factor buckets of the report (upper bounds; the last is open). */
export const HEALTH_BUCKETS = [1, 1.1, 1.25, 1.5, 2, Infinity];
export const HEALTH_LABELS = ["< 1 (liquidatable)", "1 - 1.1", "1.1 - 1.25", "1.25 - 1.5", "1.5 - 2", ">= 2"];
