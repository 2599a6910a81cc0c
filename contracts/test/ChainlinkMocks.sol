// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Makes Chainlink's own MockV3Aggregator available as an artifact for local networks and tests.
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
