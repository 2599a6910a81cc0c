/**
 * Parameter files: every kind of invalid file is refused with its own message naming the key (and the bound), all
 * problems of a file at once; the committed files resolve (live ones once their SET-ME addresses are filled in).
 * No transaction is involved; deploy.test.ts shows a refused file sends nothing to a node.
 */
import { expect } from "chai";
import hardhatParams from "../../deploy/parameters/hardhat.json";
import localhostParams from "../../deploy/parameters/localhost.json";
import sepoliaParams from "../../deploy/parameters/sepolia.json";
import arbitrumSepoliaParams from "../../deploy/parameters/arbitrumSepolia.json";
import baseSepoliaParams from "../../deploy/parameters/baseSepolia.json";
import { ParameterError, resolveParameters, type NetworkParameters } from "../../src/config/schema";
import { loadParameterFile } from "../../src/config/load";
import { removeParameterFiles, writeParameterFile } from "./node";

type Params = NetworkParameters & Record<string, unknown>;
const local = () => structuredClone(hardhatParams) as Params;
const live = () => structuredClone(sepoliaParams) as unknown as Params;
const GOVERNANCE = {
  riskManager: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  guardian: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  proposer: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
};
function filledIn(p: unknown): Params {
  const q = structuredClone(p) as Params;
  q.governance.riskManager = GOVERNANCE.riskManager;
  q.governance.guardian = GOVERNANCE.guardian;
  q.governance.timelock!.proposers = [GOVERNANCE.proposer];
  return q;
}

/** The issues `resolveParameters` reports for `p` (empty when it resolves). */
function issues(p: unknown): string[] {
  try {
    resolveParameters(p);
    return [];
  } catch (e) {
    if (e instanceof ParameterError) return e.issues;
    throw e;
  }
}

describe("deployment parameter files", function () {
  after(removeParameterFiles);

  describe("the committed files", function () {
    it("resolve for the local networks", function () {
      expect(issues(hardhatParams)).to.deep.equal([]);
      expect(issues(localhostParams)).to.deep.equal([]);
    });

    for (const [name, params] of Object.entries({
      sepolia: sepoliaParams,
      arbitrumSepolia: arbitrumSepoliaParams,
      baseSepolia: baseSepoliaParams,
    })) {
      it(`${name} fails only on its SET-ME governance placeholders, and resolves once they are filled in`, function () {
        expect(issues(params)).to.deep.equal([
          'governance.riskManager: "SET-ME: risk manager (a multisig address)" is a placeholder: replace it with an address',
          'governance.guardian: "SET-ME: guardian (a multisig or monitoring bot address)" is a placeholder: replace it with an address',
          'governance.timelock.proposers[0]: "SET-ME: governance multisig address" is a placeholder: replace it with an address',
        ]);
        const plan = resolveParameters(filledIn(params));
        expect(plan.governance.timelock).to.deep.equal({
          proposers: [GOVERNANCE.proposer],
          executors: ["0x0000000000000000000000000000000000000000"],
        });
        expect(plan.feeds.every((f) => f.primary !== undefined)).to.equal(true);
      });
    }

    it("give every live-network address a source", function () {
      for (const p of [sepoliaParams, arbitrumSepoliaParams, baseSepoliaParams]) {
        expect(p.cash.source).to.be.a("string");
        for (const f of Object.values(p.feeds)) expect(f.source).to.be.a("string");
        for (const c of p.collateral) expect(c.source).to.be.a("string");
      }
    });
  });

  describe("an invalid file fails with its own message", function () {
    it("an unknown key", function () {
      const p = local();
      (p.markets[0] as Record<string, unknown>).imrr = "5%";
      expect(issues(p)).to.deep.equal(["markets.0: Unrecognized key(s) in object: 'imrr'"]);
    });

    it("a missing key", function () {
      const p = local();
      delete (p.engine as Partial<Params["engine"]>).maxPriceAge;
      expect(issues(p)).to.deep.equal(["engine.maxPriceAge: Required"]);
    });

    it("a value outside its on-chain bound, naming the bound", function () {
      const p = local();
      p.markets[0].mmrCap = "60%";
      p.venue.takerFee = "1.5%";
      p.feeds["ETH/USD"].heartbeat = "3d";
      expect(issues(p)).to.deep.equal([
        "feeds.ETH/USD.heartbeat: 3d is outside [1m, 2d]",
        "markets[0](ETH-PERP).mmrCap: 60% is outside [3%, 50%]",
        "venue.takerFee: 1.5% is outside [0%, 1%]",
      ]);
    });

    it("IMR not above MMR", function () {
      const p = local();
      p.markets[1].imr = "2.5%";
      expect(issues(p)).to.deep.equal(["markets[1](BTC-PERP).imr: 2.5% must be greater than mmr 2.5%"]);
    });

    it("a market or collateral naming a feed that does not exist", function () {
      const p = local();
      p.markets[0].oracle = "SOL/USD";
      p.collateral[1].oracle = "WBTC/USD";
      expect(issues(p)).to.deep.equal([
        'collateral[1](WBTC).oracle: no feed named "WBTC/USD" in "feeds"',
        'markets[0](ETH-PERP).oracle: no feed named "SOL/USD" in "feeds"',
      ]);
    });

    it("a live network's feed without an address", function () {
      const p = filledIn(live());
      delete (p.feeds["BTC/USD"] as { primary?: string }).primary;
      expect(issues(p)).to.deep.equal(["feeds.BTC/USD.primary: required on a non-local network"]);
    });

    it("malformed human units", function () {
      const p = local();
      p.collateral[0].haircut = "80";
      p.feeds["BTC/USD"].heartbeat = "1 hour";
      p.collateral[0].depositCap = "100,000 ETH";
      p.cash.borrowCap = "lots";
      expect(issues(p)).to.deep.equal([
        'feeds.BTC/USD.heartbeat: "1 hour" is not a duration such as "90s", "5m", "1h" or "2d"',
        'cash.borrowCap: "lots" must be an amount with its unit, such as "1,000 USDC"',
        'collateral[0](WETH).haircut: "80" must be a percentage such as "5%"',
        'collateral[0](WETH).depositCap: "100,000 ETH" is in ETH, expected WETH',
      ]);
    });

    it("a handover without a timelock, or that would leave the deployer a role", function () {
      const p = local();
      p.governance.handover = true;
      expect(issues(p)).to.deep.equal([
        "governance.riskManager: must be an address when governance.handover is true (the deployer gives up every role at handover)",
        "governance.guardian: must be an address when governance.handover is true (the deployer gives up every role at handover)",
        "governance.timelock: required when governance.handover is true (proposers and executors)",
      ]);
    });

    it("timelock parties that are not addresses, zero or listed twice", function () {
      const p = structuredClone(localhostParams) as Params;
      p.governance.timelock = {
        proposers: ["0x0000000000000000000000000000000000000000", "nobody"],
        executors: ["anyone", "deployer", "deployer"],
      };
      expect(issues(p)).to.deep.equal([
        "governance.timelock.proposers[0]: must not be the zero address",
        'governance.timelock.proposers[1]: must be an address or "deployer"',
        'governance.timelock.executors[2]: "deployer" is listed twice',
      ]);
    });

    it("a live network's timelock delay under an hour, or no chain id", function () {
      const p = filledIn(live());
      p.governance.timelockDelay = "10m";
      delete p.chainId;
      expect(issues(p)).to.deep.equal([
        "governance.timelockDelay: 10m is outside [1h, 30d]",
        "chainId: required on a non-local network (the deploy refuses any other chain)",
      ]);
    });

    it("a file that is not JSON, naming the file", function () {
      const file = writeParameterFile("broken", {});
      require("node:fs").writeFileSync(file, "{ not json");
      expect(() => loadParameterFile(file)).to.throw(ParameterError, `${file}: not valid JSON`);
    });
  });
});
