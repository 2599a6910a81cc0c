// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILiquidationCallback
/// @custom:security-contact security@ballast.finance
/// @notice Implemented by a capital-free liquidator: a flash bid hands it the portfolio first, then calls back
/// before taking payment, so it can hedge or sell what it received (for example through the venue).
interface ILiquidationCallback {
    /// @notice Called by the auction after `fraction` (WAD) of `account`'s portfolio moved to `bidderAccount` (with
    /// the subsidy of an insolvent portfolio already paid to it) and before `payment` (WAD cash, the bidder's cash
    /// the auction will move to `account`) is taken.
    /// @dev The auction is locked (non-reentrant) during the call; the liquidated account stays frozen. Must
    /// return `ILiquidationCallback.onLiquidationBid.selector`.
    function onLiquidationBid(
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint256 payment,
        bytes calldata data
    ) external returns (bytes4);
}
