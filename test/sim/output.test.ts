/**
 * The simulator's output helpers, without running a replay: reverts named by the custom error of any compiled
 * contract (panics and plain reverts named as such), the smallest insurance fund with and without fee income, the
 * discount of an auction over its solvent fills, and the per-auction records as JSON and CSV.
 */
import { expect } from "chai";
import hre from "hardhat";
import { AbiCoder, Interface, id } from "ethers";
import { RevertDecoder } from "../../src/sim/reverts";
import {
  AUCTION_COLUMNS,
  auctionDiscount,
  auctionRows,
  auctionsCsv,
  auctionsJson,
  minimumInsuranceFund,
  smallPortfolios,
  withoutFeeIncome,
} from "../../src/sim/summary";
import type { AuctionRecord, FillRecord, SetResult, SimulationResult } from "../../src/sim/records";
import { accountOwner } from "../../src/sim/stages/ledger";
import type { RunState } from "../../src/sim/stages/state";

const WAD = 10n ** 18n;
const usd = (x: number) => BigInt(Math.round(x * 100)) * 10n ** 16n;
const coder = AbiCoder.defaultAbiCoder();
const selector = (sig: string) => id(sig).slice(0, 10);

describe("simulator output", function () {
  describe("RevertDecoder", function () {
    let decoder: RevertDecoder;
    before(async function () {
      decoder = await RevertDecoder.fromArtifacts(hre);
    });

    it("names a Ballast custom error by its name and keeps its arguments in the detail", function () {
      const data = new Interface(["error AuctionNotActive(uint256 account)"]).encodeErrorResult("AuctionNotActive", [42n]);
      expect(decoder.decode(data)).to.deep.equal({ name: "AuctionNotActive", detail: "AuctionNotActive(42)" });
    });

    it("names an error of inherited OpenZeppelin code (ERC20InsufficientAllowance)", function () {
      const data =
        selector("ERC20InsufficientAllowance(address,uint256,uint256)") +
        coder.encode(["address", "uint256", "uint256"], ["0x0000000000000000000000000000000000000001", 0n, 5n]).slice(2);
      expect(decoder.decode(data).name).to.equal("ERC20InsufficientAllowance");
    });

    it("names a panic by its code and a plain revert as Error(string)", function () {
      const panic = selector("Panic(uint256)") + coder.encode(["uint256"], [0x11]).slice(2);
      expect(decoder.decode(panic)).to.deep.equal({ name: "Panic(0x11)", detail: "Panic(0x11): arithmetic overflow or underflow" });
      const plain = selector("Error(string)") + coder.encode(["string"], ["nope"]).slice(2);
      expect(decoder.decode(plain)).to.deep.equal({ name: "Error(string)", detail: 'Error("nope")' });
    });

    it("tells an out-of-gas stop (whole gas limit used) from an empty revert, and names an unknown selector", function () {
      expect(decoder.decode("0x", 100_000n, 100_000n).name).to.equal("out of gas");
      expect(decoder.decode("0x", 30_000n, 100_000n).name).to.equal("empty revert");
      expect(decoder.decode("0x").name).to.equal("empty revert");
      expect(decoder.decode("0xdeadbeef").name).to.equal("unknown error 0xdeadbeef");
    });
  });

  /** A set with one subsidised auction of 60 USDC, after 10 USDC of fees (set-up) and 5 USDC of penalties. */
  function fundSet(): SetResult {
    return {
      eventCapRatio: WAD / 2n, // 50% of the fund per event
      plan: { cash: { decimals: 6 } },
      fundIncome: [
        { seq: 0, amount: usd(10), kind: "fee", setUp: true },
        { seq: 1, amount: usd(5), kind: "penalty", setUp: false },
      ],
      subsidies: [{ seq: 2, key: "a", insurance: usd(60), socialised: 0n }],
    } as unknown as SetResult;
  }

  describe("minimumInsuranceFund", function () {
    it("counts every credit to the fund by default, penalties only without fee income, nothing with no income", function () {
      const set = fundSet();
      // the cap binds: 0.5 * (F + income) >= 60, so F = 120 - income
      expect(minimumInsuranceFund(set).amount).to.equal(usd(105));
      expect(minimumInsuranceFund(set, withoutFeeIncome).amount).to.equal(usd(115));
      expect(minimumInsuranceFund(set, () => false)).to.deep.equal({ amount: usd(120), bindingEvent: "a" });
    });
  });

  function fill(auction: number, fraction: bigint, unitPrice: bigint, value?: bigint): FillRecord {
    return { auction, account: 1n, bidder: "k", t: 0, elapsed: 0, fraction, unitPrice, value, payment: 0n, subsidy: 0n };
  }

  describe("auctionDiscount", function () {
    it("is 1 - sum(f * B) / sum(f * V) over the solvent fills, null without one", function () {
      // half at 90 of 100, then all that is left at 160 of 200: paid 45 + 160 = 205 for 50 + 200 = 250
      const fills = [fill(0, WAD / 2n, usd(90), usd(100)), fill(0, WAD, usd(160), usd(200)), fill(0, WAD, -usd(5), usd(10))];
      expect(auctionDiscount(fills)).to.equal(0.18);
      expect(auctionDiscount([fill(0, WAD, -usd(5), -usd(10))])).to.equal(null);
    });
  });

  describe("per-auction records", function () {
    const auction: AuctionRecord = {
      id: 0,
      account: (0x1234567890abcdef1234567890abcdef12345678n << 96n) | 2n,
      owner: "flash",
      markets: [0, 1],
      starter: "eager, fast",
      startT: Date.parse("2020-03-12T10:00:00Z") / 1000,
      startStep: 3,
      startBlock: 400,
      endT: Date.parse("2020-03-12T10:05:00Z") / 1000,
      endStep: 4,
      endBlock: 425,
      reason: "Emptied",
      bidders: ["patient", "flash"],
      tip: usd(1.5),
      shortfall: usd(20),
      equity: -usd(3),
      maintenance: usd(17),
      value: -usd(3),
      bids: 2,
      insurance: usd(7),
      socialised: usd(1.25),
      deleveraged: 0n,
      penaltyToFund: 0n,
      restarts: 0,
    };
    const running: AuctionRecord = {
      ...auction,
      id: 1,
      owner: "trader:3",
      markets: [],
      endT: undefined,
      endStep: undefined,
      endBlock: undefined,
      reason: undefined,
      bidders: [],
      bids: 0,
      insurance: 0n,
      socialised: 0n,
    };
    const r = {
      sets: [
        {
          name: "baseline",
          marketNames: ["ETH-PERP", "BTC-PERP"],
          auctions: [auction, running],
          fills: [fill(0, WAD / 2n, -usd(2), -usd(3)), fill(0, WAD, -usd(1), -usd(1))],
        },
      ],
    } as unknown as SimulationResult;

    it("has one row per auction with its markets, steps, times, outcome, keepers and losses", function () {
      const rows = auctionRows(r);
      expect(rows).to.have.length(2);
      expect(Object.keys(rows[0])).to.deep.equal([...AUCTION_COLUMNS]);
      expect(rows[0]).to.include({
        set: "baseline",
        auction: 1,
        account: "0x12345678:2",
        owner: "flash",
        markets: "ETH-PERP + BTC-PERP",
        starter: "eager, fast",
        startStep: 3,
        startTime: "2020-03-12T10:00:00Z",
        endTime: "2020-03-12T10:05:00Z",
        seconds: 300,
        outcome: "Emptied",
        bids: 2,
        insolventFills: 2,
        bidders: "patient;flash",
        discount: null,
        badDebt: 8.25,
        insurancePaid: 7,
        socialised: 1.25,
      });
      expect(rows[1]).to.include({ markets: "no position", outcome: "running", endTime: null, seconds: null, endStep: null });
    });

    it("counts small portfolios (0 < V < 500 USDC at start) and the discount each auction got over its solvent fills", function () {
      const small = (id: number, value: bigint): AuctionRecord => ({ ...auction, id, value });
      const set = {
        auctions: [small(0, usd(100)), small(1, usd(499.99)), small(2, usd(500)), small(3, -usd(1)), small(4, usd(300))],
        // Auction 0 sold all at 90 of 100 (10%); auction 1 half at 400 of 499.99, then all at 450 of 499.99; auction 4 was
        // never filled at a non-negative price; auctions 2 (500, not small) and 3 (insolvent) are left out.
        fills: [
          fill(0, WAD, usd(90), usd(100)),
          fill(1, WAD / 2n, usd(400), usd(499.99)),
          fill(1, WAD, usd(450), usd(499.99)),
          fill(2, WAD, usd(100), usd(500)),
          fill(4, WAD, -usd(1), usd(300)),
        ],
      } as unknown as SetResult;
      const sp = smallPortfolios(set);
      // Auction 1: 1 - (0.5 * 400 + 1 * 450) / (0.5 * 499.99 + 1 * 499.99) = 0.1333 (rounded to 1e-4).
      // The summary's quantiles take the floor(q * n)-th value (0-based): of two, the median is the larger.
      expect(sp).to.deep.equal({ threshold: 500, auctions: 3, withSolventFill: 2, discountMedian: 0.1333, discountP90: 0.1333 });
    });

    it("writes the same rows as JSON and as RFC 4180 CSV (quoted commas, empty nulls)", function () {
      const rows = auctionRows(r);
      expect(JSON.parse(auctionsJson(rows))).to.deep.equal(rows);
      const lines = auctionsCsv(rows).split("\n");
      expect(lines[0]).to.equal(AUCTION_COLUMNS.join(","));
      expect(lines[1]).to.contain(',"eager, fast",');
      expect(lines[2]).to.contain(",running,");
      expect(lines[2]).to.match(/,3,2020-03-12T10:00:00Z,400,,,,,running,/);
      expect(lines).to.have.length(4); // header, two rows, final newline
    });
  });
});

describe("simulator output: account owners", function () {
  it("names a keeper as the owner of its own account and of its FlashLiquidator's, so its liquidation is reported", function () {
    const flashAccount = 7n << 96n;
    const run = {
      agents: { traderByAccount: new Map([[5n, { index: 3 }]]), mmAccount: 9n },
      metrics: { accountOwner: new Map([[flashAccount, "flash"]]) },
      dep: { fundAccount: 11n },
    } as unknown as RunState;
    expect([5n, flashAccount, 9n, 11n, 13n].map((a) => accountOwner(run, a))).to.deep.equal([
      "trader:3",
      "flash",
      "market-maker",
      "insurance fund",
      "other",
    ]);
  });
});
