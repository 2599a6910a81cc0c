// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {RiskBounds} from "../libraries/RiskBounds.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title EngineGovernance
/// @custom:security-contact security@ballast.finance
/// @notice Configurator hooks and the engine's own bounded setters.
/// @dev Market parameters arrive only from the bound `MarketConfigurator`, and are re-validated here against
/// `RiskBounds` so that no caller can push an out-of-bounds value. The other setters are `restricted` through
/// OpenZeppelin AccessManager (roles in docs/ACCESS_CONTROL.md) and emit the new value.
abstract contract EngineGovernance is EngineStorage, AccessManaged {
    using SafeCast for uint256;

    modifier onlyConfigurator() {
        if (msg.sender != configurator) revert EngineOnlyConfigurator(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ configurator hooks

    /// @inheritdoc IMarginEngine
    function listMarket(bytes32 oracleAsset, MarketSetup calldata s) external onlyConfigurator returns (uint256 marketId) {
        marketId = marketCount;
        if (marketId >= MAX_MARKETS) revert EngineTooManyMarketsListed(MAX_MARKETS);
        _validate(s);
        uint256 price = oracle.getPrice(oracleAsset);
        marketCount = marketId + 1;
        Market storage m = _markets[marketId];
        m.oracleAsset = oracleAsset;
        m.ramp = MarketRamp(s.mmrTarget, s.imrTarget, s.maxStepPerHour, uint32(block.timestamp));
        // A new market has no positions, so its effective ratios start at their targets.
        m.mark = MarketMark(price.toUint96(), uint32(block.timestamp), s.mmrTarget, s.imrTarget);
        m.funding = MarketFunding(0, 0, false, uint32(block.timestamp), s.imrSizeFactor);
        m.premium = MarketPremium(0, 0, uint32(block.timestamp / FUNDING_EPOCH));
        m.trading = MarketTrading(s.openInterestCap, s.maxFundingRatePer8h, s.maxFillDeviation, true, false);
        emit MarketListed(marketId, oracleAsset, s);
    }

    /// @inheritdoc IMarginEngine
    function configureMarket(uint256 marketId, MarketSetup calldata s) external onlyConfigurator {
        Market storage m = _listed(marketId);
        _validate(s);
        // Ramp and accrue up to now under the old targets and rates, at a fresh price when the oracle has one; an
        // oracle outage must never block governance (a guardian cutting open interest), so the cache serves then.
        MarketMark memory mark = m.mark;
        if (block.timestamp - mark.priceTimestamp > maxPriceAge) {
            try oracle.getPrice(m.oracleAsset) returns (uint256 price) {
                mark.price = price.toUint96();
                mark.priceTimestamp = uint32(block.timestamp);
            } catch {}
        }
        EngineMarkets.update(marketId, m, mark, 0, 0);
        // The new ramp starts now from the effective ratios of the old one (a new ramp never jumps either).
        MarketFunding storage fd = m.funding;
        (uint256 mmr, uint256 imr) = EngineMarkets.effectiveRatios(m, m.mark, fd.rampActive);
        m.mark.mmr = uint64(mmr);
        m.mark.imr = uint64(imr);
        m.ramp = MarketRamp(s.mmrTarget, s.imrTarget, s.maxStepPerHour, uint32(block.timestamp));
        fd.rampActive = mmr != s.mmrTarget || imr != s.imrTarget;
        fd.imrSizeFactor = s.imrSizeFactor;
        MarketTrading storage t = m.trading;
        t.openInterestCap = s.openInterestCap;
        t.maxFundingRatePer8h = s.maxFundingRatePer8h;
        t.maxFillDeviation = s.maxFillDeviation;
        emit MarketConfigured(marketId, s);
    }

    /// @inheritdoc IMarginEngine
    function setMarketReduceOnly(uint256 marketId, bool reduceOnly) external onlyConfigurator {
        _listed(marketId).trading.reduceOnly = reduceOnly;
        emit MarketReduceOnlySet(marketId, reduceOnly);
    }

    // ------------------------------------------------------------------ own setters

    /// @inheritdoc IMarginEngine
    function pauseTrading() external restricted {
        tradingPaused = true;
        emit TradingPausedSet(true);
    }

    /// @inheritdoc IMarginEngine
    function unpauseTrading() external restricted {
        tradingPaused = false;
        emit TradingPausedSet(false);
    }

    /// @inheritdoc IMarginEngine
    function setVenue(address venue, bool allowed) external restricted {
        if (venue == address(0)) revert EngineZeroAddress();
        isVenue[venue] = allowed;
        emit VenueSet(venue, allowed);
    }

    /// @inheritdoc IMarginEngine
    function setMaxPriceAge(uint32 age) external restricted {
        if (age > MAX_PRICE_AGE_LIMIT) revert EngineParameterOutOfBounds("maxPriceAge", age, 0, MAX_PRICE_AGE_LIMIT);
        maxPriceAge = age;
        emit MaxPriceAgeSet(age);
    }

    /// @inheritdoc IMarginEngine
    function bindLiquidator(address liquidator_) external restricted {
        if (liquidator_ == address(0)) revert EngineZeroAddress();
        if (liquidator != address(0)) revert EngineAlreadyBound(liquidator);
        liquidator = liquidator_;
        emit LiquidatorBound(liquidator_);
    }

    /// @inheritdoc IMarginEngine
    function bindConfigurator(address configurator_) external restricted {
        if (configurator_ == address(0)) revert EngineZeroAddress();
        if (configurator != address(0)) revert EngineAlreadyBound(configurator);
        configurator = configurator_;
        emit ConfiguratorBound(configurator_);
    }

    // ------------------------------------------------------------------ validation

    function _listed(uint256 marketId) internal view returns (Market storage m) {
        m = _markets[marketId];
        if (!m.trading.listed) revert EngineMarketUnknown(marketId);
    }

    /// @dev Re-validates pushed values against the hard bounds (defence in depth behind the configurator).
    function _validate(MarketSetup calldata s) internal pure {
        _bound("mmrTarget", s.mmrTarget, RiskBounds.MIN_MMR, RiskBounds.MAX_MMR);
        _bound("imrTarget", s.imrTarget, uint256(s.mmrTarget) + 1, RiskBounds.MAX_IMR);
        _bound("maxStepPerHour", s.maxStepPerHour, RiskBounds.MIN_RATIO_STEP_PER_HOUR, RiskBounds.MAX_RATIO_STEP_PER_HOUR);
        _bound("imrSizeFactor", s.imrSizeFactor, 0, RiskBounds.MAX_IMR_SIZE_FACTOR);
        _bound("openInterestCap", s.openInterestCap, 1, type(uint112).max);
        _bound("maxFundingRate", s.maxFundingRatePer8h, RiskBounds.MIN_FUNDING_RATE_CAP, RiskBounds.MAX_FUNDING_RATE_CAP);
        _bound("maxFillDeviation", s.maxFillDeviation, RiskBounds.MIN_FILL_DEVIATION, RiskBounds.MAX_FILL_DEVIATION);
    }

    function _bound(bytes32 name, uint256 value, uint256 lo, uint256 hi) internal pure {
        if (value < lo || value > hi) revert EngineParameterOutOfBounds(name, value, lo, hi);
    }
}
