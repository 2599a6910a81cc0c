// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";

/// @title AuctionMathHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes the pure auction formulas for property and differential tests.
contract AuctionMathHarness {
    function unitPrice(
        ILiquidationAuction.AuctionParams memory p,
        uint256 t,
        int256 markToMarket,
        uint256 requirement,
        uint256 insolventElapsed
    ) external pure returns (int256) {
        return AuctionMath.unitPrice(p, t, markToMarket, requirement, insolventElapsed);
    }

    function take(
        ILiquidationAuction.AuctionParams memory p,
        AuctionMath.Valuation memory v,
        uint256 t,
        uint256 insolventElapsed,
        uint256 requested
    ) external pure returns (AuctionMath.Take memory) {
        return AuctionMath.take(p, v, t, insolventElapsed, requested);
    }

    function tip(
        uint256 flatTip,
        uint256 tipRate,
        uint256 penaltyRate,
        uint256 shortfall,
        uint256 requirement,
        int256 markToMarket
    ) external pure returns (uint256) {
        return AuctionMath.tip(flatTip, tipRate, penaltyRate, shortfall, requirement, markToMarket);
    }

    function advance(
        ILiquidationAuction.Auction memory a,
        AuctionMath.ClockInput memory x,
        uint256 time
    ) external pure returns (ILiquidationAuction.Auction memory) {
        return AuctionMath.advance(a, x, time);
    }
}
