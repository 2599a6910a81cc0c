// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IInsuranceFund
/// @custom:security-contact security@ballast.finance
/// @notice ERC-4626 vault over the cash token that backs liquidations. Its assets sit in the collateral vault as
/// the positive cash of its own account (the fund's address, subaccount 0), where liquidation penalties and
/// trading fees are credited, interest is earned and socialised losses apply like to any positive cash.
/// @dev Exits: `requestWithdrawal` escrows shares; after `cooldown` they can be claimed during `unstakeWindow`
/// for the lower of their value at request and at claim, so no staker can run ahead of a known loss. The standard
/// ERC-4626 `withdraw`/`redeem` are disabled (`maxWithdraw`/`maxRedeem` return 0); deposits, mints, previews and
/// conversions are standard, with a decimals offset (virtual shares) that defeats first-depositor inflation.
interface IInsuranceFund {
    /// @notice A staker's pending withdrawal.
    /// @param shares Escrowed shares. @param assetsAtRequest Their value at request (token units, rounded down).
    /// @param readyAt First second the claim is possible. @param expiresAt Last second the claim is possible.
    struct WithdrawalRequest {
        uint128 shares;
        uint128 assetsAtRequest;
        uint64 readyAt;
        uint64 expiresAt;
    }

    /// @notice Only the bound liquidation auction may call.
    error InsuranceOnlyAuction(address caller);
    /// @notice The owner has no pending withdrawal request.
    error InsuranceNoRequest(address owner);
    /// @notice The owner already has a pending request (cancel or claim it first).
    error InsuranceRequestPending(address owner);
    /// @notice The cooldown ends at `readyAt` (seconds).
    error InsuranceCooldownNotOver(uint256 readyAt);
    /// @notice The unstake window closed at `expiresAt` (seconds); cancel and request again.
    error InsuranceWindowExpired(uint256 expiresAt);
    /// @notice Zero shares or assets.
    error InsuranceZeroAmount();
    /// @notice A parameter is outside its hard bounds.
    error InsuranceParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice A one-time binding was already made.
    error InsuranceAlreadyBound(address current);

    /// @notice Shares were escrowed for withdrawal, worth `assets` (token units) now.
    event WithdrawalRequested(address indexed owner, uint256 shares, uint256 assets, uint256 readyAt, uint256 expiresAt);
    /// @notice A request was cancelled and its shares returned.
    event WithdrawalCancelled(address indexed owner, uint256 shares);
    /// @notice A request was claimed: `shares` burnt for `assets` (token units) sent to `receiver`.
    event WithdrawalClaimed(address indexed owner, address indexed receiver, uint256 shares, uint256 assets);
    /// @notice The fund covered `paid` of `requested` (WAD cash) for liquidation event `eventId`.
    event LossCovered(bytes32 indexed eventId, uint256 indexed recipientAccount, uint256 requested, uint256 paid);
    /// @notice Cooldown and unstake window (seconds) were set.
    event WithdrawalTimingSet(uint256 cooldown, uint256 unstakeWindow);
    /// @notice The per-event payout cap (WAD fraction of total assets at the event's first payout) was set.
    event EventCapRatioSet(uint256 eventCapRatio);
    /// @notice Idle tokens (sent to the fund directly) were deposited into its vault account (token units).
    event IdleSwept(uint256 amount);
    /// @notice The liquidation auction was bound (once).
    event AuctionBound(address auction);

    /// @notice Auction only: pays up to `amount` (WAD cash) to `recipientAccount` for event `eventId`, within the
    /// fund's vault cash and the event's cap (`eventCapRatio` of that cash at the event's first payout).
    /// @dev Pays whole token units (rounded down) from the fund's vault account only; idle tokens wait for `sweep`.
    /// Never reverts for lack of funds or because of vault deposit limits: pays what it can.
    /// @return paid WAD cash actually credited to `recipientAccount`.
    function cover(bytes32 eventId, uint256 recipientAccount, uint256 amount) external returns (uint256 paid);

    /// @notice Anyone: deposits the fund's idle tokens into its vault account (reverts `InsuranceZeroAmount` with
    /// none, or with the vault's error while deposits are paused or capped).
    function sweep() external;

    /// @notice Escrows `shares` of the caller for withdrawal (one pending request per owner).
    function requestWithdrawal(uint256 shares) external;

    /// @notice Returns the caller's escrowed shares and deletes the request.
    function cancelWithdrawal() external;

    /// @notice Claims the caller's request during its window: burns the shares and sends the lower of their value
    /// at request and now (token units, rounded down) to `receiver`. Returns the assets sent.
    function claimWithdrawal(address receiver) external returns (uint256 assets);

    /// @notice Risk manager: cooldown in [MIN_COOLDOWN, MAX_COOLDOWN] and window in [MIN_WINDOW, MAX_WINDOW] (seconds).
    function setWithdrawalTiming(uint32 cooldown, uint32 unstakeWindow) external;

    /// @notice Risk manager: per-event cap, WAD fraction of total assets in [MIN_EVENT_CAP_RATIO, 1e18].
    function setEventCapRatio(uint64 eventCapRatio) external;

    /// @notice Admin, once: binds the liquidation auction.
    function bindAuction(address auction) external;

    /// @notice The fund's account in the collateral vault (its address, subaccount 0).
    function fundAccount() external view returns (uint256);

    /// @notice The caller-independent pending request of `owner`.
    function withdrawalRequest(address owner) external view returns (WithdrawalRequest memory);

    /// @notice Total assets (WAD), what the fund could pay now for `eventId` (WAD, whole token units), and the
    /// event's paid amount and cap (WAD).
    function coverage(
        bytes32 eventId
    ) external view returns (uint256 totalAssetsWad, uint256 available, uint256 paid, uint256 cap);
}
