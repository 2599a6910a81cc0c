// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title MutableDecimalsERC20
/// @custom:security-contact security@ballast.finance
/// @notice Test-only ERC-20 whose `decimals()` answer can change after deployment (as an upgradeable token's could),
/// to show the vault converts cash amounts with the scale it fixed at deployment (review R3-2).
contract MutableDecimalsERC20 is ERC20 {
    uint8 private _decimals;

    constructor(uint8 decimals_) ERC20("Mutable decimals", "MUT") {
        _decimals = decimals_;
    }

    /// @notice Changes what `decimals()` answers. Anyone: test token.
    function setDecimals(uint8 decimals_) external {
        _decimals = decimals_;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
