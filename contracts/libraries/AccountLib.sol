// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title AccountLib
/// @custom:security-contact security@ballast.finance
/// @notice Encodes a margin account `(owner, subaccount id)` in one `uint256`.
/// @dev Layout: bits 255..96 hold the owner address, bits 95..0 the subaccount id. The encoding is a bijection,
/// so an account id names exactly one owner and nothing needs to be registered before first use.
library AccountLib {
    /// @notice Largest subaccount id (2**96 - 1).
    uint256 internal constant MAX_SUBACCOUNT = type(uint96).max;

    /// @notice The account id of `owner`'s subaccount `subaccountId`.
    function accountId(address owner, uint96 subaccountId) internal pure returns (uint256) {
        return (uint256(uint160(owner)) << 96) | uint256(subaccountId);
    }

    /// @notice The owner of `account`.
    function ownerOf(uint256 account) internal pure returns (address) {
        return address(uint160(account >> 96));
    }

    /// @notice The subaccount id of `account`.
    function subaccountOf(uint256 account) internal pure returns (uint96) {
        return uint96(account);
    }
}
