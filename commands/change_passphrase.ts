/**
 * `paradux change-passphrase`: replace the everyday passphrase (keyslot 0). The recovery secret
 * and every share stay valid.
 * @module
 */
import { changePassphrase, withVaultLock } from "../vault/vault.ts";
import { defineCommand } from "./_command.ts";
import {
  everydayKdf,
  newPassphrase,
  openHomeVault,
  PASSPHRASE_OPTION,
  type PassphraseOptions,
  UNLOCK_TIME_OPTION,
  type UnlockTimeOptions,
} from "./_vault.ts";

/** Options of `change-passphrase`. */
export interface ChangePassphraseOptions extends PassphraseOptions, UnlockTimeOptions {
  /** `--new-passphrase-file`. */
  newPassphraseFile?: string;
}

/** The `change-passphrase` command. */
export const command = defineCommand<ChangePassphraseOptions>({
  name: "change-passphrase",
  summary: "change the everyday passphrase",
  description: "Asks for the current passphrase, then the new one twice (or reads them with " +
    "--passphrase-file and --new-passphrase-file; with '-' for both, stdin's first line is the " +
    "current and its second line the new passphrase). Shares and exports stay valid.",
  options: [
    PASSPHRASE_OPTION,
    {
      flags: "--new-passphrase-file <file>",
      description: "read the new everyday passphrase from the first line of FILE ('-': stdin)",
    },
    UNLOCK_TIME_OPTION,
  ],
  async run(options, deps) {
    const pbkdf = everydayKdf(options, deps);
    await withVaultLock(deps.globals.home, async () => {
      const vault = await openHomeVault(options, deps);
      const next = await newPassphrase(options.newPassphraseFile);
      deps.io.progress("changing the passphrase...");
      await changePassphrase(vault, next, pbkdf);
      deps.io.progress("", true);
    });
    deps.io.out("the everyday passphrase was changed");
  },
});
