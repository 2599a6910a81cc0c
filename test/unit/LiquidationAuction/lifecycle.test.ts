import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { startedAuctionFixture, auctionFixture, setEth, valuation, accountId, WAD, USDC, ETH, type AuctionFixture } from "./helpers";
import { fund } from "../../shared/fixtures";
import { mulWadUp } from "../../../src/model/wad";
import { countedShortfall, SHORTFALL_UNIT } from "../../../src/model/auction";

describe("LiquidationAuction: terminating and restarting", function () {
  it("the owner ends an auction by depositing to restore margin and calling terminateAuction", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await fund(f, f.alice, "USDC", 1_000n * USDC);
    await expect(f.auction.connect(f.alice).terminateAuction(f.A)).to.emit(f.auction, "AuctionEnded").withArgs(f.A, 2, anyValue);
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(false);
    expect((await f.auction.auctionOf(f.A)).active).to.equal(false);
    const [global, , market] = await f.auction.shortfallTotals(ETH);
    expect([global, market]).to.deep.equal([0n, 0n]);
  });

  it("anyone can terminate an auction whose account is healthy again after the price recovered", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await setEth(f, 2400);
    await expect(f.auction.connect(f.erin).terminateAuction(f.A)).to.emit(f.auction, "AuctionEnded");
  });

  it("reverts with AuctionAccountNotRestored(account, equity, target) while equity is below (1 + bufferRatio) * M", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const v = await valuation(f, f.A);
    const target = mulWadUp(WAD + f.p.bufferRatio, v.maintenanceMargin);
    await expect(f.auction.terminateAuction(f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionAccountNotRestored")
      .withArgs(f.A, v.equity, target);
  });

  it("reverts with AuctionNotActive when terminating, restarting or checkpointing an account without an auction", async function () {
    const f = await loadFixture(auctionFixture);
    // Thunks, so each transaction is sent only when awaited: a rejected promise created early is an unhandled
    // rejection that mocha may report against this test while the previous one is still awaited.
    const calls = [() => f.auction.terminateAuction(f.A), () => f.auction.restartAuction(f.A), () => f.auction.checkpoint(f.A)];
    for (const call of calls) {
      await expect(call()).to.be.revertedWithCustomError(f.auction, "AuctionNotActive").withArgs(f.A);
    }
  });

  it("restartAuction reverts with AuctionNotStalled until the whole price curve has run, then restarts the clock without a tip", async function () {
    const f = await loadFixture(startedAuctionFixture);
    const required = f.p.fastDuration + f.p.slowDuration + f.p.insolventDuration;
    await expect(f.auction.restartAuction(f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionNotStalled")
      .withArgs(f.A, anyValue, required);
    // Keep prices fresh and checkpoint after each update, so the clock can prove every second valid.
    const start = Number((await f.auction.auctionOf(f.A)).startTime);
    for (let s = 1800; s <= Number(required); s += 1800) {
      await time.setNextBlockTimestamp(start + s);
      await setEth(f, 2050);
      await f.auction.checkpoint(f.A);
    }
    const carolCash = await f.vault.cashBalance(accountId(f.carol.address));
    const v = await valuation(f, f.A);
    const tx = f.auction.restartAuction(f.A);
    await expect(tx).to.emit(f.auction, "AuctionRestarted");
    await expect(tx).to.not.emit(f.vault, "LiquidationStarted");
    const a = await f.auction.auctionOf(f.A);
    expect(a.elapsed).to.equal(0n);
    expect(a.shortfallMicro * SHORTFALL_UNIT).to.equal(countedShortfall(v.maintenanceMargin - v.equity));
    expect(await f.vault.cashBalance(accountId(f.carol.address))).to.equal(carolCash);
  });

  it("restartAuction reverts with AuctionStopped at stop level 2", async function () {
    const f = await loadFixture(startedAuctionFixture);
    await f.auction.raiseStopLevel(2);
    await expect(f.auction.restartAuction(f.A)).to.be.revertedWithCustomError(f.auction, "AuctionStopped").withArgs(2, 2);
  });
});
