/**
 * `checkDeployment` row by row: the protocol deployed in-process through the production Ignition module with a
 * journal (as `deploy-ballast` writes one), read back as `check-deployment` reads it, and every row returned (item,
 * expected, actual, ok, in order) compared with the committed `check-rows.snapshot.json`, for hardhat.json (the
 * deployer keeps every role) and localhost.json (handover to a timelock). Addresses are deterministic: each
 * deployment starts on a reset chain. After an intended change of the rows run
 * `UPDATE_CHECK_SNAPSHOT=1 npx hardhat test test/deploy/check.test.ts` and review the diff of the snapshot.
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre, { ethers, network } from "hardhat";
import { clearSnapshots } from "@nomicfoundation/hardhat-network-helpers/dist/src/loadFixture";
import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";
import { deploy, DeploymentResultType } from "@nomicfoundation/ignition-core";
import hardhatParams from "../../deploy/parameters/hardhat.json";
import localhostParams from "../../deploy/parameters/localhost.json";
import { buildBallastModule } from "../../deploy/modules/Ballast";
import { resolveParameters } from "../../src/config/schema";
import { checkDeployment, type CheckRow } from "../../src/deploy/check";
import { readDeployment, type DeploymentRecord } from "../../src/deploy/journal";
import { MarginEngine__factory } from "../../typechain-types";

const FILE = path.join(__dirname, "check-rows.snapshot.json");
const UPDATE = process.env.UPDATE_CHECK_SNAPSHOT === "1";

/** Deploys `params` on a reset chain with an Ignition journal in a temporary folder and reads that journal back. */
async function deployWithJournal(params: unknown, dir: string) {
  await clearSnapshots();
  await network.provider.request({ method: "hardhat_reset", params: [] });
  const plan = resolveParameters(params);
  const resolver = new HardhatArtifactResolver(hre);
  const accounts = (await network.provider.request({ method: "eth_accounts" })) as string[];
  const result = await deploy({
    config: { requiredConfirmations: 1 },
    provider: network.provider,
    deploymentDir: dir,
    artifactResolver: resolver,
    ignitionModule: buildBallastModule(plan),
    deploymentParameters: {},
    accounts,
  });
  expect(result.type).to.equal(DeploymentResultType.SUCCESSFUL_DEPLOYMENT);
  return { plan, deployment: await readDeployment(dir, resolver, ethers.provider) };
}

/** Code comparison stand-in: the task's artifact comparison is covered by test/deploy/deploy.test.ts. */
const codeMatches = async (name: string) => name !== "TestERC20";

describe("checkDeployment's rows", function () {
  this.timeout(300_000);
  const snapshot: Record<string, CheckRow[]> = fs.existsSync(FILE) ? JSON.parse(fs.readFileSync(FILE, "utf8")) : {};
  const recorded: Record<string, CheckRow[]> = {};
  let tmp: string;

  before(function () {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ballast-check-"));
  });

  after(async function () {
    fs.rmSync(tmp, { recursive: true, force: true });
    await clearSnapshots();
    await network.provider.request({ method: "hardhat_reset", params: [] });
    if (UPDATE) fs.writeFileSync(FILE, `${JSON.stringify({ ...snapshot, ...recorded }, null, 2)}\n`);
  });

  for (const [name, params] of Object.entries({ hardhat: hardhatParams, localhost: localhostParams })) {
    describe(`a deployment from ${name}.json`, function () {
      let plan: ReturnType<typeof resolveParameters>;
      let deployment: DeploymentRecord;
      let rows: CheckRow[];

      before(async function () {
        ({ plan, deployment } = await deployWithJournal(params, path.join(tmp, name)));
        rows = await checkDeployment({ provider: ethers.provider, plan, deployment, codeMatches });
        recorded[name] = rows;
      });

      it("gives every row of the committed snapshot, in order", function () {
        if (!UPDATE) expect(rows).to.deep.equal(snapshot[name]);
      });

      it("matches on every row but the stand-in's test tokens", function () {
        expect(rows.filter((r) => !r.ok).map((r) => r.item)).to.deep.equal(
          Object.keys(deployment.addresses)
            .filter((id) => id.startsWith("Token_"))
            .map((id) => `code.${id}`),
        );
      });

      it("stops after the journal rows when a contract of the journal is missing", async function () {
        const { RiskLens, ...addresses } = deployment.addresses;
        expect(RiskLens).to.be.a("string");
        const partial = { ...deployment, addresses, unfinished: ["Ballast#RiskLens"] };
        expect(await checkDeployment({ provider: ethers.provider, plan, deployment: partial })).to.deep.equal([
          { item: "journal.unfinishedFutures", expected: "(none)", actual: "Ballast#RiskLens", ok: false },
          { item: "journal.contracts", expected: "(all present)", actual: "missing RiskLens", ok: false },
        ]);
      });

      it("names a parameter changed on chain in one mismatching row", async function () {
        const riskManager = plan.governance.riskManager === "deployer" ? deployment.deployer : plan.governance.riskManager;
        const signer = await ethers.getImpersonatedSigner(riskManager);
        const engine = MarginEngine__factory.connect(deployment.addresses.MarginEngine, signer);
        await (await engine.setMaxPriceAge(30)).wait();
        const changed = await checkDeployment({ provider: ethers.provider, plan, deployment });
        expect(changed.filter((r) => !r.ok)).to.deep.equal([{ item: "engine.maxPriceAge", expected: "1m", actual: "30s", ok: false }]);
        const codeRows = rows.filter((r) => r.item.startsWith("code.")).length; // not compared without a matcher
        expect(changed.map((r) => r.item)).to.deep.equal(rows.map((r) => r.item).filter((item) => !item.startsWith("code.")));
        expect(changed.filter((r) => r.ok)).to.have.length(rows.length - codeRows - 1);
      });
    });
  }
});
