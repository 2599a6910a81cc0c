/**
 * Request and time profile of the stateful suite (FUZZ_PROFILE=1): counts JSON-RPC requests by method and phase
 * (the step's own transactions and model reads, the observation, the checks) by wrapping the Hardhat network
 * provider's `request`, and prints the totals per command after the run. Off by default (no wrapper installed).
 */
import { network } from "hardhat";

/**
 * A phase of a command: the step itself, the observation after it (the block's state for every account when no
 * snapshot of that block was read yet, then the other invariant inputs), the invariant checks.
 */
export type Phase = "step" | "observe: block state" | "observe: other inputs" | "check";

interface Tally {
  ms: number;
  requests: Map<string, number>;
}

const enabled = process.env.FUZZ_PROFILE === "1";
const tallies = new Map<Phase, Tally>();
let phase: Phase = "step";
let commands = 0;

if (enabled) {
  // Both entry points of the provider adapter (ethers calls `send`, the network helpers `request`); each forwards
  // to the inner provider, so every request is counted once.
  const provider = network.provider as {
    request(a: { method: string; params?: unknown[] }): Promise<unknown>;
    send(method: string, params?: unknown[]): Promise<unknown>;
  };
  const count = (method: string) => {
    const t = tallies.get(phase) ?? { ms: 0, requests: new Map() };
    tallies.set(phase, t);
    t.requests.set(method, (t.requests.get(method) ?? 0) + 1);
  };
  const request = provider.request.bind(provider);
  const send = provider.send.bind(provider);
  provider.request = (a) => (count(a.method), request(a));
  provider.send = (method, params) => (count(method), send(method, params));
}

/** Runs `body` as phase `p`, adding its wall time to the phase. */
export async function timed<T>(p: Phase, body: () => Promise<T>): Promise<T> {
  if (!enabled) return body();
  const before = phase;
  phase = p;
  const t0 = performance.now();
  try {
    return await body();
  } finally {
    const t = tallies.get(p) ?? { ms: 0, requests: new Map() };
    tallies.set(p, t);
    t.ms += performance.now() - t0;
    phase = before;
  }
}

const byStep = new Map<string, { n: number; ms: number }>();

/** Counts one profiled command named `name` that took `ms` in all (step, observation and checks). */
export function profiledCommand(name = "?", ms = 0): void {
  commands++;
  const t = byStep.get(name) ?? { n: 0, ms: 0 };
  t.n++;
  t.ms += ms;
  byStep.set(name, t);
}

/** Prints requests and milliseconds per command for each phase (nothing unless FUZZ_PROFILE=1). */
export function printProfile(): void {
  if (!enabled || commands === 0) return;
  const lines = [`profile over ${commands} commands (per command):`];
  for (const [p, t] of tallies) {
    const total = [...t.requests.values()].reduce((a, b) => a + b, 0);
    const methods = [...t.requests.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${(n / commands).toFixed(1)}`)
      .join(", ");
    lines.push(
      `  ${p.padEnd(8)} ${(t.ms / commands).toFixed(1).padStart(7)} ms  ${(total / commands).toFixed(1).padStart(6)} requests: ${methods}`,
    );
  }
  lines.push("  by step (count, mean ms of step + observation + checks):");
  for (const [name, t] of [...byStep.entries()].sort((a, b) => b[1].ms - a[1].ms))
    lines.push(`    ${name.padEnd(14)} ${String(t.n).padStart(4)} ${(t.ms / t.n).toFixed(1).padStart(8)}`);
  console.log(lines.join("\n"));
}
