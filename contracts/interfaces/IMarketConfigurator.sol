// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEngine} from "./IMarginEngine.sol";

/// @title IMarketConfigurator
/// @custom:security-contact security@ballast.finance
/// @notice Lists perpetual markets, owns their risk and trading parameters and their on-chain volatility
/// estimate, and pushes the resulting margin targets and limits into the margin engine.
/// @dev Volatility-adjusted margin: anyone may record an observation (at most once per `minObservationInterval`).
/// With r the simple return of the fresh oracle price since the previous observation and dt its age in seconds,
/// the hourly variance is the EWMA `v' = lambda * v + (1 - lambda) * min(1e18, r^2 * 3600 / dt)` (rounded up).
/// Targets: `mmrTarget = clamp(mmrBase + volMultiplier * (sqrt(v) - volReference), mmrFloor, mmrCap)` (calm
/// markets fall toward the floor, stressed ones rise toward the cap) and
/// `imrTarget = min(1e18, mmrTarget * imrBase / mmrBase)` (rounded up). The engine ramps its effective ratios
/// toward the targets by at most `maxRatioStepPerHour` per hour. All ratios WAD.
interface IMarketConfigurator {
    /// @notice Risk parameters of a market (all WAD unless stated).
    /// @param mmrBase Maintenance margin ratio before the volatility add-on, in [MIN_MMR, MAX_MMR].
    /// @param imrBase Initial margin ratio before the volatility add-on, in (mmrBase, MAX_IMR].
    /// @param mmrFloor Lowest maintenance ratio target, in [MIN_MMR, mmrBase].
    /// @param mmrCap Highest maintenance ratio target, in [mmrBase, MAX_MMR].
    /// @param volMultiplier Maintenance ratio added per unit of hourly sigma above `volReference` (removed below it),
    /// <= MAX_VOL_MULTIPLIER.
    /// @param volReference Hourly sigma (WAD) at which the maintenance ratio target equals mmrBase, <= MAX_VOL_REFERENCE.
    /// @param volDecay EWMA weight of the previous variance (lambda), in [MIN_VOL_DECAY, MAX_VOL_DECAY].
    /// @param minObservationInterval Seconds between observations, in [MIN_OBSERVATION_INTERVAL, MAX_OBSERVATION_INTERVAL].
    /// @param maxRatioStepPerHour Largest change of an effective ratio per hour, in [MIN_RATIO_STEP_PER_HOUR, MAX_RATIO_STEP_PER_HOUR].
    /// @param imrSizeFactor Initial margin ratio added per base unit of |size|, <= MAX_IMR_SIZE_FACTOR.
    struct RiskParams {
        uint64 mmrBase;
        uint64 imrBase;
        uint64 mmrFloor;
        uint64 mmrCap;
        uint64 volMultiplier;
        uint64 volReference;
        uint64 volDecay;
        uint32 minObservationInterval;
        uint64 maxRatioStepPerHour;
        uint64 imrSizeFactor;
    }

    /// @notice Trading parameters of a market.
    /// @param openInterestCap Largest long open interest, WAD base units, >= 1.
    /// @param maxFundingRatePer8h Largest |funding rate| per 8 hours, WAD, in [MIN_FUNDING_RATE_CAP,
    /// MAX_FUNDING_RATE_CAP] (`maxFundingRate` in the deployment parameter files).
    /// @param maxFillDeviation Largest |fill - index| / index, WAD, in [MIN_FILL_DEVIATION, MAX_FILL_DEVIATION].
    struct TradingParams {
        uint112 openInterestCap;
        uint64 maxFundingRatePer8h;
        uint64 maxFillDeviation;
    }

    /// @notice Volatility estimate of a market.
    /// @param variancePerHour EWMA of hourly return variance, WAD.
    /// @param lastObservation Seconds timestamp of the last observation (listing counts as one).
    /// @param lastPrice Oracle price at the last observation, WAD.
    struct Volatility {
        uint64 variancePerHour;
        uint32 lastObservation;
        uint96 lastPrice;
    }

    /// @notice A parameter is outside its hard bounds.
    error ConfiguratorParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice No market is listed under this id.
    error ConfiguratorMarketUnknown(uint256 marketId);
    /// @notice An observation came before `nextAllowed` (seconds timestamp).
    error ConfiguratorObservationTooSoon(uint256 marketId, uint256 nextAllowed);
    /// @notice A guardian action would loosen a parameter.
    error ConfiguratorGuardianCannotLoosen(bytes32 parameter, uint256 current, uint256 requested);

    /// @notice A market was listed.
    event MarketListed(uint256 indexed marketId, bytes32 oracleAsset, RiskParams risk, TradingParams trading);
    /// @notice A market's risk parameters changed; the new targets (WAD) were pushed to the engine.
    event RiskParamsSet(uint256 indexed marketId, RiskParams risk, uint256 mmrTarget, uint256 imrTarget);
    /// @notice A market's trading parameters changed.
    event TradingParamsSet(uint256 indexed marketId, TradingParams trading);
    /// @notice A volatility observation was recorded and the new targets (WAD) pushed to the engine.
    event VolatilityObserved(
        uint256 indexed marketId,
        uint256 price,
        uint256 variancePerHour,
        uint256 mmrTarget,
        uint256 imrTarget
    );

    /// @notice The market's margin tiers were replaced (targets; the engine ramps increases, see
    /// {IMarginEngine-configureMarket}).
    event MarginTiersSet(uint256 indexed marketId, IMarginEngine.MarginTier[] tiers);

    /// @notice Admin: lists a market priced by `oracleAsset`. Returns the engine's market id.
    /// @dev Reverts `ConfiguratorParameterOutOfBounds` naming the first invalid parameter, or the oracle's error.
    function listMarket(
        bytes32 oracleAsset,
        RiskParams calldata risk,
        TradingParams calldata trading
    ) external returns (uint256 marketId);

    /// @notice Risk manager: sets risk parameters within bounds; the engine ramps to the new targets.
    function setRiskParams(uint256 marketId, RiskParams calldata risk) external;

    /// @notice Risk manager: sets trading parameters within bounds.
    function setTradingParams(uint256 marketId, TradingParams calldata trading) external;

    /// @notice Risk manager: replaces a market's margin tiers by position notional (at most 4; empty clears them)
    /// and pushes them into the engine, which validates them and ramps any increase (see
    /// {IMarginEngine-MarginTier} for the rule and {IMarginEngine-configureMarket} for bounds and ramp).
    /// @dev Reverts `ConfiguratorMarketUnknown` or the engine's `EngineMarginTierOutOfBounds`.
    function setMarginTiers(uint256 marketId, IMarginEngine.MarginTier[] calldata tiers) external;

    /// @notice Guardian: lowers a market's open-interest cap (WAD base units); never raises it.
    function reduceOpenInterestCap(uint256 marketId, uint112 cap) external;

    /// @notice Guardian: makes a market reduce-only.
    function setMarketReduceOnly(uint256 marketId) external;

    /// @notice Risk manager: lifts a market's reduce-only state.
    function clearMarketReduceOnly(uint256 marketId) external;

    /// @notice Anyone: records a volatility observation at the fresh oracle price and pushes the new targets.
    /// @dev Reverts `ConfiguratorObservationTooSoon` within `minObservationInterval` of the previous one, or with
    /// the oracle's error when the price is invalid (a bad price never moves margin).
    function recordObservation(uint256 marketId) external;

    /// @notice The margin engine this configurator drives.
    function engine() external view returns (IMarginEngine);
    /// @notice Risk parameters of `marketId`.
    function riskParams(uint256 marketId) external view returns (RiskParams memory);
    /// @notice Trading parameters of `marketId`.
    function tradingParams(uint256 marketId) external view returns (TradingParams memory);
    /// @notice Volatility estimate of `marketId`.
    function volatility(uint256 marketId) external view returns (Volatility memory);
    /// @notice Margin tiers (targets) of `marketId`; the engine reads them back on every push.
    function marginTiers(uint256 marketId) external view returns (IMarginEngine.MarginTier[] memory);
    /// @notice Oracle asset of `marketId`.
    function oracleAsset(uint256 marketId) external view returns (bytes32);
    /// @notice Current margin targets (WAD) of `marketId` from its parameters and volatility.
    function targets(uint256 marketId) external view returns (uint256 mmrTarget, uint256 imrTarget);
}
