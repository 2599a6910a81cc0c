// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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
    /// @notice A signed order to fill inside the callback, with the fill size (WAD base) for the fraction `liquidate`
    /// requests and the taker's price limit.
    struct Hedge {
        IOrderSettlement.Order order;
        bytes signature;
        uint128 fillSize;
        uint256 takerPriceLimit;
    }

    /// @notice Only the auction may call back, and only during this contract's own bid.
    error FlashLiquidatorUnexpectedCallback(address caller);
    /// @notice `liquidate` was asked for a fraction of zero.
    error FlashLiquidatorZeroFraction(uint256 target);

    /// @notice The liquidation auction.
    ILiquidationAuction public immutable auction;
    /// @notice The venue used to hedge.
    IOrderSettlement public immutable venue;
    /// @notice The collateral vault (withdrawals of profit).
    ICollateralVault public immutable vault;
    /// @notice This contract's vault account.
    uint256 public immutable account;

    /// @dev The fraction [WAD] requested by the bid in progress; 0 outside `liquidate`.
    uint256 private _requested;

    constructor(address owner_, ILiquidationAuction auction_, IOrderSettlement venue_, ICollateralVault vault_) Ownable(owner_) {
        auction = auction_;
        venue = venue_;
        vault = vault_;
        account = AccountLib.accountId(address(this), 0);
    }

    /// @notice Owner: bids for `fraction` [WAD] of `target`'s portfolio; `hedges` (sized for `fraction`) are filled
    /// inside the callback (empty: a plain bid).
    /// @dev The auction may move a different fraction than requested: less when the largest fraction is smaller now, the
    /// whole when its dust rule raises the bid. Each hedge's fill is scaled by moved / requested, rounded down (a leg
    /// scaled to zero is skipped), so it hedges the moved fraction of the portfolio the owner planned on (review 6,
    /// L-1); a fill larger than its order allows reverts the whole bid. The owner sizes hedges from the portfolio as it
    /// is now: another bid since its last read changes what a fraction holds.
    /// Reverts `FlashLiquidatorZeroFraction(target)` for a fraction of zero.
    function liquidate(
        uint256 target,
        uint256 fraction,
        uint64 expectedNonce,
        int256 maxUnitPrice,
        Hedge[] calldata hedges
    ) external onlyOwner {
        if (fraction == 0) revert FlashLiquidatorZeroFraction(target);
        _requested = fraction;
        auction.bid(target, account, fraction, expectedNonce, maxUnitPrice, hedges.length == 0 ? bytes("") : abi.encode(hedges));
        _requested = 0;
    }

    /// @inheritdoc ILiquidationCallback
    function onLiquidationBid(uint256, uint256, uint256 fraction, uint256, bytes calldata data) external returns (bytes4) {
        uint256 requested = _requested;
        if (msg.sender != address(auction) || requested == 0) revert FlashLiquidatorUnexpectedCallback(msg.sender);
        Hedge[] memory hedges = abi.decode(data, (Hedge[]));
        for (uint256 i; i < hedges.length; ++i) {
            uint256 size = fraction == requested ? hedges[i].fillSize : Math.mulDiv(hedges[i].fillSize, fraction, requested);
            // A leg scaled to nothing (the auction moved far less than requested) is skipped: the venue refuses a zero fill.
            if (size == 0) continue;
            venue.fill(hedges[i].order, hedges[i].signature, account, SafeCast.toUint128(size), hedges[i].takerPriceLimit);
        }
        return ILiquidationCallback.onLiquidationBid.selector;
    }

    /// @notice Owner: withdraws `amount` (token units) of `token` from this contract's vault account to `to`.
    function withdraw(address token, uint256 amount, address to) external onlyOwner {
        vault.withdraw(account, token, amount, to);
    }
}
