// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title StartRevertMock
/// @custom:security-contact security@ballast.finance
/// @notice Stands in for the auction in the batch starter's tests: `startAuction` reverts with the bytes set for the
/// account (none set: it succeeds and counts the start), or, for `BURN_ACCOUNT`, burns all the gas it is given.
contract StartRevertMock {
    /// @notice The account whose start burns all its gas.
    uint256 public constant BURN_ACCOUNT = 666;
    /// @notice Starts that succeeded.
    uint256 public starts;

    mapping(uint256 account => bool) private _set;
    mapping(uint256 account => bytes) private _reverts;

    /// @notice Makes `startAuction(account, ...)` revert with `data` (an empty `data` too).
    function setRevert(uint256 account, bytes calldata data) external {
        _reverts[account] = data;
        _set[account] = true;
    }

    /// @notice Mimics `ILiquidationAuction.startAuction` (see the contract's notice).
    function startAuction(uint256 account, uint256) external {
        if (account == BURN_ACCOUNT) {
            while (true) {
                ++starts;
            }
        }
        if (_set[account]) {
            bytes memory data = _reverts[account];
            assembly ("memory-safe") {
                revert(add(data, 0x20), mload(data))
            }
        }
        ++starts;
    }
}
