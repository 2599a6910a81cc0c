/**
 * Replay step "mining and settlement": mines the queued transactions in a block at an explicit time and reads
 * their receipts in block order: transactions, gas and reverts per actor class and per keeper (every revert is
 * decoded from its trace to the custom error it reverted with, and a keeper's revert counts as a lost race when an
 * earlier transaction in the block started or bid on the same account), then the protocol events of each
 * successful transaction (src/sim/stages/ledger.ts) and the markets of the auctions they started.
 */
import { WeiPerEther } from "ethers";
import { wadFromNumber } from "../../model/wad";
import type { Receipt } from "../chain";
import type { ActorStats } from "../records";
import type { DecodedRevert } from "../reverts";
import { recordEvent } from "./ledger";
import { actorClass, type Pending, type RunState } from "./state";
import { AccountSet } from "../../model/accountMap";

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
  run.lastActiveBlock = run.chain.block;
  return t;
}

/** Processes the receipts of the pending transactions mined in the block at `t` (the rest stay pending). */
async function settle(run: RunState, t: number): Promise<void> {
  const { chain, metrics: m } = run;
  const all = run.pending.splice(0);
  const receipts = await chain.receiptsAfterMining(all.map((p) => p.hash));
  // Never expected (`Chain.mineAt` carries what a block does not hold, and throws if the node lost it): a transaction
  // neither mined nor queued would be waited for forever.
  const lost = all.find((p, i) => receipts[i] === null && !chain.isQueued(p.hash));
  if (lost)
    throw new Error(
      `simulator: transaction ${lost.hash} (${lost.agent} ${lost.action}) is neither mined nor queued after block ${chain.block}`,
    );
  run.pending.push(...all.filter((_, i) => receipts[i] === null));
  const order = all
    .flatMap((p, i) => (receipts[i] ? [{ p, r: receipts[i] }] : []))
    .sort((a, b) => a.r.blockNumber - b.r.blockNumber || a.r.transactionIndex - b.r.transactionIndex);
  const touched = new Set<string>(); // "start:acct" / "bid:acct" seen earlier in the block
  for (const { p, r } of order) {
    m.txSent++;
    m.gasUsedTotal += r.gasUsed;
    const stats = m.liquidators.get(p.agent);
    const actor = actorStats(run, p.agent);
    const gasCost = (r.gasUsed * r.effectiveGasPrice * wadFromNumber(m.lastIndexEth)) / WeiPerEther;
    actor.transactions++;
    if (m.setUp) actor.setUpTransactions++;
    actor.gasUsed += r.gasUsed;
    actor.gasCost += gasCost;
    if (stats) {
      stats.txs++;
      stats.gasUsed += r.gasUsed;
      stats.gasCost += gasCost;
    }
    if (r.status === 0) {
      m.txReverted++;
      actor.reverted++;
      const lostRace = lostARace(p, touched);
      const error = await decodeRevert(run, r);
      actor.reverts[error.name] = (actor.reverts[error.name] ?? 0) + 1;
      if (lostRace) actor.lostRaces++;
      if (stats) {
        stats.reverted++;
        stats.wastedGas += r.gasUsed;
        stats.wastedCost += gasCost;
        stats.revertReasons[error.name] = (stats.revertReasons[error.name] ?? 0) + 1;
        if (!lostRace) m.unexplained.push({ agent: p.agent, action: p.action, reason: error.detail });
      }
      continue;
    }
    // A batch start (`meta.accounts`) wins the auctions it started; the accounts it skipped were another's.
    if (stats && p.action === "start" && !p.meta?.accounts) stats.startsWon++;
    for (const log of r.logs) {
      const ev = run.events.parse(log);
      if (!ev) continue;
      if (stats && p.meta?.accounts && ev.name === "AuctionStarted") stats.startsWon++;
      recordEvent(run, ev, p, { now: run.priceTime(t), block: r.blockNumber }, touched);
    }
  }
  // The markets each new auction's account held, read after its start block.
  for (const rec of m.newAuctions.splice(0)) {
    const [bits] = await run.dep.contracts.engine.accountInfo(rec.account, { blockTag: rec.startBlock });
    for (let i = 0; bits >> BigInt(i) !== 0n; i++) if ((bits >> BigInt(i)) & 1n) rec.markets.push(i);
  }
  // Each deleveraging event's counterparties: the known accounts on the other side of its market just before it.
  for (const d of m.newDeleveragings.splice(0)) d.accountsHit = await accountsOnSide(run, d.market, d.size > 0n ? -1n : 1n, d.block - 1);
}

/**
 * How many known accounts (traders, the market maker, keepers' bidder accounts) held a position of sign `sign` in
 * `market` at `block`, in a fixed order: the lens's `positionSizes`, `SIDE_BATCH` accounts per call (events of one
 * block and market share the read).
 */
async function accountsOnSide(run: RunState, market: number, sign: bigint, block: number): Promise<number> {
  const key = `${market}:${block}`;
  const last = sideReads.get(run);
  let sizes = last?.key === key ? last.sizes : undefined;
  if (!sizes) {
    const accounts = [...new AccountSet([...run.agents.traderByAccount.keys(), run.agents.mmAccount, ...run.metrics.accountOwner.keys()])];
    sizes = [];
    for (let i = 0; i < accounts.length; i += SIDE_BATCH)
      sizes.push(...(await run.dep.contracts.lens.positionSizes(market, accounts.slice(i, i + SIDE_BATCH), { blockTag: block })));
    sideReads.set(run, { key, sizes });
  }
  return sizes.filter((size) => size * sign > 0n).length;
}

/** Accounts per `positionSizes` call: about 10,000 gas each, far below a node's call gas cap. */
const SIDE_BATCH = 500;

/** Each run's last `accountsOnSide` read (market and block), for the events of one block. */
const sideReads = new WeakMap<RunState, { key: string; sizes: bigint[] }>();

/** The stats of `agent`'s actor class, created on its first transaction. */
function actorStats(run: RunState, agent: string): ActorStats {
  const key = actorClass(agent);
  let a = run.metrics.actors.get(key);
  if (!a) {
    a = { actor: key, transactions: 0, setUpTransactions: 0, reverted: 0, gasUsed: 0n, gasCost: 0n, lostRaces: 0, reverts: {} };
    run.metrics.actors.set(key, a);
  }
  return a;
}

/**
 * Whether a reverted transaction lost a race: an earlier transaction of its block started an auction on the same
 * account (a keeper's start, a trader's cut), or bid on or ended it (a bid, flash bid or terminate).
 */
function lostARace(p: Pending, touched: Set<string>): boolean {
  if (p.account === undefined) return false;
  if (p.action === "start" || p.action === "cut") return touched.has(`start:${p.account}`);
  if (p.action === "bid" || p.action === "flash-bid" || p.action === "terminate") return touched.has(`bid:${p.account}`);
  if (p.action === "deleverage") return touched.has(`deleverage:${p.account}`) || touched.has(`bid:${p.account}`);
  return false;
}

/** The error a mined transaction reverted with, from its trace (every reverted transaction is traced). */
async function decodeRevert(run: RunState, r: Receipt): Promise<DecodedRevert> {
  const trace = await run.chain.rpc<{ returnValue?: string }>("debug_traceTransaction", [
    r.hash,
    { disableStorage: true, disableMemory: true, disableStack: true },
  ]);
  const data = trace.returnValue ? (trace.returnValue.startsWith("0x") ? trace.returnValue : `0x${trace.returnValue}`) : "0x";
  let gasLimit: bigint | undefined;
  if (data === "0x") {
    const tx = await run.chain.rpc<{ gas: string } | null>("eth_getTransactionByHash", [r.hash]);
    gasLimit = tx ? BigInt(tx.gas) : undefined;
  }
  return run.reverts.decode(data, r.gasUsed, gasLimit);
}
