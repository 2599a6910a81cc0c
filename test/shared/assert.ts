/**
 * Plain assertions for the hot loops of the stateful invariant suite: a chai matcher costs about 1-2 ms per call
 * (issue #12), these cost microseconds. Each throws node's AssertionError with the caller's message (naming the
 * invariant) followed by the values, as chai's `expect(x, message).to.equal(y)` reports them.
 */
import { AssertionError } from "node:assert";
import { inspect, isDeepStrictEqual } from "node:util";

const show = (x: unknown): string => inspect(x, { depth: 4, breakLength: Infinity });

/** `actual === expected`. @throws AssertionError "`message`: expected `actual` to equal `expected`". */
export function equal<T>(actual: T, expected: T, message: string): void {
  if (actual !== expected)
    throw new AssertionError({
      message: `${message}: expected ${show(actual)} to equal ${show(expected)}`,
      actual,
      expected,
      operator: "strictEqual",
    });
}

/** `condition` holds. @throws AssertionError "`message`: expected false to equal true". */
export function holds(condition: boolean, message: string): void {
  if (condition !== true)
    throw new AssertionError({
      message: `${message}: expected ${show(condition)} to equal true`,
      actual: condition,
      expected: true,
      operator: "strictEqual",
    });
}

/** Deep strict equality (bigints, arrays, plain objects). @throws AssertionError naming both values. */
export function deepEqual<T>(actual: T, expected: T, message: string): void {
  if (!isDeepStrictEqual(actual, expected))
    throw new AssertionError({
      message: `${message}: expected ${show(actual)} to deeply equal ${show(expected)}`,
      actual,
      expected,
      operator: "deepStrictEqual",
    });
}
