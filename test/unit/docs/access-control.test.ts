import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { renderRoleTable, BEGIN, END } from "../../../src/docs/accessControl";
import { ADMIN_FUNCTIONS, FUNCTION_ROLES, type RestrictedContract } from "../../../src/deploy/roles";

const root = path.join(__dirname, "..", "..", "..");

/** Names of the `restricted` functions declared in a contract's Solidity sources (its file and its bases). */
function restrictedFunctions(files: string[]): string[] {
  const names: string[] = [];
  for (const f of files) {
    const src = fs.readFileSync(path.join(root, f), "utf8");
    for (const m of src.matchAll(/function\s+(\w+)\s*\(([^)]*)\)([^{;]*)\{/g)) if (/\brestricted\b/.test(m[3])) names.push(m[1]);
  }
  return names.sort();
}

const SOURCES: Record<RestrictedContract, string[]> = {
  OracleRouter: ["contracts/oracle/OracleRouter.sol"],
  CollateralVault: ["contracts/vault/CollateralVault.sol", "contracts/vault/VaultGovernance.sol"],
  MarginEngine: ["contracts/engine/MarginEngine.sol", "contracts/engine/EngineGovernance.sol"],
  MarketConfigurator: ["contracts/config/MarketConfigurator.sol"],
  OrderSettlement: ["contracts/venue/OrderSettlement.sol"],
  LiquidationAuction: ["contracts/liquidation/LiquidationAuction.sol"],
  InsuranceFund: ["contracts/insurance/InsuranceFund.sol"],
};

describe("docs: access control", function () {
  it("docs/ACCESS_CONTROL.md carries the role table of src/deploy/roles.ts (run npm run docs:roles after a change)", function () {
    const doc = fs.readFileSync(path.join(root, "docs", "ACCESS_CONTROL.md"), "utf8");
    expect(doc.slice(doc.indexOf(BEGIN), doc.indexOf(END) + END.length)).to.equal(renderRoleTable());
  });

  for (const contract of Object.keys(SOURCES) as RestrictedContract[]) {
    it(`every restricted function of ${contract} appears in the role table exactly once, and nothing else does`, function () {
      const table = [...ADMIN_FUNCTIONS[contract], ...FUNCTION_ROLES[contract].RISK_MANAGER, ...FUNCTION_ROLES[contract].GUARDIAN].sort();
      expect(table).to.deep.equal(restrictedFunctions(SOURCES[contract]));
    });
  }
});
