// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {InvariantBase} from "../utils/InvariantBase.sol";
import {Log} from "../utils/Log.sol";
import {BallastDeployment} from "./BallastDeployment.sol";
import {BallastHandler} from "./BallastHandler.sol";
import {IMarginEngine} from "../../../contracts/interfaces/IMarginEngine.sol";
import {ILiquidationAuction} from "../../../contracts/interfaces/ILiquidationAuction.sol";
import {AuctionLifecycle} from "../../../contracts/liquidation/AuctionLifecycle.sol";
import {RiskBounds} from "../../../contracts/libraries/RiskBounds.sol";
import {FeeOnTransferERC20} from "../../../contracts/test/FeeOnTransferERC20.sol";

/// @title BallastInvariants
/// @custom:security-contact security@ballast.finance
/// @notice Foundry invariant campaign over the whole protocol (docs/TESTING.md, "Foundry invariant campaign").
/// Each `_checkINVxx_*` function states the on-chain part of INV-xx of docs/INVARIANTS.md (or an attack class of
/// issue 11) and fails with a message starting with its ID ("INV-18: ..."); transition invariants are recorded by
/// the handler and asserted here. One invariant function, `invariant_protocol`, asserts them all: forge 1.7.1 gives
/// every invariant function of a run the same seed, so separate functions would replay the same call sequence and
/// split the budget without exploring more (docs/TESTING.md, "One invariant function per suite").
contract BallastInvariants is InvariantBase, BallastDeployment {
    BallastHandler internal handler;

    function setUp() public {
        vm.warp(1_767_225_600); // 2026-01-01T00:00:00Z, as the Hardhat network's genesis
        _deployBallast();
        // Issue 11 class 13: a third collateral listed while it charges no fee; the handler may switch its fee on.
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.setFeeOn(false);
        vault.listCollateral(address(feeToken), ETH_USD, 0.5e18, 100_000e18);
        handler = new BallastHandler(this, feeToken);
        // The handler acts as risk manager: ADMIN may call every restricted function (no other role is mapped).
        manager.grantRole(0, address(handler), 0);
        targetContract(address(handler));
        targetSelector(address(handler), _selectors());
    }

    /// @notice The handler functions forge calls, in the order its random index picks them from.
    /// @dev BallastInvariantsShard reverses the order: forge 1.7.1 gives every invariant function the same seed, so
    /// a second test contract with the same function list in another order draws a different call sequence from the
    /// same seed, and forge runs the two contracts in parallel (one per core).
    function _selectors() internal pure virtual returns (bytes4[] memory s) {
        s = new bytes4[](29);
        s[0] = BallastHandler.deposit.selector;
        s[1] = BallastHandler.withdraw.selector;
        s[2] = BallastHandler.transferCash.selector;
        s[3] = BallastHandler.setOperator.selector;
        s[4] = BallastHandler.setIsolated.selector;
        s[5] = BallastHandler.trade.selector;
        s[6] = BallastHandler.washTrade.selector;
        s[7] = BallastHandler.startAuction.selector;
        s[8] = BallastHandler.bid.selector;
        s[9] = BallastHandler.flashBid.selector;
        s[10] = BallastHandler.auctionUpkeep.selector;
        s[11] = BallastHandler.griefDust.selector;
        s[12] = BallastHandler.griefTransfer.selector;
        s[13] = BallastHandler.donate.selector;
        s[14] = BallastHandler.insurance.selector;
        s[15] = BallastHandler.riskParams.selector;
        s[16] = BallastHandler.riskOther.selector;
        s[17] = BallastHandler.oracleMove.selector;
        s[18] = BallastHandler.oracleRefresh.selector;
        s[19] = BallastHandler.oracleStale.selector;
        s[20] = BallastHandler.sequencer.selector;
        s[21] = BallastHandler.warp.selector;
        s[22] = BallastHandler.marketUpkeep.selector;
        s[23] = BallastHandler.griefThenLiquidate.selector;
        s[24] = BallastHandler.leveragedTrade.selector;
        s[25] = BallastHandler.setSessionKeyLimits.selector;
        s[26] = BallastHandler.selfDump.selector;
        s[27] = BallastHandler.feeTokenAction.selector;
        s[28] = BallastHandler.deleverage.selector;
    }

    /// @notice One account's state as the checks read it (read once per invariant call).
    struct AccountView {
        uint256 id;
        /// @dev vault.cashBalance [wad cash, signed].
        int256 cash;
        /// @dev vault.accountTokens: bit t-1 set while collateral token t (t >= 1) is held.
        uint16 tokenBits;
        /// @dev vault.collateralBalanceWad per token index [wad]; index 0 (the cash token) unused.
        uint256[] collateral;
        /// @dev engine.accountInfo: bit m set while market m is held; whether the account is isolated.
        uint128 marketBits;
        bool isolated;
        /// @dev engine.position per market: size [wad base, signed] and basis [wad cash, signed].
        int256[] sizes;
        int256[] bases;
        /// @dev vault.accountStatus.
        bool frozen;
        bool hasPositions;
        ILiquidationAuction.Auction auction;
    }

    /// @notice The protocol's state after a call: every input of the state invariants, each read once.
    struct Observation {
        address[] tokens;
        AccountView[] accounts;
        IMarginEngine.MarketView[] markets;
        /// @dev Whether the handler recorded any transition violation (each check then names its own).
        bool anyViolation;
    }

    /// @notice Every invariant of this suite, in ID order, after every `check_interval`-th handler call (and after
    /// the last call of each run). The failure message names the invariant that broke.
    /// @dev The checks share one observation (`_observe`) instead of each reading the accounts again: forge charges
    /// about 18 µs per external call made by an invariant function (measured: 100 trivial calls per check added
    /// 3.5 s to 9,600 handler calls), and the checks made about 530 calls per assertion, mostly the same reads.
    function invariant_protocol() public view {
        Observation memory o = _observe();
        _checkINV01_conservation(o);
        _checkINV02_cashClaims(o);
        _checkINV03_principalTotals(o);
        _checkINV04_bitmaps(o);
        _checkINV05_nonces(o);
        _checkINV06_indices(o);
        _checkINV07_zeroSumPositions(o);
        _checkINV09_openInterestCap(o);
        _checkINV31_INV32_deleveraging(o);
        _checkINV10_ratioBounds(o);
        _checkINV11_isolation(o);
        _checkINV12_marginAfterFill(o);
        _checkINV13_marginAfterWithdrawal(o);
        _checkINV14_noLiquidationOnBadPrice(o);
        _checkINV18_bidNeverWorsens(o);
        _checkINV19_bidderMargined(o);
        _checkINV20_tipBounded(o);
        _checkINV21_circuitBreakers(o);
        _checkINV22_freeze(o);
        _checkINV23_stoppedClock(o);
        _checkINV26_noSubsidyWhileSolvent(o);
        _checkINV27_noBonusBeforeInsolvencyRecorded(o);
        _checkINV28_noPaperProfitOut(o);
        _checkINV29_marginTiers(o);
        _checkINV30_noFillLeavesNegativeEquity(o);
        _checkCLASS05_sessionKeyLimits(o);
        _checkCLASS13_withdrawalMeasured(o);
        _checkISSUE11_noThirdPartyBlocksLiquidation(o);
        _checkISSUE11_noSelfDump(o);
    }

    /// @dev Reads every account's cash, collateral, bitmaps, positions, status and auction, and every market's view.
    function _observe() internal view returns (Observation memory o) {
        o.tokens = handler.tokens();
        uint256 markets = engine.marketCount();
        o.markets = new IMarginEngine.MarketView[](markets);
        for (uint256 m; m < markets; ++m) o.markets[m] = engineViews.marketView(m);
        uint256[] memory ids = handler.accountIds();
        o.accounts = new AccountView[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            AccountView memory v = o.accounts[i];
            uint256 a = ids[i];
            v.id = a;
            v.cash = vault.cashBalance(a);
            v.tokenBits = vault.accountTokens(a);
            v.collateral = new uint256[](o.tokens.length);
            for (uint256 t = 1; t < o.tokens.length; ++t) v.collateral[t] = vault.collateralBalanceWad(a, o.tokens[t]);
            (v.marketBits, v.isolated) = engine.accountInfo(a);
            v.sizes = new int256[](markets);
            v.bases = new int256[](markets);
            for (uint256 m; m < markets; ++m) (v.sizes[m], v.bases[m]) = engineViews.position(a, m);
            (v.frozen, v.hasPositions) = vault.accountStatus(a);
            v.auction = auction.auctionOf(a);
        }
        o.anyViolation = handler.violationTotal() != 0;
    }

    // ------------------------------------------------------------------ ledger and custody

    /// @notice INV-01: per collateral token, Σ accounts' WAD balances = totalHeldWad = the handlers' count of
    /// deposits − withdrawals, and the vault's token balance covers it (donations only add). For the cash token:
    /// totalHeldWad(cash) = the handlers' count, and the vault holds at least that many tokens.
    function _checkINV01_conservation(Observation memory o) internal view {
        address[] memory tokens = o.tokens;
        for (uint256 t; t < tokens.length; ++t) {
            uint256 held = vault.totalHeldWad(tokens[t]);
            assertEq(held, handler.ghostHeldWad(tokens[t]), "INV-01: totalHeldWad equals deposits minus withdrawals");
            uint256 scale = 10 ** (18 - IERC20Metadata(tokens[t]).decimals());
            assertLe(held, IERC20Metadata(tokens[t]).balanceOf(address(vault)) * scale, "INV-01: the vault holds totalHeldWad");
            if (t == 0) continue;
            uint256 sum;
            for (uint256 i; i < o.accounts.length; ++i) sum += o.accounts[i].collateral[t];
            assertEq(sum, held, "INV-01: sum of balances equals totalHeldWad");
        }
    }

    /// @notice INV-02: claims on cash (Σ cash + Σ position values = Σ cash − Σ totalBasis) never exceed H. After
    /// automated deleveraging a market's totalBasis and open interest are counters within ADL's dust (INV-07), so H
    /// is compared with that dust added.
    function _checkINV02_cashClaims(Observation memory o) internal view {
        int256 claims;
        uint256 dust;
        for (uint256 i; i < o.accounts.length; ++i) claims += o.accounts[i].cash;
        for (uint256 m; m < o.markets.length; ++m) {
            claims -= o.markets[m].totalBasis;
            // The counter's dust, and the size dust valued at the price (sizes no longer sum to zero exactly).
            dust += handler.adlBasisDust(m) + handler.adlSizeDust(m) * ((2 * o.markets[m].cachedPrice) / 1e18 + 2);
        }
        assertLe(claims, int256(vault.totalHeldWad(address(usdc)) + dust), "INV-02: claims on cash never exceed the cash held");
    }

    /// @notice INV-03: supply principal total = Σ positive cash, borrow total = Σ debt (one wei per account).
    function _checkINV03_principalTotals(Observation memory o) internal view {
        uint256 n = o.accounts.length;
        uint256 positive;
        uint256 negative;
        for (uint256 i; i < n; ++i) {
            int256 c = o.accounts[i].cash;
            if (c > 0) positive += uint256(c);
            else negative += uint256(-c);
        }
        (uint256 supplyValue, uint256 borrowValue) = vault.cashTotals();
        assertLe(positive, supplyValue, "INV-03: supply total covers positive cash");
        assertLe(supplyValue, positive + n, "INV-03: supply total within a wei per account");
        assertLe(borrowValue, negative, "INV-03: borrow total within debt");
        assertLe(negative, borrowValue + n, "INV-03: debt within a wei per account of the borrow total");
    }

    /// @notice INV-04: token and market bitmaps, market count, the vault's hasPositions flag.
    function _checkINV04_bitmaps(Observation memory o) internal pure {
        for (uint256 i; i < o.accounts.length; ++i) {
            AccountView memory v = o.accounts[i];
            for (uint256 t = 1; t < o.tokens.length; ++t) {
                bool held = v.collateral[t] > 0;
                assertTrue(
                    ((v.tokenBits >> (t - 1)) & 1 == 1) == held,
                    "INV-04: token bit set exactly when the balance is non-zero"
                );
            }
            for (uint256 m; m < v.sizes.length; ++m) {
                assertTrue(
                    ((v.marketBits >> m) & 1 == 1) == (v.sizes[m] != 0),
                    "INV-04: market bit set exactly when the size is non-zero"
                );
            }
            assertTrue(v.hasPositions == (v.marketBits != 0), "INV-04: hasPositions equals market bitmap != 0");
        }
    }

    /// @notice INV-05: nonces never decrease (checked by the handler after every call).
    function _checkINV05_nonces(Observation memory o) internal view {
        _noViolation(o, "INV-05");
    }

    /// @notice INV-06: borrow index ≥ 1e18 and never decreasing; supply index ≥ MIN_SUPPLY_INDEX and falling only
    /// in a liquidation (socialised loss).
    function _checkINV06_indices(Observation memory o) internal view {
        (uint256 supplyIndex, uint256 borrowIndex, ) = vault.cashIndices();
        assertLe(1e18, borrowIndex, "INV-06: borrow index at least 1e18");
        assertLe(vault.MIN_SUPPLY_INDEX(), supplyIndex, "INV-06: supply index at least MIN_SUPPLY_INDEX");
        _noViolation(o, "INV-06");
    }

    // ------------------------------------------------------------------ positions and markets

    /// @notice INV-07: sizes sum to zero per market; long open interest and total basis match the accounts.
    function _checkINV07_zeroSumPositions(Observation memory o) internal view {
        for (uint256 m; m < o.markets.length; ++m) {
            int256 sum;
            uint256 longs;
            int256 basis;
            for (uint256 i; i < o.accounts.length; ++i) {
                int256 size = o.accounts[i].sizes[m];
                sum += size;
                if (size > 0) longs += uint256(size);
                basis += o.accounts[i].bases[m];
            }
            IMarginEngine.MarketView memory v = o.markets[m];
            // Exact without automated deleveraging; within the dust its events allow after them (the handler adds
            // each event's: INV-31).
            uint256 dust = handler.adlSizeDust(m);
            assertLe(_absDiff(sum, 0), dust, "INV-07: sizes sum to zero");
            assertLe(
                _absDiff(int256(uint256(v.longOpenInterest)), int256(longs)),
                dust,
                "INV-07: long open interest equals the sum of long sizes"
            );
            assertLe(_absDiff(v.totalBasis, basis), handler.adlBasisDust(m), "INV-07: total basis equals the sum of bases");
        }
    }

    function _absDiff(int256 a, int256 b) internal pure returns (uint256) {
        return a > b ? uint256(a - b) : uint256(b - a);
    }

    /// @notice INV-31, INV-32: automated deleveraging closes at most the bankrupt size in all, only the other side, each
    /// position its share phi (handler-checked around every `deleverage` that ran).
    function _checkINV31_INV32_deleveraging(Observation memory o) internal view {
        _noViolation(o, "INV-31");
        _noViolation(o, "INV-32");
    }

    /// @notice INV-09: a fill that raised long open interest left it at or below the cap (handler-checked).
    function _checkINV09_openInterestCap(Observation memory o) internal view {
        _noViolation(o, "INV-09");
    }

    /// @notice INV-10: MIN_MMR ≤ mmr < imr ≤ MAX_IMR for every market, and the same for the targets.
    function _checkINV10_ratioBounds(Observation memory o) internal view {
        for (uint256 m; m < o.markets.length; ++m) {
            IMarginEngine.MarketView memory v = o.markets[m];
            assertLe(RiskBounds.MIN_MMR, v.mmr, "INV-10: mmr at least MIN_MMR");
            assertTrue(v.mmr < v.imr, "INV-10: mmr below imr");
            assertLe(v.imr, RiskBounds.MAX_IMR, "INV-10: imr at most MAX_IMR");
            assertLe(RiskBounds.MIN_MMR, v.setup.mmrTarget, "INV-10: mmr target at least MIN_MMR");
            assertTrue(v.setup.mmrTarget < v.setup.imrTarget, "INV-10: mmr target below imr target");
            assertLe(v.setup.imrTarget, RiskBounds.MAX_IMR, "INV-10: imr target at most MAX_IMR");
        }
        // Class 6 of issue 11: a market update never moves the effective ratios (handler-checked).
        _noViolation(o, "INV-10");
    }

    /// @notice INV-11: an isolated account holds at most one market.
    function _checkINV11_isolation(Observation memory o) internal pure {
        for (uint256 i; i < o.accounts.length; ++i) {
            (uint128 mbits, bool isolated) = (o.accounts[i].marketBits, o.accounts[i].isolated);
            if (isolated && mbits != 0)
                assertTrue(mbits & (mbits - 1) == 0, "INV-11: an isolated account holds at most one market");
        }
    }

    // ------------------------------------------------------------------ margin

    /// @notice INV-12: after a fill each account is at initial margin or reduced its risk (handler-checked).
    function _checkINV12_marginAfterFill(Observation memory o) internal view {
        _noViolation(o, "INV-12");
    }

    /// @notice INV-13: after a withdrawal the account is at initial margin (handler-checked).
    function _checkINV13_marginAfterWithdrawal(Observation memory o) internal view {
        _noViolation(o, "INV-13");
    }

    // ------------------------------------------------------------------ liquidation and insurance

    /// @notice INV-14 (in part): no auction starts while the L2 sequencer is down (handler-checked).
    function _checkINV14_noLiquidationOnBadPrice(Observation memory o) internal view {
        _noViolation(o, "INV-14");
    }

    /// @notice INV-18: a bid never lowers the account's health factor (handler-checked in value terms, up to the
    /// documented rounding: one wei of size per market and a few wei of cash; see BallastHandler._checkBid).
    function _checkINV18_bidNeverWorsens(Observation memory o) internal view {
        _noViolation(o, "INV-18");
    }

    /// @notice INV-26: a bid on an account with V > 0 draws nothing from the insurance fund and socialises nothing
    /// (handler-checked at each bid).
    function _checkINV26_noSubsidyWhileSolvent(Observation memory o) internal view {
        _noViolation(o, "INV-26");
    }

    /// @notice INV-27: an insolvent account's bid pays no bonus before its insolvency is recorded (handler-checked at
    /// each bid: the fund pays at most the deficit -V).
    function _checkINV27_noBonusBeforeInsolvencyRecorded(Observation memory o) internal view {
        _noViolation(o, "INV-27");
    }

    /// @notice INV-28: no withdrawal or outgoing cash transfer takes out unrealised profit (handler-checked: equity
    /// less every position's positive value still covers initial margin after it).
    function _checkINV28_noPaperProfitOut(Observation memory o) internal view {
        _noViolation(o, "INV-28");
    }

    /// @notice INV-30: no fill leaves an account with negative equity (handler-checked after every fill at the
    /// prices the engine's check used; review H-1).
    function _checkINV30_noFillLeavesNegativeEquity(Observation memory o) internal view {
        _noViolation(o, "INV-30");
    }

    /// @notice INV-29: every account's maintenance margin follows its markets' margin tiers in force (handler-checked
    /// after every fill and every change of tiers, against an independent reading of the rule).
    function _checkINV29_marginTiers(Observation memory o) internal view {
        _noViolation(o, "INV-29");
    }

    /// @notice INV-19: after a bid the bidder is at initial margin (handler-checked).
    function _checkINV19_bidderMargined(Observation memory o) internal view {
        _noViolation(o, "INV-19");
    }

    /// @notice INV-20: the starter's tip never exceeds penaltyRate × R (handler-checked at each start).
    function _checkINV20_tipBounded(Observation memory o) internal view {
        _noViolation(o, "INV-20");
    }

    /// @notice INV-21: the running global shortfall equals the sum of the running auctions' shortfalls (each
    /// record's `shortfallMicro` in units of 1e12 wei).
    function _checkINV21_circuitBreakers(Observation memory o) internal view {
        uint256 sum;
        for (uint256 i; i < o.accounts.length; ++i) {
            ILiquidationAuction.Auction memory a = o.accounts[i].auction;
            if (a.active) sum += uint256(a.shortfallMicro) * AuctionLifecycle.SHORTFALL_UNIT;
        }
        (uint256 global, uint256 globalCap, , ) = auction.shortfallTotals(0);
        assertEq(global, sum, "INV-21: global shortfall equals the running auctions' shortfalls");
        globalCap;
        // Class 7 of issue 11: setParams never changes a running auction's terms (handler-checked).
        _noViolation(o, "INV-21");
        // INV-24 in part (issue 11 class 8): the fund's assets are marked net of the running auctions' known bad debt
        // (rounded up to whole cash units), so no exit is paid at full value while an insolvent auction is pending.
        uint256 pending = auction.pendingBadDebt();
        pending = pending / 1e12 + (pending % 1e12 == 0 ? 0 : 1);
        uint256 owned = vault.balanceOf(fund.fundAccount(), address(usdc)) + usdc.balanceOf(address(fund));
        assertLe(fund.totalAssets() + pending, owned > pending ? owned : pending, "INV-24: fund assets net of pending bad debt");
        // Review 5, I-3: a partial bid settles only its fraction of the recorded bad debt (handler-checked).
        _noViolation(o, "INV-24");
    }

    /// @notice INV-22: an account is frozen exactly while its auction runs, and no frozen account trades,
    /// withdraws or transfers cash out (handler-checked).
    function _checkINV22_freeze(Observation memory o) internal view {
        for (uint256 i; i < o.accounts.length; ++i) {
            assertTrue(o.accounts[i].frozen == o.accounts[i].auction.active, "INV-22: frozen exactly while the auction runs");
        }
        _noViolation(o, "INV-22");
    }

    /// @notice INV-23: the auction clock never counts more seconds than have passed since the start.
    function _checkINV23_stoppedClock(Observation memory o) internal view {
        for (uint256 i; i < o.accounts.length; ++i) {
            ILiquidationAuction.Auction memory au = o.accounts[i].auction;
            if (!au.active) continue;
            assertLe(
                auction.clock(o.accounts[i].id),
                block.timestamp - au.startTime,
                "INV-23: the clock never runs ahead of time"
            );
        }
        _noViolation(o, "INV-23");
    }

    /// @notice Issue 11, class 5: a trade-scope session key trades on the venue only with its owner's limits set,
    /// before their expiry, and never past its notional per window (handler-checked after every key-signed fill).
    function _checkCLASS05_sessionKeyLimits(Observation memory o) internal view {
        _noViolation(o, "CLASS05");
        // Issue 11, class 4: a fill moves the premium at most in proportion to its size (handler-checked).
        _noViolation(o, "CLASS04");
    }

    /// @notice Issue 11, class 13: a withdrawal the vault accepts delivers exactly the amount it debited, also after
    /// a listed collateral starts charging a transfer fee (handler-checked in `feeTokenAction`).
    function _checkCLASS13_withdrawalMeasured(Observation memory o) internal view {
        _noViolation(o, "CLASS13");
    }

    // ------------------------------------------------------------------ issue 11 (fixed; kept as regressions)

    /// @notice Issue 11, classes 2 and 3, review M1: no third party (dust deposit, one-unit transfer, dust bid)
    /// turns a keeper's succeeding start or bid into a failing one ("ISSUE11-BLOCK: ...").
    function _checkISSUE11_noThirdPartyBlocksLiquidation(Observation memory o) internal view {
        _noViolation(o, "ISSUE11-BLOCK");
    }

    /// @notice Issue 11, class 1: no fill by an account below maintenance lowers its equity minus maintenance
    /// margin at the index by more than its fees (self-dump to a sibling; "ISSUE11-SELFDUMP: ...").
    function _checkISSUE11_noSelfDump(Observation memory o) internal view {
        _noViolation(o, "ISSUE11-SELFDUMP");
    }

    /// @notice After each run: how many of the actions that matter most the protocol accepted (shown with -vv),
    /// so that a campaign whose trades or auctions never go through is noticed.
    function afterInvariant() public view {
        bytes32[13] memory actions = [
            bytes32("trade"),
            "selfDump",
            "leveragedTrade",
            "washTrade",
            "withdraw",
            "startAuction",
            "bid",
            "flashBid",
            "flashBidHedged",
            "auctionUpkeep",
            "insurance",
            "feeTokenAction",
            "deleverage"
        ];
        for (uint256 i; i < actions.length; ++i) {
            Log.log(string.concat("accepted ", _trimmed(actions[i])), handler.accepted(actions[i]));
        }
        Log.log("last trade error", uint32(handler.lastError("trade")));
        Log.log("last startAuction error", uint32(handler.lastError("startAuction")));
    }

    /// @dev Fails with the first violation the handler recorded for `id`; reads the handler only when it recorded
    /// any violation at all.
    function _noViolation(Observation memory o, bytes32 id) internal view {
        if (!o.anyViolation) return;
        uint256 count = handler.violations(id);
        if (count != 0) revert(string.concat(_trimmed(id), ": ", handler.firstViolation(id)));
    }

    /// @dev `id` as a string without its trailing zero bytes.
    function _trimmed(bytes32 id) internal pure returns (string memory) {
        uint256 n;
        while (n < 32 && id[n] != 0) ++n;
        bytes memory b = new bytes(n);
        for (uint256 i; i < n; ++i) b[i] = id[i];
        return string(b);
    }
}
