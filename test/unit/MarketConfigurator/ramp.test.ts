import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  listedFixture,
  observe,
  atBlock,
  risk,
  trading,
  tradingTuple,
  targetsOf,
  ramp,
  effective,
  engineTargets,
  pct,
  B,
  SOL_ID,
  RISK,
  type ConfiguratorFixture,
} from "./helpers";

/** Runs engine.updateMarket(SOL-PERP) in a block at `t` and returns the effective (mmr, imr). */
async function updateAt(f: ConfiguratorFixture, t: number): Promise<[bigint, bigint]> {
  await atBlock(t, () => f.engine.updateMarket(SOL_ID));
  return effective(f);
}

/** INV-10: MIN_MMR <= mmr < imr <= MAX_IMR. */
function expectRatioBounds([mmr, imr]: [bigint, bigint]): void {
  expect(mmr >= B.MIN_MMR && mmr < imr && imr <= B.MAX_IMR, `bounds of (${mmr}, ${imr})`).to.equal(true);
}

describe("MarketConfigurator: engine ramp of the effective ratios (INV-10)", function () {
  it("INV-10 leaves the effective ratios unchanged in the block the targets change", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, risk({ mmrBase: pct(5), imrBase: pct(8) })));
    expect(await engineTargets(f)).to.deep.equal([pct(5), pct(8)]);
    expect(await effective(f)).to.deep.equal([pct(3), pct(5)]);
  });

  it("INV-10 raises mmr and imr toward higher targets by exactly maxRatioStepPerHour * elapsed / 1 h (1%/h: +0.5% after 30 min)", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, risk({ mmrBase: pct(5), imrBase: pct(8) })));
    expect(await updateAt(f, T1 + 1800)).to.deep.equal([pct("3.5"), pct("5.5")]);
    // 1799 s: floor(0.01e18 * 1799 / 3600) = 4997222222222222 per ratio.
    expect(await updateAt(f, T1 + 3599)).to.deep.equal([pct("3.5") + 4_997_222_222_222_222n, pct("5.5") + 4_997_222_222_222_222n]);
    // One hour after the start: exactly +1%. The ratio is a function of the time since the ramp started (issue #11
    // class 6), so no rounding is lost at the updates in between.
    expect(await updateAt(f, T1 + 3600)).to.deep.equal([pct(4), pct(6)]);
  });

  it("INV-10 stops exactly at the targets without overshooting, and stays there", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, risk({ mmrBase: pct(5), imrBase: pct(8) })));
    // mmr needs 2 h, imr 3 h; after 2.5 h mmr is at its target and imr is 0.5% short.
    expect(await updateAt(f, T1 + 9000)).to.deep.equal([pct(5), pct("7.5")]);
    expect(await updateAt(f, T1 + 12_600)).to.deep.equal([pct(5), pct(8)]);
    expect(await updateAt(f, T1 + 20_000)).to.deep.equal([pct(5), pct(8)]);
  });

  it("INV-10 lowers mmr and imr toward lower targets at the same speed", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    const r = risk({ mmrBase: pct(1), imrBase: pct(2), mmrFloor: pct(1) });
    expect(targetsOf(r, 0n)).to.deep.equal([pct(1), pct(2)]);
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, r));
    expect(await updateAt(f, T1 + 1800)).to.deep.equal([pct("2.5"), pct("4.5")]);
    expect(await updateAt(f, T1 + 7200)).to.deep.equal([pct(1), pct(3)]);
    expect(await updateAt(f, T1 + 10_800)).to.deep.equal([pct(1), pct(2)]);
  });

  it("INV-10 keeps MIN_MMR <= mmr < imr <= MAX_IMR while mmr ramps up and imr ramps down", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    // Targets (4%, 4.5%): mmr rises from 3%, imr falls from 5%.
    const r = risk({ mmrBase: pct(4), imrBase: pct("4.5"), mmrFloor: pct(4) });
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, r));
    let current: [bigint, bigint] = [pct(3), pct(5)];
    let t = T1;
    for (const dt of [600, 1200, 1, 1799, 3600]) {
      t += dt;
      // From the ramp's start, whatever updates happened in between (issue #11 class 6).
      const expected: [bigint, bigint] = [
        ramp(pct(3), pct(4), RISK.maxRatioStepPerHour, BigInt(t - T1)),
        ramp(pct(5), pct("4.5"), RISK.maxRatioStepPerHour, BigInt(t - T1)),
      ];
      current = await updateAt(f, t);
      expect(current).to.deep.equal(expected);
      expectRatioBounds(current);
    }
    expect(current).to.deep.equal([pct(4), pct("4.5")]);
  });

  it("INV-10 ramps up to now under the old maxRatioStepPerHour before a new one applies", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    const target = { mmrBase: pct(5), imrBase: pct(8) };
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, risk(target)));
    // 30 min at 1%/h, then the step becomes 4%/h.
    await atBlock(T1 + 1800, () => f.configurator.setRiskParams(SOL_ID, risk({ ...target, maxRatioStepPerHour: pct(4) })));
    expect(await effective(f)).to.deep.equal([pct("3.5"), pct("5.5")]);
    expect(await updateAt(f, T1 + 2700)).to.deep.equal([pct("4.5"), pct("6.5")]);
    expect(await updateAt(f, T1 + 3600)).to.deep.equal([pct(5), pct("7.5")]);
  });

  it("INV-10 keeps the ramp's progress and targets across a setTradingParams call", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, risk({ mmrBase: pct(5), imrBase: pct(8) })));
    const t = trading({ openInterestCap: 1n, maxFundingRatePer8h: pct(2) });
    await atBlock(T1 + 1800, () => f.configurator.setTradingParams(SOL_ID, t));
    expect(await effective(f)).to.deep.equal([pct("3.5"), pct("5.5")]);
    expect(await engineTargets(f)).to.deep.equal([pct(5), pct(8)]);
    expect(await f.configurator.tradingParams(SOL_ID)).to.deep.equal(tradingTuple(t));
    expect(await updateAt(f, T1 + 3600)).to.deep.equal([pct(4), pct(6)]);
  });

  it("INV-10 a volatility jump moves the targets at once but the effective ratios only by the ramp (1%/h)", async function () {
    const f = await loadFixture(listedFixture);
    const { T0 } = f;
    // A 200% jump caps the sample: variance 0.06e18, mmr target clamped at the 20% cap.
    await observe(f, "300", T0 + 300);
    expect(await engineTargets(f)).to.deep.equal([pct(20), 333_333_333_333_333_334n]);
    expect(await effective(f)).to.deep.equal([pct(3), pct(5)]);
    expect(await updateAt(f, T0 + 300 + 3600)).to.deep.equal([pct(4), pct(6)]);
  });

  it("INV-10 ramps at the fastest allowed step (5%/h) without exceeding it", async function () {
    const f = await loadFixture(listedFixture);
    const T1 = f.T0 + 1000;
    const r = risk({
      mmrBase: pct(40),
      imrBase: pct(60),
      mmrFloor: pct(2),
      mmrCap: pct(50),
      maxRatioStepPerHour: B.MAX_RATIO_STEP_PER_HOUR,
    });
    await atBlock(T1, () => f.configurator.setRiskParams(SOL_ID, r));
    expect(await updateAt(f, T1 + 360)).to.deep.equal([pct("3.5"), pct("5.5")]);
    expect(await updateAt(f, T1 + 3960)).to.deep.equal([pct("8.5"), pct("10.5")]);
  });
});
