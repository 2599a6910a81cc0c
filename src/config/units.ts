/**
 * Human units <-> on-chain units: the one place where deployment parameters written for people ("10%", "1h",
 * "5,000,000 USDC", "3,000") become the integers the contracts store.
 *
 * Every parser throws a `UnitError` naming the offending key, so a bad parameter file fails before any
 * transaction is sent.
 */
import { parseUnits, formatUnits } from "ethers";
import { UserError } from "../cli/errors";

/** 1.0 in WAD fixed point (defined once, in src/model/wad.ts). */
export { WAD } from "../model/wad";

/** A value that could not be parsed; `key` is the dotted path of the parameter. */
export class UnitError extends UserError {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = "UnitError";
  }
}

/** Removes thousands separators and surrounding spaces: "5,000,000" -> "5000000". */
function clean(text: string): string {
  return text.trim().replace(/[,_\s]/g, "");
}

/** Parses a non-negative decimal string into an integer with `decimals` decimals (exact, no float). */
export function parseDecimal(key: string, text: string, decimals: number): bigint {
  const t = clean(text);
  if (!/^\d+(\.\d+)?$/.test(t)) throw new UnitError(key, `"${text}" is not a non-negative decimal number`);
  const frac = t.split(".")[1] ?? "";
  if (frac.length > decimals) throw new UnitError(key, `"${text}" has more than ${decimals} decimal places`);
  return parseUnits(t, decimals);
}

/** "5%" -> 0.05e18 (WAD). A bare number without "%" is rejected so that "5" is never read as 500%. */
export function parsePercent(key: string, text: string): bigint {
  const t = text.trim();
  if (!t.endsWith("%")) throw new UnitError(key, `"${text}" must be a percentage such as "5%"`);
  return parseDecimal(key, t.slice(0, -1), 18) / 100n;
}

/** A plain ratio or multiplier: "0.94" -> 0.94e18, "2" -> 2e18 (WAD). */
export function parseRatio(key: string, text: string | number): bigint {
  return parseDecimal(key, String(text), 18);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** "90s", "5m", "1h", "2d", "1d12h" -> seconds. */
export function parseDuration(key: string, text: string): number {
  const t = clean(text);
  const parts = [...t.matchAll(/(\d+)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== t) {
    throw new UnitError(key, `"${text}" is not a duration such as "90s", "5m", "1h" or "2d"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * DURATION_UNITS[p[2]], 0);
}

/** "5,000,000 USDC" -> 5e6 * 10**decimals, checking the unit symbol. */
export function parseTokenAmount(key: string, text: string, symbol: string, decimals: number): bigint {
  const m = text.trim().match(/^([\d,_.\s]+?)\s*([A-Za-z][A-Za-z0-9.]*)$/);
  if (!m) throw new UnitError(key, `"${text}" must be an amount with its unit, such as "1,000 ${symbol}"`);
  if (m[2] !== symbol) throw new UnitError(key, `"${text}" is in ${m[2]}, expected ${symbol}`);
  return parseDecimal(key, m[1], decimals);
}

/** A gas price such as "2 gwei" -> wei per gas. Throws a `UnitError` naming `key` when not in gwei. */
export function parseGwei(key: string, value: string): bigint {
  return parseTokenAmount(key, value, "gwei", 9);
}

/** A price in cash per base unit, "3,000" or "3,000 USD" -> WAD. */
export function parsePrice(key: string, text: string | number): bigint {
  const t = String(text)
    .trim()
    .replace(/\s*USD$/, "");
  return parseDecimal(key, t, 18);
}

/** Formats a WAD value as a percentage string ("5%"). */
export function formatPercent(wad: bigint): string {
  return `${trimZeros(formatUnits(wad * 100n, 18))}%`;
}

/** Formats seconds compactly ("1h", "90s"). */
export function formatDuration(seconds: number | bigint): string {
  let s = Number(seconds);
  if (s === 0) return "0s";
  let out = "";
  for (const [u, n] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (s >= n) {
      out += `${Math.floor(s / n)}${u}`;
      s %= n;
    }
  }
  return out;
}

/** Formats a WAD value as a plain decimal. */
export function formatWad(wad: bigint): string {
  return trimZeros(formatUnits(wad, 18));
}

function trimZeros(s: string): string {
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}
