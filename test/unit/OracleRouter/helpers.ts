/**
 * Isolated OracleRouter fixture: a fresh AccessManager (the first signer is its admin, the second signer holds no
 * role) governing a fresh OracleRouter, with Chainlink's MockV3Aggregator feeds and a ScriptedAggregator for
 * malformed rounds. Times are pinned: every test sets rounds at explicit timestamps around the fixture's `T0` and
 * moves the chain with `time.increaseTo` (views run at the latest block's timestamp) or `time.setNextBlockTimestamp`.
 */
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import {
  AccessManager__factory,
  MockV3Aggregator__factory,
  OracleRouter__factory,
  ScriptedAggregator__factory,
  type MockV3Aggregator,
} from "../../../typechain-types";
import type { IOracleRouter } from "../../../typechain-types/contracts/oracle/OracleRouter";

export const WAD = 10n ** 18n;
/**
 * The base time of a fixture: the first whole hour at least two hours after the chain's time when the fixture is
 * built. Relative to the chain (not a constant) because a fixture is first built on whatever state earlier test
 * files left, possibly days after genesis; loadFixture then restores that same time for every test.
 */
export async function baseTime(): Promise<number> {
  const now = await time.latest();
  return Math.ceil((now + 7200) / 3600) * 3600;
}
export const ETH = ethers.encodeBytes32String("ETH/USD");
export const BTC = ethers.encodeBytes32String("BTC/USD");
export const UNKNOWN = ethers.encodeBytes32String("DOGE/USD");

/** Router constants (OracleRouter.sol). */
export const MIN_HEARTBEAT = 60n;
export const MAX_HEARTBEAT = 172_800n;
export const MAX_DEVIATION = 2n * 10n ** 17n;
export const MAX_SEQUENCER_GRACE_PERIOD = 86_400n;

/** 8-decimal answer of a human price with up to 8 decimals ("2000.5" -> 200050000000). */
export const e8 = (price: string): bigint => ethers.parseUnits(price, 8);

export async function routerFixture() {
  const [admin, stranger] = await ethers.getSigners();
  const manager = await new AccessManager__factory(admin).deploy(admin.address);
  const router = await new OracleRouter__factory(admin).deploy(await manager.getAddress());
  const mock = (decimals: number, answer: bigint) => new MockV3Aggregator__factory(admin).deploy(decimals, answer);
  const primary = await mock(8, e8("2000"));
  const secondary = await mock(8, e8("2000"));
  const sequencer = await mock(0, 0n);
  const scripted = await new ScriptedAggregator__factory(admin).deploy(8);
  return {
    T0: await baseTime(),
    admin,
    stranger,
    manager,
    router,
    primary,
    secondary,
    sequencer,
    scripted,
    addr: {
      primary: await primary.getAddress(),
      secondary: await secondary.getAddress(),
      sequencer: await sequencer.getAddress(),
      scripted: await scripted.getAddress(),
    },
  };
}

export type RouterFixture = Awaited<ReturnType<typeof routerFixture>>;

/** A valid primary-only configuration (heartbeat 1 h, bounds [1, 1,000,000] cash), with `overrides` applied. */
export function feedConfig(primary: string, overrides: Partial<IOracleRouter.FeedConfigStruct> = {}): IOracleRouter.FeedConfigStruct {
  return {
    primary,
    primaryHeartbeat: 3600,
    secondary: ethers.ZeroAddress,
    secondaryHeartbeat: 0,
    maxDeviation: 0,
    minPrice: WAD,
    maxPrice: 1_000_000n * WAD,
    ...overrides,
  };
}

/** The configuration as the ordered tuple an event or `feedConfig` returns. */
export function configTuple(c: IOracleRouter.FeedConfigStruct): unknown[] {
  return [
    c.primary,
    BigInt(c.primaryHeartbeat),
    c.secondary,
    BigInt(c.secondaryHeartbeat),
    BigInt(c.maxDeviation),
    BigInt(c.minPrice),
    BigInt(c.maxPrice),
  ];
}

/** Sets the latest round of a MockV3Aggregator: `answer` updated at `updatedAt` (also its startedAt). */
export async function setRound(feed: MockV3Aggregator, answer: bigint, updatedAt: number, roundId = 7n): Promise<void> {
  await (await feed.updateRoundData(roundId, answer, updatedAt, updatedAt)).wait();
}

/** Sets the sequencer-uptime feed: `status` (0 up, 1 down) since `startedAt`. */
export async function setSequencer(feed: MockV3Aggregator, status: bigint, startedAt: number, roundId = 3n): Promise<void> {
  await (await feed.updateRoundData(roundId, status, startedAt, startedAt)).wait();
}

/** Mines a block at `t`, so that views run at `block.timestamp == t`. */
export async function at(t: number): Promise<void> {
  await time.increaseTo(t);
}
