// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title IOracleRouter
/// @custom:security-contact security@ballast.finance
/// @notice Reads Chainlink `AggregatorV3Interface` feeds for every asset Ballast prices, validates them and
/// returns prices in WAD (cash per 1 unit of the asset, 1e18 = 1 cash unit).
/// @dev Validation order for `getPrice`: L2 sequencer (down, then grace period), then the primary feed
/// (incomplete round, non-positive answer, staleness, bounds), then the optional secondary feed (the same four
/// checks) and the deviation between the two. Every failure reverts with its own error; nothing returns a default.
interface IOracleRouter {
    /// @notice Configuration of one asset's feeds, as passed to `setFeed`.
    /// @param primary The feed whose answer is returned.
    /// @param primaryHeartbeat Seconds after `updatedAt` beyond which the primary answer is stale.
    /// @param secondary Optional second feed (address(0) for none) used only as a cross-check.
    /// @param secondaryHeartbeat Staleness bound of the secondary feed, seconds.
    /// @param maxDeviation Largest accepted |primary - secondary| / primary, WAD (0.02e18 = 2%).
    /// @param minPrice Smallest accepted normalised price, WAD.
    /// @param maxPrice Largest accepted normalised price, WAD.
    struct FeedConfig {
        AggregatorV3Interface primary;
        uint32 primaryHeartbeat;
        AggregatorV3Interface secondary;
        uint32 secondaryHeartbeat;
        uint64 maxDeviation;
        uint96 minPrice;
        uint96 maxPrice;
    }

    /// @notice The asset has no feed configured.
    error OracleAssetUnknown(bytes32 asset);
    /// @notice The round is incomplete: `updatedAt` is zero or the answer was carried over from an older round.
    error OracleIncompleteRound(bytes32 asset, address feed, uint80 roundId, uint80 answeredInRound, uint256 updatedAt);
    /// @notice The feed answered zero or a negative number.
    error OracleNonPositivePrice(bytes32 asset, address feed, int256 answer);
    /// @notice The feed's last update is older than its heartbeat allows.
    error OracleStalePrice(bytes32 asset, address feed, uint256 updatedAt, uint256 heartbeat);
    /// @notice The normalised price is outside the configured bounds.
    error OraclePriceOutOfBounds(bytes32 asset, uint256 price, uint256 minPrice, uint256 maxPrice);
    /// @notice Primary and secondary feeds disagree by more than `maxDeviation`.
    error OracleDeviationTooLarge(bytes32 asset, uint256 primaryPrice, uint256 secondaryPrice, uint256 maxDeviation);
    /// @notice The L2 sequencer-uptime feed reports the sequencer down.
    error OracleSequencerDown(address sequencerFeed);
    /// @notice The L2 sequencer came back up `gracePeriod` seconds ago or less (Chainlink's convention); prices are
    /// accepted from `upSince + gracePeriod + 1`.
    error OracleSequencerGracePeriod(uint256 upSince, uint256 gracePeriod);
    /// @notice The sequencer-uptime feed returned an invalid round (startedAt == 0).
    error OracleSequencerInvalidRound(address sequencerFeed);
    /// @notice A feed configuration is invalid; `reason` names the field.
    error OracleInvalidConfig(bytes32 asset, string reason);
    /// @notice A feed reports more than 18 decimals.
    error OracleUnsupportedDecimals(address feed, uint8 decimals);

    /// @notice Emitted when an asset's feeds are set or replaced.
    event FeedSet(bytes32 indexed asset, FeedConfig config);
    /// @notice Emitted when an asset's feeds are removed.
    event FeedRemoved(bytes32 indexed asset);
    /// @notice Emitted when the sequencer-uptime feed or its grace period changes (feed 0 disables the check).
    event SequencerFeedSet(address indexed sequencerFeed, uint256 gracePeriod);

    /// @notice Sets (or replaces) the feeds of `asset`.
    /// @dev Reverts with `OracleInvalidConfig` on a zero primary feed, a heartbeat outside
    /// [`MIN_HEARTBEAT`, `MAX_HEARTBEAT`], minPrice == 0 or minPrice >= maxPrice, a secondary feed without a heartbeat,
    /// or `maxDeviation` outside (0, `MAX_DEVIATION`]; with `OracleUnsupportedDecimals` when a feed has more than
    /// 18 decimals. Admin only.
    /// @param asset The asset key, for example `bytes32("ETH/USD")`.
    /// @param config The feeds and their bounds.
    function setFeed(bytes32 asset, FeedConfig calldata config) external;

    /// @notice Removes the feeds of `asset`; later reads revert with `OracleAssetUnknown`. Admin only.
    /// @param asset The asset key.
    function removeFeed(bytes32 asset) external;

    /// @notice Sets the L2 sequencer-uptime feed (address(0) disables the check) and its grace period.
    /// @dev Grace period bounded by `MAX_SEQUENCER_GRACE_PERIOD`. Admin only.
    /// @param sequencerFeed Chainlink sequencer-uptime feed (answer 0 = up, 1 = down).
    /// @param gracePeriod Seconds after the sequencer comes back up during which prices are refused.
    function setSequencerFeed(AggregatorV3Interface sequencerFeed, uint32 gracePeriod) external;

    /// @notice The validated price of `asset`.
    /// @dev Reverts with the error of the first failed check (see the contract notice). Answers are normalised
    /// to WAD exactly: `answer * 10**(18 - decimals)`.
    /// @param asset The asset key.
    /// @return price Cash per 1 unit of the asset, WAD.
    function getPrice(bytes32 asset) external view returns (uint256 price);

    /// @notice Whether `getPrice(asset)` would succeed now, and its feeds' freshness window.
    /// @dev Never reverts. `freshSince` is the latest `updatedAt` of the asset's feeds (each has been fresh since
    /// then); `freshUntil` the earliest heartbeat expiry. The sequencer is not folded in: see `sequencerState`. A
    /// consumer that measures "valid time" (the auction clock) counts only time it can prove valid from both.
    /// @param asset The asset key.
    /// @return valid True when `getPrice(asset)` would not revert (sequencer included).
    /// @return freshSince Seconds timestamp of the feeds' latest update (0 when not valid).
    /// @return freshUntil Seconds timestamp at which a feed becomes stale unless it updates (0 when not valid).
    function priceValidity(bytes32 asset) external view returns (bool valid, uint256 freshSince, uint256 freshUntil);

    /// @notice The L2 sequencer as the router sees it (never reverts).
    /// @return configured A sequencer-uptime feed is set.
    /// @return up The feed reports the sequencer up.
    /// @return changedAt Timestamp of the feed's latest status change (`startedAt`): up since, or down since.
    /// @return gracePeriod Seconds after coming up during which prices are refused (valid from changedAt + grace + 1).
    function sequencerState() external view returns (bool configured, bool up, uint256 changedAt, uint256 gracePeriod);

    /// @notice The freshness window of `asset`'s feeds without validating them: the latest `updatedAt` of its feeds
    /// and the earliest heartbeat expiry. For callers that have just validated the price (a `getPrice` in the same
    /// transaction).
    function priceWindow(bytes32 asset) external view returns (uint256 freshSince, uint256 freshUntil);

    /// @notice The feed configuration of `asset` (zero values when unknown).
    function feedConfig(bytes32 asset) external view returns (FeedConfig memory config);

    /// @notice The sequencer-uptime feed (address(0) when disabled) and its grace period in seconds.
    function sequencerFeed() external view returns (AggregatorV3Interface feed, uint256 gracePeriod);
}
