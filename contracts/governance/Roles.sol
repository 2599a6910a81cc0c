// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Roles
/// @custom:security-contact security@ballast.finance
/// @notice OpenZeppelin AccessManager role ids used by Ballast. Which function needs which role is set in the
/// AccessManager at deployment (deploy/modules/Ballast.ts) and listed in docs/ACCESS_CONTROL.md.
library Roles {
    /// @notice AccessManager's built-in admin role: held by the timelock after handover. Every restricted function
    /// not mapped to another role needs it (listing, feeds, wiring, venues).
    uint64 internal constant ADMIN = 0;
    /// @notice Changes risk parameters within their on-chain bounds; unpauses.
    uint64 internal constant RISK_MANAGER = 1;
    /// @notice Pauses and tightens only (lower caps, disable a collateral, reduce-only, stop auctions).
    uint64 internal constant GUARDIAN = 2;
}
