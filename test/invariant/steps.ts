/**
 * The stateful suite's steps (fast-check commands): every action the issue lists, each one a transaction (or a
 * few) checked against the model where the model predicts it, followed by the full invariant check of
 * World.step. A step is plain data (`[name, params]`), so a failing sequence prints as a replayable script.
 *
 * deposit, withdraw, fill (any two actors), order (INV-16 lifecycle), price (moves, crashes, spikes), time (with or
 * without feed updates: stale periods), update (funding), observe (volatility), risk / trading / haircut / rates
 * (parameter changes within bounds), isolate, auctionParams, start, bid, terminate, checkpoint, restart,
 * insDeposit, insRequest, insClaim, insCancel.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import * as M from "../../src/model";
import { VAULT_BOUNDS } from "../../src/config/bounds";
import { signOrder as signVenueOrder, venueDomain } from "../../src/venue/orders";
import { signOrder, MAX, type Order } from "../shared/fixtures";
import { readSnapshot } from "../shared/snapshot";
import { spread } from "../shared/fuzz";
import {
  auctionParamsArb,
  haircutChangeArb,
  marginTiersArb,
  newHaircut,
  riskParamsArb,
  tradingParamsArb,
  type HaircutChange,
} from "../fuzz/arbitraries";
import type { World } from "./world";

const WAD = M.WAD;
type P = Record<string, unknown>;
type Exec = (w: World, p: never) => Promise<string>;

const actorArb = fc.nat(4);
const stakerArb = fc.nat(1);

/** A market's setup (targets and limits) with some fields replaced. */
const setupOf = (m: M.MarketState, o: Partial<M.MarketSetup>): M.MarketSetup => ({
  mmrTarget: m.mmrTarget,
  imrTarget: m.imrTarget,
  maxStepPerHour: m.maxStepPerHour,
  imrSizeFactor: m.imrSizeFactor,
  openInterestCap: m.openInterestCap,
  maxFundingRatePer8h: m.maxFundingRatePer8h,
  maxFillDeviation: m.maxFillDeviation,
  ...o,
});

/** The fill price: the index in the pending block (its last answer when the oracle refuses it) moved by `dev` permille of the band. */
async function fillPrice(w: World, id: number, dev: number): Promise<bigint> {
  const { f } = w;
  let index: bigint;
  try {
    index = await f.oracle.getPrice(f.d.marketAssets[id], { blockTag: "pending" });
  } catch {
    const key = w.runners[0].feedKeys.find((k) => ethers.encodeBytes32String(k) === f.d.marketAssets[id])!;
    index = (await f.feeds[key].latestAnswer()) * (await w.runners[0].answerBounds(key))[2];
  }
  const band = (await f.engine.marketView(id)).setup.maxFillDeviation;
  return (index * (WAD + (BigInt(dev) * band) / 1000n)) / WAD || 1n;
}

const decimalsOf = (w: World, token: number) => (token < 0 ? w.f.d.cashDecimals : w.f.d.tokenDecimals[token]);

// ------------------------------------------------------------------ steps

const deposit = async (w: World, p: { who: number; token: number; mantissa: number; exp: number }) => {
  const r = w.runners[p.who];
  const dec = decimalsOf(w, p.token);
  const amount = BigInt(p.mantissa) * 10n ** BigInt(Math.max(0, dec + p.exp));
  const now = await w.next();
  await r.deposit(p.token, amount, now);
  return `deposited ${amount}`;
};

const withdraw = async (w: World, p: { who: number; token: number; permille: number }) => {
  const r = w.runners[p.who];
  const { f } = w;
  let amount: bigint;
  if (p.token < 0) {
    const cash = await f.vault.cashBalance(r.account);
    amount = cash > 0n ? (cash / M.scaleOf(f.d.cashDecimals) / 1000n) * BigInt(p.permille) : 0n;
  } else amount = ((await f.vault.balanceOf(r.account, f.d.tokenAddresses[p.token])) * BigInt(p.permille)) / 1000n;
  if (amount === 0n) amount = 1n;
  const now = await w.next();
  await r.withdraw(p.token, amount, now);
  return `withdrawal of ${amount}`;
};

const fill = async (
  w: World,
  p: {
    maker: number;
    taker: number;
    market: number;
    exp: number;
    mantissa: number;
    long: boolean;
    reduce: number;
    dev: number;
    gap: bigint;
  },
) => {
  const { f } = w;
  const maker = w.runners[p.maker];
  const taker = w.runners[(p.maker + 1 + p.taker) % 5];
  const now = await w.next(p.gap);
  const price = await fillPrice(w, p.market, p.dev);
  const [current] = await f.engine.position(taker.account, p.market);
  let takerSize: bigint;
  if (p.reduce > 0 && current !== 0n) {
    takerSize = -M.towardZero(current, (BigInt(p.reduce) * WAD) / 1000n) || (current > 0n ? -1n : 1n);
  } else {
    const notional = BigInt(p.mantissa) * 10n ** BigInt(p.exp + 18);
    const size = (notional * WAD) / price || 1n;
    takerSize = p.long ? size : -size;
  }
  const r = await taker.fill(p.market, takerSize, price, now, { signer: maker.trader, account: maker.account });
  return r.revert ? `reverted ${r.revert.error}` : `filled ${takerSize} at ${price}`;
};

/** INV-16: an order never fills beyond its size; cancelled, expired, nonce-invalidated or foreign-domain orders never fill. */
const order = async (
  w: World,
  p: {
    maker: number;
    taker: number;
    market: number;
    variant: "overfill" | "cancelled" | "expired" | "nonce" | "otherVenue" | "otherChain" | "partial";
    permille: number;
  },
) => {
  const { f } = w;
  const maker = w.runners[p.maker];
  const taker = w.runners[(p.maker + 1 + p.taker) % 5];
  let now = await w.next();
  const price = await fillPrice(w, p.market, 0);
  const size = ((10n * WAD * WAD) / price) | 1n; // about 10 cash of notional
  const o: Order = {
    account: maker.account,
    marketId: p.market,
    size: -size,
    limitPrice: price,
    expiry: p.variant === "expired" ? now - 1n : now + 3600n,
    nonce: await f.venue.minNonce(maker.trader.address),
    salt: BigInt(w.orders.length + 1) * 7919n,
    reduceOnly: false,
    signer: maker.trader.address,
  };
  const hash = await f.venue.hashOrder(o);
  w.orders.push({ hash, size });
  let sig = await signOrder(f, maker.trader, o);
  const fillTx = (amount: bigint) => f.venue.connect(taker.trader).fill(o, sig, taker.account, amount, MAX);
  const venueError = async (tx: Promise<unknown>, error: string, ...args: unknown[]) => {
    await expect(tx, `INV-16 ${p.variant}: ${error}`)
      .to.be.revertedWithCustomError(f.venue, error)
      .withArgs(...args);
    await taker.mineAt(now);
  };
  switch (p.variant) {
    case "overfill":
      await venueError(fillTx(size + 1n), "OrderOverfilled", hash, size, 0n, size + 1n);
      break;
    case "cancelled":
      await (await f.venue.connect(maker.trader).cancelOrder(o)).wait();
      now = await w.next();
      await venueError(fillTx(size), "OrderCancelled", hash);
      expect(await f.venue.filled(hash), "INV-16 a cancelled order is marked").to.equal(2n ** 128n - 1n);
      w.orders.pop();
      return "cancelled order refused";
    case "expired":
      await venueError(fillTx(size), "OrderExpired", hash, o.expiry);
      break;
    case "nonce": {
      const min = BigInt(o.nonce) + 1n;
      await (await f.venue.connect(maker.trader).cancelAllBelow(min)).wait();
      now = await w.next();
      await venueError(fillTx(size), "OrderNonceTooLow", hash, o.nonce, min);
      break;
    }
    case "otherVenue":
    case "otherChain": {
      const { chainId } = await ethers.provider.getNetwork();
      const domain = venueDomain(
        p.variant === "otherChain" ? chainId + 1n : chainId,
        p.variant === "otherVenue" ? await f.vault.getAddress() : await f.venue.getAddress(),
      );
      sig = await signVenueOrder(maker.trader, domain, o);
      await venueError(fillTx(size), "OrderInvalidSignature", hash, o.signer);
      break;
    }
    case "partial": {
      const part = (size * BigInt(p.permille)) / 1000n || 1n;
      try {
        await (await fillTx(part)).wait();
      } catch {
        await taker.mineAt(now);
      }
      const done = await f.venue.filled(hash);
      expect(done === 0n || done === part, "INV-16 a fill records exactly its size").to.equal(true);
      now = await w.next();
      await venueError(fillTx(size - done + 1n), "OrderOverfilled", hash, size, done, size - done + 1n);
      break;
    }
  }
  for (const rec of w.orders)
    expect((await f.venue.filled(rec.hash)) <= rec.size, "INV-16 an order's filled size never exceeds its size").to.equal(true);
  return `${p.variant} refused`;
};

const price = async (w: World, p: { feed: number; bps: number }) => {
  const r = w.runners[0];
  const key = r.feedKeys[p.feed % r.feedKeys.length];
  const now = await w.next(1n, new Map([[key, p.bps === 0 ? 1 : p.bps]]));
  await r.mineAt(now);
  return `${key} moved ${p.bps} bps`;
};

const timePasses = async (w: World, p: { dt: bigint; refresh: boolean }) => {
  const r = w.runners[0];
  if (p.refresh) {
    const answers = new Map<string, bigint>();
    for (const k of r.feedKeys) answers.set(k, await w.f.feeds[k].latestAnswer());
    await r.mineAt(await r.prepare(p.dt, new Map(), answers));
  } else {
    await r.mineAt((await r.latest()) + p.dt);
  }
  return `+${p.dt}s${p.refresh ? ", feeds refreshed" : ", no feed update"}`;
};

const update = async (w: World, p: { market: number }) => {
  const now = await w.next();
  await w.runners[0].update(p.market, now);
  return "updated";
};

const observeVol = async (w: World, p: { market: number }) => {
  const { f } = w;
  const id = p.market;
  const now = await w.next();
  const before = await readSnapshot(f.d, [], now);
  const v0 = await f.configurator.volatility(id);
  const risk = M.toRiskParams(await f.configurator.riskParams(id));
  const send = () => f.configurator.recordObservation(id);
  const next = v0.lastObservation + risk.minObservationInterval;
  if (now < next) {
    await expect(send()).to.be.revertedWithCustomError(f.configurator, "ConfiguratorObservationTooSoon").withArgs(id, next);
    await w.runners[0].mineAt(now);
    return "too soon";
  }
  const price = before.marketOracle[id];
  if (price === undefined) {
    await w.runners[0].expectOracleRevert(send, new M.OracleInvalid("market", id));
    await w.runners[0].mineAt(now);
    return "oracle refused";
  }
  await (await send()).wait();
  const vol = M.observe(
    { variancePerHour: v0.variancePerHour, lastObservation: v0.lastObservation, lastPrice: v0.lastPrice },
    risk,
    now,
    price,
  )!;
  const v1 = await f.configurator.volatility(id);
  expect([v1.variancePerHour, v1.lastObservation, v1.lastPrice], "the EWMA variance equals the model's").to.deep.equal([
    vol.variancePerHour,
    vol.lastObservation,
    vol.lastPrice,
  ]);
  const m = before.markets[id];
  const setup = { ...M.targets(risk, vol.variancePerHour), maxStepPerHour: risk.maxRatioStepPerHour, imrSizeFactor: risk.imrSizeFactor };
  const expected = M.configureMarket(m, now, setupOf(m, setup), before.maxPriceAge, price);
  expect(M.marketStateFromView(await f.engine.marketView(id)), "the engine's market after an observation").to.deep.equal(expected);
  return `variance ${vol.variancePerHour}`;
};

const risk = async (w: World, p: { market: number; risk: M.RiskParams }) => {
  const { f } = w;
  const now = await w.next();
  const before = await readSnapshot(f.d, [], now);
  const v = await f.configurator.volatility(p.market);
  await (await f.configurator.setRiskParams(p.market, p.risk)).wait();
  const m = before.markets[p.market];
  const setup = {
    ...M.targets(p.risk, v.variancePerHour),
    maxStepPerHour: p.risk.maxRatioStepPerHour,
    imrSizeFactor: p.risk.imrSizeFactor,
  };
  const expected = M.configureMarket(m, now, setupOf(m, setup), before.maxPriceAge, before.marketOracle[p.market]);
  expect(M.marketStateFromView(await f.engine.marketView(p.market)), "the engine's market after setRiskParams").to.deep.equal(expected);
  return `targets ${setup.mmrTarget}/${setup.imrTarget}`;
};

const trading = async (w: World, p: { market: number; t: { maxFundingRatePer8h: bigint; maxFillDeviation: bigint }; cap: bigint }) => {
  const { f } = w;
  const now = await w.next();
  const before = await readSnapshot(f.d, [], now);
  const args = { openInterestCap: p.cap, ...p.t };
  await (await f.configurator.setTradingParams(p.market, args)).wait();
  const m = before.markets[p.market];
  const expected = M.configureMarket(m, now, setupOf(m, args), before.maxPriceAge, before.marketOracle[p.market]);
  expect(M.marketStateFromView(await f.engine.marketView(p.market)), "the engine's market after setTradingParams").to.deep.equal(expected);
  return "set";
};

/** INV-29: the risk manager replaces a market's margin tiers; the engine's market equals the model's after it. */
const tiers = async (w: World, p: { market: number; tiers: M.MarginTier[] }) => {
  const { f } = w;
  const now = await w.next();
  const before = await readSnapshot(f.d, [], now);
  await (await f.configurator.setMarginTiers(p.market, p.tiers)).wait();
  const m = before.markets[p.market];
  const expected = M.configureMarket(m, now, setupOf(m, {}), before.maxPriceAge, before.marketOracle[p.market], p.tiers);
  expect(M.marketStateFromView(await f.engine.marketView(p.market)), "the engine's market after setMarginTiers").to.deep.equal(expected);
  return `${p.tiers.length} tiers`;
};

const haircut = async (w: World, p: { token: number; change: HaircutChange }) => {
  const { f } = w;
  const token = f.d.tokenAddresses[p.token];
  const current = (await f.vault.tokenInfo(token)).haircut;
  const h = newHaircut(current, p.change);
  const now = await w.next();
  const send = () => f.vault.setHaircut(token, h);
  const last = w.haircutDecreases.get(p.token);
  if (h < current && last !== undefined && now < last + 86_400n) {
    await expect(send())
      .to.be.revertedWithCustomError(f.vault, "VaultParameterOutOfBounds")
      .withArgs(ethers.encodeBytes32String("haircutCooldown"), now, last + 86_400n, ethers.MaxUint256);
    await w.runners[0].mineAt(now);
    return "cooldown";
  }
  await (await send()).wait();
  if (h < current) w.haircutDecreases.set(p.token, now);
  expect((await f.vault.tokenInfo(token)).haircut).to.equal(h);
  return `haircut ${h}`;
};

const rates = async (w: World, p: { base: bigint; slope: bigint }) => {
  const now = await w.next();
  await (await w.f.vault.setCashRateModel(p.base, p.slope)).wait();
  w.f.d.rates.base = p.base;
  w.f.d.rates.slope = p.slope;
  await w.runners[0].mineAt(now);
  return "set";
};

const isolate = async (w: World, p: { who: number; isolated: boolean }) => {
  const r = w.runners[p.who];
  const now = await w.next();
  const send = () => w.f.engine.connect(r.trader).setAccountIsolated(0, p.isolated);
  const [bits] = await w.f.engine.accountInfo(r.account);
  if (bits !== 0n) {
    await expect(send()).to.be.revertedWithCustomError(w.f.engine, "EngineAccountHasPositions").withArgs(r.account);
    await r.mineAt(now);
    return "has positions";
  }
  await (await send()).wait();
  return p.isolated ? "isolated" : "cross";
};

const auctionParams = async (w: World, p: { params: M.AuctionParams }) => {
  await w.next();
  await (await w.f.auction.setParams(p.params)).wait();
  return "set";
};

/** The `k`-th account the lens finds liquidatable (and not frozen), else actor `k`. */
async function liquidatableTarget(w: World, k: number): Promise<bigint> {
  const actors = w.runners.map((r) => r.account);
  const found = await w.f.lens.liquidatableAccounts(actors);
  return found.length > 0 ? found[k % found.length] : actors[k];
}

/** The `k`-th running auction's account, else actor `k`. */
function auctionTarget(w: World, k: number): bigint {
  const active = [...w.book.entries.keys()];
  return active.length > 0 ? active[k % active.length] : w.runners[k].account;
}

const start = async (w: World, p: { target: number }) => {
  const now = await w.next();
  const out = await w.book.start(await liquidatableTarget(w, p.target), w.keeper, now, w.accounts);
  return out.kind === "ok" ? out.detail : `reverted ${out.error}`;
};

const bid = async (w: World, p: { target: number; bidder: number; requested: bigint; tooLow: boolean; gap: bigint }) => {
  const now = await w.next(p.gap);
  const out = await w.book.bid(auctionTarget(w, p.target), w.runners[p.bidder].trader, p.requested, p.tooLow, now, w.accounts);
  return out.kind === "ok" ? out.detail : `reverted ${out.error}`;
};

const terminate = async (w: World, p: { target: number }) => {
  const now = await w.next();
  const out = await w.book.terminate(auctionTarget(w, p.target), now, w.accounts);
  return out.kind === "ok" ? out.detail : `reverted ${out.error}`;
};

const checkpoint = async (w: World, p: { target: number }) => {
  const now = await w.next();
  const out = await w.book.checkpoint(auctionTarget(w, p.target), now);
  return out.kind === "ok" ? out.detail : `reverted ${out.error}`;
};

const restart = async (w: World, p: { target: number }) => {
  const now = await w.next();
  const out = await w.book.restart(auctionTarget(w, p.target), now, w.accounts);
  return out.kind === "ok" ? out.detail : `reverted ${out.error}`;
};

/** INV-24 (deposits): shares minted equal the model's conversion with virtual shares. */
const insDeposit = async (w: World, p: { staker: number; mantissa: number; exp: number }) => {
  const { f } = w;
  const s = w.stakers[p.staker];
  const assets = BigInt(p.mantissa) * 10n ** BigInt(p.exp);
  await w.next();
  const pending = { blockTag: "pending" };
  const [ta, ts] = [await f.fund.totalAssets(pending), await f.fund.totalSupply()];
  const shares = M.convertToShares(assets, ta, ts);
  expect(await f.fund.previewDeposit(assets, pending), "previewDeposit equals the model").to.equal(shares);
  await expect(f.fund.connect(s).deposit(assets, s.address)).to.emit(f.fund, "Deposit").withArgs(s.address, s.address, assets, shares);
  return `${assets} for ${shares} shares`;
};

/** INV-24 (requests): the value at request is recorded as previewRedeem at that moment. */
const insRequest = async (w: World, p: { staker: number; permille: number }) => {
  const { f } = w;
  const s = w.stakers[p.staker];
  const now = await w.next();
  const shares = ((await f.fund.balanceOf(s.address)) * BigInt(p.permille)) / 1000n;
  const send = () => f.fund.connect(s).requestWithdrawal(shares);
  if (shares === 0n) {
    await expect(send()).to.be.revertedWithCustomError(f.fund, "InsuranceZeroAmount");
    await w.runners[0].mineAt(now);
    return "zero";
  }
  if ((await f.fund.withdrawalRequest(s.address)).shares !== 0n) {
    await expect(send()).to.be.revertedWithCustomError(f.fund, "InsuranceRequestPending").withArgs(s.address);
    await w.runners[0].mineAt(now);
    return "pending";
  }
  const pending = { blockTag: "pending" };
  const assets = M.convertToAssets(shares, await f.fund.totalAssets(pending), await f.fund.totalSupply());
  const readyAt = now + (await f.fund.cooldown());
  const expiresAt = readyAt + (await f.fund.unstakeWindow());
  await expect(send()).to.emit(f.fund, "WithdrawalRequested").withArgs(s.address, shares, assets, readyAt, expiresAt);
  return `${shares} shares worth ${assets}`;
};

/** INV-24: a claim pays min(value at request, value at claim), in its window only. */
const insClaim = async (w: World, p: { staker: number; gap: bigint }) => {
  const { f } = w;
  const s = w.stakers[p.staker];
  const now = await w.next(p.gap);
  const r = await f.fund.withdrawalRequest(s.address);
  const send = () => f.fund.connect(s).claimWithdrawal(s.address);
  const fail = async (error: string, ...args: unknown[]) => {
    await expect(send())
      .to.be.revertedWithCustomError(f.fund, error)
      .withArgs(...args);
    await w.runners[0].mineAt(now);
    return error;
  };
  if (r.shares === 0n) return fail("InsuranceNoRequest", s.address);
  if (now < r.readyAt) return fail("InsuranceCooldownNotOver", r.readyAt);
  if (now > r.expiresAt) return fail("InsuranceWindowExpired", r.expiresAt);
  const pending = { blockTag: "pending" };
  const valueNow = M.convertToAssets(r.shares, await f.fund.totalAssets(pending), await f.fund.totalSupply());
  expect(await f.fund.previewRedeem(r.shares, pending), "previewRedeem equals the model").to.equal(valueNow);
  const assets = M.claimAmount(r.assetsAtRequest, valueNow);
  const idle = await f.cash.balanceOf(await f.fund.getAddress());
  const fromVault = assets > idle ? assets - idle : 0n;
  const held = await f.vault.totalHeldWad(await f.cash.getAddress());
  if (fromVault * M.scaleOf(f.d.cashDecimals) > held) {
    await expect(send()).to.be.revertedWithCustomError(f.vault, "VaultInsufficientLiquidity");
    await w.runners[0].mineAt(now);
    return "vault liquidity";
  }
  const before = await f.cash.balanceOf(s.address);
  await expect(send(), "INV-24 an exit pays min(value at request, value at claim)")
    .to.emit(f.fund, "WithdrawalClaimed")
    .withArgs(s.address, s.address, r.shares, assets);
  expect(await f.cash.balanceOf(s.address), "INV-24 the staker receives exactly the claim").to.equal(before + assets);
  return `claimed ${assets} (request ${r.assetsAtRequest}, now ${valueNow})`;
};

const insCancel = async (w: World, p: { staker: number }) => {
  const { f } = w;
  const s = w.stakers[p.staker];
  const now = await w.next();
  const r = await f.fund.withdrawalRequest(s.address);
  const send = () => f.fund.connect(s).cancelWithdrawal();
  if (r.shares === 0n) {
    await expect(send()).to.be.revertedWithCustomError(f.fund, "InsuranceNoRequest").withArgs(s.address);
    await w.runners[0].mineAt(now);
    return "no request";
  }
  await expect(send()).to.emit(f.fund, "WithdrawalCancelled").withArgs(s.address, r.shares);
  return "cancelled";
};

/** Every step by name: the replay script calls them by these names. */
export const STEPS: Record<string, Exec> = {
  deposit,
  withdraw,
  fill,
  order,
  price,
  timePasses,
  update,
  observeVol,
  risk,
  trading,
  tiers,
  haircut,
  rates,
  isolate,
  auctionParams,
  start,
  bid,
  terminate,
  checkpoint,
  restart,
  insDeposit,
  insRequest,
  insClaim,
  insCancel,
} as Record<string, Exec>;

// ------------------------------------------------------------------ commands

/** Anything the model would not know beforehand is decided at run time; every step can always run. */
export class Step implements fc.AsyncCommand<object, World> {
  constructor(
    readonly name: string,
    readonly p: P,
  ) {}
  check(): boolean {
    return true;
  }
  async run(_m: object, w: World): Promise<void> {
    await w.step(this.toString(), () => STEPS[this.name](w, this.p as never));
  }
  toString(): string {
    return `[${JSON.stringify(this.name)}, ${JSON.stringify(this.p, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)).replace(/"(-?\d+)n"/g, "$1n")}]`;
  }
}

const step = <T extends P>(name: string, arb: fc.Arbitrary<T>, weight: number) => ({
  weight,
  arbitrary: arb.map((p) => new Step(name, p)),
});

/** The command arbitraries and their weights. */
export const commandArbs = [
  step(
    "deposit",
    fc.record({
      who: actorArb,
      token: fc.integer({ min: -1, max: 2 }),
      mantissa: fc.integer({ min: 1, max: 9999 }),
      exp: fc.integer({ min: -2, max: 4 }),
    }),
    6,
  ),
  step("withdraw", fc.record({ who: actorArb, token: fc.integer({ min: -1, max: 2 }), permille: fc.integer({ min: 1, max: 1000 }) }), 3),
  step(
    "fill",
    fc.record({
      maker: actorArb,
      taker: fc.nat(3),
      market: fc.nat(2),
      exp: fc.integer({ min: -3, max: 5 }),
      mantissa: fc.integer({ min: 1, max: 9999 }),
      long: fc.boolean(),
      reduce: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
      dev: fc.integer({ min: -900, max: 900 }),
      gap: spread(1n, 600n),
    }),
    12,
  ),
  step(
    "order",
    fc.record({
      maker: actorArb,
      taker: fc.nat(3),
      market: fc.nat(2),
      variant: fc.constantFrom("overfill", "cancelled", "expired", "nonce", "otherVenue", "otherChain", "partial") as fc.Arbitrary<
        "overfill" | "cancelled" | "expired" | "nonce" | "otherVenue" | "otherChain" | "partial"
      >,
      permille: fc.integer({ min: 1, max: 1000 }),
    }),
    2,
  ),
  step(
    "price",
    fc.record({
      feed: fc.nat(7),
      bps: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -300, max: 300 }) },
        { weight: 2, arbitrary: fc.integer({ min: -9000, max: -1000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 1000, max: 50000 }) },
      ),
    }),
    8,
  ),
  step(
    "timePasses",
    fc.record({
      dt: fc.oneof(spread(1n, 600n), spread(60n, 7200n), spread(3600n, 86_400n)),
      refresh: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
    5,
  ),
  step("update", fc.record({ market: fc.nat(2) }), 2),
  step("observeVol", fc.record({ market: fc.nat(2) }), 2),
  step("risk", fc.record({ market: fc.nat(2), risk: riskParamsArb }), 1),
  step(
    "trading",
    fc.record({ market: fc.nat(2), t: tradingParamsArb, cap: fc.oneof(fc.constant(10n ** 33n), spread(10n ** 18n, 10n ** 26n)) }),
    1,
  ),
  step("tiers", fc.record({ market: fc.nat(2), tiers: marginTiersArb }), 1),
  step("haircut", fc.record({ token: fc.nat(2), change: haircutChangeArb }), 1),
  step(
    "rates",
    fc.record({ base: spread(0n, VAULT_BOUNDS.MAX_BASE_RATE_PER_YEAR), slope: spread(0n, VAULT_BOUNDS.MAX_RATE_SLOPE_PER_YEAR) }),
    1,
  ),
  step("isolate", fc.record({ who: fc.nat(1), isolated: fc.boolean() }), 1),
  step("auctionParams", fc.record({ params: auctionParamsArb }), 1),
  step("start", fc.record({ target: actorArb }), 5),
  step(
    "bid",
    fc.record({
      target: actorArb,
      bidder: actorArb,
      requested: fc.oneof(fc.constant(WAD), spread(1n, WAD)),
      tooLow: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      gap: spread(1n, 1800n),
    }),
    7,
  ),
  step("terminate", fc.record({ target: actorArb }), 2),
  step("checkpoint", fc.record({ target: actorArb }), 1),
  step("restart", fc.record({ target: actorArb }), 1),
  step(
    "insDeposit",
    fc.record({ staker: stakerArb, mantissa: fc.integer({ min: 1, max: 9999 }), exp: fc.integer({ min: 0, max: 10 }) }),
    3,
  ),
  step("insRequest", fc.record({ staker: stakerArb, permille: fc.integer({ min: 0, max: 1000 }) }), 2),
  step("insClaim", fc.record({ staker: stakerArb, gap: fc.oneof(spread(1n, 600n), spread(3000n, 7300n)) }), 2),
  step("insCancel", fc.record({ staker: stakerArb }), 1),
];
