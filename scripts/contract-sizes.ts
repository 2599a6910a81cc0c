/**
 * Prints the deployed bytecode size of every Ballast contract and fails if one exceeds the EIP-170 limit.
 * Usage: npx hardhat run scripts/contract-sizes.ts
 */
import { artifacts } from "hardhat";

const LIMIT = 24_576;

async function main(): Promise<void> {
  const names = (await artifacts.getAllFullyQualifiedNames()).filter((n) => n.startsWith("contracts/") && !n.includes("/test/"));
  let failed = false;
  const rows: [string, number][] = [];
  for (const name of names) {
    const a = await artifacts.readArtifact(name);
    const size = (a.deployedBytecode.length - 2) / 2;
    if (size === 0) continue;
    rows.push([a.contractName, size]);
    if (size > LIMIT) failed = true;
  }
  rows.sort((x, y) => y[1] - x[1]);
  for (const [n, s] of rows) console.log(`${n.padEnd(28)} ${String(s).padStart(6)} bytes ${s > LIMIT ? "OVER LIMIT" : ""}`);
  if (failed) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
