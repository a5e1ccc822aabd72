/**
 * `paradux paper recover INPUT... --out DIR`: the files of an Ethernity v1 paper backup from any
 * mix of scans (PDF, PNG, JPEG), fallback text, `.txt` twins, QR payload lines, shard documents
 * and stdin (`-`). Reports typo repairs, missing frames by index and "need k, have m"; writes
 * only inside DIR and never over a file without `--force`. `--rescue` (alias
 * `--allow-unsigned`) relaxes signature checks and says loudly that the result is
 * unauthenticated.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { toHex } from "../crypto/hashes.ts";
import { recoverBackup } from "../paper/backup.ts";
import { framesOfInputs } from "../paper/inputs.ts";
import { canPrompt, promptPassword, promptText } from "../system/prompt.ts";
import { defineCommand } from "./_command.ts";
import { countOf } from "./_io.ts";
import { checkStdinUse, readRecoveryInputs, writeRecoveredFiles } from "./_paper.ts";
import { readPassphraseSource } from "./_vault.ts";

/** Options of `paper recover`. */
export interface PaperRecoverOptions {
  /** Scans, text files, payload lines, '-'. */
  inputs?: string[];
  /** `--out DIR`. */
  out?: string;
  /** `--passphrase-file F`. */
  passphraseFile?: string;
  /** `--rescue`. */
  rescue?: boolean;
  /** `--allow-unsigned` (same as --rescue). */
  allowUnsigned?: boolean;
  /** `--force`: replace existing files. */
  force?: boolean;
}

/** Asks for inputs and the folder (terminal only). */
async function ask(options: PaperRecoverOptions): Promise<PaperRecoverOptions> {
  const inputs: string[] = [];
  for (;;) {
    const p = (await promptText(
      inputs.length === 0
        ? "scan or text file of the backup (PDF, PNG, JPEG, .txt):"
        : "another one (Enter when done):",
    )).trim();
    if (p === "") {
      if (inputs.length > 0) break;
      continue;
    }
    inputs.push(p);
  }
  const out = options.out ?? (await promptText("write the files into folder:", "recovered")).trim();
  return { ...options, inputs, out };
}

/** The `paper recover` command. */
export const command = defineCommand<PaperRecoverOptions>({
  name: "paper recover",
  summary: "recover the files of a paper backup from scans and/or typed text",
  description: "INPUTs are any mix, in any order: PDF/PNG/JPEG scans of the QR document and " +
    "of shard documents, the recovery document's text typed into a file, .txt twins, QR " +
    "payload lines, or '-' for stdin. Without --passphrase-file the passphrase comes from the " +
    "shards, else it is asked. Files are written inside DIR only, never over existing files " +
    "without --force. Exit 10 when frames or shards are missing.",
  args: [{ name: "[inputs...]", description: "scans, text files, payload lines, or -" }],
  options: [
    { flags: "-o, --out <dir>", description: "folder for the recovered files" },
    {
      flags: "--passphrase-file <file>",
      description: "read the passphrase from the first line of FILE ('-' for stdin)",
    },
    { flags: "--rescue", description: "accept missing or bad signatures (unauthenticated)" },
    { flags: "--allow-unsigned", description: "same as --rescue" },
    { flags: "--force", description: "replace existing files in DIR" },
  ],
  json: true,
  async run(given, { globals, io }) {
    let options = given;
    if ((options.inputs ?? []).length === 0) {
      if (!canPrompt()) {
        throw new ParaduxError("usage", "nothing to recover from", {
          hint: "paradux paper recover SCAN-OR-TEXT... --out DIR",
        });
      }
      options = await ask(options);
    }
    if (options.out === undefined || options.out === "") {
      throw new ParaduxError("usage", "--out DIR is required", {
        hint: "e.g. paradux paper recover qr_document.pdf --out ./recovered",
      });
    }
    const args = options.inputs ?? [];
    checkStdinUse(args, options.passphraseFile);
    const rescue = options.rescue === true || options.allowUnsigned === true;
    const { inputs, labels } = await readRecoveryInputs(args, io);
    let passphrase: string | undefined;
    if (options.passphraseFile !== undefined) {
      passphrase = new TextDecoder().decode(await readPassphraseSource(options.passphraseFile));
    } else {
      const hasShards = framesOfInputs(inputs, labels).some((f) => f.frame.type === "key");
      if (!hasShards && canPrompt()) passphrase = await promptPassword("passphrase of the backup:");
    }
    io.progress("decrypting...");
    const got = await recoverBackup({
      inputs,
      labels,
      ...(passphrase === undefined ? {} : { passphrase }),
      rescue,
    });
    io.progress("", false);
    const written = await writeRecoveredFiles(options.out, got.files, options.force === true);
    io.progress("", true);
    if (globals.json) {
      io.json({
        docId: got.docId,
        authenticated: got.authenticated,
        signer: got.signerPub === null ? null : toHex(got.signerPub),
        sealed: got.sealed,
        files: written,
        warnings: got.warnings,
      });
      return;
    }
    for (const w of got.warnings) io.err(`warning: ${w}`);
    io.out(
      `recovered ${countOf(got.files.length, "file")} of backup ${got.docId} into ${options.out}:`,
    );
    for (const f of got.files) io.out(`  ${f.path} (${f.data.length} bytes)`);
    if (got.authenticated) {
      io.out(`authenticated: signed by ${toHex(got.signerPub ?? new Uint8Array())}`);
    } else {
      const msg = "UNAUTHENTICATED: signatures were not checked or did not verify (rescue mode); " +
        "trust these files only as far as you trust where the paper came from";
      io.out(msg);
      io.err(`warning: ${msg}`);
    }
  },
});
