/** Console rendering of deployment plans, addresses and check results, every line at most 120 characters. */
import { fittedTable } from "../cli/table";
import type { CheckRow } from "./check";

/** Flattens a parameter file into dotted keys and their human-unit values, in file order. */
export function flatten(value: unknown, prefix = ""): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => flatten(v, `${prefix}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, value === null ? "null" : String(value)]];
}

/** A two-column table (long values word-wrapped so that every line fits 120 characters). */
export function keyValueTable(head: [string, string], rows: [string, string][]): string {
  return fittedTable(head, rows);
}

/** The check-deployment table; with `mismatchesOnly`, only the failing rows. */
export function checkTable(rows: CheckRow[], mismatchesOnly = false): string {
  const shown = rows.filter((r) => !mismatchesOnly || !r.ok).map((r) => [r.item, r.expected, r.actual, r.ok ? "ok" : "MISMATCH"]);
  return fittedTable(["Check", "Expected", "On chain", ""], shown);
}
