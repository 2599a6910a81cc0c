/**
 * `npx hardhat help <task>` lists every option of every Ballast task with its default, and options that take a
 * quantity name its unit.
 */
import { expect } from "chai";
import hre from "hardhat";
import { optionName } from "../../src/cli/errors";
import { hardhat, startAll, type Run } from "./helpers";

const TASKS = ["simulate", "keeper", "deploy-ballast", "check-deployment"] as const;

/** Words the help line of an option must contain: its unit or form. */
const UNITS: Record<string, Record<string, RegExp>> = {
  simulate: {
    seed: /whole number/,
    traders: /whole number/,
    steps: /whole number/,
    maxBadDebt: /USDC/,
    scenario: /JSON/,
    evm: /anvil.*hardhat/,
  },
  keeper: {
    poll: /Milliseconds/,
    blockTime: /seconds/,
    blocks: /whole number/,
    minProfit: /amount of cash/,
    minPriorityFee: /gwei/,
    maxPriorityFee: /gwei/,
    gasShare: /percentage/,
    targetDiscount: /percentage/,
    hedgeSlippage: /percentage/,
    privateKey: /64 hex digits/,
    maxStarts: /whole number/,
  },
  "deploy-ballast": { parameters: /JSON/ },
  "check-deployment": { parameters: /JSON/ },
};

describe("task help", function () {
  this.timeout(300_000);
  let runs: Record<(typeof TASKS)[number], Promise<Run>>;

  before(function () {
    runs = startAll(
      Object.fromEntries(TASKS.map((t) => [t, () => hardhat(["help", t])])) as Record<(typeof TASKS)[number], () => Promise<Run>>,
    );
  });
  after(async function () {
    if (runs) await Promise.all(Object.values(runs));
  });

  for (const name of TASKS) {
    it(`lists every option of ${name} with its default and unit`, async function () {
      const r = await runs[name];
      expect(r.code, r.stderr).to.equal(0);
      const params = Object.keys(hre.tasks[name].paramDefinitions);
      expect(params.length).to.be.greaterThan(2);
      for (const param of params) {
        const line = r.stdout
          .split("\n")
          .find((l) => l.trimStart().startsWith(`${optionName(param)} `) || l.trimStart().startsWith(`${optionName(param)}\t`));
        expect(line, `${optionName(param)} in\n${r.stdout}`).to.not.equal(undefined);
        expect(line, line).to.match(/\(default: .+\)/);
        const unit = UNITS[name][param];
        if (unit) expect(line, line).to.match(unit);
      }
    });
  }
});
