/**
 * Shared command-line checks of the deployment tasks (`deploy-ballast`, `check-deployment`): the parameter file
 * and the deployer account, validated before anything is compiled or sent.
 */
import fs from "node:fs";
import path from "node:path";
import { badValue, oneLine, UserError } from "./errors";
import { loadParameterFile, parameterFilePath, type LoadedParameters } from "../config/load";
import { ParameterError } from "../config/schema";

/**
 * Loads `--parameters` (or the network's default file) and validates it.
 * @throws UserError naming the file and every invalid key on one line.
 */
export function loadParametersForCli(root: string, network: string, option?: string): LoadedParameters {
  const file = option ?? parameterFilePath(root, network);
  const rel = path.relative(process.cwd(), file);
  if (!fs.existsSync(file)) {
    if (option !== undefined) throw badValue("--parameters", option, "an existing parameter file (see deploy/parameters/)");
    throw new UserError(
      `--network ${network}: no parameter file ${rel} (create it from deploy/parameters/hardhat.json, or pass --parameters)`,
    );
  }
  try {
    return loadParameterFile(file);
  } catch (e) {
    if (e instanceof ParameterError) throw new UserError(`${rel}: ${oneLine(e.issues.map((i) => i.replace(`${file}: `, "")))}`);
    throw e;
  }
}

/**
 * A live network needs a deployer key in its config (hardhat.config.ts reads DEPLOYER_PRIVATE_KEY).
 * @throws UserError naming the network and the variable.
 */
export function requireDeployerAccount(network: { name: string; config: { accounts?: unknown } }): void {
  const accounts = network.config.accounts;
  if (Array.isArray(accounts) && accounts.length === 0) {
    throw new UserError(`--network ${network.name}: no deployer account: set DEPLOYER_PRIVATE_KEY (0x and 64 hex digits)`);
  }
}
