/**
 * Canonical unsigned varints (format.md section 1): 7 bits per byte, little-endian, shortest
 * form only, at most 2^64-1.
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** Encodes a non-negative safe integer as a uvarint. */
export function encodeUvarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`bad uvarint ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** A decoded uvarint and the offset just after it. */
export interface Uvarint {
  /** The value; above 2^53 it is approximate (callers compare it with far smaller bounds). */
  value: number;
  /** Offset of the next byte. */
  next: number;
}

/** Decodes the uvarint at `pos`; rejects truncated, overlong and out-of-range encodings. */
export function decodeUvarint(buf: Uint8Array, pos: number, what: string): Uvarint {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw new ParaduxError("input", `truncated ${what}`);
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new ParaduxError("input", `non-canonical uvarint in ${what}`);
      if (i === 9 && b > 1) throw new ParaduxError("input", `uvarint out of range in ${what}`);
      return { value: Number(value), next: pos + i + 1 };
    }
  }
  throw new ParaduxError("input", `uvarint out of range in ${what}`);
}
