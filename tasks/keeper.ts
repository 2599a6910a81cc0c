/**
 * `npx hardhat keeper --network <name>`: the liquidation keeper bot against any JSON-RPC node (see
 * docs/SIMULATION.md). Loaded lazily: this file is imported by hardhat.config.ts before anything is compiled.
 */
import { task, types } from "hardhat/config";

task("keeper", "Runs the liquidation keeper bot: scans accounts through the lens, starts auctions, bids, hedges")
  .addOptionalParam("deployment", "Ignition deployment id (default chain-<chainId>) under deploy/deployments")
  .addOptionalParam("addresses", "A deployed_addresses.json or { auction, lens, engine, vault, venue, oracle } file")
  .addOptionalParam("strategy", "eager, patient or flash", "eager")
  .addOptionalParam("privateKey", "Keeper key (default: $KEEPER_PRIVATE_KEY, else the node's unlocked account --signer)")
  .addOptionalParam("signer", "Index of the node's unlocked account to use", 0, types.int)
  .addOptionalParam("blocks", "Stop after this many new blocks (0: run until interrupted)", 0, types.int)
  .addOptionalParam("poll", "Milliseconds between polls for a new block", 1000, types.int)
  .addOptionalParam("fromBlock", "First block whose events are read to find accounts", 0, types.int)
  .addOptionalParam("minProfit", "Smallest expected profit worth a bid", "10 USDC")
  .addOptionalParam("targetDiscount", "Patient strategy: discount to wait for", "8%")
  .addOptionalParam("gasShare", "Share of the expected gain offered as priority fee", "10%")
  .addOptionalParam("minPriorityFee", "Lowest priority fee", "1 gwei")
  .addOptionalParam("maxPriorityFee", "Highest priority fee", "100 gwei")
  .addOptionalParam(
    "blockTime",
    "Fewest seconds to the next block: bids are priced then (a later block only lowers the price)",
    1,
    types.int,
  )
  .addOptionalParam("gasAsset", "Oracle asset pricing gas in cash", "ETH/USD")
  .addOptionalParam("flashLiquidator", "FlashLiquidator owned by the keeper (flash strategy)")
  .addOptionalParam("hedgeSlippage", "Cost assumed for holding or hedging what a bid buys, of its notional", "0.5%")
  .setAction(async (args, hre) => {
    const { runKeeper } = await import("../src/keeper/run");
    await runKeeper(hre, args);
  });
