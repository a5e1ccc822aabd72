/**
 * Opening a keyslot: derive the area key from the passphrase, decrypt the keyslot area
 * (aes-xts-plain64, 512-byte sectors, IV from 0), merge the anti-forensic stripes, and accept the
 * result only when the keyslot's PBKDF2 digest matches.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import { afMerge } from "./af.ts";
import type { Luks2Header } from "./header.ts";
import type { Luks2Digest, Luks2Keyslot } from "./json.ts";
import { deriveKey, pbkdf2 } from "./kdf.ts";
import { checkCipher } from "./cipher.ts";
import { xtsSectors } from "./xts.ts";

/** The keyslot ids that can be tried with a passphrase, high priority first. */
export function usableKeyslots(header: Luks2Header): string[] {
  const slots = Object.entries(header.json.keyslots)
    .filter(([, k]) => k.type === "luks2" && k.priority > 0);
  slots.sort(([a, ka], [b, kb]) => kb.priority - ka.priority || Number(a) - Number(b));
  return slots.map(([id]) => id);
}

/** The digest that covers `slotId`. */
export function digestFor(header: Luks2Header, slotId: string): Luks2Digest {
  const found = Object.values(header.json.digests).find((d) => d.keyslots.includes(slotId));
  if (found === undefined) {
    throw new ParaduxError("input", `luks2 keyslot ${slotId} has no digest`);
  }
  return found;
}

/** True when `volumeKey` matches `digest`. */
export async function verifyVolumeKey(
  volumeKey: Uint8Array,
  digest: Luks2Digest,
): Promise<boolean> {
  const got = await pbkdf2(
    digest.hash,
    volumeKey,
    digest.salt,
    digest.iterations,
    digest.digest.length,
  );
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff |= got[i]! ^ digest.digest[i]!;
  return diff === 0 && got.length === digest.digest.length;
}

/** The key material a keyslot hides, before verification (undefined never; throws on bad layout). */
export async function openKeyslot(
  slot: Luks2Keyslot,
  file: Uint8Array,
  passphrase: Uint8Array,
  slotId: string,
): Promise<Uint8Array> {
  const { af, area, kdf } = slot;
  if (af === undefined || area === undefined || kdf === undefined) {
    throw new ParaduxError("input", `luks2 keyslot ${slotId} holds no key`);
  }
  if (af.type !== "luks1") {
    throw new ParaduxError(
      "input",
      `unsupported af type '${af.type.slice(0, 20)}' in keyslot ${slotId}`,
    );
  }
  if (area.type !== "raw") {
    throw new ParaduxError(
      "input",
      `unsupported area type '${area.type.slice(0, 20)}' in keyslot ${slotId}`,
    );
  }
  checkCipher(area.encryption, `keyslot ${slotId}`);
  const materialLength = slot.keySize * af.stripes;
  const sectors = Math.ceil(materialLength / 512) * 512;
  if (sectors > area.size) {
    throw new ParaduxError("input", `luks2 keyslot ${slotId} area is too small for its key`);
  }
  if (area.offset + sectors > file.length) {
    throw new ParaduxError(
      "input",
      `luks2 keyslot ${slotId} area lies beyond the end of the file`,
      {
        hint: "the vault file is truncated",
      },
    );
  }
  const areaKey = await deriveKey(kdf, passphrase, area.keySize);
  const material = xtsSectors(
    false,
    areaKey,
    512,
    0n,
    1n,
    file.subarray(area.offset, area.offset + sectors),
  );
  areaKey.fill(0);
  try {
    return afMerge(material, slot.keySize, af.stripes, af.hash);
  } finally {
    material.fill(0);
  }
}

/**
 * Recovers the volume key with `passphrase`, trying the given keyslot or every usable one.
 * @throws ParaduxError("auth") when no keyslot opens; ("input") when the header is unusable.
 */
export async function unlockVolumeKey(
  header: Luks2Header,
  file: Uint8Array,
  passphrase: Uint8Array,
  keyslot?: number,
): Promise<{ volumeKey: Uint8Array; keyslot: number }> {
  const ids = keyslot === undefined ? usableKeyslots(header) : [String(keyslot)];
  if (keyslot !== undefined) {
    const slot = header.json.keyslots[String(keyslot)];
    if (slot === undefined || slot.type !== "luks2") {
      throw new ParaduxError("not-found", `luks2 keyslot ${keyslot} is not in use`);
    }
  }
  if (ids.length === 0) {
    throw new ParaduxError("input", "luks2 header has no usable keyslot");
  }
  let structural: ParaduxError | undefined;
  let tried = 0;
  for (const id of ids) {
    let volumeKey: Uint8Array;
    try {
      const slot = header.json.keyslots[id]!;
      const digest = digestFor(header, id);
      volumeKey = await openKeyslot(slot, file, passphrase, id);
      tried++;
      if (await verifyVolumeKey(volumeKey, digest)) return { volumeKey, keyslot: Number(id) };
    } catch (e) {
      // a damaged or unsupported keyslot must not hide another one that opens
      if (!(e instanceof ParaduxError) || keyslot !== undefined) throw e;
      structural ??= e;
      continue;
    }
    volumeKey.fill(0);
  }
  if (tried === 0 && structural !== undefined) throw structural;
  throw new ParaduxError(
    "auth",
    keyslot === undefined
      ? "wrong passphrase (no keyslot opens)"
      : `wrong passphrase for keyslot ${keyslot}`,
    { hint: "check the passphrase and try again" },
  );
}
