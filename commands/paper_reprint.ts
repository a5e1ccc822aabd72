/**
 * `paradux paper reprint INPUT... --out DIR`: the documents of a paper backup again, from its
 * frames (scans, text, twins in any mix), on another paper size, layout or QR error level. The
 * backup is not decrypted: the passphrase is printed on the new recovery document only when
 * `--passphrase-file` gives it (it is checked first) and the backup is not sharded.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { recoverBackup } from "../paper/backup.ts";
import { decodeAuthPayload, verifyAuthPayload } from "../paper/format/auth.ts";
import { decodeFrame } from "../paper/format/frame.ts";
import { printableFromInputs, renderBackupDocuments } from "../paper/printed.ts";
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

/** Options of `paper reprint`. */
export interface PaperReprintOptions extends LayoutOptions {
  /** Scans, text, twins. */
  inputs?: string[];
  /** `--out DIR`. */
  out?: string;
  /** `--passphrase-file F`: print the (checked) passphrase on the recovery document. */
  passphraseFile?: string;
  /** `--force`. */
  force?: boolean;
}

/** The `paper reprint` command. */
export const command = defineCommand<PaperReprintOptions>({
  name: "paper reprint",
  summary: "print a paper backup's documents again (other paper, layout or QR level)",
  description: "Reads the backup's frames from scans or text (all MAIN frames, the AUTH frame, " +
    "and any shards to reprint) and writes new documents to DIR/backup-DOCID/. The passphrase " +
    "is printed only when --passphrase-file gives it and the backup is not sharded.",
  args: [{ name: "<inputs...>", description: "scans, text files, payload lines, or -" }],
  options: [
    { flags: "-o, --out <dir>", description: "folder for the new documents" },
    {
      flags: "--passphrase-file <file>",
      description: "check this passphrase and print it on the recovery document",
    },
    { flags: "--force", description: "replace existing files" },
    ...LAYOUT_OPTIONS,
  ],
  json: true,
  async run(options, { globals, io }) {
    if (options.out === undefined) throw new ParaduxError("usage", "--out DIR is required");
    const args = options.inputs ?? [];
    checkStdinUse(args, options.passphraseFile);
    const layout = await resolveLayout(options);
    const { inputs, labels } = await readRecoveryInputs(args, io);
    const printable = printableFromInputs(inputs, {
      labels,
      groupsPerLine: layout.fallback.groupsPerLine,
    });
    if (printable.authFrame !== null) {
      const auth = decodeAuthPayload(decodeFrame(printable.authFrame).data);
      if (!verifyAuthPayload(auth)) {
        throw new ParaduxError("auth", "the auth frame's signature is invalid (forged or damaged)");
      }
    } else if (printable.mainFrames.length > 0) {
      io.err("warning: no auth frame among the inputs: the new documents will lack it");
    }
    if (options.passphraseFile !== undefined && printable.sharding === null) {
      const passphrase = new TextDecoder().decode(
        await readPassphraseSource(options.passphraseFile),
      );
      io.progress("checking the passphrase...");
      await recoverBackup({ inputs, labels, passphrase });
      printable.passphrase = passphrase;
    }
    const docs = await renderBackupDocuments(printable, layout);
    const dir = join(options.out, `backup-${printable.docId}`);
    const written = await writeDocuments(dir, docs, options.force === true);
    io.progress("", true);
    if (globals.json) {
      io.json({ docId: printable.docId, files: written });
      return;
    }
    io.out(`reprinted backup ${printable.docId} into ${dir}:`);
    for (const d of docs) io.out(`  ${d.name} and its .txt twin`);
  },
});
