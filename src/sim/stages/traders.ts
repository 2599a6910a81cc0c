/**
 * Replay step "traders": after a new oracle round, the traders react to the scan the keepers just made (the same
 * lens rows): a trader below its reaction health factor, if paying attention this step, tops up its margin with
 * cash ("topUp", at most `maxTopUps` times) or cuts part of each position against the market maker's quote
 * ("deleverage"). The same rows open and close liquidation episodes (liquidatable -> auction or recovery).
 */
import type { EpisodeRecord } from "../records";
import { WAD, wadFromNumber, wadToNumber } from "../../model/wad";
import { depositTx } from "./population";
import type { RunState } from "./state";
import type { AccountHealth } from "../../keeper/view";

/** Priority fee of a trader's cut (wei per gas): 2 gwei. */
const CUT_PRIORITY_FEE = 2n * 10n ** 9n;

/** Queues the traders' reactions to `run.metrics.lastHealth`, reading positions at `block`. */
export async function traderReactions(run: RunState, block: number): Promise<void> {
  const s = run.scenario;
  const { mm, traderByAccount } = run.agents;
  const { contracts, plan } = run.dep;
  for (const h of run.metrics.lastHealth) {
    const tr = traderByAccount.get(h.account);
    if (!tr || tr.behaviour === "passive" || !h.priceValid || h.maintenanceMargin === 0n) continue;
    const hf = wadToNumber(h.healthFactor);
    if (hf >= tr.reactionHealth || !tr.rng.chance(s.traders.attention)) continue;
    if (tr.behaviour === "topUp" && tr.topUps < s.traders.maxTopUps) {
      tr.topUps++;
      run.metrics.topUps++;
      const amount = wadFromNumber(tr.equity * s.traders.topUpShare);
      // A trader who posted other collateral approves the vault for cash at its first top-up.
      const approve = tr.collateral !== plan.cash.symbol && tr.topUps === 1;
      await depositTx(run, `trader:${tr.index}`, tr.wallet.address, plan.cash.symbol, amount, tr.account, approve);
    } else if (tr.behaviour === "deleverage" && !h.frozen) {
      const positions = await run.view.positions(block, tr.account);
      for (const [m, size] of positions) {
        const q = mm.best(m, size < 0n);
        if (!q) continue;
        let cut = ((size < 0n ? -size : size) * wadFromNumber(s.traders.cutShare)) / WAD;
        if (cut > q.remaining) cut = q.remaining;
        if (cut === 0n) continue;
        tr.cuts++;
        run.metrics.cuts++;
        const data = contracts.venue.interface.encodeFunctionData("fill", [q.order, q.signature, tr.account, cut, q.price]);
        const tx = { from: tr.wallet.address, to: contracts.addresses.venue, data, gas: 700_000, priorityFee: CUT_PRIORITY_FEE };
        await run.send(`trader:${tr.index}`, "cut", tx, tr.account);
      }
    }
  }
}

/**
 * Opens an episode for each newly liquidatable account and closes those that recovered before an auction, from
 * `rows` (default: the step's scan, `metrics.lastHealth`; between steps, the rows a keeper read again in a block).
 */
export function trackEpisodes(run: RunState, now: number, rows: readonly AccountHealth[] = run.metrics.lastHealth): void {
  const m = run.metrics;
  for (const h of rows) {
    if (!h.priceValid) continue;
    const ep = m.episodes.get(h.account);
    if (h.liquidatable && !ep && !h.frozen) {
      const e: EpisodeRecord = { account: h.account, liquidatableT: now };
      m.episodes.set(h.account, e);
      m.episodeList.push(e);
    } else if (ep && !h.liquidatable && !h.frozen && ep.auctionT === undefined) {
      ep.endT = now;
      ep.outcome = "recovered";
      m.episodes.delete(h.account);
    }
  }
}
