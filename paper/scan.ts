/**
 * Reading QR codes back from scans: PDF (rasterised with pdftoppm), PNG and JPEG files.
 *
 * Decoding uses zxing-wasm's reader. Its .wasm file is loaded from the installed npm package
 * (never from a CDN). Each code's raw BYTE-mode content is returned exactly (`bytes`, not text).
 * Codes come back in reading order: page by page, top to bottom, left to right within a row.
 * @module
 */
import { fileURLToPath } from "node:url";
import {
  prepareZXingModule,
  readBarcodes,
  type ReaderOptions,
  type ReadResult,
} from "zxing-wasm/reader";
import { ParaduxError } from "../errors.ts";
import { isUserError } from "../errors.ts";
import { rasterisePdf } from "../system/pdftoppm.ts";
import { withPrivateDir } from "../system/private_dir.ts";

/** Default resolution for rasterising PDF pages. */
export const DEFAULT_SCAN_DPI = 200;

/** Options for {@link scanFile}. */
export interface ScanOptions {
  /** Resolution for rasterising PDFs (default {@link DEFAULT_SCAN_DPI}). */
  readonly dpi?: number;
}

const READER_OPTIONS: ReaderOptions = {
  formats: ["QRCode"],
  tryHarder: true,
  maxNumberOfSymbols: 255,
};

let ready: Promise<unknown> | undefined;

/** Where the installed zxing-wasm package keeps its reader .wasm. */
export function zxingWasmPath(): string {
  return fileURLToPath(import.meta.resolve("zxing-wasm/reader/zxing_reader.wasm"));
}

/** Loads the zxing reader from the local .wasm once; later calls reuse it. */
export function loadZxing(): Promise<unknown> {
  ready ??= (async () => {
    const path = zxingWasmPath();
    const bytes = await Deno.readFile(path);
    return await prepareZXingModule({
      overrides: {
        wasmBinary: bytes.buffer as ArrayBuffer,
        locateFile: () => path,
      },
      fireImmediately: true,
    });
  })();
  return ready;
}

type Kind = "pdf" | "png" | "jpeg";

/** The file type by its first bytes, or undefined for anything else. */
export function sniff(head: Uint8Array): Kind | undefined {
  const starts = (sig: number[]) => sig.every((b, i) => head[i] === b);
  if (starts([0x25, 0x50, 0x44, 0x46, 0x2d])) return "pdf"; // %PDF-
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (starts([0xff, 0xd8, 0xff])) return "jpeg";
  return undefined;
}

/** Sorts read results into reading order: rows from the top, left to right within a row. */
export function readingOrder<T extends Pick<ReadResult, "position">>(results: readonly T[]): T[] {
  const box = (r: T) => {
    const p = r.position;
    const xs = [p.topLeft.x, p.topRight.x, p.bottomLeft.x, p.bottomRight.x];
    const ys = [p.topLeft.y, p.topRight.y, p.bottomLeft.y, p.bottomRight.y];
    const height = Math.max(...ys) - Math.min(...ys);
    return {
      x: (Math.min(...xs) + Math.max(...xs)) / 2,
      y: (Math.min(...ys) + Math.max(...ys)) / 2,
      height,
    };
  };
  const items = results.map((r) => ({ r, ...box(r) })).sort((a, b) => a.y - b.y);
  const rows: Array<typeof items> = [];
  for (const item of items) {
    const row = rows.at(-1);
    const first = row?.[0];
    if (
      row !== undefined && first !== undefined &&
      item.y - first.y < Math.max(first.height, item.height) / 2
    ) {
      row.push(item);
    } else {
      rows.push([item]);
    }
  }
  return rows.flatMap((row) => row.sort((a, b) => a.x - b.x).map((i) => i.r));
}

/**
 * QR payloads found in an encoded PNG or JPEG image, in reading order; [] when there are none.
 * `name` names the image in error messages.
 * @throws ParaduxError `input` when the bytes are not a decodable image.
 */
export async function scanImageBytes(bytes: Uint8Array, name = "the image"): Promise<Uint8Array[]> {
  await loadZxing();
  let results: ReadResult[];
  try {
    results = await readBarcodes(bytes, READER_OPTIONS);
  } catch (e) {
    throw unreadable(name, e);
  }
  return readingOrder(results.filter((r) => r.isValid)).map((r) => new Uint8Array(r.bytes));
}

function unreadable(name: string, cause: unknown): ParaduxError {
  return new ParaduxError("input", `cannot read ${name} as an image or pdf`, {
    hint: "give a pdf, png or jpeg scan of the printed pages",
    cause,
  });
}

/**
 * QR payloads found in a PDF, PNG or JPEG file, in reading order (pages in order).
 * A file without codes gives []. PDFs are rasterised into a private temporary directory.
 * @throws ParaduxError `not-found` for a missing file, `input` for a file that cannot be read.
 */
export async function scanFile(path: string, options: ScanOptions = {}): Promise<Uint8Array[]> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `${path} does not exist`, { cause: e });
    }
    throw new ParaduxError("input", `cannot read ${path}`, { cause: e });
  }
  const kind = sniff(bytes.subarray(0, 8));
  if (kind === undefined) throw unreadable(path, undefined);
  if (kind !== "pdf") return await scanImageBytes(bytes, path);
  return await scanPdf(path, options.dpi ?? DEFAULT_SCAN_DPI);
}

async function scanPdf(path: string, dpi: number): Promise<Uint8Array[]> {
  return await withPrivateDir(async (dir) => {
    let pages: string[];
    try {
      pages = await rasterisePdf(path, dir.dir, { dpi });
    } catch (e) {
      if (isUserError(e, "tool-failed")) throw unreadable(path, e);
      throw e;
    }
    const found: Uint8Array[] = [];
    for (const [i, page] of pages.entries()) {
      const png = await Deno.readFile(page);
      await Deno.remove(page);
      found.push(...await scanImageBytes(png, `page ${i + 1} of ${path}`));
    }
    return found;
  });
}
