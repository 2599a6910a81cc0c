/** EIP-712 orders of the venue (domain "Ballast OrderSettlement", version "1"), signed off-chain. */
import type { Wallet } from "ethers";
import type { IOrderSettlement } from "../../../typechain-types/contracts/venue/OrderSettlement";

export type Order = IOrderSettlement.OrderStruct;

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

export interface Domain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

export function venueDomain(chainId: bigint, venue: string): Domain {
  return { name: "Ballast OrderSettlement", version: "1", chainId, verifyingContract: venue };
}

export function signOrder(wallet: Wallet, domain: Domain, order: Order): Promise<string> {
  return wallet.signTypedData(domain, ORDER_TYPES, order);
}
