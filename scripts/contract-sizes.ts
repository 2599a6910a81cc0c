/**
 * Prints the deployed bytecode size of every Ballast contract with its headroom under the EIP-170 limit, and fails
 * (exit code 1) if one exceeds the project's ceiling of 80% of the limit (issue #16; test/unit/contract-sizes.test.ts
 * checks the same ceiling in `npm test`).
 * Usage: npm run sizes
 */
import { artifacts } from "hardhat";

/** EIP-170's limit on deployed bytecode (bytes). */
const LIMIT = 24_576;
/** The project's ceiling: 20% headroom under the limit (bytes). */
const CEILING = Math.floor(LIMIT * 0.8);

async function main(): Promise<void> {
  const names = (await artifacts.getAllFullyQualifiedNames()).filter((n) => n.startsWith("contracts/") && !n.includes("/test/"));
  const rows: [string, number][] = [];
  for (const name of names) {
    const a = await artifacts.readArtifact(name);
    const size = (a.deployedBytecode.length - 2) / 2;
    if (size === 0) continue;
    rows.push([a.contractName, size]);
  }
  rows.sort((x, y) => y[1] - x[1]);
  console.log(`${"contract".padEnd(28)} ${"bytes".padStart(6)}  headroom under ${LIMIT}`);
  for (const [n, s] of rows) {
    const headroom = (((LIMIT - s) / LIMIT) * 100).toFixed(1);
    console.log(
      `${n.padEnd(28)} ${String(s).padStart(6)}  ${headroom.padStart(5)}%${s > CEILING ? `  OVER THE CEILING OF ${CEILING} (20% headroom)` : ""}`,
    );
  }
  if (rows.some(([, s]) => s > CEILING)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
