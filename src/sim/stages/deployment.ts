/**
 * Stage 2, chain and deployment: resolves one parameter set's network parameters (the scenario's base, its
 * overrides and the set's, with the feeds' initial prices taken from the price path), deploys the protocol with
 * the production Ignition module at pinned block times, connects the contracts the simulator drives and turns
 * automine off.
 *
 * Time: no wall-clock time reaches the chain. `simulate` reset the chain to its genesis (the network's fixed
 * `initialDate`); the scenario starts at T0, two days later at midnight UTC; the deployment's blocks are stamped
 * one second apart from T0 - 1 day, the set-up blocks from T0 - 1 hour, every later block at an explicit time.
 */
import type { SimNode } from "../node";
import { Chain } from "../chain";
import { deepMerge, type Scenario } from "../scenario";
import type { PricePath } from "../prices";
import { venueDomain, type Domain } from "../../venue/orders";
import { resolveParameters, type DeploymentPlan, type NetworkParameters } from "../../config/schema";
import { connectContracts, type KeeperContracts } from "../../keeper/contracts";
import { WAD } from "../../model/wad";
import {
  InsuranceFund__factory,
  MarketConfigurator__factory,
  MockV3Aggregator__factory,
  type InsuranceFund,
  type MarketConfigurator,
  type MockV3Aggregator,
} from "../../../typechain-types";
import { slowDown, type Timer } from "./timer";

const DAY = 86_400; // seconds

/**
 * Ignition's settings for a node that mines each transaction at once (automine): one confirmation, and a receipt
 * poll every 10 ms instead of every second (its default, which made a deployment to anvil take 35 s).
 */
const IGNITION_AUTOMINE = { config: { requiredConfirmations: 1, blockPollingInterval: 10 } };

/** A token the simulator mints: its address, decimals, the feed pricing it (collateral) and its haircut (WAD). */
export interface SimToken {
  address: string;
  decimals: number;
  feed?: string;
  haircut: bigint;
}

/** A mock price feed and what the oracle agent last published on it (price as a float, time in chain seconds). */
export interface SimFeed {
  key: string;
  contract: MockV3Aggregator;
  decimals: number;
  last: number;
  lastPush: number;
}

/** The deployed protocol of one parameter set. */
export interface Deployment {
  parameters: NetworkParameters;
  plan: DeploymentPlan;
  chain: Chain;
  /** Chain time (unix seconds) of the price path's first point. */
  T0: number;
  contracts: KeeperContracts;
  fund: InsuranceFund;
  configurator: MarketConfigurator;
  domain: Domain;
  fundAccount: bigint;
  /** By symbol: the cash token and every collateral token. */
  tokens: Record<string, SimToken>;
  feeds: SimFeed[];
  /** Feed key of each market, by market id. */
  marketFeed: string[];
  /** Market id by market name. */
  marketIds: Record<string, number>;
}

/** Formats a float price for a parameter file ("1234.56"). */
function humanPrice(x: number): string {
  return x.toFixed(8).replace(/\.?0+$/, "");
}

/** The set's network parameters: base, scenario overrides, set overrides, feeds' initial prices from the path. */
export function setParameters(s: Scenario, pricePath: PricePath, set: Scenario["parameterSets"][number]): NetworkParameters {
  const parameters = structuredClone(
    deepMerge(deepMerge(structuredClone(s.protocol.base), s.protocol.overrides), set.overrides) as NetworkParameters,
  );
  for (const [key, feed] of Object.entries(parameters.feeds)) {
    const p = pricePath.initial.prices[key];
    if (p === undefined) throw new Error(`no price series for feed ${key}`);
    feed.initialPrice = humanPrice(p);
  }
  return parameters;
}

/** Deploys the set's protocol on the fresh chain `node` and prepares the chain for the run. */
export async function deploy(
  node: SimNode,
  s: Scenario,
  pricePath: PricePath,
  set: Scenario["parameterSets"][number],
  timer: Timer,
): Promise<Deployment> {
  const parameters = setParameters(s, pricePath, set);
  const plan = resolveParameters(parameters);
  const { buildBallastModule } = await import("../../../deploy/modules/Ballast");
  const chain = new Chain(node.provider, node.countsEmptyBlocks ? node.provider : undefined);
  await chain.sync();
  const T0 = (Math.floor(chain.now / DAY) + 2) * DAY;
  await slowDown("deploy");
  const deployed = await chain.withPinnedBlockTimes(T0 - DAY, () => node.ignition.deploy(buildBallastModule(plan), IGNITION_AUTOMINE));
  timer.lap("deploy");
  const provider = node.ethers;
  const addr = async (c: { getAddress(): Promise<string> }) => c.getAddress();
  const contracts = connectContracts(
    {
      auction: await addr(deployed.auction),
      lens: await addr(deployed.lens),
      engine: await addr(deployed.engine),
      vault: await addr(deployed.vault),
      venue: await addr(deployed.venue),
      oracle: await addr(deployed.oracle),
      starter: await addr(deployed.starter),
    },
    provider,
  );
  const { vault, oracle } = contracts;
  const fund = InsuranceFund__factory.connect(await addr(deployed.fund), provider);
  const configurator = MarketConfigurator__factory.connect(await addr(deployed.configurator), provider);
  const chainId = (await provider.getNetwork()).chainId;
  const domain = venueDomain(chainId, contracts.addresses.venue);
  const fundAccount = await fund.fundAccount();

  const tokens: Record<string, SimToken> = {
    [plan.cash.symbol]: { address: await vault.cashToken(), decimals: plan.cash.decimals, haircut: WAD },
  };
  for (let i = 0; i < plan.collateral.length; i++) {
    const c = plan.collateral[i];
    const feed = plan.feeds.find((f) => f.asset === c.oracleAsset)!.key;
    tokens[c.symbol] = { address: await vault.tokenAt(i), decimals: c.decimals, feed, haircut: c.haircut };
  }
  const feeds: SimFeed[] = await Promise.all(
    plan.feeds.map(async (f) => ({
      key: f.key,
      contract: MockV3Aggregator__factory.connect((await oracle.feedConfig(f.asset)).primary, provider),
      decimals: f.mockDecimals,
      last: 0,
      lastPush: -Infinity,
    })),
  );
  const marketFeed = plan.markets.map((m) => plan.feeds.find((f) => f.asset === m.oracleAsset)!.key);
  const marketIds: Record<string, number> = Object.fromEntries(plan.markets.map((m, i) => [m.name, i]));

  // Automine off: from here every block is mined at an explicit time.
  chain.resetNonces();
  await chain.setAutomine(false);
  await chain.setBlockGasLimit(1_000_000_000);
  await chain.sync();
  if (chain.now >= T0 - 7200) throw new Error("the deployment took more than a day of chain time");
  return { parameters, plan, chain, T0, contracts, fund, configurator, domain, fundAccount, tokens, feeds, marketFeed, marketIds };
}
