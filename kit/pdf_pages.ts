/**
 * PDF pages to images for the recovery kit, where there is no pdftoppm: Paradux draws its QR
 * codes as filled rectangles (paper/pdf_qr.ts), so rasterising a page's filled rectangles
 * (pdf-lib reads the file and decodes its content streams) gives the codes exactly, ready for
 * the same QR reader as a scan (paper/scan.ts `scanImageBytes`). Text, images and curves are
 * not drawn: a PDF made otherwise (a scanner's) gives no codes, and the page says to use a
 * photo or screenshot instead.
 * @module
 */
import {
  decodePDFRawStream,
  PDFArray,
  PDFDocument,
  type PDFObject,
  PDFRawStream,
  PDFRef,
} from "pdf-lib";
import { crc32 } from "../paper/format/crc32.ts";

/** Default resolution, as the CLI rasterises PDFs (paper/scan.ts `DEFAULT_SCAN_DPI`). */
export const PAGE_DPI = 200;

type Matrix = [number, number, number, number, number, number];

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];

/** A filled axis-aligned rectangle in page points (origin bottom left). */
export interface FilledRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const DELIMITERS = new Set([..."()<>[]{}/%"].map((c) => c.charCodeAt(0)));
const isSpace = (b: number) =>
  b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0;

/** Operands and operators of a content stream; strings, names, arrays and dicts are skipped. */
function* tokens(s: Uint8Array): Generator<number | string | null> {
  let i = 0;
  while (i < s.length) {
    const b = s[i]!;
    if (isSpace(b)) {
      i++;
    } else if (b === 0x25) { // % comment
      while (i < s.length && s[i] !== 0x0a && s[i] !== 0x0d) i++;
    } else if (b === 0x28) { // (string), nested, with escapes
      let depth = 0;
      for (; i < s.length; i++) {
        if (s[i] === 0x5c) i++;
        else if (s[i] === 0x28) depth++;
        else if (s[i] === 0x29 && --depth === 0) break;
      }
      i++;
      yield null;
    } else if (b === 0x3c && s[i + 1] !== 0x3c) { // <hex string>
      while (i < s.length && s[i] !== 0x3e) i++;
      i++;
      yield null;
    } else if (DELIMITERS.has(b)) { // names, arrays, dicts: operands we never need
      i++;
      if (b === 0x2f) { while (i < s.length && !isSpace(s[i]!) && !DELIMITERS.has(s[i]!)) i++; }
      yield null;
    } else {
      const start = i;
      while (i < s.length && !isSpace(s[i]!) && !DELIMITERS.has(s[i]!)) i++;
      const word = String.fromCharCode(...s.subarray(start, i));
      const n = Number(word);
      yield /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) && Number.isFinite(n) ? n : word;
    }
  }
}

/**
 * The dark filled rectangles a content stream paints (`re` paths filled with `f`, `f*`, `F`,
 * `B`, `b` in a fill colour darker than mid grey), with `q`/`Q`/`cm` applied. Rotated or
 * skewed rectangles are left out.
 */
export function filledRects(content: Uint8Array): FilledRect[] {
  const out: FilledRect[] = [];
  const stack: { ctm: Matrix; dark: boolean }[] = [];
  let ctm: Matrix = [1, 0, 0, 1, 0, 0];
  let dark = true;
  let path: FilledRect[] = [];
  let args: (number | null)[] = [];
  for (const t of tokens(content)) {
    if (typeof t === "number" || t === null) {
      args.push(t);
      continue;
    }
    const nums = args.filter((a): a is number => a !== null);
    switch (t) {
      case "q":
        stack.push({ ctm, dark });
        break;
      case "Q":
        ({ ctm, dark } = stack.pop() ?? { ctm, dark });
        break;
      case "cm":
        if (nums.length === 6) ctm = multiply(nums as Matrix, ctm);
        break;
      case "g":
        dark = (nums[0] ?? 0) < 0.5;
        break;
      case "rg":
        dark = (0.299 * (nums[0] ?? 0) + 0.587 * (nums[1] ?? 0) + 0.114 * (nums[2] ?? 0)) < 0.5;
        break;
      case "k":
        dark = (nums[3] ?? 0) > 0.5 || (nums[0] ?? 0) + (nums[1] ?? 0) + (nums[2] ?? 0) > 1.5;
        break;
      case "re": {
        const [x, y, w, h] = nums as [number, number, number, number];
        if (ctm[1] === 0 && ctm[2] === 0 && nums.length === 4) {
          const x0 = ctm[0] * x + ctm[4], y0 = ctm[3] * y + ctm[5];
          const x1 = ctm[0] * (x + w) + ctm[4], y1 = ctm[3] * (y + h) + ctm[5];
          path.push({
            x: Math.min(x0, x1),
            y: Math.min(y0, y1),
            w: Math.abs(x1 - x0),
            h: Math.abs(y1 - y0),
          });
        }
        break;
      }
      case "f":
      case "F":
      case "f*":
      case "B":
      case "B*":
      case "b":
      case "b*":
        if (dark) out.push(...path);
        path = [];
        break;
      case "n":
      case "S":
      case "s":
        path = [];
        break;
    }
    args = [];
  }
  return out;
}

function streamBytes(doc: PDFDocument, obj: PDFObject | undefined): Uint8Array[] {
  const o = obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
  if (o instanceof PDFArray) return o.asArray().flatMap((e) => streamBytes(doc, e));
  if (o instanceof PDFRawStream) return [decodePDFRawStream(o).decode()];
  return [];
}

/** One page drawn in grey levels (0 black, 255 white), one byte per pixel. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Rasterises the dark rectangles of every page of a PDF at `dpi`. */
export async function rasterisePdfRects(bytes: Uint8Array, dpi = PAGE_DPI): Promise<GrayImage[]> {
  const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
  const scale = dpi / 72;
  return doc.getPages().map((page) => {
    const { width: pw, height: ph } = page.getSize();
    const { x: ox, y: oy } = page.getMediaBox();
    const width = Math.ceil(pw * scale), height = Math.ceil(ph * scale);
    const pixels = new Uint8Array(width * height).fill(255);
    const contents = streamBytes(doc, page.node.Contents());
    const joined = new Uint8Array(contents.reduce((n, c) => n + c.length + 1, 0));
    let off = 0;
    for (const c of contents) {
      joined.set(c, off);
      joined[off + c.length] = 0x0a;
      off += c.length + 1;
    }
    for (const r of filledRects(joined)) {
      const x0 = Math.max(0, Math.round((r.x - ox) * scale));
      const x1 = Math.min(width, Math.round((r.x - ox + r.w) * scale));
      const y0 = Math.max(0, Math.round((ph - (r.y - oy + r.h)) * scale));
      const y1 = Math.min(height, Math.round((ph - (r.y - oy)) * scale));
      for (let y = y0; y < y1; y++) pixels.fill(0, y * width + x0, y * width + x1);
    }
    return { width, height, pixels };
  });
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([data as BlobPart]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

/** A greyscale image as PNG bytes (for the QR reader, which takes encoded images). */
export async function grayPng(img: GrayImage): Promise<Uint8Array> {
  const raw = new Uint8Array((img.width + 1) * img.height);
  for (let y = 0; y < img.height; y++) {
    raw.set(img.pixels.subarray(y * img.width, (y + 1) * img.width), y * (img.width + 1) + 1);
  }
  const chunk = (type: string, data: Uint8Array) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
    return out;
  };
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, img.width);
  hv.setUint32(4, img.height);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filter, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", await deflate(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const png = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    png.set(p, off);
    off += p.length;
  }
  return png;
}
