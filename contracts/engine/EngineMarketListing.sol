// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IMarketConfigurator} from "../interfaces/IMarketConfigurator.sol";
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
        m.funding = EngineStorage.MarketFunding(0, 0, 0, EngineMarkets.NO_TIERS, uint32(block.timestamp), s.imrSizeFactor);
        m.premium = EngineStorage.MarketPremium(0, 0, uint32(block.timestamp / EngineMarkets.FUNDING_EPOCH));
        m.trading = EngineStorage.MarketTrading(s.openInterestCap, s.maxFundingRatePer8h, s.maxFillDeviation, true, false);
        emit IMarginEngine.MarketListed(marketId, oracleAsset, s);
        setTiers(m, marketId, IMarketConfigurator(msg.sender).marginTiers(marketId));
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
        (uint256 mmr, uint256 imr) = EngineMarkets.effectiveRatios(m, m.mark, fd.flags);
        m.mark.mmr = uint64(mmr);
        m.mark.imr = uint64(imr);
        m.ramp = EngineStorage.MarketRamp(s.mmrTarget, s.imrTarget, s.maxStepPerHour, uint32(block.timestamp));
        fd.flags =
            (fd.flags & ~EngineMarkets.RAMP_ACTIVE) | (mmr != s.mmrTarget || imr != s.imrTarget ? EngineMarkets.RAMP_ACTIVE : 0);
        fd.imrSizeFactor = s.imrSizeFactor;
        EngineStorage.MarketTrading storage t = m.trading;
        t.openInterestCap = s.openInterestCap;
        t.maxFundingRatePer8h = s.maxFundingRatePer8h;
        t.maxFillDeviation = s.maxFillDeviation;
        emit IMarginEngine.MarketConfigured(marketId, s);
        setTiers(m, marketId, IMarketConfigurator(msg.sender).marginTiers(marketId));
    }

    /// @notice Replaces market `marketId`'s margin tiers with `tiers`, read back from the configurator (the caller:
    /// msg.sender is kept by the DELEGATECALL) by {list} and {configure}; see {IMarginEngine-configureMarket}.
    /// @dev Each new tier's add-ons start at min(target, the add-on in force now under the old tiers at the new
    /// tier's threshold) and ramp up at the market's maxStepPerHour (snapshotted): the add-on in force at every
    /// notional is then never above the old one at the start, so no requirement jumps up, while every decrease
    /// applies at once. Start values and targets are non-decreasing across tiers and mmr <= imr add-on at each, so
    /// the effective table keeps these orders during the ramp (moveTowards is monotone in both arguments), and the
    /// maintenance requirement stays at or below the initial one at every notional. A market without open interest
    /// (no position) takes the targets at once.
    function setTiers(EngineStorage.Market storage m, uint256 marketId, IMarginEngine.MarginTier[] memory tiers) internal {
        uint256 n = tiers.length;
        if (n > RiskBounds.MAX_MARGIN_TIERS) {
            revert IMarginEngine.EngineMarginTierOutOfBounds(n, "count", n, 0, RiskBounds.MAX_MARGIN_TIERS);
        }
        EngineStorage.MarketTiers storage ts = m.tiers;
        // The old tiers in force now, read before any write.
        uint256 oldCount = ts.count;
        uint256[3][4] memory old;
        {
            uint256 step = EngineMarkets.tierStep(ts);
            for (uint256 j; j < oldCount; ++j) {
                EngineStorage.MarketTier storage t = ts.tier[j];
                old[j][0] = t.threshold;
                (old[j][1], old[j][2]) = EngineMarkets.tierAddOns(t, step);
            }
        }
        bool fresh = m.oi.longOpenInterest == 0;
        uint256 maxGap;
        for (uint256 i; i < n; ++i) {
            IMarginEngine.MarginTier memory x = tiers[i];
            uint256 threshold = x.notionalThreshold;
            uint256 prevThreshold = i == 0 ? RiskBounds.MIN_TIER_THRESHOLD - 1 : tiers[i - 1].notionalThreshold;
            uint256 prevM = i == 0 ? 0 : tiers[i - 1].mmrAddOn;
            uint256 prevI = i == 0 ? 0 : tiers[i - 1].imrAddOn;
            _tierBound(i, "notionalThreshold", threshold, prevThreshold + 1, type(uint128).max);
            _tierBound(i, "mmrAddOn", x.mmrAddOn, prevM, RiskBounds.MAX_TIER_MMR_ADD_ON);
            _tierBound(i, "imrAddOn", x.imrAddOn, Math.max(prevI, x.mmrAddOn), RiskBounds.MAX_TIER_IMR_ADD_ON);
            (uint256 fromM, uint256 fromI) = (x.mmrAddOn, x.imrAddOn);
            if (!fresh) {
                // The add-on in force now at this threshold: the highest old tier at or below it (0 below all).
                uint256 oldM;
                uint256 oldI;
                for (uint256 j; j < oldCount && old[j][0] <= threshold; ++j) (oldM, oldI) = (old[j][1], old[j][2]);
                fromM = Math.min(fromM, oldM);
                fromI = Math.min(fromI, oldI);
            }
            maxGap = Math.max(maxGap, Math.max(x.mmrAddOn - fromM, x.imrAddOn - fromI));
            ts.tier[i] = EngineStorage.MarketTier(uint128(threshold), x.mmrAddOn, x.imrAddOn, uint64(fromM), uint64(fromI));
        }
        uint64 stepPerHour = m.ramp.maxStepPerHour;
        (ts.count, ts.start, ts.stepPerHour, ts.maxGap) = (uint8(n), uint32(block.timestamp), stepPerHour, uint64(maxGap));
        m.funding.tierShift = n == 0 ? EngineMarkets.NO_TIERS : uint8(Math.log2(tiers[0].notionalThreshold));
        if (n != 0 || oldCount != 0) emit IMarginEngine.MarketMarginTiersSet(marketId, tiers, block.timestamp, stepPerHour);
    }

    /// @notice Sets or clears listed market `marketId`'s reduce-only state (see {IMarginEngine-setMarketReduceOnly}).
    function setReduceOnly(EngineStorage.Market storage m, uint256 marketId, bool reduceOnly) external {
        EngineMarkets.requireListed(m, marketId);
        m.trading.reduceOnly = reduceOnly;
        emit IMarginEngine.MarketReduceOnlySet(marketId, reduceOnly);
    }

    /// @notice Registers or removes `venue` (see {IMarginEngine-setVenue}).
    function setVenue(mapping(address => bool) storage isVenue, address venue, bool allowed) external {
        if (venue == address(0)) revert IMarginEngine.EngineZeroAddress();
        isVenue[venue] = allowed;
        emit IMarginEngine.VenueSet(venue, allowed);
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

    /// @dev Reverts `EngineMarginTierOutOfBounds(index, name, value, lo, hi)` unless lo <= value <= hi.
    function _tierBound(uint256 index, bytes32 name, uint256 value, uint256 lo, uint256 hi) private pure {
        if (value < lo || value > hi) revert IMarginEngine.EngineMarginTierOutOfBounds(index, name, value, lo, hi);
    }

    /// @dev ParameterBounds.check with this contract's domain error.
    function _bound(bytes32 name, uint256 value, uint256 lo, uint256 hi) private pure {
        ParameterBounds.check(IMarginEngine.EngineParameterOutOfBounds.selector, name, value, lo, hi);
    }
}
