/**
 * The LUKS2 binary header (two copies at the start of the file, each a 4096-byte binary part
 * followed by the JSON area) per the LUKS2 on-disk format specification: magic, version, sizes,
 * checksum over the whole copy with the algorithm the header names. The primary copy is used
 * when intact; otherwise the secondary copy (found at the known offsets) is.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { checkCipher } from "./cipher.ts";
import { digest, hashSize } from "./hash.ts";
import { type Luks2Json, parseLuks2Json } from "./json.ts";

/** Magic of the primary header copy: "LUKS\xba\xbe". */
export const MAGIC_PRIMARY: Uint8Array = new Uint8Array([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]);
/** Magic of the secondary header copy: "SKUL\xba\xbe". */
export const MAGIC_SECONDARY: Uint8Array = new Uint8Array([0x53, 0x4b, 0x55, 0x4c, 0xba, 0xbe]);
/** Size of the binary part of a header copy. */
export const BINARY_HEADER_SIZE = 4096;
/** Where the 64-byte checksum field sits in the binary header. */
export const CHECKSUM_OFFSET = 448;
/** The header sizes LUKS2 allows (16 KiB to 4 MiB); also where a secondary copy may start. */
export const HEADER_SIZES: readonly number[] = [
  0x4000,
  0x8000,
  0x10000,
  0x20000,
  0x40000,
  0x80000,
  0x100000,
  0x200000,
  0x400000,
];

/** A parsed, checksum-verified LUKS2 header. */
export interface Luks2Header {
  /** Always 2. */
  version: number;
  /** Size of one header copy (binary part + JSON area) in bytes. */
  hdrSize: number;
  /** Sequence id (incremented on every metadata update). */
  seqid: number;
  /** Label (may be empty). */
  label: string;
  /** Checksum algorithm ("sha256" normally). */
  checksumAlg: string;
  /** UUID text. */
  uuid: string;
  /** Subsystem (may be empty). */
  subsystem: string;
  /** Which copy was used. */
  copy: "primary" | "secondary";
  /** Problems with the copy that was not used, if any (e.g. "primary: checksum mismatch"). */
  warnings: string[];
  /** The checked JSON metadata. */
  json: Luks2Json;
}

function fail(message: string, hint = "the file is not an intact luks2 vault"): never {
  throw new ParaduxError("input", message, { hint });
}

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function startsWith(data: Uint8Array, at: number, magic: Uint8Array): boolean {
  if (data.length < at + magic.length) return false;
  return magic.every((b, i) => data[at + i] === b);
}

function u64At(view: DataView, at: number, what: string): number {
  const v = view.getBigUint64(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`luks2 header ${what} is out of range`);
  return Number(v);
}

/** Computes the checksum of one header copy (the checksum field counts as zeros). */
export function headerChecksum(copy: Uint8Array, alg: string): Uint8Array {
  const zeroed = new Uint8Array(copy); // a copy even for a node Buffer, whose slice() is a view
  zeroed.fill(0, CHECKSUM_OFFSET, CHECKSUM_OFFSET + 64);
  return digest(alg, zeroed);
}

/** Parses and verifies the header copy at `at`; throws ParaduxError("input") naming the problem. */
export function parseCopy(
  data: Uint8Array,
  at: number,
  which: "primary" | "secondary",
): Luks2Header {
  const magic = which === "primary" ? MAGIC_PRIMARY : MAGIC_SECONDARY;
  if (data.length < at + BINARY_HEADER_SIZE) fail(`luks2 ${which} header is truncated`);
  if (!startsWith(data, at, magic)) {
    fail(`bad magic in luks2 ${which} header`, "the file is not a luks2 vault");
  }
  const bin = data.subarray(at, at + BINARY_HEADER_SIZE);
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  const version = view.getUint16(6);
  if (version !== 2) fail(`unsupported luks version ${version} in ${which} header`);
  const hdrSize = u64At(view, 8, "size");
  if (!HEADER_SIZES.includes(hdrSize)) fail(`invalid luks2 ${which} header size ${hdrSize}`);
  const hdrOffset = u64At(view, 256, "offset");
  if (hdrOffset !== at) fail(`luks2 ${which} header offset ${hdrOffset} does not match ${at}`);
  if (data.length < at + hdrSize) fail(`luks2 ${which} header is truncated`);
  const copy = data.subarray(at, at + hdrSize);
  const checksumAlg = cString(bin.subarray(72, 104));
  let size: number;
  try {
    size = hashSize(checksumAlg, "header checksum");
  } catch {
    fail(`unsupported checksum algorithm in luks2 ${which} header`);
  }
  const expected = bin.subarray(CHECKSUM_OFFSET, CHECKSUM_OFFSET + size);
  const actual = headerChecksum(copy, checksumAlg);
  if (!actual.every((b, i) => b === expected[i])) fail(`luks2 ${which} header checksum mismatch`);
  const area = copy.subarray(BINARY_HEADER_SIZE);
  const end = area.indexOf(0);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      end === -1 ? area : area.subarray(0, end),
    ));
  } catch {
    fail(`luks2 ${which} header json is malformed`);
  }
  const json = parseLuks2Json(value);
  for (const [id, seg] of Object.entries(json.segments)) {
    if (seg.type === "crypt") checkCipher(seg.encryption, `segment ${id}`);
  }
  if (json.config.jsonSize !== hdrSize - BINARY_HEADER_SIZE) {
    fail(`luks2 ${which} header json size does not match header size`);
  }
  return {
    version,
    hdrSize,
    seqid: u64At(view, 16, "seqid"),
    label: cString(bin.subarray(24, 72)),
    checksumAlg,
    uuid: cString(bin.subarray(168, 208)),
    subsystem: cString(bin.subarray(208, 256)),
    copy: which,
    warnings: [],
    json,
  };
}

function message(e: unknown): string {
  if (e instanceof ParaduxError) return e.message;
  throw e;
}

/**
 * Parses the LUKS2 header at the start of a file. `fileStart` must hold at least both header
 * copies. Uses the primary copy when intact (or the secondary when it is intact and newer),
 * falls back to the secondary otherwise.
 * @throws ParaduxError("input") naming what is wrong (bad magic, checksum mismatch, truncated...)
 */
export function parseLuks2Header(fileStart: Uint8Array): Luks2Header {
  let primary: Luks2Header | undefined;
  let primaryError = "";
  try {
    primary = parseCopy(fileStart, 0, "primary");
  } catch (e) {
    primaryError = message(e);
  }
  const offsets = primary === undefined ? HEADER_SIZES : [primary.hdrSize];
  let secondary: Luks2Header | undefined;
  let secondaryError = "";
  for (const at of offsets) {
    if (!startsWith(fileStart, at, MAGIC_SECONDARY)) continue;
    try {
      secondary = parseCopy(fileStart, at, "secondary");
      break;
    } catch (e) {
      secondaryError = message(e);
    }
  }
  if (primary !== undefined && secondary !== undefined) {
    return secondary.seqid > primary.seqid ? secondary : primary;
  }
  if (primary !== undefined) {
    primary.warnings.push(`secondary: ${secondaryError || "missing"}`);
    return primary;
  }
  if (secondary !== undefined) {
    secondary.warnings.push(`primary: ${primaryError}`);
    return secondary;
  }
  if (primaryError.startsWith("bad magic") && secondaryError === "") {
    fail("not a luks2 vault (bad magic)", "check that the file is a paradux vault");
  }
  fail(
    secondaryError === "" || secondaryError === primaryError
      ? primaryError
      : `${primaryError}; ${secondaryError}`,
  );
}
