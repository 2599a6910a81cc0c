/**
 * Run by test/keeper/keeper.test.ts (not a test file: it deploys when loaded) against a `npx hardhat node` it started (`--network localhost`): deploys the
 * protocol with the production Ignition module under the deployment id $KEEPER_TEST_DEPLOYMENT, lets a market
 * maker sell 10 ETH-PERP to a trader at 3,000 with 10,000 USDC, then drops ETH to 2,060: the trader's account
 * is liquidatable. A debtor (the node's account 3) with 500 USDC is written 1,000 USDC of loss (the market maker
 * gains it): its account holds only debt (negative cash, no position, no collateral), which no bid can clear. No fill
 * leaves such an account since INV-30 (review H-1), so the state is written into the vault's storage
 * (test/shared/debtOnly.ts); the keeper still handles one. The keeper's
 * account (the node's account 5) holds 100,000 USDC to bid with. Prints both account ids.
 */
import { ethers, ignition } from "hardhat";
import hardhatParams from "../deploy/parameters/hardhat.json";
import { buildBallastModule } from "../deploy/modules/Ballast";
import { resolveParameters, type NetworkParameters } from "../src/config/schema";
import {
  CollateralVault__factory,
  MockV3Aggregator__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  TestERC20__factory,
} from "../typechain-types";
import { signOrder, venueDomain } from "../src/venue/orders";
import { accountId } from "../src/model/accountId";
import { writeDebtOnly } from "../test/shared/debtOnly";

async function main() {
  const deploymentId = process.env.KEEPER_TEST_DEPLOYMENT;
  if (!deploymentId) throw new Error("KEEPER_TEST_DEPLOYMENT is not set");
  const plan = resolveParameters(hardhatParams as NetworkParameters);
  const d = await ignition.deploy(buildBallastModule(plan), { deploymentId, config: { requiredConfirmations: 1 } });
  const [deployer, mm, trader, debtor, , keeper] = await ethers.getSigners();
  const vault = CollateralVault__factory.connect(await d.vault.getAddress(), deployer);
  const venue = OrderSettlement__factory.connect(await d.venue.getAddress(), deployer);
  const oracle = OracleRouter__factory.connect(await d.oracle.getAddress(), deployer);
  const usdc = TestERC20__factory.connect(await vault.cashToken(), deployer);
  const account = (a: string) => accountId(a);
  for (const [who, amount] of [
    [mm, 1_000_000n * 10n ** 6n],
    [trader, 10_000n * 10n ** 6n],
    [debtor, 500n * 10n ** 6n],
    [keeper, 100_000n * 10n ** 6n],
  ] as const) {
    await (await usdc.connect(who).mint(who.address, amount)).wait();
    await (await usdc.connect(who).approve(await vault.getAddress(), amount)).wait();
    await (await vault.connect(who).deposit(account(who.address), await usdc.getAddress(), amount)).wait();
  }
  const { chainId } = await ethers.provider.getNetwork();
  const latest = (await ethers.provider.getBlock("latest"))!.timestamp;
  const order = {
    account: account(mm.address),
    marketId: 0,
    size: -10n * 10n ** 18n,
    limitPrice: 3000n * 10n ** 18n,
    expiry: BigInt(latest + 3600),
    nonce: 0n,
    salt: 1n,
    reduceOnly: false,
    signer: mm.address,
  };
  const domain = venueDomain(chainId, await venue.getAddress());
  const sig = await signOrder(mm, domain, order);
  await (await venue.connect(trader).fill(order, sig, account(trader.address), 10n * 10n ** 18n, 3000n * 10n ** 18n)).wait();
  for (const key of ["ETH/USD", "BTC/USD"]) {
    const feed = MockV3Aggregator__factory.connect((await oracle.feedConfig(ethers.encodeBytes32String(key))).primary, deployer);
    const answer = key === "ETH/USD" ? 2060n * 10n ** 8n : await feed.latestAnswer();
    await (await feed.updateAnswer(answer)).wait();
  }
  await writeDebtOnly(vault, account(debtor.address), account(mm.address), 1_000n * 10n ** 18n);
  console.log(`liquidatable account ${account(trader.address)}`);
  console.log(`debt-only account ${account(debtor.address)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
