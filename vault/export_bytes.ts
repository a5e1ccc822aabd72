/**
 * Opening a vault export held in memory (the recovery kit in a browser has bytes, not a path):
 * the same LUKS2 engine and payload decoder as `openVaultFile`, with no file system, no
 * cryptsetup and no process. An export has only the recovery keyslot (pbkdf2), so the engine
 * does it all.
 * @module
 */
import {
  dataSegment,
  decryptSegment,
  parseLuks2Header,
  segmentLength,
  unlockVolumeKey,
} from "../crypto/luks2/mod.ts";
import { ParaduxError } from "../errors.ts";
import type { Documents } from "./documents.ts";
import { decodePayload } from "./payload.ts";

/**
 * The documents of a vault export (`file`, its bytes) opened with the recovery mnemonic;
 * `name` names it in messages.
 * @throws ParaduxError `auth` (the mnemonic does not open it), `input` (damaged, not LUKS2).
 */
export async function openExportBytes(
  file: Uint8Array,
  mnemonic: string,
  name: string,
): Promise<Documents> {
  try {
    const header = parseLuks2Header(file);
    const seg = dataSegment(header);
    const { volumeKey } = await unlockVolumeKey(header, file, new TextEncoder().encode(mnemonic));
    const len = segmentLength(seg, file.length);
    const plain = decryptSegment(seg, volumeKey, 0, file.subarray(seg.offset, seg.offset + len));
    volumeKey.fill(0);
    return decodePayload(plain).docs;
  } catch (e) {
    if (e instanceof ParaduxError && e.kind === "auth") {
      throw new ParaduxError("auth", `the recovery secret does not open ${name}`, {
        hint: "is it an export of this vault, made with the current recovery secret?",
        cause: e,
      });
    }
    if (e instanceof ParaduxError && e.kind === "input") {
      throw new ParaduxError("input", `${name} is damaged: ${e.message}`, {
        hint: "use the vault export from another metadata location",
        cause: e,
      });
    }
    throw e;
  }
}
