/**
 * The Bitmap library (contracts/libraries/Bitmap.sol), the one walk over market and collateral bitmaps: visits
 * exactly the set bits, in ascending order, and counts them, for any 256-bit value.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import fc from "fast-check";

async function harnessFixture() {
  return ethers.deployContract("BitmapHarness");
}

/** The set bits of `bits`, ascending (the reference the library is compared with). */
function setBits(bits: bigint): bigint[] {
  const out: bigint[] = [];
  for (let i = 0n; i < 256n; i++) if ((bits >> i) & 1n) out.push(i);
  return out;
}

const U256_MAX = (1n << 256n) - 1n;

describe("Bitmap", function () {
  it("walks the set bits of 0, 1, the top bit, 16 markets and every bit in ascending order and counts them", async function () {
    const h = await loadFixture(harnessFixture);
    for (const bits of [0n, 1n, 1n << 255n, 0xffffn, 0b1010_0110n, U256_MAX]) {
      const [indices, n] = await h.walk(bits);
      expect([indices, n], `bits ${bits}`).to.deep.equal([setBits(bits), BigInt(setBits(bits).length)]);
    }
  });

  it("property: for any 256-bit value the walk visits exactly its set bits, ascending, and the count is their number", async function () {
    const h = await loadFixture(harnessFixture);
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: U256_MAX }), async (bits) => {
        const [indices, n] = await h.walk(bits);
        const expected = setBits(bits);
        expect([indices, n]).to.deep.equal([expected, BigInt(expected.length)]);
      }),
      { numRuns: 200, seed: 0xb17 },
    );
  });

  it("next returns the lowest set bit and the rest, and (0, 0) on an empty bitmap, so a walk of 0 visits nothing", async function () {
    const h = await loadFixture(harnessFixture);
    expect(await h.next(0b1100n)).to.deep.equal([2n, 0b1000n]);
    expect(await h.next(1n << 255n)).to.deep.equal([255n, 0n]);
    expect(await h.next(0n)).to.deep.equal([0n, 0n]);
  });
});
