import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..", "..", "..");

describe("docs: gas", function () {
  it("docs/GAS.md quotes every measurement of test/gas/gas-snapshot.json (update it after npm run gas:update)", function () {
    const doc = fs.readFileSync(path.join(root, "docs", "GAS.md"), "utf8");
    const snapshot: Record<string, number> = JSON.parse(fs.readFileSync(path.join(root, "test", "gas", "gas-snapshot.json"), "utf8"));
    const missing = Object.entries(snapshot)
      .map(([name, gas]) => ({ name, quoted: gas.toLocaleString("en-US") }))
      .filter(({ quoted }) => !new RegExp(`\\|\\s*${quoted}\\s*\\|`).test(doc));
    expect(missing, "measurements missing from a table row of docs/GAS.md").to.deep.equal([]);
  });
});
