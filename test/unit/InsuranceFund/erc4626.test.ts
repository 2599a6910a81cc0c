/**
 * InsuranceFund as an ERC-4626 vault: metadata, deposits and mints with OpenZeppelin's rounding directions and the
 * 10**6 virtual-share offset, the disabled standard exits, where deposited assets go (the fund's vault account),
 * and how total assets and the share price follow fees and idle tokens.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import {
  insuranceFixture,
  stakedFixture,
  collectFees,
  donateIdle,
  donateToVaultAccount,
  fundCash,
  fundState,
  idle,
  toShares,
  toAssets,
  accountId,
  USDC,
  SCALE,
  OFFSET,
  WAD,
  ALICE_STAKE,
  ALICE_SHARES,
  BOB_STAKE,
  BOB_SHARES,
  STAKER_BALANCE,
} from "./helpers";

describe("InsuranceFund: ERC-4626 standard behaviour", function () {
  describe("metadata", function () {
    it("is a vault over the cash token with 6 + 6 decimals, the fixture's name and symbol, and an empty start", async function () {
      const f = await loadFixture(insuranceFixture);
      expect(await f.fund.asset()).to.equal(f.usdc);
      expect(await f.cash.decimals()).to.equal(6n);
      expect(await f.fund.DECIMALS_OFFSET()).to.equal(6n);
      expect(await f.fund.decimals()).to.equal(12n);
      expect(await f.fund.name()).to.equal("Ballast Insurance USDC");
      expect(await f.fund.symbol()).to.equal("bINS-USDC");
      expect(await f.fund.vault()).to.equal(await f.vault.getAddress());
      expect(await f.fund.fundAccount()).to.equal(accountId(f.fundAddress, 0));
      expect(await f.fund.fundAccount()).to.equal(BigInt(f.fundAddress) << 96n);
      expect(await f.fund.totalSupply()).to.equal(0n);
      expect(await f.fund.totalAssets()).to.equal(0n);
      // The constructor approves the vault to pull the fund's tokens (deposits and sweeps).
      expect(await f.cash.allowance(f.fundAddress, await f.vault.getAddress())).to.equal(ethers.MaxUint256);
    });

    it("an empty fund converts one token unit to 10**6 shares and back through its virtual share and asset", async function () {
      const f = await loadFixture(insuranceFixture);
      expect(await f.fund.convertToShares(1n)).to.equal(OFFSET);
      expect(await f.fund.previewDeposit(1n)).to.equal(OFFSET);
      expect(await f.fund.convertToAssets(OFFSET)).to.equal(1n);
      expect(await f.fund.previewMint(OFFSET)).to.equal(1n);
      // 10**6 - 1 shares are worth 0.999999 units: down for convertToAssets/previewRedeem, up for previewMint.
      expect(await f.fund.convertToAssets(OFFSET - 1n)).to.equal(0n);
      expect(await f.fund.previewRedeem(OFFSET - 1n)).to.equal(0n);
      expect(await f.fund.previewMint(OFFSET - 1n)).to.equal(1n);
      expect(await f.fund.previewWithdraw(1n)).to.equal(OFFSET);
    });
  });

  describe("deposit and mint", function () {
    it("deposit mints previewDeposit shares to the receiver, emits Deposit and moves the assets into the fund's vault account, not idle in the fund", async function () {
      const f = await loadFixture(insuranceFixture);
      const assets = 1_234n * USDC + 567_891n;
      const shares = assets * OFFSET;
      expect(await f.fund.previewDeposit(assets)).to.equal(shares);
      expect(await f.fund.connect(f.alice).deposit.staticCall(assets, f.bob.address)).to.equal(shares);
      const heldBefore = await f.vault.totalHeldWad(f.usdc);
      const tx = f.fund.connect(f.alice).deposit(assets, f.bob.address);
      await expect(tx).to.emit(f.fund, "Deposit").withArgs(f.alice.address, f.bob.address, assets, shares);
      await expect(tx).to.emit(f.vault, "Deposited").withArgs(f.fundAcct, f.usdc, assets, f.fundAddress);
      await expect(tx).to.changeTokenBalances(f.cash, [f.alice, f.fundAddress, f.vault], [-assets, 0n, assets]);
      expect(await f.fund.balanceOf(f.bob.address)).to.equal(shares);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(0n);
      expect(await f.fund.totalSupply()).to.equal(shares);
      expect(await fundCash(f)).to.equal(assets * SCALE);
      expect(await f.vault.totalHeldWad(f.usdc)).to.equal(heldBefore + assets * SCALE);
      expect(await idle(f)).to.equal(0n);
      expect(await f.fund.totalAssets()).to.equal(assets);
    });

    it("a second deposit at an unchanged price gets exactly 10**6 shares per token unit", async function () {
      const f = await loadFixture(stakedFixture);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES);
      expect(await f.fund.balanceOf(f.bob.address)).to.equal(BOB_SHARES);
      expect(await f.fund.totalAssets()).to.equal(ALICE_STAKE + BOB_STAKE);
      expect(await fundCash(f)).to.equal((ALICE_STAKE + BOB_STAKE) * SCALE);
      expect(await f.fund.convertToAssets(ALICE_SHARES)).to.equal(ALICE_STAKE);
      expect(await f.fund.convertToAssets(BOB_SHARES)).to.equal(BOB_STAKE);
    });

    it("deposit, previewDeposit and convertToShares round down at a non-integral share price", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 333_333n);
      const { supply, total } = await fundState(f);
      expect([supply, total]).to.deep.equal([ALICE_SHARES + BOB_SHARES, 4_000_333_333n]);
      const assets = 1_234_567n;
      const down = toShares(assets, supply, total);
      expect(toShares(assets, supply, total, true)).to.equal(down + 1n); // the division is inexact
      expect(await f.fund.convertToShares(assets)).to.equal(down);
      expect(await f.fund.previewDeposit(assets)).to.equal(down);
      await expect(f.fund.connect(f.carol).deposit(assets, f.carol.address))
        .to.emit(f.fund, "Deposit")
        .withArgs(f.carol.address, f.carol.address, assets, down);
      expect(await f.fund.balanceOf(f.carol.address)).to.equal(down);
      expect(await f.fund.totalAssets()).to.equal(total + assets);
    });

    it("mint and previewMint round the assets pulled up at a non-integral share price, and mint returns them", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 333_333n);
      const { supply, total } = await fundState(f);
      const shares = 987_654_321_987n;
      const up = toAssets(shares, supply, total, true);
      expect(toAssets(shares, supply, total)).to.equal(up - 1n); // the division is inexact
      expect(await f.fund.previewMint(shares)).to.equal(up);
      expect(await f.fund.convertToAssets(shares)).to.equal(up - 1n);
      expect(await f.fund.connect(f.carol).mint.staticCall(shares, f.carol.address)).to.equal(up);
      const tx = f.fund.connect(f.carol).mint(shares, f.alice.address);
      await expect(tx).to.emit(f.fund, "Deposit").withArgs(f.carol.address, f.alice.address, up, shares);
      await expect(tx).to.emit(f.vault, "Deposited").withArgs(f.fundAcct, f.usdc, up, f.fundAddress);
      await expect(tx).to.changeTokenBalance(f.cash, f.carol, -up);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES + shares);
      expect(await f.fund.totalAssets()).to.equal(total + up);
    });

    it("previewRedeem rounds down and previewWithdraw rounds up at a non-integral share price", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 333_333n);
      const { supply, total } = await fundState(f);
      const shares = 987_654_321_987n;
      expect(await f.fund.previewRedeem(shares)).to.equal(toAssets(shares, supply, total));
      expect(toAssets(shares, supply, total, true)).to.equal(toAssets(shares, supply, total) + 1n);
      const assets = 1_234_567n;
      expect(await f.fund.previewWithdraw(assets)).to.equal(toShares(assets, supply, total, true));
      expect(toShares(assets, supply, total, true)).to.equal(toShares(assets, supply, total) + 1n);
    });

    it("maxDeposit is the room left under the vault's cash deposit cap and maxMint its shares, for any receiver", async function () {
      const f = await loadFixture(stakedFixture);
      const info = await f.vault.tokenInfo(f.usdc);
      const room = (info.depositCap - (await f.vault.totalHeldWad(f.usdc))) / SCALE;
      for (const who of [f.alice.address, f.stranger.address, ethers.ZeroAddress]) {
        expect(await f.fund.maxDeposit(who)).to.equal(room);
        expect(await f.fund.maxMint(who)).to.equal(await f.fund.convertToShares(room));
      }
    });

    it("a zero deposit or zero mint reverts with the vault's VaultZeroAmount", async function () {
      const f = await loadFixture(stakedFixture);
      await expect(f.fund.connect(f.alice).deposit(0n, f.alice.address)).to.be.revertedWithCustomError(f.vault, "VaultZeroAmount");
      await expect(f.fund.connect(f.alice).mint(0n, f.alice.address)).to.be.revertedWithCustomError(f.vault, "VaultZeroAmount");
    });

    it("a deposit beyond the caller's allowance reverts with ERC20InsufficientAllowance and mints nothing", async function () {
      const f = await loadFixture(stakedFixture);
      await (await f.cash.connect(f.stranger).mint(f.stranger.address, 10n * USDC)).wait();
      await (await f.cash.connect(f.stranger).approve(f.fundAddress, 5n * USDC)).wait();
      await expect(f.fund.connect(f.stranger).deposit(6n * USDC, f.stranger.address))
        .to.be.revertedWithCustomError(f.cash, "ERC20InsufficientAllowance")
        .withArgs(f.fundAddress, 5n * USDC, 6n * USDC);
      expect(await f.fund.totalSupply()).to.equal(ALICE_SHARES + BOB_SHARES);
    });

    it("maxDeposit and maxMint are 0 while the collateral vault pauses deposits (EIP-4626: global limits, even temporary, MUST be reflected)", async function () {
      const f = await loadFixture(stakedFixture);
      await (await f.vault.pauseDeposits()).wait();
      await expect(f.fund.connect(f.alice).deposit(USDC, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxDeposit")
        .withArgs(f.alice.address, USDC, 0n);
      await expect(f.fund.connect(f.alice).mint(OFFSET, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxMint")
        .withArgs(f.alice.address, OFFSET, 0n);
      expect(await f.fund.maxDeposit(f.alice.address)).to.equal(0n);
      expect(await f.fund.maxMint(f.alice.address)).to.equal(0n);
    });

    it("maxDeposit does not exceed the room left under the vault's cash deposit cap (EIP-4626: MUST NOT be higher than what deposit accepts)", async function () {
      const f = await loadFixture(stakedFixture);
      const held = await f.vault.totalHeldWad(f.usdc);
      const room = 100n * USDC;
      const capTokens = held / SCALE + room;
      await (await f.vault.setDepositCap(f.usdc, capTokens)).wait();
      await expect(f.fund.connect(f.alice).deposit(room + 1n, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxDeposit")
        .withArgs(f.alice.address, room + 1n, room);
      expect(await f.fund.maxDeposit(f.alice.address)).to.equal(room);
      expect(await f.fund.maxMint(f.alice.address)).to.equal(await f.fund.convertToShares(room));
      await expect(f.fund.connect(f.alice).deposit(room, f.alice.address)).to.emit(f.fund, "Deposit");
    });
  });

  describe("disabled standard exits", function () {
    it("maxWithdraw and maxRedeem are 0 even for a holder, so withdraw and redeem revert with ERC4626ExceededMaxWithdraw/Redeem", async function () {
      const f = await loadFixture(stakedFixture);
      expect(await f.fund.maxWithdraw(f.alice.address)).to.equal(0n);
      expect(await f.fund.maxRedeem(f.alice.address)).to.equal(0n);
      await expect(f.fund.connect(f.alice).withdraw(1n, f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxWithdraw")
        .withArgs(f.alice.address, 1n, 0n);
      await expect(f.fund.connect(f.alice).withdraw(ALICE_STAKE, f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxWithdraw")
        .withArgs(f.alice.address, ALICE_STAKE, 0n);
      await expect(f.fund.connect(f.alice).redeem(ALICE_SHARES, f.alice.address, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxRedeem")
        .withArgs(f.alice.address, ALICE_SHARES, 0n);
      // An approved spender is refused the same way.
      await (await f.fund.connect(f.alice).approve(f.bob.address, ALICE_SHARES)).wait();
      await expect(f.fund.connect(f.bob).redeem(1n, f.bob.address, f.alice.address))
        .to.be.revertedWithCustomError(f.fund, "ERC4626ExceededMaxRedeem")
        .withArgs(f.alice.address, 1n, 0n);
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES);
    });

    it("a standard withdraw or redeem of zero moves no shares and no tokens, even with idle tokens in the fund", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 50n * USDC);
      const cashBefore = await fundCash(f);
      for (const tx of [
        f.fund.connect(f.alice).withdraw(0n, f.alice.address, f.alice.address),
        f.fund.connect(f.alice).redeem(0n, f.alice.address, f.alice.address),
      ]) {
        await expect(tx).to.changeTokenBalances(f.cash, [f.alice, f.fundAddress], [0n, 0n]);
      }
      expect(await f.fund.balanceOf(f.alice.address)).to.equal(ALICE_SHARES);
      expect(await f.fund.totalSupply()).to.equal(ALICE_SHARES + BOB_SHARES);
      expect(await fundCash(f)).to.equal(cashBefore);
      expect(await idle(f)).to.equal(50n * USDC);
    });
  });

  describe("total assets and share price", function () {
    it("totalAssets is the fund's positive vault cash in whole token units (fee dust rounded down) plus idle tokens (INV-08 fees arrive to the wei)", async function () {
      const f = await loadFixture(stakedFixture);
      const size = 123_456_789_000_000_000n; // 0.123456789 ETH: its fees are not whole token units
      const fees = await collectFees(f, size);
      expect(fees).to.equal(259_259_256_900_000_000n);
      expect(fees % SCALE).to.not.equal(0n);
      expect(await fundCash(f)).to.equal((ALICE_STAKE + BOB_STAKE) * SCALE + fees);
      expect(await f.vault.balanceOf(f.fundAcct, f.usdc)).to.equal(ALICE_STAKE + BOB_STAKE + fees / SCALE);
      expect(await f.fund.totalAssets()).to.equal(ALICE_STAKE + BOB_STAKE + 259_259n);
      await donateIdle(f, 5n * USDC + 1n);
      expect(await f.fund.totalAssets()).to.equal(ALICE_STAKE + BOB_STAKE + 259_259n + 5n * USDC + 1n);
    });

    it("fees credited to the fund account raise every staker's share value pro rata, and later depositors get fewer shares per unit", async function () {
      const f = await loadFixture(stakedFixture);
      const fees = await collectFees(f, 10n * WAD); // notional 30,000: maker 6 + taker 15 USDC
      expect(fees).to.equal(21n * WAD);
      const supply = ALICE_SHARES + BOB_SHARES;
      const total = ALICE_STAKE + BOB_STAKE + 21n * USDC;
      expect(await fundState(f)).to.deep.equal({ supply, total });
      const aliceValue = toAssets(ALICE_SHARES, supply, total);
      const bobValue = toAssets(BOB_SHARES, supply, total);
      // 21 USDC split 1:3 (5.25 and 15.75), less the virtual shares' sliver.
      expect(aliceValue).to.equal(1_005_249_999n);
      expect(bobValue).to.equal(3_015_749_999n);
      expect(await f.fund.convertToAssets(ALICE_SHARES)).to.equal(aliceValue);
      expect(await f.fund.previewRedeem(BOB_SHARES)).to.equal(bobValue);
      const carolShares = toShares(1_000n * USDC, supply, total);
      expect(carolShares).to.be.lessThan(1_000n * USDC * OFFSET);
      await (await f.fund.connect(f.carol).deposit(1_000n * USDC, f.carol.address)).wait();
      expect(await f.fund.balanceOf(f.carol.address)).to.equal(carolShares);
      // Carol's entry does not dilute the earlier stakers (it can only round in their favour).
      expect(await f.fund.convertToAssets(ALICE_SHARES)).to.be.gte(aliceValue);
    });

    it("idle tokens count in totalAssets and raise the share price, and later deposits leave them idle", async function () {
      const f = await loadFixture(stakedFixture);
      await donateIdle(f, 400n * USDC);
      const supply = ALICE_SHARES + BOB_SHARES;
      const total = 4_400n * USDC;
      expect(await f.fund.totalAssets()).to.equal(total);
      expect(await f.fund.convertToAssets(ALICE_SHARES)).to.equal(toAssets(ALICE_SHARES, supply, total));
      expect(toAssets(ALICE_SHARES, supply, total)).to.equal(1_099_999_999n);
      await (await f.fund.connect(f.carol).deposit(100n * USDC, f.carol.address)).wait();
      expect(await idle(f)).to.equal(400n * USDC);
      expect(await fundCash(f)).to.equal(4_100n * USDC * SCALE);
      expect(await f.fund.totalAssets()).to.equal(4_500n * USDC);
    });

    it("cash transferred into the fund's vault account by anyone raises totalAssets like a fee", async function () {
      const f = await loadFixture(stakedFixture);
      await donateToVaultAccount(f, 250n * USDC);
      expect(await fundCash(f)).to.equal(4_250n * USDC * SCALE);
      expect(await f.fund.totalAssets()).to.equal(4_250n * USDC);
      expect(await idle(f)).to.equal(0n);
      expect(await f.cash.balanceOf(f.alice.address)).to.equal(STAKER_BALANCE - ALICE_STAKE);
    });
  });
});
