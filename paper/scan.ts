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
import { type PdftoppmOptions, rasterisePdf } from "../system/pdftoppm.ts";
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
  returnErrors: true,
};

let ready: Promise<unknown> | undefined;

/** Where the installed zxing-wasm package keeps its reader .wasm. */
export function zxingWasmPath(): string {
  return fileURLToPath(import.meta.resolve("zxing-wasm/reader/zxing_reader.wasm"));
}

/**
 * Loads the zxing reader from `wasm` (the .wasm's bytes) instead of the installed package: the
 * recovery kit (kit/main.ts) carries them inlined, as a browser has no package folder.
 */
export function useZxingWasm(wasm: ArrayBuffer): Promise<unknown> {
  ready = prepareZXingModule({ overrides: { wasmBinary: wasm }, fireImmediately: true });
  return ready;
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

/** What one page or image gave: payloads in reading order and codes seen but not decodable. */
export interface PageScan {
  /** Decoded payloads in reading order. */
  readonly payloads: Uint8Array[];
  /** Codes that were located but failed to decode (damaged, blurred, too coarse a scan). */
  readonly unreadable: number;
}

/** What a whole file gave, page by page (an image is one page). */
export interface FileScan {
  /** All payloads, pages in order. */
  readonly payloads: Uint8Array[];
  /** Per page, in order. */
  readonly pages: readonly PageScan[];
}

async function decode(bytes: Uint8Array, name: string, options: ReaderOptions): Promise<PageScan> {
  await loadZxing();
  let results: ReadResult[];
  try {
    results = await readBarcodes(bytes, { ...READER_OPTIONS, ...options });
  } catch (e) {
    throw unreadable(name, e);
  }
  const broken = results.find((r) => !r.isValid && /load image/i.test(r.error));
  if (broken !== undefined) throw unreadable(name, new Error(broken.error));
  const valid = results.filter((r) => r.isValid);
  const failed = new Set(
    results.filter((r) => !r.isValid).map((r) => `${r.position.topLeft.x},${r.position.topLeft.y}`),
  );
  return {
    payloads: readingOrder(valid).map((r) => new Uint8Array(r.bytes)),
    unreadable: failed.size,
  };
}

function better(a: PageScan, b: PageScan): PageScan {
  return b.payloads.length > a.payloads.length ? b : a;
}

/** Decodes an image; when a code is seen but not decoded, tries a second binarizer. */
async function decodeImage(bytes: Uint8Array, name: string): Promise<PageScan> {
  const first = await decode(bytes, name, {});
  if (first.unreadable === 0) return first;
  return better(first, await decode(bytes, name, { binarizer: "GlobalHistogram" }));
}

/**
 * QR payloads found in an encoded PNG or JPEG image, in reading order; [] when there are none.
 * `name` names the image in error messages.
 * @throws ParaduxError `input` when the bytes are not a decodable image.
 */
export async function scanImageBytes(bytes: Uint8Array, name = "the image"): Promise<Uint8Array[]> {
  return (await decodeImage(bytes, name)).payloads;
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
  return (await scanFileReport(path, options)).payloads;
}

/**
 * Like {@link scanFile}, and also says per page how many codes were seen but could not be read.
 * A PDF page with such codes is rasterised again at twice the resolution before giving up.
 */
export async function scanFileReport(path: string, options: ScanOptions = {}): Promise<FileScan> {
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
  const pages = kind === "pdf"
    ? await scanPdf(path, options.dpi ?? DEFAULT_SCAN_DPI)
    : [await decodeImage(bytes, path)];
  return { payloads: pages.flatMap((p) => p.payloads), pages };
}

async function rasterise(path: string, dir: string, options: PdftoppmOptions): Promise<string[]> {
  try {
    return await rasterisePdf(path, dir, options);
  } catch (e) {
    if (isUserError(e, "tool-failed")) throw unreadable(path, e);
    throw e;
  }
}

async function scanPdf(path: string, dpi: number): Promise<PageScan[]> {
  return await withPrivateDir(async (dir) => {
    const pages = await rasterise(path, dir.dir, { dpi });
    const found: PageScan[] = [];
    for (const [i, page] of pages.entries()) {
      const name = `page ${i + 1} of ${path}`;
      const png = await Deno.readFile(page);
      await Deno.remove(page);
      let scan = await decodeImage(png, name);
      if (scan.unreadable > 0 && dpi < 600) {
        const sharper = Math.min(600, dpi * 2);
        const sub = await Deno.makeTempDir({ dir: dir.dir });
        const again = { dpi: sharper, firstPage: i + 1, lastPage: i + 1 };
        for (const file of await rasterise(path, sub, again)) {
          scan = better(scan, await decodeImage(await Deno.readFile(file), name));
        }
        await Deno.remove(sub, { recursive: true });
      }
      found.push(scan);
    }
    return found;
  });
}
