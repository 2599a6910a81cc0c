/**
 * Real liquidation auctions against the reference model: random auction parameters (within bounds), insurance
 * fund sizes and per-event caps, portfolios built through fills, a crash or spike to a random depth (just under
 * maintenance margin down to deep insolvency; optionally an attempted close-out at the index first, which INV-30
 * refuses for an insolvent account), then a
 * start and bids at random clock times and fractions by two bidders, and a termination attempt.
 *
 * Every step is compared with the model to the wei: the start's valuation, shortfall and tip; each quote (clock,
 * E, M, V, R, unit price, largest fraction); each bid's payment, penalty, insurance share and subsidy, the
 * portfolio and cash moved, the fund's payment within its cap and the socialised rest. Invariants asserted on the way: INV-17 (losses borne in order: account, fund up to its cap,
 * then socialised; the amounts add up), INV-18 (a bid never lowers the account's health factor), INV-19 (no bidder
 * ends below initial margin), INV-20 (tip <= penaltyRate * R), INV-21 (running shortfall totals), INV-22 (frozen
 * exactly while the auction runs), INV-23 (the clock never counts more than wall-clock time), INV-25 (a maximum
 * bid restores (1 + bufferRatio) * M or empties the account; never below maintenance margin when restorable).
 */
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import { accountId } from "../shared/fixtures";
import { countCases, fuzz, runsFor, show, spread, timeoutFor, prop } from "../shared/fuzz";
import { readSnapshot, accountInput } from "../shared/snapshot";
import { fuzzProtocol, USDC } from "./fixtures";
import { auctionParamsArb, portfolioPlanArb, type PortfolioPlan } from "./arbitraries";
import { Runner, buildPortfolio, type Log } from "./portfolio";
import { AuctionBook } from "./auctionSteps";

const FILE = "test/fuzz/auction.test.ts";
const SUITE = "liquidation auctions";
const WAD = M.WAD;

interface BidPlan {
  wait: bigint;
  bidder: number;
  requested: bigint;
  move: number;
  tooLow: boolean;
}

interface AuctionPlan {
  portfolio: PortfolioPlan;
  params: M.AuctionParams;
  eventCapRatio: bigint;
  stake: bigint;
  /** Target E / M after the crash, permille (negative: insolvent). */
  depth: number;
  /** When insolvent (depth < 0), close every position before the auction. */
  closeOut: boolean;
  bids: BidPlan[];
  terminate: boolean;
}

const bidArb: fc.Arbitrary<BidPlan> = fc.record({
  wait: fc.oneof(spread(2n, 600n), spread(2n, 3n * 3600n)),
  bidder: fc.nat(1),
  requested: fc.oneof(
    fc.constant(WAD),
    spread(1n, WAD),
    fc.integer({ min: 1, max: 1000 }).map((x) => (BigInt(x) * WAD) / 1000n),
  ),
  move: fc.oneof(fc.constant(0), fc.integer({ min: -100, max: 100 })),
  tooLow: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const auctionPlanArb: fc.Arbitrary<AuctionPlan> = fc.record({
  portfolio: portfolioPlanArb(3, 5).chain((p) =>
    fc.integer({ min: 1000, max: 2500 }).map((coverage) => ({ ...p, coverage, withdraw: null })),
  ),
  params: auctionParamsArb,
  eventCapRatio: spread(10n ** 16n, WAD),
  stake: fc.oneof(fc.constant(0n), spread(1n, 1_000_000n)),
  depth: fc.oneof(fc.integer({ min: 500, max: 990 }), fc.integer({ min: -1500, max: 990 })),
  closeOut: fc.boolean(),
  bids: fc.array(bidArb, { minLength: 1, maxLength: 4 }),
  terminate: fc.boolean(),
});

/** Feed key of an oracle asset. */
const keyOf = (r: Runner, asset: string) => r.feedKeys.find((k) => ethers.encodeBytes32String(k) === asset)!;

/**
 * Moves the feeds of the account's markets adversely (longs down, shorts up; collateral feeds down) by the ppm
 * `x` that brings E / M closest to `depth` permille under the model, and publishes them. Returns the step time.
 */
async function crash(r: Runner, depth: number, log: Log): Promise<bigint> {
  const { f, d } = r;
  const T = r.account;
  const s = await readSnapshot(d, [T], await r.latest(), "latest");
  const a = s.accounts.get(T)!;
  const dir = new Map<string, number>();
  for (const id of M.heldMarkets(a)) dir.set(keyOf(r, d.marketAssets[id]), a.positions.get(id)!.size > 0n ? -1 : 1);
  a.collateral.forEach((bal, i) => {
    const k = keyOf(r, d.tokenAssets[i]);
    if (bal !== 0n && !dir.has(k)) dir.set(k, -1);
  });
  const answers = async (x: bigint) => {
    const out = new Map<string, bigint>();
    for (const [k, sgn] of dir) {
      const ans = await f.feeds[k].latestAnswer();
      out.set(k, sgn < 0 ? (ans * (1_000_000n - x)) / 1_000_000n : (ans * 1_000_000n) / (1_000_000n - x));
    }
    return out;
  };
  const units = new Map<string, bigint>();
  for (const k of dir.keys()) units.set(k, (await r.answerBounds(k))[2]);
  const g = async (x: bigint) => {
    const ans = await answers(x);
    const price = (asset: string, oracle: bigint) => {
      const k = keyOf(r, asset);
      return ans.has(k) ? ans.get(k)! * units.get(k)! : oracle;
    };
    const mp = s.marketOracle.map((p, id) => price(d.marketAssets[id], p!));
    const tp = s.tokenOracle.map((p, i) => price(d.tokenAssets[i], p!));
    const m = M.accountMargin(accountInput(s, a, mp, tp));
    return m.equity * 1000n - BigInt(depth) * m.maintenanceMargin;
  };
  let lo = 0n;
  let hi = 999_000n;
  if ((await g(lo)) > 0n) {
    for (let i = 0; i < 22; i++) {
      const mid = (lo + hi) / 2n;
      if ((await g(mid)) > 0n) lo = mid;
      else hi = mid;
    }
  } else hi = 0n;
  log.push(`crash by ${hi} ppm toward E/M = ${depth}/1000`);
  return r.prepare(2n, new Map(), await answers(hi));
}

describe("fuzz: liquidation auctions pay, restore and cover losses exactly as the reference model", function () {
  it("random crashes, starts, bids and terminations: prices, fractions, payments, tips and insurance payouts equal the model; a maximum bid restores the buffer or empties the account (INV-17, INV-18, INV-19, INV-20, INV-21, INV-22, INV-23, INV-25, INV-26, INV-30)", async function () {
    const runs = runsFor(20);
    this.timeout(timeoutFor(runs, 4000));
    await loadFixture(fuzzProtocol); // deployed before timing starts
    const logs = new WeakMap<AuctionPlan, Log>();
    await fuzz(
      {
        name: this.test!.title,
        suite: SUITE,
        runs: 20,
        file: FILE,
        printer: ([plan]) => [`const plan = ${show(plan)};`, "// steps:", ...(logs.get(plan) ?? []).map((l) => `//   ${l}`)].join("\n"),
      },
      prop([auctionPlanArb], async (plan) => {
        const log: Log = [];
        logs.set(plan, log);
        const f = await loadFixture(fuzzProtocol);
        const { d } = f;
        const r = new Runner(f, f.traders[0]);
        const T = r.account;
        const bidders = [f.traders[2], f.traders[3]];
        const keeper = accountId(f.traders[4].address);
        const fundAccount = f.feeAccount;
        const p = plan.params;

        await (await f.auction.setParams(p)).wait();
        await (await f.fund.setEventCapRatio(plan.eventCapRatio)).wait();
        if (plan.stake > 0n) await (await f.fund.connect(f.traders[5]).deposit(plan.stake * USDC, f.traders[5].address)).wait();
        log.push(`setParams, eventCapRatio ${plan.eventCapRatio}, stake ${plan.stake} USDC`);
        await buildPortfolio(r, plan.portfolio, log);

        let now = await crash(r, plan.depth, log);
        if (plan.closeOut && plan.depth < 0) {
          // Insolvent: try to close every position at the index (a strictly risk-reducing fill). INV-30 (review H-1):
          // no fill may leave negative equity, so the model and the engine both refuse it and the auction gets the
          // whole portfolio.
          await r.mineAt(now);
          for (const id of M.heldMarkets((await readSnapshot(d, [T], now, "none")).accounts.get(T)!)) {
            const t = await r.prepare(2n);
            const [size] = await f.engine.position(T, id);
            const price = await f.oracle.getPrice(d.marketAssets[id], { blockTag: "pending" });
            log.push(`close out market ${id}`);
            await r.fill(id, -size, price, t);
          }
          now = await r.prepare(2n);
        }

        // ---- start, bids, termination, each checked against the model (auctionSteps.ts)
        const book = new AuctionBook(f, r);
        const watched = [T, keeper, fundAccount, ...bidders.map((b) => accountId(b.address))];
        log.push("startAuction");
        const started = await book.start(T, f.traders[4], now, watched);
        log[log.length - 1] += ` -> ${started.kind === "ok" ? started.detail : started.error}`;
        await book.expectBreakers([T]);
        if (started.kind !== "ok") return;
        for (const b of plan.bids) {
          const moves = new Map<string, number>();
          for (const id of M.heldMarkets((await readSnapshot(d, [T], now, "none")).accounts.get(T)!))
            moves.set(keyOf(r, d.marketAssets[id]), b.move);
          now = await r.prepare(b.wait, moves);
          log.push(`bid by ${b.bidder} for ${b.requested} at +${b.wait}s${b.tooLow ? " below the price" : ""}`);
          const out = await book.bid(T, bidders[b.bidder], b.requested, b.tooLow, now, watched);
          log[log.length - 1] += ` -> ${out.kind === "ok" ? out.detail : out.error}`;
          countCases();
          await book.expectBreakers([T]);
          if (!book.entries.has(T)) break;
        }
        if (book.entries.has(T) && plan.terminate) {
          now = await r.prepare(2n);
          log.push("terminateAuction");
          const out = await book.terminate(T, now, watched);
          log[log.length - 1] += ` -> ${out.kind === "ok" ? out.detail : out.error}`;
          await book.expectBreakers([T]);
        }
      }),
    );
  });
});
