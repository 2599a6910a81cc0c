import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  listedFixture,
  observe,
  atBlock,
  risk,
  riskTuple,
  targetsOf,
  nextVariance,
  engineTargets,
  effective,
  pct,
  wad,
  e8,
  B,
  SOL,
  SOL_ID,
  RISK,
  WAD,
  type Risk,
} from "./helpers";

/** Asserts INV-10's static part for a pair of targets: MIN_MMR <= mmr < imr <= MAX_IMR. */
function expectRatioBounds([mmr, imr]: [bigint, bigint]): void {
  expect(mmr >= B.MIN_MMR && mmr < imr && imr <= B.MAX_IMR, `bounds of (${mmr}, ${imr})`).to.equal(true);
}

describe("MarketConfigurator: volatility observations", function () {
  describe("observation interval", function () {
    it("reverts with ConfiguratorObservationTooSoon(id, lastObservation + minObservationInterval) one second early", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await expect(observe(f, "101", T0 + 299))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorObservationTooSoon")
        .withArgs(SOL_ID, BigInt(T0 + 300));
    });

    it("accepts an observation exactly minObservationInterval after the listing, then counts from it", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await expect(observe(f, "101", T0 + 300)).to.emit(f.configurator, "VolatilityObserved");
      expect((await f.configurator.volatility(SOL_ID)).lastObservation).to.equal(BigInt(T0 + 300));
      await expect(observe(f, "101", T0 + 599))
        .to.be.revertedWithCustomError(f.configurator, "ConfiguratorObservationTooSoon")
        .withArgs(SOL_ID, BigInt(T0 + 600));
    });

    it("uses the minObservationInterval in force when the observation is made", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await atBlock(T0 + 10, () => f.configurator.setRiskParams(SOL_ID, risk({ minObservationInterval: 600n })));
      // The price stays at 100 (the feed, updated at T0 - 1, is fresh for a day).
      await atBlock(T0 + 599, async () =>
        expect(f.configurator.recordObservation(SOL_ID))
          .to.be.revertedWithCustomError(f.configurator, "ConfiguratorObservationTooSoon")
          .withArgs(SOL_ID, BigInt(T0 + 600)),
      );
      await atBlock(T0 + 600, async () =>
        expect(f.configurator.recordObservation(SOL_ID))
          .to.emit(f.configurator, "VolatilityObserved")
          .withArgs(SOL_ID, wad("100"), 0n, pct(3), pct(5)),
      );
    });
  });

  describe("EWMA of hourly variance", function () {
    it("matches the documented EWMA to the wei over a scripted path of prices and intervals", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      // [seconds after listing, price]: an exact 1.5% return, an inexact fall after 450 s, a move after
      // 1 h 17 s, a jump whose sample is capped at 1e18, and a tiny move after almost a day.
      const path: [number, string][] = [
        [300, "101.5"],
        [750, "99.87654321"],
        [4367, "103.33333333"],
        [4667, "250"],
        [90_000, "249.99999999"],
      ];
      let v = 0n;
      let last = wad("100");
      let lastAt = T0;
      for (const [offset, price] of path) {
        const t = T0 + offset;
        const p = wad(price);
        v = nextVariance(RISK.volDecay, v, last, p, BigInt(t - lastAt));
        const [mmrT, imrT] = targetsOf(RISK, v);
        await expect(observe(f, price, t))
          .to.emit(f.configurator, "VolatilityObserved")
          .withArgs(SOL_ID, p, v, mmrT, imrT);
        expect(await f.configurator.volatility(SOL_ID)).to.deep.equal([v, BigInt(t), p]);
        expect(await f.configurator.targets(SOL_ID)).to.deep.equal([mmrT, imrT]);
        expect(await engineTargets(f)).to.deep.equal([mmrT, imrT]);
        expectRatioBounds([mmrT, imrT]);
        last = p;
        lastAt = t;
      }
    });

    it("records 0.06 * sample for a first observation: a 1.5% return over 300 s gives variance 162e12 and mmr 3% + 2 * ceil(sigma)", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      // r = 0.015e18; r^2 = 225e12; sample = 225e12 * 3600 / 300 = 2.7e15; v = 0.06 * 2.7e15 = 162e12.
      // sigma = ceil(sqrt(162e12 * 1e18)) = 12727922061357856; mmr = 0.03e18 + 2 * sigma; imr = ceil(mmr * 5 / 3).
      await expect(observe(f, "101.5", T0 + 300))
        .to.emit(f.configurator, "VolatilityObserved")
        .withArgs(SOL_ID, wad("101.5"), 162_000_000_000_000n, 55_455_844_122_715_712n, 92_426_406_871_192_854n);
    });

    it("treats a fall like a rise of the same size (|p - last|)", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await observe(f, "98.5", T0 + 300);
      expect((await f.configurator.volatility(SOL_ID)).variancePerHour).to.equal(162_000_000_000_000n);
    });

    it("scales the sample by 3600 / dt: the same return over twice the time gives half the sample", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await observe(f, "101.5", T0 + 600);
      expect((await f.configurator.volatility(SOL_ID)).variancePerHour).to.equal(81_000_000_000_000n);
    });

    it("caps a single sample at MAX_VARIANCE_SAMPLE (1e18): a 200% jump in 300 s adds exactly (1 - decay) * 1e18", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      // r = 2e18: r^2 * 3600 / 300 = 48e18, capped to 1e18; v = 0.06 * 1e18.
      await observe(f, "300", T0 + 300);
      const v = 6n * 10n ** 16n;
      expect((await f.configurator.volatility(SOL_ID)).variancePerHour).to.equal(v);
      // mmr = 3% + 2 * sqrt(0.06) > cap 20%: clamped; imr = ceil(0.2 * 5 / 3).
      expect(await f.configurator.targets(SOL_ID)).to.deep.equal([pct(20), 333_333_333_333_333_334n]);
    });

    it("decays the variance by volDecay (rounded up) when the price does not move", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await observe(f, "101.5", T0 + 300);
      await observe(f, "101.5", T0 + 600);
      // ceil(0.94 * 162e12) = 152.28e12 exactly.
      expect((await f.configurator.volatility(SOL_ID)).variancePerHour).to.equal(152_280_000_000_000n);
    });

    it("uses the volDecay in force at the observation", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await observe(f, "101.5", T0 + 300);
      await atBlock(T0 + 400, () => f.configurator.setRiskParams(SOL_ID, risk({ volDecay: B.MIN_VOL_DECAY })));
      await observe(f, "103.03", T0 + 700);
      const expected = nextVariance(B.MIN_VOL_DECAY, 162_000_000_000_000n, wad("101.5"), wad("103.03"), 400n);
      expect((await f.configurator.volatility(SOL_ID)).variancePerHour).to.equal(expected);
    });
  });

  describe("invalid oracle prices never move margin", function () {
    async function expectUnchanged(f: Awaited<ReturnType<typeof listedFixture>>): Promise<void> {
      expect(await f.configurator.volatility(SOL_ID)).to.deep.equal([0n, BigInt(f.T0), wad("100")]);
      expect(await f.configurator.targets(SOL_ID)).to.deep.equal([pct(3), pct(5)]);
      expect(await engineTargets(f)).to.deep.equal([pct(3), pct(5)]);
      expect(await effective(f)).to.deep.equal([pct(3), pct(5)]);
    }

    it("reverts with the oracle's OracleStalePrice when the feed is past its heartbeat", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await atBlock(T0 + 86_400, async () =>
        expect(f.configurator.recordObservation(SOL_ID))
          .to.be.revertedWithCustomError(f.oracle, "OracleStalePrice")
          .withArgs(SOL, await f.solFeed.getAddress(), BigInt(T0 - 1), 86_400n),
      );
      await expectUnchanged(f);
    });

    it("reverts with the oracle's OracleNonPositivePrice when the feed answers zero", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await atBlock(T0 + 299, () => f.solFeed.updateAnswer(0));
      await atBlock(T0 + 300, async () =>
        expect(f.configurator.recordObservation(SOL_ID))
          .to.be.revertedWithCustomError(f.oracle, "OracleNonPositivePrice")
          .withArgs(SOL, await f.solFeed.getAddress(), 0n),
      );
      await expectUnchanged(f);
    });

    it("reverts with the oracle's OraclePriceOutOfBounds for a price above maxPrice (a jump that would max the sample)", async function () {
      const f = await loadFixture(listedFixture);
      const { T0 } = f;
      await atBlock(T0 + 299, () => f.solFeed.updateAnswer(e8("1000001")));
      await atBlock(T0 + 300, async () =>
        expect(f.configurator.recordObservation(SOL_ID))
          .to.be.revertedWithCustomError(f.oracle, "OraclePriceOutOfBounds")
          .withArgs(SOL, wad("1000001"), wad("0.01"), wad("1000000")),
      );
      await expectUnchanged(f);
    });
  });

  describe("targets", function () {
    // Variance after one observation: a 1.5% return over 300 s (162e12).
    const V = 162_000_000_000_000n;
    // Expected values written out where they follow by hand (sigma = ceil(sqrt(V * 1e18)) = 12727922061357856).
    const cases: [string, Partial<Risk>, [bigint, bigint]?][] = [
      ["volMultiplier 2", {}, [55_455_844_122_715_712n, 92_426_406_871_192_854n]],
      ["a volMultiplier that is not a whole number (7.777)", { volMultiplier: 7_777n * 10n ** 15n }],
      ["volMultiplier 0 (mmrT = mmrBase)", { volMultiplier: 0n }, [pct(3), pct(5)]],
      ["the add-on clamped at mmrCap", { volMultiplier: 10n * WAD, mmrCap: pct("3.1") }, [pct("3.1"), 51_666_666_666_666_667n]],
      ["mmrBase = mmrFloor = mmrCap", { mmrFloor: pct(3), mmrCap: pct(3), volMultiplier: 10n * WAD }, [pct(3), pct(5)]],
      [
        "imrTarget capped at 1e18",
        { mmrBase: pct(1), imrBase: pct(90), mmrFloor: pct(1), mmrCap: pct(50), volMultiplier: 10n * WAD },
        [137_279_220_613_578_560n, WAD],
      ],
      ["sigma below volReference: the relief is clamped at mmrFloor", { volReference: pct(2) }, [pct(2), 33_333_333_333_333_334n]],
      ["sigma below volReference, above the floor", { volReference: pct("1.5") }, [25_455_844_122_715_712n, 42_426_406_871_192_854n]],
      ["sigma above volReference", { volReference: pct(1) }],
      ["a ratio imrBase / mmrBase that is not a whole number", { mmrBase: pct("2.7"), imrBase: pct("4.9"), mmrFloor: pct(2) }],
    ];
    for (const [label, override, literal] of cases) {
      it(`INV-10 computes mmrT = clamp(mmrBase + k * (sqrt(v) - reference), floor, cap) and imrT = min(1e18, ceil(mmrT * imrBase / mmrBase)) with ${label}`, async function () {
        const f = await loadFixture(listedFixture);
        const { T0 } = f;
        await observe(f, "101.5", T0 + 300);
        const r = risk(override);
        const [mmrT, imrT] = targetsOf(r, V);
        if (literal) expect([mmrT, imrT]).to.deep.equal(literal);
        expectRatioBounds([mmrT, imrT]);
        await expect(f.configurator.setRiskParams(SOL_ID, r))
          .to.emit(f.configurator, "RiskParamsSet")
          .withArgs(SOL_ID, riskTuple(r), mmrT, imrT);
        expect(await f.configurator.targets(SOL_ID)).to.deep.equal([mmrT, imrT]);
        expect(await engineTargets(f)).to.deep.equal([mmrT, imrT]);
      });
    }
  });
});
