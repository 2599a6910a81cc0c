// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralVault} from "./ICollateralVault.sol";
import {IMarginEngine} from "./IMarginEngine.sol";

/// @title IMarginEngineViews
/// @custom:security-contact security@ballast.finance
/// @notice The margin engine's read-only views that no contract calls inside a transaction: the lens and off-chain
/// tools (keeper, simulator, deploy check) read them. Call them at the engine's own address: the engine forwards
/// any selector it does not know to its view module ({IMarginEngine-viewModule}), which runs on the engine's
/// storage (DELEGATECALL). Units as in {IMarginEngine}.
/// @dev Kept out of the engine's own code so that the engine stays under the EIP-170 size limit with room for its
/// liquidation paths; a forwarded call costs one DELEGATECALL (about 2,700 gas) more than a direct one.
interface IMarginEngineViews {
    /// @notice A view was called at the module's own address (`viewModule`), where it would read empty storage.
    /// @param module The module's address.
    /// @param engine The engine whose address answers the views.
    error EngineViewsNotDelegated(address module, address engine);

    /// @notice Margin state of `account` at fresh oracle prices.
    /// @param account The account (owner << 96 | subaccount id).
    /// @return The account's equity [wad cash], maintenance and initial margin [wad cash], health factor [wad] and
    /// whether it is liquidatable (equity < maintenance margin).
    /// @dev Funding accrues to now at each fresh price. Reverts as the oracle router does on any invalid price.
    function accountMargin(uint256 account) external view returns (IMarginEngine.MarginState memory);

    /// @notice Margin state of `account` from given vault inputs and market prices. Lets the lens price every
    /// market once and evaluate thousands of accounts.
    /// @param account The account.
    /// @param collateral The vault's margin inputs for the account (cash and haircut collateral value, wad cash).
    /// @param marketPrices One price per listed market, indexed by market id [wad cash per base unit].
    /// @return The margin state as {accountMargin} returns it, at those prices.
    /// @dev Reverts `EngineParameterOutOfBounds("marketPrices", length, marketCount, marketCount)` unless
    /// `marketPrices.length == marketCount()`, and `EngineParameterOutOfBounds("price", price, 0, 2**96 - 1)` for a
    /// price above the width of every stored price.
    function accountMarginAtPrices(
        uint256 account,
        ICollateralVault.MarginCollateral memory collateral,
        uint256[] memory marketPrices
    ) external view returns (IMarginEngine.MarginState memory);

    /// @notice Position of `account` in `marketId`, settled with its side's automated-deleveraging events.
    /// @return size Signed size [wad base units, long > 0].
    /// @return basis Entry notional net of the funding index at entry [wad cash], less the proceeds of any part
    /// closed by ADL.
    function position(uint256 account, uint256 marketId) external view returns (int256 size, int256 basis);

    /// @notice Everything stored about `marketId`, with its effective margin ratios now.
    /// @dev An unlisted id returns zeros.
    function marketView(uint256 marketId) external view returns (IMarginEngine.MarketView memory);

    /// @notice Cumulative funding index of `marketId` accrued to now at `price`.
    /// @param price The price at which funding accrues since the last update [wad cash per base unit].
    /// @return The index [wad cash per base unit].
    /// @dev Reverts `EngineParameterOutOfBounds("price", price, 0, 2**96 - 1)` above the width of every stored price.
    function cumulativeFundingAt(uint256 marketId, uint256 price) external view returns (int256);

    /// @notice Automated-deleveraging state of `marketId`'s `side` (0: longs, 1: shorts) after its `n`-th event.
    /// @return events The side's number of events so far.
    /// @return keep The size factor after event `n` [wad; 1e18 for n = 0].
    /// @return closed The closing index after event `n` [wad cash per unit of size at keep = 1e18; 0 for n = 0].
    /// @dev Reverts `EngineParameterOutOfBounds("side", side, 0, 1)` for a side above 1; an `n` beyond `events`
    /// returns (events, 0, 0).
    function deleveragingIndex(
        uint256 marketId,
        uint256 side,
        uint256 n
    ) external view returns (uint256 events, uint256 keep, int256 closed);

    /// @notice The operator's scope and expiry for `owner`.
    /// @return scope The scope granted (None if never set or revoked).
    /// @return expiry Last second at which the grant is valid [unix seconds].
    function operatorOf(address owner, address operator) external view returns (IMarginEngine.Scope scope, uint64 expiry);
}
