/**
 * Gas snapshot: every measured transaction's gas (from its receipt) is compared with the committed
 * `test/gas/gas-snapshot.json`. Gas is deterministic, so any difference fails the test; after an intended
 * change run `npm run gas:update` and review the diff of the snapshot file.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import type { ContractTransactionResponse } from "ethers";
import { localParams } from "../shared/fixtures";
import type { NetworkParameters } from "../../src/config/schema";

const FILE = path.join(__dirname, "gas-snapshot.json");
const UPDATE = process.env.UPDATE_GAS_SNAPSHOT === "1";
const recorded: Record<string, number> = {};
let committed: Record<string, number> = {};
try {
  committed = JSON.parse(fs.readFileSync(FILE, "utf8"));
} catch {
  committed = {};
}

/** Gas used by `tx`, recorded under `name` and compared with the snapshot. */
export async function snapshotGas(name: string, tx: Promise<ContractTransactionResponse> | ContractTransactionResponse): Promise<number> {
  const receipt = await (await tx).wait();
  const gas = Number(receipt!.gasUsed);
  recorded[name] = gas;
  if (!UPDATE) {
    expect(committed[name], `no snapshot for "${name}": run npm run gas:update`).to.not.equal(undefined);
    expect(gas, `gas of "${name}" changed: run npm run gas:update and review the diff`).to.equal(committed[name]);
  }
  return gas;
}

/** Records a derived figure (for example a per-market increment). */
export function snapshotValue(name: string, value: number): void {
  recorded[name] = value;
  if (!UPDATE) expect(value, `"${name}" changed: run npm run gas:update and review the diff`).to.equal(committed[name]);
}

after(function () {
  if (UPDATE && Object.keys(recorded).length > 0) {
    const merged = Object.fromEntries(Object.entries({ ...committed, ...recorded }).sort(([a], [b]) => a.localeCompare(b)));
    fs.writeFileSync(FILE, JSON.stringify(merged, null, 2) + "\n");
  }
});

/**
 * The local parameters with six more markets (SOL, ARB, OP, LINK, AVAX, DOGE perpetuals on their own feeds at 100 USD),
 * eight in all, every feed's heartbeat one day: the multi-market fixtures of the gas tests.
 */
export function eightMarketParams(): NetworkParameters {
  const p = localParams();
  const base = p.markets[0];
  for (const sym of ["SOL", "ARB", "OP", "LINK", "AVAX", "DOGE"]) {
    p.feeds[`${sym}/USD`] = { decimals: 8, initialPrice: "100", heartbeat: "1d", minPrice: "0.01", maxPrice: "1000000" };
    p.markets.push({ ...base, name: `${sym}-PERP`, base: sym, oracle: `${sym}/USD`, openInterestCap: `1,000,000 ${sym}` });
  }
  for (const f of Object.values(p.feeds)) f.heartbeat = "1d";
  return p;
}
