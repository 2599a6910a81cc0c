// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {EngineStorage} from "./EngineStorage.sol";
import {EngineMarketListing} from "./EngineMarketListing.sol";

/// @title EngineGovernance
/// @custom:security-contact security@ballast.finance
/// @notice Configurator hooks and the engine's own bounded setters.
/// @dev Market parameters arrive only from the bound `MarketConfigurator`, and are re-validated against `RiskBounds`
/// by the linked library {EngineMarketListing} (which holds the listing and configuration bodies) so that no caller
/// can push an out-of-bounds value. The other setters are `restricted` through
/// OpenZeppelin AccessManager (roles in docs/ACCESS_CONTROL.md) and emit the new value.
abstract contract EngineGovernance is IMarginEngine, EngineStorage, AccessManaged {
    modifier onlyConfigurator() {
        _checkConfigurator();
        _;
    }

    // ------------------------------------------------------------------ configurator hooks

    /// @inheritdoc IMarginEngine
    function listMarket(bytes32 oracleAsset, MarketSetup calldata s) external onlyConfigurator returns (uint256 marketId) {
        marketId = _marketCount;
        EngineMarketListing.list(_markets[marketId], _oracle, marketId, oracleAsset, s);
        // Cannot overflow: `list` reverts unless marketId < MAX_MARKETS.
        unchecked {
            _marketCount = marketId + 1;
        }
    }

    /// @inheritdoc IMarginEngine
    function configureMarket(uint256 marketId, MarketSetup calldata s) external onlyConfigurator {
        EngineMarketListing.configure(_markets[marketId], _oracle, maxPriceAge, marketId, s);
    }

    /// @inheritdoc IMarginEngine
    function setMarketReduceOnly(uint256 marketId, bool reduceOnly) external onlyConfigurator {
        EngineMarketListing.setReduceOnly(_markets[marketId], marketId, reduceOnly);
    }

    // ------------------------------------------------------------------ own setters

    /// @inheritdoc IMarginEngine
    function pauseTrading() external restricted {
        _setTradingPaused(true);
    }

    /// @inheritdoc IMarginEngine
    function unpauseTrading() external restricted {
        _setTradingPaused(false);
    }

    /// @inheritdoc IMarginEngine
    function setVenue(address venue, bool allowed) external restricted {
        EngineMarketListing.setVenue(isVenue, venue, allowed);
    }

    /// @inheritdoc IMarginEngine
    function setMaxPriceAge(uint32 age) external restricted {
        if (age > MAX_PRICE_AGE_LIMIT) revert EngineParameterOutOfBounds("maxPriceAge", age, 0, MAX_PRICE_AGE_LIMIT);
        maxPriceAge = age;
        emit MaxPriceAgeSet(age);
    }

    /// @inheritdoc IMarginEngine
    function bindLiquidator(address liquidator_) external restricted {
        _requireBindable(liquidator, liquidator_);
        liquidator = liquidator_;
        emit LiquidatorBound(liquidator_);
    }

    /// @inheritdoc IMarginEngine
    function bindConfigurator(address configurator_) external restricted {
        _requireBindable(configurator, configurator_);
        configurator = configurator_;
        emit ConfiguratorBound(configurator_);
    }

    // ------------------------------------------------------------------ validation

    /// @dev One copy of the check behind `onlyConfigurator` (a modifier's body is inlined at every use).
    function _checkConfigurator() private view {
        if (msg.sender != configurator) revert EngineOnlyConfigurator(msg.sender);
    }

    function _setTradingPaused(bool paused) private {
        tradingPaused = paused;
        emit TradingPausedSet(paused);
    }

    /// @dev A bind-once address: `next` must be non-zero and `current` unset.
    function _requireBindable(address current, address next) private pure {
        if (next == address(0)) revert EngineZeroAddress();
        if (current != address(0)) revert EngineAlreadyBound(current);
    }
}
