/** Console rendering of deployment plans, addresses and check results (cli-table3). */
import Table from "cli-table3";
import type { CheckRow } from "./check";

/** Flattens a parameter file into dotted keys and their human-unit values, in file order. */
export function flatten(value: unknown, prefix = ""): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value === null ? "null" : String(value)]];
}

export function keyValueTable(head: [string, string], rows: [string, string][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  table.push(...rows);
  return table.toString();
}

/** The check-deployment table; with `mismatchesOnly`, only the failing rows. */
export function checkTable(rows: CheckRow[], mismatchesOnly = false): string {
  const table = new Table({ head: ["Check", "Expected", "On chain", ""], style: { head: [], border: [], compact: true } });
  for (const r of rows) if (!mismatchesOnly || !r.ok) table.push([r.item, r.expected, r.actual, r.ok ? "ok" : "MISMATCH"]);
  return table.toString();
}
