/**
 * The stateful suite's world: one deployed protocol (3 markets on feeds of 8 and 18 decimals, 3 collateral tokens
 * of 18, 8 and 6 decimals, 6-decimal cash), the actors, the model-side bookkeeping (running auctions, signed
 * orders, insurance requests) and the step wrapper that checks every invariant after every step.
 */
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { accountId } from "../shared/fixtures";
import { countCommands } from "../shared/fuzz";
import { buildFuzzProtocol, fuzzParams, type FuzzProtocol } from "../fuzz/fixtures";
import { Runner } from "../fuzz/portfolio";
import { AuctionBook } from "../fuzz/auctionSteps";
import { checkState, observe, type Observation } from "./checks";
import { profiledCommand, timed } from "./profile";

/** The stateful deployment: 3 markets, 3 collateral tokens, insurance exits of 1 h cooldown and 1 h window. */
export async function statefulProtocol(): Promise<FuzzProtocol> {
  const params = fuzzParams(3, 3);
  params.insurance.cooldown = "1h";
  params.insurance.unstakeWindow = "1h";
  params.auction.dustMargin = "5 USDC";
  const f = await buildFuzzProtocol(params);
  // The market maker also deposits collateral tokens.
  for (const token of Object.values(f.tokens)) {
    await (await token.connect(f.maker).mint(f.maker.address, 2n ** 200n)).wait();
    await (await token.connect(f.maker).approve(await f.vault.getAddress(), ethers.MaxUint256)).wait();
  }
  // A second staker (traders[6]).
  const s = f.traders[6];
  await (await f.cash.connect(s).mint(s.address, 2n ** 128n)).wait();
  await (await f.cash.connect(s).approve(await f.fund.getAddress(), ethers.MaxUint256)).wait();
  await warmUp(f);
  return f;
}

/**
 * The starting state of every run (in the snapshot): stakers fund the insurance fund; the two traders hold cash,
 * collateral and 4-8x leveraged positions against the maker in every market, so that moderate price moves make
 * accounts liquidatable within a few steps.
 */
async function warmUp(f: FuzzProtocol): Promise<void> {
  const USDC = 10n ** 6n;
  await (await f.fund.connect(f.traders[5]).deposit(50_000n * USDC, f.traders[5].address)).wait();
  await (await f.fund.connect(f.traders[6]).deposit(20_000n * USDC, f.traders[6].address)).wait();
  const [t0, t1] = [f.traders[0], f.traders[1]];
  const dep = async (who: HardhatEthersSigner, token: string, amount: bigint) =>
    (await f.vault.connect(who).deposit(accountId(who.address), token, amount)).wait();
  const cash = await f.cash.getAddress();
  const [weth, wbtc] = f.d.tokenAddresses;
  await dep(t0, cash, 4_000n * USDC);
  await dep(t0, weth, 10n ** 18n); // 1 WETH
  await dep(t1, cash, 3_000n * USDC);
  await dep(t1, wbtc, 5_000_000n); // 0.05 WBTC
  const r0 = new Runner(f, t0);
  const r1 = new Runner(f, t1);
  const WAD = 10n ** 18n;
  // t0: long 4 ETH, short 0.2 BTC, long 20,000 DOGE; t1: short 3 ETH, long 0.15 BTC, short 30,000 DOGE.
  const plan: [Runner, number, bigint][] = [
    [r0, 0, 4n * WAD],
    [r0, 1, -WAD / 5n],
    [r0, 2, 20_000n * WAD],
    [r1, 0, -3n * WAD],
    [r1, 1, (3n * WAD) / 20n],
    [r1, 2, -30_000n * WAD],
  ];
  for (const [r, id, size] of plan) {
    const now = await r.prepare(2n);
    const price = await f.oracle.getPrice(f.d.marketAssets[id], { blockTag: "pending" });
    const res = await r.fill(id, size, price, now);
    if (res.revert) throw new Error(`warm-up fill reverted: ${res.revert.error}`);
  }
}

/** A signed order the suite tracks for INV-16. */
export interface OrderRecord {
  hash: string;
  size: bigint;
}

export class World {
  /** Actors: 0, 1 traders; 2 the market maker; 3, 4 bidders (who also trade). */
  readonly runners: Runner[];
  readonly keeper: HardhatEthersSigner;
  readonly stakers: HardhatEthersSigner[];
  readonly book: AuctionBook;
  /** Every account that can ever hold anything in the vault. */
  readonly accounts: bigint[];
  readonly orders: OrderRecord[] = [];
  /** Time of each token's last haircut decrease (VaultGovernance's cooldown). */
  readonly haircutDecreases = new Map<number, bigint>();
  readonly log: string[] = [];
  prev: Observation | undefined;

  constructor(readonly f: FuzzProtocol) {
    this.runners = [f.traders[0], f.traders[1], f.maker, f.traders[2], f.traders[3]].map((s) => {
      const r = new Runner(f, s);
      r.autoRefresh = false;
      return r;
    });
    this.keeper = f.traders[4];
    this.stakers = [f.traders[5], f.traders[6]];
    this.book = new AuctionBook(f, this.runners[0]);
    this.accounts = [...this.runners.map((r) => r.account), accountId(this.keeper.address), f.feeAccount];
    // Every snapshot of the latest block (the steps' model reads, their state checks, the observation) shares one
    // read of these accounts per block (issue #12).
    f.d.cache = { accounts: this.accounts };
    // The fixture object outlives loadFixture's chain reverts: reset what a run may change.
    f.d.rates.base = f.plan.cash.baseRatePerYear;
    f.d.rates.slope = f.plan.cash.rateSlopePerYear;
  }

  /** The step's timestamp, `gap` seconds after the latest block (set for the next transaction). */
  async next(gap = 1n, moves?: Map<string, number>): Promise<bigint> {
    return this.runners[0].prepare(gap, moves);
  }

  /** Runs one step, then observes the protocol and checks every invariant (docs/INVARIANTS.md) against the last step. */
  async step(label: string, body: () => Promise<string>): Promise<void> {
    // The step's first block: after the last observed one.
    const t0 = performance.now();
    const first = Number(this.prev?.block ?? BigInt(await ethers.provider.getBlockNumber())) + 1;
    let detail: string;
    try {
      detail = await timed("step", body);
    } catch (e) {
      this.log.push(`${label} -> threw`);
      throw e;
    }
    this.log.push(`${label} -> ${detail}`);
    countCommands();
    const cur = await observe(this.f, this.accounts, this.book);
    await timed("check", async () => {
      const socialised = (await this.f.vault.queryFilter(this.f.vault.filters.LossSocialised(), first)).length > 0;
      checkState(this.f, this.accounts, this.prev, cur, socialised);
    });
    profiledCommand(/^\["(\w+)"/.exec(label)?.[1] ?? label, performance.now() - t0);
    this.prev = cur;
  }
}
