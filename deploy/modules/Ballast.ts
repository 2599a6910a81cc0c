/**
 * Hardhat Ignition module of the whole Ballast protocol, built from a resolved `DeploymentPlan`
 * (see src/config/schema.ts). Ignition journals every step, so an interrupted deployment resumes where it stopped.
 *
 * Order: AccessManager -> oracle router and feeds -> vault, engine, configurator, venue, lens -> wiring ->
 * collateral and markets (listed one after the other so ids and token indices are deterministic) -> parameters
 * -> role table -> role grants -> (when `governance.handover`) TimelockController, ADMIN granted to it and renounced
 * by the deployer. Every parameter call runs while only ADMIN can call anything (the deployer); the role table is
 * applied afterwards, and the handover is the very last step, so an interrupted deployment never leaves ADMIN with
 * nobody. The AuctionStarter (a periphery contract with no role: batch auction starts for keepers) is deployed last,
 * so that adding it moved no other contract's address.
 */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { Future, ContractFuture } from "@nomicfoundation/ignition-core";
import { Interface, ZeroAddress } from "ethers";
import { artifacts } from "hardhat";
import type { DeploymentPlan } from "../../src/config/schema";
import { FUNCTION_ROLES, ROLE, type RestrictedContract } from "../../src/deploy/roles";

/** Ignition future ids allow letters, digits and underscores. */
export const futureId = (s: string): string => s.replace(/[^A-Za-z0-9_]/g, "_");

function selectors(contract: RestrictedContract, names: string[]): string[] {
  const iface = new Interface(artifacts.readArtifactSync(contract).abi);
  return names.map((n) => {
    const f = iface.getFunction(n);
    if (!f) throw new Error(`${contract} has no function ${n}`);
    return f.selector;
  });
}

export function buildBallastModule(plan: DeploymentPlan) {
  return buildModule("Ballast", (m) => {
    const deployer = m.getAccount(0);
    const manager = m.contract("AccessManager", [deployer]);

    // ---- tokens (local networks deploy test tokens)
    const cash =
      plan.cash.address ??
      m.contract("TestERC20", [`Test ${plan.cash.symbol}`, plan.cash.symbol, plan.cash.decimals], {
        id: futureId(`Token_${plan.cash.symbol}`),
      });
    const collateralTokens = plan.collateral.map(
      (c) => c.address ?? m.contract("TestERC20", [`Test ${c.symbol}`, c.symbol, c.decimals], { id: futureId(`Token_${c.symbol}`) }),
    );

    // ---- oracle
    const oracle = m.contract("OracleRouter", [manager]);
    const feedCalls: Record<string, Future> = {};
    for (const f of plan.feeds) {
      const primary = f.primary ?? m.contract("MockV3Aggregator", [f.mockDecimals, f.mockInitialAnswer], { id: futureId(`Feed_${f.key}`) });
      feedCalls[f.asset] = m.call(
        oracle,
        "setFeed",
        [
          f.asset,
          {
            primary,
            primaryHeartbeat: f.heartbeat,
            secondary: f.secondary ?? "0x0000000000000000000000000000000000000000",
            secondaryHeartbeat: f.secondaryHeartbeat,
            maxDeviation: f.maxDeviation,
            minPrice: f.minPrice,
            maxPrice: f.maxPrice,
          },
        ],
        { id: futureId(`setFeed_${f.key}`) },
      );
    }
    const sequencerCall = plan.sequencer
      ? m.call(oracle, "setSequencerFeed", [plan.sequencer.feed, plan.sequencer.gracePeriod])
      : undefined;

    // ---- core contracts
    // The collateral life cycle (listing, haircuts, delisting, eviction, removal) and the vault's other cold setters and
    // views run in a linked library (EIP-170 room).
    const vaultAdmin = m.library("VaultAdmin");
    const vault = m.contract("CollateralVault", [manager, cash, oracle], { libraries: { VaultAdmin: vaultAdmin } });
    // The engine's market listing and account settings are linked libraries (EIP-170 room); its constructor
    // creates its view module (MarginEngineViews), which answers the lens's and tools' views at its address.
    const engineMarketListing = m.library("EngineMarketListing", { after: [vault] });
    const engineAccounts = m.library("EngineAccounts", { after: [vault] });
    const engine = m.contract("MarginEngine", [manager, vault, oracle], {
      libraries: { EngineMarketListing: engineMarketListing, EngineAccounts: engineAccounts },
    });
    const configurator = m.contract("MarketConfigurator", [manager, engine, oracle]);
    const ins = plan.insurance;
    const fund = m.contract("InsuranceFund", [manager, vault, ins.name, ins.symbol, ins.cooldown, ins.unstakeWindow, ins.eventCapRatio]);
    // Trading fees accrue to the insurance fund's vault account.
    const venue = m.contract("OrderSettlement", [manager, engine, fund]);
    // The auction's governed side (parameter sets, breakers' caps, stop level) is a linked library (EIP-170 room).
    const auctionGovernance = m.library("AuctionGovernance");
    // Its cold side (terminate, restart, checkpoint, quote, clock) is a second linked library (EIP-170 room), deployed
    // after the fund so that no address but the auction's own moved when it was split out (issue #16).
    const auctionLifecycle = m.library("AuctionLifecycle", { after: [fund] });
    const auction = m.contract("LiquidationAuction", [manager, engine, vault, oracle, fund], {
      libraries: { AuctionGovernance: auctionGovernance, AuctionLifecycle: auctionLifecycle },
    });
    const lens = m.contract("RiskLens", [engine, vault, configurator, oracle]);

    // ---- wiring
    const wiring = [
      m.call(vault, "bindEngine", [engine]),
      m.call(vault, "bindLiquidator", [auction]),
      m.call(engine, "bindConfigurator", [configurator]),
      m.call(engine, "bindLiquidator", [auction]),
      m.call(engine, "setVenue", [venue, true]),
      m.call(fund, "bindAuction", [auction]),
    ];

    // ---- parameters, while the deployer (ADMIN) is the only caller
    const params: Future[] = [...wiring];
    let previous: Future | undefined;
    plan.collateral.forEach((c, i) => {
      previous = m.call(vault, "listCollateral", [collateralTokens[i], c.oracleAsset, c.haircut, c.depositCap], {
        id: futureId(`listCollateral_${c.symbol}`),
        after: [feedCalls[c.oracleAsset], ...(previous ? [previous] : [])].filter(Boolean),
      });
      params.push(previous);
    });
    previous = undefined;
    plan.markets.forEach((mk, i) => {
      previous = m.call(configurator, "listMarket", [mk.oracleAsset, mk.risk, mk.trading], {
        id: futureId(`listMarket_${mk.name}`),
        after: [...wiring, feedCalls[mk.oracleAsset], ...(previous ? [previous] : [])].filter(Boolean),
      });
      params.push(previous);
      if (mk.marginTiers.length > 0) {
        // Before any position: the engine takes the tiers at once (a market without open interest).
        previous = m.call(configurator, "setMarginTiers", [i, mk.marginTiers], {
          id: futureId(`setMarginTiers_${mk.name}`),
          after: [previous],
        });
        params.push(previous);
      }
      params.push(m.call(auction, "setMarketShortfallCap", [i, mk.shortfallCap], { id: futureId(`setMarketShortfallCap_${mk.name}`) }));
    });
    params.push(
      m.call(vault, "setDepositCap", [cash, plan.cash.depositCap], { id: "setCashDepositCap" }),
      m.call(vault, "setCashRateModel", [plan.cash.baseRatePerYear, plan.cash.rateSlopePerYear]),
      m.call(vault, "setBorrowCap", [plan.cash.borrowCap]),
      m.call(engine, "setMaxPriceAge", [plan.engine.maxPriceAge]),
      m.call(venue, "setFeeRates", [plan.venue.makerFeeRate, plan.venue.takerFeeRate]),
      m.call(auction, "setParams", [plan.auction.params]),
      m.call(auction, "setGlobalShortfallCap", [plan.auction.globalShortfallCap]),
    );
    if (sequencerCall) params.push(sequencerCall);

    // ---- role table, then grants
    const targets: Record<RestrictedContract, ContractFuture<string>> = {
      OracleRouter: oracle,
      CollateralVault: vault,
      MarginEngine: engine,
      MarketConfigurator: configurator,
      OrderSettlement: venue,
      LiquidationAuction: auction,
      InsuranceFund: fund,
    };
    const roleCalls: Future[] = [];
    for (const [name, roles] of Object.entries(FUNCTION_ROLES) as [RestrictedContract, (typeof FUNCTION_ROLES)[RestrictedContract]][]) {
      for (const role of ["RISK_MANAGER", "GUARDIAN"] as const) {
        if (roles[role].length === 0) continue;
        roleCalls.push(
          m.call(manager, "setTargetFunctionRole", [targets[name], selectors(name, roles[role]), ROLE[role]], {
            id: futureId(`roles_${name}_${role}`),
            after: params,
          }),
        );
      }
    }
    const riskManager = plan.governance.riskManager === "deployer" ? deployer : plan.governance.riskManager;
    const guardian = plan.governance.guardian === "deployer" ? deployer : plan.governance.guardian;
    const grants: Future[] = [
      m.call(manager, "grantRole", [ROLE.RISK_MANAGER, riskManager, plan.governance.riskManagerExecutionDelay], {
        id: "grantRiskManager",
        after: roleCalls,
      }),
      m.call(manager, "grantRole", [ROLE.GUARDIAN, guardian, 0], { id: "grantGuardian", after: roleCalls }),
      // The guardian may cancel a risk-manager action that waits out its execution delay in the AccessManager.
      m.call(manager, "setRoleGuardian", [ROLE.RISK_MANAGER, ROLE.GUARDIAN], { id: "setRiskManagerGuardian", after: roleCalls }),
      m.call(manager, "labelRole", [ROLE.RISK_MANAGER, "RISK_MANAGER"], { id: "labelRiskManager", after: roleCalls }),
      m.call(manager, "labelRole", [ROLE.GUARDIAN, "GUARDIAN"], { id: "labelGuardian", after: roleCalls }),
    ];

    // ---- handover: ADMIN to a TimelockController, then the deployer renounces ADMIN (its last role)
    let last: Future[] = grants;
    if (plan.governance.handover) {
      const t = plan.governance.timelock;
      if (!t) throw new Error("governance.timelock is required when governance.handover is true");
      const party = (a: string) => (a === "deployer" ? deployer : a);
      // admin = address(0): the timelock administers itself, so only a proposal that waits out minDelay changes it.
      const timelock = m.contract(
        "TimelockController",
        [plan.governance.timelockDelay, t.proposers.map(party), t.executors.map(party), ZeroAddress],
        { after: grants },
      );
      const grantAdmin = m.call(manager, "grantRole", [ROLE.ADMIN, timelock, 0], { id: "grantTimelockAdmin", after: grants });
      last = [m.call(manager, "renounceRole", [ROLE.ADMIN, deployer], { id: "renounceDeployerAdmin", after: [grantAdmin] })];
    }

    // ---- periphery: batch auction starts (no role, no funds; anyone may call it, as anyone may call startAuction)
    const starter = m.contract("AuctionStarter", [auction], { after: last });

    return { manager, oracle, vault, engine, configurator, venue, lens, auction, fund, starter };
  });
}
