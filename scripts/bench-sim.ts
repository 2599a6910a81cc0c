/**
 * Simulator benchmark (never a timed test): runs a scenario with 100, 500 and 1,000 traders and prints wall time,
 * steps per second and the keepers' reads per step, so the growth of cost with the number of accounts is visible.
 *
 *   npm run bench:sim                                   # scenarios/bench.json: the crash hours, 72 steps
 *   BENCH_SCENARIO=scenarios/black-thursday.json BENCH_TRADERS=200 npm run bench:sim   # the whole default path
 *   BENCH_STEPS=24 npm run bench:sim                    # only the first 24 steps
 */
import hre from "hardhat";
import Table from "cli-table3";
import { runSimulateCommand } from "../src/sim/cli";

async function main() {
  const scenario = process.env.BENCH_SCENARIO ?? "scenarios/bench.json";
  const steps = Number(process.env.BENCH_STEPS ?? 0);
  const sizes = (process.env.BENCH_TRADERS ?? "100,500,1000").split(",").map(Number);
  const table = new Table({ head: ["traders", "steps", "wall s", "steps/s", "keeper reads/step", "liquidatable accounts", "bids"] });
  for (const traders of sizes) {
    const res = await runSimulateCommand(hre, {
      scenario,
      traders,
      steps: steps || undefined,
      out: `reports/bench/${traders}`,
      progress: false,
      quiet: true,
    });
    const set = res.summary.sets[0];
    const reads = JSON.parse((await import("node:fs")).readFileSync(res.files.timings, "utf8")).sets[0].keeperReads as number;
    table.push([
      traders,
      res.steps,
      res.wallSeconds.toFixed(1),
      (res.steps / res.wallSeconds).toFixed(2),
      (reads / res.steps).toFixed(1),
      set.liquidations.accountsLiquidatable,
      set.liquidations.bids,
    ]);
    console.log(`${traders} traders: ${res.wallSeconds.toFixed(1)} s for ${res.steps} steps`);
  }
  console.log(`\n${scenario}${steps ? `, first ${steps} steps` : ""}`);
  console.log(table.toString());
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
