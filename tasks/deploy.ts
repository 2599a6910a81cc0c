/**
 * `npx hardhat deploy-ballast --network <name>`: validates deploy/parameters/<name>.json, runs the read-only
 * pre-flight checks, prints the plan in human units, then deploys (or resumes) the Ballast Ignition module with a
 * journal per chain under deploy/deployments/<deployment id>/ and prints the addresses.
 *
 * Nothing is sent before the file and the pre-flight checks pass. Live networks need `--yes` (review the plan
 * first with `--dry-run`). Modules and typechain types are imported lazily: this file is loaded with the config.
 */
import path from "node:path";
import { task, types } from "hardhat/config";
import { cliAction, UserError } from "../src/cli/errors";

interface DeployArgs {
  parameters?: string;
  deploymentId?: string;
  dryRun: boolean;
  yes: boolean;
}

task("deploy-ballast", "Deploys (or resumes deploying) Ballast from deploy/parameters/<network>.json")
  .addOptionalParam(
    "parameters",
    "Parameter file, JSON in human units (default: deploy/parameters/<network>.json)",
    undefined,
    types.string,
  )
  .addOptionalParam("deploymentId", "Ignition deployment id, the journal folder under deploy/deployments (default: chain-<chainId>)")
  .addFlag("dryRun", "Validate, run the read-only pre-flight checks and print the plan; send nothing (default: off)")
  .addFlag("yes", "Confirm a deployment to a live (non-local) network (default: off: live networks stop after the plan)")
  .setAction(
    cliAction(async (args: DeployArgs, hre) => {
      const { loadParametersForCli, requireDeployerAccount } = await import("../src/cli/deploy");
      const { plan, raw } = loadParametersForCli(hre.config.paths.root, hre.network.name, args.parameters);
      requireDeployerAccount(hre.network);
      await hre.run("compile", { quiet: true });
      const { parameterFilePath } = await import("../src/config/load");
      const { preflight } = await import("../src/deploy/preflight");
      const { defaultDeploymentId, deploymentDir } = await import("../src/deploy/journal");
      const { flatten, keyValueTable } = await import("../src/deploy/print");
      const parameterFile = args.parameters ?? parameterFilePath(hre.config.paths.root, hre.network.name);

      const signers = await hre.ethers.getSigners();
      if (signers.length === 0) {
        throw new UserError(`--network ${hre.network.name}: no deployer account: set DEPLOYER_PRIVATE_KEY (0x and 64 hex digits)`);
      }
      const deployer = signers[0].address;
      const issues = await preflight(hre.ethers.provider, plan, deployer);
      if (issues.length > 0) {
        throw new UserError(`pre-flight checks failed, nothing was sent: ${issues.join("; ")}`);
      }

      const chainId = (await hre.ethers.provider.getNetwork()).chainId;
      const deploymentId = args.deploymentId ?? defaultDeploymentId(chainId);
      const journal =
        hre.network.name === "hardhat" ? "(none: in-process network)" : deploymentDir(hre.config.paths.ignition, deploymentId);
      console.log(
        keyValueTable(
          ["Deployment", ""],
          [
            ["network", `${hre.network.name} (chain ${chainId})`],
            ["parameter file", path.relative(process.cwd(), parameterFile)],
            ["deployer", deployer],
            ["deployment id", deploymentId],
            ["journal", path.relative(process.cwd(), journal)],
            [
              "handover",
              plan.governance.handover ? "ADMIN to a TimelockController, then the deployer renounces" : "no: the deployer keeps ADMIN",
            ],
          ],
        ),
      );
      console.log(
        keyValueTable(
          ["Parameter", "Value"],
          flatten(raw).filter(([k]) => k !== "$schema"),
        ),
      );

      if (args.dryRun) {
        console.log("Dry run: the parameter file and the pre-flight checks pass; nothing was sent.");
        return;
      }
      if (!plan.local && !args.yes) {
        throw new UserError(`--yes not given: review the plan above, then re-run with --yes to deploy to ${hre.network.name}`);
      }

      const { buildBallastModule } = await import("../deploy/modules/Ballast");
      // Ignition prints every deployed address when it finishes.
      await hre.ignition.deploy(buildBallastModule(plan), {
        deploymentId,
        displayUi: true,
        // Local chains mine on demand: poll quickly. Live chains keep Ignition's defaults.
        config: plan.local ? { blockPollingInterval: 100 } : {},
      });

      if (hre.network.name !== "hardhat") {
        console.log(
          `Next: npx hardhat check-deployment --network ${hre.network.name}${args.deploymentId ? ` --deployment-id ${deploymentId}` : ""}`,
        );
      }
    }),
  );
