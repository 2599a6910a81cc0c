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
import {DeleveragingMath} from "../libraries/DeleveragingMath.sol";

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
    /// @dev `MarketFunding.flags` bit: the stored ratios differ from their targets.
    uint8 internal constant RAMP_ACTIVE = EngineMarkets.RAMP_ACTIVE;
    /// @dev `MarketFunding.flags` bit: the market has had an ADL event.
    uint8 internal constant DELEVERAGED = EngineMarkets.DELEVERAGED;

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
    /// second; |rate| <= MAX_FUNDING_RATE_CAP / 8 h < 2**41]; flags: RAMP_ACTIVE, the stored ratios differ from their
    /// targets (so that a finished ramp costs no read of `MarketRamp`), and DELEVERAGED, the market has had an
    /// automated-deleveraging event (so that only such a market reads its ADL state; both kept here, in a slot every
    /// check reads); tierShift:
    /// floor(log2(first margin tier threshold)), NO_TIERS without tiers, so that a position whose notional N has
    /// N >> tierShift == 0 (N < 2**tierShift <= the first threshold) reads no tier slot.
    struct MarketFunding {
        int96 cumulativeFunding;
        int48 fundingRatePerSecond;
        uint8 flags;
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

    /// @dev Automated deleveraging (ADL) events so far on each side of a market (side 0: longs, 1: shorts); read only
    /// when the market's DELEVERAGED flag is set.
    struct MarketDeleveraging {
        uint32 longEvents;
        uint32 shortEvents;
    }

    /// @dev A side's cumulative ADL index after an event: keep, the size factor [wad, from 1e18 down to at least
    /// MIN_DELEVERAGING_KEEP], and closed, the closing index [wad cash per unit of size at keep = 1e18]
    /// (docs/LIQUIDATION.md, "Automated deleveraging"; src/model/adl.ts). Before a side's first event: (1e18, 0).
    struct DeleveragingIndex {
        uint128 keep;
        int128 closed;
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
        MarketDeleveraging deleveraging;
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
    /// @dev A side's ADL index after its n-th event (n >= 1).
    mapping(uint256 marketId => mapping(uint256 side => mapping(uint256 n => DeleveragingIndex))) internal _deleveragingIndex;
    /// @dev The number of ADL events of its side a position was last settled at (written only in DELEVERAGED markets).
    mapping(uint256 account => mapping(uint256 marketId => uint256 events)) internal _deleveragingSynced;

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
    /// views (at given prices: {MarginEngineViews-accountMarginAtPrices}). Funding accrues to now at that price;
    /// positions count as settled with their side's ADL index.
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
            (int256 value, uint256 pmm, uint256 pim) = _positionMargin(account, id, m, m.mark, _oracle.getPrice(m.oracleAsset));
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
            (int256 v, uint256 pmm, uint256 pim) = _positionMargin(account, id, m, mk, mk.price);
            if (profitCounts || v < 0) value += v;
            im += pim;
            mm += pmm;
        }
    }

    /// @dev {EngineMarkets-positionMargin} of `account`'s position in market `id` (`m`, with mark `mk`) at `price`,
    /// settled with its side's ADL index.
    function _positionMargin(
        uint256 account,
        uint256 id,
        Market storage m,
        MarketMark memory mk,
        uint256 price
    ) internal view returns (int256 value, uint256 mm, uint256 im) {
        MarketFunding memory fd = m.funding;
        if (fd.flags & DELEVERAGED == 0) return EngineMarkets.positionMargin(_positions[account][id], m, fd, mk, price);
        (Position memory p, , ) = _settledPosition(account, id, fd.flags);
        return EngineMarkets.positionMargin(p, m, fd, mk, price);
    }

    // ------------------------------------------------------------------ automated deleveraging internals

    /// @dev `account`'s position in market `id` brought up to date with its side's ADL index
    /// ({DeleveragingMath-settle}); as stored unless the market's `flags` say DELEVERAGED. `synced` and `events`: the
    /// side's event count the position was last settled at and now (both 0 when not read).
    function _settledPosition(
        uint256 account,
        uint256 id,
        uint8 flags
    ) internal view returns (Position memory p, uint256 synced, uint256 events) {
        p = _positions[account][id];
        if (flags & DELEVERAGED == 0 || p.size == 0) return (p, 0, 0);
        uint256 side = p.size > 0 ? 0 : 1;
        events = _sideEvents(id, side);
        synced = _deleveragingSynced[account][id];
        if (synced == events) return (p, synced, events);
        DeleveragingIndex memory from = _indexAt(id, side, synced);
        DeleveragingIndex memory to = _indexAt(id, side, events);
        (int256 size, int256 basis) = DeleveragingMath.settle(p.size, p.basis, from.keep, from.closed, to.keep, to.closed);
        p = Position(size.toInt128(), basis.toInt128());
    }

    /// @dev `account`'s position in market `id` settled with its side's ADL index, emitting `PositionDeleveraged`
    /// when that changed it (the caller stores it with {_storePosition}).
    function _settleForWrite(uint256 account, uint256 id, uint8 flags) internal returns (Position memory p) {
        if (flags & DELEVERAGED == 0) return _positions[account][id];
        Position memory before = _positions[account][id];
        uint256 synced;
        uint256 events;
        (p, synced, events) = _settledPosition(account, id, flags);
        if (synced == events) return p;
        int256 sizeClosed = int256(before.size) - p.size;
        int256 proceeds = int256(before.basis) - p.basis;
        emit IMarginEngine.PositionDeleveraged(
            account,
            id,
            synced,
            events,
            sizeClosed,
            proceeds,
            // The closed part's share of the basis, rounded toward zero (an event figure only): |basis * c| < 2**254.
            proceeds - (int256(before.basis) * sizeClosed) / before.size
        );
    }

    /// @dev Stores `account`'s position in market `id` (`size` [wad base], `basis` [wad cash]) and, in a market with
    /// ADL events, the event count of its side it is settled at.
    function _storePosition(uint256 account, uint256 id, int128 size, int128 basis, uint8 flags) internal {
        _positions[account][id] = Position(size, basis);
        if (flags & DELEVERAGED == 0 || size == 0) return;
        uint256 events = _sideEvents(id, size > 0 ? 0 : 1);
        if (_deleveragingSynced[account][id] != events) _deleveragingSynced[account][id] = events;
    }

    /// @dev Number of ADL events of market `id`'s `side` (0: longs, 1: shorts).
    function _sideEvents(uint256 id, uint256 side) internal view returns (uint256) {
        MarketDeleveraging memory d = _markets[id].deleveraging;
        return side == 0 ? d.longEvents : d.shortEvents;
    }

    /// @dev Market `id`'s `side` index after its `n`-th ADL event; (1e18, 0) for n = 0.
    function _indexAt(uint256 id, uint256 side, uint256 n) internal view returns (DeleveragingIndex memory) {
        if (n == 0) return DeleveragingIndex(uint128(DeleveragingMath.WAD), 0);
        return _deleveragingIndex[id][side][n];
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
