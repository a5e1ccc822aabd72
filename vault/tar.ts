/**
 * A small POSIX ustar writer and a tar reader for the vault payload: a few regular files,
 * written from the first byte of the LUKS2 data segment so that `tar -xf /dev/mapper/NAME` reads
 * them with standard tools. Only regular files with short names are written (POSIX ustar).
 *
 * The reader takes what GNU tar and bsdtar write by default or with `--format=ustar|gnu|pax`
 * (or `oldgnu`): the POSIX (`ustar\0` `00`) and GNU (`ustar  \0`) magics, the ustar name
 * prefix, GNU long names and link names (`L`, `K` entries), pax extended headers (`x`, and `g`
 * global ones: `path`, `size` and `mtime` are applied, a global
 * `mtime` too), GNU base-256 numbers, directories (skipped)
 * and leading `./` in names. It stays strict: header checksums, number fields, pax record
 * lengths and member sizes are checked, links and devices are refused, and it stops at the
 * end-of-archive marker (a zero block). A hand-written reader rather than a library: `nanotar`
 * (the one that fits Deno without Node streams) checks no checksums, ignores the ustar prefix,
 * splits pax values at `=` and spaces, and throws RangeErrors on truncated input; `modern-tar`
 * (0.8) and `tar-stream` are asynchronous streams (checksums only in a non-default mode, no end
 * offset reported), while this reader runs inside synchronous decoding and must report how many
 * bytes the archive used (a save zeroes the old payload beyond the new one).
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

function readOctal(block: Uint8Array, offset: number, length: number, at: number): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian binary, the top bit of the first byte marks it (no negatives)
    if (first !== 0x80) throw bad(`unsupported number field at byte ${at + offset}`);
    let value = 0;
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + (block[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw bad(`number too large at byte ${at + offset}`);
    return value;
  }
  const text = dec.decode(block.subarray(offset, offset + length)).replace(/[\0 ]+$/g, "")
    .replace(/^ +/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw bad(`bad number field at byte ${at + offset}`);
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

/** The header checksum with the checksum field read as spaces, summing signed bytes. */
function signedChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i] ?? 0;
    sum += b > 127 ? b - 256 : b;
  }
  return sum;
}

/** The magic and version fields: POSIX ustar, or GNU's (also written by `--format=oldgnu`). */
function checkMagic(h: Uint8Array, at: number): "posix" | "gnu" {
  const magic = dec.decode(h.subarray(257, 265));
  if (magic === "ustar\x0000") return "posix";
  if (magic === "ustar  \0") return "gnu";
  // some writers put spaces or NULs in the version field
  if (magic.startsWith("ustar\0")) return "posix";
  throw bad(`not a tar header (no ustar magic) at byte ${at}`);
}

/** Overrides from pax records (`LEN key=value\n`, LEN counting the whole record). */
interface PaxFields {
  path?: string;
  size?: number;
  mtime?: number;
}

function parsePax(data: Uint8Array, at: number): PaxFields {
  const fields: PaxFields = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding after the last record
    const space = data.indexOf(0x20, pos);
    const lenText = space === -1 ? "" : dec.decode(data.subarray(pos, space));
    if (!/^[1-9][0-9]{0,8}$/.test(lenText)) throw bad(`bad pax record at byte ${at + pos}`);
    const end = pos + Number(lenText);
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) {
      throw bad(`bad pax record at byte ${at + pos}`);
    }
    const record = utf8(data.subarray(space + 1, end - 1), at + pos);
    const eq = record.indexOf("=");
    if (eq <= 0) throw bad(`bad pax record at byte ${at + pos}`);
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") fields.path = value;
    else if (key === "size" || key === "mtime") {
      if (!/^[0-9]{1,15}(\.[0-9]*)?$/.test(value)) throw bad(`bad pax ${key} at byte ${at + pos}`);
      fields[key] = Math.floor(Number(value));
    }
    pos = end;
  }
  return fields;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function utf8(bytes: Uint8Array, at: number): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw bad(`text that is not UTF-8 at byte ${at}`);
  }
}

/** A member name without a leading `./` (what `tar -C DIR .` writes). */
function cleanName(name: string): string {
  return name.replace(/^(\.\/)+/, "");
}

/** A tar archive as read: its regular files and the bytes it used. */
export interface TarArchive {
  /** The regular files, in archive order. */
  entries: TarEntry[];
  /** Bytes up to and including the end-of-archive marker (two zero blocks). */
  usedBytes: number;
}

/**
 * Reads the regular files of a tar archive up to the end-of-archive marker (see the module
 * comment for the formats). Bytes after the marker (sector padding, old data) are ignored.
 * @throws ParaduxError `input` on a damaged or unsupported archive.
 */
export function readTarArchive(bytes: Uint8Array): TarArchive {
  const entries: TarEntry[] = [];
  let pos = 0;
  let next: PaxFields = {};
  let global: PaxFields = {};
  while (true) {
    if (pos + BLOCK > bytes.length) throw bad("no end-of-archive marker");
    const h = bytes.subarray(pos, pos + BLOCK);
    if (isZero(h)) return { entries, usedBytes: pos + 2 * BLOCK };
    const stored = readOctal(h, 148, 8, pos);
    if (stored !== checksum(h) && stored !== signedChecksum(h)) {
      throw bad(`header checksum mismatch at byte ${pos}`);
    }
    const flavour = checkMagic(h, pos);
    const type = h[156] ?? 0;
    let size = readOctal(h, 124, 12, pos);
    const isMeta = type === 0x78 || type === 0x67 || type === 0x4c || type === 0x4b; // x g L K
    if (!isMeta && next.size !== undefined) size = next.size;
    const prefix = flavour === "posix" ? readString(h, 345, 155) : "";
    const base = readString(h, 0, 100);
    const headerName = prefix === "" ? base : `${prefix}/${base}`;
    const name = cleanName(next.path ?? headerName);
    const at = pos;
    pos += BLOCK;
    if (!Number.isSafeInteger(size) || pos + size > bytes.length) {
      throw bad(`member ${name} is truncated`);
    }
    const data = bytes.subarray(pos, pos + size);
    if (type === 0x78) next = { ...next, ...parsePax(data, pos) };
    else if (type === 0x67) global = { ...global, ...parsePax(data, pos) };
    else if (type === 0x4c) next = { ...next, path: utf8(data, pos).replace(/\0+$/, "") };
    else if (type === 0x4b) {
      // GNU long link name: only links use it, and links are refused below
    } else {
      if (type === 0x30 || type === 0 || type === 0x37) {
        entries.push({
          name,
          data: data.slice(),
          mtime: next.mtime ?? global.mtime ?? readOctal(h, 136, 12, at),
          mode: readOctal(h, 100, 8, at) & 0o7777,
        });
      } else if (type !== 0x35) {
        throw bad(`member ${name} is not a regular file (type ${String.fromCharCode(type)})`);
      }
      next = {};
    }
    pos += padded(size);
  }
}

/** The regular files of a tar archive ({@link readTarArchive} without the size). */
export function readTar(bytes: Uint8Array): TarEntry[] {
  return readTarArchive(bytes).entries;
}
