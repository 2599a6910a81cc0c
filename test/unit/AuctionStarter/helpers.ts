/**
 * Fixture for the batch starter: the liquidation auction's fixture (alice long 10 ETH at 3,000 with 10,000 USDC),
 * plus frank long 1 ETH at 3,000 with 1,000 USDC and erin long 1 ETH with 200,000 USDC, then ETH at 2,050: alice
 * and frank are below maintenance margin, erin is not. carol is the keeper.
 */
import { auctionFixture, setEth, valuation, type AuctionFixture } from "../LiquidationAuction/helpers";
import { fund, trade, accountId, WAD } from "../../shared/fixtures";
import { tip as modelTip } from "../../../src/model/auction";

export const USDC = 10n ** 6n;

export interface StarterFixture extends AuctionFixture {
  /** frank's account (liquidatable at 2,050). */
  F: bigint;
  /** erin's account (healthy at 2,050). */
  E: bigint;
  /** carol's account: the keeper's tip account. */
  K: bigint;
}

export async function starterFixture(): Promise<StarterFixture> {
  const f = await auctionFixture();
  await fund(f, f.frank, "USDC", 1_000n * USDC);
  await (await trade(f, f.bob, f.frank, "ETH-PERP", -1n * WAD, 3000n * WAD)).wait();
  await (await trade(f, f.bob, f.erin, "ETH-PERP", -1n * WAD, 3000n * WAD)).wait();
  await setEth(f, 2050);
  return { ...f, F: accountId(f.frank.address), E: accountId(f.erin.address), K: accountId(f.carol.address) };
}

/** The tip a start of `account` pays now (reference model on the auction's own valuation). */
export async function expectedTip(f: StarterFixture, account: bigint): Promise<bigint> {
  const v = await valuation(f, account);
  return modelTip(f.p, v.maintenanceMargin - v.equity, v.requirement, v.markToMarket);
}
