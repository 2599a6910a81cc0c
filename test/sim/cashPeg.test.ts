/**
 * The cash-token depeg path (scenario key `prices.cashPeg`, threat R-02), without running the EVM: the peg between
 * and beyond its points, the cash price the market maker and gas use, the path's points carrying the peg, the
 * scenario's checks, and the summary's lowest value.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { loadScenario, readScenarioFile, resolveScenario, ScenarioError } from "../../src/sim/scenario";
import { buildPath, cashPrice, pegAt } from "../../src/sim/prices";
import { cashPegSummary } from "../../src/sim/summary";
import { cashPegNote } from "../../src/sim/report";
import type { SimulationResult } from "../../src/sim/records";

const ROOT = path.resolve(__dirname, "../..");
const t = (iso: string) => Date.parse(iso) / 1000;

/** The smoke scenario with a peg path that dips to 0.95 at 11:00 and is back at 1 by 12:00 (linear). */
function smokeWithPeg(cashPeg: unknown): Record<string, any> {
  const raw = readScenarioFile(path.join(ROOT, "scenarios/smoke.json")) as Record<string, any>;
  raw.prices = { ...raw.prices, cashPeg };
  return raw;
}

const DIP = {
  points: [
    { at: "2020-03-12T10:30:00Z", price: "1" },
    { at: "2020-03-12T11:00:00Z", price: "0.95" },
    { at: "2020-03-12T12:00:00Z", price: "1.0" },
  ],
  interpolate: "linear",
};

describe("simulator: cash-token depeg path", function () {
  const points = [
    { t: 100, price: 1 },
    { t: 200, price: 0.9 },
    { t: 400, price: 0.95 },
  ];

  it("holds the first point's value before it and the last one's after it", function () {
    expect(pegAt(points, 0, "linear")).to.equal(1);
    expect(pegAt(points, 100, "linear")).to.equal(1);
    expect(pegAt(points, 400, "previous")).to.equal(0.95);
    expect(pegAt(points, 10_000, "linear")).to.equal(0.95);
    expect(pegAt([], 5, "linear")).to.equal(1);
  });

  it("interpolates linearly between points, or keeps the latest point's value", function () {
    expect(pegAt(points, 150, "linear")).to.be.closeTo(0.95, 1e-12);
    expect(pegAt(points, 300, "linear")).to.be.closeTo(0.925, 1e-12);
    expect(pegAt(points, 150, "previous")).to.equal(1);
    expect(pegAt(points, 399, "previous")).to.equal(0.9);
    expect(pegAt(points, 200, "previous")).to.equal(0.9);
  });

  it("prices an asset in cash as its USD price over the peg, and leaves it alone without a peg", function () {
    expect(cashPrice(100, 0.8)).to.equal(125);
    expect(cashPrice(123.45, undefined)).to.equal(123.45);
    expect(cashPrice(123.45, 1)).to.equal(123.45);
  });

  it("is off by default: the shipped scenarios have no peg and their path points carry none", function () {
    const s = loadScenario(path.join(ROOT, "scenarios/smoke.json"), ROOT);
    expect(s.prices.cashPeg).to.equal(undefined);
    const p = buildPath(s.prices);
    expect(p.points.every((x) => !("cashPeg" in x))).to.equal(true);
    expect("cashPeg" in p.initial).to.equal(false);
  });

  it("puts the peg on every point of the path, at the point's time, leaving the USD prices unchanged", function () {
    const s = resolveScenario(smokeWithPeg(DIP), "peg.json", ROOT);
    const plain = buildPath(loadScenario(path.join(ROOT, "scenarios/smoke.json"), ROOT).prices);
    const p = buildPath(s.prices);
    expect(p.points.map((x) => x.prices)).to.deep.equal(plain.points.map((x) => x.prices));
    expect(p.initial.cashPeg).to.equal(1); // 10:00, before the first point
    const at = (iso: string) => p.points.find((x) => x.t === t(iso))!.cashPeg;
    expect(at("2020-03-12T10:30:00Z")).to.equal(1);
    expect(at("2020-03-12T10:45:00Z")).to.be.closeTo(0.975, 1e-12);
    expect(at("2020-03-12T11:00:00Z")).to.equal(0.95);
    expect(at("2020-03-12T11:30:00Z")).to.be.closeTo(0.975, 1e-12);
    expect(at("2020-03-12T13:00:00Z")).to.equal(1);
  });

  it("reads a peg file like a price series (bar closes, known at bar end)", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-peg-"));
    try {
      const file = path.join(dir, "usdc.csv");
      const bar = (iso: string, close: number) => `${t(iso)},1,1,${close},${close},0`;
      fs.writeFileSync(
        file,
        ["timestamp_unix_seconds,open,high,low,close,volume", bar("2020-03-12T10:00:00Z", 0.99), bar("2020-03-12T11:00:00Z", 0.96)].join(
          "\n",
        ),
      );
      const s = resolveScenario(smokeWithPeg({ file, interpolate: "previous" }), "peg.json", ROOT);
      const p = buildPath(s.prices);
      const at = (iso: string) => p.points.find((x) => x.t === t(iso))!.cashPeg;
      expect(at("2020-03-12T10:55:00Z")).to.equal(1); // the 10:00 bar's close is known at 11:00; before: its open
      expect(at("2020-03-12T11:00:00Z")).to.equal(0.99);
      expect(at("2020-03-12T12:30:00Z")).to.equal(0.96);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a peg section naming each bad key: both sources, a price out of range, points out of order, a missing file", function () {
    const issues = (cashPeg: unknown) => {
      try {
        resolveScenario(smokeWithPeg(cashPeg), "bad.json", ROOT);
      } catch (e) {
        expect(e).to.be.instanceOf(ScenarioError);
        return (e as ScenarioError).issues;
      }
      throw new Error("resolved");
    };
    expect(issues({ file: "x.csv", points: DIP.points, interpolate: "linear" })).to.deep.equal([
      "prices.cashPeg: give exactly one of file and points",
    ]);
    expect(issues({ interpolate: "linear" })).to.deep.equal(["prices.cashPeg: give exactly one of file and points"]);
    expect(
      issues({
        points: [
          { at: "2020-03-12T11:00:00Z", price: "0.97 USD" },
          { at: "2020-03-12T10:00:00Z", price: "3" },
          { at: "yesterday", price: "0" },
        ],
        interpolate: "linear",
      }),
    ).to.deep.equal([
      'prices.cashPeg.points[0].price: "0.97 USD" is not a USD value of one cash unit in (0, 2], e.g. "0.97"',
      'prices.cashPeg.points[1].price: "3" is not a USD value of one cash unit in (0, 2], e.g. "0.97"',
      'prices.cashPeg.points[2].price: "0" is not a USD value of one cash unit in (0, 2], e.g. "0.97"',
      'prices.cashPeg.points[2].at: "yesterday" is not an ISO date such as "2020-03-12T00:00:00Z"',
      "prices.cashPeg.points[1].at: not after the previous point's",
    ]);
    expect(issues({ file: "data/prices/none.csv", interpolate: "previous" })).to.deep.equal([
      "prices.cashPeg.file: data/prices/none.csv does not exist",
    ]);
    expect(issues({ points: [], interpolate: "linear" })[0]).to.match(/^prices\.cashPeg\.points: /);
  });

  it("summarises the peg over the replayed steps (lowest value and when, first and last) for summary.json and the report", function () {
    const s = resolveScenario(smokeWithPeg(DIP), "peg.json", ROOT);
    const p = buildPath(s.prices);
    const result = (steps: number) => ({ scenario: s, path: p, sets: [{ steps: new Array(steps) }] }) as unknown as SimulationResult;
    expect(cashPegSummary(result(36))).to.deep.equal({ min: 0.95, minAt: "2020-03-12T11:00:00Z", first: 1, last: 1 });
    // --steps 6 replays 10:05-10:30 only: the dip is not reached
    expect(cashPegSummary(result(6))).to.deep.equal({ min: 1, minAt: "2020-03-12T10:05:00Z", first: 1, last: 1 });
    expect(cashPegNote(cashPegSummary(result(36))!)).to.equal(
      "Cash peg path: one cash unit worth 1 USD at the start, 0.95 at its lowest (12 Mar 11:00 UTC), 1 at the end; the oracle " +
        "kept publishing USD prices, read by the protocol as cash prices, while the market maker quoted cash prices " +
        "(USD / peg) and gas was paid at ETH's cash price.",
    );
    const plain = loadScenario(path.join(ROOT, "scenarios/smoke.json"), ROOT);
    expect(cashPegSummary({ scenario: plain, path: buildPath(plain.prices), sets: [] } as unknown as SimulationResult)).to.equal(undefined);
  });
});
