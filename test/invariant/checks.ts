/**
 * The state invariants of docs/INVARIANTS.md, checked from a full observation of the protocol after every step of
 * the stateful suite, each assertion naming its ID. Transition invariants that compare two observations (INV-05
 * nonces, INV-06 indices, INV-10 ramp steps) use the previous step's observation.
 *
 * Checked here: INV-01, INV-02, INV-03 (exact, from the stored principals), INV-04, INV-05, INV-06, INV-07,
 * INV-08 (funding and PnL sum to zero over each market), INV-10, INV-11, INV-15, INV-21, INV-22, INV-23.
 *
 * Speed (issue #12): `observe` reads every input in one eth_call through the test-only InvariantLens
 * (test/shared/viewBatch.ts) plus the vault's stored slots (eth_getStorageAt), and `checkState` only computes:
 * plain assertions (test/shared/assert.ts), no requests.
 */
import * as M from "../../src/model";
import { TestERC20__factory, type IMarginEngine, type IRiskLens } from "../../typechain-types";
import { accountInput, cachedState, queuePrices } from "../shared/snapshot";
import { ViewBatch } from "../shared/viewBatch";
import { deepEqual, equal, holds } from "../shared/assert";
import { RISK_BOUNDS } from "../../src/config/bounds";
import type { StoredAccount, StoredCash } from "../shared/vaultProbe";
import type { FuzzProtocol } from "../fuzz/fixtures";
import type { AuctionBook } from "../fuzz/auctionSteps";
import { queueClockInput } from "../fuzz/auctionSteps";
import { timed } from "./profile";

const ERC20 = TestERC20__factory.createInterface();

/** A running auction's stored clock, its clock view and the clock input at the observed block. */
interface ClockObservation {
  account: bigint;
  stored: M.ClockState & { startTime: bigint };
  clock: bigint;
  input: M.ClockInput;
}

/** Everything the checks read after a step (at the latest block). */
export interface Observation {
  now: bigint;
  /** The observed (latest) block's number. */
  block: bigint;
  s: M.ProtocolSnapshot;
  stored: StoredCash;
  /** The stored account slots, in the order of the observed accounts. */
  slots: StoredAccount[];
  tokenBalances: bigint[];
  cashBalance: bigint;
  hasPositions: boolean[];
  markets: bigint[];
  /** The RiskLens's health rows of the accounts. */
  health: IRiskLens.AccountHealthStructOutput[];
  /** The engine's margin state of account `k` (read only where prices are valid: it reverts otherwise). */
  engineMargin: (k: number) => IMarginEngine.MarginStateStructOutput;
  /** INV-21 and INV-22 against the book (checks the views read with the observation). */
  breakers: () => void;
  clocks: ClockObservation[];
}

/**
 * Reads the whole observation in one eth_call at the latest block (its timestamp is `now`) and the vault's stored
 * slots. `book`'s running auctions are observed too.
 */
export async function observe(f: FuzzProtocol, accounts: bigint[], book: AuctionBook): Promise<Observation> {
  const cache = f.d.cache;
  if (!cache || accounts.some((a) => !cache.accounts.includes(a)))
    throw new Error("observe: the deployment's state cache must cover the accounts");
  const batch = new ViewBatch(f.d.lens);
  const prices = queuePrices(f.d, batch);
  const vault = f.vault.target as string;
  const tokenBalances = f.d.tokenAddresses.map((t) => batch.add<bigint>({ interface: ERC20, target: t }, "balanceOf", [vault]));
  const cashBalance = batch.add<bigint>(f.cash, "balanceOf", [vault]);
  const health = batch.add<IRiskLens.AccountHealthStructOutput[]>(f.lens, "accountsHealth", [accounts]);
  const margins = accounts.map((a) => batch.add<IMarginEngine.MarginStateStructOutput>(f.engine, "accountMargin", [a]));
  const breakers = book.queueBreakers(batch, accounts);
  const clockInput = queueClockInput(f, batch);
  const running = [...book.entries.keys()].map((a) => ({
    account: a,
    auction: batch.add<{ startTime: bigint; checkpoint: bigint; elapsed: bigint; guaranteedUntil: bigint; validAtCheckpoint: boolean }>(
      f.auction,
      "auctionOf",
      [a],
    ),
    clock: batch.add<bigint>(f.auction, "clock", [a]),
    info: batch.add<[bigint, boolean]>(f.engine, "accountInfo", [a]),
    tokens: batch.add<bigint>(f.vault, "accountTokens", [a]),
  }));
  // The block's state (shared with the step's own last read of it) and the rest, at the same latest block.
  const state = await timed("observe: block state", () => cachedState({ ...f.d, cache }));
  await timed("observe: other inputs", () => batch.run({ blockHash: cache.entry!.hash }));
  const now = batch.timestamp;
  const s = state.q.build(now, state.stored, accounts, prices());
  const views = accounts.map((a) => state.q.views(a));
  const stored = { cash: state.stored.cash, accounts: accounts.map((a) => state.stored.accounts[state.q.accounts.indexOf(a)]) };
  return {
    now,
    block: batch.blockNumber,
    s,
    stored: stored.cash,
    slots: stored.accounts,
    tokenBalances: tokenBalances.map((g) => g()),
    cashBalance: cashBalance(),
    hasPositions: views.map((v) => v.hasPositions),
    markets: views.map((v) => v.markets),
    health: health(),
    engineMargin: (k: number) => margins[k](),
    breakers,
    clocks: running.map((r) => {
      const a = r.auction();
      return {
        account: r.account,
        stored: {
          startTime: a.startTime,
          checkpoint: a.checkpoint,
          elapsed: a.elapsed,
          guaranteedUntil: a.guaranteedUntil,
          validAtCheckpoint: a.validAtCheckpoint,
        },
        clock: r.clock(),
        input: clockInput.input(r.info()[0], BigInt(r.tokens())),
      };
    }),
  };
}

/**
 * Checks every state invariant on `cur` (and the transition ones against `prev`). `socialised`: the step emitted a
 * LossSocialised event (the only thing that may lower the supply index). Reads nothing: `observe` read it all.
 */
export function checkState(
  f: FuzzProtocol,
  accounts: bigint[],
  prev: Observation | undefined,
  cur: Observation,
  socialised: boolean,
): void {
  const { s } = cur;
  const nTokens = f.d.tokenAddresses.length;
  const nMarkets = f.d.marketAssets.length;
  const acc = accounts.map((a) => s.accounts.get(a)!);

  // INV-01: collateral conservation.
  for (let i = 0; i < nTokens; i++) {
    const sum = acc.reduce((t, a) => t + a.collateral[i], 0n);
    equal(sum, s.tokens[i].totalHeld, `INV-01 the sum of token ${i} balances equals totalHeldWad`);
    holds(cur.tokenBalances[i] * M.scaleOf(f.d.tokenDecimals[i]) >= s.tokens[i].totalHeld, `INV-01 the vault holds token ${i}`);
  }

  // INV-02: claims on cash (cash values plus position values = -sum of totalBasis) never exceed the cash held.
  const cashValues = acc.reduce((t, a) => t + M.cashValue(a.principal, s.cash), 0n);
  const basis = s.markets.reduce((t, m) => t + m.totalBasis, 0n);
  holds(cashValues - basis <= s.cashHeld, "INV-02 claims on cash never exceed the cash held");
  holds(cur.cashBalance * M.scaleOf(f.d.cashDecimals) >= s.cashHeld, "INV-02 the vault holds at least H cash tokens");

  // INV-03: principal totals, exactly (stored principals).
  const supply = acc.reduce((t, a) => t + (a.principal > 0n ? a.principal : 0n), 0n);
  const borrow = acc.reduce((t, a) => t + (a.principal < 0n ? -a.principal : 0n), 0n);
  equal(supply, cur.stored.supplyPrincipal, "INV-03 the supply principal equals the sum of positive principals");
  equal(borrow, cur.stored.borrowPrincipal, "INV-03 the borrow principal equals the sum of negative principals");

  // INV-04: bitmaps and flags.
  accounts.forEach((a, k) => {
    const x = acc[k];
    const bits = cur.markets[k];
    for (let id = 0; id < nMarkets; id++) {
      const size = x.positions.get(id)?.size ?? 0n;
      equal((bits & (1n << BigInt(id))) !== 0n, size !== 0n, `INV-04 market bit ${id} of ${a}`);
    }
    holds(M.bitCount(bits) <= 16, "INV-04 at most 16 markets per account");
    equal(cur.hasPositions[k], bits !== 0n, `INV-04 hasPositions of ${a}`);
  });
  for (let k = 0; k < accounts.length; k++) {
    const tokens = cur.slots[k].tokens;
    for (let i = 0; i < nTokens; i++) {
      equal((tokens & (1n << BigInt(i))) !== 0n, acc[k].collateral[i] !== 0n, `INV-04 token bit ${i} of ${accounts[k]}`);
    }
  }

  // INV-05: nonces never decrease; an unchanged nonce means holdings only grew (deposits, fee and penalty credits),
  // except while the account stays in auction, whose bids leave the nonce (review M1).
  if (prev) {
    accounts.forEach((a, k) => {
      const before = prev.s.accounts.get(a)!;
      const after = acc[k];
      holds(after.nonce >= before.nonce, `INV-05 the nonce of ${a} never decreases`);
      if (after.nonce === before.nonce && !before.frozen && !after.frozen) {
        const what = `INV-05 ${a}'s holdings changed only by additions while its nonce stayed`;
        holds(after.principal >= before.principal, `${what} (cash principal)`);
        after.collateral.forEach((c, i) => holds(c >= before.collateral[i], `${what} (token ${i})`));
        for (let id = 0; id < nMarkets; id++) {
          const x = after.positions.get(id) ?? { size: 0n, basis: 0n };
          const y = before.positions.get(id) ?? { size: 0n, basis: 0n };
          if (x.size !== y.size || x.basis !== y.basis)
            deepEqual({ size: x.size, basis: x.basis }, { size: y.size, basis: y.basis }, `${what} (market ${id})`);
        }
      }
    });
  }

  // INV-06: indices.
  holds(s.cash.borrowIndex >= M.WAD, "INV-06 the borrow index stays >= 1e18");
  holds(s.cash.supplyIndex >= M.MIN_SUPPLY_INDEX, "INV-06 the supply index stays >= MIN_SUPPLY_INDEX");
  if (prev) {
    holds(s.cash.borrowIndex >= prev.s.cash.borrowIndex, "INV-06 the borrow index never decreases");
    if (!socialised)
      holds(s.cash.supplyIndex >= prev.s.cash.supplyIndex, "INV-06 the supply index falls only by a recorded socialised loss");
  }

  // INV-07: zero-sum positions, open interest and basis totals. INV-08: funding and PnL sum to zero over a market.
  for (let id = 0; id < nMarkets; id++) {
    let sum = 0n;
    let longs = 0n;
    let bs = 0n;
    let values = 0n;
    const m = s.markets[id];
    const price = m.price;
    const fIdx = M.fundingAt(m, price, cur.now);
    for (const a of acc) {
      const p = a.positions.get(id);
      if (!p) continue;
      sum += p.size;
      if (p.size > 0n) longs += p.size;
      bs += p.basis;
      values += M.positionValue(p.size, p.basis, price, fIdx);
    }
    equal(sum, 0n, `INV-07 sizes in market ${id} sum to zero`);
    equal(m.longOpenInterest, longs, `INV-07 long open interest of market ${id}`);
    equal(m.totalBasis, bs, `INV-07 total basis of market ${id}`);
    const n = BigInt(acc.length);
    holds(
      values <= -m.totalBasis && values > -m.totalBasis - n,
      `INV-08 funding and PnL move value between longs and shorts only in market ${id} (sum of values = -totalBasis, floors aside)`,
    );

    // INV-10: effective ratios and targets within bounds; ramp at most one step per elapsed time toward the target.
    // Effective ratios are a function of block time (issue #11 class 6), compared between the two observations.
    const eff = M.effectiveRatios(m, cur.now);
    holds(eff.mmr >= RISK_BOUNDS.MIN_MMR && eff.mmr < eff.imr && eff.imr <= RISK_BOUNDS.MAX_IMR, `INV-10 effective ratios of market ${id}`);
    holds(
      m.mmrTarget >= RISK_BOUNDS.MIN_MMR && m.mmrTarget < m.imrTarget && m.imrTarget <= RISK_BOUNDS.MAX_IMR,
      `INV-10 targets of market ${id}`,
    );
    if (prev) {
      const b = prev.s.markets[id];
      const effPrev = M.effectiveRatios(b, prev.now);
      // Rounded up: a difference of two floors of the ramp from its start can exceed the floor of the difference by 1.
      const step = M.ceilDiv(b.maxStepPerHour * (cur.now - prev.now), 3600n);
      for (const [k, t] of [
        ["mmr", "mmrTarget"],
        ["imr", "imrTarget"],
      ] as const) {
        holds(M.abs(eff[k] - effPrev[k]) <= step, `INV-10 market ${id}'s ${k} moved at most one step`);
        holds(M.abs(b[t] - eff[k]) <= M.abs(b[t] - effPrev[k]), `INV-10 market ${id}'s ${k} moved toward its target`);
      }
    }
  }

  // INV-11: an isolated account holds at most one market.
  accounts.forEach((a, k) => {
    if (acc[k].isolated) holds(M.bitCount(cur.markets[k]) <= 1, `INV-11 isolated account ${a} holds at most one market`);
  });

  // INV-15: the lens's health equals the engine's margin state (and the model's) wherever prices are valid.
  const rows = cur.health;
  for (let k = 0; k < accounts.length; k++) {
    const a = acc[k];
    const valid =
      M.heldMarkets(a).every((id) => s.marketOracle[id] !== undefined) &&
      a.collateral.every((c, i) => c === 0n || s.tokenOracle[i] !== undefined);
    equal(rows[k].priceValid, valid, `INV-15 the lens knows whether ${accounts[k]}'s prices are valid`);
    if (!valid) continue;
    const expected = M.accountMargin(
      accountInput(
        s,
        a,
        s.marketOracle.map((p) => p ?? 0n),
        s.tokenOracle.map((p) => p ?? 0n),
      ),
    );
    const got = rows[k];
    const engine = cur.engineMargin(k);
    const view = (x: { equity: bigint; maintenanceMargin: bigint; initialMargin: bigint; healthFactor: bigint; liquidatable: boolean }) => [
      x.equity,
      x.maintenanceMargin,
      x.initialMargin,
      x.healthFactor,
      x.liquidatable,
    ];
    deepEqual(view(got), view(expected), `INV-15 the lens's health of ${accounts[k]} equals the model's`);
    deepEqual(view(engine), view(expected), `INV-15 the engine's margin of ${accounts[k]} equals the lens's`);
  }

  // INV-21, INV-22: breakers and freezes (the book's running auctions).
  cur.breakers();

  // INV-23: each running auction's clock (a view at the latest block) equals the model's advance of its stored
  // state, never exceeds wall-clock time, and does not move while every price it depends on stays invalid.
  for (const { account: a, stored, clock, input: x } of cur.clocks) {
    const expected = stored.checkpoint === cur.now ? stored.elapsed : M.advance(stored, x, cur.now).elapsed;
    equal(clock, expected, `INV-23 the clock of ${a}'s auction equals the model's`);
    holds(clock <= cur.now - stored.startTime, `INV-23 the clock of ${a}'s auction never counts more than wall-clock time`);
    if (!stored.validAtCheckpoint && !x.valid)
      equal(clock, stored.elapsed, `INV-23 the clock of ${a} stands still while its prices are invalid`);
  }
}
