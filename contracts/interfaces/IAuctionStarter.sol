// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiquidationAuction} from "./ILiquidationAuction.sol";

/// @title IAuctionStarter
/// @custom:security-contact security@ballast.finance
/// @notice Starts the liquidation auctions of many accounts in one transaction (issue #13): a keeper's starts of one
/// block go out as one call instead of one transaction each. Not part of the protocol's trusted core: it holds no
/// funds and no role, and calls only `ILiquidationAuction.startAuction`, which anyone may call.
interface IAuctionStarter {
    /// @notice The batch holds more accounts than `max`.
    error StarterBatchTooLarge(uint256 length, uint256 max);
    /// @notice A zero address where the auction is required.
    error StarterZeroAddress();

    /// @notice A batch ran for `caller`: `started` auctions started (each paying its tip to `tipAccount`) and
    /// `skipped` accounts passed over (healthy, or already in auction, including a repeat within the batch).
    event StarterBatchRan(address indexed caller, uint256 indexed tipAccount, uint256 started, uint256 skipped);

    /// @notice The liquidation auction whose `startAuction` this contract calls.
    function auction() external view returns (ILiquidationAuction);

    /// @notice Largest batch `startAuctions` accepts (accounts per call).
    function MAX_BATCH() external view returns (uint256);

    /// @notice Starts the auction of each of `accounts`, in order, paying each start's tip to `tipAccount`.
    /// @dev Each start is `auction.startAuction(account, tipAccount)`: the tip per account is the auction's, paid by
    /// the account to `tipAccount` (vault account id, owner << 96 | subaccount), whoever calls; the auction records
    /// this contract as the starter (`AuctionStarted.starter`). An account is skipped, not reverted on, only when
    /// the auction reverts with `AuctionNotLiquidatable` (healthy, or an account id nobody uses) or
    /// `AuctionAlreadyActive` (already in auction, a repeat within the batch included). Any other revert (stop
    /// level, shortfall caps, an invalid price, running out of gas) reverts the whole batch with the same data, so
    /// a caller short of gas or a stopped auction never makes accounts look skipped. An empty batch starts nothing.
    /// Reverts with `StarterBatchTooLarge` above `MAX_BATCH` accounts. Non-reentrant.
    /// @param accounts Vault account ids to start (owner << 96 | subaccount), at most `MAX_BATCH`.
    /// @param tipAccount Vault account credited with every start's tip.
    /// @return started How many auctions started (accounts.length minus the skipped ones).
    function startAuctions(uint256[] calldata accounts, uint256 tipAccount) external returns (uint256 started);
}
