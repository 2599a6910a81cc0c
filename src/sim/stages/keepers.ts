/**
 * Stage 3c, keepers: one in-process `Keeper` per liquidator of the scenario, all sharing the run's `ChainView`,
 * with the simulator's settings (full history, a watch list between full scans, gas priced by the first market's
 * feed), and each liquidator's starting value.
 */
import { encodeBytes32String } from "ethers";
import type { LiquidatorStats } from "../records";
import { Keeper, defaultKeeperConfig, shortAccount, type KeeperLogEntry, type TxSender } from "../../keeper/keeper";
import { accountId } from "../../model/accountId";
import { WAD } from "../../model/wad";
import type { RunState } from "./state";

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
    cfg.scan = { watchHealth: 2n * WAD, fullScanMove: WAD / 100n, fullScanEvery: 3600 };
    cfg.gasAsset = encodeBytes32String(run.dep.marketFeed[0]);
    cfg.flashLiquidator = a.flash[i];
    const sender: TxSender = {
      address: w.address,
      send: async (tx) => run.chain.send({ from: w.address, to: tx.to, data: tx.data, gas: tx.gas, priorityFee: tx.priorityFee }),
    };
    const k = new Keeper(cfg, run.view, sender, (e) => run.metrics.keeperLog.push(formatLog(e, (t) => run.priceTime(t))), a.mm);
    await k.init();
    run.keepers.push(k);
    run.metrics.liquidators.set(l.name, newStats(l.name, l.strategy));
  }
  for (let i = 0; i < run.keepers.length; i++)
    run.metrics.liquidators.get(s.liquidators[i].name)!.valueStart = await liquidatorValue(run, i);
}

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
