/**
 * Hardhat configuration for Ballast.
 *
 * The compiler is served from the exactly pinned `solc` npm package (solcjs) so that compiling never needs the
 * network: the subtask that normally downloads a compiler build is overridden below.
 */
import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/config";
import "@nomicfoundation/hardhat-toolbox";

import "./tasks";

/** Must equal the version of the `solc` package pinned in package.json. */
const SOLC_VERSION = "0.8.28";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD).setAction(async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  return {
    compilerPath: path.join(path.dirname(require.resolve("solc/package.json")), "soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const accounts = process.env.DEPLOYER_PRIVATE_KEY ? [process.env.DEPLOYER_PRIVATE_KEY] : [];

const config: HardhatUserConfig = {
  solidity: {
    compilers: [{ version: SOLC_VERSION, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" } }],
  },
  networks: {
    // A fixed genesis date keeps block timestamps, and therefore gas and simulator output, reproducible. With
    // automine off (the simulator), pending transactions are mined in arrival order: the simulator hands them over
    // highest priority fee first (src/sim/chain.ts), the same on anvil.
    hardhat: { initialDate: "2026-01-01T00:00:00Z", mining: { mempool: { order: "fifo" } } },
    localhost: { url: process.env.LOCALHOST_RPC_URL ?? "http://127.0.0.1:8545" },
    sepolia: { url: process.env.SEPOLIA_RPC_URL ?? "", accounts, chainId: 11155111 },
    arbitrumSepolia: { url: process.env.ARBITRUM_SEPOLIA_RPC_URL ?? "", accounts, chainId: 421614 },
    baseSepolia: { url: process.env.BASE_SEPOLIA_RPC_URL ?? "", accounts, chainId: 84532 },
  },
  paths: {
    sources: "./contracts",
    tests: "./test",
    cache: "./cache",
    artifacts: "./artifacts",
    ignition: "./deploy",
  },
  // hardhat-verify (toolbox): one Etherscan API key serves Sepolia, Arbitrum Sepolia and Base Sepolia through the
  // Etherscan V2 multichain API; Sourcify needs no key. `npx hardhat ignition verify <deployment id>` verifies every
  // contract of a deployment journal (docs/DEPLOYMENT.md).
  etherscan: { apiKey: process.env.ETHERSCAN_API_KEY ?? "" },
  sourcify: { enabled: true },
  typechain: { outDir: "typechain-types", target: "ethers-v6" },
  gasReporter: { enabled: process.env.REPORT_GAS === "1", currency: "USD", offline: true },
  mocha: {
    timeout: 120_000,
    // The suite's last check: no process started by a test (hardhat node, simulator, browser) outlives it.
    rootHooks: {
      beforeAll() {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("./test/shared/processes") as typeof import("./test/shared/processes")).markTestSession();
        // A fixture restored late in a long run resumes at its own time, not the wall clock's (test/shared/clock.ts).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const hre = require("hardhat") as typeof import("hardhat");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("./test/shared/clock") as typeof import("./test/shared/clock")).pinClockAfterRevert(hre.network.provider);
      },
      afterAll() {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("./test/shared/processes") as typeof import("./test/shared/processes")).assertNoChildProcessSurvives();
      },
    },
  },
};

export default config;
