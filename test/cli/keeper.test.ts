/**
 * `npx hardhat keeper` on bad input: one line on stderr naming the option, file, network or key and what is
 * allowed; exit code 2; no stack trace. Remote nodes are stood in for by a minimal JSON-RPC server.
 */
import { expect } from "chai";
import { closedPort, fakeNode, hardhat, hasStackTrace, removeTempFiles, tempFile, type FakeNode, type Run } from "./helpers";

function expectBadInput(r: Run, line: string): void {
  expect(r.stderr, r.stdout).to.equal(`Error: ${line}\n`);
  expect(r.code).to.equal(2);
  expect(hasStackTrace(r.stderr)).to.equal(false);
}

describe("keeper command line", function () {
  this.timeout(120_000);
  let sepolia: FakeNode;
  let otherChain: FakeNode;

  before(async function () {
    sepolia = await fakeNode(11155111);
    otherChain = await fakeNode(31337);
  });

  after(async function () {
    await sepolia.close();
    await otherChain.close();
    removeTempFiles();
  });

  it("refuses an unknown strategy", async function () {
    expectBadInput(await hardhat(["keeper", "--strategy", "lazy"]), '--strategy "lazy": expected one of eager, patient, flash');
  });

  it("refuses a negative block count", async function () {
    expectBadInput(await hardhat(["keeper", "--blocks", "-1"]), '--blocks "-1": expected a whole number of at least 0');
  });

  it("refuses a poll interval of zero milliseconds", async function () {
    expectBadInput(await hardhat(["keeper", "--poll", "0"]), '--poll "0": expected a whole number of at least 1');
  });

  it("refuses a profit floor without its unit", async function () {
    expectBadInput(
      await hardhat(["keeper", "--min-profit", "5"]),
      '--min-profit: "5" must be an amount with its unit, such as "1,000 USDC"',
    );
  });

  it("refuses a malformed key without printing it", async function () {
    const r = await hardhat(["keeper", "--private-key", "0x1234"]);
    expectBadInput(r, "--private-key: expected a 32-byte hex key, 0x and 64 hex digits (the value is not shown)");
  });

  it("refuses a malformed KEEPER_PRIVATE_KEY without printing it", async function () {
    const r = await hardhat(["keeper"], { KEEPER_PRIVATE_KEY: "not-a-key" });
    expectBadInput(r, "KEEPER_PRIVATE_KEY: expected a 32-byte hex key, 0x and 64 hex digits (the value is not shown)");
  });

  it("requires the FlashLiquidator's address for the flash strategy", async function () {
    expectBadInput(
      await hardhat(["keeper", "--strategy", "flash"]),
      "--strategy flash: --flash-liquidator <address> is required (the FlashLiquidator the keeper owns)",
    );
  });

  it("refuses an addresses file that does not exist", async function () {
    expectBadInput(
      await hardhat(["keeper", "--addresses", "nope.json"]),
      '--addresses "nope.json": expected an existing deployed_addresses.json or { auction, lens, engine, vault, venue, oracle } file',
    );
  });

  it("refuses a deployment id with no deployment, naming the option", async function () {
    const r = await hardhat(["keeper", "--deployment-id", "no-such-deployment"]);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(
      /^Error: --deployment-id "no-such-deployment": expected the id of a deployment under deploy\/deployments \(.*\), or --addresses <file>\n$/,
    );
  });

  it("names the network and its URL when no node answers there", async function () {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expectBadInput(
      await hardhat(["keeper", "--network", "localhost"], { LOCALHOST_RPC_URL: url }),
      `--network localhost: no JSON-RPC node answers at ${url} (start it, or set LOCALHOST_RPC_URL)`,
    );
  });

  it("names the variable to set when a live network has no URL", async function () {
    expectBadInput(await hardhat(["keeper", "--network", "sepolia"]), "--network sepolia: no RPC URL: set SEPOLIA_RPC_URL");
  });

  it("names both chain ids when the node is on another chain than the network", async function () {
    expectBadInput(
      await hardhat(["keeper", "--network", "sepolia"], { SEPOLIA_RPC_URL: otherChain.url }),
      `--network sepolia: the node at ${otherChain.url} is chain 31337, expected chain 11155111`,
    );
  });

  it("asks for KEEPER_PRIVATE_KEY when there is no key and the node has no unlocked account", async function () {
    expectBadInput(
      await hardhat(["keeper", "--network", "sepolia"], { SEPOLIA_RPC_URL: sepolia.url }),
      "no keeper key: set KEEPER_PRIVATE_KEY or pass --private-key (the node of --network sepolia has 0 unlocked accounts, --signer 0)",
    );
  });

  it("refuses a deployment whose auction has no code on the chain", async function () {
    const addresses = Object.fromEntries(
      ["auction", "lens", "engine", "vault", "venue", "oracle"].map((k, i) => [k, `0x${String(i + 1).padStart(40, "0")}`]),
    );
    const file = tempFile("addresses.json", JSON.stringify(addresses));
    expectBadInput(
      await hardhat(["keeper", "--network", "sepolia", "--addresses", file], {
        SEPOLIA_RPC_URL: sepolia.url,
        KEEPER_PRIVATE_KEY: `0x${"11".repeat(32)}`,
      }),
      `${file}: no contract at auction 0x0000000000000000000000000000000000000001 on chain 11155111 (wrong --network, --deployment-id or --addresses?)`,
    );
  });
});
