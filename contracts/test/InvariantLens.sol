// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title InvariantLens
/// @custom:security-contact security@ballast.finance
/// @notice Test-only batch reader for the stateful invariant suite: runs many view calls in one `eth_call` and
///         returns every result, a reverting call included (its revert data), so that the suite reads the whole
///         observation of the protocol after a step (snapshot, balances, bitmaps, auction records, health) at once.
/// @dev Never deployed in production. Each call is a `staticcall`, so the batch cannot change state; gas per call
///      is whatever the `eth_call` allows.
contract InvariantLens {
    /// @notice One view call: the contract and its ABI-encoded calldata.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice One call's outcome: whether it returned, and its return data (or revert data when it reverted).
    struct Result {
        bool success;
        bytes data;
    }

    /// @notice Runs every call in order and returns each outcome, with the block's timestamp and number.
    /// @param calls The view calls (targets must be contracts; a call to an account without code returns empty data).
    /// @return timestamp The block's timestamp (seconds).
    /// @return blockNumber The block's number.
    /// @return results One outcome per call, in the order of `calls`.
    function aggregate(
        Call[] calldata calls
    ) external view returns (uint256 timestamp, uint256 blockNumber, Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory ret) = calls[i].target.staticcall(calls[i].data);
            results[i] = Result(ok, ret);
        }
        return (block.timestamp, block.number, results);
    }
}
