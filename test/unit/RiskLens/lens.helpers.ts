/**
 * Helpers of the RiskLens unit tests: a fixture with accounts of every shape (long, short, multi-market,
 * collateral-only, empty, thin-margin), MarginMath's formulas with the same rounding, and converters that turn
 * ethers `Result`s into plain values for deep equality.
 */
import { ethers } from "hardhat";
import { setBalance } from "@nomicfoundation/hardhat-network-helpers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Result } from "ethers";
import { deployBallast, fund, accountId, setPrice, makeOrder, signOrder, WAD, MAX, type Ballast } from "../../shared/fixtures";
import { liquidatableAtProbe } from "../../shared/snapshot";

export const USDC = 10n ** 6n;
export const ETH = 0;
export const BTC = 1;
/** RiskLens.MAX_PROBE_PRICE: type(uint96).max. */
export const MAX_PROBE_PRICE = (1n << 96n) - 1n;
/** 1e-9 ETH: a position whose value stays tiny at any price below 2**96. */
export const TINY = 10n ** 9n;
/** Carol's ETH long: 5.000000000123456789 ETH, so that notionals and margins at 8-decimal prices are inexact. */
export const CAROL_ETH = 5n * WAD + 123_456_789n;

// ------------------------------------------------------------------ MarginMath, same rounding

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** floor(x / WAD) for signed x. */
function floorWad(x: bigint): bigint {
  const q = x / WAD;
  return x < 0n && q * WAD !== x ? q - 1n : q;
}

/** |size| * price, rounded up. */
export function notionalUp(size: bigint, price: bigint): bigint {
  return (abs(size) * price + WAD - 1n) / WAD;
}

/** MarginMath.maintenanceMargin. */
export function maintenanceMargin(size: bigint, price: bigint, mmr: bigint): bigint {
  return (notionalUp(size, price) * mmr + WAD - 1n) / WAD;
}

/** MarginMath.initialMargin. */
export function initialMargin(size: bigint, price: bigint, imr: bigint, imrSizeFactor: bigint): bigint {
  let ratio = imr;
  if (imrSizeFactor !== 0n) {
    ratio = imr + (imrSizeFactor * abs(size) + WAD - 1n) / WAD;
    if (ratio > WAD) ratio = WAD;
  }
  return (notionalUp(size, price) * ratio + WAD - 1n) / WAD;
}

/** MarginMath.positionValue: size * (price - F) - basis, rounded toward negative infinity. */
export function positionValue(size: bigint, basis: bigint, price: bigint, cumulativeFunding: bigint): bigint {
  return floorWad(size * (price - cumulativeFunding)) - basis;
}

/** balance * price * haircut, each product rounded down (vault collateral value). */
export function haircutValue(balanceWad: bigint, price: bigint, haircut: bigint): bigint {
  return (((balanceWad * price) / WAD) * haircut) / WAD;
}

/** ceil(a / b) for non-negative integers. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

// ------------------------------------------------------------------ ethers Result -> plain values

/** Recursively converts an ethers `Result` (or array of them) to plain arrays, for deep equality. */
export function plain(x: unknown): unknown {
  if (x instanceof Result || Array.isArray(x)) return Array.from(x as ArrayLike<unknown>, plain);
  return x;
}

// ------------------------------------------------------------------ fixture

/** `maker` signs `size` (signed) at `price` in `marketId`; `taker` fills it all. Explicit, sequential salts. */
export async function settle(
  b: Ballast,
  maker: HardhatEthersSigner,
  taker: HardhatEthersSigner,
  marketId: number,
  size: bigint,
  price: bigint,
  salt: bigint,
) {
  const o = await makeOrder({ account: accountId(maker.address), marketId, size, limitPrice: price, signer: maker.address, salt });
  const sig = await signOrder(b, maker, o);
  const tx = await b.venue.connect(taker).fill(o, sig, accountId(taker.address), size < 0n ? -size : size, size < 0n ? MAX : 0n);
  await tx.wait();
}

/**
 * Accounts (all at fixture prices ETH 3000, BTC 60000, fills at the index so no funding accrues):
 * - alice: 2,000 USDC, long 10 ETH (taker, fee 15): thin margin, liquidatable below ~2888.
 * - henry: same as alice (maker against dave, fee 6); used as the frozen account.
 * - bob: 100,000 USDC, short 10 ETH (alice's maker).
 * - carol: 10,000 USDC + 2 WETH, long CAROL_ETH (~5 ETH, taker, fee ~7.5) and short 0.5 BTC (maker, fee 6): multi-market.
 * - dave: 5,000,000 USDC, counterparty of everyone else.
 * - erin: 1.5 WETH + 0.05 WBTC, no position: collateral-only.
 * - frank: nothing: empty.
 * - gina: 1,000 USDC, short 5 ETH (maker, fee 3): thin short, liquidatable above ~3106.
 * - ivan: 10,000 USDC, long 1 ETH: safe at every price.
 * - jack: 1,000 USDC, short 1e-9 ETH: safe at every price below 2**96.
 * - kate: 2,000 USDC, short 0.5 BTC and long 1e-9 ETH.
 * - liam: 2,000 USDC, long 0.5 BTC and short 1e-9 ETH.
 */
export async function lensFixture() {
  // Start 10 s past an hour boundary (see the OrderSettlement helpers): funding epochs are then where tests expect.
  const start = (Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10;
  await time.increaseTo(start);
  const b = await deployBallast();
  const [alice, bob, carol, dave, erin, frank, gina, henry, ivan, jack, kate, liam] = b.users;
  await fund(b, alice, "USDC", 2_000n * USDC);
  await fund(b, henry, "USDC", 2_000n * USDC);
  await fund(b, bob, "USDC", 100_000n * USDC);
  await fund(b, carol, "USDC", 10_000n * USDC);
  await fund(b, carol, "WETH", 2n * WAD);
  await fund(b, dave, "USDC", 5_000_000n * USDC);
  await fund(b, erin, "WETH", (3n * WAD) / 2n);
  await fund(b, erin, "WBTC", 5_000_000n); // 0.05 WBTC (8 decimals)
  await fund(b, gina, "USDC", 1_000n * USDC);
  await fund(b, ivan, "USDC", 10_000n * USDC);
  await fund(b, jack, "USDC", 1_000n * USDC);
  await fund(b, kate, "USDC", 2_000n * USDC);
  await fund(b, liam, "USDC", 2_000n * USDC);

  const P_ETH = 3000n * WAD;
  const P_BTC = 60_000n * WAD;
  await settle(b, bob, alice, ETH, -10n * WAD, P_ETH, 1n);
  await settle(b, henry, dave, ETH, 10n * WAD, P_ETH, 2n);
  await settle(b, dave, carol, ETH, -CAROL_ETH, P_ETH, 3n);
  await settle(b, carol, dave, BTC, -WAD / 2n, P_BTC, 4n);
  await settle(b, gina, dave, ETH, -5n * WAD, P_ETH, 5n);
  await settle(b, dave, ivan, ETH, -WAD, P_ETH, 6n);
  await settle(b, jack, dave, ETH, -TINY, P_ETH, 7n);
  await settle(b, kate, dave, BTC, -WAD / 2n, P_BTC, 8n);
  await settle(b, dave, kate, ETH, -TINY, P_ETH, 9n);
  await settle(b, liam, dave, BTC, WAD / 2n, P_BTC, 10n);
  await settle(b, liam, dave, ETH, -TINY, P_ETH, 11n);

  const acc = (s: HardhatEthersSigner) => accountId(s.address);
  return {
    ...b,
    s: { alice, bob, carol, dave, erin, frank, gina, henry, ivan, jack, kate, liam },
    a: {
      alice: acc(alice),
      bob: acc(bob),
      carol: acc(carol),
      dave: acc(dave),
      erin: acc(erin),
      frank: acc(frank),
      gina: acc(gina),
      henry: acc(henry),
      ivan: acc(ivan),
      jack: acc(jack),
      kate: acc(kate),
      liam: acc(liam),
    },
    t0: BigInt(await time.latest()),
  };
}

export type LensFixture = Awaited<ReturnType<typeof lensFixture>>;

/** Fresh oracle price of every market, indexed by market id. */
export async function marketPrices(b: Ballast): Promise<bigint[]> {
  const n = Number(await b.engine.marketCount());
  const out: bigint[] = [];
  for (let id = 0; id < n; id++) out.push(await b.oracle.getPrice((await b.engine.marketView(id)).oracleAsset));
  return out;
}

/**
 * Whether `account` is liquidatable with market `marketId` at `price`, other markets at their oracle prices except
 * those on the same oracle asset (review F4), and every collateral priced by the market's own oracle asset (WETH
 * under ETH-PERP) also at `price` (issue #11 class 11): engine.accountMarginAtPrices over
 * vault.marginCollateralAtPrices.
 */
export async function liquidatableAt(b: Ballast, account: bigint, marketId: number, price: bigint): Promise<boolean> {
  const tokenPrices: bigint[] = [];
  const tokenAssets: string[] = [];
  for (let i = 0n; i < (await b.vault.tokenCount()); i++) {
    const info = await b.vault.tokenInfo(await b.vault.tokenAt(i));
    tokenAssets.push(info.oracleAsset);
    tokenPrices.push(await b.oracle.getPrice(info.oracleAsset).catch(() => 0n));
  }
  const marketAssets: string[] = [];
  for (let id = 0n; id < (await b.engine.marketCount()); id++) marketAssets.push((await b.engine.marketView(id)).oracleAsset);
  return liquidatableAtProbe(b, account, marketId, price, {
    marketPrices: await marketPrices(b),
    tokenPrices,
    tokenAssets,
    marketAssets,
  });
}

/**
 * Freezes `account` as a liquidation auction does, by calling the vault as the bound auction contract
 * (impersonated) with no tip.
 */
export async function freeze(b: Ballast, account: bigint): Promise<void> {
  const auction = await ethers.getImpersonatedSigner(await b.auction.getAddress());
  await setBalance(auction.address, 10n ** 18n);
  await (await b.vault.connect(auction).startLiquidation(account, account, 0n)).wait();
}

/** Re-publishes every feed's current answer at the current block time (keeps all prices fresh). */
export async function refreshFeeds(b: Ballast, except: string[] = []): Promise<void> {
  for (const [key, feed] of Object.entries(b.feeds)) {
    if (except.includes(key)) continue;
    await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  }
}

export { setPrice, WAD, MAX };
