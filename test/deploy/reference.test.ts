/** The parameter file reference in docs/DEPLOYMENT.md stays in step with the schema and the bounds. */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { PARAMETER_DOCS, renderParameterReference, schemaKeys } from "../../src/config/reference";

describe("the parameter file reference", function () {
  it("documents exactly the keys of the schema", function () {
    expect(Object.keys(PARAMETER_DOCS).sort()).to.deep.equal([...schemaKeys()].sort());
  });

  it("is the generated one in docs/DEPLOYMENT.md (npm run docs:parameters rewrites it)", function () {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "DEPLOYMENT.md"), "utf8");
    expect(doc).to.include(renderParameterReference());
  });
});
