/**
 * Simulator benchmark (never a timed test): runs a scenario with 100, 500 and 1,000 traders and prints wall time,
 * steps per second, the keepers' reads per step, the seconds per liquidatable account and the replay's seconds per
 * step (the steps alone: without deployment, set-up and the end-of-run checks, from `timings.json`), then the slope of
 * the time per step against the number of traders between the smallest and the largest size, for the whole run and
 * for the replay alone, so the growth of cost with the number of accounts is visible.
 *
 *   npm run bench:sim                                   # scenarios/bench.json: the crash hours, 72 steps
 *   BENCH_SCENARIO=scenarios/black-thursday.json BENCH_TRADERS=200 npm run bench:sim   # the whole default path
 *   BENCH_STEPS=24 npm run bench:sim                    # only the first 24 steps
 *   BENCH_EVM=hardhat npm run bench:sim                 # on Hardhat's in-process network instead of anvil
 *
 * Bad settings fail with one line naming the variable and exit code 2 (README.md, "Exit codes").
 */
import fs from "node:fs";
import hre from "hardhat";
import { badValue, parseWholeNumber, parseWholeNumberList, runMain } from "../src/cli/errors";
import { parseSimulateOptions } from "../src/cli/simulate";
import { fittedTable } from "../src/cli/table";
import { runSimulateCommand } from "../src/sim/cli";
import { EVM_ENGINES } from "../src/sim/engines";
import { replaySeconds } from "../src/sim/stages/timer";

/** The slope of seconds per step against traders between the smallest and the largest size, as one line. */
function slopeLine(what: string, points: { traders: number; seconds: number }[]): string | undefined {
  const sorted = [...points].sort((x, y) => x.traders - y.traders);
  const [lo, hi] = [sorted[0], sorted[sorted.length - 1]];
  if (hi.traders <= lo.traders) return undefined;
  const slope = ((hi.seconds - lo.seconds) / (hi.traders - lo.traders)) * 1000;
  return (
    `${what}: ${lo.seconds.toFixed(2)} s at ${lo.traders} traders, ${hi.seconds.toFixed(2)} s at ${hi.traders}: ` +
    `${slope.toFixed(2)} ms per trader per step (${(hi.seconds / lo.seconds).toFixed(1)}x for ${(hi.traders / lo.traders).toFixed(1)}x the traders)`
  );
}

/** The benchmark's settings from the environment, validated. @throws UserError naming the variable. */
function settings() {
  const scenario = process.env.BENCH_SCENARIO ?? "scenarios/bench.json";
  if (!fs.existsSync(scenario) || !fs.statSync(scenario).isFile()) throw badValue("BENCH_SCENARIO", scenario, "an existing scenario file");
  const steps = parseWholeNumber("BENCH_STEPS", process.env.BENCH_STEPS ?? "0", 0);
  const sizes = parseWholeNumberList("BENCH_TRADERS", process.env.BENCH_TRADERS ?? "100,500,1000", 1, "100,500,1000");
  const engine = process.env.BENCH_EVM;
  if (engine !== undefined && !(EVM_ENGINES as readonly string[]).includes(engine))
    throw badValue("BENCH_EVM", engine, EVM_ENGINES.join(" or "));
  // The scenario's schema, price files and parameter sets, checked before the first run.
  const { evm } = parseSimulateOptions(
    { scenario, evm: engine, noProgress: true, quiet: true, failOnSocialisedLoss: false },
    hre.config.paths.root,
  );
  return { scenario, steps, sizes, evm };
}

async function main() {
  const { scenario, steps, sizes, evm } = settings();
  const rows: string[][] = [];
  const perStep: { traders: number; seconds: number }[] = [];
  const replayPerStep: { traders: number; seconds: number }[] = [];
  for (const traders of sizes) {
    const res = await runSimulateCommand(hre, {
      scenario,
      traders,
      steps: steps || undefined,
      out: `reports/bench/${traders}`,
      evm,
      progress: false,
      quiet: true,
    });
    const set = res.summary.sets[0];
    const timings = JSON.parse(fs.readFileSync(res.files.timings, "utf8")).sets[0] as {
      keeperReads: number;
      seconds: Record<string, number>;
    };
    const reads = timings.keeperReads;
    const replay = replaySeconds(timings.seconds);
    rows.push(
      [
        traders,
        res.steps,
        res.wallSeconds.toFixed(1),
        (res.steps / res.wallSeconds).toFixed(2),
        (reads / res.steps).toFixed(1),
        set.liquidations.accountsLiquidatable,
        set.liquidations.bids,
        set.liquidations.accountsLiquidatable > 0 ? (res.wallSeconds / set.liquidations.accountsLiquidatable).toFixed(2) : "-",
        (replay / res.steps).toFixed(2),
      ].map(String),
    );
    perStep.push({ traders, seconds: res.wallSeconds / res.steps });
    replayPerStep.push({ traders, seconds: replay / res.steps });
    console.log(`${traders} traders: ${res.wallSeconds.toFixed(1)} s for ${res.steps} steps`);
  }
  console.log(`\n${scenario}${steps ? `, first ${steps} steps` : ""}, on ${evm ?? "anvil"}`);
  console.log(
    fittedTable(
      [
        "traders",
        "steps",
        "wall s",
        "steps/s",
        "keeper reads/step",
        "liquidatable accounts",
        "bids",
        "s per liquidatable",
        "replay s/step",
      ],
      rows,
    ),
  );
  for (const line of [slopeLine("time per step", perStep), slopeLine("replay time per step", replayPerStep)]) if (line) console.log(line);
}

void runMain(main, hre.network);
