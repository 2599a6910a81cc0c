/**
 * The default run's figures in README.md and docs/SIMULATION.md are generated, never typed: `npm run docs:simulation`
 * runs the default scenario, keeps its figures in docs/generated/default-run.json with a fingerprint of everything
 * the run depends on, and rewrites the marked blocks of both documents. A test (test/unit/docs/simulation.test.ts)
 * fails when a document's block differs from what the recorded run renders, or when the fingerprint no longer
 * matches the code and data (contracts, simulator, keeper, model, scenario, parameters): then the figures are stale
 * and the command must be run again.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { Summary } from "../sim/summary";

/** The scenario whose run the documents describe. */
export const DEFAULT_SCENARIO_FILE = "scenarios/black-thursday.json";
/** Where the recorded figures live, relative to the repository root. */
export const FIGURES_FILE = "docs/generated/default-run.json";

/** Sources whose behaviour reaches the run (transpiled without comments, so prose edits do not count). */
const SOURCE_DIRS = ["src/sim", "src/keeper", "src/model", "src/venue", "src/config", "deploy/modules"];
/** Data files whose content reaches the run. */
const DATA_FILES = ["deploy/parameters/hardhat.json", "hardhat.config.ts"];
/**
 * Files under SOURCE_DIRS that only present a run (progress bar, HTML report, multi-seed sweeps) and never reach
 * summary.json: editing them does not call for a new default run.
 */
const PRESENTATION_ONLY = new Set(["src/sim/progress.ts", "src/sim/report.ts", "src/sim/sweep.ts", "src/sim/sweepCli.ts"]);

/** What docs/generated/default-run.json holds. */
export interface RecordedRun {
  /** sha256 over the inputs of the run (see `fingerprint`). */
  fingerprint: string;
  /** Wall time of the run on the machine that generated the figures (seconds): informative, not checked. */
  wallSeconds: number;
  /** The default scenario's summary.json, as written by the run. */
  summary: Summary;
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** Runtime bytecode without the trailing CBOR metadata (which hashes the sources, comments included). */
function stripMetadata(bytecode: string): string {
  const hex = bytecode.startsWith("0x") ? bytecode.slice(2) : bytecode;
  if (hex.length < 4) return hex;
  const metaLength = parseInt(hex.slice(-4), 16) * 2 + 4;
  return metaLength < hex.length ? hex.slice(0, hex.length - metaLength) : hex;
}

/**
 * A hash of everything the default run depends on: the scenario and its price files, the network parameters, the
 * compiled contracts (runtime bytecode without metadata), the pinned anvil version and the TypeScript of the
 * simulator, keeper, model, venue, config and deployment module (comments and formatting removed).
 * @param root repository root; contracts must be compiled (artifacts/).
 */
export function fingerprint(root: string): string {
  const h = crypto.createHash("sha256");
  const add = (label: string, content: string | Buffer) => {
    h.update(`${label}\0`);
    h.update(content);
    h.update("\0");
  };
  const scenarioPath = path.join(root, DEFAULT_SCENARIO_FILE);
  add(DEFAULT_SCENARIO_FILE, fs.readFileSync(scenarioPath));
  const scenario = JSON.parse(fs.readFileSync(scenarioPath, "utf8")) as { prices: { series: Record<string, { file: string }> } };
  for (const s of Object.values(scenario.prices.series).sort((a, b) => a.file.localeCompare(b.file))) {
    add(s.file, fs.readFileSync(path.join(root, s.file)));
  }
  for (const f of DATA_FILES) add(f, fs.readFileSync(path.join(root, f)));
  // The EVM the default run ran on (src/sim/node.ts): the pinned anvil version.
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  add("@foundry-rs/anvil", pkg.devDependencies["@foundry-rs/anvil"] ?? "");
  const artifacts = walk(path.join(root, "artifacts", "contracts")).filter((f) => f.endsWith(".json") && !f.endsWith(".dbg.json"));
  if (artifacts.length === 0) throw new Error("no compiled contracts under artifacts/contracts: run `npx hardhat compile` first");
  for (const f of artifacts) {
    const a = JSON.parse(fs.readFileSync(f, "utf8")) as { deployedBytecode?: string; bytecode?: string };
    add(path.relative(root, f), stripMetadata(a.deployedBytecode ?? "") + ":" + stripMetadata(a.bytecode ?? ""));
  }
  for (const dir of SOURCE_DIRS) {
    for (const f of walk(path.join(root, dir)).filter(
      (x) => x.endsWith(".ts") && !PRESENTATION_ONLY.has(path.relative(root, x).split(path.sep).join("/")),
    )) {
      const js = ts.transpileModule(fs.readFileSync(f, "utf8"), {
        compilerOptions: { removeComments: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS },
      }).outputText;
      add(path.relative(root, f), js.replace(/\s+/g, " "));
    }
  }
  return h.digest("hex");
}

const usd = (x: number) => x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const int = (x: number) => x.toLocaleString("en-US");
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const dur = (s: number | null) => (s === null ? "n/a" : s < 120 ? `${s} s` : `${Math.round(s / 60)} min`);

/** Markers of a generated block in a Markdown file. */
export const markers = (name: string) => ({
  begin: `<!-- generated:${name}:begin (npm run docs:simulation; do not edit) -->`,
  end: `<!-- generated:${name}:end -->`,
});

/** The one-paragraph verdict of the default run, for README.md. */
export function renderReadmeBlock(run: RecordedRun): string {
  const s = run.summary;
  const set = s.sets[0];
  const l = set.losses;
  return [
    `On the default run (seed ${s.scenario.seed}, ${int(s.scenario.steps)} steps, ${int(s.scenario.traders)} traders): ` +
      `${int(set.liquidations.auctions)} auctions, ${int(set.liquidations.bids)} bids filled, ` +
      `${usd(l.badDebt)} USDC of bad debt of which ${usd(l.paidByInsurance)} paid by the insurance fund and ` +
      `${usd(l.socialised)} socialised; the fund went from ${usd(l.insuranceFund.initial)} to ${usd(l.insuranceFund.final)} USDC. ` +
      `Every figure: [docs/SIMULATION.md](docs/SIMULATION.md#results-of-the-default-scenario).`,
  ].join("\n");
}

/** The results section's tables and findings, for docs/SIMULATION.md. */
export function renderSimulationBlock(run: RecordedRun): string {
  const s = run.summary;
  const set = s.sets[0];
  const lq = set.liquidations;
  const l = set.losses;
  const o = lq.auctionOutcomes;
  const out: string[] = [];
  out.push(
    `Seed ${s.scenario.seed}; wall time on the machine that generated this section: ${Math.round(run.wallSeconds)} s ` +
      `(informative only; every other figure is the same on any machine).`,
    "",
    `| | ${set.name} |`,
    "|---|---|",
    `| Steps / traders / liquidators | ${int(s.scenario.steps)} steps (${s.scenario.window.start} to ${s.scenario.window.end}) / ${int(s.scenario.traders)} / ${s.scenario.liquidators.length} |`,
    `| Accounts that became liquidatable | ${int(lq.accountsLiquidatable)} (${int(lq.tradersLiquidated)} of ${int(set.traders.count)} traders had at least one auction) |`,
    `| Auctions started / bids filled | ${int(lq.auctions)} / ${int(lq.bids)} (${int(lq.discountAtFill.insolventFills)} at a negative unit price) |`,
    `| Auction outcomes: restored / emptied / terminated / still running | ${o.Restored} / ${o.Emptied} / ${o.Terminated} / ${o.running} |`,
    `| Time liquidatable -> auction started | median ${dur(lq.secondsToAuction.median)}, p90 ${dur(lq.secondsToAuction.p90)}, p99 ${dur(lq.secondsToAuction.p99)}, max ${dur(lq.secondsToAuction.max)} (blocks: ${lq.blocksToAuction.median} / ${lq.blocksToAuction.p90} / ${lq.blocksToAuction.p99} / ${lq.blocksToAuction.max}) |`,
    `| Time liquidatable -> restored or emptied | median ${dur(lq.secondsToRestored.median)}, p90 ${dur(lq.secondsToRestored.p90)} |`,
    `| Discount at fill (solvent portfolios) | median ${pct(lq.discountAtFill.median)}, p10 ${pct(lq.discountAtFill.p10)}, p90 ${pct(lq.discountAtFill.p90)} |`,
    `| Small portfolios (0 < V < ${usd(lq.smallPortfolios.threshold)} USDC at start): auctions / with a solvent fill / discount per auction | ${int(lq.smallPortfolios.auctions)} / ${int(lq.smallPortfolios.withSolventFill)} / ${lq.smallPortfolios.discountMedian === null ? "-" : `median ${pct(lq.smallPortfolios.discountMedian)}, p90 ${pct(lq.smallPortfolios.discountP90!)}`} |`,
    `| Bad debt (subsidies to bidders) | ${usd(l.badDebt)} USDC, ${usd(l.paidByInsurance)} paid by the insurance fund |`,
    `| Socialised loss | ${usd(l.socialised)} USDC |`,
    `| Bad debt not yet realised (insolvent auctions still running at the end) | ${usd(l.unrealisedInRunningAuctions)} USDC |`,
    `| Insurance fund: initial / lowest / final | ${usd(l.insuranceFund.initial)} / ${usd(l.insuranceFund.min)} / ${usd(l.insuranceFund.final)} USDC |`,
    `| Insurance fund income: penalties / fees of the opening trades / later trade fees | ${usd(l.insuranceFund.income.penalties)} / ${usd(l.insuranceFund.income.openingTradeFees)} / ${usd(l.insuranceFund.income.tradeFeesDuringReplay)} USDC |`,
    `| Smallest insurance fund with no socialised loss on this path | ${usd(l.minimumFund.withoutFeeIncome)} USDC without fee income; ${usd(l.minimumFund.countingAllIncome)} counting every credit to the fund, ${usd(l.minimumFund.withoutAnyIncome)} the stake alone (per-event cap ${pct(l.insuranceFund.eventCapRatio)}) |`,
    `| Transactions (reverted) / gas | ${int(set.chain.transactions)} (${int(set.chain.reverted)}) / ${int(Math.round(set.chain.gasUsed / 1e6))}M gas in ${int(set.chain.blocksWithTransactions)} blocks with transactions of ${int(set.chain.blocks)} |`,
    `| Traders' reactions | ${int(set.traders.topUps)} top-ups, ${int(set.traders.cuts)} position cuts |`,
    `| Invariants at the end | ${set.invariants.ok ? "hold" : "VIOLATED"} (${int(set.invariants.accountsChecked)} accounts) |`,
    "",
    "| liquidator | strategy | starts won / sent | bids won / sent | reverted txs | gas (USDC) | wasted gas (USDC) | tips (USDC) | profit (USDC) | own accounts auctioned |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const k of set.liquidators) {
    out.push(
      `| ${k.name} | ${k.strategy} | ${int(k.startsWon)} / ${int(k.startsSent)} | ${int(k.bidsWon)} / ${int(k.bidsSent)} | ${int(k.reverted)} | ${usd(k.gasCost)} | ${usd(k.wastedGasCost)} | ${usd(k.tips)} | ${usd(k.profit)} | ${int(k.ownAccountsLiquidated.auctions)} |`,
    );
  }
  out.push(
    "",
    "| market(s) held at start | auctions | bids (insolvent) | bad debt (USDC) | paid by insurance (USDC) | socialised (USDC) | discount median |",
    "|---|---|---|---|---|---|---|",
    ...set.markets.map(
      (m) =>
        `| ${m.market} | ${int(m.auctions)} | ${int(m.bids)} (${int(m.insolventFills)}) | ${usd(m.badDebt)} | ${usd(m.paidByInsurance)} | ${usd(m.socialised)} | ${m.discountAtFill.median === null ? "-" : pct(m.discountAtFill.median)} |`,
    ),
    "",
    "| actor | transactions (set-up) | reverted: by error |",
    "|---|---|---|",
    ...set.actors.map((a) => {
      const errors = set.reverts.filter((r) => r.actor === a.actor).map((r) => `${r.error} ${int(r.count)}`);
      return `| ${a.actor} | ${int(a.transactions)} (${int(a.setUpTransactions)}) | ${int(a.reverted)}${errors.length ? `: ${errors.join(", ")}` : ""} |`;
    }),
  );
  // The step with the largest increase of bad debt: where the crash outran the auctions.
  const bd = set.series.badDebt;
  let worst = 0;
  for (let i = 1; i < bd.length; i++) if (bd[i] - bd[i - 1] > bd[worst] - (worst > 0 ? bd[worst - 1] : 0)) worst = i;
  const worstJump = bd[worst] - (worst > 0 ? bd[worst - 1] : 0);
  const topStarter = [...set.liquidators].sort((a, b) => b.startsWon - a.startsWon)[0];
  out.push(
    "",
    "What the run shows (figures above):",
    "",
    `- **Starts are prompt**: the median account waits ${dur(lq.secondsToAuction.median)} between becoming liquidatable and its ` +
      `auction starting (p99 ${dur(lq.secondsToAuction.p99)}, ${lq.blocksToAuction.p99} blocks); ${topStarter.name} wins ` +
      `${int(topStarter.startsWon)} of ${int(lq.auctions)} starts.`,
    `- **Bad debt comes in bursts**: the largest increase in one step, ${usd(worstJump)} USDC, comes in ` +
      `the step at ${set.series.time[worst] ?? "n/a"}; over the run the insurance fund pays ${usd(l.paidByInsurance)} USDC and ` +
      `${usd(l.socialised)} USDC is socialised. The fund would have needed ${usd(l.minimumFund.withoutFeeIncome)} USDC to ` +
      `avoid any socialised loss on this path, given its per-event cap and counting no fee income ` +
      `(${usd(l.minimumFund.countingAllIncome)} USDC counting the ${usd(l.insuranceFund.income.openingTradeFees + l.insuranceFund.income.tradeFeesDuringReplay)} USDC of trading fees it received).`,
    `- **Some portfolios are never bought**: ${o.running} ${o.running === 1 ? "auction is" : "auctions are"} still running at the end ` +
      `(${usd(l.unrealisedInRunningAuctions)} USDC of bad debt not yet realised in those that are insolvent).`,
    `- **Competition costs the losers gas**: ${int(set.chain.reverted)} of ${int(set.chain.transactions)} transactions reverted, ` +
      `${int(set.actors.reduce((n, a) => n + a.lostRaces, 0))} of them lost races (a start or bid on an auction another ` +
      `transaction of the block had already started or changed); every revert is named by its error in the table above.`,
    ...set.liquidators
      .filter((k) => k.ownAccountsLiquidated.auctions > 0)
      .map(
        (k) =>
          `- **A keeper was liquidated**: ${k.name} (${k.strategy}) had ${int(k.ownAccountsLiquidated.auctions)} auctions on its own accounts ` +
          `(${usd(k.ownAccountsLiquidated.badDebt)} USDC of bad debt).`,
      ),
  );
  return out.join("\n");
}

/** Replaces the block between `name`'s markers in `text` by `body` (the markers must be there). */
export function replaceBlock(text: string, name: string, body: string, file: string): string {
  const { begin, end } = markers(name);
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file}: markers of the generated block "${name}" are missing`);
  return text.slice(0, a + begin.length) + "\n" + body + "\n" + text.slice(b);
}

/** The block between `name`'s markers in `text`, or undefined. */
export function readBlock(text: string, name: string): string | undefined {
  const { begin, end } = markers(name);
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return undefined;
  return text.slice(a + begin.length + 1, b - 1);
}

/** The documents and their generated blocks. */
export const DOCUMENTS = [
  { file: "README.md", block: "sim-default-verdict", render: renderReadmeBlock },
  { file: "docs/SIMULATION.md", block: "sim-default-results", render: renderSimulationBlock },
] as const;
