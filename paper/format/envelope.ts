/**
 * The envelope (format.md section 2): `AY`, uvarint version 1, uvarint manifest length, manifest
 * CBOR, uvarint payload length, payload; and extraction of the files from its payload.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { bytesEqual, sha256 } from "../../crypto/hashes.ts";
import { decodeUvarint, encodeUvarint } from "./uvarint.ts";
import { MAX_CIPHERTEXT_BYTES, MAX_MANIFEST_CBOR_BYTES } from "./limits.ts";
import { decodeManifest, type Manifest } from "./manifest.ts";
import { gunzipBounded } from "./gzip.ts";

/** The envelope magic "AY". */
export const ENVELOPE_MAGIC = Uint8Array.of(0x41, 0x59);

/** A decoded envelope: the manifest and the stored (maybe gzip) payload. */
export interface Envelope {
  /** The validated manifest. */
  manifest: Manifest;
  /** The manifest's exact CBOR bytes. */
  manifestBytes: Uint8Array;
  /** The payload as stored. */
  payload: Uint8Array;
}

/** A recovered file. */
export interface RecoveredFile {
  /** Relative path as stored. */
  path: string;
  /** Contents. */
  data: Uint8Array;
  /** Modification time (Unix seconds) or null. */
  mtime: number | null;
}

/** Builds an envelope from manifest CBOR and the stored payload. */
export function encodeEnvelope(manifestBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  const parts = [
    ENVELOPE_MAGIC,
    encodeUvarint(1),
    encodeUvarint(manifestBytes.length),
    manifestBytes,
    encodeUvarint(payload.length),
    payload,
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Parses and validates an envelope (boundaries, bounds, then canonical manifest). */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const fail = (m: string): never => {
    throw new ParaduxError("input", `envelope: ${m}`);
  };
  if (bytes[0] !== 0x41 || bytes[1] !== 0x59) fail("bad magic");
  const version = decodeUvarint(bytes, 2, "envelope version");
  if (version.value !== 1) fail(`unsupported version ${version.value}`);
  const mlen = decodeUvarint(bytes, version.next, "manifest length");
  if (mlen.value > MAX_MANIFEST_CBOR_BYTES) {
    fail(`manifest exceeds ${MAX_MANIFEST_CBOR_BYTES} bytes`);
  }
  if (mlen.next + mlen.value > bytes.length) fail("manifest length exceeds the envelope");
  const manifestBytes = bytes.subarray(mlen.next, mlen.next + mlen.value);
  const plen = decodeUvarint(bytes, mlen.next + mlen.value, "payload length");
  if (plen.value > MAX_CIPHERTEXT_BYTES) fail(`payload exceeds ${MAX_CIPHERTEXT_BYTES} bytes`);
  if (plen.next + plen.value !== bytes.length) fail("payload length does not match");
  const payload = bytes.subarray(plen.next);
  return { manifest: decodeManifest(manifestBytes), manifestBytes, payload };
}

/** Decodes the payload per the manifest codec and slices and checks every file. */
export async function extractFiles(env: Envelope): Promise<RecoveredFile[]> {
  const { manifest } = env;
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  const raw = manifest.payloadCodec === "gzip"
    ? await gunzipBounded(env.payload, manifest.payloadRawLen ?? 0)
    : env.payload;
  if (raw.length !== total) {
    throw new ParaduxError("input", "envelope: payload length is not the sum of file sizes");
  }
  let off = 0;
  return manifest.files.map((f) => {
    const data = raw.slice(off, off + f.size);
    off += f.size;
    if (!bytesEqual(sha256(data), f.sha256)) {
      throw new ParaduxError(
        "input",
        `envelope: sha-256 of ${JSON.stringify(f.path)} does not match`,
      );
    }
    return { path: f.path, data, mtime: f.mtime };
  });
}
