// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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

    /// @dev Reverts `EngineMarketUnknown(marketId)` unless `m` (market `marketId`) is listed.
    function requireListed(EngineStorage.Market storage m, uint256 marketId) internal view {
        if (!m.trading.listed) revert IMarginEngine.EngineMarketUnknown(marketId);
    }

    /// @dev Accrues funding at the stored rate over the time since the last update (at `mark.price`), accumulates
    /// the premium, closes a funding epoch if one ended (setting the next rate from its time-weighted premium),
    /// ramps the effective ratios toward their targets, then moves the premium toward `premiumSample` by
    /// `sampleWeight` [wad, <= 1e18; 0: no sample]: premium += (sample - premium) * weight / 1e18, toward zero.
    /// Writes `mark` back. Returns the cumulative funding index now. A finished ramp stores its targets and clears
    /// `rampActive`; an unfinished one stays a function of time from its start (nothing is re-based, so no rounding
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
                fd.fundingRatePerSecond = (twap / int256(FUNDING_PERIOD)).toInt56();
                pr.accumulator = 0;
                pr.premium = 0;
                pr.epoch = uint32(epoch);
                emit IMarginEngine.FundingRateUpdated(id, twap, fd.fundingRatePerSecond);
            } else {
                pr.accumulator += (int256(pr.premium) * int256(dt)).toInt128();
            }
            if (fd.rampActive) {
                EngineStorage.MarketRamp memory r = m.ramp;
                (uint256 mmr, uint256 imr) = effectiveRatios(m, mark, true);
                if (mmr == r.mmrTarget && imr == r.imrTarget) {
                    (mark.mmr, mark.imr, fd.rampActive) = (r.mmrTarget, r.imrTarget, false);
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
        bool rampActive
    ) internal view returns (uint256 mmr, uint256 imr) {
        if (!rampActive) return (mk.mmr, mk.imr);
        EngineStorage.MarketRamp memory r = m.ramp;
        uint256 step = (uint256(r.maxStepPerHour) * (block.timestamp - r.start)) / 1 hours;
        return (MarginMath.moveTowards(mk.mmr, r.mmrTarget, step), MarginMath.moveTowards(mk.imr, r.imrTarget, step));
    }
}
