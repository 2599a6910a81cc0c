/**
 * `npx hardhat simulate [--scenario <file>] [--seed <n>] [--out <dir>] [--traders <n>] [--liquidators <list>]
 * [--compare <parameter set file>] [--steps <n>] [--no-progress] [--quiet]`: replays a price path with traders, a
 * market maker and competing liquidators on the in-process EVM and writes summary.json and report.html
 * (docs/SIMULATION.md). The implementation is loaded lazily: this file is imported by hardhat.config.ts before
 * anything is compiled.
 */
import { task, types } from "hardhat/config";

task("simulate", "Replays a crash with traders, a market maker and competing liquidators on the in-process EVM")
  .addOptionalParam("scenario", "Scenario file", "scenarios/black-thursday.json")
  .addOptionalParam("seed", "Random seed (default: the scenario's)", undefined, types.int)
  .addOptionalParam("out", "Output directory (default: reports/sim/<scenario>)")
  .addOptionalParam("traders", "Number of traders (default: the scenario's)", undefined, types.int)
  .addOptionalParam("liquidators", "Comma-separated strategies, e.g. eager,eager,patient,flash (default: the scenario's)")
  .addOptionalParam("compare", "A second parameter set to run on the same path: { name, description, overrides }")
  .addOptionalParam("steps", "Stop after this many steps", undefined, types.int)
  .addFlag("noProgress", "No progress bar")
  .addFlag("quiet", "Print nothing but errors")
  .setAction(async (args, hre) => {
    const { Progress } = await import("../src/sim/progress");
    const reporter = new Progress({ silent: args.noProgress || args.quiet, bar: process.stderr.isTTY === true });
    reporter.phase("compile");
    await hre.run("compile", { quiet: true });
    reporter.phase("load", "scenario and price path");
    const { runSimulateCommand } = await import("../src/sim/cli");
    const res = await runSimulateCommand(hre, {
      reporter,
      scenario: args.scenario,
      seed: args.seed,
      out: args.out,
      traders: args.traders,
      liquidators: args.liquidators,
      compare: args.compare,
      steps: args.steps,
      progress: !args.noProgress && !args.quiet,
      quiet: args.quiet,
    });
    const broken = res.summary.sets.some((s) => !s.invariants.ok);
    if (broken) process.exitCode = 1;
  });
