/**
 * Stage 3c, keepers: one in-process `Keeper` per liquidator of the scenario, all sharing the run's `ChainView`,
 * with the simulator's settings (full history, a watch list between full scans, gas priced by the first market's
 * feed), and each liquidator's starting value.
 */
import { encodeBytes32String } from "ethers";
import type { LiquidatorStats } from "../records";
import { Keeper, defaultKeeperConfig, shortAccount, type KeeperLogEntry, type TxSender } from "../../keeper/keeper";
import { accountId } from "../../model/accountId";
import { ChainView, type ScanPolicy } from "../../keeper/view";
import { WAD, wadFromNumber } from "../../model/wad";
import { simViewOptions, type RunState } from "./state";

/** Starts the keepers (`run.keepers`) and records each liquidator's value before the replay. */
export async function startKeepers(run: RunState): Promise<void> {
  const s = run.scenario;
  const a = run.agents;
  for (let i = 0; i < s.liquidators.length; i++) {
    const l = s.liquidators[i];
    const w = a.liquidators[i];
    const cfg = defaultKeeperConfig(l.name, { kind: l.strategy, ...l }, accountId(w.address));
    cfg.hedge = l.hedge;
    cfg.blockTime = run.bt;
    cfg.maxScanAge = Number.MAX_SAFE_INTEGER;
    cfg.scan = l.latency === 0 ? simScanPolicy(run) : SIM_SCAN_POLICY;
    cfg.gasAsset = encodeBytes32String(run.dep.marketFeed[0]);
    cfg.flashLiquidator = a.flash[i];
    const request = (tx: { to: string; data: string; gas: number; priorityFee: bigint }) => ({
      from: w.address,
      to: tx.to,
      data: tx.data,
      gas: tx.gas,
      priorityFee: tx.priorityFee,
    });
    // With latency, a transaction is signed now (its hash known) and held until the head is `latency` blocks on.
    const sender: TxSender =
      l.latency === 0
        ? { address: w.address, send: async (tx) => run.chain.send(request(tx)) }
        : {
            address: w.address,
            send: async (tx) => {
              const { hash, raw } = await run.chain.sign(w, request(tx));
              run.held.hold(hash, raw, run.chain.block + l.latency);
              return hash;
            },
          };
    const k = new Keeper(
      cfg,
      keeperView(run, l.latency),
      sender,
      (e) => run.metrics.keeperLog.push(formatLog(e, (t) => run.priceTime(t))),
      a.mm,
    );
    await k.init();
    run.keepers.push(k);
    run.metrics.liquidators.set(l.name, newStats(l.name, l.strategy));
  }
  for (let i = 0; i < run.keepers.length; i++)
    run.metrics.liquidators.get(s.liquidators[i].name)!.valueStart = await liquidatorValue(run, i);
}

/** How the simulated keepers scan: a watch list between full scans (a 1% move or an hour). */
export const SIM_SCAN_POLICY: ScanPolicy = { watchHealth: 2n * WAD, fullScanMove: WAD / 100n, fullScanEvery: 3600 };

/**
 * The scan policy of run `run`'s keepers without latency (and of the simulator's own scan): `SIM_SCAN_POLICY` with
 * full scans that leave out the accounts their last read proves still at a health factor of at least 2 and of the
 * traders' highest reaction health (`ChainView.farFromWatch`), so no start, watch or reaction reads a stale row.
 * Keepers with latency read earlier blocks through views of their own and scan everything.
 */
export function simScanPolicy(run: RunState): ScanPolicy {
  let policy = scanPolicies.get(run);
  if (!policy) {
    // One millionth above the highest reaction health, against rounding; `farHealthOf` keeps it at least watchHealth.
    const farHealth = wadFromNumber(run.scenario.traders.reactionHealth.max, 6) + 10n ** 12n;
    policy = Object.freeze({ ...SIM_SCAN_POLICY, skipFar: true, farHealth });
    scanPolicies.set(run, policy);
  }
  return policy;
}

/** Each run's `simScanPolicy`, built once. */
const scanPolicies = new WeakMap<RunState, ScanPolicy>();

/**
 * The view a keeper with `latency` blocks reads through: the run's shared view without latency; one view per
 * latency otherwise (a view remembers reads per block, and latent keepers read older blocks than the others).
 */
function keeperView(run: RunState, latency: number): ChainView {
  if (latency === 0) return run.view;
  let v = latentViews.get(run)?.get(latency);
  if (!v) {
    v = new ChainView(run.dep.contracts, run.input.node.ethers, simViewOptions());
    const byLatency = latentViews.get(run) ?? new Map<number, ChainView>();
    byLatency.set(latency, v);
    latentViews.set(run, byLatency);
  }
  return v;
}

const latentViews = new WeakMap<RunState, Map<number, ChainView>>();

/** Liquidator `i`'s accounts: its own and its FlashLiquidator's. */
export function liquidatorAccounts(run: RunState, i: number): bigint[] {
  const own = accountId(run.agents.liquidators[i].address);
  const f = run.agents.flash[i];
  return f ? [own, accountId(f.target as string)] : [own];
}

/** Mark-to-market value of liquidator `i`'s accounts now (WAD cash, the auction's `quote`). */
export async function liquidatorValue(run: RunState, i: number): Promise<bigint> {
  let v = 0n;
  for (const acct of liquidatorAccounts(run, i)) v += (await run.dep.contracts.auction.quote(acct)).markToMarket;
  return v;
}

function newStats(name: string, strategy: string): LiquidatorStats {
  return {
    name,
    strategy,
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
  };
}

/** One keeper-log line, at the price path's time. */
function formatLog(e: KeeperLogEntry, priceTime: (t: number) => number): string {
  const when = new Date(priceTime(e.time) * 1000).toISOString().replace(".000Z", "Z");
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `${when} block=${e.block} ${e.keeper} ${e.action}${e.account !== undefined ? ` account=${shortAccount(e.account)}` : ""} ${detail}${e.tx ? ` tx=${e.tx}` : ""}`.trim();
}
