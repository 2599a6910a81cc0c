/**
 * The benchmark scripts on bad settings: one line naming the environment variable, exit code 2, no stack trace.
 */
import { expect } from "chai";
import { hardhat, hasStackTrace, run, startAll, type Run } from "./helpers";

const TS_NODE = require.resolve("ts-node/dist/bin.js");

describe("benchmark command line", function () {
  this.timeout(300_000);
  let runs: Record<"sim" | "fuzz", Promise<Run>>;

  before(function () {
    runs = startAll({
      sim: () => hardhat(["run", "--no-compile", "scripts/bench-sim.ts"], { BENCH_TRADERS: "100,-5" }),
      fuzz: () => run(process.execPath, [TS_NODE, "--transpile-only", "scripts/bench-fuzz.ts"], { BENCH_RUNS: "0" }),
    });
  });
  after(async function () {
    if (runs) await Promise.all(Object.values(runs));
  });

  it("bench:sim names BENCH_TRADERS, the value and the allowed form", async function () {
    const r = await runs.sim;
    expect(r.stderr).to.equal(
      'Error: BENCH_TRADERS "100,-5": expected a comma-separated list of whole numbers of at least 1, such as 100,500,1000\n',
    );
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:fuzz names BENCH_RUNS, the value and the allowed range", async function () {
    const r = await runs.fuzz;
    expect(r.stderr).to.equal('Error: BENCH_RUNS "0": expected a whole number of at least 1\n');
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });
});
