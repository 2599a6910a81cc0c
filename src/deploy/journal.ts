/**
 * What an Ignition deployment journal (deploy/deployments/<id>/) says was deployed: the address of every contract
 * future, the futures still in flight, the deployer and the first block. Read through ignition-core's own
 * `status` and `listTransactions`, so the journal format stays Ignition's business.
 */
import fs from "node:fs";
import path from "node:path";
import { listTransactions, status, type ArtifactResolver } from "@nomicfoundation/ignition-core";
import type { Provider } from "ethers";

/** The Ignition module id of Ballast (deploy/modules/Ballast.ts). */
export const MODULE_ID = "Ballast";

/** Ignition's default deployment id for a chain, also the folder name of its journal. */
export function defaultDeploymentId(chainId: bigint | number): string {
  return `chain-${chainId}`;
}

export function deploymentDir(ignitionPath: string, deploymentId: string): string {
  return path.join(ignitionPath, "deployments", deploymentId);
}

export interface DeploymentRecord {
  dir: string;
  chainId: number;
  /** Contract address by future id without the module prefix ("OracleRouter", "Feed_ETH_USD", "TimelockController"). */
  addresses: Record<string, string>;
  /** Futures started and not finished, or failed, timed out or held: a deployment to resume. */
  unfinished: string[];
  /** The account that sent the deployment's transactions. */
  deployer: string;
  /** The block of the deployment's first transaction (where event scans start). */
  fromBlock: number;
}

/**
 * Reads the journal in `dir`.
 * @throws Error when there is no journal there.
 */
export async function readDeployment(
  dir: string,
  resolver: Omit<ArtifactResolver, "getBuildInfo">,
  provider: Provider,
): Promise<DeploymentRecord> {
  if (!fs.existsSync(path.join(dir, "journal.jsonl"))) {
    throw new Error(`no deployment journal at ${dir}: deploy first (npx hardhat deploy-ballast), or pass --deployment-id`);
  }
  const st = await status(dir);
  const addresses: Record<string, string> = {};
  for (const [id, c] of Object.entries(st.contracts)) {
    addresses[id.startsWith(`${MODULE_ID}#`) ? id.slice(MODULE_ID.length + 1) : id] = c.address;
  }
  const unfinished = [
    ...st.started,
    ...st.held.map((h) => h.futureId),
    ...st.timedOut.map((t) => t.futureId),
    ...st.failed.map((f) => f.futureId),
  ];
  const txs = await listTransactions(dir, resolver);
  if (txs.length === 0) throw new Error(`the deployment journal at ${dir} records no transaction`);
  const receipt = await provider.getTransactionReceipt(txs[0].txHash);
  const deployer = txs.find((t) => t.name === "AccessManager")?.from ?? txs[0].from;
  return { dir, chainId: st.chainId, addresses, unfinished, deployer, fromBlock: receipt?.blockNumber ?? 0 };
}
