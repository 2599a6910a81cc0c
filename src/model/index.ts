/**
 * Ballast reference model: pure bigint functions that give the contracts' results to the wei (same rounding).
 * Shared by the tests, the keeper bot and the simulator.
 *
 * - wad: WadMath (fixed point, rounding in every name) and float <-> WAD conversions for the simulator
 * - accountId: AccountLib's account-id codec ((owner << 96) | subaccount)
 * - bitmap: Bitmap's count of markets or tokens held
 * - margin: MarginMath (position value, notional, margins, funding index, health factor, ramp step) and the
 *   vault's token-amount and collateral-value conversions
 * - market: the engine's per-market state (cached mark, funding and premium epochs, ramp)
 * - volatility: EWMA variance, volatility-adjusted targets, ramp
 * - trade: fills (basis and realised PnL), the risk-reduction rule, venue fees, liquidation transfers
 * - cash: the vault's cash principal, indices, negative-cash interest, socialised losses
 * - account: account-level margin (equity, maintenance and initial margin, health factor) and auction valuation
 * - liquidation: the lens's liquidation price by bisection
 * - auction: Dutch auction price, largest fraction, payments, tip, stopped clock
 * - insurance: insurance payouts per event, ERC-4626 conversions, exits
 * - protocol: one-step simulation of a fill and a withdrawal (new state or the custom error)
 * - adl: automated deleveraging (deficit allotment, bankruptcy price, the lazy side index and a position's settlement),
 *   the rule the engine's implementation will be fuzzed against (issue #14 item 1; not on chain yet)
 */
export * from "./wad";
export * from "./accountId";
export * from "./bitmap";
export * from "./margin";
export * from "./market";
export * from "./volatility";
export * from "./trade";
export * from "./cash";
export * from "./account";
export * from "./liquidation";
export * from "./auction";
export * from "./insurance";
export * from "./protocol";
export * from "./adl";
