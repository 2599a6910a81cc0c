/**
 * The contracts a keeper talks to, from a deployment's addresses: Ignition's `deployed_addresses.json`
 * (`Ballast#LiquidationAuction`, ...) or a plain `{ "auction": "0x..", ... }` file. The batch starter
 * (`Ballast#AuctionStarter`, or `starter`) is optional: without it (a deployment made before it existed) the keeper
 * sends one `startAuction` transaction per account.
 */
import fs from "node:fs";
import type { ContractRunner } from "ethers";
import { UserError } from "../cli/errors";
import { connectEngine, type Engine } from "../contracts/engine";
import {
  AuctionStarter__factory,
  CollateralVault__factory,
  LiquidationAuction__factory,
  OracleRouter__factory,
  OrderSettlement__factory,
  RiskLens__factory,
  type AuctionStarter,
  type CollateralVault,
  type LiquidationAuction,
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
  /** The AuctionStarter (batch starts), when the deployment has one. */
  starter?: string;
}

export interface KeeperContracts {
  auction: LiquidationAuction;
  lens: RiskLens;
  engine: Engine;
  vault: CollateralVault;
  venue: OrderSettlement;
  oracle: OracleRouter;
  /** The AuctionStarter, when the deployment has one (see `BallastAddresses.starter`). */
  starter?: AuctionStarter;
  addresses: BallastAddresses;
}

const IGNITION_KEYS: Record<Exclude<keyof BallastAddresses, "starter">, string> = {
  auction: "Ballast#LiquidationAuction",
  lens: "Ballast#RiskLens",
  engine: "Ballast#MarginEngine",
  vault: "Ballast#CollateralVault",
  venue: "Ballast#OrderSettlement",
  oracle: "Ballast#OracleRouter",
};
const STARTER_KEY = "Ballast#AuctionStarter";

/**
 * Reads addresses from an Ignition `deployed_addresses.json` or a plain address file.
 * @throws UserError when the file is not JSON or lacks a required address (every one but the starter's).
 */
export function readAddresses(file: string): BallastAddresses {
  let raw: Record<string, string>;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  } catch (e) {
    throw new UserError(`${file}: not a readable JSON file (${(e as Error).message})`);
  }
  const out = {} as BallastAddresses;
  for (const [k, ignitionKey] of Object.entries(IGNITION_KEYS) as [keyof typeof IGNITION_KEYS, string][]) {
    const a = raw[k] ?? raw[ignitionKey];
    if (!a) throw new UserError(`${file}: no address for ${k} (or ${ignitionKey})`);
    out[k] = a;
  }
  const starter = raw.starter ?? raw[STARTER_KEY];
  if (starter) out.starter = starter;
  return out;
}

/** Typed handles on `addresses` (the starter's only when it has an address). */
export function connectContracts(addresses: BallastAddresses, runner: ContractRunner): KeeperContracts {
  return {
    auction: LiquidationAuction__factory.connect(addresses.auction, runner),
    lens: RiskLens__factory.connect(addresses.lens, runner),
    engine: connectEngine(addresses.engine, runner),
    vault: CollateralVault__factory.connect(addresses.vault, runner),
    venue: OrderSettlement__factory.connect(addresses.venue, runner),
    oracle: OracleRouter__factory.connect(addresses.oracle, runner),
    starter: addresses.starter ? AuctionStarter__factory.connect(addresses.starter, runner) : undefined,
    addresses,
  };
}
