/**
 * OrderSettlement configuration and hashing: fee rates (bounds and access), the constructor, and the EIP-712
 * digest and domain matching ethers' TypedDataEncoder.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { OrderSettlement__factory } from "../../../typechain-types";
import { ROLE } from "../../../src/deploy/roles";
import {
  venueFixture,
  order,
  sign,
  fillOrder,
  feesOf,
  digest,
  venueDomain,
  accountId,
  WAD,
  MAKER_FEE_RATE,
  TAKER_FEE_RATE,
  MAX_FEE_RATE,
  ORDER_TYPES,
  ETH,
  BTC,
} from "./venue.helpers";

describe("OrderSettlement: configuration and hashing", function () {
  describe("deployment", function () {
    it("the fixture venue uses the parameter file's fee rates, the engine and the insurance fund's subaccount 0 as fee account", async function () {
      const v = await loadFixture(venueFixture);
      expect(await v.venue.makerFeeRate()).to.equal(MAKER_FEE_RATE);
      expect(await v.venue.takerFeeRate()).to.equal(TAKER_FEE_RATE);
      expect(await v.venue.MAX_FEE_RATE()).to.equal(MAX_FEE_RATE);
      expect(await v.venue.engine()).to.equal(await v.engine.getAddress());
      expect(await v.venue.feeAccount()).to.equal(accountId(await v.fund.getAddress(), 0));
      expect(await v.venue.authority()).to.equal(await v.manager.getAddress());
    });

    it("the constructor emits FeeRecipientSet(recipient, recipient's subaccount 0)", async function () {
      const v = await loadFixture(venueFixture);
      const venue = await new OrderSettlement__factory(v.deployer).deploy(
        await v.manager.getAddress(),
        await v.engine.getAddress(),
        v.carol.address,
      );
      await expect(venue.deploymentTransaction())
        .to.emit(venue, "FeeRecipientSet")
        .withArgs(v.carol.address, accountId(v.carol.address, 0));
      expect(await venue.feeAccount()).to.equal(accountId(v.carol.address, 0));
      expect(await venue.makerFeeRate()).to.equal(0n);
      expect(await venue.takerFeeRate()).to.equal(0n);
    });

    it("the constructor rejects a zero fee recipient (OrderZeroAddress)", async function () {
      const v = await loadFixture(venueFixture);
      const factory = new OrderSettlement__factory(v.deployer);
      await expect(
        factory.deploy(await v.manager.getAddress(), await v.engine.getAddress(), ethers.ZeroAddress),
      ).to.be.revertedWithCustomError(factory, "OrderZeroAddress");
    });
  });

  describe("setFeeRates", function () {
    it("the risk manager sets both rates and FeeRatesSet reports them", async function () {
      const v = await loadFixture(venueFixture);
      await expect(v.venue.setFeeRates(3n * 10n ** 14n, 7n * 10n ** 14n))
        .to.emit(v.venue, "FeeRatesSet")
        .withArgs(3n * 10n ** 14n, 7n * 10n ** 14n);
      expect(await v.venue.makerFeeRate()).to.equal(3n * 10n ** 14n);
      expect(await v.venue.takerFeeRate()).to.equal(7n * 10n ** 14n);
    });

    it("rates equal to MAX_FEE_RATE are accepted and one wei above is rejected for either side (OrderFeeRateTooHigh)", async function () {
      const v = await loadFixture(venueFixture);
      await expect(v.venue.setFeeRates(MAX_FEE_RATE + 1n, 0n))
        .to.be.revertedWithCustomError(v.venue, "OrderFeeRateTooHigh")
        .withArgs(MAX_FEE_RATE + 1n, MAX_FEE_RATE);
      await expect(v.venue.setFeeRates(0n, MAX_FEE_RATE + 1n))
        .to.be.revertedWithCustomError(v.venue, "OrderFeeRateTooHigh")
        .withArgs(MAX_FEE_RATE + 1n, MAX_FEE_RATE);
      expect(await v.venue.makerFeeRate()).to.equal(MAKER_FEE_RATE);
      expect(await v.venue.takerFeeRate()).to.equal(TAKER_FEE_RATE);
      await expect(v.venue.setFeeRates(MAX_FEE_RATE, MAX_FEE_RATE)).to.emit(v.venue, "FeeRatesSet").withArgs(MAX_FEE_RATE, MAX_FEE_RATE);
    });

    it("a caller without the risk-manager role is rejected with AccessManagedUnauthorized, a guardian included", async function () {
      const v = await loadFixture(venueFixture);
      await expect(v.venue.connect(v.erin).setFeeRates(0n, 0n))
        .to.be.revertedWithCustomError(v.venue, "AccessManagedUnauthorized")
        .withArgs(v.erin.address);
      await (await v.manager.grantRole(ROLE.GUARDIAN, v.dave.address, 0)).wait();
      await expect(v.venue.connect(v.dave).setFeeRates(0n, 0n))
        .to.be.revertedWithCustomError(v.venue, "AccessManagedUnauthorized")
        .withArgs(v.dave.address);
    });

    it("an account granted the risk-manager role may set fee rates", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.manager.grantRole(ROLE.RISK_MANAGER, v.dave.address, 0)).wait();
      await expect(v.venue.connect(v.dave).setFeeRates(1n, 2n)).to.emit(v.venue, "FeeRatesSet").withArgs(1n, 2n);
    });

    it("new rates apply to the next fill: a 1% maker fee and a zero taker fee", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.venue.setFeeRates(MAX_FEE_RATE, 0n)).wait();
      const aliceAcc = accountId(v.alice.address);
      const bobAcc = accountId(v.bob.address);
      const feeAccount = await v.venue.feeAccount();
      const size = 777_777_777_777_777_777n;
      const price = 3003n * WAD + 300_000_000_000_000_001n; // 3003.300000000000000001
      const { makerFee, takerFee } = feesOf(size, price, MAX_FEE_RATE, 0n);
      expect(takerFee).to.equal(0n);
      const o = order(v, { account: aliceAcc, size: -size, limitPrice: price, signer: v.alice.address, salt: 121n });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), size))
        .to.emit(v.engine, "TradeSettled")
        .withArgs(await v.venue.getAddress(), ETH, aliceAcc, bobAcc, size, price, makerFee, 0n, 0n, 0n);
      expect(await v.vault.cashBalance(feeAccount)).to.equal(makerFee);
    });

    it("with both rates zero a fill charges no fee and credits nothing to the fee account", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.venue.setFeeRates(0n, 0n)).wait();
      const aliceAcc = accountId(v.alice.address);
      const o = order(v, { account: aliceAcc, size: WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 122n });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD))
        .to.emit(v.engine, "TradeSettled")
        .withArgs(await v.venue.getAddress(), ETH, aliceAcc, accountId(v.bob.address), -WAD, 3000n * WAD, 0n, 0n, 0n, 0n);
      expect(await v.vault.cashBalance(await v.venue.feeAccount())).to.equal(0n);
    });
  });

  describe("EIP-712", function () {
    it("hashOrder equals the EIP-712 digest computed by ethers TypedDataEncoder.hash", async function () {
      const v = await loadFixture(venueFixture);
      const u64 = (1n << 64n) - 1n;
      const orders = [
        order(v, { account: accountId(v.alice.address), size: -WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 131n }),
        order(v, {
          account: accountId(v.bob.address, (1n << 96n) - 1n),
          marketId: BTC,
          size: 123_456_789n,
          limitPrice: 60_000n * WAD + 1n,
          signer: v.dave.address,
          salt: u64,
          nonce: u64,
          expiry: u64,
          reduceOnly: true,
        }),
        order(v, {
          account: 0n,
          marketId: 65_535,
          size: -(1n << 127n),
          limitPrice: (1n << 128n) - 1n,
          signer: ethers.ZeroAddress,
          salt: 0n,
          expiry: 0n,
        }),
      ];
      for (const o of orders) {
        expect(await v.venue.hashOrder(o)).to.equal(await digest(v, o));
      }
    });

    it("ORDER_TYPEHASH is the keccak-256 of the Order type encoding ethers derives from the signed fields", async function () {
      const v = await loadFixture(venueFixture);
      const encoded = ethers.TypedDataEncoder.from(ORDER_TYPES).encodeType("Order");
      expect(encoded).to.equal(
        "Order(uint256 account,uint16 marketId,int128 size,uint128 limitPrice,uint64 expiry,uint64 nonce,uint64 salt,bool reduceOnly,address signer)",
      );
      expect(await v.venue.ORDER_TYPEHASH()).to.equal(ethers.keccak256(ethers.toUtf8Bytes(encoded)));
    });

    it("domainSeparator and eip712Domain name 'Ballast OrderSettlement', version '1', this chain and this venue", async function () {
      const v = await loadFixture(venueFixture);
      const domain = await venueDomain(v);
      expect(await v.venue.domainSeparator()).to.equal(ethers.TypedDataEncoder.hashDomain(domain));
      const d = await v.venue.eip712Domain();
      expect(d.fields).to.equal("0x0f");
      expect(d.name).to.equal("Ballast OrderSettlement");
      expect(d.version).to.equal("1");
      expect(d.chainId).to.equal((await ethers.provider.getNetwork()).chainId);
      expect(d.verifyingContract).to.equal(await v.venue.getAddress());
      expect(d.salt).to.equal(ethers.ZeroHash);
      expect(d.extensions).to.deep.equal([]);
    });

    it("two venues give the same order different digests (INV-16: one venue per signature)", async function () {
      const v = await loadFixture(venueFixture);
      const other = await new OrderSettlement__factory(v.deployer).deploy(
        await v.manager.getAddress(),
        await v.engine.getAddress(),
        v.deployer.address,
      );
      const o = order(v, { account: accountId(v.alice.address), size: WAD, limitPrice: 3000n * WAD, signer: v.alice.address, salt: 132n });
      expect(await other.domainSeparator()).to.not.equal(await v.venue.domainSeparator());
      expect(await other.hashOrder(o)).to.not.equal(await v.venue.hashOrder(o));
      expect(await other.hashOrder(o)).to.equal(
        ethers.TypedDataEncoder.hash(await venueDomain(v, { verifyingContract: await other.getAddress() }), ORDER_TYPES, o),
      );
    });
  });
});
