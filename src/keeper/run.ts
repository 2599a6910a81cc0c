/**
 * `npx hardhat keeper`: runs the keeper bot against the network Hardhat is connected to (any JSON-RPC node). It
 * polls for new blocks and, for each, does what `Keeper.onBlock` describes, printing one line per action. The
 * options arrive validated (`parseKeeperOptions`, src/cli/keeper.ts).
 */
import path from "node:path";
import { Wallet, encodeBytes32String } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { connectContracts, readAddresses } from "./contracts";
import { ChainView } from "./view";
import { Keeper, defaultKeeperConfig, shortAccount, type KeeperLogEntry, type TxSender } from "./keeper";
import { UnlockedSender, WalletSender, type RpcProvider } from "./sender";
import { nodeNextBaseFee } from "./strategy";
import { addressesFile, type KeeperOptions } from "../cli/keeper";
import { UserError } from "../cli/errors";
import { FlashLiquidator__factory } from "../../typechain-types";
import { accountId } from "../model/accountId";

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
  opts: KeeperOptions,
  out: (line: string) => void = console.log,
): Promise<Keeper> {
  const provider = hre.ethers.provider as unknown as RpcProvider;
  const { chainId } = await provider.getNetwork();

  let sender: TxSender;
  if (opts.privateKey) sender = new WalletSender(new Wallet(opts.privateKey), provider);
  else {
    const signers = await hre.ethers.getSigners();
    if (signers[opts.signer] === undefined) {
      throw new UserError(
        `no keeper key: set KEEPER_PRIVATE_KEY or pass --private-key (the node of --network ${hre.network.name} has ${signers.length} unlocked account${signers.length === 1 ? "" : "s"}, --signer ${opts.signer})`,
      );
    }
    sender = new UnlockedSender(signers[opts.signer].address, provider);
  }
  const file = addressesFile(opts, hre.config.paths.ignition, chainId);
  const contracts = connectContracts(readAddresses(file), provider);
  if ((await provider.getCode(contracts.addresses.auction)) === "0x") {
    throw new UserError(
      `${path.relative(process.cwd(), file)}: no contract at auction ${contracts.addresses.auction} on chain ${chainId} (wrong --network, --deployment-id or --addresses?)`,
    );
  }

  const account = accountId(sender.address);
  const kind = opts.strategy.kind;
  const cfg = defaultKeeperConfig(`${kind}`, opts.strategy, account);
  cfg.blockTime = opts.blockTime;
  cfg.gasAsset = encodeBytes32String(opts.gasAsset);
  cfg.assumedSlippage = opts.hedgeSlippage;
  cfg.maxStartsPerBlock = opts.maxStarts;
  if (opts.flashLiquidator) cfg.flashLiquidator = FlashLiquidator__factory.connect(opts.flashLiquidator, provider);
  const view = new ChainView(contracts, provider, { fromBlock: opts.fromBlock });
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
    while (!stop && (opts.blocks === 0 || seen < opts.blocks)) {
      const n = await provider.getBlockNumber();
      if (n === last) {
        await sleep(opts.poll);
        continue;
      }
      const block = await provider.getBlock(n);
      if (!block) continue;
      const baseFee = await nextBlockBaseFee(provider, block.baseFeePerGas ?? 0n);
      const res = await keeper.onBlock({ block: n, timestamp: block.timestamp, baseFee });
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

/**
 * Base fee [wei per gas] of the block after the latest, the one the keeper's transactions are sent for
 * (`nodeNextBaseFee`); `latest` (the latest block's) when the node does not answer `eth_feeHistory`.
 */
export async function nextBlockBaseFee(provider: RpcProvider, latest: bigint): Promise<bigint> {
  try {
    return await nodeNextBaseFee((method, params) => provider.send(method, params));
  } catch {
    return latest;
  }
}
