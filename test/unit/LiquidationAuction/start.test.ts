import { expect } from "chai";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import fc from "fast-check";
import { auctionFixture, setEth, valuation, accountId, WAD, USDC, ETH, refreshFeeds } from "./helpers";
import { trade, fund } from "../../shared/fixtures";
import { tip as modelTip, countedShortfall } from "../../../src/model/auction";
import { mulWadDown } from "../../../src/model/wad";
import { AuctionMathHarness__factory } from "../../../typechain-types";

describe("LiquidationAuction: starting an auction", function () {
  it("starts on a liquidatable account, freezes it and pays the starter min(flatTip + tipRate * shortfall, penaltyRate * R)", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    const v = await valuation(f, f.A);
    // E = 9,985 cash - 9,500 loss; M = 10 * 2,050 * 3%: the account is below maintenance margin.
    expect(v.equity).to.equal(485n * WAD);
    expect(v.maintenanceMargin).to.equal(615n * WAD);
    const shortfall = v.maintenanceMargin - v.equity;
    const tip = modelTip(f.p, shortfall, v.requirement, v.markToMarket);
    expect(tip).to.equal(5n * WAD + (130n * WAD) / 100n); // 5 + 1% of 130 = 6.3
    const keeper = accountId(f.carol.address);
    const aliceCash = await f.vault.cashBalance(f.A);
    const keeperCash = await f.vault.cashBalance(keeper);
    const nonce = await f.vault.accountNonce(f.A);

    await expect(f.auction.connect(f.carol).startAuction(f.A, keeper))
      .to.emit(f.auction, "AuctionStarted")
      .withArgs(f.A, f.carol.address, keeper, tip, v.equity, v.maintenanceMargin, v.markToMarket, shortfall)
      .and.to.emit(f.vault, "LiquidationStarted")
      .withArgs(f.A, keeper, tip);

    expect(await f.vault.cashBalance(f.A)).to.equal(aliceCash - tip);
    expect(await f.vault.cashBalance(keeper)).to.equal(keeperCash + tip);
    expect(await f.vault.accountNonce(f.A)).to.equal(nonce + 1n);
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(true);
    const a = await f.auction.auctionOf(f.A);
    expect(a.active).to.equal(true);
    expect(a.elapsed).to.equal(0n);
    expect(a.shortfallMicro).to.equal(130_000_000n); // 130 cash in micro units: a whole number, nothing rounded
    expect(a.market).to.equal(ETH);
    expect(a.multi).to.equal(false);
    expect(a.badDebtRecorded).to.equal(false);
    expect(a.paramsVersion).to.equal(1n);
    const [global, , market] = await f.auction.shortfallTotals(ETH);
    expect([global, market]).to.deep.equal([shortfall, shortfall]);
  });

  it("counts the shortfall rounded up to a whole micro cash unit against the breakers, and tips on the exact one", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, "2050.00000006");
    const v = await valuation(f, f.A);
    const shortfall = v.maintenanceMargin - v.equity;
    // M - E = 615.000000018 - 485.0000006 = 129.999999418: 129,999,999.418 micro units, so rounding up (130,000,000)
    // differs from rounding to nearest or down (129,999,999).
    expect(shortfall).to.equal(129_999_999_418_000_000_000n);
    const counted = 130n * WAD;
    expect(countedShortfall(shortfall)).to.equal(counted);
    const keeper = accountId(f.carol.address);
    const tip = modelTip(f.p, shortfall, v.requirement, v.markToMarket);
    await expect(f.auction.connect(f.carol).startAuction(f.A, keeper))
      .to.emit(f.auction, "AuctionStarted")
      .withArgs(f.A, f.carol.address, keeper, tip, v.equity, v.maintenanceMargin, v.markToMarket, counted);
    expect((await f.auction.auctionOf(f.A)).shortfallMicro).to.equal(130_000_000n);
    const [global, , market] = await f.auction.shortfallTotals(ETH);
    expect([global, market]).to.deep.equal([counted, counted]);
    // Ending releases exactly what was counted.
    await fund(f, f.alice, "USDC", 1_000n * USDC);
    await (await f.auction.terminateAuction(f.A)).wait();
    const [globalAfter, , marketAfter] = await f.auction.shortfallTotals(ETH);
    expect([globalAfter, marketAfter]).to.deep.equal([0n, 0n]);
  });

  it("reverts with AuctionNotLiquidatable(account, equity, maintenanceMargin) for an account at or above maintenance margin", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2100);
    // E = 9,985 - 9,000 = 985 >= M = 630.
    await expect(f.auction.startAuction(f.A, f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionNotLiquidatable")
      .withArgs(f.A, 985n * WAD, 630n * WAD);
  });

  it("INV-14 reverts with the oracle's error when a price is stale: a bad price never liquidates anyone", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await time.increase(3601);
    await expect(f.auction.startAuction(f.A, f.A)).to.be.revertedWithCustomError(f.oracle, "OracleStalePrice");
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(false);
  });

  it("reverts with AuctionAlreadyActive for an account already in an auction", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await f.auction.startAuction(f.A, f.A);
    await expect(f.auction.startAuction(f.A, f.A)).to.be.revertedWithCustomError(f.auction, "AuctionAlreadyActive").withArgs(f.A);
  });

  for (const level of [1, 2, 3]) {
    it(`reverts with AuctionStopped(${level}, 1) at stop level ${level}`, async function () {
      const f = await loadFixture(auctionFixture);
      await setEth(f, 2050);
      await f.auction.setStopLevel(level);
      await expect(f.auction.startAuction(f.A, f.A)).to.be.revertedWithCustomError(f.auction, "AuctionStopped").withArgs(level, 1);
    });
  }

  it("reverts with AuctionGlobalShortfallCapExceeded(cap, total) when the running shortfall would pass the global cap", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await f.auction.setGlobalShortfallCap(130n * WAD - 1n);
    await expect(f.auction.startAuction(f.A, f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionGlobalShortfallCapExceeded")
      .withArgs(130n * WAD - 1n, 130n * WAD);
    await f.auction.setGlobalShortfallCap(130n * WAD);
    await expect(f.auction.startAuction(f.A, f.A)).to.emit(f.auction, "AuctionStarted");
  });

  it("reverts with AuctionMarketShortfallCapExceeded(market, cap, total) when a market's running shortfall would pass its cap", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await f.auction.setMarketShortfallCap(ETH, 100n * WAD);
    await expect(f.auction.startAuction(f.A, f.A))
      .to.be.revertedWithCustomError(f.auction, "AuctionMarketShortfallCapExceeded")
      .withArgs(ETH, 100n * WAD, 130n * WAD);
  });

  it("a frozen account can neither trade nor withdraw but still receives deposits", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await f.auction.startAuction(f.A, f.A);
    await expect(trade(f, f.bob, f.alice, "ETH-PERP", 1n * WAD, 2050n * WAD))
      .to.be.revertedWithCustomError(f.vault, "VaultAccountInAuction")
      .withArgs(f.A);
    await expect(f.vault.connect(f.alice).withdraw(f.A, await f.cash.getAddress(), 1n, f.alice.address))
      .to.be.revertedWithCustomError(f.vault, "VaultAccountInAuction")
      .withArgs(f.A);
    const before = await f.vault.cashBalance(f.A);
    await fund(f, f.alice, "USDC", 100n * USDC);
    expect(await f.vault.cashBalance(f.A)).to.equal(before + 100n * WAD);
  });

  it("caps the tip at the liquidation penalty of the whole portfolio and of its value, penaltyRate * min(R, V) (V < R whenever E < M)", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    await f.auction.setParams({ ...f.p, flatTip: 1_000n * WAD });
    const v = await valuation(f, f.A);
    expect(mulWadDown(f.p.penaltyRate, v.requirement)).to.equal((615n * WAD) / 10n);
    const penalty = mulWadDown(f.p.penaltyRate, v.markToMarket); // 10% of V = 485
    expect(penalty).to.equal((485n * WAD) / 10n);
    await expect(f.auction.startAuction(f.A, accountId(f.carol.address)))
      .to.emit(f.vault, "LiquidationStarted")
      .withArgs(f.A, accountId(f.carol.address), penalty);
  });

  describe("the flat tip follows the base fee above tipBaseFee (issue #13: a start stays worth its gas in a crash)", function () {
    const GWEI = 10n ** 9n;
    /** Starts alice's auction (ETH 2,050: shortfall 130, R 615) in a block whose base fee is `baseFee` wei per gas. */
    async function startAt(f: Awaited<ReturnType<typeof auctionFixture>>, baseFee: bigint) {
      await setEth(f, 2050);
      await ethers.provider.send("hardhat_setNextBlockBaseFeePerGas", [ethers.toQuantity(baseFee)]);
      return f.auction
        .connect(f.carol)
        .startAuction(f.A, accountId(f.carol.address), { maxFeePerGas: 2_000n * GWEI, maxPriorityFeePerGas: 0n });
    }

    it("the fixture's tipBaseFee is 100 gwei and its flat tip 5 USDC", async function () {
      const f = await loadFixture(auctionFixture);
      expect([f.p.tipBaseFee, f.p.flatTip]).to.deep.equal([100n, 5n * WAD]);
    });

    it("at a base fee of exactly tipBaseFee the flat tip is flatTip: 5 + 1% of 130 = 6.3", async function () {
      const f = await loadFixture(auctionFixture);
      await expect(startAt(f, 100n * GWEI))
        .to.emit(f.vault, "LiquidationStarted")
        .withArgs(f.A, accountId(f.carol.address), 63n * 10n ** 17n);
    });

    it("at 3x tipBaseFee plus 1 wei the flat tip is flatTip * basefee / tipBaseFee, rounded down: 15 + 1.3", async function () {
      const f = await loadFixture(auctionFixture);
      const baseFee = 300n * GWEI + 1n;
      const v = await valuation(f, f.A);
      const flat = (5n * WAD * baseFee) / (100n * GWEI);
      expect(flat).to.equal(15n * WAD + (5n * WAD) / (100n * GWEI)); // 15 plus 5e18 / 1e11 wei
      const expected = modelTip(f.p, 130n * WAD, v.requirement, v.markToMarket, baseFee);
      expect(expected).to.equal(flat + 13n * 10n ** 17n);
      await expect(startAt(f, baseFee)).to.emit(f.vault, "LiquidationStarted").withArgs(f.A, accountId(f.carol.address), expected);
    });

    it("however high the base fee, the tip stays capped at the penalty penaltyRate * min(R, V) (INV-20): 10% of V = 485", async function () {
      const f = await loadFixture(auctionFixture);
      await expect(startAt(f, 1_900n * GWEI))
        .to.emit(f.vault, "LiquidationStarted")
        .withArgs(f.A, accountId(f.carol.address), (485n * WAD) / 10n);
    });

    it("with tipBaseFee 0 the flat tip is never scaled", async function () {
      const f = await loadFixture(auctionFixture);
      await (await f.auction.setParams({ ...f.p, tipBaseFee: 0n })).wait();
      await expect(startAt(f, 1_900n * GWEI))
        .to.emit(f.vault, "LiquidationStarted")
        .withArgs(f.A, accountId(f.carol.address), 63n * 10n ** 17n);
    });
  });

  it("self-liquidation cannot profit: the owner's tip moves between its own accounts", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2050);
    const own = accountId(f.alice.address, 1);
    const before = (await f.vault.cashBalance(f.A)) + (await f.vault.cashBalance(own));
    await f.auction.connect(f.alice).startAuction(f.A, own);
    expect((await f.vault.cashBalance(f.A)) + (await f.vault.cashBalance(own))).to.equal(before);
  });

  it("the tip never exceeds the liquidation penalty penaltyRate * R, for any parameters within bounds (property)", async function () {
    const [signer] = await ethers.getSigners();
    const h = await new AuctionMathHarness__factory(signer).deploy();
    const wad = (max: bigint) => fc.bigInt({ min: 0n, max });
    await fc.assert(
      fc.asyncProperty(
        wad(1_000n * WAD),
        wad(WAD / 2n),
        wad(WAD / 2n),
        wad(10n ** 30n),
        wad(10n ** 30n),
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        async (flat, tipRate, penaltyRate, shortfall, r, value) => {
          const t = await h.tip(flat, tipRate, penaltyRate, shortfall, r, value);
          expect(t).to.equal(modelTip({ flatTip: flat, tipRate, penaltyRate, tipBaseFee: 0n } as never, shortfall, r, value));
          expect(t <= mulWadDown(penaltyRate, r)).to.equal(true);
          expect(t <= (value > 0n ? mulWadDown(penaltyRate, value) : 0n)).to.equal(true);
        },
      ),
      { numRuns: 40, seed: 7 },
    );
  });

  it("refreshes nothing when it reverts: the account stays unfrozen and the breakers untouched", async function () {
    const f = await loadFixture(auctionFixture);
    await setEth(f, 2100);
    await refreshFeeds(f);
    await expect(f.auction.startAuction(f.A, f.A)).to.be.revertedWithCustomError(f.auction, "AuctionNotLiquidatable");
    expect((await f.vault.accountStatus(f.A)).frozen).to.equal(false);
    expect((await f.auction.shortfallTotals(ETH))[0]).to.equal(0n);
  });
});
