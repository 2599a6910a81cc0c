// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Imports
/// @custom:security-contact security@ballast.finance
/// @notice Makes the OpenZeppelin governance contracts Ballast deploys (AccessManager, TimelockController) available as artifacts.
// Imported only to produce deployable artifacts.
// solhint-disable-next-line no-unused-import
import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
// solhint-disable-next-line no-unused-import
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
