/**
 * The encrypted data segment of a LUKS2 file and sector-wise encryption with aes-xts-plain64:
 * the IV of a sector is (byte offset in the segment / 512) + iv_tweak, also for 4096-byte
 * sectors (cryptsetup does not use dm-crypt's iv_large_sectors for LUKS2).
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { checkCipher } from "./cipher.ts";
import type { Luks2Header } from "./header.ts";
import { xtsSectors } from "./xts.ts";

export { checkCipher, SUPPORTED_CIPHER } from "./cipher.ts";

/** The data segment of a LUKS2 file, as the engine uses it. */
export interface Luks2Segment {
  /** Byte offset of the segment in the file. */
  offset: number;
  /** Sector size: 512 or 4096 (or any power of two from 512 to 4096). */
  sectorSize: number;
  /** IV offset in 512-byte units. */
  ivTweak: number;
  /** Cipher spec, always "aes-xts-plain64". */
  cipher: string;
  /** Byte length, or "dynamic" (to the end of the file). */
  size: "dynamic" | number;
}

/**
 * The single encrypted segment of a header.
 * @throws ParaduxError("input") when the header is mid-reencryption, has several segments, or
 * uses an unsupported cipher or sector size.
 */
export function dataSegment(header: Luks2Header): Luks2Segment {
  const { segments, config } = header.json;
  if (config.requirements.length > 0) {
    throw new ParaduxError(
      "input",
      `luks2 header has unsupported requirements: ${config.requirements.join(", ").slice(0, 80)}`,
      { hint: "an interrupted cryptsetup reencrypt must be finished with cryptsetup first" },
    );
  }
  const ids = Object.keys(segments);
  if (ids.length !== 1) {
    throw new ParaduxError("input", `luks2 header has ${ids.length} segments, expected 1`);
  }
  const seg = segments[ids[0]!]!;
  if (seg.type !== "crypt") {
    throw new ParaduxError("input", `luks2 segment type '${seg.type.slice(0, 20)}' is not crypt`);
  }
  checkCipher(seg.encryption, "segment");
  const s = seg.sectorSize;
  if (s < 512 || s > 4096 || (s & (s - 1)) !== 0) {
    throw new ParaduxError("input", `unsupported luks2 sector size ${s}`);
  }
  if (seg.offset % 512 !== 0) {
    throw new ParaduxError("input", "luks2 segment offset is not sector aligned");
  }
  return {
    offset: seg.offset,
    sectorSize: s,
    ivTweak: seg.ivTweak,
    cipher: seg.encryption,
    size: seg.size,
  };
}

function crypt(
  encrypt: boolean,
  seg: Luks2Segment,
  volumeKey: Uint8Array,
  offsetInSegment: number,
  data: Uint8Array,
): Uint8Array {
  checkCipher(seg.cipher, "segment");
  if (!Number.isSafeInteger(offsetInSegment) || offsetInSegment < 0) {
    throw new RangeError("segment offset must be a non-negative integer");
  }
  if (offsetInSegment % seg.sectorSize !== 0 || data.length % seg.sectorSize !== 0) {
    throw new RangeError(`segment offset and length must be multiples of ${seg.sectorSize}`);
  }
  const first = BigInt(offsetInSegment / 512) + BigInt(seg.ivTweak);
  return xtsSectors(encrypt, volumeKey, seg.sectorSize, first, BigInt(seg.sectorSize / 512), data);
}

/** Decrypts whole sectors starting at `offsetInSegment` (bytes from the segment start). */
export function decryptSegment(
  seg: Luks2Segment,
  volumeKey: Uint8Array,
  offsetInSegment: number,
  data: Uint8Array,
): Uint8Array {
  return crypt(false, seg, volumeKey, offsetInSegment, data);
}

/** Encrypts whole sectors that will be stored at `offsetInSegment` (bytes from the segment start). */
export function encryptSegment(
  seg: Luks2Segment,
  volumeKey: Uint8Array,
  offsetInSegment: number,
  data: Uint8Array,
): Uint8Array {
  return crypt(true, seg, volumeKey, offsetInSegment, data);
}

/**
 * Length in bytes of the data segment in a file of `fileLength` bytes ("dynamic" segments run
 * to the end of the file), rounded down to whole sectors.
 * @throws ParaduxError("input") when the file ends before the segment does (a truncated vault).
 */
export function segmentLength(seg: Luks2Segment, fileLength: number): number {
  const end = seg.size === "dynamic" ? fileLength : seg.offset + seg.size;
  if (end > fileLength || seg.offset > fileLength) {
    throw new ParaduxError("input", "the vault file ends before its luks2 data segment does", {
      hint: "the vault file is truncated; use another copy",
    });
  }
  const len = end - seg.offset;
  return len - (len % seg.sectorSize);
}
