/**
 * AccountMap and AccountSet (src/model/accountMap.ts), the keeper's and the simulator's collections keyed by account
 * id: they behave as `Map` and `Set` do (same answers, same insertion order) under random operations on account ids
 * of every shape, and the key they store spreads accounts of subaccount 0 over the digit V8 hashes.
 */
import { expect } from "chai";
import fc from "fast-check";
import { AccountMap, AccountSet, accountKey } from "../../src/model/accountMap";
import { MAX_SUBACCOUNT, accountId } from "../../src/model/accountId";

/** Account ids: a few owners (some sharing low bits) times a few subaccounts, including the largest. */
const owners = ["0x" + "11".repeat(20), "0x" + "ff".repeat(20), "0x" + "00".repeat(19) + "01", "0x" + "ab".repeat(12) + "00".repeat(8)];
const account = fc
  .tuple(fc.constantFrom(...owners), fc.constantFrom(0n, 1n, 2n ** 64n - 1n, 2n ** 64n, MAX_SUBACCOUNT))
  .map(([o, sub]) => accountId(o, sub));
const op = fc.tuple(fc.constantFrom("set", "delete", "get", "has", "clear"), account, fc.integer());

describe("keeper: AccountMap and AccountSet", function () {
  it("answer every get, has, set, delete and clear as Map and Set do, and iterate in the same insertion order", function () {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new AccountMap<number>();
        const ref = new Map<bigint, number>();
        const set = new AccountSet();
        const refSet = new Set<bigint>();
        for (const [kind, a, v] of ops) {
          if (kind === "set") {
            expect(map.set(a, v)).to.equal(map);
            ref.set(a, v);
            set.add(a);
            refSet.add(a);
          } else if (kind === "delete") {
            expect(map.delete(a)).to.equal(ref.delete(a));
            expect(set.delete(a)).to.equal(refSet.delete(a));
          } else if (kind === "get") expect(map.get(a)).to.equal(ref.get(a));
          else if (kind === "has") {
            expect(map.has(a)).to.equal(ref.has(a));
            expect(set.has(a)).to.equal(refSet.has(a));
          } else if (v % 10 === 0) {
            map.clear();
            ref.clear();
            set.clear();
            refSet.clear();
          }
          expect(map.size).to.equal(ref.size);
          expect(set.size).to.equal(refSet.size);
        }
        expect([...map]).to.deep.equal([...ref]);
        expect([...map.keys()]).to.deep.equal([...ref.keys()]);
        expect([...map.values()]).to.deep.equal([...ref.values()]);
        const seen: [bigint, number][] = [];
        map.forEach((value, key) => seen.push([key, value]));
        expect(seen).to.deep.equal([...ref.entries()]);
        expect([...set]).to.deep.equal([...refSet]);
        expect([...set.entries()]).to.deep.equal([...refSet.entries()]);
        expect([...new AccountMap(ref)]).to.deep.equal([...ref]);
        expect([...new AccountSet(refSet)]).to.deep.equal([...refSet]);
      }),
      { numRuns: 300, seed: 0xacc0 },
    );
  });

  it("the stored key is one-to-one and its own inverse, and accounts of subaccount 0 of different owners get different hashed digits", function () {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), (a) => {
        expect(accountKey(accountKey(a))).to.equal(a);
        expect(accountKey(a) >> 64n).to.equal(a >> 64n); // only the low 64 bits change: distinct ids stay distinct
      }),
      { numRuns: 500, seed: 0xacc1 },
    );
    // V8 hashes a BigInt by its lowest 64-bit digit: the raw ids of subaccount 0 all share it, the keys do not.
    const ids = Array.from({ length: 4000 }, (_, i) => accountId("0x" + (i + 1).toString(16).padStart(40, "0")));
    expect(new Set(ids.map((a) => a & (2n ** 64n - 1n))).size).to.equal(1);
    expect(new Set(ids.map((a) => accountKey(a) & (2n ** 64n - 1n))).size).to.equal(4000);
  });
});
