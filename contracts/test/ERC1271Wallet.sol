// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271Wallet
/// @custom:security-contact security@ballast.finance
/// @notice Minimal ERC-1271 contract wallet for tests: a signature is valid when its EOA `signer` signed the hash.
contract ERC1271Wallet is IERC1271 {
    address public immutable signer;

    constructor(address signer_) {
        signer = signer_;
    }

    /// @notice Forwards a call (approve, deposit, ...) from the wallet. Only the signer.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        require(msg.sender == signer, "not signer");
        bool ok;
        (ok, result) = target.call(data);
        require(ok, "call failed");
    }

    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == signer ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
