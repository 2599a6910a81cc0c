// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {VaultStorage} from "./VaultStorage.sol";

/// @title CollateralListing
/// @custom:security-contact security@ballast.finance
/// @notice The collateral life cycle of {CollateralVault}: listing, oracle and haircut changes, delisting, eviction
/// of what is left after a delisting into per-account claims, and removal; with every hard bound of a listing
/// declared once here. Internal functions, compiled into {VaultAdmin}: the vault's linked library that runs them by
/// DELEGATECALL on the vault's storage, so the vault keeps room under the EIP-170 size limit while only governance
/// calls pay the library call; the vault's `restricted` entry points authorise every caller.
/// @dev Reverts and events are the vault's own ({ICollateralVault}).
library CollateralListing {
    using SafeCast for uint256;

    // ------------------------------------------------------------------ hard bounds
    /// @notice Largest number of listed collateral tokens (one bit each in an account's token bitmap).
    uint256 internal constant MAX_TOKENS = 16;
    /// @notice Largest haircut weight: 0.99e18 (a collateral counts for at most 99% of its value).
    uint256 internal constant MAX_HAIRCUT = 0.99e18;
    /// @notice Largest haircut decrease per cooldown: 0.05e18 (5 percentage points).
    uint256 internal constant MAX_HAIRCUT_DECREASE = 0.05e18;
    /// @notice Cooldown between two haircut decreases: 1 day.
    uint256 internal constant HAIRCUT_DECREASE_COOLDOWN = 1 days;
    /// @notice Shortest delisting ramp of a haircut weight to zero: 1 day (holders have time to add margin).
    uint256 internal constant MIN_DELISTING_RAMP = 1 days;
    /// @notice Longest delisting ramp of a haircut weight to zero: 90 days.
    uint256 internal constant MAX_DELISTING_RAMP = 90 days;

    /// @notice Lists `token` at the lowest free bitmap slot (one freed by `remove`, else the next new one).
    /// @dev See {ICollateralVault-listCollateral} for the reverts. At most MAX_TOKENS slot reads.
    function list(
        VaultStorage.Registry storage r,
        IOracleRouter oracle,
        address cash,
        address token,
        bytes32 oracleAsset,
        uint64 haircut,
        uint256 depositCap
    ) internal {
        if (token == address(0)) revert ICollateralVault.VaultZeroAddress();
        if (token == cash || r.state[token].listed) revert ICollateralVault.VaultTokenAlreadyListed(token);
        uint256 count = r.count;
        uint256 index;
        while (index < count && r.at[index] != address(0)) ++index;
        if (index >= MAX_TOKENS) revert ICollateralVault.VaultTooManyTokens(MAX_TOKENS);
        if (haircut > MAX_HAIRCUT) revert ICollateralVault.VaultParameterOutOfBounds("haircut", haircut, 0, MAX_HAIRCUT);
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals > TokenAmountLib.MAX_DECIMALS) revert ICollateralVault.VaultUnsupportedDecimals(token, decimals);
        uint256 capWad = capToWad(depositCap, TokenAmountLib.scaleOf(decimals));
        uint256 price = oracle.getPrice(oracleAsset);
        if (index == count) r.count = count + 1;
        r.at[index] = token;
        r.asset[token] = oracleAsset;
        r.state[token] = VaultStorage.TokenState(
            price.toUint96(),
            uint32(block.timestamp),
            haircut,
            uint8(index),
            decimals,
            true,
            true,
            0
        );
        r.supply[token].depositCap = uint128(capWad);
        emit ICollateralVault.CollateralListed(token, oracleAsset, decimals, uint8(index), haircut, capWad);
    }

    /// @notice Points a listed collateral at another oracle asset and caches its price.
    /// @dev Reverts `VaultTokenNotListed`, or the oracle's error if it cannot price the asset.
    function setOracle(VaultStorage.Registry storage r, IOracleRouter oracle, address token, bytes32 oracleAsset) internal {
        VaultStorage.TokenState memory ts = listed(r, token);
        ts.price = oracle.getPrice(oracleAsset).toUint96();
        ts.priceTimestamp = uint32(block.timestamp);
        r.state[token] = ts;
        r.asset[token] = oracleAsset;
        emit ICollateralVault.CollateralOracleSet(token, oracleAsset);
    }

    /// @notice Sets a collateral's haircut weight [wad], a decrease limited to MAX_HAIRCUT_DECREASE per cooldown.
    /// @dev See {ICollateralVault-setHaircut}.
    function setHaircut(VaultStorage.Registry storage r, address token, uint64 haircut) internal {
        VaultStorage.TokenState memory ts = listed(r, token);
        // A delisting ramp starts from the weight it froze: no setter may move it.
        if (ts.delistingEnd != 0) revert ICollateralVault.VaultTokenDelisting(token);
        if (haircut > MAX_HAIRCUT) revert ICollateralVault.VaultParameterOutOfBounds("haircut", haircut, 0, MAX_HAIRCUT);
        if (haircut < ts.haircut) {
            uint256 lowest = ts.haircut > MAX_HAIRCUT_DECREASE ? ts.haircut - MAX_HAIRCUT_DECREASE : 0;
            if (haircut < lowest) revert ICollateralVault.VaultParameterOutOfBounds("haircut", haircut, lowest, MAX_HAIRCUT);
            uint256 last = r.lastHaircutDecrease[token];
            uint256 next = last + HAIRCUT_DECREASE_COOLDOWN;
            if (last != 0 && block.timestamp < next) {
                revert ICollateralVault.VaultParameterOutOfBounds("haircutCooldown", block.timestamp, next, type(uint256).max);
            }
            r.lastHaircutDecrease[token] = block.timestamp;
        }
        r.state[token].haircut = haircut;
        emit ICollateralVault.HaircutSet(token, haircut);
    }

    /// @notice Starts the linear ramp of a collateral's weight to zero over `rampDuration` seconds.
    /// @dev See {ICollateralVault-beginDelisting}.
    function beginDelisting(VaultStorage.Registry storage r, address token, uint256 rampDuration) internal {
        VaultStorage.TokenState memory ts = listed(r, token);
        if (ts.delistingEnd != 0) revert ICollateralVault.VaultTokenDelisting(token);
        if (rampDuration < MIN_DELISTING_RAMP || rampDuration > MAX_DELISTING_RAMP) {
            revert ICollateralVault.VaultParameterOutOfBounds(
                "rampDuration",
                rampDuration,
                MIN_DELISTING_RAMP,
                MAX_DELISTING_RAMP
            );
        }
        uint256 end = block.timestamp + rampDuration;
        r.delistingStart[token] = block.timestamp;
        r.state[token].delistingEnd = uint32(end);
        emit ICollateralVault.CollateralDelistingBegun(token, ts.haircut, block.timestamp, end);
    }

    /// @notice Moves `account`'s whole balance of a fully delisted collateral out of the ledger into the account's
    /// claim on that token, clearing its bitmap bit; returns the claim added [token units].
    /// @dev Review F1: what holders leave behind (a remainder below one token unit, a balance never withdrawn, a
    /// token that cannot be transferred) must not keep the slot taken. The claim is the balance in token units
    /// rounded down; the remainder below one unit stays with the vault (toward the protocol). Bumps the account's
    /// nonce, as a withdrawal does. The caller checks the account's margin. Reverts `VaultTokenNotListed`,
    /// `VaultDelistingIncomplete` (ramp not ended: the token still counts), `VaultInsufficientBalance` (nothing held).
    function evict(
        VaultStorage.Registry storage r,
        mapping(uint256 => mapping(address => uint256)) storage balances,
        mapping(uint256 => VaultStorage.VaultAccount) storage accounts,
        uint256 account,
        address token
    ) internal returns (uint256 amount) {
        VaultStorage.TokenState memory ts = delisted(r, token);
        uint256 wad = balances[account][token];
        if (wad == 0) revert ICollateralVault.VaultInsufficientBalance(account, token, 0, 0);
        amount = TokenAmountLib.fromWadDown(wad, TokenAmountLib.scaleOf(ts.decimals));
        balances[account][token] = 0;
        VaultStorage.VaultAccount storage a = accounts[account];
        a.tokens &= ~uint16(1 << ts.index);
        a.nonce += 1;
        r.supply[token].totalDeposits -= uint128(wad);
        r.claims[account][token] += amount;
        r.claimTotal[token] += amount;
        emit ICollateralVault.CollateralEvicted(account, token, wad, amount);
    }

    /// @notice Removes a delisted collateral none of which the ledger holds, freeing its bitmap slot.
    /// @dev See {ICollateralVault-removeToken}. Balances sum to the total (INV-01) and an account's bit is set
    /// exactly while it holds some (INV-04): with none held, no account still points at the slot. Claims survive.
    function remove(VaultStorage.Registry storage r, address token) internal {
        VaultStorage.TokenState memory ts = delisted(r, token);
        uint256 held = r.supply[token].totalDeposits;
        if (held != 0) revert ICollateralVault.VaultTokenStillHeld(token, held);
        r.at[ts.index] = address(0);
        delete r.state[token];
        delete r.asset[token];
        delete r.supply[token];
        emit ICollateralVault.CollateralRemoved(token, ts.index);
    }

    // ------------------------------------------------------------------ helpers (inlined into the caller)

    /// @dev The state of a listed collateral; reverts `VaultTokenNotListed`.
    function listed(VaultStorage.Registry storage r, address token) internal view returns (VaultStorage.TokenState memory ts) {
        ts = r.state[token];
        if (!ts.listed) revert ICollateralVault.VaultTokenNotListed(token);
    }

    /// @dev The state of a listed collateral whose delisting ramp has ended; reverts `VaultTokenNotListed`, or
    /// `VaultDelistingIncomplete(token, rampEnd)` (0: not delisting) while the token still counts.
    function delisted(VaultStorage.Registry storage r, address token) internal view returns (VaultStorage.TokenState memory ts) {
        ts = listed(r, token);
        if (ts.delistingEnd == 0 || block.timestamp < ts.delistingEnd) {
            revert ICollateralVault.VaultDelistingIncomplete(token, ts.delistingEnd);
        }
    }

    /// @dev A deposit cap in token units as WAD (`depositCap * scale`), bounded by uint128: reverts
    /// `VaultParameterOutOfBounds("depositCap", depositCap, 0, type(uint128).max / scale)` above it.
    function capToWad(uint256 depositCap, uint256 scale) internal pure returns (uint256) {
        uint256 maxCap = type(uint128).max / scale;
        if (depositCap > maxCap) revert ICollateralVault.VaultParameterOutOfBounds("depositCap", depositCap, 0, maxCap);
        return TokenAmountLib.toWad(depositCap, scale);
    }
}
