/**
 * Mining benchmark of the simulator's EVMs (never a timed test): on a fresh node started exactly as the simulator
 * starts it (`openNode`, src/sim/node.ts: anvil with its flags, or Hardhat's in-process network), writes a number of
 * storage slots (the size of the state, as a run with many traders grows it), then mines blocks of one 1-wei transfer
 * each and prints the milliseconds per block for every EVM and state size. A node whose cost per block grows with
 * the state makes the simulator's time per step grow with the number of traders even when the work per step does
 * not (docs/SIMULATION.md, "Benchmark": anvil 1.7.1 rebuilds its whole state root for every block).
 *
 * Usage: npm run bench:mining [-- --help]; settings in the environment (`USAGE` below). A bad setting fails with one
 * line naming the variable and the allowed values (exit code 2; README.md, "Exit codes").
 */
import hre from "hardhat";
import { toBeHex } from "ethers";
import { badValue, parseWholeNumber, parseWholeNumberList, runMain } from "../src/cli/errors";
import { fittedTable } from "../src/cli/table";
import { EVM_ENGINES, type EvmEngine } from "../src/sim/engines";
import { openNode } from "../src/sim/node";

const USAGE = `Usage: npm run bench:mining [-- --help]
Starts each EVM as the simulator does, writes storage slots, then sends and mines blocks of one transfer each;
prints the milliseconds per block (sending included) for every EVM and state size. Never asserts speed.
  BENCH_SLOTS=<n,...>             state sizes: storage slots written before mining, each at most 10,000,000
                                  (default 2000,40000)
  BENCH_BLOCKS=<n>                blocks mined at each size, 1 to 100,000 (default 50)
  BENCH_EVM=<evm,...>             EVMs to measure: ${EVM_ENGINES.join(", ")} (default both)
Exit codes: 0 done, 1 a node failed, 2 a bad setting.`;

/** Contracts the slots are spread over (a run's state is spread over the vault, the engine, the tokens...). */
const CONTRACTS = 10;
/** Storage writes in flight at once while the state is built. */
const WRITES_IN_FLIGHT = 200;

/** Storage slots the state may be given at most, and blocks mined per size at most. */
const MAX_SLOTS = 10_000_000;
const MAX_BLOCKS = 100_000;

/** The benchmark's settings from the environment, validated. @throws UserError naming the variable. */
function settings(): { slots: number[]; blocks: number; engines: EvmEngine[] } {
  const slots = parseWholeNumberList("BENCH_SLOTS", process.env.BENCH_SLOTS ?? "2000,40000", 0, "2000,40000", MAX_SLOTS);
  const blocks = parseWholeNumber("BENCH_BLOCKS", process.env.BENCH_BLOCKS ?? "50", 1, MAX_BLOCKS);
  const list = process.env.BENCH_EVM ?? EVM_ENGINES.join(",");
  const engines = list.split(",").map((e) => e.trim());
  if (engines.some((e) => !(EVM_ENGINES as readonly string[]).includes(e)))
    throw badValue("BENCH_EVM", list, `a comma-separated list of ${EVM_ENGINES.join(", ")}`);
  return { slots, blocks, engines: engines as EvmEngine[] };
}

/** Milliseconds per mined block of one transfer on a fresh `engine` node whose state holds `slots` storage slots. */
async function msPerBlock(engine: EvmEngine, slots: number, blocks: number): Promise<number> {
  const node = await openNode(hre, engine);
  try {
    const rpc = (method: string, params: unknown[] = []) => node.provider.request({ method, params });
    await rpc("evm_setAutomine", [false]);
    // The state, written WRITES_IN_FLIGHT requests at a time (each sent as it is drawn: a large state is no large array).
    function* writes(): Generator<Promise<unknown>> {
      for (let c = 0; c < CONTRACTS; c++) {
        const contract = toBeHex(0x1000 + c, 20);
        yield rpc("hardhat_setCode", [contract, "0x00"]);
        for (let s = c; s < slots; s += CONTRACTS) yield rpc("hardhat_setStorageAt", [contract, toBeHex(s, 32), toBeHex(s + 1, 32)]);
      }
    }
    let inFlight: Promise<unknown>[] = [];
    for (const write of writes()) {
      inFlight.push(write);
      if (inFlight.length === WRITES_IN_FLIGHT) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    await rpc("evm_mine");
    const [from] = await node.accounts();
    const started = process.hrtime.bigint();
    for (let b = 0; b < blocks; b++) {
      await rpc("eth_sendTransaction", [{ from, to: toBeHex(0x900000 + b, 20), value: "0x1" }]);
      await rpc("evm_mine");
    }
    return Number(process.hrtime.bigint() - started) / 1e6 / blocks;
  } finally {
    await node.close();
  }
}

async function main() {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log(USAGE);
    return;
  }
  const { slots, blocks, engines } = settings();
  const rows: string[][] = [];
  for (const engine of engines) {
    for (const n of slots) {
      console.log(`${engine}, ${n} storage slots: writing the state, then mining ${blocks} blocks...`);
      const ms = await msPerBlock(engine, n, blocks);
      console.log(`${engine}, ${n} storage slots: ${ms.toFixed(2)} ms per block`);
      rows.push([engine, n.toLocaleString("en-US"), String(blocks), ms.toFixed(2)]);
    }
  }
  console.log(`\nblocks of one transfer each`);
  console.log(fittedTable(["EVM", "storage slots", "blocks", "ms per block"], rows));
}

void runMain(main, hre.network);
