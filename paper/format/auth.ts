/**
 * AUTH payloads (format.md section 8): {version 1, hash, pub, sig}, Ed25519 over
 * "ETHERNITY-AUTH-V1" + canonical CBOR of {version, hash, pub}. Unknown keys are ignored and
 * never signed or trusted.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { publicKeyOf, sign, verify } from "../../crypto/ed25519.ts";
import { decodeCanonicalMap, encodeCanonical, Fields } from "./cbor.ts";
import { AUTH_DOMAIN, MAX_AUTH_CBOR_BYTES } from "./limits.ts";

/** A decoded AUTH payload. */
export interface AuthPayload {
  /** The document hash (BLAKE2b-256 of the ciphertext). */
  hash: Uint8Array;
  /** Ed25519 public key. */
  pub: Uint8Array;
  /** Ed25519 signature. */
  sig: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The signed message of an AUTH payload. */
export function authMessage(hash: Uint8Array, pub: Uint8Array): Uint8Array {
  const signed = encodeCanonical(
    new Map<string, unknown>([["version", 1], ["hash", hash], ["pub", pub]]),
  );
  return concat(new TextEncoder().encode(AUTH_DOMAIN), signed);
}

/** Makes the canonical CBOR of a signed AUTH payload. */
export function encodeAuthPayload(hash: Uint8Array, seed: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new RangeError("doc hash is 32 bytes");
  const pub = publicKeyOf(seed);
  const sig = sign(seed, authMessage(hash, pub));
  return encodeCanonical(
    new Map<string, unknown>([["version", 1], ["hash", hash], ["pub", pub], ["sig", sig]]),
  );
}

/** Decodes an AUTH payload: bounds, canonical CBOR, then fields. Does not verify. */
export function decodeAuthPayload(bytes: Uint8Array): AuthPayload {
  const what = "auth payload";
  if (bytes.length > MAX_AUTH_CBOR_BYTES) {
    throw new ParaduxError("input", `${what} exceeds ${MAX_AUTH_CBOR_BYTES} bytes`);
  }
  const f = new Fields(decodeCanonicalMap(bytes, what), what);
  if (f.uint("version") !== 1) throw new ParaduxError("input", `${what}: unsupported version`);
  return { hash: f.bytes("hash", 32), pub: f.bytes("pub", 32), sig: f.bytes("sig", 64) };
}

/** True when the AUTH signature is valid for its hash and key. */
export function verifyAuthPayload(p: AuthPayload): boolean {
  return verify(p.pub, authMessage(p.hash, p.pub), p.sig);
}
