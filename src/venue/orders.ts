/**
 * The reference venue's EIP-712 signed limit orders (contracts/venue/OrderSettlement.sol): the `Order` type
 * exactly as `IOrderSettlement.ORDER_TYPEHASH` spells it, the domain ("Ballast OrderSettlement", version "1",
 * chain id, venue address) and signing. Used by the simulator's agents, the keeper's hedges and the tests.
 */
import { TypedDataEncoder, type Signer, type TypedDataDomain } from "ethers";
import type { IOrderSettlement } from "../../typechain-types/contracts/venue/OrderSettlement";

export type Order = IOrderSettlement.OrderStruct;

/** The EIP-712 `Order` type. */
export const ORDER_TYPES = {
  Order: [
    { name: "account", type: "uint256" },
    { name: "marketId", type: "uint16" },
    { name: "size", type: "int128" },
    { name: "limitPrice", type: "uint128" },
    { name: "expiry", type: "uint64" },
    { name: "nonce", type: "uint64" },
    { name: "salt", type: "uint64" },
    { name: "reduceOnly", type: "bool" },
    { name: "signer", type: "address" },
  ],
};

/** The venue's EIP-712 domain name and version. */
export const VENUE_DOMAIN_NAME = "Ballast OrderSettlement";
export const VENUE_DOMAIN_VERSION = "1";

export interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The domain of the venue at `venue` on chain `chainId`. */
export function venueDomain(chainId: bigint, venue: string): Domain {
  return { name: VENUE_DOMAIN_NAME, version: VENUE_DOMAIN_VERSION, chainId, verifyingContract: venue };
}

/** The EIP-712 signature of `order` under `domain` by `signer` (an EOA key or any ethers signer). */
export function signOrder(signer: Signer, domain: TypedDataDomain, order: Order): Promise<string> {
  return signer.signTypedData(domain, ORDER_TYPES, order);
}

/** The EIP-712 digest of `order` under `domain` (the venue's order hash). */
export function orderDigest(domain: TypedDataDomain, order: Order): string {
  return TypedDataEncoder.hash(domain, ORDER_TYPES, order);
}
