/**
 * Recovery of an Ethernity v1 backup from any mix of inputs (QR frames, QR payload text,
 * fallback text, shard documents), following the validation order of format.md section 18.1:
 * framing, bounds, canonical CBOR, structure, bindings and consistency, then signatures, then
 * the trust label. Authenticated mode by default; `rescue` relaxes signature checks only.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { blake2b256, bytesEqual, toHex } from "../crypto/hashes.ts";
import { decryptWithPassphrase } from "../crypto/age_passphrase.ts";
import { type AuthPayload, decodeAuthPayload, verifyAuthPayload } from "./format/auth.ts";
import type { ShardPayload } from "./format/shard.ts";
import { decodeEnvelope, extractFiles, type RecoveredFile } from "./format/envelope.ts";
import { MAX_CIPHERTEXT_BYTES } from "./format/limits.ts";
import { framesOfInputs, type RecoveryInput, repairWarning, type SourcedFrame } from "./inputs.ts";
import {
  checkShardConsistency,
  checkShardSignatures,
  combineShardSet,
  type SourcedShard,
  sourcedShard,
} from "./shards.ts";

/** Options of `recoverBackup`. */
export interface RecoverOptions {
  /** Frames, QR payload text and fallback text, in any order. */
  inputs: RecoveryInput[];
  /** Names of the inputs for messages (a file name, "code 3 of scan.pdf"); default "input N". */
  labels?: readonly string[];
  /** The passphrase; when absent, passphrase shards among the inputs must supply it. */
  passphrase?: string;
  /** Relax signature checks (the result is labelled unauthenticated). */
  rescue?: boolean;
  /** Highest accepted scrypt work factor (log2 N). */
  maxLogN?: number;
}

/** A recovered backup. */
export interface RecoveredBackup {
  /** The files, in manifest order. */
  files: RecoveredFile[];
  /** True only when AUTH (and every shard used) verified in authenticated mode. */
  authenticated: boolean;
  /** Things the user should know: typo repairs, ignored duplicates, skipped checks. */
  warnings: string[];
  /** Hex doc_id (first 8 bytes of the document hash). */
  docId: string;
  /** Document hash. */
  docHash: Uint8Array;
  /** Public key of the AUTH signer, when an AUTH frame was present and well-formed. */
  signerPub: Uint8Array | null;
  /** Whether the manifest was sealed. */
  sealed: boolean;
  /** The signing seed stored in an unsealed manifest. */
  signingSeed: Uint8Array | null;
  /** The passphrase used (typed or reconstructed from shards). */
  passphrase: string;
  /** Creation time from the manifest (Unix seconds). */
  created: number;
}

/** Reassembles MAIN frames (one document, complete, no conflicts) into the ciphertext. */
export function reassembleMain(frames: SourcedFrame[]): Uint8Array {
  const first = frames[0];
  if (!first) {
    throw new ParaduxError("insufficient", "no main frames among the inputs", {
      hint: "add the QR document scans or the recovery document's MAIN FRAME text",
    });
  }
  const byIndex = new Map<number, SourcedFrame>();
  for (const f of frames) {
    if (!bytesEqual(f.frame.docId, first.frame.docId)) {
      throw new ParaduxError(
        "mismatch",
        `${f.where}: main frame of another document (${toHex(f.frame.docId)}, not ${
          toHex(first.frame.docId)
        })`,
      );
    }
    if (f.frame.total !== first.frame.total) {
      throw new ParaduxError(
        "input",
        `${f.where}: main frame total ${f.frame.total} differs from ${first.where} (${first.frame.total})`,
      );
    }
    const seen = byIndex.get(f.frame.index);
    if (!seen) byIndex.set(f.frame.index, f);
    else if (!bytesEqual(seen.frame.data, f.frame.data)) {
      throw new ParaduxError(
        "input",
        `${f.where}: conflicts with ${seen.where} (different main frame ${f.frame.index + 1})`,
      );
    }
  }
  const total = first.frame.total;
  const missing: number[] = [];
  let size = 0;
  for (let i = 0; i < total; i++) {
    const f = byIndex.get(i);
    if (!f) missing.push(i + 1);
    else size += f.frame.data.length;
  }
  if (missing.length > 0) {
    const list = missing.length > 20
      ? `${missing.slice(0, 20).join(", ")}, ...`
      : missing.join(", ");
    throw new ParaduxError("insufficient", `missing main frames ${list} of ${total}`, {
      hint: "scan or type the missing frames",
    });
  }
  if (size > MAX_CIPHERTEXT_BYTES) {
    throw new ParaduxError("input", `main ciphertext exceeds ${MAX_CIPHERTEXT_BYTES} bytes`);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (let i = 0; i < total; i++) {
    const data = byIndex.get(i)?.frame.data ?? new Uint8Array();
    out.set(data, off);
    off += data.length;
  }
  return out;
}

interface AuthOutcome {
  verified: boolean;
  pub: Uint8Array | null;
}

type Soft = (kind: "input" | "auth" | "mismatch", message: string) => null;

/** Steps 3-5 for AUTH: decode (canonical CBOR), structure, binding. Null when unusable. */
function parseAuth(
  frames: SourcedFrame[],
  docId: Uint8Array,
  docHash: Uint8Array,
  soft: Soft,
): { payload: AuthPayload; where: string } | null {
  const distinct: SourcedFrame[] = [];
  for (const f of frames) {
    if (!distinct.some((d) => bytesEqual(d.bytes, f.bytes))) distinct.push(f);
  }
  if (distinct.length === 0) return soft("auth", "no auth frame among the inputs");
  if (distinct.length > 1) {
    return soft(
      "input",
      `${distinct[1]?.where}: a second, different auth frame (${distinct[0]?.where})`,
    );
  }
  const f = distinct[0] as SourcedFrame;
  let payload: AuthPayload;
  try {
    payload = decodeAuthPayload(f.frame.data);
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    return soft("input", `${f.where}: ${e.message}`);
  }
  if (!bytesEqual(f.frame.docId, docId)) {
    return soft("mismatch", `${f.where}: auth frame of another document`);
  }
  if (!bytesEqual(payload.hash, docHash)) {
    return soft("mismatch", `${f.where}: auth payload is for another document`);
  }
  return { payload, where: f.where };
}

/** Steps 3-5 for shards: decode, structure, binding to the document, set consistency. */
function parseShards(
  frames: SourcedFrame[],
  docId: Uint8Array,
  docHash: Uint8Array,
  rescue: boolean,
  authPub: Uint8Array | undefined,
) {
  const list: SourcedShard[] = [];
  for (const f of frames) {
    const s = sourcedShard(f.frame.data, f.where);
    if (!bytesEqual(f.frame.docId, docId) || !bytesEqual(s.payload.hash, docHash)) {
      throw new ParaduxError(
        "mismatch",
        `${f.where}: shard of another backup (doc id ${toHex(f.frame.docId)})`,
      );
    }
    if (s.payload.type === "passphrase") list.push(s);
  }
  return list.length === 0 ? null : checkShardConsistency(list, {
    hash: docHash,
    rescue,
    ...(authPub ? { pub: authPub } : {}),
  });
}

function passphraseOf(shards: ShardPayload[]): string {
  const secret = combineShardSet(shards);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(secret);
  } catch {
    throw new ParaduxError("input", "the shards do not combine to a passphrase (not utf-8)");
  }
}

/** Recovers files from inputs (frames in any order; duplicates ignored; conflicts rejected). */
export async function recoverBackup(opts: RecoverOptions): Promise<RecoveredBackup> {
  const rescue = opts.rescue ?? false;
  const warnings: string[] = [];
  const frames = framesOfInputs(opts.inputs, opts.labels);
  for (const f of frames) {
    const w = repairWarning(f);
    if (w) warnings.push(w);
  }
  const ciphertext = reassembleMain(frames.filter((f) => f.frame.type === "main"));
  const docHash = blake2b256(ciphertext);
  const docId = docHash.slice(0, 8);
  for (const f of frames.filter((f) => f.frame.type === "main")) {
    if (!bytesEqual(f.frame.docId, docId)) {
      throw new ParaduxError(
        "input",
        `${f.where}: main frame doc id does not match its ciphertext`,
      );
    }
  }
  const soft: Soft = (kind, message) => {
    if (!rescue) {
      throw new ParaduxError(kind, message, {
        hint: "use rescue mode to recover without authentication",
      });
    }
    warnings.push(`${message}; continuing unauthenticated (rescue mode)`);
    return null;
  };
  // 3-5: decode, structure, binding and consistency of every AUTH and KEY payload
  const authParsed = parseAuth(frames.filter((f) => f.frame.type === "auth"), docId, docHash, soft);
  const shardSet = parseShards(
    frames.filter((f) => f.frame.type === "key"),
    docId,
    docHash,
    rescue,
    authParsed?.payload.pub,
  );
  // 6: signatures
  const auth: AuthOutcome = { verified: false, pub: authParsed?.payload.pub ?? null };
  if (authParsed) {
    if (verifyAuthPayload(authParsed.payload)) auth.verified = true;
    else soft("auth", `${authParsed.where}: auth signature is invalid`);
  }
  let shardsSigned = true;
  let fromShards: string | null = null;
  if (shardSet) {
    warnings.push(...shardSet.warnings);
    const sig = checkShardSignatures(shardSet.distinct, {
      ...(auth.verified && auth.pub ? { pub: auth.pub } : {}),
      rescue,
    });
    warnings.push(...sig.warnings);
    shardsSigned = sig.signed;
    fromShards = passphraseOf(shardSet.distinct.map((d) => d.payload));
  }
  let passphrase = opts.passphrase;
  if (passphrase === undefined) {
    if (fromShards === null) {
      throw new ParaduxError("insufficient", "no passphrase and no passphrase shards", {
        hint: "give the passphrase or enough shard documents",
      });
    }
    passphrase = fromShards;
  }
  const plaintext = await decryptWithPassphrase(
    ciphertext,
    passphrase,
    opts.maxLogN === undefined ? {} : { maxLogN: opts.maxLogN },
  );
  const envelope = decodeEnvelope(plaintext);
  const files = await extractFiles(envelope);
  // 7: the trust label
  const authenticated = !rescue && auth.verified && shardsSigned;
  if (rescue) warnings.push("rescue mode: the result is not authenticated");
  return {
    files,
    authenticated,
    warnings,
    docId: toHex(docId),
    docHash,
    signerPub: auth.pub,
    sealed: envelope.manifest.sealed,
    signingSeed: envelope.manifest.seed,
    passphrase,
    created: envelope.manifest.created,
  };
}
