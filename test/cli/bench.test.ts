/**
 * The benchmark scripts on bad settings: one line naming the environment variable, exit code 2, no stack trace.
 */
import { expect } from "chai";
import { hardhat, hasStackTrace, run, startAll, type Run } from "./helpers";

const TS_NODE = require.resolve("ts-node/dist/bin.js");
const benchFuzz = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [TS_NODE, "--transpile-only", "scripts/bench-fuzz.ts", ...args], env);
const benchMining = (args: string[], env: Record<string, string>) =>
  run(process.execPath, [TS_NODE, "--transpile-only", "scripts/bench-mining.ts", ...args], env);

describe("benchmark command line", function () {
  this.timeout(300_000);
  let runs: Record<
    "sim" | "simEvm" | "fuzz" | "forge" | "campaign" | "suites" | "help" | "miningSlots" | "miningEvm" | "miningBlocks" | "miningHelp",
    Promise<Run>
  >;

  before(function () {
    runs = startAll({
      sim: () => hardhat(["run", "--no-compile", "scripts/bench-sim.ts"], { BENCH_TRADERS: "100,-5" }),
      simEvm: () => hardhat(["run", "--no-compile", "scripts/bench-sim.ts"], { BENCH_EVM: "geth" }),
      fuzz: () => benchFuzz([], { BENCH_RUNS: "0" }),
      forge: () => benchFuzz([], { BENCH_FORGE: "yes" }),
      campaign: () => benchFuzz([], { BENCH_FORGE_CAMPAIGN: "long" }),
      suites: () => benchFuzz([], { BENCH_SUITES: "marginMath,forge" }),
      help: () => benchFuzz(["--help"], {}),
      miningSlots: () => benchMining([], { BENCH_SLOTS: "2000,lots" }),
      miningEvm: () => benchMining([], { BENCH_EVM: "anvil,geth" }),
      miningBlocks: () => benchMining([], { BENCH_BLOCKS: "1000000" }),
      miningHelp: () => benchMining(["--help"], {}),
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

  it("bench:sim names BENCH_EVM, the value and the EVMs allowed", async function () {
    const r = await runs.simEvm;
    expect(r.stderr).to.equal('Error: BENCH_EVM "geth": expected anvil or hardhat\n');
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:fuzz names BENCH_RUNS, the value and the allowed range", async function () {
    const r = await runs.fuzz;
    expect(r.stderr).to.equal('Error: BENCH_RUNS "0": expected a whole number of at least 1\n');
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:fuzz names BENCH_FORGE, the value and the allowed values", async function () {
    const r = await runs.forge;
    expect(r.stderr).to.equal('Error: BENCH_FORGE "yes": expected 1 (run the Foundry campaign) or 0 (skip it)\n');
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:fuzz names BENCH_FORGE_CAMPAIGN, the value and the allowed campaigns", async function () {
    const r = await runs.campaign;
    expect(r.stderr).to.equal('Error: BENCH_FORGE_CAMPAIGN "long": expected short or default\n');
    expect(r.code).to.equal(2);
  });

  it("bench:fuzz names BENCH_SUITES, the value and every suite id", async function () {
    const r = await runs.suites;
    expect(r.stderr).to.equal(
      'Error: BENCH_SUITES "marginMath,forge": expected "none" or a comma-separated list of marginMath, volatility, ' +
        "auctionMath, engineMargin, liquidationPrice, auction, insurance, protocol\n",
    );
    expect(r.code).to.equal(2);
  });

  it("bench:fuzz --help lists every setting with its default, within 120 columns, and runs nothing", async function () {
    const r = await runs.help;
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal("");
    for (const v of ["BENCH_RUNS", "BENCH_STEPS", "BENCH_SEED", "BENCH_SUITES", "BENCH_FORGE=1|0", "BENCH_FORGE_CAMPAIGN=short|default"])
      expect(r.stdout).to.contain(v);
    expect(r.stdout).to.contain("(default default)");
    expect(Math.max(...r.stdout.split("\n").map((l) => l.length))).to.be.at.most(120);
  });

  it("bench:mining names BENCH_SLOTS, the value and the allowed form", async function () {
    const r = await runs.miningSlots;
    expect(r.stderr).to.equal(
      'Error: BENCH_SLOTS "2000,lots": expected a comma-separated list of whole numbers from 0 to 10,000,000, such as 2000,40000\n',
    );
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:mining names BENCH_EVM, the value and the EVMs allowed", async function () {
    const r = await runs.miningEvm;
    expect(r.stderr).to.equal('Error: BENCH_EVM "anvil,geth": expected a comma-separated list of anvil, hardhat\n');
    expect(r.code).to.equal(2);
    expect(hasStackTrace(r.stderr)).to.equal(false);
  });

  it("bench:mining names BENCH_BLOCKS, the value and the allowed range", async function () {
    const r = await runs.miningBlocks;
    expect(r.stderr).to.equal('Error: BENCH_BLOCKS "1000000": expected a whole number from 1 to 100000\n');
    expect(r.code).to.equal(2);
  });

  it("bench:mining --help lists every setting with its default and the exit codes, and measures nothing", async function () {
    const r = await runs.miningHelp;
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal("");
    for (const v of [
      "BENCH_SLOTS",
      "(default 2000,40000)",
      "BENCH_BLOCKS",
      "(default 50)",
      "BENCH_EVM",
      "(default both)",
      "Exit codes: 0 done, 1 a node failed, 2 a bad setting.",
    ])
      expect(r.stdout).to.contain(v);
    expect(r.stdout).to.not.contain("storage slots:");
  });
});
