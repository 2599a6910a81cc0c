/**
 * Shared fixtures: the whole protocol deployed through the production Ignition module (deploy/modules/Ballast.ts)
 * from a parameter file in human units, plus helpers to fund accounts, push prices and sign orders.
 */
import { connectEngine } from "../../src/contracts/engine";
import { ethers, ignition, network } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { clearSnapshots } from "@nomicfoundation/hardhat-network-helpers/dist/src/loadFixture";
import hardhatParams from "../../deploy/parameters/hardhat.json";
import { buildBallastModule } from "../../deploy/modules/Ballast";
import { resolveParameters, assetKey, type NetworkParameters } from "../../src/config/schema";
import {
  AccessManager__factory,
  AuctionStarter__factory,
  CollateralVault__factory,
  InsuranceFund__factory,
  LiquidationAuction__factory,
  MarketConfigurator__factory,
  MockV3Aggregator__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  RiskLens__factory,
  TestERC20__factory,
  type MockV3Aggregator,
  type TestERC20,
} from "../../typechain-types";
import { signOrder as signVenueOrder, venueDomain, type Order } from "../../src/venue/orders";

/** WAD and the account-id codec (owner << 96 | sub) come from the reference model, shared with keeper and simulator. */
import { WAD } from "../../src/model/wad";
import { accountId } from "../../src/model/accountId";
export { WAD, accountId };
export const MAX = ethers.MaxUint256;

/** A deep copy of the hardhat parameter file, to be modified by a test. */
export function localParams(): NetworkParameters {
  return structuredClone(hardhatParams) as NetworkParameters;
}

/**
 * Deploys Ballast through the Ignition module and returns typed handles. Each distinct parameter set (`params`, or
 * the local parameter file without it) deploys once per test process; later calls restore its snapshot
 * (`loadFixture`, also inside other fixtures), which keeps fixtures from repeating a 3-8 s Ignition deployment.
 */
export async function deployBallast(params?: NetworkParameters): Promise<Ballast> {
  const p = params ?? localParams();
  const key = JSON.stringify(p);
  let fixture = deployments.get(key);
  if (fixture === undefined) {
    fixture = deploymentOf(p);
    deployments.set(key, fixture);
  }
  return loadFixture(fixture);
}

/** One `loadFixture` function per parameter set (its JSON), so that equal sets share one deployment. */
const deployments = new Map<string, () => Promise<Ballast>>();

function deploymentOf(params: NetworkParameters): () => Promise<Ballast> {
  const copy = structuredClone(params);
  return async function deployment() {
    return deployWith(copy);
  };
}

/**
 * A deployment on a reset chain (genesis at the configured date, every nonce zero), so that its addresses and
 * times do not depend on what ran before in the process: for the gas snapshot, whose calldata and storage costs
 * depend on address bytes. Clears every `loadFixture` snapshot (later fixtures redeploy).
 */
export async function deployOnFreshChain(params: NetworkParameters = localParams()): Promise<Ballast> {
  await clearSnapshots();
  await network.provider.request({ method: "hardhat_reset", params: [] });
  return deployWith(params);
}

async function deployWith(params: NetworkParameters) {
  const plan = resolveParameters(params);
  const [deployer, ...users] = await ethers.getSigners();
  const d = await ignition.deploy(buildBallastModule(plan));
  const at = async (c: { getAddress(): Promise<string> }) => c.getAddress();
  const manager = AccessManager__factory.connect(await at(d.manager), deployer);
  const oracle = OracleRouter__factory.connect(await at(d.oracle), deployer);
  const vault = CollateralVault__factory.connect(await at(d.vault), deployer);
  const engine = connectEngine(await at(d.engine), deployer);
  const configurator = MarketConfigurator__factory.connect(await at(d.configurator), deployer);
  const venue = OrderSettlement__factory.connect(await at(d.venue), deployer);
  const lens = RiskLens__factory.connect(await at(d.lens), deployer);
  const auction = LiquidationAuction__factory.connect(await at(d.auction), deployer);
  const fund = InsuranceFund__factory.connect(await at(d.fund), deployer);
  const starter = AuctionStarter__factory.connect(await at(d.starter), deployer);

  const cash = TestERC20__factory.connect(await vault.cashToken(), deployer);
  const tokens: Record<string, TestERC20> = { [plan.cash.symbol]: cash };
  for (let i = 0; i < plan.collateral.length; i++) {
    tokens[plan.collateral[i].symbol] = TestERC20__factory.connect(await vault.tokenAt(i), deployer);
  }
  const feeds: Record<string, MockV3Aggregator> = {};
  for (const f of plan.feeds) {
    feeds[f.key] = MockV3Aggregator__factory.connect((await oracle.feedConfig(f.asset)).primary, deployer);
  }
  const markets: Record<string, number> = Object.fromEntries(plan.markets.map((m, i) => [m.name, i]));
  return {
    plan,
    deployer,
    users,
    manager,
    oracle,
    vault,
    engine,
    configurator,
    venue,
    lens,
    auction,
    fund,
    starter,
    cash,
    tokens,
    feeds,
    markets,
  };
}

export type Ballast = Awaited<ReturnType<typeof deployWith>>;

/** The default fixture (use with loadFixture). */
export async function ballastFixture(): Promise<Ballast> {
  return deployBallast();
}

/** Sets a feed's answer (human price, e.g. "2500.5") at the current block time. */
export async function setPrice(b: Ballast, feedKey: string, price: string | number): Promise<void> {
  const feed = b.feeds[feedKey];
  const decimals = await feed.decimals();
  await (await feed.updateAnswer(ethers.parseUnits(String(price), decimals))).wait();
}

/** Mints `amount` (token units) of `symbol` to `user`, approves the vault and deposits into `account`. */
export async function fund(
  b: Ballast,
  user: HardhatEthersSigner,
  symbol: string,
  amount: bigint,
  account = accountId(user.address),
): Promise<void> {
  const token = b.tokens[symbol].connect(user);
  await (await token.mint(user.address, amount)).wait();
  await (await token.approve(await b.vault.getAddress(), amount)).wait();
  await (await b.vault.connect(user).deposit(account, await token.getAddress(), amount)).wait();
}

export type { Order };

/** Builds an order with defaults (expiry in one day, nonce 0, salt random). */
export async function makeOrder(
  o: Partial<Order> & { account: bigint; marketId: number | bigint; size: bigint; limitPrice: bigint; signer: string },
): Promise<Order> {
  return {
    expiry: BigInt(await time.latest()) + 86400n,
    nonce: 0n,
    salt: BigInt(Math.floor(Math.random() * 2 ** 48)),
    reduceOnly: false,
    ...o,
  };
}

/** EIP-712 signature of `order` for the fixture venue on this chain by `signer`. */
export async function signOrder(b: Ballast, signer: HardhatEthersSigner, order: Order): Promise<string> {
  const { chainId } = await ethers.provider.getNetwork();
  return signVenueOrder(signer, venueDomain(chainId, await b.venue.getAddress()), order);
}

/**
 * Maker `maker` signs an order of `size` (signed, WAD) at `price` (WAD); `taker` fills all of it.
 * Returns the fill transaction.
 */
export async function trade(
  b: Ballast,
  maker: HardhatEthersSigner,
  taker: HardhatEthersSigner,
  market: string,
  size: bigint,
  price: bigint,
  opts: { makerAccount?: bigint; takerAccount?: bigint } = {},
) {
  const order = await makeOrder({
    account: opts.makerAccount ?? accountId(maker.address),
    marketId: b.markets[market],
    size,
    limitPrice: price,
    signer: maker.address,
  });
  const sig = await signOrder(b, maker, order);
  const fillSize = size < 0n ? -size : size;
  const limit = size < 0n ? MAX : 0n; // taker buys when the maker sells
  return b.venue.connect(taker).fill(order, sig, opts.takerAccount ?? accountId(taker.address), fillSize, limit);
}

export { assetKey };
