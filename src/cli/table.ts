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
  let min = Array.from({ length: n }, (_, i) => Math.min(natural[i], Math.max(3, ...rows.map((r) => longestWord(r[i] ?? "") + 2))));
  let wordBoundary = true;
  if (min.reduce((a, b) => a + b, 0) > budget) {
    min = natural.map((w) => Math.min(w, 8));
    wordBoundary = false;
  }
  const w = [...min];
  let extra = budget - w.reduce((a, b) => a + b, 0);
  while (extra > 0) {
    let best = -1;
    for (let i = 0; i < n; i++) if (natural[i] - w[i] > 0 && (best < 0 || natural[i] - w[i] > natural[best] - w[best])) best = i;
    if (best < 0) break;
    w[best]++;
    extra--;
  }
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
