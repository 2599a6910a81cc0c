/**
 * Progress of a simulator run on stderr, from its first second: named phases (compile, deploy, set-up, replay of
 * set k of n, report), a line at least every `heartbeatSeconds` while a phase is silent, and a smoothed ETA for the
 * replay. On a terminal the replay draws a bar (cli-progress); elsewhere (CI logs, pipes) it prints plain lines.
 * Nothing here reaches summary.json: progress is about the wall clock, results never are.
 */
import fs from "node:fs";
import { Worker } from "node:worker_threads";
import { SingleBar, Presets } from "cli-progress";

/** Formats seconds as "m:ss" (or "h:mm:ss"). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Estimates the time left from the work done so far (cumulative rate), then limits how far one estimate may move
 * from the previous one, aged by the time since: after the first `warmup` share of the work no estimate is more than
 * twice or less than half the previous one, so the ETA does not jump around while the crash speeds up the replay.
 */
export class EtaEstimator {
  private last?: { eta: number; at: number };

  /** @param warmup share of the work (0..1) before which no ETA is given (the first steps say little). */
  constructor(private readonly warmup = 0.1) {}

  /**
   * @param done units of work done; @param total units in all; @param elapsed seconds spent on them; @param now a
   * monotonic time in seconds (for ageing the previous estimate).
   * @returns seconds left, or undefined during the warm-up.
   */
  estimate(done: number, total: number, elapsed: number, now: number): number | undefined {
    if (total <= 0 || done <= 0) return undefined;
    if (done >= total) return 0;
    const raw = (elapsed / done) * (total - done);
    if (done / total < this.warmup) return undefined;
    let eta = raw;
    if (this.last) {
      const aged = Math.max(this.last.eta - (now - this.last.at), 1);
      eta = Math.min(Math.max(raw, aged / 2), aged * 2);
    }
    this.last = { eta, at: now };
    return eta;
  }
}

/** Where progress goes and how. */
export interface ProgressOptions {
  /** Print nothing at all (`--quiet`, `--no-progress`). */
  silent: boolean;
  /** Draw a bar for the replay (stderr is a terminal) rather than plain lines. */
  bar: boolean;
  /** Longest silence while a phase runs (seconds): a plain line then says what is still running. */
  heartbeatSeconds?: number;
  /** File descriptor to write to (default 2, stderr). */
  fd?: number;
}

/**
 * The heartbeat runs in a worker thread and writes with `fs.writeSync`, so it keeps talking while the main thread is
 * busy in synchronous work (loading and transpiling modules, parsing build information) that would silence a timer.
 * Shared memory: [0] ms since start of the last line written by anyone, [1] 1 while a bar is drawn.
 */
const HEARTBEAT_WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const shared = new Int32Array(workerData.shared);
const start = workerData.start;
let status = "";
parentPort.on("message", (m) => { status = m; });
const clock = (s) => { s = Math.max(0, Math.round(s)); const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0"); return h > 0 ? h + ":" + String(m).padStart(2, "0") + ":" + ss : m + ":" + ss; };
setInterval(() => {
  const now = Date.now() - start;
  if (!status || Atomics.load(shared, 1) === 1 || now - Atomics.load(shared, 0) < workerData.heartbeatMs) return;
  Atomics.store(shared, 0, now);
  fs.writeSync(workerData.fd, "[" + clock(now / 1000) + "] " + status + "\\n");
}, 250);
`;

/** Progress reporter of one simulator command (one or more parameter sets). */
export class Progress {
  private readonly started = Date.now();
  private readonly shared = new Int32Array(new SharedArrayBuffer(8));
  private readonly worker?: Worker;
  private barView?: SingleBar;
  private replay?: { set: number; sets: number; name: string; steps: number; done: number; doneBefore: number; t0: number };
  private readonly eta = new EtaEstimator();
  private replayElapsed = 0;
  private info = "";
  private readonly fd: number;
  private readonly heartbeatMs: number;

  constructor(private readonly opts: ProgressOptions) {
    this.fd = opts.fd ?? 2;
    this.heartbeatMs = (opts.heartbeatSeconds ?? 5) * 1000;
    if (!opts.silent) {
      this.worker = new Worker(HEARTBEAT_WORKER, {
        eval: true,
        workerData: { shared: this.shared.buffer, start: this.started, fd: this.fd, heartbeatMs: this.heartbeatMs },
      });
      this.worker.unref();
    }
  }

  private seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  private line(text: string): void {
    if (this.opts.silent) return;
    Atomics.store(this.shared, 0, Date.now() - this.started);
    fs.writeSync(this.fd, `[${clock(this.seconds())}] ${text}\n`);
  }

  /** What the heartbeat says while nothing else is printed. */
  private status(text: string): void {
    this.worker?.postMessage(text);
  }

  /** Starts a named phase (e.g. "compile", "deploy", "set-up", "report"), ending any replay bar. */
  phase(name: string, detail = ""): void {
    this.stopBar();
    this.replay = undefined;
    this.line(detail ? `${name}: ${detail}` : name);
    this.status(`${name}: still running`);
  }

  /** Starts the replay of parameter set `set` (1-based) of `sets`, `steps` steps each. */
  startReplay(set: number, sets: number, name: string, steps: number): void {
    this.stopBar();
    this.replay = { set, sets, name, steps, done: 0, doneBefore: (set - 1) * steps, t0: Date.now() };
    this.line(`replay set ${set} of ${sets} (${name}): ${steps} steps`);
    this.status(this.replayText());
    if (this.opts.bar && !this.opts.silent) {
      Atomics.store(this.shared, 1, 1);
      this.barView = new SingleBar(
        {
          format: `replay set ${set}/${sets} (${name}) {bar} {value}/{total} steps | ETA {etaText} | {info}`,
          hideCursor: true,
          stream: process.stderr,
          fps: 2,
        },
        Presets.shades_classic,
      );
      this.barView.start(steps, 0, { etaText: "…", info: "" });
    }
  }

  /** Reports that `done` steps of the current replay are finished; `info` is a short status (e.g. the price). */
  step(done: number, info = ""): void {
    const r = this.replay;
    if (!r) return;
    const now = Date.now();
    this.replayElapsed += (now - r.t0) / 1000;
    r.t0 = now;
    r.done = done;
    this.info = info;
    const eta = this.etaText();
    this.barView?.update(done, { etaText: eta, info });
    this.status(this.replayText(eta));
  }

  private etaText(): string {
    const r = this.replay!;
    const total = r.sets * r.steps;
    const eta = this.eta.estimate(r.doneBefore + r.done, total, this.replayElapsed, Date.now() / 1000);
    return eta === undefined ? "…" : clock(eta);
  }

  private replayText(eta = "…"): string {
    const r = this.replay!;
    const pct = ((100 * r.done) / Math.max(r.steps, 1)).toFixed(0);
    return `replay set ${r.set} of ${r.sets}: step ${r.done}/${r.steps} (${pct}%), ETA ${eta}${this.info ? `, ${this.info}` : ""}`;
  }

  private stopBar(): void {
    if (this.barView) {
      this.barView.stop();
      this.barView = undefined;
      Atomics.store(this.shared, 1, 0);
    }
  }

  /** Ends the progress output (prints the total time) and stops the heartbeat. */
  done(): void {
    this.stopBar();
    this.replay = undefined;
    this.status("");
    this.line(`done in ${clock(this.seconds())}`);
    void this.worker?.terminate();
  }
}
