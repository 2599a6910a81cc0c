/**
 * Traders: each opens one long or short position at setup through a signed order (the market maker takes it), at
 * a seeded size, leverage, market and collateral. During the run some of them react when their health factor
 * falls below their own threshold (if they are paying attention that step): "topUp" traders deposit more cash,
 * "deleverage" traders cut part of their position against the market maker's quote; "passive" ones do nothing.
 */
import type { Wallet } from "ethers";
import { Rng } from "../rng";
import type { Scenario } from "../scenario";

export type Behaviour = "passive" | "topUp" | "deleverage";

export interface Trader {
  index: number;
  wallet: Wallet;
  account: bigint;
  market: string;
  long: boolean;
  collateral: string;
  /** Margin equity at setup, cash units. */
  equity: number;
  leverage: number;
  behaviour: Behaviour;
  reactionHealth: number;
  topUps: number;
  cuts: number;
  rng: Rng;
}

/** Draws the traders of a scenario (deterministic in the seed). */
export function drawTraders(s: Scenario, wallets: Wallet[], accountOf: (w: Wallet) => bigint): Trader[] {
  const t = s.traders;
  return wallets.map((wallet, index) => {
    const rng = new Rng(s.seed, `trader:${index}`);
    return {
      index,
      wallet,
      account: accountOf(wallet),
      market: rng.pick(t.markets),
      long: rng.chance(t.longShare),
      collateral: rng.pick(t.collateral),
      equity: Math.round(rng.logNormal(t.equity.median, t.equity.sigma, t.equity.min, t.equity.max)),
      leverage: Math.round(rng.logNormal(t.leverage.median, t.leverage.sigma, t.leverage.min, t.leverage.max) * 100) / 100,
      behaviour: rng.pick(t.behaviour),
      reactionHealth: Math.round(rng.uniform(t.reactionHealth.min, t.reactionHealth.max) * 100) / 100,
      topUps: 0,
      cuts: 0,
      rng,
    };
  });
}
