/**
 * The EVMs a simulation can run on (src/sim/node.ts), in a module of their own so that the command line
 * parser can validate `--evm` without loading the node code.
 */
export const EVM_ENGINES = ["anvil", "hardhat"] as const;
export type EvmEngine = (typeof EVM_ENGINES)[number];

/**
 * Traders above which a run defaults to Hardhat's network (`--evm` not given). anvil recomputes the whole state root
 * for every block it mines, a cost that grows with the accounts on chain: on the benchmark scenario (72 busy steps)
 * anvil took 41 s with 500 traders but over 8 minutes with 1,000, where Hardhat's network took about 2 minutes
 * (docs/SIMULATION.md, "Benchmark"). Both give the same outputs, so this is a choice of speed only.
 */
export const ANVIL_MAX_TRADERS = 500;

/** The EVM a run with `traders` traders uses when `--evm` is not given. */
export function defaultEngine(traders: number): EvmEngine {
  return traders <= ANVIL_MAX_TRADERS ? "anvil" : "hardhat";
}
