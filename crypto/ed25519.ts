/**
 * Ed25519 signatures from 32-byte seeds (RFC 8032), for signing paper documents.
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { cryptoRandom } from "./shamir128.ts";

/** A new random 32-byte signing seed. */
export function newSigningSeed(): Uint8Array {
  return cryptoRandom(32);
}

/** The 32-byte public key of a 32-byte seed. */
export function publicKeyOf(seed: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new RangeError("an ed25519 seed is 32 bytes");
  return ed25519.getPublicKey(seed);
}

/** Signs a message with a seed; a 64-byte signature. */
export function sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  if (seed.length !== 32) throw new RangeError("an ed25519 seed is 32 bytes");
  return ed25519.sign(message, seed);
}

/** True when `sig` is a valid signature of `message` by `pub`; false on any malformed input. */
export function verify(pub: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
  if (pub.length !== 32 || sig.length !== 64) return false;
  try {
    return ed25519.verify(sig, message, pub);
  } catch {
    return false;
  }
}
