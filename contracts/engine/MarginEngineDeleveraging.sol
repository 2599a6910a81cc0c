// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IMarginEngineViews} from "../interfaces/IMarginEngineViews.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {DeleveragingMath} from "../libraries/DeleveragingMath.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title MarginEngineDeleveraging
/// @custom:security-contact security@ballast.finance
/// @notice Automated deleveraging's events, run by the margin engine on its own storage (DELEGATECALL from
/// {IMarginEngine-deleverage}, which checks the caller and holds the engine's reentrancy guard), so that the engine
/// stays under its size ceiling. Created by the engine's constructor; its address is the engine's
/// `deleveragingModule()`.
/// @dev Inherits {EngineStorage} and declares no state of its own, so it sees the engine's layout (compared by
/// test/unit/MarginEngine/viewModuleLayout.test.ts). Called at its own address it reverts
/// (`EngineViewsNotDelegated`): its storage there is empty.
contract MarginEngineDeleveraging is EngineStorage {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @dev The engine that created this module, the only address whose storage it may run on.
    address private immutable _ENGINE;

    /// @dev One ADL event in the making ({_deleverageMarket}): the bankrupt position (size [wad base], basis [wad
    /// cash]), the funding index and mark [wad], the other side (0 longs, 1 shorts) and its event number, the
    /// bankruptcy price [wad], what the other side covers [wad cash], phi [wad] and the other side's total basis
    /// change [wad cash].
    struct DeleveragingEvent {
        int256 size;
        int256 basis;
        int256 funding;
        uint256 mark;
        uint256 side;
        uint256 number;
        uint256 price;
        uint256 covered;
        uint256 phi;
        int256 sideBasis;
    }

    /// @param vault_ The engine's collateral vault.
    /// @param oracle_ The engine's oracle router.
    constructor(ICollateralVault vault_, IOracleRouter oracle_) EngineStorage(vault_, oracle_) {
        _ENGINE = msg.sender;
    }

    /// @notice {IMarginEngine-deleverage}'s body, on the engine's storage.
    /// @dev The engine has checked the caller (the liquidation module) and holds its reentrancy guard.
    function deleverage(uint256 account, uint256[] calldata parts) external returns (uint256 covered) {
        if (address(this) != _ENGINE) revert IMarginEngineViews.EngineViewsNotDelegated(address(this), _ENGINE);
        if (msg.sender != liquidator) revert IMarginEngine.EngineOnlyLiquidator(msg.sender);
        AccountState memory a = _accounts[account];
        if (parts.length != a.marketCount) {
            revert IMarginEngine.EngineDeleveragingPartsMismatch(account, a.marketCount, parts.length);
        }
        uint256 bits = a.markets;
        int256 cash;
        for (uint256 i; bits != 0; ++i) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            (int256 c, uint256 cov) = _deleverageMarket(account, id, parts[i]);
            cash += c;
            covered += cov;
        }
        // The vault's record of whether the account holds a position follows the positions closed (INV-04).
        uint128 left = _accounts[account].markets;
        if (cash != 0 || left != a.markets) vault.settleCash(account, cash, left != 0);
    }

    /// @dev Closes bankrupt `account`'s position in market `id` at the bankruptcy price for `part` of the deficit
    /// against the other side's index ({IMarginEngine-deleverage}). Returns the account's result at that price (for
    /// its cash) and what the other side gave up against the mark; (0, 0) when the market is skipped.
    function _deleverageMarket(uint256 account, uint256 id, uint256 part) internal returns (int256 cash, uint256 covered) {
        Market storage m = _markets[id];
        DeleveragingEvent memory e;
        {
            // The oracle's price now, as the trigger's valuation read it: a cached mark (up to maxPriceAge old, or
            // cached earlier in this block) would move the bankruptcy price away from the deficit measured (review of
            // ADL, H-1 and the second review's L-1).
            MarketMark memory mark = m.mark;
            mark.price = _oracle.getPrice(m.oracleAsset).toUint96();
            mark.priceTimestamp = uint32(block.timestamp);
            m.mark = mark;
            e.funding = EngineMarkets.update(id, m, mark, 0, 0);
            e.mark = mark.price;
        }
        uint8 flags = m.funding.flags;
        Position memory p = _settleForWrite(account, id, flags);
        (e.size, e.basis) = (p.size, p.basis);
        MarketOpenInterest memory oi = m.oi;
        if (e.size.abs() > oi.longOpenInterest || !_recordEvent(id, e, oi.longOpenInterest, part)) {
            // Skipped: the position stays, stored as settled (its PositionDeleveraged, if any, is not emitted twice).
            _storePosition(account, id, p.size, p.basis, flags);
            return (0, 0);
        }
        if (flags & DELEVERAGED == 0) m.funding.flags = flags | DELEVERAGED;
        // The bankrupt position leaves: the part the other side matched (phi x its open interest, rounded down) at the
        // bankruptcy price, so the account is credited only what the other side pays (review of ADL, M-1); the
        // unmatched dust (at most O / 1e18 wei of size) counts only when its proceeds at the mark are negative (a
        // long's dust is forfeited, a short's charged: cash nobody pays would break INV-02, as the Foundry campaign
        // found; negligible either way). The other side's bases move by the closed parts'
        // proceeds, counted here at the side's total (each position's own share is folded in when it is settled).
        {
            int256 matched = WadMath.mulDivDown(oi.longOpenInterest, e.phi, 1e18).toInt256();
            if (e.size < 0) matched = -matched;
            int256 dust = MarginMath.positionValue(e.size - matched, 0, e.mark, e.funding);
            cash = MarginMath.positionValue(matched, e.basis, e.price, e.funding) + (dust < 0 ? dust : int256(0));
            e.covered = WadMath.mulDivDown(matched.abs(), e.price > e.mark ? e.price - e.mark : e.mark - e.price, 1e18);
        }
        oi.longOpenInterest -= uint128(e.size.abs());
        oi.totalBasis = (int256(oi.totalBasis) - e.basis + e.sideBasis).toInt128();
        m.oi = oi;
        _setHeld(account, _accounts[account], id, false);
        _positions[account][id] = Position(0, 0);
        emit IMarginEngine.MarketDeleveraged(id, account, e.side, e.number, e.size, e.price, e.mark, e.phi, e.covered);
        return (cash, e.covered);
    }

    /// @dev Prices the event `e` (bankruptcy price for `part`) and records the other side's new index against its
    /// `openInterest`; false (nothing written) when the side's size factor would fall below MIN_KEEP.
    function _recordEvent(uint256 id, DeleveragingEvent memory e, uint256 openInterest, uint256 part) internal returns (bool) {
        // The other side: the shorts (1) against a long, the longs (0) against a short.
        e.side = e.size > 0 ? 1 : 0;
        uint256 n = _sideEvents(id, e.side);
        DeleveragingIndex memory from = _indexAt(id, e.side, n);
        (e.price, e.covered) = DeleveragingMath.bankruptcyPrice(e.size, e.mark, part);
        uint256 keep;
        int256 closed;
        (keep, closed, e.phi) = DeleveragingMath.deleverageSide(
            from.keep,
            from.closed,
            e.side == 1,
            e.size.abs(),
            openInterest,
            e.price,
            e.funding
        );
        if (keep == 0) return false;
        // Cannot overflow in practice: each event needs an insolvent auction, far fewer than 2**32 per side.
        e.number = n + 1;
        _deleveragingIndex[id][e.side][e.number] = DeleveragingIndex(uint128(keep), closed.toInt128());
        if (e.side == 0) _markets[id].deleveraging.longEvents = e.number.toUint32();
        else _markets[id].deleveraging.shortEvents = e.number.toUint32();
        // The side's bases change by -(its signed total) * (closed - from.closed) / from.keep.
        e.sideBasis = WadMath.mulDivDown(openInterest, (closed - from.closed).abs(), from.keep).toInt256();
        if ((e.size > 0) != (closed > from.closed)) e.sideBasis = -e.sideBasis;
        return true;
    }
}
