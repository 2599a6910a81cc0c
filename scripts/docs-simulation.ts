/**
 * `npm run docs:simulation`: after `hardhat simulate` has run the default scenario (the npm script runs both), records
 * its figures and the fingerprint of its inputs in docs/generated/default-run.json and rewrites the generated blocks
 * of README.md and docs/SIMULATION.md (src/docs/simulationFigures.ts). Exit codes: 0 written, 2 the run's output is
 * missing or was not made from the default scenario.
 */
import fs from "node:fs";
import path from "node:path";
import type { Summary } from "../src/sim/summary";
import { DEFAULT_SCENARIO_FILE, DOCUMENTS, FIGURES_FILE, fingerprint, replaceBlock, type RecordedRun } from "../src/docs/simulationFigures";

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "reports", "sim", path.basename(DEFAULT_SCENARIO_FILE, ".json"));

function main(): void {
  const summaryFile = path.join(OUT, "summary.json");
  if (!fs.existsSync(summaryFile)) {
    process.stderr.write(`docs:simulation: ${path.relative(ROOT, summaryFile)} is missing: run \`npm run simulate\` first\n`);
    process.exit(2);
  }
  const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as Summary;
  if (summary.scenario.file !== DEFAULT_SCENARIO_FILE && !summary.scenario.file.endsWith(DEFAULT_SCENARIO_FILE)) {
    process.stderr.write(`docs:simulation: ${summaryFile} comes from ${summary.scenario.file}, not ${DEFAULT_SCENARIO_FILE}\n`);
    process.exit(2);
  }
  const timings = JSON.parse(fs.readFileSync(path.join(OUT, "timings.json"), "utf8")) as { wallSeconds: number };
  // Keep what the documents use: the per-step series only for bad debt and time, no per-fill or per-account rows.
  const trimmed = {
    ...summary,
    sets: summary.sets.map((s) => ({ ...s, fills: [], episodes: [], series: { time: s.series.time, badDebt: s.series.badDebt } })),
  } as unknown as Summary;
  const run: RecordedRun = { fingerprint: fingerprint(ROOT), wallSeconds: Math.round(timings.wallSeconds), summary: trimmed };
  fs.mkdirSync(path.dirname(path.join(ROOT, FIGURES_FILE)), { recursive: true });
  fs.writeFileSync(path.join(ROOT, FIGURES_FILE), JSON.stringify(run, null, 2) + "\n");
  for (const d of DOCUMENTS) {
    const file = path.join(ROOT, d.file);
    fs.writeFileSync(file, replaceBlock(fs.readFileSync(file, "utf8"), d.block, d.render(run), d.file));
  }
  process.stdout.write(`wrote ${FIGURES_FILE}, ${DOCUMENTS.map((d) => d.file).join(", ")}\n`);
}

main();
