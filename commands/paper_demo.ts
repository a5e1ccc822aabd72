/**
 * `paradux paper demo`: a paper backup end to end in a temporary folder, showing each step:
 * make a 2-of-3 backup of a sample file, render the PDFs, rasterise them with pdftoppm and
 * read the codes back with zxing-wasm, recover from the scans (QR document and two shards), then
 * from the `.txt` twins. Exits 0 only when both recoveries are byte-identical to the sample.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { bytesEqual } from "../crypto/hashes.ts";
import { type BackupFile, makeBackup, recoverBackup } from "../paper/backup.ts";
import {
  printableOf,
  renderBackupDocuments,
  shardDocumentName,
  splitTwin,
  twinName,
} from "../paper/printed.ts";
import type { RecoveredFile } from "../paper/format/envelope.ts";
import { presetLayout } from "../paper/layout.ts";
import { scanFileReport } from "../paper/scan.ts";
import { defineCommand } from "./_command.ts";
import { countOf, type Io } from "./_io.ts";
import { writeDocuments } from "./_paper.ts";
import { kdfOf } from "./_vault.ts";

/** Options of `paper demo`. */
export interface PaperDemoOptions {
  /** `--keep`: leave the temporary folder and print where it is. */
  keep?: boolean;
}

function sampleFiles(): BackupFile[] {
  const key = new Uint8Array(200);
  crypto.getRandomValues(key);
  return [
    {
      path: "demo/note.txt",
      data: new TextEncoder().encode(
        "Paradux paper demo: the Wi-Fi password is 'correct horse battery staple'.\n" +
          "Unicode survives too: Grüße, 東京, ✓\n",
      ),
      mtime: 1_700_000_000,
    },
    { path: "demo/key.bin", data: key },
  ];
}

function same(a: readonly BackupFile[], b: readonly RecoveredFile[]): boolean {
  return a.length === b.length &&
    a.every((f) => b.some((g) => g.path === f.path && bytesEqual(g.data, f.data)));
}

async function step<T>(io: Io, label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await fn();
  io.out(`  ${label} (${Math.round(performance.now() - t0)} ms)`);
  return value;
}

/** The `paper demo` command. */
export const command = defineCommand<PaperDemoOptions>({
  name: "paper demo",
  summary: "show a paper backup end to end: make, print, scan, recover",
  description: "Works in a temporary folder: backs up a sample file as 2-of-3 shards, renders " +
    "the PDFs, scans them back with pdftoppm, recovers from the scans and from the .txt " +
    "twins, and compares. Needs pdftoppm (Debian poppler-utils). Exit 0 only when both " +
    "recoveries are byte-identical.",
  options: [{ flags: "--keep", description: "keep the temporary folder and print its path" }],
  async run(options, deps) {
    const { io } = deps;
    const tmp = await Deno.makeTempDir({ prefix: "paradux-paper-demo-" });
    try {
      const files = sampleFiles();
      io.out(`1. sample: ${files.map((f) => `${f.path} (${f.data.length} bytes)`).join(", ")}`);
      const backup = await step(
        io,
        "encrypted with a new 24-word passphrase, split 2 of 3",
        () =>
          makeBackup({
            files,
            shards: { k: 2, n: 3 },
            workFactor: kdfOf(deps).paperLogN,
          }),
      );
      io.out(
        `2. backup ${backup.docId}: ${countOf(backup.mainFrames.length, "main frame")} + auth`,
      );
      const layout = presetLayout("a4");
      const docs = await step(
        io,
        "rendered the PDFs",
        () => renderBackupDocuments(printableOf(backup, { k: 2, n: 3 }), layout),
      );
      const dir = join(tmp, `backup-${backup.docId}`);
      await writeDocuments(dir, docs);
      for (const d of docs) io.out(`     ${d.name} (${d.pdf.length} bytes) + ${twinName(d.name)}`);
      const picked = [
        "qr_document.pdf",
        ...[1, 3].map((i) => shardDocumentName(backup.docId, i, 3)),
      ];
      io.out(`3. scanning ${picked.join(", ")} (pdftoppm, zxing-wasm)`);
      const scanned: Uint8Array[] = [];
      for (const name of picked) {
        const report = await step(io, `${name}`, () => scanFileReport(join(dir, name)));
        io.out(`     ${countOf(report.payloads.length, "code")} read`);
        scanned.push(...report.payloads);
      }
      io.out("4. recovering from the scans (passphrase from shards 1 and 3)");
      const fromScans = await step(
        io,
        "decrypted and verified",
        () => recoverBackup({ inputs: scanned }),
      );
      const okScans = same(files, fromScans.files) && fromScans.authenticated;
      io.out(`     ${okScans ? "byte-identical, authenticated" : "DIFFERENT"}`);
      io.out("5. recovering from the .txt twins (recovery document, shard 2, shard 3)");
      const twins = [
        "recovery_document.txt",
        ...[2, 3].map((i) => twinName(shardDocumentName(backup.docId, i, 3))),
      ];
      const texts = await Promise.all(twins.map((t) => Deno.readTextFile(join(dir, t))));
      const fromText = await step(
        io,
        "decrypted and verified",
        () => recoverBackup({ inputs: texts.map((t) => splitTwin(t)?.fallback ?? t) }),
      );
      const okText = same(files, fromText.files) && fromText.authenticated;
      io.out(`     ${okText ? "byte-identical, authenticated" : "DIFFERENT"}`);
      if (options.keep === true) io.out(`the documents are in ${dir}`);
      if (!okScans || !okText) {
        throw new ParaduxError("partial", "the demo recovered different files (a bug)");
      }
      io.out("demo ok: print the PDFs of a real backup with 'paradux paper backup FILE --out DIR'");
    } finally {
      if (options.keep !== true) await Deno.remove(tmp, { recursive: true });
    }
  },
});
