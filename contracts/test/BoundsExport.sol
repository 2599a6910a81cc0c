// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RiskBounds} from "../libraries/RiskBounds.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";
import {CollateralListing} from "../vault/CollateralListing.sol";
import {AuctionGovernance} from "../liquidation/AuctionGovernance.sol";

/// @title BoundsExport
/// @custom:security-contact security@ballast.finance
/// @notice Test-only: every hard parameter bound the contracts enforce, read from the constant that declares it, so
/// that `npm run gen:bounds` (scripts/gen-bounds.ts) can write src/config/bounds.ts from the compiled values and
/// test/unit/config/bounds.test.ts can fail when the two differ. Never deployed by the Ignition module.
/// @dev Each entry names its TypeScript group (the exported object of src/config/bounds.ts), its name (the
/// Solidity constant's) and its unit: "wad" (1e18 fixed-point ratio or rate), "factor" (1e18 fixed-point
/// multiplier), "cash" (1e18 fixed-point amount of cash), "seconds" or "count". Values are taken from the declaring
/// constant, so this file holds no number.
contract BoundsExport {
    /// @notice One bound: TypeScript group, constant name, unit ("wad", "factor", "cash", "seconds" or "count") and value.
    struct Bound {
        string group;
        string name;
        string unit;
        uint256 value;
    }

    /// @notice Every bound, grouped by the contract (or library) that enforces it.
    /// @return b The bounds in the order src/config/bounds.ts lists them.
    function bounds() external pure returns (Bound[] memory b) {
        // Sized exactly: an entry added without raising the length reverts (array index out of bounds).
        b = new Bound[](57);
        uint256 i;
        // Market risk and trading parameters (MarketConfigurator and EngineGovernance).
        b[i++] = Bound("RISK_BOUNDS", "MIN_MMR", "wad", RiskBounds.MIN_MMR);
        b[i++] = Bound("RISK_BOUNDS", "MAX_MMR", "wad", RiskBounds.MAX_MMR);
        b[i++] = Bound("RISK_BOUNDS", "MAX_IMR", "wad", RiskBounds.MAX_IMR);
        b[i++] = Bound("RISK_BOUNDS", "MAX_VOL_MULTIPLIER", "factor", RiskBounds.MAX_VOL_MULTIPLIER);
        b[i++] = Bound("RISK_BOUNDS", "MAX_VOL_REFERENCE", "wad", RiskBounds.MAX_VOL_REFERENCE);
        b[i++] = Bound("RISK_BOUNDS", "MIN_VOL_DECAY", "wad", RiskBounds.MIN_VOL_DECAY);
        b[i++] = Bound("RISK_BOUNDS", "MAX_VOL_DECAY", "wad", RiskBounds.MAX_VOL_DECAY);
        b[i++] = Bound("RISK_BOUNDS", "MIN_OBSERVATION_INTERVAL", "seconds", RiskBounds.MIN_OBSERVATION_INTERVAL);
        b[i++] = Bound("RISK_BOUNDS", "MAX_OBSERVATION_INTERVAL", "seconds", RiskBounds.MAX_OBSERVATION_INTERVAL);
        b[i++] = Bound("RISK_BOUNDS", "MIN_RATIO_STEP_PER_HOUR", "wad", RiskBounds.MIN_RATIO_STEP_PER_HOUR);
        b[i++] = Bound("RISK_BOUNDS", "MAX_RATIO_STEP_PER_HOUR", "wad", RiskBounds.MAX_RATIO_STEP_PER_HOUR);
        b[i++] = Bound("RISK_BOUNDS", "MAX_IMR_SIZE_FACTOR", "wad", RiskBounds.MAX_IMR_SIZE_FACTOR);
        b[i++] = Bound("RISK_BOUNDS", "MIN_FUNDING_RATE_CAP", "wad", RiskBounds.MIN_FUNDING_RATE_CAP);
        b[i++] = Bound("RISK_BOUNDS", "MAX_FUNDING_RATE_CAP", "wad", RiskBounds.MAX_FUNDING_RATE_CAP);
        b[i++] = Bound("RISK_BOUNDS", "MIN_FILL_DEVIATION", "wad", RiskBounds.MIN_FILL_DEVIATION);
        b[i++] = Bound("RISK_BOUNDS", "MAX_FILL_DEVIATION", "wad", RiskBounds.MAX_FILL_DEVIATION);
        b[i++] = Bound("RISK_BOUNDS", "MAX_VARIANCE_SAMPLE", "wad", RiskBounds.MAX_VARIANCE_SAMPLE);
        b[i++] = Bound("RISK_BOUNDS", "MAX_MARGIN_TIERS", "count", RiskBounds.MAX_MARGIN_TIERS);
        b[i++] = Bound("RISK_BOUNDS", "MIN_TIER_THRESHOLD", "wad", RiskBounds.MIN_TIER_THRESHOLD);
        b[i++] = Bound("RISK_BOUNDS", "MAX_TIER_MMR_ADD_ON", "wad", RiskBounds.MAX_TIER_MMR_ADD_ON);
        b[i++] = Bound("RISK_BOUNDS", "MAX_TIER_IMR_ADD_ON", "wad", RiskBounds.MAX_TIER_IMR_ADD_ON);
        // Oracle feeds (OracleRouter).
        b[i++] = Bound("ORACLE_BOUNDS", "MIN_HEARTBEAT", "seconds", ParameterBounds.MIN_HEARTBEAT);
        b[i++] = Bound("ORACLE_BOUNDS", "MAX_HEARTBEAT", "seconds", ParameterBounds.MAX_HEARTBEAT);
        b[i++] = Bound("ORACLE_BOUNDS", "MAX_DEVIATION", "wad", ParameterBounds.MAX_DEVIATION);
        b[i++] = Bound("ORACLE_BOUNDS", "MAX_SEQUENCER_GRACE_PERIOD", "seconds", ParameterBounds.MAX_SEQUENCER_GRACE_PERIOD);
        // Collateral and cash (CollateralListing, VaultStorage).
        b[i++] = Bound("VAULT_BOUNDS", "MAX_TOKENS", "count", CollateralListing.MAX_TOKENS);
        b[i++] = Bound("VAULT_BOUNDS", "MAX_HAIRCUT", "wad", CollateralListing.MAX_HAIRCUT);
        b[i++] = Bound("VAULT_BOUNDS", "MAX_HAIRCUT_DECREASE", "wad", CollateralListing.MAX_HAIRCUT_DECREASE);
        b[i++] = Bound("VAULT_BOUNDS", "HAIRCUT_DECREASE_COOLDOWN", "seconds", CollateralListing.HAIRCUT_DECREASE_COOLDOWN);
        b[i++] = Bound("VAULT_BOUNDS", "MIN_DELISTING_RAMP", "seconds", CollateralListing.MIN_DELISTING_RAMP);
        b[i++] = Bound("VAULT_BOUNDS", "MAX_DELISTING_RAMP", "seconds", CollateralListing.MAX_DELISTING_RAMP);
        b[i++] = Bound("VAULT_BOUNDS", "MAX_BASE_RATE_PER_YEAR", "wad", ParameterBounds.MAX_BASE_RATE_PER_YEAR);
        b[i++] = Bound("VAULT_BOUNDS", "MAX_RATE_SLOPE_PER_YEAR", "wad", ParameterBounds.MAX_RATE_SLOPE_PER_YEAR);
        // Engine (EngineStorage, EngineGovernance).
        b[i++] = Bound("ENGINE_BOUNDS", "MAX_MARKETS", "count", ParameterBounds.MAX_MARKETS);
        b[i++] = Bound("ENGINE_BOUNDS", "MAX_ACCOUNT_MARKETS", "count", ParameterBounds.MAX_ACCOUNT_MARKETS);
        b[i++] = Bound("ENGINE_BOUNDS", "MAX_PRICE_AGE_LIMIT", "seconds", ParameterBounds.MAX_PRICE_AGE_LIMIT);
        // Order venue (OrderSettlement).
        b[i++] = Bound("VENUE_BOUNDS", "MAX_FEE_RATE", "wad", ParameterBounds.MAX_FEE_RATE);
        b[i++] = Bound("VENUE_BOUNDS", "MAX_SESSION_KEY_PRICE_BAND", "wad", RiskBounds.MAX_FILL_DEVIATION);
        b[i++] = Bound("VENUE_BOUNDS", "MAX_SESSION_KEY_PERIOD", "seconds", ParameterBounds.MAX_SESSION_KEY_PERIOD);
        // Liquidation auctions (AuctionGovernance).
        b[i++] = Bound("AUCTION_BOUNDS", "MIN_START_PRICE", "wad", AuctionGovernance.MIN_START_PRICE);
        b[i++] = Bound("AUCTION_BOUNDS", "MIN_FLOOR_PRICE", "wad", AuctionGovernance.MIN_FLOOR_PRICE);
        b[i++] = Bound("AUCTION_BOUNDS", "MIN_DURATION", "seconds", AuctionGovernance.MIN_DURATION);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_DURATION", "seconds", AuctionGovernance.MAX_DURATION);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_INSOLVENT_BONUS", "wad", AuctionGovernance.MAX_INSOLVENT_BONUS);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_BUFFER_RATIO", "wad", AuctionGovernance.MAX_BUFFER_RATIO);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_PENALTY_RATE", "wad", AuctionGovernance.MAX_PENALTY_RATE);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_TIP_RATE", "wad", AuctionGovernance.MAX_TIP_RATE);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_FLAT_TIP", "cash", AuctionGovernance.MAX_FLAT_TIP);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_DUST_MARGIN", "cash", AuctionGovernance.MAX_DUST_MARGIN);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_TIP_BASE_FEE", "gwei", AuctionGovernance.MAX_TIP_BASE_FEE);
        b[i++] = Bound("AUCTION_BOUNDS", "MAX_STOP_LEVEL", "count", AuctionGovernance.MAX_STOP_LEVEL);
        b[i++] = Bound("AUCTION_BOUNDS", "GUARDIAN_MAX_STOP_LEVEL", "count", AuctionGovernance.GUARDIAN_MAX_STOP_LEVEL);
        // Insurance fund (InsuranceFund).
        b[i++] = Bound("INSURANCE_BOUNDS", "MIN_COOLDOWN", "seconds", ParameterBounds.MIN_COOLDOWN);
        b[i++] = Bound("INSURANCE_BOUNDS", "MAX_COOLDOWN", "seconds", ParameterBounds.MAX_COOLDOWN);
        b[i++] = Bound("INSURANCE_BOUNDS", "MIN_WINDOW", "seconds", ParameterBounds.MIN_WINDOW);
        b[i++] = Bound("INSURANCE_BOUNDS", "MAX_WINDOW", "seconds", ParameterBounds.MAX_WINDOW);
        b[i++] = Bound("INSURANCE_BOUNDS", "MIN_EVENT_CAP_RATIO", "wad", ParameterBounds.MIN_EVENT_CAP_RATIO);
    }
}
