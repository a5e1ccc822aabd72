/**
 * `paradux export-metadata FILE`: write a vault export, the copy that is published to metadata
 * locations and given to stewards: only the recovery keyslot remains, so only the recovery
 * secret (or k shares of it) opens it.
 * @module
 */
import { resolve } from "node:path";
import { ParaduxError } from "../errors.ts";
import { exportVault, vaultPath } from "../vault/vault.ts";
import { defineCommand } from "./_command.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `export-metadata`. */
export interface ExportOptions extends PassphraseOptions {
  /** The positional FILE. */
  file: string;
}

/** The `export-metadata` command. */
export const command = defineCommand<ExportOptions>({
  name: "export-metadata",
  summary: "write a vault export that only the recovery secret opens",
  description: "Copies the vault, removes the everyday passphrase's keyslot, and checks the " +
    "copy (one keyslot left; the recovery secret opens it, the everyday passphrase does not) " +
    "before writing FILE (mode 0600). An existing FILE is replaced.",
  args: [{ name: "<file>", description: "where to write the export" }],
  options: [PASSPHRASE_OPTION],
  json: true,
  async run(options, deps) {
    if (resolve(options.file) === resolve(vaultPath(deps.globals.home))) {
      throw new ParaduxError("usage", "the export cannot replace the vault itself", {
        hint: "choose another file name",
      });
    }
    const vault = await openHomeVault(options, deps);
    deps.io.progress("exporting...");
    const report = await exportVault(vault, options.file);
    deps.io.progress("", true);
    if (deps.globals.json) deps.io.json(report);
    else {
      deps.io.out(`wrote ${report.path} (${report.size} bytes, keyslot ${report.keyslots[0]})`);
      deps.io.out(
        "it opens only with the recovery secret: cryptsetup open --test-passphrase " +
          `${report.path} checks it`,
      );
    }
  },
});
