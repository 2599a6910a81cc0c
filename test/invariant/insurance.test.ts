/**
 * INV-24, second half: the insurance fund's share price cannot be inflated by a first depositor. On an empty fund
 * an attacker deposits first, donates to the fund (idle tokens, swept tokens, or a deposit straight into the fund's
 * vault account), then a victim deposits. Shares equal the model's ERC-4626 conversion with virtual shares
 * (src/model/insurance.ts); the attacker never ends with more than it put in, and the victim loses at most one
 * share's worth plus rounding, at most a millionth (the decimals offset) of what the attacker burnt.
 */
import { expect } from "chai";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import * as M from "../../src/model";
import { deployBallast, accountId } from "../shared/fixtures";
import { countCases, fuzz, prop, runsFor, spread, timeoutFor } from "../shared/fuzz";

const FILE = "test/invariant/insurance.test.ts";

async function emptyFund() {
  const b = await deployBallast();
  const [attacker, victim] = b.users;
  for (const u of [attacker, victim]) {
    await (await b.cash.connect(u).mint(u.address, 2n ** 100n)).wait();
    await (await b.cash.connect(u).approve(await b.fund.getAddress(), 2n ** 255n)).wait();
    await (await b.cash.connect(u).approve(await b.vault.getAddress(), 2n ** 255n)).wait();
  }
  return { b, attacker, victim };
}

describe("invariants: the insurance fund's share price cannot be inflated", function () {
  it("INV-24 a first depositor's donation never profits it, and a later depositor loses at most one share's worth (a millionth of the donation burnt)", async function () {
    const runs = runsFor(25);
    this.timeout(timeoutFor(runs, 400));
    await loadFixture(emptyFund); // deployed before timing starts
    const units = fc.oneof(spread(1n, 1000n), spread(1n, 3n * 10n ** 13n)); // within the 100M USDC deposit cap
    await fuzz(
      { name: this.test!.title, suite: "insurance inflation", runs: 25, file: FILE },
      prop([units, fc.oneof(fc.constant(0n), units), units, fc.constantFrom("idle", "swept", "vault")], async (a, d, v, how) => {
        const { b, attacker, victim } = await loadFixture(emptyFund);
        const { fund } = b;
        expect(await fund.totalSupply(), "the fund starts empty").to.equal(0n);
        await (await fund.connect(attacker).deposit(a, attacker.address)).wait();
        const S = await fund.balanceOf(attacker.address);
        expect(S, "the first deposit's shares equal the model's").to.equal(M.convertToShares(a, 0n, 0n));
        if (d > 0n) {
          if (how === "vault") {
            // Only the fund deposits into its own account: the attacker deposits, then transfers the cash.
            const own = accountId(attacker.address, 99);
            await (await b.vault.connect(attacker).deposit(own, await b.cash.getAddress(), d)).wait();
            await (await b.vault.connect(attacker).transferCash(own, await fund.fundAccount(), d)).wait();
          } else {
            await (await b.cash.connect(attacker).transfer(await fund.getAddress(), d)).wait();
            if (how === "swept") await (await fund.sweep()).wait();
          }
        }
        const ta = await fund.totalAssets();
        expect(ta, "the donation counts in total assets").to.equal(a + d);
        const V = M.convertToShares(v, ta, S);
        await expect(fund.connect(victim).deposit(v, victim.address))
          .to.emit(fund, "Deposit")
          .withArgs(victim.address, victim.address, v, V);
        const total = await fund.totalSupply();
        const assets = await fund.totalAssets();
        const victimValue = await fund.previewRedeem(V);
        const attackerValue = await fund.previewRedeem(S);
        expect(victimValue, "previewRedeem equals the model").to.equal(M.convertToAssets(V, assets, total));
        expect(attackerValue <= a + d, "INV-24 the first depositor never profits from inflating the share price").to.equal(true);
        const oneShare = (assets + 1n + total + 10n ** 6n - 1n) / (total + 10n ** 6n);
        const victimLoss = v - victimValue;
        expect(
          victimLoss <= oneShare + 1n,
          `INV-24 the victim loses at most one share's worth (${victimLoss} <= ${oneShare} + 1)`,
        ).to.equal(true);
        const burnt = a + d - attackerValue;
        expect(
          victimLoss * 10n ** 6n <= burnt + 2n * 10n ** 6n,
          `INV-24 stealing ${victimLoss} costs the attacker about 1e6 times as much (${burnt})`,
        ).to.equal(true);
        countCases();
      }),
    );
  });
});
