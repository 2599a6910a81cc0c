// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BallastInvariants} from "./BallastInvariants.t.sol";

/// @title BallastInvariantsShard
/// @custom:security-contact security@ballast.finance
/// @notice The protocol suite again, with the handler functions in reverse order (docs/TESTING.md, "One invariant
/// function per suite"): forge 1.7.1 seeds every invariant function alike, so this contract draws a different call
/// sequence from the same seed than BallastInvariants, and forge runs the two in parallel. Same deployment,
/// handler and `invariant_protocol`; it doubles the protocol suite's distinct calls for the wall time of one.
contract BallastInvariantsShard is BallastInvariants {
    function _selectors() internal pure override returns (bytes4[] memory s) {
        bytes4[] memory forward = super._selectors();
        uint256 n = forward.length;
        s = new bytes4[](n);
        for (uint256 i; i < n; ++i) s[i] = forward[n - 1 - i];
    }
}
