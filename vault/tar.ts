/**
 * A small POSIX ustar writer and reader for the vault payload: a few regular files, written from
 * the first byte of the LUKS2 data segment so that `tar -xf /dev/mapper/NAME` reads them with
 * standard tools. Only regular files with short names are written; the reader is strict
 * (checksums, magic, sizes) and stops at the end-of-archive marker (a zero block).
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** The tar block size. */
export const BLOCK = 512;

/** One regular file inside the archive. */
export interface TarEntry {
  /** File name (ASCII, at most 100 bytes, no directories needed). */
  name: string;
  /** File contents. */
  data: Uint8Array;
  /** Modification time in seconds since the epoch (default 0). */
  mtime?: number;
  /** File mode (default 0600). */
  mode?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function putString(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = enc.encode(text);
  if (bytes.length > length) throw new RangeError(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function putOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, "0");
  if (digits.length > length - 1) throw new RangeError(`tar number too large: ${value}`);
  putString(block, offset, length, digits + "\0");
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i] ?? 0;
  return sum;
}

/** The 512-byte ustar header of one regular file. */
export function tarHeader(entry: TarEntry): Uint8Array {
  const name = enc.encode(entry.name);
  if (name.length === 0 || name.length > 100 || /[^\x21-\x7e]/.test(entry.name)) {
    throw new RangeError(`unsupported tar member name: ${entry.name}`);
  }
  const h = new Uint8Array(BLOCK);
  putString(h, 0, 100, entry.name);
  putOctal(h, 100, 8, entry.mode ?? 0o600);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, entry.data.length);
  putOctal(h, 136, 12, Math.max(0, Math.floor(entry.mtime ?? 0)));
  h[156] = 0x30; // '0': regular file
  putString(h, 257, 6, "ustar\0");
  putString(h, 263, 2, "00");
  putString(h, 265, 32, "root");
  putString(h, 297, 32, "root");
  putOctal(h, 329, 8, 0);
  putOctal(h, 337, 8, 0);
  const sum = checksum(h);
  putString(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

function padded(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** The archive bytes: headers, contents padded to 512 bytes, then two zero blocks. */
export function writeTar(entries: readonly TarEntry[]): Uint8Array {
  const total = entries.reduce((n, e) => n + BLOCK + padded(e.data.length), 0) + 2 * BLOCK;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const e of entries) {
    out.set(tarHeader(e), pos);
    pos += BLOCK;
    out.set(e.data, pos);
    pos += padded(e.data.length);
  }
  return out;
}

function bad(message: string): ParaduxError {
  return new ParaduxError("input", `vault payload is not a valid tar archive: ${message}`, {
    hint: "the vault may be damaged; open a published vault export instead",
  });
}

function readOctal(block: Uint8Array, offset: number, length: number): number {
  const text = dec.decode(block.subarray(offset, offset + length)).replace(/[\0 ]+$/g, "")
    .replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw bad(`bad number field at byte ${offset}`);
  return parseInt(text, 8);
}

function readString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return dec.decode(end === -1 ? field : field.subarray(0, end));
}

function isZero(block: Uint8Array): boolean {
  for (const b of block) if (b !== 0) return false;
  return true;
}

/**
 * Reads the regular files of a ustar archive up to the end-of-archive marker. Bytes after the
 * marker (sector padding, old data) are ignored.
 * @throws ParaduxError `input` on a damaged or unsupported archive.
 */
export function readTar(bytes: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  while (true) {
    if (pos + BLOCK > bytes.length) throw bad("no end-of-archive marker");
    const h = bytes.subarray(pos, pos + BLOCK);
    if (isZero(h)) return entries;
    const stored = readOctal(h, 148, 8);
    if (stored !== checksum(h)) throw bad(`header checksum mismatch at byte ${pos}`);
    if (readString(h, 257, 6) !== "ustar") throw bad(`not a ustar header at byte ${pos}`);
    const type = h[156];
    const size = readOctal(h, 124, 12);
    const prefix = readString(h, 345, 155);
    const base = readString(h, 0, 100);
    const name = prefix === "" ? base : `${prefix}/${base}`;
    pos += BLOCK;
    if (pos + size > bytes.length) throw bad(`member ${name} is truncated`);
    if (type === 0x30 || type === 0) {
      entries.push({
        name,
        data: bytes.slice(pos, pos + size),
        mtime: readOctal(h, 136, 12),
        mode: readOctal(h, 100, 8),
      });
    } else if (type !== 0x35) {
      throw bad(`member ${name} is not a regular file (type ${String.fromCharCode(type ?? 0)})`);
    }
    pos += padded(size);
  }
}
