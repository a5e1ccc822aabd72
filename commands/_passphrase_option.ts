/**
 * The `--passphrase-file` option of the commands that open the vault, apart from the code that
 * opens it (commands/_vault.ts), so a command can declare the option without loading the vault
 * module graph before it knows it needs it (`backup --job` never does).
 * @module
 */
import type { OptionSpec } from "./_command.ts";

/** The option every command that opens the vault has. */
export const PASSPHRASE_OPTION: OptionSpec = {
  flags: "--passphrase-file <file>",
  description: "read the everyday passphrase from the first line of FILE ('-' for stdin)",
};

/** Options of commands that open the vault. */
export interface PassphraseOptions {
  /** `--passphrase-file`. */
  passphraseFile?: string;
}
