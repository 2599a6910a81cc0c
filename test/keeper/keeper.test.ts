/**
 * The keeper bot against a real JSON-RPC node: the test starts `npx hardhat node` on a free port of 127.0.0.1,
 * deploys the protocol there with the production Ignition module and makes an account liquidatable
 * (scripts/keeper-test-setup.ts), then runs `npx hardhat keeper --network localhost` for a few blocks and checks,
 * on chain and in the bot's log, that it started the auction and bid.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { CollateralVault__factory, LiquidationAuction__factory } from "../../typechain-types";
import { readAddresses } from "../../src/keeper/contracts";
import { accountId } from "../../src/model/accountId";
import { startNode, type LocalNode } from "../deploy/node";

const ROOT = path.resolve(__dirname, "../..");
const NPX = process.platform === "win32" ? "npx.cmd" : "npx";

function hardhat(args: string[], env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(NPX, ["hardhat", ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 300_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe("keeper bot against a hardhat node on 127.0.0.1", function () {
  this.timeout(600_000);
  let node: LocalNode | undefined;
  let url = "";
  let env: NodeJS.ProcessEnv = {};
  const deploymentId = `keeper-test-${process.pid}`;
  const deploymentDir = path.join(ROOT, "deploy", "deployments", deploymentId);
  let liquidatable = 0n;
  let debtOnly = 0n;

  before(async function () {
    node = await startNode();
    url = node.url;
    env = { ...process.env, LOCALHOST_RPC_URL: url, KEEPER_TEST_DEPLOYMENT: deploymentId };
    const setup = hardhat(["run", "scripts/keeper-test-setup.ts", "--network", "localhost"], env);
    expect(setup.status, setup.out).to.equal(0);
    liquidatable = BigInt(setup.out.match(/liquidatable account (\d+)/)![1]);
    debtOnly = BigInt(setup.out.match(/debt-only account (\d+)/)![1]);
  });

  after(async function () {
    await node?.stop();
    fs.rmSync(deploymentDir, { recursive: true, force: true });
  });

  it("finds the liquidatable account through the lens, starts its auction, bids on it and logs both; class 11: starts a debt-only account's auction at zero tip and ends it, writing the debt off", async function () {
    const run = hardhat(
      [
        "keeper",
        "--network",
        "localhost",
        "--deployment-id",
        deploymentId,
        "--strategy",
        "eager",
        "--signer",
        "5",
        "--blocks",
        "3",
        "--poll",
        "200",
        "--min-profit",
        "1 USDC",
        "--hedge-slippage",
        "0.1%",
      ],
      env,
    );
    expect(run.status, run.out).to.equal(0);
    if (process.env.KEEPER_TEST_VERBOSE) console.log(run.out);
    expect(run.out).to.match(/\[keeper eager\] block \d+ start account=0x[0-9a-f]{8}:0 tip=\d+\.\d+/);
    expect(run.out).to.match(/\[keeper eager\] block \d+ bid account=0x[0-9a-f]{8}:0 .*discount=\d+\.\d+%/);

    const provider = new JsonRpcProvider(url, 31337, { staticNetwork: true });
    const addresses = readAddresses(path.join(deploymentDir, "deployed_addresses.json"));
    const auction = LiquidationAuction__factory.connect(addresses.auction, provider);
    const keeperOwner = (await provider.listAccounts())[5].address;
    const keeperAccount = accountId(keeperOwner);
    const started = await auction.queryFilter(auction.filters.AuctionStarted(liquidatable));
    const bids = await auction.queryFilter(auction.filters.AuctionBid(liquidatable, keeperAccount));
    expect(started.length).to.equal(1);
    expect(started[0].args.tipAccount).to.equal(keeperAccount);
    expect(bids.length).to.equal(1);
    expect(bids[0].args.fraction > 0n).to.equal(true);
    // Issue #11 class 11: the debt-only account pays no tip, yet the keeper starts its auction and ends it, which
    // writes its debt off (the insurance fund pays it) instead of leaving bad debt to accrue interest.
    const debtStarted = await auction.queryFilter(auction.filters.AuctionStarted(debtOnly));
    expect(debtStarted.length).to.equal(1);
    expect(debtStarted[0].args.tip).to.equal(0n);
    const ended = await auction.queryFilter(auction.filters.AuctionEnded(debtOnly));
    expect(ended.length).to.equal(1);
    const vault = CollateralVault__factory.connect(addresses.vault, provider);
    expect(await vault.cashBalance(debtOnly)).to.equal(0n);
    provider.destroy();
  });
});
