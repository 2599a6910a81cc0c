/**
 * Shared set-up of the delisting and eviction tests (issue #11 class 14, review F1): alice and bob hold WBTC and
 * trade 10 ETH-PERP, then the admin begins delisting WBTC over four days.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { fund, trade } from "../../shared/fixtures";
import { protocolFixture, accountId, type Protocol, WAD, USDC, BTC, BTC_SCALE, DAY, ETH_PRICE } from "./helpers";

/** VaultStorage delisting bounds: 1 day and 90 days (seconds). */
export const MIN_DELISTING_RAMP = DAY;
export const MAX_DELISTING_RAMP = 90n * DAY;
/** The ramp of the fixture: 4 days, so that a quarter of it is exactly one day. */
export const RAMP = 4n * DAY;
/** Alice's WBTC: 0.05 BTC (3,000 USD at 60,000), in token units and WAD. */
export const ALICE_WBTC = (5n * BTC) / 100n;
export const ALICE_WBTC_WAD = ALICE_WBTC * BTC_SCALE;
/** Alice's cash after the maker fee of her 10 ETH long at 3,000 (500 - 6 USDC), WAD. */
export const ALICE_CASH = 494n * WAD;
/** Initial and maintenance margin of 10 ETH at 3,000 (5% and 3%), WAD. */
export const ALICE_IM = 1500n * WAD;
export const ALICE_MM = 900n * WAD;

/**
 * Mines an empty block at `t`, first re-publishing every feed (heartbeat 1 h) in the blocks just before it when
 * there is room for them.
 */
export async function blockAt(b: Protocol, t: bigint): Promise<void> {
  let s = t - BigInt(Object.keys(b.feeds).length);
  if (s > BigInt(await time.latest()))
    for (const feed of Object.values(b.feeds)) {
      await time.setNextBlockTimestamp(s++);
      await (await feed.updateAnswer(await feed.latestAnswer())).wait();
    }
  await time.increaseTo(t);
}

/**
 * Alice holds 500 USDC and 0.05 WBTC and is long 10 ETH-PERP at 3,000 against bob (1,000,000 USDC, 1 WBTC):
 * equity 494 + 2,250 = 2,744, IM 1,500, MM 900. At T0 the admin begins delisting WBTC over 4 days.
 */
export async function delistingFixture() {
  const b = await protocolFixture();
  const A = accountId(b.alice.address);
  const B = accountId(b.bob.address);
  await fund(b, b.alice, "USDC", 500n * USDC);
  await fund(b, b.alice, "WBTC", ALICE_WBTC);
  await fund(b, b.bob, "USDC", 1_000_000n * USDC);
  await fund(b, b.bob, "WBTC", BTC);
  await (await trade(b, b.alice, b.bob, "ETH-PERP", 10n * WAD, ETH_PRICE)).wait();
  const T0 = BigInt(await time.latest()) + 100n;
  await time.setNextBlockTimestamp(T0);
  const tx = await b.vault.beginDelisting(b.wbtc, RAMP);
  return { ...b, A, B, T0, tx, wbtcAddress: await b.wbtc.getAddress() };
}

export type Delisting = Awaited<ReturnType<typeof delistingFixture>>;
