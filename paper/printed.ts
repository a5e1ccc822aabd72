/**
 * The printed documents of a paper backup and their `.txt` twins: the QR document (MAIN frames
 * then the AUTH frame as codes), the recovery document (instructions, key material, the whole
 * fallback text with line numbers in the margin) and one document per shard (its code and its
 * fallback text). Names follow Ethernity: `qr_document.pdf`, `recovery_document.pdf`,
 * `shard-{doc_id}-{i}-of-{n}.pdf`.
 *
 * A twin holds only what Ethernity's recover reads for that kind of file: the QR document's twin
 * its payloads as unpadded base64, one per line; the recovery and shard twins their fallback text
 * alone (a shard text file must be z-base-32 lines under `SHARD FRAME`). A shard's QR payload goes
 * to a file of its own ({@link qrPayloadsName}). Twins of older versions held both, the payloads
 * after a `QR PAYLOADS` line; {@link splitTwin} still separates them. Line numbers of the twin's fallback text are the
 * numbers printed in the PDF's margin, so a typo reported "at line 12" is on line 12 of both.
 *
 * {@link printableFromInputs} rebuilds the same documents from recovered frames (reprint).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { blake2b256, bytesEqual, toHex } from "../crypto/hashes.ts";
import { type Backup, mainFramesOf } from "./backup.ts";
import { decodeAuthPayload } from "./format/auth.ts";
import { encodeFrame } from "./format/frame.ts";
import { formatFallbackText } from "./format/fallback_text.ts";
import { base64Unpadded } from "./format/qr_payload.ts";
import { framesOfInputs, type RecoveryInput, type SourcedFrame } from "./inputs.ts";
import type { Layout } from "./layout.ts";
import { renderQrDocument, renderTextDocument, type TextSection } from "./pdf.ts";
import { reassembleMain } from "./recover.ts";
import { sourcedShard } from "./shards.ts";
import { winAnsiSafe } from "./text.ts";

/** The line that separates a twin's fallback text from its QR payload lines. */
export const TWIN_QR_MARKER = "QR PAYLOADS";

/** One shard as printed. */
export interface PrintableShard {
  /** The KEY frame. */
  frame: Uint8Array;
  /** Share index (1-based). */
  index: number;
  /** The set's share count. */
  count: number;
  /** Shards needed. */
  threshold: number;
  /** Its fallback text (SHARD FRAME section). */
  text: string;
}

/** Everything the documents print, from a new backup or from recovered frames. */
export interface PrintableBackup {
  /** Hex doc_id. */
  docId: string;
  /** The age ciphertext (empty when only shards were given to a reprint). */
  ciphertext: Uint8Array;
  /** MAIN frames for the QR document (empty: no QR or recovery document). */
  mainFrames: Uint8Array[];
  /** The AUTH frame, when known. */
  authFrame: Uint8Array | null;
  /** Fallback text of the recovery document (AUTH and MAIN sections). */
  recoveryText: string;
  /** Printed on the recovery document (only when not sharded). */
  passphrase: string | null;
  /** Public key that signed AUTH (and the shards), printed as a fingerprint. */
  signerPub: Uint8Array | null;
  /** Shard documents to print. */
  shards: PrintableShard[];
  /** k and n when the passphrase is sharded. */
  sharding: { k: number; n: number } | null;
}

/** One written document: file name, PDF and text twin. */
export interface PaperDocument {
  /** File name of the PDF (`qr_document.pdf`); the twin has `.txt` instead. */
  name: string;
  /** The PDF. */
  pdf: Uint8Array;
  /** The twin's text: only what Ethernity's fallback parser reads for this kind. */
  text: string;
  /** QR payload lines of a shard (base64), written to {@link qrPayloadsName} of the PDF. */
  qrPayloadsText?: string;
}

/** The name of a shard document. */
export function shardDocumentName(docId: string, index: number, count: number): string {
  return `shard-${docId}-${index}-of-${count}.pdf`;
}

/** The twin's name of a PDF name. */
export function twinName(pdfName: string): string {
  return pdfName.replace(/\.pdf$/, ".txt");
}

/** The name of the file holding a document's QR payload lines (shards: `…-qr-payloads.txt`). */
export function qrPayloadsName(pdfName: string): string {
  return pdfName.replace(/\.pdf$/, "-qr-payloads.txt");
}

/** The printable form of a new backup; the passphrase is printed only when not sharded. */
export function printableOf(backup: Backup, sharding?: { k: number; n: number }): PrintableBackup {
  const shards = backup.shardFrames.map((frame, i): PrintableShard => ({
    frame,
    index: i + 1,
    count: sharding?.n ?? backup.shardFrames.length,
    threshold: sharding?.k ?? 0,
    text: backup.shardTexts[i] ?? "",
  }));
  return {
    docId: backup.docId,
    ciphertext: backup.ciphertext,
    mainFrames: backup.mainFrames,
    authFrame: backup.authFrame,
    recoveryText: backup.recoveryText,
    passphrase: sharding ? null : backup.passphrase,
    signerPub: backup.signerPub,
    shards,
    sharding: sharding ?? null,
  };
}

function distinctBy<T>(items: T[], same: (a: T, b: T) => boolean): T[] {
  const out: T[] = [];
  for (const item of items) if (!out.some((o) => same(o, item))) out.push(item);
  return out;
}

function shardsOf(frames: SourcedFrame[], docHash: Uint8Array | null, groups: number) {
  const byIndex = new Map<number, { f: SourcedFrame; shard: ReturnType<typeof sourcedShard> }>();
  for (const f of frames) {
    const shard = sourcedShard(f.frame.data, f.where);
    const p = shard.payload;
    if (docHash && !bytesEqual(p.hash, docHash)) {
      throw new ParaduxError("mismatch", `${f.where}: shard of another backup`);
    }
    const first = [...byIndex.values()][0];
    if (first && !bytesEqual(first.shard.payload.hash, p.hash)) {
      throw new ParaduxError(
        "mismatch",
        `${f.where}: shard of another backup than ${first.f.where}`,
      );
    }
    const seen = byIndex.get(p.shareIndex);
    if (seen && !bytesEqual(seen.f.bytes, f.bytes)) {
      throw new ParaduxError("input", `${f.where}: conflicts with ${seen.f.where}`);
    }
    byIndex.set(p.shareIndex, { f, shard });
  }
  return [...byIndex.values()].sort((a, b) =>
    a.shard.payload.shareIndex - b.shard.payload.shareIndex
  )
    .map(({ f, shard }): PrintableShard => ({
      frame: f.bytes,
      index: shard.payload.shareIndex,
      count: shard.payload.shareCount,
      threshold: shard.payload.threshold,
      text: formatFallbackText([{ kind: "key", frame: f.bytes }], { groupsPerLine: groups }),
    }));
}

/**
 * Rebuilds the printable documents from recovered frames (any mix of inputs) without
 * decrypting: the MAIN frames are reassembled and split again as Ethernity does, the AUTH frame
 * and shards are checked against the document hash. Only shards given: only shard documents.
 * @throws ParaduxError `input` (frames of other documents, conflicts), `insufficient` (missing
 *   MAIN frames, nothing to print).
 */
export function printableFromInputs(
  inputs: RecoveryInput[],
  opts: { labels?: readonly string[]; groupsPerLine?: number } = {},
): PrintableBackup {
  const frames = framesOfInputs(inputs, opts.labels);
  const groups = opts.groupsPerLine ?? 6;
  const mains = frames.filter((f) => f.frame.type === "main");
  const keys = frames.filter((f) => f.frame.type === "key");
  if (mains.length === 0) {
    if (keys.length === 0) throw new ParaduxError("insufficient", "nothing to reprint");
    const shards = shardsOf(keys, null, groups);
    const ref = shards[0] as PrintableShard;
    const first = keys[0] as SourcedFrame;
    return {
      docId: toHex(first.frame.docId),
      ciphertext: new Uint8Array(),
      mainFrames: [],
      authFrame: null,
      recoveryText: "",
      passphrase: null,
      signerPub: sourcedShard(first.frame.data, first.where).payload.pub,
      shards,
      sharding: { k: ref.threshold, n: ref.count },
    };
  }
  const ciphertext = reassembleMain(mains);
  const docHash = blake2b256(ciphertext);
  const docId = docHash.slice(0, 8);
  const auths = distinctBy(
    frames.filter((f) => f.frame.type === "auth"),
    (a, b) => bytesEqual(a.bytes, b.bytes),
  );
  if (auths.length > 1) {
    throw new ParaduxError("input", `${auths[1]?.where}: a second, different auth frame`);
  }
  const auth = auths[0];
  let signerPub: Uint8Array | null = null;
  if (auth) {
    const payload = decodeAuthPayload(auth.frame.data);
    if (!bytesEqual(payload.hash, docHash) || !bytesEqual(auth.frame.docId, docId)) {
      throw new ParaduxError("mismatch", `${auth.where}: auth frame of another document`);
    }
    signerPub = payload.pub;
  }
  const shards = shardsOf(keys, docHash, groups);
  const whole = encodeFrame({ type: "main", docId, index: 0, total: 1, data: ciphertext });
  const sections = [
    ...(auth ? [{ kind: "auth" as const, frame: auth.bytes }] : []),
    { kind: "main" as const, frame: whole },
  ];
  const ref = shards[0];
  return {
    docId: toHex(docId),
    ciphertext,
    mainFrames: mainFramesOf(docId, ciphertext),
    authFrame: auth?.bytes ?? null,
    recoveryText: formatFallbackText(sections, { groupsPerLine: groups }),
    passphrase: null,
    signerPub,
    shards,
    sharding: ref ? { k: ref.threshold, n: ref.count } : null,
  };
}

/** A twin's text: the fallback text, then (after {@link TWIN_QR_MARKER} when both) payloads. */
export function twinText(fallback: string | null, payloads: readonly Uint8Array[]): string {
  const lines = payloads.map((p) => base64Unpadded(p));
  if (fallback === null || fallback === "") return lines.join("\n") + "\n";
  if (lines.length === 0) return fallback;
  return `${fallback.replace(/\n*$/, "\n")}\n${TWIN_QR_MARKER}\n${lines.join("\n")}\n`;
}

/** A twin split back into its fallback text and its payload lines (with line numbers). */
export interface SplitTwin {
  /** The fallback text part (lines keep their numbers: it comes first). */
  fallback: string | null;
  /** Payload lines after the marker, with their 1-based line numbers. */
  payloads: { line: number; text: string }[];
}

/** Splits a twin at its `QR PAYLOADS` line; null when the text has no such line. */
export function splitTwin(text: string): SplitTwin | null {
  const lines = text.split(/\r\n|\r|\n/);
  const at = lines.findIndex((l) => l.trim().toUpperCase() === TWIN_QR_MARKER);
  if (at < 0) return null;
  const before = lines.slice(0, at).join("\n");
  const payloads = lines.slice(at + 1)
    .map((t, i) => ({ line: at + 2 + i, text: t.trim() }))
    .filter((p) => p.text !== "");
  return { fallback: before.trim() === "" ? null : before + "\n", payloads };
}

function groupsOf(hex: string): string {
  return (hex.match(/.{1,4}/g) ?? []).join(" ");
}

function fingerprintLines(pub: Uint8Array | null): string[] {
  if (!pub) return [];
  const hex = toHex(pub);
  return [`Signing key: ${groupsOf(hex.slice(0, 32))}\n${groupsOf(hex.slice(32))}`];
}

function monospaceOf(text: string): string[] {
  return text.replace(/\n+$/, "").split("\n");
}

const RECOVER_WITH =
  "With Paradux: paradux paper recover SCANS-OR-TEXT... --out DIR. Give it scans (PDF, PNG or " +
  "JPEG) of the QR document and of shard documents, or their text typed into files, in any " +
  "order and mix. Without Paradux: any Ethernity v1 reader (MinorGlitch/ethernity: its command " +
  "line or its offline browser kit) recovers the files from the same codes or text.";

const TYPING =
  "Typing the text: type the groups of every line, and the marker lines (AUTH FRAME, MAIN " +
  "FRAME, SHARD FRAME) as printed. The line numbers in the margin may be typed or left out. " +
  "Paradux repairs one typo per frame and says on which line it was.";

function passphraseParagraphs(p: PrintableBackup): string[] {
  if (p.sharding) {
    return [
      `The passphrase is not printed here. It is split into ${p.sharding.n} shard documents; ` +
      `any ${p.sharding.k} of them give it back. Keep the shards with different people or places.`,
    ];
  }
  if (p.passphrase === null) {
    return ["The passphrase is not printed on this copy: you need it to recover."];
  }
  const words = p.passphrase.split(" ");
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 6) lines.push(words.slice(i, i + 6).join(" "));
  // printed text collapses runs of spaces and respells some characters: print it only as is
  const printable = /^\S+( \S+)*$/.test(p.passphrase) && lines.every((l) => {
    try {
      return winAnsiSafe(l) === l;
    } catch {
      return false;
    }
  });
  if (printable) return [`Passphrase:\n${lines.join("\n")}`];
  return [
    "The passphrase has characters or spacing that cannot be printed exactly, so it is not " +
    "printed here: keep it yourself.",
  ];
}

/** Renders every document of a backup (QR, recovery, shards) with their twins. */
export async function renderBackupDocuments(
  p: PrintableBackup,
  layout: Layout,
): Promise<PaperDocument[]> {
  const out: PaperDocument[] = [];
  const passphraseSource = p.sharding
    ? `the passphrase from any ${p.sharding.k} of the ${p.sharding.n} shard documents`
    : "the passphrase (on the recovery document)";
  if (p.mainFrames.length > 0) {
    const payloads = [...p.mainFrames, ...(p.authFrame ? [p.authFrame] : [])];
    const n = p.mainFrames.length;
    const pdf = await renderQrDocument({
      title: "QR document",
      lines: [
        "Ethernity v1 paper backup. Scan every code, in any order; together with " +
        `${passphraseSource} they give the files back.`,
        "Keep this apart from the recovery document.",
      ],
      docIdHex: p.docId,
      payloads,
      labels: payloads.map((_, i) => (i < n ? `Main ${i + 1} of ${n}` : "Auth")),
      layout,
    });
    out.push({ name: "qr_document.pdf", pdf, text: twinText(null, payloads) });
    const sections: TextSection[] = [
      { heading: "How to recover", paragraphs: [RECOVER_WITH, TYPING] },
      {
        heading: "Key material",
        paragraphs: [...passphraseParagraphs(p), ...fingerprintLines(p.signerPub)],
      },
      { heading: "Fallback text", monospace: monospaceOf(p.recoveryText) },
    ];
    const recovery = await renderTextDocument({
      title: "Recovery document",
      lines: [
        "Ethernity v1 paper backup: keys and the whole backup as text.",
        p.sharding
          ? "Keep this apart from the shard documents."
          : "Keep this apart from the QR document: together they open the backup.",
      ],
      docIdHex: p.docId,
      sections,
      layout,
    });
    out.push({ name: "recovery_document.pdf", pdf: recovery, text: p.recoveryText });
  }
  for (const s of p.shards) {
    const pdf = await renderTextDocument({
      title: `Shard ${s.index} of ${s.count}`,
      lines: [
        `Ethernity v1 shard document of backup ${p.docId}.`,
        `Any ${s.threshold} of the ${s.count} shards give back the passphrase; ` +
        "fewer reveal nothing. Keep it apart from the other shards.",
      ],
      docIdHex: p.docId,
      qrPayloads: [s.frame],
      qrLabels: [`Shard ${s.index} of ${s.count}`],
      sections: [
        { heading: "How to use it", paragraphs: [RECOVER_WITH, ...fingerprintLines(p.signerPub)] },
        { heading: "Fallback text", monospace: monospaceOf(s.text) },
      ],
      layout,
    });
    out.push({
      name: shardDocumentName(p.docId, s.index, s.count),
      pdf,
      text: s.text.replace(/\n*$/, "\n"),
      qrPayloadsText: twinText(null, [s.frame]),
    });
  }
  return out;
}
