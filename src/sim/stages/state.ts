/**
 * The state of one parameter set's run, held in typed objects the stages share instead of loose locals:
 * `RunState` (inputs, deployment, chain clock, transaction queue, shared keeper view, agents, keepers) and
 * `Metrics` (everything recorded for the report, filled by settlement, the replay steps and aggregation).
 */
import type { SimNode } from "../node";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { Wallet } from "ethers";
import type { Scenario } from "../scenario";
import type { Chain, TxRequest } from "../chain";
import type { PricePath } from "../prices";
import type { MarketMaker } from "../agents/marketMaker";
import type { Trader } from "../agents/traders";
import type {
  ActorStats,
  AuctionRecord,
  DeleveragingRecord,
  EpisodeRecord,
  FillRecord,
  FundIncome,
  LiquidatorStats,
  RunOptions,
  SetResult,
  StepRecord,
  SubsidyEvent,
} from "../records";
import { ChainView, type AccountHealth } from "../../keeper/view";
import { EventFollower } from "../../keeper/events";
import type { Keeper, SentTx } from "../../keeper/keeper";
import { WAD } from "../../model/wad";
import { cashPrice } from "../prices";
import type { FlashLiquidator } from "../../../typechain-types";
import type { Deployment } from "./deployment";
import type { Timer } from "./timer";
import type { RevertDecoder } from "../reverts";
import { HeldTxs } from "../latency";
import { AccountMap } from "../../model/accountMap";

/**
 * The simulator's keeper view options: lens scans in calls of 100 accounts; `SIM_VERIFY_SCAN_SKIPS=1` also reads the
 * accounts a full scan leaves out and fails the run if one of them was near the watch list (a check, not a mode).
 */
export function simViewOptions(): { batchSize: number; verifySkips: boolean } {
  return { batchSize: 100, verifySkips: process.env.SIM_VERIFY_SCAN_SKIPS === "1" };
}

/** What the run of one parameter set is given. */
export interface RunInput {
  hre: HardhatRuntimeEnvironment;
  /** The chain this set runs on (a fresh one per set). */
  node: SimNode;
  scenario: Scenario;
  pricePath: PricePath;
  set: Scenario["parameterSets"][number];
  opts: RunOptions;
  /** 1-based number of the set, for progress. */
  setNumber: number;
}

/**
 * The actor class a transaction's agent belongs to: every `trader:<i>` is "traders"; the market maker, the oracle
 * pusher, the staker and each keeper (by name) are classes of their own.
 */
export function actorClass(agent: string): string {
  return agent.startsWith("trader:") ? "traders" : agent;
}

/** A sent transaction waiting for its receipt. */
export interface Pending {
  hash: string;
  agent: string;
  action: string;
  account?: bigint;
  meta?: SentTx;
}

/** The simulated agents (stage 3, population). */
export interface Agents {
  deployer: string;
  oracle: Wallet;
  staker: Wallet;
  marketMakerWallet: Wallet;
  mm: MarketMaker;
  mmAccount: bigint;
  traders: Trader[];
  traderByAccount: AccountMap<Trader>;
  liquidators: Wallet[];
  /** Each liquidator's FlashLiquidator (flash strategy) or undefined. */
  flash: (FlashLiquidator | undefined)[];
}

/** Everything recorded for the report. Cash amounts WAD, times price-path seconds. */
export class Metrics {
  readonly keeperLog: string[] = [];
  readonly liquidators = new Map<string, LiquidatorStats>();
  /** Running auctions by account. */
  readonly auctions = new AccountMap<AuctionRecord>();
  readonly auctionList: AuctionRecord[] = [];
  readonly fills: FillRecord[] = [];
  readonly subsidies = new Map<string, SubsidyEvent>();
  readonly fundIncome: FundIncome[] = [];
  /** Per actor class (`actorClass`), in first-transaction order. */
  readonly actors = new Map<string, ActorStats>();
  /** The latest auction of each account, running or ended (subsidies paid in the transaction that ended it). */
  readonly lastAuction = new AccountMap<AuctionRecord>();
  /** Auctions started in the block being settled, whose markets are still to be read. */
  readonly newAuctions: AuctionRecord[] = [];
  /** Automated-deleveraging events, in order. */
  readonly deleveragings: DeleveragingRecord[] = [];
  /** Those of the block being settled, whose counterparties are still to be counted. */
  readonly newDeleveragings: DeleveragingRecord[] = [];
  /** The replay step being run (0-based; -1 during set-up). */
  step = -1;
  /** The set-up blocks are being mined (before the replay). */
  setUp = true;
  readonly unexplained: SetResult["unexplainedReverts"] = [];
  /** Open liquidation episodes by account. */
  readonly episodes = new AccountMap<EpisodeRecord>();
  readonly episodeList: EpisodeRecord[] = [];
  readonly steps: StepRecord[] = [];
  /** Bidder account -> liquidator name. */
  readonly accountOwner = new AccountMap<string>();
  /** Order of fund income and subsidy events. */
  seq = 0;
  badDebt = 0n;
  /** Product of indexAfter / indexBefore over every socialised loss (WAD). */
  supplyRatio = WAD;
  socialised = 0n;
  /** Bad debt covered by automated deleveraging (WAD cash). */
  deleveraged = 0n;
  stepStarts = 0;
  stepBids = 0;
  txSent = 0;
  txReverted = 0;
  gasUsedTotal = 0n;
  activeBlocks = 0;
  topUps = 0;
  cuts = 0;
  /** Price of the first market's feed in cash (cash per ETH, float; USD price / cash peg): prices gas. */
  lastIndexEth: number;
  /** The latest scan's health rows. */
  lastHealth: AccountHealth[] = [];

  constructor(initialIndexEth: number) {
    this.lastIndexEth = initialIndexEth;
  }
}

export class RunState {
  readonly metrics: Metrics;
  readonly pending: Pending[] = [];
  /** The keepers' shared view of the chain. */
  readonly view: ChainView;
  /** Decodes the receipts' protocol events (the same follower the keepers' view uses). */
  readonly events: EventFollower;
  /** Seconds between blocks. */
  readonly bt: number;
  /** Chain time of the first set-up block (T0 - 1 hour, seconds). */
  readonly S: number;
  /** Set by the population stage. */
  agents!: Agents;
  /** Set by the keepers stage, one per liquidator of the scenario. */
  keepers: Keeper[] = [];
  /** The chain's block number when the replay began. */
  blockBase = 0;
  /** Names reverted transactions (every compiled contract's errors); set by `runSet` before the set-up. */
  reverts!: RevertDecoder;
  /** Transactions of keepers with RPC latency, held until their release block (src/sim/latency.ts). */
  readonly held = new HeldTxs<Pending>();
  /** The latest block mined with transactions in it (a latent keeper must get to see it). */
  lastActiveBlock = -1;

  constructor(
    readonly input: RunInput,
    readonly dep: Deployment,
    readonly timer: Timer,
  ) {
    this.bt = input.scenario.chain.blockTime;
    this.S = dep.T0 - 3600;
    this.view = new ChainView(dep.contracts, input.node.ethers, simViewOptions());
    this.events = new EventFollower(dep.contracts);
    this.metrics = new Metrics(cashPrice(input.pricePath.initial.prices[dep.marketFeed[0]], input.pricePath.initial.cashPeg));
  }

  get scenario(): Scenario {
    return this.input.scenario;
  }
  get chain(): Chain {
    return this.dep.chain;
  }

  /** Chain time of price time `priceT`. */
  chainTime(priceT: number): number {
    return this.dep.T0 + (priceT - this.input.pricePath.points[0].t);
  }
  /** Price time of chain time `chainT`. */
  priceTime(chainT: number): number {
    return this.input.pricePath.points[0].t + (chainT - this.dep.T0);
  }

  /** Sends a transaction from an unlocked account and queues it for settlement. Returns its hash. */
  async send(agent: string, action: string, tx: TxRequest, account?: bigint, meta?: SentTx): Promise<string> {
    const hash = await this.chain.send(tx);
    this.pending.push({ hash, agent, action, account, meta });
    return hash;
  }
}
