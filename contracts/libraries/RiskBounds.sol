// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RiskBounds
/// @custom:security-contact security@ballast.finance
/// @notice Hard bounds of every market risk and trading parameter, shared by the configurator (which validates
/// governance input) and the engine (which re-validates every value pushed into it). All WAD unless stated.
library RiskBounds {
    /// @notice Lowest maintenance margin ratio: 0.002e18 (0.2%).
    uint256 internal constant MIN_MMR = 0.002e18;
    /// @notice Highest maintenance margin ratio: 0.5e18 (50%).
    uint256 internal constant MAX_MMR = 0.5e18;
    /// @notice Highest initial margin ratio: 1e18 (100%).
    uint256 internal constant MAX_IMR = 1e18;
    /// @notice Highest volatility multiplier: 10e18 (mmr moves 10x the hourly sigma's distance from its reference).
    uint256 internal constant MAX_VOL_MULTIPLIER = 10e18;
    /// @notice Highest reference hourly sigma: 1e18 (100% per hour).
    uint256 internal constant MAX_VOL_REFERENCE = 1e18;
    /// @notice Lowest EWMA decay (lambda): 0.5e18.
    uint256 internal constant MIN_VOL_DECAY = 0.5e18;
    /// @notice Highest EWMA decay (lambda): 0.9999e18.
    uint256 internal constant MAX_VOL_DECAY = 0.9999e18;
    /// @notice Shortest volatility observation interval: 60 seconds.
    uint256 internal constant MIN_OBSERVATION_INTERVAL = 60;
    /// @notice Longest volatility observation interval: 1 day (86,400 seconds).
    uint256 internal constant MAX_OBSERVATION_INTERVAL = 1 days;
    /// @notice Slowest ramp of an effective ratio: 0.0005e18 (0.05 percentage points per hour).
    uint256 internal constant MIN_RATIO_STEP_PER_HOUR = 0.0005e18;
    /// @notice Fastest ramp of an effective ratio: 0.05e18 (5 percentage points per hour).
    uint256 internal constant MAX_RATIO_STEP_PER_HOUR = 0.05e18;
    /// @notice Highest size-scaled initial margin factor: 1e18 (+100% of ratio per base unit of |size|).
    uint256 internal constant MAX_IMR_SIZE_FACTOR = 1e18;
    /// @notice Most margin tiers per market: 4 (bounds the margin loop of a position above the first threshold).
    uint256 internal constant MAX_MARGIN_TIERS = 4;
    /// @notice Lowest margin tier threshold: 1e18 (a notional of 1 cash unit, WAD).
    uint256 internal constant MIN_TIER_THRESHOLD = 1e18;
    /// @notice Highest cumulative maintenance add-on of a margin tier: 0.25e18 (25 percentage points), so the
    /// marginal maintenance ratio stays <= MAX_MMR + 25% = 75% < 100%.
    uint256 internal constant MAX_TIER_MMR_ADD_ON = 0.25e18;
    /// @notice Highest cumulative initial add-on of a margin tier: 0.5e18 (50 percentage points; the initial margin
    /// of a position is capped at its notional).
    uint256 internal constant MAX_TIER_IMR_ADD_ON = 0.5e18;
    /// @notice Lowest funding-rate clamp: 0.0001e18 (0.01% per 8 hours).
    uint256 internal constant MIN_FUNDING_RATE_CAP = 0.0001e18;
    /// @notice Highest funding-rate clamp: 0.05e18 (5% per 8 hours).
    uint256 internal constant MAX_FUNDING_RATE_CAP = 0.05e18;
    /// @notice Narrowest fill price band around the index: 0.001e18 (0.1%).
    uint256 internal constant MIN_FILL_DEVIATION = 0.001e18;
    /// @notice Widest fill price band around the index: 0.5e18 (50%).
    uint256 internal constant MAX_FILL_DEVIATION = 0.5e18;
    /// @notice Cap on one hourly-variance sample: 1e18 (100% hourly sigma, squared) so one jump cannot overflow.
    uint256 internal constant MAX_VARIANCE_SAMPLE = 1e18;
}
