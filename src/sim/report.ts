/**
 * `report.html`: a self-contained page (no scripts, fonts or URLs) with the summary's key numbers and charts drawn
 * by Apache ECharts, rendered to SVG on the server (`ssr: true`) and inlined. With two parameter sets every chart
 * shows both, side by side or overlaid.
 */
import * as echarts from "echarts";
import type { Summary, SetSummary } from "./summary";

const WIDTH = 860;
const HEIGHT = 340;
const COLORS = ["#1f6feb", "#d1242f", "#2da44e", "#bf8700", "#8250df", "#57606a"];
const HEALTH_COLORS = ["#d1242f", "#fb8f44", "#d4a72c", "#9be9a8", "#40c463", "#216e39"];

type Option = echarts.EChartsCoreOption;

/** Renders one ECharts option to an SVG string. */
export function renderChart(option: Option, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, color: COLORS, textStyle: { fontFamily: "sans-serif" }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const money = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const ms = (iso: string) => Date.parse(iso);

const base = (title: string): Option => ({
  title: { text: title, left: "center", textStyle: { fontSize: 14 } },
  legend: { bottom: 0 },
  grid: { left: 70, right: 70, top: 40, bottom: 60 },
});

function priceChart(s: Summary): Option {
  const sets = s.sets;
  const t = sets[0].series.time;
  return {
    ...base(`${s.scenario.index} index and liquidations`),
    xAxis: { type: "time" },
    yAxis: [
      { type: "value", name: "index", scale: true },
      { type: "value", name: "per step", minInterval: 1 },
    ],
    series: [
      { name: "index price", type: "line", showSymbol: false, data: t.map((x, i) => [ms(x), sets[0].series.index[i]]) },
      ...sets.map((set, k) => ({
        name: `bids (${set.name})`,
        type: "bar",
        yAxisIndex: 1,
        data: set.series.time.map((x, i) => [ms(x), set.series.bids[i]]),
        itemStyle: { color: COLORS[(k + 1) % COLORS.length] },
      })),
      ...sets.map((set, k) => ({
        name: `auctions started (${set.name})`,
        type: "line",
        step: "end",
        yAxisIndex: 1,
        showSymbol: false,
        lineStyle: { width: 1, type: "dashed" },
        data: set.series.time.map((x, i) => [ms(x), set.series.auctionsStarted[i]]),
        itemStyle: { color: COLORS[(k + 3) % COLORS.length] },
      })),
    ],
  };
}

function healthChart(set: SetSummary): Option {
  return {
    ...base(`Account health (${set.name}): traders with a position, by health factor`),
    xAxis: { type: "time" },
    yAxis: { type: "value", name: "accounts", minInterval: 1 },
    series: set.series.healthBuckets.map((label, b) => ({
      name: label,
      type: "line",
      stack: "health",
      areaStyle: {},
      showSymbol: false,
      lineStyle: { width: 0 },
      itemStyle: { color: HEALTH_COLORS[b] },
      data: set.series.time.map((x, i) => [ms(x), set.series.health[i][b]]),
    })),
  };
}

function lineChart(s: Summary, title: string, yName: string, pick: (set: SetSummary) => { name: string; values: number[] }[]): Option {
  return {
    ...base(title),
    xAxis: { type: "time" },
    yAxis: { type: "value", name: yName },
    series: s.sets.flatMap((set) =>
      pick(set).map((line) => ({
        name: s.sets.length > 1 ? `${line.name} (${set.name})` : line.name,
        type: "line",
        showSymbol: false,
        data: set.series.time.map((x, i) => [ms(x), line.values[i]]),
      })),
    ),
  };
}

function discountChart(s: Summary): Option {
  return {
    ...base("Auction discount at fill vs time since the auction started"),
    xAxis: { type: "value", name: "minutes since start" },
    yAxis: { type: "value", name: "discount %", scale: true },
    series: s.sets.map((set) => ({
      name: set.name,
      type: "scatter",
      symbolSize: 7,
      data: set.fills
        .filter((f) => f.discount !== null)
        .map((f) => [Math.round((f.elapsed / 60) * 100) / 100, Math.round(f.discount! * 10000) / 100]),
    })),
  };
}

const RESTORE_BINS = [5, 10, 20, 30, 60, 120, Infinity];
const RESTORE_LABELS = ["< 5 min", "5-10", "10-20", "20-30", "30-60", "60-120", "> 120", "still running"];

function restoreChart(s: Summary): Option {
  return {
    ...base("Time from liquidatable to restored (or emptied)"),
    xAxis: { type: "category", data: RESTORE_LABELS, name: "minutes" },
    yAxis: { type: "value", name: "episodes", minInterval: 1 },
    series: s.sets.map((set) => {
      const counts = RESTORE_LABELS.map(() => 0);
      for (const e of set.episodes) {
        if (e.endedAfter === null) counts[counts.length - 1]++;
        else counts[RESTORE_BINS.findIndex((b) => e.endedAfter! / 60 < b)]++;
      }
      return { name: set.name, type: "bar", data: counts };
    }),
  };
}

function liquidatorChart(s: Summary, title: string, yName: string, value: (l: SetSummary["liquidators"][number]) => number): Option {
  const names = s.sets[0].liquidators.map((l) => `${l.name} (${l.strategy})`);
  return {
    ...base(title),
    grid: { left: 80, right: 30, top: 40, bottom: 60 },
    xAxis: { type: "category", data: names },
    yAxis: { type: "value", name: yName },
    series: s.sets.map((set) => ({
      name: set.name,
      type: "bar",
      data: set.liquidators.map(value),
      label: { show: true, position: "top", fontSize: 10 },
    })),
  };
}

/** Every chart of the report: id, caption and SVG. */
export function reportCharts(s: Summary): { id: string; caption: string; svg: string }[] {
  const charts: { id: string; caption: string; svg: string }[] = [
    {
      id: "price-liquidations",
      caption: "Index price (left) and, per step, bids that filled and auctions started (right).",
      svg: renderChart(priceChart(s)),
    },
    ...s.sets.map((set, i) => ({
      id: `health-${i}`,
      caption: `Distribution of health factors (equity / maintenance margin) of traders with an open position, at each scan (${set.name}).`,
      svg: renderChart(healthChart(set)),
    })),
    {
      id: "insurance-fund",
      caption: "Insurance fund: its cash in the vault (penalties and fees in, bad-debt cover out).",
      svg: renderChart(
        lineChart(s, "Insurance fund balance", "USDC", (set) => [{ name: "insurance fund", values: set.series.insuranceFund }]),
      ),
    },
    {
      id: "losses",
      caption: "Cumulative bad debt (every subsidy paid to bidders of insolvent portfolios) and the part socialised over positive cash.",
      svg: renderChart(
        lineChart(s, "Bad debt and socialised loss (cumulative)", "USDC", (set) => [
          { name: "bad debt", values: set.series.badDebt },
          { name: "socialised", values: set.series.socialised },
        ]),
      ),
    },
    {
      id: "discount",
      caption: "Discount 1 - B/V of every fill of a solvent portfolio against the auction clock.",
      svg: renderChart(discountChart(s)),
    },
    {
      id: "time-to-restore",
      caption: "Episodes from the scan that found an account liquidatable to the end of its auction (or its recovery).",
      svg: renderChart(restoreChart(s)),
    },
    {
      id: "liquidator-wins",
      caption: "Bids and auction starts won per liquidator.",
      svg: renderChart(liquidatorChart(s, "Bids won per liquidator", "bids", (l) => l.bidsWon)),
    },
    {
      id: "liquidator-profit",
      caption: "Profit per liquidator: change in mark-to-market value minus gas, before its share of socialised losses.",
      svg: renderChart(liquidatorChart(s, "Profit per liquidator", "USDC", (l) => l.profit)),
    },
    {
      id: "liquidator-wasted-gas",
      caption: "Gas spent on transactions that reverted (lost races), per liquidator, in USDC at the index price.",
      svg: renderChart(liquidatorChart(s, "Wasted gas per liquidator", "USDC", (l) => l.wastedGasCost)),
    },
  ];
  return charts;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const tr = rows
    .map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`)).join("")}</tr>`)
    .join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** The key numbers of every set, one column per set. */
export function keyRows(s: Summary): (string | number)[][] {
  const col = (f: (x: SetSummary) => string | number) => s.sets.map(f);
  const secs = (x: number | null) => (x === null ? "-" : `${Math.round(x / 60)} min`);
  return [
    ["Accounts that became liquidatable", ...col((x) => x.liquidations.accountsLiquidatable)],
    ["Auctions started", ...col((x) => x.liquidations.auctions)],
    ["Auctions restored / emptied / terminated / running", ...col((x) => Object.values(x.liquidations.auctionOutcomes).join(" / "))],
    ["Bids filled (of which insolvent)", ...col((x) => `${x.liquidations.bids} (${x.liquidations.discountAtFill.insolventFills})`)],
    [
      "Median discount at fill (p10 - p90)",
      ...col(
        (x) =>
          `${(x.liquidations.discountAtFill.median * 100).toFixed(2)}% (${(x.liquidations.discountAtFill.p10 * 100).toFixed(1)} - ${(x.liquidations.discountAtFill.p90 * 100).toFixed(1)}%)`,
      ),
    ],
    ["Median time liquidatable -> auction", ...col((x) => secs(x.liquidations.secondsToAuction.median))],
    [
      "Median / p90 time liquidatable -> restored",
      ...col((x) => `${secs(x.liquidations.secondsToRestored.median)} / ${secs(x.liquidations.secondsToRestored.p90)}`),
    ],
    ["Bad debt (USDC)", ...col((x) => money(x.losses.badDebt))],
    ["Paid by the insurance fund (USDC)", ...col((x) => money(x.losses.paidByInsurance))],
    ["Socialised loss (USDC)", ...col((x) => money(x.losses.socialised))],
    ["Bad debt not yet realised: insolvent auctions still running (USDC)", ...col((x) => money(x.losses.unrealisedInRunningAuctions))],
    [
      "Insurance fund initial / final (USDC)",
      ...col((x) => `${money(x.losses.insuranceFund.initial)} / ${money(x.losses.insuranceFund.final)}`),
    ],
    ["Smallest fund with no socialised loss (USDC)", ...col((x) => money(x.losses.minimumFundWithoutSocialisedLoss))],
    ["Transactions (reverted)", ...col((x) => `${x.chain.transactions} (${x.chain.reverted})`)],
    [
      "Invariants at the end",
      ...col((x) =>
        x.invariants.ok ? `hold (${x.invariants.accountsChecked} accounts)` : `VIOLATED: ${x.invariants.violations.join("; ")}`,
      ),
    ],
  ];
}

export function renderReport(s: Summary): string {
  const sc = s.scenario;
  const charts = reportCharts(s);
  const liq = s.sets.map(
    (set) =>
      `<h3>Liquidators: ${esc(set.name)}</h3>` +
      table(
        [
          "liquidator",
          "strategy",
          "starts won / sent",
          "bids won / sent",
          "hedges",
          "reverted txs",
          "gas (USDC)",
          "wasted gas (USDC)",
          "tips (USDC)",
          "profit (USDC)",
          "socialised loss borne (USDC)",
        ],
        set.liquidators.map((l) => [
          l.name,
          l.strategy,
          `${l.startsWon} / ${l.startsSent}`,
          `${l.bidsWon} / ${l.bidsSent}`,
          l.hedges,
          l.reverted,
          money(l.gasCost),
          money(l.wastedGasCost),
          money(l.tips),
          money(l.profit),
          money(l.socialisedLossBorne),
        ]),
      ),
  );
  const minFund = s.sets
    .map(
      (x) =>
        `<li><b>${esc(x.name)}</b>: the smallest insurance fund that would have avoided any socialised loss on this path is <b>${money(x.losses.minimumFundWithoutSocialisedLoss)} USDC</b> (the run started with ${money(x.losses.insuranceFund.initial)} USDC and socialised ${money(x.losses.socialised)} USDC; per-event cap ${(x.losses.insuranceFund.eventCapRatio * 100).toFixed(0)}% of the fund).</li>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ballast simulation: ${esc(sc.name)}</title>
<style>
body { font-family: sans-serif; margin: 24px auto; max-width: 1900px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
thead th, tbody th { background: #f6f8fa; text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #d0d7de; padding: 8px; }
figcaption { font-size: 12px; color: #57606a; max-width: ${WIDTH}px; }
.note { font-size: 12px; color: #57606a; max-width: 1200px; }
</style>
</head>
<body>
<h1>Ballast simulation: ${esc(sc.name)}</h1>
<p>${esc(sc.description)}</p>
<p class="note">Scenario <code>${esc(sc.file)}</code>, seed ${sc.seed}; ${esc(sc.index)} from ${Object.values(sc.priceFiles)
    .map((f) => `<code>${esc(f)}</code>`)
    .join(
      ", ",
    )}; window ${esc(sc.window.start)} to ${esc(sc.window.end)}, ${sc.steps} steps of ${sc.resolution / 60} min (${esc(sc.intrabar)}); ${sc.blockTime} s blocks; oracle pushes on a ${(sc.oracle.deviation * 100).toFixed(2)}% move or every ${sc.oracle.heartbeat / 60} min; ${sc.traders} traders; liquidators ${sc.liquidators.map((l) => `${esc(l.name)} (${l.strategy})`).join(", ")}. The index is Binance's ETH/USDT (and BTC/USDT) price used as USD: USDT traded off its peg on these days (see data/prices/README.md).</p>
<h2>Key numbers</h2>
${table(["", ...s.sets.map((x) => x.name)], keyRows(s))}
<ul>
${minFund}
</ul>
${liq.join("\n")}
<h2>Charts</h2>
<div class="charts">
${charts.map((c) => `<figure class="chart" data-chart="${c.id}">${c.svg}<figcaption>${esc(c.caption)}</figcaption></figure>`).join("\n")}
</div>
<p class="note">Profit is each liquidator's change in mark-to-market value (positions and collateral at the index, cash) minus the gas it paid (at the index price of ETH), with its estimated share of socialised losses added back; gas is paid at base fee plus the priority fee the liquidator offered, and transactions that lost a race reverted on chain and paid for their gas. Generated by <code>npm run simulate</code>; the same scenario and seed give the same numbers.</p>
</body>
</html>
`;
}
