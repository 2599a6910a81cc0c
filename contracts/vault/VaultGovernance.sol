// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {VaultStorage} from "./VaultStorage.sol";

/// @title VaultGovernance
/// @custom:security-contact security@ballast.finance
/// @notice Collateral listing and bounded parameter setters of the vault.
/// @dev Every setter is `restricted` through OpenZeppelin AccessManager (roles in docs/ACCESS_CONTROL.md),
/// validated against hard bounds and evented with the new value. Guardian setters only tighten.
abstract contract VaultGovernance is VaultStorage, AccessManaged {
    using SafeCast for uint256;

    /// @inheritdoc ICollateralVault
    function listCollateral(address token, bytes32 oracleAsset, uint64 haircut, uint256 depositCap) external restricted {
        if (token == address(0)) revert VaultZeroAddress();
        if (token == address(_cash) || _tokens[token].listed) revert VaultTokenAlreadyListed(token);
        // The lowest free slot: one freed by `removeToken`, else the next new one (at most MAX_TOKENS reads).
        uint256 count = _tokenCount;
        uint256 index;
        while (index < count && _tokenAt[index] != address(0)) ++index;
        if (index >= MAX_TOKENS) revert VaultTooManyTokens(MAX_TOKENS);
        if (haircut > MAX_HAIRCUT) revert VaultParameterOutOfBounds("haircut", haircut, 0, MAX_HAIRCUT);
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals > TokenAmountLib.MAX_DECIMALS) revert VaultUnsupportedDecimals(token, decimals);
        uint256 capWad = _capWad(token, depositCap, TokenAmountLib.scaleOf(decimals));
        uint256 price = oracle.getPrice(oracleAsset);
        if (index == count) _tokenCount = count + 1;
        _tokenAt[index] = token;
        _tokenAsset[token] = oracleAsset;
        _tokens[token] = TokenState(price.toUint96(), uint32(block.timestamp), haircut, uint8(index), decimals, true, true, 0);
        _supply[token].depositCap = uint128(capWad);
        emit CollateralListed(token, oracleAsset, decimals, uint8(index), haircut, capWad);
    }

    /// @inheritdoc ICollateralVault
    function setCollateralOracle(address token, bytes32 oracleAsset) external restricted {
        TokenState memory ts = _listedToken(token);
        ts.price = oracle.getPrice(oracleAsset).toUint96();
        ts.priceTimestamp = uint32(block.timestamp);
        _tokens[token] = ts;
        _tokenAsset[token] = oracleAsset;
        emit CollateralOracleSet(token, oracleAsset);
    }

    /// @inheritdoc ICollateralVault
    function setHaircut(address token, uint64 haircut) external restricted {
        TokenState memory ts = _listedToken(token);
        // A delisting ramp starts from the weight it froze: no setter may move it.
        if (ts.delistingEnd != 0) revert VaultTokenDelisting(token);
        if (haircut > MAX_HAIRCUT) revert VaultParameterOutOfBounds("haircut", haircut, 0, MAX_HAIRCUT);
        if (haircut < ts.haircut) {
            uint256 lowest = ts.haircut > MAX_HAIRCUT_DECREASE ? ts.haircut - MAX_HAIRCUT_DECREASE : 0;
            if (haircut < lowest) revert VaultParameterOutOfBounds("haircut", haircut, lowest, MAX_HAIRCUT);
            uint256 next = _lastHaircutDecrease[token] + HAIRCUT_DECREASE_COOLDOWN;
            if (_lastHaircutDecrease[token] != 0 && block.timestamp < next) {
                revert VaultParameterOutOfBounds("haircutCooldown", block.timestamp, next, type(uint256).max);
            }
            _lastHaircutDecrease[token] = block.timestamp;
        }
        _tokens[token].haircut = haircut;
        emit HaircutSet(token, haircut);
    }

    /// @inheritdoc ICollateralVault
    function setDepositCap(address token, uint256 depositCap) external restricted {
        uint256 capWad = _capWad(token, depositCap, _scaleOf(token));
        _supply[token].depositCap = uint128(capWad);
        emit DepositCapSet(token, capWad);
    }

    /// @inheritdoc ICollateralVault
    function reduceDepositCap(address token, uint256 depositCap) external restricted {
        uint256 capWad = _capWad(token, depositCap, _scaleOf(token));
        uint256 current = _supply[token].depositCap;
        if (capWad > current) revert VaultGuardianCannotLoosen("depositCap", current, capWad);
        _supply[token].depositCap = uint128(capWad);
        emit DepositCapSet(token, capWad);
    }

    /// @inheritdoc ICollateralVault
    function disableCollateral(address token) external restricted {
        _listedToken(token);
        _tokens[token].enabled = false;
        emit CollateralEnabledSet(token, false);
    }

    /// @inheritdoc ICollateralVault
    function enableCollateral(address token) external restricted {
        _listedToken(token);
        _tokens[token].enabled = true;
        emit CollateralEnabledSet(token, true);
    }

    /// @inheritdoc ICollateralVault
    function beginDelisting(address token, uint256 rampDuration) external restricted {
        TokenState memory ts = _listedToken(token);
        if (ts.delistingEnd != 0) revert VaultTokenDelisting(token);
        if (rampDuration < MIN_DELISTING_RAMP || rampDuration > MAX_DELISTING_RAMP) {
            revert VaultParameterOutOfBounds("rampDuration", rampDuration, MIN_DELISTING_RAMP, MAX_DELISTING_RAMP);
        }
        uint256 end = block.timestamp + rampDuration;
        _delistingStart[token] = block.timestamp;
        _tokens[token].delistingEnd = uint32(end);
        emit CollateralDelistingBegun(token, ts.haircut, block.timestamp, end);
    }

    /// @inheritdoc ICollateralVault
    function removeToken(address token) external restricted {
        TokenState memory ts = _listedToken(token);
        if (ts.delistingEnd == 0 || block.timestamp < ts.delistingEnd) revert VaultDelistingIncomplete(token, ts.delistingEnd);
        // Balances sum to the total (INV-01) and an account's bit is set exactly while it holds some (INV-04): with
        // none held, no account still points at the slot, so it can be freed.
        uint256 held = _supply[token].totalDeposits;
        if (held != 0) revert VaultTokenStillHeld(token, held);
        _tokenAt[ts.index] = address(0);
        delete _tokens[token];
        delete _tokenAsset[token];
        delete _supply[token];
        emit CollateralRemoved(token, ts.index);
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

    function _listedToken(address token) internal view returns (TokenState memory ts) {
        ts = _tokens[token];
        if (!ts.listed) revert VaultTokenNotListed(token);
    }

    /// @dev 10**(18 - decimals) of the cash token or a listed collateral.
    function _scaleOf(address token) internal view returns (uint256) {
        if (token == address(_cash)) return _cashScale;
        return TokenAmountLib.scaleOf(_listedToken(token).decimals);
    }

    /// @dev A cap in token units as WAD, bounded by uint128.
    function _capWad(address, uint256 depositCap, uint256 scale) internal pure returns (uint256 capWad) {
        uint256 maxCap = type(uint128).max / scale;
        if (depositCap > maxCap) revert VaultParameterOutOfBounds("depositCap", depositCap, 0, maxCap);
        capWad = TokenAmountLib.toWad(depositCap, scale);
    }
}
