/**
 * Shared keeper-test fixture: several liquidatable accounts of one owner, so that start order, backlog and batches
 * can be watched block by block.
 */
import { ethers } from "hardhat";
import type { ContractRunner } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Keeper, defaultKeeperConfig, type KeeperLogEntry } from "../../src/keeper/keeper";
import { ChainView } from "../../src/keeper/view";
import { connectContracts } from "../../src/keeper/contracts";
import { accountId, fund, trade, WAD, type Ballast } from "../shared/fixtures";
import { auctionFixture, auctionFixtureWith, setEth, USDC, type AuctionFixture } from "../unit/LiquidationAuction/helpers";
import { eightMarketParams } from "../gas/snapshot";

/** alice's account and five sub-accounts, each 10 ETH long at 3,000 with 10,000 USDC, made liquidatable by ETH at 2,050. */
export async function sixLiquidatable(): Promise<AuctionFixture & { subs: bigint[] }> {
  const f = await auctionFixture();
  const subs: bigint[] = [f.A];
  for (let sub = 1n; sub <= 5n; sub++) {
    const account = accountId(f.alice.address, sub);
    await fund(f as Ballast, f.alice, "USDC", 10_000n * USDC, account);
    await (await trade(f, f.bob, f.alice, "ETH-PERP", -10n * WAD, 3000n * WAD, { takerAccount: account })).wait();
    subs.push(account);
  }
  await setEth(f, 2050);
  return { ...f, subs };
}

/**
 * Eight markets (eightMarketParams): alice long 10 ETH at 3,000 and one unit of each of the seven other markets (BTC:
 * 0.01 at 60,000; the others 1 at 100) with 10,000 USDC, 0.001 WETH and 0.0001 WBTC; ETH at 2,050 makes her
 * liquidatable and leaves her solvent.
 */
export async function eightMarketsLiquidatable(): Promise<AuctionFixture> {
  const f = await auctionFixtureWith(eightMarketParams());
  for (const m of Object.keys(f.markets)) {
    if (m === "ETH-PERP") continue;
    const [size, price] = m === "BTC-PERP" ? [WAD / 100n, 60_000n * WAD] : [WAD, 100n * WAD];
    await (await trade(f, f.bob, f.alice, m, -size, price)).wait();
  }
  await fund(f as Ballast, f.alice, "WETH", WAD / 1000n);
  await fund(f as Ballast, f.alice, "WBTC", 10_000n);
  await setEth(f, 2050);
  return f;
}

/** Runs `k` on the latest block (its number, timestamp and base fee). */
export async function onLatest(k: Keeper) {
  const block = (await ethers.provider.getBlock("latest"))!;
  return k.onBlock({ block: block.number, timestamp: block.timestamp, baseFee: block.baseFeePerGas ?? 0n });
}

/** The keeper's handles on the fixture's deployment, through `runner`; with `starter`, the AuctionStarter too. */
export async function fixtureContracts(f: AuctionFixture, runner: ContractRunner, starter = true) {
  return connectContracts(
    {
      auction: await f.auction.getAddress(),
      lens: await f.lens.getAddress(),
      engine: await f.engine.getAddress(),
      vault: await f.vault.getAddress(),
      venue: await f.venue.getAddress(),
      oracle: await f.oracle.getAddress(),
      ...(starter ? { starter: await f.starter.getAddress() } : {}),
    },
    runner,
  );
}

/**
 * An eager keeper named `name` sending from `signer` through the fixture's deployment, at most `maxStartsPerBlock`
 * starts a block, no hedging, scanning once; with `starter` its starts go through the AuctionStarter in batches,
 * without it one `startAuction` each.
 */
export async function keeperOf(
  f: AuctionFixture,
  name: string,
  signer: HardhatEthersSigner,
  maxStartsPerBlock: number,
  log: KeeperLogEntry[],
  starter = true,
): Promise<Keeper> {
  const contracts = await fixtureContracts(f, signer, starter);
  const cfg = defaultKeeperConfig(
    name,
    { kind: "eager", minProfit: 0n, targetDiscount: 0n, gasShare: 0n, minPriorityFee: 10n ** 9n, maxPriorityFee: 10n ** 9n },
    accountId(signer.address),
  );
  cfg.maxStartsPerBlock = maxStartsPerBlock;
  cfg.hedge = false;
  cfg.maxScanAge = Number.MAX_SAFE_INTEGER;
  const sender = {
    address: signer.address,
    send: async (tx: { to: string; data: string; gas: number; priorityFee: bigint }) =>
      (await signer.sendTransaction({ to: tx.to, data: tx.data, gasLimit: tx.gas, maxPriorityFeePerGas: tx.priorityFee })).hash,
  };
  return new Keeper(cfg, new ChainView(contracts, ethers.provider), sender, (e) => log.push(e));
}
