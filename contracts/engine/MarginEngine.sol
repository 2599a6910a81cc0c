// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Proxy} from "@openzeppelin/contracts/proxy/Proxy.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";
import {MarginEngineViews} from "./MarginEngineViews.sol";
import {MarginEngineDeleveraging} from "./MarginEngineDeleveraging.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EngineAccounts} from "./EngineAccounts.sol";
import {EngineGovernance} from "./EngineGovernance.sol";

/// @title MarginEngine
/// @custom:security-contact security@ballast.finance
/// @notice Accounts, positions, trade settlement, funding, volatility observations and margin checks.
/// See {IMarginEngine}; the views no contract calls inside a transaction ({IMarginEngineViews}) are answered at this
/// address by the view module the constructor creates.
/// @dev The fallback (OpenZeppelin {Proxy}) forwards any selector the engine does not know to that module by
/// DELEGATECALL. The module's address is immutable and its code has only view functions, so nothing reached through
/// the fallback can write storage; its functions are non-payable, so a call with value reverts there.
contract MarginEngine is EngineGovernance, ReentrancyGuardTransient, Proxy {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @dev The view module ({IMarginEngine-viewModule}), created by the constructor with this engine's vault and
    /// oracle.
    address private immutable _VIEW_MODULE;
    /// @dev The module running automated deleveraging's events on this engine's storage ({MarginEngineDeleveraging}).
    address private immutable _DELEVERAGING_MODULE;

    /// @dev One side of a fill after it was applied.
    struct Side {
        int256 sizeBefore;
        int256 sizeAfter;
        int256 basisDelta;
        int256 realised;
        bool reducesRisk;
    }

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    /// @param vault_ The collateral vault.
    /// @param oracle_ The oracle router.
    constructor(
        address accessManager,
        ICollateralVault vault_,
        IOracleRouter oracle_
    ) EngineStorage(vault_, oracle_) AccessManaged(accessManager) {
        _VIEW_MODULE = address(new MarginEngineViews(vault_, oracle_));
        _DELEVERAGING_MODULE = address(new MarginEngineDeleveraging(vault_, oracle_));
    }

    // ------------------------------------------------------------------ accounts

    /// @inheritdoc IMarginEngine
    function setOperator(address operator, Scope scope, uint64 expiry) external {
        EngineAccounts.setOperator(_operators[msg.sender], operator, scope, expiry);
    }

    /// @inheritdoc IMarginEngine
    function setAccountIsolated(uint96 subaccountId, bool isolated) external {
        EngineAccounts.setIsolated(_accounts, subaccountId, isolated);
    }

    /// @inheritdoc IMarginEngine
    function isAuthorized(address owner, address caller, Scope scope) public view returns (bool) {
        if (caller == owner) return true;
        Operator memory op = _operators[owner][caller];
        return uint8(op.scope) >= uint8(scope) && op.expiry >= block.timestamp && scope != Scope.None;
    }

    // ------------------------------------------------------------------ trading

    /// @inheritdoc IMarginEngine
    function settleTrade(Trade calldata t, uint256 feeAccount) external nonReentrant {
        if (!isVenue[msg.sender]) revert EngineUnauthorizedVenue(msg.sender);
        if (t.takerSize == 0) revert EngineZeroSize();
        if (t.maker == t.taker) revert EngineSelfTrade(t.maker);
        Market storage m = _markets[t.marketId];
        MarketTrading memory tr = m.trading;
        _requireListed(tr.listed, t.marketId);
        MarketMark memory mark = _markNoOlderThan(m, maxPriceAge);

        // Price band around the index; the same deviation is the premium sample for funding. A fill outside the
        // band of a cached index is checked again against a fresh one, so a fast move never blocks fair fills.
        int256 premium = (int256(t.price) - int256(uint256(mark.price))).divWadDown(mark.price);
        if (premium.abs() > tr.maxFillDeviation && mark.priceTimestamp != block.timestamp) {
            mark = _markNoOlderThan(m, 0);
            premium = (int256(t.price) - int256(uint256(mark.price))).divWadDown(mark.price);
        }
        if (premium.abs() > tr.maxFillDeviation) {
            revert EngineFillPriceOutOfBand(t.marketId, t.price, mark.price, tr.maxFillDeviation);
        }
        int256 f = EngineMarkets.update(t.marketId, m, mark, premium, _premiumWeight(t.takerSize, tr.openInterestCap));
        // The risk-reduction exception releases maintenance margin at the effective ratio now.
        uint8 flags = m.funding.flags;
        (uint256 mmrNow, ) = EngineMarkets.effectiveRatios(m, mark, flags);
        mark.mmr = uint64(mmrNow);
        (Side memory mk, Side memory tk) = _applyTrade(t, m, tr, f, flags);
        _settleAndCheck(t, feeAccount, mk, tk, mark);
    }

    /// @inheritdoc IMarginEngine
    function updateMarket(uint256 marketId) external nonReentrant {
        Market storage m = _markets[marketId];
        _requireListed(m.trading.listed, marketId);
        EngineMarkets.update(marketId, m, _markNoOlderThan(m, 0), 0, 0);
    }

    // ------------------------------------------------------------------ vault and liquidator hooks

    /// @inheritdoc IMarginEngine
    function positionsMargin(uint256 account) external returns (int256 value, uint256 initialMargin, uint256 maxAge) {
        if (msg.sender != address(vault)) revert EngineOnlyVault(msg.sender);
        maxAge = maxPriceAge;
        (value, initialMargin, ) = _positionsCached(account, maxAge, false);
    }

    /// @inheritdoc IMarginEngine
    function transferPortfolio(
        uint256 from,
        uint256 to,
        uint256 fraction,
        ICollateralVault.CashLegs calldata legs
    ) external nonReentrant {
        if (msg.sender != liquidator) revert EngineOnlyLiquidator(msg.sender);
        if (fraction == 0 || fraction > 1e18) revert EngineInvalidFraction(fraction);
        if (from == to) revert EngineSelfTrade(from);
        int256 cashTo;
        uint256 bits = _accounts[from].markets;
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            cashTo += _movePosition(from, to, id, fraction);
        }
        vault.transferFraction(from, to, fraction, _accounts[from].markets != 0, _accounts[to].markets != 0, legs);
        if (cashTo != 0) vault.settleCash(to, cashTo, _accounts[to].markets != 0);
    }

    /// @inheritdoc IMarginEngine
    function deleverage(uint256, uint256[] calldata) external nonReentrant returns (uint256) {
        if (msg.sender != liquidator) revert EngineOnlyLiquidator(msg.sender);
        return abi.decode(Address.functionDelegateCall(_DELEVERAGING_MODULE, msg.data), (uint256));
    }

    /// @inheritdoc IMarginEngine
    function settleDeleveraging(uint256 account, uint256 marketId) external nonReentrant {
        uint8 flags = _markets[marketId].funding.flags;
        Position memory p = _settleForWrite(account, marketId, flags);
        _storePosition(account, marketId, p.size, p.basis, flags);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMarginEngine
    function accountMarginWithCollateral(
        uint256 account,
        ICollateralVault.MarginCollateral memory c
    ) external view returns (MarginState memory s) {
        return _marginState(account, c);
    }

    /// @inheritdoc IMarginEngine
    function oracleAssetOf(uint256 marketId) external view returns (bytes32) {
        return _markets[marketId].oracleAsset;
    }

    /// @inheritdoc IMarginEngine
    function accountInfo(uint256 account) external view returns (uint128 markets, bool isolated) {
        AccountState memory a = _accounts[account];
        return (a.markets, a.isolated);
    }

    /// @inheritdoc IMarginEngine
    function marketCount() external view returns (uint256) {
        return _marketCount;
    }

    /// @inheritdoc IMarginEngine
    function oracle() external view returns (IOracleRouter) {
        return _oracle;
    }

    /// @inheritdoc IMarginEngine
    function viewModule() external view returns (address) {
        return _VIEW_MODULE;
    }

    /// @inheritdoc IMarginEngine
    function deleveragingModule() external view returns (address) {
        return _DELEVERAGING_MODULE;
    }

    /// @dev {IMarginEngineViews}: a selector the engine does not know runs the view module's code on this storage.
    /// The engine takes no ether: a call with value reverts `EngineValueSent` before anything is forwarded (the
    /// module's functions are non-payable too).
    fallback() external payable override {
        if (msg.value != 0) revert EngineValueSent(msg.value);
        _fallback();
    }

    /// @dev The view module's address, for {Proxy-_fallback}.
    function _implementation() internal view override returns (address) {
        return _VIEW_MODULE;
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts `EngineMarketUnknown(marketId)` unless `listed` (one copy for the trade and update paths).
    function _requireListed(bool listed, uint256 marketId) private pure {
        if (!listed) revert EngineMarketUnknown(marketId);
    }

    /// @dev Weight [wad] of a fill of `size` in the premium: min(1e18, |size| / (openInterestCap * 1%)), rounded
    /// down (a fill moves the premium at most in proportion to its size). The depth rounds up and is >= 1 wei.
    function _premiumWeight(int256 size, uint256 openInterestCap) internal pure returns (uint256) {
        uint256 w = size.abs().divWadDown(openInterestCap.mulWadUp(PREMIUM_DEPTH_SHARE));
        return w > 1e18 ? 1e18 : w;
    }

    /// @dev Positions, reduce-only and pause rules, open interest. One notional for both sides, applied with
    /// opposite signs, makes trading exactly zero-sum.
    function _applyTrade(
        Trade calldata t,
        Market storage m,
        MarketTrading memory tr,
        int256 f,
        uint8 flags
    ) internal returns (Side memory mk, Side memory tk) {
        int256 notional = t.takerSize.mulWadDown(int256(t.price) - f);
        mk = _applyFill(t.maker, t.marketId, -t.takerSize, -notional, flags);
        tk = _applyFill(t.taker, t.marketId, t.takerSize, notional, flags);
        if (t.makerReduceOnly && !mk.reducesRisk) {
            revert EngineReduceOnlyViolated(t.maker, t.marketId, mk.sizeBefore, mk.sizeAfter);
        }
        if (tradingPaused || tr.reduceOnly) {
            _requireReducing(tr.reduceOnly, t.marketId, t.maker, mk);
            _requireReducing(tr.reduceOnly, t.marketId, t.taker, tk);
        }
        _updateOpenInterest(m, tr, t.marketId, mk, tk);
    }

    /// @dev Cash settlement in the vault (realised PnL minus fees; fees to `feeAccount`), then margin checks.
    function _settleAndCheck(
        Trade calldata t,
        uint256 feeAccount,
        Side memory mk,
        Side memory tk,
        MarketMark memory mark
    ) internal {
        uint256 maxAge = maxPriceAge;
        ICollateralVault.TradeCash memory cash = ICollateralVault.TradeCash(
            t.maker,
            mk.realised - t.makerFee.toInt256(),
            _accounts[t.maker].markets != 0,
            t.taker,
            tk.realised - t.takerFee.toInt256(),
            _accounts[t.taker].markets != 0,
            feeAccount,
            t.makerFee + t.takerFee
        );
        (ICollateralVault.MarginCollateral memory cm, ICollateralVault.MarginCollateral memory ct, bool capExceeded) = vault
            .settleTrade(cash, maxAge);
        _emitTradeSettled(t, mk.realised, tk.realised);
        _checkAfterTrade(t.maker, cm, mk, t.price, t.makerFee, mark, capExceeded, maxAge);
        _checkAfterTrade(t.taker, ct, tk, t.price, t.takerFee, mark, capExceeded, maxAge);
    }

    /// @dev Own frame for the event so the caller's stack stays shallow.
    function _emitTradeSettled(Trade calldata t, int256 makerRealised, int256 takerRealised) private {
        emit TradeSettled(
            msg.sender,
            t.marketId,
            t.maker,
            t.taker,
            t.takerSize,
            t.price,
            t.makerFee,
            t.takerFee,
            makerRealised,
            takerRealised
        );
    }

    /// @dev Applies a signed size change `d` at notional `n = d * (price - F)` to `account`'s position.
    /// Increase: basis += n. Reduction of |size| by |c|: the closed share of the basis (rounded so realised PnL
    /// rounds down) leaves the basis; a flip opens the rest at its own notional. Realised = basisDelta - n, so
    /// each side's cash - basis changes by exactly -n.
    function _applyFill(uint256 account, uint256 id, int256 d, int256 n, uint8 flags) internal returns (Side memory s) {
        AccountState memory a = _accounts[account];
        Position memory p = _settleForWrite(account, id, flags);
        s.sizeBefore = p.size;
        s.sizeAfter = s.sizeBefore + d;
        if (s.sizeBefore == 0 || (s.sizeBefore > 0) == (d > 0)) {
            s.basisDelta = n;
        } else {
            uint256 absBefore = s.sizeBefore.abs();
            uint256 absD = d.abs();
            if (absD >= absBefore) {
                // Close everything; a flip opens the remainder at its share of n (rounded down).
                s.basisDelta = -int256(p.basis);
                if (s.sizeAfter != 0) s.basisDelta += _mulDivDown(n, s.sizeAfter, d);
            } else {
                s.basisDelta = -_shareUp(p.basis, absD, absBefore);
            }
            s.reducesRisk = s.sizeAfter.abs() < absBefore && (s.sizeAfter == 0 || (s.sizeAfter > 0) == (s.sizeBefore > 0));
        }
        s.realised = s.basisDelta - n;
        if (s.sizeBefore == 0) _setHeld(account, a, id, true);
        else if (s.sizeAfter == 0) _setHeld(account, a, id, false);
        _storePosition(account, id, s.sizeAfter.toInt128(), (int256(p.basis) + s.basisDelta).toInt128(), flags);
    }

    /// @dev x * num / den rounded toward negative infinity (den != 0).
    function _mulDivDown(int256 x, int256 num, int256 den) internal pure returns (int256) {
        bool negative = ((x < 0) != (num < 0)) != (den < 0);
        uint256 q = WadMath.mulDivDown(x.abs(), num.abs(), den.abs());
        if (!negative) return q.toInt256();
        uint256 qUp = WadMath.mulDivUp(x.abs(), num.abs(), den.abs());
        return -qUp.toInt256();
    }

    /// @dev basis * part / whole, rounded toward positive infinity.
    function _shareUp(int256 basis, uint256 part, uint256 whole) internal pure returns (int256) {
        if (basis >= 0) return WadMath.mulDivUp(uint256(basis), part, whole).toInt256();
        return -WadMath.mulDivDown(uint256(-basis), part, whole).toInt256();
    }

    function _requireReducing(bool marketReduceOnly, uint256 id, uint256 account, Side memory s) internal pure {
        if (s.reducesRisk) return;
        if (marketReduceOnly) revert EngineMarketReduceOnly(id, account);
        revert EngineTradingPaused(account);
    }

    function _updateOpenInterest(Market storage m, MarketTrading memory tr, uint256 id, Side memory a, Side memory b) internal {
        MarketOpenInterest memory oi = m.oi;
        int256 longDelta;
        int256 newLongSigned;
        int256 newTotalBasis;
        // Cannot overflow: `_applyFill` already stored both sides' sizes and bases as int128, so every size here is
        // below 2**127 in magnitude and each basisDelta (new basis - old basis) below 2**128; the sums stay far
        // inside int256. The casts below still check the results' own ranges.
        unchecked {
            longDelta = _long(a.sizeAfter) - _long(a.sizeBefore) + _long(b.sizeAfter) - _long(b.sizeBefore);
            newLongSigned = int256(uint256(oi.longOpenInterest)) + longDelta;
            newTotalBasis = int256(oi.totalBasis) + a.basisDelta + b.basisDelta;
        }
        uint256 newLong = _clampedOpenInterest(newLongSigned);
        if (longDelta > 0 && newLong > tr.openInterestCap) {
            revert EngineOpenInterestCapExceeded(id, tr.openInterestCap, newLong);
        }
        oi.longOpenInterest = uint128(newLong);
        oi.totalBasis = newTotalBasis.toInt128();
        m.oi = oi;
    }

    function _long(int256 size) internal pure returns (int256) {
        return size > 0 ? size : int256(0);
    }

    /// @dev Initial margin after a trade, with the strict risk-reduction exception: |size| fell without a flip and
    /// the account's surplus over maintenance did not fall (pnl at mark of the fill - fee + released maintenance
    /// margin >= 0, each rounded against the account). An account that ends the fill below maintenance margin
    /// (liquidatable) may use the exception only at a price no worse than the mark (pnl at mark >= 0): it cannot
    /// hand the maintenance margin it releases to a counterparty (a sibling account) and leave its debt behind.
    /// No fill may leave an account with negative equity (dYdX v4's rule: an insolvent account can only be
    /// liquidated), so a deficit is resolved only by its auction, inside the circuit breakers and the insurance fund's
    /// per-event cap, and a sibling's profit is never realised against an unpaid loss (review H-1).
    /// Also enforces the borrow cap on risk-increasing trades.
    function _checkAfterTrade(
        uint256 account,
        ICollateralVault.MarginCollateral memory c,
        Side memory s,
        uint256 price,
        uint256 fee,
        MarketMark memory mark,
        bool capExceeded,
        uint256 maxAge
    ) internal {
        if (capExceeded && c.cash < 0 && !s.reducesRisk) revert EngineBorrowCapExceeded(account);
        (int256 value, uint256 im, uint256 mm) = _positionsCached(account, maxAge, true);
        int256 equity = MarginMath.marginEquity(c.cash, c.collateralValue, value);
        if (equity >= im.toInt256()) return;
        if (s.reducesRisk && equity >= 0) {
            (bool notWorse, int256 pnlAtMark) = _surplusNotWorse(s, price, fee, mark);
            if (notWorse) {
                if (pnlAtMark >= 0 || equity >= mm.toInt256()) return;
                revert EngineLiquidatableFillWorseThanMark(account, price, mark.price);
            }
        }
        revert EngineInsufficientMargin(account, equity, im);
    }

    /// @dev The fill did not lower the account's surplus over maintenance margin: pnl of the fill at the mark,
    /// minus the fee, plus the maintenance margin it released, is >= 0 (each rounded against the account). Also
    /// returns the pnl at the mark. The released margin is at the market's base ratio (`mark.mmr`), without the
    /// margin tiers' add-ons: never more than the tiered release (the tier extra is non-decreasing in notional), so
    /// the exception stays on the protocol's side.
    function _surplusNotWorse(
        Side memory s,
        uint256 price,
        uint256 fee,
        MarketMark memory mark
    ) internal pure returns (bool notWorse, int256 pnlAtMark) {
        int256 d = s.sizeAfter - s.sizeBefore;
        pnlAtMark = d.mulWadDown(int256(uint256(mark.price)) - int256(price));
        uint256 released = (s.sizeBefore.abs() - s.sizeAfter.abs()).mulWadDown(mark.price).mulWadDown(mark.mmr);
        notWorse = pnlAtMark - fee.toInt256() + released.toInt256() >= 0;
    }

    /// @dev Moves `fraction` of `from`'s position in `id` to `to`; returns cash `to` must realise if its position
    /// nets to zero (its remaining basis).
    function _movePosition(uint256 from, uint256 to, uint256 id, uint256 fraction) internal returns (int256 cashTo) {
        uint8 flags = _markets[id].funding.flags;
        Position memory pf = _settleForWrite(from, id, flags);
        Position memory pt = _settleForWrite(to, id, flags);
        Position memory nf;
        Position memory nt;
        {
            (int256 ds, int256 db) = fraction == 1e18 ? (int256(pf.size), int256(pf.basis)) : _share(pf, fraction);
            nf = Position((pf.size - ds).toInt128(), (pf.basis - db).toInt128());
            int256 toBasis = pt.basis + db;
            if (pt.size + ds == 0) {
                cashTo = -toBasis;
                toBasis = 0;
            }
            nt = Position((pt.size + ds).toInt128(), toBasis.toInt128());
        }
        if (nf.size == 0 && pf.size != 0) _setHeld(from, _accounts[from], id, false);
        AccountState memory at = _accounts[to];
        if (pt.size == 0 && nt.size != 0) _setHeld(to, at, id, true);
        else if (pt.size != 0 && nt.size == 0) _setHeld(to, at, id, false);
        _storePosition(from, id, nf.size, nf.basis, flags);
        _storePosition(to, id, nt.size, nt.basis, flags);

        MarketOpenInterest memory oi = _markets[id].oi;
        int256 longDelta = _long(nf.size) - _long(pf.size) + _long(nt.size) - _long(pt.size);
        oi.longOpenInterest = uint128(_clampedOpenInterest(int256(uint256(oi.longOpenInterest)) + longDelta));
        oi.totalBasis = (int256(oi.totalBasis) + cashTo).toInt128();
        _markets[id].oi = oi;
    }

    /// @dev The part of `p` a transfer of `fraction` (< 1e18) moves, rounded in favour of the account it leaves:
    /// size away from zero (it keeps at most (1 - fraction) of its size, so of its margin), basis in proportion to
    /// the size moved (the entry price is kept) rounded up (it keeps the lower basis, so the higher value).
    /// ceil(|size| * fraction / 1e18) <= |size| since fraction < 1e18; |size| > 0 for a held market.
    function _share(Position memory p, uint256 fraction) internal pure returns (int256 ds, int256 db) {
        uint256 sizeAbs = int256(p.size).abs();
        uint256 moved = sizeAbs.mulWadUp(fraction);
        ds = p.size >= 0 ? moved.toInt256() : -moved.toInt256();
        db = _shareUp(p.basis, moved, sizeAbs);
    }

    /// @dev A market's long open interest after a change: at least 0. ADL counts each event's closed size at the
    /// side's total, while each position's kept size rounds up, so the positions' sum can exceed the counter by a
    /// wei per position; closing them all must not revert.
    function _clampedOpenInterest(int256 newLong) internal pure returns (uint256) {
        return newLong > 0 ? uint256(newLong) : 0;
    }
}
