/**
 * The layering of Ballast's TypeScript (docs/ARCHITECTURE.md, "TypeScript layers"): a module imports only from its
 * own layer or the layers below it.
 *
 *   4  tasks/, scripts/                     commands (hardhat tasks, npm scripts)
 *   3  src/docs/                            generators of documentation blocks
 *   2  src/sim/, src/cli/simulate.ts        the simulator and its command line
 *   1  src/keeper/, src/deploy/, deploy/,   the keeper bot; deployment checks and the Ignition module; their
 *      src/cli/{keeper,deploy}.ts           command lines
 *   0  src/model/, src/config/, src/venue/, reference model, parameters and units, venue orders; the one error
 *      src/contracts/,                      mechanism of every command and its tables; the engine handle with its
 *      src/cli/{errors,table}.ts            view module's functions
 *      (typechain-types/ is generated and may be used by any layer)
 *
 * Within layer 0 the reference model is pure: src/model imports nothing else of the project.
 * Run by `npm run lint` (`npx depcruise src tasks scripts deploy`).
 */
const LAYER = {
  bottom: "^(src/(model|config|venue|contracts)/|src/cli/(errors|table)[.]ts$)",
  middle: "^((src/keeper|src/deploy|deploy)/|src/cli/(keeper|deploy)[.]ts$)",
  sim: "^(src/sim/|src/cli/simulate[.]ts$)",
  docs: "^src/docs/",
  top: "^(tasks|scripts)/",
  test: "^test/",
};

/** Forbids modules matching `from` to import modules matching any of `to`. */
const upward = (name, comment, from, to) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    upward(
      "bottom-imports-upward",
      "src/model, src/config, src/venue and src/contracts are the bottom layer: they import no other layer.",
      LAYER.bottom,
      [LAYER.middle, LAYER.sim, LAYER.docs, LAYER.top, LAYER.test],
    ),
    upward("keeper-deploy-import-upward", "src/keeper, src/deploy and deploy/ may import only the bottom layer.", LAYER.middle, [
      LAYER.sim,
      LAYER.docs,
      LAYER.top,
      LAYER.test,
    ]),
    upward("sim-imports-upward", "src/sim may import the keeper, deployment and bottom layers, never docs, commands or tests.", LAYER.sim, [
      LAYER.docs,
      LAYER.top,
      LAYER.test,
    ]),
    upward("docs-imports-upward", "src/docs may import everything below it, never commands or tests.", LAYER.docs, [LAYER.top, LAYER.test]),
    {
      name: "model-is-pure",
      comment: "The reference model (src/model) mirrors the contracts' formulas and depends on nothing else of the project.",
      severity: "error",
      from: { path: "^src/model/" },
      to: { path: "^(src|deploy|tasks|scripts|test|typechain-types)/", pathNot: "^src/model/" },
    },
    {
      name: "no-circular",
      comment: "Modules form no import cycle.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves to a file or an installed package.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "typechain-types"] },
    exclude: { path: ["^node_modules", "^artifacts", "^cache"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
    // Packages' "exports" maps (pure-rand's and hardhat-ignition's subpaths) resolve as Node resolves them.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["require", "import", "node", "types", "default"],
      mainFields: ["main", "types", "typings"],
    },
  },
};
