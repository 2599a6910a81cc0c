/**
 * Names of reverted transactions: the custom error a mined transaction reverted with, decoded with the ABIs of
 * every compiled contract (Ballast's own, the periphery, the mocks and the OpenZeppelin code they inherit), so
 * that the simulator can count every revert of every actor by error.
 */
import { ErrorFragment, Interface, type JsonFragment } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Solidity's panic codes (docs: "Panic via assert and Error via require"), by code. */
const PANIC_CODES: Record<number, string> = {
  0x00: "generic compiler panic",
  0x01: "assert failed",
  0x11: "arithmetic overflow or underflow",
  0x12: "division or modulo by zero",
  0x21: "invalid enum value",
  0x22: "invalid storage byte array",
  0x31: "pop on an empty array",
  0x32: "array index out of bounds",
  0x41: "out of memory",
  0x51: "call to a zero-initialised function",
};

/** A decoded revert: `name` is what reverts are counted by; `detail` adds the error's arguments. */
export interface DecodedRevert {
  /**
   * The custom error's name (`AuctionAlreadyActive`); `Panic(0x11)` for a panic; `Error(string)` for a plain
   * `require`/`revert` with a message; `empty revert` for a revert without data; `out of gas` when the
   * transaction used its whole gas limit without returning data; `unknown error 0x12345678` for a selector no
   * compiled contract declares.
   */
  name: string;
  /** The name with the decoded arguments (`AuctionAlreadyActive(123)`), or the raw data when undecodable. */
  detail: string;
}

/** Decodes revert data with the errors of every compiled contract. */
export class RevertDecoder {
  /** Each error by its selector, computed once (ethers' `parseError` hashes every error signature on every call). */
  private readonly bySelector = new Map<string, ErrorFragment>();

  constructor(private readonly iface: Interface) {
    iface.forEachError((f) => this.bySelector.set(f.selector, f));
  }

  /** A decoder over every error of every artifact `hre` knows (one Interface, errors deduplicated by selector). */
  static async fromArtifacts(hre: HardhatRuntimeEnvironment): Promise<RevertDecoder> {
    const bySelector = new Map<string, JsonFragment>();
    for (const fqn of (await hre.artifacts.getAllFullyQualifiedNames()).sort()) {
      for (const f of hre.artifacts.readArtifactSync(fqn).abi as JsonFragment[]) {
        if (f.type !== "error") continue;
        const selector = ErrorFragment.from(f).selector;
        if (!bySelector.has(selector)) bySelector.set(selector, f);
      }
    }
    return new RevertDecoder(new Interface([...bySelector.values()]));
  }

  /**
   * Names the revert data `data` (0x-prefixed hex) of a transaction that used `gasUsed` of its `gasLimit`.
   * @param gasLimit the transaction's gas limit, when known (tells an out-of-gas stop from an empty revert).
   */
  decode(data: string, gasUsed?: bigint, gasLimit?: bigint): DecodedRevert {
    if (data === "0x" || data === "") {
      const oog = gasLimit !== undefined && gasUsed !== undefined && gasUsed >= gasLimit;
      return oog ? { name: "out of gas", detail: "out of gas" } : { name: "empty revert", detail: "empty revert" };
    }
    let parsed: { name: string; signature: string; args: readonly unknown[] } | null = null;
    try {
      const f = this.bySelector.get(data.slice(0, 10).toLowerCase());
      // The declared errors by selector; Solidity's built-in Panic and Error(string) through ethers' parseError.
      parsed = f
        ? { name: f.name, signature: f.format("sighash"), args: this.iface.decodeErrorResult(f, data) }
        : this.iface.parseError(data);
    } catch {
      parsed = null; // a known selector with undecodable arguments
    }
    if (!parsed) return { name: `unknown error ${data.slice(0, 10)}`, detail: data };
    if (parsed.signature === "Panic(uint256)") {
      const code = Number(parsed.args[0]);
      const name = `Panic(0x${code.toString(16).padStart(2, "0")})`;
      return { name, detail: `${name}: ${PANIC_CODES[code] ?? "unknown panic code"}` };
    }
    if (parsed.signature === "Error(string)") return { name: "Error(string)", detail: `Error(${JSON.stringify(parsed.args[0])})` };
    return { name: parsed.name, detail: `${parsed.name}(${parsed.args.map(String).join(", ")})` };
  }
}
