/**
 * `paradux change-secrets`: rotate the vault's secrets.
 * - `--data-key`: a new age X25519 data key generation; archives made from now on are encrypted
 *   to it, the old identities stay in the vault so older encrypted copies remain restorable.
 *   Job files get the new recipient when they are rewritten after the save.
 * - `--recovery`: a new recovery secret (new recovery keyslot), recovery card and share set for
 *   every steward; old packages become stale (see {@link rotateRecovery}).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { cardOf, withNewRecoverySecret } from "../stewards/recovery_card.ts";
import { issueShares } from "../stewards/shares.ts";
import { rotateDataKey } from "../datasets/data_keys.ts";
import type { Documents } from "../vault/documents.ts";
import {
  type OpenedVault,
  replaceRecoverySecret,
  saveVault,
  withVaultLock,
} from "../vault/vault.ts";
import { defineCommand, type Deps } from "./_command.ts";
import { afterVaultChange } from "./_publish.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `change-secrets`. */
export interface ChangeSecretsOptions extends PassphraseOptions {
  /** `--data-key`. */
  dataKey?: boolean;
  /** `--recovery`. */
  recovery?: boolean;
}

/** What one rotation changed: new documents plus lines to report. */
export interface Rotation {
  /** The documents after the rotation. */
  docs: Documents;
  /** One line per change, for the output. */
  report: string[];
}

/** `--data-key`: a new data key generation; the old one is kept for restoring. */
export async function rotateDataKeyDocs(docs: Documents, now = new Date()): Promise<Rotation> {
  const { secrets, key } = await rotateDataKey(docs.secrets, now);
  return {
    docs: { ...docs, secrets },
    report: [
      `new data key: generation ${key.generation}, recipient ${key.recipient}`,
      `older generations are kept, so copies encrypted to them stay restorable`,
    ],
  };
}

/**
 * `--recovery`: a new recovery secret with its recovery card, and a new share set issued to
 * every steward; the old shares are kept as retired (their packages show as stale). The caller
 * must store it with {@link replaceRecoverySecret} (the recovery keyslot changes too).
 */
export async function rotateRecovery(
  _vault: OpenedVault,
  docs: Documents,
  _deps: Deps,
  now = new Date(),
): Promise<Rotation> {
  const secrets = await withNewRecoverySecret(docs.secrets, docs.user.name, now);
  const issued = await issueShares({ ...docs, secrets }, now);
  const card = cardOf(issued.docs.secrets);
  return {
    docs: issued.docs,
    report: [
      `new recovery secret, recovery card ${card.docIdHex} and share set`,
      ...issued.issued.map((s) => `issued share ${s.index} to steward ${s.stewardId}`),
      "every steward package made before now is stale: give the stewards new ones " +
      "(paradux export-steward-packages) and ask them to destroy the old ones",
      "warning: vault exports made before now still open with the old shares until they are " +
      "replaced: run 'paradux publish-metadata' and replace exports on USB kits",
    ],
  };
}

/** The `change-secrets` command. */
export const command = defineCommand<ChangeSecretsOptions>({
  name: "change-secrets",
  summary: "rotate the data key (--data-key) or the recovery secret (--recovery)",
  description: "--data-key makes a new age data key generation: later encrypted copies use it, " +
    "older copies stay restorable because the old keys are kept in the vault. --recovery makes " +
    "a new recovery secret, recovery card and share set.",
  options: [
    PASSPHRASE_OPTION,
    { flags: "--data-key", description: "make a new data key generation" },
    { flags: "--recovery", description: "make a new recovery secret and share set" },
  ],
  async run(options, deps) {
    if (options.dataKey !== true && options.recovery !== true) {
      throw new ParaduxError("usage", "say what to change: --data-key and/or --recovery", {
        hint: "paradux change-secrets --data-key",
      });
    }
    const report = await withVaultLock(deps.globals.home, async () => {
      const vault = await openHomeVault(options, deps);
      let docs = vault.docs;
      const lines: string[] = [];
      if (options.dataKey === true) {
        const r = await rotateDataKeyDocs(docs);
        docs = r.docs;
        lines.push(...r.report);
      }
      if (options.recovery === true) {
        const r = await rotateRecovery(vault, docs, deps);
        docs = r.docs;
        lines.push(...r.report);
      }
      deps.io.progress("saving the vault...");
      if (options.recovery === true) {
        // old exports at the metadata locations open with the old shares: replace them now
        await afterVaultChange(await replaceRecoverySecret(vault, docs), deps);
      } else {
        // exports at the metadata locations lack the new identity until they are replaced
        await afterVaultChange(await saveVault(vault, docs), deps);
      }
      deps.io.progress("", true);
      return lines;
    });
    deps.io.out(report.join("\n"));
  },
});
