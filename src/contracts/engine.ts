/**
 * A typed handle on the margin engine that includes its view module's functions. The engine answers
 * {IMarginEngineViews} (`marketView`, `position`, `accountMargin`, `accountMarginAtPrices`, `cumulativeFundingAt`,
 * `operatorOf`, `deleveragingIndex`) at its own address through its fallback (contracts/engine/MarginEngine.sol), so one contract object
 * with both ABIs reads everything; TypeChain's `MarginEngine` alone lacks those functions.
 */
import { Contract, type ContractRunner } from "ethers";
import { IMarginEngineViews__factory, MarginEngine__factory, type IMarginEngineViews, type MarginEngine } from "../../typechain-types";

/** The view module's functions, answered at the engine's address. */
type EngineViewFunctions = Pick<
  IMarginEngineViews,
  "accountMargin" | "accountMarginAtPrices" | "position" | "marketView" | "cumulativeFundingAt" | "operatorOf" | "deleveragingIndex"
>;

/** The margin engine with its view module's functions ({@link connectEngine}). */
export type Engine = MarginEngine & EngineViewFunctions;

/** The engine's ABI followed by its view module's (no selector appears in both: the fallback serves only the rest). */
const ENGINE_ABI = [...MarginEngine__factory.abi, ...IMarginEngineViews__factory.abi];

/**
 * The engine at `address`, with its own and its view module's functions.
 * @param address The MarginEngine's address.
 * @param runner A provider (reads) or signer (transactions); none for an unconnected handle.
 */
export function connectEngine(address: string, runner?: ContractRunner | null): Engine {
  return new Contract(address, ENGINE_ABI, runner) as unknown as Engine;
}
