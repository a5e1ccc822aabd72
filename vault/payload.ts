/**
 * The vault payload: the JSON documents as a POSIX tar archive, in a fixed order, zero-padded
 * to whole sectors. It is what sits (encrypted) at the start of the LUKS2 data segment, so
 * `cryptsetup open vault.luks x && tar -xf /dev/mapper/x` lists the same files.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import {
  DOCUMENT_NAMES,
  type DocumentName,
  type Documents,
  documentText,
  fileNameOf,
} from "./documents.ts";
import {
  crossIssues,
  documentError,
  type DocumentProblem,
  parseDocument,
  validateDocument,
} from "./schema.ts";
import { readTarArchive, writeTar } from "./tar.ts";

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

/** Every problem of a set of documents, including the rules between them; never throws. */
export function documentsProblems(docs: Documents): DocumentProblem[] {
  const problems: DocumentProblem[] = DOCUMENT_NAMES.flatMap((name) =>
    validateDocument(name, docs[name]).map((i) => ({ file: fileNameOf(name), ...i }))
  );
  if (problems.length > 0) return problems;
  return crossIssues(docs).map(({ name, issue }) => ({ file: fileNameOf(name), ...issue }));
}

/**
 * Checks every document and the rules between them.
 * @throws ParaduxError `input` naming the file and JSON path of each problem.
 */
export function checkDocuments(docs: Documents): void {
  const problems = documentsProblems(docs);
  if (problems.length > 0) throw documentError(problems);
}

/** The tar archive of all documents, zero-padded to a multiple of `sectorSize`. */
export function encodePayload(docs: Documents, sectorSize: number, mtime = 0): Uint8Array {
  checkDocuments(docs);
  const tar = writeTar(
    DOCUMENT_NAMES.map((name) => ({
      name: fileNameOf(name),
      data: enc.encode(documentText(docs[name])),
      mtime,
      mode: 0o600,
    })),
  );
  const size = Math.ceil(tar.length / sectorSize) * sectorSize;
  if (size === tar.length) return tar;
  const out = new Uint8Array(size);
  out.set(tar);
  return out;
}

/** The decoded payload: the documents and how many bytes the archive used. */
export interface DecodedPayload {
  /** The checked documents. */
  docs: Documents;
  /** Bytes up to and including the end-of-archive marker. */
  usedBytes: number;
}

/**
 * Reads the documents from a decrypted data segment (the archive and whatever follows it).
 * @throws ParaduxError `input` when a document is missing or invalid (naming file, path, line).
 */
export function decodePayload(plain: Uint8Array): DecodedPayload {
  const { entries, usedBytes } = readTarArchive(plain);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const docs: Partial<Record<DocumentName, unknown>> = {};
  for (const name of DOCUMENT_NAMES) {
    const data = byName.get(fileNameOf(name));
    if (data === undefined) {
      throw new ParaduxError("input", `the vault has no ${fileNameOf(name)}`, {
        hint: "the vault is damaged or was not made by paradux; use a published vault export",
      });
    }
    let text: string;
    try {
      text = dec.decode(data);
    } catch {
      throw new ParaduxError("input", `${fileNameOf(name)} in the vault is not UTF-8 text`);
    }
    docs[name] = parseDocument(name, text);
  }
  return { docs: docs as Documents, usedBytes };
}
