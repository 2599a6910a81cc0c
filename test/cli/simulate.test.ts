/**
 * `npx hardhat simulate` on bad input: one line on stderr naming the option or file, the value and what is allowed;
 * exit code 2; no stack trace unless --verbose. Every case fails before anything is compiled or deployed. The CI
 * gates (exit code 3) run the smoke scenario for a few steps.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { hardhat, hasStackTrace, removeTempFiles, ROOT, startAll, tempFile, type Run } from "./helpers";

const ETH_5M = "data/prices/2020-03-12_black-thursday/binance-spot_ETHUSDT_5m_20200311-20200314.csv";
const SMOKE = path.join(ROOT, "scenarios", "smoke.json");

/** Asserts a bad-input failure: exit code 2 and exactly `line` on stderr, nothing else. */
function expectBadInput(r: Run, line: string): void {
  expect(r.stderr, r.stdout).to.equal(`Error: ${line}\n`);
  expect(r.code).to.equal(2);
  expect(hasStackTrace(r.stderr)).to.equal(false);
}

/** The bad-input cases: the command line and the one line expected on stderr. */
function cases() {
  const lines = fs.readFileSync(path.join(ROOT, ETH_5M), "utf8").split("\n");
  lines[4] = "1583885700,168.1,abc,167,168,10";
  const csv = tempFile("eth.csv", lines.join("\n"));
  const csvScenario = tempFile(
    "csv.json",
    JSON.stringify({ extends: SMOKE, prices: { series: { "ETH/USD": { file: csv, interpolate: "previous" } } } }),
  );
  const schema = tempFile("schema.json", JSON.stringify({ extends: SMOKE, traders: { count: "many" } }));
  const broken = tempFile("broken.json", '{ "extends": ');
  const set = tempFile("set.json", JSON.stringify({ name: "x", overrides: { auction: { fastDuration: "0s" } } }));
  const stake = tempFile("stake.json", JSON.stringify({ name: "x", overrides: {}, insurance: { initialStake: "lots" } }));
  return {
    traders: { args: ["--traders", "-5"], line: '--traders "-5": expected a whole number of at least 1' },
    seed: { args: ["--seed", "abc"], line: '--seed "abc": expected a whole number of at least 0' },
    steps: { args: ["--steps", "0"], line: '--steps "0": expected a whole number of at least 1' },
    scenario: {
      args: ["--scenario", "scenarios/nope.json"],
      line: '--scenario "scenarios/nope.json": expected an existing scenario (JSON) file',
    },
    compare: {
      args: ["--compare", "scenarios/parameter-sets/nope.json"],
      line: '--compare "scenarios/parameter-sets/nope.json": expected an existing parameter-set (JSON) file',
    },
    set: { args: ["--compare", set], line: `${set}: auction.fastDuration: 0s is outside [1m, 1d]` },
    stake: {
      args: ["--compare", stake],
      line: `${stake}: insurance.initialStake: "lots" must be an amount with its unit, such as "1,000 USDC"`,
    },
    strategy: {
      args: ["--liquidators", "eager,lazy"],
      line: '--liquidators "eager,lazy": expected a comma-separated list of eager, patient, flash (unknown strategy "lazy")',
    },
    schema: { args: ["--scenario", schema], line: `${schema}: traders.count: Expected number, received string` },
    json: { args: ["--scenario", broken], line: `${broken}: not valid JSON (Unexpected end of JSON input)` },
    csv: {
      args: ["--scenario", csvScenario],
      line: `${csv}: line 5: "1583885700,168.1,abc,167,168,10" is not a row "timestamp_unix_seconds,open,high,low,close[,volume]" with positive prices`,
    },
    maxBadDebt: {
      args: ["--max-bad-debt", "50k"],
      line: '--max-bad-debt "50k": expected an amount of USDC such as "50000" or "50,000 USDC"',
    },
    evm: { args: ["--evm", "geth"], line: '--evm "geth": expected anvil or hardhat' },
    verbose: { args: ["--traders", "-5", "--verbose"], line: "" },
  };
}

describe("simulate command line", function () {
  this.timeout(300_000);
  let expected: ReturnType<typeof cases>;
  let runs: Record<keyof ReturnType<typeof cases>, Promise<Run>>;

  before(function () {
    expected = cases();
    const start = (k: keyof typeof expected) => () => hardhat(["simulate", ...expected[k].args]);
    runs = startAll(
      Object.fromEntries(Object.keys(expected).map((k) => [k, start(k as keyof typeof expected)])) as Record<
        keyof typeof expected,
        () => Promise<Run>
      >,
    );
  });
  after(async function () {
    if (runs) await Promise.all(Object.values(runs));
    removeTempFiles();
  });

  const bad = (key: keyof ReturnType<typeof cases>) => async () => expectBadInput(await runs[key], expected[key].line);

  it("refuses a negative trader count naming --traders, the value and the allowed range", bad("traders"));
  it("refuses a non-numeric seed", bad("seed"));
  it("refuses zero steps", bad("steps"));
  it("refuses a scenario file that does not exist", bad("scenario"));
  it("refuses a parameter-set file that does not exist", bad("compare"));
  it("refuses a parameter set whose override breaks its bounds, naming the file and the key", bad("set"));
  it("refuses a parameter set whose insurance stake is not an amount of cash, naming the file and the key", bad("stake"));
  it("refuses an unknown liquidator strategy", bad("strategy"));
  it("refuses a scenario that breaks its schema, naming the file and the key", bad("schema"));
  it("refuses a scenario that is not JSON", bad("json"));
  it("names the file and the line number of a malformed price row", bad("csv"));
  it("refuses a bad-debt limit that is not an amount of USDC", bad("maxBadDebt"));
  it("refuses an EVM other than anvil or hardhat", bad("evm"));

  it("prints the stack trace after the line only with --verbose", async function () {
    const r = await runs.verbose;
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('Error: --traders "-5": expected a whole number of at least 1\n');
    expect(hasStackTrace(r.stderr)).to.equal(true);
  });

  describe("CI gates", function () {
    this.timeout(600_000);

    it("exits 3 naming each gate that failed when bad debt and socialised loss exceed them", async function () {
      const out = tempFile("fail/.keep", "");
      const r = await hardhat([
        "simulate",
        "--scenario",
        "scenarios/smoke.json",
        "--steps",
        "16",
        "--quiet",
        "--out",
        path.dirname(out),
        "--fail-on-socialised-loss",
        "--max-bad-debt",
        "50,000 USDC",
      ]);
      expect(r.code, r.stderr).to.equal(3);
      const summary = JSON.parse(fs.readFileSync(path.join(ROOT, path.dirname(out), "summary.json"), "utf8"));
      const losses = summary.sets[0].losses as { badDebt: number; socialised: number };
      const usdc = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      expect(losses.socialised).to.be.greaterThan(0);
      expect(losses.badDebt).to.be.greaterThan(50_000);
      expect(r.stderr).to.equal(
        `Gate failed: --fail-on-socialised-loss: parameter set "baseline" socialised ${usdc(losses.socialised)} USDC; ` +
          `--max-bad-debt 50,000.00 USDC: parameter set "baseline" ended with ${usdc(losses.badDebt)} USDC of bad debt\n`,
      );
    });
  });
});
