// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {VaultStorage} from "./VaultStorage.sol";
import {CollateralListing} from "./CollateralListing.sol";

/// @title VaultGovernance
/// @custom:security-contact security@ballast.finance
/// @notice Collateral listing and bounded parameter setters of the vault.
/// @dev Every setter is `restricted` through OpenZeppelin AccessManager (roles in docs/ACCESS_CONTROL.md),
/// validated against hard bounds and evented with the new value. Guardian setters only tighten.
abstract contract VaultGovernance is VaultStorage, AccessManaged {
    /// @inheritdoc ICollateralVault
    function listCollateral(address token, bytes32 oracleAsset, uint64 haircut, uint256 depositCap) external restricted {
        CollateralListing.list(_reg, oracle, address(_cash), token, oracleAsset, haircut, depositCap);
    }

    /// @inheritdoc ICollateralVault
    function setCollateralOracle(address token, bytes32 oracleAsset) external restricted {
        CollateralListing.setOracle(_reg, oracle, token, oracleAsset);
    }

    /// @inheritdoc ICollateralVault
    function setHaircut(address token, uint64 haircut) external restricted {
        CollateralListing.setHaircut(_reg, token, haircut);
    }

    /// @inheritdoc ICollateralVault
    function setDepositCap(address token, uint256 depositCap) external restricted {
        uint256 capWad = CollateralListing.capToWad(depositCap, _scaleOf(token));
        _reg.supply[token].depositCap = uint128(capWad);
        emit DepositCapSet(token, capWad);
    }

    /// @inheritdoc ICollateralVault
    function reduceDepositCap(address token, uint256 depositCap) external restricted {
        uint256 capWad = CollateralListing.capToWad(depositCap, _scaleOf(token));
        uint256 current = _reg.supply[token].depositCap;
        if (capWad > current) revert VaultGuardianCannotLoosen("depositCap", current, capWad);
        _reg.supply[token].depositCap = uint128(capWad);
        emit DepositCapSet(token, capWad);
    }

    /// @inheritdoc ICollateralVault
    function disableCollateral(address token) external restricted {
        CollateralListing.listed(_reg, token);
        _reg.state[token].enabled = false;
        emit CollateralEnabledSet(token, false);
    }

    /// @inheritdoc ICollateralVault
    function enableCollateral(address token) external restricted {
        CollateralListing.listed(_reg, token);
        _reg.state[token].enabled = true;
        emit CollateralEnabledSet(token, true);
    }

    /// @inheritdoc ICollateralVault
    function beginDelisting(address token, uint256 rampDuration) external restricted {
        CollateralListing.beginDelisting(_reg, token, rampDuration);
    }

    /// @inheritdoc ICollateralVault
    function removeToken(address token) external restricted {
        CollateralListing.remove(_reg, token);
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
        _params.borrowCap = borrowCap;
        emit BorrowCapSet(borrowCap);
    }

    /// @inheritdoc ICollateralVault
    function pauseDeposits() external restricted {
        depositsPaused = true;
        emit DepositsPausedSet(true);
    }

    /// @inheritdoc ICollateralVault
    function unpauseDeposits() external restricted {
        depositsPaused = false;
        emit DepositsPausedSet(false);
    }

    /// @inheritdoc ICollateralVault
    function bindEngine(address engine_) external restricted {
        if (engine_ == address(0)) revert VaultZeroAddress();
        if (address(engine) != address(0)) revert VaultAlreadyBound(address(engine));
        engine = IMarginEngine(engine_);
        emit EngineBound(engine_);
    }

    /// @inheritdoc ICollateralVault
    function bindLiquidator(address liquidator_) external restricted {
        if (liquidator_ == address(0)) revert VaultZeroAddress();
        if (liquidator != address(0)) revert VaultAlreadyBound(liquidator);
        liquidator = liquidator_;
        emit LiquidatorBound(liquidator_);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev 10**(18 - decimals) of the cash token or a listed collateral.
    function _scaleOf(address token) internal view returns (uint256) {
        if (token == address(_cash)) return _cashScale;
        return TokenAmountLib.scaleOf(CollateralListing.listed(_reg, token).decimals);
    }
}
