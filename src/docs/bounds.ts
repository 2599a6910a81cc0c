/**
 * Renders src/config/bounds.ts, the TypeScript copy of every hard parameter bound the contracts enforce, from the
 * compiled constants (contracts/test/BoundsExport.sol lists them; each value comes from the one Solidity constant
 * that declares it). Used by `npm run gen:bounds` (scripts/gen-bounds.ts) to write the file and by
 * test/unit/config/bounds.test.ts to fail when the file and the contracts differ.
 */
import path from "node:path";
import * as prettier from "prettier";

/** One bound as BoundsExport returns it. */
export interface ExportedBound {
  /** Exported object of src/config/bounds.ts, e.g. `RISK_BOUNDS`. */
  group: string;
  /** The Solidity constant's name, e.g. `MAX_MMR`. */
  name: string;
  /** `wad` (1e18 fixed-point ratio or rate), `factor` (WAD multiplier), `cash` (WAD amount of cash), `seconds` or `count`. */
  unit: string;
  /** The compiled value (raw: WAD for `wad`/`cash`). */
  value: bigint;
}

/** What each group bounds, for its TSDoc line (in the order the groups appear). */
const GROUP_DOCS: Record<string, string> = {
  RISK_BOUNDS: "Market risk and trading parameters (contracts/libraries/RiskBounds.sol; MarketConfigurator, EngineMarketListing).",
  ORACLE_BOUNDS: "Price feed configuration (contracts/libraries/ParameterBounds.sol; OracleRouter).",
  VAULT_BOUNDS:
    "Collateral listing and the cash rate model (contracts/vault/CollateralListing.sol, contracts/libraries/ParameterBounds.sol; CollateralVault).",
  ENGINE_BOUNDS:
    "Engine market list and price cache (contracts/libraries/ParameterBounds.sol; MarginEngine, EngineGovernance, EngineMarketListing).",
  VENUE_BOUNDS: "Order venue fees and session keys (contracts/libraries/ParameterBounds.sol; OrderSettlement).",
  AUCTION_BOUNDS: "Liquidation auction parameters and stop levels (contracts/liquidation/AuctionGovernance.sol; LiquidationAuction).",
  INSURANCE_BOUNDS: "Insurance fund withdrawal queue and per-event cap (contracts/libraries/ParameterBounds.sol; InsuranceFund).",
};

/** BoundsExport's rows as plain objects (ethers returns them as `Result`s). */
export function exportedBounds(rows: readonly { group: string; name: string; unit: string; value: bigint }[]): ExportedBound[] {
  return rows.map((r) => ({ group: r.group, name: r.name, unit: r.unit, value: r.value }));
}

const WAD = 10n ** 18n;

/** `1234567` -> `1_234_567` (numeric separators every three digits). */
function grouped(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, "_");
}

/** `x / 10^k` as a plain decimal without trailing zeros (e.g. 2e15, 18 -> "0.002"). */
function decimal(x: bigint, k: number): string {
  const s = x.toString().padStart(k + 1, "0");
  const int = s.slice(0, s.length - k);
  const frac = s.slice(s.length - k).replace(/0+$/, "");
  return frac === "" ? int : `${int}.${frac}`;
}

/** A duration in seconds as the largest exact unit ("2 days", "1 hour", "60 seconds"). */
function duration(seconds: bigint): string {
  for (const [unit, size] of [
    ["day", 86_400n],
    ["hour", 3_600n],
    ["minute", 60n],
  ] as const) {
    if (seconds >= size && seconds % size === 0n) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1n ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}

/** The literal and the comment of one bound. */
function entry(b: ExportedBound): string {
  switch (b.unit) {
    case "wad":
      return `${b.name}: ${grouped(b.value.toString())}n, // ${decimal(b.value, 18)}e18 = ${decimal(b.value * 100n, 18)}%`;
    case "factor":
      return `${b.name}: ${grouped(b.value.toString())}n, // ${decimal(b.value, 18)}e18 = ${decimal(b.value, 18)}x`;
    case "cash":
      return `${b.name}: ${grouped(b.value.toString())}n, // ${grouped(decimal(b.value, 18))}e18 = ${grouped(decimal(b.value, 18)).replace(/_/g, ",")} cash`;
    case "seconds":
      return `${b.name}: ${grouped(b.value.toString())}, // ${duration(b.value)}`;
    case "count":
      return `${b.name}: ${b.value.toString()},`;
    case "gwei":
      return `${b.name}: ${grouped(b.value.toString())}, // ${grouped(b.value.toString()).replace(/_/g, ",")} gwei`;
    default:
      throw new Error(`BoundsExport: ${b.group}.${b.name} has unit "${b.unit}" (allowed: wad, factor, cash, seconds, count, gwei)`);
  }
}

/** Path of the generated module. */
export const BOUNDS_FILE = path.join(__dirname, "..", "config", "bounds.ts");

/**
 * The source of src/config/bounds.ts, formatted by the repository's prettier config, for the bounds in BoundsExport's order. WAD and cash bounds
 * (ratios, factors, cash) are `bigint`s, seconds and counts `number`s.
 * @throws Error on an unknown unit or group, a duplicated name, or a seconds/count value above 2^53.
 */
export async function renderBounds(bounds: readonly ExportedBound[]): Promise<string> {
  const groups = new Map<string, ExportedBound[]>();
  const seen = new Set<string>();
  for (const b of bounds) {
    if (!(b.group in GROUP_DOCS))
      throw new Error(`BoundsExport: unknown group ${b.group} (allowed: ${Object.keys(GROUP_DOCS).join(", ")})`);
    if (seen.has(b.name)) throw new Error(`BoundsExport: ${b.name} is exported twice`);
    if ((b.unit === "seconds" || b.unit === "count" || b.unit === "gwei") && b.value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`BoundsExport: ${b.name} = ${b.value} does not fit a number`);
    seen.add(b.name);
    groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  }
  const out = [
    "/**",
    " * Hard bounds of every governed parameter, as the contracts enforce them. GENERATED by `npm run gen:bounds`",
    " * (scripts/gen-bounds.ts) from the compiled Solidity constants that declare them (listed by",
    " * contracts/test/BoundsExport.sol); do not edit. Parameter files are checked against these before any transaction;",
    " * test/unit/config/bounds.test.ts fails when this file and the contracts differ.",
    " */",
  ];
  for (const [group, items] of groups) {
    out.push("", `/** ${GROUP_DOCS[group]} */`, `export const ${group} = {`, ...items.map((b) => `  ${entry(b)}`), "} as const;");
  }
  const source = out.join("\n") + "\n";
  return prettier.format(source, { ...(await prettier.resolveConfig(BOUNDS_FILE)), filepath: BOUNDS_FILE });
}
