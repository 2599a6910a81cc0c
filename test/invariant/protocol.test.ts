/**
 * Stateful invariant suite: fast-check model-based command sequences over one deployed protocol per run (reset
 * with loadFixture). Steps (test/invariant/steps.ts): deposits, withdrawals, fills between any two actors, order
 * lifecycles, oracle moves (crashes, spikes), time passing with and without feed updates (stale periods),
 * funding updates, volatility observations, parameter changes within bounds, isolation, auction parameter
 * changes, auction starts, bids, terminations, checkpoints, restarts, insurance deposits, withdrawal requests,
 * claims and cancellations. Every step is checked against the model where the model predicts it (exact new state
 * or exact revert), then every state invariant of docs/INVARIANTS.md is checked (test/invariant/checks.ts).
 *
 * A failure shrinks to a minimal sequence and prints its seed, path, replay path and a replayable script for
 * `runSteps` (test/invariant/replay.ts; see docs/TESTING.md).
 */
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fuzz, prop, replayPath, runsFor, timeoutFor } from "../shared/fuzz";
import { World, statefulProtocol } from "./world";
import { commandArbs } from "./steps";
import { printProfile } from "./profile";

const FILE = "test/invariant/protocol.test.ts";
const SUITE = "stateful protocol";
/** Commands per run (FUZZ_STEPS overrides). */
const MAX_STEPS = Number(process.env.FUZZ_STEPS ?? 30);

type Cmds = Iterable<fc.AsyncCommand<object, World>>;

/** The executed commands of a counterexample as a `runSteps` script, with the world's log of the run. */
function script(cmds: Cmds, log: string[] | undefined, run: { seed: number; path: string; grep: string }): string {
  const ran = [...cmds].filter((c) => (c as { hasRan?: boolean }).hasRan !== false).map(String);
  const replayPath = /replayPath="([^"]*)"/.exec(String(cmds))?.[1] ?? "";
  return [
    `// replay exactly (this sequence, shrunk): FUZZ_SEED=${run.seed} FUZZ_PATH="${run.path}" FUZZ_REPLAY_PATH="${replayPath}" npx hardhat test ${FILE} --grep "${run.grep}"`,
    '// or in a test: import { runSteps } from "./replay";',
    "await runSteps([",
    ...ran.map((c) => `  ${c},`),
    "]);",
    `// fast-check: ${String(cmds)}`,
    ...(log ? ["// log of the failing run:", ...log.map((l) => `//   ${l}`)] : []),
  ].join("\n");
}

describe("invariants: random command sequences keep every invariant after every step", function () {
  it("every step of random deposits, withdrawals, fills, orders, oracle moves and stale periods, funding, volatility observations, parameter changes (margin tiers included), auctions and insurance exits keeps INV-01, INV-02, INV-03, INV-04, INV-05, INV-06, INV-07, INV-08, INV-09, INV-10, INV-11, INV-12, INV-13, INV-14, INV-15, INV-16, INV-17, INV-18, INV-19, INV-20, INV-21, INV-22, INV-23, INV-24, INV-25, INV-28, INV-29 and INV-30", async function () {
    const runs = runsFor(10);
    this.timeout(timeoutFor(runs, MAX_STEPS * 1500));
    await loadFixture(statefulProtocol); // deployed before timing starts
    const logs = new WeakMap<object, string[]>();
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 10,
        file: FILE,
        printer: ([cmds], run) => script(cmds, logs.get(cmds as object), run),
      },
      prop([fc.commands([fc.oneof(...commandArbs)], { maxCommands: MAX_STEPS, size: "max", replayPath: replayPath() })], async (cmds) => {
        const w = new World(await loadFixture(statefulProtocol));
        logs.set(cmds as object, w.log);
        await w.step("initial state", async () => "observed");
        await fc.asyncModelRun(() => ({ model: {}, real: w }), cmds);
        if (process.env.FUZZ_VERBOSE) console.log(w.log.map((l) => `  ${l}`).join("\n") + "\n");
      }),
    );
    printProfile();
  });
});
