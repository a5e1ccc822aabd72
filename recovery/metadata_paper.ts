/**
 * The paper copy of the metadata: the vault's documents (all six, `secrets` included, so the
 * data key and signing key come back too) as an Ethernity v1 backup whose passphrase is the
 * recovery mnemonic, sealed and signed with the vault's Ed25519 key. Printed as one PDF (QR
 * codes, then the fallback text) and a `.txt` twin, it lets the user recover when every metadata
 * location is gone; `recover --from PAPER` reads it back with {@link documentsFromPaper}.
 *
 * Files in the backup: `paradux-metadata/NAME.json`, the same text as inside the vault payload.
 * Any Ethernity v1 reader given the mnemonic recovers them.
 * @module
 */
import { fromHex, toHex } from "../crypto/hashes.ts";
import { ParaduxError } from "../errors.ts";
import { type Backup, makeBackup, recoverBackup } from "../paper/backup.ts";
import type { RecoveryInput } from "../paper/inputs.ts";
import type { Layout } from "../paper/layout.ts";
import { renderTextDocument } from "../paper/pdf.ts";
import {
  DOCUMENT_NAMES,
  type DocumentName,
  type Documents,
  documentText,
  fileNameOf,
} from "../vault/documents.ts";
import { documentsProblems } from "../vault/payload.ts";
import { documentError, parseDocument } from "../vault/schema.ts";

/** Folder of the documents inside the paper backup. */
export const PAPER_FOLDER = "paradux-metadata";

/**
 * scrypt work factor (log2 N) of the paper copy: the passphrase is a 256-bit random mnemonic,
 * so a slow KDF adds nothing (as with the recovery keyslot's pbkdf2).
 */
export const METADATA_PAPER_LOG_N = 15;

/** Options of {@link makeMetadataPaper}. */
export interface MetadataPaperOptions {
  /** scrypt work factor (default {@link METADATA_PAPER_LOG_N}). */
  workFactor?: number;
  /** Creation time, Unix seconds (default now). */
  created?: number;
}

/** The paper backup of `docs`, encrypted with their recovery mnemonic and signed. */
export async function makeMetadataPaper(
  docs: Documents,
  options: MetadataPaperOptions = {},
): Promise<Backup> {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  return await makeBackup({
    files: DOCUMENT_NAMES.map((name) => ({
      path: `${PAPER_FOLDER}/${fileNameOf(name)}`,
      data: new TextEncoder().encode(documentText(docs[name])),
      mtime: created,
    })),
    passphrase: docs.secrets.recoveryMnemonic,
    signingSeed: fromHex(docs.secrets.signingKeySeed),
    sealed: true,
    gzip: "auto",
    workFactor: options.workFactor ?? METADATA_PAPER_LOG_N,
    created,
  });
}

/** The printable forms of a paper copy. */
export interface MetadataPaperDocuments {
  /** The PDF: instructions, QR codes, fallback text. */
  pdf: Uint8Array;
  /** The `.txt` twin: exactly the fallback text (AUTH and MAIN frame sections), so any
   * Ethernity v1 reader takes it as it is. */
  text: string;
}

function instructions(docs: Documents, backup: Backup): string[] {
  const owner = docs.user.name;
  return [
    `This is the paper copy of ${owner}'s Paradux metadata (vault ${docs.secrets.vaultId}): ` +
    "where the backups are, and the keys that open them. It is encrypted with the recovery " +
    "secret (24 words), which only the recovery card and the stewards' shares give back.",
    "To recover: paradux recover SHARES... --from THIS-FILE-OR-SCAN --extract DIR (or " +
    "--install). Without Paradux, any Ethernity v1 reader recovers the files from the codes " +
    "or the text below with the 24 words as the passphrase.",
    `Document id ${backup.docId}. Made ${new Date().toISOString().slice(0, 10)}. ` +
    "A newer copy replaces this one: destroy old copies.",
  ];
}

/** Renders the PDF and the text twin of a paper copy. */
export async function renderMetadataPaper(
  docs: Documents,
  backup: Backup,
  layout?: Layout,
): Promise<MetadataPaperDocuments> {
  const intro = instructions(docs, backup);
  const qr = [...backup.mainFrames, backup.authFrame];
  const pdf = await renderTextDocument({
    title: "Paradux metadata - paper copy",
    lines: [`${docs.user.name} - vault ${docs.secrets.vaultId.slice(0, 16)}`],
    docIdHex: backup.docId,
    sections: [
      { heading: "What this is", paragraphs: intro },
      {
        heading: "QR codes (scan all of them)",
        qrPayloads: qr,
        qrLabels: qr.map((_, i) =>
          i < backup.mainFrames.length ? `Main ${i + 1} of ${backup.mainFrames.length}` : "Auth"
        ),
      },
      {
        heading: "Fallback text (type it in if the codes cannot be read)",
        monospace: backup.recoveryText.replace(/\n$/, "").split("\n"),
      },
    ],
    ...(layout === undefined ? {} : { layout }),
  });
  const text = backup.recoveryText;
  return { pdf, text };
}

/** What {@link documentsFromPaper} recovered. */
export interface PaperDocuments {
  /** The documents, each checked against its schema. */
  docs: Documents;
  /** True when the AUTH signature verified and its key is the vault's signing key. */
  authenticated: boolean;
  /** Typo repairs and rescue-mode notes. */
  warnings: string[];
  /** When the copy was made (Unix seconds). */
  created: number;
}

/**
 * Reads a paper copy of the metadata back: frames (QR scans) and/or its text, with the
 * recovery mnemonic. Checks the signature (unless `rescue`), that the signer is the vault's key
 * in the recovered secrets, and every document's schema.
 * @throws ParaduxError `auth` (wrong mnemonic, bad or foreign signature), `input` (not a
 *   metadata copy, invalid documents), `insufficient` (missing frames).
 */
export async function documentsFromPaper(
  inputs: RecoveryInput[],
  mnemonic: string,
  options: { rescue?: boolean } = {},
): Promise<PaperDocuments> {
  const got = await recoverBackup({
    inputs,
    passphrase: mnemonic,
    rescue: options.rescue ?? false,
  });
  const byPath = new Map(got.files.map((f) => [f.path, f.data]));
  const values: Partial<Record<DocumentName, unknown>> = {};
  for (const name of DOCUMENT_NAMES) {
    const data = byPath.get(`${PAPER_FOLDER}/${fileNameOf(name)}`);
    if (data === undefined) {
      throw new ParaduxError("input", `the paper copy has no ${fileNameOf(name)}`, {
        hint: "this is not a Paradux metadata copy; give the paper copy's codes or text",
      });
    }
    values[name] = parseDocument(name, new TextDecoder().decode(data));
  }
  const docs = values as Documents;
  const problems = documentsProblems(docs);
  if (problems.length > 0) throw documentError(problems);
  const signer = got.signerPub === null ? "" : toHex(got.signerPub);
  const warnings = [...got.warnings];
  let authenticated = got.authenticated;
  if (signer !== docs.secrets.signingPublicKey) {
    if (!options.rescue) {
      throw new ParaduxError("auth", "the paper copy is not signed by the vault's key", {
        hint: "it may be forged; use --rescue only if you trust where it came from",
      });
    }
    warnings.push("the paper copy is not signed by the vault's key (rescue mode)");
    authenticated = false;
  }
  if (docs.secrets.recoveryMnemonic !== mnemonic) {
    throw new ParaduxError("input", "the paper copy belongs to another recovery secret", {
      hint: "use the paper copy made with this vault's current recovery secret",
    });
  }
  return { docs, authenticated, warnings, created: got.created };
}
