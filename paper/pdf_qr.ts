/**
 * QR codes on PDF pages: vector drawing of a module matrix and the geometry of a grid of codes.
 *
 * Each code is drawn as one filled path made of one rectangle per horizontal run of dark modules,
 * so rasterisers leave no hairline seams between modules and files stay small.
 * @module
 */
import {
  fill,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  setFillingGrayscaleColor,
} from "pdf-lib";
import { ParaduxError } from "../errors.ts";
import { type Layout, mmToPt } from "./layout.ts";
import { encodeQr, type QrMatrix } from "./qr.ts";

/** Horizontal runs of dark modules: [row, firstCol, length] triples, row 0 at the top. */
export function darkRuns(m: QrMatrix): Array<[number, number, number]> {
  const runs: Array<[number, number, number]> = [];
  for (let row = 0; row < m.size; row++) {
    let col = 0;
    while (col < m.size) {
      if (m.dark[row * m.size + col] !== 1) {
        col++;
        continue;
      }
      const start = col;
      while (col < m.size && m.dark[row * m.size + col] === 1) col++;
      runs.push([row, start, col - start]);
    }
  }
  return runs;
}

/** Draws `m` with its top-left corner (without quiet zone) at (`left`, `top`) in PDF points. */
export function drawQr(page: PDFPage, m: QrMatrix, left: number, top: number, module: number) {
  const ops = [pushGraphicsState(), setFillingGrayscaleColor(0)];
  for (const [row, col, len] of darkRuns(m)) {
    ops.push(rectangle(left + col * module, top - (row + 1) * module, len * module, module));
  }
  ops.push(fill(), popGraphicsState());
  page.pushOperators(...ops);
}

/** Where codes go on a page: cell sizes in points and how many fit. */
export interface QrGrid {
  /** Matrices of all payloads; each is centred in a cell sized for the largest. */
  readonly codes: readonly QrMatrix[];
  /** Side of one module in points. */
  readonly module: number;
  /** Side of one code including its quiet zone, in points. */
  readonly cell: number;
  /** Height reserved above each code for its label, in points. */
  readonly labelHeight: number;
  /** Gap between cells, in points. */
  readonly gap: number;
  /** Codes per row. */
  readonly columns: number;
}

/** Label height above each code and gap between cells (points). */
export const LABEL_HEIGHT = 13;
const GAP_MM = 3;

/**
 * Encodes `payloads` at the layout's level and fits the grid to `width` points.
 * @throws ParaduxError `capacity` when a code is wider than the page or `[qr] columns` do not fit.
 */
export function planGrid(payloads: readonly Uint8Array[], layout: Layout, width: number): QrGrid {
  const { ecc, moduleMm, quietZone } = layout.qr;
  // Each code keeps its own (smallest) version: padding a small payload up to a large version
  // fills the symbol with repetitive pad codewords that detectors can miss.
  const codes = payloads.map((p) => encodeQr(p, ecc));
  const version = Math.max(1, ...codes.map((m) => m.version));
  const module = mmToPt(moduleMm);
  const cell = (17 + 4 * version + 2 * quietZone) * module;
  const gap = mmToPt(GAP_MM);
  const fit = Math.floor((width + gap) / (cell + gap));
  const columns = layout.qr.columns === 0 ? fit : layout.qr.columns;
  if (fit < 1 || columns > fit) {
    const need = columns > 1 ? `${columns} codes` : "one code";
    throw new ParaduxError(
      "capacity",
      `${need} of ${Math.round((cell * 25.4) / 72)} mm do not fit across the page`,
      { hint: "use a smaller [qr] module_mm or fewer [qr] columns in the layout" },
    );
  }
  return { codes, module, cell, labelHeight: LABEL_HEIGHT, gap, columns };
}

/** Rows of the grid that fit into `height` points (at least 0). */
export function rowsThatFit(grid: QrGrid, height: number): number {
  return Math.max(0, Math.floor((height + grid.gap) / (grid.labelHeight + grid.cell + grid.gap)));
}

/** Height in points of `rows` rows of the grid. */
export function rowsHeight(grid: QrGrid, rows: number): number {
  return rows <= 0 ? 0 : rows * (grid.labelHeight + grid.cell) + (rows - 1) * grid.gap;
}
