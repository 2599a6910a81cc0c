// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICollateralVault} from "./ICollateralVault.sol";
import {IOracleRouter} from "./IOracleRouter.sol";

/// @title IMarginEngine
/// @custom:security-contact security@ballast.finance
/// @notice Accounts, perpetual markets, positions, funding, volatility-adjusted margin and margin checks.
/// @dev Units: prices WAD cash per base unit; sizes WAD base units, signed (long > 0); ratios WAD
/// (0.05e18 = 5%); cash values WAD; time seconds.
///
/// Position value (unrealised PnL plus accrued funding) of a position `(size, basis)` in a market with mark price
/// `P` and cumulative funding index `F` is `size * (P - F) - basis`: `basis` is the entry notional net of the
/// funding index at entry, so PnL and funding share one slot. Equity = cash + sum of haircut collateral values +
/// sum of position values (rounded down). Maintenance margin = sum |size| * P * mmr; initial margin = sum
/// |size| * P * (imr + imrSizeFactor * |size|) capped at 100% (rounded up). An account is liquidatable iff
/// equity < maintenance margin. Health factor = equity / maintenance margin. Both margins rise with a position's
/// notional in the market's margin tiers ({MarginTier}).
///
/// Prices used by margin checks of trades and withdrawals are oracle prices at most `maxPriceAge` seconds old
/// (a cached price older than that is refreshed from the oracle first). `accountMargin` and every liquidation
/// decision read the oracle fresh.
interface IMarginEngine {
    /// @notice Scope of an operator (session key).
    enum Scope {
        None,
        Trade,
        Full
    }

    /// @notice A fill reported by a venue. The maker receives `-takerSize`.
    /// @param maker Maker account id.
    /// @param taker Taker account id.
    /// @param marketId Market traded.
    /// @param takerSize Signed size change of the taker, WAD base units (> 0 buys).
    /// @param price Fill price, WAD.
    /// @param makerFee Fee charged to the maker, WAD cash.
    /// @param takerFee Fee charged to the taker, WAD cash.
    /// @param makerReduceOnly The maker's order may only reduce the maker's position.
    struct Trade {
        uint256 maker;
        uint256 taker;
        uint16 marketId;
        int256 takerSize;
        uint256 price;
        uint256 makerFee;
        uint256 takerFee;
        bool makerReduceOnly;
    }

    /// @notice The values the market configurator pushes into the engine for one market (WAD unless stated).
    /// @param mmrTarget Maintenance margin ratio the effective ratio ramps toward.
    /// @param imrTarget Initial margin ratio the effective ratio ramps toward; > mmrTarget.
    /// @param maxStepPerHour Largest change of an effective ratio per hour (absolute).
    /// @param imrSizeFactor Initial margin ratio added per base unit of |size| (0 disables size scaling).
    /// @param openInterestCap Largest long open interest, WAD base units.
    /// @param maxFundingRatePer8h Largest |funding rate| per 8 hours (0.01e18 = 1% per 8 h).
    /// @param maxFillDeviation Largest |fill price - index| / index accepted.
    struct MarketSetup {
        uint64 mmrTarget;
        uint64 imrTarget;
        uint64 maxStepPerHour;
        uint64 imrSizeFactor;
        uint112 openInterestCap;
        uint64 maxFundingRatePer8h;
        uint64 maxFillDeviation;
    }

    /// @notice One margin tier of a market (issue #14 item 2): above `notionalThreshold` the maintenance and initial
    /// ratios of the notional beyond it rise by the add-ons (cumulative over the market's base ratios).
    /// @dev Rule (continuous, piecewise linear, like Binance's and Hyperliquid's "maintenance amount"): with tiers
    /// i = 0..n-1, thresholds T_i, cumulative add-ons A_i (A_-1 = 0) and notional N = |size| * mark (rounded up),
    /// requirement = ceil((N * ratio + sum over T_i <= N of (A_i - A_(i-1)) * (N - T_i)) / 1e18), the initial one
    /// capped at N. The marginal ratio of the notional in [T_i, T_(i+1)) is ratio + A_i: no jump at a threshold.
    /// @param notionalThreshold Notional at which the tier starts, WAD cash; strictly increasing, >= 1e18.
    /// @param mmrAddOn Maintenance ratio added to the market's mmr above the threshold, WAD; non-decreasing.
    /// @param imrAddOn Initial ratio added to the market's imr above the threshold, WAD; non-decreasing, >= mmrAddOn.
    struct MarginTier {
        uint128 notionalThreshold;
        uint64 mmrAddOn;
        uint64 imrAddOn;
    }

    /// @notice Everything the engine stores about a market, for views. `mmr` and `imr` are the effective ratios at
    /// the current block time (WAD): `rampFromMmr`/`rampFromImr` (stored at `rampStart`, a timestamp) moved toward
    /// `setup`'s targets by floor(maxStepPerHour * (now - rampStart) / 1 h), never past them (issue #11 class 6).
    /// `tiers` are the margin tiers' targets and `tierRampFrom` their add-ons at `tierRampStart`; the add-ons in
    /// force now are min(target, from + floor(tierRampStepPerHour * (now - tierRampStart) / 1 h)).
    struct MarketView {
        bytes32 oracleAsset;
        bool listed;
        bool reduceOnly;
        uint256 cachedPrice;
        uint256 cachedPriceTimestamp;
        uint256 mmr;
        uint256 imr;
        int256 cumulativeFunding;
        int256 fundingRatePerSecond;
        uint256 lastUpdate;
        int256 premium;
        int256 premiumAccumulator;
        uint256 fundingEpoch;
        uint256 longOpenInterest;
        int256 totalBasis;
        MarketSetup setup;
        uint256 rampFromMmr;
        uint256 rampFromImr;
        uint256 rampStart;
        MarginTier[] tiers;
        MarginTier[] tierRampFrom;
        uint256 tierRampStart;
        uint256 tierRampStepPerHour;
    }

    /// @notice Margin state of an account.
    /// @param equity WAD cash, rounded down.
    /// @param maintenanceMargin WAD cash, rounded up.
    /// @param initialMargin WAD cash, rounded up.
    /// @param healthFactor equity / maintenanceMargin, WAD, rounded down; type(uint256).max with no margin
    /// requirement and non-negative equity (an empty account included); otherwise 0 when equity <= 0.
    /// @param liquidatable equity < maintenanceMargin.
    struct MarginState {
        int256 equity;
        uint256 maintenanceMargin;
        uint256 initialMargin;
        uint256 healthFactor;
        bool liquidatable;
    }

    // ----------------------------------------------------------------- errors
    /// @notice The caller is not a registered venue.
    error EngineUnauthorizedVenue(address caller);
    /// @notice Only the bound liquidation module may call.
    error EngineOnlyLiquidator(address caller);
    /// @notice Only the bound market configurator may call.
    error EngineOnlyConfigurator(address caller);
    /// @notice Only the vault may call.
    error EngineOnlyVault(address caller);
    /// @notice No market is listed under this id.
    error EngineMarketUnknown(uint256 marketId);
    /// @notice The market is reduce-only and the fill would increase `account`'s risk.
    error EngineMarketReduceOnly(uint256 marketId, uint256 account);
    /// @notice Trading is paused and the fill would increase `account`'s risk.
    error EngineTradingPaused(uint256 account);
    /// @notice A fill of size zero.
    error EngineZeroSize();
    /// @notice Both sides of a fill (or of a portfolio transfer) are the same account.
    error EngineSelfTrade(uint256 account);
    /// @notice The account would end below initial margin (WAD cash values) without strictly reducing risk, or with
    /// negative equity (no fill may leave an account insolvent: only its auction resolves a deficit, review H-1).
    error EngineInsufficientMargin(uint256 account, int256 equity, uint256 initialMargin);
    /// @notice A risk-reducing fill would leave `account` below maintenance margin at a price (WAD) worse for it than
    /// the mark (WAD): a liquidatable account may reduce only at the mark or better (issue #11 class 1).
    error EngineLiquidatableFillWorseThanMark(uint256 account, uint256 price, uint256 markPrice);
    /// @notice An isolated account holding `heldMarket` tried to open `newMarket`.
    error EngineIsolatedAccountSecondMarket(uint256 account, uint256 heldMarket, uint256 newMarket);
    /// @notice The account already holds `maxMarkets` markets.
    error EngineTooManyMarkets(uint256 account, uint256 maxMarkets);
    /// @notice The fill would take long open interest (WAD base units) above the cap.
    error EngineOpenInterestCapExceeded(uint256 marketId, uint256 cap, uint256 openInterest);
    /// @notice The fill price deviates from the index by more than the market's band (WAD).
    error EngineFillPriceOutOfBand(uint256 marketId, uint256 price, uint256 indexPrice, uint256 maxDeviation);
    /// @notice A reduce-only order would increase or flip the maker's position.
    error EngineReduceOnlyViolated(uint256 account, uint256 marketId, int256 sizeBefore, int256 sizeAfter);
    /// @notice Total negative cash is above the borrow cap and the fill would add risk on negative cash.
    error EngineBorrowCapExceeded(uint256 account);
    /// @notice A parameter is outside its hard bounds.
    error EngineParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice Isolation can only change while the account holds no position.
    error EngineAccountHasPositions(uint256 account);
    /// @notice Unknown operator scope.
    error EngineInvalidScope(uint8 scope);
    /// @notice A zero address where one is not allowed.
    error EngineZeroAddress();
    /// @notice The market list is full.
    error EngineTooManyMarketsListed(uint256 maxMarkets);
    /// @notice Margin tier `index`'s `parameter` is outside [min, max] (count, threshold order, add-on order/bounds).
    error EngineMarginTierOutOfBounds(uint256 index, bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice A fraction argument is zero or above 1e18.
    error EngineInvalidFraction(uint256 fraction);
    /// @notice A one-time binding was already made.
    error EngineAlreadyBound(address current);
    /// @notice Ether was sent to the engine, which holds none.
    error EngineValueSent(uint256 value);
    /// @notice `deleverage` was given `given` deficit parts for an account holding `held` markets.
    error EngineDeleveragingPartsMismatch(uint256 account, uint256 held, uint256 given);

    // ----------------------------------------------------------------- events
    /// @notice `owner` set `operator`'s scope and expiry (seconds timestamp).
    event OperatorSet(address indexed owner, address indexed operator, Scope scope, uint64 expiry);
    /// @notice An account became isolated or cross.
    event AccountIsolationSet(uint256 indexed account, bool isolated);
    /// @notice The configurator listed a market.
    event MarketListed(uint256 indexed marketId, bytes32 oracleAsset, MarketSetup setup);
    /// @notice The configurator changed a market's targets and limits (effective ratios ramp toward them).
    event MarketConfigured(uint256 indexed marketId, MarketSetup setup);
    /// @notice The configurator set a market's margin tiers (targets); increases ramp from `rampStart` (seconds) at
    /// `stepPerHour` (WAD per hour), decreases applied at once.
    event MarketMarginTiersSet(uint256 indexed marketId, MarginTier[] tiers, uint256 rampStart, uint256 stepPerHour);
    /// @notice A market became reduce-only or left that state.
    event MarketReduceOnlySet(uint256 indexed marketId, bool reduceOnly);
    /// @notice Risk-increasing trading was paused or unpaused.
    event TradingPausedSet(bool paused);
    /// @notice A venue was registered or removed.
    event VenueSet(address indexed venue, bool allowed);
    /// @notice The maximum age of cached prices in margin checks changed (seconds).
    event MaxPriceAgeSet(uint256 maxPriceAge);
    /// @notice The liquidation module was bound (once).
    event LiquidatorBound(address liquidator);
    /// @notice The market configurator was bound (once).
    event ConfiguratorBound(address configurator);
    /// @notice A venue's fill was settled. Sizes WAD base; price, fees and realised PnL (including funding,
    /// settled into cash) WAD cash. Positions after the fill: `position(account, marketId)`.
    event TradeSettled(
        address indexed venue,
        uint256 indexed marketId,
        uint256 indexed maker,
        uint256 taker,
        int256 takerSize,
        uint256 price,
        uint256 makerFee,
        uint256 takerFee,
        int256 makerRealisedPnl,
        int256 takerRealisedPnl
    );
    /// @notice A funding epoch closed: `twapPremiumPer8h` (WAD per 8 h, clamped) set the new per-second rate (WAD).
    event FundingRateUpdated(uint256 indexed marketId, int256 twapPremiumPer8h, int256 fundingRatePerSecond);
    /// @notice Automated deleveraging: bankrupt `account`'s position of `size` (WAD base, signed) in `marketId` was
    /// closed at `bankruptcyPrice` (WAD; the mark was `markPrice`) against every position on the other side, each
    /// reduced by the fraction `phi` (WAD): that side's `eventNumber`-th event (side 0: longs, 1: shorts).
    /// `covered` (WAD cash, rounded down) is what the other side gave up against closing at the mark.
    event MarketDeleveraged(
        uint256 indexed marketId,
        uint256 indexed account,
        uint256 side,
        uint256 eventNumber,
        int256 size,
        uint256 bankruptcyPrice,
        uint256 markPrice,
        uint256 phi,
        uint256 covered
    );
    /// @notice `account`'s position in `marketId` was settled with its side's ADL events `fromEvent` + 1 to
    /// `toEvent` (their prices: `MarketDeleveraged`): `sizeClosed` (WAD base, the sign of the position) closed for
    /// `proceeds` (WAD cash: the closed size times closing price minus funding index, folded into the basis: no cash
    /// moves) and `realisedPnl` (WAD cash: proceeds minus the closed part's share of the basis).
    event PositionDeleveraged(
        uint256 indexed account,
        uint256 indexed marketId,
        uint256 fromEvent,
        uint256 toEvent,
        int256 sizeClosed,
        int256 proceeds,
        int256 realisedPnl
    );

    // ----------------------------------------------------------------- accounts
    /// @notice Lets `operator` act for every account of the caller with `scope` until `expiry` (seconds).
    /// @dev Trade scope: sign orders and fill as taker. Full scope: also withdraw and transfer cash.
    /// Scope None revokes. Reverts: `EngineZeroAddress`, `EngineInvalidScope`.
    function setOperator(address operator, Scope scope, uint64 expiry) external;

    /// @notice Marks the caller's subaccount isolated (at most one market at a time) or cross.
    /// @dev Reverts with `EngineAccountHasPositions` unless the account holds no position.
    function setAccountIsolated(uint96 subaccountId, bool isolated) external;

    /// @notice True when `caller` is `owner` or an unexpired operator of `owner` with at least `scope`.
    function isAuthorized(address owner, address caller, Scope scope) external view returns (bool);

    // ----------------------------------------------------------------- trading
    /// @notice Venue only: settles a fill between two accounts and margin-checks both.
    /// @dev Order: price band (against a fresh index if the cached one rejects the fill), market update (funding,
    /// ramp, premium: the fill moves it toward its sample by min(1, |size| / (openInterestCap * 1%))), positions and
    /// realised PnL, open-interest cap, cash settlement in the vault (fees to `feeAccount`), then margin checks at
    /// the effective ratios now. An account must end at or above initial margin unless the fill strictly reduces
    /// its risk: its |size| falls without flipping and its margin surplus over maintenance at the mark does not
    /// fall; if it then ends below maintenance margin, the fill's price must be no worse than the mark for it
    /// (`EngineLiquidatableFillWorseThanMark`), and it must not end with negative equity (INV-30: no fill leaves an
    /// account insolvent; `EngineInsufficientMargin`). Reverts with the errors listed in this interface.
    function settleTrade(Trade calldata trade, uint256 feeAccount) external;

    /// @notice Refreshes `marketId`'s cached price from the oracle (reverting on an invalid price) and accrues
    /// funding; stores the targets of a finished ramp (the effective ratios are a function of time and do not
    /// change). Anyone.
    function updateMarket(uint256 marketId) external;

    // ----------------------------------------------------------------- vault and liquidator hooks
    /// @notice Vault only: the margin inputs the engine holds for `account`, at cached prices no older than
    /// `maxAge` (refreshed first), for a withdrawal or an outgoing cash transfer. The vault adds its collateral and
    /// requires cash + collateral value + `value` >= initial margin.
    /// @dev Unrealised profit never backs a withdrawal (INV-28): a position in profit counts 0 here, a position at a
    /// loss its full (negative) value, so only cash and collateral the account holds can leave it, and profit can be
    /// taken out once a trade has realised it, i.e. once a counterparty has paid it in cash (what a manipulated index
    /// alone cannot do: Mango Markets, October 2022). Trades still count profit as margin.
    /// @return value Sum of the values (unrealised PnL plus funding) of the account's positions at a loss, WAD cash,
    /// each rounded down (0 when none is at a loss).
    /// @return initialMargin Sum of the positions' initial margins, WAD cash, rounded up.
    /// @return maxAge The engine's `maxPriceAge`, for the vault's own collateral prices.
    function positionsMargin(uint256 account) external returns (int256 value, uint256 initialMargin, uint256 maxAge);

    /// @notice Liquidator only: moves `fraction` (WAD, (0, 1e18]) of every position and balance of `from` to `to`,
    /// and applies the bid's zero-sum cash `legs` in the same vault call.
    /// @dev Rounded in favour of the account the share leaves (BUG-1, docs/TESTING.md): each size moves
    /// ceil(|size| * fraction) away from zero and its basis in proportion to the size moved, rounded up, so `from`
    /// keeps the lower basis; 1e18 moves everything exactly. A position of `to` that nets to
    /// zero realises its basis into cash (the vault's `CashSettled`). Not subject to open-interest caps or pauses.
    /// The liquidation module's `AuctionBid` event states the fraction and every amount.
    function transferPortfolio(uint256 from, uint256 to, uint256 fraction, ICollateralVault.CashLegs calldata legs) external;

    /// @notice Liquidator only: automated deleveraging (ADL) of bankrupt `account`. Each of its positions, in market
    /// order, is closed at the bankruptcy price that makes the other side of that market carry `parts[i]` (WAD cash)
    /// of the deficit the insurance fund cannot pay, against every position on the other side, each reduced by the
    /// same fraction phi = |size| / open interest (exactly pro-rata by size; docs/LIQUIDATION.md). The account's
    /// result at those prices is settled into its cash (its collateral and debt stay for the auction).
    /// @dev Bounded by the account's markets (at most MAX_ACCOUNT_MARKETS); no counterparty is read: each side keeps a
    /// cumulative index and a position is settled with it when next touched (`PositionDeleveraged`). Rounding: see
    /// {DeleveragingMath}. A part of 0 closes the position at the mark (the other side gives up nothing against
    /// it). The account is credited the matched part (phi x open interest, rounded down) at the bankruptcy price and the
    /// unmatched dust at the mark only if that is a loss. Prices are read fresh. A market whose position exceeds the open interest (ADL
    /// rounding dust), whose phi is 0 or whose event would leave the side's size factor below
    /// `DeleveragingMath.MIN_KEEP` is skipped (its position stays for the auction). Funding accrues first.
    /// Reverts: `EngineOnlyLiquidator`, `EngineDeleveragingPartsMismatch`, an invalid price.
    /// @return covered Sum over the markets closed of what the other side gave up against closing at the mark (WAD
    /// cash, each rounded down): at least their parts unless a bankruptcy price hit 0 or 2**96 - 1.
    function deleverage(uint256 account, uint256[] calldata parts) external returns (uint256 covered);

    /// @notice Anyone: settles `account`'s position in `marketId` with its side's ADL events now, storing it and
    /// emitting `PositionDeleveraged` (every trade, bid and view does the same as it reads the position). Does
    /// nothing when there is nothing to settle.
    function settleDeleveraging(uint256 account, uint256 marketId) external;

    // ----------------------------------------------------------------- configurator hooks
    /// @notice Configurator only: lists a market priced by `oracleAsset`; its effective ratios start at the targets,
    /// and so do the margin tiers the configurator holds for it (`IMarketConfigurator.marginTiers`, read back).
    /// @dev Validates `setup` against `RiskBounds` (reverts `EngineParameterOutOfBounds`), the tiers as in
    /// {configureMarket}, and that the oracle prices the asset. Returns the new market id (0, 1, ...).
    function listMarket(bytes32 oracleAsset, MarketSetup calldata setup) external returns (uint256 marketId);
    /// @notice Configurator only: replaces a market's targets and limits; a new ramp starts now from the effective
    /// ratios of the old one.
    /// @dev Validates against `RiskBounds`. Effective ratios move toward the new targets by at most
    /// `maxStepPerHour` per hour as a function of block time, so no single block can push healthy accounts under.
    /// Margin tiers: the engine reads the configurator's current tiers back (`IMarketConfigurator.marginTiers`)
    /// and re-applies them (see {MarginTier}); reverts `EngineMarginTierOutOfBounds(index, parameter, value, min,
    /// max)` unless count <= 4, thresholds strictly increase from >= 1e18 (< 2**128), mmr add-ons are non-decreasing
    /// and <= `RiskBounds.MAX_TIER_MMR_ADD_ON`, imr add-ons non-decreasing, >= the tier's mmr add-on and <=
    /// `RiskBounds.MAX_TIER_IMR_ADD_ON`. No requirement jumps up at once: each tier's add-ons start at the lower of
    /// their target and the add-on in force now at its threshold under the previous tiers, and rise toward the
    /// target by at most `maxStepPerHour` per hour (snapshotted), so the requirement at any notional N rises by at
    /// most N * maxStepPerHour per hour; decreases apply at once; a market without open interest takes the targets
    /// at once. Unchanged tiers keep the add-ons in force (their ramp continues from now).
    function configureMarket(uint256 marketId, MarketSetup calldata setup) external;
    /// @notice Configurator only: sets or clears a market's reduce-only state.
    function setMarketReduceOnly(uint256 marketId, bool reduceOnly) external;

    // ----------------------------------------------------------------- governance
    /// @notice Guardian: pauses risk-increasing trades everywhere (risk-reducing trades stay possible).
    function pauseTrading() external;
    /// @notice Risk manager: unpauses trading.
    function unpauseTrading() external;
    /// @notice Admin: registers or removes a venue.
    function setVenue(address venue, bool allowed) external;
    /// @notice Risk manager: maximum age in seconds (<= `MAX_PRICE_AGE_LIMIT`) of cached prices in margin checks.
    function setMaxPriceAge(uint32 maxPriceAge) external;
    /// @notice Admin, once: binds the liquidation module.
    function bindLiquidator(address liquidator) external;
    /// @notice Admin, once: binds the market configurator.
    function bindConfigurator(address configurator) external;

    // ----------------------------------------------------------------- views
    // Only the views other contracts call inside a transaction are the engine's own; the rest, read by the lens and
    // off-chain tools, are {IMarginEngineViews}, answered at the engine's address by its view module.
    /// @notice Margin state of `account` from given vault inputs at fresh oracle market prices (the auction reads
    /// the vault once and passes its inputs here); reverts on any invalid price.
    function accountMarginWithCollateral(
        uint256 account,
        ICollateralVault.MarginCollateral memory collateral
    ) external view returns (MarginState memory);
    /// @notice The oracle asset pricing `marketId`.
    function oracleAssetOf(uint256 marketId) external view returns (bytes32);
    /// @notice Bitmap of markets in which `account` has a position, and whether it is isolated.
    function accountInfo(uint256 account) external view returns (uint128 markets, bool isolated);
    /// @notice Number of listed markets.
    function marketCount() external view returns (uint256);
    /// @notice The oracle router whose prices are the index of every market (immutable).
    function oracle() external view returns (IOracleRouter);
    /// @notice The contract whose code answers {IMarginEngineViews} at this engine's address (immutable, created
    /// by the engine's constructor).
    /// @dev Any call whose selector the engine does not know runs that code on the engine's storage
    /// (DELEGATECALL); every function it has is a view, so such a call reads and never writes.
    function viewModule() external view returns (address);
    /// @notice The module that runs automated deleveraging's events on the engine's storage (created by the engine's
    /// constructor, its second contract creation; {deleverage} DELEGATECALLs it after checking the caller).
    function deleveragingModule() external view returns (address);
}
