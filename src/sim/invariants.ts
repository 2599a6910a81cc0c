/**
 * State invariants of docs/INVARIANTS.md that can be checked from the outside at any moment, over a known set of
 * accounts (every account that ever held anything must be listed): INV-01, INV-02, INV-03, INV-04, INV-07,
 * INV-10, INV-11 and INV-22. Used by the simulator at the end of every run and by the tests
 * (test/shared/invariants.ts turns violations into assertion failures).
 */
import { ZeroAddress, type ContractRunner } from "ethers";
import { TestERC20__factory, type CollateralVault, type LiquidationAuction } from "../../typechain-types";
import type { Engine } from "../contracts/engine";
import { WAD } from "../model/wad";

export interface InvariantTarget {
  vault: CollateralVault;
  engine: Engine;
  auction: LiquidationAuction;
  runner: ContractRunner;
}

export interface InvariantResult {
  /** One line per failed check, starting with its invariant ID. */
  violations: string[];
  /** H - claims on cash (WAD): the protocol's reserve from interest spread and rounding (INV-02). */
  cashReserve: bigint;
}

export async function checkInvariantsCore(b: InvariantTarget, accounts: bigint[]): Promise<InvariantResult> {
  const violations: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) violations.push(message);
  };
  const vaultAddress = await b.vault.getAddress();
  const tokenCount = Number(await b.vault.tokenCount());
  const marketCount = Number(await b.engine.marketCount());
  const tokens: string[] = [];
  for (let i = 0; i < tokenCount; i++) tokens.push(await b.vault.tokenAt(i));

  // Per-account reads, all at once.
  const rows = await Promise.all(
    accounts.map(async (a) => {
      const [collateral, cash, positions, info, status, bits, auction] = await Promise.all([
        Promise.all(tokens.map((t) => b.vault.collateralBalanceWad(a, t))),
        b.vault.cashBalance(a),
        Promise.all(Array.from({ length: marketCount }, (_, m) => b.engine.position(a, m))),
        b.engine.accountInfo(a),
        b.vault.accountStatus(a),
        b.vault.accountTokens(a),
        b.auction.auctionOf(a),
      ]);
      return { a, collateral, cash, positions, info, status, bits, active: auction.active };
    }),
  );

  // INV-01: collateral conservation.
  for (let i = 0; i < tokenCount; i++) {
    if (tokens[i] === ZeroAddress) continue; // a slot freed by removeToken: no token, no balances
    const sum = rows.reduce((s, r) => s + r.collateral[i], 0n);
    const held = await b.vault.totalHeldWad(tokens[i]);
    check(sum === held, `INV-01 sum of ${tokens[i]} balances (${sum}) equals totalHeldWad (${held})`);
    const info = await b.vault.tokenInfo(tokens[i]);
    const bal = await TestERC20__factory.connect(tokens[i], b.runner).balanceOf(vaultAddress);
    // Evicted balances (review F1) left the ledger as claims the vault still owes in token units.
    const [, claims] = await b.vault.evictedClaim(0n, tokens[i]);
    check(
      bal >= claims && (bal - claims) * 10n ** (18n - BigInt(info.decimals)) >= held,
      `INV-01 the vault holds at least totalHeldWad of ${tokens[i]} plus its evicted claims`,
    );
  }

  // INV-02: cash conservation. Claims = cash values + position values; position values sum to -sum(totalBasis).
  const cashToken = await b.vault.cashToken();
  const H = await b.vault.totalHeldWad(cashToken);
  let claims = 0n;
  let positive = 0n;
  let negative = 0n;
  for (const r of rows) {
    claims += r.cash;
    if (r.cash > 0n) positive += r.cash;
    else negative -= r.cash;
  }
  const views = await Promise.all(Array.from({ length: marketCount }, (_, m) => b.engine.marketView(m)));
  // Automated deleveraging's rounding (INV-07, INV-31): a market with E events keeps its open interest and total
  // basis as counters within E x (a wei per account + cap / 1e18 + 2; O <= the open-interest cap) of the settled sizes' sums, and the bases' within
  // that many wei times twice the price (a wei of size is worth the price; the closing index rounds per unit).
  const adlEvents = await Promise.all(
    Array.from({ length: marketCount }, async (_, m) => {
      const [longs] = await b.engine.deleveragingIndex(m, 0n, 0n);
      const [shorts] = await b.engine.deleveragingIndex(m, 1n, 0n);
      return longs + shorts;
    }),
  );
  const n0 = BigInt(accounts.length);
  const sizeDust = (m: number) => adlEvents[m] * (n0 + views[m].setup.openInterestCap / WAD + 2n);
  const basisDust = (m: number) => sizeDust(m) * ((2n * views[m].cachedPrice) / WAD + 2n);
  for (const v of views) claims -= v.totalBasis;
  const claimsDust = views.reduce((d, _, m) => d + basisDust(m), 0n);
  check(claims <= H + claimsDust, `INV-02 claims on cash (${claims}) never exceed the cash held (${H})`);
  const cash = TestERC20__factory.connect(cashToken, b.runner);
  const cashScale = 10n ** (18n - BigInt(await cash.decimals()));
  check((await cash.balanceOf(vaultAddress)) * cashScale >= H, "INV-02 the vault holds at least H cash tokens");

  // INV-03: principal totals (values rounded per account, so within one wei per account).
  const [supplyValue, borrowValue] = await b.vault.cashTotals();
  const n = BigInt(accounts.length);
  check(positive <= supplyValue && supplyValue <= positive + n, `INV-03 supply total (${supplyValue}) matches positive cash (${positive})`);
  check(negative >= borrowValue && negative <= borrowValue + n, `INV-03 borrow total (${borrowValue}) matches debt (${negative})`);

  // INV-07: zero-sum positions; open interest and basis totals. INV-10: effective ratios within bounds.
  for (let m = 0; m < marketCount; m++) {
    let sum = 0n;
    let longs = 0n;
    let basis = 0n;
    for (const r of rows) {
      const [size, bs] = r.positions[m];
      sum += size;
      if (size > 0n) longs += size;
      basis += bs;
    }
    const v = views[m];
    const within = (x: bigint, y: bigint, d: bigint) => (x > y ? x - y : y - x) <= d;
    check(within(sum, 0n, sizeDust(m)), `INV-07 sizes in market ${m} sum to zero (${sum})`);
    check(within(v.longOpenInterest, longs, sizeDust(m)), `INV-07 long open interest of market ${m} (${v.longOpenInterest} vs ${longs})`);
    check(within(v.totalBasis, basis, basisDust(m)), `INV-07 total basis of market ${m} (${v.totalBasis} vs ${basis})`);
    check(v.mmr >= 2n * 10n ** 15n && v.mmr < v.imr && v.imr <= WAD, `INV-10 ratios of market ${m}`);
  }

  // INV-04 bitmaps and flags, INV-11 isolation, INV-22 frozen iff an auction runs.
  for (const r of rows) {
    for (let i = 0; i < tokenCount; i++) {
      const held = r.collateral[i] > 0n;
      check((((BigInt(r.bits) >> BigInt(i)) & 1n) === 1n) === held, `INV-04 token bit ${i} of account ${r.a}`);
    }
    const [markets, isolated] = r.info;
    let count = 0;
    for (let m = 0; m < marketCount; m++) {
      const size = r.positions[m][0];
      check(((markets & (1n << BigInt(m))) !== 0n) === (size !== 0n), `INV-04 market bit ${m} of account ${r.a}`);
      if (size !== 0n) count++;
    }
    const [frozen, hasPositions] = r.status;
    check(hasPositions === (markets !== 0n), `INV-04 hasPositions of account ${r.a}`);
    if (isolated) check(count <= 1, `INV-11 isolated account ${r.a} holds at most one market`);
    check(frozen === r.active, `INV-22 account ${r.a} is frozen exactly while its auction runs`);
  }
  return { violations, cashReserve: H - claims };
}
