/**
 * End-to-end tests of the deployment tooling against a real `npx hardhat node` process on 127.0.0.1: deploy-ballast
 * with deploy/parameters/localhost.json (handover on), check-deployment, an interrupted deployment resumed, a
 * parameter changed on chain, an invalid file refused before any transaction.
 */
import { expect } from "chai";
import { getAddress } from "ethers";
import localhostParams from "../../deploy/parameters/localhost.json";
import { ROLE } from "../../src/deploy/roles";
import { AccessManager__factory, MarginEngine__factory, TimelockController__factory } from "../../typechain-types";
import {
  deployedAddresses,
  hardhat,
  journal,
  removeDeployment,
  startNode,
  testDeploymentId,
  writeParameterFile,
  removeParameterFiles,
  type LocalNode,
} from "./node";

/** Hardhat node account #0, the deployer. */
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

describe("deployment on a hardhat node process", function () {
  this.timeout(600_000);
  let node: LocalNode;
  const full = testDeploymentId("full");
  const resumed = testDeploymentId("resumed");

  before(async function () {
    node = await startNode();
  });

  after(async function () {
    await node?.stop();
    removeDeployment(full);
    removeDeployment(resumed);
    removeParameterFiles();
  });

  describe("a full deployment from localhost.json", function () {
    let deploy: Awaited<ReturnType<typeof hardhat>>;
    let addresses: Record<string, string>;

    before(async function () {
      deploy = await hardhat(node, ["deploy-ballast", "--deployment-id", full]);
      addresses = deployedAddresses(full);
    });

    it("succeeds and journals every contract under deploy/deployments/<deployment id>", function () {
      expect(deploy.code, deploy.stderr).to.equal(0);
      expect(Object.keys(addresses).sort()).to.deep.equal(
        [
          "AccessManager",
          "AuctionGovernance",
          "AuctionLifecycle",
          "AuctionStarter",
          "CollateralVault",
          "EngineAccounts",
          "EngineMarketListing",
          "Feed_BTC_USD",
          "Feed_ETH_USD",
          "InsuranceFund",
          "LiquidationAuction",
          "MarginEngine",
          "MarketConfigurator",
          "OracleRouter",
          "OrderSettlement",
          "RiskLens",
          "TimelockController",
          "Token_USDC",
          "Token_WBTC",
          "Token_WETH",
          "VaultAdmin",
        ].map((n) => `Ballast#${n}`),
      );
    });

    it("passes check-deployment with every check matching", async function () {
      const check = await hardhat(node, ["check-deployment", "--deployment-id", full]);
      expect(check.code, check.stdout + check.stderr).to.equal(0);
      const [, matching, total] = check.stdout.match(/(\d+) of (\d+) checks match/)!;
      expect(matching).to.equal(total);
      expect(check.stdout).not.to.include("MISMATCH");
    });

    it("leaves the deployer without any AccessManager role and the timelock holding ADMIN", async function () {
      const manager = AccessManager__factory.connect(addresses["Ballast#AccessManager"], node.provider);
      const timelock = addresses["Ballast#TimelockController"];
      expect((await manager.hasRole(ROLE.ADMIN, DEPLOYER))[0]).to.equal(false);
      expect((await manager.hasRole(ROLE.RISK_MANAGER, DEPLOYER))[0]).to.equal(false);
      expect((await manager.hasRole(ROLE.GUARDIAN, DEPLOYER))[0]).to.equal(false);
      expect(await manager.hasRole(ROLE.ADMIN, timelock)).to.deep.equal([true, 0n]);
      expect((await manager.hasRole(ROLE.RISK_MANAGER, localhostParams.governance.riskManager))[0]).to.equal(true);
      expect((await manager.hasRole(ROLE.GUARDIAN, localhostParams.governance.guardian))[0]).to.equal(true);
    });

    it("gives the timelock the file's delay, the deployer as proposer and executor, and no admin but itself", async function () {
      const timelock = TimelockController__factory.connect(addresses["Ballast#TimelockController"], node.provider);
      expect(await timelock.getMinDelay()).to.equal(3600n);
      expect(await timelock.hasRole(await timelock.PROPOSER_ROLE(), DEPLOYER)).to.equal(true);
      expect(await timelock.hasRole(await timelock.EXECUTOR_ROLE(), DEPLOYER)).to.equal(true);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), DEPLOYER)).to.equal(false);
      expect(await timelock.hasRole(await timelock.DEFAULT_ADMIN_ROLE(), await timelock.getAddress())).to.equal(true);
    });

    it("fails check-deployment naming the parameter a risk manager changed on chain", async function () {
      const riskManager = await node.provider.getSigner(localhostParams.governance.riskManager);
      const engine = MarginEngine__factory.connect(addresses["Ballast#MarginEngine"], riskManager);
      await (await engine.setMaxPriceAge(30)).wait();

      const check = await hardhat(node, ["check-deployment", "--deployment-id", full]);
      expect(check.code).to.equal(3);
      expect(check.stderr).to.equal("Gate failed: 1 mismatch: engine.maxPriceAge: expected 1m, on chain 30s\n");
      expect(check.stdout).to.match(/│ engine\.maxPriceAge\s+│ 1m\s+│ 30s\s+│ MISMATCH │/);
    });
  });

  describe("a deployment killed part-way", function () {
    let firstRun: Awaited<ReturnType<typeof hardhat>>;
    let finished: Record<string, string>;

    before(async function () {
      // Kill once three contracts are recorded as deployed in deployed_addresses.json, which Ignition writes a little
      // after the journal's completion message (under load, killing on the journal alone could find fewer on disk).
      const recorded = () => {
        try {
          return Object.keys(deployedAddresses(resumed)).length;
        } catch {
          return 0; // caught mid-write
        }
      };
      firstRun = await hardhat(node, ["deploy-ballast", "--deployment-id", resumed], () => recorded() >= 3);
      finished = deployedAddresses(resumed);
    });

    it("was killed with some contracts deployed and the handover not done", function () {
      expect(firstRun.signal).to.equal("SIGKILL");
      expect(Object.keys(finished).length).to.be.greaterThanOrEqual(3);
      expect(finished).not.to.have.property("Ballast#TimelockController");
      expect(journal(resumed).some((m) => m.futureId === "Ballast#renounceDeployerAdmin")).to.equal(false);
    });

    it("resumes on a re-run without redeploying the contracts finished before the kill", async function () {
      const rerun = await hardhat(node, ["deploy-ballast", "--deployment-id", resumed]);
      expect(rerun.code, rerun.stderr).to.equal(0);
      const after = deployedAddresses(resumed);
      for (const [future, address] of Object.entries(finished)) expect(after[future], future).to.equal(address);
      expect(Object.keys(after)).to.have.length(21); // 16 contracts (the AuctionStarter included) and the linked libraries of the auction (2), the vault (1) and the engine (2)

      const messages = journal(resumed);
      for (const future of Object.keys(finished)) {
        const initialised = messages.filter((m) => m.type === "DEPLOYMENT_EXECUTION_STATE_INITIALIZE" && m.futureId === future);
        const sent = messages.filter((m) => m.type === "TRANSACTION_SEND" && m.futureId === future);
        expect([future, initialised.length, sent.length]).to.deep.equal([future, 1, 1]);
      }
      expect(messages.filter((m) => m.type === "DEPLOYMENT_INITIALIZE")).to.have.length(1);
    });

    it("passes check-deployment after the resumed run", async function () {
      const check = await hardhat(node, ["check-deployment", "--deployment-id", resumed, "--mismatches-only"]);
      expect(check.code, check.stdout + check.stderr).to.equal(0);
      const [, matching, total] = check.stdout.match(/(\d+) of (\d+) checks match/)!;
      expect(matching).to.equal(total);
    });
  });

  describe("an invalid parameter file", function () {
    it("fails naming the key and the bound, before any transaction reaches the node", async function () {
      const params = structuredClone(localhostParams);
      params.markets[0].imr = "2%";
      const file = writeParameterFile("localhost", params);
      const blockBefore = await node.provider.getBlockNumber();
      const nonceBefore = await node.provider.getTransactionCount(DEPLOYER);

      const run = await hardhat(node, ["deploy-ballast", "--parameters", file, "--deployment-id", testDeploymentId("invalid")]);

      expect(run.code).to.equal(2);
      expect(run.stderr).to.include("markets[0](ETH-PERP).imr: 2% must be greater than mmr 3%");
      expect(await node.provider.getBlockNumber()).to.equal(blockBefore);
      expect(await node.provider.getTransactionCount(DEPLOYER)).to.equal(nonceBefore);
      expect(deployedAddresses(testDeploymentId("invalid"))).to.deep.equal({});
    });

    it("fails the pre-flight checks, before any transaction, when a live file's feed has no contract", async function () {
      const [ethFeed, btcFeed, usdc] = ["e1", "b1", "c1"].map((n) => getAddress(`0x${n.padStart(40, "0")}`));
      const params = {
        ...structuredClone(localhostParams),
        local: false,
        cash: { ...localhostParams.cash, address: usdc },
        collateral: [],
        feeds: {
          "ETH/USD": { ...localhostParams.feeds["ETH/USD"], primary: ethFeed },
          "BTC/USD": { ...localhostParams.feeds["BTC/USD"], primary: btcFeed },
        },
      };
      const file = writeParameterFile("live", params);
      const nonceBefore = await node.provider.getTransactionCount(DEPLOYER);

      const run = await hardhat(node, ["deploy-ballast", "--parameters", file, "--dry-run"]);

      expect(run.code).to.equal(2);
      expect(run.stderr.split("\n")).to.have.length(2); // one line, then the final newline
      expect(run.stderr).to.include("pre-flight checks failed, nothing was sent:");
      expect(run.stderr).to.include(`feeds.ETH/USD.primary: no contract at ${ethFeed} on chain 31337`);
      expect(run.stderr).to.include(`feeds.BTC/USD.primary: no contract at ${btcFeed} on chain 31337`);
      expect(run.stderr).to.include(`cash.address: no contract at ${usdc} on chain 31337`);
      expect(await node.provider.getTransactionCount(DEPLOYER)).to.equal(nonceBefore);
    });
  });
});
