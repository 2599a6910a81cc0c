// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ParameterBounds
/// @custom:security-contact security@ballast.finance
/// @notice Hard bounds of the oracle, vault rate, engine, venue and insurance-fund parameters, declared once here
/// and re-exported by each contract as a public constant of the same name. The market risk bounds are in
/// RiskBounds, the collateral life-cycle bounds in CollateralListing and the auction bounds in AuctionGovernance.
/// @dev Grouped by the contract that enforces them. src/config/bounds.ts is generated from these declarations
/// (`npm run gen:bounds`, through contracts/test/BoundsExport.sol); test/unit/config/bounds.test.ts fails when the
/// two differ. `check` is the one range check every bounded setter uses, with its contract's domain error.
library ParameterBounds {
    /// @notice Reverts with the domain error `err(name, value, lo, hi)` unless `lo <= value <= hi`.
    /// @param err Selector of the caller's error with the arguments (bytes32 parameter, uint256 value, uint256 min,
    /// uint256 max), e.g. `IMarginEngine.EngineParameterOutOfBounds.selector`.
    /// @param name The parameter's name as in the setter's NatSpec.
    /// @param value The proposed value, in the parameter's unit; `lo` and `hi` are its inclusive bounds.
    function check(bytes4 err, bytes32 name, uint256 value, uint256 lo, uint256 hi) internal pure {
        if (value < lo || value > hi) {
            bytes memory data = abi.encodeWithSelector(err, name, value, lo, hi);
            // Re-throws the ABI-encoded custom error as the revert data, as `revert Error(...)` would.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(data, 32), mload(data))
            }
        }
    }

    // ---- Bounds of a price feed's configuration (OracleRouter.setFeed, setSequencerFeed).
    /// @notice Shortest accepted heartbeat: 60 seconds.
    uint256 internal constant MIN_HEARTBEAT = 60;
    /// @notice Longest accepted heartbeat: 2 days in seconds (Chainlink's longest mainnet heartbeats are 24 h).
    uint256 internal constant MAX_HEARTBEAT = 2 days;
    /// @notice Largest accepted primary/secondary deviation bound: 0.2e18 // 20%.
    uint256 internal constant MAX_DEVIATION = 0.2e18;
    /// @notice Longest accepted sequencer grace period: 1 day in seconds.
    uint256 internal constant MAX_SEQUENCER_GRACE_PERIOD = 1 days;

    // ---- Bounds of the negative-cash interest rate model (CollateralVault.setRateModel).
    /// @notice Largest base rate of negative cash: 0.5e18 // 50% per year.
    uint256 internal constant MAX_BASE_RATE_PER_YEAR = 0.5e18;
    /// @notice Largest utilisation slope of negative cash: 3e18 // 300% per year at full utilisation.
    uint256 internal constant MAX_RATE_SLOPE_PER_YEAR = 3e18;

    // ---- Bounds of the engine's market list and price cache (MarginEngine, EngineGovernance).
    /// @notice Largest number of markets that can be listed: 128 (one bit each in an account's market bitmap).
    uint256 internal constant MAX_MARKETS = 128;
    /// @notice Largest number of markets one account may hold: 16 (bounds margin-check and liquidation gas).
    uint256 internal constant MAX_ACCOUNT_MARKETS = 16;
    /// @notice Largest `maxPriceAge`: 300 seconds.
    uint256 internal constant MAX_PRICE_AGE_LIMIT = 300;

    // ---- Bounds of the order venue's fees and session keys (OrderSettlement).
    /// @notice Highest maker or taker fee rate: 0.01e18 // 1% of notional.
    uint256 internal constant MAX_FEE_RATE = 0.01e18;
    /// @notice Longest session-key window: 365 days in seconds.
    uint256 internal constant MAX_SESSION_KEY_PERIOD = 365 days;

    // ---- Bounds of the insurance fund's withdrawal queue and per-event cap (InsuranceFund).
    /// @notice Shortest cooldown: 1 hour in seconds.
    uint256 internal constant MIN_COOLDOWN = 1 hours;
    /// @notice Longest cooldown: 30 days in seconds.
    uint256 internal constant MAX_COOLDOWN = 30 days;
    /// @notice Shortest unstake window: 1 hour in seconds.
    uint256 internal constant MIN_WINDOW = 1 hours;
    /// @notice Longest unstake window: 14 days in seconds.
    uint256 internal constant MAX_WINDOW = 14 days;
    /// @notice Smallest per-event cap: 0.01e18 // 1% of total assets.
    uint256 internal constant MIN_EVENT_CAP_RATIO = 0.01e18;
}
