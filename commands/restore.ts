/**
 * `paradux restore DATASET [--from LOCATION] [--to DIR] [--snapshot ID] [--force] [--list]`:
 * bring a snapshot of a dataset back from one of its destinations (default: the destination
 * with the newest success, the newest snapshot, into the local copy). A non-empty target is
 * replaced only with `--force`, and only once the restored copy is complete.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { listSnapshots, restoreDataset, restoreSource } from "../datasets/backup.ts";
import { allDataKeys } from "../datasets/data_keys.ts";
import { readState } from "../datasets/state.ts";
import { defineCommand } from "./_command.ts";
import { findDataset, formatBytes, formatTime } from "./_datasets.ts";
import { countOf } from "./_io.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `restore`. */
export interface RestoreCommandOptions extends PassphraseOptions {
  /** The dataset. */
  dataset: string;
  /** `--from LOCATION`. */
  from?: string;
  /** `--to DIR`. */
  to?: string;
  /** `--snapshot ID`. */
  snapshot?: string;
  /** `--force`. */
  force?: boolean;
  /** `--list`. */
  list?: boolean;
}

/** The `restore` command. */
export const command = defineCommand<RestoreCommandOptions>({
  name: "restore",
  summary: "bring a dataset back from one of its destinations",
  description:
    "Restores a snapshot (default: the newest) from a destination (default: the one with the\n" +
    "newest successful backup) into DIR (default: the dataset's local copy). A non-empty\n" +
    "target is refused unless --force, which replaces it once the restored copy is complete.\n" +
    "--list shows the snapshots the destination holds instead.",
  args: [{ name: "<dataset>", description: "the dataset to restore" }],
  options: [
    { flags: "--from <location>", description: "the destination to restore from" },
    { flags: "--to <dir>", description: "restore into DIR instead of the local copy" },
    { flags: "--snapshot <id>", description: "restore this snapshot instead of the newest" },
    { flags: "--force", description: "replace a non-empty target directory" },
    { flags: "--list", description: "list the destination's snapshots; restore nothing" },
    PASSPHRASE_OPTION,
  ],
  json: true,
  async run(options, deps) {
    const { io, globals } = deps;
    const vault = await openHomeVault(options, deps);
    const dataset = findDataset(vault.docs.datasets.datasets, options.dataset);
    if (options.list === true) {
      const destination = restoreSource(dataset, await readState(globals.home), options.from);
      io.progress(`listing the snapshots at ${destination.name}...`);
      const snapshots = await listSnapshots(dataset, destination);
      io.progress("", true);
      if (globals.json) {
        io.json({ dataset: dataset.name, destination: destination.name, snapshots });
      } else {
        const where = `${dataset.name}/${destination.name} (${destination.url})`;
        io.out(snapshots.length === 0 ? `no snapshots at ${where}` : `snapshots at ${where}:`);
        for (const s of snapshots) {
          const kind = s.level === undefined ? "" : s.level === 0 ? "  full" : `  +${s.level}`;
          io.out(`  ${s.id}  ${formatTime(s.time)}${kind}`);
        }
      }
      return;
    }
    if (options.to === "") throw new ParaduxError("usage", "--to needs a directory");
    io.progress(`restoring ${dataset.name}...`);
    const identities = allDataKeys(vault.docs.secrets).map((k) => ({
      generation: k.generation,
      identity: k.identity,
    }));
    let report;
    try {
      report = await restoreDataset(dataset, {
        home: globals.home,
        identities,
        ...(options.from === undefined ? {} : { from: options.from }),
        ...(options.to === undefined ? {} : { to: options.to }),
        ...(options.snapshot === undefined ? {} : { snapshot: options.snapshot }),
        ...(options.force === true ? { force: true } : {}),
        onProgress: (e) =>
          io.progress(
            `restoring ${dataset.name} from ${e.destination}: ${formatBytes(e.progress.bytes)}`,
          ),
      });
    } finally {
      io.progress("", true);
    }
    if (globals.json) io.json(report);
    else {
      io.out(
        `restored ${report.dataset} from ${report.destination}` +
          `${report.snapshot === undefined ? "" : ` (snapshot ${report.snapshot})`} into ` +
          `${report.target}: ${countOf(report.stats.files, "file")}, ${
            formatBytes(report.stats.bytes)
          }`,
      );
    }
  },
});
