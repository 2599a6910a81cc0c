// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";

/// @title BitmapHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes the Bitmap library to its property test (test/unit/libraries/Bitmap.test.ts).
contract BitmapHarness {
    /// @notice The indices the library's walk visits over `bits`, in order, and its count of set bits.
    function walk(uint256 bits) external pure returns (uint256[] memory indices, uint256 n) {
        n = Bitmap.count(bits);
        indices = new uint256[](n);
        uint256 k;
        while (bits != 0) {
            (indices[k++], bits) = Bitmap.next(bits);
        }
    }

    /// @notice `Bitmap.next` itself (so that its result on one bit and on an empty bitmap can be tested).
    function next(uint256 bits) external pure returns (uint256 index, uint256 rest) {
        return Bitmap.next(bits);
    }
}
