/**
 * Installing a recovered vault as the live vault of a home: an export (a copy gets the new
 * everyday keyslot, added with cryptsetup and the mnemonic) or recovered documents (a new LUKS2
 * file with the recovered secrets), staged beside the vault and renamed into place; job files
 * and units are refreshed once, at the end.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { commitTemp, tempPathBeside } from "../system/atomic.ts";
import { luksAddKey, luksDump, type PbkdfOptions } from "../system/cryptsetup.ts";
import type { Documents } from "../vault/documents.ts";
import { refreshUnattended } from "../datasets/units.ts";
import {
  createVault,
  EVERYDAY_PBKDF,
  EVERYDAY_SLOT,
  type OpenedVault,
  openVaultFile,
  RECOVERY_SLOT,
  saveVault,
  vaultPath,
  withVaultLock,
} from "../vault/vault.ts";

/**
 * Installs a vault export as the live vault of `home` with a new everyday passphrase: a copy
 * gets the everyday keyslot (added with the mnemonic), is checked, and renamed into place.
 * @throws ParaduxError `exists` when a vault is there and `force` is not set.
 */
export async function installFromExport(
  home: string,
  exportPath: string,
  mnemonic: string,
  passphrase: Uint8Array,
  options: { force?: boolean; pbkdf?: PbkdfOptions } = {},
): Promise<OpenedVault> {
  return await withVaultLock(home, async () => {
    const path = vaultPath(home);
    await refuseExisting(path, options.force ?? false);
    const secret = new TextEncoder().encode(mnemonic);
    const tmp = tempPathBeside(path);
    try {
      await Deno.copyFile(exportPath, tmp);
      await Deno.chmod(tmp, 0o600);
      await luksAddKey(tmp, secret, passphrase, {
        pbkdf: options.pbkdf ?? EVERYDAY_PBKDF,
        keyslot: EVERYDAY_SLOT,
      });
      const slots = (await luksDump(tmp)).keyslots.map((k) => k.id).sort();
      if (slots.join(",") !== `${EVERYDAY_SLOT},${RECOVERY_SLOT}`) {
        throw new ParaduxError("tool-failed", `unexpected keyslots [${slots.join(", ")}]`, {
          hint: "nothing was installed",
        });
      }
      const opened = await openVaultFile(tmp, passphrase, home);
      await commitTemp(tmp, path);
      await refreshUnattended(opened.docs, home);
      return { ...opened, path };
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  });
}

/**
 * Installs recovered documents (from the paper copy of the metadata) as the live vault of
 * `home`: a new LUKS2 file is made in a private folder beside it, its recovery keyslot is set
 * to the documents' mnemonic and the documents are written, then it is renamed into place.
 * Job files and units are touched once, at the very end, from the recovered documents: a
 * failure on the way leaves the machine's timers as they were.
 * @throws ParaduxError `exists` when a vault is there and `force` is not set.
 */
export async function installFromDocuments(
  home: string,
  docs: Documents,
  passphrase: Uint8Array,
  options: { force?: boolean; pbkdf?: PbkdfOptions } = {},
): Promise<OpenedVault> {
  return await withVaultLock(home, async () => {
    const path = vaultPath(home);
    await refuseExisting(path, options.force ?? false);
    const staging = await Deno.makeTempDir({ dir: home, prefix: ".install-" });
    try {
      const fresh = await createVault(staging, passphrase, {
        secrets: docs.secrets,
        ...(options.pbkdf === undefined ? {} : { pbkdf: options.pbkdf }),
      });
      const made = await saveVault(fresh, docs);
      await commitTemp(made.path, path);
      await refreshUnattended(docs, home);
      return { ...made, path, home };
    } finally {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  });
}

/**
 * Refuses when a vault is at `path` and `force` is not set (checked again by the install, and
 * first by `recover --install`, before any share is read).
 * @throws ParaduxError `exists`.
 */
export async function refuseExisting(path: string, force: boolean): Promise<void> {
  try {
    await Deno.lstat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (!force) {
    throw new ParaduxError("exists", `a vault already exists at ${path}`, {
      hint: "recover into another --vault directory, or pass --force to replace it",
    });
  }
}
