// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {WadMath} from "./WadMath.sol";

/// @title AuctionMath
/// @custom:security-contact security@ballast.finance
/// @notice Pure auction formulas (price curve, largest fraction, payments, stopped clock), mirrored exactly by
/// the TypeScript reference model. Formulas: {ILiquidationAuction}.
/// @dev Rounding favours the liquidated account and the protocol against the bidder: the unit price rounds up,
/// payments and penalties round up, subsidies round down, the largest fraction rounds up (to reach the buffer).
library AuctionMath {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;

    uint256 internal constant WAD = 1e18;

    /// @notice Added to A when sizing the largest fraction: 1e12 WAD cash (one millionth of a cash unit). A transfer
    /// rounds each moved position in the account's favour except that a profitable position keeps up to one wei of
    /// size less than exact, worth less than its per-unit value / 1e18 wei (about 1e5 wei for a 100,000-unit price);
    /// the allowance covers that for any realistic portfolio, so the largest bid reaches the buffer (INV-25).
    int256 internal constant ROUNDING_ALLOWANCE = 1e12;

    /// @notice An account's valuation at fresh prices (WAD cash), the four quantities `ILiquidationAuction.Quote`
    /// reports under the same names: equity E, maintenanceMargin M, markToMarket V = E + H (H: the collateral
    /// haircut amount) and requirement R = M + H.
    struct Valuation {
        int256 equity;
        uint256 maintenanceMargin;
        int256 markToMarket;
        uint256 requirement;
    }

    /// @notice What the clock knows now about the prices an auction depends on.
    /// @param valid Every price is valid now (sequencer included).
    /// @param feedsSince Latest update of the account's feeds: each has been fresh since then.
    /// @param feedsUntil Earliest time a feed goes stale unless it updates.
    /// @param sequencerConfigured, sequencerUp, sequencerChangedAt, sequencerGrace The router's `sequencerState`.
    /// @param halted The auctions are at stop level 3 (no bids) now.
    /// @param haltEndedAt When stop level 3 last ended [unix seconds; 0 never].
    struct ClockInput {
        bool valid;
        uint256 feedsSince;
        uint256 feedsUntil;
        bool sequencerConfigured;
        bool sequencerUp;
        uint256 sequencerChangedAt;
        uint256 sequencerGrace;
        bool halted;
        uint256 haltEndedAt;
    }

    /// @notice One bid's quantities (WAD).
    struct Take {
        int256 unitPrice;
        uint256 maxFraction;
        uint256 fraction;
        uint256 payment;
        uint256 penalty;
        uint256 penaltyToFund;
        uint256 subsidy;
    }

    /// @notice Unit price B(t) (WAD cash per whole portfolio, rounded up); see {ILiquidationAuction}.
    /// @param t The auction clock [s].
    /// @param insolventElapsed Auction-clock seconds since the account's insolvency (V <= 0) was recorded (at the
    /// start, a restart or a `checkpoint`); 0 when none is recorded. The insolvent bonus grows with it, not with t, so
    /// a solvent account that crosses V = 0 late in its auction is not priced at once at the full bonus (review R3-1).
    function unitPrice(
        ILiquidationAuction.AuctionParams memory p,
        uint256 t,
        int256 markToMarket,
        uint256 requirement,
        uint256 insolventElapsed
    ) internal pure returns (int256) {
        uint256 bonus = uint256(p.insolventBonus).mulWadDown(requirement);
        if (markToMarket <= 0) {
            return markToMarket - bonus.mulWadDown(_progress(insolventElapsed, p.insolventDuration)).toInt256();
        }
        uint256 v = uint256(markToMarket);
        uint256 solventEnd = uint256(p.fastDuration) + p.slowDuration;
        if (t <= solventEnd) return v.mulWadUp(priceFactor(p, t)).toInt256();
        uint256 floorValue = v.mulWadUp(p.floorPrice);
        uint256 fall = (floorValue + bonus).mulWadDown(_progress(t - solventEnd, p.insolventDuration));
        // A solvent account is never priced below zero (INV-26): its own equity is the bidder's reward, and a
        // subsidy here would be paid by the insurance fund (or socialised) with no bad debt behind it.
        return fall >= floorValue ? int256(0) : (floorValue - fall).toInt256();
    }

    /// @notice pi(t) during the solvent phase: startPrice to fastPrice over fastDuration, then to floorPrice over
    /// slowDuration, then floorPrice (WAD, rounded up).
    function priceFactor(ILiquidationAuction.AuctionParams memory p, uint256 t) internal pure returns (uint256) {
        if (t <= p.fastDuration) return p.startPrice - WadMath.mulDivDown(uint256(p.startPrice) - p.fastPrice, t, p.fastDuration);
        t -= p.fastDuration;
        if (t <= p.slowDuration) return p.fastPrice - WadMath.mulDivDown(uint256(p.fastPrice) - p.floorPrice, t, p.slowDuration);
        return p.floorPrice;
    }

    /// @notice The flat part of the starter's tip at base fee `baseFee` [wei per gas]: `flatTip` (WAD cash) while the base
    /// fee is at most `tipBaseFee` gwei (or `tipBaseFee` is 0), else flatTip * baseFee / (tipBaseFee gwei), rounded
    /// down, so the tip follows the gas a start costs when base fees spike (issue #13: at crash base fees a fixed tip
    /// no longer paid for the start, and keepers left accounts unstarted until their shortfall grew).
    function flatTipAt(uint256 flatTip, uint256 tipBaseFee, uint256 baseFee) internal pure returns (uint256) {
        uint256 threshold = tipBaseFee * 1 gwei;
        return threshold == 0 || baseFee <= threshold ? flatTip : WadMath.mulDivDown(flatTip, baseFee, threshold);
    }

    /// @notice The starter's tip: min(F + tipRate * shortfall, penaltyRate * requirement, penaltyRate * max(V, 0)), F
    /// being the flat part at the block's base fee (`flatTipAt`), so it never exceeds the liquidation penalty of the
    /// whole portfolio (self-liquidation cannot farm it, INV-20) nor the penalty rate of the account's own mark-to-market
    /// value V: an insolvent account pays none (class 9 of issue #11), and a solvent one keeps at least
    /// (1 - penaltyRate) * V > 0, so a start never makes it insolvent (a tip of all of V left V = 0, and the insolvent
    /// bonus the fund then paid on it could be farmed by self-liquidation: review 6, M-1). WAD, rounded down.
    function tip(
        uint256 flatTip,
        uint256 tipRate,
        uint256 penaltyRate,
        uint256 shortfall,
        uint256 requirement,
        int256 markToMarket
    ) internal pure returns (uint256) {
        uint256 t = WadMath.min(flatTip + tipRate.mulWadDown(shortfall), penaltyRate.mulWadDown(requirement));
        return markToMarket <= 0 ? 0 : WadMath.min(t, penaltyRate.mulWadDown(uint256(markToMarket)));
    }

    /// @notice The margin equity an auctioned account needs to count as restored: (1 + bufferRatio) * M (WAD cash,
    /// rounded up, so a restoration is never declared a wei early). Used by `take`'s largest fraction, a bid's
    /// restored check and `terminateAuction`.
    function restoreTargetUp(uint256 bufferRatio, uint256 maintenanceMargin) internal pure returns (uint256) {
        return (WAD + bufferRatio).mulWadUp(maintenanceMargin);
    }

    /// @notice The bid of `requested` (WAD fraction) at clock `t` on an account valued `v` (`insolventElapsed`: see
    /// `unitPrice`).
    /// @dev Largest fraction: with A = (1 + bufferRatio) * M - E and, for B > 0, D = A + B - penaltyUnit, a take of
    /// f restores E' >= (1 + bufferRatio) * M' iff f >= A / D (all of it when D <= 0); it is sized with
    /// A + ROUNDING_ALLOWANCE so the transfer's rounding cannot leave the account a few wei short. Accounts already restored
    /// (A <= 0) allow nothing; insolvent pricing (B <= 0), R < dustMargin, or a remainder whose R would fall
    /// below dustMargin allow everything. At a negative price a requested fraction that would leave a remainder whose
    /// R is below dustMargin is raised to the whole portfolio. Penalty: min(penaltyRate * R, B) per whole portfolio, times
    /// f, rounded up; insuranceShare of it (rounded down) to the fund, none when R < dustMargin (the bidder keeps it all).
    function take(
        ILiquidationAuction.AuctionParams memory p,
        Valuation memory v,
        uint256 t,
        uint256 insolventElapsed,
        uint256 requested
    ) internal pure returns (Take memory k) {
        k.unitPrice = unitPrice(p, t, v.markToMarket, v.requirement, insolventElapsed);
        // Per whole portfolio; never above the unit price, so a bid cannot lower the health factor.
        uint256 penaltyUnit =
            k.unitPrice > 0 ? WadMath.min(uint256(p.penaltyRate).mulWadDown(v.requirement), uint256(k.unitPrice)) : 0;
        int256 shortOfBuffer = restoreTargetUp(p.bufferRatio, v.maintenanceMargin).toInt256() - v.equity;
        if (shortOfBuffer <= 0) {
            k.maxFraction = 0;
        } else if (k.unitPrice <= 0 || v.requirement < p.dustMargin) {
            k.maxFraction = WAD;
        } else {
            int256 a = shortOfBuffer + ROUNDING_ALLOWANCE;
            int256 d = a + k.unitPrice - penaltyUnit.toInt256();
            k.maxFraction = d <= 0 ? WAD : WadMath.min(WAD, WadMath.mulDivUp(uint256(a), WAD, uint256(d)));
            if (k.maxFraction < WAD && v.requirement.mulWadDown(WAD - k.maxFraction) < p.dustMargin) k.maxFraction = WAD;
        }
        k.fraction = WadMath.min(requested, k.maxFraction);
        if (k.unitPrice > 0) {
            k.payment = uint256(k.unitPrice).mulWadUp(k.fraction);
            k.penalty = penaltyUnit.mulWadUp(k.fraction);
            // A portfolio under dustMargin is sold whole, and its whole penalty goes to the bidder (issue #13 item 3): on
            // a small portfolio the fund's share would leave a keeper too little to pay a bid's gas and its margin, so
            // nobody bid until the price had fallen far below V (docs/LIQUIDATION.md, "Small portfolios").
            k.penaltyToFund = v.requirement < p.dustMargin ? 0 : k.penalty.mulWadDown(p.insuranceShare);
        } else {
            // At a negative price (insolvent) a bid that would leave a remainder whose R is below dustMargin takes it
            // all: no dust remainder keeps its share of the pending bad debt marked (and the fund closed to deposits)
            // with too little subsidy left for any keeper to bid it (review of the I-3 fix, 5 December 2026). Solvent
            // bids never reach this branch, so they pay nothing for it.
            if (k.unitPrice < 0 && k.fraction < WAD && v.requirement.mulWadDown(WAD - k.fraction) < p.dustMargin) {
                k.fraction = WAD;
            }
            k.subsidy = uint256(-k.unitPrice).mulWadDown(k.fraction);
        }
    }

    /// @notice Advances the stopped clock to `time` and returns the updated auction.
    /// @dev Counts only seconds provably valid since the checkpoint c. Feeds: valid at c, every feed stays fresh
    /// until D = `guaranteedUntil`; valid now, each has been fresh since `feedsSince`. So feeds are proven valid on
    /// all of [c, now] when no update came after D, else on [c, D] and [feedsSince, now]; on [c, min(now, D)] when
    /// invalid now; on [max(c, feedsSince), now] when invalid at c and valid now. Sequencer: only its latest status
    /// change at `changedAt` is known: up now, it has been valid since changedAt + grace + 1 (an outage in between
    /// would have moved changedAt); down now, nothing since c is proven, because other outages may have come and
    /// gone between c and changedAt (class 10 of issue #11), so the clock counts no second. Stop level 3 (no bids)
    /// is treated like an outage (review M3): halted now, no second since c counts; after a halt, none before its
    /// end (`haltEndedAt`; only the latest end is known, so an earlier halt inside [c, now] is excluded with it).
    /// So lifting a halt never reprices running auctions by the time they could not be bid on. The count is the
    /// intersection of all three.
    function advance(
        ILiquidationAuction.Auction memory a,
        ClockInput memory x,
        uint256 time
    ) internal pure returns (ILiquidationAuction.Auction memory) {
        uint256 c = a.checkpoint;
        uint256 d = a.guaranteedUntil;
        uint256 lo = c;
        uint256 hi = time;
        if (x.sequencerConfigured) {
            if (x.sequencerUp) lo = WadMath.max(lo, x.sequencerChangedAt + x.sequencerGrace + 1);
            else hi = lo;
        }
        if (x.halted) hi = lo;
        else lo = WadMath.max(lo, x.haltEndedAt);
        uint256 counted;
        if (a.validAtCheckpoint) {
            if (!x.valid) counted = _span(lo, WadMath.min(d, hi));
            else if (time <= d || x.feedsSince <= d) counted = _span(lo, hi);
            else counted = _span(lo, WadMath.min(d, hi)) + _span(WadMath.max(x.feedsSince, lo), hi);
        } else if (x.valid) {
            counted = _span(WadMath.max(lo, x.feedsSince), hi);
        }
        a.elapsed = uint32(WadMath.min(uint256(a.elapsed) + counted, type(uint32).max));
        a.checkpoint = uint32(time);
        a.validAtCheckpoint = x.valid;
        a.guaranteedUntil = x.valid ? uint32(WadMath.min(x.feedsUntil, type(uint32).max)) : 0;
        return a;
    }

    /// @dev Length of [from, to], zero when empty.
    function _span(uint256 from, uint256 to) private pure returns (uint256) {
        return to > from ? to - from : 0;
    }

    /// @dev min(1, t / duration) in WAD, rounded down.
    function _progress(uint256 t, uint256 duration) private pure returns (uint256) {
        return t >= duration ? WAD : WadMath.mulDivDown(t, WAD, duration);
    }
}
