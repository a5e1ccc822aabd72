/**
 * Paradux's LUKS2 engine: reads and writes the payload of cryptsetup-made LUKS2 files without
 * root, cryptsetup or device-mapper. Parse the header, unlock a keyslot with a passphrase, and
 * decrypt or encrypt whole sectors of the data segment (aes-xts-plain64). Pure functions over
 * bytes; only the KDFs are async.
 *
 * ```ts
 * const header = parseLuks2Header(file);
 * const { volumeKey } = await unlockVolumeKey(header, file, passphrase);
 * const seg = dataSegment(header);
 * const len = segmentLength(seg, file.length);
 * const plain = decryptSegment(seg, volumeKey, 0, file.subarray(seg.offset, seg.offset + len));
 * ```
 *
 * Supported: LUKS2 headers of 16 KiB to 4 MiB with sha1/sha256/sha384/sha512 checksums;
 * keyslots with pbkdf2 (sha1/256/384/512), argon2i or argon2id (hash-wasm, single-threaded;
 * cryptsetup's 4 GiB maximum memory cost is refused as an input error), luks1 AF with those
 * hashes, 256- or 512-bit aes-xts-plain64 keys; one crypt segment with 512..4096-byte sectors.
 * Other ciphers and headers in the middle of a reencryption are input errors; tokens are ignored.
 *
 * Byte-for-byte agreement with cryptsetup 2.6.1 is tested in both directions in
 * tests/integration/luks2_engine_test.ts (recipes documented there).
 * @module
 */
export { type Luks2Header, parseLuks2Header } from "./header.ts";
export type { Luks2Digest, Luks2Json, Luks2Kdf, Luks2Keyslot, Luks2SegmentJson } from "./json.ts";
export {
  dataSegment,
  decryptSegment,
  encryptSegment,
  type Luks2Segment,
  segmentLength,
  SUPPORTED_CIPHER,
} from "./segment.ts";
export { digestFor, unlockVolumeKey, usableKeyslots, verifyVolumeKey } from "./unlock.ts";
