/**
 * Read-only checks of a resolved plan against the chain it is about to be deployed to: the right chain, real
 * contracts at every configured address, feeds that are the pair they are named after, fresh and inside their
 * bounds, tokens whose symbol and decimals match the file, and a deployer that can pay and will not keep a role.
 * Only `eth_chainId`, `eth_getCode`, `eth_getBalance` and `eth_call` are used: nothing is sent.
 */
import { Contract, formatUnits, getAddress, type Provider } from "ethers";
import type { DeploymentPlan, FeedPlan } from "../config/schema";
import { formatDuration } from "../config/units";

/** The chain id of Hardhat's in-process network and `npx hardhat node`. */
export const LOCAL_CHAIN_ID = 31337n;

const AGGREGATOR_ABI = [
  "function decimals() view returns (uint8)",
  "function description() view returns (string)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];
const ERC20_ABI = ["function decimals() view returns (uint8)", "function symbol() view returns (string)"];

/** "ETH / USD" and "ETH/USD" name the same pair. */
export function samePair(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, "").toUpperCase();
  return norm(a) === norm(b);
}

/**
 * Returns every problem found (empty when the plan can be deployed), each naming the parameter key it concerns.
 * @param deployer the account that will send the deployment's transactions
 */
export async function preflight(provider: Provider, plan: DeploymentPlan, deployer: string): Promise<string[]> {
  const issues: string[] = [];
  const { chainId } = await provider.getNetwork();
  if (plan.chainId !== undefined && BigInt(plan.chainId) !== chainId) {
    issues.push(`chainId: the parameter file is for chain ${plan.chainId}, the network is chain ${chainId}`);
    return issues; // every other check would read the wrong chain
  }
  if (plan.local && chainId !== LOCAL_CHAIN_ID) {
    issues.push(`local: true deploys test tokens and mock feeds, refused on chain ${chainId} (local chains are ${LOCAL_CHAIN_ID})`);
    return issues;
  }

  const hasCode = async (key: string, address: string) => {
    if ((await provider.getCode(address)) === "0x") {
      issues.push(`${key}: no contract at ${address} on chain ${chainId}`);
      return false;
    }
    return true;
  };
  const { timestamp: now } = (await provider.getBlock("latest"))!;

  const checkFeed = async (key: string, f: FeedPlan, address: string, heartbeat: number) => {
    if (!(await hasCode(key, address))) return;
    const feed = new Contract(address, AGGREGATOR_ABI, provider);
    try {
      const [decimals, description, round] = await Promise.all([feed.decimals(), feed.description(), feed.latestRoundData()]);
      if (!samePair(description, f.key)) issues.push(`${key}: ${address} is the "${description}" feed, not ${f.key}`);
      const answer = round.answer as bigint;
      if (answer <= 0n) {
        issues.push(`${key}: the feed's latest answer is ${answer}`);
        return;
      }
      const age = now - Number(round.updatedAt);
      if (age > heartbeat) {
        issues.push(`${key}: the feed's last update is ${formatDuration(age)} old, more than its heartbeat ${formatDuration(heartbeat)}`);
      }
      const price = answer * 10n ** (18n - BigInt(decimals));
      if (price < f.minPrice || price > f.maxPrice) {
        issues.push(
          `feeds.${f.key}: the feed's price ${formatUnits(price, 18)} is outside [minPrice ${formatUnits(f.minPrice, 18)}, maxPrice ${formatUnits(f.maxPrice, 18)}]`,
        );
      }
    } catch (e) {
      issues.push(`${key}: ${address} does not answer as a Chainlink aggregator (${(e as Error).message.split("\n")[0]})`);
    }
  };

  for (const f of plan.feeds) {
    if (f.primary) await checkFeed(`feeds.${f.key}.primary`, f, f.primary, f.heartbeat);
    if (f.secondary) await checkFeed(`feeds.${f.key}.secondary`, f, f.secondary, f.secondaryHeartbeat);
  }

  if (plan.sequencer && (await hasCode("sequencer.feed", plan.sequencer.feed))) {
    const feed = new Contract(plan.sequencer.feed, AGGREGATOR_ABI, provider);
    try {
      const round = await feed.latestRoundData();
      if (round.answer !== 0n) issues.push(`sequencer.feed: reports the sequencer down (answer ${round.answer})`);
    } catch (e) {
      issues.push(`sequencer.feed: does not answer as a sequencer-uptime feed (${(e as Error).message.split("\n")[0]})`);
    }
  }

  const checkToken = async (key: string, address: string, symbol: string, decimals: number) => {
    if (!(await hasCode(key, address))) return;
    const token = new Contract(address, ERC20_ABI, provider);
    try {
      const [s, d] = await Promise.all([token.symbol(), token.decimals()]);
      if (s !== symbol) issues.push(`${key}: the token's symbol is "${s}", the file says "${symbol}"`);
      if (Number(d) !== decimals) issues.push(`${key}: the token has ${d} decimals, the file says ${decimals}`);
    } catch (e) {
      issues.push(`${key}: ${address} does not answer as an ERC-20 (${(e as Error).message.split("\n")[0]})`);
    }
  };
  if (plan.cash.address) await checkToken("cash.address", plan.cash.address, plan.cash.symbol, plan.cash.decimals);
  for (const [i, c] of plan.collateral.entries()) {
    if (c.address) await checkToken(`collateral[${i}](${c.symbol}).address`, c.address, c.symbol, c.decimals);
  }

  const me = getAddress(deployer);
  if (plan.governance.handover) {
    for (const who of ["riskManager", "guardian"] as const) {
      const v = plan.governance[who];
      if (v !== "deployer" && getAddress(v) === me) {
        issues.push(`governance.${who}: ${v} is the deployer, which gives up every role at handover`);
      }
    }
  }
  if ((await provider.getBalance(me)) === 0n) issues.push(`deployer: ${me} has no native balance on chain ${chainId}`);
  return issues;
}
