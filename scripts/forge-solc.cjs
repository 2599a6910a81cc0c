#!/usr/bin/env node
/**
 * forge-solc: the Solidity compiler forge calls (foundry.toml `solc = "scripts/forge-solc.cjs"`).
 *
 * Forge needs a native `solc` binary, which cannot be downloaded on machines without access to the compiler
 * server. This script answers forge's two kinds of calls with the exactly pinned `solc` npm package (solcjs), the
 * same compiler Hardhat uses (hardhat.config.ts), so both toolchains compile byte-identical code:
 *
 * - `--version`: prints `solc, the solidity compiler commandline interface` and `Version: <long version>`;
 * - `--standard-json [other options]`: reads the Standard JSON input from stdin, compiles it in-process with
 *   `solc.compile` (imports not inlined by forge are read from disk, relative to the working directory, the
 *   `--base-path` and each `--include-path`) and writes the Standard JSON output to stdout. Options solcjs's own
 *   CLI rejects, such as `--allow-paths DIR`, are ignored.
 *
 * Writing with `fs.writeSync` and returning normally (no `process.exit`) lets a large output drain fully into
 * forge's pipe. Exit codes: 0 on any compiled output (errors are reported inside the JSON, as solc does), 1 on an
 * unusable command line or unreadable input.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const args = process.argv.slice(2);
const solc = require("solc");

function writeAll(fd, text) {
  const buf = Buffer.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e; // non-blocking pipe full: retry until forge reads
    }
  }
}

function readStdin() {
  const chunks = [];
  const buf = Buffer.alloc(1 << 16);
  for (;;) {
    let n;
    try {
      n = fs.readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === "EAGAIN") continue;
      if (e.code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString("utf8");
}

if (args.includes("--version") || args.includes("-v")) {
  writeAll(1, `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes("--standard-json")) {
  const roots = [process.cwd()];
  for (let i = 0; i < args.length; i++) {
    if ((args[i] === "--base-path" || args[i] === "--include-path") && args[i + 1]) roots.push(path.resolve(args[++i]));
  }
  const findImports = (p) => {
    for (const root of roots) {
      const file = path.resolve(root, p);
      if (fs.existsSync(file)) return { contents: fs.readFileSync(file, "utf8") };
    }
    return { error: `File not found: ${p} (searched ${roots.join(", ")})` };
  };
  const input = readStdin();
  writeAll(1, solc.compile(input, { import: findImports }));
} else {
  writeAll(2, `forge-solc: unsupported arguments "${args.join(" ")}"; expected --version or --standard-json\n`);
  process.exitCode = 1;
}
