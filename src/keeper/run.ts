/**
 * `npx hardhat keeper`: runs the keeper bot against the network Hardhat is connected to (any JSON-RPC node). It
 * polls for new blocks and, for each, does what `Keeper.onBlock` describes, printing one line per action.
 */
import fs from "node:fs";
import path from "node:path";
import { Wallet, encodeBytes32String } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectContracts, readAddresses } from "./contracts";
import { ChainView } from "./view";
import { Keeper, defaultKeeperConfig, shortAccount, type KeeperLogEntry, type TxSender } from "./keeper";
import { UnlockedSender, WalletSender, type RpcProvider } from "./sender";
import { STRATEGIES, type StrategyKind } from "./strategy";
import { parseGwei, parsePercent, parseTokenAmount } from "../config/units";
import { accountId } from "../model/accountId";
import { FlashLiquidator__factory } from "../../typechain-types";

export interface KeeperArgs {
  deployment?: string;
  addresses?: string;
  strategy: string;
  privateKey?: string;
  signer: number;
  blocks: number;
  poll: number;
  fromBlock: number;
  minProfit: string;
  targetDiscount: string;
  gasShare: string;
  minPriorityFee: string;
  maxPriorityFee: string;
  blockTime: number;
  gasAsset: string;
  flashLiquidator?: string;
  hedgeSlippage: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function formatEntry(e: KeeperLogEntry): string {
  const detail = Object.entries(e.detail)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return `[keeper ${e.keeper}] block ${e.block} ${e.action}${e.account !== undefined ? ` account=${shortAccount(e.account)}` : ""} ${detail}${e.tx ? ` tx=${e.tx}` : ""}`.replace(
    / +/g,
    " ",
  );
}

export async function runKeeper(
  hre: HardhatRuntimeEnvironment,
  args: KeeperArgs,
  out: (line: string) => void = console.log,
): Promise<Keeper> {
  if (!(STRATEGIES as readonly string[]).includes(args.strategy)) throw new Error(`--strategy must be one of ${STRATEGIES.join(", ")}`);
  const provider = hre.ethers.provider as unknown as RpcProvider;
  const { chainId } = await provider.getNetwork();
  const file =
    args.addresses ?? path.join(hre.config.paths.ignition, "deployments", args.deployment ?? `chain-${chainId}`, "deployed_addresses.json");
  if (!fs.existsSync(file)) throw new Error(`no deployment addresses at ${file} (use --deployment <id> or --addresses <file>)`);
  const contracts = connectContracts(readAddresses(file), provider);

  let sender: TxSender;
  const key = args.privateKey ?? process.env.KEEPER_PRIVATE_KEY;
  if (key) sender = new WalletSender(new Wallet(key), provider);
  else sender = new UnlockedSender((await hre.ethers.getSigners())[args.signer].address, provider);
  const account = accountId(sender.address);
  const kind = args.strategy as StrategyKind;
  const cfg = defaultKeeperConfig(
    `${kind}`,
    {
      kind,
      minProfit: parseTokenAmount("--min-profit", args.minProfit, args.minProfit.trim().split(/\s+/).pop() ?? "USDC", 18),
      targetDiscount: parsePercent("--target-discount", args.targetDiscount),
      gasShare: parsePercent("--gas-share", args.gasShare),
      minPriorityFee: parseGwei("--min-priority-fee", args.minPriorityFee),
      maxPriorityFee: parseGwei("--max-priority-fee", args.maxPriorityFee),
    },
    account,
  );
  cfg.blockTime = args.blockTime;
  cfg.gasAsset = encodeBytes32String(args.gasAsset);
  cfg.assumedSlippage = parsePercent("--hedge-slippage", args.hedgeSlippage);
  if (kind === "flash") {
    if (!args.flashLiquidator) throw new Error("--flash-liquidator <address> is required for the flash strategy");
    cfg.flashLiquidator = FlashLiquidator__factory.connect(args.flashLiquidator, provider);
  }
  const view = new ChainView(contracts, provider, { fromBlock: args.fromBlock });
  const keeper = new Keeper(cfg, view, sender, (e) => out(formatEntry(e)));
  await keeper.init();
  out(
    `[keeper ${cfg.name}] watching ${contracts.addresses.auction} on chain ${chainId} as ${sender.address} (account ${shortAccount(account)})`,
  );

  let last = -1;
  let seen = 0;
  let stop = false;
  const onSignal = () => (stop = true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    while (!stop && (args.blocks === 0 || seen < args.blocks)) {
      const n = await provider.getBlockNumber();
      if (n === last) {
        await sleep(args.poll);
        continue;
      }
      const block = await provider.getBlock(n);
      if (!block) continue;
      const res = await keeper.onBlock({ block: n, timestamp: block.timestamp, baseFee: block.baseFeePerGas ?? 0n });
      out(
        `[keeper ${cfg.name}] block ${n} scanned ${view.accounts.length} accounts, ${view.auctions.size} auctions running, ${res.sent.length} transactions sent`,
      );
      last = n;
      seen++;
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return keeper;
}
