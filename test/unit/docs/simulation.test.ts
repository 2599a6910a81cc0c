/**
 * The default run's figures in README.md and docs/SIMULATION.md come from a run (docs/generated/default-run.json,
 * written by `npm run docs:simulation`): the documents' generated blocks equal what that run renders, and the run
 * was made from the current contracts, simulator, keeper, model, scenario and parameters (its input fingerprint).
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { DOCUMENTS, FIGURES_FILE, fingerprint, readBlock, type RecordedRun } from "../../../src/docs/simulationFigures";

const ROOT = path.resolve(__dirname, "..", "..", "..");

describe("docs: the default simulation's figures", function () {
  const run = JSON.parse(fs.readFileSync(path.join(ROOT, FIGURES_FILE), "utf8")) as RecordedRun;

  for (const d of DOCUMENTS) {
    it(`${d.file} shows exactly the figures of the recorded run`, function () {
      const block = readBlock(fs.readFileSync(path.join(ROOT, d.file), "utf8"), d.block);
      expect(block, `generated block "${d.block}" in ${d.file}`).to.be.a("string");
      expect(block).to.equal(d.render(run), `${d.file} was edited by hand: run npm run docs:simulation`);
    });
  }

  it("were recorded from a run of the current code and data (else: npm run docs:simulation)", function () {
    this.timeout(60_000);
    expect(run.fingerprint).to.equal(fingerprint(ROOT), "the simulation's inputs changed since the figures were generated");
  });
});
