// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILiquidationAuction
/// @custom:security-contact security@ballast.finance
/// @notice Dutch auctions of under-margined accounts' whole portfolios.
/// @dev Quantities of an account, at fresh oracle prices (all WAD cash):
///  - E: margin equity (haircut collateral) and M: maintenance margin, as the engine computes them;
///  - V = E + H: mark-to-market value, H being the collateral haircut amount (value - haircut value);
///  - R = M + H: the requirement including haircuts. The account is liquidatable iff E < M (iff V < R).
/// Price. A bid takes a fraction f (WAD) of every position and balance. Its unit price B(t) is the cash the
/// bidder pays per whole portfolio, t being the auction clock (valid seconds only, see `clock`):
///  - V > 0 and t <= T_s = fastDuration + slowDuration: B = pi(t) * V with pi falling linearly from startPrice to
///    fastPrice over fastDuration, then to floorPrice over slowDuration;
///  - V > 0 and t > T_s: B = max(0, floorPrice * V - (floorPrice * V + insolventBonus * R) * min(1, (t - T_s) / insolventDuration)):
///    a solvent account is never priced below zero, so the insurance fund pays only for bad debt (INV-26);
///  - V <= 0: B = V - insolventBonus * R * min(1, t_i / insolventDuration), t_i being the clock seconds since the
///    account's insolvency was recorded (at the start or a restart when V <= 0 then, else by the first `checkpoint` that
///    finds V <= 0 at valid prices; t_i = 0 while none is recorded). So the bonus is a Dutch auction of its own from
///    the moment insolvency is known, and a solvent account crossing V = 0 late is not paid at once the whole bonus
///    (review R3-1).
/// When B >= 0 the bidder pays f * B to the account, and the account pays a penalty f * min(penaltyRate * R, pi * V)
/// (split insuranceShare to the fund, the rest to the bidder; all of it to the bidder when R < dustMargin, a small
/// portfolio whose largest fraction is the whole: issue #13 item 3), so a bid never lowers the account's health factor.
/// When B < 0 the bidder receives f * |B|: first from the insurance fund (per-event cap), then socialised over all
/// positive cash through the vault's supply index. A bid takes at most what restores E >= (1 + bufferRatio) * M
/// (`maxFraction`), or everything when R is below `dustMargin` or V <= 0. The bidder's account must end at or
/// above initial margin.
interface ILiquidationAuction {
    /// @notice What the circuit breaker stops (docs/LIQUIDATION.md, "Circuit breakers and stop levels"); each level
    /// stops everything the levels below it stop. External functions and events carry it as its integer (0..3).
    /// @dev None (0): nothing stopped. NoNewAuctions (1): `startAuction` reverts. NoNewAuctionsOrRestarts (2): also
    /// `restartAuction`. Halted (3): also every bid, and every auction clock stops (leaving it records `haltEndedAt`).
    /// The admin sets any level; the guardian only raises it, to at most NoNewAuctionsOrRestarts.
    enum StopLevel {
        None,
        NoNewAuctions,
        NoNewAuctionsOrRestarts,
        Halted
    }

    /// @notice Auction parameters (WAD ratios, seconds, WAD cash), each within hard bounds (see `setParams`).
    struct AuctionParams {
        uint64 startPrice;
        uint64 fastPrice;
        uint64 floorPrice;
        uint32 fastDuration;
        uint32 slowDuration;
        uint32 insolventDuration;
        uint64 insolventBonus;
        uint64 bufferRatio;
        uint64 penaltyRate;
        /// @dev Base fee [gwei] up to which `flatTip` is paid as set; above it the flat tip grows in proportion to the
        /// block's base fee, so starting an auction stays worth a keeper's gas in a crash (issue #13); 0: never scaled.
        /// Packed into the slot `penaltyRate` already occupies, which a start reads anyway.
        uint32 tipBaseFee;
        uint64 insuranceShare;
        uint64 tipRate;
        uint128 flatTip;
        uint128 dustMargin;
    }

    /// @notice Stored state of one auction (one slot).
    /// @param startTime Start (or restart) timestamp. @param checkpoint Last clock update. @param elapsed Valid
    /// seconds counted up to `checkpoint`. @param guaranteedUntil Earliest time any of the account's prices could
    /// go stale, as known at `checkpoint`. @param validAtCheckpoint Every price was valid at `checkpoint`.
    /// @param active The auction is running. @param market Single market held at start (when `multi` is false).
    /// @param multi The account held several markets at start (bitmap in the auction's terms slot).
    /// @param badDebtRecorded The account's deficit -V at start (its known bad debt) is recorded in the terms slot.
    /// @param paramsVersion The parameter set the auction started with (no later `setParams` changes it).
    /// @param shortfallMicro M - E at start in micro cash units (1e-6 cash = 1e12 wei), rounded up and capped at
    /// 2**56 - 1 (72 billion cash units): times 1e12, what the auction counts against the circuit breakers until it
    /// ends. Single-market solvent auctions need no other slot (issue #13: one new slot per start).
    struct Auction {
        uint32 startTime;
        uint32 checkpoint;
        uint32 elapsed;
        uint32 guaranteedUntil;
        bool validAtCheckpoint;
        bool active;
        uint8 market;
        bool multi;
        bool badDebtRecorded;
        uint32 paramsVersion;
        uint56 shortfallMicro;
    }

    /// @notice An auction's live quote (all WAD; `elapsed` and `insolventSince` are auction-clock seconds).
    /// `insolvencyRecorded`: the account's insolvency is recorded, at clock reading `insolventSince` (the insolvent
    /// bonus grows from there; see the price formula above).
    struct Quote {
        bool active;
        uint256 elapsed;
        int256 equity;
        uint256 maintenanceMargin;
        int256 markToMarket;
        uint256 requirement;
        int256 unitPrice;
        uint256 maxFraction;
        uint64 nonce;
        bool insolvencyRecorded;
        uint256 insolventSince;
    }

    /// @notice Why an auction ended.
    enum EndReason {
        Restored,
        Emptied,
        Terminated
    }

    /// @notice The account is at or above maintenance margin (WAD cash values): it cannot be auctioned.
    error AuctionNotLiquidatable(uint256 account, int256 equity, uint256 maintenanceMargin);
    /// @notice The account's auction is already running.
    error AuctionAlreadyActive(uint256 account);
    /// @notice The account has no running auction.
    error AuctionNotActive(uint256 account);
    /// @notice The stop level forbids this action (`level` >= `blockingLevel`).
    error AuctionStopped(uint256 level, uint256 blockingLevel);
    /// @notice Starting would take the running shortfall of all auctions (WAD) above its cap.
    error AuctionGlobalShortfallCapExceeded(uint256 cap, uint256 total);
    /// @notice Starting would take the running shortfall of auctions touching `marketId` (WAD) above its cap.
    error AuctionMarketShortfallCapExceeded(uint256 marketId, uint256 cap, uint256 total);
    /// @notice The account changed since the bidder looked (front-running guard).
    error AuctionStaleNonce(uint256 account, uint64 expected, uint64 actual);
    /// @notice The unit price is above the bidder's limit (WAD cash per whole portfolio; negative = bidder paid).
    error AuctionPriceLimitExceeded(int256 unitPrice, int256 maxUnitPrice);
    /// @notice A bid's fraction is zero or above 1e18.
    error AuctionInvalidFraction(uint256 fraction);
    /// @notice The caller is neither the bidder account's owner nor a full-scope operator of it.
    error AuctionBidderUnauthorized(address caller, uint256 bidderAccount);
    /// @notice The bidder account is the liquidated account.
    error AuctionSelfBid(uint256 account);
    /// @notice The account is not back above the buffer: E must reach `target` (WAD).
    error AuctionAccountNotRestored(uint256 account, int256 equity, uint256 target);
    /// @notice A restart needs the whole price curve (`required` valid seconds) to have run.
    error AuctionNotStalled(uint256 account, uint256 elapsed, uint256 required);
    /// @notice A flash bidder's callback did not return `ILiquidationCallback.onLiquidationBid.selector`.
    error AuctionCallbackFailed(address bidder);
    /// @notice The bidder's account would end below initial margin (WAD cash values).
    error AuctionBidderBelowInitialMargin(uint256 bidderAccount, int256 equity, uint256 initialMargin);
    /// @notice A parameter is outside its hard bounds.
    error AuctionParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice The guardian may only raise the stop level, and at most to `GUARDIAN_MAX_STOP_LEVEL`.
    error AuctionGuardianCannotLoosen(uint256 currentLevel, uint256 requestedLevel);
    /// @notice A one-time binding was already made.
    error AuctionAlreadyBound(address current);
    /// @notice A zero address where a contract is required.
    error AuctionZeroAddress();
    /// @notice Automated deleveraging is not needed: the account holds no position, its insolvency is not recorded, it
    /// is solvent (`markToMarket` V > 0, WAD cash) or the insurance fund's `available` (WAD cash) for its event covers
    /// the `need` (WAD cash: -V plus the whole insolvent bonus on R).
    error AuctionDeleveragingNotNeeded(uint256 account, int256 markToMarket, int256 need, uint256 available);

    /// @notice An auction started: the starter's `tipAccount` received `tip`; valuation at start (WAD): margin equity,
    /// maintenance margin, mark-to-market value, and the shortfall counted against the circuit breakers (M - E rounded
    /// up to a whole 1e12 wei, see `Auction.shortfallMicro`; the tip uses the exact M - E).
    event AuctionStarted(
        uint256 indexed account,
        address indexed starter,
        uint256 tipAccount,
        uint256 tip,
        int256 equity,
        uint256 maintenanceMargin,
        int256 markToMarket,
        uint256 shortfall
    );
    /// @notice A bid took `fraction` at `unitPrice`: `payment` to the account, `penalty` from it (of which
    /// `penaltyToFund` to the insurance fund), `subsidy` to the bidder (from the fund and socialisation). WAD.
    event AuctionBid(
        uint256 indexed account,
        uint256 indexed bidderAccount,
        uint256 fraction,
        int256 unitPrice,
        uint256 payment,
        uint256 penalty,
        uint256 penaltyToFund,
        uint256 subsidy,
        uint256 elapsed
    );
    /// @notice The insurance fund paid `amount` (WAD) toward the auction of `account`.
    event InsuranceDrawn(uint256 indexed account, bytes32 indexed eventId, uint256 amount);
    /// @notice `amount` (WAD) of `account`'s loss was socialised over all positive cash (through the vault's supply
    /// index); `markets` is the bitmap of the markets the account held when its auction started.
    event BadDebtSocialised(uint256 indexed account, uint256 markets, uint256 amount);
    /// @notice An auction ended (`elapsed`: valid seconds on its clock); the account is unfrozen.
    event AuctionEnded(uint256 indexed account, EndReason reason, uint256 elapsed);
    /// @notice A stalled auction restarted with a new clock and `shortfall` (WAD, counted against the circuit breakers:
    /// M - E rounded up to a whole 1e12 wei).
    event AuctionRestarted(uint256 indexed account, uint256 shortfall);
    /// @notice `account`'s positions were closed by automated deleveraging for `deficit` (WAD cash: what the fund
    /// could not pay), the other sides giving up `covered` (WAD cash) against closing at the mark.
    event AuctionDeleveraged(uint256 indexed account, uint256 deficit, uint256 covered);
    /// @notice `account`'s insolvency (V <= 0) was recorded at auction-clock reading `elapsed` [s]: its insolvent
    /// bonus grows from there.
    event AuctionInsolvencyRecorded(uint256 indexed account, uint256 elapsed);
    /// @notice A `checkpoint` found `account` solvent again (V > 0) at auction-clock reading `elapsed` [s] and cleared
    /// its insolvency record: a later insolvency grows its bonus from zero again.
    event AuctionInsolvencyCleared(uint256 indexed account, uint256 elapsed);
    /// @notice The auction's clock was advanced to `elapsed` valid seconds; `valid`: every price is valid now.
    event AuctionClockUpdated(uint256 indexed account, uint256 elapsed, bool valid);
    /// @notice The auction parameters were set.
    event AuctionParamsSet(AuctionParams params);
    /// @notice The global running-shortfall cap (WAD) was set.
    event GlobalShortfallCapSet(uint256 cap);
    /// @notice A market's running-shortfall cap (WAD) was set.
    event MarketShortfallCapSet(uint256 indexed marketId, uint256 cap);
    /// @notice The stop level was set (`StopLevel` as its integer: 0 none, 1 no starts, 2 no starts or restarts,
    /// 3 nothing).
    event StopLevelSet(uint256 level);

    /// @notice Starts the auction of a liquidatable `account` (fresh, valid prices) and pays the caller's
    /// `tipAccount` a tip = min(F + tipRate * (R - V), penaltyRate * R, penaltyRate * max(V, 0)) from the account (an
    /// insolvent account pays none, so the insurance fund never funds a tip, and a solvent one stays solvent), where
    /// F = flatTip * max(1, basefee / tipBaseFee)
    /// (`block.basefee` against `tipBaseFee` gwei; F = flatTip when tipBaseFee is 0).
    /// @dev Freezes the account (deposits stay open). Reverts: `AuctionStopped` (level >= 1),
    /// `AuctionAlreadyActive`, `AuctionNotLiquidatable`, the circuit breakers, or the oracle's error.
    function startAuction(uint256 account, uint256 tipAccount) external;

    /// @notice Bids on `account`'s auction from `bidderAccount` (caller: its owner or a full-scope operator).
    /// @param fraction Requested fraction (WAD, (0, 1e18]); capped at `maxFraction`.
    /// @param expectedNonce The account's vault nonce the bidder priced (front-running guard).
    /// @param maxUnitPrice Highest unit price accepted (WAD cash per whole portfolio; negative: the bidder must be
    /// paid at least its magnitude).
    /// @param data Non-empty for a flash bid: the caller (a contract) receives the portfolio (and an insolvent
    /// portfolio's subsidy), is called back with `ILiquidationCallback.onLiquidationBid`, and pays afterwards.
    /// @dev Reverts: `AuctionStopped` (level 3), `AuctionNotActive`, `AuctionStaleNonce`,
    /// `AuctionPriceLimitExceeded`, `AuctionInvalidFraction`, `AuctionBidderUnauthorized`, `AuctionSelfBid`,
    /// `AuctionCallbackFailed`, `AuctionBidderBelowInitialMargin`, or the oracle's error.
    function bid(
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint64 expectedNonce,
        int256 maxUnitPrice,
        bytes calldata data
    ) external;

    /// @notice Anyone: automated deleveraging (ADL) of `account`'s running auction once it is insolvent and the
    /// insurance fund cannot pay what a final bid may claim: its positions are closed at their bankruptcy prices
    /// against every opposite position, pro-rata by size (docs/LIQUIDATION.md, "Automated deleveraging"), for the
    /// need the fund cannot pay; its collateral and cash stay in the auction.
    /// @dev Needed once the auction has recorded the account insolvent and -V + insolventBonus x R (a final bid's
    /// largest claim) at fresh prices exceeds the fund's `coverage(eventId)` available; the deficit handed to ADL is
    /// -V + insolventBonus x (R - M) (the claim once the positions are gone) beyond available, or 0 (the positions
    /// close at the mark), allotted to the markets by the positions' losses and capped at each loss. Bounded gas: the
    /// account's markets (at most 16); no counterparty is read. Reverts `AuctionNotActive`, `AuctionStopped` (stop
    /// level Halted), an oracle error, `AuctionDeleveragingNotNeeded`. Emits `AuctionDeleveraged(account, deficit,
    /// covered)`.
    function deleverage(uint256 account) external;

    /// @notice Ends `account`'s auction once its equity is back at or above (1 + bufferRatio) * M; anyone may call
    /// (the owner restores margin with a deposit first). An account left with only debt has it covered by the
    /// fund, then socialised, and ends.
    function terminateAuction(uint256 account) external;

    /// @notice Restarts an auction whose whole price curve ran without completing it (no tip). Level < 2.
    /// @dev The whole curve: `max(fastDuration + slowDuration, insolventSince) + insolventDuration` clock seconds, the
    /// recorded insolvency's reading counting when there is one; else `AuctionNotStalled(account, elapsed, required)`.
    function restartAuction(uint256 account) external;

    /// @notice Advances `account`'s auction clock (valid seconds only) and, at valid prices, keeps its insolvency record
    /// in step with V: records it when V <= 0 and none is recorded (the insolvent bonus then grows from this clock
    /// reading), clears it when V > 0. Anyone.
    /// @dev Never reverts on a bad price: the clock then counts what it can and the record is left as it is.
    function checkpoint(uint256 account) external;

    /// @notice Risk manager: sets the auction parameters within hard bounds, for auctions that start (or restart)
    /// afterwards; a running auction keeps the parameters it started with (see `auctionParams`).
    function setParams(AuctionParams calldata params) external;
    /// @notice Risk manager: cap on the total shortfall (WAD, at most 2**104 - 1) of running auctions.
    function setGlobalShortfallCap(uint256 cap) external;
    /// @notice Risk manager: cap on the total shortfall (WAD) of running auctions touching `marketId`.
    function setMarketShortfallCap(uint256 marketId, uint256 cap) external;
    /// @notice Admin (timelocked): sets any stop level 0..3 (`StopLevel` as its integer; 3, Halted, also stops bids,
    /// and stops every auction clock: leaving it records `haltEndedAt`).
    /// @dev Takes the integer, not the enum, so that a level above 3 reverts
    /// `AuctionParameterOutOfBounds("stopLevel", level, 0, 3)` rather than in the ABI decoder.
    function setStopLevel(uint8 level) external;
    /// @notice Guardian: raises the stop level to 1 (NoNewAuctions) or 2 (NoNewAuctionsOrRestarts).
    /// @dev Reverts `AuctionGuardianCannotLoosen(current, level)` below the current level or above 2.
    function raiseStopLevel(uint8 level) external;

    /// @notice The live quote of `account`'s auction at fresh prices (reverts on an invalid price).
    function quote(uint256 account) external view returns (Quote memory);
    /// @notice Stored auction state of `account`.
    function auctionOf(uint256 account) external view returns (Auction memory);
    /// @notice Auction clock of `account` now (valid seconds since start), without writing.
    function clock(uint256 account) external view returns (uint256 elapsed);
    /// @notice Current parameters: those the next auction (or restart) starts with.
    function params() external view returns (AuctionParams memory);
    /// @notice The parameters `account`'s running auction started (or restarted) with: a later `setParams` does not
    /// change them. All zero without a running auction.
    function auctionParams(uint256 account) external view returns (AuctionParams memory);
    /// @notice Known bad debt of running auctions not yet paid (WAD cash): the sum over auctions of insolvent accounts
    /// of their deficit -V at start (or restart), of which a subsidised bid of a fraction f of the portfolio settles f
    /// (rounded down) of what is left; the rest is released when the auction ends. The insurance fund marks its share
    /// price with it (class 8 of issue #11).
    function pendingBadDebt() external view returns (uint256);
    /// @notice Current stop level (`StopLevel` as its integer: 0 none, 1 no starts, 2 no starts or restarts,
    /// 3 nothing).
    function stopLevel() external view returns (uint8);
    /// @notice When stop level 3 last ended (unix seconds; 0 never): no auction clock counts a second before it
    /// (review M3: a halt never reprices running auctions by the time nobody could bid).
    function haltEndedAt() external view returns (uint256);
    /// @notice Running shortfall totals (WAD): global and for `marketId`, with their caps.
    function shortfallTotals(
        uint256 marketId
    ) external view returns (uint256 global, uint256 globalCap, uint256 market, uint256 marketCap);
}
