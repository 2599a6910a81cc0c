// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title Bitmap
/// @custom:security-contact security@ballast.finance
/// @notice The walk over an account's market or collateral bitmap (bit i set: the account holds market or token i),
/// written once for every contract that iterates one: `while (bits != 0) { (i, bits) = Bitmap.next(bits); ... }`
/// visits the set bits in ascending order. Bitmaps hold at most 16 markets and 16 tokens (docs/ARCHITECTURE.md).
library Bitmap {
    /// @notice The lowest set bit of a non-empty bitmap and the bitmap without it.
    /// @param bits A bitmap with at least one bit set; callers loop `while (bits != 0)`. On 0 it returns (0, 0).
    /// @return index The position of the lowest set bit (0-255).
    /// @return rest `bits` with that bit cleared.
    function next(uint256 bits) internal pure returns (uint256 index, uint256 rest) {
        // Unchecked: `~bits + 1` (the two's complement, isolating the lowest set bit) and `bits - 1` wrap only at
        // bits == 0, where both results are still 0 after the mask; so no input can mis-step a walk, and the hot
        // loops of margin checks save two overflow checks per market.
        unchecked {
            index = Math.log2(bits & (~bits + 1));
            rest = bits & (bits - 1);
        }
    }

    /// @notice How many bits of `bits` are set (0-256), by clearing the lowest set bit until none is left.
    function count(uint256 bits) internal pure returns (uint256 n) {
        // Unchecked: bits != 0 inside the loop, and n counts at most 256 bits.
        unchecked {
            while (bits != 0) {
                bits &= bits - 1;
                ++n;
            }
        }
    }
}
