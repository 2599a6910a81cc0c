// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IMarginEngineViews} from "../interfaces/IMarginEngineViews.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title MarginEngineViews
/// @custom:security-contact security@ballast.finance
/// @notice The margin engine's view module: the read-only views that no contract calls inside a transaction (the
/// market view, positions, operators, funding at a caller's price and the margin views the lens reads).
/// @dev Created by the engine's constructor with the engine's own vault and oracle, and run through the engine's
/// fallback, which executes this code on the engine's storage (DELEGATECALL): it inherits the engine's storage
/// layout ({EngineStorage}) and nothing else. Every function here is a view (none can write the engine's storage).
/// Each view reverts `EngineViewsNotDelegated` when called at the module's own address, whose storage is empty (it
/// would report every account flat). Moving these views out of the engine keeps it under the EIP-170 size limit
/// with room for its liquidation paths.
contract MarginEngineViews is EngineStorage, IMarginEngineViews {
    /// @dev The engine that created this module: the only address at which its views run.
    address private immutable _ENGINE;

    modifier onlyDelegated() {
        _onlyDelegated();
        _;
    }
    /// @param vault_ The engine's collateral vault.
    /// @param oracle_ The engine's oracle router.
    constructor(ICollateralVault vault_, IOracleRouter oracle_) EngineStorage(vault_, oracle_) {
        _ENGINE = msg.sender;
    }

    /// @inheritdoc IMarginEngineViews
    function accountMargin(uint256 account) external view onlyDelegated returns (IMarginEngine.MarginState memory s) {
        return _marginState(account, vault.marginCollateralFresh(account));
    }

    /// @inheritdoc IMarginEngineViews
    function accountMarginAtPrices(
        uint256 account,
        ICollateralVault.MarginCollateral calldata c,
        uint256[] calldata marketPrices
    ) external view onlyDelegated returns (IMarginEngine.MarginState memory s) {
        uint256 listed = _marketCount;
        if (marketPrices.length != listed) {
            revert IMarginEngine.EngineParameterOutOfBounds("marketPrices", marketPrices.length, listed, listed);
        }
        for (uint256 id; id < listed; ++id) {
            _requirePrice(marketPrices[id]);
        }
        s.equity = MarginMath.marginEquity(c.cash, c.collateralValue, 0);
        uint256 bits = _accounts[account].markets;
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            Market storage m = _markets[id];
            (int256 value, uint256 mm, uint256 im) = _positionMargin(account, id, m, m.mark, marketPrices[id]);
            s.equity += value;
            s.maintenanceMargin += mm;
            s.initialMargin += im;
        }
        _setHealth(s);
    }

    /// @inheritdoc IMarginEngineViews
    function position(uint256 account, uint256 marketId) external view onlyDelegated returns (int256 size, int256 basis) {
        (Position memory p, , ) = _settledPosition(account, marketId, _markets[marketId].funding.flags);
        return (p.size, p.basis);
    }

    /// @inheritdoc IMarginEngineViews
    function marketView(uint256 marketId) external view onlyDelegated returns (IMarginEngine.MarketView memory v) {
        Market storage m = _markets[marketId];
        MarketMark memory mk = m.mark;
        MarketFunding memory fd = m.funding;
        MarketPremium memory pr = m.premium;
        MarketTrading memory tr = m.trading;
        MarketRamp memory r = m.ramp;
        v.oracleAsset = m.oracleAsset;
        v.listed = tr.listed;
        v.reduceOnly = tr.reduceOnly;
        v.cachedPrice = mk.price;
        v.cachedPriceTimestamp = mk.priceTimestamp;
        (v.mmr, v.imr) = EngineMarkets.effectiveRatios(m, mk, fd.flags);
        v.rampFromMmr = mk.mmr;
        v.rampFromImr = mk.imr;
        v.rampStart = r.start;
        v.cumulativeFunding = fd.cumulativeFunding;
        v.fundingRatePerSecond = fd.fundingRatePerSecond;
        v.lastUpdate = fd.timestamp;
        v.premium = pr.premium;
        v.premiumAccumulator = pr.accumulator;
        v.fundingEpoch = pr.epoch;
        v.longOpenInterest = m.oi.longOpenInterest;
        v.totalBasis = m.oi.totalBasis;
        v.setup = IMarginEngine.MarketSetup(
            r.mmrTarget,
            r.imrTarget,
            r.maxStepPerHour,
            fd.imrSizeFactor,
            tr.openInterestCap,
            tr.maxFundingRatePer8h,
            tr.maxFillDeviation
        );
        MarketTiers storage ts = m.tiers;
        uint256 n = ts.count;
        v.tiers = new IMarginEngine.MarginTier[](n);
        v.tierRampFrom = new IMarginEngine.MarginTier[](n);
        v.tierRampStart = ts.start;
        v.tierRampStepPerHour = ts.stepPerHour;
        for (uint256 i; i < n; ++i) {
            MarketTier storage t = ts.tier[i];
            v.tiers[i] = IMarginEngine.MarginTier(t.threshold, t.mmrAddOn, t.imrAddOn);
            v.tierRampFrom[i] = IMarginEngine.MarginTier(t.threshold, t.mmrFrom, t.imrFrom);
        }
    }

    /// @inheritdoc IMarginEngineViews
    function cumulativeFundingAt(uint256 marketId, uint256 price) external view onlyDelegated returns (int256) {
        _requirePrice(price);
        MarketFunding memory fd = _markets[marketId].funding;
        return MarginMath.fundingIndexAt(fd.cumulativeFunding, fd.fundingRatePerSecond, price, block.timestamp - fd.timestamp);
    }

    /// @inheritdoc IMarginEngineViews
    function operatorOf(
        address owner,
        address operator
    ) external view onlyDelegated returns (IMarginEngine.Scope scope, uint64 expiry) {
        Operator memory op = _operators[owner][operator];
        return (op.scope, op.expiry);
    }

    /// @dev Reverts `EngineViewsNotDelegated` unless this code runs at the engine's address (by its DELEGATECALL).
    /// @inheritdoc IMarginEngineViews
    function deleveragingIndex(
        uint256 marketId,
        uint256 side,
        uint256 n
    ) external view onlyDelegated returns (uint256 events, uint256 keep, int256 closed) {
        if (side > 1) revert IMarginEngine.EngineParameterOutOfBounds("side", side, 0, 1);
        events = _sideEvents(marketId, side);
        if (n > events) return (events, 0, 0);
        DeleveragingIndex memory x = _indexAt(marketId, side, n);
        return (events, x.keep, x.closed);
    }

    function _onlyDelegated() private view {
        if (address(this) != _ENGINE) revert EngineViewsNotDelegated(address(this), _ENGINE);
    }

    /// @dev Reverts `EngineParameterOutOfBounds("price", price, 0, 2**96 - 1)` above the width of every stored price,
    /// on which MarginMath's unchecked arithmetic relies.
    function _requirePrice(uint256 price) private pure {
        if (price > type(uint96).max) revert IMarginEngine.EngineParameterOutOfBounds("price", price, 0, type(uint96).max);
    }
}
