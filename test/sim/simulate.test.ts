/**
 * CI smoke run of the simulator: the smoke scenario (three hours of the 12 March 2020 crash, 40 traders, four
 * liquidators) twice with the same seed, then its outputs: liquidations happened, every conservation invariant
 * holds at the end, summary.json is byte-identical across the runs, and report.html draws every chart (checked
 * in the file and in headless Chromium).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { chromium } from "playwright-core";
import type { Summary } from "../../src/sim/summary";
import { runHardhat } from "../shared/processes";

/** Delay added to each phase of the slowed run (ms): more than the smoke scenario's 12-second block time. */
const SLOWDOWN_MS = 15_000;

/** The files a `simulate` run wrote to `dir`. */
interface SimulateOutput {
  summary: Summary;
  files: { summary: string; report: string; timings: string };
}

function readOutput(dir: string): SimulateOutput {
  const files = { summary: path.join(dir, "summary.json"), report: path.join(dir, "report.html"), timings: path.join(dir, "timings.json") };
  return { summary: JSON.parse(fs.readFileSync(files.summary, "utf8")) as Summary, files };
}

const CHROMIUM = "/usr/bin/chromium";
const CHART_IDS = [
  "price-liquidations",
  "health-0",
  "insurance-fund",
  "losses",
  "discount",
  "time-to-restore",
  "liquidator-wins",
  "liquidator-profit",
  "liquidator-wasted-gas",
];

describe("simulator: smoke scenario", function () {
  this.timeout(900_000);
  let first: SimulateOutput;
  /** The progress lines run "a" printed on stderr (not a terminal: plain lines, "[m:ss] ..."). */
  let progressLines: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-sim-"));
  const summaryOf = (dir: string) => path.join(dir, "summary.json");

  before(async function () {
    // Two runs in separate processes at the same time, one of them with every phase (deploy, set-up, replay)
    // delayed by more than a block time: before the fix, a slow set-up pushed the first replay block past the
    // scenario's start and crashed, and block times followed the wall clock, so results depended on load.
    const run = (out: string, flags: string[], env: NodeJS.ProcessEnv = {}) =>
      runHardhat(["simulate", "--scenario", "scenarios/smoke.json", "--out", out, ...flags], env);
    const [a, b] = await Promise.all([
      run(path.join(tmp, "a"), []),
      run(path.join(tmp, "b"), ["--quiet"], { BALLAST_SIM_SLOWDOWN_MS: String(SLOWDOWN_MS) }),
    ]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    progressLines = a.stderr.split("\n").filter((l) => l.startsWith("["));
    first = readOutput(path.join(tmp, "a"));
  });

  after(function () {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("liquidates: auctions start, bids fill and every filled bid is won by one of the liquidators", function () {
    const set = first.summary.sets[0];
    expect(set.liquidations.auctions).to.be.greaterThan(0);
    expect(set.liquidations.bids).to.be.greaterThan(0);
    expect(set.liquidators.reduce((n, l) => n + l.bidsWon, 0)).to.equal(set.liquidations.bids);
    expect(set.liquidators.reduce((n, l) => n + l.startsWon, 0)).to.equal(set.liquidations.auctions);
    expect(set.series.bids.reduce((a, b) => a + b, 0)).to.equal(set.liquidations.bids);
  });

  it("keeps every conservation invariant at the end of the run", function () {
    const inv = first.summary.sets[0].invariants;
    expect(inv.violations).to.deep.equal([]);
    expect(inv.ok).to.equal(true);
    expect(inv.accountsChecked).to.be.greaterThan(40);
  });

  it("writes a byte-identical summary.json from two processes, one of them slowed down by more than a block time", function () {
    const a = fs.readFileSync(summaryOf(path.join(tmp, "a")));
    const b = fs.readFileSync(summaryOf(path.join(tmp, "b")));
    expect(a.length).to.be.greaterThan(1000);
    expect(a.equals(b)).to.equal(true);
  });

  it("reports progress from its first second through named phases, never silent for more than 10 seconds", function () {
    const seconds = progressLines.map((l) => {
      const [m, s] = l.slice(1, l.indexOf("]")).split(":").map(Number);
      return m * 60 + s;
    });
    expect(seconds[0]).to.be.lessThanOrEqual(1);
    for (let i = 1; i < seconds.length; i++) expect(seconds[i] - seconds[i - 1], progressLines[i]).to.be.lessThanOrEqual(10);
    const phases = ["compile", "load", "deploy: set 1 of 1", "set-up", "replay set 1 of 1", "end-of-run checks", "report", "done"];
    let at = 0;
    for (const p of phases) {
      const i = progressLines.findIndex((l, j) => j >= at && l.includes(`] ${p}`));
      expect(i, `phase "${p}" after line ${at} in:\n${progressLines.join("\n")}`).to.be.greaterThanOrEqual(0);
      at = i;
    }
  });

  it("puts no wall-clock time in summary.json (timings go to timings.json)", function () {
    const text = fs.readFileSync(first.files.summary, "utf8");
    expect(text).not.to.match(/wall|seconds"|stepsPerSecond/i);
    expect(JSON.parse(fs.readFileSync(first.files.timings, "utf8"))).to.have.property("wallSeconds");
  });

  it("writes report.html with every chart as a non-empty inline SVG and no external resource", function () {
    const html = fs.readFileSync(first.files.report, "utf8");
    for (const id of CHART_IDS) {
      const m = html.match(new RegExp(`<figure class="chart" data-chart="${id}">([\\s\\S]*?)</figure>`));
      expect(m, `chart ${id}`).to.not.equal(null);
      expect(m![1], `chart ${id} has an svg`).to.match(/<svg[^>]*width="\d+"[^>]*height="\d+"/);
      expect((m![1].match(/<path/g) ?? []).length, `chart ${id} draws paths`).to.be.greaterThan(3);
    }
    expect(html).not.to.match(/<script|<link|src="http|href="http|@import/i);
  });

  it("renders every chart of report.html in headless Chromium with a non-zero size", async function () {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run scripts/ci-install-chromium.sh (Debian package "chromium")`);
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1900, height: 1200 } });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(`file://${first.files.report}`);
      const charts = await page.$$eval("figure.chart", (figs) =>
        figs.map((f) => {
          const svg = f.querySelector("svg");
          const box = svg?.getBoundingClientRect();
          return {
            id: f.getAttribute("data-chart"),
            width: box?.width ?? 0,
            height: box?.height ?? 0,
            shapes: svg?.querySelectorAll("path").length ?? 0,
          };
        }),
      );
      expect(charts.map((c) => c.id)).to.deep.equal(CHART_IDS);
      for (const c of charts) {
        expect(c.width, `${c.id} width`).to.be.greaterThan(100);
        expect(c.height, `${c.id} height`).to.be.greaterThan(100);
        expect(c.shapes, `${c.id} shapes`).to.be.greaterThan(3);
      }
      expect(requests.filter((u) => !u.startsWith("file://"))).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});
