/**
 * Builds a random portfolio on the fuzzing deployment through real transactions (governance changes, deposits,
 * signed-order fills, a withdrawal), checking every step against the reference model's one-step simulation
 * (src/model/protocol.ts): the exact new state (positions, bases, cash principals and totals, indices, funding,
 * premium, ramp, cached prices, open interest, nonces) or the exact custom error and its arguments.
 * Transition invariants checked on the way: INV-05 (nonces), INV-08 (zero-sum fills, fees to the wei), INV-09
 * (open-interest cap), INV-12 (initial margin after a fill), INV-13 (after a withdrawal), INV-14 (prices used are
 * at most maxPriceAge old).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import * as M from "../../src/model";
import { accountId, signOrder, MAX, type Order } from "../shared/fixtures";
import { readSnapshot, holdings, type Deployment } from "../shared/snapshot";
import { ViewBatch } from "../shared/viewBatch";
import { show } from "../shared/fuzz";
import { newHaircut, type PortfolioPlan } from "./arbitraries";
import type { FuzzProtocol } from "./fixtures";

const HEARTBEAT = 3600n;

/** Drives one trader's account on the fuzzing deployment, keeping the oracle fresh and the timeline explicit. */
export class Runner {
  private static salt = 1n;
  /** Re-publish feeds that would be stale at a step's time (off in the stateful suite: stale periods happen). */
  autoRefresh = true;
  readonly feedKeys: string[];
  readonly d: Deployment;

  constructor(
    readonly f: FuzzProtocol,
    readonly trader: HardhatEthersSigner,
    readonly account = accountId(trader.address),
  ) {
    this.d = f.d;
    this.feedKeys = Object.keys(f.feeds);
  }

  async latest(): Promise<bigint> {
    return BigInt(await time.latest());
  }

  /** Mines an empty block at `t` unless a transaction already took that timestamp. */
  async mineAt(t: bigint): Promise<void> {
    if ((await this.latest()) >= t) return;
    await time.setNextBlockTimestamp(t);
    await ethers.provider.send("evm_mine", []);
  }

  /** Feed answer bounds (the router's min/max price in the feed's units). */
  async answerBounds(key: string): Promise<[bigint, bigint, bigint]> {
    const feed = this.f.feeds[key];
    const unit = 10n ** (18n - (await feed.decimals()));
    const cfg = await this.f.oracle.feedConfig(await this.assetOf(key));
    return [(cfg.minPrice + unit - 1n) / unit, cfg.maxPrice / unit, unit];
  }

  async assetOf(key: string): Promise<string> {
    return ethers.encodeBytes32String(key);
  }

  /**
   * Schedules a step `gap` seconds after the latest block: publishes `answers` (feed key -> answer, clamped to the
   * feed's bounds) and `moves` (feed key -> bps) and re-publishes every feed that would be stale, one block each,
   * just before; returns the step's timestamp (its block is next).
   */
  async prepare(gap: bigint, moves: Map<string, number> = new Map(), answers: Map<string, bigint> = new Map()): Promise<bigint> {
    // The latest block's time and every feed's round in one eth_call.
    const batch = new ViewBatch(this.d.lens);
    const rounds = this.feedKeys.map((key) => batch.add<[bigint, bigint, bigint, bigint, bigint]>(this.f.feeds[key], "latestRoundData"));
    await batch.run();
    const latest = batch.timestamp;
    const due: [string, bigint][] = [];
    for (let k = 0; k < this.feedKeys.length; k++) {
      const key = this.feedKeys[k];
      const [, answer, , updatedAt] = rounds[k]();
      const move = moves.get(key);
      const set = answers.get(key);
      if (set !== undefined) {
        const [lo, hi] = await this.answerBounds(key);
        due.push([key, set < lo ? lo : set > hi ? hi : set]);
      } else if (move !== undefined && move !== 0) {
        const [lo, hi] = await this.answerBounds(key);
        let next = (answer * BigInt(10_000 + move)) / 10_000n;
        next = next < lo ? lo : next > hi ? hi : next;
        due.push([key, next]);
      } else if (this.autoRefresh && updatedAt + HEARTBEAT < latest + gap + 16n) {
        due.push([key, answer]);
      }
    }
    const now = latest + (gap > BigInt(due.length) ? gap : BigInt(due.length) + 1n);
    for (let i = 0; i < due.length; i++) {
      await time.setNextBlockTimestamp(now - BigInt(due.length - i));
      await (await this.f.feeds[due[i][0]].updateAnswer(due[i][1])).wait();
    }
    await time.setNextBlockTimestamp(now);
    return now;
  }

  /** The oracle price (WAD) of a market now (latest block). */
  async indexPrice(marketId: number): Promise<bigint> {
    return this.f.oracle.getPrice(this.d.marketAssets[marketId]);
  }

  /** Accounts whose holdings a trader's step can change. */
  get watched(): bigint[] {
    return [this.f.makerAccount, this.account, this.f.feeAccount];
  }

  /** Deposits `amount` token units of token `i` (-1: cash) at `now`; checks the ledger. */
  async deposit(token: number, amount: bigint, now: bigint): Promise<void> {
    const addr = token < 0 ? await this.f.cash.getAddress() : this.d.tokenAddresses[token];
    const before = await readSnapshot(this.d, [this.account], now, "none");
    await (await this.f.vault.connect(this.trader).deposit(this.account, addr, amount)).wait();
    const after = await readSnapshot(this.d, [this.account], now, "none");
    const a = before.accounts.get(this.account)!;
    const expected = structuredClone(a);
    if (token < 0) expected.principal = M.addCash(before.cash, a.principal, M.toWad(amount, this.d.cashDecimals));
    else expected.collateral[token] += M.toWad(amount, this.d.tokenDecimals[token]);
    expect(
      holdings(after.accounts.get(this.account)!),
      "deposit credits the ledger exactly; INV-05 deposits leave the nonce",
    ).to.deep.equal(holdings(expected));
  }

  /**
   * A fill of `takerSize` (the trader is the taker, the maker its counterparty) at `price`, at `now` (set by
   * `prepare`). Checks the outcome, the new state and the transition invariants; returns the model's result.
   */
  async fill(
    marketId: number,
    takerSize: bigint,
    price: bigint,
    now: bigint,
    maker: { signer: HardhatEthersSigner; account: bigint } = { signer: this.f.maker, account: this.f.makerAccount },
  ): Promise<M.FillResult> {
    const { f } = this;
    const order: Order = {
      account: maker.account,
      marketId,
      size: -takerSize,
      limitPrice: price,
      expiry: now + 86_400n,
      nonce: await f.venue.minNonce(maker.signer.address),
      salt: Runner.salt++,
      reduceOnly: false,
      signer: maker.signer.address,
    };
    const sig = await signOrder(f, maker.signer, order);
    const fillSize = M.abs(takerSize);
    const fees = M.venueFees(fillSize, price, f.plan.venue.makerFeeRate, f.plan.venue.takerFeeRate);
    const watched = [maker.account, this.account, f.feeAccount];
    const before = await readSnapshot(this.d, watched, now);
    const send = () => f.venue.connect(this.trader).fill(order, sig, this.account, fillSize, takerSize > 0n ? MAX : 0n);
    let r: M.FillResult;
    try {
      r = M.settleTrade(before, {
        maker: maker.account,
        taker: this.account,
        marketId,
        takerSize,
        price,
        ...fees,
        feeAccount: f.feeAccount,
      });
    } catch (e) {
      if (!(e instanceof M.OracleInvalid)) throw e;
      // INV-14: a fill that needs an invalid price reverts with the oracle's error.
      await this.expectOracleRevert(send, e);
      await this.mineAt(now);
      return { state: before, revert: { error: "oracle", args: [] } };
    }
    if (r.revert) {
      const where = r.revert.error.startsWith("Vault") ? f.vault : f.engine;
      await expect(send(), `fill of ${takerSize} in market ${marketId} at ${price}`)
        .to.be.revertedWithCustomError(where, r.revert.error)
        .withArgs(...r.revert.args);
      await this.mineAt(now);
      return r;
    }
    const receipt = await (await send()).wait();
    const block = await ethers.provider.getBlock(receipt!.blockNumber);
    expect(BigInt(block!.timestamp), "the fill was mined at the scheduled time").to.equal(now);
    await this.expectState(r.state, `fill of ${takerSize} in market ${marketId} at ${price}`, watched);

    // TradeSettled states the realised PnL the model computed.
    const ev = receipt!.logs.map((l) => f.engine.interface.parseLog(l)).find((l) => l?.name === "TradeSettled")!;
    expect([ev.args.makerRealisedPnl, ev.args.takerRealisedPnl], "TradeSettled realised PnL").to.deep.equal([
      r.maker!.realised,
      r.taker!.realised,
    ]);
    // INV-08: over both sides, cash - basis changes by exactly -(fees); the fees reach the fee account to the wei.
    const sum = r.maker!.realised - fees.makerFee - r.maker!.basisDelta + (r.taker!.realised - fees.takerFee - r.taker!.basisDelta);
    expect(sum, "INV-08 a fill changes the sum of (cash - basis) over both accounts by exactly -(fees)").to.equal(
      -(fees.makerFee + fees.takerFee),
    );
    // INV-09: open interest that grew stays at or below the cap.
    const mv = await f.engine.marketView(marketId);
    if (mv.longOpenInterest > before.markets[marketId].longOpenInterest) {
      expect(
        mv.longOpenInterest <= mv.setup.openInterestCap,
        "INV-09 long open interest at or below its cap after a fill that raised it",
      ).to.equal(true);
    }
    // INV-14 and INV-12 on the chain's own views: the prices a margin check used are at most maxPriceAge old, and
    // each side is at or above initial margin at those prices unless the fill strictly reduced its risk.
    for (const [acct, side, fee] of [
      [maker.account, r.maker!, fees.makerFee],
      [this.account, r.taker!, fees.takerFee],
    ] as const) {
      const s = await this.marginAtCachedPrices(acct, now);
      expect(s.equity >= 0n, "INV-30 no fill leaves an account with negative equity").to.equal(true);
      if (s.equity < s.initialMargin) {
        const mark = r.state.markets[marketId];
        expect(
          side.reducesRisk && M.surplusNotWorse(side, price, fee, mark.price, mark.mmr),
          "INV-12 below initial margin after a fill only when it strictly reduced risk",
        ).to.equal(true);
        // Issue #11 class 1: a fill that leaves the account below maintenance is no worse than the mark for it.
        expect(
          M.liquidatableFillAllowed(side, price, mark.price, s.equity, s.maintenanceMargin),
          "INV-12 below maintenance after a risk-reducing fill only when it was at the mark or better",
        ).to.equal(true);
      }
    }
    return r;
  }

  /** engine.updateMarket(id) at `now`, checked against the model (refresh, funding, epoch, ramp). */
  async update(id: number, now: bigint): Promise<void> {
    const before = await readSnapshot(this.d, [], now);
    const send = () => this.f.engine.updateMarket(id);
    if (before.marketOracle[id] === undefined) {
      // updateMarket always refreshes from the oracle: a bad price reverts (INV-14).
      await this.expectOracleRevert(send, new M.OracleInvalid("market", id));
      await this.mineAt(now);
      return;
    }
    await (await send()).wait();
    const expected = M.updateMarket(M.markNoOlderThan(before.markets[id], now, 0n, before.marketOracle[id]!), now);
    expect(M.marketStateFromView(await this.f.engine.marketView(id)), `market ${id} after updateMarket`).to.deep.equal(expected);
  }

  /**
   * Equity and initial margin of `account` at the cached prices (the ones the engine's checks use), checking INV-14
   * when a margin check needed prices (the account holds a position or owes cash).
   */
  async marginAtCachedPrices(account: bigint, now: bigint) {
    const { f } = this;
    // The cached prices, the bitmaps and the principal from one snapshot of the latest block (shared with the step's
    // state check when the deployment has a state cache), the token bitmap from the vault's view.
    const [s, tokens] = await Promise.all([readSnapshot(this.d, [account], now, "none"), f.vault.accountTokens(account)]);
    const a = s.accounts.get(account)!;
    const maxAge = s.maxPriceAge;
    const checked = a.positions.size !== 0 || a.principal < 0n;
    const mp: bigint[] = [];
    for (let id = 0; id < this.d.marketAssets.length; id++) {
      const m = s.markets[id];
      mp.push(m.price);
      if (checked && a.positions.has(id)) {
        expect(now - m.priceTimestamp <= maxAge, `INV-14 market ${id}'s cached price is at most maxPriceAge old`).to.equal(true);
      }
    }
    const tp: bigint[] = [];
    for (let i = 0; i < this.d.tokenAddresses.length; i++) {
      const info = s.tokens[i];
      tp.push(info.price);
      if (checked && (BigInt(tokens) & (1n << BigInt(i))) !== 0n) {
        expect(now - info.priceTimestamp <= maxAge, `INV-14 token ${i}'s cached price is at most maxPriceAge old`).to.equal(true);
      }
    }
    const c = await f.vault.marginCollateralAtPrices(account, tp);
    return f.engine.accountMarginAtPrices(account, { cash: c.cash, collateralValue: c.collateralValue }, mp);
  }

  /** Withdraws `amount` of token `token` (-1: cash) at `now`; checks the outcome, INV-13 and INV-28. */
  async withdraw(token: number, amount: bigint, now: bigint): Promise<void> {
    const { f } = this;
    const addr = token < 0 ? await f.cash.getAddress() : this.d.tokenAddresses[token];
    const before = await readSnapshot(this.d, this.watched, now);
    const send = () => f.vault.connect(this.trader).withdraw(this.account, addr, amount, this.trader.address);
    let r: { state: M.ProtocolSnapshot; revert?: M.Revert };
    try {
      r = M.withdraw(before, this.account, token, amount, addr);
    } catch (e) {
      if (!(e instanceof M.OracleInvalid)) throw e;
      await this.expectOracleRevert(send, e);
      await this.mineAt(now);
      return;
    }
    if (r.revert) {
      await expect(send(), `withdrawal of ${amount} of token ${token}`)
        .to.be.revertedWithCustomError(f.vault, r.revert.error)
        .withArgs(...r.revert.args);
      await this.mineAt(now);
      return;
    }
    await (await send()).wait();
    await this.expectState(r.state, `withdrawal of ${amount} of token ${token}`);
    const s = await this.marginAtCachedPrices(this.account, now);
    expect(s.equity >= s.initialMargin, "INV-13 at or above initial margin after a withdrawal").to.equal(true);
    // INV-28: cash, collateral and the losing positions alone cover initial margin (no unrealised profit left).
    const losses = M.positionsCached(r.state, this.account, false);
    const c = M.marginCollateral(r.state, this.account);
    expect(c.cash + c.collateralValue + losses.value >= losses.im, "INV-28 no unrealised profit left with a withdrawal").to.equal(true);
  }

  /**
   * INV-14: the transaction `send` makes reverts with exactly the error the oracle gives, in the pending block, for
   * the price the model found invalid (read before sending).
   */
  async expectOracleRevert(send: () => Promise<unknown>, e: M.OracleInvalid): Promise<void> {
    const asset = e.kind === "market" ? this.d.marketAssets[e.index] : this.d.tokenAssets[e.index];
    const err = await oracleError(this.f, asset);
    expect(err, `the oracle refuses ${e.kind} ${e.index}`).to.not.equal(undefined);
    await expect(send(), `INV-14 a step needing an invalid price reverts with ${err!.name}`)
      .to.be.revertedWithCustomError(this.f.oracle, err!.name)
      .withArgs(...err!.args);
  }

  /** The chain's state after a step equals the model's prediction `expected` (a snapshot at the step's time). */
  async expectState(expected: M.ProtocolSnapshot, what: string, accounts: bigint[] = this.watched): Promise<void> {
    const after = await readSnapshot(this.d, accounts, expected.now, "none");
    expect(after.markets, `market states after ${what}`).to.deep.equal(expected.markets);
    expect(
      after.tokens.map((t) => [t.price, t.priceTimestamp, t.totalHeld]),
      `token caches after ${what}`,
    ).to.deep.equal(expected.tokens.map((t) => [t.price, t.priceTimestamp, t.totalHeld]));
    const { supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal } = expected.cash;
    expect(after.cash, `cash state after ${what}`).to.deep.equal({ supplyIndex, borrowIndex, supplyPrincipal, borrowPrincipal });
    expect(after.cashHeld, `cash held after ${what}`).to.equal(expected.cashHeld);
    for (const a of accounts) {
      expect(holdings(after.accounts.get(a)!), `holdings of ${a} after ${what} (INV-05 nonces)`).to.deep.equal(
        holdings(expected.accounts.get(a) ?? M.emptyAccount(this.d.tokenAddresses.length)),
      );
    }
  }
}

/** The custom error `getPrice(asset)` reverts with in the pending block, or undefined when the price is valid. */
export async function oracleError(f: FuzzProtocol, asset: string): Promise<{ name: string; args: unknown[] } | undefined> {
  try {
    await f.oracle.getPrice(asset, { blockTag: "pending" });
    return undefined;
  } catch (e) {
    const data = (e as { data?: string }).data;
    const parsed = data ? f.oracle.interface.parseError(data) : null;
    if (!parsed) throw e;
    return { name: parsed.name, args: [...parsed.args] };
  }
}

/** A readable record of what a plan did, for failure reports. */
export type Log = string[];

/**
 * Executes `plan` for the runner's trader: parameter changes, haircuts, collateral deposits sized to `coverage`
 * times the estimated initial margin, the fills, an optional withdrawal, then the final time gap and price moves.
 */
export async function buildPortfolio(r: Runner, plan: PortfolioPlan, log: Log = []): Promise<void> {
  const { f, d } = r;
  // Market parameters, each change checked against the model (configureMarket: ramp and accrue, new targets).
  for (let i = 0; i < plan.markets.length; i++) {
    const id = plan.markets[i];
    const risk = plan.risk[i];
    const trading = plan.trading[i];
    if (risk) {
      const now = await r.prepare(2n);
      const before = await readSnapshot(d, [], now);
      const v = await f.configurator.volatility(id);
      const m = before.markets[id];
      await (await f.configurator.setRiskParams(id, risk)).wait();
      log.push(`setRiskParams(${id}, ${show(risk)})`);
      const setup = {
        ...M.targets(risk, v.variancePerHour),
        maxStepPerHour: risk.maxRatioStepPerHour,
        imrSizeFactor: risk.imrSizeFactor,
        openInterestCap: m.openInterestCap,
        maxFundingRatePer8h: m.maxFundingRatePer8h,
        maxFillDeviation: m.maxFillDeviation,
      };
      const expected = M.configureMarket(m, now, setup, before.maxPriceAge, before.marketOracle[id]);
      expect(M.marketStateFromView(await f.engine.marketView(id)), `market ${id} after setRiskParams`).to.deep.equal(expected);
    }
    if (trading) {
      const now = await r.prepare(2n);
      const before = await readSnapshot(d, [], now);
      const m = before.markets[id];
      const args = { openInterestCap: m.openInterestCap, ...trading };
      await (await f.configurator.setTradingParams(id, args)).wait();
      log.push(`setTradingParams(${id}, ${show(args)})`);
      const setup = {
        mmrTarget: m.mmrTarget,
        imrTarget: m.imrTarget,
        maxStepPerHour: m.maxStepPerHour,
        imrSizeFactor: m.imrSizeFactor,
        ...args,
      };
      const expected = M.configureMarket(m, now, setup, before.maxPriceAge, before.marketOracle[id]);
      expect(M.marketStateFromView(await f.engine.marketView(id)), `market ${id} after setTradingParams`).to.deep.equal(expected);
    }
  }
  for (let i = 0; i < 4; i++) {
    const c = plan.haircuts[i];
    if (!c) continue;
    const token = d.tokenAddresses[i];
    const h = newHaircut((await f.vault.tokenInfo(token)).haircut, c);
    await r.prepare(2n);
    await (await f.vault.setHaircut(token, h)).wait();
    log.push(`setHaircut(token ${i}, ${h})`);
    expect((await f.vault.tokenInfo(token)).haircut).to.equal(h);
  }

  // Collateral: coverage times what the fills would need at today's prices and ratios: initial margin, the fill's
  // premium to the index and fees (a "reduce" on a flat position opens one).
  let need = 0n;
  for (const op of plan.ops) {
    if (op.kind === "update") continue;
    const id = plan.markets[op.market % plan.markets.length];
    const price = await r.indexPrice(id);
    const mv = await f.engine.marketView(id);
    const notional = BigInt(op.mantissa) * 10n ** BigInt(op.exp + 18);
    const size = (notional * M.WAD) / price || 1n;
    const imr = mv.imr > mv.setup.imrTarget ? mv.imr : mv.setup.imrTarget;
    const premium = (notional * mv.setup.maxFillDeviation * BigInt(Math.abs(op.deviation))) / 1000n / M.WAD;
    need += M.initialMargin(size, price, imr, mv.setup.imrSizeFactor) + premium + (notional * 7n) / 10_000n;
  }
  const value = (need * BigInt(plan.coverage)) / 1000n + 1n;
  const slots = [...plan.tokens, ...(plan.cash || plan.tokens.length === 0 ? [-1] : [])];
  const totalWeight = slots.reduce((s, t) => s + plan.weights[t + 1], 0);
  for (const t of slots) {
    const share = (value * BigInt(plan.weights[t + 1])) / BigInt(totalWeight);
    let amount: bigint;
    if (t < 0) amount = share / M.scaleOf(d.cashDecimals) + 1n;
    else {
      const info = await f.vault.tokenInfo(d.tokenAddresses[t]);
      const price = await f.oracle.getPrice(d.tokenAssets[t]);
      const wad = (share * M.WAD * M.WAD) / (price * (info.haircut === 0n ? 1n : info.haircut)) + 1n;
      amount = wad / M.scaleOf(d.tokenDecimals[t]) + 1n;
    }
    const now = await r.prepare(2n);
    log.push(`deposit(token ${t}, ${amount})`);
    await r.deposit(t, amount, now);
  }

  // The fills.
  for (const op of plan.ops) {
    const i = op.market % plan.markets.length;
    const id = plan.markets[i];
    const feedKey = r.feedKeys.find((k) => ethers.encodeBytes32String(k) === d.marketAssets[id])!;
    const now = await r.prepare(op.gap, new Map([[feedKey, op.move]]));
    if (op.kind === "update") {
      log.push(`updateMarket(${id}) at +${op.gap}s`);
      await r.update(id, now);
      continue;
    }
    const index = await f.oracle.getPrice(d.marketAssets[id], { blockTag: "pending" });
    const band = (await f.engine.marketView(id)).setup.maxFillDeviation;
    const price = (index * (M.WAD + (BigInt(op.deviation) * band) / 1000n)) / M.WAD || 1n;
    const [current] = await f.engine.position(r.account, id);
    let takerSize: bigint;
    if (op.kind === "reduce" && current !== 0n) {
      takerSize = -M.towardZero(current, (BigInt(op.fraction) * M.WAD) / 1000n);
      if (takerSize === 0n) takerSize = current > 0n ? -1n : 1n;
    } else {
      const notional = BigInt(op.mantissa) * 10n ** BigInt(op.exp + 18);
      const size = (notional * M.WAD) / price || 1n;
      takerSize = plan.long[i] ? size : -size;
    }
    log.push(`fill(market ${id}, takerSize ${takerSize}, price ${price}) at +${op.gap}s`);
    const res = await r.fill(id, takerSize, price, now);
    if (res.revert) log[log.length - 1] += ` -> ${res.revert.error}`;
  }

  if (plan.withdraw) {
    const t = plan.withdraw.token;
    const now = await r.prepare(2n);
    let amount: bigint;
    if (t < 0) {
      const cash = await f.vault.cashBalance(r.account);
      amount = cash > 0n ? ((cash / M.scaleOf(d.cashDecimals)) * BigInt(plan.withdraw.permille)) / 1000n : 0n;
    } else {
      amount = ((await f.vault.balanceOf(r.account, d.tokenAddresses[t])) * BigInt(plan.withdraw.permille)) / 1000n;
    }
    if (amount > 0n) {
      log.push(`withdraw(token ${t}, ${amount})`);
      await r.withdraw(t, amount, now);
    } else await r.mineAt(now);
  }

  const moves = new Map(r.feedKeys.map((k, i) => [k, plan.finalMoves[i] === 0 ? 1 : plan.finalMoves[i]]));
  log.push(`time +${plan.finalGap}s, feeds moved ${plan.finalMoves.join("/")} bps`);
  const end = await r.prepare(plan.finalGap, moves);
  await r.mineAt(end);
  if (plan.finalUpdate) {
    const [bits] = await f.engine.accountInfo(r.account);
    for (let id = 0; id < d.marketAssets.length; id++) {
      if ((bits & (1n << BigInt(id))) === 0n) continue;
      const now = await r.prepare(1n);
      log.push(`updateMarket(${id})`);
      await r.update(id, now);
    }
  }
}
