// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {CollateralValuation} from "../libraries/CollateralValuation.sol";
import {CollateralListing} from "./CollateralListing.sol";
import {VaultAdmin} from "./VaultAdmin.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";

/// @title VaultStorage
/// @custom:security-contact security@ballast.finance
/// @notice Storage layout, hard bounds, the cash interest index and collateral valuation of the vault.
/// @dev Cash interest (documented in docs/UNITS.md): with supply principal S, borrow principal B, indices sI, bI
/// and utilisation u = min(1, B*bI / (S*sI)), the borrow rate per year is `base + slope * u`; over dt seconds
/// bI' = bI * (1 + rate * dt / 365 days) (rounded up), the interest owed is B * (bI' - bI) (rounded down) and is
/// paid to positive cash: sI' = sI + interest / S (rounded down). Rounding leaves any dust with the protocol.
abstract contract VaultStorage is ICollateralVault {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @notice Largest number of listed collateral tokens (one bit each in an account's token bitmap).
    uint256 public constant MAX_TOKENS = CollateralListing.MAX_TOKENS;
    /// @notice Largest haircut weight: 0.99e18 (a collateral counts for at most 99% of its value).
    uint256 public constant MAX_HAIRCUT = CollateralListing.MAX_HAIRCUT;
    /// @notice Largest haircut decrease per cooldown: 0.05e18 (5 percentage points).
    uint256 public constant MAX_HAIRCUT_DECREASE = CollateralListing.MAX_HAIRCUT_DECREASE;
    /// @notice Cooldown between two haircut decreases: 1 day.
    uint256 public constant HAIRCUT_DECREASE_COOLDOWN = CollateralListing.HAIRCUT_DECREASE_COOLDOWN;
    /// @notice Largest base rate of negative cash: 0.5e18 (50% per year).
    uint256 public constant MAX_BASE_RATE_PER_YEAR = ParameterBounds.MAX_BASE_RATE_PER_YEAR;
    /// @notice Largest utilisation slope of negative cash: 3e18 (300% per year at full utilisation).
    uint256 public constant MAX_RATE_SLOPE_PER_YEAR = ParameterBounds.MAX_RATE_SLOPE_PER_YEAR;
    /// @notice Seconds per year used by the rate model: 365 days.
    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @notice Lowest supply index a socialised loss may leave: 1e9 (one billionth of par).
    uint256 public constant MIN_SUPPLY_INDEX = 1e9;
    /// @notice Shortest delisting ramp of a haircut weight to zero: 1 day (holders have time to add margin).
    uint256 public constant MIN_DELISTING_RAMP = CollateralListing.MIN_DELISTING_RAMP;
    /// @notice Longest delisting ramp of a haircut weight to zero: 90 days.
    uint256 public constant MAX_DELISTING_RAMP = CollateralListing.MAX_DELISTING_RAMP;

    /// @dev Hot slot per collateral: cached price [wad] and time, haircut [wad], bitmap index, decimals, flags, and
    /// the end of its delisting ramp [timestamp] (0: not delisting). While delisting, `haircut` keeps the weight the
    /// ramp started from; the weight in force is `_weightNow`.
    struct TokenState {
        uint96 price;
        uint32 priceTimestamp;
        uint64 haircut;
        uint8 index;
        uint8 decimals;
        bool enabled;
        bool listed;
        uint32 delistingEnd;
    }

    /// @dev depositCap and totalDeposits in WAD token amounts (cash: tokens held by the ledger).
    struct TokenSupply {
        uint128 depositCap;
        uint128 totalDeposits;
    }

    /// @dev The collateral registry: per token its hot state, oracle asset key, supply, last haircut decrease
    /// [timestamp] and delisting-ramp start [timestamp] (read only while `TokenState.delistingEnd != 0`); the
    /// bitmap slots (`at[i]` is the token of bit i; `address(0)` a slot freed by `removeToken`) and how many slots
    /// were ever used; and the claims [token units] of balances evicted from a delisted collateral (review F1),
    /// per account and in total per token.
    struct Registry {
        mapping(address token => TokenState) state;
        mapping(address token => bytes32) asset;
        mapping(address token => TokenSupply) supply;
        mapping(address token => uint256) lastHaircutDecrease;
        mapping(address token => uint256) delistingStart;
        address[16] at; // MAX_TOKENS slots
        uint256 count;
        mapping(uint256 account => mapping(address token => uint256)) claims;
        mapping(address token => uint256) claimTotal;
    }

    /// @dev Per account, one slot: cash principal [wad, signed], collateral bitmap, state nonce, whether the engine
    /// reports positions (lets a withdrawal skip the engine when there are none), and the auction freeze.
    struct VaultAccount {
        int128 cashPrincipal;
        uint16 tokens;
        uint64 nonce;
        bool hasPositions;
        bool frozen;
    }

    /// @dev Cash indices [wad].
    struct CashIndex {
        uint128 supplyIndex;
        uint128 borrowIndex;
    }

    /// @dev Principal totals [wad] and the last accrual time (kept here so that accruing with no debt costs no write).
    struct CashTotals {
        uint112 supplyPrincipal;
        uint112 borrowPrincipal;
        uint32 lastAccrual;
    }

    /// @dev Rates [wad per year], borrow cap [wad cash].
    struct CashParams {
        uint64 baseRatePerYear;
        uint64 slopePerYear;
        uint128 borrowCap;
    }

    /// @dev Working copy of the cash state for one call: loaded and accrued once, stored once if changed.
    struct Cash {
        uint256 supplyIndex;
        uint256 borrowIndex;
        uint256 supplyPrincipal;
        uint256 borrowPrincipal;
        uint256 interest;
        bool accrued;
        bool indexChanged;
        bool totalsChanged;
    }

    /// @notice The settlement token.
    IERC20 internal immutable _cash;
    /// @dev 10**(18 - cash decimals).
    uint256 internal immutable _cashScale;
    /// @notice The oracle router.
    IOracleRouter public immutable oracle;

    /// @notice The margin engine (bound once).
    IMarginEngine public engine;
    /// @notice The liquidation module (bound once).
    address public liquidator;
    /// @notice Deposits are paused.
    bool public depositsPaused;

    /// @dev Every listed collateral's state, bitmap slots and claims (one struct, so that the listing library
    /// {CollateralListing} runs on it by reference).
    Registry internal _reg;

    mapping(uint256 account => mapping(address token => uint256)) internal _balances;
    mapping(uint256 account => VaultAccount) internal _accounts;

    CashIndex internal _index;
    CashTotals internal _totals;
    CashParams internal _params;

    constructor(IERC20 cash_, IOracleRouter oracle_) {
        if (address(cash_) == address(0) || address(oracle_) == address(0)) revert VaultZeroAddress();
        uint8 d = IERC20Metadata(address(cash_)).decimals();
        if (d > TokenAmountLib.MAX_DECIMALS) revert VaultUnsupportedDecimals(address(cash_), d);
        _cash = cash_;
        _cashScale = TokenAmountLib.scaleOf(d);
        oracle = oracle_;
        _index = CashIndex(1e18, 1e18);
        _totals.lastAccrual = uint32(block.timestamp);
        _assertAdminSlots();
    }

    /// @dev {VaultAdmin} reaches this state at pinned slots (it has no storage-pointer parameters): a layout change
    /// that moved it fails every deployment here rather than letting the library write the wrong slots.
    function _assertAdminSlots() private pure {
        uint256 engineSlot;
        uint256 liquidatorSlot;
        uint256 liquidatorOffset;
        uint256 pausedSlot;
        uint256 pausedOffset;
        uint256 regSlot;
        uint256 balancesSlot;
        uint256 accountsSlot;
        uint256 paramsSlot;
        assembly ("memory-safe") {
            engineSlot := engine.slot
            liquidatorSlot := liquidator.slot
            liquidatorOffset := liquidator.offset
            pausedSlot := depositsPaused.slot
            pausedOffset := depositsPaused.offset
            regSlot := _reg.slot
            balancesSlot := _balances.slot
            accountsSlot := _accounts.slot
            paramsSlot := _params.slot
        }
        assert(
            engineSlot == VaultAdmin.WIRING_SLOT &&
                liquidatorSlot == VaultAdmin.WIRING_SLOT + 1 &&
                liquidatorOffset == 0 &&
                pausedSlot == VaultAdmin.WIRING_SLOT + 1 &&
                pausedOffset == 20 &&
                regSlot == VaultAdmin.REGISTRY_SLOT &&
                balancesSlot == VaultAdmin.BALANCES_SLOT &&
                accountsSlot == VaultAdmin.ACCOUNTS_SLOT &&
                paramsSlot == VaultAdmin.PARAMS_SLOT
        );
    }

    // ------------------------------------------------------------------ cash index

    /// @dev Loads the cash state and accrues interest to now (in memory; `_storeCash` persists it). With no debt
    /// the indices cannot move, so only the accrual time advances, and it is stored with the totals when they
    /// next change (any new debt changes them).
    function _loadCash() internal returns (Cash memory c) {
        CashIndex memory idx = _index;
        CashTotals memory t = _totals;
        c = Cash(idx.supplyIndex, idx.borrowIndex, t.supplyPrincipal, t.borrowPrincipal, 0, false, false, false);
        if (t.lastAccrual == block.timestamp) return c;
        c.totalsChanged = t.borrowPrincipal != 0;
        if (t.borrowPrincipal != 0) {
            (c.supplyIndex, c.borrowIndex, c.interest) = _accrued(c, block.timestamp - t.lastAccrual);
            c.accrued = true;
            c.indexChanged = true;
        }
    }

    /// @dev Persists what `_loadCash` and `_addCash` changed; the accrual event is emitted here, once it is stored.
    function _storeCash(Cash memory c) internal {
        if (c.indexChanged) {
            // Checked: an index past 2**128 - 1 reverts instead of wrapping (class 11 of issue #11).
            _index = CashIndex(c.supplyIndex.toUint128(), c.borrowIndex.toUint128());
            if (c.accrued) emit CashInterestAccrued(c.supplyIndex, c.borrowIndex, c.interest);
        }
        if (c.totalsChanged)
            _totals = CashTotals(c.supplyPrincipal.toUint112(), c.borrowPrincipal.toUint112(), uint32(block.timestamp));
    }

    /// @dev The cash state accrued to now, without writing (views).
    function _viewCash() internal view returns (Cash memory c) {
        CashIndex memory idx = _index;
        CashTotals memory t = _totals;
        c = Cash(idx.supplyIndex, idx.borrowIndex, t.supplyPrincipal, t.borrowPrincipal, 0, false, false, false);
        (c.supplyIndex, c.borrowIndex, ) = _accrued(c, block.timestamp - t.lastAccrual);
    }

    /// @dev Indices after `dt` seconds: see the contract's @dev for the formula.
    function _accrued(Cash memory c, uint256 dt) internal view returns (uint256 sI, uint256 bI, uint256 interest) {
        sI = c.supplyIndex;
        bI = c.borrowIndex;
        if (dt == 0 || c.borrowPrincipal == 0) return (sI, bI, 0);
        uint256 newBI = bI + bI.mulWadUp(WadMath.mulDivUp(_ratePerYear(c), dt, SECONDS_PER_YEAR));
        interest = c.borrowPrincipal.mulWadDown(newBI - bI);
        if (c.supplyPrincipal != 0) sI += interest.divWadDown(c.supplyPrincipal);
        bI = newBI;
    }

    /// @dev base + slope * utilisation, per year [wad]; utilisation = min(1, debt / positive cash).
    function _ratePerYear(Cash memory c) internal view returns (uint256) {
        CashParams memory p = _params;
        uint256 supplyValue = c.supplyPrincipal.mulWadDown(c.supplyIndex);
        uint256 borrowValue = c.borrowPrincipal.mulWadUp(c.borrowIndex);
        uint256 u = supplyValue == 0 ? 1e18 : WadMath.min(1e18, borrowValue.divWadUp(supplyValue));
        return uint256(p.baseRatePerYear) + uint256(p.slopePerYear).mulWadUp(u);
    }

    /// @dev Cash value of a principal: supply rounds down, debt rounds up (in magnitude).
    function _cashValue(int256 principal, Cash memory c) internal pure returns (int256) {
        if (principal >= 0) return uint256(principal).mulWadDown(c.supplyIndex).toInt256();
        return -uint256(-principal).mulWadUp(c.borrowIndex).toInt256();
    }

    /// @dev Adds `delta` to the cash value held in `a`, re-expressed as a principal (supply shares round down,
    /// debt shares round up), keeping the totals in `c`. The caller stores `a` and `c`.
    function _addCash(Cash memory c, VaultAccount memory a, int256 delta) internal pure {
        int256 p = a.cashPrincipal;
        int256 v = _cashValue(p, c) + delta;
        int256 p2 = v >= 0 ? uint256(v).divWadDown(c.supplyIndex).toInt256() : -uint256(-v).divWadUp(c.borrowIndex).toInt256();
        if (p >= 0) c.supplyPrincipal -= uint256(p);
        else c.borrowPrincipal -= uint256(-p);
        if (p2 >= 0) c.supplyPrincipal += uint256(p2);
        else c.borrowPrincipal += uint256(-p2);
        c.totalsChanged = true;
        a.cashPrincipal = p2.toInt128();
    }

    /// @dev Loads `account`, adds `delta` to its cash, bumps its nonce when `bump`, stores it; returns the copy.
    function _applyCash(Cash memory c, uint256 account, int256 delta, bool bump) internal returns (VaultAccount memory a) {
        a = _accounts[account];
        if (delta != 0) _addCash(c, a, delta);
        // A uint64 nonce cannot realistically wrap (2**64 state changes of one account). An account in auction
        // keeps its nonce: only bids change it, each taking a pro-rata share at a price its bidder bounds with
        // `maxUnitPrice`, so no bid (however small) voids another pending bid (review M1, R-15).
        if (bump && !a.frozen) a.nonce += 1;
        _accounts[account] = a;
    }

    // ------------------------------------------------------------------ collateral valuation

    /// @dev Cash value and haircut collateral value of an account held in `a`. Cached token prices older than
    /// `maxAge` are refreshed from the oracle and stored.
    function _marginCollateral(
        uint256 account,
        VaultAccount memory a,
        Cash memory c,
        uint256 maxAge
    ) internal returns (MarginCollateral memory m) {
        m.cash = _cashValue(a.cashPrincipal, c);
        uint256 bits = a.tokens;
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            address token = _reg.at[i];
            // A collateral of weight zero (fully delisted) counts nothing and needs no price (review F2).
            uint256 weight = _weightNow(token);
            if (weight == 0) continue;
            TokenState memory ts = _reg.state[token];
            if (block.timestamp - ts.priceTimestamp > maxAge) {
                ts.price = oracle.getPrice(_reg.asset[token]).toUint96();
                ts.priceTimestamp = uint32(block.timestamp);
                _reg.state[token] = ts;
            }
            m.collateralValue += CollateralValuation.marginValueDown(_balances[account][token], ts.price, weight);
        }
    }

    /// @dev As `_marginCollateral` without writing: interest accrued to now, prices fresh from the oracle (an
    /// invalid price reverts with the oracle's error: a bad price never liquidates anyone, R-01). Also returns the
    /// collateral value without haircuts.
    function _marginCollateralView(uint256 account) internal view returns (MarginCollateral memory m, uint256 raw) {
        VaultAccount memory a = _accounts[account];
        m.cash = _cashValue(a.cashPrincipal, _viewCash());
        uint256 bits = a.tokens;
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            address token = _reg.at[i];
            uint256 weight = _weightNow(token);
            uint256 price;
            if (weight != 0) {
                price = oracle.getPrice(_reg.asset[token]);
            } else {
                // A collateral of weight zero (fully delisted) counts nothing in margin, so its price may fail
                // without blocking anything: its raw value (what a bidder pays for it) is then 0 (review F2).
                try oracle.getPrice(_reg.asset[token]) returns (uint256 p) {
                    price = p;
                } catch {}
            }
            uint256 value = CollateralValuation.valueDown(_balances[account][token], price);
            raw += value;
            m.collateralValue += CollateralValuation.haircutDown(value, weight);
        }
    }

    /// @dev Haircut weight [wad] of `token` now, a pure function of block time (issue #11 class 14): the stored
    /// weight, or while delisting that weight ramped linearly to zero, w * (end - now) / (end - start) rounded down
    /// (toward the protocol), zero from `end` on. No overflow: w < 2**60 and end - now <= 90 days < 2**23.
    function _weightNow(address token) internal view returns (uint256) {
        TokenState storage ts = _reg.state[token];
        uint256 end = ts.delistingEnd;
        if (end == 0) return ts.haircut;
        if (block.timestamp >= end) return 0;
        return (uint256(ts.haircut) * (end - block.timestamp)) / (end - _reg.delistingStart[token]);
    }

    /// @dev Moves a WAD collateral balance between accounts, keeping both token bitmaps exact.
    function _moveCollateral(uint256 from, uint256 to, address token, uint8 index, uint256 amountWad) internal {
        if (amountWad == 0) return;
        uint256 left = _balances[from][token] - amountWad;
        _balances[from][token] = left;
        if (left == 0) _accounts[from].tokens &= ~uint16(1 << index);
        _balances[to][token] += amountWad;
        _accounts[to].tokens |= uint16(1 << index);
        emit CollateralTransferred(from, to, token, amountWad);
    }
}
