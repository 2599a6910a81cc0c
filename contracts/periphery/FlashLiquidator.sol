// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ILiquidationCallback} from "../interfaces/ILiquidationCallback.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {IOrderSettlement} from "../interfaces/IOrderSettlement.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {AccountLib} from "../libraries/AccountLib.sol";

/// @title FlashLiquidator
/// @custom:security-contact security@ballast.finance
/// @notice A capital-free liquidator: it bids with a flash callback, sells or hedges what it receives by filling
/// signed orders on the venue inside the callback, and pays the auction from the proceeds. Its owner (a keeper)
/// keeps the profit. Its account in the vault is this contract's subaccount 0.
contract FlashLiquidator is ILiquidationCallback, Ownable {
    /// @notice A signed order to fill inside the callback, with the fill size (WAD base) and the taker's price limit.
    struct Hedge {
        IOrderSettlement.Order order;
        bytes signature;
        uint128 fillSize;
        uint256 takerPriceLimit;
    }

    /// @notice Only the auction may call back, and only during this contract's own bid.
    error FlashLiquidatorUnexpectedCallback(address caller);

    /// @notice The liquidation auction.
    ILiquidationAuction public immutable auction;
    /// @notice The venue used to hedge.
    IOrderSettlement public immutable venue;
    /// @notice The collateral vault (withdrawals of profit).
    ICollateralVault public immutable vault;
    /// @notice This contract's vault account.
    uint256 public immutable account;

    bool private _bidding;

    constructor(address owner_, ILiquidationAuction auction_, IOrderSettlement venue_, ICollateralVault vault_) Ownable(owner_) {
        auction = auction_;
        venue = venue_;
        vault = vault_;
        account = AccountLib.accountId(address(this), 0);
    }

    /// @notice Owner: bids on `target`'s auction; `hedges` are filled inside the callback (empty: a plain bid).
    function liquidate(
        uint256 target,
        uint256 fraction,
        uint64 expectedNonce,
        int256 maxUnitPrice,
        Hedge[] calldata hedges
    ) external onlyOwner {
        _bidding = true;
        auction.bid(target, account, fraction, expectedNonce, maxUnitPrice, hedges.length == 0 ? bytes("") : abi.encode(hedges));
        _bidding = false;
    }

    /// @inheritdoc ILiquidationCallback
    function onLiquidationBid(uint256, uint256, uint256, uint256, bytes calldata data) external returns (bytes4) {
        if (msg.sender != address(auction) || !_bidding) revert FlashLiquidatorUnexpectedCallback(msg.sender);
        Hedge[] memory hedges = abi.decode(data, (Hedge[]));
        for (uint256 i; i < hedges.length; ++i) {
            venue.fill(hedges[i].order, hedges[i].signature, account, hedges[i].fillSize, hedges[i].takerPriceLimit);
        }
        return ILiquidationCallback.onLiquidationBid.selector;
    }

    /// @notice Owner: withdraws `amount` (token units) of `token` from this contract's vault account to `to`.
    function withdraw(address token, uint256 amount, address to) external onlyOwner {
        vault.withdraw(account, token, amount, to);
    }
}
