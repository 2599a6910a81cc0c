/**
 * Stage 3b, population on chain: two set-up blocks before T0, `bt` seconds apart from T0 - 1 hour.
 *
 *   1. the initial prices, the deposits of every agent (the traders' at their drawn equity, haircut collateral
 *      counted at its weight), the insurance fund's stake and the flash liquidators' contracts;
 *   2. every trader's opening order, signed by the trader and filled by the market maker at its quote.
 */
import { FlashLiquidator__factory } from "../../../typechain-types";
import { signOrder, type Order } from "../../venue/orders";
import { accountId } from "../../model/accountId";
import { WAD, wadFromNumber } from "../../model/wad";
import { depositTx, stakeTx, SETUP_PRIORITY_FEE } from "./population";
import { initialStakeOf } from "../scenario";
import { pushFeed } from "./oracle";
import { mineAndSettle } from "./settlement";
import { cashPrice } from "../prices";
import type { RunState } from "./state";

/** Decimals of a float price turned into WAD. */
const PRICE_DECIMALS = 8;

/** Runs both set-up blocks. */
export async function setUpAccounts(run: RunState): Promise<void> {
  await depositsBlock(run);
  await openingTradesBlock(run);
  await run.chain.setBlockGasLimit(30_000_000);
}

async function depositsBlock(run: RunState): Promise<void> {
  const s = run.scenario;
  const { plan, tokens } = run.dep;
  const a = run.agents;
  const initialPrices = run.input.pricePath.initial.prices;
  for (const f of run.dep.feeds) await pushFeed(run, f, initialPrices[f.key], run.S);
  const cash = plan.cash.symbol;
  await depositTx(run, "market-maker", a.marketMakerWallet.address, cash, s.marketMaker.capital, a.mmAccount, true);
  const stake = initialStakeOf(s, run.input.set);
  if (stake > 0n) await stakeTx(run, stake);
  for (let i = 0; i < s.liquidators.length; i++) {
    const l = s.liquidators[i];
    const w = a.liquidators[i];
    const acct = accountId(w.address);
    run.metrics.accountOwner.set(acct, l.name);
    if (l.capital > 0n) await depositTx(run, l.name, w.address, cash, l.capital, acct, true);
    if (l.strategy === "flash") {
      const { auction, venue, vault } = run.dep.contracts.addresses;
      const tx = await new FlashLiquidator__factory().getDeployTransaction(w.address, auction, venue, vault);
      await run.send(l.name, "deploy", { from: w.address, data: tx.data, gas: 3_000_000, priorityFee: SETUP_PRIORITY_FEE });
    }
    a.flash.push(undefined);
  }
  for (const tr of a.traders) {
    const tk = tokens[tr.collateral];
    const eq = wadFromNumber(tr.equity);
    const amount = tk.feed ? (eq * WAD * WAD) / (wadFromNumber(initialPrices[tk.feed], PRICE_DECIMALS) * tk.haircut) : eq;
    await depositTx(run, `trader:${tr.index}`, tr.wallet.address, tr.collateral, amount, tr.account, true);
  }
  const deployHashes = run.pending.filter((p) => p.action === "deploy").map((p) => ({ hash: p.hash, agent: p.agent }));
  await mineAndSettle(run, run.S); // set-up block 1
  for (const d of deployHashes) {
    const r = await run.chain.receipt(d.hash);
    const i = s.liquidators.findIndex((l) => l.name === d.agent);
    if (!r || r.status !== 1 || !r.contractAddress) throw new Error(`FlashLiquidator deployment for ${d.agent} failed`);
    // A reader: the keeper only encodes calls with it and reads its account; its transactions go through `run.send`.
    a.flash[i] = FlashLiquidator__factory.connect(r.contractAddress, run.input.node.ethers);
    run.metrics.accountOwner.set(accountId(r.contractAddress), d.agent);
  }
}

async function openingTradesBlock(run: RunState): Promise<void> {
  const { plan, marketFeed, marketIds, domain, contracts } = run.dep;
  const a = run.agents;
  const initialPrices = run.input.pricePath.initial.prices;
  // The market maker's cash price (USD price / cash peg, as in the replay); the protocol's feeds start at USD prices.
  const index = (m: number) => wadFromNumber(cashPrice(initialPrices[marketFeed[m]], run.input.pricePath.initial.cashPeg), PRICE_DECIMALS);
  await a.mm.update(
    run.S + run.bt,
    plan.markets.map((_, m) => index(m)),
    true,
  );
  for (const tr of a.traders) {
    const m = marketIds[tr.market];
    const price = index(m);
    const size = (wadFromNumber(tr.equity * tr.leverage) * WAD) / price;
    const hs = wadFromNumber(a.mm.halfSpread(m), 9);
    const limit = tr.long ? price + (price * hs) / WAD : price - (price * hs) / WAD;
    const order: Order = {
      account: tr.account,
      marketId: m,
      size: tr.long ? size : -size,
      limitPrice: limit,
      expiry: BigInt(run.dep.T0),
      nonce: 0n,
      salt: BigInt(tr.index + 1),
      reduceOnly: false,
      signer: tr.wallet.address,
    };
    const sig = await signOrder(tr.wallet, domain, order);
    const data = contracts.venue.interface.encodeFunctionData("fill", [order, sig, a.mmAccount, size, limit]);
    const tx = { from: a.marketMakerWallet.address, to: contracts.addresses.venue, data, gas: 700_000, priorityFee: SETUP_PRIORITY_FEE };
    await run.send("market-maker", "open", tx, tr.account);
  }
  await mineAndSettle(run, run.S + run.bt); // set-up block 2
}
