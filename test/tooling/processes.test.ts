/**
 * The suite-wide orphan check (Mocha root hooks in hardhat.config.ts mark the run, then call
 * `assertNoChildProcessSurvives` after the last test): it finds a process a test left behind even after its parent
 * exited (the `npx` case: the wrapper is gone, the node it started is not), names it, kills it, then passes.
 */
import { spawn } from "node:child_process";
import { expect } from "chai";
import { assertNoChildProcessSurvives, survivors } from "../shared/processes";

describe("tooling: no process started by a test survives the suite", function () {
  it("finds an orphaned grandchild, fails naming it, kills it, then passes", async function () {
    const shell = spawn("sh", ["-c", "sleep 301 & echo $!"], { stdio: ["ignore", "pipe", "ignore"] });
    const pid = await new Promise<number>((resolve) => shell.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
    await new Promise((r) => (shell.exitCode !== null ? r(null) : shell.once("exit", r)));
    expect(survivors().map((p) => p.pid)).to.include(pid);
    expect(() => assertNoChildProcessSurvives()).to.throw(/sleep 301/);
    for (let i = 0; i < 50 && survivors().some((p) => p.pid === pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(survivors().map((p) => p.pid)).not.to.include(pid);
    expect(() => assertNoChildProcessSurvives()).not.to.throw();
  });
});
