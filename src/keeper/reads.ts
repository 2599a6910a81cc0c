/**
 * View calls without ethers' per-call overhead, for the keeper's reads of every running auction at every block.
 *
 * An ethers `Contract` call looks its function up by name, checksums the target address (a keccak), hashes the
 * function's signature again for its selector (another keccak) and goes through the provider's request wrapping on
 * every call; with thousands of running auctions that was about a third of the simulator's CPU time (profile of the
 * benchmark with 2,000 traders, 6 December 2026). `ViewReader` finds each function's fragment and selector once per
 * contract, encodes the arguments with the fragment's types, sends one `eth_call` at the block and decodes the answer
 * as ethers does (a single output unwrapped), so every result is the one the `Contract` call returns.
 */
import { AbiCoder, type BaseContract, type FunctionFragment, type Provider } from "ethers";
import type { TypedContractMethod } from "../../typechain-types/common";

/** The names of `C`'s view functions. */
type ViewName<C> = { [K in keyof C]: C[K] extends TypedContractMethod<infer _A, infer _R, "view"> ? K : never }[keyof C] & string;
/** The arguments of view function `M` (without overrides). */
type ViewArgs<M> = M extends TypedContractMethod<infer A, infer _R, "view"> ? A : never;
/** What view function `M` returns through ethers (a single output unwrapped). */
type ViewResult<M> = M extends TypedContractMethod<infer _A, infer _R, "view"> ? Awaited<ReturnType<M["staticCall"]>> : never;

/** A provider that takes raw JSON-RPC requests (ethers' JSON-RPC providers and Hardhat's). */
interface RawProvider {
  send(method: string, params: unknown[]): Promise<unknown>;
}

const coder = AbiCoder.defaultAbiCoder();

/** Reads view functions by one `eth_call` each (see the file's comment). */
export class ViewReader {
  private readonly functions = new WeakMap<BaseContract, Map<string, { fragment: FunctionFragment; selector: string; to: string }>>();

  constructor(private readonly provider: Provider) {}

  /**
   * `contract.name(...args)` at `block`, as the `Contract` call would return it.
   * @throws Error when the call reverts or the node refuses it (the node's error), or when `contract` has no
   * address yet.
   */
  async read<C extends BaseContract, K extends ViewName<C>>(
    contract: C,
    name: K,
    args: ViewArgs<C[K]>,
    block: number,
  ): Promise<ViewResult<C[K]>> {
    const f = this.functionOf(contract, name);
    const tx = { to: f.to, data: f.selector + coder.encode(f.fragment.inputs, args as unknown[]).slice(2) };
    const raw = this.provider as unknown as Partial<RawProvider>;
    const out =
      typeof raw.send === "function"
        ? ((await raw.send("eth_call", [tx, `0x${block.toString(16)}`])) as string)
        : await this.provider.call({ ...tx, blockTag: block });
    const result = contract.interface.decodeFunctionResult(f.fragment, out);
    return (result.length === 1 ? result[0] : result) as ViewResult<C[K]>;
  }

  private functionOf(contract: BaseContract, name: string) {
    let byName = this.functions.get(contract);
    if (!byName) {
      byName = new Map();
      this.functions.set(contract, byName);
    }
    let f = byName.get(name);
    if (!f) {
      if (typeof contract.target !== "string") throw new Error(`ViewReader: the contract of ${name} has no address`);
      const fragment = contract.interface.getFunction(name)!;
      f = { fragment, selector: fragment.selector, to: contract.target };
      byName.set(name, f);
    }
    return f;
  }
}
