/**
 * Shard sets: making signed shard payloads of a secret (passphrase or signing seed), checking a
 * set the way format.md section 9 asks (dedupe, consistency, set_id, signatures, threshold),
 * combining it, and evaluating further indices of the same polynomial for new stewards or
 * replacement shards. Used by paper backups and by the stewards feature (the recovery secret).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { bytesEqual, toHex } from "../crypto/hashes.ts";
import { publicKeyOf } from "../crypto/ed25519.ts";
import {
  cryptoRandom,
  evaluate,
  interpolateAt,
  makePolynomial,
  type Polynomial,
  type RandomBytes,
  type Share,
} from "../crypto/shamir128.ts";
import {
  decodeShardPayload,
  encodeShardPayload,
  type ShardKind,
  type ShardPayload,
  verifyShardPayload,
} from "./format/shard.ts";
import { encodeFrame } from "./format/frame.ts";

/** Parameters of a new shard set. */
export interface ShardSetSpec {
  /** The secret (UTF-8 of the passphrase, or the 32-byte seed). */
  secret: Uint8Array;
  /** What the secret is. */
  type: ShardKind;
  /** Shares needed to recover. */
  threshold: number;
  /** Capacity of the set: valid indices are 1..shareCount. */
  shareCount: number;
  /** The document hash every shard binds to. */
  docHash: Uint8Array;
  /** Signs every shard. */
  signingSeed: Uint8Array;
  /** 16-byte set id (random when omitted). */
  setId?: Uint8Array;
  /** Indices to issue now (default 1..shareCount). */
  indices?: number[];
  /** Randomness for the polynomial (tests). */
  rng?: RandomBytes;
}

/** A made shard set: payloads for the issued indices, and the polynomial for later indices. */
export interface ShardSet {
  /** Canonical CBOR shard payloads, in `indices` order. */
  payloads: Uint8Array[];
  /** The issued indices. */
  indices: number[];
  /** The set id. */
  setId: Uint8Array;
  /** Keep (secretly) to issue more indices of the same set; it contains the secret. */
  polynomial: Polynomial;
}

function checkIndices(indices: number[], shareCount: number): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 1 || i > shareCount) {
      throw new ParaduxError("input", `share index ${i} is outside 1..${shareCount}`);
    }
  }
  if (new Set(indices).size !== indices.length) {
    throw new ParaduxError("input", "repeated share index");
  }
}

/** Signed payloads of given shares (shared by making and extending a set). */
function payloadsOf(
  shares: Share[],
  base: Omit<ShardSetSpec, "secret" | "indices" | "rng"> & {
    length: number;
    version: 1 | 2;
    setId: Uint8Array | null;
  },
): Uint8Array[] {
  return shares.map((s) =>
    encodeShardPayload({
      version: base.version,
      type: base.type,
      threshold: base.threshold,
      shareCount: base.shareCount,
      shareIndex: s.index,
      length: base.length,
      share: s.data,
      hash: base.docHash,
      setId: base.setId,
    }, base.signingSeed)
  );
}

/** Splits a secret into a new version-2 shard set and signs the issued shards. */
export function makeShardSet(spec: ShardSetSpec): ShardSet {
  const { threshold: k, shareCount: n } = spec;
  if (!Number.isInteger(n) || n < 1 || n > 255) {
    throw new ParaduxError("input", "share count must be 1..255");
  }
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new ParaduxError("input", `threshold must be 1..${n}`);
  }
  if (spec.secret.length === 0) throw new ParaduxError("input", "nothing to share");
  if (spec.type === "signing-seed" && spec.secret.length !== 32) {
    throw new ParaduxError("input", "a signing seed is 32 bytes");
  }
  const indices = spec.indices ?? Array.from({ length: n }, (_, i) => i + 1);
  checkIndices(indices, n);
  const setId = spec.setId ?? cryptoRandom(16);
  if (setId.length !== 16) throw new ParaduxError("input", "a set id is 16 bytes");
  const polynomial = makePolynomial(spec.secret, k, spec.rng ?? cryptoRandom);
  const shares = indices.map((i) => evaluate(polynomial, i));
  const payloads = payloadsOf(shares, { ...spec, length: spec.secret.length, version: 2, setId });
  return { payloads, indices, setId, polynomial };
}

/** Issues more indices of a set from its kept polynomial (same set id, same signer). */
export function issueFromPolynomial(
  set: Omit<ShardSetSpec, "secret" | "indices" | "rng" | "setId"> & {
    polynomial: Polynomial;
    length: number;
    setId: Uint8Array;
  },
  indices: number[],
): Uint8Array[] {
  checkIndices(indices, set.shareCount);
  const shares = indices.map((i) => evaluate(set.polynomial, i));
  return payloadsOf(shares, { ...set, version: 2 });
}

/** A shard payload with where it came from. */
export interface SourcedShard {
  /** The decoded payload. */
  payload: ShardPayload;
  /** "input 3" or similar, for messages. */
  where: string;
}

/** What a set check needs to know and may relax. */
export interface ShardCheckOptions {
  /** Required document hash (from the recovered ciphertext or the recovery card). */
  hash?: Uint8Array;
  /** Required signer (from a verified AUTH payload or the vault key). */
  pub?: Uint8Array;
  /** Required set id. */
  setId?: Uint8Array;
  /** Rescue mode: bad signatures become warnings. */
  rescue?: boolean;
}

/** A checked, deduplicated shard set. */
export interface CheckedShardSet {
  /** Distinct shards by index, at least `threshold` of them. */
  shards: ShardPayload[];
  /** True when every shard's signature verified. */
  signed: boolean;
  /** Notes for the user (ignored duplicates, rescue-mode signature failures). */
  warnings: string[];
}

function sameFields(a: ShardPayload, b: ShardPayload): string | null {
  if (a.version !== b.version) return "version";
  if (a.type !== b.type) return "type";
  if (a.threshold !== b.threshold) return "threshold";
  if (a.shareCount !== b.shareCount) return "share count";
  if (a.length !== b.length) return "length";
  return null;
}

/** A shard set after binding and consistency checks, before signature checks. */
export interface ConsistentShardSet {
  /** Distinct shards by index (at least `threshold`), with their sources. */
  distinct: SourcedShard[];
  /** Notes (ignored duplicates). */
  warnings: string[];
}

/**
 * Binding and consistency checks of section 9 (hash, set id, version, type, threshold, share
 * count, length, signer; duplicates; threshold), with no signature checked yet.
 */
export function checkShardConsistency(
  list: SourcedShard[],
  opts: ShardCheckOptions = {},
): ConsistentShardSet {
  const warnings: string[] = [];
  const first = list[0];
  if (!first) throw new ParaduxError("insufficient", "no shards");
  const ref = first.payload;
  if (opts.pub && !opts.rescue) {
    // name the shard that differs from the expected signer, not whichever came first
    for (const { payload: p, where } of list) {
      if (!bytesEqual(p.pub, opts.pub)) {
        throw new ParaduxError("auth", `${where}: shard signed by another key than expected`);
      }
    }
  }
  for (const { payload: p, where } of list) {
    if (opts.hash && !bytesEqual(p.hash, opts.hash)) {
      throw new ParaduxError(
        "mismatch",
        `${where}: shard of another backup (document hash differs)`,
      );
    }
    if (!bytesEqual(p.hash, ref.hash)) {
      throw new ParaduxError("mismatch", `${where}: shard of another backup than ${first.where}`);
    }
    if (opts.setId && p.setId && !bytesEqual(p.setId, opts.setId)) {
      throw new ParaduxError(
        "mismatch",
        `${where}: shard of another set (set id ${toHex(p.setId)})`,
      );
    }
    if (
      (p.setId === null) !== (ref.setId === null) ||
      (p.setId && ref.setId && !bytesEqual(p.setId, ref.setId))
    ) {
      throw new ParaduxError("mismatch", `${where}: shard of another set than ${first.where}`);
    }
    const diff = sameFields(p, ref);
    if (diff) {
      throw new ParaduxError("input", `${where}: shard ${diff} differs from ${first.where}`);
    }
    if (!bytesEqual(p.pub, ref.pub)) {
      throw new ParaduxError(
        opts.rescue ? "input" : "auth",
        `${where}: shard signed by another key than ${first.where}`,
      );
    }
  }
  const byIndex = new Map<number, SourcedShard>();
  for (const s of list) {
    const seen = byIndex.get(s.payload.shareIndex);
    if (!seen) {
      byIndex.set(s.payload.shareIndex, s);
    } else if (bytesEqual(seen.payload.share, s.payload.share)) {
      warnings.push(
        `${s.where}: duplicate of shard ${s.payload.shareIndex} (${seen.where}), ignored`,
      );
    } else {
      throw new ParaduxError(
        "input",
        `${s.where}: conflicts with ${seen.where} (two different shards with index ${s.payload.shareIndex})`,
      );
    }
  }
  const distinct = [...byIndex.values()];
  if (distinct.length < ref.threshold) {
    throw new ParaduxError(
      "insufficient",
      `need ${ref.threshold} shards, have ${distinct.length}`,
      { hint: "find more shards of the same set" },
    );
  }
  return { distinct, warnings };
}

/** Signature policy of section 9: the expected signer and every signature (rescue: warnings). */
export function checkShardSignatures(
  distinct: SourcedShard[],
  opts: ShardCheckOptions = {},
): { signed: boolean; warnings: string[] } {
  const warnings: string[] = [];
  let signed = true;
  for (const s of distinct) {
    if (opts.pub && !bytesEqual(s.payload.pub, opts.pub)) {
      if (!opts.rescue) throw new ParaduxError("auth", `${s.where}: shard signed by another key`);
      signed = false;
      warnings.push(`${s.where}: shard signed by another key; used anyway (rescue mode)`);
      continue;
    }
    if (verifyShardPayload(s.payload)) continue;
    if (!opts.rescue) {
      throw new ParaduxError("auth", `${s.where}: shard signature is invalid (forged or damaged)`);
    }
    signed = false;
    warnings.push(`${s.where}: shard signature is invalid; used anyway (rescue mode)`);
  }
  return { signed, warnings };
}

/** Checks a shard set per section 9 (consistency, then signatures); errors name inputs. */
export function checkShardSet(list: SourcedShard[], opts: ShardCheckOptions = {}): CheckedShardSet {
  const c = checkShardConsistency(list, opts);
  const s = checkShardSignatures(c.distinct, opts);
  return {
    shards: c.distinct.map((d) => d.payload),
    signed: s.signed,
    warnings: [...c.warnings, ...s.warnings],
  };
}

function asShares(shards: ShardPayload[]): Share[] {
  return shards.map((s) => ({ index: s.shareIndex, data: s.share }));
}

/** Recovers the secret of a checked set; extra shards must lie on the same polynomial. */
export function combineShardSet(shards: ShardPayload[]): Uint8Array {
  const ref = shards[0];
  if (!ref) throw new ParaduxError("insufficient", "no shards");
  const shares = asShares(shards);
  const basis = shares.slice(0, ref.threshold);
  for (const extra of shares.slice(ref.threshold)) {
    if (!bytesEqual(interpolateAt(basis, extra.index), extra.data)) {
      throw new ParaduxError(
        "input",
        `shard ${extra.index} does not belong with the others (another set?)`,
      );
    }
  }
  return interpolateAt(basis, 0).slice(0, ref.length);
}

/** New signed shards at `indices` of a checked set (same set id, version and fields). */
export function extendShardSet(
  shards: ShardPayload[],
  indices: number[],
  signingSeed: Uint8Array,
): Uint8Array[] {
  const ref = shards[0];
  if (!ref) throw new ParaduxError("insufficient", "no shards");
  if (!bytesEqual(publicKeyOf(signingSeed), ref.pub)) {
    throw new ParaduxError("auth", "the signing seed does not match the shards' key");
  }
  checkIndices(indices, ref.shareCount);
  const used = new Set(shards.map((s) => s.shareIndex));
  for (const i of indices) {
    if (used.has(i)) throw new ParaduxError("input", `share index ${i} is already in use`);
  }
  combineShardSet(shards); // proves the shards agree
  const basis = asShares(shards).slice(0, ref.threshold);
  return indices.map((index) =>
    encodeShardPayload({
      version: ref.version,
      type: ref.type,
      threshold: ref.threshold,
      shareCount: ref.shareCount,
      shareIndex: index,
      length: ref.length,
      share: interpolateAt(basis, index),
      hash: ref.hash,
      setId: ref.setId,
    }, signingSeed)
  );
}

/** Decodes a shard payload and names its source in errors. */
export function sourcedShard(bytes: Uint8Array, where: string): SourcedShard {
  try {
    return { payload: decodeShardPayload(bytes), where };
  } catch (e) {
    if (e instanceof ParaduxError) throw new ParaduxError(e.kind, `${where}: ${e.message}`);
    throw e;
  }
}

/** The single frame of a shard payload for a document. */
export function shardFrame(docId: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeFrame({ type: "key", docId, index: 0, total: 1, data: payload });
}
