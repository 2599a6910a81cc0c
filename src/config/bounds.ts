/**
 * Mirror of the hard bounds enforced on-chain (contracts/libraries/RiskBounds.sol and the contracts' public
 * constants). Parameter files are checked against these before any transaction; `test/unit/config/bounds.test.ts`
 * asserts that every value here equals the deployed contracts' constants.
 */
export const RISK_BOUNDS = {
  MIN_MMR: 2n * 10n ** 15n, // 0.2%
  MAX_MMR: 5n * 10n ** 17n, // 50%
  MAX_IMR: 10n ** 18n, // 100%
  MAX_VOL_MULTIPLIER: 10n * 10n ** 18n, // mmr moves 10x the hourly sigma's distance from its reference
  MAX_VOL_REFERENCE: 10n ** 18n, // 100% hourly sigma
  MIN_VOL_DECAY: 5n * 10n ** 17n, // 0.5
  MAX_VOL_DECAY: 9999n * 10n ** 14n, // 0.9999
  MIN_OBSERVATION_INTERVAL: 60, // seconds
  MAX_OBSERVATION_INTERVAL: 86400, // 1 day
  MIN_RATIO_STEP_PER_HOUR: 5n * 10n ** 14n, // 0.05 points per hour
  MAX_RATIO_STEP_PER_HOUR: 5n * 10n ** 16n, // 5 points per hour
  MAX_IMR_SIZE_FACTOR: 10n ** 18n,
  MIN_FUNDING_RATE_CAP: 10n ** 14n, // 0.01% per 8 h
  MAX_FUNDING_RATE_CAP: 5n * 10n ** 16n, // 5% per 8 h
  MIN_FILL_DEVIATION: 10n ** 15n, // 0.1%
  MAX_FILL_DEVIATION: 5n * 10n ** 17n, // 50%
} as const;

export const ORACLE_BOUNDS = {
  MIN_HEARTBEAT: 60,
  MAX_HEARTBEAT: 2 * 86400,
  MAX_DEVIATION: 2n * 10n ** 17n, // 20%
  MAX_SEQUENCER_GRACE_PERIOD: 86400,
} as const;

export const VAULT_BOUNDS = {
  MAX_TOKENS: 16,
  MAX_HAIRCUT: 99n * 10n ** 16n, // 99%
  MAX_BASE_RATE_PER_YEAR: 5n * 10n ** 17n, // 50%
  MAX_RATE_SLOPE_PER_YEAR: 3n * 10n ** 18n, // 300%
} as const;

export const ENGINE_BOUNDS = {
  MAX_MARKETS: 128,
  MAX_PRICE_AGE_LIMIT: 300,
} as const;

export const VENUE_BOUNDS = {
  MAX_FEE_RATE: 10n ** 16n, // 1%
} as const;

export const AUCTION_BOUNDS = {
  MIN_START_PRICE: 8n * 10n ** 17n, // 80%
  MIN_FLOOR_PRICE: 10n ** 17n, // 10%
  MIN_DURATION: 60,
  MAX_DURATION: 86400,
  MAX_INSOLVENT_BONUS: 5n * 10n ** 17n, // 50% of R
  MAX_BUFFER_RATIO: 10n ** 18n, // 100%
  MAX_PENALTY_RATE: 5n * 10n ** 17n, // 50% of R
  MAX_TIP_RATE: 5n * 10n ** 17n, // 50% of the shortfall
  MAX_FLAT_TIP: 1000n * 10n ** 18n, // 1,000 cash
  MAX_DUST_MARGIN: 100_000n * 10n ** 18n, // 100,000 cash
} as const;

export const INSURANCE_BOUNDS = {
  MIN_COOLDOWN: 3600,
  MAX_COOLDOWN: 30 * 86400,
  MIN_WINDOW: 3600,
  MAX_WINDOW: 14 * 86400,
  MIN_EVENT_CAP_RATIO: 10n ** 16n, // 1%
} as const;
