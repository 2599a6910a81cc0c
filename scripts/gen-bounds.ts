/**
 * `npm run gen:bounds`: writes src/config/bounds.ts from the compiled parameter bounds (contracts/test/BoundsExport.sol
 * deployed on the in-process Hardhat network; src/docs/bounds.ts renders it, prettier formats it).
 *
 * Options: `--check` writes nothing and exits 1 if the file differs from what would be written; `--help`.
 * Exit codes: 0 written (or up to date with `--check`), 1 out of date with `--check` or an internal error, 2 a bad
 * option.
 */
import fs from "node:fs";
import path from "node:path";
import { CliError, EXIT, UserError, runMain } from "../src/cli/errors";
import { BOUNDS_FILE, exportedBounds, renderBounds } from "../src/docs/bounds";

const USAGE = `Usage: npm run gen:bounds [-- --check]
Writes src/config/bounds.ts from the compiled Solidity bounds (contracts/test/BoundsExport.sol).
  --check   write nothing; exit 1 if the file is out of date
Exit codes: 0 written or up to date, 1 out of date (--check) or an internal error, 2 a bad option.`;

/** The generated source of src/config/bounds.ts from the freshly compiled contracts. */
async function generatedBounds(): Promise<string> {
  const hre = await import("hardhat");
  await hre.run("compile", { quiet: true });
  const exporter = await (await hre.ethers.getContractFactory("BoundsExport")).deploy();
  return renderBounds(exportedBounds(await exporter.bounds()));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return;
  }
  for (const a of args)
    if (a !== "--check" && a !== "--verbose") throw new UserError(`unknown option "${a}" (allowed: --check, --verbose, --help)`);
  console.log("gen:bounds: compiling and reading the bounds from BoundsExport ...");
  const text = await generatedBounds();
  const current = fs.existsSync(BOUNDS_FILE) ? fs.readFileSync(BOUNDS_FILE, "utf8") : "";
  if (args.includes("--check")) {
    if (current !== text)
      throw new CliError(`${path.relative(process.cwd(), BOUNDS_FILE)} is out of date: run npm run gen:bounds`, EXIT.internal);
    console.log(`${path.relative(process.cwd(), BOUNDS_FILE)} is up to date`);
    return;
  }
  fs.writeFileSync(BOUNDS_FILE, text);
  console.log(current === text ? `${BOUNDS_FILE} unchanged` : `wrote ${BOUNDS_FILE}`);
}

if (require.main === module) void runMain(main);
