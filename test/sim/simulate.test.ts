/**
 * CI smoke run of the simulator: the smoke scenario (three hours of the 12 March 2020 crash, 40 traders, four
 * liquidators) in two processes at once, one on anvil and one slowed down on Hardhat's in-process network, then its outputs: liquidations happened, every conservation invariant
 * holds at the end, summary.json is byte-identical across the runs, its verdict agrees with its numbers, and
 * report.html opens with the verdict and draws every chart (checked in the file and in the headless Chromium that
 * `@sparticuz/chromium` ships in npm: no console error, no horizontal overflow at 1280x800, no text outside its chart
 * or over another).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { Summary } from "../../src/sim/summary";
import { runHardhat } from "../shared/processes";
import { verdictText } from "../../src/sim/report";
import { ONCE_PER_RUN, replaySeconds } from "../../src/sim/stages/timer";
import { launchBrowser } from "../shared/browser";

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

const CHART_IDS = [
  "price-liquidations",
  "markets",
  "health-0",
  "insurance-fund",
  "losses",
  "loss-waterfall",
  "discount",
  "insolvent-fills",
  "time-to-restore",
  "liquidator-wins",
  "liquidator-profit",
  "liquidator-wasted-gas",
];
/** The viewport a reader's laptop shows: the report must fit its width. */
const VIEWPORT = { width: 1280, height: 800 };

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
      // Run "b" runs on the other EVM (Hardhat's in-process network; "a" on anvil, the default), and also reads
      // every account its full scans leave out and fails if one was near the watch list.
      run(path.join(tmp, "b"), ["--quiet", "--evm", "hardhat"], {
        BALLAST_SIM_SLOWDOWN_MS: String(SLOWDOWN_MS),
        SIM_VERIFY_SCAN_SKIPS: "1",
      }),
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

  it("writes a byte-identical summary.json on anvil and, slowed down by more than a block time, on Hardhat's network", function () {
    const a = fs.readFileSync(summaryOf(path.join(tmp, "a")));
    const b = fs.readFileSync(summaryOf(path.join(tmp, "b")));
    expect(a.length).to.be.greaterThan(1000);
    expect(a.equals(b)).to.equal(true);
  });

  it("leaves out of full scans only accounts that reading shows were still far from the watch list", function () {
    // Run "b" read every account its full scans left out (SIM_VERIFY_SCAN_SKIPS=1) and would have failed on one with a
    // health factor below 2, the watch list's bound: none of them could have been started, watched or reacted.
    for (const dir of ["a", "b"]) {
      const t = JSON.parse(fs.readFileSync(path.join(tmp, dir, "timings.json"), "utf8")) as {
        sets: { scans: { full: number; accountsRead: number; skipped: number } }[];
      };
      const scans = t.sets[0].scans;
      expect(scans.full, dir).to.be.greaterThan(0);
      expect(scans.skipped, dir).to.be.greaterThan(0);
    }
  });

  it("writes byte-identical per-auction records (auctions.json, auctions.csv) on both EVMs, one row per auction", function () {
    for (const f of ["auctions.json", "auctions.csv"]) {
      const a = fs.readFileSync(path.join(tmp, "a", f));
      expect(a.equals(fs.readFileSync(path.join(tmp, "b", f))), f).to.equal(true);
    }
    const set = first.summary.sets[0];
    const rows = JSON.parse(fs.readFileSync(path.join(tmp, "a", "auctions.json"), "utf8")) as {
      bids: number;
      badDebt: number;
      outcome: string;
    }[];
    expect(rows).to.have.length(set.liquidations.auctions);
    expect(
      fs
        .readFileSync(path.join(tmp, "a", "auctions.csv"), "utf8")
        .trimEnd()
        .split("\n"),
    ).to.have.length(rows.length + 1);
    expect(rows.reduce((n, r) => n + r.bids, 0)).to.equal(set.liquidations.bids);
    expect(rows.filter((r) => r.outcome === "running").length).to.equal(set.liquidations.auctionOutcomes.running);
    expect(rows.reduce((n, r) => n + r.badDebt, 0)).to.be.closeTo(set.losses.badDebt, 0.01 * rows.length + 0.01);
  });

  it("breaks the run down per market and per actor, with every reverted transaction named by its error", function () {
    const set = first.summary.sets[0];
    const total = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
    expect(total(set.markets, (m) => m.auctions)).to.equal(set.liquidations.auctions);
    expect(total(set.markets, (m) => m.bids)).to.equal(set.liquidations.bids);
    expect(total(set.markets, (m) => m.badDebt)).to.be.closeTo(set.losses.badDebt, 0.01 * set.markets.length + 0.01);
    expect(total(set.markets, (m) => m.paidByInsurance)).to.be.closeTo(set.losses.paidByInsurance, 0.01 * set.markets.length + 0.01);
    expect(set.actors.map((a) => a.actor)).to.include.members(["oracle", "market-maker", "traders", ...set.liquidators.map((l) => l.name)]);
    expect(total(set.actors, (a) => a.transactions)).to.equal(set.chain.transactions);
    expect(total(set.actors, (a) => a.reverted)).to.equal(set.chain.reverted);
    expect(total(set.reverts, (r) => r.count)).to.equal(set.chain.reverted);
    for (const r of set.reverts) expect(r.error, `${r.actor}: ${r.error}`).not.to.match(/^unknown error/);
    for (const l of set.liquidators) {
      expect(
        total(Object.values(l.revertReasons), (n) => n),
        l.name,
      ).to.equal(l.reverted);
      expect(l.ownAccountsLiquidated.auctions, l.name).to.equal(
        JSON.parse(fs.readFileSync(path.join(tmp, "a", "auctions.json"), "utf8")).filter((r: { owner: string }) => r.owner === l.name)
          .length,
      );
    }
    const html = fs.readFileSync(first.files.report, "utf8");
    for (const h of ["Markets", "Transactions by actor", "Reverted transactions by actor and error"])
      expect(html).to.contain(`<h3>${h}</h3>`);
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

  it("splits timings.json's parts into once-per-run parts and the replay's steps, which the benchmark adds up", function () {
    const t = JSON.parse(fs.readFileSync(first.files.timings, "utf8")) as {
      wallSeconds: number;
      sets: { seconds: Record<string, number> }[];
    };
    const seconds = t.sets[0].seconds;
    // Every part the run timed is either once per run or one of the replay's stages (src/sim/stages/replay.ts,
    // reactions.ts): a new part must be placed on one side of the benchmark's "replay s/step".
    const replayParts = ["oracle", "market-maker", "keepers", "health", "traders", "mining", "metrics", "steps"];
    for (const part of Object.keys(seconds)) expect([...ONCE_PER_RUN, ...replayParts], part).to.include(part);
    for (const part of ONCE_PER_RUN) expect(seconds, part).to.have.property(part);
    const replay = replaySeconds(seconds);
    // Float sums in another order: equal to well under a microsecond.
    expect(replay).to.be.closeTo(
      replayParts.reduce((sum, p) => sum + (seconds[p] ?? 0), 0),
      1e-9,
    );
    expect(replay).to.be.greaterThan(0);
    expect(replay + ONCE_PER_RUN.reduce((sum, p) => sum + seconds[p], 0)).to.be.at.most(t.wallSeconds);
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

  it("sums up the run in a verdict that agrees with the summary's numbers", function () {
    const set = first.summary.sets[0];
    const v = set.verdict;
    expect(v.socialisedLoss).to.equal(set.losses.socialised);
    expect(v.insuranceDrawn).to.equal(set.losses.paidByInsurance);
    expect(v.insuranceDrawnShare).to.equal(Math.round((set.losses.paidByInsurance / set.losses.insuranceFund.initial) * 1e4) / 1e4);
    expect(v.auctions).to.equal(set.liquidations.auctions);
    expect(v.solvent).to.equal(set.losses.socialised === 0 && set.invariants.ok);
    expect(v.discountMedian).to.equal(set.liquidations.discountAtFill.median);
    expect(v.discountP95).to.equal(set.liquidations.discountAtFill.p95);
    expect(v.secondsToLiquidateMedian).to.equal(set.liquidations.secondsToLiquidate.median);
    const solvent = set.fills.filter((f) => f.discount !== null && f.unitPrice >= 0);
    expect(set.liquidations.discountAtFill.solventFills).to.equal(solvent.length);
    expect(set.liquidations.discountAtFill.insolventFills).to.equal(set.fills.filter((f) => f.unitPrice < 0).length);
    for (const l of set.liquidators) expect(l.pnl, l.name).to.be.closeTo(l.profit - l.socialisedLossBorne, 0.011);
  });

  it("puts what the insurance fund cannot pay on the opposite positions (automated deleveraging) and its parts add up to the bad debt", function () {
    const l = first.summary.sets[0].losses;
    // The smoke crash outruns the fund's per-event cap: keepers trigger ADL (issue #14 items 1 and 4).
    expect(l.deleveraging.events).to.be.greaterThan(0);
    expect(l.deleveraging.accountsHit).to.be.greaterThan(0);
    expect(l.deleveraged).to.equal(l.deleveraging.pnlGivenUp);
    expect(l.deleveraged).to.be.greaterThan(0);
    expect(l.badDebt).to.be.closeTo(l.paidByInsurance + l.deleveraged + l.socialised, 0.011);
    const rows = first.summary.sets[0].markets;
    expect(rows.reduce((sum, m) => sum + m.deleveraged, 0)).to.be.closeTo(l.deleveraged, 0.011 * rows.length);
  });

  it("opens report.html with the verdict line, renders every chart and fits a 1280-pixel window in headless Chromium", async function () {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: VIEWPORT });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${first.files.report}`);
      const verdict = await page.$$eval("p.verdict", (ps) => ps.map((p) => p.textContent ?? ""));
      expect(verdict).to.deep.equal([`${verdictText(first.summary.sets[0])}.`]);
      expect(await page.evaluate(() => document.querySelector("h1")?.nextElementSibling?.className)).to.match(/^verdict /);
      const charts = await page.$$eval("figure.chart", (figs) =>
        figs.map((f) => {
          const svg = f.querySelector("svg")!;
          const box = svg.getBoundingClientRect();
          const clipped = [...svg.querySelectorAll("text")]
            .filter((t) => {
              const b = t.getBoundingClientRect();
              return (
                b.width > 0 &&
                (b.left < box.left - 0.5 || b.right > box.right + 0.5 || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5)
              );
            })
            .map((t) => t.textContent);
          const boxes = [...svg.querySelectorAll("text")]
            .map((t) => ({ text: t.textContent, b: t.getBoundingClientRect() }))
            .filter((x) => x.b.width > 0);
          const overlapping: string[] = [];
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const [a, c] = [boxes[i].b, boxes[j].b];
              const w = Math.min(a.right, c.right) - Math.max(a.left, c.left);
              const h = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
              if (w > 1 && h > 1) overlapping.push(`${boxes[i].text} / ${boxes[j].text}`);
            }
          }
          return {
            overlapping,
            id: f.getAttribute("data-chart"),
            width: box.width,
            height: box.height,
            shapes: svg.querySelectorAll("path, rect, circle").length,
            texts: svg.querySelectorAll("text").length,
            clipped,
          };
        }),
      );
      expect(charts.map((c) => c.id)).to.deep.equal(CHART_IDS);
      for (const c of charts) {
        expect(c.width, `${c.id} width`).to.be.greaterThan(100);
        expect(c.height, `${c.id} height`).to.be.greaterThan(100);
        expect(c.shapes, `${c.id} shapes`).to.be.greaterThan(3);
        expect(c.texts, `${c.id} has a title and axis labels`).to.be.greaterThan(3);
        expect(c.clipped, `${c.id}: text outside its SVG`).to.deep.equal([]);
        expect(c.overlapping, `${c.id}: texts drawn over each other`).to.deep.equal([]);
      }
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth, "horizontal overflow").to.be.at.most(VIEWPORT.width);
      expect(errors).to.deep.equal([]);
      expect(requests.filter((u) => !u.startsWith("file://"))).to.deep.equal([]);
    } finally {
      await browser.close();
    }
  });
});
