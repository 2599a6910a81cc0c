/**
 * Seeded randomness for the simulator (pure-rand's xoroshiro128+). Every agent draws from its own stream, derived
 * from the scenario seed and a label, so adding an agent or a draw in one place never shifts the draws elsewhere:
 * the same scenario and seed always give the same run.
 */
import { keccak256, toUtf8Bytes } from "ethers";
import { xoroshiro128plus, type RandomGenerator } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";

export class Rng {
  private readonly g: RandomGenerator;

  /** A stream for `label` under `seed`. */
  constructor(seed: number, label: string) {
    // 32 bits of keccak(seed, label) seed the generator: streams are independent of one another.
    const h = keccak256(toUtf8Bytes(`${seed}/${label}`));
    this.g = xoroshiro128plus(Number.parseInt(h.slice(2, 10), 16) | 0);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.g);
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and sigma of the log, clamped to [lo, hi]. */
  logNormal(median: number, sigma: number, lo: number, hi: number): number {
    return Math.min(hi, Math.max(lo, median * Math.exp(sigma * this.normal())));
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  pick<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.float() * total;
    for (const [k, w] of entries) {
      if (x < w) return k;
      x -= w;
    }
    return entries[entries.length - 1][0];
  }
}
