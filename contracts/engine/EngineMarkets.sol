// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title EngineMarkets
/// @custom:security-contact security@ballast.finance
/// @notice The market state machine of the margin engine, written once: funding accrual and premium sampling, and
/// the effective risk ratios of a ramp. Internal functions on a market's storage, compiled into both the engine
/// (trades, updates, margin checks) and its linked library {EngineMarketListing} (configuration, market view).
/// @dev Emits the engine's own events ({IMarginEngine}).
library EngineMarkets {
    using SafeCast for int256;

    /// @notice Length of a funding sampling epoch: 1 hour.
    uint256 internal constant FUNDING_EPOCH = 1 hours;
    /// @notice Period over which a funding rate equal to the premium is paid: 8 hours (BitMEX/dYdX convention).
    uint256 internal constant FUNDING_PERIOD = 8 hours;

    /// @notice `MarketFunding.tierShift` of a market without margin tiers (no notional below 2**164 reaches 2**255).
    uint8 internal constant NO_TIERS = 255;
    /// @dev `MarketFunding.flags` bit: the stored ratios differ from their targets (a ramp is running).
    uint8 internal constant RAMP_ACTIVE = 1;
    /// @dev `MarketFunding.flags` bit: the market has had an automated-deleveraging event.
    uint8 internal constant DELEVERAGED = 2;

    /// @dev Reverts `EngineMarketUnknown(marketId)` unless `m` (market `marketId`) is listed.
    function requireListed(EngineStorage.Market storage m, uint256 marketId) internal view {
        if (!m.trading.listed) revert IMarginEngine.EngineMarketUnknown(marketId);
    }

    /// @dev Accrues funding at the stored rate over the time since the last update (at `mark.price`), accumulates
    /// the premium, closes a funding epoch if one ended (setting the next rate from its time-weighted premium),
    /// ramps the effective ratios toward their targets, then moves the premium toward `premiumSample` by
    /// `sampleWeight` [wad, <= 1e18; 0: no sample]: premium += (sample - premium) * weight / 1e18, toward zero.
    /// Writes `mark` back. Returns the cumulative funding index now. A finished ramp stores its targets and clears
    /// the RAMP_ACTIVE flag; an unfinished one stays a function of time from its start (nothing is re-based, so no rounding
    /// depends on when updates happen).
    function update(
        uint256 id,
        EngineStorage.Market storage m,
        EngineStorage.MarketMark memory mark,
        int256 premiumSample,
        uint256 sampleWeight
    ) internal returns (int256 cumulativeFunding) {
        EngineStorage.MarketFunding memory fd = m.funding;
        uint256 dt = block.timestamp - fd.timestamp;
        if (dt == 0 && sampleWeight == 0) return fd.cumulativeFunding;
        EngineStorage.MarketPremium memory pr = m.premium;
        if (dt > 0) {
            fd.cumulativeFunding = MarginMath
                .fundingIndexAt(fd.cumulativeFunding, fd.fundingRatePerSecond, mark.price, dt)
                .toInt96();
            uint256 epoch = block.timestamp / FUNDING_EPOCH;
            if (epoch > pr.epoch) {
                int256 twap;
                // Only the epoch that just ended can have a non-zero premium: an epoch without fills samples zero.
                if (epoch == uint256(pr.epoch) + 1) {
                    int256 acc = pr.accumulator + int256(pr.premium) * int256(epoch * FUNDING_EPOCH - fd.timestamp);
                    twap = acc / int256(FUNDING_EPOCH);
                }
                int256 cap = int256(uint256(m.trading.maxFundingRatePer8h));
                if (twap > cap) twap = cap;
                if (twap < -cap) twap = -cap;
                fd.fundingRatePerSecond = (twap / int256(FUNDING_PERIOD)).toInt48();
                pr.accumulator = 0;
                pr.premium = 0;
                pr.epoch = uint32(epoch);
                emit IMarginEngine.FundingRateUpdated(id, twap, fd.fundingRatePerSecond);
            } else {
                pr.accumulator += (int256(pr.premium) * int256(dt)).toInt128();
            }
            if (fd.flags & RAMP_ACTIVE != 0) {
                EngineStorage.MarketRamp memory r = m.ramp;
                (uint256 mmr, uint256 imr) = effectiveRatios(m, mark, fd.flags);
                if (mmr == r.mmrTarget && imr == r.imrTarget) {
                    (mark.mmr, mark.imr, fd.flags) = (r.mmrTarget, r.imrTarget, fd.flags & ~RAMP_ACTIVE);
                }
            }
            fd.timestamp = uint32(block.timestamp);
            m.funding = fd;
            m.mark = mark;
        }
        if (sampleWeight != 0) {
            // |sample - premium| <= 2 * MAX_FILL_DEVIATION and weight <= 1e18: the product fits easily.
            pr.premium = (pr.premium + ((premiumSample - pr.premium) * int256(sampleWeight)) / 1e18).toInt64();
        }
        m.premium = pr;
        return fd.cumulativeFunding;
    }

    /// @dev Effective (mmr, imr) [wad] of market `m` now, given its stored mark and ramp flag: the ratios stored at
    /// the ramp's start moved toward the targets by floor(maxStepPerHour * (now - start) / 1 h), never past them.
    /// A pure function of block time between two configurations (issue #11 class 6): checks, views, the lens and
    /// the next update all see the same value, and it never jumps when the market is next updated.
    function effectiveRatios(
        EngineStorage.Market storage m,
        EngineStorage.MarketMark memory mk,
        uint8 flags
    ) internal view returns (uint256 mmr, uint256 imr) {
        if (flags & RAMP_ACTIVE == 0) return (mk.mmr, mk.imr);
        EngineStorage.MarketRamp memory r = m.ramp;
        uint256 step = (uint256(r.maxStepPerHour) * (block.timestamp - r.start)) / 1 hours;
        return (MarginMath.moveTowards(mk.mmr, r.mmrTarget, step), MarginMath.moveTowards(mk.imr, r.imrTarget, step));
    }

    /// @dev Step [wad] of market `m`'s tier ramp now: floor(stepPerHour * (now - start) / 1 h).
    function tierStep(EngineStorage.MarketTiers storage ts) internal view returns (uint256) {
        return (uint256(ts.stepPerHour) * (block.timestamp - ts.start)) / 1 hours;
    }

    /// @dev Add-ons [wad] of tier `t` in force given the tier ramp's `step` [wad]: min(target, start + step) each
    /// (start <= target by construction: the ramp only raises).
    function tierAddOns(
        EngineStorage.MarketTier storage t,
        uint256 step
    ) internal view returns (uint256 mmrAddOn, uint256 imrAddOn) {
        mmrAddOn = Math.min(t.mmrAddOn, t.mmrFrom + step);
        imrAddOn = Math.min(t.imrAddOn, t.imrFrom + step);
    }

    /// @dev Sum of market `m`'s margin tier terms at `notional` [wad cash] for maintenance and initial margin, with
    /// the add-ons in force now: sum over tiers with threshold T_i <= notional of (A_i - A_(i-1)) * (notional - T_i)
    /// [wad cash * wad]. Reads the tiers up to the first one above the notional.
    function tierTerms(
        EngineStorage.Market storage m,
        uint256 notional
    ) internal view returns (uint256 mmTerms, uint256 imTerms) {
        EngineStorage.MarketTiers storage ts = m.tiers;
        uint256 n = ts.count;
        uint256 step = tierStep(ts);
        uint256 prevM;
        uint256 prevI;
        for (uint256 i; i < n; ++i) {
            EngineStorage.MarketTier storage t = ts.tier[i];
            uint256 threshold = t.threshold;
            if (notional < threshold) break;
            (uint256 am, uint256 ai) = tierAddOns(t, step);
            // Cannot underflow or overflow: add-ons in force are non-decreasing across tiers (setTiers), below
            // 2**64, and notional - threshold < 2**164, so each term is below 2**228 and their sum below 2**230.
            unchecked {
                mmTerms += (am - prevM) * (notional - threshold);
                imTerms += (ai - prevI) * (notional - threshold);
            }
            (prevM, prevI) = (am, ai);
        }
    }

    /// @dev Value of position `pos` (settled with its side's ADL index) in market `m` (funding slot `fd`) at `price`,
    /// with funding accrued to now at that price, and its maintenance and initial margin at the effective ratios now
    /// (`mk`: the market's mark, for its ratios) and the market's margin tiers, read only when the notional N has N >>
    /// tierShift != 0 (N >= 2**floor(log2(first threshold))): a position below half the first threshold reads no tier
    /// slot.
    function positionMargin(
        EngineStorage.Position memory pos,
        EngineStorage.Market storage m,
        EngineStorage.MarketFunding memory fd,
        EngineStorage.MarketMark memory mk,
        uint256 price
    ) internal view returns (int256 value, uint256 mm, uint256 im) {
        value = MarginMath.positionValue(
            pos.size,
            pos.basis,
            price,
            MarginMath.fundingIndexAt(fd.cumulativeFunding, fd.fundingRatePerSecond, price, block.timestamp - fd.timestamp)
        );
        uint256 notional = MarginMath.notionalUp(pos.size, price);
        // The tier add-ons' terms, in (mm, im) until marginsUp adds the base ratios to them.
        if (notional >> fd.tierShift != 0) (mm, im) = tierTerms(m, notional);
        (uint256 mmr, uint256 imr) = effectiveRatios(m, mk, fd.flags);
        (mm, im) = MarginMath.marginsUp(notional, mmr, MarginMath.initialMarginRatio(pos.size, imr, fd.imrSizeFactor), mm, im);
    }
}
