/**
 * The simulation engine, a pipeline of named stages (src/sim/stages/) over typed state (`RunState`, `Metrics`).
 * For each parameter set of a scenario:
 *
 *   1. load scenario: done by the caller (src/sim/scenario.ts); the price path is built once here;
 *   2. chain and deployment (deployment.ts): a reset chain, the whole protocol deployed with the production
 *      Ignition module (deploy/modules/Ballast.ts) at pinned block times;
 *   3. population (population.ts, setup.ts, keepers.ts): the agents, their deposits and opening trades in two
 *      set-up blocks, the keepers;
 *   4. replay (replay.ts): per step, the oracle block (oracle.ts), the reaction and keeper blocks with the
 *      traders' reactions (reactions.ts, traders.ts), mining and settlement of every block (settlement.ts,
 *      ledger.ts), the step's observation (observation.ts);
 *   5. aggregation (aggregate.ts): liquidators' profits, invariants, the set's `SetResult`;
 *   6. report: by the caller (src/sim/summary.ts, src/sim/report.ts).
 *
 * Automine is off; every transaction has an explicit nonce, gas limit and priority fee; blocks order them by
 * priority fee, so keepers compete on gas and a losing transaction reverts on chain and pays for its gas.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { cacheBuildInfo } from "./buildInfoCache";
import { DEFAULT_ENGINE } from "./engines";
import { openNode } from "./node";
import { buildPath } from "./prices";
import { RevertDecoder } from "./reverts";
import type { Scenario } from "./scenario";
import type { RunOptions, SetResult, SimulationResult } from "./records";
import { deploy } from "./stages/deployment";
import { RunState, type RunInput } from "./stages/state";
import { populate } from "./stages/population";
import { setUpAccounts } from "./stages/setup";
import { startKeepers } from "./stages/keepers";
import { replay } from "./stages/replay";
import { aggregate } from "./stages/aggregate";
import { Timer, slowDown } from "./stages/timer";

export * from "./records";
export { agentWallet } from "./stages/population";
export { accountId } from "../model/accountId";

/**
 * Runs every parameter set of `scenario`, each on a fresh chain of `opts.engine` (by default
 * `DEFAULT_ENGINE`, anvil; src/sim/node.ts).
 * The task must run on the in-process hardhat network (its genesis is the chain's, and deployments stay in memory).
 */
export async function simulate(hre: HardhatRuntimeEnvironment, scenario: Scenario, opts: RunOptions): Promise<SimulationResult> {
  if (hre.network.name !== "hardhat") throw new Error("the simulator runs on the in-process hardhat network's genesis only");
  const path = buildPath(scenario.prices);
  cacheBuildInfo(hre);
  const engine = opts.engine ?? DEFAULT_ENGINE;
  const sets: SetResult[] = [];
  for (const [i, set] of scenario.parameterSets.entries()) {
    opts.progress.phase(
      "deploy",
      `set ${i + 1} of ${scenario.parameterSets.length} (${set.name}) on ${engine}, the production Ignition module`,
    );
    // Every set starts from the same genesis: same block times, same deployer nonce, same contract addresses,
    // whatever ran in this process before (which is why the simulator must not share a process with fixtures).
    const node = await openNode(hre, engine);
    try {
      sets.push(await runSet({ hre, node, scenario, pricePath: path, set, opts, setNumber: i + 1 }));
    } finally {
      await node.close();
      if (engine === "hardhat") {
        await hre.network.provider.request({ method: "evm_setAutomine", params: [true] });
        await hre.network.provider.request({ method: "evm_setBlockGasLimit", params: ["0x" + (30_000_000).toString(16)] });
      }
    }
  }
  return { scenario, path, sets };
}

/** One parameter set, stage by stage. */
async function runSet(input: RunInput): Promise<SetResult> {
  const { scenario: s, opts } = input;
  const timer = new Timer();
  const dep = await deploy(input.node, s, input.pricePath, input.set, timer);
  const run = new RunState(input, dep, timer);
  run.reverts = await RevertDecoder.fromArtifacts(input.hre);

  await populate(run);
  timer.lap("agents");
  opts.progress.phase("set-up", `${s.traders.count} traders, a market maker, ${s.liquidators.length} liquidators`);
  await slowDown("setup");
  await setUpAccounts(run);
  timer.lap("setup");
  await startKeepers(run);

  run.blockBase = run.chain.block;
  await replay(run);
  opts.progress.phase("end-of-run checks", "liquidator values, invariants over every account");
  timer.lap("steps");

  return aggregate(run);
}
