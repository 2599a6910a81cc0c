import { expect } from "chai";
import { artifacts } from "hardhat";

/** EIP-170: deployed bytecode above 24,576 bytes cannot be deployed on Ethereum mainnet and most L2s. */
const LIMIT = 24_576;
/**
 * Issue #16: every deployed contract keeps at least 20% headroom under the limit (at most 19,660 bytes), so that
 * security fixes and features fit without another split. `npm run sizes` prints the sizes.
 */
const HEADROOM_LIMIT = Math.floor(LIMIT * 0.8);

describe("contract sizes", function () {
  it("every deployable Ballast contract keeps 20% headroom under the EIP-170 limit of 24,576 bytes (at most 19,660)", async function () {
    const names = (await artifacts.getAllFullyQualifiedNames()).filter(
      (n) => n.startsWith("contracts/") && !n.startsWith("contracts/test/"),
    );
    expect(names.length).to.be.greaterThan(10);
    for (const name of names) {
      const size = ((await artifacts.readArtifact(name)).deployedBytecode.length - 2) / 2;
      expect(size, `${name} is ${size} bytes, over ${HEADROOM_LIMIT} (80% of ${LIMIT})`).to.be.at.most(HEADROOM_LIMIT);
    }
  });
});
