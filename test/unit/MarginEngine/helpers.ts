/**
 * Helpers of the margin engine unit tests: exact bigint mirrors of the documented formulas (MarginMath, WadMath,
 * the engine's fill and funding rules, the venue's fees), fixtures built on the shared Ignition fixture, an order
 * helper with explicit salts, and pinned-time helpers.
 *
 * Every formula here follows the NatSpec of the contracts (rounding direction included); the tests compare the
 * chain against these values to the wei.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { ErrorDescription, Interface } from "ethers";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import * as M from "../../../src/model";
import {
  accountId,
  deployBallast,
  fund,
  localParams,
  makeOrder,
  signOrder,
  MAX,
  WAD,
  type Ballast,
  type Order,
} from "../../shared/fixtures";
import { EngineAccounts__factory, EngineMarketListing__factory, MarginEngine__factory } from "../../../typechain-types";
import type { IMarketConfigurator } from "../../../typechain-types/contracts/config/MarketConfigurator";
import type { ICollateralVault } from "../../../typechain-types/contracts/engine/MarginEngine";

export { accountId, fund, MAX, WAD, type Ballast };

// ------------------------------------------------------------------------------------------ constants

export const USDC = 10n ** 6n;
export const ETH = 0;
export const BTC = 1;
/** Venue fee rates of deploy/parameters/hardhat.json: maker 0.02%, taker 0.05%. */
export const MAKER_FEE_RATE = 2n * 10n ** 14n;
export const TAKER_FEE_RATE = 5n * 10n ** 14n;
/** Market parameters of deploy/parameters/hardhat.json (WAD). */
export const ETH_MMR = 3n * 10n ** 16n;
export const ETH_IMR = 5n * 10n ** 16n;
export const BTC_MMR = 25n * 10n ** 15n;
export const BTC_IMR = 5n * 10n ** 16n;
export const MAX_FUNDING_RATE = 10n ** 16n;
export const MAX_FILL_DEVIATION = 5n * 10n ** 16n;
export const FUNDING_EPOCH = 3600;
export const FUNDING_PERIOD = 28800n;
export const MAX_UINT96 = 2n ** 96n - 1n;
export const Scope = { None: 0, Trade: 1, Full: 2 } as const;

export const bytes32 = (s: string): string => ethers.encodeBytes32String(s);
export const ETH_ASSET = bytes32("ETH/USD");
export const BTC_ASSET = bytes32("BTC/USD");

/** Human decimal to WAD: wad("3000.5") = 3000.5e18. */
export const wad = (s: string | number): bigint => ethers.parseUnits(String(s), 18);

// ------------------------------------------------------------------------------------------ exact arithmetic

export const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** a / b rounded toward negative infinity (b != 0). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** a / b rounded toward positive infinity (b != 0). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}

/** WadMath.mulWadDown for signed or unsigned operands: floor(x * y / 1e18). */
export const mulWadDown = (x: bigint, y: bigint): bigint => floorDiv(x * y, WAD);
/** WadMath.mulWadUp: ceil(x * y / 1e18). */
export const mulWadUp = (x: bigint, y: bigint): bigint => ceilDiv(x * y, WAD);
/** WadMath.divWadDown (y > 0): floor(x * 1e18 / y). */
export const divWadDown = (x: bigint, y: bigint): bigint => floorDiv(x * WAD, y);
/** WadMath.divWadUp (y > 0): ceil(x * 1e18 / y). */
export const divWadUp = (x: bigint, y: bigint): bigint => ceilDiv(x * WAD, y);

// ------------------------------------------------------------------------------------------ MarginMath mirror

/** size * (price - F) - basis, the product rounded toward negative infinity. */
export const positionValue = (size: bigint, basis: bigint, price: bigint, cumulativeFunding: bigint): bigint =>
  floorDiv(size * (price - cumulativeFunding), WAD) - basis;

/**
 * Value [WAD cash] of `account`'s position in `marketId` at `price` with funding accrued to now, as the engine values
 * it: the stored position and the engine's funding index at that price, through {positionValue}.
 */
export async function positionValueAt(
  engine: { position(a: bigint, m: number): Promise<[bigint, bigint]>; cumulativeFundingAt(m: number, p: bigint): Promise<bigint> },
  account: bigint,
  marketId: number,
  price: bigint,
): Promise<bigint> {
  const [size, basis] = await engine.position(account, marketId);
  return positionValue(size, basis, price, await engine.cumulativeFundingAt(marketId, price));
}

/** |size| * price rounded up. */
export const notionalUp = (size: bigint, price: bigint): bigint => ceilDiv(abs(size) * price, WAD);

/** |size| * price * mmr, each step rounded up. */
export const maintenanceMargin = (size: bigint, price: bigint, mmr: bigint): bigint => ceilDiv(notionalUp(size, price) * mmr, WAD);

/** |size| * price * min(1, imr + factor * |size|), each step rounded up. */
export function initialMargin(size: bigint, price: bigint, imr: bigint, imrSizeFactor = 0n): bigint {
  let ratio = imr;
  if (imrSizeFactor !== 0n) {
    ratio = imr + ceilDiv(imrSizeFactor * abs(size), WAD);
    if (ratio > WAD) ratio = WAD;
  }
  return ceilDiv(notionalUp(size, price) * ratio, WAD);
}

/** F + rate * dt * price / 1e18 rounded toward negative infinity. */
export const fundingIndexAt = (cumulativeFunding: bigint, ratePerSecond: bigint, price: bigint, dt: bigint | number): bigint =>
  cumulativeFunding + floorDiv(ratePerSecond * BigInt(dt) * price, WAD);

/** MarginMath.healthFactor (src/model). */
export const healthFactor = M.healthFactor;

// ------------------------------------------------------------------------------------------ venue and engine rules

/** The venue's fees of a fill of `fillSize` at `price` at the fixture's rates (src/model: notional and fees rounded up). */
export function venueFees(fillSize: bigint, price: bigint): { makerFee: bigint; takerFee: bigint } {
  return M.venueFees(abs(fillSize), price, MAKER_FEE_RATE, TAKER_FEE_RATE);
}

/** Premium sample of a fill: (price - index) / index, rounded toward negative infinity. */
export const premiumSample = (price: bigint, index: bigint): bigint => divWadDown(price - index, index);

/** Open-interest caps of deploy/parameters/hardhat.json (WAD base units). */
export const ETH_OI_CAP = 100_000n * WAD;
export const BTC_OI_CAP = 5_000n * WAD;

/**
 * The market premium after a fill of `size` samples `sample` (issue #11 class 4): it moves from `previous` toward the
 * sample by min(1, |size| / (cap * 1%)) (src/model/market.ts `premiumWeight`, `blendPremium`).
 */
export const premiumAfterFill = (previous: bigint, sample: bigint, size: bigint, cap: bigint): bigint =>
  M.blendPremium(previous, sample, M.premiumWeight(size, cap));

/** The funding rate per second set by an epoch's time-weighted premium: clamp(twap, +-cap) / 8 h, toward zero. */
export function fundingRate(twap: bigint, cap = MAX_FUNDING_RATE): { twap: bigint; rate: bigint } {
  const t = twap > cap ? cap : twap < -cap ? -cap : twap;
  return { twap: t, rate: t / FUNDING_PERIOD };
}

export type Pos = M.Position;
export type Side = M.Side & { after: Pos };

/** One side of a fill (MarginEngine._applyFill, mirrored by src/model/trade.ts). */
export function applyFill(p: Pos, d: bigint, n: bigint): Side {
  const side = M.applyFill(p, d, n);
  return { ...side, after: side.position };
}

/** Both sides of a fill: the taker's notional takerSize * (price - F) rounded down, the maker's its negation. */
export function modelTrade(maker: Pos, taker: Pos, takerSize: bigint, price: bigint, cumulativeFunding = 0n) {
  const t = M.applyTrade(maker, taker, takerSize, price, cumulativeFunding);
  return { notional: t.notional, mk: { ...t.maker, after: t.maker.position }, tk: { ...t.taker, after: t.taker.position } };
}

/** MarginEngine._surplusNotWorse: pnl at the mark - fee + released maintenance margin >= 0 (each rounded down). */
export function surplusChange(s: { sizeBefore: bigint; sizeAfter: bigint }, price: bigint, fee: bigint, mark: bigint, mmr: bigint) {
  const d = s.sizeAfter - s.sizeBefore;
  const pnlAtMark = mulWadDown(d, mark - price);
  const released = mulWadDown(mulWadDown(abs(s.sizeBefore) - abs(s.sizeAfter), mark), mmr);
  return pnlAtMark - fee + released;
}

// ------------------------------------------------------------------------------------------ chain helpers

/** Pins the timestamp of the next block. */
export async function at(t: number | bigint): Promise<void> {
  await time.setNextBlockTimestamp(Number(t));
}

/** Refreshes every feed with its current answer (one block each). */
export async function refreshFeeds(b: Ballast): Promise<void> {
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
}

/**
 * Moves to an hour boundary H at least one hour ahead of the latest block (so wall-clock drift cannot reach it),
 * refreshes every feed at H - 300 + i (heartbeat 1 h: valid until H + 3300) and returns H. Funding epochs start
 * at H, so time-dependent values are reproducible whatever the wall clock did.
 */
export async function alignToHour(b: Ballast): Promise<number> {
  const latest = await time.latest();
  const h = (Math.floor(latest / FUNDING_EPOCH) + 2) * FUNDING_EPOCH;
  let t = h - 300;
  for (const feed of Object.values(b.feeds)) {
    await at(t++);
    await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  }
  return h;
}

/** Sets a feed's answer (human price) in a block pinned at `t` when given. */
export async function setFeed(b: Ballast, key: string, price: string | number, t?: number): Promise<void> {
  if (t !== undefined) await at(t);
  const feed = b.feeds[key];
  await (await feed.updateAnswer(ethers.parseUnits(String(price), await feed.decimals()))).wait();
}

let saltCounter = 1_000n;
/** A fresh explicit order salt (deterministic counter). */
export const nextSalt = (): bigint => saltCounter++;

export interface FillOptions {
  makerAccount?: bigint;
  takerAccount?: bigint;
  /** Taker's fill size (unsigned WAD); defaults to the whole order. */
  fillSize?: bigint;
  reduceOnly?: boolean;
  salt?: bigint;
  /** Who signs the maker order (default: the maker); an operator of the maker's owner may sign. */
  makerSigner?: HardhatEthersSigner;
  /** Who sends the fill (default: the taker); an operator of the taker's owner may send. */
  sender?: HardhatEthersSigner;
}

/**
 * Maker signs an order of `makerSize` (signed WAD; < 0 sells) at `price` (WAD); the taker fills it. The fill price
 * is the order's limit price. Returns the fill transaction (not awaited for a receipt).
 */
export async function fill(
  b: Ballast,
  maker: HardhatEthersSigner,
  taker: HardhatEthersSigner,
  marketId: number,
  makerSize: bigint,
  price: bigint,
  o: FillOptions = {},
) {
  const signer = o.makerSigner ?? maker;
  const order: Order = await makeOrder({
    account: o.makerAccount ?? accountId(maker.address),
    marketId,
    size: makerSize,
    limitPrice: price,
    signer: signer.address,
    salt: o.salt ?? nextSalt(),
    reduceOnly: o.reduceOnly ?? false,
  });
  const sig = await signOrder(b, signer, order);
  const size = o.fillSize ?? abs(makerSize);
  const limit = makerSize < 0n ? MAX : 0n;
  return b.venue.connect(o.sender ?? taker).fill(order, sig, o.takerAccount ?? accountId(taker.address), size, limit);
}

/**
 * The custom error a mined, reverted transaction returned (its return data from debug_traceTransaction), decoded
 * with `iface`. For transactions that cannot be asserted with revertedWithCustomError because they were mined
 * with automine off.
 */
export async function revertErrorOf(iface: Interface, txHash: string): Promise<ErrorDescription> {
  const trace = await network.provider.send("debug_traceTransaction", [
    txHash,
    { disableMemory: true, disableStack: true, disableStorage: true },
  ]);
  expect(trace.failed, "the transaction reverted").to.equal(true);
  const data = String(trace.returnValue);
  const err = iface.parseError(data.startsWith("0x") ? data : `0x${data}`);
  expect(err, "a custom error of this interface").to.not.equal(null);
  return err!;
}

/** Position of `account` in `marketId` as a `Pos`. */
export async function pos(b: Ballast, account: bigint, marketId: number): Promise<Pos> {
  const [size, basis] = await b.engine.position(account, marketId);
  return { size, basis };
}

/** Cash value (WAD) of `account` in the vault ledger. */
export const cashOf = (b: Ballast, account: bigint): Promise<bigint> => b.vault.cashBalance(account);

/** The venue's fee account: the insurance fund's vault account (subaccount 0 of the fund's address). */
export const feeAccountOf = async (b: Ballast): Promise<bigint> => b.venue.feeAccount();

/** Sends ETH for gas to an impersonated (contract) address and returns its signer. */
export async function impersonate(address: string): Promise<HardhatEthersSigner> {
  await setBalance(address, 100n * WAD);
  return ethers.getImpersonatedSigner(address);
}

/** The liquidation auction bound by the deployment (the engine's and the vault's liquidator), impersonated. */
export async function auctionSigner(b: Ballast): Promise<HardhatEthersSigner> {
  return impersonate(await b.auction.getAddress());
}

/** The insurance fund (owner of the venue's fee account), impersonated. */
export async function fundSigner(b: Ballast): Promise<HardhatEthersSigner> {
  return impersonate(await b.fund.getAddress());
}

/** No cash legs: a portfolio transfer without the bid's cash movements. */
export const NO_LEGS: ICollateralVault.CashLegsStruct = { toFrom: 0n, toTo: 0n, third: 0n, toThird: 0n };

/** A market's risk parameters as the configurator stores them, as a struct to modify and push back. */
export async function riskParamsOf(b: Ballast, marketId: number): Promise<IMarketConfigurator.RiskParamsStruct> {
  const r = await b.configurator.riskParams(marketId);
  return {
    mmrBase: r.mmrBase,
    imrBase: r.imrBase,
    mmrFloor: r.mmrFloor,
    mmrCap: r.mmrCap,
    volMultiplier: r.volMultiplier,
    volReference: r.volReference,
    volDecay: r.volDecay,
    minObservationInterval: r.minObservationInterval,
    maxRatioStepPerHour: r.maxRatioStepPerHour,
    imrSizeFactor: r.imrSizeFactor,
  };
}

/** Asserts INV-07 over `accounts` (every holder of the market): sizes sum to zero, OI and totalBasis match. */
export async function expectMarketConsistent(b: Ballast, marketId: number, accounts: bigint[]): Promise<void> {
  let sum = 0n;
  let long = 0n;
  let basis = 0n;
  for (const a of accounts) {
    const p = await pos(b, a, marketId);
    sum += p.size;
    if (p.size > 0n) long += p.size;
    basis += p.basis;
  }
  const v = await b.engine.marketView(marketId);
  expect(sum, "INV-07 sizes sum to zero").to.equal(0n);
  expect(v.longOpenInterest, "INV-07 longOpenInterest").to.equal(long);
  expect(v.totalBasis, "INV-07 totalBasis").to.equal(basis);
}

// ------------------------------------------------------------------------------------------ fixtures

export interface EngineFixture {
  b: Ballast;
  alice: HardhatEthersSigner;
  bob: HardhatEthersSigner;
  carol: HardhatEthersSigner;
  dave: HardhatEthersSigner;
  erin: HardhatEthersSigner;
  /** Accounts (subaccount 0). */
  A: bigint;
  B: bigint;
  C: bigint;
  D: bigint;
  E: bigint;
  /** The venue's fee account: the insurance fund's vault account. */
  FEE: bigint;
}

async function named(b: Ballast): Promise<EngineFixture> {
  const [alice, bob, carol, dave, erin] = b.users;
  return {
    b,
    alice,
    bob,
    carol,
    dave,
    erin,
    A: accountId(alice.address),
    B: accountId(bob.address),
    C: accountId(carol.address),
    D: accountId(dave.address),
    E: accountId(erin.address),
    FEE: await b.venue.feeAccount(),
  };
}

/** The shared protocol fixture; alice and bob (the usual makers/takers) hold 1,000,000 USDC each. */
export async function engineFixture(): Promise<EngineFixture> {
  const b = await deployBallast();
  const f = await named(b);
  await fund(b, f.alice, "USDC", 1_000_000n * USDC);
  await fund(b, f.bob, "USDC", 1_000_000n * USDC);
  return f;
}

/**
 * As `engineFixture` with `maxPriceAge` 0: every margin check and fill reads the oracle, so a price pushed to a
 * feed is the mark of the next transaction (used where tests move prices and do not study the cache).
 */
export async function freshPriceFixture(): Promise<EngineFixture> {
  const f = await engineFixture();
  await (await f.b.engine.setMaxPriceAge(0)).wait();
  return f;
}

export const EXTRA_MARKETS = 15;

/**
 * Seventeen markets (ETH, BTC and fifteen more on their own feeds, listed through the configurator by the
 * Ignition module from localParams()); alice holds USDC. Used for the per-account market limit (16).
 */
export async function seventeenMarketFixture(): Promise<EngineFixture> {
  const p = localParams();
  const base = p.markets[0];
  for (let i = 0; i < EXTRA_MARKETS; i++) {
    const sym = `X${i}`;
    p.feeds[`${sym}/USD`] = { decimals: 8, initialPrice: "100", heartbeat: "1h", minPrice: "0.01", maxPrice: "1000000" };
    p.markets.push({ ...base, name: `${sym}-PERP`, base: sym, oracle: `${sym}/USD`, openInterestCap: `1,000,000 ${sym}` });
  }
  const b = await deployBallast(p);
  await refreshFeeds(b);
  const f = await named(b);
  for (const u of [f.alice, f.bob, f.carol, f.dave]) await fund(b, u, "USDC", 10_000_000n * USDC);
  return f;
}

// ------------------------------------------------------------------------------------------ checked fill

export interface CheckedFill {
  maker: HardhatEthersSigner;
  taker: HardhatEthersSigner;
  marketId: number;
  /** Signed maker order size (< 0: the maker sells and the taker buys). */
  makerSize: bigint;
  price: bigint;
  makerAccount?: bigint;
  takerAccount?: bigint;
  fillSize?: bigint;
  /** Cumulative funding index the fill settles at (default: the stored index, exact while the rate is zero). */
  cumulativeFunding?: bigint;
}

/**
 * Sends a fill and checks every effect against the documented rules, to the wei: the `TradeSettled` event,
 * both positions (size and basis), both cash balances (realised PnL minus fee), the fee account (INV-08: the
 * fees arrive exactly), the zero-sum rule (INV-08: the sum over both accounts of cash - basis changes by exactly
 * -(makerFee + takerFee)), long open interest and totalBasis (INV-07), and the market bitmaps with the vault's
 * hasPositions flag (INV-04). Returns the model's view of the fill.
 */
export async function expectFill(f: EngineFixture, c: CheckedFill) {
  const { b, FEE } = f;
  const mA = c.makerAccount ?? accountId(c.maker.address);
  const tA = c.takerAccount ?? accountId(c.taker.address);
  const fillSize = c.fillSize ?? abs(c.makerSize);
  const takerSize = c.makerSize < 0n ? fillSize : -fillSize;
  const [mPos, tPos, mCash, tCash, feeCash, mv] = await Promise.all([
    pos(b, mA, c.marketId),
    pos(b, tA, c.marketId),
    cashOf(b, mA),
    cashOf(b, tA),
    cashOf(b, FEE),
    b.engine.marketView(c.marketId),
  ]);
  const F = c.cumulativeFunding ?? mv.cumulativeFunding;
  const m = modelTrade(mPos, tPos, takerSize, c.price, F);
  const { makerFee, takerFee } = venueFees(fillSize, c.price);

  const tx = fill(b, c.maker, c.taker, c.marketId, c.makerSize, c.price, { makerAccount: mA, takerAccount: tA, fillSize });
  await expect(tx)
    .to.emit(b.engine, "TradeSettled")
    .withArgs(await b.venue.getAddress(), c.marketId, mA, tA, takerSize, c.price, makerFee, takerFee, m.mk.realised, m.tk.realised);

  const [mPos2, tPos2, mCash2, tCash2, feeCash2, mv2] = await Promise.all([
    pos(b, mA, c.marketId),
    pos(b, tA, c.marketId),
    cashOf(b, mA),
    cashOf(b, tA),
    cashOf(b, FEE),
    b.engine.marketView(c.marketId),
  ]);
  expect(mPos2, "maker position").to.deep.equal(m.mk.after);
  expect(tPos2, "taker position").to.deep.equal(m.tk.after);
  expect(mCash2 - mCash, "maker cash").to.equal(m.mk.realised - makerFee);
  expect(tCash2 - tCash, "taker cash").to.equal(m.tk.realised - takerFee);
  expect(feeCash2 - feeCash, "INV-08 fees arrive in the fee account").to.equal(makerFee + takerFee);
  const zeroSum = mCash2 - mPos2.basis + (tCash2 - tPos2.basis) - (mCash - mPos.basis + (tCash - tPos.basis));
  expect(zeroSum, "INV-08 sum of (cash - basis) changes by -(fees)").to.equal(-(makerFee + takerFee));

  const long = (s: bigint) => (s > 0n ? s : 0n);
  const longDelta = long(mPos2.size) - long(mPos.size) + long(tPos2.size) - long(tPos.size);
  expect(mv2.longOpenInterest - mv.longOpenInterest, "INV-07 longOpenInterest").to.equal(longDelta);
  expect(mv2.totalBasis - mv.totalBasis, "INV-07 totalBasis").to.equal(m.mk.basisDelta + m.tk.basisDelta);

  for (const [acct, p] of [
    [mA, mPos2],
    [tA, tPos2],
  ] as const) {
    const [markets] = await b.engine.accountInfo(acct);
    const bit = 1n << BigInt(c.marketId);
    expect((markets & bit) !== 0n, "INV-04 market bit").to.equal(p.size !== 0n);
    const [, hasPositions] = await b.vault.accountStatus(acct);
    expect(hasPositions, "INV-04 vault hasPositions").to.equal(markets !== 0n);
  }
  return { ...m, makerFee, takerFee, takerSize };
}

/**
 * A MarginEngine factory linked to freshly deployed EngineMarketListing and EngineAccounts libraries (the engine's
 * market listing and account settings run in those linked libraries, as the Ignition module deploys them; its view
 * module is created by its own constructor).
 */
export async function engineFactory(signer: HardhatEthersSigner): Promise<MarginEngine__factory> {
  const [listing, accounts] = await Promise.all([
    new EngineMarketListing__factory(signer).deploy(),
    new EngineAccounts__factory(signer).deploy(),
  ]);
  return new MarginEngine__factory(
    {
      "contracts/engine/EngineMarketListing.sol:EngineMarketListing": await listing.getAddress(),
      "contracts/engine/EngineAccounts.sol:EngineAccounts": await accounts.getAddress(),
    },
    signer,
  );
}
