/**
 * The access-control matrix: which AccessManager role may call which restricted function. Everything restricted
 * and not listed here needs ADMIN (AccessManager's default), which the timelock holds after handover.
 * The deploy module applies this table, `check-deployment` verifies it on-chain, and docs/ACCESS_CONTROL.md
 * renders it (a test keeps the document in step).
 */
export const ROLE = { ADMIN: 0n, RISK_MANAGER: 1n, GUARDIAN: 2n } as const;
export type RoleName = keyof typeof ROLE;

export type RestrictedContract =
  "OracleRouter" | "CollateralVault" | "MarginEngine" | "MarketConfigurator" | "OrderSettlement" | "LiquidationAuction" | "InsuranceFund";

/** Non-admin restricted functions by contract and role. */
export const FUNCTION_ROLES: Record<RestrictedContract, { RISK_MANAGER: string[]; GUARDIAN: string[] }> = {
  OracleRouter: { RISK_MANAGER: [], GUARDIAN: [] },
  CollateralVault: {
    RISK_MANAGER: ["setHaircut", "setDepositCap", "enableCollateral", "setCashRateModel", "setBorrowCap", "unpauseDeposits"],
    GUARDIAN: ["reduceDepositCap", "disableCollateral", "pauseDeposits"],
  },
  MarginEngine: {
    RISK_MANAGER: ["unpauseTrading", "setMaxPriceAge"],
    GUARDIAN: ["pauseTrading"],
  },
  MarketConfigurator: {
    RISK_MANAGER: ["setRiskParams", "setTradingParams", "setMarginTiers", "clearMarketReduceOnly"],
    GUARDIAN: ["reduceOpenInterestCap", "setMarketReduceOnly"],
  },
  OrderSettlement: { RISK_MANAGER: ["setFeeRates"], GUARDIAN: [] },
  LiquidationAuction: {
    RISK_MANAGER: ["setParams", "setGlobalShortfallCap", "setMarketShortfallCap"],
    GUARDIAN: ["raiseStopLevel"],
  },
  InsuranceFund: { RISK_MANAGER: ["setWithdrawalTiming", "setEventCapRatio"], GUARDIAN: [] },
};

/** Restricted functions that stay with ADMIN (documented; verified by check-deployment). */
export const ADMIN_FUNCTIONS: Record<RestrictedContract, string[]> = {
  OracleRouter: ["setFeed", "removeFeed", "setSequencerFeed"],
  CollateralVault: [
    "listCollateral",
    "setCollateralOracle",
    "beginDelisting",
    "evictCollateral",
    "removeToken",
    "bindEngine",
    "bindLiquidator",
  ],
  MarginEngine: ["setVenue", "bindLiquidator", "bindConfigurator"],
  MarketConfigurator: ["listMarket"],
  OrderSettlement: [],
  LiquidationAuction: ["setStopLevel"],
  InsuranceFund: ["bindAuction"],
};
