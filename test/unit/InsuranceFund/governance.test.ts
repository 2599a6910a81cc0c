/**
 * InsuranceFund governance: withdrawal timing and the per-event cap ratio (risk manager, hard bounds at both ends),
 * the one-time auction binding (admin), the AccessManager role matrix of src/deploy/roles.ts, and the constructor's
 * validation (a fresh fund deployed outside the fixture).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { InsuranceFund__factory } from "../../../typechain-types";
import { ROLE, FUNCTION_ROLES, ADMIN_FUNCTIONS } from "../../../src/deploy/roles";
import {
  insuranceFixture,
  stakedFixture,
  cover,
  eventId,
  requestAt,
  accountId,
  COOLDOWN,
  WINDOW,
  CAP_RATIO,
  MIN_COOLDOWN,
  MAX_COOLDOWN,
  MIN_WINDOW,
  MAX_WINDOW,
  MIN_EVENT_CAP_RATIO,
  WAD,
  USDC,
  type InsuranceFixture,
  auctionSigner,
} from "./helpers";

const COOLDOWN_NAME = ethers.encodeBytes32String("cooldown");
const WINDOW_NAME = ethers.encodeBytes32String("unstakeWindow");
const RATIO_NAME = ethers.encodeBytes32String("eventCapRatio");
const AUCTION_NAME = ethers.encodeBytes32String("auction");
const MAX_UINT160 = (1n << 160n) - 1n;

/** Deploys a fresh InsuranceFund over the fixture's vault and AccessManager (restricted functions need ADMIN). */
async function deployFresh(f: InsuranceFixture, cooldown = COOLDOWN, window = WINDOW, ratio = CAP_RATIO) {
  const factory = new InsuranceFund__factory(f.deployer);
  return factory.deploy(await f.manager.getAddress(), await f.vault.getAddress(), "Fresh Fund", "FRESH", cooldown, window, ratio);
}

describe("InsuranceFund: governance", function () {
  describe("hard bounds", function () {
    it("are 1 h to 30 d for the cooldown, 1 h to 14 d for the unstake window and 1% to 100% for the event cap ratio", async function () {
      const f = await loadFixture(insuranceFixture);
      expect(await f.fund.MIN_COOLDOWN()).to.equal(MIN_COOLDOWN);
      expect(await f.fund.MAX_COOLDOWN()).to.equal(MAX_COOLDOWN);
      expect(await f.fund.MIN_WINDOW()).to.equal(MIN_WINDOW);
      expect(await f.fund.MAX_WINDOW()).to.equal(MAX_WINDOW);
      expect(await f.fund.MIN_EVENT_CAP_RATIO()).to.equal(MIN_EVENT_CAP_RATIO);
      // The fixture's parameters (deploy/parameters/hardhat.json).
      expect(await f.fund.cooldown()).to.equal(COOLDOWN);
      expect(await f.fund.unstakeWindow()).to.equal(WINDOW);
      expect(await f.fund.eventCapRatio()).to.equal(CAP_RATIO);
    });
  });

  describe("setWithdrawalTiming", function () {
    it("the risk manager sets the timing at both ends of the bounds and WithdrawalTimingSet is emitted", async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.setWithdrawalTiming(MIN_COOLDOWN, MIN_WINDOW))
        .to.emit(f.fund, "WithdrawalTimingSet")
        .withArgs(MIN_COOLDOWN, MIN_WINDOW);
      expect([await f.fund.cooldown(), await f.fund.unstakeWindow()]).to.deep.equal([MIN_COOLDOWN, MIN_WINDOW]);
      await expect(f.fund.setWithdrawalTiming(MAX_COOLDOWN, MAX_WINDOW))
        .to.emit(f.fund, "WithdrawalTimingSet")
        .withArgs(MAX_COOLDOWN, MAX_WINDOW);
      expect([await f.fund.cooldown(), await f.fund.unstakeWindow()]).to.deep.equal([MAX_COOLDOWN, MAX_WINDOW]);
    });

    it('reverts InsuranceParameterOutOfBounds("cooldown") one second below the minimum and one second above the maximum', async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.setWithdrawalTiming(MIN_COOLDOWN - 1n, WINDOW))
        .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
        .withArgs(COOLDOWN_NAME, MIN_COOLDOWN - 1n, MIN_COOLDOWN, MAX_COOLDOWN);
      await expect(f.fund.setWithdrawalTiming(MAX_COOLDOWN + 1n, WINDOW))
        .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
        .withArgs(COOLDOWN_NAME, MAX_COOLDOWN + 1n, MIN_COOLDOWN, MAX_COOLDOWN);
      // With both out of bounds the cooldown is reported.
      await expect(f.fund.setWithdrawalTiming(0n, 0n))
        .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
        .withArgs(COOLDOWN_NAME, 0n, MIN_COOLDOWN, MAX_COOLDOWN);
      expect([await f.fund.cooldown(), await f.fund.unstakeWindow()]).to.deep.equal([COOLDOWN, WINDOW]);
    });

    it('reverts InsuranceParameterOutOfBounds("unstakeWindow") one second below the minimum and one second above the maximum', async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.setWithdrawalTiming(COOLDOWN, MIN_WINDOW - 1n))
        .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
        .withArgs(WINDOW_NAME, MIN_WINDOW - 1n, MIN_WINDOW, MAX_WINDOW);
      await expect(f.fund.setWithdrawalTiming(COOLDOWN, MAX_WINDOW + 1n))
        .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
        .withArgs(WINDOW_NAME, MAX_WINDOW + 1n, MIN_WINDOW, MAX_WINDOW);
      expect([await f.fund.cooldown(), await f.fund.unstakeWindow()]).to.deep.equal([COOLDOWN, WINDOW]);
    });

    it("is refused to a caller without the risk-manager role with AccessManagedUnauthorized(caller)", async function () {
      const f = await loadFixture(insuranceFixture);
      for (const caller of [f.alice, f.stranger]) {
        await expect(f.fund.connect(caller).setWithdrawalTiming(MIN_COOLDOWN, MIN_WINDOW))
          .to.be.revertedWithCustomError(f.fund, "AccessManagedUnauthorized")
          .withArgs(caller.address);
      }
    });

    it("applies to requests made afterwards", async function () {
      const f = await loadFixture(stakedFixture);
      await (await f.fund.setWithdrawalTiming(MIN_COOLDOWN, MAX_WINDOW)).wait();
      const r = await requestAt(f, f.alice, 1n, MIN_COOLDOWN, MAX_WINDOW);
      const [, , readyAt, expiresAt] = await f.fund.withdrawalRequest(f.alice.address);
      expect([readyAt, expiresAt]).to.deep.equal([r.t + 3_600n, r.t + 3_600n + 14n * 86_400n]);
    });
  });

  describe("setEventCapRatio", function () {
    it("the risk manager sets the ratio at both ends of the bounds and EventCapRatioSet is emitted", async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.setEventCapRatio(MIN_EVENT_CAP_RATIO)).to.emit(f.fund, "EventCapRatioSet").withArgs(MIN_EVENT_CAP_RATIO);
      expect(await f.fund.eventCapRatio()).to.equal(MIN_EVENT_CAP_RATIO);
      await expect(f.fund.setEventCapRatio(WAD)).to.emit(f.fund, "EventCapRatioSet").withArgs(WAD);
      expect(await f.fund.eventCapRatio()).to.equal(WAD);
    });

    it('reverts InsuranceParameterOutOfBounds("eventCapRatio") below 1% and above 100%', async function () {
      const f = await loadFixture(insuranceFixture);
      for (const bad of [0n, MIN_EVENT_CAP_RATIO - 1n, WAD + 1n]) {
        await expect(f.fund.setEventCapRatio(bad))
          .to.be.revertedWithCustomError(f.fund, "InsuranceParameterOutOfBounds")
          .withArgs(RATIO_NAME, bad, MIN_EVENT_CAP_RATIO, WAD);
      }
      expect(await f.fund.eventCapRatio()).to.equal(CAP_RATIO);
    });

    it("is refused to a caller without the risk-manager role with AccessManagedUnauthorized(caller)", async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.connect(f.alice).setEventCapRatio(WAD))
        .to.be.revertedWithCustomError(f.fund, "AccessManagedUnauthorized")
        .withArgs(f.alice.address);
    });

    it("applies to events whose first payout comes later, not to an event already capped", async function () {
      const f = await loadFixture(stakedFixture);
      const e1 = eventId("event-1");
      const e2 = eventId("event-2");
      await (await cover(f, e1, f.recipient, 100n * WAD)).wait(); // cap 50% of 4,000
      await (await f.fund.setEventCapRatio(WAD / 10n)).wait();
      await expect(cover(f, e1, f.recipient, 5_000n * WAD))
        .to.emit(f.fund, "LossCovered")
        .withArgs(e1, f.recipient, 5_000n * WAD, 1_900n * WAD);
      // 2,000 left: a new event gets 10% of it.
      await expect(cover(f, e2, f.recipient, 5_000n * WAD))
        .to.emit(f.fund, "LossCovered")
        .withArgs(e2, f.recipient, 5_000n * WAD, 200n * WAD);
    });
  });

  describe("access control", function () {
    it("the AccessManager maps setWithdrawalTiming and setEventCapRatio to RISK_MANAGER and bindAuction to ADMIN, as src/deploy/roles.ts says", async function () {
      const f = await loadFixture(insuranceFixture);
      expect(FUNCTION_ROLES.InsuranceFund.RISK_MANAGER).to.deep.equal(["setWithdrawalTiming", "setEventCapRatio"]);
      expect(ADMIN_FUNCTIONS.InsuranceFund).to.deep.equal(["bindAuction"]);
      const role = (fn: "setWithdrawalTiming" | "setEventCapRatio" | "bindAuction") =>
        f.manager.getTargetFunctionRole(f.fundAddress, f.fund.interface.getFunction(fn)!.selector);
      expect(await role("setWithdrawalTiming")).to.equal(ROLE.RISK_MANAGER);
      expect(await role("setEventCapRatio")).to.equal(ROLE.RISK_MANAGER);
      expect(await role("bindAuction")).to.equal(ROLE.ADMIN);
    });

    it("a holder of RISK_MANAGER alone may set the timing and the ratio but not bind the auction", async function () {
      const f = await loadFixture(insuranceFixture);
      await (await f.manager.grantRole(ROLE.RISK_MANAGER, f.carol.address, 0)).wait();
      await expect(f.fund.connect(f.carol).setWithdrawalTiming(MIN_COOLDOWN, MIN_WINDOW))
        .to.emit(f.fund, "WithdrawalTimingSet")
        .withArgs(MIN_COOLDOWN, MIN_WINDOW);
      await expect(f.fund.connect(f.carol).setEventCapRatio(WAD)).to.emit(f.fund, "EventCapRatioSet").withArgs(WAD);
      await expect(f.fund.connect(f.carol).bindAuction(f.carol.address))
        .to.be.revertedWithCustomError(f.fund, "AccessManagedUnauthorized")
        .withArgs(f.carol.address);
    });
  });

  describe("bindAuction", function () {
    it("the fixture's fund is bound to the fixture's auction; binding again reverts InsuranceAlreadyBound(current), even with the zero address", async function () {
      const f = await loadFixture(insuranceFixture);
      expect(await f.fund.auction()).to.equal(f.auctionAddress);
      for (const target of [f.alice.address, ethers.ZeroAddress]) {
        await expect(f.fund.bindAuction(target)).to.be.revertedWithCustomError(f.fund, "InsuranceAlreadyBound").withArgs(f.auctionAddress);
      }
      expect(await f.fund.auction()).to.equal(f.auctionAddress);
    });

    it("is refused to a caller without ADMIN with AccessManagedUnauthorized(caller)", async function () {
      const f = await loadFixture(insuranceFixture);
      await expect(f.fund.connect(f.stranger).bindAuction(f.stranger.address))
        .to.be.revertedWithCustomError(f.fund, "AccessManagedUnauthorized")
        .withArgs(f.stranger.address);
    });
  });

  describe("constructor", function () {
    it("a fresh fund stores its parameters, emits WithdrawalTimingSet and EventCapRatioSet and starts unbound", async function () {
      const f = await loadFixture(insuranceFixture);
      const fresh = await deployFresh(f, MIN_COOLDOWN, MAX_WINDOW, MIN_EVENT_CAP_RATIO);
      const tx = fresh.deploymentTransaction()!;
      await expect(tx).to.emit(fresh, "WithdrawalTimingSet").withArgs(MIN_COOLDOWN, MAX_WINDOW);
      await expect(tx).to.emit(fresh, "EventCapRatioSet").withArgs(MIN_EVENT_CAP_RATIO);
      const addr = await fresh.getAddress();
      expect(await fresh.cooldown()).to.equal(MIN_COOLDOWN);
      expect(await fresh.unstakeWindow()).to.equal(MAX_WINDOW);
      expect(await fresh.eventCapRatio()).to.equal(MIN_EVENT_CAP_RATIO);
      expect(await fresh.auction()).to.equal(ethers.ZeroAddress);
      expect(await fresh.asset()).to.equal(f.usdc);
      expect(await fresh.vault()).to.equal(await f.vault.getAddress());
      expect(await fresh.fundAccount()).to.equal(accountId(addr, 0));
      expect(await fresh.name()).to.equal("Fresh Fund");
      expect(await fresh.symbol()).to.equal("FRESH");
      expect(await fresh.decimals()).to.equal(12n);
      expect(await fresh.authority()).to.equal(await f.manager.getAddress());
      expect(await f.cash.allowance(addr, await f.vault.getAddress())).to.equal(ethers.MaxUint256);
      // Unbound: nobody may draw on it, the fixture's auction included.
      for (const caller of [f.deployer, await ethers.getImpersonatedSigner(f.auctionAddress)]) {
        await expect(fresh.connect(caller).cover(eventId("e"), 1n, WAD))
          .to.be.revertedWithCustomError(fresh, "InsuranceOnlyAuction")
          .withArgs(caller.address);
      }
    });

    it("rejects a cooldown, an unstake window or an event cap ratio out of bounds with InsuranceParameterOutOfBounds", async function () {
      const f = await loadFixture(insuranceFixture);
      const factory = new InsuranceFund__factory(f.deployer);
      const cases: [bigint, bigint, bigint, string, bigint, bigint, bigint][] = [
        [MIN_COOLDOWN - 1n, WINDOW, CAP_RATIO, COOLDOWN_NAME, MIN_COOLDOWN - 1n, MIN_COOLDOWN, MAX_COOLDOWN],
        [MAX_COOLDOWN + 1n, WINDOW, CAP_RATIO, COOLDOWN_NAME, MAX_COOLDOWN + 1n, MIN_COOLDOWN, MAX_COOLDOWN],
        [COOLDOWN, MIN_WINDOW - 1n, CAP_RATIO, WINDOW_NAME, MIN_WINDOW - 1n, MIN_WINDOW, MAX_WINDOW],
        [COOLDOWN, MAX_WINDOW + 1n, CAP_RATIO, WINDOW_NAME, MAX_WINDOW + 1n, MIN_WINDOW, MAX_WINDOW],
        [COOLDOWN, WINDOW, MIN_EVENT_CAP_RATIO - 1n, RATIO_NAME, MIN_EVENT_CAP_RATIO - 1n, MIN_EVENT_CAP_RATIO, WAD],
        [COOLDOWN, WINDOW, WAD + 1n, RATIO_NAME, WAD + 1n, MIN_EVENT_CAP_RATIO, WAD],
      ];
      for (const [c, w, r, name, value, min, max] of cases) {
        await expect(deployFresh(f, c, w, r))
          .to.be.revertedWithCustomError(factory, "InsuranceParameterOutOfBounds")
          .withArgs(name, value, min, max);
      }
    });

    it('bindAuction on a fresh fund rejects the zero address with InsuranceParameterOutOfBounds("auction", 0, 1, 2**160 - 1), then binds once and emits AuctionBound', async function () {
      const f = await loadFixture(insuranceFixture);
      const fresh = await deployFresh(f);
      await expect(fresh.bindAuction(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(fresh, "InsuranceParameterOutOfBounds")
        .withArgs(AUCTION_NAME, 0n, 1n, MAX_UINT160);
      await expect(fresh.connect(f.stranger).bindAuction(f.auctionAddress))
        .to.be.revertedWithCustomError(fresh, "AccessManagedUnauthorized")
        .withArgs(f.stranger.address);
      // Bound to the deployed auction (its totalAssets reads the auction's pending bad debt), impersonated below.
      await expect(fresh.bindAuction(f.auctionAddress)).to.emit(fresh, "AuctionBound").withArgs(f.auctionAddress);
      expect(await fresh.auction()).to.equal(f.auctionAddress);
      await expect(fresh.bindAuction(f.alice.address))
        .to.be.revertedWithCustomError(fresh, "InsuranceAlreadyBound")
        .withArgs(f.auctionAddress);
      // The bound address may now draw on the fund: Alice stakes 10 USDC and the auction covers 5 (the 50% cap).
      await (await f.cash.connect(f.alice).approve(await fresh.getAddress(), 10n * USDC)).wait();
      await (await fresh.connect(f.alice).deposit(10n * USDC, f.alice.address)).wait();
      await expect(fresh.connect(await auctionSigner(f)).cover(eventId("e"), f.recipient, 8n * WAD))
        .to.emit(fresh, "LossCovered")
        .withArgs(eventId("e"), f.recipient, 8n * WAD, 5n * WAD);
      expect(await f.vault.cashBalance(f.recipient)).to.equal(5n * WAD);
    });
  });
});
