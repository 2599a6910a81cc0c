// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";

/// @title MeasuredTransfer
/// @custom:security-contact security@ballast.finance
/// @notice The vault's outgoing token transfer, measured on both sides; shared by the vault's withdrawals and the
/// claims of evicted collateral paid by its linked library {VaultAdmin}.
library MeasuredTransfer {
    using SafeERC20 for IERC20;

    /// @notice Sends `amount` of `token` to `to` and measures it as deposits are measured: the sender's balance must
    /// fall by exactly `amount` and `to`'s must rise by exactly `amount`.
    /// @dev Reverts `VaultWithdrawalMismatch(token, amount, sent, received)` otherwise (a token that starts charging
    /// a transfer fee after listing would otherwise short the recipient or let the ledger drift from the tokens
    /// held), or with the token's own error. The caller's reentrancy guard blocks reentry from the token.
    /// @param token The token sent.
    /// @param to Recipient.
    /// @param amount Token units.
    function sendExact(IERC20 token, address to, uint256 amount) internal {
        uint256 vaultBefore = token.balanceOf(address(this));
        uint256 toBefore = token.balanceOf(to);
        token.safeTransfer(to, amount);
        uint256 vaultAfter = token.balanceOf(address(this));
        uint256 toAfter = token.balanceOf(to);
        uint256 sent = vaultBefore > vaultAfter ? vaultBefore - vaultAfter : 0;
        uint256 received = toAfter > toBefore ? toAfter - toBefore : 0;
        if (sent != amount || received != amount) {
            revert ICollateralVault.VaultWithdrawalMismatch(address(token), amount, sent, received);
        }
    }
}
