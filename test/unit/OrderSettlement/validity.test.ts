/**
 * OrderSettlement order validity: expiry, cancellation, minimum nonces, signatures bound to one chain and one
 * venue (INV-16), signer authority (owner, trade operators) and ERC-1271 contract wallets.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ERC1271Wallet__factory, OrderSettlement__factory } from "../../../typechain-types";
import {
  venueFixture,
  order,
  sign,
  signWithDomain,
  venueDomain,
  fillOrder,
  feesOf,
  accountId,
  WAD,
  USDC,
  MAX_UINT128,
  SCOPE,
  ETH,
  setKeyLimits,
  type VenueFixture,
} from "./venue.helpers";

const PRICE = 3000n * WAD;

/** Alice's order (maker sell of 1 ETH at 3000) with the given salt and overrides. */
function aliceSell(v: VenueFixture, salt: bigint, extra: Partial<Parameters<typeof order>[1]> = {}) {
  return order(v, { account: accountId(v.alice.address), size: -WAD, limitPrice: PRICE, signer: v.alice.address, salt, ...extra });
}

describe("OrderSettlement: order validity", function () {
  describe("expiry", function () {
    it("an order fills in a block whose timestamp equals its expiry (the last valid second)", async function () {
      const v = await loadFixture(venueFixture);
      const expiry = v.t0 + 1_000n;
      const o = aliceSell(v, 21n, { expiry });
      const sig = await sign(v, v.alice, o);
      await time.setNextBlockTimestamp(expiry);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.emit(v.venue, "OrderFilled")
        .withArgs(await v.venue.hashOrder(o), accountId(v.bob.address), WAD);
      expect(await time.latest()).to.equal(Number(expiry));
    });

    it("an order cannot fill one second after its expiry (OrderExpired with the hash and the expiry) (INV-16)", async function () {
      const v = await loadFixture(venueFixture);
      const expiry = v.t0 + 1_000n;
      const o = aliceSell(v, 22n, { expiry });
      const sig = await sign(v, v.alice, o);
      const hash = await v.venue.hashOrder(o);
      // A view call runs at the latest block's timestamp: exactly expiry + 1.
      await time.increaseTo(expiry + 1n);
      await expect(v.venue.connect(v.bob).fill.staticCall(o, sig, accountId(v.bob.address), WAD, ethers.MaxUint256))
        .to.be.revertedWithCustomError(v.venue, "OrderExpired")
        .withArgs(hash, expiry);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderExpired")
        .withArgs(hash, expiry);
      expect(await v.venue.filled(hash)).to.equal(0n);
    });

    it("a partially filled order stops filling once it expires (INV-16)", async function () {
      const v = await loadFixture(venueFixture);
      const expiry = v.t0 + 1_000n;
      const o = aliceSell(v, 23n, { expiry, size: -2n * WAD });
      const sig = await sign(v, v.alice, o);
      const hash = await v.venue.hashOrder(o);
      await (await fillOrder(v, v.bob, o, sig, WAD)).wait();
      await time.setNextBlockTimestamp(expiry + 1n);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderExpired")
        .withArgs(hash, expiry);
      expect(await v.venue.filled(hash)).to.equal(WAD);
    });
  });

  describe("cancelOrder", function () {
    it("the owner cancels an order: OrderCancelledBy, filled(hash) becomes type(uint128).max and fills revert OrderCancelled (INV-16)", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 31n);
      const sig = await sign(v, v.alice, o);
      const hash = await v.venue.hashOrder(o);
      await expect(v.venue.connect(v.alice).cancelOrder(o)).to.emit(v.venue, "OrderCancelledBy").withArgs(hash, v.alice.address);
      expect(await v.venue.filled(hash)).to.equal(MAX_UINT128);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelled")
        .withArgs(hash);
    });

    it("cancelling a partially filled order stops the remainder (INV-16)", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 32n, { size: -3n * WAD });
      const sig = await sign(v, v.alice, o);
      const hash = await v.venue.hashOrder(o);
      await (await fillOrder(v, v.bob, o, sig, WAD)).wait();
      await (await v.venue.connect(v.alice).cancelOrder(o)).wait();
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelled")
        .withArgs(hash);
      expect((await v.engine.position(accountId(v.alice.address), ETH))[0]).to.equal(-WAD);
    });

    it("a trade-scope operator of the owner may cancel the owner's order", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      const o = aliceSell(v, 33n);
      const sig = await sign(v, v.alice, o);
      const hash = await v.venue.hashOrder(o);
      await expect(v.venue.connect(v.dave).cancelOrder(o)).to.emit(v.venue, "OrderCancelledBy").withArgs(hash, v.dave.address);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelled")
        .withArgs(hash);
    });

    it("a stranger, an operator with scope None and an expired operator cannot cancel (OrderCancelUnauthorized)", async function () {
      const v = await loadFixture(venueFixture);
      const aliceAcc = accountId(v.alice.address);
      const o = aliceSell(v, 34n);
      const hash = await v.venue.hashOrder(o);
      await expect(v.venue.connect(v.erin).cancelOrder(o))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelUnauthorized")
        .withArgs(v.erin.address, aliceAcc);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.None, v.expiry)).wait();
      await expect(v.venue.connect(v.dave).cancelOrder(o))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelUnauthorized")
        .withArgs(v.dave.address, aliceAcc);
      const opExpiry = v.t0 + 500n;
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, opExpiry)).wait();
      await time.setNextBlockTimestamp(opExpiry + 1n);
      await expect(v.venue.connect(v.dave).cancelOrder(o))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelUnauthorized")
        .withArgs(v.dave.address, aliceAcc);
      // The taker of an order is not its owner either.
      await expect(v.venue.connect(v.bob).cancelOrder(o))
        .to.be.revertedWithCustomError(v.venue, "OrderCancelUnauthorized")
        .withArgs(v.bob.address, aliceAcc);
      expect(await v.venue.filled(hash)).to.equal(0n);
    });
  });

  describe("cancelAllBelow", function () {
    it("raising the minimum nonce emits MinNonceSet and cancels every order of the owner with a lower nonce (OrderNonceTooLow)", async function () {
      const v = await loadFixture(venueFixture);
      const low = aliceSell(v, 41n, { nonce: 4n });
      const lowSub = aliceSell(v, 42n, { nonce: 0n, account: accountId(v.alice.address, 9) });
      const atMin = aliceSell(v, 43n, { nonce: 5n });
      await expect(v.venue.connect(v.alice).cancelAllBelow(5n)).to.emit(v.venue, "MinNonceSet").withArgs(v.alice.address, 5n);
      expect(await v.venue.minNonce(v.alice.address)).to.equal(5n);
      await expect(fillOrder(v, v.bob, low, await sign(v, v.alice, low), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderNonceTooLow")
        .withArgs(await v.venue.hashOrder(low), 4n, 5n);
      // The minimum nonce is per owner, so it covers every subaccount.
      await expect(fillOrder(v, v.bob, lowSub, await sign(v, v.alice, lowSub), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderNonceTooLow")
        .withArgs(await v.venue.hashOrder(lowSub), 0n, 5n);
      await expect(fillOrder(v, v.bob, atMin, await sign(v, v.alice, atMin), WAD)).to.emit(v.venue, "OrderFilled");
    });

    it("the minimum nonce only increases (OrderNonceNotIncreasing for an equal or lower value)", async function () {
      const v = await loadFixture(venueFixture);
      await expect(v.venue.connect(v.alice).cancelAllBelow(0n))
        .to.be.revertedWithCustomError(v.venue, "OrderNonceNotIncreasing")
        .withArgs(0n, 0n);
      await (await v.venue.connect(v.alice).cancelAllBelow(7n)).wait();
      await expect(v.venue.connect(v.alice).cancelAllBelow(7n))
        .to.be.revertedWithCustomError(v.venue, "OrderNonceNotIncreasing")
        .withArgs(7n, 7n);
      await expect(v.venue.connect(v.alice).cancelAllBelow(3n))
        .to.be.revertedWithCustomError(v.venue, "OrderNonceNotIncreasing")
        .withArgs(7n, 3n);
      await expect(v.venue.connect(v.alice).cancelAllBelow(8n)).to.emit(v.venue, "MinNonceSet").withArgs(v.alice.address, 8n);
      expect(await v.venue.minNonce(v.alice.address)).to.equal(8n);
    });

    it("cancelAllBelow called by an operator sets the operator's own minimum nonce and leaves the owner's orders valid", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.alice, v.dave.address);
      await (await v.venue.connect(v.dave).cancelAllBelow(10n)).wait();
      expect(await v.venue.minNonce(v.dave.address)).to.equal(10n);
      expect(await v.venue.minNonce(v.alice.address)).to.equal(0n);
      const o = aliceSell(v, 44n, { nonce: 1n, signer: v.dave.address });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.dave, o), WAD)).to.emit(v.venue, "OrderFilled");
    });
  });

  describe("signatures (INV-16: valid on exactly one chain and one venue)", function () {
    it("a signature for another chain id is rejected with OrderInvalidSignature", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 51n);
      const sig = await signWithDomain(v.alice, await venueDomain(v, { chainId: 1n }), o);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
        .withArgs(await v.venue.hashOrder(o), v.alice.address);
    });

    it("a signature for another venue address is rejected, and is valid only on the venue it names", async function () {
      const v = await loadFixture(venueFixture);
      const other = await new OrderSettlement__factory(v.deployer).deploy(
        await v.manager.getAddress(),
        await v.engine.getAddress(),
        v.deployer.address,
      );
      const otherAddr = await other.getAddress();
      const o = aliceSell(v, 52n);
      const sig = await signWithDomain(v.alice, await venueDomain(v, { verifyingContract: otherAddr }), o);
      expect(await other.hashOrder(o)).to.not.equal(await v.venue.hashOrder(o));
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
        .withArgs(await v.venue.hashOrder(o), v.alice.address);
      // On the venue it was signed for, the signature passes and the fill reaches the engine, which refuses an
      // unregistered venue; once registered, the fill settles.
      const fillOther = () => other.connect(v.bob).fill(o, sig, accountId(v.bob.address), WAD, ethers.MaxUint256);
      await expect(fillOther()).to.be.revertedWithCustomError(v.engine, "EngineUnauthorizedVenue").withArgs(otherAddr);
      await (await v.engine.setVenue(otherAddr, true)).wait();
      await expect(fillOther())
        .to.emit(other, "OrderFilled")
        .withArgs(await other.hashOrder(o), accountId(v.bob.address), WAD);
      // Filling it there does not make it valid here.
      await expect(fillOrder(v, v.bob, o, sig, WAD)).to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature");
    });

    it("a signature under another domain name or version is rejected", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 53n);
      const hash = await v.venue.hashOrder(o);
      for (const override of [{ name: "Ballast OrderSettlement v2" }, { version: "2" }]) {
        const sig = await signWithDomain(v.alice, await venueDomain(v, override), o);
        await expect(fillOrder(v, v.bob, o, sig, WAD))
          .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
          .withArgs(hash, v.alice.address);
      }
    });

    it("a signature by someone other than order.signer is rejected", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 54n);
      const sig = await sign(v, v.bob, o);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
        .withArgs(await v.venue.hashOrder(o), v.alice.address);
    });

    it("a signature does not carry over to an order with any field changed", async function () {
      const v = await loadFixture(venueFixture);
      const signed = aliceSell(v, 55n);
      const sig = await sign(v, v.alice, signed);
      const variants = [
        { ...signed, size: -2n * WAD },
        { ...signed, limitPrice: PRICE - 1n },
        { ...signed, expiry: BigInt(signed.expiry) + 1n },
        { ...signed, salt: 56n },
        { ...signed, nonce: 1n },
        { ...signed, reduceOnly: true },
        { ...signed, marketId: 1 },
      ];
      for (const o of variants) {
        await expect(fillOrder(v, v.bob, o, sig, WAD))
          .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
          .withArgs(await v.venue.hashOrder(o), v.alice.address);
      }
    });

    it("empty and malformed signatures are rejected with OrderInvalidSignature, not a low-level revert", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 57n);
      const hash = await v.venue.hashOrder(o);
      const good = await sign(v, v.alice, o);
      const truncated = ethers.dataSlice(good, 0, 64);
      const badV = ethers.concat([ethers.dataSlice(good, 0, 64), "0x1f"]);
      for (const sig of ["0x", truncated, badV, ethers.ZeroHash + "00".repeat(33)]) {
        await expect(fillOrder(v, v.bob, o, sig, WAD))
          .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
          .withArgs(hash, v.alice.address);
      }
    });
  });

  describe("signer authority", function () {
    it("order.signer that is neither the owner nor its operator is rejected with OrderSignerNotAuthorized", async function () {
      const v = await loadFixture(venueFixture);
      const o = aliceSell(v, 61n, { signer: v.erin.address });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.erin, o), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderSignerNotAuthorized")
        .withArgs(v.erin.address, accountId(v.alice.address));
    });

    it("a trade-scope operator signs for the owner's account, and the fill lands in the owner's account", async function () {
      const v = await loadFixture(venueFixture);
      const aliceAcc = accountId(v.alice.address);
      await expect(v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry))
        .to.emit(v.engine, "OperatorSet")
        .withArgs(v.alice.address, v.dave.address, SCOPE.Trade, v.expiry);
      await setKeyLimits(v, v.alice, v.dave.address);
      const o = aliceSell(v, 62n, { signer: v.dave.address });
      const { makerFee, takerFee } = feesOf(WAD, PRICE);
      await expect(fillOrder(v, v.bob, o, await sign(v, v.dave, o), WAD))
        .to.emit(v.engine, "TradeSettled")
        .withArgs(await v.venue.getAddress(), ETH, aliceAcc, accountId(v.bob.address), WAD, PRICE, makerFee, takerFee, 0n, 0n);
      expect(await v.engine.position(aliceAcc, ETH)).to.deep.equal([-WAD, -PRICE]);
      expect(await v.engine.position(accountId(v.dave.address), ETH)).to.deep.equal([0n, 0n]);
    });

    it("a full-scope operator may also sign orders", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Full, v.expiry)).wait();
      const o = aliceSell(v, 63n, { signer: v.dave.address });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.dave, o), WAD)).to.emit(v.venue, "OrderFilled");
    });

    it("an operator's signature is accepted up to the operator's expiry second and rejected one second later", async function () {
      const v = await loadFixture(venueFixture);
      const opExpiry = v.t0 + 600n;
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, opExpiry)).wait();
      await setKeyLimits(v, v.alice, v.dave.address);
      const o = aliceSell(v, 64n, { signer: v.dave.address, size: -2n * WAD });
      const sig = await sign(v, v.dave, o);
      await time.setNextBlockTimestamp(opExpiry);
      await expect(fillOrder(v, v.bob, o, sig, WAD)).to.emit(v.venue, "OrderFilled");
      await time.setNextBlockTimestamp(opExpiry + 1n);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderSignerNotAuthorized")
        .withArgs(v.dave.address, accountId(v.alice.address));
    });

    it("an operator with scope None, a revoked operator and another owner's operator cannot sign", async function () {
      const v = await loadFixture(venueFixture);
      const aliceAcc = accountId(v.alice.address);
      // Scope None with a future expiry.
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.None, v.expiry)).wait();
      const o1 = aliceSell(v, 65n, { signer: v.dave.address });
      await expect(fillOrder(v, v.bob, o1, await sign(v, v.dave, o1), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderSignerNotAuthorized")
        .withArgs(v.dave.address, aliceAcc);
      // Authorised, signs, then revoked before the fill.
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      const o2 = aliceSell(v, 66n, { signer: v.dave.address });
      const sig2 = await sign(v, v.dave, o2);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.None, 0n)).wait();
      await expect(fillOrder(v, v.bob, o2, sig2, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderSignerNotAuthorized")
        .withArgs(v.dave.address, aliceAcc);
      // Carol's operator signing for Alice.
      await (await v.engine.connect(v.carol).setOperator(v.erin.address, SCOPE.Full, v.expiry)).wait();
      const o3 = aliceSell(v, 67n, { signer: v.erin.address });
      await expect(fillOrder(v, v.bob, o3, await sign(v, v.erin, o3), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderSignerNotAuthorized")
        .withArgs(v.erin.address, aliceAcc);
    });

    it("an order naming an authorised operator as signer but signed by the owner is rejected", async function () {
      const v = await loadFixture(venueFixture);
      await (await v.engine.connect(v.alice).setOperator(v.dave.address, SCOPE.Trade, v.expiry)).wait();
      const o = aliceSell(v, 68n, { signer: v.dave.address });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.alice, o), WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
        .withArgs(await v.venue.hashOrder(o), v.dave.address);
    });
  });

  describe("ERC-1271 contract wallets", function () {
    async function walletFixture() {
      const v = await venueFixture();
      // Carol's EOA controls the wallet.
      const wallet = await new ERC1271Wallet__factory(v.deployer).deploy(v.carol.address);
      const walletAddr = await wallet.getAddress();
      const walletAcc = accountId(walletAddr);
      // The wallet funds itself: mint to it, approve and deposit through execute().
      const amount = 100_000n * USDC;
      await (await v.cash.mint(walletAddr, amount)).wait();
      const vaultAddr = await v.vault.getAddress();
      await (
        await wallet
          .connect(v.carol)
          .execute(await v.cash.getAddress(), v.cash.interface.encodeFunctionData("approve", [vaultAddr, amount]))
      ).wait();
      await (
        await wallet
          .connect(v.carol)
          .execute(vaultAddr, v.vault.interface.encodeFunctionData("deposit", [walletAcc, await v.cash.getAddress(), amount]))
      ).wait();
      return { ...v, wallet, walletAddr, walletAcc };
    }

    it("a contract wallet as owner and signer makes an order that fills (its EOA signs the EIP-712 digest)", async function () {
      const v = await loadFixture(walletFixture);
      expect(await v.vault.cashBalance(v.walletAcc)).to.equal(100_000n * WAD);
      const o = order(v, { account: v.walletAcc, size: -WAD, limitPrice: PRICE, signer: v.walletAddr, salt: 71n });
      const sig = await sign(v, v.carol, o);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.emit(v.venue, "OrderFilled")
        .withArgs(await v.venue.hashOrder(o), accountId(v.bob.address), WAD);
      expect(await v.engine.position(v.walletAcc, ETH)).to.deep.equal([-WAD, -PRICE]);
    });

    it("a contract wallet rejects a signature its signer did not make, and the venue reverts OrderInvalidSignature", async function () {
      const v = await loadFixture(walletFixture);
      const o = order(v, { account: v.walletAcc, size: -WAD, limitPrice: PRICE, signer: v.walletAddr, salt: 72n });
      const sig = await sign(v, v.bob, o);
      await expect(fillOrder(v, v.bob, o, sig, WAD))
        .to.be.revertedWithCustomError(v.venue, "OrderInvalidSignature")
        .withArgs(await v.venue.hashOrder(o), v.walletAddr);
    });

    it("a contract wallet can be a trade operator that signs for an EOA owner", async function () {
      const v = await loadFixture(walletFixture);
      await (await v.engine.connect(v.alice).setOperator(v.walletAddr, SCOPE.Trade, v.expiry)).wait();
      await setKeyLimits(v, v.alice, v.walletAddr);
      const o = aliceSell(v, 73n, { signer: v.walletAddr });
      await expect(fillOrder(v, v.bob, o, await sign(v, v.carol, o), WAD)).to.emit(v.venue, "OrderFilled");
      expect(await v.engine.position(accountId(v.alice.address), ETH)).to.deep.equal([-WAD, -PRICE]);
    });

    it("a contract wallet fills as taker for its own account through execute()", async function () {
      const v = await loadFixture(walletFixture);
      const o = aliceSell(v, 74n);
      const sig = await sign(v, v.alice, o);
      const data = v.venue.interface.encodeFunctionData("fill", [o, sig, v.walletAcc, WAD, ethers.MaxUint256]);
      await expect(v.wallet.connect(v.carol).execute(await v.venue.getAddress(), data))
        .to.emit(v.venue, "OrderFilled")
        .withArgs(await v.venue.hashOrder(o), v.walletAcc, WAD);
      expect(await v.engine.position(v.walletAcc, ETH)).to.deep.equal([WAD, PRICE]);
    });
  });
});
