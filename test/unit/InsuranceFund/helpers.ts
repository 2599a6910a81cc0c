/**
 * Helpers of the InsuranceFund unit tests: a fixture with funded stakers and traders, the impersonated liquidation
 * auction (the only `cover` caller), an exact bigint model of OpenZeppelin's ERC-4626 conversions with the fund's
 * decimals offset, fee generation through the venue, and time-pinned withdrawal requests.
 */
import { ethers } from "hardhat";
import { expect } from "chai";
import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployBallast, fund as fundVaultAccount, setPrice, trade, accountId, WAD, MAX } from "../../shared/fixtures";

/** One USDC in token units (6 decimals in the fixture). */
export const USDC = 10n ** 6n;
/** WAD per USDC token unit: 10**(18 - 6). */
export const SCALE = 10n ** 12n;
/** Virtual shares of the fund: 10 ** DECIMALS_OFFSET. */
export const OFFSET = 10n ** 6n;
/** Fixture parameters (deploy/parameters/hardhat.json). */
export const COOLDOWN = 7n * 86_400n;
export const WINDOW = 2n * 86_400n;
export const CAP_RATIO = WAD / 2n;
/** Hard bounds of InsuranceFund. */
export const MIN_COOLDOWN = 3_600n;
export const MAX_COOLDOWN = 30n * 86_400n;
export const MIN_WINDOW = 3_600n;
export const MAX_WINDOW = 14n * 86_400n;
export const MIN_EVENT_CAP_RATIO = WAD / 100n;
/** Venue fee rates of the fixture: maker 0.02%, taker 0.05%. */
export const MAKER_FEE_RATE = 2n * 10n ** 14n;
export const TAKER_FEE_RATE = 5n * 10n ** 14n;
/** The ETH index price of the fixture, at which fee-generating trades are made. */
export const ETH_PRICE = 3_000n * WAD;
/** Tokens each staker holds (and has approved to the fund) at the start. */
export const STAKER_BALANCE = 10_000_000n * USDC;
/** Stakes of `stakedFixture`: Alice 1,000 USDC and Bob 3,000 USDC at 10**6 shares per token unit. */
export const ALICE_STAKE = 1_000n * USDC;
export const BOB_STAKE = 3_000n * USDC;
export const ALICE_SHARES = ALICE_STAKE * OFFSET;
export const BOB_SHARES = BOB_STAKE * OFFSET;

/** OpenZeppelin Math.mulDiv: x * y / d, rounded down or up. */
export function mulDiv(x: bigint, y: bigint, d: bigint, up = false): bigint {
  const q = (x * y) / d;
  return up && q * d !== x * y ? q + 1n : q;
}

/** ERC4626._convertToShares with the fund's offset: assets * (supply + 10**6) / (totalAssets + 1). */
export function toShares(assets: bigint, supply: bigint, total: bigint, up = false): bigint {
  return mulDiv(assets, supply + OFFSET, total + 1n, up);
}

/** ERC4626._convertToAssets with the fund's offset: shares * (totalAssets + 1) / (supply + 10**6). */
export function toAssets(shares: bigint, supply: bigint, total: bigint, up = false): bigint {
  return mulDiv(shares, total + 1n, supply + OFFSET, up);
}

/** x * y / 1e18 rounded up (WadMath.mulWadUp). */
export function mulWadUp(x: bigint, y: bigint): bigint {
  return (x * y + WAD - 1n) / WAD;
}

/** The venue's fees (WAD) of one fill of `size` at `price`: each fee = ceil(ceil(size * price) * rate). */
export function feesOf(size: bigint, price: bigint = ETH_PRICE): bigint {
  const notional = mulWadUp(size, price);
  return mulWadUp(notional, MAKER_FEE_RATE) + mulWadUp(notional, TAKER_FEE_RATE);
}

/** Stakers (Alice, Bob, Carol, Mallory the attacker), funded traders (Dave, Erin), a stranger with no role. */
export async function insuranceFixture() {
  const b = await deployBallast();
  const [alice, bob, carol, mallory, dave, erin, stranger] = b.users;
  const fundAddress = await b.fund.getAddress();
  const usdc = await b.cash.getAddress();
  for (const u of [alice, bob, carol, mallory]) {
    await (await b.cash.mint(u.address, STAKER_BALANCE)).wait();
    await (await b.cash.connect(u).approve(fundAddress, MAX)).wait();
  }
  for (const u of [dave, erin]) await fundVaultAccount(b, u, "USDC", 1_000_000n * USDC);
  const auctionAddress = await b.auction.getAddress();
  await setBalance(auctionAddress, 10n ** 20n);
  return {
    ...b,
    alice,
    bob,
    carol,
    /** The attacker of the inflation tests. */
    mallory,
    dave,
    erin,
    /** Holds no role, no shares and no account. */
    stranger,
    fundAddress,
    usdc,
    fundAcct: await b.fund.fundAccount(),
    auctionAddress,
    /** The account credited by `cover` in the tests. */
    recipient: accountId(stranger.address, 1),
  };
}

export type InsuranceFixture = Awaited<ReturnType<typeof insuranceFixture>>;

/** `insuranceFixture` plus Alice's and Bob's stakes (4,000 USDC in the fund's vault account, price 10**6 shares/unit). */
export async function stakedFixture(): Promise<InsuranceFixture> {
  const f = await loadFixture(insuranceFixture);
  await (await f.fund.connect(f.alice).deposit(ALICE_STAKE, f.alice.address)).wait();
  await (await f.fund.connect(f.bob).deposit(BOB_STAKE, f.bob.address)).wait();
  return f;
}

/** The liquidation auction as a signer (impersonated; funded with ETH by the fixture). */
export async function auctionSigner(f: InsuranceFixture): Promise<HardhatEthersSigner> {
  return ethers.getImpersonatedSigner(f.auctionAddress);
}

/** `cover` called by the auction; returns the transaction. */
export async function cover(f: InsuranceFixture, eventId: string, recipient: bigint, amount: bigint) {
  return f.fund.connect(await auctionSigner(f)).cover(eventId, recipient, amount);
}

/** The WAD paid by `cover` if called now (static call as the auction). */
export async function coverStatic(f: InsuranceFixture, eventId: string, recipient: bigint, amount: bigint): Promise<bigint> {
  return f.fund.connect(await auctionSigner(f)).cover.staticCall(eventId, recipient, amount);
}

/** An event id as the tests name them. */
export function eventId(name: string): string {
  return ethers.id(name);
}

/** Total supply and total assets of the fund. */
export async function fundState(f: InsuranceFixture): Promise<{ supply: bigint; total: bigint }> {
  return { supply: await f.fund.totalSupply(), total: await f.fund.totalAssets() };
}

/** The fund's signed vault cash (WAD). */
export async function fundCash(f: InsuranceFixture): Promise<bigint> {
  return f.vault.cashBalance(f.fundAcct);
}

/** Idle cash tokens held by the fund contract itself. */
export async function idle(f: InsuranceFixture): Promise<bigint> {
  return f.cash.balanceOf(f.fundAddress);
}

/** Sends `amount` freshly minted cash tokens straight to the fund contract (a donation: idle tokens). */
export async function donateIdle(f: InsuranceFixture, amount: bigint, from: HardhatEthersSigner = f.carol): Promise<void> {
  await (await f.cash.connect(from).mint(from.address, amount)).wait();
  await (await f.cash.connect(from).transfer(f.fundAddress, amount)).wait();
}

/**
 * Sends `amount` freshly minted cash tokens into the fund's vault account: deposited into the donor's own account,
 * then moved with `vault.transferCash` (only the fund itself may deposit into its account, R-15).
 */
export async function donateToVaultAccount(f: InsuranceFixture, amount: bigint, from: HardhatEthersSigner = f.carol): Promise<void> {
  const own = accountId(from.address, 99);
  await (await f.cash.connect(from).mint(from.address, amount)).wait();
  await (await f.cash.connect(from).approve(await f.vault.getAddress(), amount)).wait();
  await (await f.vault.connect(from).deposit(own, f.usdc, amount)).wait();
  await (await f.vault.connect(from).transferCash(own, f.fundAcct, amount)).wait();
}

/**
 * Dave sells `size` ETH-PERP (WAD) to Erin at the index price: the venue credits the maker and taker fees to the
 * fund's vault account. Refreshes the ETH price first (the engine wants it at most 60 s old). Returns the fees
 * (WAD) after checking that the fund's cash grew by exactly that.
 */
export async function collectFees(f: InsuranceFixture, size: bigint): Promise<bigint> {
  await setPrice(f, "ETH/USD", "3000");
  const before = await fundCash(f);
  await (await trade(f, f.dave, f.erin, "ETH-PERP", -size, ETH_PRICE)).wait();
  const fees = feesOf(size);
  expect((await fundCash(f)) - before).to.equal(fees);
  return fees;
}

/**
 * `user` requests a withdrawal of `shares` in a block at `latest + 10` s. Returns the transaction and the request's
 * time, readyAt (time + cooldown) and expiresAt (readyAt + window) for the fixture timing.
 */
export async function requestAt(f: InsuranceFixture, user: HardhatEthersSigner, shares: bigint, cooldown = COOLDOWN, window = WINDOW) {
  const t = BigInt(await time.latest()) + 10n;
  await time.setNextBlockTimestamp(t);
  const tx = await f.fund.connect(user).requestWithdrawal(shares);
  await tx.wait();
  return { tx, t, readyAt: t + cooldown, expiresAt: t + cooldown + window };
}

export { accountId, WAD, MAX };
