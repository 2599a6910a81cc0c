/**
 * The account-id codec of contracts/libraries/AccountLib.sol: an account is `(owner << 96) | sub`, a 160-bit
 * owner address and a 96-bit subaccount number. The one place TypeScript builds or splits account ids.
 */

/** Bits of the subaccount number. */
export const SUBACCOUNT_BITS = 96n;
/** Largest subaccount number (2**96 - 1). */
export const MAX_SUBACCOUNT = (1n << SUBACCOUNT_BITS) - 1n;

/**
 * The account id of `owner`'s subaccount `sub`.
 * @param owner an address (hex string)
 * @param sub subaccount number, 0 <= sub <= MAX_SUBACCOUNT (not checked: larger values overlap the owner bits)
 */
export const accountId = (owner: string, sub: bigint | number = 0n): bigint => (BigInt(owner) << SUBACCOUNT_BITS) | BigInt(sub);

/** The owner address of `account` as a 20-byte number. */
export const accountOwner = (account: bigint): bigint => account >> SUBACCOUNT_BITS;

/** The subaccount number of `account`. */
export const subaccountOf = (account: bigint): bigint => account & MAX_SUBACCOUNT;

/** Short form of an account id for logs: the owner address's first 4 bytes and the subaccount ("0x1234abcd:0"). */
export function shortAccount(account: bigint): string {
  const owner = accountOwner(account).toString(16).padStart(40, "0");
  return `0x${owner.slice(0, 8)}:${subaccountOf(account)}`;
}
