// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAuctionStarter} from "../interfaces/IAuctionStarter.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";

/// @title AuctionStarter
/// @custom:security-contact security@ballast.finance
/// @notice Batch auction starts for keepers (see {IAuctionStarter}). It lives outside the auction because the auction
/// has no room left under its size budget; it holds no funds, no role and no state but its reentrancy lock.
contract AuctionStarter is IAuctionStarter, ReentrancyGuardTransient {
    /// @inheritdoc IAuctionStarter
    /// @dev 100 accounts per call: at about 100,000 gas per start after the first (single-market accounts), a full
    /// batch needs about 10M gas, under the per-transaction gas cap of EIP-7825 (2^24 = 16,777,216).
    uint256 public constant MAX_BATCH = 100;

    /// @inheritdoc IAuctionStarter
    ILiquidationAuction public immutable auction;

    constructor(ILiquidationAuction auction_) {
        if (address(auction_) == address(0)) revert StarterZeroAddress();
        auction = auction_;
    }

    /// @inheritdoc IAuctionStarter
    function startAuctions(uint256[] calldata accounts, uint256 tipAccount) external nonReentrant returns (uint256 started) {
        uint256 n = accounts.length;
        if (n > MAX_BATCH) revert StarterBatchTooLarge(n, MAX_BATCH);
        for (uint256 i; i < n; ++i) {
            try auction.startAuction(accounts[i], tipAccount) {
                ++started;
            } catch (bytes memory reason) {
                if (!_skippable(reason)) {
                    // Bubble the auction's revert unchanged (its custom error and arguments).
                    assembly ("memory-safe") {
                        revert(add(reason, 0x20), mload(reason))
                    }
                }
            }
        }
        emit StarterBatchRan(msg.sender, tipAccount, started, n - started);
    }

    /// @dev Whether `reason` is the auction's `AuctionNotLiquidatable` or `AuctionAlreadyActive` (by selector).
    function _skippable(bytes memory reason) private pure returns (bool) {
        if (reason.length < 4) return false;
        bytes4 selector = bytes4(reason);
        return
            selector == ILiquidationAuction.AuctionNotLiquidatable.selector ||
            selector == ILiquidationAuction.AuctionAlreadyActive.selector;
    }
}
