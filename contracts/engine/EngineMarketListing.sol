// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";
import {RiskBounds} from "../libraries/RiskBounds.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title EngineMarketListing
/// @custom:security-contact security@ballast.finance
/// @notice The market life cycle of {MarginEngine}: listing and configuration pushed by the bound
/// `MarketConfigurator`, re-validated here against `RiskBounds`. A linked library (external functions run by
/// DELEGATECALL on the engine's storage), so the engine keeps room under the EIP-170 size limit while only
/// governance calls pay the library call; the engine's `onlyConfigurator` entry points authorise every caller.
/// @dev Reverts and events are the engine's own ({IMarginEngine}).
library EngineMarketListing {
    using SafeCast for uint256;

    /// @notice Lists market `marketId` (the engine's next id) on `oracleAsset`, with ratios at their targets.
    /// @dev See {IMarginEngine-listMarket} for the reverts (too many markets, a bound, the oracle's own error).
    function list(
        EngineStorage.Market storage m,
        IOracleRouter oracle,
        uint256 marketId,
        bytes32 oracleAsset,
        IMarginEngine.MarketSetup calldata s
    ) external {
        if (marketId >= ParameterBounds.MAX_MARKETS) {
            revert IMarginEngine.EngineTooManyMarketsListed(ParameterBounds.MAX_MARKETS);
        }
        validate(s);
        uint256 price = oracle.getPrice(oracleAsset);
        m.oracleAsset = oracleAsset;
        m.ramp = EngineStorage.MarketRamp(s.mmrTarget, s.imrTarget, s.maxStepPerHour, uint32(block.timestamp));
        // A new market has no positions, so its effective ratios start at their targets.
        m.mark = EngineStorage.MarketMark(price.toUint96(), uint32(block.timestamp), s.mmrTarget, s.imrTarget);
        m.funding = EngineStorage.MarketFunding(0, 0, false, uint32(block.timestamp), s.imrSizeFactor);
        m.premium = EngineStorage.MarketPremium(0, 0, uint32(block.timestamp / EngineMarkets.FUNDING_EPOCH));
        m.trading = EngineStorage.MarketTrading(s.openInterestCap, s.maxFundingRatePer8h, s.maxFillDeviation, true, false);
        emit IMarginEngine.MarketListed(marketId, oracleAsset, s);
    }

    /// @notice Replaces listed market `marketId`'s targets and limits; a new ramp starts now from the effective
    /// ratios of the old one, after accruing up to now under the old targets and rates.
    /// @dev The price is refreshed when older than `maxPriceAge` seconds and the oracle has one; an oracle outage
    /// must never block governance (a guardian cutting open interest), so the cache serves then.
    function configure(
        EngineStorage.Market storage m,
        IOracleRouter oracle,
        uint256 maxPriceAge,
        uint256 marketId,
        IMarginEngine.MarketSetup calldata s
    ) external {
        EngineMarkets.requireListed(m, marketId);
        validate(s);
        EngineStorage.MarketMark memory mark = m.mark;
        if (block.timestamp - mark.priceTimestamp > maxPriceAge) {
            try oracle.getPrice(m.oracleAsset) returns (uint256 price) {
                mark.price = price.toUint96();
                mark.priceTimestamp = uint32(block.timestamp);
            } catch {}
        }
        EngineMarkets.update(marketId, m, mark, 0, 0);
        // The new ramp starts now from the effective ratios of the old one (a new ramp never jumps either).
        EngineStorage.MarketFunding storage fd = m.funding;
        (uint256 mmr, uint256 imr) = EngineMarkets.effectiveRatios(m, m.mark, fd.rampActive);
        m.mark.mmr = uint64(mmr);
        m.mark.imr = uint64(imr);
        m.ramp = EngineStorage.MarketRamp(s.mmrTarget, s.imrTarget, s.maxStepPerHour, uint32(block.timestamp));
        fd.rampActive = mmr != s.mmrTarget || imr != s.imrTarget;
        fd.imrSizeFactor = s.imrSizeFactor;
        EngineStorage.MarketTrading storage t = m.trading;
        t.openInterestCap = s.openInterestCap;
        t.maxFundingRatePer8h = s.maxFundingRatePer8h;
        t.maxFillDeviation = s.maxFillDeviation;
        emit IMarginEngine.MarketConfigured(marketId, s);
    }

    /// @dev Re-validates pushed values against the hard bounds (defence in depth behind the configurator).
    function validate(IMarginEngine.MarketSetup calldata s) internal pure {
        _bound("mmrTarget", s.mmrTarget, RiskBounds.MIN_MMR, RiskBounds.MAX_MMR);
        _bound("imrTarget", s.imrTarget, uint256(s.mmrTarget) + 1, RiskBounds.MAX_IMR);
        _bound("maxStepPerHour", s.maxStepPerHour, RiskBounds.MIN_RATIO_STEP_PER_HOUR, RiskBounds.MAX_RATIO_STEP_PER_HOUR);
        _bound("imrSizeFactor", s.imrSizeFactor, 0, RiskBounds.MAX_IMR_SIZE_FACTOR);
        _bound("openInterestCap", s.openInterestCap, 1, type(uint112).max);
        _bound("maxFundingRate", s.maxFundingRatePer8h, RiskBounds.MIN_FUNDING_RATE_CAP, RiskBounds.MAX_FUNDING_RATE_CAP);
        _bound("maxFillDeviation", s.maxFillDeviation, RiskBounds.MIN_FILL_DEVIATION, RiskBounds.MAX_FILL_DEVIATION);
    }

    /// @dev ParameterBounds.check with this contract's domain error.
    function _bound(bytes32 name, uint256 value, uint256 lo, uint256 hi) private pure {
        ParameterBounds.check(IMarginEngine.EngineParameterOutOfBounds.selector, name, value, lo, hi);
    }
}
