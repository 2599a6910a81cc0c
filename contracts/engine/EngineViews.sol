// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
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
    }

    /// @notice Cumulative funding index of market `m` accrued to now at `price` [wad cash per base unit].
    /// @dev Reverts `EngineParameterOutOfBounds("price", ...)` above 2**96 - 1 (the width of every stored price, on
    /// which MarginMath's unchecked arithmetic relies).
    function cumulativeFundingAt(EngineStorage.Market storage m, uint256 price) external view returns (int256) {
        _requirePrice(price);
        EngineStorage.MarketFunding memory fd = m.funding;
        return MarginMath.fundingIndexAt(fd.cumulativeFunding, fd.fundingRatePerSecond, price, block.timestamp - fd.timestamp);
    }

    /// @notice Reverts unless `marketPrices` holds one price per listed market (`marketCount`), each at most
    /// 2**96 - 1 [wad] (the width of every stored price, on which MarginMath's unchecked arithmetic relies).
    /// @dev Reverts `EngineParameterOutOfBounds("marketPrices", ...)` or `EngineParameterOutOfBounds("price", ...)`.
    function requireMarketPrices(uint256[] memory marketPrices, uint256 marketCount) external pure {
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
