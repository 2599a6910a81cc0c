// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {InvariantBase} from "../utils/InvariantBase.sol";
import {Vm} from "../utils/Vm.sol";
import {BallastDeployment} from "./BallastDeployment.sol";
import {CollateralVault} from "../../../contracts/vault/CollateralVault.sol";
import {ICollateralVault} from "../../../contracts/interfaces/ICollateralVault.sol";
import {TestERC20} from "../../../contracts/test/TestERC20.sol";

/// @title DelistingHandler
/// @custom:security-contact security@ballast.finance
/// @notice Drives one collateral (8 decimals, on the ETH/USD feed) through its whole life cycle again and again
/// (issue #11 class 14, review F1): listing, deposits, withdrawals, partial transfers that leave sub-unit remainders
/// (as partial liquidation bids do; the engine is impersonated), delisting ramps, time, eviction of what holders
/// leave into claims, claims paid, removal and re-listing at the freed slot. Holds ADMIN.
contract DelistingHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    bytes32 internal constant ETH_USD = keccak256("ETH/USD");
    uint256 internal constant SCALE = 1e10; // 10**(18 - 8)
    uint256 internal constant OWNERS = 3;
    uint256 internal constant SUBS = 2;

    CollateralVault public immutable vault;
    TestERC20 public immutable token;
    address internal immutable _engine;
    MockV3Aggregator internal immutable _ethFeed;
    MockV3Aggregator internal immutable _ethFeed2;

    address[] public owners;
    uint256[] public accounts;

    /// @notice The handler's count of the token's ledger total [wad]: deposits − withdrawals − evictions.
    uint256 public ghostHeldWad;
    /// @notice The handler's count of unpaid claims [token units]: evictions − claims paid.
    uint256 public ghostClaims;
    /// @notice Completed life cycles (a removal after every holder was evicted).
    uint256 public cycles;
    /// @notice The running delisting ramp [timestamps; 0: none], recorded when it began.
    uint256 public rampStart;
    uint256 public rampEnd;
    /// @notice Haircut weight the token is listed with [wad]: 50%.
    uint256 public constant WEIGHT = 0.5e18;
    mapping(bytes32 id => uint256) public violations;
    mapping(bytes32 id => string) public firstViolation;

    constructor(BallastDeployment d) {
        vault = d.vault();
        _engine = address(d.engine());
        _ethFeed = d.ethFeed();
        _ethFeed2 = d.ethFeed2();
        token = new TestERC20("Delisted Token", "DLT", 8);
        for (uint256 i; i < OWNERS; ++i) {
            address o = vm.addr(0xD11 + i);
            owners.push(o);
            for (uint256 s; s < SUBS; ++s) accounts.push((uint256(uint160(o)) << 96) | s);
        }
    }

    // ------------------------------------------------------------------ actions

    /// @notice The admin lists the token (at the lowest free slot) when it is not listed.
    function list() external {
        if (_listed()) return;
        vault.listCollateral(address(token), ETH_USD, uint64(WEIGHT), 10_000_000e8);
        (rampStart, rampEnd) = (0, 0);
    }

    /// @notice An owner deposits 1 satoshi-unit to 1,000 tokens (refused while delisting or unlisted).
    function deposit(uint256 accountSeed, uint256 amountSeed) external {
        uint256 account = accounts[accountSeed % accounts.length];
        address o = _ownerOf(account);
        uint256 amount = 1 + (amountSeed % 1_000e8);
        token.mint(o, amount);
        vm.prank(o);
        IERC20(address(token)).approve(address(vault), amount);
        vm.prank(o);
        try vault.deposit(account, address(token), amount) {
            ghostHeldWad += amount * SCALE;
        } catch {}
    }

    /// @notice An owner withdraws whole token units it holds.
    function withdraw(uint256 accountSeed, uint256 amountSeed) external {
        uint256 account = accounts[accountSeed % accounts.length];
        uint256 units = vault.collateralBalanceWad(account, address(token)) / SCALE;
        if (units == 0) return;
        uint256 amount = 1 + (amountSeed % units);
        address o = _ownerOf(account);
        vm.prank(o);
        try vault.withdraw(account, address(token), amount, o) {
            ghostHeldWad -= amount * SCALE;
        } catch {}
    }

    /// @notice The engine moves a fraction of one account's holdings to another (a partial liquidation bid does
    /// this), leaving balances that are not whole token units.
    function split(uint256 fromSeed, uint256 toSeed, uint256 fractionSeed) external {
        uint256 from = accounts[fromSeed % accounts.length];
        uint256 to = accounts[toSeed % accounts.length];
        if (from == to) return;
        uint256 fraction = 1 + (fractionSeed % 1e18);
        vm.prank(_engine);
        try vault.transferFraction(from, to, fraction, false, false, ICollateralVault.CashLegs(0, 0, 0, 0)) {} catch {}
    }

    /// @notice The admin begins delisting the token over one to three days.
    function beginDelisting(uint256 rampSeed) external {
        uint256 ramp = 1 days + (rampSeed % 2 days);
        try vault.beginDelisting(address(token), ramp) {
            (rampStart, rampEnd) = (block.timestamp, block.timestamp + ramp);
        } catch {}
    }

    /// @notice Time passes (up to two days); the feeds report meanwhile.
    function warp(uint256 secondsSeed) external {
        uint256 dt = 1 + (secondsSeed % 2 days);
        vm.warp(block.timestamp + dt);
        vm.roll(block.number + 1 + dt / 12);
        _ethFeed.updateAnswer(_ethFeed.latestAnswer());
        _ethFeed2.updateAnswer(_ethFeed.latestAnswer());
    }

    /// @notice The admin evicts one account's balance into its claim (accepted only after the ramp).
    function evict(uint256 accountSeed) external {
        _evict(accounts[accountSeed % accounts.length]);
    }

    /// @notice An owner takes its account's claim.
    function claim(uint256 accountSeed) external {
        uint256 account = accounts[accountSeed % accounts.length];
        (uint256 owed, ) = vault.evictedClaim(account, address(token));
        address o = _ownerOf(account);
        uint256 before = token.balanceOf(o);
        vm.prank(o);
        try vault.claimEvicted(account, address(token), o) {
            ghostClaims -= owed;
            if (token.balanceOf(o) - before != owed) _violate("F1", "a claim paid other than the account's claim");
        } catch {
            if (owed != 0) _violate("F1", "an owner could not take its claim");
        }
    }

    /// @notice The admin evicts every holder and removes the token. Once the ramp has ended this must succeed,
    /// whatever holders left behind (review F1): the only acceptable refusal is a ramp still running.
    function windDown() external {
        if (!_listed()) return;
        uint256 index = vault.tokenInfo(address(token)).index;
        for (uint256 i; i < accounts.length; ++i) {
            if (vault.collateralBalanceWad(accounts[i], address(token)) != 0) _evict(accounts[i]);
        }
        try vault.removeToken(address(token)) {
            cycles += 1;
            if (vault.tokenAt(index) != address(0)) _violate("F1", "removeToken did not free the slot");
        } catch (bytes memory reason) {
            if (bytes4(reason) != ICollateralVault.VaultDelistingIncomplete.selector) {
                _violate("F1", "a delisted collateral's slot could not be freed after evicting every holder");
            }
        }
    }

    /// @notice The admin tries to remove the token.
    function remove() external {
        try vault.removeToken(address(token)) {} catch {}
    }

    // ------------------------------------------------------------------ views for the invariants

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function listed() external view returns (bool) {
        return _listed();
    }

    /// @notice The weight the token should have now [wad]: WEIGHT, or while delisting WEIGHT ramped linearly to zero
    /// (rounded down), zero from the ramp's end (issue #11 class 14).
    function expectedWeight() external view returns (uint256) {
        if (rampEnd == 0) return WEIGHT;
        if (block.timestamp >= rampEnd) return 0;
        return (WEIGHT * (rampEnd - block.timestamp)) / (rampEnd - rampStart);
    }

    // ------------------------------------------------------------------ internals

    function _evict(uint256 account) internal {
        uint256 wad = vault.collateralBalanceWad(account, address(token));
        (uint256 owedBefore, ) = vault.evictedClaim(account, address(token));
        try vault.evictCollateral(account, address(token)) {
            ghostHeldWad -= wad;
            ghostClaims += wad / SCALE;
            (uint256 owed, ) = vault.evictedClaim(account, address(token));
            if (owed != owedBefore + wad / SCALE) _violate("F1", "an eviction's claim is not the balance rounded down");
            if (vault.collateralBalanceWad(account, address(token)) != 0) _violate("F1", "an eviction left a balance");
        } catch {}
    }

    function _listed() internal view returns (bool) {
        return vault.tokenInfo(address(token)).decimals != 0;
    }

    function _ownerOf(uint256 account) internal pure returns (address) {
        return address(uint160(account >> 96));
    }

    function _violate(bytes32 id, string memory message) internal {
        if (violations[id] == 0) firstViolation[id] = message;
        violations[id] += 1;
    }
}

/// @title DelistingInvariants
/// @custom:security-contact security@ballast.finance
/// @notice Foundry invariant campaign of a collateral's life cycle (issue #11 class 14, review F1;
/// docs/TESTING.md): conservation with eviction claims (INV-01), exact bitmaps across slot reuse (INV-04), and a
/// delisted collateral's slot can always be freed once its ramp has ended.
contract DelistingInvariants is InvariantBase, BallastDeployment {
    DelistingHandler internal handler;

    function setUp() public {
        vm.warp(1_767_225_600); // 2026-01-01T00:00:00Z, as the Hardhat network's genesis
        _deployBallast();
        handler = new DelistingHandler(this);
        manager.grantRole(0, address(handler), 0);
        handler.list();
        targetContract(address(handler));
        bytes4[] memory s = new bytes4[](10);
        s[0] = DelistingHandler.list.selector;
        s[1] = DelistingHandler.deposit.selector;
        s[2] = DelistingHandler.withdraw.selector;
        s[3] = DelistingHandler.split.selector;
        s[4] = DelistingHandler.beginDelisting.selector;
        s[5] = DelistingHandler.warp.selector;
        s[6] = DelistingHandler.evict.selector;
        s[7] = DelistingHandler.claim.selector;
        s[8] = DelistingHandler.windDown.selector;
        s[9] = DelistingHandler.remove.selector;
        targetSelector(address(handler), s);
    }

    /// @notice Review F1 and class 14 with INV-01 and INV-04 over the life cycle: the weight in force (the one every
    /// valuation uses, `tokenInfo`) follows the delisting ramp; the ledger total equals the handler's count and
    /// the sum of balances; unpaid claims equal the handler's count; the vault holds the ledger plus the claims; an
    /// account's bit of the token's slot is set exactly when it holds some; an unlisted token has no balances; and
    /// the slot of a fully delisted token could always be freed.
    function invariant_F1_delistingLifecycle() public view {
        address t = address(handler.token());
        uint256 held = vault.totalHeldWad(t);
        assertEq(held, handler.ghostHeldWad(), "INV-01: totalHeldWad equals deposits - withdrawals - evictions");
        (, uint256 claims) = vault.evictedClaim(0, t);
        assertEq(claims, handler.ghostClaims(), "F1: unpaid claims equal evictions - claims paid");
        assertLe(
            held + claims * 1e10,
            IERC20(t).balanceOf(address(vault)) * 1e10,
            "INV-01: the vault holds the ledger plus the claims"
        );
        bool isListed = handler.listed();
        uint256 index = vault.tokenInfo(t).index;
        if (isListed)
            assertEq(vault.tokenInfo(t).haircut, handler.expectedWeight(), "CLASS14: the weight in force follows the ramp");
        uint256 sum;
        for (uint256 i; i < handler.accountCount(); ++i) {
            uint256 a = handler.accounts(i);
            uint256 bal = vault.collateralBalanceWad(a, t);
            sum += bal;
            if (isListed) {
                bool bit = (vault.accountTokens(a) >> index) & 1 == 1;
                assertTrue(bit == (bal != 0), "INV-04: the token's bit is set exactly when the balance is non-zero");
            }
        }
        assertEq(sum, held, "INV-01: sum of balances equals totalHeldWad");
        if (!isListed) assertEq(sum, 0, "F1: an unlisted token has no balances");
        assertEq(handler.violations("F1"), 0, string.concat("F1: ", handler.firstViolation("F1")));
    }
}
