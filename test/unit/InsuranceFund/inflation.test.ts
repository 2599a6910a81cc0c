/**
 * First-depositor inflation attack against the fund. The attacker deposits 1 unit (10**6 shares), donates D units
 * (straight to the fund, or into the fund's vault account) and waits for a victim. With the 10**6 virtual shares
 * and 1 virtual asset of OpenZeppelin's ERC-4626 offset, one share is then worth P = (D + 2) / (2 * 10**6) units:
 * the victim's rounding loss is at most ceil(P) (one share), while the virtual shares keep half of the donation,
 * so the attacker loses about D / 2.
 */
import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  insuranceFixture,
  fundState,
  idle,
  fundCash,
  requestAt,
  toShares,
  toAssets,
  USDC,
  SCALE,
  OFFSET,
  accountId,
  type InsuranceFixture,
} from "./helpers";

/** The attacker's donation: 1,000,000 USDC. */
const D = 1_000_000n * USDC;
/** One share's worth after the donation, rounded up: the most a victim can lose to rounding. */
const ONE_SHARE = (D + 2n + 2n * OFFSET - 1n) / (2n * OFFSET);

type Donation = { name: string; donate: (f: InsuranceFixture, from: HardhatEthersSigner, amount: bigint) => Promise<void> };

const DONATIONS: Donation[] = [
  {
    name: "a direct token transfer to the fund",
    donate: async (f, from, amount) => {
      await (await f.cash.connect(from).transfer(f.fundAddress, amount)).wait();
    },
  },
  {
    name: "cash moved into the fund's vault account (only the fund deposits into it, R-15)",
    donate: async (f, from, amount) => {
      const own = accountId(from.address, 99);
      await (await f.cash.connect(from).approve(await f.vault.getAddress(), amount)).wait();
      await (await f.vault.connect(from).deposit(own, f.usdc, amount)).wait();
      await (await f.vault.connect(from).transferCash(own, f.fundAcct, amount)).wait();
    },
  },
];

/** Mallory deposits 1 unit into the empty fund and donates D by `d`; returns her token balance before. */
async function setUpAttack(f: InsuranceFixture, d: Donation): Promise<bigint> {
  const before = await f.cash.balanceOf(f.mallory.address);
  await expect(f.fund.connect(f.mallory).deposit(1n, f.mallory.address))
    .to.emit(f.fund, "Deposit")
    .withArgs(f.mallory.address, f.mallory.address, 1n, OFFSET);
  await d.donate(f, f.mallory, D);
  expect(await fundState(f)).to.deep.equal({ supply: OFFSET, total: D + 1n });
  return before;
}

/** Both stakers request all their shares, then both claim after the cooldown; returns the tokens each received. */
async function exitBoth(f: InsuranceFixture, first: HardhatEthersSigner, second: HardhatEthersSigner): Promise<[bigint, bigint]> {
  const paid: bigint[] = [];
  const requests = [];
  for (const u of [first, second]) {
    const shares = await f.fund.balanceOf(u.address);
    requests.push(shares === 0n ? undefined : await requestAt(f, u, shares));
  }
  const last = requests.filter((r) => r !== undefined).pop();
  if (last !== undefined) await time.increaseTo(last.readyAt);
  for (const [i, u] of [first, second].entries()) {
    const before = await f.cash.balanceOf(u.address);
    if (requests[i] !== undefined) await (await f.fund.connect(u).claimWithdrawal(u.address)).wait();
    paid.push((await f.cash.balanceOf(u.address)) - before);
  }
  return [paid[0], paid[1]];
}

describe("InsuranceFund: first-depositor inflation attack", function () {
  it("without a donation a later depositor gets exactly 10**6 shares per unit and loses nothing", async function () {
    const f = await loadFixture(insuranceFixture);
    await (await f.fund.connect(f.mallory).deposit(1n, f.mallory.address)).wait();
    const v = 100_000n * USDC;
    await (await f.fund.connect(f.alice).deposit(v, f.alice.address)).wait();
    expect(await f.fund.balanceOf(f.alice.address)).to.equal(v * OFFSET);
    expect(await f.fund.convertToAssets(v * OFFSET)).to.equal(v);
  });

  for (const d of DONATIONS) {
    describe(`donation by ${d.name}`, function () {
      it("the victim loses at most one share's worth, ceil((D + 2) / (2 * 10**6)) units, and the attacker loses about half of the donation", async function () {
        const f = await loadFixture(insuranceFixture);
        const malloryBefore = await setUpAttack(f, d);
        const v = 100_000n * USDC;
        const victimShares = toShares(v, OFFSET, D + 1n);
        expect(victimShares).to.equal(199_999n);
        await expect(f.fund.connect(f.alice).deposit(v, f.alice.address))
          .to.emit(f.fund, "Deposit")
          .withArgs(f.alice.address, f.alice.address, v, victimShares);

        const supply = OFFSET + victimShares;
        const total = D + 1n + v;
        const victimValue = toAssets(victimShares, supply, total);
        expect(await f.fund.convertToAssets(victimShares)).to.equal(victimValue);
        const victimLoss = v - victimValue;
        expect(ONE_SHARE).to.equal(500_001n); // 0.500001 USDC
        expect(victimLoss).to.equal(454_546n);
        expect(victimLoss).to.be.lte(ONE_SHARE);
        expect(victimLoss * 100_000n).to.be.lessThan(v); // below 0.001% of the deposit

        const malloryValue = toAssets(OFFSET, supply, total);
        const [victimPaid, malloryPaid] = await exitBoth(f, f.alice, f.mallory);
        expect(victimPaid).to.equal(victimValue);
        expect(malloryPaid).to.equal(malloryValue);
        expect(malloryPaid).to.equal(500_000_227_273n);
        const malloryLoss = malloryBefore - (await f.cash.balanceOf(f.mallory.address));
        expect(malloryLoss).to.equal(D + 1n - malloryPaid);
        // The attack is unprofitable: the attacker loses about D / 2, over 10**6 times what the victim lost.
        expect(malloryLoss).to.be.greaterThan(D / 2n - v);
        expect(malloryLoss).to.be.greaterThan(victimLoss * OFFSET);
        // What neither can claim stays with the virtual shares.
        expect(await f.fund.totalSupply()).to.equal(0n);
        expect(await f.fund.totalAssets()).to.equal(total - victimPaid - malloryPaid);
        expect((await fundCash(f)) / SCALE + (await idle(f))).to.equal(total - victimPaid - malloryPaid);
      });

      it("a victim deposit worth less than one share mints 0 shares: the loss is still at most one share's worth and the attacker still loses", async function () {
        const f = await loadFixture(insuranceFixture);
        const malloryBefore = await setUpAttack(f, d);
        const v = 400_000n; // 0.4 USDC < one share (0.500001 USDC)
        await expect(f.fund.connect(f.alice).deposit(v, f.alice.address))
          .to.emit(f.fund, "Deposit")
          .withArgs(f.alice.address, f.alice.address, v, 0n);
        expect(await f.fund.balanceOf(f.alice.address)).to.equal(0n);
        const victimLoss = v;
        expect(victimLoss).to.be.lte(ONE_SHARE);
        const total = D + 1n + v;
        const malloryValue = toAssets(OFFSET, OFFSET, total);
        expect(malloryValue).to.equal(500_000_200_001n);
        const [, malloryPaid] = await exitBoth(f, f.alice, f.mallory);
        expect(malloryPaid).to.equal(malloryValue);
        const malloryLoss = malloryBefore - (await f.cash.balanceOf(f.mallory.address));
        expect(malloryLoss).to.equal(D + 1n - malloryValue);
        expect(malloryLoss).to.be.greaterThan(victimLoss * OFFSET);
      });

      it("a victim depositing after a larger donation still loses at most one share's worth", async function () {
        const f = await loadFixture(insuranceFixture);
        await (await f.fund.connect(f.mallory).deposit(1n, f.mallory.address)).wait();
        const big = 9_000_000n * USDC;
        await d.donate(f, f.mallory, big);
        const oneShare = (big + 2n + 2n * OFFSET - 1n) / (2n * OFFSET);
        const v = 12_345n * USDC + 678_901n;
        const shares = toShares(v, OFFSET, big + 1n);
        await (await f.fund.connect(f.alice).deposit(v, f.alice.address)).wait();
        expect(await f.fund.balanceOf(f.alice.address)).to.equal(shares);
        const value = await f.fund.convertToAssets(shares);
        expect(value).to.equal(toAssets(shares, OFFSET + shares, big + 1n + v));
        expect(v - value).to.be.lte(oneShare);
        expect(v - value).to.equal(2_175_917n);
      });
    });
  }
});
