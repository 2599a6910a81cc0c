/**
 * Exact model of the vault's cash ledger (contracts/vault/VaultStorage.sol, documented in its @dev): principals
 * scaled by a supply index (positive cash) and a borrow index (negative cash), the utilisation rate model, and the
 * store-on-write accrual (`_loadCash` accrues in memory; only calls that store move `lastAccrual`, and only a
 * stored accrual emits `CashInterestAccrued`).
 */
import { WAD, ceilDiv, divWadDown, divWadUp, mulWadDown, mulWadUp } from "../unit/MarginEngine/helpers";

const YEAR = 365n * 86_400n;

export class CashModel {
  supplyIndex = WAD;
  borrowIndex = WAD;
  supplyPrincipal = 0n;
  borrowPrincipal = 0n;
  readonly principal = new Map<bigint, bigint>();

  constructor(
    public lastAccrual: bigint,
    readonly baseRatePerYear: bigint,
    readonly slopePerYear: bigint,
  ) {}

  /** base + slope * min(1, debt / positive cash), per year. */
  ratePerYear(sI = this.supplyIndex, bI = this.borrowIndex): bigint {
    const supplyValue = mulWadDown(this.supplyPrincipal, sI);
    const borrowValue = mulWadUp(this.borrowPrincipal, bI);
    let u = supplyValue === 0n ? WAD : divWadUp(borrowValue, supplyValue);
    if (u > WAD) u = WAD;
    return this.baseRatePerYear + mulWadUp(this.slopePerYear, u);
  }

  /** Indices after `dt` seconds and the interest added to debts (no state change). */
  accrued(dt: bigint): { sI: bigint; bI: bigint; interest: bigint } {
    if (dt === 0n || this.borrowPrincipal === 0n) return { sI: this.supplyIndex, bI: this.borrowIndex, interest: 0n };
    const bI = this.borrowIndex + mulWadUp(this.borrowIndex, ceilDiv(this.ratePerYear() * dt, YEAR));
    const interest = mulWadDown(this.borrowPrincipal, bI - this.borrowIndex);
    const sI = this.supplyPrincipal !== 0n ? this.supplyIndex + divWadDown(interest, this.supplyPrincipal) : this.supplyIndex;
    return { sI, bI, interest };
  }

  /**
   * The `CashInterestAccrued(supplyIndex, borrowIndex, interest)` arguments a storing vault call at time `t` emits,
   * or undefined when it emits none (no debt, or already accrued in this second).
   */
  accrualEvent(t: bigint): [bigint, bigint, bigint] | undefined {
    if (t === this.lastAccrual || this.borrowPrincipal === 0n) return undefined;
    const { sI, bI, interest } = this.accrued(t - this.lastAccrual);
    return [sI, bI, interest];
  }

  private valueAt(p: bigint, sI: bigint, bI: bigint): bigint {
    return p >= 0n ? mulWadDown(p, sI) : -mulWadUp(-p, bI);
  }

  /** Cash value of `account` as the vault's views report it at time `t` (accrued in memory to `t`). */
  cashAt(account: bigint, t: bigint): bigint {
    const { sI, bI } = this.accrued(t - this.lastAccrual);
    return this.valueAt(this.principal.get(account) ?? 0n, sI, bI);
  }

  /**
   * A vault call that loads, changes and stores the cash state at time `t`: accrues (when there is debt), adds
   * each signed WAD delta to its account in order (supply shares round down, debt shares round up), then stores.
   */
  write(t: bigint, deltas: [bigint, bigint][]): void {
    let changed = false;
    if (this.lastAccrual !== t) {
      changed = this.borrowPrincipal !== 0n;
      const { sI, bI } = this.accrued(t - this.lastAccrual);
      this.supplyIndex = sI;
      this.borrowIndex = bI;
    }
    for (const [account, delta] of deltas) {
      if (delta === 0n) continue;
      const p = this.principal.get(account) ?? 0n;
      const v = this.valueAt(p, this.supplyIndex, this.borrowIndex) + delta;
      const p2 = v >= 0n ? divWadDown(v, this.supplyIndex) : -divWadUp(-v, this.borrowIndex);
      if (p >= 0n) this.supplyPrincipal -= p;
      else this.borrowPrincipal -= -p;
      if (p2 >= 0n) this.supplyPrincipal += p2;
      else this.borrowPrincipal += -p2;
      this.principal.set(account, p2);
      changed = true;
    }
    if (changed) this.lastAccrual = t;
  }

  /** Total positive and negative cash values at time `t` (vault.cashTotals). */
  totalsAt(t: bigint): [bigint, bigint] {
    const { sI, bI } = this.accrued(t - this.lastAccrual);
    return [mulWadDown(this.supplyPrincipal, sI), mulWadUp(this.borrowPrincipal, bI)];
  }
}
