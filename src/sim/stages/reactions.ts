/**
 * Replay step 2, reaction and keeper blocks between the oracle block and the next step: in each block the market
 * maker re-quotes, every keeper runs its `onBlock` (scan, starts, bids, hedges) on the previous block's state,
 * and, after a new oracle round, the traders react to the keepers' scan. Further blocks come only when someone
 * acts: after any block with transactions (follow-ups: a bid after a start, a hedge after a bid) and at the time a
 * keeper asked to look again (a patient bid's threshold). Blocks in between are mined empty, in one call.
 */
import { mineAndSettle } from "./settlement";
import { trackEpisodes, traderReactions } from "./traders";
import type { RunState } from "./state";

/** The first block time >= t on the grid of blocks `bt` apart that starts at `origin`. */
export function alignUp(t: number, origin: number, bt: number): number {
  return origin + Math.ceil((t - origin) / bt) * bt;
}

/**
 * The blocks after the oracle block at `Tk`, before `Tnext` (chain seconds). `stepIndex`: the step's index prices
 * (WAD) by market id; `pushed`: whether the oracle block published a round (the first block then scans).
 */
export async function reactionBlocks(run: RunState, Tk: number, Tnext: number, stepIndex: bigint[], pushed: boolean): Promise<void> {
  const { chain, bt, timer, metrics: m } = run;
  const { mm } = run.agents;
  let scanDue = pushed;
  let next = Tk + bt;
  let reactions = run.scenario.chain.reactionBlocks;
  while (next < Tnext) {
    const gap = Math.floor((next - chain.now) / bt) - 1;
    if (gap > 0) await chain.mineEmpty(gap, bt);
    // The base fee the keepers' transactions will pay: the gas market's next one, else the latest block's.
    const baseFee = await chain.nextBaseFee(next);
    const ctx = { block: chain.block, timestamp: chain.now, nextTimestamp: next, baseFee };
    await mm.update(chain.now, stepIndex, false);
    let wake: number | undefined;
    for (const kp of run.keepers) {
      const out = await kp.onBlock(ctx);
      const stats = m.liquidators.get(kp.cfg.name)!;
      for (const tx of out.sent) {
        run.pending.push({ hash: tx.hash, agent: kp.cfg.name, action: tx.action, account: tx.account, meta: tx });
        if (tx.action === "start") stats.starts += tx.accounts?.length ?? 1;
        else if (tx.action === "bid" || tx.action === "flash-bid") stats.bids++;
        else if (tx.action === "hedge") stats.hedges++;
      }
      if (out.wakeAt !== undefined) wake = wake === undefined ? out.wakeAt : Math.min(wake, out.wakeAt);
    }
    timer.lap("keepers");
    // Traders react to the scan the keepers just made (the same lens call, remembered for this block).
    if (scanDue) {
      scanDue = false;
      m.lastHealth = [...run.view.latest.values()];
      timer.lap("health");
      await traderReactions(run, ctx.block);
      trackEpisodes(run, run.priceTime(chain.now));
    }
    timer.lap("traders");
    const acted = run.pending.length > 0;
    if (acted) {
      next = await mineAndSettle(run, next);
      m.activeBlocks++;
    }
    timer.lap("mining");
    reactions--;
    if (acted || reactions > 0) next += bt;
    else if (wake !== undefined && wake > next) next = alignUp(wake, Tk, bt);
    else if (wake !== undefined) next += bt;
    else break;
  }
}
