/**
 * State invariants of docs/INVARIANTS.md that can be checked from the outside at any moment, over a known set of
 * accounts (every account that ever held anything must be listed). Used by integration tests and the stateful
 * invariant suite. The checks live in src/sim/invariants.ts (the simulator runs them too); a violation fails the
 * test with a message naming its invariant ID.
 */
import { expect } from "chai";
import type { Ballast } from "./fixtures";
import { checkInvariantsCore } from "../../src/sim/invariants";

export interface InvariantReport {
  /** H - claims on cash (WAD): the protocol's reserve from interest spread and rounding (INV-02). */
  cashReserve: bigint;
}

/** Checks INV-01, INV-02, INV-03, INV-04, INV-07, INV-10, INV-11 and INV-22 over `accounts`. */
export async function checkInvariants(b: Ballast, accounts: bigint[]): Promise<InvariantReport> {
  const r = await checkInvariantsCore({ vault: b.vault, engine: b.engine, auction: b.auction, runner: b.deployer }, accounts);
  expect(r.violations, r.violations.join("; ")).to.deep.equal([]);
  return { cashReserve: r.cashReserve };
}
