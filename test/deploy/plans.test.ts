/**
 * `resolveParameters` on every committed deploy/parameters/*.json: the resolved `DeploymentPlan` (live files once
 * their SET-ME governance placeholders are filled in) and the issues of the file as committed are compared with
 * `plans.snapshot.json` (bigints written as "<digits>n"). After an intended change of a file or of the conversion
 * run `UPDATE_PLAN_SNAPSHOT=1 npx hardhat test test/deploy/plans.test.ts` and review the diff of the snapshot.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { ParameterError, resolveParameters, type NetworkParameters } from "../../src/config/schema";
import { PARAMETERS_DIR } from "../../src/config/load";

const ROOT = path.resolve(__dirname, "..", "..");
const FILE = path.join(__dirname, "plans.snapshot.json");
const UPDATE = process.env.UPDATE_PLAN_SNAPSHOT === "1";

/** Hardhat node accounts standing in for the multisigs a live file leaves to the deployer. */
const GOVERNANCE = {
  riskManager: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  guardian: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  proposer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
};

/** `raw` with every SET-ME governance placeholder replaced by an address. */
function filledIn(raw: unknown): unknown {
  const p = structuredClone(raw) as NetworkParameters;
  if (p.governance.riskManager.startsWith("SET-ME")) p.governance.riskManager = GOVERNANCE.riskManager;
  if (p.governance.guardian.startsWith("SET-ME")) p.governance.guardian = GOVERNANCE.guardian;
  if (p.governance.timelock) {
    p.governance.timelock.proposers = p.governance.timelock.proposers.map((v) => (v.startsWith("SET-ME") ? GOVERNANCE.proposer : v));
  }
  return p;
}

/** What `resolveParameters` makes of `raw`, as JSON: the plan, or the issues it reports. */
function outcome(raw: unknown): unknown {
  let result: unknown;
  try {
    result = { plan: resolveParameters(raw) };
  } catch (e) {
    if (!(e instanceof ParameterError)) throw e;
    result = { issues: e.issues };
  }
  return JSON.parse(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? `${v}n` : v)));
}

describe("the plans of the committed parameter files", function () {
  const files = fs
    .readdirSync(path.join(ROOT, PARAMETERS_DIR))
    .filter((f) => f.endsWith(".json"))
    .sort();
  const snapshot: Record<string, unknown> = fs.existsSync(FILE) ? JSON.parse(fs.readFileSync(FILE, "utf8")) : {};
  const recorded: Record<string, unknown> = {};

  after(function () {
    if (UPDATE) fs.writeFileSync(FILE, `${JSON.stringify(recorded, null, 2)}\n`);
  });

  it("are snapshotted for every file of deploy/parameters", function () {
    expect(files).to.include.members(["hardhat.json", "localhost.json", "sepolia.json"]);
    if (!UPDATE) expect(Object.keys(snapshot).sort()).to.deep.equal(files.flatMap((f) => [f, `${f} (filled in)`]).sort());
  });

  for (const file of files) {
    it(`${file} resolves as snapshotted, as committed and with its placeholders filled in`, function () {
      const raw = JSON.parse(fs.readFileSync(path.join(ROOT, PARAMETERS_DIR, file), "utf8"));
      recorded[file] = outcome(raw);
      recorded[`${file} (filled in)`] = outcome(filledIn(raw));
      expect(recorded[`${file} (filled in)`]).to.have.property("plan");
      if (!UPDATE) {
        expect(recorded[file]).to.deep.equal(snapshot[file]);
        expect(recorded[`${file} (filled in)`]).to.deep.equal(snapshot[`${file} (filled in)`]);
      }
    });
  }
});
