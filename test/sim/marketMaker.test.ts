/**
 * The simulated market maker's liquidity under stress: depth shrinks as volatility rises
 * (`marketMaker.depthResponse`) and both quotes are pulled above `withdrawVolatility`, then restored.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { MarketMaker } from "../../src/sim/agents/marketMaker";
import { venueDomain } from "../../src/venue/orders";

const WAD = 10n ** 18n;
const KEY = "0x" + "11".repeat(32);

function maker(extra: { depthResponse?: { reference: number; elasticity: number }; withdrawVolatility?: number } = {}) {
  return new MarketMaker(
    new Wallet(KEY),
    1n,
    venueDomain(31337n, "0x" + "22".repeat(20)),
    { baseSpread: 0.0002, volSpreadMultiplier: 0.25, maxSpread: 0.005, depth: [5000n * WAD], orderLifetime: 900, ...extra },
    0n,
  );
}

/** Feeds `steps` index observations alternating by `move` (fraction) around 100. */
async function feed(mm: MarketMaker, steps: number, move: number, from = 0): Promise<number> {
  let t = from;
  for (let i = 0; i < steps; i++) {
    const price = BigInt(Math.round(100 * (i % 2 === 0 ? 1 + move : 1) * 1e8)) * 10n ** 10n;
    await mm.update((t += 300), [price], true);
  }
  return t;
}

describe("simulated market maker: depth under volatility and withdrawal", function () {
  it("quotes its full depth while per-step volatility is at or below the reference", async function () {
    const mm = maker({ depthResponse: { reference: 0.003, elasticity: 0.5 } });
    await feed(mm, 40, 0.002);
    expect(mm.depthNow(0)).to.equal(5000n * WAD);
    expect(mm.best(0, true)!.remaining).to.equal(5000n * WAD);
  });

  it("shrinks depth by (reference / sigma)^elasticity when volatility rises, and quotes that size", async function () {
    const mm = maker({ depthResponse: { reference: 0.003, elasticity: 0.5 } });
    await feed(mm, 80, 0.03); // log returns of +-2.96% each step: sigma converges to 2.96% per step
    expect(mm.depthNow(0)).to.equal(1_592_990n * 10n ** 15n); // 5,000 ETH x 0.318598
    const share = Number((mm.depthNow(0) * 1_000_000n) / (5000n * WAD)) / 1e6;
    expect(share).to.be.closeTo(Math.sqrt(0.003 / Math.log(1.03)), 0.001);
    expect(mm.best(0, true)!.remaining).to.equal(mm.depthNow(0));
  });

  it("without depthResponse the depth stays fixed in any market", async function () {
    const mm = maker();
    await feed(mm, 80, 0.03);
    expect(mm.depthNow(0)).to.equal(5000n * WAD);
  });

  it("pulls both quotes above withdrawVolatility and quotes again once volatility falls back", async function () {
    const mm = maker({ withdrawVolatility: 0.01 });
    const t = await feed(mm, 80, 0.03);
    expect(mm.withdrawn(0)).to.equal(true);
    expect([mm.best(0, true), mm.best(0, false)]).to.deep.equal([undefined, undefined]);
    expect(mm.withdrawals).to.equal(1);
    await feed(mm, 80, 0.001, t);
    expect(mm.withdrawn(0)).to.equal(false);
    expect(mm.best(0, true)!.remaining).to.equal(5000n * WAD);
  });
});
