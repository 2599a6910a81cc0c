// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IInsuranceFund} from "../interfaces/IInsuranceFund.sol";
import {ILiquidationAuction} from "../interfaces/ILiquidationAuction.sol";
import {ICollateralVault} from "../interfaces/ICollateralVault.sol";
import {AccountLib} from "../libraries/AccountLib.sol";
import {TokenAmountLib} from "../libraries/TokenAmountLib.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ParameterBounds} from "../libraries/ParameterBounds.sol";

/// @title InsuranceFund
/// @custom:security-contact security@ballast.finance
/// @notice ERC-4626 insurance fund over the cash token. See {IInsuranceFund}.
contract InsuranceFund is IInsuranceFund, ERC4626, AccessManaged, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using WadMath for uint256;
    using SafeCast for uint256;

    /// @notice Shortest cooldown: 1 hour.
    uint256 public constant MIN_COOLDOWN = ParameterBounds.MIN_COOLDOWN;
    /// @notice Longest cooldown: 30 days.
    uint256 public constant MAX_COOLDOWN = ParameterBounds.MAX_COOLDOWN;
    /// @notice Shortest unstake window: 1 hour.
    uint256 public constant MIN_WINDOW = ParameterBounds.MIN_WINDOW;
    /// @notice Longest unstake window: 14 days.
    uint256 public constant MAX_WINDOW = ParameterBounds.MAX_WINDOW;
    /// @notice Smallest per-event cap: 0.01e18 (1% of total assets).
    uint256 public constant MIN_EVENT_CAP_RATIO = ParameterBounds.MIN_EVENT_CAP_RATIO;
    /// @notice Virtual-share decimals offset (OpenZeppelin ERC-4626): shares have 6 more decimals than assets,
    /// making a first-depositor inflation attack cost the attacker about 10**6 times what it could steal.
    uint8 public constant DECIMALS_OFFSET = 6;

    /// @dev Per liquidation event: payout cap and amount paid [wad].
    struct EventPayout {
        uint128 cap;
        uint128 paid;
    }

    /// @notice The collateral vault holding the fund's assets.
    ICollateralVault public immutable vault;
    /// @inheritdoc IInsuranceFund
    uint256 public immutable fundAccount;
    /// @dev 10**(18 - cash decimals).
    uint256 internal immutable _scale;

    /// @notice The liquidation auction (bound once).
    address public auction;
    /// @notice Seconds between a withdrawal request and its first possible claim.
    uint32 public cooldown;
    /// @notice Seconds during which a matured request may be claimed.
    uint32 public unstakeWindow;
    /// @notice Largest payout per event, WAD fraction of total assets at the event's first payout.
    uint64 public eventCapRatio;

    mapping(address owner => WithdrawalRequest) internal _requests;
    mapping(bytes32 eventId => EventPayout) internal _events;

    /// @param accessManager OpenZeppelin AccessManager authorising restricted functions.
    /// @param vault_ The collateral vault; the fund's asset is its cash token.
    constructor(
        address accessManager,
        ICollateralVault vault_,
        string memory name_,
        string memory symbol_,
        uint32 cooldown_,
        uint32 unstakeWindow_,
        uint64 eventCapRatio_
    ) ERC4626(IERC20(vault_.cashToken())) ERC20(name_, symbol_) AccessManaged(accessManager) {
        vault = vault_;
        fundAccount = AccountLib.accountId(address(this), 0);
        _scale = TokenAmountLib.scaleOf(IERC20Metadata(vault_.cashToken()).decimals());
        IERC20(asset()).forceApprove(address(vault_), type(uint256).max);
        _setWithdrawalTiming(cooldown_, unstakeWindow_);
        _setEventCapRatio(eventCapRatio_);
    }

    // ------------------------------------------------------------------ ERC-4626

    /// @notice Cash the fund owns (token units): its positive vault cash plus any idle tokens it holds, less the known
    /// bad debt of running auctions (`ILiquidationAuction.pendingBadDebt`, rounded up to whole tokens, floored at 0),
    /// so exits and deposits are priced net of a loss already visible (class 8 of issue #11, INV-24, R-10).
    /// @dev Conservative: the whole pending debt is marked, although beyond an event's cap it will be socialised.
    function totalAssets() public view override returns (uint256) {
        uint256 assets = vault.balanceOf(fundAccount, asset()) + IERC20(asset()).balanceOf(address(this));
        address a = auction;
        if (a == address(0)) return assets;
        uint256 pending = ILiquidationAuction(a).pendingBadDebt();
        pending = pending / _scale + (pending % _scale == 0 ? 0 : 1);
        return assets > pending ? assets - pending : 0;
    }

    /// @notice What `deposit` accepts now (token units, rounded down): 0 while the collateral vault pauses deposits
    /// or while an insolvent auction's bad debt is pending (entries wait until it is settled), else the least of the
    /// room left under its cash deposit cap and the room left in the vault's supply principal (stored in 112 bits),
    /// so that `deposit(maxDeposit(r))` always succeeds (ERC-4626; class 12 of issue #11).
    /// @dev Principal room: a deposit of w (WAD) adds at most w / supplyIndex to the supply principal S, and
    /// S < (supplyValue + 1) / supplyIndex, so w <= (2**112 - 1) * supplyIndex - supplyValue - 1 always fits.
    function maxDeposit(address) public view override returns (uint256) {
        if (vault.depositsPaused()) return 0;
        // Entries wait while an insolvent auction is pending: the share price then marks the whole deficit, and a
        // deposit just before the loss is settled (the fund pays at most its event cap, the rest is released) would
        // buy shares below their value at the expense of existing stakers.
        address a = auction;
        if (a != address(0) && ILiquidationAuction(a).pendingBadDebt() > 0) return 0;
        ICollateralVault.TokenInfo memory info = vault.tokenInfo(asset());
        uint256 held = vault.totalHeldWad(asset());
        uint256 room = info.depositCap > held ? info.depositCap - held : 0;
        (uint256 supplyIndex, , ) = vault.cashIndices();
        (uint256 supplyValue, ) = vault.cashTotals();
        uint256 principalRoom = uint256(type(uint112).max).mulWadDown(supplyIndex);
        principalRoom = principalRoom > supplyValue + 1 ? principalRoom - supplyValue - 1 : 0;
        return TokenAmountLib.fromWadDown(WadMath.min(room, principalRoom), _scale);
    }

    /// @notice Shares `mint` accepts now: those of `maxDeposit`.
    function maxMint(address receiver) public view override returns (uint256) {
        return convertToShares(maxDeposit(receiver));
    }

    /// @notice Always 0: exits go through `requestWithdrawal` and `claimWithdrawal`.
    function maxWithdraw(address) public pure override returns (uint256) {
        return 0;
    }

    /// @notice Always 0: exits go through `requestWithdrawal` and `claimWithdrawal`.
    function maxRedeem(address) public pure override returns (uint256) {
        return 0;
    }

    /// @dev Deposited assets go straight into the fund's vault account, where they earn interest and cover losses.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override nonReentrant {
        super._deposit(caller, receiver, assets, shares);
        vault.deposit(fundAccount, asset(), assets);
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    // ------------------------------------------------------------------ exits

    /// @inheritdoc IInsuranceFund
    function requestWithdrawal(uint256 shares) external nonReentrant {
        if (shares == 0) revert InsuranceZeroAmount();
        if (_requests[msg.sender].shares != 0) revert InsuranceRequestPending(msg.sender);
        uint256 assets = previewRedeem(shares);
        _transfer(msg.sender, address(this), shares);
        uint64 readyAt = uint64(block.timestamp + cooldown);
        uint64 expiresAt = readyAt + unstakeWindow;
        _requests[msg.sender] = WithdrawalRequest(shares.toUint128(), assets.toUint128(), readyAt, expiresAt);
        emit WithdrawalRequested(msg.sender, shares, assets, readyAt, expiresAt);
    }

    /// @inheritdoc IInsuranceFund
    function cancelWithdrawal() external nonReentrant {
        WithdrawalRequest memory r = _requests[msg.sender];
        if (r.shares == 0) revert InsuranceNoRequest(msg.sender);
        delete _requests[msg.sender];
        _transfer(address(this), msg.sender, r.shares);
        emit WithdrawalCancelled(msg.sender, r.shares);
    }

    /// @inheritdoc IInsuranceFund
    function claimWithdrawal(address receiver) external nonReentrant returns (uint256 assets) {
        WithdrawalRequest memory r = _requests[msg.sender];
        if (r.shares == 0) revert InsuranceNoRequest(msg.sender);
        if (block.timestamp < r.readyAt) revert InsuranceCooldownNotOver(r.readyAt);
        if (block.timestamp > r.expiresAt) revert InsuranceWindowExpired(r.expiresAt);
        assets = WadMath.min(previewRedeem(r.shares), r.assetsAtRequest);
        delete _requests[msg.sender];
        _burn(address(this), r.shares);
        _pay(receiver, assets);
        emit WithdrawalClaimed(msg.sender, receiver, r.shares, assets);
        emit Withdraw(msg.sender, receiver, msg.sender, assets, r.shares);
    }

    // ------------------------------------------------------------------ liquidations

    /// @inheritdoc IInsuranceFund
    function cover(bytes32 eventId, uint256 recipientAccount, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (msg.sender != auction) revert InsuranceOnlyAuction(msg.sender);
        // Pays from the fund's vault cash only, so nothing a third party can do (idle tokens, a deposit pause, a
        // full deposit cap) can make a payout revert; `sweep` moves idle tokens into the vault.
        EventPayout memory e = _events[eventId];
        uint256 cashWad = _vaultCashWad();
        if (e.paid == 0 && e.cap == 0) e.cap = cashWad.mulWadDown(eventCapRatio).toUint128();
        uint256 tokens = TokenAmountLib.fromWadDown(WadMath.min(amount, WadMath.min(uint256(e.cap) - e.paid, cashWad)), _scale);
        paid = TokenAmountLib.toWad(tokens, _scale);
        e.paid += paid.toUint128();
        _events[eventId] = e;
        if (tokens != 0) vault.transferCash(fundAccount, recipientAccount, tokens);
        emit LossCovered(eventId, recipientAccount, amount, paid);
    }

    // ------------------------------------------------------------------ governance

    /// @inheritdoc IInsuranceFund
    function setWithdrawalTiming(uint32 cooldown_, uint32 unstakeWindow_) external restricted {
        _setWithdrawalTiming(cooldown_, unstakeWindow_);
    }

    /// @inheritdoc IInsuranceFund
    function setEventCapRatio(uint64 eventCapRatio_) external restricted {
        _setEventCapRatio(eventCapRatio_);
    }

    /// @inheritdoc IInsuranceFund
    function bindAuction(address auction_) external restricted {
        if (auction != address(0)) revert InsuranceAlreadyBound(auction);
        if (auction_ == address(0)) revert InsuranceParameterOutOfBounds("auction", 0, 1, type(uint160).max);
        auction = auction_;
        emit AuctionBound(auction_);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IInsuranceFund
    function withdrawalRequest(address owner) external view returns (WithdrawalRequest memory) {
        return _requests[owner];
    }

    /// @inheritdoc IInsuranceFund
    function coverage(
        bytes32 eventId
    ) external view returns (uint256 totalAssetsWad, uint256 available, uint256 paid, uint256 cap) {
        totalAssetsWad = TokenAmountLib.toWad(totalAssets(), _scale);
        uint256 cashWad = _vaultCashWad();
        EventPayout memory e = _events[eventId];
        cap = e.paid == 0 && e.cap == 0 ? cashWad.mulWadDown(eventCapRatio) : e.cap;
        paid = e.paid;
        // Whole token units, as `cover` pays.
        available = TokenAmountLib.toWad(TokenAmountLib.fromWadDown(WadMath.min(cap - paid, cashWad), _scale), _scale);
    }

    /// @inheritdoc IInsuranceFund
    function sweep() external nonReentrant {
        uint256 idle = IERC20(asset()).balanceOf(address(this));
        if (idle == 0) revert InsuranceZeroAmount();
        vault.deposit(fundAccount, asset(), idle);
        emit IdleSwept(idle);
    }

    // ------------------------------------------------------------------ internals

    /// @dev Pays `assets` (token units) to `receiver`: idle tokens first, then from the vault account.
    function _pay(address receiver, uint256 assets) internal {
        uint256 idle = WadMath.min(IERC20(asset()).balanceOf(address(this)), assets);
        if (idle != 0) IERC20(asset()).safeTransfer(receiver, idle);
        if (assets > idle) vault.withdraw(fundAccount, asset(), assets - idle, receiver);
    }

    /// @dev The fund's positive vault cash in WAD, in whole token units (what `cover` can pay).
    function _vaultCashWad() internal view returns (uint256) {
        return TokenAmountLib.toWad(vault.balanceOf(fundAccount, asset()), _scale);
    }

    function _setWithdrawalTiming(uint32 cooldown_, uint32 unstakeWindow_) internal {
        if (cooldown_ < MIN_COOLDOWN || cooldown_ > MAX_COOLDOWN) {
            revert InsuranceParameterOutOfBounds("cooldown", cooldown_, MIN_COOLDOWN, MAX_COOLDOWN);
        }
        if (unstakeWindow_ < MIN_WINDOW || unstakeWindow_ > MAX_WINDOW) {
            revert InsuranceParameterOutOfBounds("unstakeWindow", unstakeWindow_, MIN_WINDOW, MAX_WINDOW);
        }
        cooldown = cooldown_;
        unstakeWindow = unstakeWindow_;
        emit WithdrawalTimingSet(cooldown_, unstakeWindow_);
    }

    function _setEventCapRatio(uint64 ratio) internal {
        if (ratio < MIN_EVENT_CAP_RATIO || ratio > 1e18) {
            revert InsuranceParameterOutOfBounds("eventCapRatio", ratio, MIN_EVENT_CAP_RATIO, 1e18);
        }
        eventCapRatio = ratio;
        emit EventCapRatioSet(ratio);
    }
}
