/**
 * `paradux paper expand-shards INPUT... --count N --out DIR`: replacement shard documents for a
 * paper backup, at unused indices of the same set (same set id, same signer), so they recover
 * together with the old ones. INPUTs are at least k shards plus the backup itself (QR scans or
 * the recovery text): the signing key is read from the decrypted manifest, so a sealed backup
 * is refused.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { expandShards, recoverBackup } from "../paper/backup.ts";
import { printableFromInputs, renderBackupDocuments } from "../paper/printed.ts";
import { framesOfInput } from "../paper/inputs.ts";
import { defineCommand } from "./_command.ts";
import {
  checkStdinUse,
  LAYOUT_OPTIONS,
  type LayoutOptions,
  readRecoveryInputs,
  resolveLayout,
  writeDocuments,
} from "./_paper.ts";
import { readPassphraseSource } from "./_vault.ts";

/** Options of `paper expand-shards`. */
export interface PaperExpandShardsOptions extends LayoutOptions {
  /** Shard documents and the backup (scans or text). */
  inputs?: string[];
  /** `--count N`. */
  count?: string;
  /** `--out DIR`. */
  out?: string;
  /** `--passphrase-file F` (only needed when the shards are not passphrase shards). */
  passphraseFile?: string;
  /** `--force`. */
  force?: boolean;
}

/** The `paper expand-shards` command. */
export const command = defineCommand<PaperExpandShardsOptions>({
  name: "paper expand-shards",
  summary: "make replacement shard documents of a paper backup (same set)",
  description: "Give at least K shard documents and the backup itself (QR document scans or " +
    "the recovery document's text). New shards take the lowest unused indices of the set and " +
    "recover together with the old ones. Refused for a sealed backup: its signing key was not " +
    "kept, so new shards could not be signed.",
  args: [{ name: "<inputs...>", description: "shard documents and the backup (scans or text)" }],
  options: [
    { flags: "--count <n>", description: "how many new shards (default 1)" },
    { flags: "-o, --out <dir>", description: "folder for the new shard documents" },
    {
      flags: "--passphrase-file <file>",
      description: "the backup's passphrase, if the shards do not give it ('-' for stdin)",
    },
    { flags: "--force", description: "replace existing files" },
    ...LAYOUT_OPTIONS,
  ],
  json: true,
  async run(options, { globals, io }) {
    if (options.out === undefined) {
      throw new ParaduxError("usage", "--out DIR is required");
    }
    const count = Number(options.count ?? "1");
    if (!Number.isInteger(count) || count < 1 || count > 254) {
      throw new ParaduxError("usage", "--count must be a whole number from 1 to 254");
    }
    const args = options.inputs ?? [];
    checkStdinUse(args, options.passphraseFile);
    const layout = await resolveLayout(options);
    const { inputs, labels } = await readRecoveryInputs(args, io);
    const passphrase = options.passphraseFile === undefined
      ? undefined
      : new TextDecoder().decode(await readPassphraseSource(options.passphraseFile));
    io.progress("decrypting...");
    const got = await recoverBackup({
      inputs,
      labels,
      ...(passphrase === undefined ? {} : { passphrase }),
    });
    if (got.sealed || got.signingSeed === null) {
      throw new ParaduxError(
        "input",
        "the backup is sealed: its signing key was not kept, so new shards cannot be signed",
        { hint: "make a new backup with as many shards as you need (--shards K/N)" },
      );
    }
    const isShard = inputs.map((v, i) =>
      framesOfInput(v, i + 1, labels[i]).every((f) => f.frame.type === "key")
    );
    const shardInputs = inputs.filter((_v, i) => isShard[i]);
    const shardLabels = labels.filter((_l, i) => isShard[i]);
    const made = expandShards(shardInputs, got.signingSeed, count, {
      labels: shardLabels,
      layout: { groupsPerLine: layout.fallback.groupsPerLine },
    });
    const printable = printableFromInputs(made.shardFrames, {
      groupsPerLine: layout.fallback.groupsPerLine,
    });
    const docs = await renderBackupDocuments(printable, layout);
    const dir = join(options.out, `backup-${got.docId}`);
    const written = await writeDocuments(dir, docs, options.force === true);
    io.progress("", true);
    if (globals.json) {
      io.json({ docId: got.docId, indices: made.indices, files: written });
      return;
    }
    io.out(`made shard(s) ${made.indices.join(", ")} of backup ${got.docId} in ${dir}:`);
    for (const d of docs) io.out(`  ${d.name} and its .txt twin`);
  },
});
