/**
 * Margin tiers by position notional (issue #14 item 2, INV-29): the rule against the reference model at every tier
 * boundary and 1 wei either side, the governance path (configurator setMarginTiers, the engine's bounds with their
 * arguments, events), the ramp of increases (no position becomes liquidatable in the block the tiers rise) and
 * immediate decreases, and the lens and the engine's checks seeing the same requirement.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";
import { ETH, USDC, WAD, fill, freshPriceFixture, fund, setFeed, wad, bytes32, type EngineFixture } from "./helpers";
import type { IMarketConfigurator } from "../../../typechain-types";
import { positionMargins, type MarginTier } from "../../../src/model/margin";
import { effectiveRatios, effectiveTiers, marketStateFromView, setMarketTiers } from "../../../src/model/market";

/** ETH-PERP (mmr 3%, imr 5%): +1% / +2% above 2,000 of notional, +3% / +5% above 4,000 (cumulative add-ons). */
const TIERS: MarginTier[] = [
  { notionalThreshold: wad(2000), mmrAddOn: wad("0.01"), imrAddOn: wad("0.02") },
  { notionalThreshold: wad(4000), mmrAddOn: wad("0.03"), imrAddOn: wad("0.05") },
];
const NO_COLLATERAL = { cash: 0n, collateralValue: 0n };

/** Tiers set on ETH before any position (targets apply at once), then alice long 1 ETH from bob at 3,000. */
async function tieredFixture(): Promise<EngineFixture> {
  const f = await freshPriceFixture();
  await (await f.b.configurator.setMarginTiers(ETH, TIERS)).wait();
  await (await fill(f.b, f.bob, f.alice, ETH, wad(-1), wad(3000))).wait();
  return f;
}

/** The engine's (maintenance, initial) margin of `account` with every market at `ethPrice` (only ETH is held). */
async function engineMargins(f: EngineFixture, account: bigint, ethPrice: bigint): Promise<{ mm: bigint; im: bigint }> {
  const n = Number(await f.b.engine.marketCount());
  const s = await f.b.engine.accountMarginAtPrices(account, NO_COLLATERAL, Array(n).fill(ethPrice));
  return { mm: s.maintenanceMargin, im: s.initialMargin };
}

/** The reference model's (maintenance, initial) margin of a position of `size` in ETH at `price`, now. */
async function modelMargins(f: EngineFixture, size: bigint, price: bigint): Promise<{ mm: bigint; im: bigint }> {
  const m = marketStateFromView(await f.b.engine.marketView(ETH));
  const now = BigInt(await time.latest());
  const r = effectiveRatios(m, now);
  return positionMargins(size, price, r.mmr, r.imr, m.imrSizeFactor, effectiveTiers(m, now));
}

describe("MarginEngine: margin tiers by position notional (INV-29)", function () {
  describe("the rule", function () {
    it("INV-29 below the first threshold the requirement is the flat rule; above, each tier's add-on applies to the notional beyond its threshold", async function () {
      const f = await loadFixture(tieredFixture);
      // 1 ETH at 1,999: flat 3% / 5%.
      expect(await engineMargins(f, f.A, wad(1999))).to.deep.equal({ mm: wad("59.97"), im: wad("99.95") });
      // At 3,000: 3% of 3,000 + 1% of the 1,000 above 2,000 = 100; 5% + 2% of 1,000 = 170.
      expect(await engineMargins(f, f.A, wad(3000))).to.deep.equal({ mm: wad(100), im: wad(170) });
      // At 5,000: 150 + 1% of 3,000 + 2% more on the 1,000 above 4,000 = 200; 250 + 2% of 3,000 + 3% of 1,000 = 340.
      expect(await engineMargins(f, f.A, wad(5000))).to.deep.equal({ mm: wad(200), im: wad(340) });
    });

    it("INV-29 at every tier boundary and 1 wei either side the engine's requirement equals the reference model's, and moves by at most 1 wei per wei of notional (continuous)", async function () {
      const f = await loadFixture(tieredFixture);
      for (const t of TIERS) {
        let previous: { mm: bigint; im: bigint } | undefined;
        for (const d of [-1n, 0n, 1n]) {
          // 1 ETH: the notional is the price to the wei.
          const price = t.notionalThreshold + d;
          const got = await engineMargins(f, f.A, price);
          expect(got, `threshold ${t.notionalThreshold} ${d >= 0n ? "+" : ""}${d} wei`).to.deep.equal(await modelMargins(f, WAD, price));
          if (previous) {
            expect(got.mm - previous.mm >= 0n && got.mm - previous.mm <= 1n, "maintenance continuous").to.equal(true);
            expect(got.im - previous.im >= 0n && got.im - previous.im <= 1n, "initial continuous").to.equal(true);
          }
          previous = got;
        }
      }
    });

    it("INV-29 fuzz: for sizes and prices around each boundary the engine equals the model to the wei, and maintenance <= initial margin", async function () {
      const f = await loadFixture(tieredFixture);
      const [size] = await f.b.engine.position(f.A, ETH);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: TIERS.length - 1 }), fc.bigInt({ min: -3n, max: 3n }), async (i, d) => {
          // The price at which |size| * price is the threshold (rounded up), moved by d wei.
          const price = (TIERS[i].notionalThreshold * WAD + size - 1n) / size + d;
          const got = await engineMargins(f, f.A, price);
          expect(got).to.deep.equal(await modelMargins(f, size, price));
          expect(got.mm <= got.im).to.equal(true);
        }),
        { numRuns: 20, seed: 14 },
      );
    });

    it("INV-29 a whale cannot open at the small account's leverage: 2 ETH at 3,000 with 400 of equity passes flat, reverts with tiers", async function () {
      const f = await loadFixture(tieredFixture);
      await fund(f.b, f.carol, "USDC", 400n * USDC);
      // Flat: 5% of 6,000 = 300 <= 400 - fee. Tiered: 300 + 2% of 4,000 + 3% of 2,000 = 440 > 397.
      await expect(fill(f.b, f.bob, f.carol, ETH, wad(-2), wad(3000)))
        .to.be.revertedWithCustomError(f.b.engine, "EngineInsufficientMargin")
        .withArgs(f.C, wad(400) - (wad(6000) * 5n) / 10_000n, wad(440));
    });
  });

  describe("governance", function () {
    it("setMarginTiers stores the tiers, emits MarginTiersSet and the engine's MarketMarginTiersSet(market, tiers, rampStart, step)", async function () {
      const f = await loadFixture(freshPriceFixture);
      const t = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t);
      const tx = f.b.configurator.setMarginTiers(ETH, TIERS);
      const asTuples = TIERS.map((x) => [x.notionalThreshold, x.mmrAddOn, x.imrAddOn]);
      await expect(tx).to.emit(f.b.configurator, "MarginTiersSet").withArgs(ETH, asTuples);
      await expect(tx).to.emit(f.b.engine, "MarketMarginTiersSet").withArgs(ETH, asTuples, t, wad("0.01"));
      expect((await f.b.configurator.marginTiers(ETH)).map((x) => [...x])).to.deep.equal(asTuples);
      const v = await f.b.engine.marketView(ETH);
      // No open interest yet: the targets apply at once.
      expect(v.tierRampFrom.map((x) => [...x])).to.deep.equal(asTuples);
    });

    it("the engine bounds the tiers and reverts EngineMarginTierOutOfBounds(index, parameter, value, min, max); nothing changes", async function () {
      const f = await loadFixture(freshPriceFixture);
      const e = f.b.engine;
      const T = (n: number | string, m: string, i: string): MarginTier => ({
        notionalThreshold: wad(n),
        mmrAddOn: wad(m),
        imrAddOn: wad(i),
      });
      const cases: [MarginTier[], bigint, string, bigint, bigint, bigint][] = [
        [[T(1, "0", "0"), T(2, "0", "0"), T(3, "0", "0"), T(4, "0", "0"), T(5, "0", "0")], 5n, "count", 5n, 0n, 4n],
        [[T("0.999999999999999999", "0.01", "0.01")], 0n, "notionalThreshold", WAD - 1n, WAD, 2n ** 128n - 1n],
        [[T(10, "0.01", "0.01"), T(10, "0.02", "0.02")], 1n, "notionalThreshold", wad(10), wad(10) + 1n, 2n ** 128n - 1n],
        [[T(10, "0.02", "0.02"), T(20, "0.01", "0.03")], 1n, "mmrAddOn", wad("0.01"), wad("0.02"), wad("0.25")],
        [[T(10, "0.25", "0.3"), T(20, "0.250000000000000001", "0.3")], 1n, "mmrAddOn", wad("0.25") + 1n, wad("0.25"), wad("0.25")],
        [[T(10, "0.02", "0.01")], 0n, "imrAddOn", wad("0.01"), wad("0.02"), wad("0.5")],
        [[T(10, "0.01", "0.03"), T(20, "0.01", "0.02")], 1n, "imrAddOn", wad("0.02"), wad("0.03"), wad("0.5")],
        [[T(10, "0.01", "0.500000000000000001")], 0n, "imrAddOn", wad("0.5") + 1n, wad("0.01"), wad("0.5")],
      ];
      const tiersBefore = (await e.marketView(ETH)).tiers.map((x) => [...x]);
      for (const [tiers, index, name, value, lo, hi] of cases) {
        await expect(f.b.configurator.setMarginTiers(ETH, tiers))
          .to.be.revertedWithCustomError(e, "EngineMarginTierOutOfBounds")
          .withArgs(index, bytes32(name), value, lo, hi);
        // The model refuses the same tiers with the same arguments.
        const m = marketStateFromView(await e.marketView(ETH));
        expect(() => setMarketTiers(m, tiers, 0n)).to.throw(`margin tier ${index}: ${name} = ${value}`);
      }
      expect((await e.marketView(ETH)).tiers.map((x) => [...x])).to.deep.equal(tiersBefore);
      expect((await f.b.configurator.marginTiers(ETH)).map((x) => [...x])).to.deep.equal(tiersBefore);
      // The bounds themselves are accepted.
      await expect(
        f.b.configurator.setMarginTiers(ETH, [T(1, "0.25", "0.5"), T(2, "0.25", "0.5"), T(3, "0.25", "0.5"), T(4, "0.25", "0.5")]),
      ).to.emit(e, "MarketMarginTiersSet");
    });

    it("only the risk manager sets tiers (AccessManagedUnauthorized); an unknown market reverts ConfiguratorMarketUnknown", async function () {
      const f = await loadFixture(freshPriceFixture);
      await expect(f.b.configurator.connect(f.erin).setMarginTiers(ETH, TIERS))
        .to.be.revertedWithCustomError(f.b.configurator, "AccessManagedUnauthorized")
        .withArgs(f.erin.address);
      await expect(f.b.configurator.setMarginTiers(9, TIERS))
        .to.be.revertedWithCustomError(f.b.configurator, "ConfiguratorMarketUnknown")
        .withArgs(9);
    });
  });

  describe("ramp (INV-29: no position becomes liquidatable in the block the tiers rise)", function () {
    /** alice long 10 ETH at 3,000 (30,000 of notional) with just enough equity above the flat maintenance margin. */
    async function whaleFixture(): Promise<EngineFixture> {
      const f = await freshPriceFixture();
      await fund(f.b, f.carol, "USDC", 1600n * USDC);
      await (await fill(f.b, f.bob, f.carol, ETH, wad(-10), wad(3000))).wait();
      return f;
    }

    it("INV-29 tiers set on a market with open interest start at the add-ons in force (none) and rise by maxStepPerHour per hour; the engine equals the model throughout", async function () {
      const f = await loadFixture(whaleFixture);
      const before = await f.b.engine.accountMargin(f.C);
      const t0 = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(t0);
      await (await f.b.configurator.setMarginTiers(ETH, TIERS)).wait();
      const v = await f.b.engine.marketView(ETH);
      expect(v.tierRampFrom.map((x) => [x.mmrAddOn, x.imrAddOn])).to.deep.equal([
        [0n, 0n],
        [0n, 0n],
      ]);
      // Same block: unchanged requirement, not liquidatable.
      const same = await f.b.engine.accountMargin(f.C);
      expect(same.maintenanceMargin).to.equal(before.maintenanceMargin);
      expect(same.liquidatable).to.equal(false);
      const size = wad(10);
      const expected: Record<number, bigint> = {
        // 1%/h: after 1 h every add-on is 1%: 900 + 1% of the 28,000 above 2,000 (no further step above 4,000).
        3600: wad(1180),
        // After 5 h every add-on is at its target: 900 + 1% of 28,000 + 2% of the 26,000 above 4,000 = 1,700.
        18_000: wad(1700),
      };
      for (const dt of [1, 1800, 3600, 18_000, 36_000]) {
        await time.increaseTo(t0 + dt);
        const got = await engineMargins(f, f.C, wad(3000));
        expect(got, `after ${dt} s`).to.deep.equal(await modelMargins(f, size, wad(3000)));
        if (expected[dt] !== undefined) expect(got.mm, `after ${dt} s`).to.equal(expected[dt]);
      }
    });

    it("INV-29 a decrease applies at once: clearing the tiers returns the flat requirement in the same block", async function () {
      const f = await loadFixture(tieredFixture);
      expect((await engineMargins(f, f.A, wad(3000))).mm).to.equal(wad(100));
      await (await f.b.configurator.setMarginTiers(ETH, [])).wait();
      expect(await engineMargins(f, f.A, wad(3000))).to.deep.equal({ mm: wad(90), im: wad(150) });
      expect((await f.b.engine.marketView(ETH)).tiers).to.deep.equal([]);
    });

    it("INV-29 a lowered threshold starts at the add-on in force at the new threshold; every later push keeps the add-ons in force", async function () {
      const f = await loadFixture(tieredFixture);
      const lower: MarginTier[] = [{ ...TIERS[0], notionalThreshold: wad(1000) }, TIERS[1]];
      const mmBefore = (await engineMargins(f, f.A, wad(3000))).mm;
      await (await f.b.configurator.setMarginTiers(ETH, lower)).wait();
      const v = await f.b.engine.marketView(ETH);
      // At 1,000 no old tier applied: tier 0 starts from 0; tier 1 keeps its add-ons (threshold unchanged).
      expect(v.tierRampFrom.map((x) => [x.mmrAddOn, x.imrAddOn])).to.deep.equal([
        [0n, 0n],
        [wad("0.03"), wad("0.05")],
      ]);
      // No requirement rose at once (the notional 1,000-2,000 lost its add-on until the ramp restores it).
      expect((await engineMargins(f, f.A, wad(3000))).mm <= mmBefore).to.equal(true);
      expect(await engineMargins(f, f.A, wad(3000))).to.deep.equal(await modelMargins(f, WAD, wad(3000)));
      // A push of other parameters (here the same trading parameters) re-applies the same tiers without a jump.
      const m0 = marketStateFromView(await f.b.engine.marketView(ETH));
      await (
        await f.b.configurator.setTradingParams(
          ETH,
          ((await f.b.configurator.tradingParams(ETH)) as unknown as { toObject(): IMarketConfigurator.TradingParamsStruct }).toObject(),
        )
      ).wait();
      const now = BigInt(await time.latest());
      const r = effectiveRatios(m0, now);
      // What the old ramp gives at the push's block time, to the wei.
      const noJump = positionMargins(WAD, wad(3000), r.mmr, r.imr, m0.imrSizeFactor, effectiveTiers(m0, now));
      expect(noJump.mm > wad(90)).to.equal(true);
      expect(await engineMargins(f, f.A, wad(3000))).to.deep.equal(noJump);
    });
  });

  describe("lens and checks see the same requirement", function () {
    it("INV-29 the lens's portfolio and health report the engine's tiered margins; the engine's liquidation decision uses them", async function () {
      const f = await loadFixture(tieredFixture);
      await setFeed(f.b, "ETH/USD", 4500);
      const p = await f.b.lens.portfolio(f.A);
      const model = await modelMargins(f, WAD, wad(4500));
      expect(p.positions[0].maintenanceMargin).to.equal(model.mm);
      expect(p.positions[0].initialMargin).to.equal(model.im);
      const s = await f.b.engine.accountMargin(f.A);
      expect(s.maintenanceMargin).to.equal(model.mm);
      const [h] = await f.b.lens.accountsHealth([f.A]);
      expect(h.maintenanceMargin).to.equal(model.mm);
      expect(h.initialMargin).to.equal(s.initialMargin);
      void ethers;
    });
  });
});
