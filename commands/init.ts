/**
 * `paradux init` (alias `setup`): create the vault with a new everyday passphrase, a fresh
 * recovery secret, signing key and data key. The recovery secret is not shown: it lives only in
 * the vault, on the recovery card and in the stewards' shares.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { createVault, vaultPath } from "../vault/vault.ts";
import { refreshUnattended } from "../datasets/units.ts";
import { defineCommand } from "./_command.ts";
import {
  DEFAULT_UNLOCK_MS,
  everydayKdf,
  newPassphrase,
  PASSPHRASE_OPTION,
  type PassphraseOptions,
  UNLOCK_TIME_OPTION,
  type UnlockTimeOptions,
} from "./_vault.ts";
import { newVaultSecrets } from "../stewards/recovery_card.ts";

/** Options of `init`. */
export interface InitOptions extends PassphraseOptions, UnlockTimeOptions {
  /** `--min-stewards K`. */
  minStewards?: string;
  /** `--name NAME`. */
  name?: string;
}

/** The passphrase check's target time in seconds, for messages. */
function unlockSeconds(options: UnlockTimeOptions): string {
  return String(Number(options.unlockTime ?? DEFAULT_UNLOCK_MS) / 1000);
}

/** Parses `--min-stewards`. */
export function parseThreshold(value: string | undefined): number {
  const k = Number(value ?? "2");
  if (!/^[0-9]+$/.test(value ?? "2") || k < 2 || k > 255) {
    throw new ParaduxError("usage", `--min-stewards must be a whole number from 2 to 255`, {
      hint: "how many stewards must come together to recover, e.g. --min-stewards 3",
    });
  }
  return k;
}

/** The `init` command. */
export const command = defineCommand<InitOptions>({
  name: "init",
  aliases: ["setup"],
  summary: "create the encrypted vault",
  description: "Asks for a new everyday passphrase (twice) unless --passphrase-file is given, " +
    "and creates HOME/vault.luks with a fresh recovery secret, signing key and data key. " +
    "Refuses to overwrite an existing vault.",
  options: [
    {
      ...PASSPHRASE_OPTION,
      description: "read the new everyday passphrase from FILE ('-': stdin)",
    },
    {
      flags: "--min-stewards <k>",
      description: "how many stewards must come together to recover (at least 2)",
      default: "2",
    },
    { flags: "--name <name>", description: "your name, for the user document" },
    UNLOCK_TIME_OPTION,
  ],
  async run(options, deps) {
    const { globals, io } = deps;
    const k = parseThreshold(options.minStewards);
    const path = vaultPath(globals.home);
    try {
      await Deno.lstat(path);
      throw new ParaduxError("exists", `a vault already exists at ${path}`, {
        hint: "use a different --vault directory, or remove the old vault yourself if you mean it",
      });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const pbkdf = everydayKdf(options, deps);
    const passphrase = await newPassphrase(options.passphraseFile);
    io.progress(
      "creating the vault: cryptsetup measures this machine to make the passphrase check take " +
        `about ${unlockSeconds(options)} s (slow on purpose, so guessing is slow too)...`,
    );
    const vault = await createVault(globals.home, passphrase, {
      secrets: await newVaultSecrets(k, options.name),
      pbkdf,
      ...(options.name === undefined ? {} : { userName: options.name }),
    });
    await refreshUnattended(vault.docs, vault.home);
    io.progress("", true);
    io.out(`created the vault ${vault.path}`);
    io.out(`${k} stewards will be needed to recover it.`);
    io.out("");
    io.out("The recovery secret was generated inside the vault and is not shown: it will be");
    io.out("printed on the recovery card and split into the stewards' shares.");
    io.out("Remember your everyday passphrase: it is stored nowhere.");
    io.out(
      `Each command that opens the vault takes about ${unlockSeconds(options)} s to check it ` +
        "(--unlock-time at init or change-passphrase sets that).",
    );
    io.out("");
    io.out("next steps:");
    io.out("  paradux edit-user                 your name and contact details");
    io.out("  paradux edit-stewards             the friends who will keep shares");
    io.out("  paradux edit-datasets             what to back up, and where to");
    io.out("  paradux edit-metadata-locations   where to publish vault copies");
    io.out("  paradux status                    check the result");
  },
});
