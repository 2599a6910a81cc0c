/**
 * Contract bugs the fuzzers found and reported, each reproduced by a named regression test in
 * test/regression/fuzzFindings.test.ts that fails until the contract is fixed. `FUZZ_QUARANTINE=BUG-1,...` lets a
 * campaign (or the benchmark) continue past them; remove an entry once its fix lands.
 */
export const KNOWN_BUGS: Record<string, string> = {
  "BUG-1": "INV-25: a maximum bid leaves a short position up to price/1e18 wei below the buffer (transferPortfolio rounding)",
  "BUG-2": "startAuction reverts (uint96 shortfall) when M - E >= 2**96 wei, so the account can never be liquidated",
  "BUG-3": "INV-18: a bid can lower the health factor by up to price/1e18 wei of equity (size and basis rounded independently)",
};
