/**
 * Printable PDF documents (pdf-lib, standard fonts only): a QR document (a grid of codes, as many
 * pages as needed) and text documents (recovery documents, shard documents, steward letters:
 * plain-language paragraphs, fallback text in monospace with line numbers, optional codes).
 *
 * Payloads are opaque bytes; this module knows nothing about frames. Codes are vector drawings
 * in BYTE mode at the layout's error-correction level.
 * @module
 */
import { PDFDocument, rgb } from "pdf-lib";
import { ParaduxError } from "../errors.ts";
import { DEFAULT_LAYOUT, type Layout } from "./layout.ts";
import { Flow, GREY, LIGHT } from "./pdf_flow.ts";
import { drawQr, planGrid, type QrGrid, rowsHeight, rowsThatFit } from "./pdf_qr.ts";
import { winAnsiSafe, wrapText } from "./text.ts";

/** Input of {@link renderQrDocument}. */
export interface QrDocumentSpec {
  /** Large title on the first page. */
  readonly title: string;
  /** Lines of header text under the title (instructions, subtitle). */
  readonly lines?: readonly string[];
  /** Document id in hex, printed on every page. */
  readonly docIdHex?: string;
  /** One QR code per payload, in this order. */
  readonly payloads: readonly Uint8Array[];
  /** Label above each code; default "Code i of n". */
  readonly labels?: readonly string[];
  /** Page layout (default A4). */
  readonly layout?: Layout;
}

/** Lines to be typed exactly (commands): monospace, never wrapped, not numbered, indented. */
export interface CodeBlock {
  /** The lines. */
  readonly code: readonly string[];
}

/** One section of a text document. */
export interface TextSection {
  /** Section heading. */
  readonly heading: string;
  /** Start the section on a new page (unless the page is still empty). */
  readonly newPage?: boolean;
  /** Plain-language paragraphs, word-wrapped ("\n" forces a line break), and code blocks. */
  readonly paragraphs?: readonly (string | CodeBlock)[];
  /** QR codes drawn after the paragraphs. */
  readonly qrPayloads?: readonly Uint8Array[];
  /** Labels of those codes; default "Code i of n". */
  readonly qrLabels?: readonly string[];
  /** Lines in monospace (fallback text), never wrapped, numbered from 1 when the layout says so. */
  readonly monospace?: readonly string[];
}

/** Input of {@link renderTextDocument}. */
export interface TextDocumentSpec {
  /** Large title on the first page. */
  readonly title: string;
  /** Lines under the title. */
  readonly lines?: readonly string[];
  /** Document id in hex, printed on every page. */
  readonly docIdHex?: string;
  /** The body. */
  readonly sections: readonly TextSection[];
  /** QR codes drawn after the header, before the sections. */
  readonly qrPayloads?: readonly Uint8Array[];
  /** Labels of those codes. */
  readonly qrLabels?: readonly string[];
  /** Page layout (default A4). */
  readonly layout?: Layout;
}

/** Renders a grid of QR codes, each labelled, over as many pages as needed. */
export async function renderQrDocument(spec: QrDocumentSpec): Promise<Uint8Array> {
  const layout = spec.layout ?? DEFAULT_LAYOUT;
  const doc = await PDFDocument.create();
  const flow = await Flow.start(doc, layout, {
    title: spec.title,
    lines: spec.lines ?? [],
    docIdHex: spec.docIdHex,
  });
  drawCodes(flow, spec.payloads, spec.labels);
  flow.finish();
  return await doc.save();
}

/** Renders a text document: header, optional codes, then the sections in order. */
export async function renderTextDocument(spec: TextDocumentSpec): Promise<Uint8Array> {
  const layout = spec.layout ?? DEFAULT_LAYOUT;
  const doc = await PDFDocument.create();
  const flow = await Flow.start(doc, layout, {
    title: spec.title,
    lines: spec.lines ?? [],
    docIdHex: spec.docIdHex,
  });
  if (spec.qrPayloads !== undefined && spec.qrPayloads.length > 0) {
    drawCodes(flow, spec.qrPayloads, spec.qrLabels);
    flow.y -= 8;
  }
  for (const section of spec.sections) drawSection(flow, section);
  flow.finish();
  return await doc.save();
}

function drawSection(flow: Flow, section: TextSection): void {
  const size = flow.layout.page.fontSize;
  const { bold } = flow.fonts;
  const heading = winAnsiSafe(section.heading, "a section heading");
  if (section.newPage === true && !flow.atTop) flow.addPage();
  flow.ensure(size * 5);
  flow.text(heading, bold, size + 2, (size + 2) * 1.6);
  for (const paragraph of section.paragraphs ?? []) {
    if (typeof paragraph === "string") drawParagraph(flow, paragraph);
    else drawCode(flow, paragraph.code);
  }
  if (section.qrPayloads !== undefined && section.qrPayloads.length > 0) {
    drawCodes(flow, section.qrPayloads, section.qrLabels);
  }
  if (section.monospace !== undefined && section.monospace.length > 0) {
    drawMonospace(flow, section.monospace);
  }
  flow.y -= size;
}

function drawParagraph(flow: Flow, paragraph: string): void {
  const size = flow.layout.page.fontSize;
  const font = flow.fonts.regular;
  const safe = paragraph.split("\n").map((l) => winAnsiSafe(l, "a paragraph")).join("\n");
  const lines = wrapText(safe, flow.width, (t) => font.widthOfTextAtSize(t, size));
  const lineHeight = size * 1.4;
  for (const line of lines) {
    flow.ensure(lineHeight);
    flow.text(line, font, size, lineHeight);
  }
  flow.y -= size * 0.6;
}

/** Code lines: Courier at the fallback size, smaller when a line would not fit the width. */
function drawCode(flow: Flow, lines: readonly string[]): void {
  const mono = flow.fonts.mono;
  const indent = 12;
  const safe = lines.map((l) => winAnsiSafe(l, "a command line"));
  const widest = Math.max(1, ...safe.map((l) => mono.widthOfTextAtSize(l, 1)));
  const size = Math.min(flow.layout.fallback.fontSize, (flow.width - indent) / widest);
  if (size < 6) {
    throw new ParaduxError("capacity", "a command line is too wide for the page", {
      hint: "use smaller page margins in the layout",
    });
  }
  const lineHeight = size * 1.5;
  for (const line of safe) {
    flow.ensure(lineHeight);
    flow.text(line, mono, size, lineHeight, flow.left + indent);
  }
  flow.y -= size * 0.6;
}

function drawMonospace(flow: Flow, lines: readonly string[]): void {
  const { fontSize, lineNumbers } = flow.layout.fallback;
  const mono = flow.fonts.mono;
  const numberWidth = lineNumbers ? mono.widthOfTextAtSize(`${lines.length}`, fontSize) + 12 : 0;
  const textWidth = flow.width - numberWidth - 4;
  const lineHeight = fontSize * 1.7;
  flow.y -= 2;
  lines.forEach((raw, i) => {
    const line = winAnsiSafe(raw, `fallback line ${i + 1}`);
    if (mono.widthOfTextAtSize(line, fontSize) > textWidth) {
      throw new ParaduxError("capacity", `fallback line ${i + 1} is too wide for the page`, {
        hint: "use a smaller [fallback] font_size or fewer groups_per_line in the layout",
      });
    }
    flow.ensure(lineHeight);
    if (i % 2 === 1) {
      flow.page.drawRectangle({
        x: flow.left,
        y: flow.y - lineHeight + fontSize * 0.35,
        width: flow.width,
        height: lineHeight,
        color: rgb(0.93, 0.93, 0.93),
      });
    }
    const baseline = flow.y - fontSize;
    if (lineNumbers) {
      const label = `${i + 1}`;
      const w = mono.widthOfTextAtSize(label, fontSize);
      const x = flow.left + numberWidth - 12 - w;
      flow.page.drawText(label, { x, y: baseline, size: fontSize, font: mono, color: GREY });
    }
    flow.page.drawText(line, {
      x: flow.left + numberWidth + 4,
      y: baseline,
      size: fontSize,
      font: mono,
    });
    flow.y -= lineHeight;
  });
}

function labelsFor(count: number, labels: readonly string[] | undefined): string[] {
  return Array.from({ length: count }, (_, i) => {
    const label = labels?.[i] ?? `Code ${i + 1} of ${count}`;
    return winAnsiSafe(label, "a code label");
  });
}

/** Draws codes in a centred grid from the cursor, breaking pages as needed. */
function drawCodes(
  flow: Flow,
  payloads: readonly Uint8Array[],
  labels: readonly string[] | undefined,
): void {
  if (payloads.length === 0) return;
  const grid = planGrid(payloads, flow.layout, flow.width);
  if (rowsThatFit(grid, flow.fullHeight) < 1) {
    throw new ParaduxError("capacity", "one qr code is taller than the page", {
      hint: "use a smaller [qr] module_mm in the layout",
    });
  }
  const names = labelsFor(payloads.length, labels);
  const perPage = flow.layout.qr.perPage;
  let next = 0;
  let onPage = 0;
  while (next < grid.codes.length) {
    let rows = rowsThatFit(grid, flow.free);
    if (perPage > 0) rows = Math.min(rows, Math.ceil((perPage - onPage) / grid.columns));
    if (rows < 1 || (perPage > 0 && onPage >= perPage)) {
      flow.addPage();
      onPage = 0;
      continue;
    }
    let count = Math.min(rows * grid.columns, grid.codes.length - next);
    if (perPage > 0) count = Math.min(count, perPage - onPage);
    drawRows(flow, grid, names, next, count);
    next += count;
    onPage += count;
  }
}

function drawRows(flow: Flow, grid: QrGrid, names: string[], first: number, count: number): void {
  const usedColumns = Math.min(grid.columns, count);
  const rowWidth = usedColumns * grid.cell + (usedColumns - 1) * grid.gap;
  const x0 = flow.left + (flow.width - rowWidth) / 2;
  const { bold } = flow.fonts;
  for (let k = 0; k < count; k++) {
    const row = Math.floor(k / grid.columns);
    const col = k % grid.columns;
    const x = x0 + col * (grid.cell + grid.gap);
    const top = flow.y - row * (grid.labelHeight + grid.cell + grid.gap);
    const name = names[first + k] ?? "";
    flow.page.drawText(name, { x: x + 2, y: top - 9, size: 9, font: bold });
    const cellTop = top - grid.labelHeight;
    flow.page.drawRectangle({
      x,
      y: cellTop - grid.cell,
      width: grid.cell,
      height: grid.cell,
      borderColor: LIGHT,
      borderWidth: 0.5,
    });
    const code = grid.codes[first + k]!;
    const inset = (grid.cell - code.size * grid.module) / 2;
    drawQr(flow.page, code, x + inset, cellTop - inset, grid.module);
  }
  const rows = Math.ceil(count / grid.columns);
  flow.y -= rowsHeight(grid, rows) + grid.gap;
}
