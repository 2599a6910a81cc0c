// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AuctionMath} from "../contracts/libraries/AuctionMath.sol";
import {WadMath} from "../contracts/libraries/WadMath.sol";
import {ILiquidationAuction} from "../contracts/interfaces/ILiquidationAuction.sol";

/// @title AuctionMathProofs
/// @custom:security-contact security@ballast.finance
/// @notice SMTChecker (CHC) harness for AuctionMath (`npm run prove`, docs/VERIFICATION.md). Parameters satisfy the
/// bounds LiquidationAuction.setParams enforces (floor ≤ fast ≤ start ≤ 1e18, durations of 1 minute to 1 day).
contract AuctionMathProofs {
    uint256 internal constant WAD = 1e18;

    function _params(
        uint64 startPrice,
        uint64 fastPrice,
        uint64 floorPrice,
        uint32 fastDuration,
        uint32 slowDuration
    ) internal pure returns (ILiquidationAuction.AuctionParams memory p) {
        require(floorPrice <= fastPrice && fastPrice <= startPrice && startPrice <= WAD);
        require(fastDuration >= 60 && fastDuration <= 1 days && slowDuration >= 60 && slowDuration <= 1 days);
        p.startPrice = startPrice;
        p.fastPrice = fastPrice;
        p.floorPrice = floorPrice;
        p.fastDuration = fastDuration;
        p.slowDuration = slowDuration;
    }

    function priceFactorAtMostStart(uint64 s, uint64 f, uint64 fl, uint32 fd, uint32 sd, uint256 t) external pure {
        ILiquidationAuction.AuctionParams memory p = _params(s, f, fl, fd, sd);
        require(t < 2 ** 64);
        assert(AuctionMath.priceFactor(p, t) <= p.startPrice); // property: AuctionMath price factor <= start price
    }

    function priceFactorNonIncreasing(uint64 s, uint64 f, uint64 fl, uint32 fd, uint32 sd, uint256 t1, uint256 t2) external pure {
        ILiquidationAuction.AuctionParams memory p = _params(s, f, fl, fd, sd);
        require(t1 <= t2 && t2 < 2 ** 64);
        // property: AuctionMath price factor non-increasing in time
        assert(AuctionMath.priceFactor(p, t2) <= AuctionMath.priceFactor(p, t1));
    }

    function priceFactorNonIncreasingFastPhase(uint64 s, uint64 f, uint32 fd, uint256 t1, uint256 t2) external pure {
        require(f <= s && s <= WAD && fd >= 60 && fd <= 1 days && t1 <= t2 && t2 <= fd);
        // property: AuctionMath fast-phase price non-increasing in time (narrowed)
        assert(s - WadMath.mulDivDown(uint256(s) - f, t2, fd) <= s - WadMath.mulDivDown(uint256(s) - f, t1, fd));
    }

    /// @dev The deployed curve (deploy/parameters/hardhat.json): 98 % to 90 % over 10 minutes, to 70 % over 50
    /// minutes. With the parameters fixed the statement is linear in time, which CHC decides.
    function _deployed() internal pure returns (ILiquidationAuction.AuctionParams memory p) {
        p.startPrice = 0.98e18;
        p.fastPrice = 0.9e18;
        p.floorPrice = 0.7e18;
        p.fastDuration = 10 minutes;
        p.slowDuration = 50 minutes;
    }

    function deployedPriceFactorAtMostStart(uint256 t) external pure {
        require(t < 2 ** 64);
        assert(AuctionMath.priceFactor(_deployed(), t) <= 0.98e18); // property: deployed curve: price factor <= start price
    }

    function deployedPriceFactorNonIncreasing(uint256 t1, uint256 t2) external pure {
        require(t1 <= t2 && t2 < 2 ** 64);
        ILiquidationAuction.AuctionParams memory p = _deployed();
        // property: deployed curve: price factor non-increasing in time
        assert(AuctionMath.priceFactor(p, t2) <= AuctionMath.priceFactor(p, t1));
    }

    function deployedPriceFactorNonIncreasingFastPhase(uint256 t1, uint256 t2) external pure {
        require(t1 <= t2 && t2 <= 10 minutes);
        ILiquidationAuction.AuctionParams memory p = _deployed();
        // property: deployed curve, fast phase: price factor non-increasing in time
        assert(AuctionMath.priceFactor(p, t2) <= AuctionMath.priceFactor(p, t1));
    }

    function deployedPriceFactorNonIncreasingSlowPhase(uint256 t1, uint256 t2) external pure {
        require(10 minutes < t1 && t1 <= t2 && t2 < 2 ** 64);
        ILiquidationAuction.AuctionParams memory p = _deployed();
        // property: deployed curve, slow phase and floor: price factor non-increasing in time
        assert(AuctionMath.priceFactor(p, t2) <= AuctionMath.priceFactor(p, t1));
    }

    function deployedPriceFactorFastAboveSlow(uint256 t1, uint256 t2) external pure {
        require(t1 <= 10 minutes && 10 minutes < t2 && t2 < 2 ** 64);
        ILiquidationAuction.AuctionParams memory p = _deployed();
        // property: deployed curve, across the phase change: price factor non-increasing in time
        assert(AuctionMath.priceFactor(p, t2) <= AuctionMath.priceFactor(p, t1));
    }

    function deployedUnitPriceAtMostStart(uint256 t, int256 value, uint256 requirement) external pure {
        require(t < 2 ** 64 && value > 0 && value < 2 ** 128 && requirement < 2 ** 128);
        ILiquidationAuction.AuctionParams memory p = _deployed();
        p.insolventDuration = 30 minutes;
        p.insolventBonus = 0.1e18;
        // property: deployed curve: unit price <= start price x value
        assert(AuctionMath.unitPrice(p, t, value, requirement) <= int256(WadMath.mulWadUp(uint256(value), 0.98e18)));
    }

    function tipAtMostPenalty(
        uint256 flatTip,
        uint256 tipRate,
        uint256 penaltyRate,
        uint256 shortfall,
        uint256 requirement
    ) external pure {
        require(
            flatTip <= 1_000e18 && tipRate <= 0.5e18 && penaltyRate <= 0.5e18 && shortfall < 2 ** 128 && requirement < 2 ** 128
        );
        // property: AuctionMath tip <= penalty of the whole portfolio
        assert(
            AuctionMath.tip(flatTip, tipRate, penaltyRate, shortfall, requirement) <= WadMath.mulWadDown(penaltyRate, requirement)
        );
    }
}
