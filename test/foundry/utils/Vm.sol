// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Vm
/// @custom:security-contact security@ballast.finance
/// @notice The few forge cheatcodes the Foundry suite uses (a subset of forge's `Vm` interface, declared here
/// instead of importing forge-std, whose size crashed solcjs once; see /docs/TESTING.md).
interface Vm {
    /// @notice Sets `block.timestamp` (seconds).
    function warp(uint256 newTimestamp) external;

    /// @notice Sets `block.number`.
    function roll(uint256 newHeight) external;

    /// @notice Makes the next call's `msg.sender` `sender`.
    function prank(address sender) external;

    /// @notice Makes every following call's `msg.sender` `sender` until `stopPrank`.
    function startPrank(address sender) external;

    /// @notice Ends `startPrank`.
    function stopPrank() external;

    /// @notice The address of private key `privateKey`.
    function addr(uint256 privateKey) external pure returns (address);

    /// @notice Signs `digest` with `privateKey` (secp256k1).
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice Names `account` in traces.
    function label(address account, string calldata newLabel) external;

    /// @notice Snapshots the whole EVM state; returns its id.
    function snapshotState() external returns (uint256 snapshotId);

    /// @notice Restores the state of snapshot `snapshotId` (which stays usable).
    function revertToState(uint256 snapshotId) external returns (bool success);

    /// @notice Reads environment variable `name` as a uint256, or `defaultValue` when it is unset.
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256);
}
