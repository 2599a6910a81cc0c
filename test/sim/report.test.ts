/**
 * The report's charts, from a small hand-made summary (no simulation): UTC time labels with the date, one colour
 * per keeper and per market in every chart, the discount axis clamped with its outliers counted, insolvent fills
 * apart, keeper profit net of socialised losses, and the verdict line.
 */
import { expect } from "chai";
import type { Summary, SetSummary } from "../../src/sim/summary";
import {
  estimateTextWidth,
  keeperColors,
  legendRows,
  marketColor,
  readableRange,
  reportChartOptions,
  reportCharts,
  utcLabel,
  verdictText,
} from "../../src/sim/report";

type Fill = SetSummary["fills"][number];
type Liquidator = SetSummary["liquidators"][number];
/** ECharts option pieces read by the tests. */
interface Series {
  name: string;
  type: string;
  itemStyle?: { color?: string };
  lineStyle?: { color?: string };
  stack?: string;
  data: (number | number[] | { value: number; itemStyle: { color: string } })[];
}
interface Opt {
  xAxis: { type: string; data?: string[]; axisLabel?: { formatter?: (v: number) => string } };
  yAxis: { min?: number; max?: number } | object[];
  series: Series[];
}

const KEEPERS = ["fast", "slow", "flash"];
const T0 = Date.parse("2020-03-12T10:00:00Z");
const times = [0, 1, 2, 3].map((i) => new Date(T0 + i * 300_000).toISOString().replace(".000Z", "Z"));

function fill(bidder: string, elapsed: number, unitPrice: number, discount: number | null): Fill {
  return { time: times[1], account: "0x1:0", bidder, elapsed, fraction: 0.2, unitPrice, discount, subsidy: unitPrice < 0 ? -unitPrice : 0 };
}

function liquidator(name: string, pnl: number, socialisedLossBorne: number): Liquidator {
  return {
    name,
    strategy: "eager",
    bidsWon: 2,
    wastedGasCost: 1.5,
    pnl,
    socialisedLossBorne,
    profit: pnl + socialisedLossBorne,
  } as Liquidator;
}

function set(name: string, socialised: number): SetSummary {
  const discounts = [0.02, 0.03, 0.04, 0.05, 0.06, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15];
  const fills = [
    ...discounts.map((d, i) => fill(KEEPERS[i % 2], 60 * (i + 1), 100, d)),
    fill("flash", 600, 50, 5.0), // an outlier: 500%
    fill("slow", 1800, -250, null), // insolvent: the bidder was paid 250
    fill("flash", 2400, -40, 1.4), // insolvent with a positive value: a "discount" above 100%
  ];
  return {
    name,
    verdict: {
      solvent: socialised === 0,
      invariantsHold: true,
      socialisedLoss: socialised,
      insuranceDrawn: 40_000,
      insuranceDrawnShare: 0.4,
      auctions: 12,
      discountMedian: 0.06,
      discountP95: 0.15,
      secondsToLiquidateMedian: 900,
    },
    losses: { insuranceFund: { initial: 100_000 }, paidByInsurance: 40_000, deleveraged: socialised > 0 ? 2_000 : 0, socialised },
    liquidations: { discountAtFill: { insolventFills: 2 } },
    liquidators: [liquidator("fast", 900, 100), liquidator("slow", -50, 250), liquidator("flash", 30, 0)],
    fills,
    episodes: [
      { account: "0x1:0", liquidatable: times[0], auctionAfter: 12, endedAfter: 600, outcome: "Restored" },
      { account: "0x2:0", liquidatable: times[1], auctionAfter: 12, endedAfter: null, outcome: "running" },
    ],
    series: {
      time: times,
      index: [168, 160, 150, 140],
      prices: { "ETH/USD": [168, 160, 150, 140], "BTC/USD": [5000, 4900, 4800, 4700] },
      bids: [0, 3, 5, 1],
      auctionsStarted: [0, 4, 6, 2],
      insuranceFund: [100_000, 90_000, 70_000, 60_000],
      badDebt: [0, 0, 30_000, 40_000],
      socialised: [0, 0, 0, socialised],
      healthBuckets: ["< 1", "1 - 2", ">= 2"],
      health: [
        [0, 1, 9],
        [2, 3, 5],
        [4, 3, 3],
        [1, 2, 7],
      ],
    },
  } as unknown as SetSummary;
}

function summary(sets: SetSummary[]): Summary {
  return {
    scenario: {
      index: "ETH/USD",
      resolution: 300,
      liquidators: KEEPERS.map((name) => ({ name, strategy: "eager", capital: 0 })),
      priceFiles: { "ETH/USD": "eth.csv", "BTC/USD": "btc.csv" },
    },
    sets,
  } as unknown as Summary;
}

const options = (s: Summary) => Object.fromEntries(reportChartOptions(s).map((c) => [c.id, c.option as unknown as Opt]));

describe("simulator report", function () {
  const one = summary([set("baseline", 1234.5)]);
  const two = summary([set("baseline", 1234.5), set("wide", 0)]);

  it("labels times in UTC with the date", function () {
    expect(utcLabel(Date.parse("2020-03-12T06:00:00Z"))).to.equal("12 Mar 06:00 UTC");
    expect(utcLabel(Date.parse("2021-12-01T23:05:00Z"))).to.equal("1 Dec 23:05 UTC");
    for (const [id, o] of Object.entries(options(one))) {
      if (o.xAxis.type !== "time") continue;
      expect(o.xAxis.axisLabel!.formatter!(Date.parse("2020-03-12T11:20:00Z")), id).to.equal("12 Mar 11:20 UTC");
    }
  });

  it("gives each keeper one colour, the same in every chart and every parameter set", function () {
    const colors = keeperColors(two);
    expect(new Set(colors.values()).size).to.equal(KEEPERS.length);
    let checked = 0;
    for (const [id, o] of Object.entries(options(two))) {
      for (const series of o.series) {
        if (o.xAxis.data?.join() === KEEPERS.join()) {
          // bars per keeper: each bar carries its keeper's colour
          series.data.forEach((d, i) => {
            expect((d as { itemStyle: { color: string } }).itemStyle.color, `${id} ${KEEPERS[i]}`).to.equal(colors.get(KEEPERS[i]));
            checked++;
          });
        } else if (series.type === "scatter") {
          expect(series.itemStyle!.color, `${id} ${series.name}`).to.equal(colors.get(series.name));
          checked++;
        }
      }
    }
    expect(checked).to.equal(3 * 3 * 2 + 2 * 3 * 2); // three bar charts and two scatter charts, three keepers, two sets
  });

  it("gives each market one colour: the index line and the market comparison agree", function () {
    const o = options(one);
    expect(marketColor(one, "ETH/USD")).to.equal(marketColor(one, "ETH-PERP"));
    expect(marketColor(one, "ETH/USD")).to.not.equal(marketColor(one, "BTC/USD"));
    expect(o["price-liquidations"].series[0].lineStyle!.color).to.equal(marketColor(one, "ETH/USD"));
    expect(o.markets.series.map((x) => [x.name, x.lineStyle!.color])).to.deep.equal([
      ["ETH/USD", marketColor(one, "ETH/USD")],
      ["BTC/USD", marketColor(one, "BTC/USD")],
    ]);
  });

  it("draws solvent fills on a readable discount axis and counts the outliers left off in the chart's note", function () {
    const chart = reportChartOptions(one).find((c) => c.id === "discount")!;
    const o = chart.option as unknown as Opt;
    const axis = o.yAxis as { min: number; max: number };
    expect(axis.min).to.equal(0);
    expect(axis.max).to.equal(25); // third quartile 10% plus three interquartile ranges (5%): far below the 500% outlier
    const drawn = o.series.flatMap((x) => x.data as number[][]);
    expect(drawn).to.have.length(12);
    expect(Math.max(...drawn.map((p) => p[1]))).to.equal(15);
    expect(chart.note).to.equal("1 outlier beyond the axis (not drawn).");
  });

  it("computes readable ranges that hold every value when there is no outlier", function () {
    expect(readableRange([2, 3, 4, 10])).to.deep.equal({ min: 0, max: 10, outside: 0 });
    expect(readableRange([-3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 400])).to.deep.equal({
      min: -3,
      max: 50,
      outside: 1,
    });
    expect(readableRange([])).to.deep.equal({ min: 0, max: 1, outside: 0 });
  });

  it("draws fills at a negative price in their own chart: what the bidder was paid", function () {
    const o = options(one)["insolvent-fills"];
    const byKeeper = Object.fromEntries(o.series.map((x) => [x.name, x.data]));
    expect(byKeeper).to.deep.equal({ fast: [], slow: [[30, 250]], flash: [[40, 40]] });
  });

  it("draws the loss waterfall: per parameter set, the insurance fund's payment, automated deleveraging and the socialised rest stacked, each set labelled with its fund (issue #14 items 1 and 4)", function () {
    const o = options(two)["loss-waterfall"];
    expect(o.xAxis.data).to.deep.equal(["baseline (fund 100,000.00 USDC)", "wide (fund 100,000.00 USDC)"]);
    expect(o.series.map((x) => [x.name, x.stack, x.data])).to.deep.equal([
      ["insurance fund", "bad debt", [40_000, 40_000]],
      ["automated deleveraging (opposite positions)", "bad debt", [2_000, 0]],
      ["socialised over positive cash", "bad debt", [1234.5, 0]],
    ]);
  });

  it("charts the profit each keeper kept, net of its socialised-loss share", function () {
    const o = options(one)["liquidator-profit"];
    expect(o.series[0].data.map((d) => (d as { value: number }).value)).to.deep.equal([900, -50, 30]);
  });

  it("leaves room for legends that wrap: entries measured as wide as DejaVu Sans draws them", function () {
    expect(estimateTextWidth("0123456789", "12px sans-serif")).to.be.closeTo(81.1, 0.1); // DejaVu Sans: 76.3
    expect(estimateTextWidth("abc", "bold 14px sans-serif")).to.be.closeTo(estimateTextWidth("abc", "14px sans-serif") * 1.13, 1e-9);
    expect(legendRows(["ETH/USD index", "bids filled", "auctions started"])).to.equal(1);
    const twoSets = ["ETH/USD index", ...["bids filled", "auctions started"].flatMap((n) => [`${n} (baseline)`, `${n} (wide-auction)`])];
    expect(legendRows(twoSets)).to.equal(2);
  });

  it("renders every chart to an SVG, with both parameter sets", function () {
    const charts = reportCharts(two);
    expect(charts.map((c) => c.id)).to.include.members(["health-0", "health-1", "discount", "insolvent-fills"]);
    for (const c of charts) expect(c.svg, c.id).to.match(/^<svg[^>]*width="900"[^>]*height="360"/);
  });

  it("states the verdict in one line: solvency, socialised loss, insurance drawn, auctions, discounts, time", function () {
    expect(verdictText(one.sets[0])).to.equal(
      "NOT SOLVENT: 1,234.50 USDC socialised loss; insurance drawn 40,000.00 USDC (40.0% of its 100,000.00 USDC); " +
        "12 auctions; discount at fill median 6.0%, p95 15.0%; median time to liquidate 15 min",
    );
    expect(verdictText(two.sets[1])).to.match(/^SOLVENT: no socialised loss; insurance drawn 40,000.00 USDC/);
  });
});
