// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";

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

    /// @notice Largest number of listed collateral tokens (one bit each in an account's token bitmap).
    uint256 public constant MAX_TOKENS = 16;
    /// @notice Largest haircut weight: 0.99e18 (a collateral counts for at most 99% of its value).
    uint256 public constant MAX_HAIRCUT = 0.99e18;
    /// @notice Largest haircut decrease per cooldown: 0.05e18 (5 percentage points).
    uint256 public constant MAX_HAIRCUT_DECREASE = 0.05e18;
    /// @notice Cooldown between two haircut decreases: 1 day.
    uint256 public constant HAIRCUT_DECREASE_COOLDOWN = 1 days;
    /// @notice Largest base rate of negative cash: 0.5e18 (50% per year).
    uint256 public constant MAX_BASE_RATE_PER_YEAR = 0.5e18;
    /// @notice Largest utilisation slope of negative cash: 3e18 (300% per year at full utilisation).
    uint256 public constant MAX_RATE_SLOPE_PER_YEAR = 3e18;
    /// @notice Seconds per year used by the rate model: 365 days.
    uint256 public constant SECONDS_PER_YEAR = 365 days;
    /// @notice Lowest supply index a socialised loss may leave: 1e9 (one billionth of par).
    uint256 public constant MIN_SUPPLY_INDEX = 1e9;

    /// @dev Hot slot per collateral: cached price [wad] and time, haircut [wad], bitmap index, decimals, flags.
    struct TokenState {
        uint96 price;
        uint32 priceTimestamp;
        uint64 haircut;
        uint8 index;
        uint8 decimals;
        bool enabled;
        bool listed;
    }

    /// @dev depositCap and totalDeposits in WAD token amounts (cash: tokens held by the ledger).
    struct TokenSupply {
        uint128 depositCap;
        uint128 totalDeposits;
    }

    struct VaultAccount {
        uint16 tokens;
        uint64 nonce;
    }

    /// @dev Indices [wad] and last accrual time.
    struct CashIndex {
        uint112 supplyIndex;
        uint112 borrowIndex;
        uint32 lastAccrual;
    }

    /// @dev Principal totals [wad].
    struct CashTotals {
        uint128 supplyPrincipal;
        uint128 borrowPrincipal;
    }

    /// @dev Rates [wad per year], borrow cap [wad cash].
    struct CashParams {
        uint64 baseRatePerYear;
        uint64 slopePerYear;
        uint128 borrowCap;
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

    mapping(address token => TokenState) internal _tokens;
    mapping(address token => bytes32) internal _tokenAsset;
    mapping(address token => TokenSupply) internal _supply;
    mapping(address token => uint256) internal _lastHaircutDecrease;
    address[MAX_TOKENS] internal _tokenAt;
    uint256 internal _tokenCount;

    mapping(uint256 account => mapping(address token => uint256)) internal _balances;
    mapping(uint256 account => VaultAccount) internal _accounts;
    mapping(uint256 account => int256) internal _cashPrincipal;

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
        _index = CashIndex(1e18, 1e18, uint32(block.timestamp));
    }

    // ------------------------------------------------------------------ cash index

    /// @dev Accrues interest to now and stores the indices.
    function _accrue() internal returns (CashIndex memory idx) {
        idx = _index;
        if (idx.lastAccrual == block.timestamp) return idx;
        CashTotals memory t = _totals;
        if (t.borrowPrincipal != 0) {
            uint256 interest;
            (idx.supplyIndex, idx.borrowIndex, interest) = _accrued(idx, t);
            emit CashInterestAccrued(idx.supplyIndex, idx.borrowIndex, interest);
        }
        idx.lastAccrual = uint32(block.timestamp);
        _index = idx;
    }

    /// @dev Indices accrued to now (view): see the contract's @dev for the formula.
    function _accrued(
        CashIndex memory idx,
        CashTotals memory t
    ) internal view returns (uint112 sI, uint112 bI, uint256 interest) {
        uint256 dt = block.timestamp - idx.lastAccrual;
        sI = idx.supplyIndex;
        bI = idx.borrowIndex;
        if (dt == 0 || t.borrowPrincipal == 0) return (sI, bI, 0);
        uint256 newBI = uint256(bI) + uint256(bI).mulWadUp(WadMath.mulDivUp(_ratePerYear(idx, t), dt, SECONDS_PER_YEAR));
        interest = uint256(t.borrowPrincipal).mulWadDown(newBI - bI);
        if (t.supplyPrincipal != 0) sI = (uint256(sI) + interest.divWadDown(t.supplyPrincipal)).toUint112();
        bI = newBI.toUint112();
    }

    /// @dev base + slope * utilisation, per year [wad].
    function _ratePerYear(CashIndex memory idx, CashTotals memory t) internal view returns (uint256) {
        CashParams memory p = _params;
        uint256 supplyValue = uint256(t.supplyPrincipal).mulWadDown(idx.supplyIndex);
        uint256 borrowValue = uint256(t.borrowPrincipal).mulWadUp(idx.borrowIndex);
        uint256 u = supplyValue == 0 ? 1e18 : WadMath.min(1e18, borrowValue.divWadUp(supplyValue));
        return uint256(p.baseRatePerYear) + uint256(p.slopePerYear).mulWadUp(u);
    }

    /// @dev Cash value of a principal: supply rounds down, debt rounds up (in magnitude).
    function _cashValue(int256 principal, CashIndex memory idx) internal pure returns (int256) {
        if (principal >= 0) return uint256(principal).mulWadDown(idx.supplyIndex).toInt256();
        return -uint256(-principal).mulWadUp(idx.borrowIndex).toInt256();
    }

    /// @dev Adds `delta` to an account's cash value, re-expressing it as a principal (supply shares round down,
    /// debt shares round up) and keeping the totals in `t` (the caller stores `t`).
    function _addCash(CashTotals memory t, CashIndex memory idx, uint256 account, int256 delta) internal {
        int256 p = _cashPrincipal[account];
        int256 v = _cashValue(p, idx) + delta;
        int256 p2 =
            v >= 0 ? uint256(v).divWadDown(idx.supplyIndex).toInt256() : -uint256(-v).divWadUp(idx.borrowIndex).toInt256();
        if (p >= 0) t.supplyPrincipal -= uint128(uint256(p));
        else t.borrowPrincipal -= uint128(uint256(-p));
        if (p2 >= 0) t.supplyPrincipal += uint256(p2).toUint128();
        else t.borrowPrincipal += uint256(-p2).toUint128();
        _cashPrincipal[account] = p2;
    }

    // ------------------------------------------------------------------ collateral valuation

    /// @dev Cash value and haircut collateral value of `account`. Cached token prices older than `maxAge` are
    /// refreshed from the oracle and stored.
    function _marginCollateral(
        uint256 account,
        CashIndex memory idx,
        uint256 maxAge
    ) internal returns (MarginCollateral memory c) {
        c.cash = _cashValue(_cashPrincipal[account], idx);
        uint256 bits = _accounts[account].tokens;
        while (bits != 0) {
            uint256 i = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            address token = _tokenAt[i];
            TokenState memory ts = _tokens[token];
            if (block.timestamp - ts.priceTimestamp > maxAge) {
                ts.price = oracle.getPrice(_tokenAsset[token]).toUint96();
                ts.priceTimestamp = uint32(block.timestamp);
                _tokens[token] = ts;
            }
            c.collateralValue += _balances[account][token].mulWadDown(ts.price).mulWadDown(ts.haircut);
        }
    }

    /// @dev As `_marginCollateral` without writing: interest accrued to now, prices from `prices[index]` when
    /// given, else fresh from the oracle.
    function _marginCollateralView(uint256 account, uint256[] memory prices) internal view returns (MarginCollateral memory c) {
        CashIndex memory idx = _index;
        (idx.supplyIndex, idx.borrowIndex, ) = _accrued(idx, _totals);
        c.cash = _cashValue(_cashPrincipal[account], idx);
        uint256 bits = _accounts[account].tokens;
        while (bits != 0) {
            uint256 i = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            address token = _tokenAt[i];
            uint256 price = prices.length != 0 ? prices[i] : oracle.getPrice(_tokenAsset[token]);
            c.collateralValue += _balances[account][token].mulWadDown(price).mulWadDown(_tokens[token].haircut);
        }
    }

    /// @dev Increments the nonce of `account`.
    function _bump(uint256 account) internal {
        unchecked {
            // A uint64 nonce cannot realistically wrap (2**64 state changes of one account).
            _accounts[account].nonce += 1;
        }
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
