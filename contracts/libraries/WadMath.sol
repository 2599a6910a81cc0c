// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title WadMath
/// @custom:security-contact security@ballast.finance
/// @notice Fixed-point arithmetic on WAD (1e18) numbers with the rounding direction in every function name.
/// @dev Unsigned functions round toward zero (`Down`) or away from zero (`Up`); signed functions round toward
/// negative infinity (`Down`) or positive infinity (`Up`). Every multiplication is checked, so an overflow reverts
/// instead of wrapping. Callers pick the direction that favours the protocol (margin up, equity down).
library WadMath {
    /// @dev 1.0 in WAD fixed point.
    uint256 internal constant WAD = 1e18;

    /// @notice x * y / 1e18, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y) / WAD;
    }

    /// @notice x * y / 1e18, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * y + (WAD - 1)) / WAD;
    }

    /// @notice x * 1e18 / y, rounded down. Reverts on y == 0.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * WAD) / y;
    }

    /// @notice x * 1e18 / y, rounded up. Reverts on y == 0.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return (x * WAD + (y - 1)) / y;
    }

    /// @notice x * y / d, rounded down.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y) / d;
    }

    /// @notice x * y / d, rounded up.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return (x * y + (d - 1)) / d;
    }

    /// @notice x * y / 1e18 for signed x, rounded toward negative infinity.
    function mulWadDown(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return toInt(mulWadDown(uint256(x), y));
        return -toInt(mulWadUp(uint256(-x), y));
    }

    /// @notice x * y / 1e18 for signed x, rounded toward positive infinity.
    function mulWadUp(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return toInt(mulWadUp(uint256(x), y));
        return -toInt(mulWadDown(uint256(-x), y));
    }

    /// @notice x * y / 1e18 for signed x and y, rounded toward negative infinity.
    /// @dev With y < 0: x * y = -(x * |y|), and floor(-z) = -ceil(z).
    function mulWadDown(int256 x, int256 y) internal pure returns (int256) {
        return y >= 0 ? mulWadDown(x, uint256(y)) : -mulWadUp(x, uint256(-y));
    }

    /// @notice x * y / 1e18 for signed x and y, rounded toward positive infinity.
    /// @dev With y < 0: ceil(-z) = -floor(z).
    function mulWadUp(int256 x, int256 y) internal pure returns (int256) {
        return y >= 0 ? mulWadUp(x, uint256(y)) : -mulWadDown(x, uint256(-y));
    }

    /// @notice x * 1e18 / y for signed x and positive y, rounded toward negative infinity.
    function divWadDown(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return toInt(divWadDown(uint256(x), y));
        return -toInt(divWadUp(uint256(-x), y));
    }

    /// @notice |x|.
    function abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }

    /// @notice Converts to int256, reverting above type(int256).max (OpenZeppelin SafeCast).
    function toInt(uint256 x) internal pure returns (int256) {
        return SafeCast.toInt256(x);
    }

    /// @notice min(x, y).
    function min(uint256 x, uint256 y) internal pure returns (uint256) {
        return x < y ? x : y;
    }

    /// @notice max(x, y).
    function max(uint256 x, uint256 y) internal pure returns (uint256) {
        return x > y ? x : y;
    }
}
