/**
 * The fuzzing deployment: the production Ignition module with eight markets (feeds of 6, 8 and 18 decimals,
 * prices from 1e-5 to 60,000), four collateral tokens of 6, 8 and 18 decimals besides the 6-decimal cash token,
 * and caps wide enough for near-zero and huge positions. A market maker with 1e14 USDC is every trader's
 * counterparty. `fuzzParams(markets, collateral)` lists fewer of them (the stateful suite uses 3 and 3).
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployBallast, localParams, accountId, fund, type Ballast } from "../shared/fixtures";
import { VaultProbe } from "../shared/vaultProbe";
import { describeDeployment, type Deployment } from "../shared/snapshot";

export const USDC = 10n ** 6n;

/** Feeds: name, decimals, initial price. */
const FEEDS: [string, number, string][] = [
  ["ETH/USD", 8, "3000"],
  ["BTC/USD", 8, "60000"],
  ["DOGE/USD", 18, "0.2"],
  ["SOL/USD", 8, "150"],
  ["PEPE/USD", 18, "0.00001"],
  ["XAU/USD", 8, "2400"],
  ["EUR/USD", 6, "1.08"],
  ["LINK/USD", 18, "15"],
];

/** Collateral: symbol, decimals, feed, haircut. */
const COLLATERAL: [string, number, string, string][] = [
  ["WETH", 18, "ETH/USD", "80%"],
  ["WBTC", 8, "BTC/USD", "75%"],
  ["EURC", 6, "EUR/USD", "90%"],
  ["LINK", 18, "LINK/USD", "60%"],
];

/** The fuzzing parameter file: `markets` and `collateral` pick which of FEEDS / COLLATERAL are listed. */
export function fuzzParams(markets = FEEDS.length, collateral = COLLATERAL.length) {
  const p = localParams();
  p.cash.depositCap = "1,000,000,000,000,000 USDC";
  p.cash.borrowCap = "1,000,000,000,000,000 USDC";
  p.feeds = {};
  const used = new Set([...FEEDS.slice(0, markets).map((f) => f[0]), ...COLLATERAL.slice(0, collateral).map((c) => c[2])]);
  for (const [name, decimals, price] of FEEDS) {
    if (!used.has(name)) continue;
    p.feeds[name] = { decimals, initialPrice: price, heartbeat: "1h", minPrice: "0.000000001", maxPrice: "10,000,000,000" };
  }
  p.collateral = COLLATERAL.slice(0, collateral).map(([symbol, decimals, oracle, haircut]) => ({
    symbol,
    decimals,
    oracle,
    haircut,
    depositCap: `1,000,000,000,000,000 ${symbol}`,
  }));
  const template = p.markets[0];
  p.markets = FEEDS.slice(0, markets).map(([name]) => {
    const base = name.split("/")[0];
    return { ...template, name: `${base}-PERP`, base, oracle: name, openInterestCap: `1,000,000,000,000,000 ${base}` };
  });
  p.auction.globalShortfallCap = "10,000,000,000,000 USDC";
  for (const m of p.markets) m.shortfallCap = "1,000,000,000,000,000 USDC";
  return p;
}

export interface FuzzProtocol extends Ballast {
  d: Deployment;
  maker: HardhatEthersSigner;
  makerAccount: bigint;
  /** traders[0..1]: portfolio owners; traders[2..3]: bidders with 1e12 USDC each; traders[4]: keeper; traders[5]: staker. */
  traders: HardhatEthersSigner[];
  feeAccount: bigint;
}

/** Re-publishes every feed's answer at the next block time(s). */
export async function refreshAllFeeds(b: Ballast): Promise<void> {
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
}

/** The fuzzing deployment (8 markets, 4 collateral tokens); use with loadFixture. */
export async function fuzzProtocol(): Promise<FuzzProtocol> {
  return buildFuzzProtocol(fuzzParams());
}

/** Deploys `params` and sets up the maker, traders, bidders, keeper and staker (see FuzzProtocol). */
export async function buildFuzzProtocol(params: ReturnType<typeof fuzzParams>): Promise<FuzzProtocol> {
  const b = await deployBallast(params);
  const now = await time.latest();
  await time.increaseTo((Math.floor(now / 3600) + 1) * 3600 + 10);
  await refreshAllFeeds(b);
  const [, maker, ...traders] = b.users;
  await fund(b, maker, "USDC", 100_000_000_000_000n * USDC);
  // A withdrawal bumps the maker's nonce, which the vault probe needs to recognise its account slot.
  await (await b.vault.connect(maker).withdraw(accountId(maker.address), await b.cash.getAddress(), USDC, maker.address)).wait();
  for (const t of traders.slice(0, 4)) {
    for (const token of Object.values(b.tokens)) {
      await (await token.connect(t).mint(t.address, 2n ** 200n)).wait();
      await (await token.connect(t).approve(await b.vault.getAddress(), ethers.MaxUint256)).wait();
    }
  }
  for (const bidder of traders.slice(2, 4)) {
    await (await b.vault.connect(bidder).deposit(accountId(bidder.address), await b.cash.getAddress(), 1_000_000_000_000n * USDC)).wait();
  }
  await (await b.cash.connect(traders[5]).mint(traders[5].address, 2n ** 128n)).wait();
  await (await b.cash.connect(traders[5]).approve(await b.fund.getAddress(), ethers.MaxUint256)).wait();
  const probe = await VaultProbe.discover(b.vault, accountId(maker.address));
  const d = await describeDeployment(b, probe);
  return { ...b, d, maker, makerAccount: accountId(maker.address), traders, feeAccount: await b.fund.fundAccount() };
}
