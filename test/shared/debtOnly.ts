/**
 * Builds a debt-only account (negative cash, no position, no collateral) by writing the vault's storage, for the
 * tests of `terminateAuction`'s write-off and the keeper's handling of such accounts.
 *
 * Since INV-30 (review H-1) no fill leaves such an account (the usual path was an insolvent account closing out,
 * which the engine now refuses), and a bid moves its share of the cash with the positions and the collateral, so only
 * rounding dust of a bid of just under the whole portfolio leaves one. The write-off of a real debt therefore needs
 * the state constructed directly: these tests move `debt` of cash value from `debtor` to `creditor` as such a fill did
 * (the debtor's loss is the creditor's realised profit), keeping the vault's principal totals consistent (supply
 * principal = Σ positive principals, borrow principal = Σ debts, INV-03). The slots come from {VaultProbe}, which
 * discovers and cross-checks the layout. Works on Hardhat's in-process network and on a `npx hardhat node` (both
 * answer `hardhat_setStorageAt`).
 */
import { ethers } from "hardhat";
import type { CollateralVault } from "../../typechain-types";
import { VaultProbe } from "./vaultProbe";

const WAD = 10n ** 18n;
const M112 = (1n << 112n) - 1n;
const M128 = (1n << 128n) - 1n;

const word = async (address: string, slot: bigint) => BigInt(await ethers.provider.getStorage(address, slot));
const setWord = (address: string, slot: bigint, value: bigint) =>
  ethers.provider.send("hardhat_setStorageAt", [address, ethers.toBeHex(slot, 32), ethers.toBeHex(value, 32)]);

/**
 * Moves `debt` [WAD cash] from `debtor` to `creditor` in the vault's ledger: the debtor ends with its cash minus
 * `debt` (which must leave it negative), the creditor with its cash plus what the debtor lost. The creditor must
 * have traded or withdrawn (a non-zero nonce) and the vault must hold no debt yet ({VaultProbe.discover}).
 * @throws Error when the debtor holds collateral or positions, or would not end in debt, or either is in debt.
 */
export async function writeDebtOnly(vault: CollateralVault, debtor: bigint, creditor: bigint, debt: bigint): Promise<void> {
  const probe = await VaultProbe.discover(vault, creditor);
  const address = await vault.getAddress();
  const d = await probe.account(debtor);
  const c = await probe.account(creditor);
  if (d.tokens !== 0n) throw new Error(`writeDebtOnly: account ${debtor} holds collateral`);
  if (d.hasPositions) throw new Error(`writeDebtOnly: account ${debtor} holds positions`);
  if (d.cashPrincipal < 0n || c.cashPrincipal < 0n) throw new Error("writeDebtOnly: both accounts must start with cash >= 0");
  const { supplyIndex, borrowIndex } = await probe.cash();
  const dValue = (d.cashPrincipal * supplyIndex) / WAD;
  if (dValue >= debt) throw new Error(`writeDebtOnly: a debt of ${debt} leaves account ${debtor} with cash >= 0`);
  // Debts round up, credits down (against the accounts, as the vault rounds).
  const newDebt = -(((debt - dValue) * WAD + borrowIndex - 1n) / borrowIndex);
  const creditPrincipal = (debt * WAD) / supplyIndex;
  const dSlot = probe.accountSlotOf(debtor);
  const cSlot = probe.accountSlotOf(creditor);
  await setWord(address, dSlot, ((await word(address, dSlot)) & ~M128) | BigInt.asUintN(128, newDebt));
  await setWord(address, cSlot, ((await word(address, cSlot)) & ~M128) | BigInt.asUintN(128, c.cashPrincipal + creditPrincipal));
  const totals = await word(address, probe.totalsSlotOf);
  const supply = (totals & M112) - d.cashPrincipal + creditPrincipal;
  const borrow = ((totals >> 112n) & M112) - newDebt;
  await setWord(address, probe.totalsSlotOf, (totals & ~((1n << 224n) - 1n)) | (borrow << 112n) | supply);
}
