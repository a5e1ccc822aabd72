/**
 * `paradux publish-metadata [--location NAME]`: export the vault (everyday keyslot removed,
 * checked) and upload it to every metadata location; one line per location. A failure at one
 * location does not stop the others; the exit code says `partial` when some failed.
 * @module
 */
import { publishError, publishVault } from "../vault/publish.ts";
import { defineCommand } from "./_command.ts";
import { printPublishReport } from "./_publish.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `publish-metadata`. */
export interface PublishOptions extends PassphraseOptions {
  /** `--location NAME`: only this location. */
  location?: string;
}

/** The `publish-metadata` command. */
export const command = defineCommand<PublishOptions>({
  name: "publish-metadata",
  summary: "upload a vault export to every metadata location",
  description: "Exports the vault (only the recovery keyslot remains; checked before upload) " +
    "and uploads it as vault-export.luks to each metadata location, replacing the old copy. " +
    "A failing location does not stop the others: exit 1 (partial) when some failed, 9 when " +
    "all did. Runs automatically after every saved edit unless settings.publishAfterEdit is false.",
  options: [
    PASSPHRASE_OPTION,
    { flags: "--location <name>", description: "publish to this metadata location only" },
  ],
  json: true,
  async run(options, deps) {
    const { io, globals } = deps;
    const vault = await openHomeVault(options, deps);
    io.progress("exporting and publishing...");
    const report = await publishVault(vault, {
      ...(options.location === undefined ? {} : { only: [options.location] }),
      onLocation: (m) => io.progress(`publishing to ${m.name}...`),
    });
    io.progress("", true);
    if (globals.json) io.json(report);
    else printPublishReport(io, report);
    const error = publishError(report);
    if (error !== null) throw error;
  },
});
