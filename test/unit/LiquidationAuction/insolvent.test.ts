import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import { auctionFixture, stakedFixture, stakedPartialFixture, valuation, accountId, WAD, USDC, ETH, type AuctionFixture } from "./helpers";
import { makeOrder, signOrder, trade } from "../../shared/fixtures";
import { FlashLiquidator__factory } from "../../../typechain-types";
import { writeDebtOnly } from "../../shared/debtOnly";
import { take, unitPrice, countedShortfall } from "../../../src/model/auction";
import { addCash, cashValue, socialise, type CashState } from "../../../src/model/cash";
import { mulWadDown, mulWadUp } from "../../../src/model/wad";
import { markedTotalAssets } from "../../../src/model/insurance";

const eventId = (account: bigint, start: bigint) =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [account, start]));

/** Publishes ETH at `price` and BTC (unchanged) at t - 2 and t - 1, then pins the next transaction at t. */
async function pricesAt(f: AuctionFixture, t: number, eth?: bigint): Promise<void> {
  await time.setNextBlockTimestamp(t - 2);
  await (await f.feeds["ETH/USD"].updateAnswer(eth ?? (await f.feeds["ETH/USD"].latestAnswer()))).wait();
  await time.setNextBlockTimestamp(t - 1);
  await (await f.feeds["BTC/USD"].updateAnswer(await f.feeds["BTC/USD"].latestAnswer())).wait();
  await time.setNextBlockTimestamp(t);
}

/** Crashes ETH to `price` and starts alice's auction at the returned time. */
async function insolventAuction(f: AuctionFixture, price = 1900n): Promise<number> {
  const T = (await time.latest()) + 100;
  await pricesAt(f, T, price * 10n ** 8n);
  await f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address));
  return T;
}

/** Every account that can hold cash in these fixtures. */
async function everyone(f: AuctionFixture): Promise<bigint[]> {
  return [...[f.alice, f.bob, f.carol, f.dave, f.erin, f.frank, f.deployer].map((s) => accountId(s.address)), await f.fund.fundAccount()];
}

describe("LiquidationAuction: insolvent accounts, the insurance fund and socialised losses", function () {
  it("an insolvent portfolio goes to a bidder paid by the insurance fund: B = V - insolventBonus * R * min(1, t / insolventDuration)", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f);
    const v = await valuation(f, f.A);
    expect(v.markToMarket < 0n).to.equal(true);
    // Insolvent at its start: the insolvency is recorded at clock 0, so the bonus has grown for all 900 s.
    const B = unitPrice(f.p, 900n, v.markToMarket, v.requirement, 900n);
    expect(B).to.equal(v.markToMarket - mulWadDown(mulWadDown(f.p.insolventBonus, v.requirement), WAD / 2n));
    const k = take(f.p, v, 900n, 900n, WAD);
    expect([k.fraction, k.payment, k.penalty, k.subsidy]).to.deep.equal([WAD, 0n, 0n, -B]);

    const D = accountId(f.dave.address);
    const fundAccount = await f.fund.fundAccount();
    const [aliceCash, daveCash, fundCash] = [
      await f.vault.cashBalance(f.A),
      await f.vault.cashBalance(D),
      await f.vault.cashBalance(fundAccount),
    ];
    const [aliceSize, aliceBasis] = await f.engine.position(f.A, ETH);
    const id = eventId(f.A, BigInt(T));
    await pricesAt(f, T + 900);
    const tx = f.auction.connect(f.dave).bid(f.A, D, WAD, await f.vault.accountNonce(f.A), B, "0x");
    await expect(tx).to.emit(f.auction, "AuctionBid").withArgs(f.A, D, WAD, B, 0n, 0n, 0n, -B, 900n);
    await expect(tx).to.emit(f.auction, "InsuranceDrawn").withArgs(f.A, id, -B);
    await expect(tx).to.emit(f.fund, "LossCovered").withArgs(id, D, -B, -B);
    await expect(tx).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 1, 900n);
    await expect(tx).to.not.emit(f.auction, "BadDebtSocialised");
    // The account is emptied; the bidder holds its portfolio plus the subsidy; the fund paid it.
    expect(await f.vault.cashBalance(f.A)).to.equal(0n);
    expect(await f.engine.position(f.A, ETH)).to.deep.equal([0n, 0n]);
    expect(await f.engine.position(D, ETH)).to.deep.equal([aliceSize, aliceBasis]);
    expect(await f.vault.cashBalance(D)).to.equal(daveCash + aliceCash - B);
    expect(await f.vault.cashBalance(fundAccount)).to.equal(fundCash + B);
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(false);
  });

  it("with an empty fund, the rest of the loss is socialised over all positive cash: the exact balance of everyone affected", async function () {
    const f = await loadFixture(auctionFixture);
    const T = await insolventAuction(f);
    const v = await valuation(f, f.A);
    const B = unitPrice(f.p, 900n, v.markToMarket, v.requirement, 900n);
    const subsidy = -B;
    const D = accountId(f.dave.address);
    const fundAccount = await f.fund.fundAccount();
    const accounts = await everyone(f);
    const before = new Map<bigint, bigint>();
    for (const a of accounts) before.set(a, await f.vault.cashBalance(a));
    // The fund holds only the 21 USDC of trading fees: its cap is 50% of that.
    const fundPays = mulWadDown(before.get(fundAccount)!, f.p.insuranceShare === 0n ? 0n : WAD / 2n);
    expect(fundPays).to.equal((21n * WAD) / 2n);
    const rest = subsidy - fundPays;

    // Reference model: no debt anywhere so far (indices at 1e18, principal = value).
    const [supplyValue] = await f.vault.cashTotals();
    const c: CashState = { supplyIndex: WAD, borrowIndex: WAD, supplyPrincipal: supplyValue, borrowPrincipal: 0n };
    const principal = new Map(before);
    // The bid moves alice's cash to dave, then the fund pays dave, then the rest is socialised and credited to dave.
    principal.set(D, addCash(c, principal.get(D)!, before.get(f.A)!));
    principal.set(f.A, addCash(c, principal.get(f.A)!, -before.get(f.A)!));
    principal.set(fundAccount, addCash(c, principal.get(fundAccount)!, -fundPays));
    principal.set(D, addCash(c, principal.get(D)!, fundPays));
    const indexBefore = c.supplyIndex;
    const socialised = socialise(c, rest);
    expect(socialised).to.equal(rest);
    principal.set(D, addCash(c, principal.get(D)!, rest));

    await pricesAt(f, T + 900);
    const tx = f.auction.connect(f.dave).bid(f.A, D, WAD, await f.vault.accountNonce(f.A), B, "0x");
    await expect(tx)
      .to.emit(f.auction, "BadDebtSocialised")
      .withArgs(f.A, 1n << BigInt(ETH), rest);
    await expect(tx).to.emit(f.vault, "LossSocialised").withArgs(rest, indexBefore, c.supplyIndex);
    await expect(tx)
      .to.emit(f.auction, "InsuranceDrawn")
      .withArgs(f.A, eventId(f.A, BigInt(T)), fundPays);
    for (const a of accounts) {
      expect(await f.vault.cashBalance(a), `account ${a}`).to.equal(cashValue(principal.get(a)!, c));
    }
    // Every positive balance other than dave's lost the same fraction.
    const bob = accountId(f.bob.address);
    expect(await f.vault.cashBalance(bob)).to.equal((before.get(bob)! * c.supplyIndex) / WAD);
    expect(c.supplyIndex < WAD).to.equal(true);
  });

  it("the fund pays at most its per-event cap; the rest is socialised", async function () {
    const f = await loadFixture(stakedFixture);
    await f.fund.setEventCapRatio(WAD / 100n); // 1%
    const T = await insolventAuction(f);
    const v = await valuation(f, f.A);
    const B = unitPrice(f.p, 900n, v.markToMarket, v.requirement, 900n);
    const fundCash = await f.vault.cashBalance(await f.fund.fundAccount());
    const cap = mulWadDown(fundCash, WAD / 100n);
    await pricesAt(f, T + 900);
    const tx = f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, await f.vault.accountNonce(f.A), B, "0x");
    await expect(tx)
      .to.emit(f.auction, "InsuranceDrawn")
      .withArgs(f.A, eventId(f.A, BigInt(T)), cap);
    await expect(tx)
      .to.emit(f.auction, "BadDebtSocialised")
      .withArgs(f.A, 1n << BigInt(ETH), -B - cap);
  });

  /**
   * The solvent curve's line past the floor before INV-26 clamped it at zero: floorPrice * V (rounded up) less
   * (floorPrice * V + insolventBonus * R) * `progress` (WAD share of insolventDuration, rounded down).
   */
  const lineBelowFloor = (f: AuctionFixture, v: { markToMarket: bigint; requirement: bigint }, progress: bigint): bigint => {
    const floorValue = mulWadUp(v.markToMarket, f.p.floorPrice);
    return floorValue - mulWadDown(floorValue + mulWadDown(f.p.insolventBonus, v.requirement), progress);
  };

  /** Runs a solvent auction's clock to `t` with fresh feeds (so every second counts), then pins the next block. */
  async function runClockTo(f: AuctionFixture, T: number, t: bigint): Promise<void> {
    for (let s = 3000; s < Number(t); s += 3000) {
      await pricesAt(f, T + s);
      await f.auction.checkpoint(f.A);
    }
    await pricesAt(f, T + Number(t));
  }

  it("INV-24 (review 5, I-3) a partial insolvent bid settles its fraction of the recorded bad debt, not its bonus-inflated subsidy: the rest stays marked on the fund", async function () {
    const f = await loadFixture(stakedPartialFixture);
    const T = await insolventAuction(f);
    const atStart = await valuation(f, f.A);
    const record = -atStart.markToMarket;
    expect(await f.auction.pendingBadDebt()).to.equal(record);
    await pricesAt(f, T + 900);
    const v = await valuation(f, f.A);
    const fraction = (9n * WAD) / 10n; // 90 %
    const k = take(f.p, v, 900n, 900n, fraction);
    const settled = mulWadDown(record, fraction);
    // The subsidy carries half the insolvent bonus, so it exceeds the share of the record the bid takes: settling
    // min(record, subsidy), as before the fix, would have cleared the record's whole remaining tenth.
    expect(k.subsidy > settled).to.equal(true);
    expect(k.subsidy >= record).to.equal(false);
    await (await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), fraction, await f.vault.accountNonce(f.A), 0n, "0x")).wait();
    expect((await f.auction.auctionOf(f.A)).active).to.equal(true);
    expect(await f.auction.pendingBadDebt()).to.equal(record - settled);
    // The fund's share price still marks the unpaid tenth (rounded up to whole cash units).
    const fundAccount = await f.fund.fundAccount();
    const cashAndIdle =
      (await f.vault.balanceOf(fundAccount, await f.cash.getAddress())) + (await f.cash.balanceOf(await f.fund.getAddress()));
    expect(await f.fund.totalAssets()).to.equal(markedTotalAssets(cashAndIdle, record - settled, 6));
    // The last bid takes the rest and settles what is left of the record.
    await (await f.auction.connect(f.erin).bid(f.A, accountId(f.erin.address), WAD, await f.vault.accountNonce(f.A), 0n, "0x")).wait();
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
    expect(await f.auction.pendingBadDebt()).to.equal(0n);
  });

  it("INV-24 (review of the I-3 fix) an insolvent bid that would leave a remainder below dustMargin takes the whole portfolio, so no dust keeps bad debt pending", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f);
    await pricesAt(f, T + 900);
    const v = await valuation(f, f.A);
    const requested = WAD - 1n;
    expect(mulWadDown(v.requirement, WAD - requested) < f.p.dustMargin).to.equal(true);
    const k = take(f.p, v, 900n, 900n, requested);
    expect(k.fraction).to.equal(WAD);
    const D = accountId(f.dave.address);
    const [aliceSize, aliceBasis] = await f.engine.position(f.A, ETH);
    const tx = f.auction.connect(f.dave).bid(f.A, D, requested, await f.vault.accountNonce(f.A), 0n, "0x");
    await expect(tx).to.emit(f.auction, "AuctionBid").withArgs(f.A, D, WAD, k.unitPrice, 0n, 0n, 0n, k.subsidy, 900n);
    await expect(tx).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 1, 900n);
    expect(await f.engine.position(D, ETH)).to.deep.equal([aliceSize, aliceBasis]);
    expect(await f.auction.pendingBadDebt()).to.equal(0n);
    expect((await f.fund.maxDeposit(f.erin.address)) > 0n).to.equal(true);
  });

  it("INV-20 (review 6, M-1) a start at a crash base fee cannot tip away all of V: the account stays solvent, no insolvency is recorded and the fund pays no bonus", async function () {
    const f = await loadFixture(stakedFixture);
    const T = (await time.latest()) + 100;
    await pricesAt(f, T, 2005n * 10n ** 8n);
    const v = await valuation(f, f.A);
    expect([v.markToMarket, v.requirement]).to.deep.equal([35n * WAD, 6015n * 10n ** 17n]);
    // At 1,000 gwei the flat part alone is 5 x 10 = 50 USDC: before the fix the tip took all of V = 35, leaving V = 0,
    // and a checkpoint then recorded insolvency, so the fund paid the insolvent bonus to whoever bid.
    await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", [ethers.toQuantity(1_000n * 10n ** 9n)]);
    const start = f.auction
      .connect(f.carol)
      .startAuction(f.A, accountId(f.carol.address), { maxFeePerGas: 2_000n * 10n ** 9n, maxPriorityFeePerGas: 0n });
    const tipPaid = mulWadDown(f.p.penaltyRate, v.markToMarket); // 10 % of V = 3.5
    await expect(start).to.emit(f.vault, "LiquidationStarted").withArgs(f.A, accountId(f.carol.address), tipPaid);
    expect((await valuation(f, f.A)).markToMarket).to.equal(v.markToMarket - tipPaid);
    await pricesAt(f, T + 600);
    await expect(f.auction.checkpoint(f.A)).to.not.emit(f.auction, "AuctionInsolvencyRecorded");
    await pricesAt(f, T + 1500);
    const q = await f.auction.quote(f.A);
    expect(q.unitPrice >= 0n).to.equal(true);
    const fundAccount = await f.fund.fundAccount();
    const fundCash = await f.vault.cashBalance(fundAccount);
    await (await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, q.nonce, q.unitPrice, "0x")).wait();
    expect((await f.vault.cashBalance(fundAccount)) >= fundCash).to.equal(true);
  });

  it("INV-26 a solvent auction past its floor stops at a zero price: the bidder takes the portfolio for nothing and the insurance fund pays nothing", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f, 2050n);
    const v = await valuation(f, f.A);
    expect(v.markToMarket > 0n).to.equal(true);
    const t = f.p.fastDuration + f.p.slowDuration + (f.p.insolventDuration * 9n) / 10n;
    // The curve before the 5 December 2026 fix: it crossed zero here, and the fund paid the bidder a subsidy.
    expect(lineBelowFloor(f, v, (9n * WAD) / 10n) < 0n).to.equal(true);
    expect(unitPrice(f.p, t, v.markToMarket, v.requirement, 0n)).to.equal(0n);
    await runClockTo(f, T, t);
    const fundAccount = await f.fund.fundAccount();
    const fundBefore = await f.vault.cashBalance(fundAccount);
    const [supplyBefore] = await f.vault.cashIndices();
    const D = accountId(f.dave.address);
    const tx = f.auction.connect(f.dave).bid(f.A, D, WAD, await f.vault.accountNonce(f.A), 0n, "0x");
    await expect(tx).to.emit(f.auction, "AuctionBid").withArgs(f.A, D, WAD, 0n, 0n, 0n, 0n, 0n, t);
    await expect(tx).to.not.emit(f.auction, "InsuranceDrawn");
    expect(await f.vault.cashBalance(fundAccount)).to.equal(fundBefore);
    expect((await f.vault.cashIndices())[0]).to.equal(supplyBefore);
  });

  it("a solvent auction past its floor falls from floorPrice * V along the insolvent slope until it reaches zero", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f, 2050n);
    const v = await valuation(f, f.A);
    const t = f.p.fastDuration + f.p.slowDuration + f.p.insolventDuration / 10n;
    const B = lineBelowFloor(f, v, WAD / 10n);
    expect(B > 0n).to.equal(true);
    expect(unitPrice(f.p, t, v.markToMarket, v.requirement, 0n)).to.equal(B);
    await runClockTo(f, T, t);
    await ethers.provider.send("evm_mine", []);
    expect((await f.auction.quote(f.A)).unitPrice).to.equal(B);
  });

  it("INV-27 an auction that starts insolvent records its insolvency at clock 0 (AuctionInsolvencyRecorded) and quotes it", async function () {
    const f = await loadFixture(stakedFixture);
    const T = (await time.latest()) + 100;
    await pricesAt(f, T, 1900n * 10n ** 8n);
    const tx = f.auction.connect(f.carol).startAuction(f.A, accountId(f.carol.address));
    await expect(tx).to.emit(f.auction, "AuctionInsolvencyRecorded").withArgs(f.A, 0n);
    const q = await f.auction.quote(f.A);
    expect([q.insolvencyRecorded, q.insolventSince]).to.deep.equal([true, 0n]);
  });

  it("INV-27 (review R3-1) a solvent auction that crosses V = 0 late gets no bonus until a checkpoint records the insolvency; the bonus then grows from that clock reading", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f, 2050n);
    expect((await valuation(f, f.A)).markToMarket > 0n).to.equal(true);
    const q0 = await f.auction.quote(f.A);
    expect([q0.insolvencyRecorded, q0.insolventSince]).to.deep.equal([false, 0n]);
    // The whole curve runs out at a zero price (INV-26), then ETH falls and V crosses zero.
    const end = f.p.fastDuration + f.p.slowDuration + f.p.insolventDuration;
    await runClockTo(f, T, end);
    await f.auction.checkpoint(f.A);
    await pricesAt(f, T + Number(end) + 60, 1900n * 10n ** 8n);
    await ethers.provider.send("evm_mine", []);
    const v = await valuation(f, f.A);
    expect(v.markToMarket < 0n).to.equal(true);
    // Before the fix the price jumped at once to V - insolventBonus * R (the whole bonus for any deficit).
    const q1 = await f.auction.quote(f.A);
    expect(q1.elapsed).to.equal(end + 60n);
    expect([q1.insolvencyRecorded, q1.unitPrice]).to.deep.equal([false, v.markToMarket]);
    expect(unitPrice(f.p, q1.elapsed, v.markToMarket, v.requirement, q1.elapsed) < v.markToMarket).to.equal(true);
    // Anyone records it; the clock reading is the checkpoint's.
    await time.setNextBlockTimestamp(T + Number(end) + 61);
    await expect(f.auction.connect(f.erin).checkpoint(f.A))
      .to.emit(f.auction, "AuctionInsolvencyRecorded")
      .withArgs(f.A, end + 61n);
    // A second checkpoint records nothing more.
    await time.setNextBlockTimestamp(T + Number(end) + 62);
    await expect(f.auction.checkpoint(f.A)).to.not.emit(f.auction, "AuctionInsolvencyRecorded");
    // 600 s later the bonus has grown for 600 s, not for the whole clock.
    await pricesAt(f, T + Number(end) + 661);
    await ethers.provider.send("evm_mine", []);
    const v2 = await valuation(f, f.A);
    const q2 = await f.auction.quote(f.A);
    expect([q2.insolvencyRecorded, q2.insolventSince, q2.elapsed]).to.deep.equal([true, end + 61n, end + 661n]);
    const bonus = mulWadDown(f.p.insolventBonus, v2.requirement);
    expect(q2.unitPrice).to.equal(v2.markToMarket - mulWadDown(bonus, (600n * WAD) / f.p.insolventDuration));
    expect(q2.unitPrice).to.equal(unitPrice(f.p, q2.elapsed, v2.markToMarket, v2.requirement, 600n));
  });

  it("INV-27 (review 4, M-1) a checkpoint at valid prices clears the record once V > 0 again, so a later crossing starts the bonus from zero", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f); // insolvent at its start: recorded at 0
    await pricesAt(f, T + 600, 2050n * 10n ** 8n);
    expect((await valuation(f, f.A)).markToMarket > 0n).to.equal(true);
    await expect(f.auction.connect(f.erin).checkpoint(f.A)).to.emit(f.auction, "AuctionInsolvencyCleared").withArgs(f.A, 600n);
    // V crosses zero again 600 s later: no record, so no bonus (before the clear it would have grown for 1,200 s).
    await pricesAt(f, T + 1200, 1900n * 10n ** 8n);
    await ethers.provider.send("evm_mine", []);
    const v = await valuation(f, f.A);
    const q = await f.auction.quote(f.A);
    expect([q.insolvencyRecorded, q.unitPrice]).to.deep.equal([false, v.markToMarket]);
  });

  it("INV-27 (review 4, L-1) a restart waits until a late record's bonus has grown fully: AuctionNotStalled(account, elapsed, record + insolventDuration)", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f, 2050n);
    const solventEnd = f.p.fastDuration + f.p.slowDuration;
    const late = solventEnd + f.p.insolventDuration - 600n;
    await runClockTo(f, T, late);
    await f.auction.checkpoint(f.A);
    // ETH falls: the insolvency is recorded 600 s before the curve's old end.
    await pricesAt(f, T + Number(late) + 60, 1900n * 10n ** 8n);
    await expect(f.auction.checkpoint(f.A))
      .to.emit(f.auction, "AuctionInsolvencyRecorded")
      .withArgs(f.A, late + 60n);
    const required = late + 60n + f.p.insolventDuration;
    const t = solventEnd + f.p.insolventDuration + 60n; // past the old requirement
    await pricesAt(f, T + Number(t));
    await expect(f.auction.restartAuction(f.A)).to.be.revertedWithCustomError(f.auction, "AuctionNotStalled").withArgs(f.A, t, required);
  });

  it("INV-27 a checkpoint at an invalid price advances what it can, does not revert and records no insolvency", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f, 2050n);
    // ETH falls to an insolvent level, then its feed goes stale (no update for longer than the heartbeat).
    await pricesAt(f, T + 60, 1900n * 10n ** 8n);
    await f.auction.checkpoint(f.A);
    await time.increase(3 * 86_400);
    await expect(f.auction.checkpoint(f.A)).to.not.emit(f.auction, "AuctionInsolvencyRecorded");
    expect((await f.auction.auctionOf(f.A)).active).to.equal(true);
  });

  it("INV-27 an ended auction's insolvency record does not carry over to the account's next auction", async function () {
    const f = await loadFixture(stakedFixture);
    const T = await insolventAuction(f);
    // The insolvent auction is emptied by a bid: its record (clock 0) goes with it.
    await pricesAt(f, T + 900);
    const q = await f.auction.quote(f.A);
    await (await f.auction.connect(f.dave).bid(f.A, accountId(f.dave.address), WAD, q.nonce, q.unitPrice, "0x")).wait();
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
    // The quote shows the stored record even without a running auction: none is left for alice's next auction.
    const after = await f.auction.quote(f.A);
    expect([after.active, after.insolvencyRecorded, after.insolventSince]).to.deep.equal([false, false, 0n]);
  });

  it("INV-30 an insolvent account cannot close out into a debt-only account: the fill reverts and its auction gets the whole portfolio", async function () {
    const f = await loadFixture(stakedFixture);
    const T = (await time.latest()) + 100;
    await pricesAt(f, T, 1900n * 10n ** 8n);
    // alice (long 10 from 3,000) would end with her cash - 11,000 realised - 9.5 taker fee (0.05% of 19,000).
    const cash = await f.vault.cashBalance(f.A);
    await expect(trade(f, f.bob, f.alice, "ETH-PERP", 10n * WAD, 1900n * WAD))
      .to.be.revertedWithCustomError(f.engine, "EngineInsufficientMargin")
      .withArgs(f.A, cash - 11_000n * WAD - mulWadUp(19_000n * WAD, 5n * 10n ** 14n), 0n);
    expect(await f.engine.position(f.A, ETH)).to.deep.equal([10n * WAD, 30_000n * WAD]);
  });

  it("terminateAuction still resolves an account left with nothing but debt (defence in depth; the state is written directly): the fund covers it", async function () {
    const f = await loadFixture(stakedFixture);
    // carol: 1,000 of cash and nothing else; 2,000 of loss written in as the pre-INV-30 close-out did (bob gains it).
    const C = accountId(f.carol.address);
    const B = accountId(f.bob.address);
    const bobCash = await f.vault.cashBalance(B);
    await writeDebtOnly(f.vault, C, B, 2_000n * WAD);
    expect(await f.vault.cashBalance(C)).to.equal(-1_000n * WAD);
    expect(await f.vault.cashBalance(B)).to.equal(bobCash + 2_000n * WAD);
    const D = accountId(f.dave.address);
    const start = await f.auction.connect(f.dave).startAuction(C, D);
    // An insolvent account pays no tip (INV-20); the debt has accrued interest since it was written.
    const debt = -(await f.vault.cashBalance(C));
    expect(debt > 1_000n * WAD).to.equal(true);
    await expect(start).to.emit(f.auction, "AuctionStarted").withArgs(C, f.dave.address, D, 0n, -debt, 0n, -debt, countedShortfall(debt));
    const record = await f.auction.auctionOf(C);
    expect([record.multi, record.badDebtRecorded, record.market]).to.deep.equal([false, true, 255n]); // no market held
    const t0 = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
    const end = await f.auction.terminateAuction(C);
    const events = (await end.wait())!.logs.map((l) => f.auction.interface.parseLog(l));
    const drawn = events.find((e) => e?.name === "InsuranceDrawn")!;
    expect([drawn.args.account, drawn.args.eventId]).to.deep.equal([C, eventId(C, t0)]);
    // The fund pays the debt at the termination's block (one more second of interest) in whole USDC units; the part
    // below one unit (1e12 WAD) is socialised.
    expect(drawn.args.amount >= debt).to.equal(true);
    await expect(end).to.emit(f.auction, "AuctionEnded");
    const social = events.find((e) => e?.name === "BadDebtSocialised");
    expect(social == null || social.args.amount < 10n ** 12n, "only what is below one USDC unit is socialised").to.equal(true);
    expect(await f.vault.cashBalance(C)).to.equal(0n);
    await expect(end)
      .to.emit(f.fund, "LossCovered")
      .withArgs(
        eventId(C, t0),
        C,
        (requested: bigint) => requested >= debt && requested - drawn.args.amount < 10n ** 12n,
        drawn.args.amount,
      );
    expect((await f.vault.accountStatus(C)).frozen).to.equal(false);
  });

  for (const [label, fraction] of [
    ["the whole", WAD],
    ["half of an", WAD / 2n],
  ] as const) {
    it(`INV-30 (review of the H-1 fix, M-1) a capital-free liquidator takes ${label} insolvent portfolio: the subsidy reaches it before its callback, so its hedge leaves it solvent and the bid succeeds`, async function () {
      const f = await loadFixture(stakedPartialFixture);
      const T = await insolventAuction(f);
      const liq = await new FlashLiquidator__factory(f.dave).deploy(
        f.dave.address,
        await f.auction.getAddress(),
        await f.venue.getAddress(),
        await f.vault.getAddress(),
      );
      const L = await liq.account();
      // bob bids for what the liquidator receives of alice's 10 ETH at the index (1,900); it sells to him in its callback.
      const size = (10n * WAD * fraction) / WAD;
      const order = await makeOrder({
        account: accountId(f.bob.address),
        marketId: ETH,
        size,
        limitPrice: 1900n * WAD,
        signer: f.bob.address,
        salt: 7n,
      });
      const hedge = { order, signature: await signOrder(f, f.bob, order), fillSize: size, takerPriceLimit: 1900n * WAD };
      await pricesAt(f, T + 900);
      const v = await valuation(f, f.A);
      const k = take(f.p, v, 900n, 900n, fraction);
      // Holding its share of alice's portfolio alone (f x E < 0), the hedge would leave the liquidator with negative equity.
      expect(v.equity < 0n && k.subsidy > -mulWadDown(v.equity, fraction)).to.equal(true);
      const aliceCash = await f.vault.cashBalance(f.A);
      const tx = await liq.connect(f.dave).liquidate(f.A, fraction, await f.vault.accountNonce(f.A), 10n ** 30n, [hedge]);
      const logs = (await tx.wait())!.logs;
      await expect(tx).to.emit(f.auction, "AuctionBid").withArgs(f.A, L, fraction, k.unitPrice, 0n, 0n, 0n, k.subsidy, 900n);
      const fill = logs.map((l) => f.engine.interface.parseLog(l)).find((e) => e?.name === "TradeSettled")!;
      // Flat, with its share of alice's cash, the subsidy, the hedge's realised PnL and less its taker fee (0.05%).
      expect(await f.engine.position(L, ETH)).to.deep.equal([0n, 0n]);
      const fee = mulWadUp(mulWadUp(size, 1900n * WAD), 5n * 10n ** 14n);
      const cash = mulWadDown(aliceCash, fraction) + k.subsidy + fill.args.takerRealisedPnl - fee;
      expect(await f.vault.cashBalance(L)).to.equal(cash);
      expect(cash > 0n).to.equal(true);
    });
  }
});
