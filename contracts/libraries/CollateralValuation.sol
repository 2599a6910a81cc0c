// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadMath} from "./WadMath.sol";

/// @title CollateralValuation
/// @custom:security-contact security@ballast.finance
/// @notice The one formula of a collateral's value, used by the vault's valuations (cached prices, fresh prices,
/// given prices) and by the risk lens: `value = balance * price` and `margin value = value * haircut weight`, both
/// WAD and both rounded down (toward the protocol), in that order.
library CollateralValuation {
    using WadMath for uint256;

    /// @notice Value of a collateral balance before its haircut: balanceWad * price / 1e18, rounded down.
    /// @param balanceWad Balance [wad token amount].
    /// @param price Collateral price [wad cash per token].
    /// @return Value [wad cash].
    function valueDown(uint256 balanceWad, uint256 price) internal pure returns (uint256) {
        return balanceWad.mulWadDown(price);
    }

    /// @notice Margin value of a collateral value under its haircut weight: value * weight / 1e18, rounded down.
    /// @param value Value before the haircut [wad cash], from `valueDown`.
    /// @param weight Haircut weight in force [wad, at most 0.99e18].
    /// @return Margin value [wad cash].
    function haircutDown(uint256 value, uint256 weight) internal pure returns (uint256) {
        return value.mulWadDown(weight);
    }

    /// @notice Margin value of a collateral balance: `haircutDown(valueDown(balanceWad, price), weight)`.
    /// @param balanceWad Balance [wad token amount].
    /// @param price Collateral price [wad cash per token].
    /// @param weight Haircut weight in force [wad].
    /// @return Margin value [wad cash].
    function marginValueDown(uint256 balanceWad, uint256 price, uint256 weight) internal pure returns (uint256) {
        return haircutDown(valueDown(balanceWad, price), weight);
    }
}
