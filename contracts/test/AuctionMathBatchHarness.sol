// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";

/// @title AuctionMathBatchHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes AuctionMath in batches (one eth_call, many cases) for the differential fuzz suite.
contract AuctionMathBatchHarness {
    /// @notice One bid to price.
    struct TakeCase {
        ILiquidationAuction.AuctionParams p;
        AuctionMath.Valuation v;
        uint256 t;
        uint256 insolventElapsed;
        uint256 requested;
    }

    /// @notice One tip to compute.
    struct TipCase {
        uint256 flatTip;
        uint256 tipRate;
        uint256 penaltyRate;
        uint256 shortfall;
        uint256 requirement;
        int256 markToMarket;
        uint256 tipBaseFee; // gwei (0: the flat tip is never scaled)
        uint256 baseFee; // wei per gas
    }

    /// @notice One clock advance.
    struct ClockCase {
        ILiquidationAuction.Auction a;
        AuctionMath.ClockInput x;
        uint256 time;
    }

    function takes(TakeCase[] calldata cs) external pure returns (AuctionMath.Take[] memory r) {
        r = new AuctionMath.Take[](cs.length);
        for (uint256 i; i < cs.length; ++i)
            r[i] = AuctionMath.take(cs[i].p, cs[i].v, cs[i].t, cs[i].insolventElapsed, cs[i].requested);
    }

    function priceFactors(
        ILiquidationAuction.AuctionParams[] calldata p,
        uint256[] calldata t
    ) external pure returns (uint256[] memory r) {
        r = new uint256[](p.length);
        for (uint256 i; i < p.length; ++i) r[i] = AuctionMath.priceFactor(p[i], t[i]);
    }

    function tips(TipCase[] calldata cs) external pure returns (uint256[] memory r) {
        r = new uint256[](cs.length);
        for (uint256 i; i < cs.length; ++i) {
            TipCase calldata c = cs[i];
            uint256 flatTip = AuctionMath.flatTipAt(c.flatTip, c.tipBaseFee, c.baseFee);
            r[i] = AuctionMath.tip(flatTip, c.tipRate, c.penaltyRate, c.shortfall, c.requirement, c.markToMarket);
        }
    }

    function advances(ClockCase[] calldata cs) external pure returns (ILiquidationAuction.Auction[] memory r) {
        r = new ILiquidationAuction.Auction[](cs.length);
        for (uint256 i; i < cs.length; ++i) r[i] = AuctionMath.advance(cs[i].a, cs[i].x, cs[i].time);
    }
}
