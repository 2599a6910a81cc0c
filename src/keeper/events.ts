/**
 * The one event follower of the protocol's contracts, shared by the keeper's `ChainView` (which follows every
 * block's logs to learn accounts and running auctions) and the simulator (which reads its own transactions'
 * receipts to record auctions, bids, subsidies and fees): it knows which contract emitted a log and decodes it
 * with that contract's ABI.
 */
import type { EventFragment, Interface, Log, Provider, Result } from "ethers";
import type { KeeperContracts } from "./contracts";

/** The contracts whose events are followed. */
export type EventSource = "vault" | "engine" | "auction" | "venue";

/** A decoded protocol event. */
export interface ProtocolEvent {
  source: EventSource;
  /** Event name as in the contract's ABI ("AuctionStarted", "Deposited", ...). */
  name: string;
  args: Result;
  log: Log;
}

export class EventFollower {
  private readonly bySource: { source: EventSource; address: string; parse: (log: Log) => { name: string; args: Result } | null }[];

  /** Follows the events of `sources` (default: all four) of the deployment `c`. */
  constructor(
    readonly c: KeeperContracts,
    sources: readonly EventSource[] = ["vault", "engine", "auction", "venue"],
  ) {
    this.bySource = sources.map((source) => {
      const iface = c[source].interface as Interface;
      // Each event's topic computed once: ethers' `parseLog` hashes every event signature of the ABI on every call.
      const byTopic = new Map<string, EventFragment>();
      iface.forEachEvent((f) => {
        if (!f.anonymous) byTopic.set(f.topicHash, f);
      });
      return {
        source,
        address: c.addresses[source],
        parse: (log: Log) => {
          const f = log.topics.length > 0 ? byTopic.get(log.topics[0]) : undefined;
          return f ? { name: f.name, args: iface.decodeEventLog(f, log.data, log.topics) } : null;
        },
      };
    });
  }

  /** Addresses of the followed contracts, in the order of `sources`. */
  get addresses(): string[] {
    return this.bySource.map((s) => s.address);
  }

  /** Decodes `log`; undefined when another contract emitted it or its topic is not in the emitter's ABI. */
  parse(log: Log): ProtocolEvent | undefined {
    const a = log.address.toLowerCase();
    const s = this.bySource.find((x) => x.address.toLowerCase() === a);
    if (!s) return undefined;
    const ev = s.parse(log);
    return ev ? { source: s.source, name: ev.name, args: ev.args, log } : undefined;
  }

  /** Every followed event in blocks `fromBlock`..`toBlock` (one `eth_getLogs`), in chain order. */
  async fetch(provider: Provider, fromBlock: number, toBlock: number): Promise<ProtocolEvent[]> {
    const logs = await provider.getLogs({ fromBlock, toBlock, address: this.addresses });
    return logs.flatMap((log) => {
      const ev = this.parse(log);
      return ev ? [ev] : [];
    });
  }
}
