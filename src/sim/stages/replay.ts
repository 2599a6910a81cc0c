/**
 * Stage 4, the replay loop: for each point of the price path, the per-block steps in order: oracle block
 * (src/sim/stages/oracle.ts), market maker re-quote, reaction and keeper blocks with the traders' reactions and
 * mining/settlement (reactions.ts, traders.ts, settlement.ts), then the step's observation (observation.ts).
 */
import { wadFromNumber } from "../../model/wad";
import { Observations, oracleBlock } from "./oracle";
import { reactionBlocks } from "./reactions";
import { observeStep } from "./observation";
import { slowDown } from "./timer";
import { createGasMarket } from "../gasMarket";
import { cashPrice } from "../prices";
import type { RunState } from "./state";

/** Decimals of a float price turned into WAD. */
const PRICE_DECIMALS = 8;

/** Replays the price path (its first `opts.maxSteps` points when set). */
export async function replay(run: RunState): Promise<void> {
  const { scenario: s, input, timer, dep } = run;
  const pricePath = input.pricePath;
  const points = input.opts.maxSteps ? pricePath.points.slice(0, input.opts.maxSteps) : pricePath.points;
  input.opts.progress.startReplay(input.setNumber, s.parameterSets.length, input.set.name, points.length);
  const obs = new Observations(run);
  // The gas market (scenario key `gas`) sets every replay block's base fee; set-up blocks keep the node's.
  run.chain.fees = createGasMarket(s.gas, (t) => run.priceTime(t));
  await slowDown("replay");
  run.metrics.setUp = false;
  for (let k = 0; k < points.length; k++) {
    run.metrics.step = k;
    const pt = points[k];
    const Tk = run.chainTime(pt.t);
    const Tnext = k + 1 < points.length ? run.chainTime(points[k + 1].t) : Tk + pricePath.stepSeconds;
    // Gas is paid in ETH bought with cash: its cash price is the USD price over the cash peg (1 without a peg path).
    run.metrics.lastIndexEth = cashPrice(pt.prices[dep.marketFeed[0]], pt.cashPeg);
    run.metrics.stepStarts = 0;
    run.metrics.stepBids = 0;
    run.chain.fees?.observeIndex(pt.prices[dep.marketFeed[0]], pricePath.stepSeconds);

    const pushed = await oracleBlock(run, obs, Tk, pt.prices);
    timer.lap("oracle");
    // The oracle publishes USD prices, which the protocol reads as cash prices (threat R-02); the market maker quotes
    // the venue, which trades in cash, around the cash price (USD price / peg).
    const stepIndex = dep.plan.markets.map((_, m) => wadFromNumber(cashPrice(pt.prices[dep.marketFeed[m]], pt.cashPeg), PRICE_DECIMALS));
    await run.agents.mm.update(Tk, stepIndex, true);
    timer.lap("market-maker");

    await reactionBlocks(run, Tk, Tnext, stepIndex, pushed);

    await observeStep(run, pt, pushed);
    timer.lap("metrics");
    input.opts.progress.step(k + 1, `${dep.marketFeed[0]} ${run.metrics.lastIndexEth.toFixed(2)}`);
  }
  run.chain.fees = undefined;
}
