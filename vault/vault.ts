/**
 * The vault file: create, open, save, export and change the everyday passphrase.
 *
 * A vault is a LUKS2 file (`HOME/vault.luks`). Keyslot 0 holds the everyday passphrase
 * (argon2id), keyslot 1 the recovery mnemonic (pbkdf2: 256 random bits need no slow KDF). The
 * data segment ("dynamic": it runs to the end of the file) starts with the payload tar.
 * Header and keyslot work goes through cryptsetup; payload I/O through Paradux's own LUKS2
 * engine, so opening needs neither root nor device-mapper. Opening with the everyday passphrase
 * lets cryptsetup unlock the argon2 keyslot when it is installed (faster: all cores); without
 * cryptsetup the engine unlocks too (see `unlockVault`).
 *
 * Every write replaces the whole file atomically (temp file, fsync, rename, fsync dir): a crash
 * leaves the old or the new vault. Writers hold `HOME/vault.lock` (see {@link withVaultLock}).
 *
 * New everyday keyslots use {@link EVERYDAY_PBKDF} unless the caller passes another KDF (the
 * demo's throwaway vaults, tests); nothing in the environment weakens it.
 * @module
 */
import { dirname, join, resolve } from "node:path";
import {
  dataSegment,
  decryptSegment,
  digestFor,
  encryptSegment,
  type Luks2Header,
  parseLuks2Header,
  segmentLength,
  unlockVolumeKey,
  usableKeyslots,
  verifyVolumeKey,
} from "../crypto/luks2/mod.ts";
import { ParaduxError } from "../errors.ts";
import {
  commitTemp,
  noSpaceError,
  syncDir,
  tempPathBeside,
  writeFileAtomic,
} from "../system/atomic.ts";
import {
  dumpVolumeKey,
  luksAddKey,
  luksDump,
  luksFormat,
  luksKillSlot,
  type PbkdfOptions,
  testPassphrase,
  VAULT_DATA_OFFSET,
} from "../system/cryptsetup.ts";
import { acquireLock } from "../system/lock.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import { type Documents, initialDocuments, type SecretsDoc } from "./documents.ts";
import { decodePayload, encodePayload } from "./payload.ts";
import { hasTool } from "../system/exec.ts";
import { exists } from "../system/exists.ts";

/** Keyslot of the everyday passphrase. */
export const EVERYDAY_SLOT = 0;
/** Keyslot of the recovery mnemonic. */
export const RECOVERY_SLOT = 1;
/** Data segment size of a new vault. */
export const INITIAL_DATA_SIZE = 2 << 20;
/** Largest data segment a vault may grow to. */
export const MAX_DATA_SIZE = 64 << 20;
/** KDF of the recovery keyslot: the mnemonic has 256 random bits, so a slow KDF adds nothing. */
export const RECOVERY_PBKDF: PbkdfOptions = { type: "pbkdf2", hash: "sha256", iterations: 1000 };

/** The vault file in a Paradux home. */
export function vaultPath(home: string): string {
  return join(home, "vault.luks");
}

/** The writers' lock file in a Paradux home. */
export function lockPath(home: string): string {
  return join(home, "vault.lock");
}

/** KDF of the everyday keyslot: argon2id with cryptsetup's benchmarked cost. */
export const EVERYDAY_PBKDF: PbkdfOptions = { type: "argon2id" };

/** An unlocked vault in memory. */
export interface OpenedVault {
  /** The vault file. */
  readonly path: string;
  /** The Paradux home it belongs to (its job files, state and locks). */
  readonly home: string;
  /** The documents as last read or saved. */
  readonly docs: Documents;
  /** The LUKS2 volume key (needed to save). */
  readonly volumeKey: Uint8Array;
  /** The passphrase that opened it. */
  readonly passphrase: Uint8Array;
  /** The keyslot it opened. */
  readonly keyslot: number;
  /** Bytes of the segment the payload used (zeroed on the next save if the new one is shorter). */
  readonly usedBytes: number;
  /** The LUKS2 UUID (a save checks the file on disk is still the same vault). */
  readonly uuid: string;
}

/** What {@link createVault} needs. */
export interface CreateOptions {
  /**
   * The secrets of the new vault, recovery card included: `newVaultSecrets` in
   * stewards/recovery_card.ts, or the recovered secrets when a vault is installed from a copy.
   */
  secrets: SecretsDoc;
  /** The user's name for the user document (optional). */
  userName?: string;
  /** KDF of the everyday keyslot (default {@link EVERYDAY_PBKDF}). */
  pbkdf?: PbkdfOptions;
}

function alreadyExists(path: string): ParaduxError {
  return new ParaduxError("exists", `a vault already exists at ${path}`, {
    hint: "use a different --vault directory, or remove the old vault yourself if you mean it",
  });
}

/** Makes the Paradux home (0700) when missing. */
export async function ensureHome(home: string): Promise<void> {
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
}

/**
 * Creates a new vault in `home` protected by `passphrase`, with fresh secrets and their
 * recovery card.
 * @throws ParaduxError `exists` when a vault is already there.
 */
export async function createVault(
  home: string,
  passphrase: Uint8Array,
  options: CreateOptions,
): Promise<OpenedVault> {
  try {
    return await createVaultFile(home, passphrase, options);
  } catch (e) {
    throw noSpaceError(e, vaultPath(home));
  }
}

async function createVaultFile(
  home: string,
  passphrase: Uint8Array,
  options: CreateOptions,
): Promise<OpenedVault> {
  await ensureHome(home);
  const path = vaultPath(home);
  const lock = await acquireLock(lockPath(home));
  try {
    if (await exists(path)) throw alreadyExists(path);
    const secrets = options.secrets;
    const docs = initialDocuments(secrets, options.userName);
    const volumeKey = crypto.getRandomValues(new Uint8Array(64));
    const tmp = tempPathBeside(path);
    try {
      const f = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
      await f.truncate(VAULT_DATA_OFFSET + INITIAL_DATA_SIZE);
      f.close();
      await withPrivateDir(async (dir) => {
        const keyFile = await dir.writeSecret("volume-key", volumeKey);
        await luksFormat(tmp, passphrase, {
          pbkdf: options.pbkdf ?? EVERYDAY_PBKDF,
          keyslot: EVERYDAY_SLOT,
          volumeKeyFile: keyFile,
        });
        // authorised by the volume key: the everyday keyslot's slow KDF runs once, not twice
        const mnemonic = new TextEncoder().encode(secrets.recoveryMnemonic);
        await luksAddKey(tmp, { volumeKeyFile: keyFile }, mnemonic, {
          pbkdf: RECOVERY_PBKDF,
          keyslot: RECOVERY_SLOT,
        });
      });
      const file = await Deno.readFile(tmp);
      const header = parseLuks2Header(file);
      const { bytes, usedBytes } = sealPayload(file, header, volumeKey, docs, 0);
      await Deno.writeFile(tmp, bytes, { mode: 0o600 });
      await fsyncFile(tmp);
      // link() refuses to replace: two `init`s can never overwrite each other's vault
      try {
        await Deno.link(tmp, path);
      } catch (e) {
        if (e instanceof Deno.errors.AlreadyExists) throw alreadyExists(path);
        throw e;
      }
      await syncDir(home);
      const vault: OpenedVault = {
        path,
        home,
        docs,
        volumeKey,
        passphrase,
        keyslot: EVERYDAY_SLOT,
        usedBytes,
        uuid: header.uuid,
      };
      return vault;
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  } finally {
    await lock.release();
  }
}

async function fsyncFile(path: string): Promise<void> {
  const f = await Deno.open(path, { read: true, write: true });
  try {
    await f.sync();
  } finally {
    f.close();
  }
}

/**
 * Encrypts `docs` into a copy of `file` (growing it when the payload does not fit).
 * Returns the new file bytes.
 */
function sealPayload(
  file: Uint8Array,
  header: ReturnType<typeof parseLuks2Header>,
  volumeKey: Uint8Array,
  docs: Documents,
  oldUsed: number,
  maxDataSize = MAX_DATA_SIZE,
): { bytes: Uint8Array; usedBytes: number } {
  const seg = dataSegment(header);
  const payload = encodePayload(docs, seg.sectorSize, Math.floor(Date.now() / 1000));
  let segLen = segmentLength(seg, file.length);
  let out: Uint8Array;
  if (payload.length <= segLen) {
    out = file.slice();
  } else {
    if (seg.size !== "dynamic") {
      throw new ParaduxError("capacity", "the vault is full", { hint: "remove some entries" });
    }
    if (payload.length > maxDataSize) {
      throw new ParaduxError(
        "capacity",
        `the documents need ${payload.length} bytes, more than the vault's limit of ${maxDataSize}`,
        { hint: "shorten notes or remove entries; nothing was changed" },
      );
    }
    // room to grow: twice what is needed, in whole MiB, within the limit
    const want = Math.min(maxDataSize, Math.ceil((payload.length * 2) / (1 << 20)) * (1 << 20));
    out = new Uint8Array(seg.offset + want);
    out.set(file.subarray(0, seg.offset + segLen));
    // the new tail must not decrypt to anything meaningful: fill it with random bytes
    for (let at = seg.offset + segLen; at < out.length; at += 65536) {
      crypto.getRandomValues(out.subarray(at, Math.min(out.length, at + 65536)));
    }
    segLen = want;
  }
  // zero what the old payload used beyond the new one, so no stale document text survives
  const clearTo = Math.min(
    segLen,
    Math.ceil(Math.max(oldUsed, payload.length) / seg.sectorSize) *
      seg.sectorSize,
  );
  const plain = new Uint8Array(clearTo);
  plain.set(payload);
  out.set(encryptSegment(seg, volumeKey, 0, plain), seg.offset);
  return { bytes: out, usedBytes: payload.length };
}

/**
 * Opens the vault file at `path` with a passphrase (everyday or recovery mnemonic).
 * @throws ParaduxError `not-found` (no vault), `auth` (wrong passphrase), `input` (damaged).
 */
export async function openVaultFile(
  path: string,
  passphrase: Uint8Array,
  home = "",
): Promise<OpenedVault> {
  let file: Uint8Array;
  try {
    file = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `no vault at ${path}`, {
        hint: "create one with 'paradux init', or pass --vault DIR",
      });
    }
    throw e;
  }
  const header = parseLuks2Header(file);
  const seg = dataSegment(header);
  const { volumeKey, keyslot } = await unlockVault(path, header, file, passphrase);
  const len = segmentLength(seg, file.length);
  const plain = decryptSegment(seg, volumeKey, 0, file.subarray(seg.offset, seg.offset + len));
  const { docs, usedBytes } = decodePayload(plain);
  return { path, home, docs, volumeKey, passphrase, keyslot, usedBytes, uuid: header.uuid };
}

/**
 * The volume key `passphrase` opens. cryptsetup's argon2 runs its lanes on every core, the
 * engine's on one (3x slower on 2 cores, `deno task bench luks2`), so with cryptsetup installed
 * and one argon2 keyslot (the everyday passphrase's): the engine tries the cheap pbkdf2 keyslots
 * (the recovery secret's), then cryptsetup opens the argon2 one (it cannot be another: they
 * were ruled out), and the key it gives is checked against the header's digest. Without
 * cryptsetup (a borrowed machine) or for an export (no argon2 keyslot), the engine does it all.
 */
async function unlockVault(
  path: string,
  header: Luks2Header,
  file: Uint8Array,
  passphrase: Uint8Array,
): Promise<{ volumeKey: Uint8Array; keyslot: number }> {
  const slots = usableKeyslots(header);
  const cheap = slots.filter((id) => header.json.keyslots[id]?.kdf?.type === "pbkdf2");
  const [slow, ...more] = slots.filter((id) => !cheap.includes(id));
  if (slow === undefined || more.length > 0 || !hasTool("cryptsetup")) {
    return await unlockVolumeKey(header, file, passphrase);
  }
  for (const id of cheap) {
    try {
      return await unlockVolumeKey(header, file, passphrase, Number(id));
    } catch (e) {
      if (!(e instanceof ParaduxError) || e.kind !== "auth") throw e;
    }
  }
  let key: Uint8Array;
  try {
    key = await dumpVolumeKey(path, passphrase);
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    if (e.kind !== "auth") return await unlockVolumeKey(header, file, passphrase, Number(slow));
    throw new ParaduxError("auth", "wrong passphrase (no keyslot opens)", {
      hint: "check the passphrase and try again",
    });
  }
  if (await verifyVolumeKey(key, digestFor(header, slow))) {
    return { volumeKey: key, keyslot: Number(slow) };
  }
  key.fill(0);
  throw new ParaduxError("input", `${path} changed while it was opened`, {
    hint: "is another program writing the vault? try again",
  });
}

/** Opens the vault of a Paradux home. */
export function openVault(home: string, passphrase: Uint8Array): Promise<OpenedVault> {
  return openVaultFile(vaultPath(home), passphrase, home);
}

/** Options for {@link saveVault}. */
export interface SaveOptions {
  /** Largest data segment the vault may grow to (default {@link MAX_DATA_SIZE}). */
  maxDataSize?: number;
}

/**
 * Writes `docs` into the vault atomically. The caller should hold the lock
 * ({@link withVaultLock}) from open to save, and afterwards refresh what depends on the
 * documents (the command does: commands/_publish.ts `afterVaultChange`).
 * @throws ParaduxError `input` for invalid documents, `capacity` when too big (nothing changes).
 */
export async function saveVault(
  vault: OpenedVault,
  docs: Documents,
  options: SaveOptions = {},
): Promise<OpenedVault> {
  const file = await Deno.readFile(vault.path);
  const header = parseLuks2Header(file);
  if (header.uuid !== vault.uuid) {
    throw new ParaduxError("input", `${vault.path} is no longer the vault that was opened`, {
      hint: "open it again and repeat the change",
    });
  }
  const { bytes, usedBytes } = sealPayload(
    file,
    header,
    vault.volumeKey,
    docs,
    vault.usedBytes,
    options.maxDataSize,
  );
  await writeFileAtomic(vault.path, bytes, { mode: 0o600 });
  return { ...vault, docs, usedBytes };
}

/** Removes temp files an interrupted save left beside the vault (call with the lock held). */
export async function removeStaleTemps(home: string): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(home)) {
      if (!/^\.vault\.luks\.[0-9a-f]+\.tmp$/.test(entry.name)) continue;
      await Deno.remove(join(home, entry.name)).catch(() => {});
      removed.push(entry.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return removed;
}

/**
 * Runs `fn` while holding the vault's writer lock (`locked` error if another process has it).
 * Temp files of an earlier, interrupted save are removed first.
 */
export async function withVaultLock<T>(home: string, fn: () => Promise<T>): Promise<T> {
  await ensureHome(home);
  const lock = await acquireLock(lockPath(home));
  try {
    await removeStaleTemps(home);
    return await fn();
  } finally {
    await lock.release();
  }
}

/** What an export check found. */
export interface ExportReport {
  /** The exported file. */
  path: string;
  /** Keyslots left (always `[1]`). */
  keyslots: number[];
  /** Size in bytes. */
  size: number;
}

/**
 * Writes a vault export to `dest`: a copy with only the recovery keyslot, checked with
 * luksDump (one slot), cryptsetup (the mnemonic opens it, the everyday passphrase does not) and
 * Paradux's engine (it decrypts to the same documents). Mode 0600, atomic.
 * @throws ParaduxError `tool-failed` when a check fails (nothing is written then).
 */
export async function exportVault(vault: OpenedVault, dest: string): Promise<ExportReport> {
  await checkDestination(dest);
  const mnemonic = new TextEncoder().encode(vault.docs.secrets.recoveryMnemonic);
  // the copy holds the everyday keyslot until luksKillSlot: it is made beside the vault (the
  // private home, where an interrupted export's copy is removed with the other stale temps),
  // never at the destination; only the checked, stripped bytes are written there
  const work = tempPathBeside(vault.path);
  const tmp = tempPathBeside(dest);
  try {
    await Deno.copyFile(vault.path, work);
    await Deno.chmod(work, 0o600);
    await luksKillSlot(work, EVERYDAY_SLOT, mnemonic);
    const dump = await luksDump(work);
    const slots = dump.keyslots.map((k) => k.id);
    const failed = (what: string) =>
      new ParaduxError("tool-failed", `the vault export failed its check: ${what}`, {
        hint: "nothing was exported; run 'paradux doctor' and report this",
      });
    if (slots.length !== 1 || slots[0] !== RECOVERY_SLOT) {
      throw failed(`keyslots [${slots.join(", ")}] instead of [${RECOVERY_SLOT}]`);
    }
    if (!(await testPassphrase(work, mnemonic, RECOVERY_SLOT))) {
      throw failed("the recovery secret does not open it");
    }
    if (await testPassphrase(work, vault.passphrase)) {
      throw failed("the everyday passphrase still opens it");
    }
    const check = await openVaultFile(work, mnemonic);
    if (JSON.stringify(check.docs) !== JSON.stringify(vault.docs)) {
      throw failed("its documents differ from the vault's");
    }
    const bytes = await Deno.readFile(work);
    await Deno.writeFile(tmp, bytes, { mode: 0o600, createNew: true });
    await fsyncFile(tmp);
    await commitTemp(tmp, dest);
    return { path: dest, keyslots: slots, size: bytes.length };
  } catch (e) {
    throw noSpaceError(e, dest);
  } finally {
    await Deno.remove(work).catch(() => {});
    await Deno.remove(tmp).catch(() => {});
  }
}

async function checkDestination(dest: string): Promise<void> {
  try {
    if ((await Deno.stat(dest)).isDirectory) {
      throw new ParaduxError("usage", `${dest} is a directory`, {
        hint: "name the export file, e.g. DIR/vault-export.luks",
      });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    if (!(await Deno.stat(dirname(resolve(dest)))).isDirectory) throw new Deno.errors.NotFound();
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
    throw new ParaduxError("not-found", `the directory of ${dest} does not exist`, {
      hint: "create it first, or choose another place",
    });
  }
}

/**
 * Replaces the everyday passphrase (keyslot 0) atomically: on a copy, kill slot 0 (authorised
 * by the recovery mnemonic), add the new passphrase in slot 0, check, rename into place.
 */
export async function changePassphrase(
  vault: OpenedVault,
  newPassphrase: Uint8Array,
  pbkdf: PbkdfOptions = EVERYDAY_PBKDF,
): Promise<OpenedVault> {
  const mnemonic = new TextEncoder().encode(vault.docs.secrets.recoveryMnemonic);
  const tmp = tempPathBeside(vault.path);
  try {
    await Deno.copyFile(vault.path, tmp);
    await Deno.chmod(tmp, 0o600);
    await luksKillSlot(tmp, EVERYDAY_SLOT, mnemonic);
    await luksAddKey(tmp, mnemonic, newPassphrase, { pbkdf, keyslot: EVERYDAY_SLOT });
    const slots = (await luksDump(tmp)).keyslots.map((k) => k.id);
    if (slots.join(",") !== `${EVERYDAY_SLOT},${RECOVERY_SLOT}`) {
      throw new ParaduxError("tool-failed", `unexpected keyslots [${slots.join(", ")}]`, {
        hint: "nothing was changed",
      });
    }
    await fsyncFile(tmp);
    await commitTemp(tmp, vault.path);
    return { ...vault, passphrase: newPassphrase, keyslot: EVERYDAY_SLOT };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}

/**
 * Replaces the recovery keyslot and the documents in one atomic step: on a copy, kill the
 * recovery slot (authorised by the everyday passphrase), add `docs.secrets.recoveryMnemonic`,
 * write `docs`, check, rename into place. Used by `change-secrets --recovery` (which then
 * refreshes the job files and units).
 */
export async function replaceRecoverySecret(
  vault: OpenedVault,
  docs: Documents,
): Promise<OpenedVault> {
  const secret = new TextEncoder().encode(docs.secrets.recoveryMnemonic);
  const tmp = tempPathBeside(vault.path);
  try {
    await Deno.copyFile(vault.path, tmp);
    await Deno.chmod(tmp, 0o600);
    await luksKillSlot(tmp, RECOVERY_SLOT, vault.passphrase);
    await luksAddKey(tmp, vault.passphrase, secret, {
      pbkdf: RECOVERY_PBKDF,
      keyslot: RECOVERY_SLOT,
    });
    if (!(await testPassphrase(tmp, secret, RECOVERY_SLOT))) {
      throw new ParaduxError("tool-failed", "the new recovery keyslot does not open", {
        hint: "nothing was changed",
      });
    }
    const saved = await saveVault({ ...vault, path: tmp }, docs);
    await commitTemp(tmp, vault.path);
    return { ...saved, path: vault.path };
  } finally {
    await Deno.remove(tmp).catch(() => {});
  }
}
