// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ChainlinkMocks
/// @custom:security-contact security@ballast.finance
/// @notice Makes Chainlink's own MockV3Aggregator (from @chainlink/contracts) available as an artifact for local
/// networks, tests and the simulator.
// solhint-disable-next-line no-unused-import
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
