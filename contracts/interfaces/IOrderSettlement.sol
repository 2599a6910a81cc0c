// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOrderSettlement
/// @custom:security-contact security@ballast.finance
/// @notice Reference venue: settles EIP-712 signed limit orders. A maker signs an order; a taker fills all or
/// part of it on-chain at the maker's limit price; the margin engine settles and margin-checks both accounts.
/// @dev The EIP-712 domain (name "Ballast OrderSettlement", version "1", chain id, this contract) makes a
/// signature useless on any other chain or venue. Orders are signed by the account owner or by an operator with
/// trade scope, from an EOA or an ERC-1271 contract wallet (OpenZeppelin `SignatureChecker`). Fees are WAD
/// fractions of the fill notional (rounded up) credited to the venue's fee account in the vault.
///
/// Session keys (issue #11 class 5): a trade-scope operator of an owner (a session key, see
/// `IMarginEngine.setOperator`) acts for the owner's accounts here only within limits the owner set on this venue
/// with `setSessionKeyLimits`: an expiry, a price band around the index and a notional per period. A trade-scope key
/// without limits is refused (`SessionKeyLimitsNotSet`): the default is deny. The limits apply whenever the key
/// signs a maker order or fills as taker for an account of the owner; the owner's own orders and fills skip them,
/// and so does a full-scope operator (it may withdraw the account's cash, so a trading limit would bound nothing).
/// Bound: over one period window, a key's fills for an owner total at most `notionalPerPeriod` of notional counted
/// at max(fill price, index), each at most `priceBand` off the index, so the value the key can move out of the
/// owner's accounts by trading against an account its holder controls is at most `notionalPerPeriod * priceBand`
/// plus the venue fees on that notional.
interface IOrderSettlement {
    /// @notice A signed limit order.
    /// @param account Maker account id (owner << 96 | subaccount).
    /// @param marketId Market to trade.
    /// @param size Signed order size, WAD base units (> 0 buys, < 0 sells).
    /// @param limitPrice Price every fill executes at, WAD cash per base unit.
    /// @param expiry Last valid second (timestamp).
    /// @param nonce Orders with a nonce below the owner's minimum nonce are cancelled (`cancelAllBelow`).
    /// @param salt Free value that makes otherwise identical orders distinct.
    /// @param reduceOnly Fills may only reduce the maker's position.
    /// @param signer The owner or the operator whose signature this is.
    struct Order {
        uint256 account;
        uint16 marketId;
        int128 size;
        uint128 limitPrice;
        uint64 expiry;
        uint64 nonce;
        uint64 salt;
        bool reduceOnly;
        address signer;
    }

    /// @notice An owner's limits on one session key (a trade-scope operator) on this venue. One storage slot.
    /// @param notionalPerPeriod Most notional the key may trade for the owner in one period window, WAD cash; the
    /// notional of a fill is fillSize * max(fill price, index), rounded up. Non-zero once set.
    /// @param priceBand Largest |fill price - index| / index the key may trade at, WAD fraction (0.01e18 = 1%),
    /// at most `MAX_SESSION_KEY_PRICE_BAND`; the market's own `maxFillDeviation` band applies as well.
    /// @param period Length of a window, seconds, in [1, `MAX_SESSION_KEY_PERIOD`]; 0 means no limits are set.
    /// @param expiry Last second (unix) at which the key may act under these limits.
    struct SessionKeyLimits {
        uint128 notionalPerPeriod;
        uint64 priceBand;
        uint32 period;
        uint32 expiry;
    }

    /// @notice The order's expiry (seconds) has passed.
    error OrderExpired(bytes32 orderHash, uint256 expiry);
    /// @notice The order was cancelled.
    error OrderCancelled(bytes32 orderHash);
    /// @notice The order's nonce is below the owner's minimum nonce.
    error OrderNonceTooLow(bytes32 orderHash, uint256 nonce, uint256 minNonce);
    /// @notice The fill would exceed the order's size (WAD base units).
    error OrderOverfilled(bytes32 orderHash, uint256 size, uint256 filled, uint256 requested);
    /// @notice The signature does not verify for `signer`.
    error OrderInvalidSignature(bytes32 orderHash, address signer);
    /// @notice `signer` may not trade for the maker account's owner (not the owner, or operator out of scope or expired).
    error OrderSignerNotAuthorized(address signer, uint256 account);
    /// @notice The caller may not trade for the taker account.
    error OrderTakerNotAuthorized(address caller, uint256 account);
    /// @notice A fill size of zero, or an order with size or limit price zero.
    error OrderInvalidAmount();
    /// @notice The fill price is worse for the taker than `takerPriceLimit`.
    error OrderPriceLimitExceeded(uint256 price, uint256 takerPriceLimit);
    /// @notice Only the order's owner (or a trade operator) may cancel it.
    error OrderCancelUnauthorized(address caller, uint256 account);
    /// @notice A zero fee recipient at construction.
    error OrderZeroAddress();
    /// @notice A fee rate above `MAX_FEE_RATE`.
    error OrderFeeRateTooHigh(uint256 feeRate, uint256 maxFeeRate);
    /// @notice A minimum nonce may only increase.
    error OrderNonceNotIncreasing(uint256 current, uint256 requested);
    /// @notice A session key may not be the zero address or the owner itself.
    error SessionKeyInvalidKey(address key);
    /// @notice A price band (WAD fraction) above `MAX_SESSION_KEY_PRICE_BAND`.
    error SessionKeyPriceBandTooWide(uint256 priceBand, uint256 maxPriceBand);
    /// @notice A period (seconds) of zero or above `MAX_SESSION_KEY_PERIOD`.
    error SessionKeyInvalidPeriod(uint256 period, uint256 maxPeriod);
    /// @notice A notional limit per period of zero (revoke the key instead).
    error SessionKeyZeroNotionalLimit();
    /// @notice An expiry (unix seconds) not after the current block time `nowTime`.
    error SessionKeyExpiryNotInFuture(uint256 expiry, uint256 nowTime);
    /// @notice `owner` has set no limits for trade-scope key `key` on this venue (or revoked them): denied.
    error SessionKeyLimitsNotSet(address owner, address key);
    /// @notice `owner`'s limits for `key` expired at `expiry` (unix seconds).
    error SessionKeyExpired(address owner, address key, uint256 expiry);
    /// @notice The fill price (WAD) is more than `priceBand` (WAD fraction) off the index price (WAD).
    error SessionKeyPriceOutOfBand(address owner, address key, uint256 price, uint256 indexPrice, uint256 priceBand);
    /// @notice The key has traded `used` notional (WAD cash) in the current window; this fill's `notional` would
    /// take it past `limit`.
    error SessionKeyNotionalLimitExceeded(address owner, address key, uint256 used, uint256 notional, uint256 limit);

    /// @notice An order was filled by `taker`; `filledTotal` is its filled size so far (WAD base). Size, price
    /// and fees of the fill are in the engine's `TradeSettled` event of the same transaction.
    event OrderFilled(bytes32 indexed orderHash, uint256 indexed taker, uint256 filledTotal);
    /// @notice An order was cancelled.
    event OrderCancelledBy(bytes32 indexed orderHash, address indexed caller);
    /// @notice `owner` cancelled every order with a nonce below `minNonce`.
    event MinNonceSet(address indexed owner, uint256 minNonce);
    /// @notice Fee rates (WAD fractions of notional) were set.
    event FeeRatesSet(uint256 makerFeeRate, uint256 takerFeeRate);
    /// @notice Fees go to `feeRecipient`'s subaccount 0 (`feeAccount`); emitted once, at construction.
    event FeeRecipientSet(address feeRecipient, uint256 feeAccount);
    /// @notice `owner` set its limits for session key `key`: `priceBand` WAD fraction off the index,
    /// `notionalPerPeriod` WAD cash per `period` seconds, valid until `expiry` (unix seconds).
    event SessionKeyLimitsSet(
        address indexed owner,
        address indexed key,
        uint256 priceBand,
        uint256 notionalPerPeriod,
        uint256 period,
        uint256 expiry
    );
    /// @notice `owner` revoked its limits for `key`: the key may no longer trade for it on this venue.
    event SessionKeyRevoked(address indexed owner, address indexed key);
    /// @notice A fill by `key` for `owner` used `notional` (WAD cash); `usedInWindow` is the window's total so far,
    /// in the window that started at `windowStart` (unix seconds).
    event SessionKeyNotionalUsed(
        address indexed owner,
        address indexed key,
        uint256 notional,
        uint256 usedInWindow,
        uint256 windowStart
    );

    /// @notice Fills `fillSize` (WAD base units, unsigned) of `order` for `takerAccount` at the order's limit price.
    /// @dev Caller: the taker account's owner or a trade-scope operator. `takerPriceLimit` (WAD) protects the taker:
    /// a taker buying pays at most it, a taker selling receives at least it. A trade-scope operator as the order's
    /// signer or as the caller is held to its owner's session-key limits (`SessionKey...` errors) and its notional
    /// is recorded (`SessionKeyNotionalUsed`); fills between owners skip those checks. Reverts with this
    /// interface's errors, the oracle's (key fills read the index) and the engine's margin errors; a failed fill
    /// changes nothing.
    function fill(
        Order calldata order,
        bytes calldata signature,
        uint256 takerAccount,
        uint128 fillSize,
        uint256 takerPriceLimit
    ) external;

    /// @notice The caller (an owner) sets its limits for session key `key` on this venue; replaces earlier limits.
    /// @dev The notional already used in the current window is kept: lowering the limit applies at once, and
    /// setting limits again never refunds a window. Reverts with `SessionKeyInvalidKey` (zero or the caller),
    /// `SessionKeyPriceBandTooWide`, `SessionKeyZeroNotionalLimit`, `SessionKeyInvalidPeriod` or
    /// `SessionKeyExpiryNotInFuture`. The key must also be a trade-scope operator in the engine to act.
    /// @param key The session key (the operator's address).
    /// @param priceBand Largest |fill price - index| / index, WAD fraction, <= `MAX_SESSION_KEY_PRICE_BAND`.
    /// @param notionalPerPeriod Most notional per window, WAD cash, > 0.
    /// @param period Window length, seconds, in [1, `MAX_SESSION_KEY_PERIOD`].
    /// @param expiry Last second (unix) the key may act, > block.timestamp.
    function setSessionKeyLimits(address key, uint64 priceBand, uint128 notionalPerPeriod, uint32 period, uint32 expiry) external;

    /// @notice The caller (an owner) revokes its limits for `key`: the key can no longer trade for it here.
    /// @dev Keeps the window's used notional (re-setting limits never refunds it). Reverts with
    /// `SessionKeyLimitsNotSet` when no limits are set.
    function revokeSessionKey(address key) external;

    /// @notice `owner`'s limits for session key `key` (all zero when none are set).
    function sessionKeyLimits(address owner, address key) external view returns (SessionKeyLimits memory);

    /// @notice Notional `key` has used for `owner` in the current window and when that window started.
    /// @dev A pure function of block time: a window is `[windowStart, windowStart + period)`; the next fill at or
    /// after its end opens a new window at that fill's timestamp (used = 0, windowStart = now is reported).
    /// @return used WAD cash.
    /// @return windowStart Unix seconds.
    function sessionKeyUsage(address owner, address key) external view returns (uint256 used, uint256 windowStart);

    /// @notice Cancels `order`. Caller: the maker account's owner or a trade-scope operator.
    /// @dev Cancelling moves no value, so a trade-scope operator may cancel without venue limits.
    function cancelOrder(Order calldata order) external;

    /// @notice Cancels every order of the caller (as owner) with a nonce below `minNonce`; only increases.
    function cancelAllBelow(uint64 minNonce) external;

    /// @notice Admin/risk manager: sets maker and taker fee rates (WAD, each <= `MAX_FEE_RATE`).
    function setFeeRates(uint64 makerFeeRate, uint64 takerFeeRate) external;

    /// @notice The EIP-712 digest of `order`.
    function hashOrder(Order calldata order) external view returns (bytes32);

    /// @notice Filled size of an order (WAD base units); type(uint128).max once cancelled.
    function filled(bytes32 orderHash) external view returns (uint128);

    /// @notice Minimum valid nonce of `owner`'s orders.
    function minNonce(address owner) external view returns (uint64);
}
