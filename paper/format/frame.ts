/**
 * Frames (format.md section 6): `AP` magic, uvarint version 1, type byte (D main, K shard,
 * A auth), 8-byte doc_id, uvarint index/total/length, data, CRC-32 big-endian over all before.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { crc32 } from "./crc32.ts";
import { decodeUvarint, encodeUvarint } from "./uvarint.ts";
import {
  MAX_AUTH_CBOR_BYTES,
  MAX_MAIN_FRAME_DATA_BYTES,
  MAX_MAIN_FRAME_TOTAL,
  MAX_SHARD_CBOR_BYTES,
} from "./limits.ts";

/** The three frame types of v1. */
export type FrameType = "main" | "key" | "auth";

/** One decoded frame. */
export interface Frame {
  /** main (D), key/shard (K) or auth (A). */
  type: FrameType;
  /** First 8 bytes of BLAKE2b-256 of the ciphertext. */
  docId: Uint8Array;
  /** 0-based position in its group. */
  index: number;
  /** Number of frames in its group (1 for auth and key frames). */
  total: number;
  /** The frame's data. */
  data: Uint8Array;
}

const TYPE_BYTE: Record<FrameType, number> = { main: 0x44, key: 0x4b, auth: 0x41 };
const BYTE_TYPE = new Map<number, FrameType>([[0x44, "main"], [0x4b, "key"], [0x41, "auth"]]);
const MAX_DATA: Record<FrameType, number> = {
  main: MAX_MAIN_FRAME_DATA_BYTES,
  auth: MAX_AUTH_CBOR_BYTES,
  key: MAX_SHARD_CBOR_BYTES,
};

/** The frame magic "AP". */
export const FRAME_MAGIC = Uint8Array.of(0x41, 0x50);
/** The frame version. */
export const FRAME_VERSION = 1;

function checkShape(f: Frame, fail: (m: string) => never): void {
  if (f.docId.length !== 8) fail("doc id must be 8 bytes");
  if (f.total < 1) fail("frame total must be at least 1");
  if (f.index >= f.total) fail(`frame index ${f.index} is not below total ${f.total}`);
  if (f.type === "main" && f.total > MAX_MAIN_FRAME_TOTAL) {
    fail(`main frame total ${f.total} exceeds ${MAX_MAIN_FRAME_TOTAL}`);
  }
  if (f.type !== "main" && (f.index !== 0 || f.total !== 1)) {
    fail(`${f.type} frame must be a single frame (index 0, total 1)`);
  }
  if (f.data.length > MAX_DATA[f.type]) {
    fail(`${f.type} frame data of ${f.data.length} bytes exceeds ${MAX_DATA[f.type]}`);
  }
}

/** Encodes a frame. */
export function encodeFrame(f: Frame): Uint8Array {
  checkShape(f, (m) => {
    throw new RangeError(m);
  });
  const parts = [
    FRAME_MAGIC,
    encodeUvarint(FRAME_VERSION),
    Uint8Array.of(TYPE_BYTE[f.type]),
    f.docId,
    encodeUvarint(f.index),
    encodeUvarint(f.total),
    encodeUvarint(f.data.length),
    f.data,
  ];
  const len = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(len + 4);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  new DataView(out.buffer).setUint32(len, crc32(out.subarray(0, len)));
  return out;
}

/** True when the frame's last four bytes are the CRC-32 of the rest. */
export function frameCrcOk(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const n = bytes.length - 4;
  const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(n);
  return stored === crc32(bytes.subarray(0, n));
}

/** Decodes exactly one frame; any defect is an "input" error prefixed with `where`. */
export function decodeFrame(bytes: Uint8Array, where = "frame"): Frame {
  const fail = (m: string): never => {
    throw new ParaduxError("input", `${where}: ${m}`);
  };
  if (bytes.length < 2 || bytes[0] !== 0x41 || bytes[1] !== 0x50) fail("not a frame (bad magic)");
  const wrap = (f: () => number): number => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ParaduxError) fail(e.message);
      throw e;
    }
  };
  let pos = 2;
  const version = wrap(() => {
    const v = decodeUvarint(bytes, pos, "frame version");
    pos = v.next;
    return v.value;
  });
  if (version !== FRAME_VERSION) fail(`unsupported frame version ${version}`);
  const type = BYTE_TYPE.get(bytes[pos] ?? -1) ?? fail("unknown frame type");
  pos += 1;
  if (bytes.length < pos + 8) fail("truncated frame");
  const docId = bytes.slice(pos, pos + 8);
  pos += 8;
  const field = (what: string): number =>
    wrap(() => {
      const v = decodeUvarint(bytes, pos, what);
      pos = v.next;
      return v.value;
    });
  const index = field("frame index");
  const total = field("frame total");
  const length = field("frame data length");
  if (length > MAX_DATA[type]) {
    fail(`${type} frame data of ${length} bytes exceeds ${MAX_DATA[type]}`);
  }
  if (bytes.length !== pos + length + 4) fail("frame length mismatch");
  if (!frameCrcOk(bytes)) fail("frame crc mismatch");
  const frame: Frame = { type, docId, index, total, data: bytes.slice(pos, pos + length) };
  checkShape(frame, fail);
  return frame;
}
