/**
 * `paradux paper backup PATH... --out DIR`: a standalone Ethernity v1 paper backup of small
 * files. Writes `DIR/backup-{doc_id}/` with `qr_document.pdf`, `recovery_document.pdf`, one
 * `shard-{doc_id}-{i}-of-{n}.pdf` per shard, and a `.txt` twin beside every PDF. A generated
 * passphrase is printed (stdout) only when it is not split into shards; it is also on the
 * recovery document. With no PATH on a terminal it asks step by step.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { WORD_COUNTS } from "../crypto/bip39.ts";
import { makeBackup } from "../paper/backup.ts";
import { printableOf, renderBackupDocuments } from "../paper/printed.ts";
import { MAX_CIPHERTEXT_BYTES } from "../paper/format/limits.ts";
import type { PaperSize } from "../paper/layout.ts";
import { canPrompt, promptConfirm, promptSelect, promptText } from "../system/prompt.ts";
import { defineCommand } from "./_command.ts";
import { countOf } from "./_io.ts";
import {
  collectBackupFiles,
  LAYOUT_OPTIONS,
  type LayoutOptions,
  resolveLayout,
  writeDocuments,
} from "./_paper.ts";
import { kdfOf, readPassphraseSource } from "./_vault.ts";

/** Options of `paper backup`. */
export interface PaperBackupOptions extends LayoutOptions {
  /** Files and directories to back up. */
  paths?: string[];
  /** `--out DIR`. */
  out?: string;
  /** `--passphrase-file F` ('-' for stdin). */
  passphraseFile?: string;
  /** `--words N` of a generated mnemonic. */
  words?: string;
  /** `--shards K/N`. */
  shards?: string;
  /** `--sealed`: do not keep the signing key in the backup. */
  sealed?: boolean;
  /** `--base-dir D`: store paths relative to D. */
  baseDir?: string;
  /** `--gzip`: always compress. */
  gzip?: boolean;
}

/** Parses `K/N` (1 <= K <= N <= 255). */
export function parseShards(text: string): { k: number; n: number } {
  const m = /^\s*([0-9]{1,3})\s*(?:\/|of)\s*([0-9]{1,3})\s*$/.exec(text);
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || k < 1 || n < 2 || k > n || n > 255) {
    throw new ParaduxError("usage", `--shards ${text}: expected K/N with 1 <= K <= N <= 255`, {
      hint: "e.g. --shards 2/3: three shard documents, any two recover",
    });
  }
  return { k, n };
}

/** Parses `--words`. */
export function parseWords(text: string): number {
  const n = Number(text);
  if (!(WORD_COUNTS as readonly number[]).includes(n)) {
    throw new ParaduxError("usage", `--words must be one of ${WORD_COUNTS.join(", ")}`);
  }
  return n;
}

/** Asks for what was not given, one question at a time (terminal only). */
async function ask(options: PaperBackupOptions): Promise<PaperBackupOptions> {
  const paths: string[] = [];
  for (;;) {
    const p = (await promptText(
      paths.length === 0 ? "file or folder to back up:" : "another one (Enter when done):",
    )).trim();
    if (p === "") {
      if (paths.length > 0) break;
      continue;
    }
    paths.push(p);
  }
  const out = options.out ?? (await promptText("write the documents into folder:", "paper")).trim();
  const own = options.passphraseFile === undefined &&
    (await promptSelect("passphrase:", [
        { name: "generate 24 words (recommended)", value: "generate" },
        { name: "use my own (read from a file)", value: "own" },
      ])) === "own";
  const passphraseFile = own
    ? (await promptText("file whose first line is the passphrase:")).trim()
    : options.passphraseFile;
  let shards = options.shards;
  if (shards === undefined && await promptConfirm("split the passphrase into shards?", false)) {
    shards = (await promptText("how many needed / how many shards (K/N):", "2/3")).trim();
  }
  const paper = options.paper ?? await promptSelect<PaperSize>("paper size:", [
    { name: "A4", value: "a4" },
    { name: "Letter", value: "letter" },
  ]);
  return {
    ...options,
    paths,
    out,
    paper,
    ...(passphraseFile === undefined ? {} : { passphraseFile }),
    ...(shards === undefined ? {} : { shards }),
  };
}

/** The `paper backup` command. */
export const command = defineCommand<PaperBackupOptions>({
  name: "paper backup",
  summary: "print small files as an Ethernity v1 paper backup (QR codes and text)",
  description: "Encrypts the files with a passphrase (a new BIP39 mnemonic unless " +
    "--passphrase-file) and writes DIR/backup-DOCID/: qr_document.pdf, recovery_document.pdf, " +
    "a shard document per shard with --shards K/N, and a .txt twin beside each PDF (its " +
    "fallback text and QR payloads). A generated passphrase is printed here only when it is not " +
    "sharded; it is also on the recovery document. Recover with 'paradux paper recover' or any " +
    "Ethernity v1 reader.",
  args: [{ name: "[paths...]", description: "files and folders to back up" }],
  options: [
    { flags: "-o, --out <dir>", description: "folder for the backup's documents" },
    {
      flags: "--passphrase-file <file>",
      description: "use the first line of FILE as passphrase ('-' for stdin)",
    },
    { flags: "--words <n>", description: "words of the generated passphrase: 12..24 (default 24)" },
    { flags: "--shards <k/n>", description: "split the passphrase into N shards, any K recover" },
    { flags: "--sealed", description: "do not keep the signing key (no expand-shards later)" },
    { flags: "--base-dir <dir>", description: "store paths relative to DIR" },
    { flags: "--gzip", description: "always compress (default: when it is smaller)" },
    ...LAYOUT_OPTIONS,
  ],
  json: true,
  async run(given, deps) {
    const { globals, io } = deps;
    let options = given;
    if ((options.paths ?? []).length === 0) {
      if (!canPrompt()) {
        throw new ParaduxError("usage", "no files to back up", {
          hint: "paradux paper backup FILE... --out DIR",
        });
      }
      options = await ask(options);
    }
    if (options.out === undefined || options.out === "") {
      throw new ParaduxError("usage", "--out DIR is required", {
        hint: "e.g. paradux paper backup secret.txt --out ./paper",
      });
    }
    if (options.words !== undefined && options.passphraseFile !== undefined) {
      throw new ParaduxError(
        "usage",
        "--words is for a generated passphrase, not --passphrase-file",
      );
    }
    const words = options.words === undefined ? 24 : parseWords(options.words);
    const shards = options.shards === undefined ? undefined : parseShards(options.shards);
    const layout = await resolveLayout(options);
    const files = await collectBackupFiles(
      options.paths ?? [],
      options.baseDir,
      MAX_CIPHERTEXT_BYTES,
    );
    const passphrase = options.passphraseFile === undefined
      ? undefined
      : new TextDecoder().decode(await readPassphraseSource(options.passphraseFile));
    io.progress("encrypting...");
    const backup = await makeBackup({
      files,
      ...(passphrase === undefined ? { words } : { passphrase }),
      ...(shards ? { shards } : {}),
      sealed: options.sealed === true,
      gzip: options.gzip === true ? true : "auto",
      workFactor: kdfOf(deps).paperLogN,
      layout: { groupsPerLine: layout.fallback.groupsPerLine },
    });
    io.progress("rendering...");
    const docs = await renderBackupDocuments(printableOf(backup, shards), layout);
    const dir = join(options.out, `backup-${backup.docId}`);
    const written = await writeDocuments(dir, docs);
    io.progress("", true);
    const showPassphrase = passphrase === undefined && shards === undefined;
    if (globals.json) {
      io.json({
        docId: backup.docId,
        dir,
        files: written,
        codes: backup.mainFrames.length + 1,
        shards: shards ?? null,
        sealed: options.sealed === true,
        ...(showPassphrase ? { passphrase: backup.passphrase } : {}),
      });
      return;
    }
    io.out(`wrote backup ${backup.docId} (${countOf(files.length, "file")}) to ${dir}:`);
    for (const d of docs) io.out(`  ${d.name} and its .txt twin`);
    io.out(`QR document: ${backup.mainFrames.length + 1} codes`);
    if (showPassphrase) {
      io.out(`passphrase (also on the recovery document): ${backup.passphrase}`);
    } else if (shards) {
      io.out(
        `the passphrase is split: any ${shards.k} of the ${shards.n} shard documents give it back`,
      );
    }
    if (shards && options.sealed !== true) {
      io.out("not sealed: 'paradux paper expand-shards' can make replacement shards later");
    }
  },
});
