/**
 * The simulation engine. For each parameter set of a scenario it deploys the whole protocol with the production
 * Ignition module (deploy/modules/Ballast.ts) on the in-process Hardhat chain, sets up the agents, then replays
 * the price path step by step:
 *
 *   1. the oracle block at the step's time: the pusher publishes each feed whose price moved by the deviation
 *      threshold (or whose heartbeat is due) and records volatility observations;
 *   2. reaction blocks: traders below their threshold react, the market maker re-quotes, and every keeper runs
 *      its `onBlock` (scan, starts, bids, hedges) on the state of the previous block;
 *   3. further blocks only when someone acts: after any block with transactions (follow-ups: a bid after a start,
 *      a hedge after a bid) and at the time a keeper asked to look again (a patient bid's threshold). Blocks in
 *      between are mined empty, in one call, at the scenario's block time: nothing changes on chain in them.
 *
 * Automine is off; every transaction has an explicit nonce, gas limit and priority fee; blocks order them by
 * priority fee, so keepers compete on gas and a losing transaction reverts on chain and pays for its gas.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { MaxUint256, Wallet, encodeBytes32String, keccak256, toUtf8Bytes, type Log } from "ethers";
import { Chain } from "./chain";
import type { Progress } from "./progress";
import { cacheBuildInfo } from "./buildInfoCache";
import { buildPath, type PricePath } from "./prices";
import { deepMerge, type Scenario } from "./scenario";
import { drawTraders, type Trader } from "./agents/traders";
import { MarketMaker } from "./agents/marketMaker";
import { signOrder, venueDomain, type Order } from "../venue/orders";
import { checkInvariantsCore } from "./invariants";
import { resolveParameters, type DeploymentPlan, type NetworkParameters } from "../config/schema";
import { connectContracts, type KeeperContracts } from "../keeper/contracts";
import { ChainView, type AccountHealth } from "../keeper/view";
import { Keeper, defaultKeeperConfig, shortAccount, type KeeperLogEntry, type SentTx, type TxSender } from "../keeper/keeper";
import {
  FlashLiquidator__factory,
  InsuranceFund__factory,
  MarketConfigurator__factory,
  MockV3Aggregator__factory,
  TestERC20__factory,
  type FlashLiquidator,
} from "../../typechain-types";

const WAD = 10n ** 18n;
const DAY = 86_400;
const ETHER = 10n ** 18n;

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

/** A private key derived from the seed and a label, so every agent has the same address in every run. */
export function agentWallet(seed: number, label: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`ballast-sim:${seed}:${label}`)));
}

export const accountId = (owner: string, sub = 0n): bigint => (BigInt(owner) << 96n) | sub;

const toUnits = (wad: bigint, decimals: number): bigint => wad / 10n ** BigInt(18 - decimals);
const wadOf = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
const priceWad = (x: number): bigint => BigInt(Math.round(x * 1e8)) * 10n ** 10n;

/** Runs every parameter set of `scenario`. */
export async function simulate(hre: HardhatRuntimeEnvironment, scenario: Scenario, opts: RunOptions): Promise<SimulationResult> {
  if (hre.network.name !== "hardhat") throw new Error("the simulator runs on the in-process hardhat network only");
  const path = buildPath(scenario.prices);
  cacheBuildInfo(hre);
  const sets: SetResult[] = [];
  for (const [i, set] of scenario.parameterSets.entries()) {
    opts.progress.phase("deploy", `set ${i + 1} of ${scenario.parameterSets.length} (${set.name}), the production Ignition module`);
    // Every set starts from the same genesis: same block times, same deployer nonce, same contract addresses,
    // whatever ran in this process before (which is why the simulator must not share a process with fixtures).
    await hre.network.provider.request({ method: "hardhat_reset", params: [] });
    try {
      sets.push(await runSet(hre, scenario, path, set, opts, i + 1));
    } finally {
      await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
      await hre.network.provider.request({ method: "evm_setBlockGasLimit", params: ["0x" + (30_000_000).toString(16)] });
    }
  }
  return { scenario, path, sets };
}

/**
 * Test hook: `BALLAST_SIM_SLOWDOWN_MS=<ms>` sleeps that long at the start of each named phase (deploy, setup,
 * replay), so a test can prove that a slow machine gives the same results as a fast one. Unset: no delay.
 */
async function slowDown(phase: string): Promise<void> {
  const ms = Number(process.env.BALLAST_SIM_SLOWDOWN_MS ?? 0);
  if (ms > 0 && Number.isFinite(ms)) await new Promise((r) => setTimeout(r, ms));
  void phase;
}

/** Formats a float price for a parameter file ("1234.56"). */
function humanPrice(x: number): string {
  return x.toFixed(8).replace(/\.?0+$/, "");
}

interface Pending {
  hash: string;
  agent: string;
  action: string;
  account?: bigint;
  meta?: SentTx;
}

async function runSet(
  hre: HardhatRuntimeEnvironment,
  s: Scenario,
  pricePath: PricePath,
  set: Scenario["parameterSets"][number],
  opts: RunOptions,
  setNumber: number,
): Promise<SetResult> {
  const timings: Record<string, number> = {};
  let clock = Date.now();
  const lap = (k: string) => {
    const now = Date.now();
    timings[k] = (timings[k] ?? 0) + (now - clock) / 1000;
    clock = now;
  };

  // ------------------------------------------------------------------ parameters and deployment
  let parameters = deepMerge(deepMerge(structuredClone(s.protocol.base), s.protocol.overrides), set.overrides) as NetworkParameters;
  parameters = structuredClone(parameters);
  for (const [key, feed] of Object.entries(parameters.feeds)) {
    const p = pricePath.initial.prices[key];
    if (p === undefined) throw new Error(`no price series for feed ${key}`);
    feed.initialPrice = humanPrice(p);
  }
  const plan = resolveParameters(parameters);
  const { buildBallastModule } = await import("../../deploy/modules/Ballast");
  // Time: no wall-clock time reaches the chain. `simulate` reset the chain to its genesis (the network's fixed
  // `initialDate`); the scenario starts at T0, two days later at midnight UTC; the deployment's blocks are stamped
  // one second apart from T0 - 1 day, the set-up blocks from T0 - 1 hour, every later block at an explicit time.
  const chain = new Chain(hre.network.provider);
  await chain.sync();
  const T0 = (Math.floor(chain.now / DAY) + 2) * DAY;
  await slowDown("deploy");
  const deployed = await chain.withPinnedBlockTimes(T0 - DAY, () => hre.ignition.deploy(buildBallastModule(plan)));
  lap("deploy");
  const provider = hre.ethers.provider;
  const addr = async (c: { getAddress(): Promise<string> }) => c.getAddress();
  const contracts: KeeperContracts = connectContracts(
    {
      auction: await addr(deployed.auction),
      lens: await addr(deployed.lens),
      engine: await addr(deployed.engine),
      vault: await addr(deployed.vault),
      venue: await addr(deployed.venue),
      oracle: await addr(deployed.oracle),
    },
    provider,
  );
  const { vault, engine, venue, auction, oracle } = contracts;
  const fund = InsuranceFund__factory.connect(await addr(deployed.fund), provider);
  const configurator = MarketConfigurator__factory.connect(await addr(deployed.configurator), provider);
  const chainId = (await provider.getNetwork()).chainId;
  const domain = venueDomain(chainId, contracts.addresses.venue);
  const fundAccount = await fund.fundAccount();

  const tokens: Record<string, { address: string; decimals: number; feed?: string; haircut: bigint }> = {
    [plan.cash.symbol]: { address: await vault.cashToken(), decimals: plan.cash.decimals, haircut: WAD },
  };
  for (let i = 0; i < plan.collateral.length; i++) {
    const c = plan.collateral[i];
    const feed = plan.feeds.find((f) => f.asset === c.oracleAsset)!.key;
    tokens[c.symbol] = { address: await vault.tokenAt(i), decimals: c.decimals, feed, haircut: c.haircut };
  }
  const feeds = await Promise.all(
    plan.feeds.map(async (f) => ({
      key: f.key,
      contract: MockV3Aggregator__factory.connect((await oracle.feedConfig(f.asset)).primary, provider),
      decimals: f.mockDecimals,
      last: 0,
      lastPush: -Infinity,
    })),
  );
  const marketFeed = plan.markets.map((m) => plan.feeds.find((f) => f.asset === m.oracleAsset)!.key);
  const marketIds: Record<string, number> = Object.fromEntries(plan.markets.map((m, i) => [m.name, i]));

  // ------------------------------------------------------------------ chain and time
  chain.resetNonces();
  await chain.setAutomine(false);
  await chain.setBlockGasLimit(1_000_000_000);
  await chain.sync();
  if (chain.now >= T0 - 7200) throw new Error("the deployment took more than a day of chain time");
  const p0 = pricePath.points[0].t;
  const chainTime = (priceT: number) => T0 + (priceT - p0);
  const priceTime = (chainT: number) => p0 + (chainT - T0);
  const bt = s.chain.blockTime;

  // ------------------------------------------------------------------ agents
  const pending: Pending[] = [];
  const send = async (
    agent: string,
    action: string,
    from: string,
    to: string,
    data: string,
    gas: number,
    priorityFee: bigint,
    account?: bigint,
    meta?: SentTx,
  ) => {
    const hash = await chain.send({ from, to, data, gas, priorityFee });
    pending.push({ hash, agent, action, account, meta });
    return hash;
  };
  const erc20 = TestERC20__factory.createInterface();
  const vaultI = vault.interface;
  const deployer = (await hre.ethers.getSigners())[0].address;
  const oracleWallet = agentWallet(s.seed, "oracle");
  const stakerWallet = agentWallet(s.seed, "staker");
  const mmWallet = agentWallet(s.seed, "market-maker");
  const traderWallets = Array.from({ length: s.traders.count }, (_, i) => agentWallet(s.seed, `trader:${i}`));
  const liqWallets = s.liquidators.map((l) => agentWallet(s.seed, `liquidator:${l.name}`));
  for (const w of [oracleWallet, stakerWallet, mmWallet, ...traderWallets, ...liqWallets]) await chain.unlock(w.address, 10_000n * ETHER);
  const mmAccount = accountId(mmWallet.address);
  const takerFeeRate = plan.venue.takerFeeRate;
  const mm = new MarketMaker(
    mmWallet,
    mmAccount,
    domain,
    { ...s.marketMaker, depth: plan.markets.map((m) => s.marketMaker.depth[m.name]) },
    takerFeeRate,
  );
  const traders: Trader[] = drawTraders(s, traderWallets, (w) => accountId(w.address));
  lap("agents");
  opts.progress.phase("set-up", `${s.traders.count} traders, a market maker, ${s.liquidators.length} liquidators`);
  await slowDown("setup");

  /** Mints and deposits `amountWad` of `symbol` for `who` into `account` (approval given at setup). */
  const depositTx = async (agent: string, who: string, symbol: string, amountWad: bigint, account: bigint, approve: boolean) => {
    const tk = tokens[symbol];
    const units = toUnits(amountWad, tk.decimals);
    if (units === 0n) return;
    await send(agent, "mint", who, tk.address, erc20.encodeFunctionData("mint", [who, units]), 120_000, 10n ** 9n);
    if (approve)
      await send(
        agent,
        "approve",
        who,
        tk.address,
        erc20.encodeFunctionData("approve", [contracts.addresses.vault, MaxUint256]),
        80_000,
        10n ** 9n,
      );
    await send(
      agent,
      "deposit",
      who,
      contracts.addresses.vault,
      vaultI.encodeFunctionData("deposit", [account, tk.address, units]),
      250_000,
      10n ** 9n,
      account,
    );
  };

  // ------------------------------------------------------------------ setup blocks (before T0)
  const S = T0 - 3600;
  const setupBlocks: number[] = [];
  const mineSetup = async () => {
    const t = S + setupBlocks.length * bt;
    setupBlocks.push(t);
    await mineAndSettle(t);
  };
  // Oracle: publish the initial prices; observations start from them.
  const initialPrices = pricePath.initial.prices;
  const pushFeed = async (f: (typeof feeds)[number], price: number, t: number) => {
    const answer = BigInt(Math.round(price * 10 ** f.decimals));
    await send(
      "oracle",
      "push",
      oracleWallet.address,
      await f.contract.getAddress(),
      f.contract.interface.encodeFunctionData("updateAnswer", [answer]),
      120_000,
      50n * 10n ** 9n,
    );
    f.last = price;
    f.lastPush = t;
  };

  // Metrics state (filled by `settle`).
  const view = new ChainView(contracts, provider, { batchSize: 100 });
  const keeperLog: string[] = [];
  const liqStats = new Map<string, LiquidatorStats>();
  const auctions = new Map<bigint, AuctionRecord>();
  const auctionList: AuctionRecord[] = [];
  const fills: FillRecord[] = [];
  const subsidies = new Map<string, SubsidyEvent>();
  const fundIncome: { seq: number; amount: bigint }[] = [];
  const unexplained: SetResult["unexplainedReverts"] = [];
  const episodes = new Map<bigint, EpisodeRecord>();
  const episodeList: EpisodeRecord[] = [];
  let seq = 0;
  let badDebt = 0n;
  /** Product of indexAfter / indexBefore over every socialised loss (WAD). */
  let supplyRatio = WAD;
  let socialised = 0n;
  let stepStarts = 0;
  let stepBids = 0;
  let txSent = 0;
  let txReverted = 0;
  let gasUsedTotal = 0n;
  let activeBlocks = 0;
  let lastIndexEth = initialPrices[marketFeed[0]];
  const accountOwner = new Map<bigint, string>(); // bidder account -> liquidator name
  const parsers = [auction.interface, vault.interface, engine.interface, venue.interface];
  const auctionAddr = contracts.addresses.auction.toLowerCase();
  const vaultAddr = contracts.addresses.vault.toLowerCase();
  const engineAddr = contracts.addresses.engine.toLowerCase();
  const venueAddr = contracts.addresses.venue.toLowerCase();
  const errorInterfaces = [
    auction.interface,
    vault.interface,
    engine.interface,
    venue.interface,
    oracle.interface,
    FlashLiquidator__factory.createInterface(),
  ];

  const decodeRevert = async (hash: string): Promise<string> => {
    if (unexplained.length >= 25) return "unknown";
    try {
      const trace = await chain.rpc<{ returnValue?: string }>("debug_traceTransaction", [
        hash,
        { disableStorage: true, disableMemory: true, disableStack: true },
      ]);
      const data = trace.returnValue ? (trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`) : "0x";
      for (const i of errorInterfaces) {
        try {
          const e = i.parseError(data);
          if (e) return `${e.name}(${e.args.map(String).join(", ")})`;
        } catch {
          /* not this interface */
        }
      }
      return data === "0x" ? "out of gas or empty revert" : data.slice(0, 10);
    } catch {
      return "unknown";
    }
  };

  /**
   * Mines the pending transactions in a block at `t` and processes their receipts. Transactions that did not fit
   * in the block (block gas limit) wait for the next blocks, `bt` seconds apart. Returns the last block's time.
   */
  async function mineAndSettle(t: number): Promise<number> {
    await chain.mineAt(t);
    await settle(t);
    while (pending.length > 0) {
      t += bt;
      await chain.mineAt(t);
      await settle(t);
    }
    return t;
  }

  /** Processes the receipts of the pending transactions mined in the block at `t` (the rest stay pending). */
  async function settle(t: number): Promise<void> {
    const all = pending.splice(0);
    const receipts = await Promise.all(all.map((p) => chain.receipt(p.hash)));
    pending.push(...all.filter((_, i) => receipts[i] === null));
    const order = all
      .flatMap((p, i) => (receipts[i] ? [{ p, r: receipts[i] }] : []))
      .sort((a, b) => a.r.blockNumber - b.r.blockNumber || a.r.transactionIndex - b.r.transactionIndex);
    const touched = new Set<string>(); // "start:acct" / "bid:acct" seen earlier in the block
    for (const { p, r } of order) {
      txSent++;
      gasUsedTotal += r.gasUsed;
      const stats = liqStats.get(p.agent);
      const gasCost = (r.gasUsed * r.effectiveGasPrice * wadOf(lastIndexEth)) / ETHER;
      if (stats) {
        stats.txs++;
        stats.gasUsed += r.gasUsed;
        stats.gasCost += gasCost;
      }
      if (r.status === 0) {
        txReverted++;
        if (stats) {
          stats.reverted++;
          stats.wastedGas += r.gasUsed;
          stats.wastedCost += gasCost;
          const key = p.account !== undefined ? `${p.action === "start" ? "start" : "bid"}:${p.account}` : "";
          let reason: string;
          if (p.action === "start" && touched.has(key)) reason = "lost the race: AuctionAlreadyActive";
          else if ((p.action === "bid" || p.action === "flash-bid" || p.action === "terminate") && touched.has(key))
            reason = p.action === "terminate" ? "lost the race: AuctionNotActive" : "lost the race: AuctionStaleNonce/AuctionNotActive";
          else {
            reason = await decodeRevert(p.hash);
            unexplained.push({ agent: p.agent, action: p.action, reason });
          }
          stats.revertReasons[reason] = (stats.revertReasons[reason] ?? 0) + 1;
        }
        continue;
      }
      if (stats && p.action === "start") stats.startsWon++;
      for (const raw of r.logs as Log[]) {
        const a = raw.address.toLowerCase();
        if (a !== auctionAddr && a !== vaultAddr && a !== engineAddr && a !== venueAddr) continue;
        const ev = parsers[[auctionAddr, vaultAddr, engineAddr, venueAddr].indexOf(a)].parseLog(raw);
        if (!ev) continue;
        const now = priceTime(t);
        switch (ev.name) {
          case "AuctionStarted": {
            const acct = ev.args.account as bigint;
            touched.add(`start:${acct}`);
            const rec: AuctionRecord = {
              account: acct,
              starter: p.agent,
              startT: now,
              tip: ev.args.tip,
              shortfall: ev.args.shortfall,
              equity: ev.args.equity,
              maintenance: ev.args.maintenanceMargin,
              value: ev.args.markToMarket,
              bids: 0,
              insurance: 0n,
              socialised: 0n,
            };
            auctions.set(acct, rec);
            auctionList.push(rec);
            stepStarts++;
            if (stats) stats.tips += ev.args.tip;
            const ep = episodes.get(acct);
            if (ep && ep.auctionT === undefined) ep.auctionT = now;
            break;
          }
          case "AuctionBid": {
            const acct = ev.args.account as bigint;
            touched.add(`bid:${acct}`);
            const rec = auctions.get(acct);
            if (rec) rec.bids++;
            stepBids++;
            const bidder = accountOwner.get(ev.args.bidderAccount as bigint) ?? p.agent;
            const bs = liqStats.get(bidder);
            if (bs) bs.bidsWon++;
            fills.push({
              account: acct,
              bidder,
              t: now,
              elapsed: Number(ev.args.elapsed),
              fraction: ev.args.fraction,
              unitPrice: ev.args.unitPrice,
              value: p.meta?.value,
              payment: ev.args.payment,
              subsidy: ev.args.subsidy,
            });
            if (ev.args.penaltyToFund > 0n) fundIncome.push({ seq: seq++, amount: ev.args.penaltyToFund });
            break;
          }
          case "AuctionEnded": {
            const acct = ev.args.account as bigint;
            touched.add(`bid:${acct}`);
            const rec = auctions.get(acct);
            const reason = ["Restored", "Emptied", "Terminated"][Number(ev.args.reason)] ?? "?";
            if (rec) {
              rec.endT = now;
              rec.reason = reason;
              auctions.delete(acct);
            }
            const ep = episodes.get(acct);
            if (ep) {
              ep.endT = now;
              ep.outcome = reason;
              episodes.delete(acct);
            }
            break;
          }
          case "InsuranceDrawn":
          case "BadDebtSocialised": {
            const acct = ev.args.account as bigint;
            const rec = auctions.get(acct);
            const key = `${acct}:${rec?.startT ?? now}`;
            const sub = subsidies.get(key) ?? { seq: seq++, key, insurance: 0n, socialised: 0n };
            subsidies.set(key, sub);
            if (ev.name === "InsuranceDrawn") {
              sub.insurance += ev.args.amount;
              if (rec) rec.insurance += ev.args.amount;
            } else {
              sub.socialised += ev.args.amount;
              socialised += ev.args.amount;
              if (rec) rec.socialised += ev.args.amount;
            }
            badDebt += ev.args.amount;
            break;
          }
          case "TradeSettled": {
            const fees = (ev.args.makerFee as bigint) + (ev.args.takerFee as bigint);
            if (fees > 0n) fundIncome.push({ seq: seq++, amount: fees });
            break;
          }
          case "LossSocialised":
            supplyRatio = (supplyRatio * (ev.args.indexAfter as bigint)) / (ev.args.indexBefore as bigint);
            break;
          case "OrderFilled":
            mm.onFilled(ev.args.orderHash, ev.args.filledTotal);
            break;
        }
      }
    }
  }

  // Setup block 1: prices, deposits of every agent, the insurance fund's stake, the flash liquidators.
  for (const f of feeds) await pushFeed(f, initialPrices[f.key], S);
  const cash = plan.cash.symbol;
  await depositTx("market-maker", mmWallet.address, cash, s.marketMaker.capital, mmAccount, true);
  if (s.insurance.initialStake > 0n) {
    const units = toUnits(s.insurance.initialStake, plan.cash.decimals);
    const fundAddr = await fund.getAddress();
    await send(
      "staker",
      "mint",
      stakerWallet.address,
      tokens[cash].address,
      erc20.encodeFunctionData("mint", [stakerWallet.address, units]),
      120_000,
      10n ** 9n,
    );
    await send(
      "staker",
      "approve",
      stakerWallet.address,
      tokens[cash].address,
      erc20.encodeFunctionData("approve", [fundAddr, units]),
      80_000,
      10n ** 9n,
    );
    await send(
      "staker",
      "stake",
      stakerWallet.address,
      fundAddr,
      fund.interface.encodeFunctionData("deposit", [units, stakerWallet.address]),
      400_000,
      10n ** 9n,
    );
  }
  const flash: (FlashLiquidator | undefined)[] = [];
  for (let i = 0; i < s.liquidators.length; i++) {
    const l = s.liquidators[i];
    const w = liqWallets[i];
    const acct = accountId(w.address);
    accountOwner.set(acct, l.name);
    if (l.capital > 0n) await depositTx(l.name, w.address, cash, l.capital, acct, true);
    if (l.strategy === "flash") {
      const factory = new FlashLiquidator__factory();
      const tx = await factory.getDeployTransaction(
        w.address,
        contracts.addresses.auction,
        contracts.addresses.venue,
        contracts.addresses.vault,
      );
      const hash = await chain.send({ from: w.address, data: tx.data, gas: 3_000_000, priorityFee: 10n ** 9n });
      pending.push({ hash, agent: l.name, action: "deploy" });
    }
    flash.push(undefined);
  }
  // Traders: collateral in, at the drawn equity (haircut collateral counts at its weight).
  const indexAt = (prices: Record<string, number>, market: string) => prices[marketFeed[marketIds[market]]];
  for (const tr of traders) {
    const tk = tokens[tr.collateral];
    const eq = wadOf(tr.equity);
    const amount = tk.feed ? (eq * WAD * WAD) / (priceWad(initialPrices[tk.feed]) * tk.haircut) : eq;
    await depositTx(`trader:${tr.index}`, tr.wallet.address, tr.collateral, amount, tr.account, true);
  }
  const deployHashes = pending.filter((p) => p.action === "deploy").map((p) => ({ hash: p.hash, agent: p.agent }));
  await mineSetup();
  for (const d of deployHashes) {
    const r = await chain.receipt(d.hash);
    const i = s.liquidators.findIndex((l) => l.name === d.agent);
    if (!r || r.status !== 1 || !r.contractAddress) throw new Error(`FlashLiquidator deployment for ${d.agent} failed`);
    const runner = await hre.ethers.getImpersonatedSigner(liqWallets[i].address);
    flash[i] = FlashLiquidator__factory.connect(r.contractAddress, runner);
    accountOwner.set(accountId(r.contractAddress), d.agent);
  }

  // Setup block 2: every trader's opening order, taken by the market maker.
  await mm.update(
    S + bt,
    plan.markets.map((_, m) => priceWad(initialPrices[marketFeed[m]])),
    true,
  );
  for (const tr of traders) {
    const m = marketIds[tr.market];
    const index = priceWad(indexAt(initialPrices, tr.market));
    const size = (wadOf(tr.equity * tr.leverage) * WAD) / index;
    const hs = BigInt(Math.round(mm.halfSpread(m) * 1e9)) * 10n ** 9n;
    const limit = tr.long ? index + (index * hs) / WAD : index - (index * hs) / WAD;
    const order: Order = {
      account: tr.account,
      marketId: m,
      size: tr.long ? size : -size,
      limitPrice: limit,
      expiry: BigInt(T0),
      nonce: 0n,
      salt: BigInt(tr.index + 1),
      reduceOnly: false,
      signer: tr.wallet.address,
    };
    const sig = await signOrder(tr.wallet, domain, order);
    await send(
      "market-maker",
      "open",
      mmWallet.address,
      contracts.addresses.venue,
      venue.interface.encodeFunctionData("fill", [order, sig, mmAccount, size, limit]),
      700_000,
      10n ** 9n,
      tr.account,
    );
  }
  await mineSetup();
  await chain.setBlockGasLimit(30_000_000);
  lap("setup");

  // ------------------------------------------------------------------ keepers
  const keepers: Keeper[] = [];
  const mkSender = (name: string, from: string): TxSender => ({
    address: from,
    send: async (tx) => chain.send({ from, to: tx.to, data: tx.data, gas: tx.gas, priorityFee: tx.priorityFee }).then((hash) => hash),
  });
  for (let i = 0; i < s.liquidators.length; i++) {
    const l = s.liquidators[i];
    const w = liqWallets[i];
    const cfg = defaultKeeperConfig(l.name, { kind: l.strategy, ...l }, accountId(w.address));
    cfg.hedge = l.hedge;
    cfg.blockTime = bt;
    cfg.maxScanAge = Number.MAX_SAFE_INTEGER;
    cfg.scan = { watchHealth: 2n * WAD, fullScanMove: WAD / 100n, fullScanEvery: 3600 };
    cfg.gasAsset = encodeBytes32String(marketFeed[0]);
    cfg.flashLiquidator = flash[i];
    const k = new Keeper(cfg, view, mkSender(l.name, w.address), (e) => keeperLog.push(formatLog(e, priceTime)), mm);
    await k.init();
    keepers.push(k);
    liqStats.set(l.name, {
      name: l.name,
      strategy: l.strategy,
      starts: 0,
      startsWon: 0,
      bids: 0,
      bidsWon: 0,
      hedges: 0,
      txs: 0,
      reverted: 0,
      gasUsed: 0n,
      gasCost: 0n,
      wastedGas: 0n,
      wastedCost: 0n,
      tips: 0n,
      valueStart: 0n,
      valueEnd: 0n,
      pnl: 0n,
      socialisedBorne: 0n,
      profit: 0n,
      revertReasons: {},
    });
  }
  const liquidatorAccounts = (i: number): bigint[] => {
    const own = accountId(liqWallets[i].address);
    const f = flash[i];
    return f ? [own, accountId(f.target as string)] : [own];
  };
  const valueOf = async (accts: bigint[]) => {
    let v = 0n;
    for (const a of accts) v += (await auction.quote(a)).markToMarket;
    return v;
  };
  for (let i = 0; i < keepers.length; i++) liqStats.get(s.liquidators[i].name)!.valueStart = await valueOf(liquidatorAccounts(i));

  // ------------------------------------------------------------------ the steps
  const steps: StepRecord[] = [];
  const points = opts.maxSteps ? pricePath.points.slice(0, opts.maxSteps) : pricePath.points;
  opts.progress.startReplay(setNumber, s.parameterSets.length, set.name, points.length);
  const obsInterval = plan.markets.map((m) => m.risk.minObservationInterval);
  const lastObs = plan.markets.map(() => S);
  let lastHealth: AccountHealth[] = [];
  const traderByAccount = new Map(traders.map((t) => [t.account, t]));
  let totalTopUps = 0;
  let totalCuts = 0;
  const blockBase = chain.block;

  const baseFee = async () => BigInt((await chain.rpc<{ baseFeePerGas: string }>("eth_getBlockByNumber", ["latest", false])).baseFeePerGas);

  await slowDown("replay");
  for (let k = 0; k < points.length; k++) {
    const pt = points[k];
    const Tk = chainTime(pt.t);
    const Tnext = k + 1 < points.length ? chainTime(points[k + 1].t) : Tk + pricePath.stepSeconds;
    lastIndexEth = pt.prices[marketFeed[0]];
    stepStarts = 0;
    stepBids = 0;

    // 1. Oracle block.
    let pushed = false;
    for (const f of feeds) {
      const p = pt.prices[f.key];
      const moved = Math.abs(p - f.last) / f.last >= Number(s.oracle.deviation) / 1e18;
      if (moved || Tk - f.lastPush >= s.oracle.heartbeat) {
        await pushFeed(f, p, Tk);
        pushed = true;
      }
    }
    for (let m = 0; m < plan.markets.length; m++) {
      if (Tk - lastObs[m] >= obsInterval[m]) {
        await send(
          "oracle",
          "observe",
          oracleWallet.address,
          await configurator.getAddress(),
          configurator.interface.encodeFunctionData("recordObservation", [m]),
          200_000,
          50n * 10n ** 9n,
        );
        lastObs[m] = Tk;
      }
    }
    if (pending.length > 0) {
      await chain.mineEmpty(Math.floor((Tk - chain.now) / bt) - 1, bt);
      await mineAndSettle(Tk);
      activeBlocks++;
    }
    lap("oracle");
    const stepIndex = plan.markets.map((_, m) => priceWad(pt.prices[marketFeed[m]]));
    await mm.update(Tk, stepIndex, true);
    lap("market-maker");

    // 2. Reaction and keeper blocks. The first one reads the scan the keepers make after a new oracle round.
    let scanDue = pushed;
    let next = Tk + bt;
    let reactions = s.chain.reactionBlocks;
    while (next < Tnext) {
      const gap = Math.floor((next - chain.now) / bt) - 1;
      if (gap > 0) await chain.mineEmpty(gap, bt);
      const block = chain.block;
      const ctx = { block, timestamp: chain.now, nextTimestamp: next, baseFee: await baseFee() };
      await mm.update(chain.now, stepIndex, false);
      let wake: number | undefined;
      for (const kp of keepers) {
        const out = await kp.onBlock(ctx);
        const stats = liqStats.get(kp.cfg.name)!;
        for (const tx of out.sent) {
          pending.push({ hash: tx.hash, agent: kp.cfg.name, action: tx.action, account: tx.account, meta: tx });
          if (tx.action === "start") stats.starts++;
          else if (tx.action === "bid" || tx.action === "flash-bid") stats.bids++;
          else if (tx.action === "hedge") stats.hedges++;
        }
        if (out.wakeAt !== undefined) wake = wake === undefined ? out.wakeAt : Math.min(wake, out.wakeAt);
      }
      lap("keepers");
      // Traders react to the scan the keepers just made (the same lens call, remembered for this block).
      if (scanDue) {
        scanDue = false;
        lastHealth = [...view.latest.values()];
        lap("health");
        await traderReactions(ctx.block);
        trackEpisodes(priceTime(chain.now));
      }
      lap("traders");
      const acted = pending.length > 0;
      if (acted) {
        next = await mineAndSettle(next);
        activeBlocks++;
      }
      lap("mining");
      reactions--;
      if (acted || reactions > 0) next += bt;
      else if (wake !== undefined && wake > next) next = alignUp(wake, Tk, bt);
      else if (wake !== undefined) next += bt;
      else break;
    }

    // 3. Step record.
    const fundCash = await vault.cashBalance(fundAccount);
    steps.push({
      t: pt.t,
      prices: pt.prices,
      pushed,
      liquidatable: lastHealth.filter((h) => h.priceValid && h.liquidatable).length,
      activeAuctions: view.auctions.size,
      starts: stepStarts,
      bids: stepBids,
      fund: fundCash,
      badDebt,
      socialised,
      health: healthBuckets(lastHealth),
      openPositions: lastHealth.filter((h) => traderByAccount.has(h.account) && h.maintenanceMargin > 0n).length,
    });
    lap("metrics");
    opts.progress.step(k + 1, `${marketFeed[0]} ${lastIndexEth.toFixed(2)}`);
  }
  opts.progress.phase("end-of-run checks", "liquidator values, invariants over every account");

  async function traderReactions(block: number): Promise<void> {
    for (const h of lastHealth) {
      const tr = traderByAccount.get(h.account);
      if (!tr || tr.behaviour === "passive" || !h.priceValid || h.maintenanceMargin === 0n) continue;
      const hf = Number(h.healthFactor / 10n ** 12n) / 1e6;
      if (hf >= tr.reactionHealth || !tr.rng.chance(s.traders.attention)) continue;
      if (tr.behaviour === "topUp" && tr.topUps < s.traders.maxTopUps) {
        tr.topUps++;
        totalTopUps++;
        await depositTx(`trader:${tr.index}`, tr.wallet.address, cash, wadOf(tr.equity * s.traders.topUpShare), tr.account, false);
      } else if (tr.behaviour === "deleverage" && !h.frozen) {
        const positions = await view.positions(block, tr.account);
        for (const [m, size] of positions) {
          const q = mm.best(m, size < 0n);
          if (!q) continue;
          let cut = ((size < 0n ? -size : size) * wadOf(s.traders.cutShare)) / WAD;
          if (cut > q.remaining) cut = q.remaining;
          if (cut === 0n) continue;
          tr.cuts++;
          totalCuts++;
          await send(
            `trader:${tr.index}`,
            "cut",
            tr.wallet.address,
            contracts.addresses.venue,
            venue.interface.encodeFunctionData("fill", [q.order, q.signature, tr.account, cut, q.price]),
            700_000,
            2n * 10n ** 9n,
            tr.account,
          );
        }
      }
    }
  }

  function trackEpisodes(now: number): void {
    for (const h of lastHealth) {
      if (!h.priceValid) continue;
      const ep = episodes.get(h.account);
      if (h.liquidatable && !ep && !h.frozen) {
        const e: EpisodeRecord = { account: h.account, liquidatableT: now };
        episodes.set(h.account, e);
        episodeList.push(e);
      } else if (ep && !h.liquidatable && !h.frozen && ep.auctionT === undefined) {
        ep.endT = now;
        ep.outcome = "recovered";
        episodes.delete(h.account);
      }
    }
  }
  lap("steps");

  // ------------------------------------------------------------------ end of run
  for (let i = 0; i < keepers.length; i++) {
    const st = liqStats.get(s.liquidators[i].name)!;
    st.valueEnd = await valueOf(liquidatorAccounts(i));
    st.pnl = st.valueEnd - st.valueStart - st.gasCost;
    st.socialisedBorne = s.liquidators[i].capital - (s.liquidators[i].capital * supplyRatio) / WAD;
    st.profit = st.pnl + st.socialisedBorne;
  }
  await view.sync(chain.block);
  const everyAccount = [
    ...new Set([...view.accounts, fundAccount, mmAccount, ...s.liquidators.flatMap((_, i) => liquidatorAccounts(i)), accountId(deployer)]),
  ];
  const inv = await checkInvariantsCore({ vault, engine, auction, runner: provider }, everyAccount);
  lap("invariants");
  if (process.env.SIM_RPC_PROFILE)
    console.error([...view.timing.entries()].map(([k, v]) => `view ${k} ${v.n} ${Math.round(v.ms)}ms`).join("\n"));
  if (process.env.SIM_RPC_PROFILE)
    console.error([...chain.rpcTime.entries()].map(([k, v]) => `${k} ${v.n} ${Math.round(v.ms)}ms`).join("\n"));
  const eventCapRatio = await fund.eventCapRatio();
  // Auctions still running: the value of portfolios worth less than nothing is bad debt not yet realised.
  let unrealisedBadDebt = 0n;
  for (const a of [...view.auctions.keys()].sort((x, y) => (x < y ? -1 : 1))) {
    const v = (await auction.quote(a)).markToMarket;
    if (v < 0n) unrealisedBadDebt -= v;
  }
  const liquidated = new Set(auctionList.map((a) => a.account)).size;
  const byBehaviour: Record<string, number> = {};
  for (const t of traders) byBehaviour[t.behaviour] = (byBehaviour[t.behaviour] ?? 0) + 1;
  return {
    name: set.name,
    description: set.description,
    parameters,
    plan,
    steps,
    auctions: auctionList,
    fills,
    episodes: episodeList,
    liquidators: [...liqStats.values()],
    fundIncome,
    subsidies: [...subsidies.values()].sort((a, b) => a.seq - b.seq),
    initialFund: s.insurance.initialStake,
    eventCapRatio,
    unrealisedBadDebt,
    traders: { count: traders.length, byBehaviour, topUps: totalTopUps, cuts: totalCuts, liquidated },
    txs: { sent: txSent, reverted: txReverted, gasUsed: gasUsedTotal, blocks: chain.block - blockBase, activeBlocks },
    invariants: { violations: inv.violations, cashReserve: inv.cashReserve, accounts: everyAccount.length },
    unexplainedReverts: unexplained,
    keeperLog,
    timings,
    rpcCalls: view.calls,
  };
}

/** The first block time >= t on the grid of blocks `bt` apart that starts at `origin`. */
function alignUp(t: number, origin: number, bt: number): number {
  return origin + Math.ceil((t - origin) / bt) * bt;
}

function healthBuckets(rows: AccountHealth[]): number[] {
  const out = HEALTH_BUCKETS.map(() => 0);
  for (const h of rows) {
    if (!h.priceValid || h.maintenanceMargin === 0n) continue;
    const hf = h.liquidatable ? 0 : Number(h.healthFactor / 10n ** 12n) / 1e6;
    out[HEALTH_BUCKETS.findIndex((b) => hf < b)]++;
  }
  return out;
}

function formatLog(e: KeeperLogEntry, priceTime: (t: number) => number): string {
  const when = new Date(priceTime(e.time) * 1000).toISOString().replace(".000Z", "Z");
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `${when} block=${e.block} ${e.keeper} ${e.action}${e.account !== undefined ? ` account=${shortAccount(e.account)}` : ""} ${detail}${e.tx ? ` tx=${e.tx}` : ""}`.trim();
}
