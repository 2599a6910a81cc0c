/**
 * `deploy-ballast` and `check-deployment` on bad input: one line on stderr naming the option, file, network or key;
 * exit code 2; no stack trace. The dry-run plan fits 120 columns.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import {
  closedPort,
  fakeNode,
  hardhat,
  hasStackTrace,
  removeTempFiles,
  ROOT,
  startAll,
  tempFile,
  type FakeNode,
  type Run,
} from "./helpers";

function expectBadInput(r: Run, line: string): void {
  expect(r.stderr, r.stdout).to.equal(`Error: ${line}\n`);
  expect(r.code).to.equal(2);
  expect(hasStackTrace(r.stderr)).to.equal(false);
}

const KEY = `0x${"22".repeat(32)}`;

describe("deployment command line", function () {
  this.timeout(300_000);
  let otherChain: FakeNode;
  let badFile: string;
  let runs: Record<"missingFile" | "badFile" | "noKey" | "wrongChain" | "unreachable" | "inProcess" | "dryRun", Promise<Run>>;
  let unreachableUrl: string;

  before(async function () {
    otherChain = await fakeNode(31337);
    unreachableUrl = `http://127.0.0.1:${await closedPort()}`;
    const params = JSON.parse(fs.readFileSync(path.join(ROOT, "deploy/parameters/hardhat.json"), "utf8"));
    params.engine.maxPriceAge = "soon";
    badFile = tempFile("bad.json", JSON.stringify(params));
    runs = startAll({
      missingFile: () => hardhat(["deploy-ballast", "--parameters", "deploy/parameters/nope.json"]),
      badFile: () => hardhat(["deploy-ballast", "--parameters", badFile]),
      noKey: () => hardhat(["deploy-ballast", "--network", "sepolia", "--parameters", "deploy/parameters/hardhat.json"]),
      wrongChain: () =>
        hardhat(["deploy-ballast", "--network", "sepolia", "--parameters", "deploy/parameters/hardhat.json"], {
          SEPOLIA_RPC_URL: otherChain.url,
          DEPLOYER_PRIVATE_KEY: KEY,
        }),
      unreachable: () => hardhat(["check-deployment", "--network", "localhost"], { LOCALHOST_RPC_URL: unreachableUrl }),
      inProcess: () => hardhat(["check-deployment"]),
      dryRun: () => hardhat(["deploy-ballast", "--dry-run"]),
    });
  });

  after(async function () {
    if (runs) await Promise.all(Object.values(runs));
    await otherChain.close();
    removeTempFiles();
  });

  it("refuses a parameter file that does not exist", async function () {
    expectBadInput(
      await runs.missingFile,
      '--parameters "deploy/parameters/nope.json": expected an existing parameter file (see deploy/parameters/)',
    );
  });

  it("names the file, the key and the accepted form of a bad parameter", async function () {
    expectBadInput(await runs.badFile, `${badFile}: engine.maxPriceAge: "soon" is not a duration such as "90s", "5m", "1h" or "2d"`);
  });

  it("asks for DEPLOYER_PRIVATE_KEY on a live network without an account", async function () {
    expectBadInput(await runs.noKey, "--network sepolia: no deployer account: set DEPLOYER_PRIVATE_KEY (0x and 64 hex digits)");
  });

  it("names both chain ids when the node is on another chain than the network", async function () {
    expectBadInput(await runs.wrongChain, `--network sepolia: the node at ${otherChain.url} is chain 31337, expected chain 11155111`);
  });

  it("names the network and its URL when no node answers there", async function () {
    expectBadInput(
      await runs.unreachable,
      `--network localhost: no JSON-RPC node answers at ${unreachableUrl} (start it, or set LOCALHOST_RPC_URL)`,
    );
  });

  it("explains that the in-process network keeps no journal to check", async function () {
    expectBadInput(
      await runs.inProcess,
      "--network hardhat: the in-process network keeps no journal: run a node (npx hardhat node) and use --network localhost",
    );
  });

  it("prints the dry-run plan in lines of at most 120 characters", async function () {
    const r = await runs.dryRun;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include("Dry run: the parameter file and the pre-flight checks pass; nothing was sent.");
    const lines = r.stdout.split("\n");
    expect(lines.length).to.be.greaterThan(50);
    for (const line of lines) expect([...line].length, line).to.be.at.most(120);
  });
});
