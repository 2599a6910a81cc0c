/**
 * Keeper RPC latency (scenario key `liquidators[].latency`, src/sim/latency.ts), without running the EVM: the option
 * in blocks or seconds, the scenario's checks, the queue of held transactions, and the blocks the replay must reach
 * for a latent keeper to see a change and for its transactions to leave.
 */
import path from "node:path";
import { expect } from "chai";
import { Wallet, keccak256 } from "ethers";
import { loadScenario, readScenarioFile, resolveScenario, ScenarioError } from "../../src/sim/scenario";
import { HeldTxs, nextLatencyBlock, parseLatency, MAX_LATENCY_BLOCKS } from "../../src/sim/latency";
import { Chain, MAX_BASE_FEE, type Eip1193 } from "../../src/sim/chain";
import { UnitError } from "../../src/config/units";

const ROOT = path.resolve(__dirname, "../..");

describe("simulator: keeper RPC latency", function () {
  it("reads whole blocks, or a duration rounded to the nearest block", function () {
    expect(parseLatency("k", "2 blocks", 12)).to.equal(2);
    expect(parseLatency("k", "1 block", 12)).to.equal(1);
    expect(parseLatency("k", "0 blocks", 12)).to.equal(0);
    expect(parseLatency("k", "24s", 12)).to.equal(2);
    expect(parseLatency("k", "17s", 12)).to.equal(1);
    expect(parseLatency("k", "19s", 12)).to.equal(2);
    expect(parseLatency("k", "5s", 12)).to.equal(0);
    expect(parseLatency("k", "1m", 12)).to.equal(5);
  });

  it("refuses anything else, naming the key", function () {
    expect(() => parseLatency("liquidators[0](a).latency", "2", 12)).to.throw(
      UnitError,
      'liquidators[0](a).latency: "2" is not a latency such as "2 blocks" or "30s"',
    );
    expect(() => parseLatency("k", "fast", 12)).to.throw(UnitError, '"fast" is not a latency');
    expect(() => parseLatency("k", `${MAX_LATENCY_BLOCKS + 1} blocks`, 12)).to.throw(UnitError, `more than ${MAX_LATENCY_BLOCKS} blocks`);
  });

  it("is 0 (today's behaviour) for every keeper of the shipped scenarios", function () {
    for (const f of ["black-thursday.json", "smoke.json", "bench.json"]) {
      const s = loadScenario(path.join(ROOT, "scenarios", f), ROOT);
      expect(
        s.liquidators.map((l) => l.latency),
        f,
      ).to.deep.equal(s.liquidators.map(() => 0));
    }
  });

  it("resolves per liquidator, and refuses a latency whose answer cannot land within a step", function () {
    const raw = readScenarioFile(path.join(ROOT, "scenarios/smoke.json")) as Record<string, any>;
    raw.liquidators[0].latency = "2 blocks";
    raw.liquidators[2].latency = "36s";
    const s = resolveScenario(raw, "lat.json", ROOT);
    expect(s.liquidators.map((l) => l.latency)).to.deep.equal([2, 0, 3, 0]);
    // 5-minute steps of 12 s blocks: 2L + 1 blocks must stay under 25
    raw.liquidators[0].latency = "12 blocks";
    expect(() => resolveScenario(raw, "lat.json", ROOT))
      .to.throw(ScenarioError)
      .with.property("issues")
      .that.deep.equals([
        `liquidators[0](${raw.liquidators[0].name}).latency: 12 blocks; a step (300s) must hold 2 x 12 + 1 blocks of 12s`,
      ]);
    raw.liquidators[0].latency = "11 blocks";
    expect(resolveScenario(raw, "lat.json", ROOT).liquidators[0].latency).to.equal(11);
  });

  it("holds transactions until their release block and lets them out in decision order", function () {
    const q = new HeldTxs<string>();
    q.hold("0xa", "raw-a", 12); // keeper with latency 2, decided at head 10
    q.hold("0xb", "raw-b", 15); // keeper with latency 5, decided at head 10
    q.hold("0xc", "raw-c", 12);
    q.hold("0xd", "raw-d", 13); // latency 2, decided at head 11
    q.describe("0xa", "start");
    q.describe("0xzz", "ignored");
    expect(q.releases()).to.deep.equal([12, 15, 12, 13]);
    expect(q.due(11)).to.deep.equal([]);
    expect(q.due(12).map((h) => [h.hash, h.raw, h.info])).to.deep.equal([
      ["0xa", "raw-a", "start"],
      ["0xc", "raw-c", undefined],
    ]);
    expect(q.due(14).map((h) => h.hash)).to.deep.equal(["0xd"]);
    expect(q.size).to.equal(1);
    expect(q.due(20).map((h) => h.hash)).to.deep.equal(["0xb"]);
    expect(q.size).to.equal(0);
  });

  it("asks for the head at which each latent keeper sees the last change, and for each release", function () {
    // no latent keeper, nothing held: nothing asked (the replay goes on as without latency)
    expect(nextLatencyBlock(100, 98, [0, 0], [])).to.equal(undefined);
    // last change in block 100: a keeper 3 blocks late sees it at head 103, one 1 block late at 101
    expect(nextLatencyBlock(100, 100, [0, 3, 1], [])).to.equal(101);
    expect(nextLatencyBlock(101, 100, [0, 3, 1], [])).to.equal(103);
    expect(nextLatencyBlock(103, 100, [0, 3, 1], [])).to.equal(undefined);
    // a held transaction due at 106 (or already due: at the current head)
    expect(nextLatencyBlock(103, 100, [0, 3], [106])).to.equal(106);
    expect(nextLatencyBlock(103, 100, [0, 3], [102])).to.equal(103);
  });

  it("signs a held transaction with the chain's next nonce and the fees a sent one has; its hash is the raw transaction's", async function () {
    const calls: string[] = [];
    const provider: Eip1193 = {
      request: async ({ method }) => {
        calls.push(method);
        if (method === "eth_getTransactionCount") return "0x7";
        if (method === "eth_chainId") return "0x7a69";
        return "0x";
      },
    };
    const chain = new Chain(provider);
    const w = new Wallet(keccak256("0x01"));
    const tx = { from: w.address, to: w.address, data: "0x1234", gas: 300_000, priorityFee: 3n * 10n ** 9n };
    const a = await chain.sign(w, tx);
    const b = await chain.sign(w, tx);
    expect(a.hash).to.equal(keccak256(a.raw));
    const { Transaction } = await import("ethers");
    const ta = Transaction.from(a.raw);
    expect([ta.nonce, Transaction.from(b.raw).nonce]).to.deep.equal([7, 8]);
    expect([ta.chainId, ta.gasLimit, ta.maxFeePerGas, ta.maxPriorityFeePerGas, ta.from]).to.deep.equal([
      31337n,
      300_000n,
      MAX_BASE_FEE + 3n * 10n ** 9n, // fee cap: the unreachable base fee plus the priority fee
      3n * 10n ** 9n,
      w.address,
    ]);
    // deterministic: the same transaction signed again (same nonce) gives the same hash
    const again = await new Chain(provider).sign(w, tx);
    expect(again.hash).to.equal(a.hash);
    expect(calls.filter((c) => c === "eth_getTransactionCount").length).to.equal(2);
  });
});
