/**
 * Console tables that fit a terminal: every line a task prints is at most `MAX_LINE_WIDTH` characters. Built on
 * cli-table3; columns narrower than their share keep their natural width, wider ones are word-wrapped (and long
 * words such as addresses kept whole whenever the widths allow it).
 */
import Table from "cli-table3";

/** Widest line any Ballast command prints, characters. */
export const MAX_LINE_WIDTH = 120;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const width = (s: string): number =>
  Math.max(
    0,
    ...s
      .replace(ANSI, "")
      .split("\n")
      .map((l) => [...l].length),
  );
const longestWord = (s: string): number =>
  Math.max(
    0,
    ...s
      .replace(ANSI, "")
      .split(/\s+/)
      .map((w) => [...w].length),
  );

/**
 * Column widths (cells plus one space of padding each side) whose table fits `maxWidth`, or undefined when the
 * natural widths already fit; `wordBoundary` is false when even the longest words do not fit.
 */
export function fitColumns(rows: string[][], maxWidth = MAX_LINE_WIDTH): { colWidths: number[]; wordBoundary: boolean } | undefined {
  const n = Math.max(0, ...rows.map((r) => r.length));
  const natural = Array.from({ length: n }, (_, i) => Math.max(3, ...rows.map((r) => width(r[i] ?? "") + 2)));
  const budget = maxWidth - (n + 1); // n + 1 vertical borders
  if (natural.reduce((a, b) => a + b, 0) <= budget) return undefined;
  const wordMin = Array.from({ length: n }, (_, i) => Math.min(natural[i], Math.max(3, ...rows.map((r) => longestWord(r[i] ?? "") + 2))));
  const wordBoundary = wordMin.reduce((a, b) => a + b, 0) <= budget;
  // Max-min fair share of the budget: the narrowest columns get their natural width first, the widest share the rest.
  const w = wordBoundary ? [...wordMin] : natural.map(() => 3);
  let extra = budget - w.reduce((a, b) => a + b, 0);
  const order = [...w.keys()].sort((i, j) => natural[i] - w[i] - (natural[j] - w[j]));
  order.forEach((i, k) => {
    const give = Math.min(natural[i] - w[i], Math.floor(extra / (order.length - k)));
    w[i] += give;
    extra -= give;
  });
  return { colWidths: w, wordBoundary };
}

/**
 * A compact table of `head` and `rows` whose every line is at most `maxWidth` characters.
 */
export function fittedTable(head: string[], rows: string[][], maxWidth = MAX_LINE_WIDTH): string {
  const fit = fitColumns([head, ...rows], maxWidth);
  const table = new Table({
    head,
    style: { head: [], border: [], compact: true },
    ...(fit ? { colWidths: fit.colWidths, wordWrap: true, wrapOnWordBoundary: fit.wordBoundary } : {}),
  });
  table.push(...rows);
  return table.toString();
}

/**
 * Narrows an already filled cli-table3 table, in place, so that every line fits `maxWidth` (word-wrapping its
 * widest columns); returns it.
 */
export function fitToWidth(table: Table.Table, maxWidth = MAX_LINE_WIDTH): Table.Table {
  const options = (table as unknown as { options: Record<string, unknown> & { head: string[] } }).options;
  const rows = (table as unknown as unknown[][]).map((r) => (Array.isArray(r) ? r.map(String) : []));
  const fit = fitColumns([options.head.map(String), ...rows], maxWidth);
  if (fit) Object.assign(options, { colWidths: fit.colWidths, wordWrap: true, wrapOnWordBoundary: fit.wordBoundary });
  return table;
}
