// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {ILiquidationCallback} from "../interfaces/ILiquidationCallback.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {AuctionMath} from "../libraries/AuctionMath.sol";
import {AuctionGovernance} from "./AuctionGovernance.sol";

/// @title LiquidationAuction
/// @custom:security-contact security@ballast.finance
/// @notice Dutch auctions of under-margined portfolios with a stopped clock, circuit breakers, flash bids and
/// an insurance backstop. See {ILiquidationAuction} for the price curve and the order in which losses are borne.
contract LiquidationAuction is ILiquidationAuction, AccessManaged, ReentrancyGuardTransient {
    using WadMath for uint256;
    using WadMath for int256;
    using SafeCast for uint256;
    using SafeCast for int256;

    uint256 internal constant WAD = 1e18;

    // ------------------------------------------------------------------ hard bounds (declared in AuctionGovernance)
    /// @notice startPrice in [0.8e18, 1e18] (80% .. 100% of mark-to-market value).
    uint256 public constant MIN_START_PRICE = AuctionGovernance.MIN_START_PRICE;
    /// @notice floorPrice >= 0.1e18 (10% of mark-to-market value).
    uint256 public constant MIN_FLOOR_PRICE = AuctionGovernance.MIN_FLOOR_PRICE;
    /// @notice Phase durations in [1 minute, 1 day].
    uint256 public constant MIN_DURATION = AuctionGovernance.MIN_DURATION;
    /// @notice Phase durations in [1 minute, 1 day].
    uint256 public constant MAX_DURATION = AuctionGovernance.MAX_DURATION;
    /// @notice insolventBonus <= 0.5e18 (50% of R).
    uint256 public constant MAX_INSOLVENT_BONUS = AuctionGovernance.MAX_INSOLVENT_BONUS;
    /// @notice bufferRatio <= 1e18 (restore up to 2x maintenance margin).
    uint256 public constant MAX_BUFFER_RATIO = AuctionGovernance.MAX_BUFFER_RATIO;
    /// @notice penaltyRate <= 0.5e18 (50% of R).
    uint256 public constant MAX_PENALTY_RATE = AuctionGovernance.MAX_PENALTY_RATE;
    /// @notice tipRate <= 0.5e18 (50% of the shortfall).
    uint256 public constant MAX_TIP_RATE = AuctionGovernance.MAX_TIP_RATE;
    /// @notice flatTip <= 1,000e18 (1,000 cash units).
    uint256 public constant MAX_FLAT_TIP = AuctionGovernance.MAX_FLAT_TIP;
    /// @notice dustMargin <= 100,000e18 (100,000 cash units).
    uint256 public constant MAX_DUST_MARGIN = AuctionGovernance.MAX_DUST_MARGIN;
    /// @notice Highest stop level (3, `StopLevel.Halted`: no starts, restarts or bids).
    uint8 public constant MAX_STOP_LEVEL = AuctionGovernance.MAX_STOP_LEVEL;
    /// @notice Highest stop level the guardian may set (2, `StopLevel.NoNewAuctionsOrRestarts`: bids continue).
    uint8 public constant GUARDIAN_MAX_STOP_LEVEL = AuctionGovernance.GUARDIAN_MAX_STOP_LEVEL;

    /// @notice The margin engine.
    IMarginEngine public immutable engine;
    /// @notice The collateral vault.
    ICollateralVault public immutable vault;
    /// @notice The oracle router (auction clock).
    IOracleRouter public immutable oracle;
    /// @notice The insurance fund.
    IInsuranceFund public immutable fund;

    /// @dev Per running auction, one slot: the markets held at start (when several), the parameter set it started
    /// with, which no later `setParams` changes (class 7 of issue #11: running auctions cannot be repriced), and its
    /// known bad debt not yet paid [wad] (class 8: the insurance fund's share price marks it).
    struct AuctionTerms {
        uint128 markets;
        uint32 paramsVersion;
        uint96 badDebt;
    }

    /// @dev Every parameter set ever set, by version (1, 2, ...); never overwritten, so a version fixes an auction's
    /// curve, penalty, buffer and dust limit for its whole life.
    mapping(uint256 version => AuctionParams) internal _paramsAt;
    uint32 internal _paramsVersion;
    /// @dev Sum over running auctions of their known pending bad debt [wad] (see `pendingBadDebt`).
    uint128 internal _pendingBadDebt;
    AuctionGovernance.Breaker internal _breaker;
    mapping(uint256 marketId => AuctionGovernance.MarketBreaker) internal _marketBreakers;
    mapping(uint256 account => Auction) internal _auctions;
    mapping(uint256 account => AuctionTerms) internal _terms;

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    constructor(
        address accessManager,
        IMarginEngine engine_,
        ICollateralVault vault_,
        IOracleRouter oracle_,
        IInsuranceFund fund_
    ) AccessManaged(accessManager) {
        if (
            address(engine_) == address(0) ||
            address(vault_) == address(0) ||
            address(oracle_) == address(0) ||
            address(fund_) == address(0)
        ) {
            revert AuctionZeroAddress();
        }
        engine = engine_;
        vault = vault_;
        oracle = oracle_;
        fund = fund_;
    }

    // ------------------------------------------------------------------ auctions

    /// @inheritdoc ILiquidationAuction
    function startAuction(uint256 account, uint256 tipAccount) external nonReentrant {
        AuctionGovernance.Breaker memory br = _breaker;
        if (br.stopLevel >= uint8(StopLevel.NoNewAuctions)) {
            revert AuctionStopped(br.stopLevel, uint8(StopLevel.NoNewAuctions));
        }
        if (_auctions[account].active) revert AuctionAlreadyActive(account);
        // Fresh prices: reverts with the oracle's error on any invalid price, so a bad price never liquidates.
        AuctionMath.Valuation memory v = _valuation(account);
        if (v.equity >= v.maintenanceMargin.toInt256()) revert AuctionNotLiquidatable(account, v.equity, v.maintenanceMargin);
        uint256 shortfall = _shortfall(v);

        (uint128 markets, ) = engine.accountInfo(account);
        br.shortfall = (uint256(br.shortfall) + shortfall).toUint104();
        if (br.shortfall > br.cap) revert AuctionGlobalShortfallCapExceeded(br.cap, br.shortfall);
        _breaker = br;
        _addMarketShortfall(markets, shortfall, true);

        uint256 freshUntil = _clockInput(account, markets, true).feedsUntil;
        Auction memory a = Auction({
            startTime: uint32(block.timestamp),
            checkpoint: uint32(block.timestamp),
            elapsed: 0,
            guaranteedUntil: uint32(WadMath.min(freshUntil, type(uint32).max)),
            validAtCheckpoint: true,
            active: true,
            market: 0,
            multi: false,
            shortfall: uint96(shortfall)
        });
        uint32 version = _paramsVersion;
        _storeTerms(account, a, markets, version, v.markToMarket);
        _auctions[account] = a;

        AuctionParams storage p = _paramsAt[version];
        uint256 tip = AuctionMath.tip(p.flatTip, p.tipRate, p.penaltyRate, shortfall, v.requirement, v.markToMarket);
        vault.startLiquidation(account, tipAccount, tip);
        emit AuctionStarted(account, msg.sender, tipAccount, tip, v.equity, v.maintenanceMargin, v.markToMarket, shortfall);
    }

    /// @inheritdoc ILiquidationAuction
    function bid(
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint64 expectedNonce,
        int256 maxUnitPrice,
        bytes calldata data
    ) external nonReentrant {
        (Auction memory a, AuctionMath.Take memory take) = _quoteBid(
            account,
            bidderAccount,
            fraction,
            expectedNonce,
            maxUnitPrice
        );
        _executeBid(account, bidderAccount, take, data);
        if (take.subsidy != 0) _subsidise(account, a, bidderAccount, take.subsidy);
        _requireBidderMargin(bidderAccount);
        emit AuctionBid(
            account,
            bidderAccount,
            take.fraction,
            take.unitPrice,
            take.payment,
            take.penalty,
            take.penaltyToFund,
            take.subsidy,
            a.elapsed
        );

        if (take.fraction == WAD) {
            _end(account, a, EndReason.Emptied);
        } else if (take.fraction == take.maxFraction && _restored(account)) {
            _end(account, a, EndReason.Restored);
        } else {
            _auctions[account] = a;
        }
    }

    /// @dev Checks a bid and prices it: stop level, auction, bidder authority, fraction, nonce (front-running
    /// guard), fresh valuation, clock, price limit.
    function _quoteBid(
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint64 expectedNonce,
        int256 maxUnitPrice
    ) internal returns (Auction memory a, AuctionMath.Take memory take) {
        if (_breaker.stopLevel >= uint8(StopLevel.Halted)) revert AuctionStopped(MAX_STOP_LEVEL, MAX_STOP_LEVEL);
        a = _auctions[account];
        if (!a.active) revert AuctionNotActive(account);
        if (bidderAccount == account) revert AuctionSelfBid(account);
        address bidderOwner = AccountLib.ownerOf(bidderAccount);
        if (msg.sender != bidderOwner && !engine.isAuthorized(bidderOwner, msg.sender, IMarginEngine.Scope.Full)) {
            revert AuctionBidderUnauthorized(msg.sender, bidderAccount);
        }
        if (fraction == 0 || fraction > WAD) revert AuctionInvalidFraction(fraction);
        uint64 nonce = vault.accountNonce(account);
        if (nonce != expectedNonce) revert AuctionStaleNonce(account, expectedNonce, nonce);
        // Fresh prices (a bad price reverts), then the clock over the window they prove valid.
        AuctionMath.Valuation memory v = _valuation(account);
        a = _advanceValid(account, a);
        take = AuctionMath.take(_termsOf(account), v, a.elapsed, fraction);
        if (take.unitPrice > maxUnitPrice) revert AuctionPriceLimitExceeded(take.unitPrice, maxUnitPrice);
        if (take.fraction == 0) revert AuctionAccountNotRestored(account, v.equity, 0);
    }

    /// @dev Moves the portfolio and settles the bid's cash; a flash bid calls the bidder back in between.
    function _executeBid(uint256 account, uint256 bidderAccount, AuctionMath.Take memory take, bytes calldata data) internal {
        ICollateralVault.CashLegs memory legs = _legs(take);
        if (data.length == 0) {
            engine.transferPortfolio(account, bidderAccount, take.fraction, legs);
            return;
        }
        engine.transferPortfolio(account, bidderAccount, take.fraction, ICollateralVault.CashLegs(0, 0, 0, 0));
        bytes4 ok = ILiquidationCallback(msg.sender).onLiquidationBid(account, bidderAccount, take.fraction, take.payment, data);
        if (ok != ILiquidationCallback.onLiquidationBid.selector) revert AuctionCallbackFailed(msg.sender);
        if (legs.toFrom != 0 || legs.toTo != 0) _moveCash3(account, bidderAccount, legs);
    }

    /// @inheritdoc ILiquidationAuction
    function terminateAuction(uint256 account) external nonReentrant {
        Auction memory a = _auctions[account];
        if (!a.active) revert AuctionNotActive(account);
        a = _advanceClock(account, a);
        (uint128 markets, ) = engine.accountInfo(account);
        if (markets == 0 && vault.accountTokens(account) == 0 && vault.cashBalance(account) < 0) {
            // Only debt is left: nothing to auction. The fund covers it, then positive cash bears the rest.
            _writeOffDebt(account, a);
            _end(account, a, EndReason.Emptied);
            return;
        }
        AuctionMath.Valuation memory v = _valuation(account);
        uint256 target = uint256(WAD + _termsOf(account).bufferRatio).mulWadUp(v.maintenanceMargin);
        if (v.equity < target.toInt256()) revert AuctionAccountNotRestored(account, v.equity, target);
        _end(account, a, EndReason.Terminated);
    }

    /// @inheritdoc ILiquidationAuction
    function restartAuction(uint256 account) external nonReentrant {
        AuctionGovernance.Breaker memory br = _breaker;
        if (br.stopLevel >= uint8(StopLevel.NoNewAuctionsOrRestarts)) {
            revert AuctionStopped(br.stopLevel, uint8(StopLevel.NoNewAuctionsOrRestarts));
        }
        Auction memory a = _auctions[account];
        if (!a.active) revert AuctionNotActive(account);
        a = _advanceClock(account, a);
        AuctionParams storage p = _termsOf(account);
        uint256 required = uint256(p.fastDuration) + p.slowDuration + p.insolventDuration;
        if (a.elapsed < required) revert AuctionNotStalled(account, a.elapsed, required);
        AuctionMath.Valuation memory v = _valuation(account);
        uint256 shortfall = _shortfall(v);
        _releaseShortfall(account, a);
        (uint128 markets, ) = engine.accountInfo(account);
        _breaker.shortfall = (uint256(_breaker.shortfall) + shortfall).toUint104();
        _addMarketShortfall(markets, shortfall, false);
        uint256 freshUntil = _clockInput(account, markets, true).feedsUntil;
        a.startTime = uint32(block.timestamp);
        a.checkpoint = uint32(block.timestamp);
        a.elapsed = 0;
        a.guaranteedUntil = uint32(WadMath.min(freshUntil, type(uint32).max));
        a.validAtCheckpoint = true;
        a.shortfall = uint96(shortfall);
        // A restart is a new auction: it takes the parameters in force now.
        _storeTerms(account, a, markets, _paramsVersion, v.markToMarket);
        _auctions[account] = a;
        emit AuctionRestarted(account, shortfall);
    }

    /// @inheritdoc ILiquidationAuction
    function checkpoint(uint256 account) external nonReentrant {
        Auction memory a = _auctions[account];
        if (!a.active) revert AuctionNotActive(account);
        _auctions[account] = _advanceClock(account, a);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc ILiquidationAuction
    function setParams(AuctionParams calldata p) external restricted {
        // Auctions already running keep the version they started with.
        _paramsVersion = AuctionGovernance.setParams(_paramsAt, _paramsVersion, p);
    }

    /// @inheritdoc ILiquidationAuction
    function setGlobalShortfallCap(uint256 cap) external restricted {
        AuctionGovernance.setGlobalShortfallCap(_breaker, cap);
    }

    /// @inheritdoc ILiquidationAuction
    function setMarketShortfallCap(uint256 marketId, uint256 cap) external restricted {
        AuctionGovernance.setMarketShortfallCap(_marketBreakers[marketId], marketId, cap);
    }

    /// @inheritdoc ILiquidationAuction
    function setStopLevel(uint8 level) external restricted {
        AuctionGovernance.setStopLevel(_breaker, level);
    }

    /// @inheritdoc ILiquidationAuction
    function raiseStopLevel(uint8 level) external restricted {
        AuctionGovernance.raiseStopLevel(_breaker, level);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILiquidationAuction
    function quote(uint256 account) external view returns (Quote memory q) {
        Auction memory a = _auctions[account];
        q.active = a.active;
        q.nonce = vault.accountNonce(account);
        AuctionMath.Valuation memory v = _valuation(account);
        q.equity = v.equity;
        q.maintenanceMargin = v.maintenanceMargin;
        q.markToMarket = v.markToMarket;
        q.requirement = v.requirement;
        if (!a.active) return q;
        q.elapsed = _clockView(account, a);
        AuctionMath.Take memory t = AuctionMath.take(_termsOf(account), v, q.elapsed, WAD);
        q.unitPrice = t.unitPrice;
        q.maxFraction = t.maxFraction;
    }

    /// @inheritdoc ILiquidationAuction
    function auctionOf(uint256 account) external view returns (Auction memory) {
        return _auctions[account];
    }

    /// @inheritdoc ILiquidationAuction
    function clock(uint256 account) external view returns (uint256) {
        Auction memory a = _auctions[account];
        return a.active ? _clockView(account, a) : 0;
    }

    /// @inheritdoc ILiquidationAuction
    function params() external view returns (AuctionParams memory) {
        return _paramsAt[_paramsVersion];
    }

    /// @inheritdoc ILiquidationAuction
    function auctionParams(uint256 account) external view returns (AuctionParams memory) {
        return _termsOf(account);
    }

    /// @inheritdoc ILiquidationAuction
    function pendingBadDebt() external view returns (uint256) {
        return _pendingBadDebt;
    }

    /// @inheritdoc ILiquidationAuction
    function stopLevel() external view returns (uint8) {
        return _breaker.stopLevel;
    }

    /// @inheritdoc ILiquidationAuction
    function haltEndedAt() external view returns (uint256) {
        return _breaker.haltEndedAt;
    }

    /// @inheritdoc ILiquidationAuction
    function shortfallTotals(
        uint256 marketId
    ) external view returns (uint256 global, uint256 globalCap, uint256 market, uint256 marketCap) {
        AuctionGovernance.Breaker memory br = _breaker;
        AuctionGovernance.MarketBreaker memory mb = _marketBreakers[marketId];
        return (br.shortfall, br.cap, mb.shortfall, mb.cap);
    }

    // ------------------------------------------------------------------ internals: valuation and clock

    /// @dev E, M, V = E + H and R = M + H of `account` at fresh prices (H: collateral haircut amount). Any price that
    /// fails a check reverts (a bad price never liquidates, R-01); nobody but the owner can add a collateral to an
    /// account, and not while it is in auction (R-15), so no third party's deposit can block this path.
    function _valuation(uint256 account) internal view returns (AuctionMath.Valuation memory v) {
        (ICollateralVault.MarginCollateral memory c, uint256 raw) = vault.collateralValuesFresh(account);
        IMarginEngine.MarginState memory s = engine.accountMarginWithCollateral(account, c);
        uint256 haircutAmount = raw - c.collateralValue;
        v.equity = s.equity;
        v.maintenanceMargin = s.maintenanceMargin;
        v.markToMarket = s.equity + haircutAmount.toInt256();
        v.requirement = s.maintenanceMargin + haircutAmount;
    }

    /// @dev max(M - E, 0) capped at 2**96 - 1 wei (79 billion cash units, the auction record's width): what an
    /// auction counts in the circuit breakers, so no shortfall is too large to liquidate.
    function _shortfall(AuctionMath.Valuation memory v) internal pure returns (uint256) {
        int256 gap = v.maintenanceMargin.toInt256() - v.equity;
        return gap <= 0 ? 0 : WadMath.min(uint256(gap), type(uint96).max);
    }

    /// @dev What the clock knows now about `account`'s prices (never reverts). With `assumeValid` (the caller has just
    /// valued the account at fresh prices in this call) the cheaper `priceWindow` replaces `priceValidity`.
    function _clockInput(
        uint256 account,
        uint256 markets,
        bool assumeValid
    ) internal view returns (AuctionMath.ClockInput memory x) {
        x.valid = true;
        x.feedsUntil = type(uint256).max;
        bytes32[] memory assets = _assets(account, markets);
        for (uint256 i; i < assets.length; ++i) {
            if (assets[i] == bytes32(0)) continue; // a collateral of weight zero: no price needed (review F2)
            bool ok = true;
            uint256 since;
            uint256 until;
            if (assumeValid) (since, until) = oracle.priceWindow(assets[i]);
            else (ok, since, until) = oracle.priceValidity(assets[i]);
            x.valid = x.valid && ok;
            x.feedsSince = WadMath.max(x.feedsSince, since);
            x.feedsUntil = WadMath.min(x.feedsUntil, until);
        }
        (x.sequencerConfigured, x.sequencerUp, x.sequencerChangedAt, x.sequencerGrace) = oracle.sequencerState();
        if (x.sequencerConfigured && (!x.sequencerUp || block.timestamp <= x.sequencerChangedAt + x.sequencerGrace))
            x.valid = false;
        AuctionGovernance.Breaker memory br = _breaker;
        x.halted = br.stopLevel == uint8(StopLevel.Halted);
        x.haltEndedAt = br.haltEndedAt;
    }

    /// @dev Oracle assets of the markets in `markets` and of every collateral `account` holds.
    function _assets(uint256 account, uint256 markets) internal view returns (bytes32[] memory assets) {
        uint256 tokens = vault.accountTokens(account);
        assets = new bytes32[](_popcount(markets) + _popcount(tokens));
        uint256 n;
        while (markets != 0) {
            uint256 id = Math.log2(markets & (~markets + 1));
            markets &= markets - 1;
            assets[n++] = engine.oracleAssetOf(id);
        }
        while (tokens != 0) {
            uint256 i = Math.log2(tokens & (~tokens + 1));
            tokens &= tokens - 1;
            ICollateralVault.TokenInfo memory info = vault.tokenInfo(vault.tokenAt(i));
            // Left bytes32(0) (skipped by `_clockInput`) when the collateral counts nothing (fully delisted).
            if (info.haircut != 0) assets[n] = info.oracleAsset;
            ++n;
        }
    }

    function _marketsHeld(uint256 account) internal view returns (uint256) {
        (uint128 markets, ) = engine.accountInfo(account);
        return markets;
    }

    function _popcount(uint256 x) internal pure returns (uint256 n) {
        while (x != 0) {
            x &= x - 1;
            ++n;
        }
    }

    /// @dev Advances the clock when every price was just validated (a valuation in the same call succeeded).
    function _advanceValid(uint256 account, Auction memory a) internal view returns (Auction memory) {
        if (a.checkpoint == block.timestamp) return a;
        return AuctionMath.advance(a, _clockInput(account, _marketsHeld(account), true), block.timestamp);
    }

    /// @dev The auction's clock advanced to now (see `AuctionMath.advance`), emitting `AuctionClockUpdated`.
    function _advanceClock(uint256 account, Auction memory a) internal returns (Auction memory) {
        if (a.checkpoint == block.timestamp) return a;
        AuctionMath.ClockInput memory x = _clockInput(account, _marketsHeld(account), false);
        a = AuctionMath.advance(a, x, block.timestamp);
        emit AuctionClockUpdated(account, a.elapsed, x.valid);
        return a;
    }

    function _clockView(uint256 account, Auction memory a) internal view returns (uint256) {
        if (a.checkpoint == block.timestamp) return a.elapsed;
        return AuctionMath.advance(a, _clockInput(account, _marketsHeld(account), false), block.timestamp).elapsed;
    }

    /// @dev E >= (1 + bufferRatio) * M at fresh prices.
    function _restored(uint256 account) internal view returns (bool) {
        AuctionMath.Valuation memory v = _valuation(account);
        return v.equity >= uint256(WAD + _termsOf(account).bufferRatio).mulWadUp(v.maintenanceMargin).toInt256();
    }

    // ------------------------------------------------------------------ internals: cash

    /// @dev The bid's cash: the bidder pays `payment` to the account; the account pays the penalty, `penaltyToFund`
    /// to the insurance fund and the rest to the bidder. Zero-sum.
    function _legs(AuctionMath.Take memory t) internal view returns (ICollateralVault.CashLegs memory legs) {
        if (t.payment == 0 && t.penalty == 0) return legs;
        legs.toFrom = t.payment.toInt256() - t.penalty.toInt256();
        legs.toTo = (t.penalty - t.penaltyToFund).toInt256() - t.payment.toInt256();
        legs.third = fund.fundAccount();
        legs.toThird = t.penaltyToFund.toInt256();
    }

    function _moveCash3(uint256 account, uint256 bidderAccount, ICollateralVault.CashLegs memory legs) internal {
        uint256[] memory accounts = new uint256[](3);
        int256[] memory deltas = new int256[](3);
        (accounts[0], accounts[1], accounts[2]) = (account, bidderAccount, legs.third);
        (deltas[0], deltas[1], deltas[2]) = (legs.toFrom, legs.toTo, legs.toThird);
        vault.moveCashBatch(accounts, deltas);
    }

    /// @dev The bidder must end at or above initial margin, at fresh prices (the same prices the bid used).
    function _requireBidderMargin(uint256 bidderAccount) internal view {
        // Fresh prices; an invalid one reverts, as in the liquidated account's valuation (R-01).
        (ICollateralVault.MarginCollateral memory c, ) = vault.collateralValuesFresh(bidderAccount);
        IMarginEngine.MarginState memory s = engine.accountMarginWithCollateral(bidderAccount, c);
        if (s.equity < s.initialMargin.toInt256())
            revert AuctionBidderBelowInitialMargin(bidderAccount, s.equity, s.initialMargin);
    }

    /// @dev Credits `recipient` with `amount`: the insurance fund first (within its per-event cap), then the rest is
    /// socialised over positive cash. Every part is an event.
    function _subsidise(uint256 account, Auction memory a, uint256 recipient, uint256 amount) internal {
        // The subsidy settles that much of the known bad debt.
        AuctionTerms storage t = _terms[account];
        uint256 settled = WadMath.min(t.badDebt, amount);
        if (settled != 0) {
            t.badDebt -= uint96(settled);
            _pendingBadDebt -= uint128(settled);
        }
        bytes32 eventId = keccak256(abi.encode(account, a.startTime));
        uint256 paid = fund.cover(eventId, recipient, amount);
        if (paid != 0) emit InsuranceDrawn(account, eventId, paid);
        if (paid < amount) {
            uint256 socialised = vault.socialiseLoss(recipient, amount - paid);
            emit BadDebtSocialised(account, _marketsOf(account, a), socialised);
        }
    }

    /// @dev Clears a debt-only account: the fund pays what it can, then what is left (read after the payment, so
    /// no rounding dust remains) is socialised.
    function _writeOffDebt(uint256 account, Auction memory a) internal {
        bytes32 eventId = keccak256(abi.encode(account, a.startTime));
        uint256 paid = fund.cover(eventId, account, uint256(-vault.cashBalance(account)));
        if (paid != 0) emit InsuranceDrawn(account, eventId, paid);
        int256 left = vault.cashBalance(account);
        if (left < 0) emit BadDebtSocialised(account, _marketsOf(account, a), vault.socialiseLoss(account, uint256(-left)));
    }

    // ------------------------------------------------------------------ internals: breakers and bookkeeping

    function _end(uint256 account, Auction memory a, EndReason reason) internal {
        _releaseShortfall(account, a);
        uint96 debt = _terms[account].badDebt;
        if (debt != 0) _pendingBadDebt -= debt;
        delete _auctions[account];
        delete _terms[account];
        vault.endLiquidation(account);
        emit AuctionEnded(account, reason, a.elapsed);
    }

    function _releaseShortfall(uint256 account, Auction memory a) internal {
        _breaker.shortfall -= uint104(a.shortfall);
        uint256 bits = _marketsOf(account, a);
        while (bits != 0) {
            uint256 id = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            _marketBreakers[id].shortfall -= uint128(a.shortfall);
        }
    }

    /// @dev Counts `shortfall` in every market in `bits`, against each market's cap when `capped` (a start; a restart
    /// re-counts a running auction and is not capped).
    function _addMarketShortfall(uint256 bits, uint256 shortfall, bool capped) internal {
        while (bits != 0) {
            uint256 id = Math.log2(bits & (~bits + 1));
            bits &= bits - 1;
            AuctionGovernance.MarketBreaker memory mb = _marketBreakers[id];
            uint256 total = uint256(mb.shortfall) + shortfall;
            if (capped && total > mb.cap) revert AuctionMarketShortfallCapExceeded(id, mb.cap, total);
            _marketBreakers[id].shortfall = total.toUint128();
        }
    }

    /// @dev Records the markets held at start (one id in the auction slot, or a bitmap in the terms slot), fixes the
    /// auction's parameter set `version`, and records its known bad debt: the deficit -V of an account valued
    /// `value` < 0 (what bidders must at least be paid), replacing any earlier record (a restart) in the total.
    function _storeTerms(uint256 account, Auction memory a, uint128 markets, uint32 version, int256 value) internal {
        // Several markets: more than one bit set (an account without positions has none).
        a.multi = markets != 0 && markets & (markets - 1) != 0;
        a.market =
            a.multi
                ? 0
                : markets == 0
                    ? type(uint8).max
                    : uint8(Math.log2(markets));
        uint256 debt = value < 0 ? WadMath.min(uint256(-value), type(uint96).max) : 0;
        _pendingBadDebt = uint128(_pendingBadDebt - _terms[account].badDebt + debt);
        _terms[account] = AuctionTerms(a.multi ? markets : 0, version, uint96(debt));
    }

    /// @dev The parameters `account`'s running auction started with.
    function _termsOf(uint256 account) internal view returns (AuctionParams storage) {
        return _paramsAt[_terms[account].paramsVersion];
    }

    /// @dev Bitmap of the markets recorded at start (0 when none).
    function _marketsOf(uint256 account, Auction memory a) internal view returns (uint256) {
        if (a.multi) return _terms[account].markets;
        return a.market == type(uint8).max ? 0 : uint256(1) << a.market;
    }
}
