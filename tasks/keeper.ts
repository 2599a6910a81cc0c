/**
 * `npx hardhat keeper --network <name>`: the liquidation keeper bot against any JSON-RPC node (see
 * docs/SIMULATION.md). Every option is validated before the network is touched; exit codes are listed in README.md
 * ("Exit codes"). Loaded lazily: this file is imported by hardhat.config.ts before anything is compiled.
 */
import { task } from "hardhat/config";
import { cliAction } from "../src/cli/errors";
import type { RawKeeperOptions } from "../src/cli/keeper";

task("keeper", "Runs the liquidation keeper bot: scans accounts through the lens, starts auctions, bids, hedges")
  .addOptionalParam("deploymentId", "Ignition deployment id, the folder under deploy/deployments (default: chain-<chainId>)")
  .addOptionalParam(
    "addresses",
    "A deployed_addresses.json or { auction, lens, engine, vault, venue, oracle } file (default: the --deployment-id's)",
  )
  .addOptionalParam("strategy", "Bidding strategy: eager, patient or flash", "eager")
  .addOptionalParam(
    "privateKey",
    "Keeper key, 0x and 64 hex digits (default: $KEEPER_PRIVATE_KEY, else the node's unlocked account --signer)",
  )
  .addOptionalParam("signer", "Index of the node's unlocked account to use when no key is given, a whole number >= 0", "0")
  .addOptionalParam("blocks", "Stop after this many new blocks, a whole number (0: run until interrupted)", "0")
  .addOptionalParam("poll", "Milliseconds between polls for a new block, a whole number >= 1", "1000")
  .addOptionalParam("fromBlock", "First block whose events are read to find accounts, a block number", "0")
  .addOptionalParam("minProfit", "Smallest expected profit worth a bid, an amount of cash with its unit", "10 USDC")
  .addOptionalParam("targetDiscount", "Patient strategy: discount to the oracle price to wait for, a percentage", "8%")
  .addOptionalParam("gasShare", "Share of the expected gain offered as priority fee, a percentage", "10%")
  .addOptionalParam("minPriorityFee", "Lowest priority fee, in gwei", "1 gwei")
  .addOptionalParam("maxPriorityFee", "Highest priority fee, in gwei", "100 gwei")
  .addOptionalParam(
    "blockTime",
    "Fewest seconds to the next block, a whole number >= 1: bids are priced then (a later block only lowers the price)",
    "1",
  )
  .addOptionalParam("gasAsset", "Oracle asset pricing gas in cash", "ETH/USD")
  .addOptionalParam("flashLiquidator", "FlashLiquidator owned by the keeper, an address, required by --strategy flash (default: none)")
  .addOptionalParam("hedgeSlippage", "Cost assumed for holding or hedging what a bid buys, a percentage of its notional", "0.5%")
  .addOptionalParam(
    "maxStarts",
    "Most auctions started per block, a whole number from 1 to 1,000, sent as one AuctionStarter batch per 50 when the deployment has the starter (the rest wait for the next block; the simulated keepers use 25)",
    "25",
  )
  .setAction(
    cliAction(async (raw: RawKeeperOptions, hre) => {
      const { parseKeeperOptions } = await import("../src/cli/keeper");
      const opts = parseKeeperOptions(raw);
      const { runKeeper } = await import("../src/keeper/run");
      await runKeeper(hre, opts);
    }),
  );
