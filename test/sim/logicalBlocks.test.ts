/**
 * Counted empty blocks (src/sim/logicalBlocks.ts): the simulator's logical block numbers over a node that mined
 * only the blocks with transactions. A fake node records every request, so each mapping is asserted exactly.
 */
import { expect } from "chai";
import { LogicalBlocks } from "../../src/sim/logicalBlocks";

/** A node with physical blocks 0..head at times `time(p)`, recording the requests it answers. */
class FakeNode {
  head = 10;
  readonly seen: { method: string; params: unknown[] }[] = [];
  time = (p: number) => 1_000 + p * 12;

  async request(args: { method: string; params?: unknown[] }): Promise<unknown> {
    const params = args.params ?? [];
    this.seen.push({ method: args.method, params });
    const hex = (n: number) => "0x" + n.toString(16);
    switch (args.method) {
      case "eth_blockNumber":
        return hex(this.head);
      case "eth_getBlockByNumber": {
        const p = params[0] === "latest" ? this.head : Number(params[0]);
        return { number: hex(p), timestamp: hex(this.time(p)), gasLimit: "0x1", transactions: [] };
      }
      case "eth_getTransactionReceipt":
        return { blockNumber: hex(12), logs: [{ blockNumber: hex(12), data: "0x" }] };
      case "eth_getLogs":
        return [{ blockNumber: hex(11) }, { blockNumber: hex(12) }];
      default:
        return "0xresult";
    }
  }
}

/** Node at block 10; 5 empty blocks counted after it (logical 11..15, times 1132..1180); then block 11 mined. */
async function chainWithOneRun() {
  const node = new FakeNode();
  const blocks = new LogicalBlocks(node);
  await blocks.skipEmpty(5, 1_132, 12);
  return { node, blocks };
}

describe("simulator: empty blocks counted, not mined (logical block numbers)", function () {
  it("passes every request through untouched while no empty block has been counted", async function () {
    const node = new FakeNode();
    const blocks = new LogicalBlocks(node);
    expect(await blocks.request({ method: "eth_call", params: [{}, "0x5"] })).to.equal("0xresult");
    expect(node.seen).to.deep.equal([{ method: "eth_call", params: [{}, "0x5"] }]);
    await blocks.skipEmpty(0, 1_000, 12);
    expect(await blocks.request({ method: "eth_blockNumber" })).to.equal("0xa");
  });

  it("numbers the chain's blocks after a run of counted ones by the run's length", async function () {
    const { node, blocks } = await chainWithOneRun();
    expect(await blocks.request({ method: "eth_blockNumber" })).to.equal("0xf"); // 10 + 5
    node.head = 11;
    expect(await blocks.request({ method: "eth_blockNumber" })).to.equal("0x10"); // 11 + 5
    expect(blocks.logical(10)).to.equal(10);
    expect(blocks.logical(11)).to.equal(16);
    expect(blocks.physical(16)).to.deep.equal({ block: 11 });
    expect(blocks.physical(10)).to.deep.equal({ block: 10 });
  });

  it("reads a counted block on the state of the block before its run, at the counted block's own time", async function () {
    const { blocks } = await chainWithOneRun();
    expect(blocks.physical(11)).to.deep.equal({ block: 10, time: 1_132 });
    expect(blocks.physical(15)).to.deep.equal({ block: 10, time: 1_180 });
  });

  it("gives a call in a counted block the physical state block and the counted block's number and time as overrides", async function () {
    const { node, blocks } = await chainWithOneRun();
    await blocks.request({ method: "eth_call", params: [{ to: "0xabc" }, "0xd"] }); // logical 13: the run's third block, 1,156 s
    expect(node.seen.at(-1)).to.deep.equal({ method: "eth_call", params: [{ to: "0xabc" }, "0xa", {}, { number: "0xd", time: "0x484" }] });
    // A read of a mined block after the run goes to its physical number, without overrides.
    node.head = 11;
    await blocks.request({ method: "eth_getBalance", params: ["0xabc", "0x10"] });
    expect(node.seen.at(-1)).to.deep.equal({ method: "eth_getBalance", params: ["0xabc", "0xb"] });
  });

  it("returns a counted block as the block before its run with the logical number and time, the latest one included", async function () {
    const { blocks } = await chainWithOneRun();
    const b = (await blocks.request({ method: "eth_getBlockByNumber", params: ["0xc", false] })) as Record<string, string>;
    expect([b.number, Number(b.timestamp)]).to.deep.equal(["0xc", 1_144]);
    const latest = (await blocks.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as Record<string, string>;
    expect([latest.number, Number(latest.timestamp)]).to.deep.equal(["0xf", 1_180]);
  });

  it("maps receipts' and logs' block numbers back to logical ones, and log ranges to the mined blocks inside them", async function () {
    const { node, blocks } = await chainWithOneRun();
    node.head = 12;
    const r = (await blocks.request({ method: "eth_getTransactionReceipt", params: ["0x1"] })) as {
      blockNumber: string;
      logs: { blockNumber: string }[];
    };
    expect([r.blockNumber, r.logs[0].blockNumber]).to.deep.equal(["0x11", "0x11"]); // physical 12 -> 17
    const logs = (await blocks.request({ method: "eth_getLogs", params: [{ fromBlock: "0xc", toBlock: "0x11" }] })) as {
      blockNumber: string;
    }[];
    // Logical 12 is counted (no logs): the range starts after its run, at physical 11; logical 17 is physical 12.
    expect(node.seen.at(-1)).to.deep.equal({ method: "eth_getLogs", params: [{ fromBlock: "0xb", toBlock: "0xc" }] });
    expect(logs.map((l) => l.blockNumber)).to.deep.equal(["0x10", "0x11"]);
    // A range of counted blocks only holds no logs, and the node is not asked.
    const before = node.seen.filter((r) => r.method === "eth_getLogs").length;
    expect(await blocks.request({ method: "eth_getLogs", params: [{ fromBlock: "0xb", toBlock: "0xf" }] })).to.deep.equal([]);
    // So does a range starting among the counted blocks at the head, open-ended.
    node.head = 10;
    expect(await blocks.request({ method: "eth_getLogs", params: [{ fromBlock: "0xc" }] })).to.deep.equal([]);
    expect(node.seen.filter((r) => r.method === "eth_getLogs").length).to.equal(before);
  });

  it("runs a call at the latest block, while counted blocks are the head, at the last counted block's number and time", async function () {
    const { node, blocks } = await chainWithOneRun();
    await blocks.request({ method: "eth_call", params: [{ to: "0xabc" }] });
    expect(node.seen.at(-1)).to.deep.equal({
      method: "eth_call",
      params: [{ to: "0xabc" }, "latest", {}, { number: "0xf", time: "0x49c" }],
    });
    // Once a block is mined after the run, "latest" is that block: no overrides.
    node.head = 11;
    await blocks.request({ method: "eth_call", params: [{ to: "0xabc" }, "latest"] });
    expect(node.seen.at(-1)).to.deep.equal({ method: "eth_call", params: [{ to: "0xabc" }, "latest"] });
  });

  it("returns a counted block with no transactions and no gas used, and refuses block methods it does not map", async function () {
    const { blocks } = await chainWithOneRun();
    const b = (await blocks.request({ method: "eth_getBlockByNumber", params: ["0xb", true] })) as Record<string, unknown>;
    expect([b.transactions, b.gasUsed]).to.deep.equal([[], "0x0"]);
    let error: Error | undefined;
    await blocks.request({ method: "eth_feeHistory", params: ["0x1", "latest", []] }).catch((e: Error) => (error = e));
    expect(error?.message).to.equal("simulator: eth_feeHistory is not mapped to logical blocks (src/sim/logicalBlocks.ts)");
  });

  it("numbers two runs counted back to back, with no block mined between them, one after the other", async function () {
    const { node, blocks } = await chainWithOneRun();
    await blocks.skipEmpty(3, 1_192, 12);
    expect(await blocks.request({ method: "eth_blockNumber" })).to.equal("0x12"); // 10 + 5 + 3
    expect(blocks.physical(16)).to.deep.equal({ block: 10, time: 1_192 });
    node.head = 11;
    expect(blocks.logical(11)).to.equal(19);
  });
});
