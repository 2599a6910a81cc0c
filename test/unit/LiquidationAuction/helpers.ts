/**
 * Fixtures for the liquidation auction: alice holds a 10 ETH long opened at 3,000 against the market maker bob,
 * with 10,000 USDC; keepers and bidders are funded; the insurance fund has stakers when asked. Expected values
 * come from the bigint reference model (src/model/auction.ts), which mirrors AuctionMath to the wei.
 */
import { ethers } from "hardhat";
import { time, setBalance } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployBallast, fund, trade, accountId, WAD, localParams, type Ballast } from "../../shared/fixtures";
import { toAuctionParams, type AuctionParams, type Valuation } from "../../../src/model/auction";

export const USDC = 10n ** 6n;
export const ETH = 0;

export interface AuctionFixture extends Ballast {
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  erin: HardhatEthersSigner;
  frank: HardhatEthersSigner;
  A: bigint;
  p: AuctionParams;
}

/** Moves the clock to ten seconds past the next hour (funding epochs stay predictable) and refreshes every feed. */
export async function alignAndRefresh(b: Ballast): Promise<void> {
  const now = await time.latest();
  await time.increaseTo((Math.floor(now / 3600) + 1) * 3600 + 10);
  await refreshFeeds(b);
}

/** Re-publishes every feed's current answer at the current block time. */
export async function refreshFeeds(b: Ballast, except: string[] = []): Promise<void> {
  for (const [key, feed] of Object.entries(b.feeds)) {
    if (!except.includes(key)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  }
}

/** Sets ETH/USD (8 decimals) and refreshes the other feeds. */
export async function setEth(b: Ballast, price: string | number): Promise<void> {
  await (await b.feeds["ETH/USD"].updateAnswer(ethers.parseUnits(String(price), 8))).wait();
  await refreshFeeds(b, ["ETH/USD"]);
}

/** `localParams()` with `dustMargin` at 50 USDC, its default before issue #13 item 3. */
function partialParams(): ReturnType<typeof localParams> {
  const params = localParams();
  params.auction.dustMargin = "50 USDC";
  return params;
}

async function build(params = localParams()): Promise<AuctionFixture> {
  const b = await deployBallast(params);
  await alignAndRefresh(b);
  const [alice, bob, carol, dave, erin, frank] = b.users;
  await fund(b, alice, "USDC", 10_000n * USDC);
  await fund(b, bob, "USDC", 2_000_000n * USDC);
  await fund(b, carol, "USDC", 1_000n * USDC);
  await fund(b, dave, "USDC", 200_000n * USDC);
  await fund(b, erin, "USDC", 200_000n * USDC);
  await (await trade(b, bob, alice, "ETH-PERP", -10n * WAD, 3000n * WAD)).wait();
  const p = toAuctionParams(await b.auction.params());
  return { ...b, alice, bob, carol, dave, erin, frank, A: accountId(alice.address), p };
}

/** alice long 10 ETH at 3,000 with 10,000 USDC; empty insurance fund. */
export async function auctionFixture(): Promise<AuctionFixture> {
  return build();
}

/** The auction fixture on the deployment `params` describes (for loadFixture, wrap it in a named function). */
export async function auctionFixtureWith(params: ReturnType<typeof localParams>): Promise<AuctionFixture> {
  return build(params);
}

/** The auction fixture with ETH crashed to 2,050 and alice's auction started by carol (the keeper). */
export async function startedAuctionFixture(): Promise<AuctionFixture> {
  return startAlice(await auctionFixture());
}

/** Crashes ETH to 2,050 and has carol (the keeper) start alice's auction. */
async function startAlice(f: AuctionFixture): Promise<AuctionFixture> {
  await setEth(f, 2050);
  await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address));
  return f;
}

/**
 * As `startedAuctionFixture`, with `dustMargin` at 50 USDC (its default before issue #13 item 3), so alice's portfolio
 * (R = 615; every remainder below 500) is auctioned in parts: for the tests of partial bids, the largest fraction and
 * the buffer. With the default 500 USDC her first bid takes it whole (LIQUIDATION.md, "Small portfolios").
 */
export async function startedPartialAuctionFixture(): Promise<AuctionFixture> {
  return startAlice(await build(partialParams()));
}

/** As `auctionFixture`, with frank staking 100,000 USDC in the insurance fund. */
export async function stakedFixture(): Promise<AuctionFixture> {
  const f = await build();
  await stake(f, f.frank, 100_000n * USDC);
  return f;
}

/** As `stakedFixture`, with `dustMargin` at 50 USDC: for the tests of partial insolvent bids (see `startedPartialAuctionFixture`). */
export async function stakedPartialFixture(): Promise<AuctionFixture> {
  const f = await build(partialParams());
  await stake(f, f.frank, 100_000n * USDC);
  return f;
}

/** Deposits `amount` (token units) of USDC into the insurance fund for `who`. */
export async function stake(b: Ballast, who: HardhatEthersSigner, amount: bigint): Promise<void> {
  await (await b.cash.connect(who).mint(who.address, amount)).wait();
  await (await b.cash.connect(who).approve(await b.fund.getAddress(), amount)).wait();
  await (await b.fund.connect(who).deposit(amount, who.address)).wait();
}

/** The auction's valuation of `account` now (fresh prices): E, M, V, R. */
export async function valuation(b: Ballast, account: bigint): Promise<Valuation> {
  const q = await b.auction.quote(account);
  return { equity: q.equity, maintenanceMargin: q.maintenanceMargin, markToMarket: q.markToMarket, requirement: q.requirement };
}

/** Impersonates a contract (funded with ETH for gas). */
export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await setBalance(address, 10n ** 18n);
  return ethers.getImpersonatedSigner(address);
}

/** Sum over `accounts` of their vault cash values (WAD). */
export async function cashSum(b: Ballast, accounts: bigint[]): Promise<bigint> {
  let s = 0n;
  for (const a of accounts) s += await b.vault.cashBalance(a);
  return s;
}

export { accountId, WAD };
