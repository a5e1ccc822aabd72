/**
 * Shard payloads (format.md sections 9 and 15): one Shamir share of a passphrase or signing
 * seed, bound to a document hash and signed over "ETHERNITY-SHARD-V1" + canonical CBOR of the
 * payload without `sig`. Version 2 (written) carries a 16-byte `set_id`; version 1 is read.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { publicKeyOf, sign, verify } from "../../crypto/ed25519.ts";
import { decodeCanonicalMap, encodeCanonical, Fields } from "./cbor.ts";
import { MAX_SHARD_CBOR_BYTES, SHARD_DOMAIN } from "./limits.ts";

/** What a shard set splits. */
export type ShardKind = "passphrase" | "signing-seed";

/** The signed fields of a shard payload. */
export interface ShardFields {
  /** 2 (with set_id) or legacy 1. */
  version: 1 | 2;
  /** What is shared. */
  type: ShardKind;
  /** Shares needed. */
  threshold: number;
  /** Size of the set (highest valid index). */
  shareCount: number;
  /** This share's index, 1..shareCount. */
  shareIndex: number;
  /** Unpadded secret length. */
  length: number;
  /** The share bytes (a multiple of 16). */
  share: Uint8Array;
  /** The document hash the shard binds to. */
  hash: Uint8Array;
  /** Signer's Ed25519 public key. */
  pub: Uint8Array;
  /** 16-byte set identifier (version 2), null for version 1. */
  setId: Uint8Array | null;
}

/** A decoded shard payload. */
export interface ShardPayload extends ShardFields {
  /** Ed25519 signature. */
  sig: Uint8Array;
}

function signedMap(p: ShardFields): Map<string, unknown> {
  const m = new Map<string, unknown>([
    ["version", p.version],
    ["type", p.type],
    ["threshold", p.threshold],
    ["share_count", p.shareCount],
    ["share_index", p.shareIndex],
    ["length", p.length],
    ["share", p.share],
    ["hash", p.hash],
    ["pub", p.pub],
  ]);
  if (p.version === 2) m.set("set_id", p.setId);
  return m;
}

/** The signed message of a shard payload. */
export function shardMessage(p: ShardFields): Uint8Array {
  const domain = new TextEncoder().encode(SHARD_DOMAIN);
  const body = encodeCanonical(signedMap(p));
  const out = new Uint8Array(domain.length + body.length);
  out.set(domain);
  out.set(body, domain.length);
  return out;
}

/** Why the fields break section 9/15 rules, or null. */
export function shardFieldProblem(p: ShardFields): string | null {
  if (p.shareCount < 1 || p.shareCount > 255) return "share_count must be 1..255";
  if (p.threshold < 1 || p.threshold > p.shareCount) return "threshold must be 1..share_count";
  if (p.shareIndex < 1 || p.shareIndex > p.shareCount) return "share_index must be 1..share_count";
  if (p.share.length === 0 || p.share.length % 16 !== 0) {
    return "share length must be a multiple of 16";
  }
  if (p.length < 1 || p.length > p.share.length) return "length must be 1..len(share)";
  if (p.share.length !== Math.ceil(p.length / 16) * 16) return "share and length disagree";
  if (p.type === "signing-seed" && p.length !== 32) return "a signing-seed shard has length 32";
  if (p.hash.length !== 32) return "hash must be 32 bytes";
  if (p.pub.length !== 32) return "pub must be 32 bytes";
  if (p.version === 2 && p.setId?.length !== 16) return "set_id must be 16 bytes";
  return null;
}

/** Makes the canonical CBOR of a signed shard payload; the key's pub must match `p.pub`. */
export function encodeShardPayload(p: Omit<ShardFields, "pub">, seed: Uint8Array): Uint8Array {
  const fields: ShardFields = { ...p, pub: publicKeyOf(seed) };
  const problem = shardFieldProblem(fields);
  if (problem) throw new RangeError(problem);
  const m = signedMap(fields);
  m.set("sig", sign(seed, shardMessage(fields)));
  const bytes = encodeCanonical(m);
  if (bytes.length > MAX_SHARD_CBOR_BYTES) {
    throw new ParaduxError("capacity", `shard payload exceeds ${MAX_SHARD_CBOR_BYTES} bytes`);
  }
  return bytes;
}

/** Decodes a shard payload: bounds, canonical CBOR, fields and their rules. Does not verify. */
export function decodeShardPayload(bytes: Uint8Array): ShardPayload {
  const what = "shard payload";
  if (bytes.length > MAX_SHARD_CBOR_BYTES) {
    throw new ParaduxError("input", `${what} exceeds ${MAX_SHARD_CBOR_BYTES} bytes`);
  }
  const f = new Fields(decodeCanonicalMap(bytes, what), what);
  const version = f.uint("version");
  if (version !== 1 && version !== 2) {
    throw new ParaduxError("input", `${what}: unsupported version`);
  }
  const type = f.text("type");
  if (type !== "passphrase" && type !== "signing-seed") {
    throw new ParaduxError("input", `${what}: unknown type ${JSON.stringify(type)}`);
  }
  const p: ShardPayload = {
    version,
    type,
    threshold: f.uint("threshold"),
    shareCount: f.uint("share_count"),
    shareIndex: f.uint("share_index"),
    length: f.uint("length"),
    share: f.bytes("share"),
    hash: f.bytes("hash", 32),
    pub: f.bytes("pub", 32),
    setId: version === 2 ? f.bytes("set_id", 16) : null,
    sig: f.bytes("sig", 64),
  };
  const problem = shardFieldProblem(p);
  if (problem) throw new ParaduxError("input", `${what}: ${problem}`);
  return p;
}

/** True when the shard's signature is valid for its fields and key. */
export function verifyShardPayload(p: ShardPayload): boolean {
  return verify(p.pub, shardMessage(p), p.sig);
}
