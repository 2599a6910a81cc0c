/**
 * TouchLog (src/keeper/touchLog.ts), which answers the keepers' "which accounts changed since block b" at every block:
 * against a model that keeps every touch, over random sequences long enough to be compacted many times.
 */
import { expect } from "chai";
import fc from "fast-check";
import { TouchLog } from "../../src/keeper/touchLog";

/** A sequence of touches: (account out of a few, blocks since the previous touch). */
const touches = fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 4000 });

describe("keeper: TouchLog", function () {
  it("names exactly the accounts whose latest touch is after the block, before and after every compaction", function () {
    fc.assert(
      fc.property(touches, fc.array(fc.integer({ min: -1, max: 6000 }), { minLength: 1, maxLength: 20 }), (seq, queries) => {
        const log = new TouchLog();
        const latest = new Map<bigint, number>();
        let block = 0;
        for (const [i, [account, gap]] of seq.entries()) {
          block += gap;
          log.touch(BigInt(account), block);
          latest.set(BigInt(account), block);
          // 41 accounts at most: the log never holds more than 2 x 41 + 1024 + 1 entries.
          expect(log.size).to.be.at.most(2 * 41 + 1025);
          if (i % 500 !== 0 && i !== seq.length - 1) continue;
          for (const q of queries) {
            const expected = [...latest].filter(([, b]) => b > q).map(([a]) => a);
            expect([...log.after(q)].sort()).to.deep.equal(expected.sort());
          }
          for (const [a, b] of latest) expect(log.at(a)).to.equal(b);
        }
        expect(log.at(1000n)).to.equal(-1);
      }),
      { numRuns: 60, seed: 0x70c4 },
    );
  });

  it("a touch from an earlier block than the last is refused: events must come in block order", function () {
    const log = new TouchLog();
    log.touch(1n, 10);
    expect(() => log.touch(2n, 9)).to.throw("TouchLog: block 9 after block 10 (touches must come in block order)");
    expect(log.at(2n)).to.equal(-1);
  });
});
