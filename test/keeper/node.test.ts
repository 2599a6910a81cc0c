/**
 * The keeper as a user runs it (`npx hardhat keeper --network localhost`, a child process) against a real
 * `npx hardhat node` process holding a deployment made by `deploy-ballast`: a price move makes ACCOUNTS leveraged
 * accounts liquidatable in one block B, and the keeper has every one of their auctions started within two blocks.
 *
 * "Within two blocks": every account's `AuctionStarted` is in block B + 1 or B + 2, where B is the block whose oracle
 * update made it liquidatable (a start sent after seeing B can be mined in B + 1 at the earliest).
 *
 * Blocks are mined by the test (automine off): a block is mined once the keeper has printed that it is done with the
 * previous one, so a block holds every transaction the keeper sent for it, as a real block does. The deployment has
 * the AuctionStarter, so the keeper sends its starts as `startAuctions` batches of at most MAX_BATCH_STARTS (50)
 * accounts: four transactions for 200 accounts, each with a gas limit of `batchStartGasLimit(50)` (14.15M, under the
 * EIP-7825 transaction gas cap of 16,777,216 the node enforces). The block gas limit is set to 30M (Hardhat's default
 * is 60M): a builder adds a transaction while its gas limit fits in what the block has not used, so a block may hold
 * fewer batches than were sent (measured: all four fit in B + 1, 20,478,557 gas, since the fourth's limit still fits
 * after three), and the keeper must not send an account twice while its batch waits.
 */
import { expect } from "chai";
import { MaxUint256, toQuantity, type JsonRpcProvider } from "ethers";
import {
  AuctionStarter__factory,
  CollateralVault__factory,
  LiquidationAuction__factory,
  MockV3Aggregator__factory,
  OrderSettlement__factory,
  RiskLens__factory,
  TestERC20__factory,
} from "../../typechain-types";
import { accountId } from "../../src/model/accountId";
import { signOrder, venueDomain, type Order } from "../../src/venue/orders";
import { WAD } from "../../src/model/wad";
import { MAX_BATCH_STARTS, batchStartGasLimit } from "../../src/keeper/strategy";
import {
  deployedAddresses,
  hardhat,
  removeDeployment,
  startHardhat,
  startNode,
  testDeploymentId,
  type LiveTask,
  type LocalNode,
} from "../deploy/node";

/** Liquidatable accounts in block B. */
const ACCOUNTS = 200;
/** Block gas limit of the node (gas). */
const BLOCK_GAS_LIMIT = 30_000_000;
const USDC = 10n ** 6n;
/** Batch start transactions the keeper sends for ACCOUNTS accounts, and the gas limit of a full one. */
const BATCHES = Math.ceil(ACCOUNTS / MAX_BATCH_STARTS);
const BATCH_GAS_LIMIT = BigInt(batchStartGasLimit(MAX_BATCH_STARTS));
/** Each account's deposit: 200 USDC against a 1 ETH long at 3,000 (initial margin 150 USDC at 5%). */
const DEPOSIT = 200n * USDC;
/** ETH/USD before and after the move (8-decimal feed answers): 3,000 -> 2,850 leaves each account 48.5 USDC of equity
 * against a maintenance margin of 85.5 (3%): liquidatable, solvent. */
const ETH_BEFORE = 3_000n * 10n ** 8n;
const ETH_AFTER = 2_850n * 10n ** 8n;
const BTC = 60_000n * 10n ** 8n;

/** Hardhat node accounts (well-known test keys): #3 owns the accounts, #4 is their counterparty, #5 runs the keeper. */
const TRADER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const MAKER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const KEEPER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

interface Tx {
  from: string;
  to: string;
  data: string;
  gas: number;
}

/** Sends `txs` (each sender's in order, explicit nonces) without waiting for receipts, then mines until all are in. */
async function sendAndMine(provider: JsonRpcProvider, txs: Tx[]): Promise<void> {
  const nonces = new Map<string, number>();
  for (const from of new Set(txs.map((t) => t.from))) nonces.set(from, await provider.getTransactionCount(from, "pending"));
  const hashes = await Promise.all(
    txs.map((t) => {
      const nonce = nonces.get(t.from)!;
      nonces.set(t.from, nonce + 1);
      return provider.send("eth_sendTransaction", [
        { from: t.from, to: t.to, data: t.data, gas: toQuantity(t.gas), nonce: toQuantity(nonce) },
      ]);
    }),
  );
  for (let i = 0; ; i++) {
    await provider.send("evm_mine", []);
    const last = await provider.getTransactionReceipt(hashes[hashes.length - 1]);
    if (last) break;
    if (i > 20) throw new Error("set-up transactions still pending after 20 blocks");
  }
  const receipts = await Promise.all(hashes.map((h) => provider.getTransactionReceipt(h)));
  const failed = receipts.flatMap((r, i) => (r?.status === 1 ? [] : [`#${i} to ${txs[i].to} from ${txs[i].from}`]));
  if (failed.length > 0) throw new Error(`${failed.length} of ${txs.length} set-up transactions failed: ${failed.slice(0, 5).join(", ")}`);
}

describe("keeper against a hardhat node process", function () {
  this.timeout(300_000);
  const deploymentId = testDeploymentId("keeper");
  let node: LocalNode;
  let keeper: LiveTask | undefined;
  let accounts: bigint[];
  /** The block whose oracle update made every account liquidatable. */
  let crashBlock: number;
  let started: { account: bigint; block: number; starter: string; tipAccount: bigint }[];
  /** Callers of the AuctionStarter's batches (`StarterBatchRan`). */
  let batchCallers: string[];
  let starterAddress: string;
  let liquidatableAtCrash: number;
  let sentForCrash: number;
  /** Transactions the keeper sent after seeing block B + 1. */
  let sentAfterFirst: number;
  /** Reverted transactions in blocks B + 1 and B + 2. */
  let reverted: number;
  let keeperRun: Awaited<ReturnType<LiveTask["exited"]>>;
  let firstBlock: { gasUsed: bigint; gasLimit: bigint };

  before(async function () {
    node = await startNode();
    const deploy = await hardhat(node, ["deploy-ballast", "--deployment-id", deploymentId]);
    if (deploy.code !== 0) throw new Error(`deploy-ballast failed: ${deploy.stderr}`);
    const at = deployedAddresses(deploymentId);
    const p = node.provider;
    // The keeper, started now (its start-up overlaps the set-up) and told to stop after block B + 2.
    keeper = startHardhat(node, [
      "keeper",
      "--deployment-id",
      deploymentId,
      "--signer",
      "5",
      "--poll",
      "20",
      "--max-starts",
      String(ACCOUNTS),
    ]);
    const vault = CollateralVault__factory.connect(at["Ballast#CollateralVault"], p);
    const venue = OrderSettlement__factory.connect(at["Ballast#OrderSettlement"], p);
    const usdc = TestERC20__factory.connect(at["Ballast#Token_USDC"], p);
    const feed = MockV3Aggregator__factory.createInterface();
    const ethFeed = at["Ballast#Feed_ETH_USD"];
    const btcFeed = at["Ballast#Feed_BTC_USD"];
    const vaultAddress = await vault.getAddress();
    const publish = (eth: bigint): Tx[] => [
      { from: DEPLOYER, to: ethFeed, data: feed.encodeFunctionData("updateAnswer", [eth]), gas: 200_000 },
      { from: DEPLOYER, to: btcFeed, data: feed.encodeFunctionData("updateAnswer", [BTC]), gas: 200_000 },
    ];

    await p.send("evm_setAutomine", [false]);
    await p.send("evm_setBlockGasLimit", [toQuantity(BLOCK_GAS_LIMIT)]);
    await p.send("evm_mine", []);

    // Fresh prices (the engine accepts prices up to 60 s old), the counterparty's deposit, the trader's cash.
    const erc20 = usdc.interface;
    const makerAccount = accountId(MAKER);
    await sendAndMine(p, [
      ...publish(ETH_BEFORE),
      { from: MAKER, to: await usdc.getAddress(), data: erc20.encodeFunctionData("mint", [MAKER, 1_000_000n * USDC]), gas: 100_000 },
      { from: MAKER, to: await usdc.getAddress(), data: erc20.encodeFunctionData("approve", [vaultAddress, MaxUint256]), gas: 100_000 },
      {
        from: MAKER,
        to: vaultAddress,
        data: vault.interface.encodeFunctionData("deposit", [makerAccount, await usdc.getAddress(), 1_000_000n * USDC]),
        gas: 300_000,
      },
      {
        from: TRADER,
        to: await usdc.getAddress(),
        data: erc20.encodeFunctionData("mint", [TRADER, BigInt(ACCOUNTS) * DEPOSIT]),
        gas: 100_000,
      },
      { from: TRADER, to: await usdc.getAddress(), data: erc20.encodeFunctionData("approve", [vaultAddress, MaxUint256]), gas: 100_000 },
    ]);

    // ACCOUNTS sub-accounts of the trader each deposit 200 USDC and buy 1 ETH-PERP from one order of the counterparty.
    const { chainId } = await p.getNetwork();
    const now = (await p.getBlock("latest"))!.timestamp;
    const order: Order = {
      account: makerAccount,
      marketId: 0,
      size: -BigInt(ACCOUNTS) * WAD,
      limitPrice: 3_000n * WAD,
      expiry: BigInt(now + 86_400),
      nonce: 0n,
      salt: 1n,
      reduceOnly: false,
      signer: MAKER,
    };
    const signature = await signOrder(await p.getSigner(MAKER), venueDomain(chainId, await venue.getAddress()), order);
    const usdcAddress = await usdc.getAddress();
    const venueAddress = await venue.getAddress();
    accounts = Array.from({ length: ACCOUNTS }, (_, i) => accountId(TRADER, i + 1));
    await sendAndMine(p, [
      ...accounts.map((a) => ({
        from: TRADER,
        to: vaultAddress,
        data: vault.interface.encodeFunctionData("deposit", [a, usdcAddress, DEPOSIT]),
        gas: 150_000,
      })),
      ...accounts.map((a) => ({
        from: TRADER,
        to: venueAddress,
        data: venue.interface.encodeFunctionData("fill", [order, signature, a, WAD, MaxUint256]),
        gas: 400_000,
      })),
    ]);

    // Before the move the keeper has seen every account and found none liquidatable.
    const before = (await p.getBlock("latest"))!.number;
    await keeper.waitFor(new RegExp(`block ${before} scanned \\d+ accounts, 0 auctions running, 0 transactions sent`), 90_000);

    // Block B: the oracle update that makes every account liquidatable.
    await sendAndMine(p, publish(ETH_AFTER));
    crashBlock = (await p.getBlock("latest"))!.number;
    const lens = RiskLens__factory.connect(at["Ballast#RiskLens"], p);
    liquidatableAtCrash = (await lens.accountsHealth(accounts, { blockTag: crashBlock })).filter(
      (h) => h.liquidatable && h.equity > 0n,
    ).length;

    // B + 1 and B + 2, each mined once the keeper is done with the block before.
    const done = (block: number) => new RegExp(`block ${block} scanned \\d+ accounts, \\d+ auctions running, (\\d+) transactions sent`);
    sentForCrash = Number((await keeper.waitFor(done(crashBlock)))[1]);
    await p.send("evm_mine", []);
    sentAfterFirst = Number((await keeper.waitFor(done(crashBlock + 1)))[1]);
    await p.send("evm_mine", []);
    await keeper.waitFor(done(crashBlock + 2));
    keeper.signal("SIGTERM");
    keeperRun = await keeper.exited();

    const first = (await p.getBlock(crashBlock + 1))!;
    firstBlock = first;
    const hashes = [...first.transactions, ...(await p.getBlock(crashBlock + 2))!.transactions];
    reverted = (await Promise.all(hashes.map((h) => p.getTransactionReceipt(h)))).filter((r) => r?.status !== 1).length;
    const auction = LiquidationAuction__factory.connect(at["Ballast#LiquidationAuction"], p);
    const events = await auction.queryFilter(auction.filters.AuctionStarted(), 0, "latest");
    started = events.map((e) => ({
      account: e.args.account,
      block: e.blockNumber,
      starter: e.args.starter,
      tipAccount: e.args.tipAccount,
    }));
    starterAddress = at["Ballast#AuctionStarter"];
    const starter = AuctionStarter__factory.connect(starterAddress, p);
    batchCallers = (await starter.queryFilter(starter.filters.StarterBatchRan(), 0, "latest")).map((e) => e.args.caller);
  });

  after(async function () {
    await keeper?.kill();
    await node?.stop();
    removeDeployment(deploymentId);
  });

  it(`makes all ${ACCOUNTS} accounts liquidatable (and solvent) in block B, and none before`, function () {
    expect(liquidatableAtCrash).to.equal(ACCOUNTS);
    expect(started.filter((s) => s.block <= crashBlock)).to.deep.equal([]);
  });

  it(`has the keeper send every account's start right after block B, in ${BATCHES} batch transactions, and stop cleanly on SIGTERM`, function () {
    expect(sentForCrash).to.equal(BATCHES);
    expect(keeperRun.code, keeperRun.stderr).to.equal(0);
  });

  it("sends each start once: none again after block B + 1 for the starts still waiting for room in a block", function () {
    expect(sentAfterFirst).to.equal(0);
    expect(reverted).to.equal(0);
  });

  it(`starts the auction of every one of the ${ACCOUNTS} accounts within two blocks (in block B + 1 or B + 2), all by the keeper`, function () {
    const ours = new Set(accounts);
    const startedOurs = started.filter((s) => ours.has(s.account));
    expect(new Set(startedOurs.map((s) => s.account)).size).to.equal(ACCOUNTS);
    expect(startedOurs.filter((s) => s.block !== crashBlock + 1 && s.block !== crashBlock + 2)).to.deep.equal([]);
    // Started through the AuctionStarter, by the keeper's batches only, every tip to the keeper's account.
    expect(new Set(startedOurs.map((s) => s.starter))).to.deep.equal(new Set([starterAddress]));
    expect(new Set(startedOurs.map((s) => s.tipAccount))).to.deep.equal(new Set([accountId(KEEPER)]));
    expect(new Set(batchCallers)).to.deep.equal(new Set([KEEPER]));
    // Block B + 1 holds every batch it has room for: all of them, or as many as fit in its gas (the next batch's gas
    // limit did not fit in what was left).
    const first = startedOurs.filter((s) => s.block === crashBlock + 1).length;
    expect(
      first === ACCOUNTS || firstBlock.gasLimit - firstBlock.gasUsed < BATCH_GAS_LIMIT,
      `${first} starts, ${firstBlock.gasUsed} gas`,
    ).to.equal(true);
  });
});
