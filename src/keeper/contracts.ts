/**
 * The contracts a keeper talks to, from a deployment's addresses: Ignition's `deployed_addresses.json`
 * (`Ballast#LiquidationAuction`, ...) or a plain `{ "auction": "0x..", ... }` file.
 */
import fs from "node:fs";
import type { ContractRunner } from "ethers";
import { UserError } from "../cli/errors";
import {
  CollateralVault__factory,
  LiquidationAuction__factory,
  MarginEngine__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  RiskLens__factory,
  type CollateralVault,
  type LiquidationAuction,
  type MarginEngine,
  type OracleRouter,
  type OrderSettlement,
  type RiskLens,
} from "../../typechain-types";

export interface BallastAddresses {
  auction: string;
  lens: string;
  engine: string;
  vault: string;
  venue: string;
  oracle: string;
}

export interface KeeperContracts {
  auction: LiquidationAuction;
  lens: RiskLens;
  engine: MarginEngine;
  vault: CollateralVault;
  venue: OrderSettlement;
  oracle: OracleRouter;
  addresses: BallastAddresses;
}

const IGNITION_KEYS: Record<keyof BallastAddresses, string> = {
  auction: "Ballast#LiquidationAuction",
  lens: "Ballast#RiskLens",
  engine: "Ballast#MarginEngine",
  vault: "Ballast#CollateralVault",
  venue: "Ballast#OrderSettlement",
  oracle: "Ballast#OracleRouter",
};

/** Reads addresses from an Ignition `deployed_addresses.json` or a plain address file. */
export function readAddresses(file: string): BallastAddresses {
  let raw: Record<string, string>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch (e) {
    throw new UserError(`${file}: not a readable JSON file (${(e as Error).message})`);
  }
  const out = {} as BallastAddresses;
  for (const [k, ignitionKey] of Object.entries(IGNITION_KEYS) as [keyof BallastAddresses, string][]) {
    const a = raw[k] ?? raw[ignitionKey];
    if (!a) throw new UserError(`${file}: no address for ${k} (or ${ignitionKey})`);
    out[k] = a;
  }
  return out;
}

export function connectContracts(addresses: BallastAddresses, runner: ContractRunner): KeeperContracts {
  return {
    auction: LiquidationAuction__factory.connect(addresses.auction, runner),
    lens: RiskLens__factory.connect(addresses.lens, runner),
    engine: MarginEngine__factory.connect(addresses.engine, runner),
    vault: CollateralVault__factory.connect(addresses.vault, runner),
    venue: OrderSettlement__factory.connect(addresses.venue, runner),
    oracle: OracleRouter__factory.connect(addresses.oracle, runner),
    addresses,
  };
}
