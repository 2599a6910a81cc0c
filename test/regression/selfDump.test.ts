/**
 * Issue #11 class 1: self-dump through the risk-reduction exception.
 *
 * The attack: an account below maintenance margin sells its position to a sibling account of the same owner at a
 * price far below the mark (inside the fill band). The fill strictly reduces risk, and its loss against the mark is
 * covered by the maintenance margin it releases, so the strict risk-reduction exception used to accept it: the
 * sibling gains almost the whole maintenance margin at the mark, the debt stays behind in the dumped account, and the
 * insurance fund pays it when that account is liquidated insolvent. Stop level 1 (no new auctions) does not stop it.
 *
 * The rule now (MarginEngine._checkAfterTrade, docs/THREAT_MODEL.md "Issue #11"): a risk-reducing fill that leaves
 * an account below initial margin must not lower its surplus over maintenance at the mark, and when the account ends
 * below maintenance margin the fill's price must be no worse than the mark for it (pnl at the mark >= 0; only the
 * venue fee leaves). Property: no fill by an account below maintenance lowers (equity - MM) at the mark, nor, when
 * the account stays below maintenance, its equity at the mark by more than its fee.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { deployBallast, fund, trade, accountId, setPrice, WAD, type Ballast } from "../shared/fixtures";
import { countCases, fuzz, prop, runsFor, timeoutFor } from "../shared/fuzz";
import { mulWadUp } from "../../src/model/wad";

const USDC = 10n ** 6n;
const TAKER_FEE_RATE = 5n * 10n ** 14n; // 0.05% (deploy/parameters/hardhat.json)
const MMR = 3n * 10n ** 16n; // ETH-PERP maintenance ratio 3%
const MARK = 2900n * WAD; // the ETH index after the drop [wad]
const FILE = "test/regression/selfDump.test.ts";

/**
 * alice's account 0 is long 1 ETH from 3,000 with 160 USDC; ETH falls to 2,900: equity 58.5 (158.5 cash - 100
 * loss), maintenance 87 (3% of 2,900): below maintenance, solvent. Her sibling account 1 holds 10,000 USDC. The mark
 * is refreshed (updateMarket), so the fills below are checked against 2,900.
 */
async function belowMaintenanceFixture() {
  const b = await deployBallast();
  await time.increaseTo((Math.floor((await time.latest()) / 3600) + 1) * 3600 + 10);
  for (const feed of Object.values(b.feeds)) await (await feed.updateAnswer(await feed.latestAnswer())).wait();
  const [alice, bob] = b.users;
  const A0 = accountId(alice.address, 0);
  const A1 = accountId(alice.address, 1);
  const B = accountId(bob.address);
  await fund(b, bob, "USDC", 100_000n * USDC);
  await fund(b, alice, "USDC", 160n * USDC, A0);
  await fund(b, alice, "USDC", 10_000n * USDC, A1);
  // bob sells 1 ETH at 3,000; alice (taker, fee 1.5) buys into account 0.
  await (await trade(b, bob, alice, "ETH-PERP", -WAD, 3000n * WAD, { takerAccount: A0 })).wait();
  await setPrice(b, "ETH/USD", 2900);
  await (await b.engine.updateMarket(b.markets["ETH-PERP"])).wait();
  return { b, alice, bob, A0, A1, B };
}

/** Equity minus maintenance margin of `account` at the oracle price (the mark just cached). */
async function surplus(b: Ballast, account: bigint): Promise<{ equity: bigint; surplus: bigint }> {
  const s = await b.engine.accountMargin(account);
  return { equity: s.equity, surplus: s.equity - s.maintenanceMargin };
}

describe("Issue #11 class 1: self-dump through the risk-reduction exception", function () {
  it("the fixture's account is below maintenance margin but solvent", async function () {
    const { b, A0 } = await loadFixture(belowMaintenanceFixture);
    const s = await b.engine.accountMargin(A0);
    expect([s.equity, s.maintenanceMargin, s.liquidatable]).to.deep.equal([(585n * WAD) / 10n, 87n * WAD, true]);
  });

  for (const stopLevel of [0, 1]) {
    it(`class 1 self-dump: dumping half the position to a sibling account 2.9% below the mark reverts EngineLiquidatableFillWorseThanMark, dumping all of it (which would leave debt) reverts EngineInsufficientMargin (INV-30), and nothing changes (stop level ${stopLevel})`, async function () {
      const { b, alice, A0, A1 } = await loadFixture(belowMaintenanceFixture);
      if (stopLevel !== 0) await (await b.auction.setStopLevel(stopLevel)).wait();
      // 2,816: per ETH, a loss of 84 against the mark plus a 1.408 fee, covered by the 87 of maintenance it releases,
      // so the surplus over maintenance does not fall (the old exception accepted it) and the sibling gains 84.
      const price = 2816n * WAD;
      const fee = mulWadUp(price, TAKER_FEE_RATE);
      const released = (MARK * MMR) / WAD;
      expect(-(MARK - price) - fee + released > 0n, "the old exception accepted the dump").to.equal(true);
      const before = [await b.engine.position(A0, 0), await b.engine.position(A1, 0), await b.vault.cashBalance(A0)];
      // Half (0.5 ETH): the account would end solvent (58.5 - 42 - 0.704 = 15.796) but below maintenance (43.5) at
      // a price worse than the mark: class 1's rule. Account 1 (maker, alice signs) buys; account 0 takes (sells).
      await expect(trade(b, alice, alice, "ETH-PERP", WAD / 2n, price, { makerAccount: A1, takerAccount: A0 }))
        .to.be.revertedWithCustomError(b.engine, "EngineLiquidatableFillWorseThanMark")
        .withArgs(A0, price, MARK);
      // All of it: the account would end at 58.5 - 84 - 1.408 = -26.908, in debt: no fill may leave negative equity.
      await expect(trade(b, alice, alice, "ETH-PERP", WAD, price, { makerAccount: A1, takerAccount: A0 }))
        .to.be.revertedWithCustomError(b.engine, "EngineInsufficientMargin")
        .withArgs(A0, -26_908n * 10n ** 15n, 0n);
      expect([await b.engine.position(A0, 0), await b.engine.position(A1, 0), await b.vault.cashBalance(A0)]).to.deep.equal(before);
    });
  }

  it("class 1 self-dump: the account may still reduce at the mark (its equity falls by the fee only)", async function () {
    const { b, alice, A0, A1 } = await loadFixture(belowMaintenanceFixture);
    const before = await surplus(b, A0);
    // account 1 buys 0.1 ETH from account 0 at the mark: fee 0.145, 8.7 of maintenance released; the account stays
    // below maintenance (equity 58.355, maintenance 78.3).
    await (await trade(b, alice, alice, "ETH-PERP", WAD / 10n, MARK, { makerAccount: A1, takerAccount: A0 })).wait();
    const after = await surplus(b, A0);
    const fee = mulWadUp(MARK / 10n, TAKER_FEE_RATE);
    expect(after.equity).to.equal(before.equity - fee);
    expect(after.surplus).to.equal(before.surplus - fee + ((MARK / 10n) * MMR) / WAD);
    expect((await b.engine.accountMargin(A0)).liquidatable).to.equal(true);
  });

  it("class 1 property: no fill by an account below maintenance lowers (equity - MM) at the mark, nor, when it stays below maintenance, its equity by more than its fee, at any stop level 0-1", async function () {
    const runs = runsFor(25);
    this.timeout(timeoutFor(runs, 1500));
    const name = this.test!.title;
    await fuzz(
      { name, suite: "selfDump", runs: 25, file: FILE },
      prop(
        [
          fc.bigInt({ min: 1n, max: WAD }), // size sold by account 0 [wad]
          fc.bigInt({ min: -(MARK / 20n), max: MARK / 20n }), // fill price - mark [wad], inside the 5% band
          fc.boolean(), // counterparty: the sibling (true) or bob
          fc.constantFrom(0, 1), // auction stop level
        ],
        async (size, offset, sibling, stopLevel) => {
          const { b, alice, bob, A0, A1 } = await loadFixture(belowMaintenanceFixture);
          if (stopLevel !== 0) await (await b.auction.setStopLevel(stopLevel)).wait();
          countCases();
          const price = MARK + offset;
          const before = await surplus(b, A0);
          expect(before.surplus < 0n, "below maintenance before the fill").to.equal(true);
          const maker = sibling ? alice : bob;
          const makerAccount = sibling ? A1 : accountId(bob.address);
          let passed = true;
          try {
            await (await trade(b, maker, alice, "ETH-PERP", size, price, { makerAccount, takerAccount: A0 })).wait();
          } catch {
            passed = false;
          }
          const after = await surplus(b, A0);
          if (!passed) {
            expect(after, "a refused fill changes nothing").to.deep.equal(before);
            return;
          }
          const fee = mulWadUp(mulWadUp(size, price), TAKER_FEE_RATE);
          expect(after.surplus >= before.surplus, "(equity - MM) at the mark did not fall").to.equal(true);
          if (after.surplus < 0n) {
            // Still below maintenance: the fill was at the mark or better, so only the fee left.
            expect(after.equity >= before.equity - fee, "below maintenance: equity at the mark fell by at most the fee").to.equal(true);
          }
        },
      ),
    );
  });

  it("INV-30 property: an account from just below maintenance to deep insolvency, selling any part of its position at any price in the band, ends with equity >= 0 or the fill reverts and changes nothing; a fill at the mark or better that leaves equity > 0 passes", async function () {
    const runs = runsFor(25);
    this.timeout(timeoutFor(runs, 1500));
    const name = this.test!.title;
    await fuzz(
      { name, suite: "selfDump", runs: 25, file: FILE },
      prop(
        [
          fc.integer({ min: 0, max: 120 }), // further ETH drop from 2,900 [USD]: past 58.5 the account is insolvent
          fc.bigInt({ min: 1n, max: WAD }), // size sold by account 0 [wad]
          fc.integer({ min: -500, max: 500 }), // fill price - mark [basis points of the mark], inside the 5% band
          fc.boolean(), // counterparty: the sibling (true) or bob
        ],
        async (drop, size, offsetBps, sibling) => {
          const { b, alice, bob, A0, A1 } = await loadFixture(belowMaintenanceFixture);
          const mark = MARK - BigInt(drop) * WAD;
          if (drop > 0) {
            await setPrice(b, "ETH/USD", 2900 - drop);
            await (await b.engine.updateMarket(b.markets["ETH-PERP"])).wait();
          }
          countCases();
          const price = mark + (mark * BigInt(offsetBps)) / 10_000n;
          const before = await b.engine.accountMargin(A0);
          const maker = sibling ? alice : bob;
          const makerAccount = sibling ? A1 : accountId(bob.address);
          // Selling `size` at `price` moves equity at the mark by size x (price - mark) - fee (to a wei or two).
          const fee = mulWadUp(mulWadUp(size, price), TAKER_FEE_RATE);
          const estimate = before.equity + (size * (price - mark)) / WAD - fee;
          let passed = true;
          try {
            await (await trade(b, maker, alice, "ETH-PERP", size, price, { makerAccount, takerAccount: A0 })).wait();
          } catch {
            passed = false;
          }
          const after = await b.engine.accountMargin(A0);
          if (!passed) {
            expect(after.equity, "a refused fill changes nothing").to.equal(before.equity);
            expect(price >= mark && estimate > 2n, "a fill at the mark or better leaving equity > 0 was refused").to.equal(false);
            return;
          }
          expect(after.equity >= 0n, "INV-30 the fill left the account with negative equity").to.equal(true);
          expect(estimate >= -2n, "a fill leaving negative equity passed").to.equal(true);
        },
      ),
    );
  });
});
