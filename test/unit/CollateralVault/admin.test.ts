/**
 * VaultAdmin: the linked library running the vault's cold functions on the vault's storage (by DELEGATECALL with the
 * vault's own calldata), and nothing else.
 */
import { expect } from "chai";
import type { Interface } from "ethers";
import { artifacts, ethers } from "hardhat";
import { CollateralVault__factory, VaultAdmin__factory } from "../../../typechain-types";

describe("VaultAdmin", function () {
  it("refuses a direct call of a state-changing function: it runs only by DELEGATECALL from the vault", async function () {
    const [deployer] = await ethers.getSigners();
    const admin = await new VaultAdmin__factory(deployer).deploy();
    // Its functions carry the vault's signatures (the compiler leaves state-changing library functions out of the
    // library's ABI), so the vault's interface reaches them.
    const asVault = CollateralVault__factory.connect(await admin.getAddress(), deployer);
    await expect(asVault.setBorrowCap(1n)).to.be.revertedWithoutReason();
    await expect(asVault.pauseDeposits()).to.be.revertedWithoutReason();
    await expect(asVault.bindEngine(deployer.address)).to.be.revertedWithoutReason();
  });
});

describe("VaultAdmin and the vault's ABI", function () {
  /** External functions of VaultAdmin from the compiler's AST: name -> parameter (name, type) list. */
  async function adminFunctions(): Promise<Map<string, { name: string; type: string }[]>> {
    const fqn = "contracts/vault/VaultAdmin.sol:VaultAdmin";
    const info = await artifacts.getBuildInfo(fqn);
    type Node = {
      nodeType: string;
      name?: string;
      visibility?: string;
      nodes?: Node[];
      parameters?: { parameters: Node[] };
      typeDescriptions?: { typeString: string };
    };
    const ast = info!.output.sources["contracts/vault/VaultAdmin.sol"].ast as unknown as Node;
    const lib = ast.nodes!.find((n) => n.nodeType === "ContractDefinition" && n.name === "VaultAdmin")!;
    const abiType = (t: string) => (t.startsWith("contract ") || t.startsWith("address") ? "address" : t);
    const out = new Map<string, { name: string; type: string }[]>();
    for (const f of lib.nodes!.filter((n) => n.nodeType === "FunctionDefinition" && n.visibility === "external")) {
      out.set(
        f.name!,
        f.parameters!.parameters.map((p) => ({ name: p.name!, type: abiType(p.typeDescriptions!.typeString) })),
      );
    }
    return out;
  }

  it("every function the vault forwards to VaultAdmin has the vault function's parameters in the same order, names included (a swap would keep the selector and misroute the calldata)", async function () {
    const vault: Interface = CollateralVault__factory.createInterface();
    const fns = await adminFunctions();
    expect(fns.size, "VaultAdmin's external functions").to.be.greaterThan(15);
    for (const [name, params] of fns) {
      const f = vault.getFunction(name);
      expect(f, `CollateralVault.${name}`).to.not.equal(null);
      expect(params, `VaultAdmin.${name} parameters`).to.deep.equal(f!.inputs.map((i) => ({ name: i.name, type: i.type })));
    }
  });
});
