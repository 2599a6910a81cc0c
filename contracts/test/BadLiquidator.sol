// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiquidationCallback} from "../interfaces/ILiquidationCallback.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {AccountLib} from "../libraries/AccountLib.sol";

/// @title BadLiquidator
/// @custom:security-contact security@ballast.finance
/// @notice A flash bidder that misbehaves in its callback: it returns a wrong value, or tries to bid again.
contract BadLiquidator is ILiquidationCallback {
    enum Mode {
        WrongSelector,
        Reenter
    }

    ILiquidationAuction public immutable auction;
    Mode public mode;

    constructor(ILiquidationAuction auction_) {
        auction = auction_;
    }

    function bid(uint256 target, uint256 fraction, uint64 nonce, int256 maxUnitPrice, Mode mode_) external {
        mode = mode_;
        auction.bid(target, AccountLib.accountId(address(this), 0), fraction, nonce, maxUnitPrice, hex"01");
    }

    function onLiquidationBid(
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint256,
        bytes calldata
    ) external returns (bytes4) {
        if (mode == Mode.Reenter) {
            auction.bid(account, bidderAccount, fraction, 0, type(int256).max, "");
        }
        return bytes4(0xdeadbeef);
    }
}
