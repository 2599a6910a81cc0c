// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Bitmap} from "../libraries/Bitmap.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IRiskLens} from "../interfaces/IRiskLens.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IMarginEngineViews} from "../interfaces/IMarginEngineViews.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IMarketConfigurator} from "../interfaces/IMarketConfigurator.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {MarginMath} from "../libraries/MarginMath.sol";
import {CollateralValuation} from "../libraries/CollateralValuation.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title RiskLens
/// @custom:security-contact security@ballast.finance
/// @notice Read-only batch views over the engine and the vault. See {IRiskLens}.
contract RiskLens is IRiskLens {
    using WadMath for uint256;

    /// @notice Highest price probed by `liquidationPrice` (the engine caches prices as uint96).
    uint256 public constant MAX_PROBE_PRICE = type(uint96).max;

    /// @notice The margin engine.
    IMarginEngine public immutable engine;
    /// @dev The engine's address typed as its view module's interface ({IMarginEngineViews}: answered at the
    /// engine's address).
    IMarginEngineViews private immutable _engineViews;
    /// @notice The collateral vault.
    ICollateralVault public immutable vault;
    /// @notice The market configurator.
    IMarketConfigurator public immutable configurator;
    /// @notice The oracle router.
    IOracleRouter public immutable oracle;

    /// @dev One oracle read per market and collateral; `valid` bitmaps say which succeeded.
    struct Prices {
        uint256[] markets;
        uint256[] tokens;
        uint256 validMarkets;
        uint256 validTokens;
    }

    constructor(IMarginEngine engine_, ICollateralVault vault_, IMarketConfigurator configurator_, IOracleRouter oracle_) {
        engine = engine_;
        _engineViews = IMarginEngineViews(address(engine_));
        vault = vault_;
        configurator = configurator_;
        oracle = oracle_;
    }

    /// @inheritdoc IRiskLens
    function accountsHealth(uint256[] calldata accounts) public view returns (AccountHealth[] memory rows) {
        Prices memory px = _prices();
        rows = new AccountHealth[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            rows[i] = _health(accounts[i], px);
        }
    }

    /// @inheritdoc IRiskLens
    function liquidatableAccounts(uint256[] calldata accounts) external view returns (uint256[] memory found) {
        AccountHealth[] memory rows = accountsHealth(accounts);
        uint256 n;
        for (uint256 i; i < rows.length; ++i) {
            if (_eligible(rows[i])) ++n;
        }
        found = new uint256[](n);
        n = 0;
        for (uint256 i; i < rows.length; ++i) {
            if (_eligible(rows[i])) found[n++] = rows[i].account;
        }
    }

    /// @inheritdoc IRiskLens
    function positionSizes(uint256 marketId, uint256[] calldata accounts) external view returns (int256[] memory sizes) {
        sizes = new int256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            (sizes[i], ) = _engineViews.position(accounts[i], marketId);
        }
    }

    /// @inheritdoc IRiskLens
    function portfolio(uint256 account) external view returns (Portfolio memory p) {
        Prices memory px = _prices();
        p.account = account;
        p.owner = AccountLib.ownerOf(account);
        (uint128 heldMarkets, bool isolated) = engine.accountInfo(account);
        uint256 bits = heldMarkets;
        p.isolated = isolated;
        (p.frozen, ) = vault.accountStatus(account);
        p.nonce = vault.accountNonce(account);
        p.cash = vault.cashBalance(account);
        uint256 tokens = vault.accountTokens(account);
        p.priceValid = _covered(bits, tokens, px);
        p.collateral = _collateral(account, tokens, px);
        p.positions = new PositionInfo[](Math.min(Bitmap.count(bits), 256));
        uint256 n;
        uint256 held = bits;
        while (bits != 0) {
            uint256 id;
            (id, bits) = Bitmap.next(bits);
            p.positions[n++] = _position(account, id, held, px, p.priceValid);
        }
        if (p.priceValid) {
            ICollateralVault.MarginCollateral memory c = vault.marginCollateralAtPrices(account, px.tokens);
            p.margin = _engineViews.accountMarginAtPrices(account, c, px.markets);
        }
    }

    /// @inheritdoc IRiskLens
    function markets() external view returns (MarketInfo[] memory infos) {
        Prices memory px = _prices();
        infos = new MarketInfo[](px.markets.length);
        for (uint256 id; id < infos.length; ++id) {
            infos[id] = MarketInfo({
                marketId: id,
                indexPrice: px.markets[id],
                priceValid: px.validMarkets & (1 << id) != 0,
                state: _engineViews.marketView(id),
                risk: configurator.riskParams(id),
                trading: configurator.tradingParams(id),
                volatility: configurator.volatility(id)
            });
        }
    }

    /// @inheritdoc IRiskLens
    function liquidationPrice(uint256 account, uint256 marketId) public view returns (uint256) {
        (int256 size, ) = _engineViews.position(account, marketId);
        if (size == 0) return 0;
        (uint128 held, ) = engine.accountInfo(account);
        return _bisect(_probe(account, marketId, held, _marketPricesStrict(held), _tokenPricesStrict(account)), size > 0);
    }

    // ------------------------------------------------------------------ internals

    /// @dev The inputs of a liquidation-price search: the account's valuation at `marketPrices`/`tokenPrices`, the
    /// held markets (bitmap `markets`, the probed one included) and the collateral tokens (bitmap `shared`) priced by
    /// the probed market's oracle asset, which all move with the probe (review F4).
    struct Probe {
        uint256 account;
        uint256 markets;
        uint256[] marketPrices;
        uint256[] tokenPrices;
        uint256 shared;
        ICollateralVault.MarginCollateral collateral;
    }

    function _probe(
        uint256 account,
        uint256 marketId,
        uint256 held,
        uint256[] memory marketPrices,
        uint256[] memory tokenPrices
    ) internal view returns (Probe memory p) {
        p.account = account;
        p.marketPrices = marketPrices;
        p.tokenPrices = tokenPrices;
        bytes32 asset = engine.oracleAssetOf(marketId);
        while (held != 0) {
            uint256 id;
            (id, held) = Bitmap.next(held);
            if (id == marketId || engine.oracleAssetOf(id) == asset) p.markets |= 1 << id;
        }
        uint256 bits = vault.accountTokens(account);
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            if (vault.tokenInfo(vault.tokenAt(i)).oracleAsset == asset) p.shared |= 1 << i;
        }
        p.collateral = vault.marginCollateralAtPrices(account, tokenPrices);
    }

    /// @dev Bisection keeping liquidatable(lo) != liquidatable(hi) on the engine's exact margin function. The side
    /// at which the account is liquidatable decides the direction (a short backed by enough collateral on the
    /// market's own feed is liquidated by a fall, like a long); `long` only breaks the ties documented in
    /// {IRiskLens-liquidationPrice}.
    function _bisect(Probe memory p, bool long) internal view returns (uint256) {
        uint256 lo = 1;
        uint256 hi = MAX_PROBE_PRICE;
        bool liqLo = _liquidatableAt(p, lo);
        bool liqHi = _liquidatableAt(p, hi);
        if (liqLo == liqHi) return liqLo == long ? type(uint256).max : 0;
        while (hi - lo > 1) {
            uint256 mid = lo + (hi - lo) / 2;
            if (_liquidatableAt(p, mid) == liqLo) lo = mid;
            else hi = mid;
        }
        // Liquidated by a fall: hi is the lowest safe price. By a rise: lo is the highest safe price.
        return liqLo ? hi : lo;
    }

    function _liquidatableAt(Probe memory p, uint256 price) internal view returns (bool) {
        uint256 held = p.markets;
        while (held != 0) {
            uint256 id;
            (id, held) = Bitmap.next(held);
            p.marketPrices[id] = price;
        }
        ICollateralVault.MarginCollateral memory c = p.collateral;
        if (p.shared != 0) {
            uint256 bits = p.shared;
            while (bits != 0) {
                uint256 i;
                (i, bits) = Bitmap.next(bits);
                p.tokenPrices[i] = price;
            }
            c = vault.marginCollateralAtPrices(p.account, p.tokenPrices);
        }
        return _engineViews.accountMarginAtPrices(p.account, c, p.marketPrices).liquidatable;
    }

    function _eligible(AccountHealth memory h) internal pure returns (bool) {
        return h.priceValid && h.liquidatable && !h.frozen;
    }

    function _health(uint256 account, Prices memory px) internal view returns (AccountHealth memory h) {
        h.account = account;
        (uint128 bits, ) = engine.accountInfo(account);
        (h.frozen, ) = vault.accountStatus(account);
        uint256 tokens = vault.accountTokens(account);
        h.marketCount = Bitmap.count(bits);
        h.collateralCount = Bitmap.count(tokens);
        if (!_covered(bits, tokens, px)) return h;
        h.priceValid = true;
        ICollateralVault.MarginCollateral memory c = vault.marginCollateralAtPrices(account, px.tokens);
        IMarginEngine.MarginState memory s = _engineViews.accountMarginAtPrices(account, c, px.markets);
        h.equity = s.equity;
        h.maintenanceMargin = s.maintenanceMargin;
        h.initialMargin = s.initialMargin;
        h.healthFactor = s.healthFactor;
        h.liquidatable = s.liquidatable;
        // H = raw collateral value - its margin value, each token valued with the vault's rounding (CollateralValuation),
        // as the auction's valuation does (AuctionLifecycle.valuation), so a keeper sees the tip the contract pays.
        uint256 haircutAmount = _rawCollateralValue(account, tokens, px) - c.collateralValue;
        h.markToMarket = s.equity + SafeCast.toInt256(haircutAmount);
        h.requirement = s.maintenanceMargin + haircutAmount;
    }

    /// @dev Sum over the collateral in `bits` (the account's token bitmap) of balance x price before haircut [WAD cash],
    /// each rounded down.
    function _rawCollateralValue(uint256 account, uint256 bits, Prices memory px) internal view returns (uint256 raw) {
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            raw += CollateralValuation.valueDown(vault.collateralBalanceWad(account, vault.tokenAt(i)), px.tokens[i]);
        }
    }

    /// @dev True when every market and collateral the account holds has a valid price.
    function _covered(uint256 marketBits, uint256 tokenBits, Prices memory px) internal pure returns (bool) {
        return marketBits & ~px.validMarkets == 0 && tokenBits & ~px.validTokens == 0;
    }

    function _position(
        uint256 account,
        uint256 id,
        uint256 held,
        Prices memory px,
        bool priceValid
    ) internal view returns (PositionInfo memory info) {
        info.marketId = id;
        (info.size, info.basis) = _engineViews.position(account, id);
        if (!priceValid) return info;
        IMarginEngine.MarketView memory mv = _engineViews.marketView(id);
        uint256 price = px.markets[id];
        info.indexPrice = price;
        // The engine's rule (EngineMarkets.positionMargin): size x (price - funding index at price) - basis, down.
        info.value = MarginMath.positionValue(info.size, info.basis, price, _engineViews.cumulativeFundingAt(id, price));
        (info.maintenanceMargin, info.initialMargin) = _positionMargins(info.size, price, mv);
        info.liquidationPrice = _bisect(_probe(account, id, held, _copy(px.markets), _copy(px.tokens)), info.size > 0);
    }

    /// @dev Maintenance and initial margin of a position of `size` at `price` in the market `mv`, with the engine's
    /// rule: effective ratios now and the margin tiers' add-ons in force now, min(target, from + step).
    function _positionMargins(
        int256 size,
        uint256 price,
        IMarginEngine.MarketView memory mv
    ) internal view returns (uint256 mm, uint256 im) {
        uint256 notional = MarginMath.notionalUp(size, price);
        uint256 step = (mv.tierRampStepPerHour * (block.timestamp - mv.tierRampStart)) / 1 hours;
        uint256 mmTerms;
        uint256 imTerms;
        uint256 prevM;
        uint256 prevI;
        for (uint256 i; i < mv.tiers.length; ++i) {
            IMarginEngine.MarginTier memory t = mv.tiers[i];
            IMarginEngine.MarginTier memory from = mv.tierRampFrom[i];
            uint256 am = Math.min(t.mmrAddOn, from.mmrAddOn + step);
            uint256 ai = Math.min(t.imrAddOn, from.imrAddOn + step);
            mmTerms += MarginMath.tierTerm(notional, t.notionalThreshold, am, prevM);
            imTerms += MarginMath.tierTerm(notional, t.notionalThreshold, ai, prevI);
            (prevM, prevI) = (am, ai);
        }
        return
            MarginMath.marginsUp(
                notional,
                mv.mmr,
                MarginMath.initialMarginRatio(size, mv.imr, mv.setup.imrSizeFactor),
                mmTerms,
                imTerms
            );
    }

    /// @dev One row per collateral in `bits` (the account's token bitmap), in token-index order.
    function _collateral(uint256 account, uint256 bits, Prices memory px) internal view returns (CollateralInfo[] memory rows) {
        rows = new CollateralInfo[](Bitmap.count(bits));
        uint256 n;
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            address token = vault.tokenAt(i);
            ICollateralVault.TokenInfo memory ti = vault.tokenInfo(token);
            CollateralInfo memory r = rows[n++];
            r.token = token;
            r.balance = vault.balanceOf(account, token);
            r.balanceWad = vault.collateralBalanceWad(account, token);
            r.price = px.tokens[i];
            r.haircut = ti.haircut;
            r.value = CollateralValuation.marginValueDown(r.balanceWad, r.price, ti.haircut);
        }
    }

    /// @dev Fresh oracle prices of every market and collateral; failures leave 0 and a cleared valid bit.
    function _prices() internal view returns (Prices memory px) {
        uint256 nm = engine.marketCount();
        px.markets = new uint256[](nm);
        for (uint256 id; id < nm; ++id) {
            try oracle.getPrice(engine.oracleAssetOf(id)) returns (uint256 p) {
                px.markets[id] = p;
                px.validMarkets |= 1 << id;
            } catch {}
        }
        uint256 nt = vault.tokenCount();
        px.tokens = new uint256[](nt);
        for (uint256 i; i < nt; ++i) {
            address token = vault.tokenAt(i);
            // A slot freed by `removeToken` holds no token: nobody holds it, it needs no price.
            if (token == address(0)) continue;
            ICollateralVault.TokenInfo memory info = vault.tokenInfo(token);
            // A collateral of weight zero (fully delisted) counts nothing at any price: valid even when its price
            // fails (then shown at 0), as the vault values it (review F2).
            if (info.haircut == 0) px.validTokens |= 1 << i;
            try oracle.getPrice(info.oracleAsset) returns (uint256 p) {
                px.tokens[i] = p;
                px.validTokens |= 1 << i;
            } catch {}
        }
    }

    /// @dev Fresh prices of the markets in `held` (others left 0, unused by the engine); reverts with the oracle's
    /// error on the first invalid one.
    function _marketPricesStrict(uint256 held) internal view returns (uint256[] memory mp) {
        mp = new uint256[](engine.marketCount());
        while (held != 0) {
            uint256 id;
            (id, held) = Bitmap.next(held);
            mp[id] = oracle.getPrice(engine.oracleAssetOf(id));
        }
    }

    /// @dev Fresh prices of the collateral `account` holds (others left 0, unused by the vault); reverts with the
    /// oracle's error on the first invalid one.
    function _tokenPricesStrict(uint256 account) internal view returns (uint256[] memory tp) {
        tp = new uint256[](vault.tokenCount());
        uint256 bits = vault.accountTokens(account);
        while (bits != 0) {
            uint256 i;
            (i, bits) = Bitmap.next(bits);
            ICollateralVault.TokenInfo memory info = vault.tokenInfo(vault.tokenAt(i));
            if (info.haircut != 0) tp[i] = oracle.getPrice(info.oracleAsset); // weight zero: no price (review F2)
        }
    }

    function _copy(uint256[] memory a) internal pure returns (uint256[] memory b) {
        b = new uint256[](a.length);
        for (uint256 i; i < a.length; ++i) b[i] = a[i];
    }
}
