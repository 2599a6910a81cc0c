/**
 * Stage 3a, population: the agents of a run. Every agent has a wallet derived from the seed (the same address in
 * every run), unlocked on the chain with 10,000 ETH for gas: the oracle pusher, the insurance staker, the market
 * maker, the traders (drawn from the scenario's distributions) and the liquidators.
 */
import { MaxUint256, Wallet, keccak256, toUtf8Bytes, parseEther } from "ethers";
import { drawTraders } from "../agents/traders";
import { MarketMaker } from "../agents/marketMaker";
import { accountId } from "../../model/accountId";
import { fromWadDown } from "../../model/margin";
import { TestERC20__factory } from "../../../typechain-types";
import type { Agents, RunState } from "./state";
import { AccountMap } from "../../model/accountMap";

/** ETH each agent holds for gas (wei). */
const AGENT_GAS_BALANCE = parseEther("10000");
/** Priority fee of set-up and trader transactions (wei per gas): 1 gwei. */
export const SETUP_PRIORITY_FEE = 10n ** 9n;

const erc20 = TestERC20__factory.createInterface();

/** A private key derived from the seed and a label, so every agent has the same address in every run. */
export function agentWallet(seed: number, label: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`ballast-sim:${seed}:${label}`)));
}

/** Creates and funds the agents (no protocol transaction yet). */
export async function populate(run: RunState): Promise<Agents> {
  const s = run.scenario;
  const { plan, domain } = run.dep;
  const deployer = (await run.input.node.accounts())[0];
  const oracle = agentWallet(s.seed, "oracle");
  const staker = agentWallet(s.seed, "staker");
  const marketMakerWallet = agentWallet(s.seed, "market-maker");
  const traderWallets = Array.from({ length: s.traders.count }, (_, i) => agentWallet(s.seed, `trader:${i}`));
  const liquidators = s.liquidators.map((l) => agentWallet(s.seed, `liquidator:${l.name}`));
  for (const w of [oracle, staker, marketMakerWallet, ...traderWallets, ...liquidators])
    await run.chain.unlock(w.address, AGENT_GAS_BALANCE, w);
  const mmAccount = accountId(marketMakerWallet.address);
  const mm = new MarketMaker(
    marketMakerWallet,
    mmAccount,
    domain,
    { ...s.marketMaker, depth: plan.markets.map((m) => s.marketMaker.depth[m.name]) },
    plan.venue.takerFeeRate,
  );
  const traders = drawTraders(s, traderWallets, (w) => accountId(w.address));
  const agents: Agents = {
    deployer,
    oracle,
    staker,
    marketMakerWallet,
    mm,
    mmAccount,
    traders,
    traderByAccount: new AccountMap(traders.map((t) => [t.account, t] as const)),
    liquidators,
    flash: [],
  };
  run.agents = agents;
  return agents;
}

/**
 * Mints and deposits `amountWad` of `symbol` for `who` into `account` (with an unlimited approval of the vault
 * first when `approve`). Nothing when the amount is below one token unit.
 */
export async function depositTx(
  run: RunState,
  agent: string,
  who: string,
  symbol: string,
  amountWad: bigint,
  account: bigint,
  approve: boolean,
): Promise<void> {
  const tk = run.dep.tokens[symbol];
  const vault = run.dep.contracts.addresses.vault;
  const units = fromWadDown(amountWad, tk.decimals);
  if (units === 0n) return;
  const fee = SETUP_PRIORITY_FEE;
  await run.send(agent, "mint", {
    from: who,
    to: tk.address,
    data: erc20.encodeFunctionData("mint", [who, units]),
    gas: 120_000,
    priorityFee: fee,
  });
  if (approve)
    await run.send(agent, "approve", {
      from: who,
      to: tk.address,
      data: erc20.encodeFunctionData("approve", [vault, MaxUint256]),
      gas: 80_000,
      priorityFee: fee,
    });
  const data = run.dep.contracts.vault.interface.encodeFunctionData("deposit", [account, tk.address, units]);
  await run.send(agent, "deposit", { from: who, to: vault, data, gas: 250_000, priorityFee: fee }, account);
}

/** Mints `amountWad` of cash to the staker and stakes it in the insurance fund. */
export async function stakeTx(run: RunState, amountWad: bigint): Promise<void> {
  const { plan, tokens, fund } = run.dep;
  const staker = run.agents.staker.address;
  const units = fromWadDown(amountWad, plan.cash.decimals);
  const fundAddr = await fund.getAddress();
  const cash = tokens[plan.cash.symbol].address;
  const fee = SETUP_PRIORITY_FEE;
  await run.send("staker", "mint", {
    from: staker,
    to: cash,
    data: erc20.encodeFunctionData("mint", [staker, units]),
    gas: 120_000,
    priorityFee: fee,
  });
  await run.send("staker", "approve", {
    from: staker,
    to: cash,
    data: erc20.encodeFunctionData("approve", [fundAddr, units]),
    gas: 80_000,
    priorityFee: fee,
  });
  const data = fund.interface.encodeFunctionData("deposit", [units, staker]);
  await run.send("staker", "stake", { from: staker, to: fundAddr, data, gas: 400_000, priorityFee: fee });
}
