/**
 * The suite's chain clock (test/shared/clock.ts): a restored fixture resumes at its own time, however much wall-clock
 * time passed since it was taken, so a long or loaded run cannot make a fixture's oracle prices stale.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, mine, time } from "@nomicfoundation/hardhat-network-helpers";

/** An empty fixture: one block, then the snapshot loadFixture takes. */
async function oneBlock(): Promise<number> {
  await mine();
  return time.latest();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("test harness: the chain clock", function () {
  it("a fixture restored after 2.5 s of wall-clock time mines its next block exactly one second after the fixture's", async function () {
    const taken = await loadFixture(oneBlock);
    await mine(); // moves the chain on, so the next loadFixture really reverts
    await sleep(2_500);
    expect(await loadFixture(oneBlock)).to.equal(taken);
    await mine();
    expect(await time.latest()).to.equal(taken + 1);
  });

  it("a test's own time.increase still decides the next block's time after a restore", async function () {
    const taken = await loadFixture(oneBlock);
    await time.increase(3_600);
    expect(await time.latest()).to.equal(taken + 3_600);
    expect(hre.network.name).to.equal("hardhat");
  });
});
