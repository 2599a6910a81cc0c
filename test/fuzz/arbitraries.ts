/**
 * fast-check arbitraries shared by the differential suites: market parameters anywhere within their on-chain
 * bounds, portfolio plans (1-8 markets, 1-4 collateral tokens and cash, long and short, near-zero and huge
 * sizes, fills at a premium, time gaps across funding epochs) and price scenarios (crashes, spikes, extremes).
 */
import fc from "fast-check";
import * as M from "../../src/model";
import { RISK_BOUNDS as B, VAULT_BOUNDS, AUCTION_BOUNDS as A } from "../../src/config/bounds";
import { spread } from "../shared/fuzz";

/** Risk parameters anywhere within the configurator's bounds (IMarketConfigurator.RiskParams). */
export const riskParamsArb: fc.Arbitrary<M.RiskParams> = spread(B.MIN_MMR, B.MAX_MMR).chain((mmrBase) =>
  fc.record({
    mmrBase: fc.constant(mmrBase),
    imrBase: spread(mmrBase + 1n, B.MAX_IMR),
    mmrFloor: spread(B.MIN_MMR, mmrBase),
    mmrCap: spread(mmrBase, B.MAX_MMR),
    volMultiplier: spread(0n, B.MAX_VOL_MULTIPLIER),
    volReference: spread(0n, B.MAX_VOL_REFERENCE),
    volDecay: spread(B.MIN_VOL_DECAY, B.MAX_VOL_DECAY),
    minObservationInterval: spread(BigInt(B.MIN_OBSERVATION_INTERVAL), BigInt(B.MAX_OBSERVATION_INTERVAL)),
    maxRatioStepPerHour: spread(B.MIN_RATIO_STEP_PER_HOUR, B.MAX_RATIO_STEP_PER_HOUR),
    imrSizeFactor: fc.oneof({ weight: 2, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: spread(0n, B.MAX_IMR_SIZE_FACTOR) }),
  }),
);

/** Trading parameters within bounds, the open-interest cap left huge (the suites test margins, not caps). */
export const tradingParamsArb = fc.record({
  maxFundingRatePer8h: spread(B.MIN_FUNDING_RATE_CAP, B.MAX_FUNDING_RATE_CAP),
  maxFillDeviation: spread(B.MIN_FILL_DEVIATION, B.MAX_FILL_DEVIATION),
});

/** A new haircut reachable in one step from any current one: up to MAX_HAIRCUT, or down by at most 5 points. */
export const haircutChangeArb = fc.record({ up: fc.boolean(), permille: fc.integer({ min: 0, max: 1000 }) });
export type HaircutChange = { up: boolean; permille: number };
export function newHaircut(current: bigint, c: HaircutChange): bigint {
  if (c.up) return current + ((VAULT_BOUNDS.MAX_HAIRCUT - current) * BigInt(c.permille)) / 1000n;
  const step = current < 5n * 10n ** 16n ? current : 5n * 10n ** 16n;
  return current - (step * BigInt(c.permille)) / 1000n;
}

/** One fill of a portfolio plan. */
export interface FillOp {
  /** Index into the plan's markets. */
  market: number;
  /** "open" adds a notional of mantissa * 10**exp cash in the plan's direction; "reduce" trades fraction/1000 of
   * the current size against it (above 1000 it flips); "update" calls updateMarket (funding epochs close). */
  kind: "open" | "reduce" | "update";
  exp: number;
  mantissa: number;
  fraction: number;
  /** Fill price deviation from the index, in permille of the market's band. */
  deviation: number;
  /** Seconds since the previous step, and the index move (bps) published just before the fill. */
  gap: bigint;
  move: number;
}

export const fillOpArb: fc.Arbitrary<FillOp> = fc.record({
  market: fc.nat(7),
  kind: fc.constantFrom<"open" | "reduce" | "update">("open", "open", "open", "reduce", "reduce", "update"),
  exp: fc.integer({ min: -12, max: 11 }),
  mantissa: fc.integer({ min: 1, max: 9999 }),
  fraction: fc.integer({ min: 1, max: 2500 }),
  deviation: fc.integer({ min: -900, max: 900 }),
  gap: fc.oneof(
    { weight: 3, arbitrary: spread(3n, 120n) },
    { weight: 3, arbitrary: spread(3n, 3600n) },
    { weight: 1, arbitrary: spread(3n, 4n * 3600n) },
  ),
  move: fc.oneof(fc.constant(0), fc.integer({ min: -300, max: 300 }), fc.integer({ min: -3000, max: 3000 })),
});

export interface PortfolioPlan {
  /** Distinct market ids held (1-8), with each one's direction of "open" fills. */
  markets: number[];
  long: boolean[];
  risk: (M.RiskParams | null)[];
  trading: ({ maxFundingRatePer8h: bigint; maxFillDeviation: bigint } | null)[];
  /** Collateral token indices deposited (0-4 of them) and whether cash is deposited. */
  tokens: number[];
  cash: boolean;
  weights: number[];
  haircuts: (HaircutChange | null)[];
  /** Collateral value as a multiple (permille) of the estimated initial margin of all "open" fills. */
  coverage: number;
  ops: FillOp[];
  withdraw: { token: number; permille: number } | null;
  /** Seconds after the last fill, and each feed's move (bps) at the end. */
  finalGap: bigint;
  finalMoves: number[];
  /** Whether every held market is updated (funding accrued, epochs closed, ratios ramped) at the end. */
  finalUpdate: boolean;
}

export const portfolioPlanArb = (maxMarkets = 8, maxOps = 12): fc.Arbitrary<PortfolioPlan> =>
  fc
    .integer({ min: 1, max: maxMarkets })
    .chain((n) => fc.shuffledSubarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: n, maxLength: n }))
    .chain((markets) =>
      fc.record({
        markets: fc.constant(markets),
        long: fc.array(fc.boolean(), { minLength: markets.length, maxLength: markets.length }),
        risk: fc.array(fc.option(riskParamsArb, { freq: 2 }), { minLength: markets.length, maxLength: markets.length }),
        trading: fc.array(fc.option(tradingParamsArb, { freq: 2 }), { minLength: markets.length, maxLength: markets.length }),
        tokens: fc.subarray([0, 1, 2, 3]),
        cash: fc.boolean(),
        weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 5, maxLength: 5 }),
        haircuts: fc.array(fc.option(haircutChangeArb, { freq: 3 }), { minLength: 4, maxLength: 4 }),
        coverage: fc.oneof(fc.integer({ min: 900, max: 1500 }), fc.integer({ min: 600, max: 6000 })),
        ops: fc.array(fillOpArb, { minLength: 1, maxLength: maxOps }),
        withdraw: fc.option(fc.record({ token: fc.integer({ min: -1, max: 3 }), permille: fc.integer({ min: 1, max: 1000 }) }), {
          freq: 2,
        }),
        finalGap: fc.oneof(spread(2n, 600n), spread(2n, 3n * 86_400n)),
        finalMoves: fc.array(fc.oneof(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -9000, max: 20000 })), {
          minLength: 8,
          maxLength: 8,
        }),
        finalUpdate: fc.boolean(),
      }),
    );

/** A price scenario: each price as permille of its oracle price (1 = a 99.9% crash, 100000 = 100x), or an extreme. */
export const priceFactorArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 800, max: 1200 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 100_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -2) }, // -1: 1 wei, -2: 2**96 - 1
);
export const scenarioArb = fc.record({
  markets: fc.array(priceFactorArb, { minLength: 8, maxLength: 8 }),
  tokens: fc.array(priceFactorArb, { minLength: 4, maxLength: 4 }),
});
export type Scenario = { markets: number[]; tokens: number[] };

/** Applies a price factor to an oracle price. */
export function scaled(price: bigint, factor: number): bigint {
  if (factor === -1) return 1n;
  if (factor === -2) return M.MAX_PROBE_PRICE;
  const p = (price * BigInt(factor)) / 1000n;
  return p === 0n ? 1n : p > M.MAX_PROBE_PRICE ? M.MAX_PROBE_PRICE : p;
}

/** Auction parameters anywhere within LiquidationAuction.setParams's bounds. */
export const auctionParamsArb: fc.Arbitrary<M.AuctionParams> = spread(A.MIN_START_PRICE, M.WAD).chain((startPrice) =>
  spread(A.MIN_FLOOR_PRICE, startPrice).chain((fastPrice) =>
    fc.record({
      startPrice: fc.constant(startPrice),
      fastPrice: fc.constant(fastPrice),
      floorPrice: spread(A.MIN_FLOOR_PRICE, fastPrice),
      fastDuration: spread(BigInt(A.MIN_DURATION), BigInt(A.MAX_DURATION)),
      slowDuration: spread(BigInt(A.MIN_DURATION), BigInt(A.MAX_DURATION)),
      insolventDuration: spread(BigInt(A.MIN_DURATION), BigInt(A.MAX_DURATION)),
      insolventBonus: spread(0n, A.MAX_INSOLVENT_BONUS),
      bufferRatio: spread(0n, A.MAX_BUFFER_RATIO),
      penaltyRate: spread(0n, A.MAX_PENALTY_RATE),
      tipBaseFee: fc.oneof(spread(0n, BigInt(A.MAX_TIP_BASE_FEE)), fc.constant(0n)),
      insuranceShare: spread(0n, M.WAD),
      tipRate: spread(0n, A.MAX_TIP_RATE),
      flatTip: spread(0n, A.MAX_FLAT_TIP),
      dustMargin: fc.oneof(spread(0n, A.MAX_DUST_MARGIN), fc.constant(0n)),
    }),
  ),
);

/**
 * Up to 4 valid margin tiers (INV-29): thresholds strictly increasing from 1e18 by gaps of up to `maxGap` (WAD
 * cash), each tier adding up to `maxMmrStep` to the maintenance add-on and up to `maxImrStep` to the initial one
 * (add-ons non-decreasing, each imr add-on at least its mmr add-on).
 */
export function tiersArb(
  maxGap: bigint,
  maxMmrStep: bigint,
  maxImrStep: bigint,
): fc.Arbitrary<{ notionalThreshold: bigint; mmrAddOn: bigint; imrAddOn: bigint }[]> {
  return fc
    .array(
      fc.record({
        gap: fc.bigInt({ min: 1n, max: maxGap }),
        dm: fc.bigInt({ min: 0n, max: maxMmrStep }),
        di: fc.bigInt({ min: 0n, max: maxImrStep }),
      }),
      { maxLength: 4 },
    )
    .map((steps) => {
      let t = 10n ** 18n - 1n;
      let m = 0n;
      let i = 0n;
      return steps.map((x) => {
        t += x.gap;
        m += x.dm;
        i = (i > m ? i : m) + x.di;
        return { notionalThreshold: t, mmrAddOn: m, imrAddOn: i };
      });
    });
}

/** Margin tiers the stateful campaign's positions cross: thresholds from 1 to about a million of cash (10^24 WAD). */
export const marginTiersArb = tiersArb(2n * 10n ** 23n, 5n * 10n ** 16n, 5n * 10n ** 16n);
