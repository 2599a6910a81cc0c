/**
 * `npx hardhat simulate [--scenario <file>] [--seed <n>] [--out <dir>] [--traders <n>] [--liquidators <list>]
 * [--compare <parameter set file>] [--steps <n>] [--no-progress] [--quiet] [--fail-on-socialised-loss]
 * [--max-bad-debt <USDC>] [--evm anvil|hardhat]`: replays a price path with traders, a market maker and competing liquidators on a local
 * EVM (anvil, or the in-process Hardhat network) and writes summary.json and report.html (docs/SIMULATION.md). Every option is validated before
 * anything is compiled; exit codes are listed in README.md ("Exit codes"). The implementation is loaded lazily:
 * this file is imported by hardhat.config.ts before anything is compiled.
 */
import { task } from "hardhat/config";
import { cliAction, CliError, EXIT } from "../src/cli/errors";
import type { RawSimulateOptions } from "../src/cli/simulate";

task("simulate", "Replays a crash with traders, a market maker and competing liquidators on a local EVM (anvil by default)")
  .addOptionalParam("scenario", "Scenario file (JSON, docs/SIMULATION.md)", "scenarios/black-thursday.json")
  .addOptionalParam("seed", "Random seed, a whole number >= 0 (default: the scenario's seed)")
  .addOptionalParam("out", "Output directory (default: reports/sim/<scenario file name>)")
  .addOptionalParam("traders", "Number of traders, a whole number >= 1 (default: the scenario's traders.count)")
  .addOptionalParam(
    "liquidators",
    "Comma-separated strategies eager|patient|flash, e.g. eager,eager,patient,flash (default: the scenario's liquidators)",
  )
  .addOptionalParam(
    "compare",
    'A second parameter set file { name, description, overrides } run on the same path (default: none; e.g. "scenarios/parameter-sets/fast-auction.json")',
  )
  .addOptionalParam("steps", "Stop after this many steps, a whole number >= 1 (default: the whole price window)")
  .addOptionalParam(
    "evm",
    'The EVM to replay on: "anvil" (Foundry\'s node, a child process) or "hardhat" (the in-process network: the same outputs, about five times slower) (default: anvil)',
  )
  .addFlag("noProgress", "No progress on stderr (default: phases and a replay bar on a terminal, plain lines elsewhere)")
  .addFlag("quiet", "Print nothing but errors (default: print the summary tables)")
  .addFlag("failOnSocialisedLoss", "CI gate: exit 3 if any parameter set socialised a loss (default: off)")
  .addOptionalParam(
    "maxBadDebt",
    'CI gate: exit 3 if any parameter set ends with more bad debt than this, in USDC, e.g. "50000" or "50,000 USDC" (default: no limit)',
  )
  .addOptionalParam(
    "seeds",
    "Monte Carlo: run this many seeds (from --seed or the scenario's seed on) in parallel processes and aggregate them into sweep-summary.json, sweep.csv and sweep-report.html (default: one run)",
  )
  .addOptionalParam("shard", 'With --seeds: run only slice k of n of the sweep, e.g. "2/8", for `simulate-merge` (default: "1/1", all)')
  .addOptionalParam("confidence", 'With --seeds: confidence of the recommended insurance fund, a percentage (default: "99%")')
  .addOptionalParam(
    "concurrency",
    "With --seeds: worker processes at most at once, a whole number >= 1 (default: the machine's cores); fewer when memory is short",
  )
  .setAction(
    cliAction(async (raw: RawSimulateOptions, hre) => {
      const { parseSimulateOptions, enforceGates } = await import("../src/cli/simulate");
      const opts = parseSimulateOptions(raw, hre.config.paths.root);
      if (opts.sweep) {
        await hre.run("compile", { quiet: true });
        const { runSweepCommand } = await import("../src/sim/sweepCli");
        await runSweepCommand(hre.config.paths.root, opts, { quiet: raw.quiet, progress: !raw.noProgress && !raw.quiet });
        return;
      }
      const { Progress } = await import("../src/sim/progress");
      const reporter = new Progress({ silent: raw.noProgress || raw.quiet, bar: process.stderr.isTTY === true });
      reporter.phase("compile");
      await hre.run("compile", { quiet: true });
      reporter.phase("load", "scenario and price path");
      const { runSimulateCommand } = await import("../src/sim/cli");
      const res = await runSimulateCommand(hre, {
        reporter,
        scenario: opts.scenario,
        seed: opts.seed,
        out: opts.out,
        traders: opts.traders,
        liquidators: opts.liquidators,
        compare: opts.compare,
        steps: opts.steps,
        evm: opts.evm,
        progress: !raw.noProgress && !raw.quiet,
        quiet: raw.quiet,
      });
      const broken = res.summary.sets.filter((s) => !s.invariants.ok);
      if (broken.length > 0) {
        throw new CliError(
          `invariant violations: ${broken.map((s) => `parameter set "${s.name}": ${s.invariants.violations.join("; ")}`).join("; ")}`,
          EXIT.internal,
        );
      }
      enforceGates(res.summary, opts.gates);
    }),
  );

task("simulate-merge", "Combines the shard directories of a `simulate --seeds N --shard k/n` sweep into one aggregate")
  .addOptionalParam("out", "Directory for sweep-summary.json, sweep.csv and sweep-report.html (default: reports/sweep)")
  .addVariadicPositionalParam("shards", "Shard output directories (each holds sweep.json and runs/)")
  .setAction(
    cliAction(async (raw: { out?: string; shards: string[] }, hre) => {
      const { runMergeCommand } = await import("../src/sim/sweepCli");
      runMergeCommand(hre.config.paths.root, raw.shards, raw.out ?? "reports/sweep");
    }),
  );
