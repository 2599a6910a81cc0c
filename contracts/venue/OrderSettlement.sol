// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IOrderSettlement} from "../interfaces/IOrderSettlement.sol";
import {IMarginEngine} from "../interfaces/IMarginEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {RiskBounds} from "../libraries/RiskBounds.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";

/// @title OrderSettlement
/// @custom:security-contact security@ballast.finance
/// @notice Reference venue for EIP-712 signed limit orders. See {IOrderSettlement}.
contract OrderSettlement is IOrderSettlement, EIP712, AccessManaged {
    using WadMath for uint256;

    /// @notice Highest maker or taker fee rate: 0.01e18 (1% of notional).
    uint256 public constant MAX_FEE_RATE = ParameterBounds.MAX_FEE_RATE;

    /// @notice EIP-712 type hash of `Order`.
    bytes32 public constant ORDER_TYPEHASH = keccak256(
        "Order(uint256 account,uint16 marketId,int128 size,uint128 limitPrice,uint64 expiry,"
        "uint64 nonce,uint64 salt,bool reduceOnly,address signer)"
    );

    /// @notice Widest session-key price band: 0.5e18 (50%), the widest fill band any market may have
    /// (`RiskBounds.MAX_FILL_DEVIATION`).
    uint256 public constant MAX_SESSION_KEY_PRICE_BAND = RiskBounds.MAX_FILL_DEVIATION;
    /// @notice Longest session-key window: 365 days (seconds).
    uint256 public constant MAX_SESSION_KEY_PERIOD = ParameterBounds.MAX_SESSION_KEY_PERIOD;

    /// @dev Marks a cancelled order in `filled`.
    uint128 internal constant CANCELLED = type(uint128).max;

    /// @notice The margin engine that settles fills.
    IMarginEngine public immutable engine;
    /// @notice The engine's oracle router: the index price session-key bands are measured against.
    IOracleRouter public immutable oracle;

    /// @notice Maker fee rate [wad fraction of notional].
    uint64 public makerFeeRate;
    /// @notice Taker fee rate [wad fraction of notional].
    uint64 public takerFeeRate;
    /// @notice Vault account credited with fees: the fee recipient's subaccount 0 (fixed for this venue).
    uint256 public immutable feeAccount;

    /// @inheritdoc IOrderSettlement
    mapping(bytes32 orderHash => uint128) public filled;
    /// @inheritdoc IOrderSettlement
    mapping(address owner => uint64) public minNonce;

    /// @dev Notional a session key used for an owner in its current window. One storage slot.
    /// used: WAD cash (<= the limit, so it fits 128 bits); windowStart: unix seconds.
    struct SessionKeyUsage {
        uint128 used;
        uint64 windowStart;
    }

    mapping(address owner => mapping(address key => SessionKeyLimits)) internal _sessionKeyLimits;
    mapping(address owner => mapping(address key => SessionKeyUsage)) internal _sessionKeyUsage;

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    /// @param engine_ The margin engine (must register this venue).
    /// @param feeRecipient Owner of the vault account (subaccount 0) credited with fees.
    constructor(
        address accessManager,
        IMarginEngine engine_,
        address feeRecipient
    ) EIP712("Ballast OrderSettlement", "1") AccessManaged(accessManager) {
        if (feeRecipient == address(0)) revert OrderZeroAddress();
        engine = engine_;
        oracle = engine_.oracle();
        feeAccount = AccountLib.accountId(feeRecipient, 0);
        emit FeeRecipientSet(feeRecipient, feeAccount);
    }

    /// @inheritdoc IOrderSettlement
    function fill(
        Order calldata order,
        bytes calldata signature,
        uint256 takerAccount,
        uint128 fillSize,
        uint256 takerPriceLimit
    ) external {
        (bytes32 orderHash, uint128 done) = _checkOrder(order, signature, fillSize);
        address takerOwner = AccountLib.ownerOf(takerAccount);
        if (msg.sender != takerOwner) {
            if (!engine.isAuthorized(takerOwner, msg.sender, IMarginEngine.Scope.Trade)) {
                revert OrderTakerNotAuthorized(msg.sender, takerAccount);
            }
            _useSessionKey(takerOwner, msg.sender, order.marketId, order.limitPrice, fillSize);
        }
        // The taker takes the other side: a maker sell is a taker buy, capped by the taker's limit.
        bool takerBuys = order.size < 0;
        if (takerBuys ? order.limitPrice > takerPriceLimit : order.limitPrice < takerPriceLimit) {
            revert OrderPriceLimitExceeded(order.limitPrice, takerPriceLimit);
        }
        filled[orderHash] = done + fillSize;
        _settle(order, takerAccount, fillSize, takerBuys, orderHash, done + fillSize);
    }

    /// @dev Validity of the maker's order for a fill of `fillSize`: amounts, expiry, nonce, cancellation, size
    /// left, signer authority, signature, and the signer's session-key limits when it is not the owner (recording
    /// the fill's notional). Returns the order hash and the size filled so far.
    function _checkOrder(
        Order calldata order,
        bytes calldata signature,
        uint128 fillSize
    ) internal returns (bytes32 orderHash, uint128 done) {
        if (fillSize == 0 || order.size == 0 || order.limitPrice == 0) revert OrderInvalidAmount();
        orderHash = _hashTypedDataV4(_structHash(order));
        if (block.timestamp > order.expiry) revert OrderExpired(orderHash, order.expiry);
        address owner = AccountLib.ownerOf(order.account);
        uint64 min = minNonce[owner];
        if (order.nonce < min) revert OrderNonceTooLow(orderHash, order.nonce, min);
        done = filled[orderHash];
        if (done == CANCELLED) revert OrderCancelled(orderHash);
        uint256 size = WadMath.abs(order.size);
        if (uint256(done) + fillSize > size) revert OrderOverfilled(orderHash, size, done, fillSize);
        if (order.signer != owner && !engine.isAuthorized(owner, order.signer, IMarginEngine.Scope.Trade)) {
            revert OrderSignerNotAuthorized(order.signer, order.account);
        }
        if (!SignatureChecker.isValidSignatureNow(order.signer, orderHash, signature)) {
            revert OrderInvalidSignature(orderHash, order.signer);
        }
        if (order.signer != owner) _useSessionKey(owner, order.signer, order.marketId, order.limitPrice, fillSize);
    }

    /// @dev Session-key limits (issue #11 class 5), called only when `key` acts for `owner` (never on the owner's
    /// own path): checks and records a fill of `fillSize` (WAD base) at `price` (WAD) in market `marketId`, against
    /// the index read fresh from the engine's oracle (WAD, > 0: the oracle refuses non-positive prices). A
    /// full-scope operator is not limited (it may withdraw the account's cash anyway). The deviation from the index
    /// and the notional (at the higher of price and index) are rounded up, against the key. Window: a fill at or
    /// after `windowStart + period` opens a new window at `block.timestamp` with nothing used. Effects before the
    /// engine settles (checks-effects-interactions); the oracle and engine reads here are views.
    function _useSessionKey(address owner, address key, uint256 marketId, uint256 price, uint256 fillSize) internal {
        if (engine.isAuthorized(owner, key, IMarginEngine.Scope.Full)) return;
        SessionKeyLimits memory lim = _sessionKeyLimits[owner][key];
        if (lim.period == 0) revert SessionKeyLimitsNotSet(owner, key);
        if (block.timestamp > lim.expiry) revert SessionKeyExpired(owner, key, lim.expiry);
        uint256 index = oracle.getPrice(engine.oracleAssetOf(marketId));
        uint256 deviation = (price > index ? price - index : index - price).divWadUp(index);
        if (deviation > lim.priceBand) revert SessionKeyPriceOutOfBand(owner, key, price, index, lim.priceBand);
        uint256 notional = fillSize.mulWadUp(price.max(index));
        SessionKeyUsage memory u = _sessionKeyUsage[owner][key];
        if (block.timestamp >= uint256(u.windowStart) + lim.period) {
            u.windowStart = uint64(block.timestamp);
            u.used = 0;
        }
        uint256 used = uint256(u.used) + notional;
        if (used > lim.notionalPerPeriod) {
            revert SessionKeyNotionalLimitExceeded(owner, key, u.used, notional, lim.notionalPerPeriod);
        }
        // used <= notionalPerPeriod < 2**128: the cast is exact.
        _sessionKeyUsage[owner][key] = SessionKeyUsage(uint128(used), u.windowStart);
        emit SessionKeyNotionalUsed(owner, key, notional, used, u.windowStart);
    }

    /// @inheritdoc IOrderSettlement
    function setSessionKeyLimits(
        address key,
        uint64 priceBand,
        uint128 notionalPerPeriod,
        uint32 period,
        uint32 expiry
    ) external {
        if (key == address(0) || key == msg.sender) revert SessionKeyInvalidKey(key);
        if (priceBand > MAX_SESSION_KEY_PRICE_BAND) {
            revert SessionKeyPriceBandTooWide(priceBand, MAX_SESSION_KEY_PRICE_BAND);
        }
        if (notionalPerPeriod == 0) revert SessionKeyZeroNotionalLimit();
        if (period == 0 || period > MAX_SESSION_KEY_PERIOD) revert SessionKeyInvalidPeriod(period, MAX_SESSION_KEY_PERIOD);
        if (expiry <= block.timestamp) revert SessionKeyExpiryNotInFuture(expiry, block.timestamp);
        _sessionKeyLimits[msg.sender][key] = SessionKeyLimits(notionalPerPeriod, priceBand, period, expiry);
        emit SessionKeyLimitsSet(msg.sender, key, priceBand, notionalPerPeriod, period, expiry);
    }

    /// @inheritdoc IOrderSettlement
    function revokeSessionKey(address key) external {
        if (_sessionKeyLimits[msg.sender][key].period == 0) revert SessionKeyLimitsNotSet(msg.sender, key);
        delete _sessionKeyLimits[msg.sender][key];
        emit SessionKeyRevoked(msg.sender, key);
    }

    /// @inheritdoc IOrderSettlement
    function sessionKeyLimits(address owner, address key) external view returns (SessionKeyLimits memory) {
        return _sessionKeyLimits[owner][key];
    }

    /// @inheritdoc IOrderSettlement
    function sessionKeyUsage(address owner, address key) external view returns (uint256 used, uint256 windowStart) {
        SessionKeyUsage memory u = _sessionKeyUsage[owner][key];
        if (block.timestamp >= uint256(u.windowStart) + _sessionKeyLimits[owner][key].period) {
            return (0, block.timestamp);
        }
        return (u.used, u.windowStart);
    }

    /// @dev Fees (rounded up) and settlement through the engine.
    function _settle(
        Order calldata order,
        uint256 takerAccount,
        uint128 fillSize,
        bool takerBuys,
        bytes32 orderHash,
        uint256 filledTotal
    ) internal {
        uint256 notional = uint256(fillSize).mulWadUp(order.limitPrice);
        uint256 makerFee = notional.mulWadUp(makerFeeRate);
        uint256 takerFee = notional.mulWadUp(takerFeeRate);
        int256 takerSize = takerBuys ? int256(uint256(fillSize)) : -int256(uint256(fillSize));
        engine.settleTrade(
            IMarginEngine.Trade(
                order.account,
                takerAccount,
                order.marketId,
                takerSize,
                order.limitPrice,
                makerFee,
                takerFee,
                order.reduceOnly
            ),
            feeAccount
        );
        emit OrderFilled(orderHash, takerAccount, filledTotal);
    }

    /// @inheritdoc IOrderSettlement
    function cancelOrder(Order calldata order) external {
        address owner = AccountLib.ownerOf(order.account);
        if (msg.sender != owner && !engine.isAuthorized(owner, msg.sender, IMarginEngine.Scope.Trade)) {
            revert OrderCancelUnauthorized(msg.sender, order.account);
        }
        bytes32 orderHash = _hashTypedDataV4(_structHash(order));
        filled[orderHash] = CANCELLED;
        emit OrderCancelledBy(orderHash, msg.sender);
    }

    /// @inheritdoc IOrderSettlement
    function cancelAllBelow(uint64 newMinNonce) external {
        uint64 current = minNonce[msg.sender];
        if (newMinNonce <= current) revert OrderNonceNotIncreasing(current, newMinNonce);
        minNonce[msg.sender] = newMinNonce;
        emit MinNonceSet(msg.sender, newMinNonce);
    }

    /// @inheritdoc IOrderSettlement
    function setFeeRates(uint64 makerFeeRate_, uint64 takerFeeRate_) external restricted {
        if (makerFeeRate_ > MAX_FEE_RATE) revert OrderFeeRateTooHigh(makerFeeRate_, MAX_FEE_RATE);
        if (takerFeeRate_ > MAX_FEE_RATE) revert OrderFeeRateTooHigh(takerFeeRate_, MAX_FEE_RATE);
        makerFeeRate = makerFeeRate_;
        takerFeeRate = takerFeeRate_;
        emit FeeRatesSet(makerFeeRate_, takerFeeRate_);
    }

    /// @inheritdoc IOrderSettlement
    function hashOrder(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(_structHash(order));
    }

    /// @notice The EIP-712 domain separator of this venue on this chain.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _structHash(Order calldata o) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    ORDER_TYPEHASH,
                    o.account,
                    o.marketId,
                    o.size,
                    o.limitPrice,
                    o.expiry,
                    o.nonce,
                    o.salt,
                    o.reduceOnly,
                    o.signer
                )
            );
    }
}
