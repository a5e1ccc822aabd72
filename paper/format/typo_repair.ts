/**
 * Typo repair for fallback text: when a frame's CRC fails, try every single-character
 * substitution and every swap of adjacent characters inside that frame, and keep the one
 * candidate that makes the frame valid. CRC-32 is affine over GF(2), so each candidate costs a
 * few xors: the syndrome crc(M) ^ C must equal the xor of the flipped bits' contributions.
 * A character outside the alphabet is a known position: all 32 values are tried there.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { crc32, crcBitContributions } from "./crc32.ts";
import { decodeFrame, type Frame } from "./frame.ts";
import type { FilteredSection } from "./fallback_text.ts";
import { decodeZbase32, ZBASE32_ALPHABET, zbase32Value } from "./zbase32.ts";

/** What a repair changed, in input coordinates. */
export interface TypoRepair {
  /** "substitution" of one character or "swap" of two adjacent ones. */
  kind: "substitution" | "swap";
  /** Input line (1-based) of the (first) character. */
  line: number;
  /** Column (1-based) of the (first) character. */
  column: number;
  /** Line within the section (the printed margin number). */
  sectionLine: number;
  /** Text as typed and as repaired (one or two characters). */
  from: string;
  /** The repaired text. */
  to: string;
}

/** A frame decoded from a fallback section, with the repair that was needed, if any. */
export interface SectionFrame {
  /** The decoded frame. */
  frame: Frame;
  /** The frame's bytes. */
  bytes: Uint8Array;
  /** Set when a typo was corrected. */
  repair?: TypoRepair;
}

function label(s: FilteredSection): string {
  const kind = s.kind === null ? "fallback" : s.kind === "key" ? "shard" : s.kind;
  return `${kind} frame text (lines ${s.firstLine}-${s.lastLine})`;
}

/** Decodes z-base-32 ignoring tail bits; null when the length cannot be a whole byte count. */
function lenientBytes(chars: string): Uint8Array | null {
  const n = Math.floor((chars.length * 5) / 8);
  if (Math.ceil((n * 8) / 5) !== chars.length) return null;
  const tailBits = chars.length * 5 - n * 8;
  const last = zbase32Value(chars[chars.length - 1] ?? "y");
  const cleared = chars.slice(0, -1) + ZBASE32_ALPHABET[last & ~((1 << tailBits) - 1) & 31];
  return decodeZbase32(chars.length ? cleared : chars);
}

function tryDecode(chars: string, where: string): { frame: Frame; bytes: Uint8Array } | null {
  try {
    const bytes = decodeZbase32(chars);
    return { frame: decodeFrame(bytes, where), bytes };
  } catch (e) {
    if (e instanceof ParaduxError) return null;
    throw e;
  }
}

/** Per-bit syndrome contributions of the frame's bits (CRC field bits included). */
function bitEffects(n: number): Uint32Array {
  const e = new Uint32Array(n * 8);
  if (n < 4) return e;
  e.set(crcBitContributions(n - 4));
  for (let b = 0; b < 32; b++) e[(n - 4) * 8 + b] = (1 << (31 - b)) >>> 0;
  return e;
}

/** Decodes a filtered section to a frame, repairing one typo when the CRC fails. */
export function decodeSectionFrame(s: FilteredSection): SectionFrame {
  const where = label(s);
  if (s.chars.length === 0) throw new ParaduxError("input", `${where}: no z-base-32 lines`);
  if (s.foreign.length > 1) {
    const at = s.foreign.map((i) => `line ${s.lineOf[i]} char ${s.colOf[i]}`).join(", ");
    throw new ParaduxError("input", `${where}: characters outside z-base-32 at ${at}`);
  }
  if (s.foreign.length === 0) {
    const direct = tryDecode(s.chars, where);
    if (direct) return direct;
  }
  const bytes = lenientBytes(s.chars);
  if (!bytes) {
    throw new ParaduxError("input", `${where}: a character is missing or extra`, {
      hint: "compare the number of characters on each line with the paper",
    });
  }
  if (s.foreign.length === 0 && frameCrcMatches(bytes) && tryDecode(s.chars, where) === null) {
    // The checksum holds, so the text is as printed: report the real defect.
    decodeFrame(decodeZbase32(s.chars), where);
  }
  const found = candidates(s, bytes);
  if (found.length === 1) return found[0] as SectionFrame;
  if (found.length > 1) {
    throw new ParaduxError("input", `${where}: a typo could be repaired in several ways`, {
      hint: "check the frame against the paper and correct it",
    });
  }
  throw new ParaduxError("input", `${where}: more than one typo (checksum fails)`, {
    hint: "check every line of this frame against the paper",
  });
}

function frameCrcMatches(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const n = bytes.length - 4;
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(n) === crc32(bytes.subarray(0, n));
}

function candidates(s: FilteredSection, bytes: Uint8Array): SectionFrame[] {
  const n = bytes.length;
  if (n < 4) return [];
  const stored = new DataView(bytes.buffer, bytes.byteOffset).getUint32(n - 4);
  const syndrome = (crc32(bytes.subarray(0, n - 4)) ^ stored) >>> 0;
  const effects = bitEffects(n);
  const totalBits = n * 8;
  const chars = s.chars;
  const lastIdx = chars.length - 1;
  const tailBits = chars.length * 5 - totalBits;
  const tailNow = zbase32Value(chars[lastIdx] ?? "y") & ((1 << tailBits) - 1);
  // xor of effects for a 5-bit change d at character p; null when it breaks the tail bits
  const effectOf = (p: number, d: number): number | null => {
    let acc = 0;
    for (let k = 0; k < 5; k++) {
      if (!(d & (1 << (4 - k)))) continue;
      const g = p * 5 + k;
      if (g < totalBits) acc ^= effects[g] ?? 0;
    }
    if (p === lastIdx && ((tailNow ^ d) & ((1 << tailBits) - 1)) !== 0) return null;
    return acc >>> 0;
  };
  const found: SectionFrame[] = [];
  const where = label(s);
  const accept = (text: string, repair: TypoRepair): void => {
    const ok = tryDecode(text, where);
    if (ok) found.push({ ...ok, repair });
  };
  const at = (p: number, kind: TypoRepair["kind"], from: string, to: string): TypoRepair => ({
    kind,
    line: s.lineOf[p] ?? 0,
    column: s.colOf[p] ?? 0,
    sectionLine: s.sectionLineOf[p] ?? 0,
    from,
    to,
  });
  const positions = s.foreign.length === 1
    ? [s.foreign[0] as number]
    : Array.from({ length: chars.length }, (_, i) => i);
  const wildcard = s.foreign.length === 1;
  for (const p of positions) {
    const v = zbase32Value(chars[p] as string);
    for (let d = wildcard ? 0 : 1; d < 32; d++) {
      if (effectOf(p, d) !== syndrome) continue;
      const c = ZBASE32_ALPHABET[v ^ d] as string;
      accept(
        chars.slice(0, p) + c + chars.slice(p + 1),
        at(p, "substitution", wildcard ? (s.foreignText[0] ?? "?") : chars[p] as string, c),
      );
    }
    if (wildcard || p === lastIdx) continue;
    const a = chars[p] as string;
    const b = chars[p + 1] as string;
    if (a === b) continue;
    const d = zbase32Value(a) ^ zbase32Value(b);
    const e1 = effectOf(p, d);
    const e2 = effectOf(p + 1, d);
    if (e1 === null || e2 === null || ((e1 ^ e2) >>> 0) !== syndrome) continue;
    accept(chars.slice(0, p) + b + a + chars.slice(p + 2), at(p, "swap", a + b, b + a));
  }
  return found;
}
