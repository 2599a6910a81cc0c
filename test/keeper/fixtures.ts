/**
 * Shared keeper-test fixture: several liquidatable accounts of one owner, so that start order, backlog and batches
 * can be watched block by block.
 */
import { accountId, fund, trade, WAD, type Ballast } from "../shared/fixtures";
import { auctionFixture, setEth, USDC, type AuctionFixture } from "../unit/LiquidationAuction/helpers";

/** alice's account and five sub-accounts, each 10 ETH long at 3,000 with 10,000 USDC, made liquidatable by ETH at 2,050. */
export async function sixLiquidatable(): Promise<AuctionFixture & { subs: bigint[] }> {
  const f = await auctionFixture();
  const subs: bigint[] = [f.A];
  for (let sub = 1n; sub <= 5n; sub++) {
    const account = accountId(f.alice.address, sub);
    await fund(f as Ballast, f.alice, "USDC", 10_000n * USDC, account);
    await (await trade(f, f.bob, f.alice, "ETH-PERP", -10n * WAD, 3000n * WAD, { takerAccount: account })).wait();
    subs.push(account);
  }
  await setEth(f, 2050);
  return { ...f, subs };
}
