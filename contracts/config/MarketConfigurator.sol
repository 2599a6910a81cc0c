// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ParameterBounds} from "../libraries/ParameterBounds.sol";
import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IMarketConfigurator} from "../interfaces/IMarketConfigurator.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {RiskBounds} from "../libraries/RiskBounds.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title MarketConfigurator
/// @custom:security-contact security@ballast.finance
/// @notice Market listing, bounded risk and trading parameters, and the on-chain volatility EWMA.
/// See {IMarketConfigurator}.
contract MarketConfigurator is IMarketConfigurator, AccessManaged {
    using WadMath for uint256;
    using SafeCast for uint256;

    /// @inheritdoc IMarketConfigurator
    IMarginEngine public immutable engine;
    /// @notice The oracle router used for observations.
    IOracleRouter public immutable oracle;

    mapping(uint256 marketId => RiskParams) internal _risk;
    mapping(uint256 marketId => TradingParams) internal _trading;
    mapping(uint256 marketId => Volatility) internal _vol;
    mapping(uint256 marketId => bytes32) internal _asset;
    mapping(uint256 marketId => bool) internal _listed;
    mapping(uint256 marketId => IMarginEngine.MarginTier[]) internal _tiers;

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    /// @param engine_ The margin engine (which must bind this configurator).
    /// @param oracle_ The oracle router.
    constructor(address accessManager, IMarginEngine engine_, IOracleRouter oracle_) AccessManaged(accessManager) {
        engine = engine_;
        oracle = oracle_;
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IMarketConfigurator
    function listMarket(
        bytes32 asset,
        RiskParams calldata risk,
        TradingParams calldata trading
    ) external restricted returns (uint256 marketId) {
        _validateRisk(risk);
        _validateTrading(trading);
        uint256 price = oracle.getPrice(asset);
        (uint256 mmrT, uint256 imrT) = _targetsOf(risk, 0);
        marketId = engine.listMarket(asset, _setup(risk, trading, mmrT, imrT));
        _risk[marketId] = risk;
        _trading[marketId] = trading;
        _vol[marketId] = Volatility(0, uint32(block.timestamp), price.toUint96());
        _asset[marketId] = asset;
        _listed[marketId] = true;
        emit MarketListed(marketId, asset, risk, trading);
    }

    /// @inheritdoc IMarketConfigurator
    function setRiskParams(uint256 marketId, RiskParams calldata risk) external restricted {
        _requireListed(marketId);
        _validateRisk(risk);
        _risk[marketId] = risk;
        (uint256 mmrT, uint256 imrT) = _push(marketId);
        emit RiskParamsSet(marketId, risk, mmrT, imrT);
    }

    /// @inheritdoc IMarketConfigurator
    function setTradingParams(uint256 marketId, TradingParams calldata trading) external restricted {
        _requireListed(marketId);
        _validateTrading(trading);
        _trading[marketId] = trading;
        _push(marketId);
        emit TradingParamsSet(marketId, trading);
    }

    /// @inheritdoc IMarketConfigurator
    function setMarginTiers(uint256 marketId, IMarginEngine.MarginTier[] calldata tiers) external restricted {
        _requireListed(marketId);
        delete _tiers[marketId];
        IMarginEngine.MarginTier[] storage stored = _tiers[marketId];
        // The engine bounds the count (RiskBounds.MAX_MARGIN_TIERS) and every value when it reads these back.
        for (uint256 i; i < tiers.length; ++i) stored.push(tiers[i]);
        _push(marketId);
        emit MarginTiersSet(marketId, tiers);
    }

    /// @inheritdoc IMarketConfigurator
    function reduceOpenInterestCap(uint256 marketId, uint112 cap) external restricted {
        _requireListed(marketId);
        TradingParams memory t = _trading[marketId];
        if (cap > t.openInterestCap) revert ConfiguratorGuardianCannotLoosen("openInterestCap", t.openInterestCap, cap);
        if (cap == 0) revert ConfiguratorParameterOutOfBounds("openInterestCap", 0, 1, t.openInterestCap);
        t.openInterestCap = cap;
        _trading[marketId] = t;
        _push(marketId);
        emit TradingParamsSet(marketId, t);
    }

    /// @inheritdoc IMarketConfigurator
    function setMarketReduceOnly(uint256 marketId) external restricted {
        _requireListed(marketId);
        engine.setMarketReduceOnly(marketId, true);
    }

    /// @inheritdoc IMarketConfigurator
    function clearMarketReduceOnly(uint256 marketId) external restricted {
        _requireListed(marketId);
        engine.setMarketReduceOnly(marketId, false);
    }

    // ------------------------------------------------------------------ observations

    /// @inheritdoc IMarketConfigurator
    function recordObservation(uint256 marketId) external {
        _requireListed(marketId);
        RiskParams memory r = _risk[marketId];
        Volatility memory v = _vol[marketId];
        uint256 next = uint256(v.lastObservation) + r.minObservationInterval;
        if (block.timestamp < next) revert ConfiguratorObservationTooSoon(marketId, next);
        uint256 price = oracle.getPrice(_asset[marketId]);
        uint256 last = v.lastPrice;
        uint256 ret = (price > last ? price - last : last - price).divWadUp(last);
        uint256 sample = WadMath.min(
            RiskBounds.MAX_VARIANCE_SAMPLE,
            WadMath.mulDivUp(ret.mulWadUp(ret), 1 hours, block.timestamp - v.lastObservation)
        );
        // EWMA rounded up (a higher variance is the conservative side); samples <= 1e18 keep it below 1e18 + 2.
        uint256 variance =
            WadMath.mulDivUp(r.volDecay, v.variancePerHour, 1e18) + WadMath.mulDivUp(1e18 - uint256(r.volDecay), sample, 1e18);
        v.variancePerHour = variance.toUint64();
        v.lastObservation = uint32(block.timestamp);
        v.lastPrice = price.toUint96();
        _vol[marketId] = v;
        (uint256 mmrT, uint256 imrT) = _push(marketId);
        emit VolatilityObserved(marketId, price, variance, mmrT, imrT);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMarketConfigurator
    function riskParams(uint256 marketId) external view returns (RiskParams memory) {
        return _risk[marketId];
    }

    /// @inheritdoc IMarketConfigurator
    function tradingParams(uint256 marketId) external view returns (TradingParams memory) {
        return _trading[marketId];
    }

    /// @inheritdoc IMarketConfigurator
    function volatility(uint256 marketId) external view returns (Volatility memory) {
        return _vol[marketId];
    }

    /// @inheritdoc IMarketConfigurator
    function marginTiers(uint256 marketId) external view returns (IMarginEngine.MarginTier[] memory) {
        return _tiers[marketId];
    }

    /// @inheritdoc IMarketConfigurator
    function oracleAsset(uint256 marketId) external view returns (bytes32) {
        return _asset[marketId];
    }

    /// @inheritdoc IMarketConfigurator
    function targets(uint256 marketId) external view returns (uint256 mmrTarget, uint256 imrTarget) {
        return _targetsOf(_risk[marketId], _vol[marketId].variancePerHour);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Pushes the market's current targets and limits into the engine; returns the targets.
    function _push(uint256 marketId) internal returns (uint256 mmrT, uint256 imrT) {
        RiskParams memory r = _risk[marketId];
        (mmrT, imrT) = _targetsOf(r, _vol[marketId].variancePerHour);
        engine.configureMarket(marketId, _setup(r, _trading[marketId], mmrT, imrT));
    }

    function _setup(
        RiskParams memory r,
        TradingParams memory t,
        uint256 mmrT,
        uint256 imrT
    ) internal pure returns (IMarginEngine.MarketSetup memory) {
        return
            IMarginEngine.MarketSetup(
                uint64(mmrT),
                uint64(imrT),
                r.maxRatioStepPerHour,
                r.imrSizeFactor,
                t.openInterestCap,
                t.maxFundingRatePer8h,
                t.maxFillDeviation
            );
    }

    /// @dev mmr = clamp(base + k * (sigma - reference), floor, cap), the add-on rounded up (conservative) and
    /// the reduction rounded down; imr keeps imrBase / mmrBase (rounded up, <= 100%).
    function _targetsOf(RiskParams memory r, uint256 variance) internal pure returns (uint256 mmrT, uint256 imrT) {
        uint256 sigma = Math.sqrt(variance * 1e18, Math.Rounding.Ceil);
        if (sigma >= r.volReference) {
            mmrT = uint256(r.mmrBase) + uint256(r.volMultiplier).mulWadUp(sigma - r.volReference);
        } else {
            uint256 relief = uint256(r.volMultiplier).mulWadDown(r.volReference - sigma);
            mmrT = relief >= r.mmrBase ? 0 : r.mmrBase - relief;
        }
        if (mmrT < r.mmrFloor) mmrT = r.mmrFloor;
        if (mmrT > r.mmrCap) mmrT = r.mmrCap;
        imrT = WadMath.min(RiskBounds.MAX_IMR, WadMath.mulDivUp(mmrT, r.imrBase, r.mmrBase));
    }

    function _requireListed(uint256 marketId) internal view {
        if (!_listed[marketId]) revert ConfiguratorMarketUnknown(marketId);
    }

    function _validateRisk(RiskParams calldata r) internal pure {
        _bound("mmrBase", r.mmrBase, RiskBounds.MIN_MMR, RiskBounds.MAX_MMR);
        _bound("imrBase", r.imrBase, uint256(r.mmrBase) + 1, RiskBounds.MAX_IMR);
        _bound("mmrFloor", r.mmrFloor, RiskBounds.MIN_MMR, r.mmrBase);
        _bound("mmrCap", r.mmrCap, r.mmrBase, RiskBounds.MAX_MMR);
        _bound("volMultiplier", r.volMultiplier, 0, RiskBounds.MAX_VOL_MULTIPLIER);
        _bound("volReference", r.volReference, 0, RiskBounds.MAX_VOL_REFERENCE);
        _bound("volDecay", r.volDecay, RiskBounds.MIN_VOL_DECAY, RiskBounds.MAX_VOL_DECAY);
        _bound(
            "minObservationInterval",
            r.minObservationInterval,
            RiskBounds.MIN_OBSERVATION_INTERVAL,
            RiskBounds.MAX_OBSERVATION_INTERVAL
        );
        _bound(
            "maxRatioStepPerHour",
            r.maxRatioStepPerHour,
            RiskBounds.MIN_RATIO_STEP_PER_HOUR,
            RiskBounds.MAX_RATIO_STEP_PER_HOUR
        );
        _bound("imrSizeFactor", r.imrSizeFactor, 0, RiskBounds.MAX_IMR_SIZE_FACTOR);
    }

    function _validateTrading(TradingParams calldata t) internal pure {
        _bound("openInterestCap", t.openInterestCap, 1, type(uint112).max);
        _bound("maxFundingRate", t.maxFundingRatePer8h, RiskBounds.MIN_FUNDING_RATE_CAP, RiskBounds.MAX_FUNDING_RATE_CAP);
        _bound("maxFillDeviation", t.maxFillDeviation, RiskBounds.MIN_FILL_DEVIATION, RiskBounds.MAX_FILL_DEVIATION);
    }

    /// @dev ParameterBounds.check with this contract's domain error.
    function _bound(bytes32 name, uint256 value, uint256 lo, uint256 hi) internal pure {
        ParameterBounds.check(ConfiguratorParameterOutOfBounds.selector, name, value, lo, hi);
    }
}
