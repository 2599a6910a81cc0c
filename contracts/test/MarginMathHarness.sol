// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarginMath} from "../libraries/MarginMath.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title MarginMathHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes MarginMath and WadMath to the differential fuzz suites, in batches so that one eth_call
/// evaluates many cases (test/fuzz/marginMath.fuzz.test.ts).
contract MarginMathHarness {
    /// @notice Inputs of every per-position formula.
    struct PositionCase {
        int256 size;
        int256 basis;
        uint256 price;
        int256 cumulativeFunding;
        uint256 mmr;
        uint256 imr;
        uint256 imrSizeFactor;
        int256 ratePerSecond;
        uint256 dt;
    }

    /// @notice Every per-position formula's result.
    struct PositionResult {
        int256 value;
        uint256 notional;
        uint256 maintenance;
        uint256 initialRatio;
        uint256 initial;
        int256 fundingIndex;
    }

    /// @notice Unsigned and signed WadMath inputs.
    struct WadCase {
        uint256 x;
        uint256 y;
        uint256 d;
        int256 sx;
        int256 sy;
    }

    /// @notice Every WadMath function's result.
    struct WadResult {
        uint256 mulWadDown;
        uint256 mulWadUp;
        uint256 divWadDown;
        uint256 divWadUp;
        uint256 mulDivDown;
        uint256 mulDivUp;
        int256 smulWadDownU;
        int256 smulWadUpU;
        int256 smulWadDownS;
        int256 smulWadUpS;
        int256 sdivWadDown;
    }

    function positions(PositionCase[] calldata cs) external pure returns (PositionResult[] memory r) {
        r = new PositionResult[](cs.length);
        for (uint256 i; i < cs.length; ++i) {
            PositionCase calldata c = cs[i];
            r[i].value = MarginMath.positionValue(c.size, c.basis, c.price, c.cumulativeFunding);
            r[i].notional = MarginMath.notionalUp(c.size, c.price);
            r[i].maintenance = MarginMath.maintenanceMargin(c.size, c.price, c.mmr);
            r[i].initialRatio = MarginMath.initialMarginRatio(c.size, c.imr, c.imrSizeFactor);
            r[i].initial = MarginMath.initialMargin(c.size, c.price, c.imr, c.imrSizeFactor);
            r[i].fundingIndex = MarginMath.fundingIndexAt(c.cumulativeFunding, c.ratePerSecond, c.price, c.dt);
        }
    }

    function healthFactors(int256[] calldata equity, uint256[] calldata maintenance) external pure returns (uint256[] memory r) {
        r = new uint256[](equity.length);
        for (uint256 i; i < equity.length; ++i) r[i] = MarginMath.healthFactor(equity[i], maintenance[i]);
    }

    function moveTowards(
        uint256[] calldata current,
        uint256[] calldata target,
        uint256[] calldata step
    ) external pure returns (uint256[] memory r) {
        r = new uint256[](current.length);
        for (uint256 i; i < current.length; ++i) r[i] = MarginMath.moveTowards(current[i], target[i], step[i]);
    }

    function wad(WadCase[] calldata cs) external pure returns (WadResult[] memory r) {
        r = new WadResult[](cs.length);
        for (uint256 i; i < cs.length; ++i) {
            WadCase calldata c = cs[i];
            r[i].mulWadDown = WadMath.mulWadDown(c.x, c.y);
            r[i].mulWadUp = WadMath.mulWadUp(c.x, c.y);
            r[i].divWadDown = WadMath.divWadDown(c.x, c.d);
            r[i].divWadUp = WadMath.divWadUp(c.x, c.d);
            r[i].mulDivDown = WadMath.mulDivDown(c.x, c.y, c.d);
            r[i].mulDivUp = WadMath.mulDivUp(c.x, c.y, c.d);
            r[i].smulWadDownU = WadMath.mulWadDown(c.sx, c.y);
            r[i].smulWadUpU = WadMath.mulWadUp(c.sx, c.y);
            r[i].smulWadDownS = WadMath.mulWadDown(c.sx, c.sy);
            r[i].smulWadUpS = WadMath.mulWadUp(c.sx, c.sy);
            r[i].sdivWadDown = WadMath.divWadDown(c.sx, c.d);
        }
    }

    /// @notice Whether `mulWadUp(x, y)` and `mulDivUp(x, y, d)` revert (checked arithmetic), per case.
    function wadReverts(
        uint256[] calldata x,
        uint256[] calldata y,
        uint256[] calldata d
    ) external view returns (bool[] memory mulWad, bool[] memory mulDiv) {
        mulWad = new bool[](x.length);
        mulDiv = new bool[](x.length);
        for (uint256 i; i < x.length; ++i) {
            try this.mulWadUpExternal(x[i], y[i]) returns (uint256) {} catch {
                mulWad[i] = true;
            }
            try this.mulDivUpExternal(x[i], y[i], d[i]) returns (uint256) {} catch {
                mulDiv[i] = true;
            }
        }
    }

    function mulWadUpExternal(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadUp(x, y);
    }

    function mulDivUpExternal(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return WadMath.mulDivUp(x, y, d);
    }
}
