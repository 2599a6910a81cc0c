/**
 * Hardhat Ignition reads and parses the whole build-info file (about 19 MB, every contract's sources and compiler
 * output) once per contract it deploys: 10-27 s of blocked event loop per deployment. The simulator deploys the same
 * artifacts again for every parameter set, so it parses each build-info file once per process instead. The cache is
 * keyed by the build-info file, whose name is the hash of its compiler input, so a recompile cannot serve stale data.
 */
import fs from "node:fs";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatArtifactResolver } from "@nomicfoundation/hardhat-ignition/helpers";

const parsed = new Map<string, Promise<unknown>>();
let installed = false;

/** Makes Ignition's artifact resolver (in this process) parse each build-info file once. Idempotent. */
export function cacheBuildInfo(hre: HardhatRuntimeEnvironment): void {
  if (installed) return;
  installed = true;
  HardhatArtifactResolver.prototype.getBuildInfo = async function (contractName: string) {
    const artifact = await hre.artifacts.readArtifact(contractName);
    const fqn = `${artifact.sourceName}:${artifact.contractName}`;
    const debugPath = hre.artifacts.formArtifactPathFromFullyQualifiedName(fqn).replace(/\.json$/, ".dbg.json");
    const file = path.resolve(path.dirname(debugPath), (JSON.parse(fs.readFileSync(debugPath, "utf8")) as { buildInfo: string }).buildInfo);
    let info = parsed.get(file);
    if (!info) {
      info = fs.promises.readFile(file, "utf8").then((text) => JSON.parse(text) as unknown);
      parsed.set(file, info);
    }
    return info as ReturnType<HardhatArtifactResolver["getBuildInfo"]>;
  };
}
