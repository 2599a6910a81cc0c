// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {EngineStorage} from "./EngineStorage.sol";

/// @title EngineAccounts
/// @custom:security-contact security@ballast.finance
/// @notice The margin engine's account settings, changed by an account's owner for itself: operators (session keys)
/// and isolation. A linked library (external functions run by DELEGATECALL on the engine's storage, where
/// `msg.sender` is still the engine's caller), so the engine keeps room under the EIP-170 size limit while its trade,
/// margin-check and liquidation paths pay no library call.
/// @dev Reverts and events are the engine's own ({IMarginEngine}).
library EngineAccounts {
    /// @notice Grants `operator` `scope` over the caller's accounts until `expiry` (see {IMarginEngine-setOperator}).
    /// @param operators The caller's operator entries.
    function setOperator(
        mapping(address operator => EngineStorage.Operator) storage operators,
        address operator,
        IMarginEngine.Scope scope,
        uint64 expiry
    ) external {
        if (operator == address(0)) revert IMarginEngine.EngineZeroAddress();
        if (uint8(scope) > uint8(IMarginEngine.Scope.Full)) revert IMarginEngine.EngineInvalidScope(uint8(scope));
        operators[operator] = EngineStorage.Operator(scope, expiry);
        emit IMarginEngine.OperatorSet(msg.sender, operator, scope, expiry);
    }

    /// @notice Sets whether the caller's subaccount `subaccountId` is isolated (see
    /// {IMarginEngine-setAccountIsolated}); reverts `EngineAccountHasPositions` while it holds a position.
    function setIsolated(
        mapping(uint256 account => EngineStorage.AccountState) storage accounts,
        uint96 subaccountId,
        bool isolated
    ) external {
        uint256 account = AccountLib.accountId(msg.sender, subaccountId);
        EngineStorage.AccountState storage a = accounts[account];
        if (a.markets != 0) revert IMarginEngine.EngineAccountHasPositions(account);
        a.isolated = isolated;
        emit IMarginEngine.AccountIsolationSet(account, isolated);
    }
}
