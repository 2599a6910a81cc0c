/**
 * Stage 5, aggregation: after the replay, each liquidator's end value and profit, the invariants over every
 * account, the bad debt still unrealised in running auctions, and the set's `SetResult`.
 */
import type { SetResult } from "../records";
import { checkInvariantsCore } from "../invariants";
import { accountId } from "../../model/accountId";
import { WAD } from "../../model/wad";
import { liquidatorAccounts, liquidatorValue } from "./keepers";
import type { RunState } from "./state";
import { initialStakeOf } from "../scenario";
import { AccountSet } from "../../model/accountMap";

/** The set's result. */
export async function aggregate(run: RunState): Promise<SetResult> {
  const { scenario: s, metrics: m, dep, agents: a, view, chain, timer } = run;
  for (let i = 0; i < run.keepers.length; i++) {
    const st = m.liquidators.get(s.liquidators[i].name)!;
    st.valueEnd = await liquidatorValue(run, i);
    st.pnl = st.valueEnd - st.valueStart - st.gasCost;
    st.socialisedBorne = s.liquidators[i].capital - (s.liquidators[i].capital * m.supplyRatio) / WAD;
    st.profit = st.pnl + st.socialisedBorne;
  }
  await view.sync(chain.block);
  const everyAccount = [
    ...new AccountSet([
      ...view.accounts,
      dep.fundAccount,
      a.mmAccount,
      ...s.liquidators.flatMap((_, i) => liquidatorAccounts(run, i)),
      accountId(a.deployer),
    ]),
  ];
  const { vault, engine, auction } = dep.contracts;
  const inv = await checkInvariantsCore({ vault, engine, auction, runner: run.input.node.ethers }, everyAccount);
  timer.lap("invariants");
  if (process.env.SIM_RPC_PROFILE) {
    console.error([...view.timing.entries()].map(([k, v]) => `view ${k} ${v.n} ${Math.round(v.ms)}ms`).join("\n"));
    console.error([...chain.rpcTime.entries()].map(([k, v]) => `${k} ${v.n} ${Math.round(v.ms)}ms`).join("\n"));
  }
  const eventCapRatio = await dep.fund.eventCapRatio();
  // Auctions still running: the value of portfolios worth less than nothing is bad debt not yet realised.
  let unrealisedBadDebt = 0n;
  for (const acct of [...view.auctions.keys()].sort((x, y) => (x < y ? -1 : 1))) {
    const v = (await auction.quote(acct)).markToMarket;
    if (v < 0n) unrealisedBadDebt -= v;
  }
  const liquidated = new AccountSet(m.auctionList.map((x) => x.account)).size;
  const byBehaviour: Record<string, number> = {};
  for (const t of a.traders) byBehaviour[t.behaviour] = (byBehaviour[t.behaviour] ?? 0) + 1;
  return {
    name: run.input.set.name,
    description: run.input.set.description,
    parameters: dep.parameters,
    plan: dep.plan,
    steps: m.steps,
    auctions: m.auctionList,
    fills: m.fills,
    episodes: m.episodeList,
    liquidators: [...m.liquidators.values()],
    fundIncome: m.fundIncome,
    marketNames: dep.plan.markets.map((x) => x.name),
    actors: [...m.actors.values()],
    subsidies: [...m.subsidies.values()].sort((x, y) => x.seq - y.seq),
    deleveragings: m.deleveragings,
    initialFund: initialStakeOf(s, run.input.set),
    eventCapRatio,
    unrealisedBadDebt,
    traders: { count: a.traders.length, byBehaviour, topUps: m.topUps, cuts: m.cuts, liquidated },
    txs: {
      sent: m.txSent,
      reverted: m.txReverted,
      gasUsed: m.gasUsedTotal,
      blocks: chain.block - run.blockBase,
      activeBlocks: m.activeBlocks,
    },
    invariants: { violations: inv.violations, cashReserve: inv.cashReserve, accounts: everyAccount.length },
    unexplainedReverts: m.unexplained,
    keeperLog: m.keeperLog,
    timings: timer.timings,
    rpcCalls: view.calls,
    scans: { ...view.scans },
  };
}
