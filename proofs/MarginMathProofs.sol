// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarginMath} from "../contracts/libraries/MarginMath.sol";
import {WadMath} from "../contracts/libraries/WadMath.sol";

/// @title MarginMathProofs
/// @custom:security-contact security@ballast.finance
/// @notice SMTChecker (CHC) harness for MarginMath and the vault's haircut valuation (`npm run prove`,
/// docs/VERIFICATION.md). Bounds are the library's documented domain: |size| < 2**127, price < 2**96, ratios ≤ 1e18.
contract MarginMathProofs {
    uint256 internal constant WAD = 1e18;

    function maintenanceAtMostInitial(int256 size, uint256 price, uint256 mmr, uint256 imr, uint256 imrSizeFactor) external pure {
        require(size > -2 ** 127 && size < 2 ** 127 && price < 2 ** 96);
        require(mmr <= imr && imr <= WAD && imrSizeFactor <= WAD);
        // property: MarginMath maintenance margin <= initial margin
        assert(MarginMath.maintenanceMargin(size, price, mmr) <= MarginMath.initialMargin(size, price, imr, imrSizeFactor));
    }

    function maintenanceAtMostInitialFlat(int256 size, uint256 price, uint256 mmr, uint256 imr) external pure {
        require(size > -2 ** 127 && size < 2 ** 127 && price < 2 ** 96);
        require(mmr <= imr && imr <= WAD);
        // property: MarginMath maintenance margin <= initial margin (imrSizeFactor = 0)
        assert(MarginMath.maintenanceMargin(size, price, mmr) <= MarginMath.initialMargin(size, price, imr, 0));
    }

    function haircutNeverRaisesValue(uint256 balance, uint256 price, uint256 haircut) external pure {
        require(balance < 2 ** 128 && price < 2 ** 96 && haircut <= WAD);
        uint256 value = WadMath.mulWadDown(balance, price);
        assert(WadMath.mulWadDown(value, haircut) <= value); // property: haircut never raises a collateral's value
    }

    function equityMonotoneForLong(int256 size, int256 basis, uint256 p1, uint256 p2, int256 funding) external pure {
        require(size > 0 && size < 2 ** 127 && p1 <= p2 && p2 < 2 ** 96);
        require(funding > -2 ** 100 && funding < 2 ** 100 && basis > -2 ** 200 && basis < 2 ** 200);
        // property: a long position's value is non-decreasing in price
        assert(MarginMath.positionValue(size, basis, p1, funding) <= MarginMath.positionValue(size, basis, p2, funding));
    }

    function equityAntitoneForShort(int256 size, int256 basis, uint256 p1, uint256 p2, int256 funding) external pure {
        require(size < 0 && size > -2 ** 127 && p1 <= p2 && p2 < 2 ** 96);
        require(funding > -2 ** 100 && funding < 2 ** 100 && basis > -2 ** 200 && basis < 2 ** 200);
        // property: a short position's value is non-increasing in price
        assert(MarginMath.positionValue(size, basis, p1, funding) >= MarginMath.positionValue(size, basis, p2, funding));
    }
}
