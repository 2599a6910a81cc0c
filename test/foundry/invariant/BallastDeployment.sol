// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessManager} from "@openzeppelin/contracts/access/manager/AccessManager.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
import {CollateralVault} from "../../../contracts/vault/CollateralVault.sol";
import {IMarginEngineViews} from "../../../contracts/interfaces/IMarginEngineViews.sol";
import {MarginEngine} from "../../../contracts/engine/MarginEngine.sol";
import {MarketConfigurator} from "../../../contracts/config/MarketConfigurator.sol";
import {InsuranceFund} from "../../../contracts/insurance/InsuranceFund.sol";
import {OrderSettlement} from "../../../contracts/venue/OrderSettlement.sol";
import {LiquidationAuction} from "../../../contracts/liquidation/LiquidationAuction.sol";
import {OracleRouter} from "../../../contracts/oracle/OracleRouter.sol";
import {TestERC20} from "../../../contracts/test/TestERC20.sol";
import {IOracleRouter} from "../../../contracts/interfaces/IOracleRouter.sol";
import {IMarketConfigurator} from "../../../contracts/interfaces/IMarketConfigurator.sol";
import {IMarginEngine} from "../../../contracts/interfaces/IMarginEngine.sol";
import {ILiquidationAuction} from "../../../contracts/interfaces/ILiquidationAuction.sol";

/// @title BallastDeployment
/// @custom:security-contact security@ballast.finance
/// @notice The whole protocol wired as deploy/modules/Ballast.ts wires it, with the parameters of
/// deploy/parameters/hardhat.json in WAD / seconds, plus a second ETH feed and an L2 sequencer feed so the oracle
/// handlers can deviate and stop the sequencer. The deployer (this contract) holds ADMIN; no function is mapped to
/// another role, so ADMIN may call every restricted function (the risk-manager handler holds ADMIN too).
contract BallastDeployment {
    bytes32 internal constant ETH_USD = keccak256("ETH/USD");
    bytes32 internal constant BTC_USD = keccak256("BTC/USD");
    uint32 internal constant HEARTBEAT = 1 hours; // seconds, both feeds
    uint32 internal constant SEQUENCER_GRACE = 10 minutes; // seconds

    AccessManager public manager;
    TestERC20 public usdc;
    TestERC20 public weth;
    TestERC20 public wbtc;
    MockV3Aggregator public ethFeed;
    MockV3Aggregator public ethFeed2;
    MockV3Aggregator public btcFeed;
    MockV3Aggregator public sequencer;
    OracleRouter public oracle;
    CollateralVault public vault;
    MarginEngine public engine;
    /// @dev The engine's address typed as its view module's interface (answered there through its fallback).
    IMarginEngineViews public engineViews;
    MarketConfigurator public configurator;
    InsuranceFund public fund;
    OrderSettlement public venue;
    LiquidationAuction public auction;

    function _deployBallast() internal {
        manager = new AccessManager(address(this));
        usdc = new TestERC20("Test USDC", "USDC", 6);
        weth = new TestERC20("Test WETH", "WETH", 18);
        wbtc = new TestERC20("Test WBTC", "WBTC", 8);

        oracle = new OracleRouter(address(manager));
        ethFeed = new MockV3Aggregator(8, 3_000e8);
        ethFeed2 = new MockV3Aggregator(8, 3_000e8);
        btcFeed = new MockV3Aggregator(8, 60_000e8);
        // Chainlink's L2 sequencer uptime feed: answer 0 = up, 1 = down; startedAt = when the status last changed.
        sequencer = new MockV3Aggregator(0, 0);
        sequencer.updateRoundData(1, 0, block.timestamp, block.timestamp - 2 * SEQUENCER_GRACE);
        oracle.setFeed(
            ETH_USD,
            IOracleRouter.FeedConfig({
                primary: AggregatorV3Interface(address(ethFeed)),
                primaryHeartbeat: HEARTBEAT,
                secondary: AggregatorV3Interface(address(ethFeed2)),
                secondaryHeartbeat: HEARTBEAT,
                maxDeviation: 0.05e18, // 5 %
                minPrice: 1e18,
                maxPrice: 1_000_000e18
            })
        );
        oracle.setFeed(
            BTC_USD,
            IOracleRouter.FeedConfig({
                primary: AggregatorV3Interface(address(btcFeed)),
                primaryHeartbeat: HEARTBEAT,
                secondary: AggregatorV3Interface(address(0)),
                secondaryHeartbeat: 0,
                maxDeviation: 0,
                minPrice: 10e18,
                maxPrice: 10_000_000e18
            })
        );
        oracle.setSequencerFeed(AggregatorV3Interface(address(sequencer)), SEQUENCER_GRACE);

        vault = new CollateralVault(address(manager), usdc, oracle);
        engine = new MarginEngine(address(manager), vault, oracle);
        engineViews = IMarginEngineViews(address(engine));
        configurator = new MarketConfigurator(address(manager), engine, oracle);
        fund = new InsuranceFund(address(manager), vault, "Ballast Insurance USDC", "bINS-USDC", 7 days, 2 days, 0.5e18);
        venue = new OrderSettlement(address(manager), engine, address(fund));
        auction = new LiquidationAuction(address(manager), engine, vault, oracle, fund);

        vault.bindEngine(address(engine));
        vault.bindLiquidator(address(auction));
        engine.bindConfigurator(address(configurator));
        engine.bindLiquidator(address(auction));
        engine.setVenue(address(venue), true);
        fund.bindAuction(address(auction));

        vault.listCollateral(address(weth), ETH_USD, 0.8e18, 100_000e18);
        vault.listCollateral(address(wbtc), BTC_USD, 0.75e18, 5_000e18);
        configurator.listMarket(ETH_USD, _risk(0.03e18, 0.05e18, 0.02e18, 0.15e18), _trading(100_000e18));
        configurator.listMarket(BTC_USD, _risk(0.025e18, 0.05e18, 0.015e18, 0.12e18), _trading(5_000e18));
        // Margin tiers (INV-29) within the handlers' reach: positions go up to 200 ETH and 10 BTC.
        configurator.setMarginTiers(0, _tiers(100_000e18, 400_000e18));
        configurator.setMarginTiers(1, _tiers(50_000e18, 250_000e18));
        auction.setMarketShortfallCap(0, 5_000_000e18);
        auction.setMarketShortfallCap(1, 5_000_000e18);
        vault.setDepositCap(address(usdc), 100_000_000e18);
        vault.setCashRateModel(0.02e18, 0.2e18);
        vault.setBorrowCap(20_000_000e18);
        engine.setMaxPriceAge(60);
        venue.setFeeRates(0.0002e18, 0.0005e18);
        auction.setParams(defaultAuctionParams());
        auction.setGlobalShortfallCap(10_000_000e18);
    }

    /// @notice The auction parameters of deploy/parameters/hardhat.json.
    function defaultAuctionParams() public pure returns (ILiquidationAuction.AuctionParams memory) {
        return
            ILiquidationAuction.AuctionParams({
                startPrice: 0.98e18,
                fastPrice: 0.9e18,
                floorPrice: 0.7e18,
                fastDuration: 10 minutes,
                slowDuration: 50 minutes,
                insolventDuration: 30 minutes,
                insolventBonus: 0.1e18,
                bufferRatio: 0.2e18,
                penaltyRate: 0.1e18,
                tipBaseFee: 100, // gwei
                insuranceShare: 0.5e18,
                tipRate: 0.01e18,
                flatTip: 5e18,
                dustMargin: 50e18
            });
    }

    function _risk(
        uint64 mmr,
        uint64 imr,
        uint64 floor,
        uint64 cap
    ) internal pure returns (IMarketConfigurator.RiskParams memory) {
        return
            IMarketConfigurator.RiskParams({
                mmrBase: mmr,
                imrBase: imr,
                mmrFloor: floor,
                mmrCap: cap,
                volMultiplier: 2e18,
                volReference: 0,
                volDecay: 0.94e18,
                minObservationInterval: 5 minutes,
                maxRatioStepPerHour: 0.01e18,
                imrSizeFactor: 0
            });
    }

    /// @dev Two margin tiers: +1 / +2 percentage points (maintenance / initial) above `first`, +3 / +6 above `second`
    /// [thresholds in wad cash].
    function _tiers(uint128 first, uint128 second) internal pure returns (IMarginEngine.MarginTier[] memory tiers) {
        tiers = new IMarginEngine.MarginTier[](2);
        tiers[0] = IMarginEngine.MarginTier({notionalThreshold: first, mmrAddOn: 0.01e18, imrAddOn: 0.02e18});
        tiers[1] = IMarginEngine.MarginTier({notionalThreshold: second, mmrAddOn: 0.03e18, imrAddOn: 0.06e18});
    }

    function _trading(uint112 openInterestCap) internal pure returns (IMarketConfigurator.TradingParams memory) {
        return
            IMarketConfigurator.TradingParams({
                openInterestCap: openInterestCap,
                maxFundingRatePer8h: 0.01e18,
                maxFillDeviation: 0.05e18
            });
    }
}
