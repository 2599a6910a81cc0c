// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "./WadMath.sol";

/// @title MarginMath
/// @custom:security-contact security@ballast.finance
/// @notice Pure margin formulas shared by the engine, the lens and (mirrored in TypeScript) the reference model.
/// @dev Rounding always favours the protocol: values and equity round down, margins round up.
library MarginMath {
    using WadMath for uint256;
    using WadMath for int256;

    /// @dev 1.0 in WAD.
    uint256 internal constant WAD = 1e18;

    /// @notice Unrealised PnL plus accrued funding of `(size, basis)` at `price` and funding index `F`:
    /// `size * (price - F) - basis`, WAD cash, rounded down.
    function positionValue(int256 size, int256 basis, uint256 price, int256 cumulativeFunding) internal pure returns (int256) {
        return size.mulWadDown(int256(price) - cumulativeFunding) - basis;
    }

    /// @notice |size| * price, WAD cash, rounded up.
    function notionalUp(int256 size, uint256 price) internal pure returns (uint256) {
        return size.abs().mulWadUp(price);
    }

    /// @notice Maintenance margin |size| * price * mmr, WAD cash, rounded up.
    function maintenanceMargin(int256 size, uint256 price, uint256 mmr) internal pure returns (uint256) {
        return notionalUp(size, price).mulWadUp(mmr);
    }

    /// @notice Initial margin ratio of a position: imr + imrSizeFactor * |size|, capped at 1e18 (100%), rounded up.
    function initialMarginRatio(int256 size, uint256 imr, uint256 imrSizeFactor) internal pure returns (uint256) {
        if (imrSizeFactor == 0) return imr;
        return WadMath.min(WAD, imr + imrSizeFactor.mulWadUp(size.abs()));
    }

    /// @notice Initial margin |size| * price * initialMarginRatio, WAD cash, rounded up.
    function initialMargin(int256 size, uint256 price, uint256 imr, uint256 imrSizeFactor) internal pure returns (uint256) {
        return notionalUp(size, price).mulWadUp(initialMarginRatio(size, imr, imrSizeFactor));
    }

    /// @notice Funding index increase `rate * dt * price` (WAD cash per base unit), rounded down.
    /// @param ratePerSecond Signed funding rate per second, WAD (positive: longs pay shorts).
    function fundingDelta(int256 ratePerSecond, uint256 price, uint256 dt) internal pure returns (int256) {
        return (ratePerSecond * int256(dt)).mulWadDown(price);
    }

    /// @notice Health factor equity / maintenanceMargin (WAD, rounded down); max with no requirement and
    /// non-negative equity; 0 when equity <= 0.
    function healthFactor(int256 equity, uint256 maintenance) internal pure returns (uint256) {
        if (equity <= 0) return 0;
        if (maintenance == 0) return type(uint256).max;
        return uint256(equity).divWadDown(maintenance);
    }

    /// @notice Moves `current` toward `target` by at most `step`.
    function moveTowards(uint256 current, uint256 target, uint256 step) internal pure returns (uint256) {
        if (current < target) return target - current > step ? current + step : target;
        return current - target > step ? current - step : target;
    }
}
