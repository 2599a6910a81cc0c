/**
 * Which liquidatable accounts a keeper starts first (issue 13: keepers that do not collide). The most
 * under-margined go first: candidates are ordered by health-factor band (`START_BAND` wide, lowest first; an account
 * with no positive equity has health factor 0). Within a band each keeper orders by a hash of its name and the
 * account, so competing keepers with the same per-block cap start different accounts rather than all sending the
 * same batch, while every keeper still takes the most urgent band first. Deterministic: no clock or arrival order
 * enters the order.
 */
import { solidityPackedKeccak256 } from "ethers";
import { WAD } from "../model/wad";
import type { StartShape, TipInputs } from "./strategy";

/** Width of a health-factor band (WAD): 0.05e18 // 5 percentage points of health factor. */
export const START_BAND = WAD / 20n;

/** A liquidatable account a keeper may start, from its latest scan. */
export interface StartCandidate extends TipInputs, StartShape {
  account: bigint;
  /** Health factor at the scan (WAD; equity / maintenance margin, 0 when equity <= 0). */
  healthFactor: bigint;
  /** Margin equity at or below zero: started without the gas check (insolvent, or close to it). */
  noEquity: boolean;
}

/** The keeper-specific tie-break of `account` inside a band: keccak256(abi.encodePacked(salt, account)). */
export function startHash(salt: string, account: bigint): bigint {
  return BigInt(solidityPackedKeccak256(["string", "uint256"], [salt, account]));
}

/**
 * `candidates` in the order keeper `salt` starts them: health-factor band ascending, then `startHash` ascending.
 * Returns a new array; keeps every candidate.
 */
export function orderStarts(candidates: readonly StartCandidate[], salt: string): StartCandidate[] {
  const keyed = candidates.map((c) => ({ c, band: c.healthFactor / START_BAND, h: startHash(salt, c.account) }));
  keyed.sort((a, b) => (a.band !== b.band ? (a.band < b.band ? -1 : 1) : a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  return keyed.map((k) => k.c);
}
