// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {VaultStorage} from "./VaultStorage.sol";
import {VaultGovernance} from "./VaultGovernance.sol";

/// @title CollateralVault
/// @custom:security-contact security@ballast.finance
/// @notice Custody and ledger of Ballast collateral. See {ICollateralVault}.
contract CollateralVault is VaultGovernance, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    /// @param cash_ The settlement token (decimals <= 18).
    /// @param oracle_ The oracle router pricing collateral.
    constructor(
        address accessManager,
        IERC20 cash_,
        IOracleRouter oracle_
    ) VaultStorage(cash_, oracle_) AccessManaged(accessManager) {}

    modifier onlyEngine() {
        if (msg.sender != address(engine)) revert VaultOnlyEngine(msg.sender);
        _;
    }

    modifier onlyLiquidator() {
        if (msg.sender != liquidator) revert VaultOnlyLiquidator(msg.sender);
        _;
    }

    // ------------------------------------------------------------------ users

    /// @inheritdoc ICollateralVault
    function deposit(uint256 account, address token, uint256 amount) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        if (depositsPaused) revert VaultDepositsPaused();
        bool isCash = token == address(_cash);
        uint256 scale = _cashScale;
        if (!isCash) {
            TokenState memory ts = _tokens[token];
            if (!ts.listed) revert VaultTokenNotListed(token);
            if (!ts.enabled) revert VaultTokenDisabled(token);
            scale = TokenAmountLib.scaleOf(ts.decimals);
        }
        uint256 wad = TokenAmountLib.toWad(amount, scale);
        TokenSupply memory sup = _supply[token];
        uint256 totalAfter = uint256(sup.totalDeposits) + wad;
        if (totalAfter > sup.depositCap) revert VaultDepositCapExceeded(token, sup.depositCap, totalAfter);

        // Measure what arrived: a token that delivers less than `amount` is refused (the guard blocks reentry).
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received < amount) revert VaultTransferShortfall(token, amount, received);

        _supply[token].totalDeposits = uint128(totalAfter);
        if (isCash) {
            CashIndex memory idx = _accrue();
            CashTotals memory t = _totals;
            _addCash(t, idx, account, wad.toInt256());
            _totals = t;
        } else {
            _balances[account][token] += wad;
            VaultAccount storage a = _accounts[account];
            uint16 bit = uint16(1 << _tokens[token].index);
            if (a.tokens & bit == 0) a.tokens |= bit;
        }
        emit Deposited(account, token, amount, msg.sender);
    }

    /// @inheritdoc ICollateralVault
    function withdraw(uint256 account, address token, uint256 amount, address to) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        if (to == address(0)) revert VaultZeroAddress();
        _authorize(account);
        if (token == address(_cash)) {
            _supply[token].totalDeposits -= uint128(_debitCash(account, amount));
        } else {
            TokenState memory ts = _tokens[token];
            if (!ts.listed) revert VaultTokenNotListed(token);
            uint256 scale = TokenAmountLib.scaleOf(ts.decimals);
            uint256 wad = TokenAmountLib.toWad(amount, scale);
            uint256 bal = _balances[account][token];
            if (bal < wad) revert VaultInsufficientBalance(account, token, TokenAmountLib.fromWadDown(bal, scale), amount);
            _balances[account][token] = bal - wad;
            if (bal == wad) _accounts[account].tokens &= ~uint16(1 << ts.index);
            _supply[token].totalDeposits -= uint128(wad);
        }
        _bump(account);
        engine.checkInitialMargin(account);
        IERC20(token).safeTransfer(to, amount);
        emit Withdrawn(account, token, amount, to);
    }

    /// @inheritdoc ICollateralVault
    function transferCash(uint256 from, uint256 to, uint256 amount) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        _authorize(from);
        uint256 wad = _debitCash(from, amount);
        CashTotals memory t = _totals;
        _addCash(t, _index, to, wad.toInt256());
        _totals = t;
        _bump(from);
        _bump(to);
        engine.checkInitialMargin(from);
        emit CashTransferred(from, to, wad);
    }

    // ------------------------------------------------------------------ engine and liquidator

    /// @inheritdoc ICollateralVault
    function settleTrade(
        TradeCash calldata c,
        uint256 maxPriceAge
    ) external onlyEngine returns (MarginCollateral memory a, MarginCollateral memory b, bool borrowCapExceeded) {
        CashIndex memory idx = _accrue();
        CashTotals memory t = _totals;
        if (c.deltaA != 0) _addCash(t, idx, c.accountA, c.deltaA);
        if (c.deltaB != 0) _addCash(t, idx, c.accountB, c.deltaB);
        if (c.fees != 0) _addCash(t, idx, c.feeAccount, c.fees.toInt256());
        _totals = t;
        _bump(c.accountA);
        _bump(c.accountB);
        emit TradeCashSettled(c.accountA, c.deltaA, c.accountB, c.deltaB, c.feeAccount, c.fees);
        a = _marginCollateral(c.accountA, idx, maxPriceAge);
        b = _marginCollateral(c.accountB, idx, maxPriceAge);
        borrowCapExceeded = uint256(t.borrowPrincipal).mulWadUp(idx.borrowIndex) > _params.borrowCap;
    }

    /// @inheritdoc ICollateralVault
    function marginCollateral(uint256 account, uint256 maxPriceAge) external onlyEngine returns (MarginCollateral memory) {
        return _marginCollateral(account, _accrue(), maxPriceAge);
    }

    /// @inheritdoc ICollateralVault
    function settleCash(uint256 account, int256 delta) external onlyEngine {
        CashIndex memory idx = _accrue();
        CashTotals memory t = _totals;
        _addCash(t, idx, account, delta);
        _totals = t;
        _bump(account);
        emit CashSettled(account, delta);
    }

    /// @inheritdoc ICollateralVault
    function transferFraction(uint256 from, uint256 to, uint256 fraction) external onlyEngine {
        if (fraction == 0 || fraction > 1e18) revert VaultInvalidFraction(fraction);
        uint256 bits = _accounts[from].tokens;
        while (bits != 0) {
            uint256 i = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            address token = _tokenAt[i];
            uint256 bal = _balances[from][token];
            _moveCollateral(from, to, token, uint8(i), fraction == 1e18 ? bal : bal.mulWadDown(fraction));
        }
        CashIndex memory idx = _accrue();
        int256 v = _cashValue(_cashPrincipal[from], idx);
        // Toward the protocol: the receiver gets positive cash rounded down and debt rounded up.
        int256 moved = fraction == 1e18 ? v : v.mulWadDown(fraction);
        if (moved != 0) {
            CashTotals memory t = _totals;
            _addCash(t, idx, from, -moved);
            _addCash(t, idx, to, moved);
            _totals = t;
        }
        _bump(from);
        _bump(to);
        emit PortfolioFractionTransferred(from, to, fraction);
    }

    /// @inheritdoc ICollateralVault
    function moveCash(uint256 from, uint256 to, uint256 amount) external onlyLiquidator {
        CashIndex memory idx = _accrue();
        CashTotals memory t = _totals;
        _addCash(t, idx, from, -amount.toInt256());
        _addCash(t, idx, to, amount.toInt256());
        _totals = t;
        _bump(from);
        _bump(to);
        emit CashTransferred(from, to, amount);
    }

    /// @inheritdoc ICollateralVault
    function socialiseLoss(uint256 account, uint256 amount) external onlyLiquidator returns (uint256 socialised) {
        CashIndex memory idx = _accrue();
        CashTotals memory t = _totals;
        uint256 before = idx.supplyIndex;
        if (t.supplyPrincipal == 0 || before <= MIN_SUPPLY_INDEX) return 0;
        // Largest loss the supply side can bear while the index stays at or above MIN_SUPPLY_INDEX.
        uint256 capacity = uint256(t.supplyPrincipal).mulWadDown(before - MIN_SUPPLY_INDEX);
        socialised = WadMath.min(amount, capacity);
        // Index cut rounded up so positive cash loses at least `socialised` in total.
        uint256 after_ = before - socialised.divWadUp(t.supplyPrincipal);
        idx.supplyIndex = uint112(after_);
        _index = idx;
        _addCash(t, idx, account, socialised.toInt256());
        _totals = t;
        _bump(account);
        emit LossSocialised(socialised, before, after_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICollateralVault
    function balanceOf(uint256 account, address token) external view returns (uint256) {
        if (token == address(_cash)) {
            int256 v = cashBalance(account);
            return v > 0 ? TokenAmountLib.fromWadDown(uint256(v), _cashScale) : 0;
        }
        return TokenAmountLib.fromWadDown(_balances[account][token], _scaleOf(token));
    }

    /// @inheritdoc ICollateralVault
    function collateralBalanceWad(uint256 account, address token) external view returns (uint256) {
        return _balances[account][token];
    }

    /// @inheritdoc ICollateralVault
    function cashBalance(uint256 account) public view returns (int256) {
        CashIndex memory idx = _index;
        (idx.supplyIndex, idx.borrowIndex, ) = _accrued(idx, _totals);
        return _cashValue(_cashPrincipal[account], idx);
    }

    /// @inheritdoc ICollateralVault
    function marginCollateralFresh(uint256 account) external view returns (MarginCollateral memory) {
        return _marginCollateralView(account, new uint256[](0));
    }

    /// @inheritdoc ICollateralVault
    function marginCollateralAtPrices(
        uint256 account,
        uint256[] calldata tokenPrices
    ) external view returns (MarginCollateral memory) {
        if (tokenPrices.length != _tokenCount)
            revert VaultParameterOutOfBounds("tokenPrices", tokenPrices.length, _tokenCount, _tokenCount);
        return _marginCollateralView(account, tokenPrices);
    }

    /// @inheritdoc ICollateralVault
    function accountTokens(uint256 account) external view returns (uint16) {
        return _accounts[account].tokens;
    }

    /// @inheritdoc ICollateralVault
    function accountNonce(uint256 account) external view returns (uint64) {
        return _accounts[account].nonce;
    }

    /// @inheritdoc ICollateralVault
    function tokenAt(uint256 index) external view returns (address) {
        return index < MAX_TOKENS ? _tokenAt[index] : address(0);
    }

    /// @inheritdoc ICollateralVault
    function tokenCount() external view returns (uint256) {
        return _tokenCount;
    }

    /// @inheritdoc ICollateralVault
    function tokenInfo(address token) external view returns (TokenInfo memory info) {
        TokenState memory ts = _tokens[token];
        TokenSupply memory sup = _supply[token];
        info = TokenInfo(
            _tokenAsset[token],
            ts.haircut,
            ts.decimals,
            ts.index,
            ts.enabled,
            sup.depositCap,
            sup.totalDeposits,
            ts.price,
            ts.priceTimestamp
        );
    }

    /// @inheritdoc ICollateralVault
    function cashIndices() external view returns (uint256 supplyIndex, uint256 borrowIndex, uint256 lastAccrual) {
        CashIndex memory idx = _index;
        (supplyIndex, borrowIndex, ) = _accrued(idx, _totals);
        lastAccrual = idx.lastAccrual;
    }

    /// @inheritdoc ICollateralVault
    function cashTotals() external view returns (uint256 supplyValue, uint256 borrowValue) {
        CashIndex memory idx = _index;
        CashTotals memory t = _totals;
        (idx.supplyIndex, idx.borrowIndex, ) = _accrued(idx, t);
        supplyValue = uint256(t.supplyPrincipal).mulWadDown(idx.supplyIndex);
        borrowValue = uint256(t.borrowPrincipal).mulWadUp(idx.borrowIndex);
    }

    /// @inheritdoc ICollateralVault
    function borrowRatePerYear() external view returns (uint256) {
        CashIndex memory idx = _index;
        CashTotals memory t = _totals;
        (idx.supplyIndex, idx.borrowIndex, ) = _accrued(idx, t);
        return _ratePerYear(idx, t);
    }

    /// @inheritdoc ICollateralVault
    function totalHeldWad(address token) external view returns (uint256) {
        return _supply[token].totalDeposits;
    }

    /// @inheritdoc ICollateralVault
    function cashToken() external view returns (address) {
        return address(_cash);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Reverts unless the caller is the owner of `account` or a full-scope operator.
    function _authorize(uint256 account) internal view {
        address owner = AccountLib.ownerOf(account);
        if (msg.sender != owner && !engine.isAuthorized(owner, msg.sender, IMarginEngine.Scope.Full)) {
            revert VaultUnauthorized(msg.sender, account);
        }
    }

    /// @dev Debits `amount` (token units) of positive cash from `account`; returns it in WAD.
    function _debitCash(uint256 account, uint256 amount) internal returns (uint256 wad) {
        CashIndex memory idx = _accrue();
        int256 available = _cashValue(_cashPrincipal[account], idx);
        wad = TokenAmountLib.toWad(amount, _cashScale);
        if (available < wad.toInt256()) revert VaultInsufficientCash(account, available, amount);
        CashTotals memory t = _totals;
        _addCash(t, idx, account, -wad.toInt256());
        _totals = t;
    }
}
