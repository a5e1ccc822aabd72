/**
 * Paradux's LUKS2 engine: reads cryptsetup-made LUKS2 files without root, cryptsetup or
 * device-mapper. Parse the header, unlock a keyslot with a passphrase, and decrypt or encrypt
 * whole sectors of the data segment (aes-xts-plain64). Pure functions over bytes.
 *
 * ```ts
 * const header = parseLuks2Header(file);
 * const { volumeKey } = await unlockVolumeKey(header, file, passphrase);
 * const seg = dataSegment(header);
 * const plain = decryptSegment(seg, volumeKey, 0, file.subarray(seg.offset));
 * ```
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
export { unlockVolumeKey, usableKeyslots, verifyVolumeKey } from "./unlock.ts";
