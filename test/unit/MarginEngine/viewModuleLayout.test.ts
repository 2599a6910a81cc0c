/**
 * The view module and the deleveraging module run on the engine's storage (DELEGATECALL from the engine's fallback and
 * from `deleverage`), so every state variable they can read or write must sit at the same slot, offset and type in
 * the engine. Compiled here for their storage layouts
 * only (the pinned solc of hardhat.config.ts, no code generation), so a reordering of the engine's bases or a state
 * variable declared outside EngineStorage fails this test.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const solc = require("solc");

const root = path.join(__dirname, "..", "..", "..");

interface Slot {
  label: string;
  slot: string;
  offset: number;
  type: string;
}

function storageLayouts(): Record<string, Slot[]> {
  const sources = [
    "contracts/engine/MarginEngine.sol",
    "contracts/engine/MarginEngineViews.sol",
    "contracts/engine/MarginEngineDeleveraging.sol",
  ];
  const input = {
    language: "Solidity",
    sources: Object.fromEntries(sources.map((s) => [s, { content: fs.readFileSync(path.join(root, s), "utf8") }])),
    settings: { evmVersion: "cancun", outputSelection: { "*": { "*": ["storageLayout"] } } },
  };
  const findImports = (p: string) => {
    for (const base of [root, path.join(root, "node_modules")]) {
      const file = path.join(base, p);
      if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
    }
    return { error: `not found: ${p}` };
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
  const errors = (out.errors ?? []).filter((e: { severity: string }) => e.severity === "error");
  expect(errors, "compilation errors").to.deep.equal([]);
  const layout = (file: string, name: string): Slot[] =>
    out.contracts[file][name].storageLayout.storage.map((s: Slot) => ({ label: s.label, slot: s.slot, offset: s.offset, type: s.type }));
  return {
    engine: layout(sources[0], "MarginEngine"),
    module: layout(sources[1], "MarginEngineViews"),
    deleveraging: layout(sources[2], "MarginEngineDeleveraging"),
  };
}

describe("MarginEngine: the view module's storage layout", function () {
  it("every state variable of the view module has the engine's slot, offset and type, and the engine's own come after them", function () {
    this.timeout(120_000);
    const { engine, module } = storageLayouts();
    expect(module.map((s) => s.label)).to.include.members(["_markets", "_positions", "_accounts", "_operators", "_marketCount"]);
    expect(engine.slice(0, module.length)).to.deep.equal(module);
    // What the engine has beyond the module's variables: AccessManaged's, never read by the module.
    expect(engine.slice(module.length).map((s) => s.label)).to.deep.equal(["_authority", "_consumingSchedule"]);
  });

  it("the deleveraging module has exactly the view module's layout, ADL's index and sync mappings included", function () {
    this.timeout(120_000);
    const { module, deleveraging } = storageLayouts();
    expect(deleveraging).to.deep.equal(module);
    expect(module.map((s) => s.label)).to.include.members(["_deleveragingIndex", "_deleveragingSynced"]);
  });
});
