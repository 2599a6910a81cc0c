/**
 * Keeps docs/INVARIANTS.md and the property suites in step: every invariant ID the catalogue defines is named in
 * the title of at least one property (test/fuzz, test/invariant) and in an assertion message of the stateful
 * suite (which checks every invariant after every step), and every ID a test names is defined.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
/** IDs the liquidation and insurance section of the catalogue reserves while it is being written (INV-17 onward). */
const RESERVED = ["INV-17", "INV-18", "INV-19", "INV-20", "INV-21", "INV-22", "INV-23", "INV-24", "INV-25"];

/** IDs defined by a table row `| INV-NN | ...` of docs/INVARIANTS.md. */
export function catalogueIds(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "INVARIANTS.md"), "utf8");
  return [...doc.matchAll(/^\|\s*(INV-\d{2})\s*\|/gm)].map((m) => m[1]);
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Titles of it(...) and describe(...) calls in `sources` (string literal first argument, any quote). */
export function testTitles(sources: string[]): string[] {
  const titles: string[] = [];
  for (const f of sources) {
    const src = fs.readFileSync(f, "utf8");
    for (const m of src.matchAll(/\b(?:it|describe)\(\s*(["'`])((?:\\.|(?!\1)[\s\S])*)\1/g)) titles.push(m[2]);
  }
  return titles;
}

const ids = (text: string): string[] => [...text.matchAll(/INV-\d{2}/g)].map((m) => m[0]);

describe("invariants: the catalogue and the properties name the same IDs", function () {
  const propertySources = [...files(path.join(ROOT, "test", "fuzz")), ...files(path.join(ROOT, "test", "invariant"))];
  const stateful = [
    ...files(path.join(ROOT, "test", "invariant")).filter((f) => !f.endsWith("catalogue.test.ts")),
    path.join(ROOT, "test", "fuzz", "portfolio.ts"),
    path.join(ROOT, "test", "fuzz", "auctionSteps.ts"),
  ];

  it("docs/INVARIANTS.md defines invariant IDs INV-01 onward, each once", function () {
    const defined = catalogueIds();
    expect(defined.length, "the catalogue defines invariants").to.be.greaterThan(0);
    expect(new Set(defined).size, "no ID is defined twice").to.equal(defined.length);
    expect(defined[0]).to.equal("INV-01");
  });

  it("every invariant ID in docs/INVARIANTS.md is named in the title of at least one property", function () {
    const named = new Set(testTitles(propertySources).flatMap(ids));
    const missing = catalogueIds().filter((id) => !named.has(id));
    expect(missing, `invariants without a property naming them: ${missing.join(", ")}`).to.deep.equal([]);
  });

  it("every invariant ID in docs/INVARIANTS.md is asserted by ID in the stateful suite's checks", function () {
    const asserted = new Set(stateful.flatMap((f) => ids(fs.readFileSync(f, "utf8"))));
    const missing = [...catalogueIds(), ...RESERVED].filter((id) => !asserted.has(id));
    expect(missing, `invariants the stateful suite never asserts: ${missing.join(", ")}`).to.deep.equal([]);
  });

  it("every invariant ID a test title names is defined in docs/INVARIANTS.md (or reserved for the liquidation section)", function () {
    const known = new Set([...catalogueIds(), ...RESERVED]);
    const all = [...files(path.join(ROOT, "test"))];
    const unknown = [...new Set(testTitles(all).flatMap(ids))].filter((id) => !known.has(id));
    expect(unknown, `test titles name undefined invariants: ${unknown.join(", ")}`).to.deep.equal([]);
  });
});
