// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {CollateralValuation} from "../libraries/CollateralValuation.sol";
import {MeasuredTransfer} from "../libraries/MeasuredTransfer.sol";
import {CollateralListing} from "./CollateralListing.sol";
import {VaultStorage} from "./VaultStorage.sol";

/// @title VaultAdmin
/// @custom:security-contact security@ballast.finance
/// @notice The bodies of the vault's cold functions: the collateral life cycle of {CollateralListing} (listing,
/// oracle, haircut, delisting, eviction, removal), the payment of evicted-collateral claims, deposit caps, collateral
/// enable/disable, borrow cap, deposit pause, the one-time wiring, and the views only the lens and off-chain readers
/// use. A linked library run by DELEGATECALL on the vault's storage, so the vault keeps room under the EIP-170 size
/// limit while only governance calls and these views pay the library call.
/// @dev Each function here has the signature of the {ICollateralVault} function it implements, hence the same
/// selector: the vault's wrapper runs its own checks (`restricted`, the owner check, the reentrancy guard) and then
/// forwards its own calldata unchanged (`VaultGovernance._runInAdmin`, `_callAdmin`, `_viewInAdmin`), which costs the
/// vault a few bytes per function instead of an ABI re-encoding. Having no storage-pointer parameters, these
/// functions reach the vault's state at the slots pinned below; the vault's constructor asserts that its layout has
/// them. Must only ever be called by DELEGATECALL from the vault: its state-changing functions refuse a direct call
/// (the compiler's library call guard), and its views called directly read the library's own empty storage. The
/// immutables of the vault (cash token, oracle) are read back through the vault's views. Reverts and events are the
/// vault's own ({ICollateralVault}).
library VaultAdmin {
    /// @dev Mirror of the vault's first state variables (`engine`; `liquidator` and `depositsPaused` packed in the
    /// next slot), declared in this order in {VaultStorage}.
    struct Wiring {
        address engine;
        address liquidator;
        bool depositsPaused;
    }

    /// @notice Storage slot of `VaultStorage.engine` (and of `liquidator`, `depositsPaused` in the next one).
    uint256 internal constant WIRING_SLOT = 0;
    /// @notice Storage slot of `VaultStorage._reg` (the collateral registry).
    uint256 internal constant REGISTRY_SLOT = 2;
    /// @notice Storage slot of `VaultStorage._balances` (collateral balances [wad] per account and token).
    uint256 internal constant BALANCES_SLOT = 26;
    /// @notice Storage slot of `VaultStorage._accounts`.
    uint256 internal constant ACCOUNTS_SLOT = 27;
    /// @notice Storage slot of `VaultStorage._params` (cash rate model and borrow cap).
    uint256 internal constant PARAMS_SLOT = 30;

    /// @notice See {ICollateralVault-listCollateral}.
    function listCollateral(address token, bytes32 oracleAsset, uint64 haircut, uint256 depositCap) external {
        CollateralListing.list(_registry(), _oracle(), _cashToken(), token, oracleAsset, haircut, depositCap);
    }

    /// @notice See {ICollateralVault-setCollateralOracle}.
    function setCollateralOracle(address token, bytes32 oracleAsset) external {
        CollateralListing.setOracle(_registry(), _oracle(), token, oracleAsset);
    }

    /// @notice See {ICollateralVault-setHaircut}.
    function setHaircut(address token, uint64 haircut) external {
        CollateralListing.setHaircut(_registry(), token, haircut);
    }

    /// @notice See {ICollateralVault-beginDelisting}.
    function beginDelisting(address token, uint256 rampDuration) external {
        CollateralListing.beginDelisting(_registry(), token, rampDuration);
    }

    /// @notice See {ICollateralVault-removeToken}.
    function removeToken(address token) external {
        CollateralListing.remove(_registry(), token);
    }

    /// @notice See {ICollateralVault-evictCollateral}: the eviction itself; the vault's wrapper then checks the
    /// account's initial margin.
    function evictCollateral(uint256 account, address token) external {
        CollateralListing.evict(_registry(), _balances(), _accounts(), account, token);
    }

    /// @notice See {ICollateralVault-claimEvicted}: pays the claim; the vault's wrapper has checked the recipient and
    /// the caller, under its reentrancy guard.
    function claimEvicted(uint256 account, address token, address to) external {
        VaultStorage.Registry storage r = _registry();
        uint256 amount = r.claims[account][token];
        if (amount == 0) revert ICollateralVault.VaultZeroAmount();
        r.claims[account][token] = 0;
        r.claimTotal[token] -= amount;
        MeasuredTransfer.sendExact(IERC20(token), to, amount);
        emit ICollateralVault.EvictedCollateralClaimed(account, token, amount, to);
    }

    /// @notice See {ICollateralVault-setDepositCap}.
    function setDepositCap(address token, uint256 depositCap) external {
        uint256 capWad = CollateralListing.capToWad(depositCap, _scaleOf(token));
        _registry().supply[token].depositCap = uint128(capWad);
        emit ICollateralVault.DepositCapSet(token, capWad);
    }

    /// @notice See {ICollateralVault-reduceDepositCap}.
    function reduceDepositCap(address token, uint256 depositCap) external {
        uint256 capWad = CollateralListing.capToWad(depositCap, _scaleOf(token));
        VaultStorage.TokenSupply storage sup = _registry().supply[token];
        uint256 current = sup.depositCap;
        if (capWad > current) revert ICollateralVault.VaultGuardianCannotLoosen("depositCap", current, capWad);
        sup.depositCap = uint128(capWad);
        emit ICollateralVault.DepositCapSet(token, capWad);
    }

    /// @notice See {ICollateralVault-disableCollateral}.
    function disableCollateral(address token) external {
        _setEnabled(token, false);
    }

    /// @notice See {ICollateralVault-enableCollateral}.
    function enableCollateral(address token) external {
        _setEnabled(token, true);
    }

    /// @notice See {ICollateralVault-setBorrowCap}.
    function setBorrowCap(uint128 borrowCap) external {
        _params().borrowCap = borrowCap;
        emit ICollateralVault.BorrowCapSet(borrowCap);
    }

    /// @notice See {ICollateralVault-pauseDeposits}.
    function pauseDeposits() external {
        _wiring().depositsPaused = true;
        emit ICollateralVault.DepositsPausedSet(true);
    }

    /// @notice See {ICollateralVault-unpauseDeposits}.
    function unpauseDeposits() external {
        _wiring().depositsPaused = false;
        emit ICollateralVault.DepositsPausedSet(false);
    }

    /// @notice See {ICollateralVault-bindEngine}.
    function bindEngine(address engine_) external {
        Wiring storage w = _wiring();
        if (engine_ == address(0)) revert ICollateralVault.VaultZeroAddress();
        if (w.engine != address(0)) revert ICollateralVault.VaultAlreadyBound(w.engine);
        w.engine = engine_;
        emit ICollateralVault.EngineBound(engine_);
    }

    /// @notice See {ICollateralVault-bindLiquidator}.
    function bindLiquidator(address liquidator_) external {
        Wiring storage w = _wiring();
        if (liquidator_ == address(0)) revert ICollateralVault.VaultZeroAddress();
        if (w.liquidator != address(0)) revert ICollateralVault.VaultAlreadyBound(w.liquidator);
        w.liquidator = liquidator_;
        emit ICollateralVault.LiquidatorBound(liquidator_);
    }

    // ------------------------------------------------------------------ cold views (the lens and off-chain readers)

    /// @notice See {ICollateralVault-marginCollateralFresh}: the vault's `collateralValuesFresh` without the raw value.
    function marginCollateralFresh(uint256 account) external view returns (ICollateralVault.MarginCollateral memory m) {
        (m, ) = ICollateralVault(address(this)).collateralValuesFresh(account);
    }

    /// @notice See {ICollateralVault-marginCollateralAtPrices}. The cash value and each haircut weight in force are
    /// the vault's own (`cashBalance`, `tokenInfo`); the value is {CollateralValuation}'s.
    function marginCollateralAtPrices(
        uint256 account,
        uint256[] calldata tokenPrices
    ) external view returns (ICollateralVault.MarginCollateral memory m) {
        VaultStorage.Registry storage r = _registry();
        uint256 count = r.count;
        if (tokenPrices.length != count) {
            revert ICollateralVault.VaultParameterOutOfBounds("tokenPrices", tokenPrices.length, count, count);
        }
        ICollateralVault vault = ICollateralVault(address(this));
        m.cash = vault.cashBalance(account);
        uint256 bits = _accounts()[account].tokens;
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            address token = r.at[i];
            uint256 weight = vault.tokenInfo(token).haircut;
            m.collateralValue += CollateralValuation.marginValueDown(_balances()[account][token], tokenPrices[i], weight);
        }
    }

    /// @notice See {ICollateralVault-collateralBalanceWad}.
    function collateralBalanceWad(uint256 account, address token) external view returns (uint256) {
        return _balances()[account][token];
    }

    /// @notice See {ICollateralVault-accountStatus}.
    function accountStatus(uint256 account) external view returns (bool frozen, bool hasPositions) {
        VaultStorage.VaultAccount storage a = _accounts()[account];
        return (a.frozen, a.hasPositions);
    }

    /// @notice See {ICollateralVault-tokenCount}.
    function tokenCount() external view returns (uint256) {
        return _registry().count;
    }

    /// @notice See {ICollateralVault-cashParams}.
    function cashParams() external view returns (uint256 baseRatePerYear, uint256 slopePerYear, uint256 borrowCap) {
        VaultStorage.CashParams memory p = _params();
        return (p.baseRatePerYear, p.slopePerYear, p.borrowCap);
    }

    /// @notice See {ICollateralVault-evictedClaim}.
    function evictedClaim(uint256 account, address token) external view returns (uint256 amount, uint256 total) {
        VaultStorage.Registry storage r = _registry();
        return (r.claims[account][token], r.claimTotal[token]);
    }

    // ------------------------------------------------------------------ helpers

    function _setEnabled(address token, bool enabled) private {
        VaultStorage.Registry storage r = _registry();
        CollateralListing.listed(r, token);
        r.state[token].enabled = enabled;
        emit ICollateralVault.CollateralEnabledSet(token, enabled);
    }

    /// @dev 10**(18 - decimals) of the cash token or a listed collateral. The cash token's scale is the vault's
    /// immutable, read back through its `cashScale` view (a library has no access to the vault's immutables), so a
    /// cap converts exactly as every cash amount does, whatever the token's `decimals()` answers now (review R3-2).
    function _scaleOf(address token) private view returns (uint256) {
        if (token == _cashToken()) return ICollateralVault(address(this)).cashScale();
        return TokenAmountLib.scaleOf(CollateralListing.listed(_registry(), token).decimals);
    }

    /// @dev The vault's settlement token and oracle router (immutables of the vault, which a library cannot read:
    /// read back through the vault's own views; `address(this)` is the vault under DELEGATECALL).
    function _cashToken() private view returns (address) {
        return ICollateralVault(address(this)).cashToken();
    }

    function _oracle() private view returns (IOracleRouter) {
        return VaultStorage(address(this)).oracle();
    }

    function _wiring() private pure returns (Wiring storage w) {
        assembly ("memory-safe") {
            w.slot := WIRING_SLOT
        }
    }

    function _registry() private pure returns (VaultStorage.Registry storage r) {
        assembly ("memory-safe") {
            r.slot := REGISTRY_SLOT
        }
    }

    function _balances() private pure returns (mapping(uint256 => mapping(address => uint256)) storage b) {
        assembly ("memory-safe") {
            b.slot := BALANCES_SLOT
        }
    }

    function _accounts() private pure returns (mapping(uint256 => VaultStorage.VaultAccount) storage a) {
        assembly ("memory-safe") {
            a.slot := ACCOUNTS_SLOT
        }
    }

    function _params() private pure returns (VaultStorage.CashParams storage p) {
        assembly ("memory-safe") {
            p.slot := PARAMS_SLOT
        }
    }
}
