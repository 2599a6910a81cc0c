// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferERC20
/// @custom:security-contact security@ballast.finance
/// @notice Test token that burns 1% of every transfer while its fee is on (the default), so the recipient receives
/// less than the amount sent; `setFeeOn` models an upgradeable token that starts charging after it was listed.
contract FeeOnTransferERC20 is ERC20 {
    /// @notice Whether transfers burn 1%.
    bool public feeOn = true;

    constructor() ERC20("Fee Token", "FEE") {}

    function setFeeOn(bool on) external {
        feeOn = on;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (feeOn && from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            super._update(from, to, value - fee);
        } else {
            super._update(from, to, value);
        }
    }
}
