// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarkets} from "./EngineMarkets.sol";

/// @title EngineViews
/// @custom:security-contact security@ballast.finance
/// @notice The margin engine's read-only views that no contract calls inside a transaction (the market view, and
/// funding indices at a caller's price, read by {RiskLens} and off-chain tools). A linked library
/// (external view functions run by DELEGATECALL on the engine's storage), so the engine keeps room under the EIP-170
/// size limit while its trade, margin-check and liquidation paths pay no library call.
/// @dev Reverts are the engine's own ({IMarginEngine}).
library EngineViews {
    /// @notice The ABI encoding of every stored field of market `m` with its effective ratios now.
    /// @dev Returns the ABI encoding of the view (what {IMarginEngine-marketView} returns), which the engine hands
    /// back unchanged: the engine then carries no decoder or encoder for the large struct.
    function marketViewEncoded(EngineStorage.Market storage m) external view returns (bytes memory) {
        return abi.encode(marketView(m));
    }

    /// @notice Every stored field of market `m` with its effective ratios now (see {IMarginEngine-marketView}).
    function marketView(EngineStorage.Market storage m) internal view returns (IMarginEngine.MarketView memory v) {
        EngineStorage.MarketMark memory mk = m.mark;
        EngineStorage.MarketFunding memory fd = m.funding;
        EngineStorage.MarketPremium memory pr = m.premium;
        EngineStorage.MarketTrading memory tr = m.trading;
        EngineStorage.MarketRamp memory r = m.ramp;
        v.oracleAsset = m.oracleAsset;
        v.listed = tr.listed;
        v.reduceOnly = tr.reduceOnly;
        v.cachedPrice = mk.price;
        v.cachedPriceTimestamp = mk.priceTimestamp;
        (v.mmr, v.imr) = EngineMarkets.effectiveRatios(m, mk, fd.rampActive);
        v.rampFromMmr = mk.mmr;
        v.rampFromImr = mk.imr;
        v.rampStart = r.start;
        v.cumulativeFunding = fd.cumulativeFunding;
        v.fundingRatePerSecond = fd.fundingRatePerSecond;
        v.lastUpdate = fd.timestamp;
        v.premium = pr.premium;
        v.premiumAccumulator = pr.accumulator;
        v.fundingEpoch = pr.epoch;
        v.longOpenInterest = m.oi.longOpenInterest;
        v.totalBasis = m.oi.totalBasis;
        v.setup = IMarginEngine.MarketSetup(
            r.mmrTarget,
            r.imrTarget,
            r.maxStepPerHour,
            fd.imrSizeFactor,
            tr.openInterestCap,
            tr.maxFundingRatePer8h,
            tr.maxFillDeviation
        );
        EngineStorage.MarketTiers storage ts = m.tiers;
        uint256 n = ts.count;
        v.tiers = new IMarginEngine.MarginTier[](n);
        v.tierRampFrom = new IMarginEngine.MarginTier[](n);
        v.tierRampStart = ts.start;
        v.tierRampStepPerHour = ts.stepPerHour;
        for (uint256 i; i < n; ++i) {
            EngineStorage.MarketTier storage t = ts.tier[i];
            v.tiers[i] = IMarginEngine.MarginTier(t.threshold, t.mmrAddOn, t.imrAddOn);
            v.tierRampFrom[i] = IMarginEngine.MarginTier(t.threshold, t.mmrFrom, t.imrFrom);
        }
    }

    /// @notice Cumulative funding index of market `m` accrued to now at `price` [wad cash per base unit].
    /// @dev Reverts `EngineParameterOutOfBounds("price", ...)` above 2**96 - 1 (the width of every stored price, on
    /// which MarginMath's unchecked arithmetic relies).
    function cumulativeFundingAt(EngineStorage.Market storage m, uint256 price) external view returns (int256) {
        _requirePrice(price);
        EngineStorage.MarketFunding memory fd = m.funding;
        return MarginMath.fundingIndexAt(fd.cumulativeFunding, fd.fundingRatePerSecond, price, block.timestamp - fd.timestamp);
    }

    /// @notice The ABI encoding of {IMarginEngine-accountMarginAtPrices}: the margin state of the account whose
    /// positions are `positions` and markets `bits`, from the vault inputs and one price per listed market
    /// (`marketCount`) decoded from `callData` (the engine's call data of that function, passed unchanged), with
    /// the engine's own per-position rule ({EngineMarkets-positionMargin}).
    /// @dev Reverts as {requireMarketPrices}.
    function accountMarginAtPricesEncoded(
        mapping(uint256 => EngineStorage.Market) storage markets,
        mapping(uint256 => EngineStorage.Position) storage positions,
        uint256 bits,
        uint256 marketCount,
        bytes calldata callData
    ) external view returns (bytes memory) {
        (, ICollateralVault.MarginCollateral memory c, uint256[] memory marketPrices) = abi.decode(
            callData[4:],
            (uint256, ICollateralVault.MarginCollateral, uint256[])
        );
        requireMarketPrices(marketPrices, marketCount);
        IMarginEngine.MarginState memory s;
        s.equity = MarginMath.marginEquity(c.cash, c.collateralValue, 0);
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            EngineStorage.Market storage m = markets[id];
            (int256 value, uint256 mm, uint256 im) = EngineMarkets.positionMargin(positions[id], m, m.mark, marketPrices[id]);
            s.equity += value;
            s.maintenanceMargin += mm;
            s.initialMargin += im;
        }
        s.healthFactor = MarginMath.healthFactor(s.equity, s.maintenanceMargin);
        s.liquidatable = s.equity < SafeCast.toInt256(s.maintenanceMargin);
        return abi.encode(s);
    }

    /// @notice Reverts unless `marketPrices` holds one price per listed market (`marketCount`), each at most
    /// 2**96 - 1 [wad] (the width of every stored price, on which MarginMath's unchecked arithmetic relies).
    /// @dev Reverts `EngineParameterOutOfBounds("marketPrices", ...)` or `EngineParameterOutOfBounds("price", ...)`.
    function requireMarketPrices(uint256[] memory marketPrices, uint256 marketCount) public pure {
        if (marketPrices.length != marketCount) {
            revert IMarginEngine.EngineParameterOutOfBounds("marketPrices", marketPrices.length, marketCount, marketCount);
        }
        for (uint256 id; id < marketPrices.length; ++id) {
            _requirePrice(marketPrices[id]);
        }
    }

    function _requirePrice(uint256 price) private pure {
        if (price > type(uint96).max) revert IMarginEngine.EngineParameterOutOfBounds("price", price, 0, type(uint96).max);
    }
}
