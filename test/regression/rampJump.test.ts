/**
 * Issue #11 class 6: margin ramps jumped.
 *
 * The problem: a ramped margin increase was applied only when the market was next updated (EngineStorage
 * `_updateMarket`). Until then every margin check, the views and the lens used the ratio of the last update; the
 * next update then moved it by the whole elapsed step in one block. An account could withdraw or trade against a
 * ratio the ramp had already passed, and monitoring saw stale values.
 *
 * The rule now (EngineStorage._effectiveRatios, docs/UNITS.md "Volatility-adjusted, ramped ratios"): the effective
 * ratio is a pure function of block time, the ratios stored at the ramp's start moved toward the targets by
 * floor(maxStepPerHour * (now - start) / 1 h). Checks, marketView, accountMargin, the lens (INV-15) and the reference
 * model (src/model/market.ts `effectiveRatios`) all use it; an update never changes it.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import {
  ETH,
  USDC,
  alignToHour,
  at,
  engineFixture,
  fill,
  fund,
  initialMargin,
  maintenanceMargin,
  riskParamsOf,
  setFeed,
  wad,
  type EngineFixture,
} from "../unit/MarginEngine/helpers";

/**
 * carol (200 USDC) bought 1 ETH at 3,000 from alice (taker fee 1.5) at H + 10; at T1 = H + 100 governance raises
 * ETH-PERP's base ratios to 6% / 10%: the targets jump, the effective ratios ramp at 1% per hour from 3% / 5%.
 */
async function rampFixture() {
  const f: EngineFixture = await engineFixture();
  await fund(f.b, f.carol, "USDC", 200n * USDC);
  const H = await alignToHour(f.b);
  await at(H + 10);
  await (await fill(f.b, f.alice, f.carol, ETH, wad(-1), wad(3000))).wait();
  const T1 = H + 100;
  await at(T1);
  await (
    await f.b.configurator.setRiskParams(ETH, { ...(await riskParamsOf(f.b, ETH)), mmrBase: wad("0.06"), imrBase: wad("0.1") })
  ).wait();
  return { ...f, H, T1 };
}

/** The engine's market at `t` as the model sees it, and the model's effective ratios then. */
async function expectedAt(f: EngineFixture, t: number) {
  const m = M.marketStateFromView(await f.b.engine.marketView(ETH));
  return M.effectiveRatios(m, BigInt(t));
}

describe("Issue #11 class 6: margin ramps are a pure function of block time", function () {
  it("class 6 ramp jump: the targets moved at once but the ramp starts from 3% / 5% at T1", async function () {
    const { b, T1 } = await loadFixture(rampFixture);
    const v = await b.engine.marketView(ETH);
    expect([v.mmr, v.imr, v.rampFromMmr, v.rampFromImr, v.rampStart]).to.deep.equal([
      wad("0.03"),
      wad("0.05"),
      wad("0.03"),
      wad("0.05"),
      BigInt(T1),
    ]);
    expect(v.setup.mmrTarget > wad("0.05") && v.setup.imrTarget > wad("0.08"), "targets raised").to.equal(true);
    expect(v.setup.maxStepPerHour).to.equal(wad("0.01"));
  });

  it("class 6 ramp jump: without any market update, views, accountMargin and the lens follow the ramp at T1 + 10 min, 30 min, 59 min 59 s, 1 h and 2 h with the lens equal to the engine (INV-15), and an update then changes nothing", async function () {
    const f = await loadFixture(rampFixture);
    const { b, T1 } = f;
    const step = wad("0.01"); // maxStepPerHour
    let t = T1;
    for (const dt of [600, 1800, 3599, 3600, 7200]) {
      // A block at t that only refreshes the feed (heartbeat 1 h) and does not touch the engine.
      t = T1 + dt;
      await setFeed(b, "ETH/USD", 3000, t);
      const v = await b.engine.marketView(ETH);
      const expected = {
        mmr: M.moveTowards(wad("0.03"), v.setup.mmrTarget, (step * BigInt(dt)) / 3600n),
        imr: M.moveTowards(wad("0.05"), v.setup.imrTarget, (step * BigInt(dt)) / 3600n),
      };
      expect({ mmr: v.mmr, imr: v.imr }, `marketView at T1 + ${dt}`).to.deep.equal(expected);
      expect(await expectedAt(f, t), `the model at T1 + ${dt}`).to.deep.equal(expected);
      expect(v.lastUpdate, "no market update happened").to.equal(BigInt(T1));
      const s = await b.engine.accountMargin(f.C);
      expect([s.maintenanceMargin, s.initialMargin], `accountMargin at T1 + ${dt}`).to.deep.equal([
        maintenanceMargin(wad(1), wad(3000), expected.mmr),
        initialMargin(wad(1), wad(3000), expected.imr),
      ]);
      const [h] = await f.b.lens.accountsHealth([f.C]);
      expect([h.maintenanceMargin, h.initialMargin], `INV-15 the lens at T1 + ${dt}`).to.deep.equal([s.maintenanceMargin, s.initialMargin]);
    }
    // An update at the last time stores nothing new about the ratios: no jump.
    const before = await b.engine.marketView(ETH);
    await setFeed(b, "ETH/USD", 3000, t + 1);
    await at(t + 2);
    await (await b.engine.updateMarket(ETH)).wait();
    const after = await b.engine.marketView(ETH);
    expect([after.mmr, after.imr]).to.deep.equal([
      M.moveTowards(wad("0.03"), before.setup.mmrTarget, (step * BigInt(t + 2 - T1)) / 3600n),
      M.moveTowards(wad("0.05"), before.setup.imrTarget, (step * BigInt(t + 2 - T1)) / 3600n),
    ]);
  });

  it("class 6 ramp jump: a withdrawal one hour into the ramp is checked at the ramped initial margin (6%), not the stale 5%, and reverts VaultInsufficientMargin", async function () {
    const f = await loadFixture(rampFixture);
    const { b, T1 } = f;
    await setFeed(b, "ETH/USD", 3000, T1 + 3599);
    await at(T1 + 3600);
    // carol: cash 198.5, equity 198.5; withdrawing 30 leaves 168.5 >= 150 (5%) but < 180 (6%).
    const imr = (await expectedAt(f, T1 + 3600)).imr;
    expect(imr).to.equal(wad("0.06"));
    await expect(b.vault.connect(f.carol).withdraw(f.C, b.tokens.USDC, 30n * USDC, f.carol.address))
      .to.be.revertedWithCustomError(b.vault, "VaultInsufficientMargin")
      .withArgs(f.C, wad("168.5"), initialMargin(wad(1), wad(3000), imr));
  });
});
