/**
 * Keeper strategies, priced with the auction model (src/model/auction.ts) and the parameters of
 * deploy/parameters/hardhat.json: start 98%, fast 90% after 10 minutes, floor 70% after 50 more, penalty 10% of R
 * (half to the fund), buffer 20%.
 */
import { expect } from "chai";
import hardhatParams from "../../deploy/parameters/hardhat.json";
import { resolveParameters, type NetworkParameters } from "../../src/config/schema";
import gasSnapshot from "../gas/gas-snapshot.json";
import {
  GAS,
  TX_GAS_CAP,
  batchParts,
  batchPartsWithinCap,
  batchStartGasLimit,
  batchStartGasUsed,
  bidExtraGasUsed,
  bidGasLimit,
  gasCostCash,
  extraStartGas,
  scaledLimit,
  earliestBidClock,
  hedgeLegCost,
  planBid,
  nextBaseFeeFloor,
  priorityFeeFor,
  tipEstimate,
  wantsToBid,
  type BidContext,
  type StrategyConfig,
} from "../../src/keeper/strategy";
import type { AuctionParams } from "../../src/model/auction";

const WAD = 10n ** 18n;
const GWEI = 10n ** 9n;
const raw = resolveParameters(hardhatParams as NetworkParameters).auction.params;
const params: AuctionParams = {
  ...raw,
  fastDuration: BigInt(raw.fastDuration),
  slowDuration: BigInt(raw.slowDuration),
  insolventDuration: BigInt(raw.insolventDuration),
  tipBaseFee: BigInt(raw.tipBaseFee),
};

const cfg = (kind: StrategyConfig["kind"], over: Partial<StrategyConfig> = {}): StrategyConfig => ({
  kind,
  minProfit: 10n * WAD,
  targetDiscount: 8n * 10n ** 16n,
  gasShare: WAD / 10n,
  minPriorityFee: GWEI,
  maxPriorityFee: 100n * GWEI,
  ...over,
});

// A cash-only account: equity 600, maintenance margin 618, mark-to-market 600 (no haircut), requirement 618.
const ctx = (over: Partial<BidContext> = {}): BidContext => ({
  params,
  valuation: { equity: 600n * WAD, maintenanceMargin: 618n * WAD, markToMarket: 600n * WAD, requirement: 618n * WAD },
  elapsed: 0n,
  hedgeCostPerWhole: 0n,
  bidderEquity: 0n,
  baseFee: 0n,
  ethPrice: 2000n * WAD,
  ...over,
});

describe("keeper strategies", function () {
  it("an eager keeper bids at the start of the auction when the 2% discount and its share of the penalty pay", function () {
    // dustMargin at 50 USDC, so this 618-USDC requirement is bid in parts (with the default 500 its remainder is dust).
    const c = ctx({ params: { ...params, dustMargin: 50n * WAD } });
    const eager = cfg("eager", { minProfit: 5n * WAD });
    const plan = planBid(eager, c);
    expect(plan.discount).to.equal(WAD / 50n);
    expect(plan.take.fraction > 0n && plan.take.fraction < WAD).to.equal(true);
    expect(wantsToBid(eager, c, plan)).to.equal(true);
    expect(wantsToBid(cfg("eager", { minProfit: 10n * WAD }), c, plan)).to.equal(false);
  });

  it("issue #13 item 3: a portfolio under dustMargin is bid whole with the whole penalty to the bidder, so a keeper whose minimum profit a partial bid missed bids at the start", function () {
    // R = 300 < 500: V = 290, E = 290, M = 300. At the start (2% discount) a bid takes it all: 5.8 + the penalty
    // min(10% x 300, B) = 30, none of it to the fund.
    const c = ctx({ valuation: { equity: 290n * WAD, maintenanceMargin: 300n * WAD, markToMarket: 290n * WAD, requirement: 300n * WAD } });
    const plan = planBid(cfg("eager", { minProfit: 25n * WAD }), c);
    expect(plan.take.fraction).to.equal(WAD);
    expect([plan.take.penalty, plan.take.penaltyToFund]).to.deep.equal([30n * WAD, 0n]);
    expect(plan.gain).to.equal((290n * WAD) / 50n + 30n * WAD);
    expect(wantsToBid(cfg("eager", { minProfit: 25n * WAD }), c, plan)).to.equal(true);
    // With the fund's share (dustMargin 50), the same keeper waits: 15 of penalty and a 40% fraction do not pay 25.
    const before = ctx({ ...c, params: { ...params, dustMargin: 50n * WAD } });
    expect(wantsToBid(cfg("eager", { minProfit: 25n * WAD }), before, planBid(cfg("eager", { minProfit: 25n * WAD }), before))).to.equal(
      false,
    );
  });

  it("a patient keeper waits for its target discount: 8% is reached 450 s into the fast phase", function () {
    const c = ctx();
    expect(wantsToBid(cfg("patient"), c, planBid(cfg("patient"), c))).to.equal(false);
    // pi(t) = 98% - 8% * t / 600 s; 90%... 92% (8% discount) at t = 450 s.
    expect(earliestBidClock(cfg("patient"), c)).to.equal(450n);
  });

  it("a flash keeper without capital waits until the discount covers the collateral haircut it would keep", function () {
    // Equity 600 at haircut, mark-to-market 1,000: 400 of haircut on collateral.
    const c = ctx({
      valuation: { equity: 600n * WAD, maintenanceMargin: 618n * WAD, markToMarket: 1000n * WAD, requirement: 1018n * WAD },
    });
    expect(wantsToBid(cfg("flash"), c, planBid(cfg("flash"), c))).to.equal(false);
    const t = earliestBidClock(cfg("flash"), c)!;
    expect(t > 0n).to.equal(true);
    const at = ctx({ ...c, elapsed: t });
    expect(wantsToBid(cfg("flash"), at, planBid(cfg("flash"), at))).to.equal(true);
    const before = ctx({ ...c, elapsed: t - 1n });
    expect(wantsToBid(cfg("flash"), before, planBid(cfg("flash"), before))).to.equal(false);
  });

  it("a hedge that costs more than the discount is worth keeps an eager keeper out until the price falls further", function () {
    const c = ctx({ hedgeCostPerWhole: 100n * WAD });
    expect(wantsToBid(cfg("eager"), c, planBid(cfg("eager"), c))).to.equal(false);
    expect(earliestBidClock(cfg("eager"), c)! > 0n).to.equal(true);
  });

  it("offers gasShare of the gain as priority fee, within the strategy's bounds", function () {
    // 10% of 100 cash = 10 cash = 0.005 ETH at 2,000; over 250,000 gas: 20 gwei.
    expect(priorityFeeFor(cfg("eager"), 100n * WAD, 250_000n, 2000n * WAD)).to.equal(20n * GWEI);
    expect(priorityFeeFor(cfg("eager"), 100_000n * WAD, 250_000n, 2000n * WAD)).to.equal(100n * GWEI);
    expect(priorityFeeFor(cfg("eager"), 0n, 250_000n, 2000n * WAD)).to.equal(GWEI);
  });

  it("estimates the starter's tip as the contract pays it: flat tip plus tip rate of the shortfall, capped at the penalty on R and on max(V, 0)", function () {
    const cash = (e: bigint, m: bigint, h = 0n) => ({
      equity: e * WAD,
      maintenance: m * WAD,
      markToMarket: (e + h) * WAD,
      requirement: (m + h) * WAD,
    });
    // 5 + 1% * 18 = 5.18; caps 10% * 618 = 61.8 and 10% * 600 = 60.
    expect(tipEstimate(params, cash(600n, 618n))).to.equal(518n * 10n ** 16n);
    // Class 9: an insolvent account (V <= 0) pays no tip.
    expect(tipEstimate(params, cash(-100_000n, 618n))).to.equal(0n);
    expect(tipEstimate(params, cash(3n, 618n))).to.equal((3n * WAD) / 10n); // 10% of V = 3
    // With collateral, the cap is the penalty on V = E + H, not on E: E = 3 and H = 97 give 10% of 100 = 10, so the
    // full 5 + 1% * 615 = 11.15 is capped at 10 (the lens's E alone would have said 0.3, below a start's gas).
    expect(tipEstimate(params, cash(3n, 618n, 97n))).to.equal(10n * WAD);
    // E <= 0 with V > 0 still pays: E = -50, H = 100 give 10% of 50 = 5.
    expect(tipEstimate(params, cash(-50n, 618n, 100n))).to.equal(5n * WAD);
    // Above tipBaseFee (100 gwei) the flat part follows the base fee: at 300 gwei 15 + 0.18, at 7/8 of it 13.125 + 0.18.
    expect(tipEstimate(params, cash(600n, 618n), 300n * GWEI)).to.equal(1518n * 10n ** 16n);
    expect(tipEstimate(params, cash(600n, 618n), nextBaseFeeFloor(300n * GWEI))).to.equal(13_305n * 10n ** 15n);
  });

  it("INV-27 an insolvent account with no recorded insolvency is priced at V: no keeper bids for a bonus it would not get, and the earliest bid counts from the record", function () {
    // Deficit 10, R 618: insolvent; the bonus is insolventBonus * R grown over insolventDuration from the record.
    const insolvent = { equity: -10n * WAD, maintenanceMargin: 618n * WAD, markToMarket: -10n * WAD, requirement: 618n * WAD };
    const late = params.fastDuration + params.slowDuration + params.insolventDuration + 600n;
    const eager = cfg("eager", { minProfit: 5n * WAD });
    const unrecorded = ctx({ valuation: insolvent, elapsed: late });
    const plan = planBid(eager, unrecorded);
    expect([plan.take.unitPrice, plan.take.subsidy, plan.gain]).to.deep.equal([-10n * WAD, 10n * WAD, 0n]);
    expect(wantsToBid(eager, unrecorded, plan)).to.equal(false);
    // Recorded at `late`: nothing yet at `late`, the whole bonus one insolventDuration later.
    const recorded = ctx({ valuation: insolvent, elapsed: late, insolventSince: late });
    expect(planBid(eager, recorded).take.unitPrice).to.equal(-10n * WAD);
    const full = ctx({ valuation: insolvent, elapsed: late + params.insolventDuration, insolventSince: late });
    const bonus = (params.insolventBonus * 618n * WAD) / WAD;
    expect(planBid(eager, full).take.unitPrice).to.equal(-10n * WAD - bonus);
    const t = earliestBidClock(eager, recorded);
    expect(t !== undefined && t > late && t <= late + params.insolventDuration).to.equal(true);
  });
});

describe("keeper strategy: hedge cost", function () {
  const FEE = 5n * 10n ** 14n; // 0.05% taker fee
  it("counts the quote's gap from the index as a cost when it is against the hedge: selling a long below the index, buying back a short above it", function () {
    // 2 ETH long sold at 2,990 against an index of 3,000: 20 of gap + 2.99 of fee.
    expect(hedgeLegCost(2n * WAD, 2990n * WAD, 3000n * WAD, FEE)).to.equal(20n * WAD + 299n * 10n ** 16n);
    // 2 ETH short bought back at 3,010: 20 of gap + 3.01 of fee.
    expect(hedgeLegCost(-2n * WAD, 3010n * WAD, 3000n * WAD, FEE)).to.equal(20n * WAD + 301n * 10n ** 16n);
  });

  it("counts a favourable gap as a gain, not a cost (a quote above the index for a long sold, below it for a short bought back): a depeg no longer stops every bid", function () {
    // 2 ETH long sold at 3,030 (the cash token 1% under the dollar): -60 of gap + 3.03 of fee = a gain of 56.97.
    expect(hedgeLegCost(2n * WAD, 3030n * WAD, 3000n * WAD, FEE)).to.equal(-60n * WAD + 303n * 10n ** 16n);
    // 2 ETH short bought back at 2,970: -60 + 2.97.
    expect(hedgeLegCost(-2n * WAD, 2970n * WAD, 3000n * WAD, FEE)).to.equal(-60n * WAD + 297n * 10n ** 16n);
  });

  it("prices a bid's gas with what the portfolio's further markets and tokens add: the same gain, a higher gas cost and a lower priority fee per gas", function () {
    const base = planBid(cfg("eager"), ctx({ elapsed: 900n, baseFee: 20n * GWEI }));
    const extra = bidExtraGasUsed({ marketCount: 3, collateralCount: 2 });
    expect(extra).to.equal(2n * 29_100n + 2n * 69_000n);
    expect(bidExtraGasUsed({ marketCount: 1, collateralCount: 0 })).to.equal(0n);
    const big = planBid(cfg("eager"), ctx({ elapsed: 900n, baseFee: 20n * GWEI, extraGas: extra }));
    expect(big.gain).to.equal(base.gain);
    // Priority fee and gas cost over 260,000 + 196,200 gas, exactly.
    const gas = GAS.bid.used + extra;
    const fee = priorityFeeFor(cfg("eager"), big.gain, gas, 2000n * WAD);
    expect([big.priorityFee, big.gasCost]).to.deep.equal([fee, gasCostCash(gas, 20n * GWEI + fee, 2000n * WAD)]);
    expect(big.gasCost > base.gasCost).to.equal(true);
    expect(big.net).to.equal(big.gain - big.gasCost);
    // The earliest bid clock sees the same extra gas: never earlier than without it.
    const c0 = ctx({ baseFee: 20n * GWEI });
    const t0 = earliestBidClock(cfg("eager"), c0);
    const t1 = earliestBidClock(cfg("eager"), { ...c0, extraGas: extra });
    expect(t0 !== undefined && t1 !== undefined && t1 >= t0).to.equal(true);
  });

  it("a hedge gain raises the bid's planned gain by exactly the taken fraction of it", function () {
    const base = planBid(cfg("eager"), ctx({ elapsed: 900n }));
    const withGain = planBid(cfg("eager"), ctx({ elapsed: 900n, hedgeCostPerWhole: -50n * WAD }));
    expect(withGain.gain - base.gain).to.equal((50n * WAD * base.take.fraction) / WAD);
  });
});

describe("keeper strategy: start gas", function () {
  it("prices a start's gas at the gas snapshot's figures or up to 1% above (one position and cash: a start of its own, a batch of one and of ten)", function () {
    const snap = gasSnapshot as Record<string, number>;
    const pairs: [bigint, number][] = [
      [GAS.start.used, snap["auction: startAuction, one position and cash"]],
      [batchStartGasUsed(1), snap["starter: startAuctions, batch of 1 (one position and cash)"]],
      [batchStartGasUsed(10), snap["starter: startAuctions, batch of 10 (one position and cash each)"]],
    ];
    expect(pairs.map(([used]) => used)).to.deep.equal([156_300n, 163_100n, 848_000n]);
    for (const [used, measured] of pairs) {
      expect(Number(used)).to.be.at.least(measured);
      expect((Number(used) - measured) / measured).to.be.below(0.01);
    }
  });

  it("splits a block's starts into the fewest batches of near-equal size, in order: 51 accounts as 25 and 26, not 50 and 1", function () {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect([0, 1, 50, 51, 100, 101].map((n) => batchParts(ids(n)).map((p) => p.length))).to.deep.equal([
      [],
      [1],
      [50],
      [25, 26],
      [50, 50],
      [33, 34, 34],
    ]);
    expect(batchParts(ids(101)).flat()).to.deep.equal(ids(101));
    expect(batchParts(ids(7), 3).map((p) => p.length)).to.deep.equal([2, 2, 3]);
  });

  it("prices each further market and each collateral token of a start at the gas snapshot's figures or up to 1% above, with limits of 61,000 and 50,000", function () {
    const snap = gasSnapshot as Record<string, number>;
    const pairs: [bigint, number][] = [
      [GAS.perMarket.used, snap["auction: each additional market on startAuction (2 vs 8 markets)"]],
      [GAS.perCollateral.used, snap["auction: each additional collateral token on startAuction (cash vs cash, WETH and WBTC)"]],
    ];
    for (const [used, measured] of pairs) {
      expect(Number(used)).to.be.at.least(measured);
      expect((Number(used) - measured) / measured).to.be.below(0.01);
    }
    expect(
      [GAS.perMarket.limit / Number(GAS.perMarket.used), GAS.perCollateral.limit / Number(GAS.perCollateral.used)].map((r) => r >= 1.48),
    ).to.deep.equal([true, true]);
    // One market and cash only: nothing extra. Sixteen markets and sixteen tokens: fifteen and sixteen times the figures.
    expect(extraStartGas({ marketCount: 1, collateralCount: 0 })).to.deep.equal({ used: 0n, limit: 0 });
    expect(extraStartGas({ marketCount: 0, collateralCount: 0 })).to.deep.equal({ used: 0n, limit: 0 });
    expect(extraStartGas({ marketCount: 16, collateralCount: 16 })).to.deep.equal({
      used: 15n * GAS.perMarket.used + 16n * GAS.perCollateral.used,
      limit: 15 * GAS.perMarket.limit + 16 * GAS.perCollateral.limit,
    });
  });

  it("sends a bid with its fixed limit unless the portfolio's markets, tokens and hedge legs need more: 1.5 times the fixed use plus theirs", function () {
    const snap = gasSnapshot as Record<string, number>;
    // Per market: the snapshot's bid figure (a bidder holding the market) + a new position slot + the bidder's check.
    const perMarket =
      snap["auction: each additional market on a partial bid (2 vs 8 markets)"] +
      20_000 +
      snap["fill: each additional market held by the taker"];
    const perToken = snap["auction: each additional collateral token on a partial bid (cash vs cash, WETH and WBTC)"];
    const leg = snap["fill: one order, taker holds 8 markets"];
    for (const [figure, measured] of [
      [GAS.bidPerMarket, perMarket],
      [GAS.bidPerCollateral, perToken],
      [GAS.flashHedgeLeg, leg],
    ] as [bigint, number][]) {
      expect(Number(figure)).to.be.at.least(measured);
      expect((Number(figure) - measured) / measured).to.be.below(0.02);
    }
    const shape = (marketCount: number, collateralCount: number) => ({ marketCount, collateralCount });
    // Portfolios up to two markets and two tokens keep the fixed limits (the simulator's accounts among them).
    expect([shape(1, 0), shape(2, 2)].map((s) => bidGasLimit(s, false))).to.deep.equal([900_000, 900_000]);
    expect(bidGasLimit(shape(2, 2), true, 2)).to.equal(2_000_000);
    expect(bidGasLimit(shape(16, 16), false)).to.equal(((260_000 + 15 * 58_500 + 16 * 69_000) * 3) / 2);
    expect(bidGasLimit(shape(16, 16), true, 16)).to.equal(((520_000 + 15 * 58_500 + 16 * 69_000 + 16 * 246_200) * 3) / 2);
    // The hedge legs count only for a flash bid.
    expect(bidGasLimit(shape(16, 0), false, 16)).to.equal(bidGasLimit(shape(16, 0), false));
    // Sixteen markets and tokens at the measured figures (the eight-market bid, eight more markets, sixteen tokens)
    // pass the fixed limit and stay under the scaled one.
    const measured16 = snap["auction: partial bid (10%), 8 markets"] + 8 * perMarket + 16 * perToken;
    expect(measured16).to.be.greaterThan(GAS.bid.limit);
    expect(measured16).to.be.below(bidGasLimit(shape(16, 16), false));
    // Termination and checkpoint value the account as a start does: their limits scale with the start's extra gas.
    expect(scaledLimit(GAS.terminate, extraStartGas(shape(2, 2)).used)).to.equal(GAS.terminate.limit);
    expect(scaledLimit(GAS.checkpoint, extraStartGas(shape(16, 16)).used)).to.equal(((120_000 + 15 * 40_700 + 16 * 33_000) * 3) / 2);
  });

  it("splits batches further when their gas limit would pass the per-transaction cap (EIP-7825), into the fewest in order, and sends an account above it alone", function () {
    const big = { marketCount: 16, collateralCount: 16 };
    const light = { marketCount: 1, collateralCount: 0 };
    const limitOf = (part: readonly { marketCount: number; collateralCount: number }[]) =>
      part.reduce((sum, c) => sum + extraStartGas(c).limit, batchStartGasLimit(part.length));
    // Each heavy account is sent with 1,995,000 gas: eight fit a transaction (16,110,000), nine do not.
    expect(limitOf([big])).to.equal(280_000 + 15 * 61_000 + 16 * 50_000 + 150_000);
    expect([limitOf(Array(8).fill(big)) <= TX_GAS_CAP, limitOf(Array(9).fill(big)) <= TX_GAS_CAP]).to.deep.equal([true, false]);
    // 50 light accounts: one transaction (14,150,000 gas), as batchParts.
    expect(batchPartsWithinCap(Array(50).fill(light), limitOf).map((p) => p.length)).to.deep.equal([50]);
    // 51 light: the cap is not what splits them; 25 and 26 as batchParts.
    expect(batchPartsWithinCap(Array(51).fill(light), limitOf).map((p) => p.length)).to.deep.equal([25, 26]);
    // 50 heavy: seven transactions, near-equal, each under the cap.
    const heavy = batchPartsWithinCap(Array(50).fill(big), limitOf);
    expect(heavy.map((p) => p.length)).to.deep.equal([7, 7, 7, 7, 7, 7, 8]);
    expect(heavy.every((p) => limitOf(p) <= TX_GAS_CAP)).to.equal(true);
    // Ten heavy then forty light: two transactions (8 heavy; 2 heavy and 40 light), where equal counts would need six.
    const mixed = batchPartsWithinCap([...Array(10).fill(big), ...Array(40).fill(light)], limitOf);
    expect(mixed.map((p) => p.length)).to.deep.equal([8, 42]);
    expect(mixed.every((p) => limitOf(p) <= TX_GAS_CAP)).to.equal(true);
    // An account over the cap on its own goes out alone; the others still share a transaction.
    const parts = batchPartsWithinCap(["w", "x", "y", "z", "u"], (p) => (p.includes("y") ? TX_GAS_CAP + 1 : p.length));
    expect(parts).to.deep.equal([["w", "x"], ["y"], ["z", "u"]]);
    // Parts as even as the count the cap needs allows: 48 accounts of which five fit a transaction go out in ten
    // parts of 4 or 5 (greedy packing alone would leave 5, 5, ..., 5, 3).
    const ten = batchPartsWithinCap(
      Array.from({ length: 48 }, (_, i) => i),
      (p) => p.length * 3_300_000,
    );
    expect(ten.map((p) => p.length)).to.deep.equal([4, 5, 5, 5, 5, 4, 5, 5, 5, 5]);
    expect(ten.flat()).to.deep.equal(Array.from({ length: 48 }, (_, i) => i));
    expect(batchPartsWithinCap([], limitOf)).to.deep.equal([]);
  });
});
