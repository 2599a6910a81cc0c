// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title TokenAmountLib
/// @custom:security-contact security@ballast.finance
/// @notice The one place where token amounts (in a token's own decimals) and internal WAD amounts meet.
/// @dev The vault's ledger keeps every balance in WAD: `wad = amount * 10**(18 - decimals)`. Converting a token
/// amount to WAD is exact; converting WAD to a token amount rounds down, so a payout never exceeds the ledger.
library TokenAmountLib {
    /// @notice Largest supported token decimals.
    uint8 internal constant MAX_DECIMALS = 18;

    /// @notice The factor that turns a token amount into WAD: 10**(18 - decimals).
    function scaleOf(uint8 decimals) internal pure returns (uint256) {
        return 10 ** (MAX_DECIMALS - decimals);
    }

    /// @notice `amount` (token units) in WAD. Exact.
    function toWad(uint256 amount, uint256 scale) internal pure returns (uint256) {
        return amount * scale;
    }

    /// @notice `wad` in token units, rounded down.
    function fromWadDown(uint256 wad, uint256 scale) internal pure returns (uint256) {
        return wad / scale;
    }
}
