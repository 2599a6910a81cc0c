/**
 * State invariants of docs/INVARIANTS.md that can be checked from the outside at any moment, over a known set of
 * accounts (every account that ever held anything must be listed). Used by integration tests and the stateful
 * invariant suite. Each check throws an assertion error naming its invariant ID.
 */
import { expect } from "chai";
import type { Ballast } from "./fixtures";

const WAD = 10n ** 18n;

export interface InvariantReport {
  /** H - claims on cash (WAD): the protocol's reserve from interest spread and rounding (INV-02). */
  cashReserve: bigint;
}

/** Checks INV-01, INV-02, INV-03, INV-04, INV-07, INV-10, INV-11 and INV-22 over `accounts`. */
export async function checkInvariants(b: Ballast, accounts: bigint[]): Promise<InvariantReport> {
  const vaultAddress = await b.vault.getAddress();
  const tokenCount = Number(await b.vault.tokenCount());
  const marketCount = Number(await b.engine.marketCount());

  // INV-01: collateral conservation.
  for (let i = 0; i < tokenCount; i++) {
    const token = await b.vault.tokenAt(i);
    let sum = 0n;
    for (const a of accounts) sum += await b.vault.collateralBalanceWad(a, token);
    const held = await b.vault.totalHeldWad(token);
    expect(sum, `INV-01 sum of ${token} balances equals totalHeldWad`).to.equal(held);
    const info = await b.vault.tokenInfo(token);
    const scale = 10n ** (18n - BigInt(info.decimals));
    const bal = await (await import("../../typechain-types")).TestERC20__factory.connect(token, b.deployer).balanceOf(vaultAddress);
    expect(bal * scale >= held, `INV-01 the vault holds at least totalHeldWad of ${token}`).to.equal(true);
  }

  // INV-02: cash conservation. Claims = cash values + position values; position values sum to -sum(totalBasis).
  const cashToken = await b.vault.cashToken();
  const H = await b.vault.totalHeldWad(cashToken);
  let claims = 0n;
  let positive = 0n;
  let negative = 0n;
  for (const a of accounts) {
    const c = await b.vault.cashBalance(a);
    claims += c;
    if (c > 0n) positive += c;
    else negative -= c;
  }
  for (let m = 0; m < marketCount; m++) claims -= (await b.engine.marketView(m)).totalBasis;
  expect(claims <= H, "INV-02 claims on cash never exceed the cash held").to.equal(true);
  const cashBal = await (await import("../../typechain-types")).TestERC20__factory.connect(cashToken, b.deployer).balanceOf(vaultAddress);
  const cashScale =
    10n ** (18n - BigInt(await (await import("../../typechain-types")).TestERC20__factory.connect(cashToken, b.deployer).decimals()));
  expect(cashBal * cashScale >= H, "INV-02 the vault holds at least H cash tokens").to.equal(true);

  // INV-03: principal totals (values rounded per account, so within one wei per account).
  const [supplyValue, borrowValue] = await b.vault.cashTotals();
  const n = BigInt(accounts.length);
  expect(positive <= supplyValue && supplyValue <= positive + n, "INV-03 supply total matches positive cash").to.equal(true);
  expect(negative >= borrowValue && negative <= borrowValue + n, "INV-03 borrow total matches debt").to.equal(true);

  // INV-07: zero-sum positions; open interest and basis totals.
  for (let m = 0; m < marketCount; m++) {
    let sum = 0n;
    let longs = 0n;
    let basis = 0n;
    for (const a of accounts) {
      const [size, bs] = await b.engine.position(a, m);
      sum += size;
      if (size > 0n) longs += size;
      basis += bs;
    }
    const v = await b.engine.marketView(m);
    expect(sum, `INV-07 sizes in market ${m} sum to zero`).to.equal(0n);
    expect(v.longOpenInterest, `INV-07 long open interest of market ${m}`).to.equal(longs);
    expect(v.totalBasis, `INV-07 total basis of market ${m}`).to.equal(basis);
    // INV-10: effective ratios within bounds.
    expect(v.mmr >= 2n * 10n ** 15n && v.mmr < v.imr && v.imr <= WAD, `INV-10 ratios of market ${m}`).to.equal(true);
  }

  // INV-04 bitmaps and flags, INV-11 isolation, INV-22 frozen iff an auction runs.
  for (const a of accounts) {
    const bits = await b.vault.accountTokens(a);
    for (let i = 0; i < tokenCount; i++) {
      const held = (await b.vault.collateralBalanceWad(a, await b.vault.tokenAt(i))) > 0n;
      expect((BigInt(bits) & (1n << BigInt(i))) !== 0n, `INV-04 token bit ${i} of account ${a}`).to.equal(held);
    }
    const [markets, isolated] = await b.engine.accountInfo(a);
    let count = 0;
    for (let m = 0; m < marketCount; m++) {
      const [size] = await b.engine.position(a, m);
      expect((markets & (1n << BigInt(m))) !== 0n, `INV-04 market bit ${m} of account ${a}`).to.equal(size !== 0n);
      if (size !== 0n) count++;
    }
    const [frozen, hasPositions] = await b.vault.accountStatus(a);
    expect(hasPositions, `INV-04 hasPositions of account ${a}`).to.equal(markets !== 0n);
    if (isolated) expect(count <= 1, `INV-11 isolated account ${a} holds at most one market`).to.equal(true);
    expect(frozen, `INV-22 account ${a} is frozen exactly while its auction runs`).to.equal((await b.auction.auctionOf(a)).active);
  }
  return { cashReserve: H - claims };
}
