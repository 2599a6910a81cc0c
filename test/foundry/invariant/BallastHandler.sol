// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {Vm} from "../utils/Vm.sol";
import {BallastDeployment} from "./BallastDeployment.sol";
import {CollateralVault} from "../../../contracts/vault/CollateralVault.sol";
import {MarginEngine} from "../../../contracts/engine/MarginEngine.sol";
import {MarketConfigurator} from "../../../contracts/config/MarketConfigurator.sol";
import {InsuranceFund} from "../../../contracts/insurance/InsuranceFund.sol";
import {OrderSettlement} from "../../../contracts/venue/OrderSettlement.sol";
import {LiquidationAuction} from "../../../contracts/liquidation/LiquidationAuction.sol";
import {OracleRouter} from "../../../contracts/oracle/OracleRouter.sol";
import {FlashLiquidator} from "../../../contracts/periphery/FlashLiquidator.sol";
import {TestERC20} from "../../../contracts/test/TestERC20.sol";
import {FeeOnTransferERC20} from "../../../contracts/test/FeeOnTransferERC20.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {IMarginEngine} from "../../../contracts/interfaces/IMarginEngine.sol";
import {IMarginEngineViews} from "../../../contracts/interfaces/IMarginEngineViews.sol";
import {IMarketConfigurator} from "../../../contracts/interfaces/IMarketConfigurator.sol";
import {ILiquidationAuction} from "../../../contracts/interfaces/ILiquidationAuction.sol";
import {IOrderSettlement} from "../../../contracts/interfaces/IOrderSettlement.sol";
import {RiskBounds} from "../../../contracts/libraries/RiskBounds.sol";
import {MarginMath} from "../../../contracts/libraries/MarginMath.sol";

/// @title BallastHandler
/// @custom:security-contact security@ballast.finance
/// @notice The actions the invariant fuzzer takes against a deployed Ballast, each by an adversarial actor through
/// the protocol's public entry points: owners with cross and isolated subaccounts, their operators and session
/// keys, keepers (plain and flash bids, hedged in the flash callback), a griefer, wash traders, a risk manager, the
/// oracle, the clock, and a collateral token that starts charging a transfer fee after it was listed.
/// Every fuzzed input is bounded to a meaningful range; a call the protocol refuses is simply a refused call.
/// @dev Every protocol call goes through one `_call*` wrapper below, so a changed signature (security fixes add
/// parameters) is adapted in one place. Ghost variables record expected totals and transition violations that
/// the invariant functions of BallastInvariants.t.sol assert.
contract BallastHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint256 internal constant WAD = 1e18;
    uint256 internal constant OWNERS = 4; // owners with subaccounts 0, 1 (cross) and 2 (isolated)
    uint256 internal constant SUBS = 3;
    uint256 internal constant KEYS = 2; // session keys / operators
    uint256 internal constant KEEPERS = 2;

    CollateralVault public immutable vault;
    MarginEngine public immutable engine;
    IMarginEngineViews public immutable engineViews;
    MarketConfigurator public immutable configurator;
    InsuranceFund public immutable fund;
    OrderSettlement public immutable venue;
    LiquidationAuction public immutable auction;
    OracleRouter public immutable oracle;
    TestERC20 public immutable usdc;
    FlashLiquidator public immutable flash;
    MockV3Aggregator internal immutable _ethFeed;
    MockV3Aggregator internal immutable _ethFeed2;
    MockV3Aggregator internal immutable _btcFeed;
    MockV3Aggregator internal immutable _sequencer;
    /// @notice A listed collateral (18 decimals, on the ETH/USD feed, listed without a fee) that may start burning
    /// 1 % of every transfer (issue 11 class 13: a token whose behaviour changes after listing).
    FeeOnTransferERC20 public immutable feeToken;

    address[] internal _tokens; // usdc, weth, wbtc, feeToken (the actions other than `feeTokenAction` use the first three)
    uint256[] internal _ownerKeys;
    address[] public owners;
    uint256[] internal _sessionKeys;
    address[] public keepers;
    address public immutable griefer;
    uint256 internal _salt;

    /// @notice Every vault account any handler can make hold anything (owners' subaccounts, keepers, the flash
    /// liquidator, the griefer, the insurance fund): the invariant functions sum over it.
    uint256[] public accounts;
    /// @notice Per market, the rounding dust automated deleveraging's events allow in INV-07's sums: size [wad base]
    /// (each event: open interest then / 1e12 for the size factors' rounding, plus a wei per account and 2) and basis
    /// [wad cash] (that size dust at the event's closing step per unit of size, plus 2 per wei).
    mapping(uint256 marketId => uint256) public adlSizeDust;
    mapping(uint256 marketId => uint256) public adlBasisDust;

    // ------------------------------------------------------------------ ghost variables
    /// @notice Expected `totalHeldWad` per token: deposits minus withdrawals (WAD), by the handlers' own count.
    mapping(address token => uint256) public ghostHeldWad;
    /// @notice Tokens sent to the vault directly (donations, token units).
    mapping(address token => uint256) public ghostDonated;
    /// @notice Last seen nonce per account (INV-05).
    mapping(uint256 account => uint64) public ghostNonce;
    /// @notice Last seen cash indices (INV-06).
    uint256 public ghostSupplyIndex;
    uint256 public ghostBorrowIndex;
    /// @notice Calls per handler and the number that the protocol accepted.
    mapping(bytes32 action => uint256) public calls;
    mapping(bytes32 action => uint256) public accepted;
    /// @notice The custom-error selector of the last refused call per action (for tuning the handlers).
    mapping(bytes32 action => bytes4) public lastError;

    /// @notice Transition violations, by invariant id; the message of the first one.
    mapping(bytes32 id => uint256) public violations;
    /// @notice Transition violations of every invariant together (the invariant function reads `violations` only
    /// when this is non-zero).
    uint256 public violationTotal;
    mapping(bytes32 id => string) public firstViolation;

    /// @notice Class 10 ghost, per account in auction: seconds since its auction's last checkpoint during which the
    /// sequencer was up past its grace period and bids were not halted (an upper bound of what the clock may count;
    /// see `warp`), and the auction's (start, checkpoint) it was counted for.
    mapping(uint256 account => uint256) public ghostValidSeconds;
    mapping(uint256 account => uint256) internal _ghostClockKey;

    constructor(BallastDeployment d, FeeOnTransferERC20 feeToken_) {
        vault = d.vault();
        engine = d.engine();
        engineViews = d.engineViews();
        configurator = d.configurator();
        fund = d.fund();
        venue = d.venue();
        auction = d.auction();
        oracle = d.oracle();
        usdc = d.usdc();
        _ethFeed = d.ethFeed();
        _ethFeed2 = d.ethFeed2();
        _btcFeed = d.btcFeed();
        _sequencer = d.sequencer();
        _tokens.push(address(d.usdc()));
        _tokens.push(address(d.weth()));
        _tokens.push(address(d.wbtc()));
        feeToken = feeToken_;
        _tokens.push(address(feeToken_));

        for (uint256 i; i < OWNERS; ++i) {
            uint256 pk = 0xA11CE + i;
            _ownerKeys.push(pk);
            address o = vm.addr(pk);
            owners.push(o);
            vm.label(o, string.concat("owner", _digit(i)));
            for (uint256 s; s < SUBS; ++s) accounts.push(_accountId(o, s));
            vm.prank(o);
            engine.setAccountIsolated(2, true);
            for (uint256 s; s < SUBS; ++s) _fund(o, _accountId(o, s), 0, 50_000e6);
        }
        for (uint256 i; i < KEYS; ++i) {
            _sessionKeys.push(0x5E55 + i);
            vm.label(vm.addr(0x5E55 + i), string.concat("sessionKey", _digit(i)));
        }
        for (uint256 i; i < KEEPERS; ++i) {
            address k = vm.addr(0xCEE9 + i);
            keepers.push(k);
            vm.label(k, string.concat("keeper", _digit(i)));
            accounts.push(_accountId(k, 0));
            _fund(k, _accountId(k, 0), 0, 2_000_000e6);
        }
        flash = new FlashLiquidator(keepers[0], auction, venue, vault);
        accounts.push(flash.account());
        _fund(keepers[0], flash.account(), 0, 1_000_000e6);
        griefer = vm.addr(0x6121EF);
        vm.label(griefer, "griefer");
        accounts.push(_accountId(griefer, 0));
        _fund(griefer, _accountId(griefer, 0), 0, 10_000e6);
        accounts.push(fund.fundAccount());
        // A staked insurance fund, so that losses have somewhere to go before socialisation.
        _stake(keepers[1], 500_000e6);

        (ghostSupplyIndex, ghostBorrowIndex, ) = vault.cashIndices();
        for (uint256 i; i < accounts.length; ++i) ghostNonce[accounts[i]] = vault.accountNonce(accounts[i]);
    }

    // ================================================================== protocol calls (adapt here)

    function _callDeposit(address caller, uint256 account, address token, uint256 amount) internal returns (bool ok) {
        vm.prank(caller);
        try vault.deposit(account, token, amount) {
            ok = true;
        } catch {}
    }

    function _callWithdraw(
        address caller,
        uint256 account,
        address token,
        uint256 amount,
        address to
    ) internal returns (bool ok) {
        vm.prank(caller);
        try vault.withdraw(account, token, amount, to) {
            ok = true;
        } catch {}
    }

    function _callTransferCash(address caller, uint256 from, uint256 to, uint256 amount) internal returns (bool ok) {
        vm.prank(caller);
        try vault.transferCash(from, to, amount) {
            ok = true;
        } catch {}
    }

    function _callFill(
        address taker,
        IOrderSettlement.Order memory order,
        bytes memory signature,
        uint256 takerAccount,
        uint128 fillSize,
        uint256 takerLimit
    ) internal returns (bool ok) {
        vm.prank(taker);
        try venue.fill(order, signature, takerAccount, fillSize, takerLimit) {
            ok = true;
        } catch (bytes memory reason) {
            lastError["trade"] = _selector(reason);
        }
    }

    function _callStartAuction(address caller, uint256 account, uint256 tipAccount) internal returns (bool ok, bytes4 err) {
        vm.prank(caller);
        try auction.startAuction(account, tipAccount) {
            ok = true;
        } catch (bytes memory reason) {
            err = _selector(reason);
            lastError["startAuction"] = err;
        }
    }

    function _callBid(
        address caller,
        uint256 account,
        uint256 bidderAccount,
        uint256 fraction,
        uint64 expectedNonce
    ) internal returns (bool ok, bytes4 err) {
        vm.prank(caller);
        try auction.bid(account, bidderAccount, fraction, expectedNonce, type(int256).max, "") {
            ok = true;
        } catch (bytes memory reason) {
            err = _selector(reason);
        }
    }

    function _callFlashBid(
        uint256 account,
        uint256 fraction,
        uint64 expectedNonce,
        FlashLiquidator.Hedge[] memory hedges
    ) internal returns (bool ok) {
        vm.prank(keepers[0]);
        try flash.liquidate(account, fraction, expectedNonce, type(int256).max, hedges) {
            ok = true;
        } catch {}
    }

    // ================================================================== owners, operators, session keys

    /// @notice An owner (or the griefer, for someone else's account) deposits a token into a subaccount.
    function deposit(uint256 actorSeed, uint256 subSeed, uint256 tokenSeed, uint256 amountSeed) external {
        _count("deposit");
        address o = owners[actorSeed % OWNERS];
        uint256 t = tokenSeed % 3;
        _fund(o, _accountId(o, subSeed % SUBS), t, _bound(amountSeed, 1, _unitsOf(t, 200_000)));
        _after("deposit", true);
    }

    /// @notice An owner, or an operator it may or may not have authorised, withdraws to itself.
    function withdraw(uint256 actorSeed, uint256 subSeed, uint256 tokenSeed, uint256 amountSeed, bool viaKey) external {
        _count("withdraw");
        address o = owners[actorSeed % OWNERS];
        uint256 account = _accountId(o, subSeed % SUBS);
        address token = _tokens[tokenSeed % 3];
        uint256 amount = _bound(amountSeed, 1, _unitsOf(tokenSeed % 3, 100_000));
        address caller = viaKey ? vm.addr(_sessionKeys[actorSeed % KEYS]) : o;
        (bool frozen, ) = vault.accountStatus(account);
        bool ok = _callWithdraw(caller, account, token, amount, caller);
        if (ok) {
            ghostHeldWad[token] -= amount * _scaleOf(token);
            if (frozen) _violate("INV-22", "a frozen account withdrew");
            // Judged at the prices the vault's check used (see _atCachedPrices).
            if (_atCachedPrices(account)) {
                IMarginEngine.MarginState memory s = engineViews.accountMargin(account);
                if (s.equity < int256(s.initialMargin)) _violate("INV-13", "a withdrawal left the account below initial margin");
                _checkNoPaperProfitOut(account, s);
            }
        }
        _after("withdraw", ok);
    }

    /// @notice Cash moves from an owner's subaccount to any known account (its own sibling or a stranger's).
    function transferCash(uint256 actorSeed, uint256 subSeed, uint256 toSeed, uint256 amountSeed) external {
        _count("transferCash");
        address o = owners[actorSeed % OWNERS];
        uint256 from = _accountId(o, subSeed % SUBS);
        uint256 to = accounts[toSeed % accounts.length];
        (bool frozen, ) = vault.accountStatus(from);
        bool ok = _callTransferCash(o, from, to, _bound(amountSeed, 1, 100_000e6));
        if (ok && frozen) _violate("INV-22", "a frozen account transferred cash out");
        if (ok && from != to && _atCachedPrices(from)) _checkNoPaperProfitOut(from, engineViews.accountMargin(from));
        _after("transferCash", ok);
    }

    /// @notice An owner grants (or revokes) a session key, trade- or full-scoped, with an expiry.
    function setOperator(uint256 actorSeed, uint256 keySeed, uint256 scopeSeed, uint256 expirySeed) external {
        _count("setOperator");
        vm.prank(owners[actorSeed % OWNERS]);
        engine.setOperator(
            vm.addr(_sessionKeys[keySeed % KEYS]),
            IMarginEngine.Scope(scopeSeed % 3),
            uint64(block.timestamp + (expirySeed % 3 days))
        );
        _after("setOperator", true);
    }

    /// @notice An owner sets venue limits for one of its session keys (issue #11 class 5: a trade-scope key trades on
    /// the venue only within them), or revokes them: band up to 6 % (some fills fall outside it), notional 1 to
    /// 2,000,000 per window of 1 minute to 1 day, expiry up to 3 days.
    function setSessionKeyLimits(
        uint256 actorSeed,
        uint256 keySeed,
        uint256 bandSeed,
        uint256 notionalSeed,
        uint256 periodSeed,
        uint256 expirySeed
    ) external {
        _count("setSessionKeyLimits");
        address o = owners[actorSeed % OWNERS];
        address key = vm.addr(_sessionKeys[keySeed % KEYS]);
        bool ok = true;
        vm.prank(o);
        if (notionalSeed % 8 == 0) {
            try venue.revokeSessionKey(key) {} catch {
                ok = false;
            }
        } else {
            venue.setSessionKeyLimits(
                key,
                uint64(bandSeed % 0.06e18),
                uint128(_bound(notionalSeed, 1e18, 2_000_000e18)),
                uint32(_bound(periodSeed, 1 minutes, 1 days)),
                uint32(block.timestamp + 1 + (expirySeed % 3 days))
            );
        }
        _after("setSessionKeyLimits", ok);
    }

    /// @notice Issue 11 class 13, a collateral that changes behaviour after listing: one time in four the fee token
    /// starts (or stops) burning 1 % of every transfer; otherwise an owner deposits up to 10 of it (refused while
    /// the fee is on: the vault measures what arrives) or withdraws up to 10 of it to itself. A withdrawal the vault
    /// accepts must deliver exactly the amount it debited (with the fee on, the vault must refuse it instead).
    function feeTokenAction(uint256 actorSeed, uint256 subSeed, uint256 actionSeed, uint256 amountSeed) external {
        _count("feeTokenAction");
        address o = owners[actorSeed % OWNERS];
        uint256 account = _accountId(o, subSeed % SUBS);
        uint256 amount = _bound(amountSeed, 1, 10e18);
        address token = address(feeToken);
        bool ok;
        uint256 action = actionSeed % 4;
        if (action == 0) {
            feeToken.setFeeOn(!feeToken.feeOn());
            ok = true;
        } else if (action == 1) {
            feeToken.mint(o, amount);
            vm.prank(o);
            feeToken.approve(address(vault), amount);
            ok = _callDeposit(o, account, token, amount);
            if (ok) ghostHeldWad[token] += amount;
        } else {
            uint256 held = vault.collateralBalanceWad(account, token);
            if (held != 0) {
                amount = _bound(amountSeed, 1, held);
                (bool frozen, ) = vault.accountStatus(account);
                uint256 before = feeToken.balanceOf(o);
                ok = _callWithdraw(o, account, token, amount, o);
                if (ok) {
                    ghostHeldWad[token] -= amount;
                    if (feeToken.balanceOf(o) - before != amount) {
                        _violate("CLASS13", "a withdrawal delivered other than the amount it debited (class 13)");
                    }
                    if (frozen) _violate("INV-22", "a frozen account withdrew");
                }
            }
        }
        _after("feeTokenAction", ok);
    }

    /// @notice An owner switches a subaccount between cross and isolated margin (refused while it holds positions).
    function setIsolated(uint256 actorSeed, uint256 subSeed, bool isolated) external {
        _count("setIsolated");
        vm.prank(owners[actorSeed % OWNERS]);
        try engine.setAccountIsolated(uint96(subSeed % SUBS), isolated) {} catch {}
        _after("setIsolated", true);
    }

    // ================================================================== trading

    /// @notice A maker order (signed by the owner or one of its session keys) filled by another owner, at a price
    /// within about ±6 % of the index (beyond the 5 % band some fills are refused).
    function trade(uint256 makerSeed, uint256 takerSeed, int256 sizeSeed, uint256 priceSeed, uint256 flags) external {
        _count("trade");
        // flags: bit 0 = market, bits 1-2 = signer (0-1 the owner, 2-3 session key 0-1, authorised or not).
        uint256 signer = (flags >> 1) % 4;
        bool ok = _trade(
            accounts[makerSeed % (OWNERS * SUBS)],
            accounts[takerSeed % (OWNERS * SUBS)],
            flags % 2,
            sizeSeed,
            priceSeed,
            signer < 2 ? 0 : signer - 1
        );
        _after("trade", ok);
    }

    /// @notice A wash trader fills its own order between two of its own subaccounts (self-dump, funding games).
    function washTrade(uint256 actorSeed, uint256 marketSeed, int256 sizeSeed, uint256 priceSeed, bool reverse) external {
        _count("washTrade");
        uint256 o = actorSeed % OWNERS;
        uint256 a = o * SUBS;
        uint256 b = o * SUBS + 1 + (priceSeed % 2);
        (uint256 maker, uint256 taker) = reverse ? (accounts[b], accounts[a]) : (accounts[a], accounts[b]);
        bool ok = _trade(maker, taker, marketSeed % 2, sizeSeed, priceSeed >> 8, 0);
        _after("washTrade", ok);
    }

    /// @notice Issue 11 class 1 (self-dump): an owner's account below maintenance margin sells (buys back) 1-100 % of
    /// its position in a market to a sibling account at up to 5 % worse than the index, trying to hand the sibling
    /// the maintenance margin the fill releases.
    function selfDump(uint256 accountSeed, uint256 marketSeed, uint256 fractionSeed, uint256 priceSeed) external {
        _count("selfDump");
        uint256 m = marketSeed % 2;
        bool ok;
        try engine.updateMarket(m) {} catch {}
        for (uint256 i; i < OWNERS * SUBS; ++i) {
            uint256 k = ((accountSeed % (OWNERS * SUBS)) + i) % (OWNERS * SUBS); // no overflow at any seed
            uint256 dumper = accounts[k];
            int256 size = _sizeOf(dumper, m);
            (bool frozen, ) = vault.accountStatus(dumper);
            (bool below, , ) = _surplus(dumper);
            if (size == 0 || frozen || !below) continue;
            uint256 index;
            try oracle.getPrice(engine.oracleAssetOf(m)) returns (uint256 p) {
                index = p;
            } catch {
                break;
            }
            uint256 sibling = accounts[k - (k % SUBS) + (((k % SUBS) + 1 + (priceSeed % 2)) % SUBS)];
            int256 dump = -((size * int256(_bound(fractionSeed, 0.01e18, WAD))) / int256(WAD));
            if (dump == 0) break;
            // One dump in four at the index itself: what an insolvent account's buy-back at the mark looks like
            // (review H-1, INV-30); the others at up to 5 % worse.
            uint256 worse = priceSeed % 4 == 0 ? 0 : priceSeed % 0.05e18;
            uint256 price = size > 0 ? (index * (WAD - worse)) / WAD : (index * (WAD + worse)) / WAD;
            ok = _tradeAt(dumper, sibling, m, dump, price, 0);
            break;
        }
        _after("selfDump", ok);
    }

    /// @notice A risk-taking owner opens a position of 50-100 % of what its equity allows at initial margin,
    /// long or short, against a market maker (keeper 1's account) at the index: the accounts that price moves
    /// then push into liquidation.
    function leveragedTrade(uint256 accountSeed, uint256 marketSeed, uint256 sizeSeed, bool long) external {
        _count("leveragedTrade");
        uint256 m = marketSeed % 2;
        uint256 account = accounts[accountSeed % (OWNERS * SUBS)];
        bool ok;
        try engine.updateMarket(m) {} catch {}
        try engineViews.accountMargin(account) returns (IMarginEngine.MarginState memory s) {
            IMarginEngine.MarketView memory v = engineViews.marketView(m);
            int256 free = s.equity - int256(s.initialMargin);
            if (free > 0 && v.cachedPrice != 0) {
                // Sized at the highest initial ratio any part of the notional pays (base plus the top tier's
                // add-on), so the fill passes its check under margin tiers too (INV-29).
                uint256 topAddOn = v.tiers.length == 0 ? 0 : v.tiers[v.tiers.length - 1].imrAddOn;
                uint256 size = (uint256(free) * WAD * WAD) / ((v.imr + topAddOn) * v.cachedPrice);
                size = (size * _bound(sizeSeed, 0.5e18, WAD)) / WAD;
                if (size > 1e14) {
                    // The market maker signs; the owner takes: a maker sell is a taker buy.
                    int256 makerSize = long ? -int256(size) : int256(size);
                    ok = _tradeAt(_accountId(keepers[1], 0), account, m, makerSize, v.cachedPrice, 0);
                }
            }
        } catch {}
        _after("leveragedTrade", ok);
    }

    function _trade(
        uint256 maker,
        uint256 taker,
        uint256 m,
        int256 sizeSeed,
        uint256 priceSeed,
        uint256 key
    ) internal returns (bool ok) {
        if (maker == taker) return false;
        try engine.updateMarket(m) {} catch {}
        uint256 index;
        try oracle.getPrice(engine.oracleAssetOf(m)) returns (uint256 p) {
            index = p;
        } catch (bytes memory reason) {
            lastError["trade"] = _selector(reason);
            return false;
        }
        // Size: up to 200 ETH or 10 BTC, either sign; price: index ± 6 %.
        int256 size = int256(_bound(uint256(sizeSeed < 0 ? -(sizeSeed + 1) : sizeSeed), 1e14, m == 0 ? 200e18 : 10e18));
        if (sizeSeed < 0) size = -size;
        ok = _tradeAt(maker, taker, m, size, (index * (WAD - 0.055e18 + (priceSeed % 0.11e18))) / WAD, key);
    }

    /// @dev The maker's order of `size` at `price` filled in full by the taker's owner, with the fill's checks.
    function _tradeAt(
        uint256 maker,
        uint256 taker,
        uint256 m,
        int256 size,
        uint256 price,
        uint256 key
    ) internal returns (bool ok) {
        (IOrderSettlement.Order memory order, bytes memory sig) = _signedOrder(maker, m, size, price, key);
        TradeSnapshot memory before = _tradeSnapshot(maker, taker, m);
        ok = _callFill(_ownerOf(taker), order, sig, taker, uint128(_abs(size)), size < 0 ? type(uint256).max : 0);
        if (ok) _checkTrade(before, maker, taker, m);
        if (ok && key != 0) _checkSessionKey(_ownerOf(maker), order.signer);
    }

    /// @dev Issue #11 class 5, after a fill signed by session key `key` for `owner`: unless the key has full scope,
    /// its owner had set limits, they had not expired, and the key's notional in its window is within the limit.
    function _checkSessionKey(address owner, address key) internal {
        if (engine.isAuthorized(owner, key, IMarginEngine.Scope.Full)) return;
        IOrderSettlement.SessionKeyLimits memory lim = venue.sessionKeyLimits(owner, key);
        (uint256 used, ) = venue.sessionKeyUsage(owner, key);
        if (lim.period == 0) _violate("CLASS05", "a trade-scope key without venue limits traded");
        else if (block.timestamp > lim.expiry) _violate("CLASS05", "a session key traded after its venue expiry");
        else if (used > lim.notionalPerPeriod) _violate("CLASS05", "a session key traded beyond its notional per window");
    }

    /// @dev A maker order of `size` at `price` signed by the maker's owner (`key` 0) or session key `key - 1`.
    function _signedOrder(
        uint256 maker,
        uint256 m,
        int256 size,
        uint256 price,
        uint256 key
    ) internal returns (IOrderSettlement.Order memory order, bytes memory sig) {
        address makerOwner = _ownerOf(maker);
        uint256 signerKey = key == 0 ? _ownerKeyOf(makerOwner) : _sessionKeys[key - 1];
        order = IOrderSettlement.Order({
            account: maker,
            marketId: uint16(m),
            size: int128(size),
            limitPrice: uint128(price),
            expiry: uint64(block.timestamp + 1 hours),
            nonce: venue.minNonce(makerOwner),
            salt: uint64(++_salt),
            reduceOnly: false,
            signer: vm.addr(signerKey)
        });
        sig = _sign(signerKey, venue.hashOrder(order));
    }

    struct TradeSnapshot {
        int256 makerSurplus; // equity - maintenance margin at the index before the fill, when below maintenance
        int256 takerSurplus;
        int256 makerEquity; // equity at the index before the fill
        int256 takerEquity;
        bool makerBelow;
        bool takerBelow;
        bool makerFrozen;
        bool takerFrozen;
        int256 makerSize;
        int256 takerSize;
        uint256 longOpenInterest;
        int256 premium; // the market's premium before the fill (WAD)
        bool updatedNow; // the market was updated in this block (no funding epoch closes in the fill)
    }

    function _tradeSnapshot(uint256 maker, uint256 taker, uint256 m) internal view returns (TradeSnapshot memory s) {
        (s.makerFrozen, ) = vault.accountStatus(maker);
        (s.takerFrozen, ) = vault.accountStatus(taker);
        (s.makerSize, ) = engineViews.position(maker, m);
        (s.takerSize, ) = engineViews.position(taker, m);
        IMarginEngine.MarketView memory v = engineViews.marketView(m);
        s.longOpenInterest = v.longOpenInterest;
        s.premium = v.premium;
        s.updatedNow = v.lastUpdate == block.timestamp;
        (s.makerBelow, s.makerSurplus, s.makerEquity) = _surplus(maker);
        (s.takerBelow, s.takerSurplus, s.takerEquity) = _surplus(taker);
    }

    /// @dev (below maintenance, equity - maintenance margin, equity) at the oracle's index prices; zeros if unpriced.
    function _surplus(uint256 account) internal view returns (bool below, int256 surplus, int256 equity) {
        try engineViews.accountMargin(account) returns (IMarginEngine.MarginState memory s) {
            equity = s.equity;
            surplus = s.equity - int256(s.maintenanceMargin);
            below = surplus < 0;
        } catch {}
    }

    /// @dev Issue 11 class 1 (self-dump): a fill by an account below maintenance must not lower its equity minus
    /// maintenance margin at the index by more than the fees it paid (`feeAllowance`, WAD), nor, when the account
    /// stays below maintenance, its equity by more than those fees (it may use the exception only at the mark or
    /// better). Both are judged at the prices the engine's check used (`_atCachedPrices`, as INV-12): an account
    /// that the oracle's newest price puts below maintenance while the engine's cached prices (at most
    /// `maxPriceAge` old) still put it above initial margin trades like any margined account. The short campaign
    /// at 0xba11a57 found that case once the budget grew (a leveraged ETH long, ETH -24.9 % in the same block,
    /// then a BTC buy 4.4 % above the index that the engine rightly accepted at the cached ETH price); it is the
    /// cached-price finding of docs/TESTING.md, not a self-dump.
    function _checkNoSelfDump(bool below, int256 before, int256 equityBefore, uint256 account, uint256 feeAllowance) internal {
        if (!below || !_atCachedPrices(account)) return;
        (, int256 afterSurplus, int256 equityAfter) = _surplus(account);
        if (afterSurplus + int256(feeAllowance) < before) {
            _violate("ISSUE11-SELFDUMP", "a fill by an account below maintenance lowered its surplus over maintenance");
        }
        if (afterSurplus < 0 && equityAfter + int256(feeAllowance) < equityBefore) {
            _violate("ISSUE11-SELFDUMP", "a fill by an account staying below maintenance gave away equity (class 1)");
        }
    }

    /// @dev Transition checks of a fill: no account in auction trades (INV-22), filled ≤ size (INV-16), the
    /// open-interest cap (INV-09), initial margin or strictly reduced risk (INV-12).
    function _checkTrade(TradeSnapshot memory b, uint256 maker, uint256 taker, uint256 m) internal {
        if (b.makerFrozen || b.takerFrozen) _violate("INV-22", "an account in auction traded");
        IMarginEngine.MarketView memory v = engineViews.marketView(m);
        if (v.longOpenInterest > b.longOpenInterest && v.longOpenInterest > v.setup.openInterestCap) {
            _violate("INV-09", "a fill raised long open interest above the cap");
        }
        _checkPremiumMove(b, v, _abs(b.makerSize - _sizeOf(maker, m)));
        _checkMarginAfterFill(maker, m, b.makerSize);
        _checkMarginAfterFill(taker, m, b.takerSize);
        _checkMarginTiers(maker);
        _checkMarginTiers(taker);
        // Fees: at most 0.07 % of a notional of at most |size| x 1.06 x index (both rates rounded up), plus a wei.
        uint256 fees = (_abs(b.makerSize - _sizeOf(maker, m)) * engineViews.marketView(m).cachedPrice * 2) / 1e21 + 2;
        _checkNoSelfDump(b.makerBelow, b.makerSurplus, b.makerEquity, maker, fees);
        _checkNoSelfDump(b.takerBelow, b.takerSurplus, b.takerEquity, taker, fees);
    }

    /// @dev Issue 11 class 4 (wash-fill funding): a fill of `filled` (WAD base) moves the premium toward its sample
    /// (|sample| <= maxFillDeviation) by at most the weight min(1, filled / (openInterestCap * 1%)), so by at most
    /// (|premium| + maxFillDeviation) * weight + 2 wei. Judged when no funding epoch can close inside the fill.
    function _checkPremiumMove(TradeSnapshot memory b, IMarginEngine.MarketView memory v, uint256 filled) internal {
        if (!b.updatedNow) return;
        uint256 depth = (uint256(v.setup.openInterestCap) + 99) / 100;
        uint256 weight = depth == 0 || filled >= depth ? WAD : (filled * WAD) / depth + 1;
        uint256 bound = ((_abs(b.premium) + v.setup.maxFillDeviation) * weight) / WAD + 2;
        if (_abs(v.premium - b.premium) > bound) {
            _violate("CLASS04", "a fill moved the premium by more than its size weight allows (class 4)");
        }
    }

    function _sizeOf(uint256 account, uint256 m) internal view returns (int256 size) {
        (size, ) = engineViews.position(account, m);
    }

    /// @dev INV-12 and INV-30 are stated at the prices the engine's check used (cached, at most `maxPriceAge` old):
    /// judged only when every price the account depends on is cached at the oracle's current value
    /// (`_atCachedPrices`).
    function _checkMarginAfterFill(uint256 account, uint256 m, int256 sizeBefore) internal {
        if (!_atCachedPrices(account)) return;
        int256 sizeAfter = _sizeOf(account, m);
        IMarginEngine.MarginState memory s = engineViews.accountMargin(account);
        if (s.equity < 0) _violate("INV-30", "a fill left an account with negative equity");
        if (s.equity >= int256(s.initialMargin)) return;
        bool reduced = _abs(sizeAfter) < _abs(sizeBefore) && (sizeAfter == 0 || (sizeAfter > 0) == (sizeBefore > 0));
        if (!reduced) _violate("INV-12", "a fill left an account below initial margin without reducing its risk");
    }

    /// @dev Whether every market price and collateral price `account` depends on is cached at the oracle's current
    /// value, so that the fresh margin the handler reads equals the one the protocol checked.
    /// @dev INV-28: after value left `account` (a withdrawal or an outgoing cash transfer, judged at the cached
    /// prices the vault's check used), its equity without unrealised profit, i.e. E less every position's positive
    /// value at the engine's cached mark, still covers initial margin: no paper profit left the account.
    function _checkNoPaperProfitOut(uint256 account, IMarginEngine.MarginState memory s) internal {
        int256 profit;
        for (uint256 m; m < 2; ++m) {
            (int256 size, int256 basis) = engineViews.position(account, m);
            if (size == 0 && basis == 0) continue;
            uint256 price = engineViews.marketView(m).cachedPrice;
            int256 v = MarginMath.positionValue(size, basis, price, engineViews.cumulativeFundingAt(m, price));
            if (v > 0) profit += v;
        }
        if (s.equity - profit < int256(s.initialMargin)) _violate("INV-28", "unrealised profit left an account");
    }

    function _atCachedPrices(uint256 account) internal view returns (bool) {
        (uint128 markets, ) = engine.accountInfo(account);
        for (uint256 m; m < 2; ++m) {
            if ((markets >> m) & 1 == 0) continue;
            try oracle.getPrice(engine.oracleAssetOf(m)) returns (uint256 fresh) {
                if (engineViews.marketView(m).cachedPrice != fresh) return false;
            } catch {
                return false;
            }
        }
        uint16 bits = vault.accountTokens(account);
        for (uint256 t = 1; t < _tokens.length; ++t) {
            if ((bits >> (t - 1)) & 1 == 0) continue;
            ICollateralVault.TokenInfo memory info = vault.tokenInfo(_tokens[t]);
            try oracle.getPrice(info.oracleAsset) returns (uint256 fresh) {
                if (info.cachedPrice != fresh) return false;
            } catch {
                return false;
            }
        }
        return true;
    }

    // ================================================================== keepers and auctions

    /// @notice A keeper (or an owner on its own sibling, or the griefer) starts an auction on any account.
    function startAuction(uint256 callerSeed, uint256 targetSeed) external {
        _count("startAuction");
        uint256 target = targetSeed % 4 == 0 ? accounts[targetSeed % accounts.length] : _pickLiquidatable(targetSeed);
        (address caller, uint256 tipAccount) = _starter(callerSeed);
        ILiquidationAuction.Quote memory q = _quote(target);
        uint256 penaltyCap = (uint256(auction.params().penaltyRate) * q.requirement) / WAD;
        int256 tipCashBefore = vault.cashBalance(tipAccount);
        int256 targetCashBefore = vault.cashBalance(target);
        (bool ok, ) = _callStartAuction(caller, target, tipAccount);
        if (ok && tipAccount != target) {
            int256 tip = vault.cashBalance(tipAccount) - tipCashBefore;
            if (tip > int256(penaltyCap) + 1) _violate("INV-20", "the tip exceeded the penalty of the whole portfolio");
            // Class 9 of issue 11: the tip never exceeds the penalty rate of the account's own value V (an insolvent
            // account pays none, so no tip is a loss the insurance fund covers; review 6, M-1: a solvent one stays
            // solvent, so a start cannot open the fund-paid insolvent bonus).
            uint256 valueCap = q.markToMarket > 0 ? (uint256(auction.params().penaltyRate) * uint256(q.markToMarket)) / WAD : 0;
            if (tip > 0 && uint256(tip) > valueCap + 1) {
                _violate("INV-20", "the tip exceeded penaltyRate x the account's own value (class 9, review 6 M-1)");
            }
            if (vault.cashBalance(target) - targetCashBefore < -int256(penaltyCap) - 1) {
                _violate("INV-20", "the liquidated account paid more than the penalty as tip");
            }
        }
        _after("startAuction", ok);
    }

    /// @notice A keeper bids a fraction of an auction (its largest fraction half of the time).
    function bid(uint256 keeperSeed, uint256 targetSeed, uint256 fractionSeed) external {
        _count("bid");
        uint256 target = targetSeed % 4 == 0 ? accounts[targetSeed % accounts.length] : _pickActive(targetSeed);
        address k = keepers[keeperSeed % KEEPERS];
        uint256 bidder = _accountId(k, 0);
        BidSnapshot memory b = _bidSnapshot(target);
        uint256 fraction = _fraction(target, fractionSeed);
        b.fraction = fraction;
        (bool ok, ) = _callBid(k, target, bidder, fraction, vault.accountNonce(target));
        if (ok) _checkBid(b, target, bidder);
        _after("bid", ok);
    }

    /// @notice Anyone (a keeper) triggers automated deleveraging of a running auction, refused unless the auction has
    /// recorded the account insolvent and the insurance fund cannot pay what a final bid may claim; when it runs, every
    /// account's positions before and after are checked against INV-31 (at most the bankrupt size closed in all) and
    /// INV-32 (only the other side is touched, each position its pro-rata share phi).
    function deleverage(uint256 callerSeed, uint256 targetSeed) external {
        _count("deleverage");
        uint256 target = _pickActive(targetSeed);
        uint256 markets = engine.marketCount();
        int256[][] memory before = new int256[][](markets);
        uint256[] memory openInterest = new uint256[](markets);
        for (uint256 m; m < markets; ++m) {
            before[m] = new int256[](accounts.length);
            for (uint256 i; i < accounts.length; ++i) before[m][i] = _sizeOf(accounts[i], m);
            openInterest[m] = engineViews.marketView(m).longOpenInterest;
        }
        vm.prank(keepers[callerSeed % KEEPERS]);
        bool ok = true;
        try auction.deleverage(target) {} catch {
            ok = false;
        }
        if (ok) _checkDeleveraging(target, before, openInterest);
        _after("deleverage", ok);
    }

    /// @dev INV-31 and INV-32 over the handler's accounts after an ADL event on `target`.
    function _checkDeleveraging(uint256 target, int256[][] memory before, uint256[] memory openInterest) internal {
        uint256 t;
        while (accounts[t] != target) ++t;
        for (uint256 m; m < before.length; ++m) {
            int256 s = before[m][t];
            // No position, or no event in this market (its position stays for the auction).
            if (s == 0 || _sizeOf(target, m) == s) continue;
            uint256 phi = (_abs(s) * WAD) / openInterest[m];
            uint256 closedTotal;
            uint256 allowance;
            for (uint256 i; i < accounts.length; ++i) {
                if (i == t) continue;
                int256 z = before[m][i];
                int256 a = _sizeOf(accounts[i], m);
                if (z == 0 || (z > 0) == (s > 0)) {
                    if (a != z) _violate("INV-32", "ADL changed a position that was not on the other side");
                    continue;
                }
                if (a != 0 && (a > 0) != (z > 0)) _violate("INV-32", "ADL flipped an opposite position");
                uint256 closed = _abs(z) - _abs(a);
                closedTotal += closed;
                uint256 share = (_abs(z) * phi) / WAD;
                // Within a wei, plus the size factors' rounding for a position last settled before older events.
                uint256 slack = (_abs(z) / 1e12 + 2) * 4;
                allowance += slack;
                if (closed > share + slack || closed + slack < share)
                    _violate("INV-32", "an opposite position did not close its share phi");
            }
            if (closedTotal > _abs(s) + allowance) _violate("INV-31", "ADL closed more than the bankrupt size");
            _recordDeleveragingDust(m, s > 0 ? 1 : 0, openInterest[m]);
        }
    }

    /// @dev Adds an ADL event's rounding dust in market `m` (other side `side`, open interest `openInterest` before it).
    function _recordDeleveragingDust(uint256 m, uint256 side, uint256 openInterest) internal {
        (uint256 n, , ) = engineViews.deleveragingIndex(m, side, 0);
        (, uint256 keepFrom, int256 closedFrom) = engineViews.deleveragingIndex(m, side, n - 1);
        (, , int256 closedTo) = engineViews.deleveragingIndex(m, side, n);
        uint256 sizeDust = openInterest / 1e12 + accounts.length + 2;
        adlSizeDust[m] += sizeDust;
        adlBasisDust[m] += sizeDust * (_abs(closedTo - closedFrom) / keepFrom + 2);
    }

    /// @notice The flash liquidator bids from its own account; with `hedge`, inside the auction's callback it sells
    /// (buys back) what the bid hands it by filling the market maker's signed orders on the venue (keeper 1's
    /// account, at the index), one per market the account holds, for the fraction requested (the auction may
    /// cap it, so the hedge may overshoot into an opposite position).
    function flashBid(uint256 targetSeed, uint256 fractionSeed, bool hedge) external {
        _count("flashBid");
        uint256 target = targetSeed % 4 == 0 ? accounts[targetSeed % accounts.length] : _pickActive(targetSeed);
        BidSnapshot memory b = _bidSnapshot(target);
        uint256 fraction = _fraction(target, fractionSeed);
        b.fraction = fraction;
        FlashLiquidator.Hedge[] memory hedges = hedge ? _hedges(target, fraction) : new FlashLiquidator.Hedge[](0);
        bool ok = _callFlashBid(target, fraction, vault.accountNonce(target), hedges);
        if (ok) _checkBid(b, target, flash.account());
        if (ok && hedges.length != 0) accepted["flashBidHedged"] += 1;
        _after("flashBid", ok);
    }

    /// @dev The market maker's orders that take the other side of `fraction` of each of `target`'s positions from the
    /// flash liquidator at the index (empty when the account holds none or a price is invalid).
    function _hedges(uint256 target, uint256 fraction) internal returns (FlashLiquidator.Hedge[] memory hedges) {
        uint256 maker = _accountId(keepers[1], 0);
        FlashLiquidator.Hedge[2] memory found;
        uint256 n;
        for (uint256 m; m < 2; ++m) {
            int256 size = _sizeOf(target, m);
            uint256 part = (_abs(size) * (fraction > WAD ? WAD : fraction)) / WAD;
            if (part == 0) continue;
            uint256 index;
            try oracle.getPrice(engine.oracleAssetOf(m)) returns (uint256 p) {
                index = p;
            } catch {
                return new FlashLiquidator.Hedge[](0);
            }
            // The liquidator receives the account's side: a long is sold to the maker (a maker buy), a short bought.
            int256 makerSize = size > 0 ? int256(part) : -int256(part);
            (IOrderSettlement.Order memory order, bytes memory sig) = _signedOrder(maker, m, makerSize, index, 0);
            found[n++] = FlashLiquidator.Hedge(order, sig, uint128(part), makerSize < 0 ? type(uint256).max : 0);
        }
        hedges = new FlashLiquidator.Hedge[](n);
        for (uint256 i; i < n; ++i) hedges[i] = found[i];
    }

    /// @notice Anyone terminates, restarts or checkpoints an auction.
    function auctionUpkeep(uint256 targetSeed, uint256 actionSeed) external {
        _count("auctionUpkeep");
        uint256 target = targetSeed % 4 == 0 ? accounts[targetSeed % accounts.length] : _pickActive(targetSeed);
        vm.prank(griefer);
        bool ok = true;
        uint256 action = actionSeed % 3;
        if (action == 0) {
            try auction.terminateAuction(target) {} catch {
                ok = false;
            }
        } else if (action == 1) {
            try auction.restartAuction(target) {} catch {
                ok = false;
            }
        } else {
            try auction.checkpoint(target) {} catch {
                ok = false;
            }
        }
        _after("auctionUpkeep", ok);
    }

    struct BidSnapshot {
        bool measured; // the account could be valued before the bid (prices valid)
        int256 equity; // E before the bid, at the oracle's prices (WAD)
        uint256 maintenance; // M before the bid (WAD)
        uint256 rounding; // the bid's documented rounding allowance for this account (WAD, see _checkBid)
        int256 markToMarket; // V before the bid, at the oracle's prices (WAD; 0 when not measured)
        int256 fundCash; // the insurance fund account's cash before the bid (WAD)
        uint256 supplyIndex; // the vault's supply index before the bid (WAD)
        bool insolvencyRecorded; // the auction's quote shows a recorded insolvency (the bonus may apply)
        uint256 fraction; // the fraction requested (WAD; an insolvent auction allows all of it)
        uint256 pendingBadDebt; // the pending bad debt of all running auctions before the bid (WAD)
        uint256 requirement; // R before the bid, from the quote (WAD)
        uint256 dustMargin; // the running auction's dustMargin (WAD; 0 without one)
    }

    function _bidSnapshot(uint256 target) internal view returns (BidSnapshot memory b) {
        try engineViews.accountMargin(target) returns (IMarginEngine.MarginState memory s) {
            b.measured = true;
            b.equity = s.equity;
            b.maintenance = s.maintenanceMargin;
        } catch {
            return b;
        }
        // One wei of size of every held market at its price (rounded up) plus 2 wei for its value and margin, and
        // 8 wei for the cash legs (principal conversions, the penalty rounded up) and the collateral values.
        (uint128 markets, ) = engine.accountInfo(target);
        for (uint256 m; m < 2; ++m) {
            if ((markets >> m) & 1 == 0) continue;
            try oracle.getPrice(engine.oracleAssetOf(m)) returns (uint256 p) {
                b.rounding += (p + WAD - 1) / WAD + 2;
            } catch {
                b.measured = false;
            }
        }
        b.rounding += 8;
        try auction.quote(target) returns (ILiquidationAuction.Quote memory q) {
            b.markToMarket = q.markToMarket;
            b.insolvencyRecorded = q.insolvencyRecorded;
            b.requirement = q.requirement;
            b.dustMargin = auction.auctionParams(target).dustMargin;
        } catch {} // solhint-disable-line no-empty-blocks
        b.fundCash = vault.cashBalance(fund.fundAccount());
        (b.supplyIndex, , ) = vault.cashIndices();
        b.pendingBadDebt = auction.pendingBadDebt();
    }

    /// @dev INV-18 (a bid never lowers the account's health factor E / M) and INV-19 (the bidder stays at or above
    /// initial margin), both at the same block and prices as the bid.
    /// INV-18 is compared in value terms, E' * M >= E * M' (cross-multiplied, so exact), with the tolerance
    /// docs/INVARIANTS.md states: the bid's rounding may cost the account the value of one wei of size per market
    /// (a position in profit keeps up to one wei of size less than exact) and a few wei of cash and collateral
    /// (`BidSnapshot.rounding`, below 1e-13 of a cash unit in all). The earlier check allowed `HF / 1e15`, a relative
    /// tolerance: that stated the property wrongly for accounts whose equity after the bid is small (below about
    /// 60 cash units with a BTC position in profit, one wei of whose size is worth 60,000 wei), where a legitimate
    /// rounding of a few thousand wei exceeds a part in 1e15 of the health factor ("a bid lowered the account's
    /// health factor" with no economic loss); and `HF' + HF / 1e15 + 1` overflowed (a reverted handler call, so the
    /// bid was rolled back unchecked) whenever a bid left no maintenance margin (HF' = type(uint256).max).
    /// Each maintenance margin is rounded up by at most a wei per market, so M' is compared less the markets
    /// still held. HF = 0 before (E <= 0) cannot be lowered; M' = 0 leaves HF' = max unless E' < 0.
    /// With E > 0 the account's V = E + H is positive too, so the bid pays no subsidy (INV-26) and socialises
    /// nothing: the account bears no share of a loss (before the 5 December 2026 fix a solvent account sold past its
    /// floor did, found by the coverage campaign: a 0.1 % take, 7.6e9 wei of 49,700 cash).
    /// INV-26: a bid on an account with V > 0 takes nothing from the insurance fund's cash and leaves the supply
    /// index where it was (the fund only receives its share of the penalty; interest only raises the index).
    /// INV-27: a bid on an insolvent account (V <= 0) with no insolvency recorded draws at most -V from the fund: the
    /// insolvent bonus grows only from a recorded insolvency (review R3-1).
    /// INV-24 in part: a bid that leaves its auction running settles at most the fraction it took of the auction's
    /// recorded bad debt, so at most that fraction of the pending total (review 5, I-3: the bonus-inflated subsidy
    /// used to settle more, clearing the fund's mark while the rest of the deficit was unpaid).
    function _checkBid(BidSnapshot memory b, uint256 target, uint256 bidder) internal {
        if (auction.auctionOf(target).active) {
            uint256 pendingAfter = auction.pendingBadDebt();
            uint256 share = (b.pendingBadDebt * (b.fraction > WAD ? WAD : b.fraction)) / WAD;
            if (pendingAfter + share < b.pendingBadDebt) {
                _violate("INV-24", "a partial bid settled more than its fraction of the pending bad debt");
            }
        }
        IMarginEngine.MarginState memory s = engineViews.accountMargin(target);
        if (b.measured && b.markToMarket > 0) {
            (uint256 supplyIndex, , ) = vault.cashIndices();
            if (vault.cashBalance(fund.fundAccount()) < b.fundCash || supplyIndex < b.supplyIndex) {
                _violate("INV-26", "a bid on a solvent account drew on the insurance fund or socialised a loss");
            }
        }
        if (b.measured && b.markToMarket <= 0 && !b.insolvencyRecorded) {
            // The subsidy is the fraction taken of the deficit -V, rounded down, and no bonus: the fund pays at most that,
            // in whole token units, and bears its pro-rata share of what is socialised beyond its payment; the supply
            // index's cut is rounded against holders, which may cost the fund up to about its cash / 1e18 wei more
            // (allowed tenfold, plus the balance's own rounding).
            uint256 taken = b.fraction > WAD ? WAD : b.fraction;
            // A bid that would leave a remainder whose R is below the auction's dustMargin takes it all.
            if (b.markToMarket < 0 && (b.requirement * (WAD - taken)) / WAD < b.dustMargin) {
                taken = WAD;
            }
            int256 allowance = b.fundCash / 1e17 + 10;
            if (
                b.fundCash - vault.cashBalance(fund.fundAccount()) > int256((uint256(-b.markToMarket) * taken) / WAD) + allowance
            ) {
                _violate("INV-27", "an insolvent bid paid a bonus before the insolvency was recorded");
            }
        }
        if (b.measured && b.equity > 0) {
            int256 tolerance = int256(b.rounding);
            bool worse;
            if (s.maintenanceMargin == 0 || b.maintenance == 0) {
                worse = s.equity + tolerance < 0;
            } else {
                (uint128 markets, ) = engine.accountInfo(target);
                uint256 held = (markets & 1) + ((markets >> 1) & 1);
                uint256 mAfter = s.maintenanceMargin > held ? s.maintenanceMargin - held : 0;
                // |E|, M < 2^128 here (cash, collateral and notional are far below), so the products fit.
                worse = (s.equity + tolerance) * int256(b.maintenance) < b.equity * int256(mAfter);
            }
            if (worse) _violate("INV-18", "a bid lowered the account's health factor");
        }
        IMarginEngine.MarginState memory k = engineViews.accountMargin(bidder);
        if (k.equity < int256(k.initialMargin)) _violate("INV-19", "a bid left the bidder below initial margin");
    }

    /// @dev The first account in auction from a seed-chosen position on (keepers watch the auctions), or the
    /// account at that position if none is.
    function _pickActive(uint256 seed) internal view returns (uint256) {
        uint256 n = accounts.length;
        for (uint256 i; i < n; ++i) {
            uint256 a = accounts[((seed % n) + i) % n]; // no overflow at any seed
            if (auction.auctionOf(a).active) return a;
        }
        return accounts[seed % n];
    }

    /// @dev The first liquidatable account not yet in auction from a seed-chosen position on, or the account at
    /// that position if none is (or prices are invalid).
    function _pickLiquidatable(uint256 seed) internal view returns (uint256) {
        uint256 n = accounts.length;
        for (uint256 i; i < n; ++i) {
            uint256 a = accounts[((seed % n) + i) % n]; // no overflow at any seed
            if (auction.auctionOf(a).active) continue;
            try engineViews.accountMargin(a) returns (IMarginEngine.MarginState memory s) {
                if (s.liquidatable) return a;
            } catch {
                break;
            }
        }
        return accounts[seed % n];
    }

    function _fraction(uint256 target, uint256 seed) internal view returns (uint256) {
        if (seed % 2 == 0) {
            uint256 max = _quote(target).maxFraction;
            if (max != 0) return max;
        }
        return _bound(seed, 1e15, WAD);
    }

    function _starter(uint256 seed) internal view returns (address caller, uint256 tipAccount) {
        uint256 who = seed % 4;
        if (who < KEEPERS) return (keepers[who], _accountId(keepers[who], 0));
        if (who == 2) return (griefer, _accountId(griefer, 0));
        // An owner tipping itself into a sibling subaccount (self-liquidation must not pay).
        address o = owners[(seed >> 8) % OWNERS];
        return (o, _accountId(o, 1));
    }

    // ================================================================== griefer

    /// @notice The griefer deposits dust of any token into any account (including one in auction).
    function griefDust(uint256 targetSeed, uint256 tokenSeed) external {
        _count("griefDust");
        uint256 target = accounts[targetSeed % accounts.length];
        _fund(griefer, target, tokenSeed % 3, 1);
        _after("griefDust", true);
    }

    /// @notice The griefer transfers a little of its cash into any account.
    function griefTransfer(uint256 targetSeed, uint256 amountSeed) external {
        _count("griefTransfer");
        uint256 target = accounts[targetSeed % accounts.length];
        bool ok = _callTransferCash(griefer, _accountId(griefer, 0), target, _bound(amountSeed, 1, 10e6));
        _after("griefTransfer", ok);
    }

    /// @notice "No third party can keep an account from being liquidated" (issue 11, classes 2 and 3, review M1):
    /// whether a keeper's start or bid would succeed is tried on a snapshot; then the griefer deposits dust of any
    /// token, transfers one cash unit into the account or (in auction) bids a millionth of it, and the keeper sends
    /// the same call (with the nonce read before the griefer acted). Succeeding before and failing after is a
    /// violation. A quarter of the time (class 2) the griefer first lets the BTC feed go stale (beyond its heartbeat)
    /// when the account depends on no BTC price, then deposits one unit of WBTC: dust that the account's valuation
    /// would then need a price for, so it would block the keeper if a third party could deposit it (the feed reports
    /// again afterwards).
    function griefThenLiquidate(uint256 keeperSeed, uint256 targetSeed, uint256 actionSeed, uint256 fractionSeed) external {
        _count("griefThenLiquidate");
        uint256 target = targetSeed % 2 == 0 ? _pickActive(targetSeed) : _pickLiquidatable(targetSeed);
        address k = keepers[keeperSeed % KEEPERS];
        bool active = auction.auctionOf(target).active;
        uint64 nonce = vault.accountNonce(target);
        uint256 fraction = _fraction(target, fractionSeed);
        uint256 act = actionSeed % 4;
        bool staleDust = act == 3 && _sizeOf(target, 1) == 0 && (vault.accountTokens(target) >> 1) & 1 == 0;
        if (staleDust) _makeStale(_btcFeed, 1 hours + 1);
        uint256 snap = vm.snapshotState();
        bool okBefore = _liquidationStep(k, target, active, fraction, nonce);
        vm.revertToState(snap);
        if (staleDust) _fund(griefer, target, 2, 1);
        else if (act == 0 || act == 3) _fund(griefer, target, (actionSeed >> 2) % 3, 1);
        else if (act == 1 || !active) _callTransferCash(griefer, _accountId(griefer, 0), target, 1);
        else _callBid(griefer, target, _accountId(griefer, 0), 1e12, nonce); // 1e-6 of the portfolio (review M1)
        // A griefer's millionth of an insolvent portfolio whose remainder would be dust (R below dustMargin) takes the
        // whole portfolio: the account is liquidated, by the griefer, which is a lost race and not a block.
        bool liquidatedByGriefer = active && act == 2 && !staleDust && !auction.auctionOf(target).active;
        bool okAfter = _liquidationStep(k, target, active, fraction, nonce);
        if (okBefore && !okAfter && !liquidatedByGriefer) {
            _violate(
                "ISSUE11-BLOCK",
                staleDust
                    ? "a griefer's dust of a collateral with a stale feed blocked a keeper's start or bid (class 2)"
                    : active
                        ? "a griefer's dust, transfer or dust bid voided a keeper's bid"
                        : "a griefer's dust or transfer blocked an auction start"
            );
        }
        if (staleDust) _btcFeed.updateAnswer(_btcFeed.latestAnswer());
        _after("griefThenLiquidate", okAfter);
    }

    function _liquidationStep(address k, uint256 target, bool active, uint256 fraction, uint64 nonce) internal returns (bool ok) {
        if (active) (ok, ) = _callBid(k, target, _accountId(k, 0), fraction, nonce);
        else (ok, ) = _callStartAuction(k, target, _accountId(k, 0));
    }

    /// @notice The griefer sends tokens straight to the vault (a donation; the ledger must not count it).
    function donate(uint256 tokenSeed, uint256 amountSeed) external {
        _count("donate");
        uint256 t = tokenSeed % 3;
        uint256 amount = _bound(amountSeed, 1, _unitsOf(t, 1_000));
        TestERC20(_tokens[t]).mint(griefer, amount);
        vm.prank(griefer);
        IERC20(_tokens[t]).transfer(address(vault), amount);
        ghostDonated[_tokens[t]] += amount;
        _after("donate", true);
    }

    // ================================================================== insurance stakers

    /// @notice A keeper stakes cash in the insurance fund, requests an exit, or claims it.
    function insurance(uint256 actorSeed, uint256 actionSeed, uint256 amountSeed) external {
        _count("insurance");
        address who = keepers[actorSeed % KEEPERS];
        uint256 action = actionSeed % 3;
        bool ok;
        if (action == 0) {
            ok = _stake(who, _bound(amountSeed, 1, 100_000e6));
        } else if (action == 1) {
            uint256 shares = fund.balanceOf(who);
            if (shares != 0) {
                vm.prank(who);
                try fund.requestWithdrawal(_bound(amountSeed, 1, shares)) {
                    ok = true;
                } catch {}
            }
        } else {
            uint256 vaultBefore = usdc.balanceOf(address(vault));
            vm.prank(who);
            try fund.claimWithdrawal(who) {
                ok = true;
                // The fund pays from its vault account: whatever left the vault was withdrawn from the ledger.
                ghostHeldWad[address(usdc)] -= (vaultBefore - usdc.balanceOf(address(vault))) * _scaleOf(address(usdc));
            } catch {}
        }
        _after("insurance", ok);
    }

    function _stake(address who, uint256 amount) internal returns (bool ok) {
        usdc.mint(who, amount);
        vm.prank(who);
        usdc.approve(address(fund), amount);
        uint256 vaultBefore = usdc.balanceOf(address(vault));
        vm.prank(who);
        try fund.deposit(amount, who) {
            ok = true;
            ghostHeldWad[address(usdc)] += (usdc.balanceOf(address(vault)) - vaultBefore) * _scaleOf(address(usdc));
        } catch {}
    }

    // ================================================================== risk manager

    /// @notice The risk manager sets a market's risk parameters anywhere within their on-chain bounds (the engine
    /// ramps to the new targets).
    function riskParams(uint256 marketSeed, uint256 mmrSeed, uint256 imrSeed, uint256 stepSeed, uint256 volSeed) external {
        _count("riskParams");
        uint256 m = marketSeed % 2;
        uint64 mmr = uint64(_bound(mmrSeed, RiskBounds.MIN_MMR, 0.1e18));
        uint64 imr = uint64(_bound(imrSeed, uint256(mmr) + 1, uint256(mmr) * 3));
        IMarketConfigurator.RiskParams memory r = IMarketConfigurator.RiskParams({
            mmrBase: mmr,
            imrBase: imr,
            mmrFloor: uint64(_bound(volSeed, RiskBounds.MIN_MMR, mmr)),
            mmrCap: uint64(_bound(volSeed >> 64, mmr, RiskBounds.MAX_MMR)),
            volMultiplier: uint64(_bound(volSeed >> 128, 0, RiskBounds.MAX_VOL_MULTIPLIER)),
            volReference: uint64(_bound(volSeed >> 192, 0, 0.01e18)),
            volDecay: 0.94e18,
            minObservationInterval: 5 minutes,
            maxRatioStepPerHour: uint64(_bound(stepSeed, RiskBounds.MIN_RATIO_STEP_PER_HOUR, RiskBounds.MAX_RATIO_STEP_PER_HOUR)),
            imrSizeFactor: uint64(_bound(stepSeed >> 128, 0, 0.01e18))
        });
        bool ok;
        try configurator.setRiskParams(m, r) {
            ok = true;
        } catch {}
        _after("riskParams", ok);
    }

    /// @notice The risk manager sets trading parameters, auction parameters, a haircut, the cash rate model, the
    /// maximum price age or the stop level, within bounds.
    function riskOther(uint256 actionSeed, uint256 a, uint256 b) external {
        _count("riskOther");
        uint256 action = actionSeed % 7;
        bool ok = true;
        if (action == 0) {
            IMarketConfigurator.TradingParams memory t = IMarketConfigurator.TradingParams({
                openInterestCap: uint112(_bound(a, 10e18, 100_000e18)),
                maxFundingRatePer8h: uint64(_bound(b, RiskBounds.MIN_FUNDING_RATE_CAP, RiskBounds.MAX_FUNDING_RATE_CAP)),
                maxFillDeviation: uint64(_bound(b >> 64, 0.01e18, 0.1e18))
            });
            try configurator.setTradingParams(a % 2, t) {} catch {
                ok = false;
            }
        } else if (action == 1) {
            ILiquidationAuction.AuctionParams memory p = auction.params();
            p.penaltyRate = uint64(_bound(a, 0, 0.2e18));
            p.tipRate = uint64(_bound(a >> 64, 0, 0.05e18));
            p.flatTip = uint128(_bound(a >> 128, 0, 100e18));
            p.bufferRatio = uint64(_bound(b, 0, 0.5e18));
            // Up to 100 cash (twice the invariant deployment's 50; the networks' default, 500 USDC, would put most of these
            // small accounts under it): since an insolvent bid that would leave a remainder below dustMargin
            // takes the whole portfolio, a dustMargin near the accounts' own size ended most auctions at their first bid,
            // and the clock mutations (class 10, m3) were no longer reached with a running auction.
            p.dustMargin = uint128(_bound(b >> 64, 0, 100e18));
            p.insuranceShare = uint64(_bound(b >> 128, 0, WAD));
            // Class 7 of issue 11: setParams never reprices a running auction (its terms keep their version).
            bytes32[] memory terms = new bytes32[](accounts.length);
            for (uint256 i; i < accounts.length; ++i) terms[i] = keccak256(abi.encode(auction.auctionParams(accounts[i])));
            try auction.setParams(p) {} catch {
                ok = false;
            }
            for (uint256 i; i < accounts.length; ++i) {
                if (!auction.auctionOf(accounts[i]).active) continue;
                if (keccak256(abi.encode(auction.auctionParams(accounts[i]))) != terms[i]) {
                    _violate("INV-21", "setParams changed the terms of a running auction (class 7)");
                }
            }
        } else if (action == 2) {
            try vault.setHaircut(_tokens[1 + (a % 2)], uint64(_bound(b, 0.5e18, 0.9e18))) {} catch {
                ok = false;
            }
        } else if (action == 3) {
            try vault.setCashRateModel(uint64(_bound(a, 0, 0.2e18)), uint64(_bound(b, 0, 1e18))) {} catch {
                ok = false;
            }
        } else if (action == 4) {
            try engine.setMaxPriceAge(uint32(_bound(a, 30, 300))) {} catch {
                ok = false;
            }
        } else if (action == 5) {
            ok = _setMarginTiers(a, b);
        } else {
            // Stop level 0 mostly; 1 (no new auctions), 2 (no restarts) or 3 (no bids) one time in eight.
            uint8 level = uint8(a % 8 == 0 ? 1 + ((a >> 8) % 3) : 0);
            try auction.setStopLevel(level) {} catch {
                ok = false;
            }
        }
        _after("riskOther", ok);
    }

    /// @dev The risk manager replaces market (a % 2)'s margin tiers: none one time in eight, else 1 to 4 tiers with
    /// increasing thresholds from 10,000 to 300,000 cash and non-decreasing add-ons (up to 3 / 5 points per tier,
    /// initial >= maintenance), so that positions cross them but still trade. Afterwards every account's maintenance
    /// margin is checked (INV-29).
    function _setMarginTiers(uint256 a, uint256 b) internal returns (bool ok) {
        uint256 n = (a >> 8) % 8 == 0 ? 0 : 1 + ((a >> 16) % 4);
        IMarginEngine.MarginTier[] memory tiers = new IMarginEngine.MarginTier[](n);
        uint256 threshold = _bound(b, 10_000e18, 300_000e18);
        uint256 mmrAddOn;
        uint256 imrAddOn;
        for (uint256 i; i < n; ++i) {
            uint256 r = uint256(keccak256(abi.encode(a, b, i)));
            mmrAddOn += _bound(r, 0, 0.03e18);
            uint256 imrFloor = mmrAddOn + _bound(r >> 64, 0, 0.05e18);
            if (imrFloor > imrAddOn) imrAddOn = imrFloor;
            tiers[i] = IMarginEngine.MarginTier(uint128(threshold), uint64(mmrAddOn), uint64(imrAddOn));
            threshold += _bound(r >> 128, 1, 200_000e18);
        }
        try configurator.setMarginTiers(a % 2, tiers) {
            ok = true;
        } catch {}
        for (uint256 i; i < accounts.length; ++i) _checkMarginTiers(accounts[i]);
    }

    /// @dev INV-29 against an independent reading of the rule: at the oracle's prices, `account`'s maintenance margin
    /// is the sum over its positions of ceil((N x mmr + sum over tiers with T_i <= N of (A_i - A_(i-1)) x (N - T_i))
    /// / 1e18), N = |size| x price rounded up, A_i = min(target, rampFrom + floor(stepPerHour x elapsed / 1 h)) from
    /// `marketView`. Skipped while a price cannot be read.
    function _checkMarginTiers(uint256 account) internal {
        uint256 expected;
        for (uint256 m; m < 2; ++m) {
            (int256 size, ) = engineViews.position(account, m);
            if (size == 0) continue;
            IMarginEngine.MarketView memory v = engineViews.marketView(m);
            uint256 price;
            try oracle.getPrice(v.oracleAsset) returns (uint256 p) {
                price = p;
            } catch {
                return;
            }
            uint256 notional = MarginMath.notionalUp(size, price);
            uint256 step = (v.tierRampStepPerHour * (block.timestamp - v.tierRampStart)) / 1 hours;
            uint256 terms;
            uint256 previous;
            for (uint256 i; i < v.tiers.length && v.tiers[i].notionalThreshold <= notional; ++i) {
                uint256 addOn = v.tiers[i].mmrAddOn;
                if (v.tierRampFrom[i].mmrAddOn + step < addOn) addOn = v.tierRampFrom[i].mmrAddOn + step;
                terms += (addOn - previous) * (notional - v.tiers[i].notionalThreshold);
                previous = addOn;
            }
            expected += (notional * v.mmr + terms + WAD - 1) / WAD;
        }
        ICollateralVault.MarginCollateral memory none;
        try engine.accountMarginWithCollateral(account, none) returns (IMarginEngine.MarginState memory s) {
            if (s.maintenanceMargin != expected) _violate("INV-29", "maintenance margin differs from the tiered rule");
        } catch {}
    }

    // ================================================================== oracle and time

    /// @notice A feed moves by up to ±25 % (the ETH second feed follows, within or beyond its 5 % band).
    function oracleMove(uint256 feedSeed, uint256 moveSeed, uint256 secondSeed) external {
        _count("oracleMove");
        MockV3Aggregator feed = feedSeed % 2 == 0 ? _ethFeed : _btcFeed;
        int256 p = feed.latestAnswer();
        int256 move = int256(moveSeed % 5001) - 2500; // basis points x 0.1: ±25 %
        int256 next = (p * (10_000 + move)) / 10_000;
        if (next < 100e8) next = 100e8;
        feed.updateAnswer(next);
        if (feed == _ethFeed) {
            // The second feed agrees to within ±6 %: beyond 5 % the router refuses the price.
            int256 dev = int256(secondSeed % 1201) - 600;
            _ethFeed2.updateAnswer((next * (10_000 + dev)) / 10_000);
        }
        _after("oracleMove", true);
    }

    /// @notice All feeds report again at their current answers (a keeper's heartbeat), the second ETH feed
    /// agreeing with the first.
    function oracleRefresh() external {
        _count("oracleRefresh");
        _refreshFeeds();
        _after("oracleRefresh", true);
    }

    function _refreshFeeds() internal {
        _ethFeed.updateAnswer(_ethFeed.latestAnswer());
        _ethFeed2.updateAnswer(_ethFeed.latestAnswer());
        _btcFeed.updateAnswer(_btcFeed.latestAnswer());
    }

    /// @notice A feed goes stale: its last report is pushed back beyond the heartbeat.
    function oracleStale(uint256 feedSeed, uint256 ageSeed) external {
        _count("oracleStale");
        MockV3Aggregator feed = feedSeed % 3 == 0 ? _ethFeed : (feedSeed % 3 == 1 ? _btcFeed : _ethFeed2);
        _makeStale(feed, _bound(ageSeed, 1 hours + 1, 1 days));
        _after("oracleStale", true);
    }

    /// @dev `feed` reports its answer again, dated `age` seconds ago (beyond the 1-hour heartbeat: stale).
    function _makeStale(MockV3Aggregator feed, uint256 age) internal {
        uint256 at = block.timestamp > age ? block.timestamp - age : 1;
        feed.updateRoundData(uint80(feed.latestRound() + 1), feed.latestAnswer(), at, at);
    }

    /// @notice An L2 sequencer outage. One time in eight the sequencer goes down and stays down (until a warp
    /// brings it back); otherwise a whole episode plays out in this call: it goes down, a keeper tries to start an
    /// auction on any account (a bad price never liquidates: INV-14), and it comes back up, just now (its grace
    /// period runs) or, half of the time, reporting "up since" as long ago as is true (up to an hour: the outage
    /// of this instant is then hidden, as a feed that missed it would report; never earlier than it truly came up,
    /// so the class-10 ghost in `warp` follows a consistent history).
    function sequencer(uint256 stateSeed, uint256 targetSeed) external {
        _count("sequencer");
        (, bool wasUp, uint256 upSince, ) = oracle.sequencerState();
        _setSequencer(true, block.timestamp);
        if (stateSeed % 8 != 0) {
            (bool started, ) = _callStartAuction(keepers[0], accounts[targetSeed % accounts.length], _accountId(keepers[0], 0));
            if (started) _violate("INV-14", "an auction started while the sequencer was down");
            uint256 since = block.timestamp;
            if (stateSeed % 2 != 0 && wasUp) since = upSince > block.timestamp - 1 hours ? upSince : block.timestamp - 1 hours;
            _setSequencer(false, since);
        }
        _after("sequencer", true);
    }

    function _setSequencer(bool down, uint256 since) internal {
        _sequencer.updateRoundData(uint80(_sequencer.latestRound() + 1), down ? int256(1) : int256(0), since, since);
    }

    /// @notice Time passes: seconds to hours. Three times in four the feeds report on time meanwhile (keepers push
    /// prices each heartbeat); otherwise they fall behind and may go stale.
    function warp(uint256 secondsSeed) external {
        _count("warp");
        uint256 dt = secondsSeed % 8 == 0 ? _bound(secondsSeed, 1 hours, 12 hours) : _bound(secondsSeed, 1, 15 minutes);
        // Review M3: while bidding is halted (stop level 3) no auction clock counts a second.
        bool halted = auction.stopLevel() == 3;
        uint256[] memory clocks = new uint256[](accounts.length);
        if (halted) for (uint256 i; i < accounts.length; ++i) clocks[i] = _clockOf(accounts[i]);
        uint256 valid = _validSeconds(dt, halted);
        for (uint256 i; i < accounts.length; ++i) _countValidSeconds(accounts[i], valid);
        vm.warp(block.timestamp + dt);
        vm.roll(block.number + 1 + dt / 12);
        if (halted) {
            for (uint256 i; i < accounts.length; ++i) {
                if (_clockOf(accounts[i]) > clocks[i])
                    _violate("INV-23", "an auction clock counted time while bids were halted (M3)");
            }
        }
        // Class 10 of issue 11: since its last checkpoint no clock counts more seconds than the sequencer proved
        // valid (up past its grace period, bids not halted); judged before a warp's sequencer comes back up.
        for (uint256 i; i < accounts.length; ++i) {
            uint256 a = accounts[i];
            ILiquidationAuction.Auction memory au = auction.auctionOf(a);
            if (au.active && _clockOf(a) > uint256(au.elapsed) + ghostValidSeconds[a] + 1) {
                _violate("INV-23", "an auction clock counted seconds the sequencer did not prove valid (class 10)");
            }
        }
        if ((secondsSeed >> 8) % 4 != 0) _refreshFeeds();
        // A sequencer that is down comes back up half of the time (its grace period then runs).
        if (_sequencer.latestAnswer() != 0 && (secondsSeed >> 16) % 2 == 0) _setSequencer(false, block.timestamp);
        _after("warp", true);
    }

    /// @dev Of the next `dt` seconds, how many the sequencer proves valid: none while it is down or bids are halted
    /// (stop level 3), else those after its latest status change plus the grace period (AuctionMath.advance counts
    /// from changedAt + grace + 1). The handler changes the sequencer and the stop level only between warps.
    function _validSeconds(uint256 dt, bool halted) internal view returns (uint256) {
        (bool configured, bool up, uint256 changedAt, uint256 grace) = oracle.sequencerState();
        if (halted || (configured && !up)) return 0;
        uint256 from = configured && changedAt + grace + 1 > block.timestamp ? changedAt + grace + 1 : block.timestamp;
        return block.timestamp + dt > from ? block.timestamp + dt - from : 0;
    }

    /// @dev Class 10 ghost: adds `valid` seconds to `account`'s count since its auction's last checkpoint, restarting
    /// the count when the auction (start or checkpoint) changed since the last warp (time moves only in `warp`, so
    /// a new checkpoint is at the current time).
    function _countValidSeconds(uint256 account, uint256 valid) internal {
        ILiquidationAuction.Auction memory au = auction.auctionOf(account);
        if (!au.active) return;
        uint256 key = (uint256(au.startTime) << 32) | au.checkpoint;
        if (_ghostClockKey[account] != key) {
            _ghostClockKey[account] = key;
            ghostValidSeconds[account] = 0;
        }
        ghostValidSeconds[account] += valid;
    }

    /// @dev The auction clock of `account` (seconds), 0 when it has no running auction or the clock cannot be read.
    function _clockOf(uint256 account) internal view returns (uint256) {
        if (!auction.auctionOf(account).active) return 0;
        try auction.clock(account) returns (uint256 c) {
            return c;
        } catch {
            return 0;
        }
    }

    /// @notice Anyone updates a market (funding, ratio ramps) or records a volatility observation.
    function marketUpkeep(uint256 marketSeed, bool observe) external {
        _count("marketUpkeep");
        bool ok = true;
        if (observe) {
            try configurator.recordObservation(marketSeed % 2) {} catch {
                ok = false;
            }
        } else {
            // Class 6 of issue 11: the effective ratios are a function of block time; an update never moves them.
            IMarginEngine.MarketView memory before = engineViews.marketView(marketSeed % 2);
            try engine.updateMarket(marketSeed % 2) {} catch {
                ok = false;
            }
            IMarginEngine.MarketView memory afterUpdate = engineViews.marketView(marketSeed % 2);
            if (ok && (afterUpdate.mmr != before.mmr || afterUpdate.imr != before.imr)) {
                _violate("INV-10", "a market update moved the effective margin ratios (class 6)");
            }
        }
        _after("marketUpkeep", ok);
    }

    // ================================================================== bookkeeping

    /// @notice Every known account id, in the order of `accounts`.
    function accountIds() external view returns (uint256[] memory) {
        return accounts;
    }

    /// @notice Number of known accounts.
    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    /// @notice The collateral and cash tokens, cash first.
    function tokens() external view returns (address[] memory) {
        return _tokens;
    }

    /// @dev After every action: INV-05 (nonces never decrease) and INV-06 (indices) as transitions.
    function _after(bytes32 action, bool ok) internal {
        if (ok) accepted[action] += 1;
        for (uint256 i; i < accounts.length; ++i) {
            uint64 n = vault.accountNonce(accounts[i]);
            if (n < ghostNonce[accounts[i]]) _violate("INV-05", "an account nonce decreased");
            ghostNonce[accounts[i]] = n;
        }
        (uint256 supplyIndex, uint256 borrowIndex, ) = vault.cashIndices();
        if (borrowIndex < ghostBorrowIndex) _violate("INV-06", "the borrow index decreased");
        bool liquidation = action == "bid" || action == "flashBid" || action == "auctionUpkeep" || action == "griefThenLiquidate";
        if (supplyIndex < ghostSupplyIndex && !liquidation) _violate("INV-06", "the supply index fell outside a liquidation");
        ghostSupplyIndex = supplyIndex;
        ghostBorrowIndex = borrowIndex;
    }

    function _count(bytes32 action) internal {
        calls[action] += 1;
    }

    function _violate(bytes32 id, string memory message) internal {
        if (violations[id] == 0) firstViolation[id] = message;
        violations[id] += 1;
        violationTotal += 1;
    }

    /// @dev Mints `amount` (token units) of token `t` to `from`, which deposits it into `account`.
    function _fund(address from, uint256 account, uint256 t, uint256 amount) internal returns (bool ok) {
        address token = _tokens[t];
        TestERC20(token).mint(from, amount);
        vm.prank(from);
        IERC20(token).approve(address(vault), amount);
        ok = _callDeposit(from, account, token, amount);
        if (ok) ghostHeldWad[token] += amount * _scaleOf(token);
    }

    function _quote(uint256 target) internal view returns (ILiquidationAuction.Quote memory q) {
        try auction.quote(target) returns (ILiquidationAuction.Quote memory r) {
            q = r;
        } catch {}
    }

    function _sign(uint256 pk, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pk, digest);
        return abi.encodePacked(r, s, v);
    }

    function _accountId(address owner, uint256 sub) internal pure returns (uint256) {
        return (uint256(uint160(owner)) << 96) | sub;
    }

    function _ownerOf(uint256 account) internal pure returns (address) {
        return address(uint160(account >> 96));
    }

    function _ownerKeyOf(address owner) internal view returns (uint256) {
        for (uint256 i; i < OWNERS; ++i) if (owners[i] == owner) return _ownerKeys[i];
        for (uint256 i; i < KEEPERS; ++i) if (keepers[i] == owner) return 0xCEE9 + i;
        revert("BallastHandler: unknown owner");
    }

    function _scaleOf(address token) internal view returns (uint256) {
        return token == _tokens[0] ? 1e12 : (token == _tokens[2] ? 1e10 : 1);
    }

    /// @dev `whole` units of token `t` in token units.
    function _unitsOf(uint256 t, uint256 whole) internal pure returns (uint256) {
        if (t == 0) return whole * 1e6;
        if (t == 1) return (whole * 1e18) / 3_000; // ~ whole USD of WETH
        return (whole * 1e8) / 60_000; // ~ whole USD of WBTC
    }

    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + (x % (hi - lo + 1));
    }

    function _abs(int256 x) internal pure returns (uint256) {
        return uint256(x < 0 ? -x : x);
    }

    function _selector(bytes memory reason) internal pure returns (bytes4 s) {
        if (reason.length >= 4) s = bytes4(reason);
    }

    function _digit(uint256 i) internal pure returns (string memory) {
        return string(abi.encodePacked(bytes1(uint8(48 + (i % 10)))));
    }
}
