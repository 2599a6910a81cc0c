// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title EngineStorage
/// @custom:security-contact security@ballast.finance
/// @notice Storage layout, hard bounds and the shared market/margin internals of the margin engine.
/// @dev Market state is split by access pattern so that a margin check reads two market slots and one position
/// slot per market held: `MarketMark` (cached price and effective ratios) and `MarketFunding`.
/// Inherited by the engine and by its view module ({MarginEngineViews}), which runs on the engine's storage
/// (DELEGATECALL): both must see one layout, so every state variable the module has is declared here, first in both
/// (the engine's other bases, AccessManaged and the transient reentrancy guard, add theirs after it; compared by
/// test/unit/MarginEngine/viewModuleLayout.test.ts). Not an
/// {IMarginEngine} itself, so that the module need not implement the engine's functions.
abstract contract EngineStorage {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;
    using SafeCast for int256;

    // ------------------------------------------------------------------ constants (market bounds: RiskBounds)
    /// @notice Largest number of markets that can be listed (one bit each in an account's market bitmap).
    uint256 public constant MAX_MARKETS = ParameterBounds.MAX_MARKETS;
    /// @notice Largest number of markets one account may hold (bounds margin-check and liquidation gas).
    uint256 public constant MAX_ACCOUNT_MARKETS = ParameterBounds.MAX_ACCOUNT_MARKETS;
    /// @notice Length of a funding sampling epoch: 1 hour.
    uint256 public constant FUNDING_EPOCH = EngineMarkets.FUNDING_EPOCH;
    /// @notice Period over which a funding rate equal to the premium is paid: 8 hours (BitMEX/dYdX convention).
    uint256 public constant FUNDING_PERIOD = EngineMarkets.FUNDING_PERIOD;
    /// @notice Premium depth as a share of the open-interest cap: 0.01e18 // 1%. A fill of size s moves the
    /// market's premium toward its sample by the weight min(1, s / (openInterestCap * 1%)), so a fill's effect on
    /// the premium, and so on the funding rate, is at most proportional to its size (issue #11 class 4).
    uint256 public constant PREMIUM_DEPTH_SHARE = 0.01e18;
    /// @notice Largest `maxPriceAge`: 300 seconds.
    uint256 public constant MAX_PRICE_AGE_LIMIT = ParameterBounds.MAX_PRICE_AGE_LIMIT;

    // ------------------------------------------------------------------ layout
    /// @dev Read by every margin check. price: cached oracle price [wad]; mmr/imr: the ratios [wad] at the start of
    /// the current ramp (`MarketRamp.start`); the effective ratios are `_effectiveRatios` (a function of block time).
    struct MarketMark {
        uint96 price;
        uint32 priceTimestamp;
        uint64 mmr;
        uint64 imr;
    }

    /// @dev Read by every margin check. cumulativeFunding [wad cash per base unit]; fundingRatePerSecond [wad per
    /// second; |rate| <= MAX_FUNDING_RATE_CAP / 8 h < 2**41]; rampActive: the stored ratios differ from their targets (kept
    /// here, in a slot every check reads, so that a finished ramp costs no read of `MarketRamp`); tierShift:
    /// floor(log2(first margin tier threshold)), NO_TIERS without tiers, so that a position whose notional N has
    /// N >> tierShift == 0 (N < 2**tierShift <= the first threshold) reads no tier slot.
    struct MarketFunding {
        int96 cumulativeFunding;
        int48 fundingRatePerSecond;
        bool rampActive;
        uint8 tierShift;
        uint32 timestamp;
        uint64 imrSizeFactor;
    }

    /// @dev One margin tier: targets (threshold [wad cash], cumulative add-ons [wad]) and the add-ons at the start
    /// of the tier ramp (<= the targets).
    struct MarketTier {
        uint128 threshold;
        uint64 mmrAddOn;
        uint64 imrAddOn;
        uint64 mmrFrom;
        uint64 imrFrom;
    }

    /// @dev Margin tiers (issue #14 item 2): count (<= RiskBounds.MAX_MARGIN_TIERS), ramp start [timestamp], ramp
    /// speed [wad per hour, the market's maxStepPerHour when set] and the largest gap target - from [wad] (the ramp is
    /// over once the step reaches it). Recorded only: `EngineMarkets.tierAddOns` reads the from values after the ramp
    /// too (one slot per tier reached; skipping them once the step reaches `maxGap` is a saving not yet taken).
    struct MarketTiers {
        uint8 count;
        uint32 start;
        uint64 stepPerHour;
        uint64 maxGap;
        MarketTier[4] tier;
    }

    /// @dev Funding premium sampling. accumulator [wad * seconds]; premium [wad]; epoch [timestamp / FUNDING_EPOCH].
    struct MarketPremium {
        int128 accumulator;
        int64 premium;
        uint32 epoch;
    }

    /// @dev Ramp targets [wad], speed [wad per hour] and start [timestamp] (issue #11 class 6: the effective ratio
    /// is a pure function of block time from the ratios stored at `start`).
    struct MarketRamp {
        uint64 mmrTarget;
        uint64 imrTarget;
        uint64 maxStepPerHour;
        uint32 start;
    }

    /// @dev Trade-path parameters. openInterestCap [wad base]; maxFundingRatePer8h [wad per 8 h]; maxFillDeviation
    /// [wad].
    struct MarketTrading {
        uint112 openInterestCap;
        uint64 maxFundingRatePer8h;
        uint64 maxFillDeviation;
        bool listed;
        bool reduceOnly;
    }

    /// @dev longOpenInterest [wad base]; totalBasis: sum of all positions' basis [wad cash] (conservation).
    struct MarketOpenInterest {
        uint128 longOpenInterest;
        int128 totalBasis;
    }

    struct Market {
        MarketMark mark;
        MarketFunding funding;
        MarketPremium premium;
        MarketRamp ramp;
        MarketTrading trading;
        MarketOpenInterest oi;
        bytes32 oracleAsset;
        MarketTiers tiers;
    }

    /// @dev size [wad base, signed]; basis [wad cash].
    struct Position {
        int128 size;
        int128 basis;
    }

    /// @dev markets: bitmap of markets held; marketCount: its popcount. (The auction freeze lives in the vault.)
    struct AccountState {
        uint128 markets;
        uint8 marketCount;
        bool isolated;
    }

    struct Operator {
        IMarginEngine.Scope scope;
        uint64 expiry;
    }

    /// @notice The collateral vault (immutable).
    ICollateralVault public immutable vault;
    /// @dev The oracle router (immutable; {IMarginEngine-oracle}).
    IOracleRouter internal immutable _oracle;

    /// @notice The liquidation module (bound once).
    address public liquidator;
    /// @notice The market configurator (bound once).
    address public configurator;
    /// @notice Maximum age of cached prices in margin checks, seconds.
    uint32 public maxPriceAge;
    /// @notice Risk-increasing trades are paused.
    bool public tradingPaused;
    /// @dev Number of listed markets ({IMarginEngine-marketCount}).
    uint256 internal _marketCount;
    /// @notice Registered venues.
    mapping(address venue => bool) public isVenue;

    mapping(uint256 marketId => Market) internal _markets;
    mapping(uint256 account => mapping(uint256 marketId => Position)) internal _positions;
    mapping(uint256 account => AccountState) internal _accounts;
    mapping(address owner => mapping(address operator => Operator)) internal _operators;

    constructor(ICollateralVault vault_, IOracleRouter oracle_) {
        if (address(vault_) == address(0) || address(oracle_) == address(0)) revert IMarginEngine.EngineZeroAddress();
        vault = vault_;
        _oracle = oracle_;
    }

    // ------------------------------------------------------------------ market internals

    /// @dev The market's mark, refreshed from the oracle (and stored) when older than `maxAge` seconds.
    function _markNoOlderThan(Market storage m, uint256 maxAge) internal returns (MarketMark memory mark) {
        mark = m.mark;
        if (block.timestamp - mark.priceTimestamp > maxAge) {
            mark.price = _oracle.getPrice(m.oracleAsset).toUint96();
            mark.priceTimestamp = uint32(block.timestamp);
            m.mark = mark;
        }
    }

    // ------------------------------------------------------------------ margin internals

    /// @dev Equity, maintenance and initial margin of `account` given its vault inputs, at fresh oracle prices, for
    /// views (at given prices: {MarginEngineViews-accountMarginAtPrices}). Funding accrues to now at that price.
    function _margin(
        uint256 account,
        ICollateralVault.MarginCollateral memory c
    ) internal view returns (int256 equity, uint256 mm, uint256 im) {
        equity = MarginMath.marginEquity(c.cash, c.collateralValue, 0);
        uint256 bits = _accounts[account].markets;
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            Market storage m = _markets[id];
            (int256 value, uint256 pmm, uint256 pim) = EngineMarkets.positionMargin(
                _positions[account][id],
                m,
                m.mark,
                _oracle.getPrice(m.oracleAsset)
            );
            equity += value;
            mm += pmm;
            im += pim;
        }
    }

    /// @dev Margin state of `account` given its vault inputs, at fresh oracle prices.
    function _marginState(
        uint256 account,
        ICollateralVault.MarginCollateral memory c
    ) internal view returns (IMarginEngine.MarginState memory s) {
        (s.equity, s.maintenanceMargin, s.initialMargin) = _margin(account, c);
        _setHealth(s);
    }

    /// @dev Health factor and liquidatable flag (equity < maintenance margin) from the equity and margins in `s`.
    function _setHealth(IMarginEngine.MarginState memory s) internal pure {
        s.healthFactor = MarginMath.healthFactor(s.equity, s.maintenanceMargin);
        s.liquidatable = s.equity < s.maintenanceMargin.toInt256();
    }

    /// @dev Sum of `account`'s position values, its initial and its maintenance margin at cached prices no older
    /// than `maxAge` (refreshed and stored when older): with the vault's collateral, the check behind trades and
    /// withdrawals (maintenance: the risk-reduction exception of a trade).
    /// With `profitCounts` false only losing positions' values are summed (INV-28: unrealised profit backs new risk
    /// but never a withdrawal).
    function _positionsCached(
        uint256 account,
        uint256 maxAge,
        bool profitCounts
    ) internal returns (int256 value, uint256 im, uint256 mm) {
        uint256 bits = _accounts[account].markets;
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            Market storage m = _markets[id];
            MarketMark memory mk = _markNoOlderThan(m, maxAge);
            (int256 v, uint256 pmm, uint256 pim) = EngineMarkets.positionMargin(_positions[account][id], m, mk, mk.price);
            if (profitCounts || v < 0) value += v;
            im += pim;
            mm += pmm;
        }
    }

    /// @dev Adds or removes `id` from an account's market set, enforcing isolation and the per-account limit.
    function _setHeld(uint256 account, AccountState memory a, uint256 id, bool held) internal {
        uint128 bit = uint128(1) << uint128(id);
        if (held) {
            if (a.isolated && a.markets != 0) {
                revert IMarginEngine.EngineIsolatedAccountSecondMarket(account, Math.log2(a.markets), id);
            }
            if (a.marketCount >= MAX_ACCOUNT_MARKETS) revert IMarginEngine.EngineTooManyMarkets(account, MAX_ACCOUNT_MARKETS);
            a.markets |= bit;
            // Cannot overflow: marketCount < MAX_ACCOUNT_MARKETS (checked just above) < 2**8 - 1.
            unchecked {
                a.marketCount += 1;
            }
        } else {
            a.markets &= ~bit;
            // Cannot underflow: callers remove only a market the account holds, so its bit was set and marketCount,
            // the bitmap's popcount, is at least 1.
            unchecked {
                a.marketCount -= 1;
            }
        }
        _accounts[account] = a;
    }
}
