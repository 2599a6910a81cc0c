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

    /// @notice Fills `fillSize` (WAD base units, unsigned) of `order` for `takerAccount` at the order's limit price.
    /// @dev Caller: the taker account's owner or a trade-scope operator. `takerPriceLimit` (WAD) protects the taker:
    /// a taker buying pays at most it, a taker selling receives at least it. Reverts with this interface's errors
    /// and with the engine's margin errors; a failed fill changes nothing.
    function fill(
        Order calldata order,
        bytes calldata signature,
        uint256 takerAccount,
        uint128 fillSize,
        uint256 takerPriceLimit
    ) external;

    /// @notice Cancels `order`. Caller: the maker account's owner or a trade-scope operator.
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
