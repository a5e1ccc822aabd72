/**
 * `paradux print-metadata --out DIR`: the paper copy of the metadata, for the day every
 * metadata location is gone. Writes `DIR/metadata-paper.pdf` (QR codes and fallback text) and
 * `DIR/metadata-paper.txt` (the fallback text alone), both 0600: an Ethernity v1 backup of the
 * vault's documents, encrypted with the recovery secret and signed with the vault key.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { makeMetadataPaper, renderMetadataPaper } from "../recovery/metadata_paper.ts";
import { defineCommand } from "./_command.ts";
import { openHomeVault, PASSPHRASE_OPTION, type PassphraseOptions } from "./_vault.ts";

/** Options of `print-metadata`. */
export interface PrintMetadataOptions extends PassphraseOptions {
  /** `--out DIR`. */
  out: string;
}

/** The file names written into DIR. */
export const PAPER_PDF = "metadata-paper.pdf";
/** The text twin's name. */
export const PAPER_TXT = "metadata-paper.txt";

/** The `print-metadata` command. */
export const command = defineCommand<PrintMetadataOptions>({
  name: "print-metadata",
  summary: "write the paper copy of the metadata (PDF and text)",
  description: "Writes DIR/metadata-paper.pdf and DIR/metadata-paper.txt: the vault's " +
    "documents as an Ethernity v1 backup encrypted with the recovery secret and signed with the " +
    "vault key. Print it and keep it safe; 'paradux recover SHARES... --from " +
    "DIR/metadata-paper.pdf' reads it back when no vault export is left. Make a new one after " +
    "changes: an old copy shows old locations and credentials.",
  options: [
    PASSPHRASE_OPTION,
    { flags: "--out <dir>", description: "directory for the two files (created when missing)" },
  ],
  json: true,
  async run(options, deps) {
    if (options.out === undefined) {
      throw new ParaduxError("usage", "--out DIR is required", {
        hint: "e.g. paradux print-metadata --out ./paper",
      });
    }
    const vault = await openHomeVault(options, deps);
    deps.io.progress("making the paper copy...");
    const backup = await makeMetadataPaper(vault.docs);
    const { pdf, text } = await renderMetadataPaper(vault.docs, backup);
    await Deno.mkdir(options.out, { recursive: true, mode: 0o700 });
    const pdfPath = join(options.out, PAPER_PDF);
    const txtPath = join(options.out, PAPER_TXT);
    await writeFileAtomic(pdfPath, pdf, { mode: 0o600 });
    await writeFileAtomic(txtPath, new TextEncoder().encode(text), { mode: 0o600 });
    deps.io.progress("", true);
    if (deps.globals.json) {
      deps.io.json({
        docId: backup.docId,
        pdf: pdfPath,
        text: txtPath,
        codes: backup.mainFrames.length + 1,
      });
    } else {
      deps.io.out(`wrote ${pdfPath} (${backup.mainFrames.length + 1} QR codes) and ${txtPath}`);
      deps.io.out(`document id ${backup.docId}: print it, keep it safe, destroy older copies`);
    }
  },
});
