/**
 * Paper backups: making and recovering a 16 KiB backup against the Debian tools doing the
 * nearest thing, and one-page A4 capacity per QR error-correction level.
 *
 * - make: `makeBackup` (age scrypt log2 N = 18, as `age -p`) + rendering the PDFs, against
 *   `age -p` (run under script(1): age reads passphrases only from a terminal) plus `qrencode`
 *   of the same ciphertext in the same 512-byte chunks (one PNG per chunk).
 * - recover: `recoverBackup` from the frames, against `age -d` under script(1); and from the
 *   scanned QR document (pdftoppm + zxing-wasm), against the same `age -d` (no QR reader is
 *   installed as a reference).
 * - capacity: bytes per A4 page with Ethernity's main frames (what Paradux prints; the size of
 *   the 16 KiB backup's largest frame), against
 *   the best any QR version achieves at that level (scripts/paper_capacity.ts).
 * @module
 */
import { join } from "node:path";
import { type BenchRow, medianMs } from "./harness.ts";
import { makeBackup, recoverBackup } from "../../paper/backup.ts";
import { printableOf, renderBackupDocuments } from "../../paper/printed.ts";
import { presetLayout } from "../../paper/layout.ts";
import { scanFile } from "../../paper/scan.ts";
import { QR_CHUNK_BYTES } from "../../paper/format/limits.ts";
import { capacityRows } from "../paper_capacity.ts";

const SIZE = 16 * 1024;
const PASSPHRASE = "correct horse battery staple";

/** Runs `age ARGS` under script(1) with `typed` as the terminal's input; throws on failure. */
async function ageUnderPty(args: string[], typed: string): Promise<void> {
  const cmd = ["age", ...args].map((a) => `'${a}'`).join(" "); // our own temp paths only
  const child = new Deno.Command("script", {
    args: ["-q", "-e", "-c", cmd, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(typed));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error(`age ${args.join(" ")} failed`);
}

async function qrencodeChunks(data: Uint8Array, dir: string): Promise<void> {
  for (let off = 0, i = 0; off < data.length; off += QR_CHUNK_BYTES, i++) {
    const child = new Deno.Command("qrencode", {
      args: ["-8", "-l", "M", "-o", join(dir, `chunk-${i}.png`)],
      stdin: "piped",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(data.subarray(off, off + QR_CHUNK_BYTES));
    await w.close();
    if (!(await child.output()).success) throw new Error("qrencode failed");
  }
}

/** Make and recover a 16 KiB backup against age + qrencode; also its largest frame's size. */
async function benchMakeRecover(dir: string): Promise<{ rows: BenchRow[]; frameBytes: number }> {
  const data = new Uint8Array(SIZE);
  crypto.getRandomValues(data);
  const files = [{ path: "secret.bin", data }];
  const layout = presetLayout("a4");
  const make = async () => {
    const b = await makeBackup({ files, passphrase: PASSPHRASE, workFactor: 18 });
    return { b, docs: await renderBackupDocuments(printableOf(b), layout) };
  };
  const { b, docs } = await make();
  const plain = join(dir, "plain.bin");
  const sealed = join(dir, "plain.age");
  await Deno.writeFile(plain, data);
  const ageMake = async () => {
    await ageUnderPty(["-p", "-o", sealed, plain], `${PASSPHRASE}\n${PASSPHRASE}\n`);
    await qrencodeChunks(await Deno.readFile(sealed), dir);
  };
  const ageRecover = () =>
    ageUnderPty(["-d", "-o", join(dir, "out.bin"), sealed], `${PASSPHRASE}\n`);
  const paraduxMake = await medianMs(make, 3);
  const referenceMake = await medianMs(ageMake, 3);
  const frames = [...b.mainFrames, b.authFrame];
  const paraduxRecover = await medianMs(
    () => recoverBackup({ inputs: frames, passphrase: PASSPHRASE }),
    3,
  );
  const referenceRecover = await medianMs(ageRecover, 3);
  const qrPdf = join(dir, "qr_document.pdf");
  await Deno.writeFile(qrPdf, docs.find((d) => d.name === "qr_document.pdf")!.pdf);
  const scanned = async () => {
    const got = await recoverBackup({ inputs: await scanFile(qrPdf), passphrase: PASSPHRASE });
    if (got.files[0]?.data.length !== SIZE) throw new Error("scan round trip lost data");
  };
  const paraduxScan = await medianMs(scanned, 3);
  const codes = `${frames.length} codes, ${b.ciphertext.length} B ciphertext`;
  const frameBytes = Math.max(...b.mainFrames.map((f) => f.length));
  const rows: BenchRow[] = [
    {
      name: "paper backup 16 KiB: encrypt + PDFs",
      paradux: paraduxMake,
      reference: referenceMake,
      referenceName: "age -p (script pty) + qrencode per 512 B chunk",
      unit: "ms",
      note: `${codes}, ${docs.length} PDFs; scrypt log2 N 18 both`,
    },
    {
      name: "paper recover 16 KiB from frames",
      paradux: paraduxRecover,
      reference: referenceRecover,
      referenceName: "age -d (script pty)",
      unit: "ms",
      note: "checks AUTH signature, decrypts, unpacks",
    },
    {
      name: "paper recover 16 KiB from scanned PDF",
      paradux: paraduxScan,
      reference: referenceRecover,
      referenceName: "age -d (script pty), no QR reading",
      unit: "ms",
      note: "pdftoppm 200 dpi + zxing-wasm + recover",
    },
  ];
  return { rows, frameBytes };
}

/** One-page A4 capacity per level: Ethernity frames as printed vs the best QR version. */
async function benchCapacity(frameBytes: number): Promise<BenchRow[]> {
  const rows = await capacityRows(presetLayout("a4"), frameBytes);
  return rows.map((r) => ({
    name: `A4 page capacity, QR level ${r.ecc}`,
    paradux: (r.framesPerPage ?? 0) * frameBytes,
    reference: r.bytesPerPage,
    referenceName: "best QR version for the page",
    unit: "B",
    note:
      `${
        r.framesPerPage ?? 0
      } x ${frameBytes} B frames (v${r.frameVersion}); best v${r.version}: ` +
      `${r.codesPerPage} x ${r.bytesPerCode} B${
        r.scans ? ", scans at 150 dpi" : ", DOES NOT SCAN"
      }`,
  }));
}

/** The paper benchmark group for scripts/bench.ts. */
export async function benchPaper(_root: string): Promise<BenchRow[]> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-bench-paper-" });
  try {
    const { rows, frameBytes } = await benchMakeRecover(dir);
    return [...rows, ...(await benchCapacity(frameBytes))];
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
