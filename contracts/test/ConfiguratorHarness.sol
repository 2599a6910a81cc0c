// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MarketConfigurator} from "../config/MarketConfigurator.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title ConfiguratorHarness
/// @custom:security-contact security@ballast.finance
/// @notice Exposes MarketConfigurator's volatility-adjusted targets (`_targetsOf`) for differential fuzzing, in
/// batches. Never wired to an engine (its engine and oracle are placeholders).
contract ConfiguratorHarness is MarketConfigurator {
    constructor() MarketConfigurator(address(1), IMarginEngine(address(1)), IOracleRouter(address(1))) {}

    function targetsOf(
        RiskParams[] calldata risk,
        uint256[] calldata variance
    ) external pure returns (uint256[] memory mmrTarget, uint256[] memory imrTarget) {
        mmrTarget = new uint256[](risk.length);
        imrTarget = new uint256[](risk.length);
        for (uint256 i; i < risk.length; ++i) (mmrTarget[i], imrTarget[i]) = _targetsOf(risk[i], variance[i]);
    }
}
