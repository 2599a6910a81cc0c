/**
 * `npx hardhat check-deployment --network <name>`: reads the chain and compares every parameter, role, delay, feed
 * and wiring of the deployment recorded in deploy/deployments/<deployment id>/ against deploy/parameters/<name>.json.
 * Prints a table; fails with exit code 3 naming every mismatch (README.md, "Exit codes").
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { cliAction, GateError, UserError } from "../src/cli/errors";

interface CheckArgs {
  parameters?: string;
  deploymentId?: string;
  mismatchesOnly: boolean;
}

task("check-deployment", "Compares a Ballast deployment on chain with its parameter file and Ignition journal")
  .addOptionalParam(
    "parameters",
    "Parameter file, JSON in human units (default: deploy/parameters/<network>.json)",
    undefined,
    types.string,
  )
  .addOptionalParam("deploymentId", "Ignition deployment id, the journal folder under deploy/deployments (default: chain-<chainId>)")
  .addFlag("mismatchesOnly", "Print only the rows that do not match (default: off: every row)")
  .setAction(
    cliAction(async (args: CheckArgs, hre) => {
      if (hre.network.name === "hardhat") {
        throw new UserError(
          "--network hardhat: the in-process network keeps no journal: run a node (npx hardhat node) and use --network localhost",
        );
      }
      const { loadParametersForCli } = await import("../src/cli/deploy");
      const { plan } = loadParametersForCli(hre.config.paths.root, hre.network.name, args.parameters);
      await hre.run("compile", { quiet: true });
      const { defaultDeploymentId, deploymentDir, readDeployment } = await import("../src/deploy/journal");
      const { checkDeployment } = await import("../src/deploy/check");
      const { checkTable } = await import("../src/deploy/print");
      const { HardhatArtifactResolver } = await import("@nomicfoundation/hardhat-ignition/helpers");

      const provider = hre.ethers.provider;
      const chainId = (await provider.getNetwork()).chainId;
      const dir = deploymentDir(hre.config.paths.ignition, args.deploymentId ?? defaultDeploymentId(chainId));
      let deployment;
      try {
        deployment = await readDeployment(dir, new HardhatArtifactResolver(hre), provider);
      } catch (e) {
        throw new UserError(`--deployment-id ${args.deploymentId ?? defaultDeploymentId(chainId)}: ${(e as Error).message}`);
      }

      /**
       * On-chain runtime code equals this checkout's artifact once immutables are masked out, with every linked
       * library's placeholder replaced by the address the deployment journal records for it, and a library's own
       * call-protection address (its first PUSH20, zero in the artifact) by the address checked.
       */
      const codeMatches = async (contractName: string, onchain: string, address: string) => {
        const artifact = await hre.artifacts.readArtifact(contractName);
        const buildInfo = await hre.artifacts.getBuildInfo(`${artifact.sourceName}:${artifact.contractName}`);
        const refs = buildInfo?.output.contracts[artifact.sourceName][artifact.contractName].evm.deployedBytecode.immutableReferences ?? {};
        const code = onchain.slice(2).toLowerCase().split("");
        for (const ranges of Object.values(refs)) {
          for (const { start, length } of ranges) code.fill("0", start * 2, (start + length) * 2);
        }
        const expected = artifact.deployedBytecode.slice(2).toLowerCase().split("");
        for (const libraries of Object.values(artifact.deployedLinkReferences)) {
          for (const [library, ranges] of Object.entries(libraries)) {
            const linked = (deployment.addresses[library] ?? "").slice(2).toLowerCase();
            if (linked.length !== 40) return false;
            for (const { start } of ranges) expected.splice(start * 2, 40, ...linked);
          }
        }
        const libraryStub = `73${"0".repeat(40)}`;
        if (expected.slice(0, 42).join("") === libraryStub) expected.splice(2, 40, ...address.slice(2).toLowerCase());
        return code.join("") === expected.join("");
      };

      const rows = await checkDeployment({ provider, plan, deployment, codeMatches });
      console.log(checkTable(rows, args.mismatchesOnly));
      const bad = rows.filter((r) => !r.ok);
      console.log(
        `${rows.length - bad.length} of ${rows.length} checks match (${path.relative(process.cwd(), dir)} on ${hre.network.name}).`,
      );
      if (bad.length > 0) {
        throw new GateError(
          `${bad.length} mismatch${bad.length === 1 ? "" : "es"}: ${bad.map((r) => `${r.item}: expected ${r.expected}, on chain ${r.actual}`).join("; ")}`,
        );
      }
    }),
  );
