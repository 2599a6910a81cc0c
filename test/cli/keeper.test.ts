/**
 * `npx hardhat keeper` on bad input: one line on stderr naming the option, file, network or key and what is
 * allowed; exit code 2; no stack trace. Remote nodes are stood in for by a minimal JSON-RPC server. The runs start
 * together in `before` (their start-up overlaps); each test checks its own.
 */
import { expect } from "chai";
import hre from "hardhat";
import { defaultKeeperConfig } from "../../src/keeper/keeper";
import { closedPort, fakeNode, hardhat, hasStackTrace, removeTempFiles, startAll, tempFile, type FakeNode, type Run } from "./helpers";

function expectBadInput(r: Run, line: string): void {
  expect(r.stderr, r.stdout).to.equal(`Error: ${line}\n`);
  expect(r.code).to.equal(2);
  expect(hasStackTrace(r.stderr)).to.equal(false);
}

const ADDRESSES = Object.fromEntries(
  ["auction", "lens", "engine", "vault", "venue", "oracle"].map((k, i) => [k, `0x${String(i + 1).padStart(40, "0")}`]),
);

describe("keeper command line", function () {
  this.timeout(600_000);
  let sepolia: FakeNode;
  let otherChain: FakeNode;
  let unreachable: string;
  let addresses: string;
  let runs: Record<string, Promise<Run>>;

  before(async function () {
    sepolia = await fakeNode(11155111);
    otherChain = await fakeNode(31337);
    unreachable = `http://127.0.0.1:${await closedPort()}`;
    addresses = tempFile("addresses.json", JSON.stringify(ADDRESSES));
    const keeper =
      (args: string[], env: Record<string, string> = {}) =>
      () =>
        hardhat(["keeper", ...args], env);
    runs = startAll({
      strategy: keeper(["--strategy", "lazy"]),
      blocks: keeper(["--blocks", "-1"]),
      poll: keeper(["--poll", "0"]),
      maxStartsZero: keeper(["--max-starts", "0"]),
      maxStartsHigh: keeper(["--max-starts", "1001"]),
      minProfit: keeper(["--min-profit", "5"]),
      key: keeper(["--private-key", "0x1234"]),
      envKey: keeper([], { KEEPER_PRIVATE_KEY: "not-a-key" }),
      flash: keeper(["--strategy", "flash"]),
      addresses: keeper(["--addresses", "nope.json"]),
      deploymentId: keeper(["--deployment-id", "no-such-deployment"]),
      unreachable: keeper(["--network", "localhost"], { LOCALHOST_RPC_URL: unreachable }),
      noUrl: keeper(["--network", "sepolia"]),
      wrongChain: keeper(["--network", "sepolia"], { SEPOLIA_RPC_URL: otherChain.url }),
      noKey: keeper(["--network", "sepolia"], { SEPOLIA_RPC_URL: sepolia.url }),
      noCode: keeper(["--network", "sepolia", "--addresses", addresses], {
        SEPOLIA_RPC_URL: sepolia.url,
        KEEPER_PRIVATE_KEY: `0x${"11".repeat(32)}`,
      }),
    });
  });

  after(async function () {
    if (runs) await Promise.all(Object.values(runs));
    await sepolia?.close();
    await otherChain?.close();
    removeTempFiles();
  });

  it("refuses an unknown strategy", async function () {
    expectBadInput(await runs.strategy, '--strategy "lazy": expected one of eager, patient, flash');
  });

  it("refuses a negative block count", async function () {
    expectBadInput(await runs.blocks, '--blocks "-1": expected a whole number of at least 0');
  });

  it("refuses a poll interval of zero milliseconds", async function () {
    expectBadInput(await runs.poll, '--poll "0": expected a whole number of at least 1');
  });

  it("refuses zero auction starts per block, naming the allowed range", async function () {
    expectBadInput(await runs.maxStartsZero, '--max-starts "0": expected a whole number from 1 to 1000');
  });

  it("refuses more than 1,000 auction starts per block", async function () {
    expectBadInput(await runs.maxStartsHigh, '--max-starts "1001": expected a whole number from 1 to 1000');
  });

  it("defaults --max-starts to the simulated keepers' 25 starts per block", function () {
    const simulated = defaultKeeperConfig("eager", {} as never, 0n).maxStartsPerBlock;
    expect(simulated).to.equal(25);
    expect(hre.tasks.keeper.paramDefinitions.maxStarts.defaultValue).to.equal(String(simulated));
  });

  it("refuses a profit floor without its unit", async function () {
    expectBadInput(await runs.minProfit, '--min-profit: "5" must be an amount with its unit, such as "1,000 USDC"');
  });

  it("refuses a malformed key without printing it", async function () {
    expectBadInput(await runs.key, "--private-key: expected a 32-byte hex key, 0x and 64 hex digits (the value is not shown)");
  });

  it("refuses a malformed KEEPER_PRIVATE_KEY without printing it", async function () {
    expectBadInput(await runs.envKey, "KEEPER_PRIVATE_KEY: expected a 32-byte hex key, 0x and 64 hex digits (the value is not shown)");
  });

  it("requires the FlashLiquidator's address for the flash strategy", async function () {
    expectBadInput(await runs.flash, "--strategy flash: --flash-liquidator <address> is required (the FlashLiquidator the keeper owns)");
  });

  it("refuses an addresses file that does not exist", async function () {
    expectBadInput(
      await runs.addresses,
      '--addresses "nope.json": expected an existing deployed_addresses.json or { auction, lens, engine, vault, venue, oracle } file',
    );
  });

  it("refuses a deployment id with no deployment, naming the option", async function () {
    const r = await runs.deploymentId;
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(
      /^Error: --deployment-id "no-such-deployment": expected the id of a deployment under deploy\/deployments \(.*\), or --addresses <file>\n$/,
    );
  });

  it("names the network and its URL when no node answers there", async function () {
    expectBadInput(
      await runs.unreachable,
      `--network localhost: no JSON-RPC node answers at ${unreachable} (start it, or set LOCALHOST_RPC_URL)`,
    );
  });

  it("names the variable to set when a live network has no URL", async function () {
    expectBadInput(await runs.noUrl, "--network sepolia: no RPC URL: set SEPOLIA_RPC_URL");
  });

  it("names both chain ids when the node is on another chain than the network", async function () {
    expectBadInput(await runs.wrongChain, `--network sepolia: the node at ${otherChain.url} is chain 31337, expected chain 11155111`);
  });

  it("asks for KEEPER_PRIVATE_KEY when there is no key and the node has no unlocked account", async function () {
    expectBadInput(
      await runs.noKey,
      "no keeper key: set KEEPER_PRIVATE_KEY or pass --private-key (the node of --network sepolia has 0 unlocked accounts, --signer 0)",
    );
  });

  it("refuses a deployment whose auction has no code on the chain", async function () {
    expectBadInput(
      await runs.noCode,
      `${addresses}: no contract at auction 0x0000000000000000000000000000000000000001 on chain 11155111 (wrong --network, --deployment-id or --addresses?)`,
    );
  });
});
