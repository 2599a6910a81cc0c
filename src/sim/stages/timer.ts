/**
 * Wall-clock accounting of a run (reported in timings.json, never in summary.json) and the slow-machine test hook.
 */

/** Seconds of wall time per named part of a run, accumulated lap by lap. */
export class Timer {
  readonly timings: Record<string, number> = {};
  private clock = Date.now();

  /** Adds the wall time since the previous lap to `key`. */
  lap(key: string): void {
    const now = Date.now();
    this.timings[key] = (this.timings[key] ?? 0) + (now - this.clock) / 1000;
    this.clock = now;
  }
}

/** The parts of a run that happen once, not at every step (src/sim/run.ts, src/sim/stages/aggregate.ts). */
export const ONCE_PER_RUN: readonly string[] = ["deploy", "agents", "setup", "invariants"];

/**
 * Seconds the replay's steps took [s]: the sum of `timings` (a `Timer`'s, as `timings.json` reports it per parameter
 * set) over every part but the once-per-run ones (`ONCE_PER_RUN`).
 */
export function replaySeconds(timings: Readonly<Record<string, number>>): number {
  return Object.entries(timings).reduce((sum, [part, s]) => (ONCE_PER_RUN.includes(part) ? sum : sum + s), 0);
}

/**
 * Test hook: `BALLAST_SIM_SLOWDOWN_MS=<ms>` sleeps that long at the start of each named phase (deploy, setup,
 * replay), so a test can prove that a slow machine gives the same results as a fast one. Unset: no delay.
 */
export async function slowDown(phase: string): Promise<void> {
  const ms = Number(process.env.BALLAST_SIM_SLOWDOWN_MS ?? 0);
  if (ms > 0 && Number.isFinite(ms)) await new Promise((r) => setTimeout(r, ms));
  void phase;
}
