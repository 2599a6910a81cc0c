/**
 * `report.html`: a self-contained page (no scripts, fonts or URLs) that reads like a risk memo: a one-line verdict
 * per parameter set, the key numbers, the liquidator tables, then charts drawn by Apache ECharts, rendered to SVG
 * on the server (`ssr: true`) and inlined. Everything comes from `summary.json` alone (`renderReport(summary)`).
 *
 * Conventions of every chart: times in UTC with the date ("12 Mar 06:00 UTC"); one colour per keeper and per
 * market, the same in every chart (`keeperColors`, `marketColor`); with two parameter sets the second is drawn
 * dashed (lines), lighter (bars) or with triangles (points); titles, legends and axis names stay inside the
 * picture (the grid contains its labels and axis names, the legend sits in its own band under the title).
 */
import * as echarts from "echarts";
import type { Summary, SetSummary } from "./summary";

/** Chart size in CSS pixels: one chart per row fits a 1280-pixel-wide window. */
const WIDTH = 900;
const HEIGHT = 360;
/** Keepers' colours (Okabe-Ito, colour-blind safe), by the keeper's position in the scenario; reused after six. */
const KEEPER_PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"];
/** Markets' colours by base asset (ETH/USD, ETH-PERP -> ETH); others take the fallback palette in order. */
const MARKET_COLORS: Record<string, string> = { ETH: "#4b3f8f", BTC: "#a36a00" };
const MARKET_FALLBACK = ["#2f6f6f", "#7a2e4f", "#5a5a5a"];
/** Colours of quantities that belong to no keeper or market. */
const C = {
  bids: "#6e7781",
  starts: "#24292f",
  fund: "#1a7f37",
  badDebt: "#a40e26",
  socialised: "#fa4549",
  deleveraged: "#bf8700",
  episodes: "#8c959f",
} as const;
/** Health-factor buckets, red (liquidatable) to green (healthy). */
const HEALTH_COLORS = ["#d1242f", "#fb8f44", "#d4a72c", "#9be9a8", "#40c463", "#216e39"];
/** Second parameter set: dashed lines, lighter bars, triangles. */
const SET_LINE = ["solid", "dashed"] as const;
const SET_OPACITY = [1, 0.45];
const SET_SYMBOL = ["circle", "triangle"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

type Option = echarts.EChartsCoreOption;

/** A chart of the report: id (`data-chart`), caption, SVG and an optional note (outliers left off the axis). */
export interface ReportChart {
  id: string;
  caption: string;
  svg: string;
  note?: string;
}

/**
 * Text width as the browser will draw it, estimated on the server (no canvas there) for DejaVu Sans, the widest
 * common sans-serif font: em fractions per character class, bold 13% wider, all 4% over DejaVu's. Over-estimating
 * leaves a little air with narrower fonts (Helvetica, Arial); under-estimating would let legend entries collide.
 * @param text the string; font: a CSS font shorthand such as "bold 14px sans-serif".
 * @returns the width in CSS pixels.
 */
export function estimateTextWidth(text: string, font = "12px sans-serif"): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 12);
  let em = 0;
  for (const ch of text) {
    if (ch === " ") em += 0.32;
    else if ("il.,:;'|!()[]{}-/`".includes(ch)) em += 0.35;
    else if ("ftrjI".includes(ch)) em += 0.42;
    else if ("mwMW%".includes(ch)) em += 0.92;
    else if (/[A-Z]/.test(ch)) em += 0.7;
    else if (/[0-9]/.test(ch)) em += 0.65;
    else em += 0.58;
  }
  return em * size * (/bold|[6-9]00/.test(font) ? 1.13 : 1) * 1.04;
}
echarts.setPlatformAPI({ measureText: (text, font) => ({ width: estimateTextWidth(text ?? "", font) }) });

/** Renders one ECharts option to an SVG string (times in UTC). */
export function renderChart(option: Option, width = WIDTH, height = HEIGHT): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  const legend = option.legend as { show?: boolean } | undefined;
  const grid = option.grid as { top: number } | undefined;
  const series = (option.series ?? []) as { name?: string }[];
  const names = [...new Set(series.map((x) => x.name ?? ""))];
  chart.setOption({
    animation: false,
    useUTC: true,
    color: KEEPER_PALETTE,
    textStyle: { fontFamily: "sans-serif" },
    ...option,
    // the grid starts under the legend, however many rows it wraps to
    ...(legend?.show && grid ? { grid: { ...grid, top: grid.top + legendRows(names) * LEGEND_ROW } } : {}),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fixed = (x: number, digits: number) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const money = (x: number) => fixed(x, 2);
const pct = (x: number | null, digits = 1) => (x === null ? "-" : `${(x * 100).toFixed(digits)}%`);
const minutes = (x: number | null) => (x === null ? "-" : `${Math.round(x / 60)} min`);
const ms = (iso: string) => Date.parse(iso);
const two = (n: number) => String(n).padStart(2, "0");

/** A UTC time as "12 Mar 06:00 UTC". */
export function utcLabel(t: number): string {
  const d = new Date(t);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}

/** Each keeper's colour, by its position in the scenario's list (the same in every chart). */
export function keeperColors(s: Summary): Map<string, string> {
  return new Map(s.scenario.liquidators.map((l, i) => [l.name, KEEPER_PALETTE[i % KEEPER_PALETTE.length]]));
}

/** A market's or price series' colour by its base asset: "ETH/USD" and "ETH-PERP" share one. */
export function marketColor(s: Summary, name: string): string {
  const base = name.split(/[/-]/)[0].toUpperCase();
  if (MARKET_COLORS[base]) return MARKET_COLORS[base];
  const others = [...new Set(Object.keys(s.scenario.priceFiles).map((k) => k.split(/[/-]/)[0].toUpperCase()))].filter(
    (b) => !MARKET_COLORS[b],
  );
  return MARKET_FALLBACK[Math.max(0, others.indexOf(base)) % MARKET_FALLBACK.length];
}

const TITLE_BAND = 28;
/** Height of one legend row, and the legend's geometry (ECharts defaults: 25-pixel icon, 5 pixels to the text). */
const LEGEND_ROW = 24;
const LEGEND_GAP = 14;
const LEGEND_WIDTH = WIDTH - 40;

/** How many rows the legend of these entries takes (ECharts wraps a plain legend at its width). */
export function legendRows(names: string[]): number {
  let rows = 1;
  let x = 0;
  for (const n of names) {
    const w = 25 + 5 + estimateTextWidth(n);
    if (x > 0 && x + w > LEGEND_WIDTH) {
      rows++;
      x = 0;
    }
    x += w + LEGEND_GAP;
  }
  return rows;
}

/** Title, legend band under it and a grid that keeps its axis labels and names inside the picture. */
export function base(title: string, legend = true): Option {
  return {
    title: { text: title, left: "center", top: 6, textStyle: { fontSize: 14 } },
    legend: legend ? { show: true, top: TITLE_BAND + 2, left: "center", itemGap: LEGEND_GAP, width: LEGEND_WIDTH } : { show: false },
    grid: {
      left: 16,
      right: 24,
      top: TITLE_BAND + 10, // renderChart adds the legend's rows
      bottom: 12,
      outerBoundsMode: "same",
      outerBoundsContain: "all",
    },
    tooltip: { show: false },
  };
}

const timeAxis = (): Option => ({
  type: "time",
  splitNumber: 5,
  axisLabel: { formatter: (v: number) => utcLabel(v), hideOverlap: true, alignMinLabel: "left", alignMaxLabel: "right" },
});

const yName = (name: string): Option => ({ name, nameLocation: "end", nameGap: 10, nameTextStyle: { align: "left" } });

/** Series name with the set's name when there are two sets. */
const named = (s: Summary, name: string, set: SetSummary) => (s.sets.length > 1 ? `${name} (${set.name})` : name);

function marketsChart(s: Summary): Option {
  const set = s.sets[0];
  const prices = set.series.prices;
  return {
    ...base("Market prices, change since the start of the window"),
    xAxis: timeAxis(),
    yAxis: { type: "value", ...yName("% since start"), scale: true, axisLabel: { formatter: "{value}%" } },
    series: Object.entries(prices).map(([name, values]) => ({
      name,
      type: "line",
      showSymbol: false,
      itemStyle: { color: marketColor(s, name) },
      lineStyle: { color: marketColor(s, name), width: 2 },
      data: set.series.time.map((x, i) => [ms(x), Math.round((values[i] / values[0] - 1) * 10000) / 100]),
    })),
  };
}

function priceChart(s: Summary): Option {
  const sets = s.sets;
  const t = sets[0].series.time;
  const color = marketColor(s, s.scenario.index);
  return {
    ...base(`${s.scenario.index} index and liquidations per step`),
    xAxis: timeAxis(),
    yAxis: [
      { type: "value", ...yName(`${s.scenario.index}`), scale: true },
      { type: "value", name: "per step", nameLocation: "end", nameGap: 10, nameTextStyle: { align: "right" }, minInterval: 1 },
    ],
    series: [
      {
        name: `${s.scenario.index} index`,
        type: "line",
        showSymbol: false,
        itemStyle: { color },
        lineStyle: { color, width: 2 },
        data: t.map((x, i) => [ms(x), sets[0].series.index[i]]),
      },
      ...sets.map((set, k) => ({
        name: named(s, "bids filled", set),
        type: "bar",
        yAxisIndex: 1,
        itemStyle: { color: C.bids, opacity: SET_OPACITY[k] },
        data: set.series.time.map((x, i) => [ms(x), set.series.bids[i]]),
      })),
      ...sets.map((set, k) => ({
        name: named(s, "auctions started", set),
        type: "line",
        step: "end",
        yAxisIndex: 1,
        showSymbol: false,
        itemStyle: { color: C.starts },
        lineStyle: { width: 1, color: C.starts, type: k === 0 ? "dotted" : "dashed" },
        data: set.series.time.map((x, i) => [ms(x), set.series.auctionsStarted[i]]),
      })),
    ],
  };
}

function healthChart(set: SetSummary): Option {
  return {
    ...base(`Account health (${set.name}): traders with a position, by health factor`),
    xAxis: timeAxis(),
    yAxis: { type: "value", ...yName("accounts"), minInterval: 1 },
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

function lineChart(
  s: Summary,
  title: string,
  unit: string,
  pick: (set: SetSummary) => { name: string; color: string; values: number[] }[],
): Option {
  return {
    ...base(title),
    xAxis: timeAxis(),
    yAxis: { type: "value", ...yName(unit) },
    series: s.sets.flatMap((set, k) =>
      pick(set).map((line) => ({
        name: named(s, line.name, set),
        type: "line",
        showSymbol: false,
        itemStyle: { color: line.color },
        lineStyle: { color: line.color, width: 2, type: SET_LINE[k] },
        data: set.series.time.map((x, i) => [ms(x), line.values[i]]),
      })),
    ),
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** A round axis bound: the next multiple of 1, 2 or 5 times a power of ten at or beyond x (away from zero). */
function niceBound(x: number): number {
  if (x === 0) return 0;
  const mag = 10 ** Math.floor(Math.log10(Math.abs(x)));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * mag >= Math.abs(x) - 1e-9) return Math.sign(x) * m * mag;
  return x;
}

/**
 * A readable axis range for values with a few extreme ones (Tukey's far-out fences): from the first quartile minus
 * three interquartile ranges to the third quartile plus three, never past the data, always including zero, rounded
 * outwards to 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. The interquartile range counts as at least a
 * quarter of the third quartile, so that identical values leave room.
 * @returns the bounds and how many values lie outside them.
 */
export function readableRange(values: number[]): { min: number; max: number; outside: number } {
  if (values.length === 0) return { min: 0, max: 1, outside: 0 };
  const v = [...values].sort((a, b) => a - b);
  const q1 = quantile(v, 0.25);
  const q3 = quantile(v, 0.75);
  const iqr = Math.max(q3 - q1, Math.abs(q3) / 4, 1e-9);
  const max = niceBound(Math.max(0, Math.min(v[v.length - 1], q3 + 3 * iqr)));
  const min = -niceBound(-Math.min(0, Math.max(v[0], q1 - 3 * iqr)));
  return { min, max: max > min ? max : min + 1, outside: v.filter((x) => x < min || x > max).length };
}

interface Point {
  keeper: string;
  minutes: number;
  y: number;
}

/** Scatter of fills against the auction clock, one series per keeper and set (keeper colour, set symbol). */
function fillScatter(s: Summary, title: string, unit: string, points: Point[][], range?: { min: number; max: number }): Option {
  const colors = keeperColors(s);
  return {
    ...base(title),
    xAxis: { type: "value", name: "minutes since the auction started", nameLocation: "middle", nameGap: 26, min: 0 },
    yAxis: {
      type: "value",
      ...yName(unit),
      ...(range ? { min: range.min, max: range.max } : {}),
    },
    series: s.sets.flatMap((set, k) =>
      s.scenario.liquidators.map((l) => ({
        name: l.name,
        type: "scatter",
        symbol: SET_SYMBOL[k],
        symbolSize: 8,
        itemStyle: { color: colors.get(l.name), opacity: 0.85 },
        data: points[k]
          .filter((p) => p.keeper === l.name && (!range || (p.y >= range.min && p.y <= range.max)))
          .map((p) => [p.minutes, p.y]),
      })),
    ),
  };
}

const fillMinutes = (elapsed: number) => Math.round((elapsed / 60) * 100) / 100;

function discountChart(s: Summary): { option: Option; outside: number } {
  const points = s.sets.map((set) =>
    set.fills
      .filter((f) => f.discount !== null && f.unitPrice >= 0)
      .map((f) => ({ keeper: f.bidder, minutes: fillMinutes(f.elapsed), y: Math.round(f.discount! * 10000) / 100 })),
  );
  const range = readableRange(points.flat().map((p) => p.y));
  return {
    option: fillScatter(s, "Discount at fill of solvent portfolios vs time since the auction started", "discount %", points, range),
    outside: range.outside,
  };
}

function insolventChart(s: Summary): Option {
  const points = s.sets.map((set) =>
    set.fills.filter((f) => f.unitPrice < 0).map((f) => ({ keeper: f.bidder, minutes: fillMinutes(f.elapsed), y: f.subsidy })),
  );
  return fillScatter(s, "Insolvent portfolios: what each fill paid the bidder vs time since the auction started", "USDC paid", points);
}

const RESTORE_BINS = [5, 10, 20, 30, 60, 120, Infinity];
const RESTORE_LABELS = ["< 5 min", "5-10", "10-20", "20-30", "30-60", "60-120", "> 120", "still running"];

function restoreChart(s: Summary): Option {
  return {
    ...base("Time from liquidatable to restored (or emptied)"),
    xAxis: { type: "category", data: RESTORE_LABELS, name: "minutes", nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", ...yName("episodes"), minInterval: 1 },
    series: s.sets.map((set, k) => {
      const counts = RESTORE_LABELS.map(() => 0);
      for (const e of set.episodes) {
        if (e.endedAfter === null) counts[counts.length - 1]++;
        else counts[RESTORE_BINS.findIndex((b) => e.endedAfter! / 60 < b)]++;
      }
      return { name: set.name, type: "bar", itemStyle: { color: C.episodes, opacity: SET_OPACITY[k] }, data: counts };
    }),
  };
}

type Liquidator = SetSummary["liquidators"][number];

/** One bar per keeper (its colour) and set (second set lighter), with the value on top. */
function liquidatorChart(s: Summary, title: string, unit: string, value: (l: Liquidator) => number, digits = 2): Option {
  const colors = keeperColors(s);
  const names = s.scenario.liquidators.map((l) => l.name);
  return {
    ...base(title, s.sets.length > 1),
    xAxis: { type: "category", data: names, axisLabel: { interval: 0 } },
    // room for the value labels above (and, for losses, below) the bars
    yAxis: {
      type: "value",
      ...yName(unit),
      ...(s.sets.some((set) => set.liquidators.some((l) => value(l) < 0))
        ? { boundaryGap: ["8%", "8%"] }
        : { min: 0, boundaryGap: [0, "8%"] }),
    },
    series: s.sets.map((set, k) => ({
      name: set.name,
      type: "bar",
      itemStyle: { color: C.bids, opacity: SET_OPACITY[k] },
      label: { show: true, fontSize: 10, formatter: (p: { value: number }) => fixed(p.value, digits) },
      data: names.map((n) => {
        const l = set.liquidators.find((x) => x.name === n);
        const v = l ? value(l) : 0;
        return {
          value: v,
          itemStyle: { color: colors.get(n), opacity: SET_OPACITY[k] },
          label: { position: v < 0 ? "bottom" : "top" },
        };
      }),
    })),
  };
}

/**
 * The loss waterfall per parameter set (issue #14 item 4): the bad debt of insolvent portfolios split by who bore it,
 * the insurance fund (up to its per-event cap), then the positions on the other side (automated deleveraging, when
 * the fund could not pay), then every positive cash balance (socialised), stacked, with the fund's initial stake in
 * each category's label.
 */
function waterfallChart(s: Summary): Option {
  const names = s.sets.map((set) => `${set.name} (fund ${money(set.losses.insuranceFund.initial)} USDC)`);
  const bar = (name: string, color: string, value: (set: SetSummary) => number) => ({
    name,
    type: "bar",
    stack: "bad debt",
    barMaxWidth: 120,
    itemStyle: { color },
    label: { show: true, position: "inside", fontSize: 10, formatter: (p: { value: number }) => (p.value > 0 ? money(p.value) : "") },
    // A segment too thin for its label drops the label rather than overlap its neighbour's.
    labelLayout: { hideOverlap: true },
    data: s.sets.map(value),
  });
  return {
    ...base("Who bore the bad debt, per parameter set"),
    xAxis: { type: "category", data: names, axisLabel: { interval: 0 } },
    yAxis: { type: "value", min: 0, boundaryGap: [0, "8%"], ...yName("USDC") },
    series: [
      bar("insurance fund", C.fund, (set) => set.losses.paidByInsurance),
      bar("automated deleveraging (opposite positions)", C.deleveraged, (set) => set.losses.deleveraged),
      bar("socialised over positive cash", C.socialised, (set) => set.losses.socialised),
    ],
  };
}

/** The verdict of one set, as plain text: one line a reader can act on. */
export function verdictText(set: SetSummary, fundInitial = set.losses.insuranceFund.initial): string {
  const v = set.verdict;
  const head = v.solvent
    ? "SOLVENT: no socialised loss"
    : !v.invariantsHold
      ? "NOT SOLVENT: invariants violated"
      : `NOT SOLVENT: ${money(v.socialisedLoss)} USDC socialised loss`;
  const share = v.insuranceDrawnShare === null ? "" : ` (${pct(v.insuranceDrawnShare)} of its ${money(fundInitial)} USDC)`;
  return [
    head,
    `insurance drawn ${money(v.insuranceDrawn)} USDC${share}`,
    `${v.auctions} auctions`,
    `discount at fill median ${pct(v.discountMedian)}, p95 ${pct(v.discountP95)}`,
    `median time to liquidate ${minutes(v.secondsToLiquidateMedian)}`,
  ].join("; ");
}

/** A chart of the report before rendering: its ECharts option instead of the SVG. */
export type ReportChartOption = Omit<ReportChart, "svg"> & { option: Option };

/** Every chart of the report, in order, as ECharts options. */
export function reportChartOptions(s: Summary): ReportChartOption[] {
  const discount = discountChart(s);
  const second = (how: string) => (s.sets.length > 1 ? ` Second set (${s.sets[1].name}): ${how}.` : "");
  const lines = second("dashed lines");
  const bars = second("lighter bars");
  const points = second("triangles");
  const insolventFills = s.sets.reduce((n, set) => n + set.liquidations.discountAtFill.insolventFills, 0);
  return [
    {
      id: "price-liquidations",
      caption: `${s.scenario.index} index price (left axis) and, per ${s.scenario.resolution / 60}-minute step, bids filled and auctions started (right axis).${bars}`,
      option: priceChart(s),
    },
    {
      id: "markets",
      caption: "Every price series of the scenario as a change from its first value, so that markets compare on one axis.",
      option: marketsChart(s),
    },
    ...s.sets.map((set, i) => ({
      id: `health-${i}`,
      caption: `Distribution of health factors (equity / maintenance margin) of traders with an open position, at each scan (${set.name}).`,
      option: healthChart(set),
    })),
    {
      id: "insurance-fund",
      caption: `Insurance fund: its cash in the vault (penalties and fees in, bad-debt cover out).${lines}`,
      option: lineChart(s, "Insurance fund balance", "USDC", (set) => [
        { name: "insurance fund", color: C.fund, values: set.series.insuranceFund },
      ]),
    },
    {
      id: "losses",
      caption: `Cumulative bad debt (every subsidy paid to bidders of insolvent portfolios) and the part socialised over positive cash.${lines}`,
      option: lineChart(s, "Bad debt and socialised loss (cumulative)", "USDC", (set) => [
        { name: "bad debt", color: C.badDebt, values: set.series.badDebt },
        { name: "socialised", color: C.socialised, values: set.series.socialised },
      ]),
    },
    {
      id: "loss-waterfall",
      caption:
        "Bad debt by who bore it: the insurance fund up to its per-event cap, then the positions on the other side " +
        "(automated deleveraging, once the fund cannot pay), then every positive cash balance (socialised). Compare a " +
        "smaller fund with --compare scenarios/parameter-sets/small-fund.json.",
      option: waterfallChart(s),
    },
    {
      id: "discount",
      caption: `Discount 1 - B/V of every fill of a solvent portfolio at a non-negative price, by the keeper that won it, against the auction clock.${points}`,
      option: discount.option,
      note:
        discount.outside > 0
          ? `${discount.outside} outlier${discount.outside === 1 ? "" : "s"} beyond the axis (not drawn).`
          : "Every solvent fill is drawn.",
    },
    {
      id: "insolvent-fills",
      caption: `Fills at a negative unit price (insolvent portfolios, ${insolventFills} in all): the amount the bidder was paid to take the portfolio (bad debt, covered by the insurance fund or socialised), by keeper.${points}`,
      option: insolventChart(s),
      note: insolventFills === 0 ? "No fill at a negative price in this run: the chart is empty." : undefined,
    },
    {
      id: "time-to-restore",
      caption: `Episodes from the scan that found an account liquidatable to the end of its auction (or its recovery).${bars}`,
      option: restoreChart(s),
    },
    {
      id: "liquidator-wins",
      caption: `Bids won per keeper.${bars}`,
      option: liquidatorChart(s, "Bids won per keeper", "bids", (l) => l.bidsWon, 0),
    },
    {
      id: "liquidator-profit",
      caption: `Profit each keeper kept: change in mark-to-market value minus gas, net of its share of socialised losses (summary.json: pnl).${bars}`,
      option: liquidatorChart(s, "Profit kept per keeper, net of its socialised-loss share", "USDC", (l) => l.pnl),
    },
    {
      id: "liquidator-wasted-gas",
      caption: `Gas spent on transactions that reverted (lost races), per keeper, in USDC at the index price.${bars}`,
      option: liquidatorChart(s, "Wasted gas per keeper", "USDC", (l) => l.wastedGasCost),
    },
  ];
}

/** Every chart of the report, in order, rendered to SVG. */
export function reportCharts(s: Summary): ReportChart[] {
  return reportChartOptions(s).map(({ option, ...c }) => ({ ...c, svg: renderChart(option) }));
}

/** An HTML table; each row's first cell is its header, preceded by `mark(cell)` (HTML) when given. */
function table(headers: string[], rows: (string | number)[][], mark: (head: string) => string = () => ""): string {
  const th = headers.map((h) => `<th>${esc(h)}</th>`).join("");
  const cell = (c: string | number, i: number) => (i === 0 ? `<th>${mark(String(c))}${esc(String(c))}</th>` : `<td>${esc(String(c))}</td>`);
  const tr = rows.map((r) => `<tr>${r.map(cell).join("")}</tr>`).join("\n");
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

/** The key numbers of every set, one column per set. */
export function keyRows(s: Summary): (string | number)[][] {
  const col = (f: (x: SetSummary) => string | number) => s.sets.map(f);
  return [
    ["Accounts that became liquidatable", ...col((x) => x.liquidations.accountsLiquidatable)],
    ["Auctions started", ...col((x) => x.liquidations.auctions)],
    ["Auctions restored / emptied / terminated / running", ...col((x) => Object.values(x.liquidations.auctionOutcomes).join(" / "))],
    ["Bids filled (of which insolvent)", ...col((x) => `${x.liquidations.bids} (${x.liquidations.discountAtFill.insolventFills})`)],
    [
      "Discount at fill, solvent fills: median (p10 - p90)",
      ...col(
        (x) =>
          `${pct(x.liquidations.discountAtFill.median, 2)} (${pct(x.liquidations.discountAtFill.p10)} - ${pct(x.liquidations.discountAtFill.p90)})`,
      ),
    ],
    ["Discount at fill, solvent fills: p95", ...col((x) => pct(x.liquidations.discountAtFill.p95))],
    [
      "Small portfolios (under 500 USDC at start): auctions, median / p90 discount",
      ...col((x) => {
        const sp = x.liquidations.smallPortfolios;
        return sp.discountMedian === null ? `${sp.auctions}` : `${sp.auctions}, ${pct(sp.discountMedian, 2)} / ${pct(sp.discountP90)}`;
      }),
    ],
    [
      "Time liquidatable -> auction: median / p99 / max (blocks)",
      ...col((x) => {
        const b = x.liquidations.blocksToAuction;
        return `${minutes(x.liquidations.secondsToAuction.median)} / ${minutes(x.liquidations.secondsToAuction.p99)} / ${minutes(x.liquidations.secondsToAuction.max)} (${b.median} / ${b.p99} / ${b.max})`;
      }),
    ],
    [
      "Median / p90 time liquidatable -> auction ended",
      ...col((x) => `${minutes(x.liquidations.secondsToLiquidate.median)} / ${minutes(x.liquidations.secondsToLiquidate.p90)}`),
    ],
    [
      "Median / p90 time liquidatable -> restored",
      ...col((x) => `${minutes(x.liquidations.secondsToRestored.median)} / ${minutes(x.liquidations.secondsToRestored.p90)}`),
    ],
    ["Bad debt (USDC)", ...col((x) => money(x.losses.badDebt))],
    ["Paid by the insurance fund (USDC)", ...col((x) => money(x.losses.paidByInsurance))],
    [
      "Covered by automated deleveraging (USDC): events / notional closed / accounts hit",
      ...col(
        (x) =>
          `${money(x.losses.deleveraged)}: ${x.losses.deleveraging.events} / ${money(x.losses.deleveraging.notionalClosed)} / ${x.losses.deleveraging.accountsHit}`,
      ),
    ],
    ["Socialised loss (USDC)", ...col((x) => money(x.losses.socialised))],
    ["Bad debt not yet realised: insolvent auctions still running (USDC)", ...col((x) => money(x.losses.unrealisedInRunningAuctions))],
    [
      "Insurance fund initial / final (USDC)",
      ...col((x) => `${money(x.losses.insuranceFund.initial)} / ${money(x.losses.insuranceFund.final)}`),
    ],
    [
      "Fund income: penalties / opening-trade fees / later trade fees (USDC)",
      ...col((x) => {
        const i = x.losses.insuranceFund.income;
        return `${money(i.penalties)} / ${money(i.openingTradeFees)} / ${money(i.tradeFeesDuringReplay)}`;
      }),
    ],
    [
      "Smallest fund with no socialised loss, counting all fund income (USDC)",
      ...col((x) => money(x.losses.minimumFund.countingAllIncome)),
    ],
    ["Smallest fund with no socialised loss, without fee income (USDC)", ...col((x) => money(x.losses.minimumFund.withoutFeeIncome))],
    ["Smallest fund with no socialised loss, the stake alone (USDC)", ...col((x) => money(x.losses.minimumFund.withoutAnyIncome))],
    ["Transactions (reverted)", ...col((x) => `${x.chain.transactions} (${x.chain.reverted})`)],
    [
      "Invariants at the end",
      ...col((x) =>
        x.invariants.ok ? `hold (${x.invariants.accountsChecked} accounts)` : `VIOLATED: ${x.invariants.violations.join("; ")}`,
      ),
    ],
  ];
}

/** The per-market, per-actor and revert tables of every set, and the keepers that were themselves liquidated. */
function breakdowns(s: Summary): string {
  const two = s.sets.length > 1;
  const title = (what: string, set: SetSummary) => `<h3>${esc(what)}${two ? `: ${esc(set.name)}` : ""}</h3>`;
  const wrap = (t: string) => `<div class="scroll">${t}</div>`;
  return s.sets
    .map((set) => {
      const liquidated = set.liquidators.filter((l) => l.ownAccountsLiquidated.auctions > 0);
      const warning = liquidated
        .map(
          (l) =>
            `<p class="warning" data-keeper-liquidated="${esc(l.name)}">Keeper ${esc(l.name)} (${esc(l.strategy)}) was itself liquidated: ${l.ownAccountsLiquidated.auctions} auction${l.ownAccountsLiquidated.auctions === 1 ? "" : "s"} on ${l.ownAccountsLiquidated.accounts} of its account${l.ownAccountsLiquidated.accounts === 1 ? "" : "s"}, ${money(l.ownAccountsLiquidated.badDebt)} USDC of bad debt.</p>`,
        )
        .join("\n");
      const markets = table(
        [
          "market(s) held at start",
          "auctions",
          "restored / emptied / terminated / running",
          "bids (insolvent)",
          "bad debt (USDC)",
          "paid by insurance (USDC)",
          "deleveraged (USDC)",
          "socialised (USDC)",
          "penalties to fund (USDC)",
          "discount median / p90",
        ],
        set.markets.map((m) => [
          m.market,
          m.auctions,
          Object.values(m.auctionOutcomes).join(" / "),
          `${m.bids} (${m.insolventFills})`,
          money(m.badDebt),
          money(m.paidByInsurance),
          money(m.deleveraged),
          money(m.socialised),
          money(m.penaltiesToFund),
          `${pct(m.discountAtFill.median)} / ${pct(m.discountAtFill.p90)}`,
        ]),
      );
      const actors = table(
        ["actor", "transactions (set-up)", "reverted", "lost races", "gas (M)", "gas (USDC)"],
        set.actors.map((a) => [
          a.actor,
          `${a.transactions} (${a.setUpTransactions})`,
          a.reverted,
          a.lostRaces,
          fixed(a.gasUsed / 1e6, 2),
          money(a.gasCost),
        ]),
      );
      const reverts =
        set.reverts.length === 0
          ? `<p class="note">No transaction reverted.</p>`
          : table(
              ["actor", "error", "reverted txs"],
              set.reverts.map((r) => [r.actor, r.error, r.count]),
            );
      return [
        warning,
        title("Markets", set),
        wrap(markets),
        title("Transactions by actor", set),
        wrap(actors),
        title("Reverted transactions by actor and error", set),
        wrap(reverts),
      ].join("\n");
    })
    .concat(
      `<p class="note">Markets: each auction counts once, under the markets its account held when the auction started (several markets form a row of their own); bad debt = paid by insurance + socialised. Actors: every transaction mined, the two set-up blocks' included (in brackets); a lost race is a revert after an earlier transaction of the same block started or bid on the same auction. Every reverted transaction is decoded from its trace to the custom error it reverted with (a panic as Panic(code), a plain revert as Error(string) or empty revert). Per-auction records: auctions.csv and auctions.json beside summary.json.</p>`,
    )
    .join("\n");
}

function swatch(color: string): string {
  return `<span class="swatch" style="background:${color}"></span>`;
}

/** The report's sentence on a cash peg path (`scenario.cashPeg` of the summary): its first, lowest and last values. */
export function cashPegNote(peg: { min: number; minAt: string; first: number; last: number }): string {
  return (
    `Cash peg path: one cash unit worth ${peg.first} USD at the start, ${peg.min} at its lowest ` +
    `(${utcLabel(Date.parse(peg.minAt))}), ${peg.last} at the end; the oracle kept publishing USD prices, read by the ` +
    `protocol as cash prices, while the market maker quoted cash prices (USD / peg) and gas was paid at ETH's cash price.`
  );
}

export function renderReport(s: Summary): string {
  const sc = s.scenario;
  const charts = reportCharts(s);
  const colors = keeperColors(s);
  const verdicts = s.sets
    .map(
      (set) =>
        `<p class="verdict ${set.verdict.solvent ? "ok" : "bad"}" data-verdict="${esc(set.name)}">${s.sets.length > 1 ? `<b>${esc(set.name)}</b>: ` : ""}${esc(verdictText(set))}.</p>`,
    )
    .join("\n");
  const liq = s.sets.map(
    (set) =>
      `<h3>Keepers: ${esc(set.name)}</h3>` +
      table(
        [
          "keeper",
          "strategy",
          "starts won / sent",
          "bids won / sent",
          "hedges",
          "reverted txs",
          "gas (USDC)",
          "wasted gas (USDC)",
          "tips (USDC)",
          "profit before socialised loss (USDC)",
          "socialised loss borne (USDC)",
          "profit kept (USDC)",
          "own accounts auctioned",
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
          money(l.pnl),
          l.ownAccountsLiquidated.auctions === 0
            ? "none"
            : `LIQUIDATED: ${l.ownAccountsLiquidated.auctions} auction${l.ownAccountsLiquidated.auctions === 1 ? "" : "s"}, ${money(l.ownAccountsLiquidated.badDebt)} USDC bad debt`,
        ]),
        (name) => swatch(colors.get(name) ?? "transparent"),
      ),
  );
  const minFund = s.sets
    .map(
      (x) =>
        `<li><b>${esc(x.name)}</b>: the smallest insurance fund that would have avoided any socialised loss on this path is <b>${money(x.losses.minimumFund.withoutFeeIncome)} USDC</b> without counting trading-fee income (${money(x.losses.minimumFund.countingAllIncome)} USDC counting every credit to the fund, ${money(x.losses.insuranceFund.income.openingTradeFees)} USDC of it fees of the traders' opening trades; ${money(x.losses.minimumFund.withoutAnyIncome)} USDC with no income at all). The run started with ${money(x.losses.insuranceFund.initial)} USDC and socialised ${money(x.losses.socialised)} USDC; per-event cap ${(x.losses.insuranceFund.eventCapRatio * 100).toFixed(0)}% of the fund.</li>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ballast simulation: ${esc(sc.name)}</title>
<style>
* { box-sizing: border-box; }
body { font-family: sans-serif; margin: 24px auto; padding: 0 16px; max-width: 1200px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; } h3 { font-size: 15px; }
.verdict { font-size: 16px; padding: 10px 14px; border-radius: 6px; border: 1px solid; }
.verdict.ok { background: #dafbe1; border-color: #1a7f37; }
.verdict.bad { background: #ffebe9; border-color: #cf222e; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: right; }
thead th, tbody th { background: #f6f8fa; text-align: left; }
tbody th { white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
.charts { display: flex; flex-direction: column; gap: 16px; }
figure.chart { margin: 0; border: 1px solid #d0d7de; padding: 8px; width: ${WIDTH + 18}px; max-width: 100%; overflow-x: auto; }
figcaption { font-size: 12px; color: #57606a; }
figcaption .outliers { display: block; margin-top: 4px; font-style: italic; }
.note { font-size: 12px; color: #57606a; }
.warning { padding: 6px 10px; border-radius: 6px; border: 1px solid #bf8700; background: #fff8c5; }
</style>
</head>
<body>
<h1>Ballast simulation: ${esc(sc.name)}</h1>
${verdicts}
<p>${esc(sc.description)}</p>
<p class="note">Scenario <code>${esc(sc.file)}</code>, seed ${sc.seed}; ${esc(sc.index)} from ${Object.values(sc.priceFiles)
    .map((f) => `<code>${esc(f)}</code>`)
    .join(
      ", ",
    )}; window ${esc(utcLabel(ms(sc.window.start)))} to ${esc(utcLabel(ms(sc.window.end)))} (${esc(sc.window.start.slice(0, 4))}), ${sc.steps} steps of ${sc.resolution / 60} min (${esc(sc.intrabar)}); ${sc.blockTime} s blocks; oracle pushes on a ${(sc.oracle.deviation * 100).toFixed(2)}% move or every ${sc.oracle.heartbeat / 60} min; ${sc.traders} traders; keepers ${sc.liquidators.map((l) => `${swatch(colors.get(l.name)!)}${esc(l.name)} (${l.strategy})`).join(", ")}. The index is Binance's ETH/USDT (and BTC/USDT) price used as USD: USDT traded off its peg on these days (see data/prices/README.md).${sc.cashPeg ? ` ${esc(cashPegNote(sc.cashPeg))}` : ""} Verdict: solvent means no loss was socialised and every invariant holds; time to liquidate runs from the scan that found an account liquidatable to the end of its auction; discounts are those of solvent fills.</p>
<h2>Key numbers</h2>
<div class="scroll">${table(["", ...s.sets.map((x) => x.name)], keyRows(s))}</div>
<ul>
${minFund}
</ul>
${liq.map((t) => `<div class="scroll">${t}</div>`).join("\n")}
<p class="note">Profit kept is each keeper's change in mark-to-market value (positions and collateral at the index, cash) minus the gas it paid (at the index price of ETH): socialised losses cut its cash like everyone's, so it is net of its share of them; profit before socialised loss adds that estimated share back. Gas is paid at base fee plus the priority fee the keeper offered, and transactions that lost a race reverted on chain and paid for their gas.</p>
${breakdowns(s)}
<h2>Charts</h2>
<div class="charts">
${charts
  .map(
    (c) =>
      `<figure class="chart" data-chart="${c.id}">${c.svg}<figcaption>${esc(c.caption)}${c.note ? `<span class="outliers">${esc(c.note)}</span>` : ""}</figcaption></figure>`,
  )
  .join("\n")}
</div>
<p class="note">Generated by <code>npm run simulate</code> from summary.json; the same scenario and seed give the same numbers. All times are UTC.</p>
</body>
</html>
`;
}
