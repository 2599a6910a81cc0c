// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title MarginMath
/// @custom:security-contact security@ballast.finance
/// @notice Pure margin formulas shared by the engine, the vault and the lens, and mirrored exactly (same rounding) by the
/// TypeScript reference model in src/model/.
/// @dev Rounding always favours the protocol: values and equity round toward negative infinity, margins round up.
///
/// Input bounds (they come from storage widths, and the engine rejects wider prices in views): |size| < 2**127
/// (int128), |basis| < 2**127 (int128), price < 2**96 (uint96), |cumulativeFunding| < 2**102 (an int96 index plus
/// at most 2**63 * 2**32 * 2**96 / 1e18 of accrual), rates and ratios < 2**64. Every product below is therefore
/// under 2**230, far from 2**255, which is why these hot-path functions run unchecked.
library MarginMath {
    /// @dev 1.0 in WAD.
    uint256 internal constant WAD = 1e18;
    int256 internal constant IWAD = 1e18;

    /// @notice Margin equity E = cash + collateral value after haircuts + positions' value (WAD cash; a sum, so no
    /// rounding), the one quantity every margin check compares with a requirement (the engine's checks after a fill
    /// and its views, the vault's check after a withdrawal).
    /// @dev Checked: reverts (SafeCast) on a collateral value above 2**255 - 1, and on overflow of the sum.
    function marginEquity(int256 cash, uint256 collateralValue, int256 positionsValue) internal pure returns (int256) {
        return cash + SafeCast.toInt256(collateralValue) + positionsValue;
    }

    /// @notice Unrealised PnL plus accrued funding of `(size, basis)` at `price` and funding index `F`:
    /// `size * (price - F) - basis`, WAD cash, rounded toward negative infinity.
    function positionValue(int256 size, int256 basis, uint256 price, int256 cumulativeFunding) internal pure returns (int256 v) {
        unchecked {
            // |size * (price - F)| < 2**127 * 2**103: no overflow (see the library's @dev).
            int256 product = size * (int256(price) - cumulativeFunding);
            v = product / IWAD;
            // sdiv truncates toward zero; step down once for an inexact negative quotient (floor).
            if (product < 0 && v * IWAD != product) v -= 1;
            v -= basis;
        }
    }

    /// @notice |size| * price, WAD cash, rounded up.
    function notionalUp(int256 size, uint256 price) internal pure returns (uint256) {
        unchecked {
            // |size| < 2**127 and price < 2**96: the product and the rounding term fit easily.
            uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
            return (absSize * price + (WAD - 1)) / WAD;
        }
    }

    /// @notice Maintenance margin |size| * price * mmr, WAD cash, rounded up.
    function maintenanceMargin(int256 size, uint256 price, uint256 mmr) internal pure returns (uint256) {
        unchecked {
            // notional < 2**164 and mmr < 2**64.
            return (notionalUp(size, price) * mmr + (WAD - 1)) / WAD;
        }
    }

    /// @notice Initial margin ratio of a position: imr + imrSizeFactor * |size| (rounded up), capped at 1e18.
    function initialMarginRatio(int256 size, uint256 imr, uint256 imrSizeFactor) internal pure returns (uint256 r) {
        if (imrSizeFactor == 0) return imr;
        unchecked {
            // imrSizeFactor < 2**64 and |size| < 2**127.
            uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
            r = imr + (imrSizeFactor * absSize + (WAD - 1)) / WAD;
        }
        if (r > WAD) r = WAD;
    }

    /// @notice Initial margin |size| * price * initialMarginRatio, WAD cash, rounded up.
    function initialMargin(int256 size, uint256 price, uint256 imr, uint256 imrSizeFactor) internal pure returns (uint256) {
        unchecked {
            // notional < 2**164 and the ratio <= 1e18.
            return (notionalUp(size, price) * initialMarginRatio(size, imr, imrSizeFactor) + (WAD - 1)) / WAD;
        }
    }

    /// @notice Maintenance and initial margin of a position of notional `notional` [wad cash] at maintenance ratio
    /// `mmr` and initial ratio `imRatio` [wad, <= 1e18] plus its margin tiers' terms `mmTierTerms`/`imTierTerms`
    /// [wad cash * wad, {tierTerms}]: ceil((notional * ratio + terms) / 1e18) each, the initial one capped at the
    /// notional (a ratio of 100%). With no tier terms these are {maintenanceMargin} and {initialMargin}.
    /// @dev Unchecked: notional < 2**164, ratios < 2**64 and each tier term < 2**228 (at most 4 tiers): the sums
    /// stay below 2**231.
    function marginsUp(
        uint256 notional,
        uint256 mmr,
        uint256 imRatio,
        uint256 mmTierTerms,
        uint256 imTierTerms
    ) internal pure returns (uint256 mm, uint256 im) {
        unchecked {
            mm = (notional * mmr + mmTierTerms + (WAD - 1)) / WAD;
            im = (notional * imRatio + imTierTerms + (WAD - 1)) / WAD;
        }
        if (im > notional) im = notional;
    }

    /// @notice The term of one margin tier in a requirement [wad cash * wad]: (addOn - previousAddOn) *
    /// (notional - threshold) when notional >= threshold, else 0 (cumulative add-ons, non-decreasing). Summed over a
    /// market's tiers it is the integral of the tiers' add-on over [0, notional]: continuous in the notional.
    function tierTerm(uint256 notional, uint256 threshold, uint256 addOn, uint256 previousAddOn) internal pure returns (uint256) {
        if (notional < threshold) return 0;
        return (addOn - previousAddOn) * (notional - threshold);
    }

    /// @notice Funding index after `dt` seconds at `ratePerSecond` (WAD, positive: longs pay shorts) and `price`:
    /// `F + rate * dt * price`, the increment rounded toward negative infinity.
    function fundingIndexAt(
        int256 cumulativeFunding,
        int256 ratePerSecond,
        uint256 price,
        uint256 dt
    ) internal pure returns (int256) {
        if (ratePerSecond == 0 || dt == 0) return cumulativeFunding;
        unchecked {
            // |rate| < 2**63, dt < 2**32, price < 2**96: the product is below 2**191.
            int256 product = ratePerSecond * int256(dt) * int256(price);
            int256 q = product / IWAD;
            if (product < 0 && q * IWAD != product) q -= 1;
            return cumulativeFunding + q;
        }
    }

    /// @notice Health factor equity / maintenanceMargin (WAD, rounded down); type(uint256).max with no requirement
    /// and non-negative equity (an empty account included); 0 when equity <= 0 under a requirement, or < 0.
    function healthFactor(int256 equity, uint256 maintenance) internal pure returns (uint256) {
        if (maintenance == 0) return equity >= 0 ? type(uint256).max : 0;
        if (equity <= 0) return 0;
        return (uint256(equity) * WAD) / maintenance;
    }

    /// @notice Moves `current` toward `target` by at most `step`.
    function moveTowards(uint256 current, uint256 target, uint256 step) internal pure returns (uint256) {
        if (current < target) return target - current > step ? current + step : target;
        return current - target > step ? current - step : target;
    }
}
