/**
 * Stateful campaign of automated deleveraging in the engine (issue #14 item 1; INV-07, INV-31, INV-32): random
 * sequences of fills between five accounts in two markets, price moves, ADL events on random accounts (the
 * liquidation module impersonated, with random deficit parts) and explicit settlements. After every ADL event the
 * positions of every account (read settled, as every view reads them) are compared with the reference model
 * (src/model/adl.ts): the closed sizes add up to at most the bankrupt size (INV-31), each opposite position closes its
 * share phi of its size and nobody on the bankrupt's side or flat is touched (INV-32), and the side's new index is the
 * model's. After every step the market counters stay within ADL's dust of the positions' sums (INV-07), and a
 * settlement stores exactly what the views showed, once. Bounded runs in `npm test`, 20 times as many with
 * FUZZ_CAMPAIGN=long.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as adl from "../../src/model/adl";
import { abs, mulDivDown } from "../../src/model/wad";
import { countCases, countCommands, fuzz, prop, runsFor, spread, timeoutFor } from "../shared/fuzz";
import { ETH, BTC, USDC, WAD, auctionSigner, fill, freshPriceFixture, fund, pos, type EngineFixture } from "../unit/MarginEngine/helpers";

const FILE = "test/invariant/deleveraging.test.ts";
const MARKETS = [ETH, BTC];
const FEEDS = ["ETH/USD", "BTC/USD"];
/** Fill sizes per market: a thousandth to 40 ETH, a ten-thousandth to 2 BTC. */
const UNIT = [WAD / 1000n, WAD / 10_000n];

async function campaignFixture(): Promise<EngineFixture> {
  const f = await freshPriceFixture();
  for (const who of [f.alice, f.bob, f.carol, f.dave, f.erin]) await fund(f.b, who, "USDC", 15_000_000n * USDC);
  return f;
}

type Cmd =
  | { kind: "fill"; maker: number; taker: number; market: number; units: number; long: boolean }
  | { kind: "price"; market: number; bps: number }
  | { kind: "adl"; target: number; parts: bigint[] }
  | { kind: "settle"; who: number; market: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      maker: fc.nat(4),
      taker: fc.nat(4),
      market: fc.nat(1),
      units: fc.integer({ min: 1, max: 40_000 }),
      long: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("price" as const), market: fc.nat(1), bps: fc.integer({ min: -400, max: 400 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("adl" as const),
      target: fc.nat(4),
      parts: fc.array(fc.oneof(fc.constant(0n), spread(1n, 50_000n * WAD)), { minLength: 2, maxLength: 2 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("settle" as const), who: fc.nat(4), market: fc.nat(1) }) },
);

/** Every account's settled position in every market. */
async function positions(f: EngineFixture, accounts: bigint[]) {
  const out: { size: bigint; basis: bigint }[][] = [];
  for (const a of accounts) out.push(await Promise.all(MARKETS.map((m) => pos(f.b, a, m))));
  return out;
}

/** INV-07 within ADL's dust: sizes sum to zero, the long open interest and total basis counters match the sums. */
async function expectCounters(f: EngineFixture, accounts: bigint[], step: string) {
  const ps = await positions(f, accounts);
  for (const m of MARKETS) {
    const [longEvents] = await f.b.engine.deleveragingIndex(m, 0n, 0n);
    const [shortEvents] = await f.b.engine.deleveragingIndex(m, 1n, 0n);
    const events = longEvents + shortEvents;
    const v = await f.b.engine.marketView(m);
    const n = BigInt(accounts.length);
    // phi's rounding leaves up to O / 1e18 wei unmatched per event, O the open interest then (at most its cap).
    const sizeDust = events * (n + v.setup.openInterestCap / WAD + 2n);
    const sum = ps.reduce((s, p) => s + p[m].size, 0n);
    const longs = ps.reduce((s, p) => s + (p[m].size > 0n ? p[m].size : 0n), 0n);
    const basis = ps.reduce((s, p) => s + p[m].basis, 0n);
    expect(abs(sum) <= sizeDust, `INV-07 ${step}: market ${m} sizes sum to ${sum}, more than ADL's dust ${sizeDust}`).to.equal(true);
    expect(
      abs(v.longOpenInterest - longs) <= sizeDust,
      `INV-07 ${step}: market ${m} long open interest ${v.longOpenInterest} vs ${longs}`,
    ).to.equal(true);
    const basisDust = sizeDust * ((2n * v.cachedPrice) / WAD + 2n);
    expect(abs(v.totalBasis - basis) <= basisDust, `INV-07 ${step}: market ${m} total basis ${v.totalBasis} vs ${basis}`).to.equal(true);
  }
}

async function run(f: EngineFixture, cmds: Cmd[]) {
  const { b } = f;
  const signers = [f.alice, f.bob, f.carol, f.dave, f.erin];
  const accounts = [f.A, f.B, f.C, f.D, f.E];
  const liquidator = b.engine.connect(await auctionSigner(b));
  for (const [i, c] of cmds.entries()) {
    countCommands();
    const step = `step ${i} ${JSON.stringify(c, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`;
    if (c.kind === "fill") {
      if (c.maker === c.taker) continue;
      const price = (await b.engine.marketView(c.market)).cachedPrice;
      const size = BigInt(c.units) * UNIT[c.market] * (c.long ? 1n : -1n);
      // Set-up only: a fill the margin rules refuse (an account ADL left short of cash) is skipped.
      await (await fill(b, signers[c.maker], signers[c.taker], c.market, size, price)).wait().catch(() => undefined);
    } else if (c.kind === "price") {
      const feed = b.feeds[FEEDS[c.market]];
      const now = await feed.latestAnswer();
      await (await feed.updateAnswer((now * BigInt(10_000 + c.bps)) / 10_000n)).wait();
      await (await b.engine.updateMarket(c.market)).wait();
    } else if (c.kind === "settle") {
      const a = accounts[c.who];
      const before = await pos(b, a, c.market);
      await (await b.engine.settleDeleveraging(a, c.market)).wait();
      expect(await pos(b, a, c.market), `INV-32 ${step}: settling stores what the views showed`).to.deep.equal(before);
      await expect(b.engine.settleDeleveraging(a, c.market), `INV-32 ${step}: a position is settled once per event`).to.not.emit(
        b.engine,
        "PositionDeleveraged",
      );
    } else {
      const target = accounts[c.target];
      const [bits] = await b.engine.accountInfo(target);
      const held = MARKETS.filter((m) => (bits >> BigInt(m)) & 1n);
      const parts = held.map((m) => c.parts[m]);
      const before = await positions(f, accounts);
      const views = await Promise.all(MARKETS.map((m) => b.engine.marketView(m)));
      const idx = await Promise.all(
        MARKETS.map(async (m) => {
          const side = before[c.target][m].size > 0n ? 1n : 0n;
          const [n] = await b.engine.deleveragingIndex(m, side, 0n);
          const [, keep, closed] = await b.engine.deleveragingIndex(m, side, n);
          return { side, n, index: { keep, closed } };
        }),
      );
      const receipt = await (await liquidator.deleverage(target, parts)).wait();
      const events = receipt!.logs.map((l) => b.engine.interface.parseLog(l)).filter((e) => e?.name === "MarketDeleveraged");
      const after = await positions(f, accounts);
      for (const m of MARKETS) {
        const s = before[c.target][m].size;
        const ev = events.find((e) => e!.args.marketId === BigInt(m));
        if (s === 0n) {
          expect(ev, `INV-31 ${step}: no event in market ${m} without a position`).to.equal(undefined);
          continue;
        }
        if (abs(s) > views[m].longOpenInterest) {
          expect(ev, `INV-31 ${step}: no event when the position exceeds the open interest (ADL dust)`).to.equal(undefined);
          continue;
        }
        const F = (await b.engine.marketView(m)).cumulativeFunding;
        const mark = ev ? (ev.args.markPrice as bigint) : views[m].cachedPrice;
        const bp = adl.bankruptcyPrice(s, mark, parts[held.indexOf(m)]);
        const model = adl.deleverageSide(
          idx[m].index,
          idx[m].side === 1n ? "short" : "long",
          abs(s),
          views[m].longOpenInterest,
          bp.price,
          F,
        );
        if (model === undefined) {
          expect(ev, `INV-31 ${step}: no event below MIN_KEEP in market ${m}`).to.equal(undefined);
          expect(after[c.target][m], `INV-31 ${step}: the position stays without an event`).to.deep.equal(before[c.target][m]);
          continue;
        }
        expect(ev, `INV-31 ${step}: an event in market ${m}`).to.not.equal(undefined);
        const matched = adl.matchedSize(views[m].longOpenInterest, model.phi);
        expect([ev!.args.bankruptcyPrice, ev!.args.phi, ev!.args.covered], `INV-31 ${step}: the event is the model's`).to.deep.equal([
          bp.price,
          model.phi,
          adl.coveredBy(matched, bp.price, mark),
        ]);
        const [, keep, closed] = await b.engine.deleveragingIndex(m, idx[m].side, idx[m].n + 1n);
        expect({ keep, closed }, `INV-31 ${step}: the side's new index is the model's`).to.deep.equal(model.index);
        expect(after[c.target][m], `INV-31 ${step}: the bankrupt position leaves`).to.deep.equal({ size: 0n, basis: 0n });
        let total = 0n;
        let allowance = 0n;
        for (const [k] of accounts.entries()) {
          if (k === c.target) continue;
          const z = before[k][m].size;
          const closedK = abs(z) - abs(after[k][m].size);
          if (z === 0n || z > 0n === s > 0n) {
            expect(after[k][m], `INV-32 ${step}: account ${k} (flat or on the bankrupt's side) is not touched`).to.deep.equal(before[k][m]);
            continue;
          }
          total += closedK;
          const share = mulDivDown(abs(z), model.phi, WAD);
          // Its share phi x |z|, rounded down, within a wei; a position last settled before older events settles
          // across all of them at once, so the views' size before this event and its settled size after differ from
          // event-by-event settlement by the size factors' rounding: |z| / keep wei per event since.
          const slack = (abs(z) / model.index.keep + 2n) * (idx[m].n + 1n);
          allowance += slack;
          expect(
            closedK >= share - slack && closedK <= share + slack,
            `INV-32 ${step}: account ${k} closes ${closedK}, its share ${share}`,
          ).to.equal(true);
          expect(after[k][m].size === 0n || after[k][m].size > 0n === z > 0n, `INV-32 ${step}: account ${k} keeps its side`).to.equal(true);
        }
        expect(
          total <= matched + allowance,
          `INV-31 ${step}: closed ${total} in all, at most the ${matched} matched (and each holder's rounding)`,
        ).to.equal(true);
        expect(matched <= abs(s), `INV-31 ${step}: matched ${matched}, at most the bankrupt's ${abs(s)}`).to.equal(true);
      }
      countCases();
    }
    await expectCounters(f, accounts, step);
  }
}

describe("invariants: automated deleveraging against the reference model (stateful)", function () {
  it("INV-31, INV-32, INV-07: any sequence of fills, price moves, ADL events and settlements closes at most the bankrupt size, pro-rata, as the model does, and keeps the market counters within ADL's dust", async function () {
    const runs = runsFor(12);
    this.timeout(timeoutFor(runs, 6000));
    await loadFixture(campaignFixture);
    await fuzz(
      { name: this.test!.title, suite: "ADL stateful", runs: 12, file: FILE },
      prop([fc.array(cmdArb, { minLength: 4, maxLength: 24 })], async (cmds) => {
        const f = await loadFixture(campaignFixture);
        await run(f, cmds);
      }),
    );
  });
});
