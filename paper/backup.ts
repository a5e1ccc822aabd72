/**
 * Paper backups in the Ethernity v1 format, high level: files in, frames and fallback text out
 * (`makeBackup`); any mix of frames and text back to files (`recoverBackup`, re-exported);
 * replacement shards of an existing set (`expandShards`). Pure except for randomness.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { blake2b256, bytesEqual, sha256, toHex } from "../crypto/hashes.ts";
import { newSigningSeed, publicKeyOf } from "../crypto/ed25519.ts";
import { DEFAULT_LOG_N, encryptWithPassphrase } from "../crypto/age_passphrase.ts";
import { isMnemonic, looksLikeMnemonic, newMnemonic } from "../crypto/bip39.ts";
import { encodeAuthPayload } from "./format/auth.ts";
import { encodeEnvelope } from "./format/envelope.ts";
import { encodeFrame } from "./format/frame.ts";
import { type FallbackLayout, formatFallbackText } from "./format/fallback_text.ts";
import { gzip } from "./format/gzip.ts";
import {
  MAX_CIPHERTEXT_BYTES,
  MAX_DECOMPRESSED_PAYLOAD_BYTES,
  QR_CHUNK_BYTES,
} from "./format/limits.ts";
import { encodeManifest, type Manifest, sortFiles } from "./format/manifest.ts";
import { checkPath, normalizePath } from "./format/paths.ts";
import { framesOfInputs, type RecoveryInput } from "./inputs.ts";
import {
  checkShardSet,
  combineShardSet,
  extendShardSet,
  makeShardSet,
  shardFrame,
  type SourcedShard,
  sourcedShard,
} from "./shards.ts";

export { recoverBackup, type RecoveredBackup, type RecoverOptions } from "./recover.ts";

/** A file to back up. */
export interface BackupFile {
  /** Relative path ("notes.txt", "keys/ssh/id_ed25519"); stored in NFC. */
  path: string;
  /** Contents. */
  data: Uint8Array;
  /** Modification time in Unix seconds. */
  mtime?: number;
}

/** Options of `makeBackup`. */
export interface BackupOptions {
  /** At least one file. */
  files: BackupFile[];
  /** The passphrase; a new BIP39 mnemonic when omitted. */
  passphrase?: string;
  /** Words of a generated mnemonic (12, 15, 18, 21, 24; default 24). */
  words?: number;
  /** Split the passphrase into k-of-n signed shard documents. */
  shards?: { k: number; n: number };
  /** Do not store the signing seed in the manifest. */
  sealed?: boolean;
  /** gzip the payload: true, false, or "auto" (default: when it is smaller). */
  gzip?: boolean | "auto";
  /** The Ed25519 seed that signs AUTH and shards (new when omitted). */
  signingSeed?: Uint8Array;
  /** scrypt work factor log2 N (default 18, as age). */
  workFactor?: number;
  /** Creation time, Unix seconds (default now). */
  created?: number;
  /** Fallback text layout. */
  layout?: FallbackLayout;
}

/** A made backup: everything the documents print. */
export interface Backup {
  /** Hex doc_id. */
  docId: string;
  /** BLAKE2b-256 of the ciphertext. */
  docHash: Uint8Array;
  /** The passphrase (given or generated). */
  passphrase: string;
  /** The age ciphertext. */
  ciphertext: Uint8Array;
  /** MAIN frames for QR codes (balanced chunks of at most 512 bytes of ciphertext). */
  mainFrames: Uint8Array[];
  /** The AUTH frame. */
  authFrame: Uint8Array;
  /** One KEY frame per shard (empty without sharding). */
  shardFrames: Uint8Array[];
  /** Fallback text: AUTH FRAME and MAIN FRAME sections (the whole ciphertext as one frame). */
  recoveryText: string;
  /** Fallback text of every shard (SHARD FRAME section). */
  shardTexts: string[];
  /** The signing seed, returned when not sealed (it is also inside the manifest). */
  signingSeed?: Uint8Array;
  /** Signer's public key. */
  signerPub: Uint8Array;
  /** The shard set id, when sharded. */
  setId?: Uint8Array;
}

/** Chunk sizes Ethernity uses: total = ceil(len/512), the first len%total one byte longer. */
export function chunkSizes(length: number, chunk = QR_CHUNK_BYTES): number[] {
  const total = Math.max(1, Math.ceil(length / chunk));
  const base = Math.floor(length / total);
  const extra = length % total;
  return Array.from({ length: total }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Splits a ciphertext into MAIN frames. */
export function mainFramesOf(
  docId: Uint8Array,
  ciphertext: Uint8Array,
  chunk = QR_CHUNK_BYTES,
): Uint8Array[] {
  const sizes = chunkSizes(ciphertext.length, chunk);
  let off = 0;
  return sizes.map((size, index) => {
    const data = ciphertext.subarray(off, off + size);
    off += size;
    return encodeFrame({ type: "main", docId, index, total: sizes.length, data });
  });
}

function inputOrigin(paths: string[]): Pick<Manifest, "inputOrigin" | "inputRoots"> {
  const roots = [
    ...new Set(paths.filter((p) => p.includes("/")).map((p) => p.split("/")[0] as string)),
  ].sort();
  if (roots.length === 0) return { inputOrigin: "file", inputRoots: [] };
  const origin = paths.every((p) => p.includes("/")) && roots.length === 1 ? "directory" : "mixed";
  return { inputOrigin: origin, inputRoots: roots };
}

function resolvePassphrase(opts: BackupOptions): string {
  if (opts.passphrase === undefined) {
    try {
      return newMnemonic(opts.words ?? 24);
    } catch (e) {
      throw new ParaduxError("usage", (e as Error).message);
    }
  }
  if (opts.passphrase.length === 0) throw new ParaduxError("input", "the passphrase is empty");
  if (looksLikeMnemonic(opts.passphrase) && !isMnemonic(opts.passphrase)) {
    throw new ParaduxError(
      "input",
      "the passphrase looks like a BIP39 mnemonic but is not a valid one",
      {
        hint:
          "check the words and their order (checksum), or use lowercase words with single spaces",
      },
    );
  }
  return opts.passphrase;
}

async function buildEnvelope(opts: BackupOptions, seed: Uint8Array): Promise<Uint8Array> {
  if (opts.files.length === 0) throw new ParaduxError("input", "a backup needs at least one file");
  const files = sortFiles(opts.files.map((f) => {
    checkPath(f.path, "backup");
    if (f.mtime !== undefined && !Number.isSafeInteger(f.mtime)) {
      throw new ParaduxError("input", `mtime of ${f.path} must be whole seconds`);
    }
    return { ...f, path: normalizePath(f.path) };
  }));
  const raw = new Uint8Array(files.reduce((n, f) => n + f.data.length, 0));
  let off = 0;
  for (const f of files) {
    raw.set(f.data, off);
    off += f.data.length;
  }
  const wantGzip = opts.gzip ?? "auto";
  const zipped =
    wantGzip !== false && raw.length > 0 && raw.length <= MAX_DECOMPRESSED_PAYLOAD_BYTES
      ? await gzip(raw)
      : null;
  const useGzip = zipped !== null && (wantGzip === true || zipped.length < raw.length);
  const sealed = opts.sealed ?? false;
  const base: Omit<Manifest, "pathEncoding"> = {
    created: opts.created ?? Math.floor(Date.now() / 1000),
    sealed,
    seed: sealed ? null : seed,
    ...inputOrigin(files.map((f) => f.path)),
    payloadCodec: useGzip ? "gzip" : "raw",
    payloadRawLen: useGzip ? raw.length : null,
    files: files.map((f) => ({
      path: f.path,
      size: f.data.length,
      sha256: sha256(f.data),
      mtime: f.mtime ?? null,
    })),
  };
  const direct = encodeManifest({ ...base, pathEncoding: "direct" });
  const table = encodeManifest({ ...base, pathEncoding: "prefix_table" });
  const manifest = table.length < direct.length ? table : direct;
  return encodeEnvelope(manifest, useGzip && zipped ? zipped : raw);
}

/** Makes a backup: envelope, age encryption, frames, AUTH, optional passphrase shards, texts. */
export async function makeBackup(opts: BackupOptions): Promise<Backup> {
  const passphrase = resolvePassphrase(opts);
  const seed = opts.signingSeed ?? newSigningSeed();
  if (seed.length !== 32) throw new ParaduxError("input", "a signing seed is 32 bytes");
  const envelope = await buildEnvelope(opts, seed);
  const ciphertext = await encryptWithPassphrase(
    envelope,
    passphrase,
    opts.workFactor ?? DEFAULT_LOG_N,
  );
  if (ciphertext.length > MAX_CIPHERTEXT_BYTES) {
    throw new ParaduxError(
      "capacity",
      `the encrypted backup is ${ciphertext.length} bytes, over ${MAX_CIPHERTEXT_BYTES}`,
      {
        hint: "back up fewer or smaller files",
      },
    );
  }
  const docHash = blake2b256(ciphertext);
  const docId = docHash.slice(0, 8);
  const auth = encodeAuthPayload(docHash, seed);
  const authFrame = encodeFrame({ type: "auth", docId, index: 0, total: 1, data: auth });
  const wholeFrame = encodeFrame({ type: "main", docId, index: 0, total: 1, data: ciphertext });
  const layout = opts.layout ?? {};
  const recoveryText = formatFallbackText(
    [{ kind: "auth", frame: authFrame }, { kind: "main", frame: wholeFrame }],
    layout,
  );
  let shardFrames: Uint8Array[] = [];
  let setId: Uint8Array | undefined;
  if (opts.shards) {
    const set = makeShardSet({
      secret: new TextEncoder().encode(passphrase),
      type: "passphrase",
      threshold: opts.shards.k,
      shareCount: opts.shards.n,
      docHash,
      signingSeed: seed,
    });
    shardFrames = set.payloads.map((p) => shardFrame(docId, p));
    setId = set.setId;
  }
  return {
    docId: toHex(docId),
    docHash,
    passphrase,
    ciphertext,
    mainFrames: mainFramesOf(docId, ciphertext),
    authFrame,
    shardFrames,
    recoveryText,
    shardTexts: shardFrames.map((f) => formatFallbackText([{ kind: "key", frame: f }], layout)),
    ...(opts.sealed ? {} : { signingSeed: seed }),
    signerPub: publicKeyOf(seed),
    ...(setId ? { setId } : {}),
  };
}

/** New shards for unused indices of an existing set. */
export interface ExpandedShards {
  /** The new KEY frames. */
  shardFrames: Uint8Array[];
  /** Their fallback texts. */
  shardTexts: string[];
  /** Their indices. */
  indices: number[];
}

/**
 * Makes `count` replacement shards of the set the inputs belong to (at least k of its shards,
 * all validly signed by `signingSeed`), at the lowest indices not among the inputs and not in
 * `opts.exclude`, or exactly at `opts.indices`.
 */
export function expandShards(
  shardInputs: RecoveryInput[],
  signingSeed: Uint8Array,
  count: number,
  opts: {
    exclude?: number[];
    indices?: number[];
    layout?: FallbackLayout;
    labels?: readonly string[];
  } = {},
): ExpandedShards {
  const frames = framesOfInputs(shardInputs, opts.labels);
  const list: SourcedShard[] = frames.map((f) => {
    if (f.frame.type !== "key") throw new ParaduxError("input", `${f.where}: not a shard frame`);
    return sourcedShard(f.frame.data, f.where);
  });
  const first = frames[0];
  if (!first) throw new ParaduxError("insufficient", "no shards given");
  for (const f of frames) {
    if (!bytesEqual(f.frame.docId, first.frame.docId)) {
      throw new ParaduxError("mismatch", `${f.where}: shard of another backup than ${first.where}`);
    }
  }
  const checked = checkShardSet(list);
  const ref = checked.shards[0];
  if (!ref) throw new ParaduxError("insufficient", "no shards given");
  let indices = opts.indices;
  if (!indices) {
    const taken = new Set([...checked.shards.map((s) => s.shareIndex), ...(opts.exclude ?? [])]);
    indices = [];
    for (let i = 1; i <= ref.shareCount && indices.length < count; i++) {
      if (!taken.has(i)) indices.push(i);
    }
    if (indices.length < count) {
      throw new ParaduxError(
        "capacity",
        `the set has only ${ref.shareCount} indices; no room for ${count} more`,
      );
    }
  }
  const payloads = extendShardSet(checked.shards, indices, signingSeed);
  const shardFrames = payloads.map((p) => shardFrame(first.frame.docId, p));
  return {
    shardFrames,
    shardTexts: shardFrames.map((f) =>
      formatFallbackText([{ kind: "key", frame: f }], opts.layout ?? {})
    ),
    indices,
  };
}

/** Options of `recoverSecretFromShards`. */
export interface ShardSecretOptions {
  /** Required document hash (for example the recovery card's). */
  hash?: Uint8Array;
  /** Required signer public key (for example the vault key). */
  pub?: Uint8Array;
  /** Required set id. */
  setId?: Uint8Array;
  /** Which kind of shard to use (default "passphrase"). */
  type?: "passphrase" | "signing-seed";
  /** Relax signature checks (the result says it is unsigned). */
  rescue?: boolean;
}

/**
 * Recovers a shared secret from shard inputs alone (frames or text, any order), without the
 * main document: the stewards' shares of the recovery secret. Checks binding, set, signatures
 * and threshold; errors name the offending input.
 */
export function recoverSecretFromShards(
  inputs: RecoveryInput[],
  opts: ShardSecretOptions = {},
): {
  secret: Uint8Array;
  signed: boolean;
  warnings: string[];
  docHash: Uint8Array;
  setId: Uint8Array | null;
} {
  const type = opts.type ?? "passphrase";
  const list: SourcedShard[] = [];
  for (const f of framesOfInputs(inputs)) {
    if (f.frame.type !== "key") throw new ParaduxError("input", `${f.where}: not a shard frame`);
    const s = sourcedShard(f.frame.data, f.where);
    if (!bytesEqual(f.frame.docId, s.payload.hash.subarray(0, 8))) {
      throw new ParaduxError(
        "input",
        `${f.where}: frame doc id does not match the shard's document hash`,
      );
    }
    if (s.payload.type === type) list.push(s);
  }
  const checked = checkShardSet(list, {
    ...(opts.hash ? { hash: opts.hash } : {}),
    ...(opts.pub ? { pub: opts.pub } : {}),
    ...(opts.setId ? { setId: opts.setId } : {}),
    ...(opts.rescue ? { rescue: true } : {}),
  });
  const ref = checked.shards[0] as NonNullable<(typeof checked.shards)[0]>;
  return {
    secret: combineShardSet(checked.shards),
    signed: checked.signed,
    warnings: checked.warnings,
    docHash: ref.hash,
    setId: ref.setId,
  };
}
