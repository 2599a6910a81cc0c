// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ParameterBounds} from "../libraries/ParameterBounds.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";

/// @title AuctionGovernance
/// @custom:security-contact security@ballast.finance
/// @notice The governed side of {LiquidationAuction}: versioned auction parameter sets, the circuit breakers' caps
/// and the stop level, with every hard bound declared once here. A linked library (external functions run by
/// DELEGATECALL on the auction's storage), so the auction contract keeps room under the EIP-170 size limit while
/// only governance calls pay the library call; the auction's `restricted` entry points authorise every caller.
/// @dev Reverts and events are the auction's own ({ILiquidationAuction}).
library AuctionGovernance {
    uint256 internal constant WAD = 1e18;

    // ------------------------------------------------------------------ hard bounds of the parameters
    /// @notice startPrice in [0.8e18, 1e18] (80% .. 100% of mark-to-market value).
    uint256 internal constant MIN_START_PRICE = 0.8e18;
    /// @notice floorPrice >= 0.1e18 (10% of mark-to-market value).
    uint256 internal constant MIN_FLOOR_PRICE = 0.1e18;
    /// @notice Phase durations in [1 minute, 1 day].
    uint256 internal constant MIN_DURATION = 1 minutes;
    /// @notice Phase durations in [1 minute, 1 day].
    uint256 internal constant MAX_DURATION = 1 days;
    /// @notice insolventBonus <= 0.5e18 (50% of R).
    uint256 internal constant MAX_INSOLVENT_BONUS = 0.5e18;
    /// @notice bufferRatio <= 1e18 (restore up to 2x maintenance margin).
    uint256 internal constant MAX_BUFFER_RATIO = 1e18;
    /// @notice penaltyRate <= 0.5e18 (50% of R).
    uint256 internal constant MAX_PENALTY_RATE = 0.5e18;
    /// @notice tipRate <= 0.5e18 (50% of the shortfall).
    uint256 internal constant MAX_TIP_RATE = 0.5e18;
    /// @notice flatTip <= 1,000e18 (1,000 cash units).
    uint256 internal constant MAX_FLAT_TIP = 1_000e18;
    /// @notice dustMargin <= 100,000e18 (100,000 cash units).
    uint256 internal constant MAX_DUST_MARGIN = 100_000e18;
    /// @notice tipBaseFee <= 10,000 gwei (a base fee above any seen on Ethereum; 0 turns the scaling off).
    uint256 internal constant MAX_TIP_BASE_FEE = 10_000;
    /// @notice Highest stop level (3, `StopLevel.Halted`: no starts, restarts or bids).
    uint8 internal constant MAX_STOP_LEVEL = uint8(ILiquidationAuction.StopLevel.Halted);
    /// @notice Highest stop level the guardian may set (2, `StopLevel.NoNewAuctionsOrRestarts`: bids continue).
    uint8 internal constant GUARDIAN_MAX_STOP_LEVEL = uint8(ILiquidationAuction.StopLevel.NoNewAuctionsOrRestarts);

    /// @dev Global running shortfall and its cap [wad], the stop level, and when stop level Halted last ended [unix
    /// seconds; 0 never], in one slot (read by every start and bid anyway). `stopLevel` is an
    /// `ILiquidationAuction.StopLevel` stored as its integer and compared with `uint8(StopLevel.X)` (compile-time
    /// constants): an enum-typed field makes the compiler range-check it on each of the auction's four copies of the
    /// breaker to memory (LiquidationAuction 370 bytes and this library 93 bytes larger) for a value only
    /// `setStopLevel` and `raiseStopLevel` write, after their own bound checks.
    struct Breaker {
        uint104 shortfall;
        uint104 cap;
        uint8 stopLevel;
        uint32 haltEndedAt;
    }

    /// @dev Per-market running shortfall and cap [wad].
    struct MarketBreaker {
        uint128 shortfall;
        uint128 cap;
    }

    /// @notice Checks `p` against the hard bounds and stores it as version `version + 1`; returns that version.
    /// @dev Earlier versions are never overwritten: auctions already running keep the version they started with
    /// (issue #11 class 7). Reverts `AuctionParameterOutOfBounds(name, value, min, max)` on the first bad field.
    /// `encoded` is the ABI encoding of the parameter set (`setParams`' calldata after its selector); a value too
    /// wide for its field reverts without data, as the auction's own decoding of it would.
    function setParams(
        mapping(uint256 => ILiquidationAuction.AuctionParams) storage paramsAt,
        uint32 version,
        bytes calldata encoded
    ) external returns (uint32 next) {
        ILiquidationAuction.AuctionParams memory p = abi.decode(encoded, (ILiquidationAuction.AuctionParams));
        _bound("startPrice", p.startPrice, MIN_START_PRICE, WAD);
        _bound("fastPrice", p.fastPrice, MIN_FLOOR_PRICE, p.startPrice);
        _bound("floorPrice", p.floorPrice, MIN_FLOOR_PRICE, p.fastPrice);
        _bound("fastDuration", p.fastDuration, MIN_DURATION, MAX_DURATION);
        _bound("slowDuration", p.slowDuration, MIN_DURATION, MAX_DURATION);
        _bound("insolventDuration", p.insolventDuration, MIN_DURATION, MAX_DURATION);
        _bound("insolventBonus", p.insolventBonus, 0, MAX_INSOLVENT_BONUS);
        _bound("bufferRatio", p.bufferRatio, 0, MAX_BUFFER_RATIO);
        _bound("penaltyRate", p.penaltyRate, 0, MAX_PENALTY_RATE);
        _bound("insuranceShare", p.insuranceShare, 0, WAD);
        _bound("tipRate", p.tipRate, 0, MAX_TIP_RATE);
        _bound("flatTip", p.flatTip, 0, MAX_FLAT_TIP);
        _bound("dustMargin", p.dustMargin, 0, MAX_DUST_MARGIN);
        _bound("tipBaseFee", p.tipBaseFee, 0, MAX_TIP_BASE_FEE);
        next = version + 1;
        paramsAt[next] = p;
        emit ILiquidationAuction.AuctionParamsSet(p);
    }

    /// @notice Sets the global running-shortfall cap [wad], at most 2**104 - 1 (2e13 cash units).
    function setGlobalShortfallCap(Breaker storage b, uint256 cap) external {
        _bound("globalShortfallCap", cap, 0, type(uint104).max);
        b.cap = uint104(cap);
        emit ILiquidationAuction.GlobalShortfallCapSet(cap);
    }

    /// @notice Sets market `marketId`'s running-shortfall cap [wad], at most 2**128 - 1.
    function setMarketShortfallCap(MarketBreaker storage m, uint256 marketId, uint256 cap) external {
        _bound("marketShortfallCap", cap, 0, type(uint128).max);
        m.cap = uint128(cap);
        emit ILiquidationAuction.MarketShortfallCapSet(marketId, cap);
    }

    /// @notice Sets the stop level (0 .. MAX_STOP_LEVEL) as the risk manager may. Leaving Halted records the
    /// time in `haltEndedAt`: no auction clock counts a second before it (review M3, see `AuctionMath.advance`).
    /// @dev `level` is checked as an integer (a custom error with its value, not an enum conversion's panic).
    function setStopLevel(Breaker storage b, uint8 level) external {
        _bound("stopLevel", level, 0, MAX_STOP_LEVEL);
        if (b.stopLevel == MAX_STOP_LEVEL && level < MAX_STOP_LEVEL) b.haltEndedAt = uint32(block.timestamp);
        b.stopLevel = level;
        emit ILiquidationAuction.StopLevelSet(level);
    }

    /// @notice Raises the stop level as the guardian may: never lower, never above GUARDIAN_MAX_STOP_LEVEL.
    function raiseStopLevel(Breaker storage b, uint8 level) external {
        uint8 current = b.stopLevel;
        if (level < current || level > GUARDIAN_MAX_STOP_LEVEL) {
            revert ILiquidationAuction.AuctionGuardianCannotLoosen(current, level);
        }
        b.stopLevel = level;
        emit ILiquidationAuction.StopLevelSet(level);
    }

    /// @dev ParameterBounds.check with this contract's domain error.
    function _bound(bytes32 name, uint256 value, uint256 lo, uint256 hi) private pure {
        ParameterBounds.check(ILiquidationAuction.AuctionParameterOutOfBounds.selector, name, value, lo, hi);
    }
}
