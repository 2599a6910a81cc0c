// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "./WadMath.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title DeleveragingMath
/// @custom:security-contact security@ballast.finance
/// @notice The arithmetic of automated deleveraging (ADL): a bankrupt position's bankruptcy price, the opposite
/// side's cumulative index after an event, and a position brought up to date with its side's index. The exact rule
/// is docs/LIQUIDATION.md ("Automated deleveraging") and its reference model src/model/adl.ts, which
/// test/fuzz/adl.test.ts checks this library against.
/// @dev Products are checked (WadMath): |size| < 2**127, keep <= 1e18, prices < 2**96 and deficit parts and closing
/// index steps far below 2**128 keep every product under 2**256, so none reverts in use. Units: sizes [wad base],
/// prices and funding indices [wad cash per base unit], bases and deficit parts [wad cash], keep and phi [wad].
/// Rounding favours the protocol: closed sizes round down (an event never closes more than the bankrupt size:
/// minimality, to the wei), the closing index rounds against the side it belongs to and a settled basis rounds up (a
/// holder never gives up less than its share).
library DeleveragingMath {
    using SafeCast for uint256;
    using SafeCast for int256;

    /// @dev 1.0 in WAD fixed point.
    uint256 internal constant WAD = 1e18;
    /// @notice Largest bankruptcy price [wad]: every engine price is a uint96.
    uint256 internal constant MAX_PRICE = type(uint96).max;
    /// @notice Smallest size factor an event may leave: 1e12 // a millionth. An event that would leave less (the
    /// bankrupt position is almost the whole other side, or events compounded) is not made, so a side's positions
    /// keep at least six significant digits; that market's part stays for the insurance fund and socialisation.
    uint256 internal constant MIN_KEEP = 1e12;

    /// @notice Bankruptcy price of a position of signed `size` at `mark` carrying `part` of the deficit: for a long
    /// mark + ceil(part / |size|), capped at MAX_PRICE; for a short mark - ceil(part / |size|), floored at 0.
    /// @return price The bankruptcy price [wad].
    /// @return covered What closing at it takes from the other side against closing at the mark [wad cash]:
    /// floor(|size| * |price - mark|), at least `part` unless the cap or the floor bound it.
    function bankruptcyPrice(int256 size, uint256 mark, uint256 part) internal pure returns (uint256 price, uint256 covered) {
        uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
        uint256 step = WadMath.mulDivUp(part, WAD, absSize);
        if (size > 0) price = step > MAX_PRICE - mark ? MAX_PRICE : mark + step;
        else price = mark > step ? mark - step : 0;
        covered = WadMath.mulDivDown(absSize, price > mark ? price - mark : mark - price, WAD);
    }

    /// @notice The index of the side (`short`: the shorts) after an event closing `size` (> 0, the bankrupt
    /// position's |size|) against its `openInterest` (>= size) at `price` with funding index `funding`, from the
    /// index (`keep`, `closed`): phi = floor(size / openInterest), keep' = ceil(keep * (1 - phi)) and
    /// closed' = closed + keep * phi * (price - funding) / 1e36, rounded up for the shorts and down for the longs.
    /// @return newKeep keep' [wad]; 0 when it would fall below MIN_KEEP or phi is 0 (no event is made).
    /// @return newClosed closed' [wad cash per unit of size at keep = 1e18].
    /// @return phi The fraction of every opposite position closed [wad].
    function deleverageSide(
        uint256 keep,
        int256 closed,
        bool short,
        uint256 size,
        uint256 openInterest,
        uint256 price,
        int256 funding
    ) internal pure returns (uint256 newKeep, int256 newClosed, uint256 phi) {
        phi = WadMath.mulDivDown(size, WAD, openInterest);
        newKeep = WadMath.mulDivUp(keep, WAD - phi, WAD);
        // No event when nothing would be matched (phi = 0: the position is below a wei per unit of the open interest)
        // or the side would keep less than MIN_KEEP.
        if (phi == 0 || newKeep < MIN_KEEP) return (0, closed, phi);
        // keep * phi <= 1e36 < 2**120 and |price - funding| < 2**97 (price < 2**96, |funding| < 2**95): no overflow.
        int256 num = int256(keep * phi) * (int256(price) - funding);
        int256 step = num / 1e36;
        // sdiv truncates toward zero: one step up (shorts) or down (longs) when inexact and on the wrong side.
        if (step * 1e36 != num) {
            if (short && num > 0) step += 1;
            else if (!short && num < 0) step -= 1;
        }
        newClosed = closed + step;
    }

    /// @notice A position (`size`, `basis`) last settled at its side's index (`fromKeep`, `fromClosed`), brought to
    /// (`toKeep`, `toClosed`): its size keeps ceil(|size| * toKeep / fromKeep) with its sign, and its basis becomes
    /// basis - size * (toClosed - fromClosed) / fromKeep, rounded up. Closing a part c at price p with funding F
    /// turns (size, basis) into (size - c, basis - c (p - F)), whose value at any price is the close's result plus
    /// the value of what is left, so no cash moves.
    function settle(
        int256 size,
        int256 basis,
        uint256 fromKeep,
        int256 fromClosed,
        uint256 toKeep,
        int256 toClosed
    ) internal pure returns (int256 newSize, int256 newBasis) {
        uint256 absSize = size >= 0 ? uint256(size) : uint256(-size);
        uint256 kept = WadMath.mulDivUp(absSize, toKeep, fromKeep);
        newSize = size >= 0 ? kept.toInt256() : -kept.toInt256();
        int256 dClosed = toClosed - fromClosed;
        uint256 absD = dClosed >= 0 ? uint256(dClosed) : uint256(-dClosed);
        // The change -size * dClosed / fromKeep, rounded toward positive infinity.
        if ((size > 0) == (dClosed > 0)) {
            newBasis = basis - WadMath.mulDivDown(absSize, absD, fromKeep).toInt256();
        } else {
            newBasis = basis + WadMath.mulDivUp(absSize, absD, fromKeep).toInt256();
        }
    }
}
