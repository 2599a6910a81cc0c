/**
 * Replays a stateful step list, as a failure of test/invariant/protocol.test.ts prints it, on a fresh deployment,
 * checking every invariant after every step. Paste the printed script into a test:
 *
 *   import { runSteps } from "./replay";
 *   it("replays the failure", async function () {
 *     await runSteps([["price", { feed: 0, bps: 4874 }], ["start", { target: 0 }]]);
 *   });
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { World, statefulProtocol } from "./world";
import { Step } from "./steps";

export async function runSteps(steps: [string, Record<string, unknown>][]): Promise<World> {
  const w = new World(await loadFixture(statefulProtocol));
  await w.step("initial state", async () => "observed");
  for (const [name, p] of steps) await new Step(name, p).run({}, w);
  return w;
}
