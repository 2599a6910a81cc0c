/**
 * Exact reads of the vault's cash ledger for the differential and invariant suites: account cash principals and
 * the stored cash state (indices, principal totals, last accrual), which the vault exposes only as accrued values.
 *
 * The storage slots are discovered, not hard-coded: the probe scans the first slots of the vault for the
 * `_accounts` mapping and the `_index` / `_totals` words, identifying them by values it knows (an account's nonce,
 * token bitmap and flags; the indices; the principal total), and every later read of an account is checked
 * against the vault's own views (`accountNonce`, `accountTokens`, `accountStatus`). A storage-layout change
 * therefore fails loudly here instead of silently reading garbage.
 */
import { ethers } from "hardhat";
import { expect } from "chai";
import type { CollateralVault } from "../../typechain-types";
import type { CashState } from "../../src/model/cash";

const SCAN = 64;
const U128 = (1n << 128n) - 1n;
const U112 = (1n << 112n) - 1n;

/** The vault's stored cash state (before accrual to now). */
export interface StoredCash extends CashState {
  lastAccrual: bigint;
}

/** One decoded `VaultAccount` slot. */
export interface StoredAccount {
  cashPrincipal: bigint;
  tokens: bigint;
  nonce: bigint;
  hasPositions: boolean;
  frozen: boolean;
}

const toSigned128 = (x: bigint): bigint => (x >= 1n << 127n ? x - (1n << 128n) : x);

function decodeAccount(word: bigint): StoredAccount {
  return {
    cashPrincipal: toSigned128(word & U128),
    tokens: (word >> 128n) & 0xffffn,
    nonce: (word >> 144n) & ((1n << 64n) - 1n),
    hasPositions: ((word >> 208n) & 0xffn) !== 0n,
    frozen: ((word >> 216n) & 0xffn) !== 0n,
  };
}

export class VaultProbe {
  private constructor(
    readonly vault: CollateralVault,
    private readonly address: string,
    private readonly accountsSlot: bigint,
    private readonly indexSlot: bigint,
    private readonly totalsSlot: bigint,
  ) {}

  private static async word(address: string, slot: bigint, blockTag: string | number = "latest"): Promise<bigint> {
    return BigInt(await ethers.provider.getStorage(address, slot, blockTag));
  }

  private static mappingSlot(key: bigint, base: bigint): bigint {
    return BigInt(ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [key, base])));
  }

  /**
   * Discovers the slots. `known` must hold positive cash and have a non-zero nonce (a withdrawal or trade was
   * made), and the vault must have no debt yet (indices still at 1e18 are then recognisable by value).
   */
  static async discover(vault: CollateralVault, known: bigint): Promise<VaultProbe> {
    const address = await vault.getAddress();
    const nonce = await vault.accountNonce(known);
    const tokens = await vault.accountTokens(known);
    expect(nonce > 0n, "vault probe: the known account needs a non-zero nonce").to.equal(true);
    let accountsSlot: bigint | undefined;
    let indexSlot: bigint | undefined;
    let totalsSlot: bigint | undefined;
    const [supplyValue] = await vault.cashTotals();
    const [supplyIndex, borrowIndex] = await vault.cashIndices();
    for (let s = 0n; s < BigInt(SCAN); s++) {
      const a = decodeAccount(await VaultProbe.word(address, VaultProbe.mappingSlot(known, s)));
      if (accountsSlot === undefined && a.nonce === nonce && a.tokens === BigInt(tokens) && a.cashPrincipal > 0n) accountsSlot = s;
      const w = await VaultProbe.word(address, s);
      if (indexSlot === undefined && (w & U128) === supplyIndex && w >> 128n === borrowIndex) indexSlot = s;
      if (totalsSlot === undefined && (w & U112) === (supplyValue * 10n ** 18n) / supplyIndex && w >> 224n !== 0n) totalsSlot = s;
    }
    if (accountsSlot === undefined || indexSlot === undefined || totalsSlot === undefined) {
      throw new Error(`vault probe: storage layout not recognised (accounts ${accountsSlot}, index ${indexSlot}, totals ${totalsSlot})`);
    }
    return new VaultProbe(vault, address, accountsSlot, indexSlot, totalsSlot);
  }

  /** The stored account slot of `account`, checked against the vault's views. */
  async account(account: bigint, blockTag: string | number = "latest"): Promise<StoredAccount> {
    const a = await this.rawAccount(account, blockTag);
    const [nonce, tokens, [frozen, hasPositions]] = await Promise.all([
      this.vault.accountNonce(account, { blockTag }),
      this.vault.accountTokens(account, { blockTag }),
      this.vault.accountStatus(account, { blockTag }),
    ]);
    VaultProbe.check(a, { nonce, tokens: BigInt(tokens), frozen, hasPositions });
    return a;
  }

  /**
   * The stored account slot of `account`, decoded but not yet checked: pass it with the vault's views
   * (accountNonce, accountTokens, accountStatus at the same block) to `check`.
   */
  async rawAccount(account: bigint, blockTag: string | number = "latest"): Promise<StoredAccount> {
    return decodeAccount(await VaultProbe.word(this.address, VaultProbe.mappingSlot(account, this.accountsSlot), blockTag));
  }

  /**
   * Checks a decoded account slot against the vault's own views of it. @throws naming both when they differ (the
   * storage layout changed).
   */
  static check(a: StoredAccount, views: { nonce: bigint; tokens: bigint; frozen: boolean; hasPositions: boolean }): void {
    if (a.nonce !== views.nonce || a.tokens !== views.tokens || a.frozen !== views.frozen || a.hasPositions !== views.hasPositions) {
      const { nonce, tokens, frozen, hasPositions } = a;
      const show = (x: object) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? String(v) : v));
      throw new Error(
        `vault probe: decoded account ${show({ nonce, tokens, frozen, hasPositions })} differs from the views ${show(views)}`,
      );
    }
  }

  /** The storage slot of `account`'s `VaultAccount` word (for tests that write a state no public path reaches). */
  accountSlotOf(account: bigint): bigint {
    return VaultProbe.mappingSlot(account, this.accountsSlot);
  }

  /** The storage slot of the principal totals and last accrual (`CashTotals`). */
  get totalsSlotOf(): bigint {
    return this.totalsSlot;
  }

  /** The cash principal of `account` (WAD, signed). */
  async principal(account: bigint, blockTag: string | number = "latest"): Promise<bigint> {
    return (await this.account(account, blockTag)).cashPrincipal;
  }

  /** The stored cash state: indices, principal totals and the time of the last stored accrual. */
  async cash(blockTag: string | number = "latest"): Promise<StoredCash> {
    const idx = await VaultProbe.word(this.address, this.indexSlot, blockTag);
    const tot = await VaultProbe.word(this.address, this.totalsSlot, blockTag);
    return {
      supplyIndex: idx & U128,
      borrowIndex: idx >> 128n,
      supplyPrincipal: tot & U112,
      borrowPrincipal: (tot >> 112n) & U112,
      lastAccrual: tot >> 224n,
    };
  }
}
