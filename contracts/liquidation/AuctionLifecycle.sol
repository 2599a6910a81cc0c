// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IMarginEngineViews} from "../interfaces/IMarginEngineViews.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {AuctionGovernance} from "./AuctionGovernance.sol";

/// @title AuctionLifecycle
/// @custom:security-contact security@ballast.finance
/// @notice The cold side of {LiquidationAuction}: terminating, restarting and checkpointing a running auction and
/// the off-chain views (`quote`, `clock`, the parameter sets, `auctionOf`), plus the auction's storage layout and the
/// bookkeeping helpers starts and bids share with them. External functions are a linked library run by DELEGATECALL
/// on the auction's storage (the auction keeps room under the EIP-170 size limit); internal ones are compiled into
/// the auction itself, so starts and bids never pay a library call.
/// @dev Reverts and events are the auction's own ({ILiquidationAuction}). The auction's entry points hold its
/// reentrancy guard around every external function here.
library AuctionLifecycle {
    using WadMath for uint256;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant WAD = 1e18;
    /// @dev Unit of an auction record's shortfall: 1e12 wei = 1e-6 cash units (`Auction.shortfallMicro`).
    uint256 internal constant SHORTFALL_UNIT = 1e12;

    /// @dev Per running auction that needs it, one slot beside the auction record: the markets held at start (when
    /// several; `Auction.multi`) and its known bad debt not yet paid [wad] (class 8 of issue #11: the insurance fund's
    /// share price marks it; `Auction.badDebtRecorded`). Written only when one of the two flags is set, so a
    /// single-market solvent start writes one new slot (issue #13); zero whenever neither flag is set.
    struct AuctionTerms {
        uint128 markets;
        uint96 badDebt;
    }

    /// @dev The auction's whole state, the contract's only state variable: the same slots, in the same order, as the six
    /// variables it replaced (a parameter set by version; version and pending bad debt packed; breaker; market
    /// breakers; auctions; terms).
    struct State {
        /// @dev Every parameter set ever set, by version (1, 2, ...); never overwritten, so a version fixes an
        /// auction's curve, penalty, buffer and dust limit for its whole life.
        mapping(uint256 version => ILiquidationAuction.AuctionParams) paramsAt;
        uint32 paramsVersion;
        /// @dev Sum over running auctions of their known pending bad debt [wad] (see `pendingBadDebt`).
        uint128 pendingBadDebt;
        AuctionGovernance.Breaker breaker;
        mapping(uint256 marketId => AuctionGovernance.MarketBreaker) marketBreakers;
        mapping(uint256 account => ILiquidationAuction.Auction) auctions;
        mapping(uint256 account => AuctionTerms) terms;
        /// @dev Per running auction, 1 + the auction-clock reading [s] at which its account was first recorded
        /// insolvent (V <= 0): the insolvent bonus grows from there (review R3-1); 0 when none is recorded.
        mapping(uint256 account => uint256) insolventAt;
    }

    /// @dev The contracts the auction calls (its immutables), passed to the library's external functions.
    struct Deps {
        IMarginEngine engine;
        ICollateralVault vault;
        IOracleRouter oracle;
        IInsuranceFund fund;
    }

    // ------------------------------------------------------------------ cold entry points (external)

    /// @notice Body of `ILiquidationAuction.terminateAuction`.
    function terminate(State storage s, Deps calldata d, uint256 account) external {
        ILiquidationAuction.Auction memory a = s.auctions[account];
        if (!a.active) revert ILiquidationAuction.AuctionNotActive(account);
        a = _advanceClock(s, d, account, a);
        (uint128 markets, ) = d.engine.accountInfo(account);
        if (markets == 0 && d.vault.accountTokens(account) == 0 && d.vault.cashBalance(account) < 0) {
            // Only debt is left: nothing to auction. The fund covers it, then positive cash bears the rest.
            _writeOffDebt(s, d, account, a);
            end(s, d.vault, account, a, ILiquidationAuction.EndReason.Emptied);
            return;
        }
        AuctionMath.Valuation memory v = valuation(d.engine, d.vault, account);
        uint256 target = AuctionMath.restoreTargetUp(paramsOf(s, a.paramsVersion).bufferRatio, v.maintenanceMargin);
        if (v.equity < target.toInt256()) revert ILiquidationAuction.AuctionAccountNotRestored(account, v.equity, target);
        end(s, d.vault, account, a, ILiquidationAuction.EndReason.Terminated);
    }

    /// @notice Body of `ILiquidationAuction.restartAuction`.
    function restart(State storage s, Deps calldata d, uint256 account) external {
        ILiquidationAuction.Auction memory a = _stalledAuction(s, d, account);
        AuctionMath.Valuation memory v = valuation(d.engine, d.vault, account);
        uint56 micro = shortfallMicroUp(shortfallOf(v));
        uint256 shortfall = uint256(micro) * SHORTFALL_UNIT;
        releaseShortfall(s, account, a);
        (uint128 markets, ) = d.engine.accountInfo(account);
        s.breaker.shortfall = (uint256(s.breaker.shortfall) + shortfall).toUint104();
        addMarketShortfall(s.marketBreakers, markets, shortfall, false);
        uint256 freshUntil = clockInputFresh(s.breaker, d.engine, d.vault, d.oracle, account, markets).feedsUntil;
        a.startTime = uint32(block.timestamp);
        a.checkpoint = uint32(block.timestamp);
        a.elapsed = 0;
        a.guaranteedUntil = uint32(WadMath.min(freshUntil, type(uint32).max));
        a.validAtCheckpoint = true;
        a.shortfallMicro = micro;
        // A restart is a new auction: it takes the parameters in force now.
        storeTerms(s, account, a, markets, v.markToMarket);
        storeAuction(s, account, a);
        // The new clock starts at 0: an insolvent account's bonus runs from there, a solvent one has none recorded.
        if (v.markToMarket <= 0) recordInsolvency(s, account, 0);
        else delete s.insolventAt[account];
        emit ILiquidationAuction.AuctionRestarted(account, shortfall);
    }

    /// @notice Body of `ILiquidationAuction.checkpoint`.
    function checkpoint(State storage s, Deps calldata d, uint256 account) external {
        ILiquidationAuction.Auction memory a = s.auctions[account];
        if (!a.active) revert ILiquidationAuction.AuctionNotActive(account);
        // One reading of the clock's inputs serves both the clock and the insolvency record.
        AuctionMath.ClockInput memory x = _clockInputChecked(s, d, account);
        if (a.checkpoint != block.timestamp) {
            a = AuctionMath.advance(a, x, block.timestamp);
            storeAuction(s, account, a);
            emit ILiquidationAuction.AuctionClockUpdated(account, a.elapsed, x.valid);
        }
        // At valid prices (the clock's inputs say so, so the valuation cannot revert) the insolvency record follows V:
        // a first V <= 0 is recorded; V > 0 clears a record, so a later crossing starts the bonus again from zero
        // (review 4, M-1).
        if (!x.valid) return;
        uint256 at = s.insolventAt[account];
        AuctionMath.Valuation memory v = valuation(d.engine, d.vault, account);
        if (v.markToMarket <= 0) {
            if (at == 0) recordInsolvency(s, account, a.elapsed);
        } else if (at != 0) {
            delete s.insolventAt[account];
            emit ILiquidationAuction.AuctionInsolvencyCleared(account, a.elapsed);
        }
    }

    /// @notice Body of `ILiquidationAuction.deleverage`: automated deleveraging (ADL) of `account`'s running,
    /// insolvent auction when the insurance fund cannot pay what a final bid may claim.
    /// @dev Needed when the auction has recorded the account insolvent (`checkpoint`, or a start at V <= 0) and, at
    /// fresh prices, need = -V + insolventBonus x R (a final bid's largest claim, the whole insolvent bonus included)
    /// exceeds the fund's `available` for the auction's event. The deficit handed to ADL is what a bid could still
    /// claim once the positions are gone, -V + insolventBonus x (R - M) (the bonus on the collateral's haircut only),
    /// beyond `available`, or 0: then the positions close at the mark, taking the bonus on them off the fund at no cost
    /// to the other side against the mark. It is allotted to the markets held in proportion to the positions' losses
    /// (each part rounded up) and capped at each position's loss, so a market's other side never gives up more than
    /// the bankrupt position lost to it; what the caps leave (a deficit from collateral or debt) stays for the fund and
    /// socialisation. The engine closes each position at its bankruptcy price ({IMarginEngine-deleverage}); then, when
    /// only debt is left (no position, no collateral), the fund pays its part of it into the account at once
    /// (`InsuranceDrawn`), reserving it for this event, and the auction's recorded bad debt drops to the deficit left.
    /// Reverts: `AuctionNotActive`, `AuctionStopped` at stop level Halted, an invalid price, and
    /// `AuctionDeleveragingNotNeeded` when the account holds no position, no insolvency is recorded, it is solvent
    /// (V > 0) or the fund covers the need.
    function deleverage(State storage s, Deps calldata d, uint256 account) external {
        ILiquidationAuction.Auction memory a = s.auctions[account];
        if (!a.active) revert ILiquidationAuction.AuctionNotActive(account);
        uint8 level = s.breaker.stopLevel;
        if (level == uint8(ILiquidationAuction.StopLevel.Halted)) revert ILiquidationAuction.AuctionStopped(level, level);
        AuctionMath.Valuation memory v = valuation(d.engine, d.vault, account);
        (, uint256 available, , ) = d.fund.coverage(eventIdOf(account, a));
        uint256 deficit;
        uint256 covered;
        {
            uint256 bonus = paramsOf(s, a.paramsVersion).insolventBonus;
            int256 need = bonus.mulWadUp(v.requirement).toInt256() - v.markToMarket;
            uint128 markets = uint128(marketsHeld(d.engine, account));
            if (markets == 0 || s.insolventAt[account] == 0 || v.markToMarket > 0 || need <= available.toInt256()) {
                revert ILiquidationAuction.AuctionDeleveragingNotNeeded(account, v.markToMarket, need, available);
            }
            int256 left = bonus.mulWadUp(v.requirement - v.maintenanceMargin).toInt256() - v.markToMarket;
            if (left > available.toInt256()) deficit = uint256(left) - available;
            covered = d.engine.deleverage(account, _deficitParts(d, account, markets, deficit));
        }
        // When only debt is left (no position, no collateral), the fund's part is paid at once, so that what ADL left
        // for it stays reserved for this event: paid later, other events drawing on the same cash could leave less
        // (smoke replay). Never into an account with something left to auction: a recovery of its collateral would
        // hand the payment to its owner at termination (second review of ADL, M-1).
        int256 value = valuation(d.engine, d.vault, account).markToMarket;
        if (value < 0 && available != 0 && marketsHeld(d.engine, account) == 0 && d.vault.accountTokens(account) == 0) {
            bytes32 eventId = eventIdOf(account, a);
            uint256 paid = d.fund.cover(eventId, account, WadMath.min(uint256(-value), available));
            if (paid != 0) {
                emit ILiquidationAuction.InsuranceDrawn(account, eventId, paid);
                value += paid.toInt256();
            }
        }
        // The auction's recorded bad debt (marked on the fund's share price) falls to the deficit left.
        if (a.badDebtRecorded) {
            uint96 old = s.terms[account].badDebt;
            int256 left = -value;
            uint256 debt = left <= 0 ? 0 : WadMath.min(uint256(left), old);
            if (debt != old) {
                s.terms[account].badDebt = uint96(debt);
                s.pendingBadDebt -= uint128(old - debt);
            }
        }
        emit ILiquidationAuction.AuctionDeleveraged(account, deficit, covered);
    }

    /// @notice Pays a bid's subsidy: credits `recipient` with `amount` (WAD cash), from the insurance fund first (within
    /// its per-event cap), then the rest socialised over positive cash; each part is an event. A bid of `fraction`
    /// (WAD) of the portfolio settles that fraction of the auction's recorded bad debt, rounded down (the rest stays
    /// marked on the fund's share price until a later bid or the auction's end).
    /// @dev Called by a bid at a negative price only (V <= 0): solvent bids never pay this library call. The settled
    /// share follows the portfolio taken, not the subsidy paid: the subsidy includes the insolvent bonus, and settling
    /// min(record, subsidy) let a partial bid clear the whole record while the rest of the deficit was unpaid, so the
    /// fund's share price stopped marking it (review 5, I-3, INV-24).
    function subsidise(
        State storage s,
        Deps calldata d,
        uint256 account,
        ILiquidationAuction.Auction memory a,
        uint256 recipient,
        uint256 amount,
        uint256 fraction
    ) external {
        if (a.badDebtRecorded) {
            AuctionTerms storage t = s.terms[account];
            uint256 settled = uint256(t.badDebt).mulWadDown(fraction);
            if (settled != 0) {
                t.badDebt -= uint96(settled);
                s.pendingBadDebt -= uint128(settled);
            }
        }
        bytes32 eventId = eventIdOf(account, a);
        uint256 paid = d.fund.cover(eventId, recipient, amount);
        if (paid != 0) emit ILiquidationAuction.InsuranceDrawn(account, eventId, paid);
        if (paid < amount) {
            uint256 socialised = d.vault.socialiseLoss(recipient, amount - paid);
            emit ILiquidationAuction.BadDebtSocialised(account, marketsOf(s, account, a), socialised);
        }
    }

    // ------------------------------------------------------------------ views (external)

    /// @notice Body of `ILiquidationAuction.quote`.
    function quote(State storage s, Deps calldata d, uint256 account) external view returns (ILiquidationAuction.Quote memory) {
        return _quote(s, d, account);
    }

    /// @notice Body of `ILiquidationAuction.clock`.
    function clock(State storage s, Deps calldata d, uint256 account) external view returns (uint256) {
        ILiquidationAuction.Auction memory a = s.auctions[account];
        return a.active ? _clockView(s, d, account, a) : 0;
    }

    // ------------------------------------------------------------------ shared helpers (internal: inlined in the auction)

    /// @dev E, M, V = E + H and R = M + H of `account` at fresh prices (H: collateral haircut amount). Any price that
    /// fails a check reverts (a bad price never liquidates, R-01); nobody but the owner can add a collateral to an
    /// account, and not while it is in auction (R-15), so no third party's deposit can block this path.
    function valuation(
        IMarginEngine engine,
        ICollateralVault vault,
        uint256 account
    ) internal view returns (AuctionMath.Valuation memory v) {
        (ICollateralVault.MarginCollateral memory c, uint256 raw) = vault.collateralValuesFresh(account);
        IMarginEngine.MarginState memory st = engine.accountMarginWithCollateral(account, c);
        uint256 haircutAmount = raw - c.collateralValue;
        v.equity = st.equity;
        v.maintenanceMargin = st.maintenanceMargin;
        v.markToMarket = st.equity + haircutAmount.toInt256();
        v.requirement = st.maintenanceMargin + haircutAmount;
    }

    /// @dev max(M - E, 0) capped at 2**96 - 1 wei (79 billion cash units): the shortfall the start's tip uses.
    function shortfallOf(AuctionMath.Valuation memory v) internal pure returns (uint256) {
        int256 gap = v.maintenanceMargin.toInt256() - v.equity;
        return gap <= 0 ? 0 : WadMath.min(uint256(gap), type(uint96).max);
    }

    /// @dev `shortfall` [wad] in micro cash units (`SHORTFALL_UNIT`), rounded up (the circuit breakers count at least
    /// the exact shortfall) and capped at 2**56 - 1 (72 billion cash units, the auction record's width), so no
    /// shortfall is too large to liquidate.
    function shortfallMicroUp(uint256 shortfall) internal pure returns (uint56) {
        return uint56(WadMath.min(Math.ceilDiv(shortfall, SHORTFALL_UNIT), type(uint56).max));
    }

    /// @dev What the clock knows now about `account`'s prices, when the caller has just valued the account at fresh
    /// prices in this call (so every price is valid, and the cheaper `priceWindow` gives each feed's window).
    function clockInputFresh(
        AuctionGovernance.Breaker storage breaker,
        IMarginEngine engine,
        ICollateralVault vault,
        IOracleRouter oracle,
        uint256 account,
        uint256 markets
    ) internal view returns (AuctionMath.ClockInput memory x) {
        x.feedsUntil = type(uint256).max;
        bytes32[] memory assets = _assets(engine, vault, account, markets);
        for (uint256 i; i < assets.length; ++i) {
            if (assets[i] == bytes32(0)) continue; // a collateral of weight zero: no price needed (review F2)
            (uint256 since, uint256 until) = oracle.priceWindow(assets[i]);
            x.feedsSince = WadMath.max(x.feedsSince, since);
            x.feedsUntil = WadMath.min(x.feedsUntil, until);
        }
        x.valid = true;
        (x.sequencerConfigured, x.sequencerUp, x.sequencerChangedAt, x.sequencerGrace) = oracle.sequencerState();
        if (x.sequencerConfigured && (!x.sequencerUp || block.timestamp <= x.sequencerChangedAt + x.sequencerGrace))
            x.valid = false;
        AuctionGovernance.Breaker memory br = breaker;
        x.halted = br.stopLevel == uint8(ILiquidationAuction.StopLevel.Halted);
        x.haltEndedAt = br.haltEndedAt;
    }

    /// @dev `deficit` [wad cash] split over the markets in `markets` (`account`'s, in id order) in proportion to its
    /// positions' losses at fresh prices (value below zero, funding accrued), each part rounded up and capped at its
    /// position's loss (src/model/adl.ts `allotDeficit` with `lossCaps`); all parts 0 when no position is at a loss.
    function _deficitParts(
        Deps calldata d,
        uint256 account,
        uint256 markets,
        uint256 deficit
    ) private view returns (uint256[] memory parts) {
        parts = new uint256[](Bitmap.count(markets));
        uint256[] memory losses = new uint256[](parts.length);
        uint256 total;
        uint256 bits = markets;
        IMarginEngineViews views = IMarginEngineViews(address(d.engine));
        for (uint256 i; bits != 0; ++i) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            (int256 size, int256 basis) = views.position(account, id);
            uint256 price = d.oracle.getPrice(d.engine.oracleAssetOf(id));
            int256 value = MarginMath.positionValue(size, basis, price, views.cumulativeFundingAt(id, price));
            if (value < 0) losses[i] = uint256(-value);
            total += losses[i];
        }
        if (deficit == 0 || total == 0) return parts;
        for (uint256 i; i < parts.length; ++i) {
            parts[i] = WadMath.min(WadMath.mulDivUp(deficit, losses[i], total), losses[i]);
        }
    }

    /// @dev The insurance fund's event of `account`'s auction `a`: one per start or restart (its `startTime`).
    function eventIdOf(uint256 account, ILiquidationAuction.Auction memory a) internal pure returns (bytes32) {
        return keccak256(abi.encode(account, a.startTime));
    }

    /// @dev The markets `account` holds now (bitmap).
    function marketsHeld(IMarginEngine engine, uint256 account) internal view returns (uint256) {
        (uint128 markets, ) = engine.accountInfo(account);
        return markets;
    }

    /// @dev Ends `account`'s auction: releases its shortfall from the breakers and its bad debt from the pending
    /// total, deletes its records and tells the vault.
    function end(
        State storage s,
        ICollateralVault vault,
        uint256 account,
        ILiquidationAuction.Auction memory a,
        ILiquidationAuction.EndReason reason
    ) internal {
        releaseShortfall(s, account, a);
        if (a.badDebtRecorded) {
            uint96 debt = s.terms[account].badDebt;
            if (debt != 0) s.pendingBadDebt -= debt;
        }
        delete s.auctions[account];
        // The terms slot is non-zero only when a flag says so (see `storeTerms`): a single-market solvent auction
        // neither reads nor clears it.
        if (a.multi || a.badDebtRecorded) delete s.terms[account];
        delete s.insolventAt[account];
        vault.endLiquidation(account);
        emit ILiquidationAuction.AuctionEnded(account, reason, a.elapsed);
    }

    /// @dev Removes the auction's recorded shortfall from the global and per-market running totals.
    function releaseShortfall(State storage s, uint256 account, ILiquidationAuction.Auction memory a) internal {
        // At most (2**56 - 1) * 1e12 < 2**96: the product fits both breakers' widths, and it is what the start added.
        uint256 counted = uint256(a.shortfallMicro) * SHORTFALL_UNIT;
        s.breaker.shortfall -= uint104(counted);
        uint256 bits = marketsOf(s, account, a);
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            s.marketBreakers[id].shortfall -= uint128(counted);
        }
    }

    /// @dev Counts `shortfall` in every market in `bits`, against each market's cap when `capped` (a start; a restart
    /// re-counts a running auction and is not capped).
    function addMarketShortfall(
        mapping(uint256 => AuctionGovernance.MarketBreaker) storage marketBreakers,
        uint256 bits,
        uint256 shortfall,
        bool capped
    ) internal {
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            AuctionGovernance.MarketBreaker memory mb = marketBreakers[id];
            uint256 total = uint256(mb.shortfall) + shortfall;
            if (capped && total > mb.cap) revert ILiquidationAuction.AuctionMarketShortfallCapExceeded(id, mb.cap, total);
            marketBreakers[id].shortfall = total.toUint128();
        }
    }

    /// @dev Records in `a` (the new auction record; on a restart it still carries the old one's flags) the markets
    /// held at start (one id in the record, or a bitmap in the terms slot), the parameter set in force now, and the
    /// known bad debt: the deficit -V of an account valued `value` < 0 (what bidders must at least be paid),
    /// replacing any earlier record (a restart) in the running auctions' pending total. The terms slot is read only
    /// when the old record's flags say it holds something, and written only when the old or the new one does.
    function storeTerms(
        State storage s,
        uint256 account,
        ILiquidationAuction.Auction memory a,
        uint128 markets,
        int256 value
    ) internal {
        bool hadTerms = a.multi || a.badDebtRecorded;
        uint256 oldDebt = a.badDebtRecorded ? s.terms[account].badDebt : 0;
        // Several markets: more than one bit set (an account without positions has none).
        a.multi = markets != 0 && markets & (markets - 1) != 0;
        a.market =
            a.multi
                ? 0
                : markets == 0
                    ? type(uint8).max
                    : uint8(Math.log2(markets));
        uint256 debt = value < 0 ? WadMath.min(uint256(-value), type(uint96).max) : 0;
        a.badDebtRecorded = debt != 0;
        a.paramsVersion = s.paramsVersion;
        if (debt != oldDebt) s.pendingBadDebt = uint128(s.pendingBadDebt - oldDebt + debt);
        if (hadTerms || a.multi || a.badDebtRecorded) s.terms[account] = AuctionTerms(a.multi ? markets : 0, uint96(debt));
    }

    /// @dev Writes the auction record `a` as `account`'s, in one SSTORE: the word is packed by hand in the order and
    /// widths of `ILiquidationAuction.Auction`'s fields (the first field in the lowest bits, as Solidity packs a
    /// struct), because the compiler's field-by-field copy of this 11-field struct costs one SLOAD and one SSTORE per
    /// field (about 1,900 gas on a bid). Every field already has its storage width, so nothing is truncated; the
    /// unit tests read each field back through `auctionOf`.
    function storeAuction(State storage s, uint256 account, ILiquidationAuction.Auction memory a) internal {
        uint256 word =
            uint256(a.startTime) |
                (uint256(a.checkpoint) << 32) |
                (uint256(a.elapsed) << 64) |
                (uint256(a.guaranteedUntil) << 96) |
                (_bit(a.validAtCheckpoint) << 128) |
                (_bit(a.active) << 136) |
                (uint256(a.market) << 144) |
                (_bit(a.multi) << 152) |
                (_bit(a.badDebtRecorded) << 160) |
                (uint256(a.paramsVersion) << 168) |
                (uint256(a.shortfallMicro) << 200);
        ILiquidationAuction.Auction storage r = s.auctions[account];
        assembly ("memory-safe") {
            sstore(r.slot, word)
        }
    }

    /// @dev 1 for true, 0 for false, cleaned again here so that no dirty `bool` can spill into the next field of the
    /// packed record (`b ? 1 : 0` costs about 200 gas more per record written).
    function _bit(bool b) private pure returns (uint256 r) {
        assembly ("memory-safe") {
            r := iszero(iszero(b))
        }
    }

    /// @dev Records that `account`'s running auction is insolvent (V <= 0) from clock reading `elapsed` [s].
    function recordInsolvency(State storage s, uint256 account, uint256 elapsed) internal {
        s.insolventAt[account] = elapsed + 1;
        emit ILiquidationAuction.AuctionInsolvencyRecorded(account, elapsed);
    }

    /// @dev Auction-clock seconds since `account`'s insolvency was recorded, at clock reading `elapsed`; 0 when none.
    function insolventElapsed(State storage s, uint256 account, uint256 elapsed) internal view returns (uint256) {
        uint256 at = s.insolventAt[account];
        // The record is at most the clock when written, and the clock never runs backwards within an auction.
        return at == 0 ? 0 : elapsed - (at - 1);
    }

    /// @dev The parameter set of version `version` (an auction record's `paramsVersion`: the set it started with).
    /// Every reader of a running auction's parameters goes through here, the views as well as starts and bids.
    function paramsOf(State storage s, uint256 version) internal view returns (ILiquidationAuction.AuctionParams storage) {
        return s.paramsAt[version];
    }

    /// @dev Bitmap of the markets recorded at start (0 when none).
    function marketsOf(State storage s, uint256 account, ILiquidationAuction.Auction memory a) internal view returns (uint256) {
        if (a.multi) return s.terms[account].markets;
        return a.market == type(uint8).max ? 0 : uint256(1) << a.market;
    }

    // ------------------------------------------------------------------ private (library only)

    /// @dev `ILiquidationAuction.quote`'s value.
    function _quote(State storage s, Deps calldata d, uint256 account) private view returns (ILiquidationAuction.Quote memory q) {
        ILiquidationAuction.Auction memory a = s.auctions[account];
        q.active = a.active;
        q.nonce = d.vault.accountNonce(account);
        AuctionMath.Valuation memory v = valuation(d.engine, d.vault, account);
        q.equity = v.equity;
        q.maintenanceMargin = v.maintenanceMargin;
        q.markToMarket = v.markToMarket;
        q.requirement = v.requirement;
        uint256 at = s.insolventAt[account];
        q.insolvencyRecorded = at != 0;
        if (at != 0) q.insolventSince = at - 1;
        if (!a.active) return q;
        q.elapsed = _clockView(s, d, account, a);
        AuctionMath.Take memory t = AuctionMath.take(
            paramsOf(s, a.paramsVersion),
            v,
            q.elapsed,
            v.markToMarket <= 0 ? insolventElapsed(s, account, q.elapsed) : 0,
            WAD
        );
        q.unitPrice = t.unitPrice;
        q.maxFraction = t.maxFraction;
    }

    /// @dev `account`'s running auction, its clock advanced to now, when restarts are allowed and it has run through
    /// all three phases without emptying the account.
    function _stalledAuction(
        State storage s,
        Deps calldata d,
        uint256 account
    ) private returns (ILiquidationAuction.Auction memory a) {
        AuctionGovernance.Breaker memory br = s.breaker;
        if (br.stopLevel >= uint8(ILiquidationAuction.StopLevel.NoNewAuctionsOrRestarts)) {
            revert ILiquidationAuction.AuctionStopped(br.stopLevel, uint8(ILiquidationAuction.StopLevel.NoNewAuctionsOrRestarts));
        }
        a = s.auctions[account];
        if (!a.active) revert ILiquidationAuction.AuctionNotActive(account);
        a = _advanceClock(s, d, account, a);
        ILiquidationAuction.AuctionParams storage p = paramsOf(s, a.paramsVersion);
        // The whole curve: the solvent phases, then the insolvent bonus's whole growth from a recorded insolvency (a
        // restart before it would reset a bonus bidders are waiting for; review 4, L-1).
        uint256 at = s.insolventAt[account];
        uint256 required = WadMath.max(uint256(p.fastDuration) + p.slowDuration, at == 0 ? 0 : at - 1) + p.insolventDuration;
        if (a.elapsed < required) revert ILiquidationAuction.AuctionNotStalled(account, a.elapsed, required);
    }

    /// @dev The auction's clock advanced to now (see `AuctionMath.advance`), emitting `AuctionClockUpdated`.
    function _advanceClock(
        State storage s,
        Deps calldata d,
        uint256 account,
        ILiquidationAuction.Auction memory a
    ) private returns (ILiquidationAuction.Auction memory) {
        if (a.checkpoint == block.timestamp) return a;
        AuctionMath.ClockInput memory x = _clockInputChecked(s, d, account);
        a = AuctionMath.advance(a, x, block.timestamp);
        emit ILiquidationAuction.AuctionClockUpdated(account, a.elapsed, x.valid);
        return a;
    }

    /// @dev The clock's reading now, without recording it.
    function _clockView(
        State storage s,
        Deps calldata d,
        uint256 account,
        ILiquidationAuction.Auction memory a
    ) private view returns (uint256) {
        if (a.checkpoint == block.timestamp) return a.elapsed;
        AuctionMath.ClockInput memory x = _clockInputChecked(s, d, account);
        return AuctionMath.advance(a, x, block.timestamp).elapsed;
    }

    /// @dev What the clock knows now about `account`'s prices (never reverts: `priceValidity` reports a bad price).
    function _clockInputChecked(
        State storage s,
        Deps calldata d,
        uint256 account
    ) private view returns (AuctionMath.ClockInput memory x) {
        x.feedsUntil = type(uint256).max;
        bytes32[] memory assets = _assets(d.engine, d.vault, account, marketsHeld(d.engine, account));
        bool valid = true;
        for (uint256 i; i < assets.length; ++i) {
            if (assets[i] == bytes32(0)) continue; // a collateral of weight zero: no price needed (review F2)
            (bool ok, uint256 since, uint256 until) = d.oracle.priceValidity(assets[i]);
            valid = valid && ok;
            x.feedsSince = WadMath.max(x.feedsSince, since);
            x.feedsUntil = WadMath.min(x.feedsUntil, until);
        }
        _clockStatus(s, d.oracle, x, valid);
    }

    /// @dev Completes `x` with the sequencer's state and the stop level: valid when `pricesValid` and the sequencer
    /// (when configured) is up and past its grace period.
    function _clockStatus(State storage s, IOracleRouter oracle, AuctionMath.ClockInput memory x, bool pricesValid) private view {
        x.valid = pricesValid;
        (x.sequencerConfigured, x.sequencerUp, x.sequencerChangedAt, x.sequencerGrace) = oracle.sequencerState();
        if (x.sequencerConfigured && (!x.sequencerUp || block.timestamp <= x.sequencerChangedAt + x.sequencerGrace))
            x.valid = false;
        AuctionGovernance.Breaker memory br = s.breaker;
        x.halted = br.stopLevel == uint8(ILiquidationAuction.StopLevel.Halted);
        x.haltEndedAt = br.haltEndedAt;
    }

    /// @dev Clears a debt-only account: the fund pays what it can, then what is left (read after the payment, so
    /// no rounding dust remains) is socialised.
    function _writeOffDebt(State storage s, Deps calldata d, uint256 account, ILiquidationAuction.Auction memory a) private {
        bytes32 eventId = eventIdOf(account, a);
        uint256 paid = d.fund.cover(eventId, account, uint256(-d.vault.cashBalance(account)));
        if (paid != 0) emit ILiquidationAuction.InsuranceDrawn(account, eventId, paid);
        int256 left = d.vault.cashBalance(account);
        if (left < 0) {
            emit ILiquidationAuction.BadDebtSocialised(
                account,
                marketsOf(s, account, a),
                d.vault.socialiseLoss(account, uint256(-left))
            );
        }
    }

    /// @dev Oracle assets of the markets in `markets` and of every collateral `account` holds.
    function _assets(
        IMarginEngine engine,
        ICollateralVault vault,
        uint256 account,
        uint256 markets
    ) private view returns (bytes32[] memory assets) {
        uint256 tokens = vault.accountTokens(account);
        assets = new bytes32[](Bitmap.count(markets) + Bitmap.count(tokens));
        uint256 n;
        while (markets != 0) {
            uint256 id;
            (id, markets) = Bitmap.next(markets);
            assets[n++] = engine.oracleAssetOf(id);
        }
        while (tokens != 0) {
            uint256 i;
            (i, tokens) = Bitmap.next(tokens);
            ICollateralVault.TokenInfo memory info = vault.tokenInfo(vault.tokenAt(i));
            // Left bytes32(0) (skipped by the clock inputs) when the collateral counts nothing (fully delisted).
            if (info.haircut != 0) assets[n] = info.oracleAsset;
            ++n;
        }
    }
}
