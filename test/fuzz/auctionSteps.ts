/**
 * Liquidation-auction steps checked against the reference model, shared by the auction fuzz suite and the
 * stateful invariant suite: start, bid, terminate, restart, checkpoint. Each step reads the protocol's state for
 * the next block, predicts the outcome with the model (src/model/protocol.ts, auction.ts, insurance.ts) and checks
 * the transaction's events and the new state to the wei, plus the transition invariants it can break:
 * INV-14 (a bad price reverts, never liquidates), INV-17 (losses borne in order; amounts add up), INV-18 (a bid
 * never lowers the health factor), INV-19 (bidders stay at or above initial margin), INV-20 (tip bound), INV-21
 * (breakers within caps at start), INV-22 (frozen while running), INV-23 (clock), INV-25 (maximum bid).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import * as M from "../../src/model";
import { accountId } from "../shared/fixtures";
import { accountInput, readSnapshot } from "../shared/snapshot";
import { ViewBatch } from "../shared/viewBatch";
import { equal } from "../shared/assert";
import type { FuzzProtocol } from "./fixtures";
import type { Runner } from "./portfolio";

const WAD = M.WAD;

/** What the book remembers of a running auction. */
export interface AuctionEntry {
  startTime: bigint;
  shortfall: bigint;
  /** Markets held at start (bitmap). */
  markets: bigint;
  event: M.EventPayout;
  /** Clock reading [s] at which the account's insolvency was recorded (the bonus grows from there); undefined: none. */
  insolventSince?: bigint;
}

/**
 * The book's record of an auction (re)started at `now`: its shortfall and markets, no insurance paid yet, and its
 * insolvency recorded at clock 0 when it (re)starts with V <= 0 (INV-27).
 */
function newEntry(now: bigint, shortfall: bigint, markets: bigint, v: M.Valuation): AuctionEntry {
  return { startTime: now, shortfall, markets, event: { cap: 0n, paid: 0n }, insolventSince: v.markToMarket <= 0n ? 0n : undefined };
}

/** Outcome of a step, for logs and statistics. */
export type StepOutcome = { kind: "reverted"; error: string } | { kind: "ok"; detail: string };

/** The views an auction clock's input needs, queued on a batch (test/shared/viewBatch.ts). */
export interface QueuedClockInput {
  /** The clock input of an account with market bitmap `bits` and token bitmap `tokens` (after the batch ran). */
  input(bits: bigint, tokens: bigint): M.ClockInput;
}

/**
 * Queues on `batch` the views LiquidationAuction._clockInput reads (stop level, halt end, every asset's price
 * validity, the sequencer); `input` then combines those of the account's assets, as the contract does.
 */
export function queueClockInput(f: FuzzProtocol, batch: ViewBatch): QueuedClockInput {
  const stopLevel = batch.add<bigint>(f.auction, "stopLevel");
  const haltEndedAt = batch.add<bigint>(f.auction, "haltEndedAt");
  const validity = new Map<string, () => [boolean, bigint, bigint]>();
  for (const asset of [...f.d.marketAssets, ...f.d.tokenAssets])
    if (!validity.has(asset)) validity.set(asset, batch.add<[boolean, bigint, bigint]>(f.oracle, "priceValidity", [asset]));
  const sequencer = batch.add<[boolean, boolean, bigint, bigint]>(f.oracle, "sequencerState");
  return {
    input(bits: bigint, tokens: bigint): M.ClockInput {
      const assets: string[] = [];
      for (let id = 0; id < f.d.marketAssets.length; id++) if ((bits & (1n << BigInt(id))) !== 0n) assets.push(f.d.marketAssets[id]);
      for (let i = 0; i < f.d.tokenAssets.length; i++) if ((tokens & (1n << BigInt(i))) !== 0n) assets.push(f.d.tokenAssets[i]);
      const x: M.ClockInput = {
        valid: true,
        feedsSince: 0n,
        feedsUntil: M.MAX_UINT256,
        sequencerConfigured: false,
        sequencerUp: true,
        sequencerChangedAt: 0n,
        sequencerGrace: 0n,
        halted: stopLevel() === 3n,
        haltEndedAt: haltEndedAt(),
      };
      for (const asset of assets) {
        const [ok, since, until] = validity.get(asset)!();
        x.valid = x.valid && ok;
        x.feedsSince = M.max(x.feedsSince, since);
        x.feedsUntil = M.min(x.feedsUntil, until);
      }
      [x.sequencerConfigured, x.sequencerUp, x.sequencerChangedAt, x.sequencerGrace] = sequencer();
      return x;
    },
  };
}

/** The stopped clock's input in the pending block, as LiquidationAuction._clockInput reads it (one eth_call). */
export async function clockInput(f: FuzzProtocol, account: bigint, blockTag = "pending"): Promise<M.ClockInput> {
  const batch = new ViewBatch(f.d.lens);
  const info = batch.add<[bigint, boolean]>(f.engine, "accountInfo", [account]);
  const tokens = batch.add<bigint>(f.vault, "accountTokens", [account]);
  const q = queueClockInput(f, batch);
  await batch.run(blockTag);
  return q.input(info()[0], BigInt(tokens()));
}

/** The stored auction of `account` as the model's clock state. */
export async function storedClock(f: FuzzProtocol, account: bigint): Promise<M.ClockState & { startTime: bigint; active: boolean }> {
  const a = await f.auction.auctionOf(account);
  return {
    startTime: a.startTime,
    active: a.active,
    checkpoint: a.checkpoint,
    elapsed: a.elapsed,
    guaranteedUntil: a.guaranteedUntil,
    validAtCheckpoint: a.validAtCheckpoint,
  };
}

/** The parameters `account`'s running auction started with (class 7: fixed at its start), else the current set. */
export async function paramsOf(f: FuzzProtocol, account: bigint): Promise<M.AuctionParams> {
  const active = (await f.auction.auctionOf(account)).active;
  return M.toAuctionParams(active ? await f.auction.auctionParams(account) : await f.auction.params());
}

const eventIdOf = (account: bigint, startTime: bigint) =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [account, startTime]));

type Logs = ReturnType<FuzzProtocol["auction"]["interface"]["parseLog"]>[];

function auctionLogs(f: FuzzProtocol, receipt: { logs: readonly { topics: readonly string[]; data: string }[] }): Logs {
  return receipt.logs.map((l) => f.auction.interface.parseLog(l)).filter((l) => l !== null);
}

/**
 * The running auctions and their insurance events, as the model tracks them; every method performs one step on
 * the chain through `r` (its runner supplies the timeline and the state comparison) and checks it.
 */
export class AuctionBook {
  readonly entries = new Map<bigint, AuctionEntry>();

  constructor(
    readonly f: FuzzProtocol,
    readonly r: Runner,
  ) {}

  /**
   * The auction valuation of `account` in `s`; when a price it needs is invalid, checks that `send` reverts with
   * the oracle's error instead (INV-14: a bad price never liquidates) and returns that outcome.
   */
  private async valueOrOracleRevert(
    s: M.ProtocolSnapshot,
    account: bigint,
    send: () => Promise<unknown>,
    now: bigint,
  ): Promise<M.Valuation | StepOutcome> {
    try {
      return M.auctionValuation(s, account);
    } catch (e) {
      if (!(e instanceof M.OracleInvalid)) throw e;
      await this.r.expectOracleRevert(send, e);
      await this.r.mineAt(now);
      return { kind: "reverted", error: "oracle" };
    }
  }

  /**
   * INV-21 and INV-22 for every tracked account: the running shortfall totals equal the sums over active auctions
   * (globally and per market); an account is frozen exactly while its auction runs.
   */
  async expectBreakers(accounts: bigint[]): Promise<void> {
    const { f } = this;
    const batch = new ViewBatch(f.d.lens);
    const q = this.queueBreakers(batch, accounts);
    await batch.run();
    q();
  }

  /**
   * Queues the views of `expectBreakers` on `batch`. @returns the check (plain assertions naming INV-21 and INV-22),
   * to call after the batch ran.
   */
  queueBreakers(batch: ViewBatch, accounts: bigint[]): () => void {
    const { f } = this;
    const totals = f.d.marketAssets.map((_m, id) => batch.add<[bigint, bigint, bigint, bigint]>(f.auction, "shortfallTotals", [id]));
    const status = accounts.map((a) => batch.add<[boolean, boolean]>(f.vault, "accountStatus", [a]));
    const auctions = accounts.map((a) => batch.add<{ active: boolean }>(f.auction, "auctionOf", [a]));
    return () => {
      let global = 0n;
      const perMarket = new Array<bigint>(f.d.marketAssets.length).fill(0n);
      for (const e of this.entries.values()) {
        global += e.shortfall;
        for (let id = 0; id < perMarket.length; id++) if ((e.markets & (1n << BigInt(id))) !== 0n) perMarket[id] += e.shortfall;
      }
      const [g] = totals[0]();
      equal(g, global, "INV-21 the global running shortfall equals the sum of active auctions' shortfalls");
      for (let id = 0; id < perMarket.length; id++) {
        const [, , m] = totals[id]();
        equal(m, perMarket[id], `INV-21 market ${id}'s running shortfall equals its active auctions' shortfalls`);
      }
      accounts.forEach((a, k) => {
        const [frozen] = status[k]();
        const active = auctions[k]().active;
        equal(active, this.entries.has(a), `the book knows whether ${a}'s auction runs`);
        equal(frozen, active, `INV-22 account ${a} is frozen exactly while its auction runs`);
      });
    };
  }

  /** startAuction(account) by `keeper` at `now` (set by the runner); `watched` accounts are compared after. */
  async start(account: bigint, keeper: HardhatEthersSigner, now: bigint, watched: bigint[]): Promise<StepOutcome> {
    const { f, r } = this;
    const keeperAccount = accountId(keeper.address);
    const all = [...new Set([...watched, account, keeperAccount])];
    const s = await readSnapshot(f.d, all, now);
    const p = M.toAuctionParams(await f.auction.params());
    const send = () => f.auction.connect(keeper).startAuction(account, keeperAccount);
    const fail = async (error: string, ...args: unknown[]): Promise<StepOutcome> => {
      await expect(send(), `startAuction reverts with ${error}`)
        .to.be.revertedWithCustomError(f.auction, error)
        .withArgs(...args);
      await r.mineAt(now);
      return { kind: "reverted", error };
    };
    if ((await f.auction.stopLevel()) >= 1n) return fail("AuctionStopped", await f.auction.stopLevel(), 1);
    if (this.entries.has(account)) return fail("AuctionAlreadyActive", account);
    const v = await this.valueOrOracleRevert(s, account, send, now);
    if ("kind" in v) return v;
    if (v.equity >= v.maintenanceMargin) return fail("AuctionNotLiquidatable", account, v.equity, v.maintenanceMargin);
    const exactShortfall = M.auctionShortfall(v);
    const shortfall = M.countedShortfall(exactShortfall);
    const markets = (await f.engine.accountInfo(account))[0];
    const [global, globalCap] = await f.auction.shortfallTotals(0);
    if (global + shortfall > globalCap) return fail("AuctionGlobalShortfallCapExceeded", globalCap, global + shortfall);
    for (let id = 0; id < f.d.marketAssets.length; id++) {
      if ((markets & (1n << BigInt(id))) === 0n) continue;
      const [, , m, cap] = await f.auction.shortfallTotals(id);
      if (m + shortfall > cap) return fail("AuctionMarketShortfallCapExceeded", id, cap, m + shortfall);
    }
    // The flat part of the tip follows the base fee of the block the start is mined in (tipBaseFee).
    const pending = (await ethers.provider.send("eth_getBlockByNumber", ["pending", false])) as { baseFeePerGas?: string };
    const baseFee = BigInt(pending.baseFeePerGas ?? 0);
    const tip = M.tip(p, exactShortfall, v.requirement, v.markToMarket, baseFee);
    expect(tip <= M.mulWadDown(p.penaltyRate, v.requirement), "INV-20 the tip never exceeds penaltyRate * R").to.equal(true);
    await expect(send())
      .to.emit(f.auction, "AuctionStarted")
      .withArgs(account, keeper.address, keeperAccount, tip, v.equity, v.maintenanceMargin, v.markToMarket, shortfall);
    await r.expectState(M.startLiquidation(s, account, keeperAccount, tip), "startAuction", all);
    this.entries.set(account, newEntry(now, shortfall, markets, v));
    // INV-21: within the caps when it started.
    const [g2, cap2] = await f.auction.shortfallTotals(0);
    expect(g2 <= cap2, "INV-21 the global running shortfall is within its cap when an auction starts").to.equal(true);
    for (let id = 0; id < f.d.marketAssets.length; id++) {
      if ((markets & (1n << BigInt(id))) === 0n) continue;
      const [, , m, cap] = await f.auction.shortfallTotals(id);
      expect(m <= cap, `INV-21 market ${id}'s running shortfall is within its cap when an auction starts`).to.equal(true);
    }
    const c = await storedClock(f, account);
    expect([c.startTime, c.checkpoint, c.elapsed, c.validAtCheckpoint], "a new auction's clock").to.deep.equal([now, now, 0n, true]);
    return { kind: "ok", detail: `tip ${tip}, shortfall ${shortfall}` };
  }

  /**
   * bid(account, bidder, requested) at `now`, with the limit at the model's unit price (or one wei below it when
   * `tooLow`). Returns the outcome.
   */
  async bid(
    account: bigint,
    bidder: HardhatEthersSigner,
    requested: bigint,
    tooLow: boolean,
    now: bigint,
    watched: bigint[],
  ): Promise<StepOutcome> {
    const { f, r } = this;
    const B = accountId(bidder.address);
    const fundAccount = f.feeAccount;
    const all = [...new Set([...watched, account, B, fundAccount])];
    const entry = this.entries.get(account);
    const p = await paramsOf(f, account);
    const s = await readSnapshot(f.d, all, now);
    const nonce = s.accounts.get(account)!.nonce;
    const stored = await storedClock(f, account);
    const fail = async (send: () => Promise<unknown>, error: string, ...args: unknown[]): Promise<StepOutcome> => {
      await expect(send(), `bid reverts with ${error}`)
        .to.be.revertedWithCustomError(f.auction, error)
        .withArgs(...args);
      await r.mineAt(now);
      return { kind: "reverted", error };
    };
    if (!entry) {
      return fail(
        () => f.auction.connect(bidder).bid(account, B, requested, nonce, M.MAX_UINT256 >> 1n, "0x"),
        "AuctionNotActive",
        account,
      );
    }
    if (account === B) {
      return fail(() => f.auction.connect(bidder).bid(account, B, requested, nonce, M.MAX_UINT256 >> 1n, "0x"), "AuctionSelfBid", account);
    }
    const v = await this.valueOrOracleRevert(
      s,
      account,
      () => f.auction.connect(bidder).bid(account, B, requested, nonce, M.MAX_UINT256 >> 1n, "0x"),
      now,
    );
    if ("kind" in v) return v;
    const x = await clockInput(f, account);
    const clock = stored.checkpoint === now ? stored : M.advance(stored, x, now);
    expect(clock.elapsed <= now - stored.startTime, "INV-23 the auction clock never counts more than wall-clock time").to.equal(true);
    const k = M.take(p, v, clock.elapsed, M.insolventElapsedAt(clock.elapsed, entry.insolventSince, v.markToMarket), requested);
    const q = await f.auction.quote(account, { blockTag: "pending" });
    expect(
      [
        q.active,
        q.elapsed,
        q.equity,
        q.maintenanceMargin,
        q.markToMarket,
        q.requirement,
        q.unitPrice,
        q.maxFraction,
        q.nonce,
        q.insolvencyRecorded,
        q.insolventSince,
      ],
      "the auction's quote equals the model",
    ).to.deep.equal([
      true,
      clock.elapsed,
      v.equity,
      v.maintenanceMargin,
      v.markToMarket,
      v.requirement,
      k.unitPrice,
      k.maxFraction,
      nonce,
      entry.insolventSince !== undefined,
      entry.insolventSince ?? 0n,
    ]);
    const limit = tooLow ? k.unitPrice - 1n : k.unitPrice;
    const send = () => f.auction.connect(bidder).bid(account, B, requested, nonce, limit, "0x");
    if (tooLow) return fail(send, "AuctionPriceLimitExceeded", k.unitPrice, limit);
    if (k.fraction === 0n) return fail(send, "AuctionAccountNotRestored", account, v.equity, 0n);
    const moved = M.transferPortfolio(s, account, B, k.fraction, M.bidLegs(k, fundAccount));
    if (moved.revert) {
      await expect(send(), `bid reverts with ${moved.revert.error}`)
        .to.be.revertedWithCustomError(f.vault, moved.revert.error)
        .withArgs(...moved.revert.args);
      await r.mineAt(now);
      return { kind: "reverted", error: moved.revert.error };
    }
    const after = moved.state;
    let cover: M.LossCover | undefined;
    if (k.subsidy !== 0n) cover = M.subsidise(after, fundAccount, B, k.subsidy, entry.event, await f.fund.eventCapRatio());
    // INV-19: the bidder must end at or above initial margin at the bid's prices.
    let bm: M.MarginState;
    try {
      const prices = after.marketOracle.map((x) => x ?? 0n);
      const tokenPrices = after.tokenOracle.map((x) => x ?? 0n);
      bm = M.accountMargin(accountInputOf(after, B, prices, tokenPrices));
    } catch (e) {
      if (!(e instanceof M.OracleInvalid)) throw e;
      await r.expectOracleRevert(send, e);
      await r.mineAt(now);
      return { kind: "reverted", error: "oracle" };
    }
    if (bm.equity < bm.initialMargin) return fail(send, "AuctionBidderBelowInitialMargin", B, bm.equity, bm.initialMargin);

    const va = M.auctionValuation({ ...after, now }, account);
    const target = M.mulWadUp(WAD + p.bufferRatio, va.maintenanceMargin);
    const restored = va.equity >= target;
    const ended = k.fraction === WAD || (k.fraction === k.maxFraction && restored);
    if (ended) after.accounts.get(account)!.frozen = false;
    const receipt = await (await send()).wait();
    const evs = auctionLogs(f, receipt!);
    const bidEv = evs.find((e) => e!.name === "AuctionBid")!;
    expect([...bidEv.args], "AuctionBid states the model's take").to.deep.equal([
      account,
      B,
      k.fraction,
      k.unitPrice,
      k.payment,
      k.penalty,
      k.penaltyToFund,
      k.subsidy,
      clock.elapsed,
    ]);
    await r.expectState(after, `bid of ${k.fraction} on ${account}`, all);

    // INV-17: the fund pays first, within its per-event cap, then the rest is socialised; every part is an event.
    const drawn = evs.find((e) => e!.name === "InsuranceDrawn");
    const social = evs.find((e) => e!.name === "BadDebtSocialised");
    // INV-26: a solvent account (V > 0) is never priced below zero, so its bid draws on no one.
    if (v.markToMarket > 0n) {
      expect(
        [k.unitPrice >= 0n, bidEv.args.subsidy, drawn, social],
        "INV-26 no subsidy, draw or socialised loss while V > 0",
      ).to.deep.equal([true, 0n, undefined, undefined]);
    }
    if (cover) {
      expect(drawn?.args.amount ?? 0n, "INV-17 the fund's payment equals the model's").to.equal(cover.drawn);
      if (drawn) expect(drawn.args.eventId, "INV-17 the payment names its event").to.equal(eventIdOf(account, entry.startTime));
      expect(cover.event.paid <= cover.event.cap, "INV-17 the fund pays at most its per-event cap").to.equal(true);
      expect(social?.args.amount ?? 0n, "INV-17 the socialised rest equals the model's").to.equal(cover.socialised);
      if (social) expect(social.args.markets, "INV-17 the socialised loss names the markets held at start").to.equal(entry.markets);
      expect(cover.drawn + cover.socialised <= k.subsidy, "INV-17 the parts never exceed the subsidy").to.equal(true);
      if (cover.socialised < k.subsidy - cover.drawn) {
        // Only a floored supply index leaves part of a subsidy unpaid.
        expect(cover.socialiseCalled, "INV-17 the fund's shortfall is socialised").to.equal(true);
      }
      entry.event = cover.event;
    } else {
      expect(drawn, "INV-17 no insurance draw without a subsidy").to.equal(undefined);
      expect(social, "INV-17 no socialisation without a subsidy").to.equal(undefined);
    }

    // INV-18: the account's health factor did not fall. A position in profit may keep one wei of size less than
    // exact (size moves away from zero), worth at most its price: slack of P / 1e18 + 1 wei per position.
    let slack = 0n;
    for (const id of M.heldMarkets(s.accounts.get(account)!)) slack += s.marketOracle[id]! / WAD + 1n;
    expect(
      M.healthFactor(va.equity + slack, va.maintenanceMargin) >= M.healthFactor(v.equity, v.maintenanceMargin),
      "INV-18 a bid never lowers the account's health factor",
    ).to.equal(true);
    // INV-19 on the chain's own view.
    const chainBidder = await f.engine.accountMargin(B);
    expect(chainBidder.equity >= chainBidder.initialMargin, "INV-19 no bidder ends below initial margin").to.equal(true);

    // INV-25: a maximum bid restores (1 + bufferRatio) * M or empties the account.
    if (k.fraction === WAD) {
      const left = after.accounts.get(account)!;
      expect(M.heldMarkets(left).length === 0 && left.collateral.every((c) => c === 0n), "INV-25 a full bid empties the account").to.equal(
        true,
      );
    } else if (k.fraction === k.maxFraction) {
      expect(restored, "INV-25 a maximum bid restores the account to (1 + bufferRatio) * M").to.equal(true);
      expect(va.equity >= va.maintenanceMargin, "INV-25 never below maintenance margin when it could be restored").to.equal(true);
    }
    const endEv = evs.find((e) => e!.name === "AuctionEnded");
    expect(endEv !== undefined, "the auction ends exactly when emptied or restored by a maximum bid").to.equal(ended);
    if (ended) {
      expect(endEv!.args.reason, "the auction's end reason").to.equal(k.fraction === WAD ? 1n : 0n);
      this.entries.delete(account);
    }
    return { kind: "ok", detail: `fraction ${k.fraction} at ${k.unitPrice}${ended ? ", ended" : ""}` };
  }

  /** terminateAuction(account) at `now`. */
  async terminate(account: bigint, now: bigint, watched: bigint[]): Promise<StepOutcome> {
    const { f, r } = this;
    const fundAccount = f.feeAccount;
    const all = [...new Set([...watched, account, fundAccount])];
    const s = await readSnapshot(f.d, all, now);
    const entry = this.entries.get(account);
    const send = () => f.auction.terminateAuction(account);
    const fail = async (error: string, ...args: unknown[]): Promise<StepOutcome> => {
      await expect(send(), `terminateAuction reverts with ${error}`)
        .to.be.revertedWithCustomError(f.auction, error)
        .withArgs(...args);
      await r.mineAt(now);
      return { kind: "reverted", error };
    };
    if (!entry) return fail("AuctionNotActive", account);
    const a = s.accounts.get(account)!;
    const debtOnly = M.heldMarkets(a).length === 0 && a.collateral.every((c) => c === 0n) && M.cashValue(a.principal, s.cash) < 0n;
    if (debtOnly) {
      const debt = -M.cashValue(a.principal, s.cash);
      const after = structuredClone(s);
      const cover = M.writeOffDebt(after, fundAccount, account, entry.event, await f.fund.eventCapRatio());
      after.accounts.get(account)!.frozen = false;
      const receipt = await (await send()).wait();
      const evs = auctionLogs(f, receipt!);
      expect(evs.find((e) => e!.name === "InsuranceDrawn")?.args.amount ?? 0n, "INV-17 the fund covers the debt first").to.equal(
        cover.drawn,
      );
      expect(evs.find((e) => e!.name === "BadDebtSocialised")?.args.amount ?? 0n, "INV-17 then the rest is socialised").to.equal(
        cover.socialised,
      );
      // The parts add up to the debt cleared: what is left after the fund's payment is re-expressed as a principal
      // (debts round up), which can add up to borrowIndex / 1e18 + 1 wei.
      const dust = s.cash.borrowIndex / WAD + 2n;
      expect(cover.drawn + cover.socialised <= debt + dust, "INV-17 the parts add up to the debt (up to its rounding)").to.equal(true);
      const left = M.cashValue(after.accounts.get(account)!.principal, after.cash);
      expect(left >= 0n || cover.socialised < debt - cover.drawn, "INV-17 the debt is cleared unless socialisation hit its floor").to.equal(
        true,
      );
      await r.expectState(after, "debt write-off", all);
      this.entries.delete(account);
      return { kind: "ok", detail: `debt ${debt} written off: fund ${cover.drawn}, socialised ${cover.socialised}` };
    }
    const v = await this.valueOrOracleRevert(s, account, send, now);
    if ("kind" in v) return v;
    const p = await paramsOf(f, account);
    const target = M.mulWadUp(WAD + p.bufferRatio, v.maintenanceMargin);
    if (v.equity < target) return fail("AuctionAccountNotRestored", account, v.equity, target);
    await expect(send()).to.emit(f.auction, "AuctionEnded");
    const after = structuredClone(s);
    after.accounts.get(account)!.frozen = false;
    await r.expectState(after, "terminateAuction", all);
    this.entries.delete(account);
    return { kind: "ok", detail: "terminated" };
  }

  /** checkpoint(account) at `now`: the stored clock equals the model's advance (INV-23). */
  async checkpoint(account: bigint, now: bigint): Promise<StepOutcome> {
    const { f, r } = this;
    const send = () => f.auction.checkpoint(account);
    if (!this.entries.has(account)) {
      await expect(send()).to.be.revertedWithCustomError(f.auction, "AuctionNotActive").withArgs(account);
      await r.mineAt(now);
      return { kind: "reverted", error: "AuctionNotActive" };
    }
    const stored = await storedClock(f, account);
    const x = await clockInput(f, account);
    const expected = stored.checkpoint === now ? stored : M.advance(stored, x, now);
    // INV-27: at valid prices the record follows V: a first V <= 0 is recorded at the advanced clock reading, V > 0
    // clears a record.
    const entry = this.entries.get(account)!;
    let records = false;
    let clears = false;
    if (x.valid) {
      const s = await readSnapshot(f.d, [account], now);
      const insolvent = M.auctionValuation(s, account).markToMarket <= 0n;
      records = insolvent && entry.insolventSince === undefined;
      clears = !insolvent && entry.insolventSince !== undefined;
    }
    const receipt = await (await send()).wait();
    const logs = auctionLogs(f, receipt!);
    const named = (name: string) => logs.filter((l) => l!.name === name).map((l) => [l!.args.account, l!.args.elapsed]);
    expect(
      named("AuctionInsolvencyRecorded"),
      "INV-27 checkpoint records a first insolvency at valid prices, at the advanced clock",
    ).to.deep.equal(records ? [[account, expected.elapsed]] : []);
    expect(named("AuctionInsolvencyCleared"), "INV-27 checkpoint clears the record when V > 0 at valid prices").to.deep.equal(
      clears ? [[account, expected.elapsed]] : [],
    );
    if (records) entry.insolventSince = expected.elapsed;
    if (clears) entry.insolventSince = undefined;
    const got = await storedClock(f, account);
    expect(
      { checkpoint: got.checkpoint, elapsed: got.elapsed, guaranteedUntil: got.guaranteedUntil, validAtCheckpoint: got.validAtCheckpoint },
      "INV-23 the stored clock advances exactly as the model",
    ).to.deep.equal({
      checkpoint: expected.checkpoint,
      elapsed: expected.elapsed,
      guaranteedUntil: expected.guaranteedUntil,
      validAtCheckpoint: expected.validAtCheckpoint,
    });
    expect(got.elapsed <= now - stored.startTime, "INV-23 the clock never counts more than wall-clock time").to.equal(true);
    if (!stored.validAtCheckpoint && !x.valid)
      expect(got.elapsed, "INV-23 no time counts while every price stays invalid").to.equal(stored.elapsed);
    return { kind: "ok", detail: `clock ${got.elapsed}` };
  }

  /** restartAuction(account) at `now`: once the whole curve ran, the auction restarts with a fresh shortfall. */
  async restart(account: bigint, now: bigint, watched: bigint[]): Promise<StepOutcome> {
    const { f, r } = this;
    const send = () => f.auction.restartAuction(account);
    const fail = async (error: string, ...args: unknown[]): Promise<StepOutcome> => {
      await expect(send(), `restartAuction reverts with ${error}`)
        .to.be.revertedWithCustomError(f.auction, error)
        .withArgs(...args);
      await r.mineAt(now);
      return { kind: "reverted", error };
    };
    const level = await f.auction.stopLevel();
    if (level >= 2n) return fail("AuctionStopped", level, 2);
    const entry = this.entries.get(account);
    if (!entry) return fail("AuctionNotActive", account);
    const stored = await storedClock(f, account);
    const x = await clockInput(f, account);
    const clock = stored.checkpoint === now ? stored : M.advance(stored, x, now);
    const p = await paramsOf(f, account);
    const required = M.max(p.fastDuration + p.slowDuration, entry.insolventSince ?? 0n) + p.insolventDuration;
    if (clock.elapsed < required) return fail("AuctionNotStalled", account, clock.elapsed, required);
    const s = await readSnapshot(f.d, [...new Set([...watched, account])], now);
    const v = await this.valueOrOracleRevert(s, account, send, now);
    if ("kind" in v) return v;
    const shortfall = M.countedShortfall(M.auctionShortfall(v));
    await expect(send()).to.emit(f.auction, "AuctionRestarted").withArgs(account, shortfall);
    const markets = (await f.engine.accountInfo(account))[0];
    this.entries.set(account, newEntry(now, shortfall, markets, v));
    return { kind: "ok", detail: `restarted with shortfall ${shortfall}` };
  }
}

/** The model's account input of `account` in snapshot `s` at the given prices (oracle validity checked first). */
function accountInputOf(s: M.ProtocolSnapshot, account: bigint, marketPrices: bigint[], tokenPrices: bigint[]): M.AccountInput {
  const a = s.accounts.get(account) ?? M.emptyAccount(s.tokens.length);
  for (const id of M.heldMarkets(a)) if (s.marketOracle[id] === undefined) throw new M.OracleInvalid("market", id);
  a.collateral.forEach((bal, i) => {
    if (bal !== 0n && s.tokenOracle[i] === undefined) throw new M.OracleInvalid("token", i);
  });
  return accountInput(s, a, marketPrices, tokenPrices);
}
