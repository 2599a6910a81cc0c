// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title ScriptedAggregator
/// @custom:security-contact security@ballast.finance
/// @notice Chainlink `AggregatorV3Interface` whose whole latest round is set by the test, including malformed
/// rounds (answeredInRound < roundId, updatedAt = 0) that Chainlink's MockV3Aggregator cannot produce.
contract ScriptedAggregator is AggregatorV3Interface {
    uint8 public immutable decimals;
    uint80 internal _roundId;
    int256 internal _answer;
    uint256 internal _startedAt;
    uint256 internal _updatedAt;
    uint80 internal _answeredInRound;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function setRound(uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) external {
        (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound) = (roundId, answer, startedAt, updatedAt, answeredInRound);
    }

    function description() external pure returns (string memory) {
        return "ScriptedAggregator";
    }

    function version() external pure returns (uint256) {
        return 0;
    }

    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _startedAt, _updatedAt, _answeredInRound);
    }
}
