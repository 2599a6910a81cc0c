/**
 * Keepers that do not collide (issue 13): the start order (src/keeper/startOrder.ts) puts the most under-margined
 * accounts first and spreads competing keepers within a health-factor band; a keeper whose per-block cap leaves
 * liquidatable accounts unstarted starts them in the next blocks without waiting for another oracle round.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { orderStarts, startHash, START_BAND, type StartCandidate } from "../../src/keeper/startOrder";
import type { KeeperLogEntry } from "../../src/keeper/keeper";
import { WAD } from "../shared/fixtures";
import { keeperOf, sixLiquidatable } from "./fixtures";

const hf = (percent: bigint): bigint => (WAD * percent) / 100n;
const candidate = (account: bigint, healthFactor: bigint): StartCandidate => ({
  account,
  healthFactor,
  equity: 0n,
  maintenance: 0n,
  markToMarket: 0n,
  requirement: 0n,
  noEquity: healthFactor === 0n,
  marketCount: 1,
  collateralCount: 0,
});
/** Two insolvent accounts (1, 6), two in the 90-95% band (4, 7), four in the 95-100% band (2, 3, 5, 8). */
const CANDIDATES = [
  candidate(1n, 0n),
  candidate(2n, hf(96n)),
  candidate(3n, hf(97n)),
  candidate(4n, hf(91n)),
  candidate(5n, hf(99n)),
  candidate(6n, 0n),
  candidate(7n, hf(92n)),
  candidate(8n, hf(98n)),
];
const order = (salt: string) => orderStarts(CANDIDATES, salt).map((c) => c.account);

describe("keeper start order: most under-margined first, spread between keepers", function () {
  it("bands are 0.05 of health factor wide and are taken lowest first by every keeper", function () {
    expect(START_BAND).to.equal(5n * 10n ** 16n);
    for (const salt of ["eager", "patient", "flash"]) {
      const bands = orderStarts(CANDIDATES, salt).map((c) => c.healthFactor / START_BAND);
      expect(bands).to.deep.equal([0n, 0n, 18n, 18n, 19n, 19n, 19n, 19n]);
    }
  });

  it("within a band each keeper has its own order, from keccak256(name, account)", function () {
    expect(order("eager")).to.deep.equal([6n, 1n, 4n, 7n, 3n, 2n, 8n, 5n]);
    expect(order("patient")).to.deep.equal([1n, 6n, 7n, 4n, 3n, 8n, 5n, 2n]);
    expect(order("flash")).to.deep.equal([6n, 1n, 7n, 4n, 2n, 3n, 8n, 5n]);
    expect(startHash("eager", 1n)).to.equal(0xea0ba0e22f1cc955dc2aa192d31d2553f064296685d945c8317a187234748dcen);
  });

  it("keeps every candidate and does not depend on the input order", function () {
    const reversed = orderStarts([...CANDIDATES].reverse(), "eager").map((c) => c.account);
    expect(reversed).to.deep.equal(order("eager"));
    expect(orderStarts([], "eager")).to.deep.equal([]);
  });
});

describe("keeper start backlog: accounts past the per-block cap are started in the next blocks", function () {
  afterEach(async function () {
    await network.provider.send("evm_setAutomine", [true]);
  });

  it("a keeper capped at 2 starts per block starts 2, 2 and 2 of six auctions in three blocks with no new oracle round, in its start order", async function () {
    const f = await loadFixture(sixLiquidatable);
    const log: KeeperLogEntry[] = [];
    const keeper = await keeperOf(f, "eager", f.carol, 2, log, false); // one startAuction transaction each
    await network.provider.send("evm_setAutomine", [false]);
    const startsPerBlock: number[] = [];
    for (let i = 0; i < 4; i++) {
      const block = (await ethers.provider.getBlock("latest"))!;
      const out = await keeper.onBlock({ block: block.number, timestamp: block.timestamp, baseFee: block.baseFeePerGas ?? 0n });
      startsPerBlock.push(out.sent.filter((s) => s.action === "start").length);
      await network.provider.send("evm_mine", []);
    }
    expect(startsPerBlock).to.deep.equal([2, 2, 2, 0]);
    expect(keeper.stats.scans).to.equal(1);
    const healths = await f.lens.accountsHealth(f.subs);
    const expected = orderStarts(
      healths.map((h) => candidate(h.account, h.healthFactor)),
      "eager",
    ).map((c) => c.account);
    expect(log.filter((e) => e.action === "start").map((e) => e.account)).to.deep.equal(expected);
    for (const account of f.subs) expect((await f.auction.quote(account)).active, `auction of ${account}`).to.equal(true);
  });
});
