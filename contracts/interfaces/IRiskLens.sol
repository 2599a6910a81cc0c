// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginEngine} from "./IMarginEngine.sol";
import {IMarketConfigurator} from "./IMarketConfigurator.sol";

/// @title IRiskLens
/// @custom:security-contact security@ballast.finance
/// @notice Batch views for keepers and front-ends. Every view prices each market and collateral once from the
/// oracle (fresh, as liquidations do) and evaluates accounts with the engine's own margin function, so the lens
/// and the engine can never disagree. Views never revert on a bad price: affected rows say `priceValid = false`.
interface IRiskLens {
    /// @notice Health of one account (WAD cash values).
    /// @param priceValid False when a market or collateral the account holds has no valid price; other fields are 0.
    /// @param markToMarket V = E + H [WAD cash], H being the collateral haircut amount (collateral value before minus
    /// after its haircut weights): what the liquidation auction values the portfolio at and caps a starter's tip with
    /// (`ILiquidationAuction.Quote` reports it under the same name; the lens sums the raw collateral value per token with
    /// the vault's rounding, `CollateralValuation.valueDown`).
    /// @param requirement R = M + H [WAD cash], the auction's requirement (same source).
    /// @param marketCount Number of markets the account holds a position in (set even when `priceValid` is false):
    /// each adds gas to a start and a bid, so keepers size their gas limits with it.
    /// @param collateralCount Number of collateral tokens the account holds (set even when `priceValid` is false),
    /// likewise.
    struct AccountHealth {
        uint256 account;
        bool priceValid;
        int256 equity;
        uint256 maintenanceMargin;
        uint256 initialMargin;
        uint256 healthFactor;
        bool liquidatable;
        bool frozen;
        int256 markToMarket;
        uint256 requirement;
        uint256 marketCount;
        uint256 collateralCount;
    }

    /// @notice One position of a portfolio. Prices WAD; values WAD cash.
    /// @param value Unrealised PnL plus accrued funding at `indexPrice`.
    /// @param liquidationPrice See `liquidationPrice`.
    struct PositionInfo {
        uint256 marketId;
        int256 size;
        int256 basis;
        uint256 indexPrice;
        int256 value;
        uint256 maintenanceMargin;
        uint256 initialMargin;
        uint256 liquidationPrice;
    }

    /// @notice One collateral balance of a portfolio.
    /// @param balance Token units. @param balanceWad WAD. @param value balance * price * haircut, WAD cash.
    struct CollateralInfo {
        address token;
        uint256 balance;
        uint256 balanceWad;
        uint256 price;
        uint256 haircut;
        uint256 value;
    }

    /// @notice An account's whole portfolio.
    struct Portfolio {
        uint256 account;
        address owner;
        int256 cash;
        bool isolated;
        bool frozen;
        uint64 nonce;
        bool priceValid;
        CollateralInfo[] collateral;
        PositionInfo[] positions;
        IMarginEngine.MarginState margin;
    }

    /// @notice One market's state.
    struct MarketInfo {
        uint256 marketId;
        uint256 indexPrice;
        bool priceValid;
        IMarginEngine.MarketView state;
        IMarketConfigurator.RiskParams risk;
        IMarketConfigurator.TradingParams trading;
        IMarketConfigurator.Volatility volatility;
    }

    /// @notice Health of every account in `accounts`, in order.
    function accountsHealth(uint256[] calldata accounts) external view returns (AccountHealth[] memory);

    /// @notice The accounts of `accounts` that are liquidatable now and not already in an auction.
    function liquidatableAccounts(uint256[] calldata accounts) external view returns (uint256[] memory);

    /// @notice The position size [WAD base, signed: positive long] of every account in `accounts` in market
    /// `marketId`, in order; 0 for an account without one.
    /// @dev Sizes as `IMarginEngineViews.position` reports them: settled through every automated-deleveraging event
    /// of the market. One call for what a risk report or a keeper would otherwise read account by account (who is
    /// on the other side of a market). Reads no price and never reverts: an unlisted `marketId` gives zeros.
    /// @param marketId The market.
    /// @param accounts Account ids (`owner << 96 | subaccount`); gas grows with their number (about 10,000 each).
    /// @return sizes One signed size per account [WAD base], in the order of `accounts`.
    function positionSizes(uint256 marketId, uint256[] calldata accounts) external view returns (int256[] memory sizes);

    /// @notice `account`'s full portfolio.
    function portfolio(uint256 account) external view returns (Portfolio memory);

    /// @notice State of every listed market.
    function markets() external view returns (MarketInfo[] memory);

    /// @notice Liquidation price of `account`'s position in `marketId` (WAD): the market's price, the price of every
    /// other market the account holds on the same oracle asset (a hedged pair on one asset), and the price of every
    /// collateral the account holds that is priced by that asset (e.g. WETH under an ETH-PERP position), move
    /// together; other prices are held at the oracle's.
    /// @dev Found by bisection on the engine's and the vault's exact margin functions. An account liquidated by a
    /// fall (a long, or a short backed by enough collateral on the market's feed): the lowest price at which it is
    /// not liquidatable (one wei lower it is). By a rise: the highest such price (one wei higher it is
    /// liquidatable). When the account is safe at every price in [1, 2**96 - 1]: 0 for a long, type(uint256).max
    /// for a short; when it is liquidatable at every such price: type(uint256).max for a long, 0 for a short; 0
    /// when there is no position. Reverts if a price the account needs is invalid.
    function liquidationPrice(uint256 account, uint256 marketId) external view returns (uint256);
}
