/**
 * Builds a debt-only account (negative cash, no position, no collateral) by writing the vault's storage, for the
 * tests of `terminateAuction`'s write-off and the keeper's handling of such accounts.
 *
 * Since INV-30 (review H-1) no fill leaves such an account (the usual path was an insolvent account closing out,
 * which the engine now refuses), and a bid moves its share of the cash with the positions and the collateral, so only
 * rounding dust of a bid of just under the whole portfolio leaves one. The write-off of a real debt therefore needs
 * the state constructed directly: these tests move `debt`
 * of cash value from `debtor` to `creditor` as such a fill did (the debtor's loss is the creditor's realised
 * profit), keeping the vault's principal totals consistent (supply principal = Σ positive principals, borrow
 * principal = Σ debts, INV-03). Works on Hardhat's in-process network and on a `npx hardhat node` (both answer
 * `hardhat_setStorageAt`).
 */
import { ethers } from "ethers";

/** `VaultAdmin.ACCOUNTS_SLOT`: `mapping(uint256 account => VaultAccount)`. */
const ACCOUNTS_SLOT = 27n;
/** The slot of `CashTotals` (`_totals`), after `_index` (28). */
const TOTALS_SLOT = 29n;
const WAD = 10n ** 18n;
const M112 = (1n << 112n) - 1n;
const M128 = (1n << 128n) - 1n;

interface Provider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

interface VaultReads {
  getAddress(): Promise<string>;
  cashIndices(): Promise<[bigint, bigint, bigint]>;
  accountTokens(account: bigint): Promise<bigint>;
}

const accountSlot = (account: bigint): string =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [account, ACCOUNTS_SLOT]));
const hex32 = (x: bigint): string => ethers.toBeHex(x, 32);
const signed128 = (word: bigint): bigint => BigInt.asIntN(128, word & M128);

/**
 * Moves `debt` [WAD cash] from `debtor` to `creditor` in the vault's ledger: the debtor ends with its cash minus
 * `debt` (which must leave it negative), the creditor with its cash plus what the debtor lost.
 * @throws Error when the debtor holds collateral or positions, or would not end in debt, or the creditor is in debt.
 */
export async function writeDebtOnly(provider: Provider, vault: VaultReads, debtor: bigint, creditor: bigint, debt: bigint): Promise<void> {
  const address = await vault.getAddress();
  const read = async (slot: string | bigint) =>
    BigInt((await provider.send("eth_getStorageAt", [address, typeof slot === "string" ? slot : hex32(slot), "latest"])) as string);
  const write = (slot: string | bigint, value: bigint) =>
    provider.send("hardhat_setStorageAt", [address, typeof slot === "string" ? slot : hex32(slot), hex32(value)]);
  if ((await vault.accountTokens(debtor)) !== 0n) throw new Error(`writeDebtOnly: account ${debtor} holds collateral`);
  const [supplyIndex, borrowIndex] = await vault.cashIndices();
  const dSlot = accountSlot(debtor);
  const cSlot = accountSlot(creditor);
  const dWord = await read(dSlot);
  const cWord = await read(cSlot);
  const hasPositions = (dWord >> 208n) & 0xffn;
  if (hasPositions !== 0n) throw new Error(`writeDebtOnly: account ${debtor} holds positions`);
  const dPrincipal = signed128(dWord);
  const cPrincipal = signed128(cWord);
  if (dPrincipal < 0n || cPrincipal < 0n) throw new Error("writeDebtOnly: both accounts must start with cash >= 0");
  const dValue = (dPrincipal * supplyIndex) / WAD;
  if (dValue >= debt) throw new Error(`writeDebtOnly: a debt of ${debt} leaves account ${debtor} with cash >= 0`);
  // Debts round up, credits down (against the accounts, as the vault rounds).
  const newDebt = -(((debt - dValue) * WAD + borrowIndex - 1n) / borrowIndex);
  const creditPrincipal = (debt * WAD) / supplyIndex;
  await write(dSlot, (dWord & ~M128) | BigInt.asUintN(128, newDebt));
  await write(cSlot, (cWord & ~M128) | BigInt.asUintN(128, cPrincipal + creditPrincipal));
  const totals = await read(TOTALS_SLOT);
  const supply = (totals & M112) - dPrincipal + creditPrincipal;
  const borrow = ((totals >> 112n) & M112) - newDebt;
  await write(TOTALS_SLOT, (totals & ~((1n << 224n) - 1n)) | (borrow << 112n) | supply);
}
