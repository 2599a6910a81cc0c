/**
 * Scenario files and price paths: the shipped scenarios resolve, units are checked in one place, `extends` and
 * named-array overrides merge as documented, and the price path has one step per bar at the bar's close, or three with intrabar "ohlc" (high and low in
 * the order the bar moved, then the close).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { deepMerge, initialStakeOf, loadScenario, readScenarioFile, resolveScenario, ScenarioError } from "../../src/sim/scenario";
import { buildPath, resample, type Bar } from "../../src/sim/prices";

const ROOT = path.resolve(__dirname, "../..");
const WAD = 10n ** 18n;

describe("simulator scenarios and price paths", function () {
  it("the default scenario replays 2,592 steps from 11 March 2020 00:01:40 UTC: each five-minute ETH/USD bar's extremes then its close, BTC/USD interpolated from hourly bars", function () {
    const s = loadScenario(path.join(ROOT, "scenarios/black-thursday.json"), ROOT);
    expect(s.traders.count).to.equal(200);
    expect(s.liquidators.map((l) => l.strategy)).to.deep.equal(["eager", "eager", "patient", "flash"]);
    expect(s.oracle.deviation).to.equal(WAD / 200n);
    expect(s.prices.intrabar).to.equal("ohlc");
    const p = buildPath(s.prices);
    expect(p.points.length).to.equal(3 * 864);
    expect(p.stepSeconds).to.equal(100);
    expect(p.initial.prices["ETH/USD"]).to.equal(200.74);
    // The first bar (open 200.74, high 200.76, low 199.92, close 200.33) closed down: its high first, then its low.
    expect(p.points.slice(0, 3).map((x) => [x.t - Date.UTC(2020, 2, 11) / 1000, x.prices["ETH/USD"]])).to.deep.equal([
      [100, 200.76],
      [200, 199.92],
      [300, 200.33],
    ]);
    // 00:01:40 lies before the first hourly BTC close (known at 01:00): the first bar's open.
    expect(p.points[0].prices["BTC/USD"]).to.equal(7894.56);
    // 01:30: half way between the 01:00 close (7940.48) and the 02:00 close (7924.39).
    const half = p.points.find((x) => x.t === Date.UTC(2020, 2, 11, 1, 30) / 1000)!;
    expect(half.prices["BTC/USD"]).to.be.closeTo((7940.48 + 7924.39) / 2, 1e-9);
    // The wick the closes miss: the lowest 5-minute low of the window (86.00) against the lowest close (88.35).
    const eth = p.points.map((x) => x.prices["ETH/USD"]);
    expect(Math.min(...eth)).to.equal(86);
    expect(Math.min(...p.points.filter((_, i) => i % 3 === 2).map((x) => x.prices["ETH/USD"]))).to.equal(88.35);
  });

  it('with intrabar "close" a bar is one step at its close (the benchmark scenario: 72 five-minute steps)', function () {
    const s = loadScenario(path.join(ROOT, "scenarios/bench.json"), ROOT);
    expect(s.prices.intrabar).to.equal("close");
    const p = buildPath(s.prices);
    expect(p.points.length).to.equal(72);
    expect(p.stepSeconds).to.equal(300);
    expect(p.points[0].t).to.equal(Date.UTC(2020, 2, 12, 6, 5) / 1000);
  });

  it("visits a bar that closed up at its low then its high, a third of the bar apart", function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "intrabar-"));
    const file = path.join(dir, "bars.csv");
    fs.writeFileSync(
      file,
      "timestamp_unix_seconds,open,high,low,close,volume\n" + "600,10,12,9,11,1\n" + "900,11,11.5,8,9,1\n" + "1200,9,9,9,9,1\n",
    );
    const p = buildPath({
      index: "X",
      start: 600,
      end: 1200,
      resolution: 300,
      intrabar: "ohlc",
      series: { X: { file, interpolate: "previous" } },
    });
    expect(p.points.map((x) => [x.t, x.prices.X])).to.deep.equal([
      [700, 9],
      [800, 12],
      [900, 11],
      [1000, 11.5],
      [1100, 8],
      [1200, 9],
    ]);
    expect(p.initial).to.deep.equal({ t: 600, prices: { X: 10 } });
  });

  it("the smoke scenario extends the default: same agents and parameters, 36 steps and 40 traders", function () {
    const s = loadScenario(path.join(ROOT, "scenarios/smoke.json"), ROOT);
    expect(s.traders.count).to.equal(40);
    expect(s.liquidators.length).to.equal(4);
    expect(buildPath(s.prices).points.length).to.equal(36);
  });

  it("merges overrides of named arrays by name and appends new names", function () {
    const base = {
      markets: [
        { name: "A", cap: "1", fee: "2" },
        { name: "B", cap: "3" },
      ],
      list: [1, 2],
    };
    const merged = deepMerge(base, {
      markets: [
        { name: "B", cap: "9" },
        { name: "C", cap: "5" },
      ],
      list: [7],
    });
    expect(merged).to.deep.equal({
      markets: [
        { name: "A", cap: "1", fee: "2" },
        { name: "B", cap: "9" },
        { name: "C", cap: "5" },
      ],
      list: [7],
    });
  });

  it("rejects a scenario naming every bad key before anything is deployed", function () {
    const raw = readScenarioFile(path.join(ROOT, "scenarios/black-thursday.json")) as Record<string, any>;
    raw.traders = { ...raw.traders, longShare: "70", markets: { "SOL-PERP": 1 } };
    raw.liquidators = [{ name: "p", strategy: "patient", capital: "1 USDC" }];
    expect(() => resolveScenario(raw, "bad.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals([
        "traders.markets.SOL-PERP: no such market",
        "liquidators[0](p).targetDiscount: required for a patient liquidator",
        'traders.longShare: "70" must be a percentage such as "5%"',
      ]);
  });

  it("a parameter set may carry its own insurance stake (issue #14 item 4): WAD cash, else the scenario's; a bad amount is named", function () {
    const raw = readScenarioFile(path.join(ROOT, "scenarios/black-thursday.json")) as Record<string, any>;
    raw.parameterSets = [raw.parameterSets[0], { name: "small", overrides: {}, insurance: { initialStake: "1,000 USDC" } }];
    const s = resolveScenario(raw, "two.json", ROOT);
    expect(initialStakeOf(s, s.parameterSets[0])).to.equal(100_000n * 10n ** 18n);
    expect(initialStakeOf(s, s.parameterSets[1])).to.equal(1_000n * 10n ** 18n);
    raw.parameterSets[1].insurance.initialStake = "1,000";
    expect(() => resolveScenario(raw, "two.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals(['parameterSets[1].insurance.initialStake: "1,000" must be an amount with its unit, such as "1,000 USDC"']);
  });

  it("the default scenario's gas market is EIP-1559 with volatility-driven demand: 10 gwei calm, capped at 500 gwei", function () {
    const s = loadScenario(path.join(ROOT, "scenarios/black-thursday.json"), ROOT);
    expect(s.gas).to.deep.equal({
      model: "eip1559",
      calmBaseFee: 10n * 10n ** 9n,
      maxBaseFee: 500n * 10n ** 9n,
      referenceVolatility: 0.01,
      elasticity: 1.2,
    });
  });

  it("rejects a gas section naming each bad key: a unit, a cap below the calm fee, a series without a file", function () {
    const raw = readScenarioFile(path.join(ROOT, "scenarios/black-thursday.json")) as Record<string, any>;
    raw.gas = { model: "eip1559", calmBaseFee: "20", maxBaseFee: "5 gwei" };
    expect(() => resolveScenario(raw, "bad.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals([
        'gas.calmBaseFee: "20" must be an amount with its unit, such as "1,000 gwei"',
        "gas.maxBaseFee: must be at least gas.calmBaseFee",
      ]);
    raw.gas = { model: "series" };
    expect(() => resolveScenario(raw, "bad.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals(['gas.series: required with model "series" ({ "file": "<csv of timestamp_unix_seconds,base_fee_gwei>" })']);
    raw.gas = { model: "native", elasticity: 2 };
    expect(() => resolveScenario(raw, "bad.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals(['gas.elasticity: only with model "eip1559"']);
  });

  it("aggregates 5-minute bars into 15-minute bars: first open, highest high, lowest low, last close", function () {
    const bars: Bar[] = [
      { t: 900, open: 10, high: 12, low: 9, close: 11 },
      { t: 1200, open: 11, high: 15, low: 10, close: 14 },
      { t: 1500, open: 14, high: 14, low: 7, close: 8 },
      { t: 1800, open: 8, high: 9, low: 8, close: 9 },
    ];
    expect(resample(bars, 900)).to.deep.equal([
      { t: 900, open: 10, high: 15, low: 7, close: 8 },
      { t: 1800, open: 8, high: 9, low: 8, close: 9 },
    ]);
  });
});
