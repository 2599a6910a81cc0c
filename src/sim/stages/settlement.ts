/**
 * Replay step "mining and settlement": mines the queued transactions in a block at an explicit time and reads
 * their receipts in block order: gas and reverts per agent (a revert is explained as a lost race when an earlier
 * transaction in the block started or bid on the same account, else decoded from the trace), then the protocol
 * events of each successful transaction (src/sim/stages/ledger.ts).
 */
import { WeiPerEther } from "ethers";
import { wadFromNumber } from "../../model/wad";
import { FlashLiquidator__factory } from "../../../typechain-types";
import { recordEvent } from "./ledger";
import type { Pending, RunState } from "./state";

/** Reverts decoded from traces per run at most (later ones are "unknown"). */
const MAX_DECODED_REVERTS = 25;

/**
 * Mines the pending transactions in a block at `t` and processes their receipts. Transactions that did not fit
 * in the block (block gas limit) wait for the next blocks, `bt` seconds apart. Returns the last block's time.
 */
export async function mineAndSettle(run: RunState, t: number): Promise<number> {
  await run.chain.mineAt(t);
  await settle(run, t);
  while (run.pending.length > 0) {
    t += run.bt;
    await run.chain.mineAt(t);
    await settle(run, t);
  }
  return t;
}

/** Processes the receipts of the pending transactions mined in the block at `t` (the rest stay pending). */
async function settle(run: RunState, t: number): Promise<void> {
  const { chain, metrics: m } = run;
  const all = run.pending.splice(0);
  const receipts = await Promise.all(all.map((p) => chain.receipt(p.hash)));
  run.pending.push(...all.filter((_, i) => receipts[i] === null));
  const order = all
    .flatMap((p, i) => (receipts[i] ? [{ p, r: receipts[i] }] : []))
    .sort((a, b) => a.r.blockNumber - b.r.blockNumber || a.r.transactionIndex - b.r.transactionIndex);
  const touched = new Set<string>(); // "start:acct" / "bid:acct" seen earlier in the block
  for (const { p, r } of order) {
    m.txSent++;
    m.gasUsedTotal += r.gasUsed;
    const stats = m.liquidators.get(p.agent);
    const gasCost = (r.gasUsed * r.effectiveGasPrice * wadFromNumber(m.lastIndexEth)) / WeiPerEther;
    if (stats) {
      stats.txs++;
      stats.gasUsed += r.gasUsed;
      stats.gasCost += gasCost;
    }
    if (r.status === 0) {
      m.txReverted++;
      if (stats) {
        stats.reverted++;
        stats.wastedGas += r.gasUsed;
        stats.wastedCost += gasCost;
        const reason = await revertReason(run, p, touched);
        stats.revertReasons[reason] = (stats.revertReasons[reason] ?? 0) + 1;
      }
      continue;
    }
    if (stats && p.action === "start") stats.startsWon++;
    for (const log of r.logs) {
      const ev = run.events.parse(log);
      if (ev) recordEvent(run, ev, p, run.priceTime(t), touched);
    }
  }
}

/** Why a liquidator's transaction reverted: a lost race, or the decoded custom error (recorded as unexplained). */
async function revertReason(run: RunState, p: Pending, touched: Set<string>): Promise<string> {
  const key = p.account !== undefined ? `${p.action === "start" ? "start" : "bid"}:${p.account}` : "";
  if (p.action === "start" && touched.has(key)) return "lost the race: AuctionAlreadyActive";
  if ((p.action === "bid" || p.action === "flash-bid" || p.action === "terminate") && touched.has(key))
    return p.action === "terminate" ? "lost the race: AuctionNotActive" : "lost the race: AuctionStaleNonce/AuctionNotActive";
  const reason = await decodeRevert(run, p.hash);
  run.metrics.unexplained.push({ agent: p.agent, action: p.action, reason });
  return reason;
}

/** The custom error a mined transaction reverted with, from its trace ("unknown" past MAX_DECODED_REVERTS). */
async function decodeRevert(run: RunState, hash: string): Promise<string> {
  if (run.metrics.unexplained.length >= MAX_DECODED_REVERTS) return "unknown";
  const { auction, vault, engine, venue, oracle } = run.dep.contracts;
  const errorInterfaces = [
    auction.interface,
    vault.interface,
    engine.interface,
    venue.interface,
    oracle.interface,
    FlashLiquidator__factory.createInterface(),
  ];
  try {
    const trace = await run.chain.rpc<{ returnValue?: string }>("debug_traceTransaction", [
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
}
