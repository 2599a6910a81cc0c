// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";

/// @title InvariantBase
/// @custom:security-contact security@ballast.finance
/// @notice Minimal invariant-test base: the cheatcode handle, the target lists forge reads (`targetContracts`,
/// `targetSelectors`, `targetSenders`) and assertions that revert with a message naming the invariant.
abstract contract InvariantBase {
    /// @notice A contract and the functions of it the fuzzer may call (layout forge expects).
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @dev Forge's cheatcode address: `address(uint160(uint256(keccak256("hevm cheat code"))))`.
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Forge treats a contract with this flag as a test contract.
    bool public constant IS_TEST = true;

    address[] private _targetContracts;
    address[] private _targetSenders;
    FuzzSelector[] private _targetSelectors;

    /// @notice Contracts the invariant fuzzer calls.
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @notice Functions the invariant fuzzer calls, per contract.
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    /// @notice `msg.sender`s the fuzzer uses (empty: random).
    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(address target, bytes4[] memory selectors) internal {
        _targetSelectors.push(FuzzSelector(target, selectors));
    }

    function targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    /// @dev Reverts with `message` and both values when `a != b`.
    function assertEq(uint256 a, uint256 b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", _u(a), " != ", _u(b)));
    }

    /// @dev Reverts with `message` and both values when `a != b`.
    function assertEq(int256 a, int256 b, string memory message) internal pure {
        if (a != b) revert(string.concat(message, ": ", _i(a), " != ", _i(b)));
    }

    /// @dev Reverts with `message` and both values unless `a <= b`.
    function assertLe(uint256 a, uint256 b, string memory message) internal pure {
        if (a > b) revert(string.concat(message, ": ", _u(a), " > ", _u(b)));
    }

    /// @dev Reverts with `message` and both values unless `a <= b`.
    function assertLe(int256 a, int256 b, string memory message) internal pure {
        if (a > b) revert(string.concat(message, ": ", _i(a), " > ", _i(b)));
    }

    /// @dev Reverts with `message` unless `condition`.
    function assertTrue(bool condition, string memory message) internal pure {
        if (!condition) revert(message);
    }

    function _u(uint256 v) private pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v != 0) {
            b = abi.encodePacked(bytes1(uint8(48 + (v % 10))), b);
            v /= 10;
        }
        return string(b);
    }

    function _i(int256 v) private pure returns (string memory) {
        if (v >= 0) return _u(uint256(v));
        return string.concat("-", _u(v == type(int256).min ? uint256(type(int256).max) + 1 : uint256(-v)));
    }
}
