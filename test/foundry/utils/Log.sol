// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Log
/// @custom:security-contact security@ballast.finance
/// @notice Writes to forge's console (shown with `-vv`): the one logging call the Foundry suite uses.
library Log {
    /// @dev Forge's console address: the bytes of "console.log".
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    /// @notice Logs `label` and `value`.
    function log(string memory label, uint256 value) internal view {
        bytes memory payload = abi.encodeWithSignature("log(string,uint256)", label, value);
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, ) = CONSOLE.staticcall(payload);
        ok;
    }
}
