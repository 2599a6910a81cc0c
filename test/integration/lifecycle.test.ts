/**
 * Integration: the life of three accounts funded with the three collateral decimals of the fixture (USDC cash, 6
 * decimals; WBTC, 8; WETH, 18) through deposit -> fill -> price move -> funding -> partial close -> withdraw.
 *
 * After every step the test compares EVERY balance with an exact model, to the wei: vault ledger cash of each
 * account (principal x supply/borrow index, interest accrued on the fees the collateral-only accounts borrow; every
 * vault call that stores an accrual emits CashInterestAccrued with the model's indices and interest, and no other
 * call emits it),
 * collateral ledger balances (WAD and token units) and token bitmaps, wallet balances, the vault's token holdings
 * and totalHeldWad, the cash indices and totals, positions, the fee account, each market's open interest,
 * totalBasis, funding index and rate, and each account's margin state at fresh prices. Fees accrue to the venue's
 * fee account, the insurance fund's vault account.
 *
 * Every transaction is pinned in time relative to an hour boundary H, so funding and interest are reproducible.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionResponse } from "ethers";
import { ballastFixture, type Ballast } from "../shared/fixtures";
import {
  BTC,
  BTC_IMR,
  BTC_MMR,
  ETH,
  ETH_IMR,
  ETH_MMR,
  FUNDING_EPOCH,
  WAD,
  accountId,
  alignToHour,
  at,
  ceilDiv,
  fill,
  fundingIndexAt,
  fundingRate,
  initialMargin,
  maintenanceMargin,
  modelTrade,
  mulWadDown,
  positionValue,
  premiumSample,
  premiumAfterFill,
  ETH_OI_CAP,
  BTC_OI_CAP,
  setFeed,
  venueFees,
  wad,
  type Pos,
} from "../unit/MarginEngine/helpers";
import { CashModel } from "./cashModel";

type Sym = "USDC" | "WETH" | "WBTC";
const SYMS: Sym[] = ["USDC", "WETH", "WBTC"];
const DECIMALS: Record<Sym, bigint> = { USDC: 6n, WETH: 18n, WBTC: 8n };
const SCALE: Record<Sym, bigint> = { USDC: 10n ** 12n, WETH: 1n, WBTC: 10n ** 10n };
const HAIRCUT: Record<Exclude<Sym, "USDC">, bigint> = { WETH: wad("0.8"), WBTC: wad("0.75") };
const TOKEN_INDEX: Record<Exclude<Sym, "USDC">, bigint> = { WETH: 0n, WBTC: 1n };

/** The protocol state the test expects, updated by each step. */
class Expected {
  readonly wallet = new Map<string, Record<Sym, bigint>>();
  readonly collateral = new Map<bigint, Record<"WETH" | "WBTC", bigint>>();
  readonly held: Record<Sym, bigint> = { USDC: 0n, WETH: 0n, WBTC: 0n };
  readonly positions = new Map<string, Pos>();
  readonly funding = [
    { F: 0n, rate: 0n, last: 0n },
    { F: 0n, rate: 0n, last: 0n },
  ];
  readonly price = [wad(3000), wad(60_000)];
  collateralPrice: Record<"WETH" | "WBTC", bigint> = { WETH: wad(3000), WBTC: wad(60_000) };

  constructor(readonly cash: CashModel) {}

  pos(account: bigint, market: number): Pos {
    return this.positions.get(`${account}:${market}`) ?? { size: 0n, basis: 0n };
  }
  setPos(account: bigint, market: number, p: Pos): void {
    this.positions.set(`${account}:${market}`, p);
  }
  coll(account: bigint): Record<"WETH" | "WBTC", bigint> {
    if (!this.collateral.has(account)) this.collateral.set(account, { WETH: 0n, WBTC: 0n });
    return this.collateral.get(account)!;
  }
  purse(owner: string): Record<Sym, bigint> {
    if (!this.wallet.has(owner)) this.wallet.set(owner, { USDC: 0n, WETH: 0n, WBTC: 0n });
    return this.wallet.get(owner)!;
  }
  /** Funding index of `market` accrued to `t` at `price` (views). */
  fundingAt(market: number, t: bigint, price: bigint): bigint {
    const s = this.funding[market];
    return fundingIndexAt(s.F, s.rate, price, t - s.last);
  }
}

describe("integration: lifecycle with USDC (6 decimals), WBTC (8) and WETH (18)", function () {
  it("deposit -> fill -> price move -> funding -> partial close -> withdraw leaves every balance exact to the wei", async function () {
    const b: Ballast = await loadFixture(ballastFixture);
    const [alice, bob, carol] = b.users;
    const A = accountId(alice.address);
    const B = accountId(bob.address);
    const C = accountId(carol.address);
    const FEE = await b.venue.feeAccount();
    expect(FEE, "fees accrue to the insurance fund's account").to.equal(await b.fund.fundAccount());
    const ACCOUNTS = [A, B, C, FEE];
    const TRADERS: [HardhatEthersSigner, bigint][] = [
      [alice, A],
      [bob, B],
      [carol, C],
    ];
    const token = { USDC: b.cash, WETH: b.tokens.WETH, WBTC: b.tokens.WBTC };
    const vaultAddress = await b.vault.getAddress();
    for (const s of SYMS) expect(await token[s].decimals(), s).to.equal(DECIMALS[s]);
    const [, , lastAccrual] = await b.vault.cashIndices();
    const x = new Expected(new CashModel(lastAccrual, b.plan.cash.baseRatePerYear, b.plan.cash.rateSlopePerYear));

    // ---------------------------------------------------------------- checks

    async function checkAll(step: string): Promise<void> {
      const t = BigInt(await time.latest());
      const m = `${step}:`;
      // Vault ledger: cash (signed, WAD) and its token-unit view, collateral balances and bitmaps.
      for (const a of ACCOUNTS) {
        const cash = x.cash.cashAt(a, t);
        expect(await b.vault.cashBalance(a), `${m} cash of ${a}`).to.equal(cash);
        expect(await b.vault.balanceOf(a, await b.cash.getAddress()), `${m} USDC units of ${a}`).to.equal(
          cash > 0n ? cash / SCALE.USDC : 0n,
        );
        let bits = 0n;
        for (const s of ["WETH", "WBTC"] as const) {
          const bal = x.coll(a)[s];
          expect(await b.vault.collateralBalanceWad(a, await token[s].getAddress()), `${m} ${s} WAD of ${a}`).to.equal(bal);
          expect(await b.vault.balanceOf(a, await token[s].getAddress()), `${m} ${s} units of ${a}`).to.equal(bal / SCALE[s]);
          if (bal !== 0n) bits |= 1n << TOKEN_INDEX[s];
        }
        expect(await b.vault.accountTokens(a), `${m} INV-04 token bitmap of ${a}`).to.equal(bits);
      }
      // Wallets, custody and totalHeldWad (INV-01).
      for (const [u] of TRADERS) {
        for (const s of SYMS) expect(await token[s].balanceOf(u.address), `${m} wallet ${s}`).to.equal(x.purse(u.address)[s]);
      }
      for (const s of SYMS) {
        expect(await b.vault.totalHeldWad(await token[s].getAddress()), `${m} totalHeldWad ${s}`).to.equal(x.held[s]);
        expect(await token[s].balanceOf(vaultAddress), `${m} vault holds ${s}`).to.equal(x.held[s] / SCALE[s]);
      }
      // Cash indices and totals.
      const { sI, bI } = x.cash.accrued(t - x.cash.lastAccrual);
      expect(await b.vault.cashIndices(), `${m} cash indices`).to.deep.equal([sI, bI, x.cash.lastAccrual]);
      expect(await b.vault.cashTotals(), `${m} cash totals`).to.deep.equal(x.cash.totalsAt(t));
      // Positions, open interest, basis and funding (INV-07).
      for (const market of [ETH, BTC]) {
        let long = 0n;
        let basis = 0n;
        let sum = 0n;
        for (const a of ACCOUNTS) {
          const p = x.pos(a, market);
          expect(await b.engine.position(a, market), `${m} position ${a} in ${market}`).to.deep.equal([p.size, p.basis]);
          sum += p.size;
          basis += p.basis;
          if (p.size > 0n) long += p.size;
        }
        expect(sum, `${m} INV-07 sizes sum to zero`).to.equal(0n);
        const v = await b.engine.marketView(market);
        const fd = x.funding[market];
        expect([v.longOpenInterest, v.totalBasis, v.cumulativeFunding, v.fundingRatePerSecond], `${m} market ${market}`).to.deep.equal([
          long,
          basis,
          fd.F,
          fd.rate,
        ]);
      }
      // Margin state of each trader at fresh oracle prices.
      for (const [, a] of TRADERS) {
        let equity = x.cash.cashAt(a, t);
        for (const s of ["WETH", "WBTC"] as const) equity += mulWadDown(mulWadDown(x.coll(a)[s], x.collateralPrice[s]), HAIRCUT[s]);
        let mm = 0n;
        let im = 0n;
        for (const [market, mmr, imr] of [
          [ETH, ETH_MMR, ETH_IMR],
          [BTC, BTC_MMR, BTC_IMR],
        ] as const) {
          const p = x.pos(a, market);
          const price = x.price[market];
          equity += positionValue(p.size, p.basis, price, x.fundingAt(market, t, price));
          mm += maintenanceMargin(p.size, price, mmr);
          im += initialMargin(p.size, price, imr);
        }
        const s = await b.engine.accountMargin(a);
        expect([s.equity, s.maintenanceMargin, s.initialMargin], `${m} margin of ${a}`).to.deep.equal([equity, mm, im]);
      }
      // INV-02: claims on cash (cash values + position values = cash - totalBasis) never exceed the cash held.
      let claims = 0n;
      for (const a of ACCOUNTS) claims += x.cash.cashAt(a, t);
      for (const market of [ETH, BTC]) claims -= (await b.engine.marketView(market)).totalBasis;
      expect(claims <= x.held.USDC, `${m} INV-02 cash conservation`).to.equal(true);
    }

    /** The vault's CashInterestAccrued events in `tx`, as argument lists. */
    async function interestEvents(tx: ContractTransactionResponse): Promise<bigint[][]> {
      const receipt = await tx.wait();
      return receipt!.logs
        .filter((l) => l.address === vaultAddress)
        .map((l) => b.vault.interface.parseLog(l))
        .filter((e) => e?.name === "CashInterestAccrued")
        .map((e) => [...e!.args] as bigint[]);
    }

    // ---------------------------------------------------------------- steps

    async function deposit(u: HardhatEthersSigner, a: bigint, s: Sym, amount: bigint, t: number): Promise<void> {
      const accrual = s === "USDC" ? x.cash.accrualEvent(BigInt(t)) : undefined;
      await at(t);
      const tx = await b.vault.connect(u).deposit(a, await token[s].getAddress(), amount);
      expect(await interestEvents(tx), `deposit ${s} CashInterestAccrued`).to.deep.equal(accrual ? [accrual] : []);
      x.purse(u.address)[s] -= amount;
      x.held[s] += amount * SCALE[s];
      if (s === "USDC") x.cash.write(BigInt(t), [[a, amount * SCALE.USDC]]);
      else x.coll(a)[s] += amount * SCALE[s];
    }

    /** A withdrawal at `t`; only a cash withdrawal stores the cash state (a collateral one reads it for margin). */
    async function withdraw(u: HardhatEthersSigner, a: bigint, s: Sym, amount: bigint, t: number): Promise<void> {
      const accrual = s === "USDC" ? x.cash.accrualEvent(BigInt(t)) : undefined;
      await at(t);
      const tx = await b.vault.connect(u).withdraw(a, await token[s].getAddress(), amount, u.address);
      await expect(tx)
        .to.emit(b.vault, "Withdrawn")
        .withArgs(a, await token[s].getAddress(), amount, u.address);
      expect(await interestEvents(tx), `withdraw ${s} CashInterestAccrued`).to.deep.equal(accrual ? [accrual] : []);
      x.purse(u.address)[s] += amount;
      x.held[s] -= amount * SCALE[s];
      if (s === "USDC") x.cash.write(BigInt(t), [[a, -amount * SCALE.USDC]]);
      else x.coll(a)[s] -= amount * SCALE[s];
    }

    /** A fill at `t`; the fill's funding index is the stored one accrued to `t` at the (refreshed) mark. */
    async function trade(
      maker: HardhatEthersSigner,
      taker: HardhatEthersSigner,
      market: number,
      makerSize: bigint,
      price: bigint,
      t: number,
    ) {
      const mA = accountId(maker.address);
      const tA = accountId(taker.address);
      const F = x.fundingAt(market, BigInt(t), x.price[market]);
      const takerSize = -makerSize;
      const r = modelTrade(x.pos(mA, market), x.pos(tA, market), takerSize, price, F);
      const { makerFee, takerFee } = venueFees(makerSize, price);
      const accrual = x.cash.accrualEvent(BigInt(t));
      await at(t);
      const tx = await fill(b, maker, taker, market, makerSize, price);
      await expect(tx)
        .to.emit(b.engine, "TradeSettled")
        .withArgs(await b.venue.getAddress(), market, mA, tA, takerSize, price, makerFee, takerFee, r.mk.realised, r.tk.realised);
      expect(await interestEvents(tx), "fill CashInterestAccrued").to.deep.equal(accrual ? [accrual] : []);
      x.setPos(mA, market, r.mk.after);
      x.setPos(tA, market, r.tk.after);
      x.funding[market].F = F;
      x.funding[market].last = BigInt(t);
      // The vault credits the fees first, then each trader's realised PnL minus fee.
      x.cash.write(BigInt(t), [
        [FEE, makerFee + takerFee],
        [mA, r.mk.realised - makerFee],
        [tA, r.tk.realised - takerFee],
      ]);
      return { ...r, makerFee, takerFee };
    }

    async function price(market: number, human: string, t: number): Promise<void> {
      await setFeed(b, market === ETH ? "ETH/USD" : "BTC/USD", human, t);
      x.price[market] = wad(human);
      x.collateralPrice[market === ETH ? "WETH" : "WBTC"] = wad(human);
    }

    // Wallets receive exactly what they deposit (minted and approved before the timeline).
    const amounts: [HardhatEthersSigner, bigint, Sym, bigint][] = [
      [alice, A, "USDC", 50_000n * 10n ** 6n],
      [bob, B, "WBTC", 10n ** 8n],
      [carol, C, "WETH", 10n * 10n ** 18n],
    ];
    for (const [u, , s, amount] of amounts) {
      await (await token[s].connect(u).mint(u.address, amount)).wait();
      await (await token[s].connect(u).approve(vaultAddress, amount)).wait();
      x.purse(u.address)[s] += amount;
    }
    const H = await alignToHour(b);
    x.funding[ETH].last = x.funding[BTC].last = BigInt(H); // rate 0 until the first rollover: F stays 0
    await checkAll("start");

    // 1. Deposits: 50,000 USDC (alice), 1 WBTC (bob), 10 WETH (carol).
    await deposit(alice, A, "USDC", amounts[0][3], H + 10);
    await deposit(bob, B, "WBTC", amounts[1][3], H + 20);
    await deposit(carol, C, "WETH", amounts[2][3], H + 30);
    await checkAll("deposits");
    expect(await b.vault.cashBalance(A)).to.equal(wad(50_000));
    expect(await b.vault.collateralBalanceWad(B, await b.tokens.WBTC.getAddress())).to.equal(WAD);

    // 2. Fills at a premium: carol buys 4 ETH at 3,015 (+0.5%) from alice; alice sells 0.5 BTC at 59,700 (-0.5%)
    //    to bob. carol and bob hold no cash: their fees are borrowed against their collateral.
    await trade(alice, carol, ETH, wad(-4), wad(3015), H + 100);
    expect(await b.vault.cashBalance(C)).to.equal(-wad("6.03"));
    expect(await b.vault.cashBalance(FEE)).to.equal(wad("8.442"));
    await trade(bob, alice, BTC, wad("0.5"), wad(59_700), H + 200);
    await checkAll("opening fills");
    expect((await b.vault.cashIndices())[1] > WAD).to.equal(true);

    // 3. Price move: ETH 3,150, BTC 58,800.
    await price(ETH, "3150", H + 1900);
    await price(BTC, "58800", H + 1901);
    await checkAll("price move");

    // 4. Funding: the first updates of the next epoch turn the premiums into rates. Each fill moved its market's
    //    premium by its size weight: 4 of 1,000 ETH and 0.5 of 50 BTC (1% of the open-interest caps).
    const ethPremium = premiumAfterFill(0n, premiumSample(wad(3015), wad(3000)), wad(4), ETH_OI_CAP);
    const btcPremium = premiumAfterFill(0n, premiumSample(wad(59_700), wad(60_000)), wad("0.5"), BTC_OI_CAP);
    expect([ethPremium, btcPremium]).to.deep.equal([wad("0.00002"), -wad("0.00005")]);
    const ethTwap = (ethPremium * BigInt(FUNDING_EPOCH - 100)) / 3600n;
    const btcTwap = (btcPremium * BigInt(FUNDING_EPOCH - 200)) / 3600n;
    const ethRate = fundingRate(ethTwap);
    const btcRate = fundingRate(btcTwap);
    expect([ethRate.rate, btcRate.rate]).to.deep.equal([675_154_320n, -1_639_660_493n]);
    await at(H + 3650);
    await expect(b.engine.updateMarket(ETH)).to.emit(b.engine, "FundingRateUpdated").withArgs(ETH, ethRate.twap, ethRate.rate);
    x.funding[ETH] = { F: 0n, rate: ethRate.rate, last: BigInt(H + 3650) };
    await at(H + 3651);
    await expect(b.engine.updateMarket(BTC)).to.emit(b.engine, "FundingRateUpdated").withArgs(BTC, btcTwap, btcRate.rate);
    x.funding[BTC] = { F: 0n, rate: btcRate.rate, last: BigInt(H + 3651) };
    await checkAll("funding rates set");
    await price(ETH, "3150", H + 5400);
    await price(BTC, "58800", H + 5401);

    // 5. Partial closes, settling accrued funding: carol sells 1.5 of her 4 ETH to alice; bob sells 0.2 of his
    //    0.5 BTC to alice.
    const eth = await trade(alice, carol, ETH, wad("1.5"), wad(3150), H + 5450);
    expect(x.funding[ETH].F).to.equal(fundingIndexAt(0n, ethRate.rate, wad(3150), 1800));
    // Realised = closed basis share (4,522.5) against 1.5 * (3,150 - F), the notional rounded against the seller.
    expect(eth.tk.realised).to.equal(ceilDiv(wad("1.5") * (wad(3150) - x.funding[ETH].F), WAD) - wad("4522.5"));
    const btc = await trade(bob, alice, BTC, wad("-0.2"), wad(58_800), H + 5460);
    expect(x.funding[BTC].F < 0n && btc.mk.realised > -wad(180)).to.equal(true); // longs receive at a negative rate
    await checkAll("partial closes");
    expect([x.pos(C, ETH).size, x.pos(A, ETH).size, x.pos(B, BTC).size, x.pos(A, BTC).size]).to.deep.equal([
      wad("2.5"),
      wad("-2.5"),
      wad("0.3"),
      wad("-0.3"),
    ]);

    // 6. Withdrawals in each decimal: 5 WETH (carol), 0.4 WBTC (bob), 10,000 USDC (alice). Interest has been due
    //    since the last fill, but the collateral withdrawals only read the cash state: no accrual is stored or
    //    emitted until alice's cash withdrawal.
    expect(x.cash.accrualEvent(BigInt(H + 5500))).to.not.equal(undefined);
    await withdraw(carol, C, "WETH", 5n * 10n ** 18n, H + 5500);
    await withdraw(bob, B, "WBTC", 40_000_000n, H + 5510);
    await withdraw(alice, A, "USDC", 10_000n * 10n ** 6n, H + 5520);
    await checkAll("withdrawals");

    // 7. Time passes: interest and funding accrue in the views only.
    await time.increaseTo(H + 7000);
    await checkAll("later");
  });
});
