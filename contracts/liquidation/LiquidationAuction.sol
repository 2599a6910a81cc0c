// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
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
import {AuctionLifecycle} from "./AuctionLifecycle.sol";

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
    /// @notice tipBaseFee <= 10,000 gwei (0 turns the scaling off).
    uint256 public constant MAX_TIP_BASE_FEE = AuctionGovernance.MAX_TIP_BASE_FEE;
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
    /// @dev The insurance fund's vault account (immutable in the fund too), read once at construction so a bid's
    /// penalty leg costs no call to the fund.
    uint256 internal immutable _fundAccount;

    /// @dev The whole state (parameter sets, version and pending bad debt, breakers, auctions, terms); see
    /// {AuctionLifecycle.State}.
    AuctionLifecycle.State internal _s;

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
        _fundAccount = fund_.fundAccount();
    }

    // ------------------------------------------------------------------ auctions

    /// @inheritdoc ILiquidationAuction
    function startAuction(uint256 account, uint256 tipAccount) external nonReentrant {
        AuctionGovernance.Breaker memory br = _s.breaker;
        if (br.stopLevel >= uint8(StopLevel.NoNewAuctions)) {
            revert AuctionStopped(br.stopLevel, uint8(StopLevel.NoNewAuctions));
        }
        if (_s.auctions[account].active) revert AuctionAlreadyActive(account);
        // Fresh prices: reverts with the oracle's error on any invalid price, so a bad price never liquidates.
        AuctionMath.Valuation memory v = AuctionLifecycle.valuation(engine, vault, account);
        if (v.equity >= v.maintenanceMargin.toInt256()) revert AuctionNotLiquidatable(account, v.equity, v.maintenanceMargin);
        uint256 shortfall = AuctionLifecycle.shortfallOf(v);
        // The breakers count the record's rounded-up shortfall, added here and removed at the end.
        uint256 counted = uint256(AuctionLifecycle.shortfallMicroUp(shortfall)) * AuctionLifecycle.SHORTFALL_UNIT;

        (uint128 markets, ) = engine.accountInfo(account);
        br.shortfall = (uint256(br.shortfall) + counted).toUint104();
        if (br.shortfall > br.cap) revert AuctionGlobalShortfallCapExceeded(br.cap, br.shortfall);
        _s.breaker = br;
        AuctionLifecycle.addMarketShortfall(_s.marketBreakers, markets, counted, true);

        uint256 freshUntil = AuctionLifecycle.clockInputFresh(_s.breaker, engine, vault, oracle, account, markets).feedsUntil;
        Auction memory a = Auction({
            startTime: uint32(block.timestamp),
            checkpoint: uint32(block.timestamp),
            elapsed: 0,
            guaranteedUntil: uint32(WadMath.min(freshUntil, type(uint32).max)),
            validAtCheckpoint: true,
            active: true,
            market: 0,
            multi: false,
            badDebtRecorded: false,
            paramsVersion: 0,
            shortfallMicro: uint56(counted / AuctionLifecycle.SHORTFALL_UNIT) // exact: a whole number of units
        });
        // No auction is running, so the terms slot is zero: storeTerms reads nothing and writes it only for a
        // multi-market or insolvent account.
        AuctionLifecycle.storeTerms(_s, account, a, markets, v.markToMarket);
        AuctionLifecycle.storeAuction(_s, account, a);
        if (v.markToMarket <= 0) AuctionLifecycle.recordInsolvency(_s, account, 0);

        AuctionParams storage p = AuctionLifecycle.paramsOf(_s, a.paramsVersion);
        uint256 flatTip = AuctionMath.flatTipAt(p.flatTip, p.tipBaseFee, block.basefee);
        uint256 tip = AuctionMath.tip(flatTip, p.tipRate, p.penaltyRate, shortfall, v.requirement, v.markToMarket);
        vault.startLiquidation(account, tipAccount, tip);
        emit AuctionStarted(account, msg.sender, tipAccount, tip, v.equity, v.maintenanceMargin, v.markToMarket, counted);
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
        _executeBid(account, bidderAccount, a, take, data);
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
            AuctionLifecycle.end(_s, vault, account, a, EndReason.Emptied);
        } else if (take.fraction == take.maxFraction && _restored(account, a)) {
            AuctionLifecycle.end(_s, vault, account, a, EndReason.Restored);
        } else {
            AuctionLifecycle.storeAuction(_s, account, a);
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
        if (_s.breaker.stopLevel >= uint8(StopLevel.Halted)) revert AuctionStopped(MAX_STOP_LEVEL, MAX_STOP_LEVEL);
        a = _s.auctions[account];
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
        AuctionMath.Valuation memory v = AuctionLifecycle.valuation(engine, vault, account);
        a = _advanceValid(account, a);
        // The insolvency record is read only when the bonus can apply (V <= 0): a solvent bid pays no extra read.
        uint256 insolventElapsed = v.markToMarket <= 0 ? AuctionLifecycle.insolventElapsed(_s, account, a.elapsed) : 0;
        take = AuctionMath.take(AuctionLifecycle.paramsOf(_s, a.paramsVersion), v, a.elapsed, insolventElapsed, fraction);
        if (take.unitPrice > maxUnitPrice) revert AuctionPriceLimitExceeded(take.unitPrice, maxUnitPrice);
        if (take.fraction == 0) revert AuctionAccountNotRestored(account, v.equity, 0);
    }

    /// @dev Moves the portfolio, pays an insolvent portfolio's subsidy and settles the bid's cash; a flash bid calls
    /// the bidder back after the subsidy and before the cash legs.
    function _executeBid(
        uint256 account,
        uint256 bidderAccount,
        Auction memory a,
        AuctionMath.Take memory take,
        bytes calldata data
    ) internal {
        ICollateralVault.CashLegs memory legs = _legs(take);
        bool flash = data.length != 0;
        engine.transferPortfolio(account, bidderAccount, take.fraction, flash ? ICollateralVault.CashLegs(0, 0, 0, 0) : legs);
        // An insolvent portfolio's subsidy is paid before a flash bid's callback, so during the callback the bidder
        // already holds what the bid leaves it (its own equity + f x E + f x |B|, which must end at initial margin),
        // not f x E < 0 alone: its hedge fills pass the engine's rule that no fill leaves negative equity (INV-30;
        // review of the H-1 fix, M-1, 5 December 2026).
        if (take.subsidy != 0) AuctionLifecycle.subsidise(_s, _deps(), account, a, bidderAccount, take.subsidy, take.fraction);
        if (!flash) return;
        bytes4 ok = ILiquidationCallback(msg.sender).onLiquidationBid(account, bidderAccount, take.fraction, take.payment, data);
        if (ok != ILiquidationCallback.onLiquidationBid.selector) revert AuctionCallbackFailed(msg.sender);
        if (legs.toFrom != 0 || legs.toTo != 0) _moveCash3(account, bidderAccount, legs);
    }

    /// @inheritdoc ILiquidationAuction
    function terminateAuction(uint256 account) external nonReentrant {
        AuctionLifecycle.terminate(_s, _deps(), account);
    }

    /// @inheritdoc ILiquidationAuction
    function restartAuction(uint256 account) external nonReentrant {
        AuctionLifecycle.restart(_s, _deps(), account);
    }

    /// @inheritdoc ILiquidationAuction
    function deleverage(uint256 account) external nonReentrant {
        AuctionLifecycle.deleverage(_s, _deps(), account);
    }

    /// @inheritdoc ILiquidationAuction
    function checkpoint(uint256 account) external nonReentrant {
        AuctionLifecycle.checkpoint(_s, _deps(), account);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc ILiquidationAuction
    function setParams(AuctionParams calldata) external restricted {
        // Auctions already running keep the version they started with. The argument goes on as the ABI encoding it
        // arrived in (a static struct: `msg.data` after the selector); the library decodes and checks it, so this
        // contract carries no re-encoder for the struct (600 bytes).
        _s.paramsVersion = AuctionGovernance.setParams(_s.paramsAt, _s.paramsVersion, msg.data[4:]);
    }

    /// @inheritdoc ILiquidationAuction
    function setGlobalShortfallCap(uint256 cap) external restricted {
        AuctionGovernance.setGlobalShortfallCap(_s.breaker, cap);
    }

    /// @inheritdoc ILiquidationAuction
    function setMarketShortfallCap(uint256 marketId, uint256 cap) external restricted {
        AuctionGovernance.setMarketShortfallCap(_s.marketBreakers[marketId], marketId, cap);
    }

    /// @inheritdoc ILiquidationAuction
    function setStopLevel(uint8 level) external restricted {
        AuctionGovernance.setStopLevel(_s.breaker, level);
    }

    /// @inheritdoc ILiquidationAuction
    function raiseStopLevel(uint8 level) external restricted {
        AuctionGovernance.raiseStopLevel(_s.breaker, level);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ILiquidationAuction
    function quote(uint256 account) external view returns (Quote memory) {
        return AuctionLifecycle.quote(_s, _deps(), account);
    }

    /// @inheritdoc ILiquidationAuction
    function auctionOf(uint256 account) external view returns (Auction memory) {
        return _s.auctions[account];
    }

    /// @inheritdoc ILiquidationAuction
    function clock(uint256 account) external view returns (uint256) {
        return AuctionLifecycle.clock(_s, _deps(), account);
    }

    /// @inheritdoc ILiquidationAuction
    function params() external view returns (AuctionParams memory) {
        return _s.paramsAt[_s.paramsVersion];
    }

    /// @inheritdoc ILiquidationAuction
    function auctionParams(uint256 account) external view returns (AuctionParams memory) {
        return AuctionLifecycle.paramsOf(_s, _s.auctions[account].paramsVersion);
    }

    /// @inheritdoc ILiquidationAuction
    function pendingBadDebt() external view returns (uint256) {
        return _s.pendingBadDebt;
    }

    /// @inheritdoc ILiquidationAuction
    function stopLevel() external view returns (uint8) {
        return _s.breaker.stopLevel;
    }

    /// @inheritdoc ILiquidationAuction
    function haltEndedAt() external view returns (uint256) {
        return _s.breaker.haltEndedAt;
    }

    /// @inheritdoc ILiquidationAuction
    function shortfallTotals(
        uint256 marketId
    ) external view returns (uint256 global, uint256 globalCap, uint256 market, uint256 marketCap) {
        AuctionGovernance.Breaker memory br = _s.breaker;
        AuctionGovernance.MarketBreaker memory mb = _s.marketBreakers[marketId];
        return (br.shortfall, br.cap, mb.shortfall, mb.cap);
    }

    // ------------------------------------------------------------------ internals: clock

    /// @dev The contracts the auction calls, for the linked library's external functions.
    function _deps() internal view returns (AuctionLifecycle.Deps memory) {
        return AuctionLifecycle.Deps(engine, vault, oracle, fund);
    }

    /// @dev Advances the clock when every price was just validated (a valuation in the same call succeeded).
    function _advanceValid(uint256 account, Auction memory a) internal view returns (Auction memory) {
        if (a.checkpoint == block.timestamp) return a;
        AuctionMath.ClockInput memory x = AuctionLifecycle.clockInputFresh(
            _s.breaker,
            engine,
            vault,
            oracle,
            account,
            AuctionLifecycle.marketsHeld(engine, account)
        );
        return AuctionMath.advance(a, x, block.timestamp);
    }

    /// @dev E >= (1 + bufferRatio) * M at fresh prices, with the buffer of the auction `a`'s parameter set.
    function _restored(uint256 account, Auction memory a) internal view returns (bool) {
        AuctionMath.Valuation memory v = AuctionLifecycle.valuation(engine, vault, account);
        return
            v.equity >=
            AuctionMath
                .restoreTargetUp(AuctionLifecycle.paramsOf(_s, a.paramsVersion).bufferRatio, v.maintenanceMargin)
                .toInt256();
    }

    // ------------------------------------------------------------------ internals: cash

    /// @dev The bid's cash: the bidder pays `payment` to the account; the account pays the penalty, `penaltyToFund`
    /// to the insurance fund and the rest to the bidder. Zero-sum.
    function _legs(AuctionMath.Take memory t) internal view returns (ICollateralVault.CashLegs memory legs) {
        if (t.payment == 0 && t.penalty == 0) return legs;
        legs.toFrom = t.payment.toInt256() - t.penalty.toInt256();
        legs.toTo = (t.penalty - t.penaltyToFund).toInt256() - t.payment.toInt256();
        legs.third = _fundAccount;
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
}
