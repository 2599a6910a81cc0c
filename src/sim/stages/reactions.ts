/**
 * Replay step 2, reaction and keeper blocks between the oracle block and the next step: in each block the market
 * maker re-quotes, every keeper runs its `onBlock` (scan, starts, bids, hedges) on the previous block's state,
 * and, after a new oracle round, the traders react to the keepers' scan. Further blocks come only when someone
 * acts: after any block with transactions (follow-ups: a bid after a start, a hedge after a bid) and at the time a
 * keeper asked to look again (a patient bid's threshold; the next block while it has accounts left to start, over its
 * per-block room or passed over because their tips did not pay the gas). Blocks in between are mined empty, in one
 * call.
 */
import { mineAndSettle } from "./settlement";
import { trackEpisodes, traderReactions } from "./traders";
import type { RunState } from "./state";
import { nextLatencyBlock } from "../latency";
import { simScanPolicy } from "./keepers";

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
  const latencies = run.scenario.liquidators.map((l) => l.latency);
  // Without a keeper free of latency, nobody scans through the run's shared view: the simulator does (for the traders'
  // reactions and the step's record), as such a keeper would.
  const ownScan = latencies.every((l) => l > 0);
  let scanDue = pushed;
  let next = Tk + bt;
  let reactions = run.scenario.chain.reactionBlocks;
  while (next < Tnext) {
    const gap = Math.floor((next - chain.now) / bt) - 1;
    if (gap > 0) await chain.mineEmpty(gap, bt);
    // Latent keepers' transactions whose release block the head reached enter the mempool now.
    for (const h of run.held.due(chain.block)) {
      chain.sendRaw(h.raw);
      if (h.info) run.pending.push(h.info);
    }
    // The base fee the keepers' transactions will pay: the gas market's next one, else the latest block's.
    const baseFee = await chain.nextBaseFee(next);
    const ctx = { block: chain.block, timestamp: chain.now, nextTimestamp: next, baseFee };
    await mm.update(chain.now, stepIndex, false);
    let wake: number | undefined;
    for (const [i, kp] of run.keepers.entries()) {
      const lat = latencies[i];
      // A latent keeper reads the block `lat` before the head (at a block of the same state: see Chain.stateBlock),
      // with that block's time as its clock, and expects its transactions to land `lat` blocks late.
      const seen = ctx.block - lat;
      const out = await kp.onBlock(
        lat === 0 ? ctx : { ...ctx, block: chain.stateBlock(seen), timestamp: chain.timeOf(seen, bt), nextTimestamp: next + lat * bt },
      );
      const stats = m.liquidators.get(kp.cfg.name)!;
      for (const tx of out.sent) {
        const p = { hash: tx.hash, agent: kp.cfg.name, action: tx.action, account: tx.account, meta: tx };
        if (lat === 0) run.pending.push(p);
        else run.held.describe(tx.hash, p);
        if (tx.action === "start") stats.starts += tx.accounts?.length ?? 1;
        else if (tx.action === "bid" || tx.action === "flash-bid") stats.bids++;
        else if (tx.action === "hedge") stats.hedges++;
      }
      const wakeAt = out.wakeAt === undefined ? undefined : out.wakeAt - lat * bt;
      if (wakeAt !== undefined) wake = wake === undefined ? wakeAt : Math.min(wake, wakeAt);
    }
    if (ownScan) await run.view.sync(ctx.block);
    // Between oracle rounds the keepers read again the accounts an event changed: a trader's reaction that restored
    // an account closes its episode now (it used to stay open until the next round, which counted a later, new
    // shortfall as one start delay of a whole step).
    if (!scanDue) trackEpisodes(run, run.priceTime(chain.now), run.view.rowsReadAt(ctx.block));
    timer.lap("keepers");
    // Traders react to the scan the keepers just made (the same lens call, remembered for this block).
    if (scanDue) {
      scanDue = false;
      if (ownScan) await run.view.scan(ctx.block, ctx.timestamp, simScanPolicy(run));
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
    let after: number | undefined;
    if (acted || reactions > 0) after = next + bt;
    else if (wake !== undefined && wake > next) after = alignUp(wake, Tk, bt);
    else if (wake !== undefined) after = next + bt;
    // Latency: the head a latent keeper must reach to see the last change, or a held transaction to leave.
    const head = nextLatencyBlock(chain.block, run.lastActiveBlock, latencies, run.held.releases());
    if (head !== undefined) {
      const at = chain.now + (head - chain.block + 1) * bt; // the block after that head
      after = after === undefined ? at : Math.min(after, at);
    }
    if (after === undefined) break;
    next = after;
  }
}
