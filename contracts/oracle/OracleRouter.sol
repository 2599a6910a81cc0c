// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";

/// @title OracleRouter
/// @custom:security-contact security@ballast.finance
/// @notice Validating router over Chainlink feeds. See {IOracleRouter}.
contract OracleRouter is IOracleRouter, AccessManaged {
    using WadMath for uint256;

    /// @notice Shortest accepted heartbeat: 1 minute.
    uint256 public constant MIN_HEARTBEAT = ParameterBounds.MIN_HEARTBEAT;
    /// @notice Longest accepted heartbeat: 2 days (Chainlink's longest mainnet heartbeats are 24 h).
    uint256 public constant MAX_HEARTBEAT = ParameterBounds.MAX_HEARTBEAT;
    /// @notice Largest accepted primary/secondary deviation bound: 0.2e18 (20%).
    uint256 public constant MAX_DEVIATION = ParameterBounds.MAX_DEVIATION;
    /// @notice Longest accepted sequencer grace period: 1 day.
    uint256 public constant MAX_SEQUENCER_GRACE_PERIOD = ParameterBounds.MAX_SEQUENCER_GRACE_PERIOD;

    /// @dev One feed, packed in one slot: address (160) + heartbeat (32) + decimals (8).
    struct Feed {
        AggregatorV3Interface aggregator;
        uint32 heartbeat;
        uint8 decimals;
    }

    /// @dev Per asset: primary feed, bounds and deviation (one slot), secondary feed.
    struct AssetFeeds {
        Feed primary;
        uint96 minPrice;
        uint96 maxPrice;
        uint64 maxDeviation;
        Feed secondary;
    }

    mapping(bytes32 asset => AssetFeeds) internal _feeds;
    AggregatorV3Interface internal _sequencerFeed;
    uint32 internal _sequencerGracePeriod;

    /// @param accessManager The OpenZeppelin AccessManager that authorises restricted functions.
    constructor(address accessManager) AccessManaged(accessManager) {}

    // ------------------------------------------------------------------ admin

    /// @inheritdoc IOracleRouter
    function setFeed(bytes32 asset, FeedConfig calldata config) external restricted {
        if (address(config.primary) == address(0)) revert OracleInvalidConfig(asset, "primary");
        _checkHeartbeat(asset, config.primaryHeartbeat);
        if (config.minPrice == 0 || config.minPrice >= config.maxPrice) revert OracleInvalidConfig(asset, "bounds");
        AssetFeeds storage f = _feeds[asset];
        f.primary = Feed(config.primary, config.primaryHeartbeat, _decimals(config.primary));
        f.minPrice = config.minPrice;
        f.maxPrice = config.maxPrice;
        if (address(config.secondary) != address(0)) {
            _checkHeartbeat(asset, config.secondaryHeartbeat);
            if (config.maxDeviation == 0 || config.maxDeviation > MAX_DEVIATION) {
                revert OracleInvalidConfig(asset, "maxDeviation");
            }
            f.secondary = Feed(config.secondary, config.secondaryHeartbeat, _decimals(config.secondary));
            f.maxDeviation = config.maxDeviation;
        } else {
            delete f.secondary;
            f.maxDeviation = 0;
        }
        emit FeedSet(asset, config);
    }

    /// @inheritdoc IOracleRouter
    function removeFeed(bytes32 asset) external restricted {
        if (address(_feeds[asset].primary.aggregator) == address(0)) revert OracleAssetUnknown(asset);
        delete _feeds[asset];
        emit FeedRemoved(asset);
    }

    /// @inheritdoc IOracleRouter
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriod) external restricted {
        if (gracePeriod > MAX_SEQUENCER_GRACE_PERIOD) revert OracleInvalidConfig(bytes32(0), "gracePeriod");
        _sequencerFeed = feed;
        _sequencerGracePeriod = gracePeriod;
        emit SequencerFeedSet(address(feed), gracePeriod);
    }

    // ------------------------------------------------------------------ reads

    /// @inheritdoc IOracleRouter
    function getPrice(bytes32 asset) public view returns (uint256 price) {
        _checkSequencer();
        AssetFeeds storage f = _feeds[asset];
        Feed memory primary = f.primary;
        if (address(primary.aggregator) == address(0)) revert OracleAssetUnknown(asset);
        (price, ) = _read(asset, primary);
        if (price < f.minPrice || price > f.maxPrice) {
            revert OraclePriceOutOfBounds(asset, price, f.minPrice, f.maxPrice);
        }
        // maxDeviation is non-zero exactly when a secondary feed is set (it shares the bounds slot just read).
        if (f.maxDeviation != 0) {
            (uint256 second, ) = _read(asset, f.secondary);
            if (second < f.minPrice || second > f.maxPrice) {
                revert OraclePriceOutOfBounds(asset, second, f.minPrice, f.maxPrice);
            }
            uint256 diff = price > second ? price - second : second - price;
            // Deviation relative to the primary price, rounded up so the bound is never exceeded silently.
            if (diff.divWadUp(price) > f.maxDeviation) {
                revert OracleDeviationTooLarge(asset, price, second, f.maxDeviation);
            }
        }
    }

    /// @inheritdoc IOracleRouter
    function priceValidity(bytes32 asset) external view returns (bool valid, uint256 freshSince, uint256 freshUntil) {
        try this.getPrice(asset) returns (uint256) {
            (freshSince, freshUntil) = priceWindow(asset);
            valid = true;
        } catch {
            return (false, 0, 0);
        }
    }

    /// @inheritdoc IOracleRouter
    function priceWindow(bytes32 asset) public view returns (uint256 freshSince, uint256 freshUntil) {
        AssetFeeds storage f = _feeds[asset];
        (freshSince, freshUntil) = _window(f.primary);
        if (f.maxDeviation != 0) {
            (uint256 since2, uint256 until2) = _window(f.secondary);
            freshSince = WadMath.max(freshSince, since2);
            freshUntil = WadMath.min(freshUntil, until2);
        }
    }

    /// @inheritdoc IOracleRouter
    function sequencerState() external view returns (bool configured, bool up, uint256 changedAt, uint256 gracePeriod) {
        AggregatorV3Interface seq = _sequencerFeed;
        if (address(seq) == address(0)) return (false, true, 0, 0);
        (, int256 answer, uint256 startedAt, , ) = seq.latestRoundData();
        return (true, answer == 0, startedAt, _sequencerGracePeriod);
    }

    /// @inheritdoc IOracleRouter
    function feedConfig(bytes32 asset) external view returns (FeedConfig memory config) {
        AssetFeeds storage f = _feeds[asset];
        config = FeedConfig({
            primary: f.primary.aggregator,
            primaryHeartbeat: f.primary.heartbeat,
            secondary: f.secondary.aggregator,
            secondaryHeartbeat: f.secondary.heartbeat,
            maxDeviation: f.maxDeviation,
            minPrice: f.minPrice,
            maxPrice: f.maxPrice
        });
    }

    /// @inheritdoc IOracleRouter
    function sequencerFeed() external view returns (AggregatorV3Interface feed, uint256 gracePeriod) {
        return (_sequencerFeed, _sequencerGracePeriod);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reads and validates one feed; returns the WAD price and the round's `updatedAt`.
    function _read(bytes32 asset, Feed memory feed) internal view returns (uint256 price, uint256 updatedAt) {
        (uint80 roundId, int256 answer, , uint256 updated, uint80 answeredInRound) = feed.aggregator.latestRoundData();
        if (updated == 0 || answeredInRound < roundId) {
            revert OracleIncompleteRound(asset, address(feed.aggregator), roundId, answeredInRound, updated);
        }
        if (answer <= 0) revert OracleNonPositivePrice(asset, address(feed.aggregator), answer);
        if (updated + feed.heartbeat < block.timestamp) {
            revert OracleStalePrice(asset, address(feed.aggregator), updated, feed.heartbeat);
        }
        // Exact: decimals <= 18 is enforced when the feed is set.
        price = uint256(answer) * 10 ** (18 - feed.decimals);
        updatedAt = updated;
    }

    /// @dev The freshness window [updatedAt, updatedAt + heartbeat] of one feed's latest round.
    function _window(Feed memory feed) internal view returns (uint256 since, uint256 until) {
        (, , , uint256 updated, ) = feed.aggregator.latestRoundData();
        return (updated, updated + feed.heartbeat);
    }

    /// @dev Reverts unless the sequencer (when configured) is up and past its grace period.
    function _checkSequencer() internal view {
        AggregatorV3Interface seq = _sequencerFeed;
        if (address(seq) == address(0)) return;
        (, int256 answer, uint256 startedAt, , ) = seq.latestRoundData();
        if (startedAt == 0) revert OracleSequencerInvalidRound(address(seq));
        if (answer != 0) revert OracleSequencerDown(address(seq));
        if (block.timestamp - startedAt <= _sequencerGracePeriod) {
            revert OracleSequencerGracePeriod(startedAt, _sequencerGracePeriod);
        }
    }

    function _checkHeartbeat(bytes32 asset, uint256 heartbeat) internal pure {
        if (heartbeat < MIN_HEARTBEAT || heartbeat > MAX_HEARTBEAT) revert OracleInvalidConfig(asset, "heartbeat");
    }

    function _decimals(AggregatorV3Interface feed) internal view returns (uint8 d) {
        d = feed.decimals();
        if (d > 18) revert OracleUnsupportedDecimals(address(feed), d);
    }
}
