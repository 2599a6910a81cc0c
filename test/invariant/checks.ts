/**
 * The state invariants of docs/INVARIANTS.md, checked from a full observation of the protocol after every step of
 * the stateful suite, each assertion naming its ID. Transition invariants that compare two observations (INV-05
 * nonces, INV-06 indices, INV-10 ramp steps) use the previous step's observation.
 *
 * Checked here: INV-01, INV-02, INV-03 (exact, from the stored principals), INV-04, INV-05, INV-06, INV-07,
 * INV-08 (funding and PnL sum to zero over each market), INV-10, INV-11, INV-15, INV-21, INV-22, INV-23.
 */
import { expect } from "chai";
import * as M from "../../src/model";
import { TestERC20__factory } from "../../typechain-types";
import { readSnapshot, accountInput } from "../shared/snapshot";
import { RISK_BOUNDS } from "../../src/config/bounds";
import type { StoredCash } from "../shared/vaultProbe";
import type { FuzzProtocol } from "../fuzz/fixtures";
import type { AuctionBook } from "../fuzz/auctionSteps";
import { clockInput, storedClock } from "../fuzz/auctionSteps";

/** Everything the checks read after a step (at the latest block). */
export interface Observation {
  now: bigint;
  s: M.ProtocolSnapshot;
  stored: StoredCash;
  tokenBalances: bigint[];
  cashBalance: bigint;
  hasPositions: boolean[];
  markets: bigint[];
}

export async function observe(f: FuzzProtocol, accounts: bigint[], now: bigint): Promise<Observation> {
  const s = await readSnapshot(f.d, accounts, now, "latest");
  const stored = await f.d.probe.cash();
  const vault = await f.vault.getAddress();
  const tokenBalances = await Promise.all(f.d.tokenAddresses.map((t) => TestERC20__factory.connect(t, f.deployer).balanceOf(vault)));
  const cashBalance = await f.cash.balanceOf(vault);
  const hasPositions = await Promise.all(accounts.map(async (a) => (await f.vault.accountStatus(a))[1]));
  const markets = await Promise.all(accounts.map(async (a) => (await f.engine.accountInfo(a))[0]));
  return { now, s, stored, tokenBalances, cashBalance, hasPositions, markets };
}

const popcount = (x: bigint): number => {
  let n = 0;
  for (; x !== 0n; x &= x - 1n) n++;
  return n;
};

/**
 * Checks every state invariant on `cur` (and the transition ones against `prev`). `socialised`: the step emitted a
 * LossSocialised event (the only thing that may lower the supply index).
 */
export async function checkState(
  f: FuzzProtocol,
  book: AuctionBook,
  accounts: bigint[],
  prev: Observation | undefined,
  cur: Observation,
  socialised: boolean,
): Promise<void> {
  const { s } = cur;
  const nTokens = f.d.tokenAddresses.length;
  const nMarkets = f.d.marketAssets.length;
  const acc = accounts.map((a) => s.accounts.get(a)!);

  // INV-01: collateral conservation.
  for (let i = 0; i < nTokens; i++) {
    const sum = acc.reduce((t, a) => t + a.collateral[i], 0n);
    expect(sum, `INV-01 the sum of token ${i} balances equals totalHeldWad`).to.equal(s.tokens[i].totalHeld);
    expect(cur.tokenBalances[i] * M.scaleOf(f.d.tokenDecimals[i]) >= s.tokens[i].totalHeld, `INV-01 the vault holds token ${i}`).to.equal(
      true,
    );
  }

  // INV-02: claims on cash (cash values plus position values = -sum of totalBasis) never exceed the cash held.
  const cashValues = acc.reduce((t, a) => t + M.cashValue(a.principal, s.cash), 0n);
  const basis = s.markets.reduce((t, m) => t + m.totalBasis, 0n);
  expect(cashValues - basis <= s.cashHeld, "INV-02 claims on cash never exceed the cash held").to.equal(true);
  expect(cur.cashBalance * M.scaleOf(f.d.cashDecimals) >= s.cashHeld, "INV-02 the vault holds at least H cash tokens").to.equal(true);

  // INV-03: principal totals, exactly (stored principals).
  const supply = acc.reduce((t, a) => t + (a.principal > 0n ? a.principal : 0n), 0n);
  const borrow = acc.reduce((t, a) => t + (a.principal < 0n ? -a.principal : 0n), 0n);
  expect(supply, "INV-03 the supply principal equals the sum of positive principals").to.equal(cur.stored.supplyPrincipal);
  expect(borrow, "INV-03 the borrow principal equals the sum of negative principals").to.equal(cur.stored.borrowPrincipal);

  // INV-04: bitmaps and flags.
  accounts.forEach((a, k) => {
    const x = acc[k];
    const bits = cur.markets[k];
    for (let id = 0; id < nMarkets; id++) {
      const size = x.positions.get(id)?.size ?? 0n;
      expect((bits & (1n << BigInt(id))) !== 0n, `INV-04 market bit ${id} of ${a}`).to.equal(size !== 0n);
    }
    expect(popcount(bits) <= 16, "INV-04 at most 16 markets per account").to.equal(true);
    expect(cur.hasPositions[k], `INV-04 hasPositions of ${a}`).to.equal(bits !== 0n);
  });
  for (let k = 0; k < accounts.length; k++) {
    const tokens = (await f.d.probe.account(accounts[k])).tokens;
    for (let i = 0; i < nTokens; i++) {
      expect((tokens & (1n << BigInt(i))) !== 0n, `INV-04 token bit ${i} of ${accounts[k]}`).to.equal(acc[k].collateral[i] !== 0n);
    }
  }

  // INV-05: nonces never decrease; an unchanged nonce means holdings only grew (deposits, fee and penalty credits),
  // except while the account stays in auction, whose bids leave the nonce (review M1).
  if (prev) {
    accounts.forEach((a, k) => {
      const before = prev.s.accounts.get(a)!;
      const after = acc[k];
      expect(after.nonce >= before.nonce, `INV-05 the nonce of ${a} never decreases`).to.equal(true);
      if (after.nonce === before.nonce && !before.frozen && !after.frozen) {
        const what = `INV-05 ${a}'s holdings changed only by additions while its nonce stayed`;
        expect(after.principal >= before.principal, `${what} (cash principal)`).to.equal(true);
        after.collateral.forEach((c, i) => expect(c >= before.collateral[i], `${what} (token ${i})`).to.equal(true));
        for (let id = 0; id < nMarkets; id++) {
          expect(after.positions.get(id) ?? { size: 0n, basis: 0n }, `${what} (market ${id})`).to.deep.equal(
            before.positions.get(id) ?? { size: 0n, basis: 0n },
          );
        }
      }
    });
  }

  // INV-06: indices.
  expect(s.cash.borrowIndex >= M.WAD, "INV-06 the borrow index stays >= 1e18").to.equal(true);
  expect(s.cash.supplyIndex >= M.MIN_SUPPLY_INDEX, "INV-06 the supply index stays >= MIN_SUPPLY_INDEX").to.equal(true);
  if (prev) {
    expect(s.cash.borrowIndex >= prev.s.cash.borrowIndex, "INV-06 the borrow index never decreases").to.equal(true);
    if (!socialised)
      expect(s.cash.supplyIndex >= prev.s.cash.supplyIndex, "INV-06 the supply index falls only by a recorded socialised loss").to.equal(
        true,
      );
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
    expect(sum, `INV-07 sizes in market ${id} sum to zero`).to.equal(0n);
    expect(m.longOpenInterest, `INV-07 long open interest of market ${id}`).to.equal(longs);
    expect(m.totalBasis, `INV-07 total basis of market ${id}`).to.equal(bs);
    const n = BigInt(acc.length);
    expect(
      values <= -m.totalBasis && values > -m.totalBasis - n,
      `INV-08 funding and PnL move value between longs and shorts only in market ${id} (sum of values = -totalBasis, floors aside)`,
    ).to.equal(true);

    // INV-10: effective ratios and targets within bounds; ramp at most one step per elapsed time toward the target.
    // Effective ratios are a function of block time (issue #11 class 6), compared between the two observations.
    const eff = M.effectiveRatios(m, cur.now);
    expect(
      eff.mmr >= RISK_BOUNDS.MIN_MMR && eff.mmr < eff.imr && eff.imr <= RISK_BOUNDS.MAX_IMR,
      `INV-10 effective ratios of market ${id}`,
    ).to.equal(true);
    expect(
      m.mmrTarget >= RISK_BOUNDS.MIN_MMR && m.mmrTarget < m.imrTarget && m.imrTarget <= RISK_BOUNDS.MAX_IMR,
      `INV-10 targets of market ${id}`,
    ).to.equal(true);
    if (prev) {
      const b = prev.s.markets[id];
      const effPrev = M.effectiveRatios(b, prev.now);
      // Rounded up: a difference of two floors of the ramp from its start can exceed the floor of the difference by 1.
      const step = M.ceilDiv(b.maxStepPerHour * (cur.now - prev.now), 3600n);
      for (const [k, t] of [
        ["mmr", "mmrTarget"],
        ["imr", "imrTarget"],
      ] as const) {
        expect(M.abs(eff[k] - effPrev[k]) <= step, `INV-10 market ${id}'s ${k} moved at most one step`).to.equal(true);
        expect(M.abs(b[t] - eff[k]) <= M.abs(b[t] - effPrev[k]), `INV-10 market ${id}'s ${k} moved toward its target`).to.equal(true);
      }
    }
  }

  // INV-11: an isolated account holds at most one market.
  accounts.forEach((a, k) => {
    if (acc[k].isolated) expect(popcount(cur.markets[k]) <= 1, `INV-11 isolated account ${a} holds at most one market`).to.equal(true);
  });

  // INV-15: the lens's health equals the engine's margin state (and the model's) wherever prices are valid.
  const rows = await f.lens.accountsHealth(accounts);
  for (let k = 0; k < accounts.length; k++) {
    const a = acc[k];
    const valid =
      M.heldMarkets(a).every((id) => s.marketOracle[id] !== undefined) &&
      a.collateral.every((c, i) => c === 0n || s.tokenOracle[i] !== undefined);
    expect(rows[k].priceValid, `INV-15 the lens knows whether ${accounts[k]}'s prices are valid`).to.equal(valid);
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
    const engine = await f.engine.accountMargin(accounts[k]);
    const view = (x: typeof expected) => [x.equity, x.maintenanceMargin, x.initialMargin, x.healthFactor, x.liquidatable];
    expect(view(got), `INV-15 the lens's health of ${accounts[k]} equals the model's`).to.deep.equal(view(expected));
    expect(view(engine), `INV-15 the engine's margin of ${accounts[k]} equals the lens's`).to.deep.equal(view(expected));
  }

  // INV-21, INV-22: breakers and freezes (the book's running auctions).
  await book.expectBreakers(accounts);

  // INV-23: each running auction's clock (a view at the latest block) equals the model's advance of its stored
  // state, never exceeds wall-clock time, and does not move while every price it depends on stays invalid.
  for (const a of book.entries.keys()) {
    const stored = await storedClock(f, a);
    const x = await clockInput(f, a, "latest");
    const expected = stored.checkpoint === cur.now ? stored.elapsed : M.advance(stored, x, cur.now).elapsed;
    const clock = await f.auction.clock(a);
    expect(clock, `INV-23 the clock of ${a}'s auction equals the model's`).to.equal(expected);
    expect(clock <= cur.now - stored.startTime, `INV-23 the clock of ${a}'s auction never counts more than wall-clock time`).to.equal(true);
    if (!stored.validAtCheckpoint && !x.valid)
      expect(clock, `INV-23 the clock of ${a} stands still while its prices are invalid`).to.equal(stored.elapsed);
  }
}
