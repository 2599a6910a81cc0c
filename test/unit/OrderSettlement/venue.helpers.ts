/**
 * Helpers of the OrderSettlement unit tests: a funded fixture, explicit-salt orders, signing under any EIP-712
 * domain (to prove a signature is bound to one chain and one venue) and the venue's fee arithmetic.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Signer, TypedDataDomain } from "ethers";
import { ORDER_TYPES, orderDigest, signOrder, venueDomain as domainOf } from "../../../src/venue/orders";
import { deployBallast, fund, accountId, WAD, MAX, type Ballast, type Order } from "../../shared/fixtures";

export const USDC = 10n ** 6n;
/** Fixture venue fee rates (deploy/parameters/hardhat.json): maker 0.02%, taker 0.05%. */
export const MAKER_FEE_RATE = 2n * 10n ** 14n;
export const TAKER_FEE_RATE = 5n * 10n ** 14n;
export const MAX_FEE_RATE = 10n ** 16n;
export const MAX_UINT128 = (1n << 128n) - 1n;
/** Operator scopes of IMarginEngine.Scope. */
export const SCOPE = { None: 0, Trade: 1, Full: 2 } as const;
export const ETH = 0;
export const BTC = 1;
/** Cash each trader deposits (WAD value of 1,000,000 USDC). */
export const DEPOSIT = 1_000_000n * USDC;
export const DEPOSIT_WAD = 1_000_000n * WAD;

export { ORDER_TYPES };

/** x * y / 1e18 rounded up (WadMath.mulWadUp). */
export function mulWadUp(x: bigint, y: bigint): bigint {
  return (x * y + WAD - 1n) / WAD;
}

/** x * y / 1e18 rounded toward negative infinity (WadMath.mulWadDown for signed x). */
export function mulWadFloor(x: bigint, y: bigint): bigint {
  const p = x * y;
  const q = p / WAD;
  return p < 0n && q * WAD !== p ? q - 1n : q;
}

/** The venue's fees of one fill: notional = ceil(fill * price), each fee = ceil(notional * rate). */
export function feesOf(fillSize: bigint, price: bigint, makerRate = MAKER_FEE_RATE, takerRate = TAKER_FEE_RATE) {
  const notional = mulWadUp(fillSize, price);
  return { notional, makerFee: mulWadUp(notional, makerRate), takerFee: mulWadUp(notional, takerRate) };
}

/** The venue's EIP-712 domain, optionally with some fields replaced. */
export async function venueDomain(b: Ballast, overrides: Partial<TypedDataDomain> = {}): Promise<TypedDataDomain> {
  const { chainId } = await ethers.provider.getNetwork();
  return { ...domainOf(chainId, await b.venue.getAddress()), ...overrides };
}

/** Signs `order` under `domain` (any domain, for cross-chain and cross-venue replay tests). */
export async function signWithDomain(signer: Signer, domain: TypedDataDomain, order: Order): Promise<string> {
  return signOrder(signer, domain, order);
}

/** Signs `order` for the fixture venue on this chain. */
export async function sign(b: Ballast, signer: Signer, order: Order): Promise<string> {
  return signWithDomain(signer, await venueDomain(b), order);
}

/** The EIP-712 digest of `order` for the fixture venue, computed off-chain by ethers. */
export async function digest(b: Ballast, order: Order): Promise<string> {
  return orderDigest(await venueDomain(b), order);
}

/**
 * Moves the clock to 10 s past the next hour boundary, so that a fixture always starts at the same point of a
 * funding epoch (1 h) whatever ran before it: no epoch closes during a test unless the test moves time.
 */
export async function alignToHour(): Promise<number> {
  const start = (Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10;
  await time.increaseTo(start);
  return start;
}

/** Funded traders, an operator and a stranger; `t0` is the fixture's last block time, `expiry` one day later. */
export async function venueFixture() {
  await alignToHour();
  const b = await deployBallast();
  const [alice, bob, carol, dave, erin] = b.users;
  for (const u of [alice, bob, carol]) await fund(b, u, "USDC", DEPOSIT);
  const t0 = BigInt(await time.latest());
  return {
    ...b,
    alice,
    bob,
    carol,
    /** Holds no role and no account; becomes an operator in some tests. */
    dave,
    /** A stranger: never authorised by anyone. */
    erin,
    t0,
    expiry: t0 + 86_400n,
    fee: b.deployer,
  };
}

export type VenueFixture = Awaited<ReturnType<typeof venueFixture>>;

/** An order with an explicit salt; expiry defaults to the fixture's `expiry`, nonce 0, not reduce-only. */
export function order(
  v: VenueFixture,
  o: { account: bigint; size: bigint; limitPrice: bigint; signer: string; salt: bigint } & Partial<Order>,
): Order {
  return { marketId: ETH, expiry: v.expiry, nonce: 0n, reduceOnly: false, ...o };
}

/** `taker` fills `fillSize` of `o` for `takerAccount` (default: its subaccount 0) with a permissive price limit. */
export async function fillOrder(
  v: VenueFixture,
  taker: HardhatEthersSigner,
  o: Order,
  sig: string,
  fillSize: bigint,
  opts: { takerAccount?: bigint; limit?: bigint } = {},
) {
  const limit = opts.limit ?? (BigInt(o.size) < 0n ? MAX : 0n);
  return v.venue.connect(taker).fill(o, sig, opts.takerAccount ?? accountId(taker.address), fillSize, limit);
}

/** `maker` sells (size < 0) or buys `size` at `price`; `taker` takes all of it. Explicit salt. */
export async function tradeFull(
  v: VenueFixture,
  maker: HardhatEthersSigner,
  taker: HardhatEthersSigner,
  size: bigint,
  price: bigint,
  salt: bigint,
  marketId: number = ETH,
) {
  const o = order(v, { account: accountId(maker.address), marketId, size, limitPrice: price, signer: maker.address, salt });
  const sig = await sign(v, maker, o);
  await (await fillOrder(v, taker, o, sig, size < 0n ? -size : size)).wait();
  return o;
}

/** Session-key limits wide enough never to bind in a test that is not about them: 5% band, 1e30 notional, 1 day. */
export const OPEN_KEY_LIMITS = { priceBand: 5n * 10n ** 16n, notionalPerPeriod: 10n ** 30n, period: 86_400n } as const;

/**
 * `owner` sets its venue limits for session key `key` (issue #11 class 5: a trade-scope key without limits is
 * refused). Defaults: {@link OPEN_KEY_LIMITS}, expiring at the fixture's `expiry`.
 */
export async function setKeyLimits(
  v: VenueFixture,
  owner: HardhatEthersSigner,
  key: string,
  limits: Partial<{ priceBand: bigint; notionalPerPeriod: bigint; period: bigint; expiry: bigint }> = {},
) {
  const l = { ...OPEN_KEY_LIMITS, expiry: v.expiry, ...limits };
  await (await v.venue.connect(owner).setSessionKeyLimits(key, l.priceBand, l.notionalPerPeriod, l.period, l.expiry)).wait();
}

export { accountId, WAD, MAX };
