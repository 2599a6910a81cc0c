/**
 * Parity of src/config/bounds.ts with the contracts: the file is exactly what `npm run gen:bounds` writes from the
 * compiled constants, every bound getter of the deployed contracts equals its generated value, and every constant the
 * bound libraries declare is exported (issue 16: "every parameter bound declared once on-chain and exported to
 * TypeScript by a generator, with a test that fails when they differ").
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { FunctionFragment, type BaseContract } from "ethers";
import * as bounds from "../../../src/config/bounds";
import { BOUNDS_FILE, exportedBounds, renderBounds, type ExportedBound } from "../../../src/docs/bounds";
import { ballastFixture } from "../../shared/fixtures";

const ROOT = path.join(__dirname, "..", "..", "..");
/** Solidity files whose `internal constant`s are all parameter bounds (besides WAD). */
const BOUND_SOURCES = [
  "contracts/libraries/RiskBounds.sol",
  "contracts/libraries/ParameterBounds.sol",
  "contracts/liquidation/AuctionGovernance.sol",
  "contracts/vault/CollateralListing.sol",
];
/** MIN_/MAX_ getters that are not governed-parameter bounds, with the reason. */
const NOT_PARAMETER_BOUNDS: Record<string, string> = {
  MIN_SUPPLY_INDEX: "CollateralVault: the floor a socialised loss may leave the supply index at (INV-03), no parameter",
  MAX_PROBE_PRICE: "RiskLens: largest probe price a view accepts (uint96), no parameter",
};

/** Every generated bound by name. */
const generated = new Map<string, bigint>(
  Object.values(bounds).flatMap((group) =>
    Object.entries(group).map(([name, v]) => [name, BigInt(v as number | bigint)] as [string, bigint]),
  ),
);

async function compiledBounds(): Promise<ExportedBound[]> {
  const exporter = await (await ethers.getContractFactory("BoundsExport")).deploy();
  return exportedBounds(await exporter.bounds());
}

describe("parameter bounds: src/config/bounds.ts matches the contracts", function () {
  it("src/config/bounds.ts is exactly what npm run gen:bounds writes from the compiled constants", async function () {
    const expected = await renderBounds(await compiledBounds());
    // On a difference, the message says what to run; the diff shows which bound moved.
    expect(fs.readFileSync(BOUNDS_FILE, "utf8"), "src/config/bounds.ts is stale: run npm run gen:bounds").to.equal(expected);
  });

  it("every bound getter of the deployed contracts equals its generated value, and none is missing", async function () {
    const b = await loadFixture(ballastFixture);
    const contracts: [string, BaseContract][] = [
      ["OracleRouter", b.oracle],
      ["CollateralVault", b.vault],
      ["MarginEngine", b.engine],
      ["OrderSettlement", b.venue],
      ["LiquidationAuction", b.auction],
      ["InsuranceFund", b.fund],
      ["RiskLens", b.lens],
      ["MarketConfigurator", b.configurator],
    ];
    let compared = 0;
    for (const [label, c] of contracts) {
      const getters = c.interface.fragments.filter(
        (f): f is FunctionFragment => f instanceof FunctionFragment && /^(MIN|MAX|GUARDIAN_MAX)_[A-Z0-9_]+$|_COOLDOWN$|_RAMP$/.test(f.name),
      );
      for (const { name } of getters) {
        if (name in NOT_PARAMETER_BOUNDS) continue;
        expect(
          generated.has(name),
          `${label}.${name} is a bound getter missing from src/config/bounds.ts (add it to BoundsExport)`,
        ).to.equal(true);
        const onChain = BigInt(await c.getFunction(name).staticCall());
        expect(onChain, `${label}.${name}`).to.equal(generated.get(name));
        compared++;
      }
    }
    // 4 oracle + 8 vault + 3 engine + 3 venue + 13 auction + 5 insurance getters.
    expect(compared).to.equal(36);
  });

  it("every constant declared in the bound libraries is exported to TypeScript", function () {
    const declared = BOUND_SOURCES.flatMap((file) =>
      [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/internal constant (\w+) =/g)]
        .map((m) => m[1])
        .filter((n) => n !== "WAD"),
    );
    expect(declared.length).to.equal(56); // the 57 exported less MAX_SESSION_KEY_PRICE_BAND (= RiskBounds.MAX_FILL_DEVIATION)
    expect(declared.filter((n) => !generated.has(n))).to.deep.equal([]);
  });

  it("no bound name appears in two groups", function () {
    const names = Object.values(bounds).flatMap((group) => Object.keys(group));
    expect(names.length).to.equal(new Set(names).size);
    expect(names.length).to.equal(57);
  });

  it("the renderer refuses an unknown unit with a message naming the bound and the allowed units", async function () {
    await expect(renderBounds([{ group: "RISK_BOUNDS", name: "MAX_X", unit: "bps", value: 1n }])).to.be.rejectedWith(
      'BoundsExport: RISK_BOUNDS.MAX_X has unit "bps" (allowed: wad, factor, cash, seconds, count, gwei)',
    );
  });
});
