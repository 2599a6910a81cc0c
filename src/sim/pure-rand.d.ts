/**
 * Type declarations for the two pure-rand entry points the simulator uses. pure-rand publishes its subpaths through
 * package "exports", which this project's `moduleResolution` (node10) does not read; Node itself resolves them.
 */
declare module "pure-rand/generator/xoroshiro128plus" {
  export interface RandomGenerator {
    clone(): RandomGenerator;
    next(): number;
    getState(): readonly number[];
  }
  export function xoroshiro128plus(seed: number): RandomGenerator;
}

declare module "pure-rand/distribution/uniformFloat64" {
  import type { RandomGenerator } from "pure-rand/generator/xoroshiro128plus";
  export function uniformFloat64(rng: RandomGenerator): number;
}
