// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ICollateralVault
/// @custom:security-contact security@ballast.finance
/// @notice Custody of allowlisted ERC-20 collateral and the ledger `(account, token) -> balance`.
/// @dev Units. Arguments and events named `amount` are token units (the token's own decimals). The ledger keeps
/// every balance in WAD (`TokenAmountLib`): collateral balances are WAD token amounts; the cash balance is a
/// signed WAD cash value. Cash (the settlement asset, e.g. USDC) is stored as a principal scaled by two
/// cumulative indices (see `cashIndices`): positive principal earns the supply index, negative principal owes the
/// borrow index. Rounding: balances credited round down, debts round up, payouts round down.
interface ICollateralVault {
    /// @notice Margin inputs of one account.
    /// @param cash Cash value, WAD (negative = owed).
    /// @param collateralValue Sum over non-cash collateral of balance * price * haircut, WAD, rounded down.
    struct MarginCollateral {
        int256 cash;
        uint256 collateralValue;
    }

    /// @notice Cash movements of one trade, WAD: signed deltas of two accounts and fees credited to `feeAccount`.
    /// `hasPositionsA/B` tell the vault whether each account still holds a position after the trade.
    struct TradeCash {
        uint256 accountA;
        int256 deltaA;
        bool hasPositionsA;
        uint256 accountB;
        int256 deltaB;
        bool hasPositionsB;
        uint256 feeAccount;
        uint256 fees;
    }

    /// @notice Zero-sum cash movements that accompany a portfolio transfer (WAD, signed): to `from`, to `to`, and to
    /// a third account (the insurance fund's). All zero for none.
    struct CashLegs {
        int256 toFrom;
        int256 toTo;
        uint256 third;
        int256 toThird;
    }

    /// @notice Configuration and cached price of a listed collateral token.
    struct TokenInfo {
        bytes32 oracleAsset;
        uint64 haircut;
        uint8 decimals;
        uint8 index;
        bool enabled;
        uint128 depositCap;
        uint128 totalDeposits;
        uint96 cachedPrice;
        uint32 cachedPriceTimestamp;
    }

    // ----------------------------------------------------------------- errors
    /// @notice An amount argument is zero.
    error VaultZeroAmount();
    /// @notice The token is neither the cash token nor a listed collateral.
    error VaultTokenNotListed(address token);
    /// @notice The collateral is listed but disabled for deposits.
    error VaultTokenDisabled(address token);
    /// @notice The collateral is being delisted (issue #11 class 14): no new deposits, no haircut change, no second
    /// delisting.
    error VaultTokenDelisting(address token);
    /// @notice `removeToken` before the collateral's delisting ramp ended at `rampEnd` (timestamp; 0: not delisting).
    error VaultDelistingIncomplete(address token, uint256 rampEnd);
    /// @notice `removeToken` while the vault still holds `heldWad` (WAD token amount) of the collateral for accounts.
    error VaultTokenStillHeld(address token, uint256 heldWad);
    /// @notice The token is already listed (or is the cash token).
    error VaultTokenAlreadyListed(address token);
    /// @notice The collateral list is full.
    error VaultTooManyTokens(uint256 maxTokens);
    /// @notice The token reports more than 18 decimals.
    error VaultUnsupportedDecimals(address token, uint8 decimals);
    /// @notice A deposit would take the token's total deposits above its cap (WAD).
    error VaultDepositCapExceeded(address token, uint256 cap, uint256 totalAfter);
    /// @notice Deposits are paused by the guardian.
    error VaultDepositsPaused();
    /// @notice The vault received fewer tokens than the deposit named (fee-on-transfer or similar token).
    error VaultTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice A withdrawal of `amount` (token units) did not move exactly `amount`: the vault's balance fell by
    /// `sent` and the recipient's rose by `received` (a token that charges a transfer fee; issue #11 class 13).
    error VaultWithdrawalMismatch(address token, uint256 amount, uint256 sent, uint256 received);
    /// @notice The account holds less of the token than requested (token units).
    error VaultInsufficientBalance(uint256 account, address token, uint256 balance, uint256 amount);
    /// @notice A cash withdrawal or transfer exceeds the account's positive cash (token units or WAD, as named).
    error VaultInsufficientCash(uint256 account, int256 available, uint256 amount);
    /// @notice `caller` may not act for `account` with the scope the action needs.
    error VaultUnauthorized(address caller, uint256 account);
    /// @notice Only the bound margin engine may call.
    error VaultOnlyEngine(address caller);
    /// @notice Only the bound liquidation module may call.
    error VaultOnlyLiquidator(address caller);
    /// @notice A one-time binding was already made.
    error VaultAlreadyBound(address current);
    /// @notice The vault holds fewer cash tokens than requested (token units): the rest of the positive cash is
    /// lent to accounts in debt and returns as they repay.
    error VaultInsufficientLiquidity(address token, uint256 available, uint256 amount);
    /// @notice The account would end below initial margin (WAD cash values).
    error VaultInsufficientMargin(uint256 account, int256 equity, uint256 initialMargin);
    /// @notice The account is in a liquidation auction: no trades, withdrawals or transfers out.
    error VaultAccountInAuction(uint256 account);
    /// @notice A parameter is outside its hard bounds.
    error VaultParameterOutOfBounds(bytes32 parameter, uint256 value, uint256 min, uint256 max);
    /// @notice A guardian action would loosen a parameter (`current` -> `requested`).
    error VaultGuardianCannotLoosen(bytes32 parameter, uint256 current, uint256 requested);
    /// @notice Destination address is zero.
    error VaultZeroAddress();
    /// @notice A fraction argument is zero or above 1e18.
    error VaultInvalidFraction(uint256 fraction);
    /// @notice A batch of cash moves does not sum to zero (or its arrays differ in length).
    error VaultCashNotConserved(int256 sum);

    // ----------------------------------------------------------------- events
    /// @notice Tokens were deposited into `account` (amount in token units).
    event Deposited(uint256 indexed account, address indexed token, uint256 amount, address indexed from);
    /// @notice Tokens were withdrawn from `account` to `to` (amount in token units).
    event Withdrawn(uint256 indexed account, address indexed token, uint256 amount, address indexed to);
    /// @notice Cash value moved between accounts (WAD).
    event CashTransferred(uint256 indexed from, uint256 indexed to, uint256 amount);
    /// @notice The engine added `delta` (WAD, signed) to `account`'s cash.
    event CashSettled(uint256 indexed account, int256 delta);
    /// @notice A collateral balance moved between accounts (WAD token amount).
    event CollateralTransferred(uint256 indexed from, uint256 indexed to, address indexed token, uint256 amountWad);
    /// @notice Cash interest accrued: new indices (WAD) and the interest added to debts (WAD).
    event CashInterestAccrued(uint256 supplyIndex, uint256 borrowIndex, uint256 interest);
    /// @notice A loss was socialised over all positive cash: the supply index fell from `indexBefore` to `indexAfter`.
    event LossSocialised(uint256 amount, uint256 indexBefore, uint256 indexAfter);
    /// @notice A collateral token was listed.
    event CollateralListed(
        address indexed token,
        bytes32 oracleAsset,
        uint8 decimals,
        uint8 index,
        uint256 haircut,
        uint256 depositCap
    );
    /// @notice A collateral's delisting began: its haircut weight ramps linearly from `weight` (WAD) at `rampStart` to
    /// zero at `rampEnd` (timestamps); deposits of it stop at once.
    event CollateralDelistingBegun(address indexed token, uint256 weight, uint256 rampStart, uint256 rampEnd);
    /// @notice A delisted collateral was removed and its bitmap `index` freed for a new listing.
    event CollateralRemoved(address indexed token, uint8 index);
    /// @notice An account's balance `amountWad` of a fully delisted collateral was evicted into its claim [token units].
    event CollateralEvicted(uint256 indexed account, address indexed token, uint256 amountWad, uint256 claim);
    /// @notice An account's claim on an evicted collateral, `amount` [token units], was paid to `to`.
    event EvictedCollateralClaimed(uint256 indexed account, address indexed token, uint256 amount, address indexed to);
    /// @notice A collateral's haircut (WAD weight) was set.
    event HaircutSet(address indexed token, uint256 haircut);
    /// @notice A token's deposit cap (WAD) was set.
    event DepositCapSet(address indexed token, uint256 cap);
    /// @notice A collateral's oracle asset was set.
    event CollateralOracleSet(address indexed token, bytes32 oracleAsset);
    /// @notice Deposits of a collateral were enabled or disabled.
    event CollateralEnabledSet(address indexed token, bool enabled);
    /// @notice The cash interest-rate model was set (per-year WAD rates).
    event CashRateModelSet(uint256 baseRatePerYear, uint256 slopePerYear);
    /// @notice The cap on total negative cash (WAD) was set.
    event BorrowCapSet(uint256 cap);
    /// @notice Deposits were paused or unpaused.
    event DepositsPausedSet(bool paused);
    /// @notice The margin engine was bound (once).
    event EngineBound(address engine);
    /// @notice The liquidation module was bound (once).
    event LiquidatorBound(address liquidator);
    /// @notice The liquidation module froze `account` and moved `tip` (WAD) from it to `tipAccount`.
    event LiquidationStarted(uint256 indexed account, uint256 indexed tipAccount, uint256 tip);
    /// @notice The liquidation module unfroze `account`.
    event LiquidationEnded(uint256 indexed account);

    // ----------------------------------------------------------------- users
    /// @notice Deposits `amount` of `token` (token units) from the caller into `account`.
    /// @dev Credits what the vault actually received (balance difference) and reverts with
    /// `VaultTransferShortfall` if that is less than `amount`. Caller: the owner of `account` or a full-scope
    /// operator (`VaultUnauthorized` otherwise), so no third party can add a collateral to an account (R-15); an
    /// account in auction takes cash only (`VaultAccountInAuction`), so not even its owner can add a collateral whose
    /// feed fails and so stop its own liquidation. A deposit only adds value, so it does not bump the account nonce
    /// (a bidder can never receive less than it expected). Reverts: `VaultZeroAmount`, `VaultDepositsPaused`,
    /// `VaultUnauthorized`, `VaultAccountInAuction`, `VaultTokenNotListed`, `VaultTokenDisabled`,
    /// `VaultTokenDelisting` (a collateral being delisted), `VaultDepositCapExceeded`.
    /// @param account The receiving account id.
    /// @param token The cash token or a listed collateral.
    /// @param amount Token units.
    function deposit(uint256 account, address token, uint256 amount) external;

    /// @notice Withdraws `amount` of `token` (token units) from `account` to `to`.
    /// @dev Caller: the owner or an operator with full scope. Cash withdrawals never exceed positive cash. The
    /// account must meet initial margin afterwards (`VaultInsufficientMargin`). Not possible while the
    /// account is in a liquidation auction (`VaultAccountInAuction`). Reverts: `VaultZeroAmount`, `VaultZeroAddress`,
    /// `VaultUnauthorized`, `VaultTokenNotListed`, `VaultInsufficientBalance`, `VaultInsufficientCash`, and
    /// `VaultWithdrawalMismatch` when the vault's balance does not fall, or `to`'s does not rise, by exactly
    /// `amount` (measured by balance difference, as deposits are).
    /// @param account The account id.
    /// @param token The cash token or a listed collateral.
    /// @param amount Token units.
    /// @param to Recipient address.
    function withdraw(uint256 account, address token, uint256 amount, address to) external;

    /// @notice Moves `amount` of cash (token units) from `from` to `to`.
    /// @dev Caller: owner of `from` or a full-scope operator. Never exceeds positive cash; `from` must meet
    /// initial margin afterwards. Bumps the nonce of `from` only: a credit adds cash, so `to`'s pending auction bids
    /// stay valid (R-15). Reverts as `withdraw`.
    function transferCash(uint256 from, uint256 to, uint256 amount) external;

    // ----------------------------------------------------------------- engine and liquidator
    /// @notice Engine only: applies a trade's signed cash deltas and credits its fees (see `TradeCash`); reverts
    /// `VaultAccountInAuction` if either account is frozen. The
    /// engine's `TradeSettled` event describes these movements (realised PnL minus fees).
    /// @dev Bumps both accounts' nonces. Returns both accounts' margin inputs (prices at most `maxPriceAge` old).
    /// @return a Margin inputs of `cash.accountA` after settlement.
    /// @return b Margin inputs of `cash.accountB` after settlement.
    /// @return borrowCapExceeded True when total negative cash is above the borrow cap after settlement.
    function settleTrade(
        TradeCash calldata cash,
        uint256 maxPriceAge
    ) external returns (MarginCollateral memory a, MarginCollateral memory b, bool borrowCapExceeded);

    /// @notice Engine only: moves `fraction` (WAD, (0, 1e18]) of every collateral balance and of the cash value
    /// of `from` to `to`. Amounts moved round down; a fraction of 1e18 moves everything. Bumps `to`'s nonce (not
    /// that of `from`, which is in auction: see `accountNonce`) and
    /// records whether each account still holds positions, then applies `legs` (`VaultCashNotConserved` unless
    /// they sum to zero). Reverts `VaultAccountInAuction` if `to` is frozen.
    /// Collateral moves emit `CollateralTransferred`; the liquidation module's `AuctionBid` states the fraction.
    function transferFraction(
        uint256 from,
        uint256 to,
        uint256 fraction,
        bool fromHasPositions,
        bool toHasPositions,
        CashLegs calldata legs
    ) external;

    /// @notice Liquidator only: freezes `account` (no trades, withdrawals or transfers out; deposits stay open) and
    /// moves the starter's `tip` (WAD cash) from it to `tipAccount`; a non-zero tip bumps the account's nonce (freezing
    /// alone changes no holdings); the tip account's nonce stays (a credit, R-15).
    function startLiquidation(uint256 account, uint256 tipAccount, uint256 tip) external;

    /// @notice Liquidator only: unfreezes `account`.
    function endLiquidation(uint256 account) external;

    /// @notice Engine only: adds the signed cash value `delta` (WAD) to `account` and records whether it still holds
    /// a position (`hasPositions`: a liquidation transfer's receiver whose position netted to zero, or an account whose
    /// positions automated deleveraging closed); bumps its nonce unless the account is in auction (see `accountNonce`).
    function settleCash(uint256 account, int256 delta, bool hasPositions) external;

    /// @notice Liquidator only: adds the signed WAD cash `deltas[i]` to `accounts[i]`; the deltas must sum to zero
    /// (`VaultCashNotConserved`). Balances may go negative. Bumps every touched account's nonce except an account in
    /// auction's (see `accountNonce`). The liquidation
    /// module's `AuctionBid` event states every amount moved.
    function moveCashBatch(uint256[] calldata accounts, int256[] calldata deltas) external;

    /// @notice Liquidator only: writes off `amount` (WAD) of cash debt of `account` by lowering the supply index,
    /// so every positive cash balance bears the loss pro rata. Emits `LossSocialised`.
    /// @dev If positive cash is smaller than `amount`, the index floors at zero and the remainder stays as debt.
    /// @return socialised The amount actually written off (WAD).
    function socialiseLoss(uint256 account, uint256 amount) external returns (uint256 socialised);

    // ----------------------------------------------------------------- governance
    /// @notice Admin: lists `token` as collateral priced by `oracleAsset`, with `haircut` (WAD weight, at most
    /// `MAX_HAIRCUT`) and `depositCap` (token units), at the lowest free bitmap index (one freed by `removeToken`, else
    /// the next one). Reverts: `VaultTokenAlreadyListed`, `VaultTooManyTokens` (all `MAX_TOKENS` slots taken),
    /// `VaultUnsupportedDecimals`, `VaultParameterOutOfBounds`, or the oracle's error if it cannot price it.
    function listCollateral(address token, bytes32 oracleAsset, uint64 haircut, uint256 depositCap) external;
    /// @notice Admin: changes the oracle asset of a listed collateral (the oracle must price it).
    function setCollateralOracle(address token, bytes32 oracleAsset) external;
    /// @notice Risk manager: sets a collateral's haircut (WAD weight <= `MAX_HAIRCUT`). Lowering it (a margin
    /// increase) is limited to `MAX_HAIRCUT_DECREASE` per `HAIRCUT_DECREASE_COOLDOWN`. Refused while the collateral
    /// is being delisted (`VaultTokenDelisting`).
    function setHaircut(address token, uint64 haircut) external;
    /// @notice Admin: begins winding down a listed collateral (issue #11 class 14). Deposits of it stop at once
    /// (`VaultTokenDelisting`); its haircut weight ramps linearly from the current weight to zero over
    /// `rampDuration`, as a pure function of block time in every valuation (margin checks, liquidation, views,
    /// `tokenInfo`). Withdrawals, liquidation transfers and auctions of it keep working. Emits
    /// `CollateralDelistingBegun`.
    /// @dev The weight at time t is `w * (end - t) / (end - start)`, rounded down; zero from `end` on. Reverts:
    /// `VaultTokenNotListed`, `VaultTokenDelisting` (already delisting), `VaultParameterOutOfBounds` unless
    /// `MIN_DELISTING_RAMP <= rampDuration <= MAX_DELISTING_RAMP`.
    /// @param token A listed collateral.
    /// @param rampDuration Seconds from now until the weight reaches zero.
    function beginDelisting(address token, uint256 rampDuration) external;
    /// @notice Admin: removes a delisted collateral and frees its bitmap slot for a new listing; the token can no
    /// longer be deposited or withdrawn (`VaultTokenNotListed`). Emits `CollateralRemoved`.
    /// @dev Only once its ramp has ended (`VaultDelistingIncomplete`) and the vault holds none of it for accounts
    /// (`VaultTokenStillHeld` with the WAD amount held): a balance is never stranded. Reverts `VaultTokenNotListed`.
    /// @param token A collateral whose delisting ramp has ended.
    function removeToken(address token) external;
    /// @notice Admin: moves `account`'s whole balance of a collateral whose delisting ramp has ended out of the
    /// ledger into the account's claim on that token (review F1), clearing its bitmap bit, so that `removeToken`
    /// can free the slot whatever holders left behind (a remainder below one token unit, a balance never
    /// withdrawn, a token that cannot be transferred). The owner takes the claim with `claimEvicted`, before or
    /// after the removal. Emits `CollateralEvicted`.
    /// @dev The claim is the balance in token units rounded down; the remainder below one unit stays with the vault.
    /// The balance counted nothing in margin (weight zero), and the account must still meet its initial margin
    /// afterwards, as after a withdrawal, so an account below it or in auction keeps the balance for its own
    /// liquidation (`VaultInsufficientMargin`, `VaultAccountInAuction`). Bumps the account's nonce. Reverts:
    /// `VaultTokenNotListed`, `VaultDelistingIncomplete` (ramp not ended), `VaultInsufficientBalance` (none held).
    /// @param account The account holding the collateral.
    /// @param token A collateral whose delisting ramp has ended.
    function evictCollateral(uint256 account, address token) external;
    /// @notice Sends `account`'s whole claim on `token` (from `evictCollateral`) to `to`. Owner or full-scope
    /// operator only (`VaultUnauthorized`). Emits `EvictedCollateralClaimed`.
    /// @dev Measured as withdrawals are (`VaultWithdrawalMismatch`). Reverts `VaultZeroAddress` (`to` is zero),
    /// `VaultZeroAmount` (no claim), or the token's own error if it cannot be transferred (the claim stays).
    /// @param account The account whose claim is paid.
    /// @param token The evicted collateral.
    /// @param to Recipient of the tokens.
    function claimEvicted(uint256 account, address token, address to) external;
    /// @notice Risk manager: sets a token's deposit cap (token units; the cash token included).
    function setDepositCap(address token, uint256 depositCap) external;
    /// @notice Guardian: lowers a token's deposit cap (token units); never raises it.
    function reduceDepositCap(address token, uint256 depositCap) external;
    /// @notice Guardian: disables deposits of a collateral.
    function disableCollateral(address token) external;
    /// @notice Risk manager: re-enables deposits of a collateral.
    function enableCollateral(address token) external;
    /// @notice Risk manager: sets the negative-cash rate model: rate = base + slope * utilisation, per year (WAD).
    function setCashRateModel(uint64 baseRatePerYear, uint64 slopePerYear) external;
    /// @notice Risk manager: sets the cap on total negative cash (WAD cash).
    function setBorrowCap(uint128 borrowCap) external;
    /// @notice Guardian: pauses deposits.
    function pauseDeposits() external;
    /// @notice Risk manager: unpauses deposits.
    function unpauseDeposits() external;
    /// @notice Admin, once: binds the margin engine.
    function bindEngine(address engine) external;
    /// @notice Admin, once: binds the liquidation module.
    function bindLiquidator(address liquidator) external;

    // ----------------------------------------------------------------- views
    /// @notice Collateral balance of `account` in `token`, token units (cash: positive cash, rounded down).
    function balanceOf(uint256 account, address token) external view returns (uint256);

    /// @notice Collateral balance of `account` in `token`, WAD (not for cash).
    function collateralBalanceWad(uint256 account, address token) external view returns (uint256);

    /// @notice Signed cash value of `account`, WAD, interest accrued to now.
    function cashBalance(uint256 account) external view returns (int256);

    /// @notice Margin inputs of `account` at fresh oracle prices (no cache); reverts on any invalid price.
    function marginCollateralFresh(uint256 account) external view returns (MarginCollateral memory);

    /// @notice Liquidation-path margin inputs of `account` at fresh oracle prices, and the collateral's value
    /// without haircuts (WAD, rounded down). Any invalid price reverts with the oracle's error: a bad price never
    /// liquidates anyone and never prices a bid (R-01). Counting an unpriced collateral as zero instead would let
    /// anyone liquidate a healthy account during a feed or sequencer outage and take that collateral for free.
    function collateralValuesFresh(uint256 account) external view returns (MarginCollateral memory, uint256 rawCollateralValue);

    /// @notice Margin inputs of `account` at given collateral prices (`tokenPrices[index]`, WAD, one per listed
    /// collateral), interest accrued to now. Reverts `VaultParameterOutOfBounds` on a wrong length.
    function marginCollateralAtPrices(
        uint256 account,
        uint256[] calldata tokenPrices
    ) external view returns (MarginCollateral memory);

    /// @notice Bitmap of collateral token indices `account` holds.
    function accountTokens(uint256 account) external view returns (uint16);

    /// @notice State nonce of `account`: bumped by every change except deposits and credits (R-15), and constant
    /// while the account is in auction after its start: bids take pro-rata shares priced within each bidder's
    /// `maxUnitPrice`, so a bid never voids another pending bid (review M1).
    function accountNonce(uint256 account) external view returns (uint64);

    /// @notice Whether `account` is frozen by a liquidation auction, and whether it holds positions (engine-reported).
    function accountStatus(uint256 account) external view returns (bool frozen, bool hasPositions);

    /// @notice The listed collateral at `index` (address(0) when none, or when the slot was freed by `removeToken`).
    function tokenAt(uint256 index) external view returns (address);

    /// @notice Number of collateral slots ever used (indices `0 .. tokenCount - 1`); a slot freed by `removeToken`
    /// stays counted, with `tokenAt` address(0), until a listing reuses it.
    function tokenCount() external view returns (uint256);

    /// @notice Configuration and cache of `token`; `haircut` is its weight now (ramped while it is being delisted).
    function tokenInfo(address token) external view returns (TokenInfo memory);

    /// @notice Cash supply and borrow indices (WAD) accrued to now, and the last accrual time.
    function cashIndices() external view returns (uint256 supplyIndex, uint256 borrowIndex, uint256 lastAccrual);

    /// @notice Total positive and total negative cash values (WAD) accrued to now.
    function cashTotals() external view returns (uint256 supplyValue, uint256 borrowValue);

    /// @notice Current borrow rate of negative cash, per year (WAD), at current utilisation.
    function borrowRatePerYear() external view returns (uint256);

    /// @notice The negative-cash rate model and the borrow cap, as last set by the risk manager.
    /// @return baseRatePerYear Borrow rate at zero utilisation (WAD per year).
    /// @return slopePerYear Borrow rate added at full utilisation (WAD per year).
    /// @return borrowCap Cap on total negative cash (WAD cash).
    function cashParams() external view returns (uint256 baseRatePerYear, uint256 slopePerYear, uint256 borrowCap);

    /// @notice Tokens of `token` the ledger accounts for (WAD): deposits minus withdrawals. Donations excluded.
    function totalHeldWad(address token) external view returns (uint256);

    /// @notice An account's claim on an evicted collateral and all accounts' claims on it [token units].
    /// @param account The account.
    /// @param token The evicted collateral.
    /// @return amount The account's claim [token units].
    /// @return total Every account's claim on `token` [token units]; the vault holds at least this much of it.
    function evictedClaim(uint256 account, address token) external view returns (uint256 amount, uint256 total);

    /// @notice The cash (settlement) token.
    function cashToken() external view returns (address);

    /// @notice 10**(18 - decimals) of the cash token, fixed at deployment from its `decimals()` [WAD per token unit]:
    /// every cash amount converts between token units and WAD with it (a later `decimals()` answer changes nothing).
    function cashScale() external view returns (uint256);

    /// @notice Deposits are paused by the guardian.
    function depositsPaused() external view returns (bool);
}
