// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {DeleveragingMath} from "../libraries/DeleveragingMath.sol";

/// @title DeleveragingMathHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes DeleveragingMath to its differential fuzz test against src/model/adl.ts (test/fuzz/adl.test.ts),
/// a batch of cases per call.
contract DeleveragingMathHarness {
    /// @notice An event: the bankrupt position's signed size, the mark and its part of the deficit, and the other
    /// side's index, open interest and funding index.
    struct EventCase {
        int256 size;
        uint256 mark;
        uint256 part;
        uint256 keep;
        int256 closed;
        uint256 openInterest;
        int256 funding;
    }

    /// @notice The bankruptcy price and what it covers, and the other side's new index and phi (keep 0: no event).
    struct EventResult {
        uint256 price;
        uint256 covered;
        uint256 keep;
        int256 closed;
        uint256 phi;
    }

    /// @notice A position and the two indices it is settled between.
    struct SettleCase {
        int256 size;
        int256 basis;
        uint256 fromKeep;
        int256 fromClosed;
        uint256 toKeep;
        int256 toClosed;
    }

    /// @notice Each case's bankruptcy price and the other side's index after the event, as the engine computes them.
    function events(EventCase[] calldata cs) external pure returns (EventResult[] memory r) {
        r = new EventResult[](cs.length);
        for (uint256 i; i < cs.length; ++i) {
            EventCase calldata c = cs[i];
            (r[i].price, r[i].covered) = DeleveragingMath.bankruptcyPrice(c.size, c.mark, c.part);
            (r[i].keep, r[i].closed, r[i].phi) = DeleveragingMath.deleverageSide(
                c.keep,
                c.closed,
                c.size > 0,
                c.size >= 0 ? uint256(c.size) : uint256(-c.size),
                c.openInterest,
                r[i].price,
                c.funding
            );
        }
    }

    /// @notice Each case's settled (size, basis).
    function settles(SettleCase[] calldata cs) external pure returns (int256[2][] memory r) {
        r = new int256[2][](cs.length);
        for (uint256 i; i < cs.length; ++i) {
            SettleCase calldata c = cs[i];
            (r[i][0], r[i][1]) = DeleveragingMath.settle(c.size, c.basis, c.fromKeep, c.fromClosed, c.toKeep, c.toClosed);
        }
    }
}
