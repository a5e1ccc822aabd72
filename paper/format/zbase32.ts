/**
 * z-base-32 (Zooko's human-oriented base-32) as Ethernity's fallback text uses it: 5 bits per
 * character, most significant first, no padding, and canonical only (unused tail bits zero).
 * @module
 */
import { ParaduxError } from "../../errors.ts";

/** The alphabet, value 0 first. */
export const ZBASE32_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";
const VALUES = new Map([...ZBASE32_ALPHABET].map((c, i) => [c, i] as const));

/** The value of a lowercase z-base-32 character, or -1. */
export function zbase32Value(c: string): number {
  return VALUES.get(c) ?? -1;
}

/** Encodes bytes as lowercase z-base-32. */
export function encodeZbase32(data: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of data) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ZBASE32_ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += ZBASE32_ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** Decodes lowercase z-base-32; rejects foreign characters, impossible lengths and set tail bits. */
export function decodeZbase32(text: string): Uint8Array {
  const nbytes = Math.floor((text.length * 5) / 8);
  if (Math.ceil((nbytes * 8) / 5) !== text.length) {
    throw new ParaduxError("input", "z-base-32 text has an impossible length");
  }
  const out = new Uint8Array(nbytes);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const v = VALUES.get(text[i] as string);
    if (v === undefined) throw new ParaduxError("input", `not a z-base-32 character at ${i + 1}`);
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new ParaduxError("input", "non-canonical z-base-32 (unused tail bits set)");
  }
  return out;
}
