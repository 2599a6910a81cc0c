import { expect } from "chai";
import { artifacts } from "hardhat";

/** EIP-170: deployed bytecode above 24,576 bytes cannot be deployed on Ethereum mainnet and most L2s. */
const LIMIT = 24_576;

describe("contract sizes", function () {
  it("every deployable Ballast contract is under the EIP-170 limit of 24,576 bytes", async function () {
    const names = (await artifacts.getAllFullyQualifiedNames()).filter(
      (n) => n.startsWith("contracts/") && !n.startsWith("contracts/test/"),
    );
    expect(names.length).to.be.greaterThan(10);
    for (const name of names) {
      const size = ((await artifacts.readArtifact(name)).deployedBytecode.length - 2) / 2;
      expect(size, `${name} is ${size} bytes`).to.be.at.most(LIMIT);
    }
  });
});
