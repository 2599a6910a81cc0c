/**
 * Replay step 1, the oracle block at the step's time: the pusher publishes each feed whose price moved by the
 * deviation threshold since its last round (or whose heartbeat is due), and records a volatility observation on
 * each market whose minimum observation interval passed. The block is mined only when it holds a transaction.
 */
import { mineAndSettle } from "./settlement";
import type { SimFeed } from "./deployment";
import type { RunState } from "./state";

/** Priority fee of the oracle agent's transactions (wei per gas): 50 gwei, ahead of everyone. */
const ORACLE_PRIORITY_FEE = 50n * 10n ** 9n;

/** Queues a round of `price` (float, cash per unit) on feed `f` at chain time `t`. */
export async function pushFeed(run: RunState, f: SimFeed, price: number, t: number): Promise<void> {
  const answer = BigInt(Math.round(price * 10 ** f.decimals));
  const data = f.contract.interface.encodeFunctionData("updateAnswer", [answer]);
  const tx = { from: run.agents.oracle.address, to: await f.contract.getAddress(), data, gas: 120_000, priorityFee: ORACLE_PRIORITY_FEE };
  await run.send("oracle", "push", tx);
  f.last = price;
  f.lastPush = t;
}

/** Tracks when each market last recorded a volatility observation (chain seconds). */
export class Observations {
  private readonly last: number[];
  private readonly interval: number[];

  constructor(run: RunState) {
    this.interval = run.dep.plan.markets.map((m) => m.risk.minObservationInterval);
    this.last = run.dep.plan.markets.map(() => run.S);
  }

  /** Market ids due for an observation at `t`, marked as observed. */
  due(t: number): number[] {
    const out: number[] = [];
    for (let m = 0; m < this.last.length; m++) {
      if (t - this.last[m] >= this.interval[m]) {
        out.push(m);
        this.last[m] = t;
      }
    }
    return out;
  }
}

/** The oracle block at chain time `Tk` with the step's `prices` (floats by feed key). Returns whether any feed was pushed. */
export async function oracleBlock(run: RunState, obs: Observations, Tk: number, prices: Record<string, number>): Promise<boolean> {
  const s = run.scenario;
  // The empty blocks before the oracle block first, up to a step before its time: the rounds go in the oracle block.
  await run.chain.mineEmpty(Math.floor((Tk - run.chain.now) / run.bt) - 1, run.bt);
  let pushed = false;
  for (const f of run.dep.feeds) {
    const p = prices[f.key];
    const moved = Math.abs(p - f.last) / f.last >= Number(s.oracle.deviation) / 1e18;
    if (moved || Tk - f.lastPush >= s.oracle.heartbeat) {
      await pushFeed(run, f, p, Tk);
      pushed = true;
    }
  }
  const { configurator } = run.dep;
  for (const m of obs.due(Tk)) {
    const data = configurator.interface.encodeFunctionData("recordObservation", [m]);
    const tx = {
      from: run.agents.oracle.address,
      to: await configurator.getAddress(),
      data,
      gas: 200_000,
      priorityFee: ORACLE_PRIORITY_FEE,
    };
    await run.send("oracle", "observe", tx);
  }
  if (run.pending.length > 0) {
    await mineAndSettle(run, Tk);
    run.metrics.activeBlocks++;
  }
  return pushed;
}
