// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {VaultStorage} from "./VaultStorage.sol";
import {VaultAdmin} from "./VaultAdmin.sol";

/// @title VaultGovernance
/// @custom:security-contact security@ballast.finance
/// @notice Collateral listing and bounded parameter setters of the vault.
/// @dev Every setter is `restricted` through OpenZeppelin AccessManager (roles in docs/ACCESS_CONTROL.md),
/// validated against hard bounds and evented with the new value. Guardian setters only tighten. Apart from
/// `setCashRateModel` (which accrues the cash index), each setter's body runs in the linked library {VaultAdmin}
/// after the `restricted` check, forwarded with the setter's own calldata (`_runInAdmin`).
abstract contract VaultGovernance is VaultStorage, AccessManaged {
    /// @inheritdoc ICollateralVault
    function listCollateral(address token, bytes32 oracleAsset, uint64 haircut, uint256 depositCap) external restricted {
        (token, oracleAsset, haircut, depositCap); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function setCollateralOracle(address token, bytes32 oracleAsset) external restricted {
        (token, oracleAsset); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function setHaircut(address token, uint64 haircut) external restricted {
        (token, haircut); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function setDepositCap(address token, uint256 depositCap) external restricted {
        (token, depositCap); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function reduceDepositCap(address token, uint256 depositCap) external restricted {
        (token, depositCap); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function disableCollateral(address token) external restricted {
        token; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function enableCollateral(address token) external restricted {
        token; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function beginDelisting(address token, uint256 rampDuration) external restricted {
        (token, rampDuration); // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function removeToken(address token) external restricted {
        token; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function setCashRateModel(uint64 baseRatePerYear, uint64 slopePerYear) external restricted {
        if (baseRatePerYear > MAX_BASE_RATE_PER_YEAR) {
            revert VaultParameterOutOfBounds("baseRatePerYear", baseRatePerYear, 0, MAX_BASE_RATE_PER_YEAR);
        }
        if (slopePerYear > MAX_RATE_SLOPE_PER_YEAR) {
            revert VaultParameterOutOfBounds("slopePerYear", slopePerYear, 0, MAX_RATE_SLOPE_PER_YEAR);
        }
        _storeCash(_loadCash());
        _params.baseRatePerYear = baseRatePerYear;
        _params.slopePerYear = slopePerYear;
        emit CashRateModelSet(baseRatePerYear, slopePerYear);
    }

    /// @inheritdoc ICollateralVault
    function setBorrowCap(uint128 borrowCap) external restricted {
        borrowCap; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function pauseDeposits() external restricted {
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function unpauseDeposits() external restricted {
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function bindEngine(address engine_) external restricted {
        engine_; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    /// @inheritdoc ICollateralVault
    function bindLiquidator(address liquidator_) external restricted {
        liquidator_; // ABI names only: VaultAdmin runs on the forwarded calldata
        _runInAdmin();
    }

    // ------------------------------------------------------------------ helpers

    /// @dev Runs the body of the calling function in {VaultAdmin} by DELEGATECALL with this call's own calldata (the
    /// library's function of the same signature has the same selector) and ends this call with what it returned
    /// or reverted. Called only after the wrapper's own checks (`restricted` for every setter).
    function _runInAdmin() internal {
        _callAdmin();
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            returndatacopy(ptr, 0, returndatasize())
            return(ptr, returndatasize())
        }
    }

    /// @dev As `_runInAdmin`, but returns to the caller when the library call succeeds (its return data ignored);
    /// a revert is bubbled up. Uses memory past the free memory pointer as scratch.
    function _callAdmin() internal {
        address admin = address(VaultAdmin);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, 0, calldatasize())
            if iszero(delegatecall(gas(), admin, ptr, calldatasize(), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev `_runInAdmin` for a view wrapper, whose {VaultAdmin} function is itself `view`: the library code only
    /// reads, so the call is typed as a view (a DELEGATECALL is not one to the compiler, whatever it runs).
    function _viewInAdmin() internal view {
        function() internal run = _runInAdmin;
        function() internal view runView;
        assembly ("memory-safe") {
            runView := run
        }
        runView();
    }

    /// @dev 10**(18 - decimals) of the cash token or a listed collateral.
    function _scaleOf(address token) internal view returns (uint256) {
        if (token == address(_cash)) return _cashScale;
        // Reads the two fields it needs from the token's slot rather than copying the whole state to memory.
        TokenState storage ts = _reg.state[token];
        if (!ts.listed) revert VaultTokenNotListed(token);
        return TokenAmountLib.scaleOf(ts.decimals);
    }
}
