/**
 * Measurement: how many payload bytes fit on one page with a layout (default: A4 preset), per
 * QR error-correction level, and whether a page filled that way scans back at 150 dpi.
 *
 *   deno run -P=test scripts/paper_capacity.ts [--layout FILE] [--frame BYTES]
 *
 * For each level it tries every QR version (payload = that version's full capacity), renders
 * a one-page QR document with as many codes as fit, and reports the best. `--frame` also reports
 * frames of a fixed size (Ethernity's balanced main frames are about 530 bytes).
 * {@link capacityRows} is the same measurement as a function (used by `deno task bench`).
 * @module
 */
import { parseArgs } from "node:util";
import { PDFDocument } from "pdf-lib";
import { DEFAULT_LAYOUT, loadLayout, withEcc } from "../paper/layout.ts";
import { renderQrDocument } from "../paper/pdf.ts";
import { type Ecc, ECC_LEVELS, maxPayloadBytes, versionFor } from "../paper/qr.ts";
import { scanFile } from "../paper/scan.ts";
import type { Layout } from "../paper/layout.ts";

async function pages(layout: Layout, size: number, count: number): Promise<number> {
  const payloads = Array.from({ length: count }, () => new Uint8Array(size));
  const pdf = await renderQrDocument({
    title: "QR Document",
    lines: ["x"],
    docIdHex: "0".repeat(16),
    payloads,
    layout,
  });
  return (await PDFDocument.load(pdf)).getPageCount();
}

/** Codes of `size` bytes that fit on the first page. */
async function perPage(layout: Layout, size: number): Promise<number> {
  let lo = 1; // fits
  let hi = 2;
  while ((await pages(layout, size, hi)) === 1) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((await pages(layout, size, mid)) === 1) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function scansBack(layout: Layout, size: number, count: number): Promise<boolean> {
  const payloads = Array.from(
    { length: count },
    () => crypto.getRandomValues(new Uint8Array(size)),
  );
  const pdf = await renderQrDocument({
    title: "QR Document",
    lines: ["x"],
    docIdHex: "0".repeat(16),
    payloads,
    layout,
  });
  const path = await Deno.makeTempFile({ suffix: ".pdf" });
  try {
    await Deno.writeFile(path, pdf);
    const got = await scanFile(path, { dpi: 150 });
    return got.length === count && got.every((g, i) => g.every((b, j) => b === payloads[i]![j]));
  } finally {
    await Deno.remove(path);
  }
}

/** One error-correction level's result. */
export interface CapacityRow {
  /** Error-correction level. */
  ecc: Ecc;
  /** QR version that carries the most bytes per page. */
  version: number;
  /** Payload bytes per code at that version. */
  bytesPerCode: number;
  /** Codes of that version on one page. */
  codesPerPage: number;
  /** bytesPerCode x codesPerPage. */
  bytesPerPage: number;
  /** Whether a page filled that way scans back at 150 dpi. */
  scans: boolean;
  /** Frames of `frame` bytes on one page, or null when no version holds such a frame. */
  framesPerPage: number | null;
  /** The version of those frames. */
  frameVersion: number | null;
}

/** Measures one-page capacity per error-correction level for `base` (renders and scans). */
export async function capacityRows(base: Layout, frame: number): Promise<CapacityRow[]> {
  const rows: CapacityRow[] = [];
  for (const ecc of ECC_LEVELS) {
    const layout = withEcc(base, ecc);
    let best = { version: 0, size: 0, count: 0 };
    for (let v = 1; v <= 40; v++) {
      const size = maxPayloadBytes(v, ecc);
      let count: number;
      try {
        count = await perPage(layout, size);
      } catch {
        break; // code wider than the page
      }
      if (count * size > best.count * best.size) best = { version: v, size, count };
    }
    const fv = versionFor(frame, ecc);
    rows.push({
      ecc,
      version: best.version,
      bytesPerCode: best.size,
      codesPerPage: best.count,
      bytesPerPage: best.size * best.count,
      scans: await scansBack(layout, best.size, best.count),
      framesPerPage: fv === undefined ? null : await perPage(layout, frame),
      frameVersion: fv ?? null,
    });
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { layout: { type: "string" }, frame: { type: "string", default: "530" } },
  });
  const base = values.layout === undefined ? DEFAULT_LAYOUT : await loadLayout(values.layout);
  const frame = Number(values.frame);
  const p = base.page;
  console.log(
    `layout: ${p.size} ${p.widthMm}x${p.heightMm} mm, module ${base.qr.moduleMm} mm, quiet zone ${base.qr.quietZone}`,
  );
  console.log(
    "ecc | best version | bytes/code | codes/page | bytes/page | scans at 150 dpi | " +
      `${frame}-byte frames/page (version)`,
  );
  for (const r of await capacityRows(base, frame)) {
    const frames = r.framesPerPage === null ? "-" : `${r.framesPerPage} (v${r.frameVersion})`;
    console.log(
      `${r.ecc} | ${r.version} | ${r.bytesPerCode} | ${r.codesPerPage} | ${r.bytesPerPage} | ${
        r.scans ? "yes" : "NO"
      } | ${frames}`,
    );
  }
}

if (import.meta.main) await main();
