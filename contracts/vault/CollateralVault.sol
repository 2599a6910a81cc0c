// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarginMath} from "../libraries/MarginMath.sol";
import {Bitmap} from "../libraries/Bitmap.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {MeasuredTransfer} from "../libraries/MeasuredTransfer.sol";
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
        // Only the owner or its full-scope operator adds holdings to an account: nobody else can put a collateral
        // into it (R-15: a third party's dust must not be able to change how its liquidation is valued).
        _authorize(account);
        bool isCash = token == address(_cash);
        // An account in auction takes cash only (which restores margin and needs no price): a collateral added then,
        // with a feed that fails, would stop its own liquidation (a bad price reverts every valuation, R-01).
        if (!isCash && _accounts[account].frozen) revert VaultAccountInAuction(account);
        TokenState memory ts;
        uint256 scale = _cashScale;
        if (!isCash) {
            ts = _reg.state[token];
            if (!ts.listed) revert VaultTokenNotListed(token);
            if (!ts.enabled) revert VaultTokenDisabled(token);
            if (ts.delistingEnd != 0) revert VaultTokenDelisting(token);
            scale = TokenAmountLib.scaleOf(ts.decimals);
        }
        uint256 wad = TokenAmountLib.toWad(amount, scale);
        TokenSupply memory sup = _reg.supply[token];
        uint256 totalAfter = uint256(sup.totalDeposits) + wad;
        if (totalAfter > sup.depositCap) revert VaultDepositCapExceeded(token, sup.depositCap, totalAfter);

        // Measure what arrived: a token that delivers less than `amount` is refused (the guard blocks reentry).
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received < amount) revert VaultTransferShortfall(token, amount, received);

        _reg.supply[token].totalDeposits = uint128(totalAfter);
        if (isCash) {
            Cash memory c = _loadCash();
            _applyCash(c, account, wad.toInt256(), false);
            _storeCash(c);
        } else {
            _balances[account][token] += wad;
            VaultAccount storage a = _accounts[account];
            uint16 bit = uint16(1 << ts.index);
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
            Cash memory c = _loadCash();
            uint256 wad = _debitCash(c, account, amount);
            _storeCash(c);
            uint256 held = _reg.supply[token].totalDeposits;
            // Positive cash lent to accounts in debt is a claim, not tokens the vault holds.
            if (wad > held) revert VaultInsufficientLiquidity(token, TokenAmountLib.fromWadDown(held, _cashScale), amount);
            _reg.supply[token].totalDeposits = uint128(held - wad);
        } else {
            TokenState memory ts = _reg.state[token];
            if (!ts.listed) revert VaultTokenNotListed(token);
            uint256 scale = TokenAmountLib.scaleOf(ts.decimals);
            uint256 wad = TokenAmountLib.toWad(amount, scale);
            uint256 bal = _balances[account][token];
            if (bal < wad) revert VaultInsufficientBalance(account, token, TokenAmountLib.fromWadDown(bal, scale), amount);
            _balances[account][token] = bal - wad;
            VaultAccount storage a = _accounts[account];
            if (bal == wad) a.tokens &= ~uint16(1 << ts.index);
            a.nonce += 1;
            _reg.supply[token].totalDeposits -= uint128(wad);
        }
        _requireInitialMargin(account);
        MeasuredTransfer.sendExact(IERC20(token), to, amount);
        emit Withdrawn(account, token, amount, to);
    }

    /// @inheritdoc ICollateralVault
    function transferCash(uint256 from, uint256 to, uint256 amount) external nonReentrant {
        if (amount == 0) revert VaultZeroAmount();
        _authorize(from);
        Cash memory c = _loadCash();
        uint256 wad = _debitCash(c, from, amount);
        // A credit only adds cash: it does not bump `to`'s nonce, so no sender can void `to`'s pending bids (R-15).
        _applyCash(c, to, wad.toInt256(), false);
        _storeCash(c);
        _requireInitialMargin(from);
        emit CashTransferred(from, to, wad);
    }

    // ------------------------------------------------------------------ delisted collateral (review F1)

    /// @inheritdoc ICollateralVault
    function evictCollateral(uint256 account, address token) external restricted nonReentrant {
        token; // ABI names only: VaultAdmin runs on the forwarded calldata
        _callAdmin();
        // The evicted balance counted nothing (weight zero), so this is the margin the account already had: an
        // account below initial margin or in auction keeps the balance where its liquidation can still sell it.
        _requireInitialMargin(account);
    }

    /// @inheritdoc ICollateralVault
    function claimEvicted(uint256 account, address token, address to) external nonReentrant {
        token; // ABI names only: VaultAdmin runs on the forwarded calldata
        if (to == address(0)) revert VaultZeroAddress();
        _authorize(account);
        // Continues after the library call, so that the reentrancy guard is released.
        _callAdmin();
    }

    // ------------------------------------------------------------------ engine and liquidator

    /// @inheritdoc ICollateralVault
    function settleTrade(
        TradeCash calldata t,
        uint256 maxPriceAge
    ) external onlyEngine returns (MarginCollateral memory a, MarginCollateral memory b, bool borrowCapExceeded) {
        Cash memory c = _loadCash();
        // Fees first, so that a trader whose account is also the fee account is valued with them.
        if (t.fees != 0) _applyCash(c, t.feeAccount, t.fees.toInt256(), false);
        VaultAccount memory va = _applyTradeCash(c, t.accountA, t.deltaA, t.hasPositionsA);
        VaultAccount memory vb = _applyTradeCash(c, t.accountB, t.deltaB, t.hasPositionsB);
        _storeCash(c);
        a = _marginCollateral(t.accountA, va, c, maxPriceAge);
        b = _marginCollateral(t.accountB, vb, c, maxPriceAge);
        borrowCapExceeded = c.borrowPrincipal != 0 && c.borrowPrincipal.mulWadUp(c.borrowIndex) > _params.borrowCap;
    }

    /// @inheritdoc ICollateralVault
    function settleCash(uint256 account, int256 delta, bool hasPositions) external onlyEngine {
        Cash memory c = _loadCash();
        _accounts[account].hasPositions = hasPositions;
        _applyCash(c, account, delta, true);
        _storeCash(c);
        emit CashSettled(account, delta);
    }

    /// @inheritdoc ICollateralVault
    function transferFraction(
        uint256 from,
        uint256 to,
        uint256 fraction,
        bool fromHasPositions,
        bool toHasPositions,
        CashLegs calldata legs
    ) external onlyEngine {
        if (fraction == 0 || fraction > 1e18) revert VaultInvalidFraction(fraction);
        if (_accounts[to].frozen) revert VaultAccountInAuction(to);
        uint256 bits = _accounts[from].tokens;
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            address token = _reg.at[i];
            uint256 bal = _balances[from][token];
            _moveCollateral(from, to, token, uint8(i), fraction == 1e18 ? bal : bal.mulWadDown(fraction));
        }
        Cash memory c = _loadCash();
        int256 v = _cashValue(_accounts[from].cashPrincipal, c);
        // Toward the protocol: the receiver gets positive cash rounded down and debt rounded up.
        int256 moved = fraction == 1e18 ? v : v.mulWadDown(fraction);
        if (legs.toFrom + legs.toTo + legs.toThird != 0) revert VaultCashNotConserved(legs.toFrom + legs.toTo + legs.toThird);
        _accounts[from].hasPositions = fromHasPositions;
        _accounts[to].hasPositions = toHasPositions;
        _applyCash(c, from, legs.toFrom - moved, true);
        _applyCash(c, to, legs.toTo + moved, true);
        // A leg that takes value out of the third account changes it: bump its nonce (INV-05).
        if (legs.toThird != 0) _applyCash(c, legs.third, legs.toThird, legs.toThird < 0);
        _storeCash(c);
    }

    /// @inheritdoc ICollateralVault
    function startLiquidation(uint256 account, uint256 tipAccount, uint256 tip) external onlyLiquidator {
        Cash memory c = _loadCash();
        VaultAccount memory a = _accounts[account];
        a.frozen = true;
        // Every start bumps the nonce, tip or not: it stays constant through the auction (review M1), so a bid priced
        // in an earlier auction of this account must not fill in this one (review F3).
        a.nonce += 1;
        if (tip != 0) {
            _addCash(c, a, -tip.toInt256());
            _accounts[account] = a;
            // A credit: the tip account's nonce stays (a tip cannot void bids on it, R-15).
            _applyCash(c, tipAccount, tip.toInt256(), false);
            _storeCash(c);
        } else {
            _accounts[account] = a;
        }
        emit LiquidationStarted(account, tipAccount, tip);
    }

    /// @inheritdoc ICollateralVault
    function endLiquidation(uint256 account) external onlyLiquidator {
        _accounts[account].frozen = false;
        emit LiquidationEnded(account);
    }

    /// @inheritdoc ICollateralVault
    function moveCashBatch(uint256[] calldata accounts, int256[] calldata deltas) external onlyLiquidator {
        int256 sum;
        for (uint256 i; i < deltas.length; ++i) sum += deltas[i];
        if (sum != 0 || accounts.length != deltas.length) revert VaultCashNotConserved(sum);
        Cash memory c = _loadCash();
        for (uint256 i; i < accounts.length; ++i) {
            if (deltas[i] != 0) _applyCash(c, accounts[i], deltas[i], true);
        }
        _storeCash(c);
    }

    /// @inheritdoc ICollateralVault
    function socialiseLoss(uint256 account, uint256 amount) external onlyLiquidator returns (uint256 socialised) {
        Cash memory c = _loadCash();
        uint256 before = c.supplyIndex;
        if (c.supplyPrincipal == 0 || before <= MIN_SUPPLY_INDEX) {
            _storeCash(c);
            emit LossSocialised(0, before, before);
            return 0;
        }
        // Largest loss the supply side can bear while the index stays at or above MIN_SUPPLY_INDEX.
        uint256 capacity = c.supplyPrincipal.mulWadDown(before - MIN_SUPPLY_INDEX);
        socialised = WadMath.min(amount, capacity);
        // Index cut rounded up so positive cash loses at least `socialised` in total.
        c.supplyIndex = before - socialised.divWadUp(c.supplyPrincipal);
        c.indexChanged = true;
        _applyCash(c, account, socialised.toInt256(), true);
        _storeCash(c);
        emit LossSocialised(socialised, before, c.supplyIndex);
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
        (account, token); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function cashBalance(uint256 account) public view returns (int256) {
        return _cashValue(_accounts[account].cashPrincipal, _viewCash());
    }

    /// @inheritdoc ICollateralVault
    function marginCollateralFresh(uint256 account) external view returns (MarginCollateral memory m) {
        (account, m); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function collateralValuesFresh(uint256 account) external view returns (MarginCollateral memory, uint256) {
        return _marginCollateralView(account);
    }

    /// @inheritdoc ICollateralVault
    function marginCollateralAtPrices(
        uint256 account,
        uint256[] calldata tokenPrices
    ) external view returns (MarginCollateral memory) {
        (account, tokenPrices); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
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
    function accountStatus(uint256 account) external view returns (bool frozen, bool hasPositions) {
        (account, frozen, hasPositions); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function tokenAt(uint256 index) external view returns (address) {
        return index < MAX_TOKENS ? _reg.at[index] : address(0);
    }

    /// @inheritdoc ICollateralVault
    function tokenCount() external view returns (uint256) {
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function tokenInfo(address token) external view returns (TokenInfo memory info) {
        TokenState memory ts = _reg.state[token];
        TokenSupply memory sup = _reg.supply[token];
        info = TokenInfo(
            _reg.asset[token],
            uint64(_weightNow(token)),
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
        Cash memory c = _viewCash();
        return (c.supplyIndex, c.borrowIndex, _totals.lastAccrual);
    }

    /// @inheritdoc ICollateralVault
    function cashTotals() external view returns (uint256 supplyValue, uint256 borrowValue) {
        Cash memory c = _viewCash();
        supplyValue = c.supplyPrincipal.mulWadDown(c.supplyIndex);
        borrowValue = c.borrowPrincipal.mulWadUp(c.borrowIndex);
    }

    /// @inheritdoc ICollateralVault
    function borrowRatePerYear() external view returns (uint256) {
        return _ratePerYear(_viewCash());
    }

    /// @inheritdoc ICollateralVault
    function cashParams() external view returns (uint256 baseRatePerYear, uint256 slopePerYear, uint256 borrowCap) {
        (baseRatePerYear, slopePerYear, borrowCap); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function totalHeldWad(address token) external view returns (uint256) {
        return _reg.supply[token].totalDeposits;
    }

    /// @inheritdoc ICollateralVault
    function evictedClaim(uint256 account, address token) external view returns (uint256 amount, uint256 total) {
        (account, token, amount, total); // ABI names only: VaultAdmin runs on the forwarded calldata
        _viewInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function cashScale() external view returns (uint256) {
        return _cashScale;
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

    /// @dev Cash and collateral here plus the engine's losing position values (unrealised profit never counts, INV-28)
    /// must cover the engine's initial margin, at cached prices no older than the engine's `maxPriceAge`. An account
    /// with no position and no debt meets it trivially (its initial margin is zero), so the engine is not asked.
    /// Accounts in an auction are refused.
    function _requireInitialMargin(uint256 account) internal {
        VaultAccount memory a = _accounts[account];
        if (a.frozen) revert VaultAccountInAuction(account);
        if (!a.hasPositions && a.cashPrincipal >= 0) return;
        (int256 value, uint256 im, uint256 maxAge) = engine.positionsMargin(account);
        MarginCollateral memory m = _marginCollateral(account, a, _viewCash(), maxAge);
        int256 equity = MarginMath.marginEquity(m.cash, m.collateralValue, value);
        if (equity < im.toInt256()) revert VaultInsufficientMargin(account, equity, im);
    }

    /// @dev A trade's cash for one account: refuses frozen accounts, records whether positions remain, bumps the nonce.
    function _applyTradeCash(
        Cash memory c,
        uint256 account,
        int256 delta,
        bool hasPositions
    ) internal returns (VaultAccount memory a) {
        a = _accounts[account];
        if (a.frozen) revert VaultAccountInAuction(account);
        if (delta != 0) _addCash(c, a, delta);
        a.nonce += 1;
        a.hasPositions = hasPositions;
        _accounts[account] = a;
    }

    /// @dev Debits `amount` (token units) of positive cash from `account` (bumping its nonce); returns it in WAD.
    function _debitCash(Cash memory c, uint256 account, uint256 amount) internal returns (uint256 wad) {
        VaultAccount memory a = _accounts[account];
        int256 available = _cashValue(a.cashPrincipal, c);
        wad = TokenAmountLib.toWad(amount, _cashScale);
        if (available < wad.toInt256()) revert VaultInsufficientCash(account, available, amount);
        _addCash(c, a, -wad.toInt256());
        a.nonce += 1;
        _accounts[account] = a;
    }
}
