/**
 * The test chain's clock without wall-clock drift. Hardhat's automine stamps each block from the wall clock (plus
 * any offset a test set), so a fixture that `loadFixture` restores an hour after it was taken would resume an hour
 * later: its oracle prices read as stale and timestamps depend on how loaded the machine is. After every successful
 * `evm_revert` (a `loadFixture` or `takeSnapshot` restore) the next block is pinned to one second after the restored
 * chain's latest block, so each test starts from its fixture's time whatever the suite's wall time; a test's own
 * `time.increase` / `time.setNextBlockTimestamp` still overrides it. Installed once, by the Mocha root hook in
 * hardhat.config.ts, on the in-process Hardhat network only (a `hardhat node` process a test starts is untouched).
 */
import type { EIP1193Provider, RequestArguments } from "hardhat/types";

const PINNED = Symbol.for("ballast.clockPinnedAfterRevert");

/**
 * Wraps `provider.request` so that a successful `evm_revert` is followed by `evm_setNextBlockTimestamp(latest + 1)`.
 * Idempotent: a second call on the same provider does nothing.
 * @param provider the in-process Hardhat network's provider (`hre.network.provider`).
 */
export function pinClockAfterRevert(provider: EIP1193Provider): void {
  const p = provider as EIP1193Provider & { [PINNED]?: boolean };
  if (p[PINNED]) return;
  const request = provider.request.bind(provider);
  p.request = async (args: RequestArguments): Promise<unknown> => {
    const result = await request(args);
    if (args.method === "evm_revert" && result === true) {
      const latest = (await request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as { timestamp: string };
      await request({ method: "evm_setNextBlockTimestamp", params: [`0x${(BigInt(latest.timestamp) + 1n).toString(16)}`] });
    }
    return result;
  };
  p[PINNED] = true;
}
