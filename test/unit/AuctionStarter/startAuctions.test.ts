import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import fc from "fast-check";
import { starterFixture, expectedTip, type StarterFixture } from "./helpers";
import { ETH, WAD, accountId, valuation } from "../LiquidationAuction/helpers";
import { AuctionStarter__factory, ILiquidationAuction__factory, StartRevertMock__factory } from "../../../typechain-types";

/** The revert data of a call (what a caller sees), or "" when it does not revert. */
async function revertData(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "";
  } catch (e) {
    const data = (e as { data?: string }).data;
    if (typeof data !== "string") throw e;
    return data;
  }
}

/** Cash (WAD) of each account. */
async function cashOf(f: StarterFixture, accounts: bigint[]): Promise<bigint[]> {
  return Promise.all(accounts.map((a) => f.vault.cashBalance(a)));
}

describe("AuctionStarter: batch auction starts", function () {
  it("starts every liquidatable account, skips a healthy one, credits each exact tip to the tip account and reports the counts", async function () {
    const f = await loadFixture(starterFixture);
    const [tipA, tipF] = [await expectedTip(f, f.A), await expectedTip(f, f.F)];
    expect(tipA).to.equal(5n * WAD + (130n * WAD) / 100n); // 5 + 1% of the shortfall 130
    const [cashA, cashF, cashK] = await cashOf(f, [f.A, f.F, f.K]);
    const accounts = [f.A, f.E, f.F];
    expect(await f.starter.connect(f.carol).startAuctions.staticCall(accounts, f.K)).to.equal(2n);

    const tx = f.starter.connect(f.carol).startAuctions(accounts, f.K);
    await expect(tx).to.emit(f.starter, "StarterBatchRan").withArgs(f.carol.address, f.K, 2n, 1n);
    await expect(tx).to.emit(f.vault, "LiquidationStarted").withArgs(f.A, f.K, tipA);
    await expect(tx).to.emit(f.vault, "LiquidationStarted").withArgs(f.F, f.K, tipF);
    const started = (await (await tx).wait())!.logs
      .map((l) => f.auction.interface.parseLog(l))
      .filter((l) => l?.name === "AuctionStarted")
      .map((l) => [l!.args.account, l!.args.starter, l!.args.tipAccount, l!.args.tip]);
    // The auction records the starter contract as the starter.
    expect(started).to.deep.equal([
      [f.A, await f.starter.getAddress(), f.K, tipA],
      [f.F, await f.starter.getAddress(), f.K, tipF],
    ]);
    expect(await cashOf(f, [f.A, f.F, f.K])).to.deep.equal([cashA - tipA, cashF - tipF, cashK + tipA + tipF]);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(true);
    expect((await f.auction.auctionOf(f.F)).active).to.equal(true);
    expect((await f.auction.auctionOf(f.E)).active).to.equal(false);
    expect((await f.vault.accountStatus(f.E)).frozen).to.equal(false);
  });

  it("skips an account already in auction without paying its tip again", async function () {
    const f = await loadFixture(starterFixture);
    await f.auction.connect(f.dave).startAuction(f.A, f.A);
    const tipF = await expectedTip(f, f.F);
    const [cashA, cashK] = await cashOf(f, [f.A, f.K]);
    await expect(f.starter.connect(f.carol).startAuctions([f.A, f.F], f.K))
      .to.emit(f.starter, "StarterBatchRan")
      .withArgs(f.carol.address, f.K, 1n, 1n);
    expect(await cashOf(f, [f.A, f.K])).to.deep.equal([cashA, cashK + tipF]);
  });

  it("starts a duplicated account once: its repeats are skipped as already in auction and pay no second tip", async function () {
    const f = await loadFixture(starterFixture);
    const tipA = await expectedTip(f, f.A);
    const [cashA, cashK] = await cashOf(f, [f.A, f.K]);
    await expect(f.starter.connect(f.carol).startAuctions([f.A, f.A, f.A], f.K))
      .to.emit(f.starter, "StarterBatchRan")
      .withArgs(f.carol.address, f.K, 1n, 2n);
    expect(await cashOf(f, [f.A, f.K])).to.deep.equal([cashA - tipA, cashK + tipA]);
  });

  it("runs an empty batch as a no-op that starts nothing and reports zero counts", async function () {
    const f = await loadFixture(starterFixture);
    const cashK = await f.vault.cashBalance(f.K);
    expect(await f.starter.startAuctions.staticCall([], f.K)).to.equal(0n);
    await expect(f.starter.connect(f.carol).startAuctions([], f.K))
      .to.emit(f.starter, "StarterBatchRan")
      .withArgs(f.carol.address, f.K, 0n, 0n);
    expect(await f.vault.cashBalance(f.K)).to.equal(cashK);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
  });

  it("skips account ids nobody uses (an empty account is never liquidatable) and changes nothing", async function () {
    const f = await loadFixture(starterFixture);
    const ids = [0n, 1n, 2n ** 256n - 1n];
    await expect(f.starter.startAuctions(ids, f.K)).to.emit(f.starter, "StarterBatchRan").withArgs(f.deployer.address, f.K, 0n, 3n);
    for (const id of ids) expect((await f.vault.accountStatus(id)).frozen).to.equal(false);
  });

  it("pays tips only to the tip account named: a caller naming someone else's account gains nothing and can take nothing", async function () {
    const f = await loadFixture(starterFixture);
    const D = accountId(f.dave.address);
    const tipA = await expectedTip(f, f.A);
    const [cashK, cashD] = await cashOf(f, [f.K, D]);
    await f.starter.connect(f.dave).startAuctions([f.A], f.K);
    expect(await cashOf(f, [f.K, D])).to.deep.equal([cashK + tipA, cashD]);
  });

  it("a tip account that is the liquidated account itself moves the tip within the account (no gain for anyone)", async function () {
    const f = await loadFixture(starterFixture);
    const cashA = await f.vault.cashBalance(f.A);
    await f.starter.connect(f.alice).startAuctions([f.A], f.A);
    expect(await f.vault.cashBalance(f.A)).to.equal(cashA);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(true);
  });

  it("for any list of accounts (liquidatable, healthy, already started, unused ids, repeats) starts each liquidatable one once and credits exactly its tips (property)", async function () {
    const base = await loadFixture(starterFixture);
    const [tipA, tipF] = [await expectedTip(base, base.A), await expectedTip(base, base.F)];
    const pool = [base.A, base.F, base.E, 1n, 2n ** 256n - 1n];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pool), { maxLength: 12 }), fc.boolean(), async (accounts, aliceFirst) => {
        const f = await loadFixture(starterFixture);
        if (aliceFirst) await f.auction.connect(f.dave).startAuction(f.A, accountId(f.dave.address));
        const cashK = await f.vault.cashBalance(f.K);
        const startable = [...new Set(accounts)].filter((a) => a === f.F || (a === f.A && !aliceFirst));
        const tips = startable.reduce((sum, a) => sum + (a === f.A ? tipA : tipF), 0n);
        await expect(f.starter.connect(f.carol).startAuctions(accounts, f.K))
          .to.emit(f.starter, "StarterBatchRan")
          .withArgs(f.carol.address, f.K, BigInt(startable.length), BigInt(accounts.length - startable.length));
        expect(await f.vault.cashBalance(f.K)).to.equal(cashK + tips);
        for (const a of [f.A, f.F]) {
          expect((await f.auction.auctionOf(a)).active).to.equal(accounts.includes(a) || (a === f.A && aliceFirst));
        }
        expect((await f.vault.accountStatus(f.E)).frozen).to.equal(false);
      }),
      { numRuns: 25 },
    );
  });

  it("reverts with StarterBatchTooLarge(length, MAX_BATCH) above MAX_BATCH accounts and accepts exactly MAX_BATCH", async function () {
    const f = await loadFixture(starterFixture);
    const max = await f.starter.MAX_BATCH();
    expect(max).to.equal(100n);
    const many = Array.from({ length: Number(max) + 1 }, (_, i) => BigInt(i + 1));
    await expect(f.starter.startAuctions(many, f.K))
      .to.be.revertedWithCustomError(f.starter, "StarterBatchTooLarge")
      .withArgs(max + 1n, max);
    await expect(f.starter.startAuctions(many.slice(1), f.K))
      .to.emit(f.starter, "StarterBatchRan")
      .withArgs(f.deployer.address, f.K, 0n, max);
  });

  for (const level of [1, 2, 3]) {
    it(`bubbles AuctionStopped(${level}, 1) up at stop level ${level}: the whole batch reverts, starting nothing`, async function () {
      const f = await loadFixture(starterFixture);
      await f.auction.setStopLevel(level);
      await expect(f.starter.startAuctions([f.E, f.A], f.K))
        .to.be.revertedWithCustomError(f.auction, "AuctionStopped")
        .withArgs(level, 1);
    });
  }

  it("bubbles AuctionGlobalShortfallCapExceeded(cap, total) up, reverting the starts before it in the batch", async function () {
    const f = await loadFixture(starterFixture);
    const v = await valuation(f, f.F);
    const shortfallF = v.maintenanceMargin - v.equity;
    // alice's shortfall (130) fits the cap; frank's takes the total over it.
    await f.auction.setGlobalShortfallCap(130n * WAD);
    await expect(f.starter.startAuctions([f.A, f.F], f.K))
      .to.be.revertedWithCustomError(f.auction, "AuctionGlobalShortfallCapExceeded")
      .withArgs(130n * WAD, 130n * WAD + shortfallF);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
    expect(await revertData(f.starter.startAuctions.staticCall([f.A], f.K))).to.equal("");
  });

  it("bubbles AuctionMarketShortfallCapExceeded(market, cap, total) up with the auction's own arguments", async function () {
    const f = await loadFixture(starterFixture);
    await f.auction.setMarketShortfallCap(ETH, 100n * WAD);
    await expect(f.starter.startAuctions([f.A], f.K))
      .to.be.revertedWithCustomError(f.auction, "AuctionMarketShortfallCapExceeded")
      .withArgs(ETH, 100n * WAD, 130n * WAD);
  });

  it("INV-14 bubbles the oracle's OracleStalePrice up byte for byte, as a direct start reverts: a bad price never looks healthy", async function () {
    const f = await loadFixture(starterFixture);
    await time.increase(3601);
    const direct = await revertData(f.auction.startAuction.staticCall(f.A, f.K));
    expect(f.oracle.interface.parseError(direct)?.name).to.equal("OracleStalePrice");
    expect(await revertData(f.starter.startAuctions.staticCall([f.E, f.A], f.K))).to.equal(direct);
    // The healthy account is not skipped on a stale price either: its valuation cannot be read.
    expect(await revertData(f.starter.startAuctions.staticCall([f.E], f.K))).to.equal(direct);
  });

  describe("which reverts it skips (against a stand-in auction)", function () {
    async function mockFixture() {
      const [signer, caller] = await ethers.getSigners();
      const mock = await new StartRevertMock__factory(signer).deploy();
      const starter = await new AuctionStarter__factory(signer).deploy(await mock.getAddress());
      const iface = ILiquidationAuction__factory.createInterface();
      return { mock, starter, iface, caller };
    }

    it("skips exactly AuctionNotLiquidatable and AuctionAlreadyActive, whatever their arguments", async function () {
      const { mock, starter, iface, caller } = await loadFixture(mockFixture);
      await mock.setRevert(1n, iface.encodeErrorResult("AuctionNotLiquidatable", [1n, -5n, 7n]));
      await mock.setRevert(2n, iface.encodeErrorResult("AuctionAlreadyActive", [99n]));
      await expect(starter.connect(caller).startAuctions([1n, 2n, 3n], 9n))
        .to.emit(starter, "StarterBatchRan")
        .withArgs(caller.address, 9n, 1n, 2n);
      expect(await mock.starts()).to.equal(1n);
    });

    for (const [what, data] of [
      ["an empty revert", "0x"],
      ["a revert shorter than a selector", "0x1234"],
      ["a bare Error(string)", new ethers.Interface(["error Error(string)"]).encodeErrorResult("Error", ["x"])],
      ["another of the auction's errors", ILiquidationAuction__factory.createInterface().encodeErrorResult("AuctionNotActive", [1n])],
    ] as const) {
      it(`bubbles ${what} up unchanged and starts nothing`, async function () {
        const { mock, starter } = await loadFixture(mockFixture);
        await mock.setRevert(1n, data);
        expect(await revertData(starter.startAuctions.staticCall([3n, 1n], 9n))).to.equal(data);
        await expect(starter.startAuctions([3n, 1n], 9n)).to.be.reverted;
        expect(await mock.starts()).to.equal(0n);
      });
    }

    it("reverts the batch, not skipping, when a start runs out of gas (an out-of-gas start never looks healthy)", async function () {
      const { mock, starter } = await loadFixture(mockFixture);
      // The inner call burns its 63/64 of the gas and reverts with no data; the 1/64 left would pay for the event.
      await expect(starter.startAuctions([await mock.BURN_ACCOUNT()], 9n, { gasLimit: 2_000_000 })).to.be.reverted;
    });
  });

  it("rejects a zero auction address at construction (StarterZeroAddress)", async function () {
    const [signer] = await ethers.getSigners();
    const factory = new AuctionStarter__factory(signer);
    await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(factory, "StarterZeroAddress");
  });

  it("is wired to the deployment's auction", async function () {
    const f = await loadFixture(starterFixture);
    expect(await f.starter.auction()).to.equal(await f.auction.getAddress());
  });
});
