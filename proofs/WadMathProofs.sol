// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "../contracts/libraries/WadMath.sol";

/// @title WadMathProofs
/// @custom:security-contact security@ballast.finance
/// @notice SMTChecker (CHC) harness: the rounding direction of every WadMath function, each stated as one `assert`
/// whose line carries `property:` and a name (`npm run prove`, docs/VERIFICATION.md). Inputs are bounded to
/// 2**128 so that the exact product in the statement itself cannot overflow (the library reverts on overflow).
contract WadMathProofs {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant B = 2 ** 128;

    function mulWadDownRoundsDown(uint256 x, uint256 y) external pure {
        require(x < B && y < B);
        assert(WadMath.mulWadDown(x, y) * WAD <= x * y); // property: WadMath.mulWadDown <= exact
    }

    function mulWadDownIsFloor(uint256 x, uint256 y) external pure {
        require(x < B && y < B);
        assert(x * y < (WadMath.mulWadDown(x, y) + 1) * WAD); // property: WadMath.mulWadDown > exact - 1
    }

    function mulWadUpRoundsUp(uint256 x, uint256 y) external pure {
        require(x < B && y < B);
        assert(WadMath.mulWadUp(x, y) * WAD >= x * y); // property: WadMath.mulWadUp >= exact
    }

    function mulWadUpAtMostOneAbove(uint256 x, uint256 y) external pure {
        require(x < B && y < B);
        assert(WadMath.mulWadUp(x, y) <= WadMath.mulWadDown(x, y) + 1); // property: WadMath.mulWadUp <= mulWadDown + 1
    }

    function divWadDownRoundsDown(uint256 x, uint256 y) external pure {
        require(x < B && y < B && y > 0);
        assert(WadMath.divWadDown(x, y) * y <= x * WAD); // property: WadMath.divWadDown <= exact
    }

    function divWadUpRoundsUp(uint256 x, uint256 y) external pure {
        require(x < B && y < B && y > 0);
        assert(WadMath.divWadUp(x, y) * y >= x * WAD); // property: WadMath.divWadUp >= exact
    }

    function mulDivDownRoundsDown(uint256 x, uint256 y, uint256 d) external pure {
        require(x < B && y < B && d > 0 && d < B);
        assert(WadMath.mulDivDown(x, y, d) * d <= x * y); // property: WadMath.mulDivDown <= exact
    }

    function mulDivUpRoundsUp(uint256 x, uint256 y, uint256 d) external pure {
        require(x < B && y < B && d > 0 && d < B);
        assert(WadMath.mulDivUp(x, y, d) * d >= x * y); // property: WadMath.mulDivUp >= exact
    }

    function signedMulWadDownRoundsDown(int256 x, uint256 y) external pure {
        require(x > -int256(B) && x < int256(B) && y < B);
        assert(WadMath.mulWadDown(x, y) * int256(WAD) <= x * int256(y)); // property: WadMath.mulWadDown(int,uint) <= exact
    }

    function signedMulWadUpRoundsUp(int256 x, uint256 y) external pure {
        require(x > -int256(B) && x < int256(B) && y < B);
        assert(WadMath.mulWadUp(x, y) * int256(WAD) >= x * int256(y)); // property: WadMath.mulWadUp(int,uint) >= exact
    }

    function signedSignedMulWadDownRoundsDown(int256 x, int256 y) external pure {
        require(x > -int256(B) && x < int256(B) && y > -int256(B) && y < int256(B));
        assert(WadMath.mulWadDown(x, y) * int256(WAD) <= x * y); // property: WadMath.mulWadDown(int,int) <= exact
    }

    function signedSignedMulWadUpRoundsUp(int256 x, int256 y) external pure {
        require(x > -int256(B) && x < int256(B) && y > -int256(B) && y < int256(B));
        assert(WadMath.mulWadUp(x, y) * int256(WAD) >= x * y); // property: WadMath.mulWadUp(int,int) >= exact
    }

    function signedDivWadDownRoundsDown(int256 x, uint256 y) external pure {
        require(x > -int256(B) && x < int256(B) && y > 0 && y < B);
        assert(WadMath.divWadDown(x, y) * int256(y) <= x * int256(WAD)); // property: WadMath.divWadDown(int,uint) <= exact
    }
}
