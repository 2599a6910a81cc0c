/**
 * Helpers of the CollateralVault unit tests: fixtures built on the shared protocol deployment, a standalone vault
 * whose engine and liquidator are plain accounts (to drive engine-only and liquidator-only functions directly),
 * extra collateral listings, WadMath mirrors and a reference model of the cash interest index.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployBallast, accountId, assetKey, fund, trade, setPrice, WAD, type Ballast } from "../../shared/fixtures";
import {
  AccessManager__factory,
  VaultAdmin__factory,
  CollateralVault__factory,
  MockV3Aggregator__factory,
  TestERC20__factory,
  type CollateralVault,
} from "../../../typechain-types";

export { WAD, accountId, assetKey };

/** One unit of each fixture token, in token units. */
export const USDC = 10n ** 6n;
export const BTC = 10n ** 8n;
/** 10**(18 - decimals) of the fixture tokens. */
export const USDC_SCALE = 10n ** 12n;
export const BTC_SCALE = 10n ** 10n;

export const DAY = 86_400n;
export const YEAR = 365n * DAY;

/** Vault constants (VaultStorage). */
export const MAX_TOKENS = 16n;
export const MAX_HAIRCUT = 99n * 10n ** 16n;
export const MAX_HAIRCUT_DECREASE = 5n * 10n ** 16n;
export const HAIRCUT_DECREASE_COOLDOWN = DAY;
export const MAX_BASE_RATE_PER_YEAR = 5n * 10n ** 17n;
export const MAX_RATE_SLOPE_PER_YEAR = 3n * WAD;
export const MIN_SUPPLY_INDEX = 10n ** 9n;

/** Fixture parameters (deploy/parameters/hardhat.json). */
export const ETH_PRICE = 3000n * WAD;
export const BTC_PRICE = 60_000n * WAD;
export const WETH_HAIRCUT = 8n * 10n ** 17n;
export const WBTC_HAIRCUT = 75n * 10n ** 16n;
export const BASE_RATE = 2n * 10n ** 16n;
export const RATE_SLOPE = 2n * 10n ** 17n;
export const IMR = 5n * 10n ** 16n;
export const MAKER_FEE = 2n * 10n ** 14n;
export const TAKER_FEE = 5n * 10n ** 14n;

/** No cash legs for `transferFraction`. */
export const NO_LEGS = { toFrom: 0n, toTo: 0n, third: 0n, toThird: 0n };

/** Operator scopes of the margin engine. */
export const Scope = { None: 0, Trade: 1, Full: 2 } as const;

export const b32 = (s: string): string => ethers.encodeBytes32String(s);

// ---------------------------------------------------------------- WadMath mirrors

export const mulWadDown = (x: bigint, y: bigint): bigint => (x * y) / WAD;
export const mulWadUp = (x: bigint, y: bigint): bigint => (x * y + WAD - 1n) / WAD;
export const divWadDown = (x: bigint, y: bigint): bigint => (x * WAD) / y;
export const divWadUp = (x: bigint, y: bigint): bigint => (x * WAD + y - 1n) / y;
export const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + d - 1n) / d;
export const min = (x: bigint, y: bigint): bigint => (x < y ? x : y);

/** Haircut collateral value of a WAD balance at a WAD price: floor(floor(balance * price) * haircut). */
export const collateralValue = (balanceWad: bigint, price: bigint, haircut: bigint): bigint =>
  mulWadDown(mulWadDown(balanceWad, price), haircut);

/** Initial margin of a position (MarginMath, no size factor): ceil(ceil(|size| * price) * imr). */
export const initialMargin = (size: bigint, price: bigint, imr: bigint): bigint => mulWadUp(mulWadUp(size < 0n ? -size : size, price), imr);

// ---------------------------------------------------------------- cash interest reference model

/** The cash state: indices and principals (WAD). */
export interface CashState {
  supplyIndex: bigint;
  borrowIndex: bigint;
  supplyPrincipal: bigint;
  borrowPrincipal: bigint;
}

/** Utilisation min(1, borrowValue / supplyValue), rounded up; 1 when there is no supply. */
export function utilisation(s: CashState): bigint {
  const supplyValue = mulWadDown(s.supplyPrincipal, s.supplyIndex);
  const borrowValue = mulWadUp(s.borrowPrincipal, s.borrowIndex);
  return supplyValue === 0n ? WAD : min(WAD, divWadUp(borrowValue, supplyValue));
}

/** Borrow rate per year: base + slope * u (the product rounded up). */
export function ratePerYear(s: CashState, base: bigint, slope: bigint): bigint {
  return base + mulWadUp(slope, utilisation(s));
}

/**
 * The state after `dt` seconds (VaultStorage @dev): bI' = bI + ceil(bI * ceil(rate * dt / year)), interest =
 * floor(B * (bI' - bI)), sI' = sI + floor(interest / S).
 */
export function accrue(s: CashState, base: bigint, slope: bigint, dt: bigint): CashState & { interest: bigint } {
  if (dt === 0n || s.borrowPrincipal === 0n) return { ...s, interest: 0n };
  const growth = mulDivUp(ratePerYear(s, base, slope), dt, YEAR);
  const borrowIndex = s.borrowIndex + mulWadUp(s.borrowIndex, growth);
  const interest = mulWadDown(s.borrowPrincipal, borrowIndex - s.borrowIndex);
  const supplyIndex = s.supplyPrincipal === 0n ? s.supplyIndex : s.supplyIndex + divWadDown(interest, s.supplyPrincipal);
  return { ...s, supplyIndex, borrowIndex, interest };
}

/** Cash value of a principal: supply rounds down, debt rounds up in magnitude. */
export function cashValue(principal: bigint, s: CashState): bigint {
  return principal >= 0n ? mulWadDown(principal, s.supplyIndex) : -mulWadUp(-principal, s.borrowIndex);
}

/** Totals as `cashTotals()` reports them. */
export function totals(s: CashState): [bigint, bigint] {
  return [mulWadDown(s.supplyPrincipal, s.supplyIndex), mulWadUp(s.borrowPrincipal, s.borrowIndex)];
}

// ---------------------------------------------------------------- tokens and listings

type Tokenish = { getAddress(): Promise<string> };

/** Mints `amount` of `token` (any mintable test token) to `user`, approves `vault` and deposits into `account`. */
export async function depositInto(
  vault: CollateralVault,
  token: Tokenish,
  user: HardhatEthersSigner,
  amount: bigint,
  account: bigint = accountId(user.address),
): Promise<void> {
  const t = TestERC20__factory.connect(await token.getAddress(), user);
  await (await t.mint(user.address, amount)).wait();
  await (await t.approve(await vault.getAddress(), amount)).wait();
  await (await vault.connect(user).deposit(account, await token.getAddress(), amount)).wait();
}

/** Mints and approves without depositing (to assert on the deposit transaction itself). */
export async function mintAndApprove(vault: CollateralVault, token: Tokenish, user: HardhatEthersSigner, amount: bigint): Promise<void> {
  const t = TestERC20__factory.connect(await token.getAddress(), user);
  await (await t.mint(user.address, amount)).wait();
  await (await t.approve(await vault.getAddress(), amount)).wait();
}

/**
 * Deploys a Chainlink MockV3Aggregator answering `answer` (`decimals` decimals) and registers it in the
 * protocol's oracle under `key` (heartbeat one day, bounds [1 wei, 1e27]). Returns the asset key and the feed.
 */
export async function addFeed(b: Ballast, key: string, decimals = 8, answer: bigint = 100n * 10n ** 8n) {
  const feed = await new MockV3Aggregator__factory(b.deployer).deploy(decimals, answer);
  const asset = assetKey(key);
  await (
    await b.oracle.setFeed(asset, {
      primary: await feed.getAddress(),
      primaryHeartbeat: 86_400,
      secondary: ethers.ZeroAddress,
      secondaryHeartbeat: 0,
      maxDeviation: 0,
      minPrice: 1n,
      maxPrice: 10n ** 27n,
    })
  ).wait();
  return { asset, feed };
}

/** Deploys a TestERC20 with `decimals`. */
export async function newToken(b: Ballast, decimals: number, symbol = `T${decimals}`) {
  return new TestERC20__factory(b.deployer).deploy(`Test ${symbol}`, symbol, decimals);
}

// ---------------------------------------------------------------- fixtures

function named(b: Ballast) {
  const [alice, bob, carol, dave, stranger, operator] = b.users;
  return { alice, bob, carol, dave, stranger, operator, weth: b.tokens.WETH, wbtc: b.tokens.WBTC };
}

/** The shared protocol deployment with named signers (no signer but the deployer holds a role). */
export async function protocolFixture() {
  const b = await deployBallast();
  return { ...b, ...named(b) };
}

/**
 * A signer for the deployed LiquidationAuction, which the deploy module binds as the vault's (and the engine's)
 * liquidator: impersonated and funded for gas, so tests can call liquidator-only vault functions directly.
 */
export async function auctionSigner(b: Ballast): Promise<HardhatEthersSigner> {
  const auction = await ethers.getImpersonatedSigner(await b.auction.getAddress());
  await setBalance(auction.address, WAD);
  return auction;
}

/**
 * A CollateralVault factory linked to a freshly deployed VaultAdmin library (the vault's collateral life cycle and its
 * other cold setters and views run in that linked library, as the Ignition module deploys it).
 */
export async function vaultFactory(signer: HardhatEthersSigner): Promise<CollateralVault__factory> {
  const admin = await new VaultAdmin__factory(signer).deploy();
  return new CollateralVault__factory({ "contracts/vault/VaultAdmin.sol:VaultAdmin": await admin.getAddress() }, signer);
}

/**
 * A second vault on the protocol's cash token and oracle, with its own AccessManager (the deployer is admin), its
 * engine and liquidator bound to plain accounts, WETH and WBTC listed as in the fixture, a cash deposit cap of
 * 1e12 USDC and a zero rate model. The engine account answers no calls, so only cash-only accounts can withdraw.
 */
export async function standaloneFixture() {
  const b = await deployBallast();
  const engine = b.users[16];
  const liquidator = b.users[17];
  const manager = await new AccessManager__factory(b.deployer).deploy(b.deployer.address);
  const vault = await (
    await vaultFactory(b.deployer)
  ).deploy(await manager.getAddress(), await b.cash.getAddress(), await b.oracle.getAddress());
  await (await vault.bindEngine(engine.address)).wait();
  await (await vault.bindLiquidator(liquidator.address)).wait();
  await (await vault.setDepositCap(await b.cash.getAddress(), 10n ** 12n * USDC)).wait();
  await (await vault.listCollateral(await b.tokens.WETH.getAddress(), assetKey("ETH/USD"), WETH_HAIRCUT, 1_000_000n * WAD)).wait();
  await (await vault.listCollateral(await b.tokens.WBTC.getAddress(), assetKey("BTC/USD"), WBTC_HAIRCUT, 100_000n * BTC)).wait();
  return { ...b, ...named(b), vault, manager, engineEoa: engine, liquidator, protocolVault: b.vault };
}

/**
 * A trader who realised a loss larger than her cash while holding WETH: alice deposits 1 WETH and 100 USDC, bob
 * 10,000 USDC. Alice (maker) buys 0.1 BTC-PERP from bob at 60,000; BTC falls to 58,000; alice (maker) sells 0.1
 * back to bob at 58,000. Fees: 1.2 + 3 on the open, 1.16 + 2.9 on the close, to the venue's fee account (the
 * insurance fund's account 0). Cash afterwards: alice -102.36, bob 10,194.1, fee account 8.26 (indices were 1e18,
 * so principals equal values).
 */
export async function debtFixture() {
  const b = await deployBallast();
  const n = named(b);
  await fund(b, n.alice, "WETH", WAD);
  await fund(b, n.alice, "USDC", 100n * USDC);
  await fund(b, n.bob, "USDC", 10_000n * USDC);
  await (await trade(b, n.alice, n.bob, "BTC-PERP", WAD / 10n, 60_000n * WAD)).wait();
  await setPrice(b, "BTC/USD", "58000");
  await time.increase(61); // the cached marks are older than maxPriceAge: the close uses 58,000
  await (await trade(b, n.alice, n.bob, "BTC-PERP", -WAD / 10n, 58_000n * WAD)).wait();
  return { ...b, ...n, feeAccount: accountId(await b.fund.getAddress()) };
}

/** The cash state the vault reports now (principals derived from `cashTotals` only when the indices are 1e18). */
export async function cashStateAtPar(vault: CollateralVault): Promise<CashState> {
  const [supplyIndex, borrowIndex] = await vault.cashIndices();
  if (supplyIndex !== WAD || borrowIndex !== WAD) throw new Error("cashStateAtPar: indices are not at par");
  const [supplyValue, borrowValue] = await vault.cashTotals();
  return { supplyIndex, borrowIndex, supplyPrincipal: supplyValue, borrowPrincipal: borrowValue };
}

export type Protocol = Awaited<ReturnType<typeof protocolFixture>>;
export type Standalone = Awaited<ReturnType<typeof standaloneFixture>>;

/**
 * Alice and bob deposit 1,000 USDC each; alice (maker) buys 1 ETH-PERP from bob at 3,000. Maker fee 0.6, taker
 * fee 1.5: alice holds cash 999.4 and a long of basis 3,000, bob cash 998.5 and a short. `liquidator` is an
 * impersonated signer of the deployed LiquidationAuction (the vault's bound liquidator), so tests can start and
 * end liquidations directly.
 */
export async function positionFixture() {
  const b = await deployBallast();
  const n = named(b);
  const liquidator = await auctionSigner(b);
  await fund(b, n.alice, "USDC", 1_000n * USDC);
  await fund(b, n.bob, "USDC", 1_000n * USDC);
  await (await trade(b, n.alice, n.bob, "ETH-PERP", WAD, ETH_PRICE)).wait();
  return { ...b, ...n, liquidator };
}

/** `tokenInfo(token)` as a plain object (for deep equality). */
export async function tokenInfoOf(vault: CollateralVault, token: Tokenish | string) {
  const i = await vault.tokenInfo(typeof token === "string" ? token : await token.getAddress());
  return {
    oracleAsset: i.oracleAsset,
    haircut: i.haircut,
    decimals: i.decimals,
    index: i.index,
    enabled: i.enabled,
    depositCap: i.depositCap,
    totalDeposits: i.totalDeposits,
    cachedPrice: i.cachedPrice,
    cachedPriceTimestamp: i.cachedPriceTimestamp,
  };
}
