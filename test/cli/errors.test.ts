/**
 * The shared command-line pieces, in process: whole-number options, the one-line error report and its exit codes,
 * the translation of Hardhat's network errors, the simulator's CI gates and tables that fit 120 columns.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import {
  CliError,
  EXIT,
  GateError,
  parseWholeNumber,
  parseWholeNumberList,
  reportError,
  translateNetworkError,
  UserError,
} from "../../src/cli/errors";
import { gateFailures, parseUsdLimit, type Gates } from "../../src/cli/simulate";
import Table from "cli-table3";
import { fittedTable, fitToWidth, MAX_LINE_WIDTH } from "../../src/cli/table";
import { checkTable, flatten, keyValueTable } from "../../src/deploy/print";
import { ROOT } from "./helpers";
import { liquidatorTableHead } from "../../src/sim/cli";

const widest = (text: string) => Math.max(...text.split("\n").map((l) => [...l].length));

describe("command-line errors", function () {
  describe("parseWholeNumber", function () {
    it("accepts whole numbers with thousands separators", function () {
      expect(parseWholeNumber("--traders", "1,000", 1)).to.equal(1000);
      expect(parseWholeNumber("--seed", "0", 0)).to.equal(0);
    });

    it("refuses negative, fractional, non-numeric and out-of-range values naming the option and the range", function () {
      expect(() => parseWholeNumber("--traders", "-5", 1)).to.throw(UserError, '--traders "-5": expected a whole number of at least 1');
      expect(() => parseWholeNumber("--traders", "1.5", 1)).to.throw(UserError, '--traders "1.5": expected a whole number of at least 1');
      expect(() => parseWholeNumber("--seed", "abc", 0)).to.throw(UserError, '--seed "abc": expected a whole number of at least 0');
      expect(() => parseWholeNumber("--x", "11", 1, 10)).to.throw(UserError, '--x "11": expected a whole number from 1 to 10');
    });
  });

  describe("parseWholeNumberList", function () {
    it("reads every number of a comma-separated list, spaces and underscores allowed", function () {
      expect(parseWholeNumberList("BENCH_TRADERS", "200, 2_000", 1, "100,500")).to.deep.equal([200, 2000]);
    });

    it("refuses the whole list when one entry is empty, not a whole number or out of range, naming the list and the form", function () {
      const refused = (list: string, max?: number) => () => parseWholeNumberList("BENCH_X", list, 1, "1,2", max);
      expect(refused("5,")).to.throw(
        UserError,
        'BENCH_X "5,": expected a comma-separated list of whole numbers of at least 1, such as 1,2',
      );
      expect(refused("5,0")).to.throw(
        UserError,
        'BENCH_X "5,0": expected a comma-separated list of whole numbers of at least 1, such as 1,2',
      );
      expect(refused("5,20000", 10_000)).to.throw(
        UserError,
        'BENCH_X "5,20000": expected a comma-separated list of whole numbers from 1 to 10,000, such as 1,2',
      );
    });
  });

  describe("reportError", function () {
    const report = (e: unknown, verbose: boolean) => {
      let text = "";
      const code = reportError(e, verbose, (t) => (text += t));
      return { code, text };
    };

    it("prints a user error as one line and returns exit code 2", function () {
      expect(report(new UserError("--x: bad"), false)).to.deep.equal({ code: EXIT.badInput, text: "Error: --x: bad\n" });
    });

    it("prints a failed gate as one line and returns exit code 3", function () {
      expect(report(new GateError("limit exceeded"), false)).to.deep.equal({
        code: EXIT.gateFailed,
        text: "Gate failed: limit exceeded\n",
      });
    });

    it("prints an unexpected error's first line, without its stack, and returns exit code 1", function () {
      const { code, text } = report(new TypeError("x is undefined\nmore"), false);
      expect(code).to.equal(EXIT.internal);
      expect(text).to.equal("Error: internal error: x is undefined (re-run with --verbose for the stack trace)\n");
    });

    it("adds the stack trace only when verbose", function () {
      const e = new UserError("--x: bad");
      const { text } = report(e, true);
      expect(text).to.equal(`Error: --x: bad\n${e.stack}\n`);
    });

    it("keeps the exit code a CliError carries", function () {
      expect(report(new CliError("invariant violations: x", EXIT.internal), false).code).to.equal(1);
    });
  });

  describe("translateNetworkError", function () {
    const network = { name: "sepolia", config: { url: "http://rpc.example" } };
    const hardhatError = (number: number, messageArguments = {}) =>
      Object.assign(new Error(`HH${number}`), { _isHardhatError: true, number, messageArguments });

    it("names the network, its URL and the variable for an unreachable node (HH108)", function () {
      const e = translateNetworkError(hardhatError(108), network) as Error;
      expect(e).to.be.instanceOf(UserError);
      expect(e.message).to.equal("--network sepolia: no JSON-RPC node answers at http://rpc.example (start it, or set SEPOLIA_RPC_URL)");
    });

    it("names both chain ids for a node on another chain (HH101)", function () {
      const e = translateNetworkError(hardhatError(101, { configChainId: 11155111, connectionChainId: 1 }), network) as Error;
      expect(e.message).to.equal("--network sepolia: the node at http://rpc.example is chain 1, expected chain 11155111");
    });

    it("leaves any other error unchanged", function () {
      const other = new Error("boom");
      expect(translateNetworkError(other, network)).to.equal(other);
    });
  });

  describe("simulate CI gates", function () {
    const gates: Gates = { failOnSocialisedLoss: true, symbol: "USDC", maxBadDebtCents: 5_000_000n, maxBadDebtText: "50,000.00 USDC" };
    const summary = (badDebt: number, socialised: number) => ({ sets: [{ name: "baseline", losses: { badDebt, socialised } }] });

    it("parses the limit in human units", function () {
      expect(parseUsdLimit("--max-bad-debt", "50000", "USDC")).to.equal(5_000_000n);
      expect(parseUsdLimit("--max-bad-debt", "50,000.5 USDC", "USDC")).to.equal(5_000_050n);
      expect(() => parseUsdLimit("--max-bad-debt", "50,000 DAI", "USDC")).to.throw(
        UserError,
        '--max-bad-debt "50,000 DAI": expected an amount of USDC such as "50000" or "50,000 USDC"',
      );
    });

    it("passes a run whose bad debt equals the limit and that socialised nothing", function () {
      expect(gateFailures(summary(50_000, 0), gates)).to.deep.equal([]);
    });

    it("fails a run one cent over the limit, and one that socialised any loss", function () {
      expect(gateFailures(summary(50_000.01, 0.01), gates)).to.deep.equal([
        '--fail-on-socialised-loss: parameter set "baseline" socialised 0.01 USDC',
        '--max-bad-debt 50,000.00 USDC: parameter set "baseline" ended with 50,000.01 USDC of bad debt',
      ]);
    });

    it("checks nothing unless asked", function () {
      expect(gateFailures(summary(1e9, 1e9), { failOnSocialisedLoss: false, symbol: "USDC" })).to.deep.equal([]);
    });
  });

  describe("tables", function () {
    it("fit every line of the Sepolia deployment plan in 120 columns, keeping every word", function () {
      const raw = JSON.parse(fs.readFileSync(path.join(ROOT, "deploy/parameters/sepolia.json"), "utf8"));
      const rows = flatten(raw);
      const table = keyValueTable(["Parameter", "Value"], rows);
      expect(Math.max(...rows.map(([k, v]) => k.length + v.length))).to.be.greaterThan(MAX_LINE_WIDTH);
      expect(widest(table)).to.be.at.most(MAX_LINE_WIDTH);
      const words = (s: string) =>
        s
          .replace(/[│┌┐└┘├┤┬┴┼─]/g, " ")
          .split(/\s+/)
          .filter(Boolean);
      expect(words(table).join(" ")).to.equal(words(["Parameter Value", ...rows.map(([k, v]) => `${k} ${v}`)].join(" ")).join(" "));
    });

    it("fit a check table with long values in 120 columns, short rows left whole", function () {
      const long = "x".repeat(300);
      const table = checkTable([
        { item: "code.MarginEngine", expected: long, actual: `${long} ${long}`, ok: true },
        { item: "engine.maxPriceAge", expected: "1m", actual: "30s", ok: false },
      ]);
      expect(widest(table)).to.be.at.most(MAX_LINE_WIDTH);
      expect(table).to.match(/│ engine\.maxPriceAge\s+│ 1m\s+│ 30s\s+│ MISMATCH │/);
    });

    it("narrow the simulator's liquidator table, filled and styled, to 120 columns", function () {
      const head = liquidatorTableHead("slow auction");
      const table = new Table({ head, style: { head: ["cyan"] } });
      table.push(["eager-thrifty", "eager", "0/61", "0/24", "99", "25.91", "25.91", "-25.91"]);
      expect(widest(table.toString())).to.be.greaterThan(MAX_LINE_WIDTH);
      expect(
        widest(
          fitToWidth(table)
            .toString()
            .replace(/\x1b\[[0-9;]*m/g, ""),
        ),
      ).to.be.at.most(MAX_LINE_WIDTH);
    });

    it("leave a table that already fits as it is", function () {
      expect(fittedTable(["a", "b"], [["1", "2"]])).to.equal("┌───┬───┐\n│ a │ b │\n├───┼───┤\n│ 1 │ 2 │\n└───┴───┘");
    });
  });
});
