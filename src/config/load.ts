/**
 * Reads a deployment parameter file (`deploy/parameters/<network>.json` unless another path is given) and resolves
 * it into a `DeploymentPlan`. Every problem, including a missing file or malformed JSON, is a `ParameterError`
 * naming its key, raised before anything touches a network.
 */
import fs from "node:fs";
import path from "node:path";
import { resolveParameters, ParameterError, type DeploymentPlan } from "./schema";

/** The folder of the per-network parameter files, relative to the repository root. */
export const PARAMETERS_DIR = path.join("deploy", "parameters");

/** The default parameter file of `network`. */
export function parameterFilePath(root: string, network: string): string {
  return path.join(root, PARAMETERS_DIR, `${network}.json`);
}

export interface LoadedParameters {
  file: string;
  raw: unknown;
  plan: DeploymentPlan;
}

/** Loads and validates `file`. @throws ParameterError listing every problem. */
export function loadParameterFile(file: string): LoadedParameters {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new ParameterError([`${file}: no parameter file (create it from deploy/parameters/hardhat.json)`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ParameterError([`${file}: not valid JSON (${(e as Error).message})`]);
  }
  return { file, raw, plan: resolveParameters(raw) };
}
