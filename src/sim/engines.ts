/**
 * The EVMs a simulation can run on (src/sim/node.ts), in a module of their own so that the command line
 * parser can validate `--evm` without loading the node code.
 */
export const EVM_ENGINES = ["anvil", "hardhat"] as const;
export type EvmEngine = (typeof EVM_ENGINES)[number];

/**
 * The EVM a run uses when `--evm` is not given: anvil, 5.2 times faster than Hardhat's network on the default
 * scenario and 5.6 times faster on the benchmark scenario with 1,000 traders, with byte-identical outputs
 * (docs/SIMULATION.md, "Benchmark").
 */
export const DEFAULT_ENGINE: EvmEngine = "anvil";
