/**
 * Page layout for printed documents: paper size and margins, QR grid, fallback-text style.
 *
 * Layouts are written in TOML with three sections, `[page]`, `[qr]` and `[fallback]`; every key
 * is optional and falls back to the preset named by `[page] size` (A4 unless told otherwise).
 * Unknown keys and bad values are rejected with a message naming the key. The presets also live
 * as commented files in `templates/paper/a4.toml` and `templates/paper/letter.toml`.
 * @module
 */
import { parse, TomlError } from "smol-toml";
import { ParaduxError } from "../errors.ts";
import { type Ecc, ECC_LEVELS, isEcc } from "./qr.ts";

/** Named paper sizes. */
export type PaperSize = "a4" | "letter";

/** Page geometry and body text. */
export interface PageLayout {
  /** Preset the page started from ("custom" when width/height were given). */
  readonly size: PaperSize | "custom";
  /** Page width in millimetres. */
  readonly widthMm: number;
  /** Page height in millimetres. */
  readonly heightMm: number;
  /** Margins in millimetres. */
  readonly marginMm: {
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
    readonly left: number;
  };
  /** Body text size in points (Helvetica). */
  readonly fontSize: number;
}

/** QR grid settings. */
export interface QrLayout {
  /** Side of one QR module in millimetres. */
  readonly moduleMm: number;
  /** Light border around each code, in modules (the standard asks for 4). */
  readonly quietZone: number;
  /** Codes per row; 0 = as many as fit. */
  readonly columns: number;
  /** Codes per page; 0 = as many as fit. */
  readonly perPage: number;
  /** Error-correction level. */
  readonly ecc: Ecc;
}

/** Style of the typed-text fallback. */
export interface FallbackLayout {
  /** Monospace text size in points (Courier). */
  readonly fontSize: number;
  /** Groups of characters per printed line (used by whoever cuts the text into lines). */
  readonly groupsPerLine: number;
  /** Print line numbers in the left margin column. */
  readonly lineNumbers: boolean;
}

/** A complete, validated layout. */
export interface Layout {
  /** Page geometry. */
  readonly page: PageLayout;
  /** QR grid. */
  readonly qr: QrLayout;
  /** Fallback text. */
  readonly fallback: FallbackLayout;
}

const PAPER: Record<PaperSize, { widthMm: number; heightMm: number }> = {
  a4: { widthMm: 210, heightMm: 297 },
  letter: { widthMm: 215.9, heightMm: 279.4 },
};

/** The built-in layout for a paper size (what `templates/paper/<size>.toml` spells out). */
export function presetLayout(size: PaperSize): Layout {
  const margin = size === "a4" ? 15 : 19.05; // 3/4 inch on Letter
  return {
    page: {
      size,
      ...PAPER[size],
      marginMm: { top: margin, right: margin, bottom: margin, left: margin },
      fontSize: 10,
    },
    qr: { moduleMm: 0.5, quietZone: 4, columns: 0, perPage: 0, ecc: "M" },
    fallback: { fontSize: 10, groupsPerLine: 6, lineNumbers: true },
  };
}

/** The default layout (A4). */
export const DEFAULT_LAYOUT: Layout = presetLayout("a4");

type Table = Record<string, unknown>;

const KEYS: Record<string, readonly string[]> = {
  page: [
    "size",
    "width_mm",
    "height_mm",
    "margin_mm",
    "margin_top_mm",
    "margin_right_mm",
    "margin_bottom_mm",
    "margin_left_mm",
    "font_size",
  ],
  qr: ["module_mm", "quiet_zone", "columns", "per_page", "ecc"],
  fallback: ["font_size", "groups_per_line", "line_numbers"],
};

function bad(where: string, message: string): ParaduxError {
  return new ParaduxError("input", `${where}: ${message}`, {
    hint: "compare with templates/paper/a4.toml",
  });
}

class Reader {
  constructor(readonly where: string, readonly section: string, readonly table: Table) {}

  private key(name: string): string {
    return `[${this.section}] ${name}`;
  }

  number(name: string, min: number, max: number, fallback: number, integer = false): number {
    const v = this.table[name];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw bad(this.where, `${this.key(name)} must be a number`);
    }
    if (integer && !Number.isInteger(v)) {
      throw bad(this.where, `${this.key(name)} must be a whole number`);
    }
    if (v < min || v > max) {
      throw bad(this.where, `${this.key(name)} must be between ${min} and ${max}, got ${v}`);
    }
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.table[name];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") throw bad(this.where, `${this.key(name)} must be true or false`);
    return v;
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const v = this.table[name];
    if (v === undefined) return fallback;
    if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
      throw bad(this.where, `${this.key(name)} must be one of ${allowed.join(", ")}`);
    }
    return v as T;
  }

  has(name: string): boolean {
    return this.table[name] !== undefined;
  }
}

function sectionOf(doc: Table, name: string, where: string): Table {
  const v = doc[name];
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Date) {
    throw bad(where, `[${name}] must be a table`);
  }
  const table = v as Table;
  const allowed = KEYS[name] ?? [];
  for (const key of Object.keys(table)) {
    if (!allowed.includes(key)) throw bad(where, `unknown key [${name}] ${key}`);
  }
  return table;
}

function readPage(r: Reader): PageLayout {
  const size = r.choice<PaperSize>("size", ["a4", "letter"], "a4");
  const base = presetLayout(size).page;
  const custom = r.has("width_mm") || r.has("height_mm");
  const widthMm = r.number("width_mm", 50, 2000, base.widthMm);
  const heightMm = r.number("height_mm", 50, 2000, base.heightMm);
  const all = r.number("margin_mm", 0, 100, base.marginMm.top);
  const marginMm = {
    top: r.number("margin_top_mm", 0, 100, all),
    right: r.number("margin_right_mm", 0, 100, all),
    bottom: r.number("margin_bottom_mm", 0, 100, all),
    left: r.number("margin_left_mm", 0, 100, all),
  };
  if (widthMm - marginMm.left - marginMm.right < 40) {
    throw bad(r.where, "[page] margins leave less than 40 mm of width");
  }
  if (heightMm - marginMm.top - marginMm.bottom < 60) {
    throw bad(r.where, "[page] margins leave less than 60 mm of height");
  }
  const fontSize = r.number("font_size", 6, 24, base.fontSize);
  return { size: custom ? "custom" : size, widthMm, heightMm, marginMm, fontSize };
}

/**
 * Parses layout TOML; keys left out keep the preset of `[page] size` (A4 by default).
 * `where` names the source (a file path) in error messages.
 * @throws ParaduxError `input` naming the offending key, or the TOML line on a syntax error.
 */
export function parseLayout(text: string, where = "layout"): Layout {
  let doc: Table;
  try {
    doc = parse(text) as Table;
  } catch (e) {
    const line = e instanceof TomlError ? ` at line ${e.line}` : "";
    throw new ParaduxError("input", `${where}: not valid TOML${line}`, { cause: e });
  }
  for (const key of Object.keys(doc)) {
    if (!(key in KEYS)) throw bad(where, `unknown section or key ${key}`);
  }
  const page = readPage(new Reader(where, "page", sectionOf(doc, "page", where)));
  const base = presetLayout(page.size === "letter" ? "letter" : "a4");
  const q = new Reader(where, "qr", sectionOf(doc, "qr", where));
  const qr: QrLayout = {
    moduleMm: q.number("module_mm", 0.2, 5, base.qr.moduleMm),
    quietZone: q.number("quiet_zone", 1, 20, base.qr.quietZone, true),
    columns: q.number("columns", 0, 20, base.qr.columns, true),
    perPage: q.number("per_page", 0, 400, base.qr.perPage, true),
    ecc: q.choice<Ecc>("ecc", ECC_LEVELS, base.qr.ecc),
  };
  const f = new Reader(where, "fallback", sectionOf(doc, "fallback", where));
  const fallback: FallbackLayout = {
    fontSize: f.number("font_size", 6, 24, base.fallback.fontSize),
    groupsPerLine: f.number("groups_per_line", 1, 40, base.fallback.groupsPerLine, true),
    lineNumbers: f.boolean("line_numbers", base.fallback.lineNumbers),
  };
  return { page, qr, fallback };
}

/** Reads and parses a layout file. */
export async function loadLayout(path: string): Promise<Layout> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new ParaduxError("not-found", `layout file ${path} does not exist`, { cause: e });
    }
    throw new ParaduxError("input", `cannot read layout file ${path}`, { cause: e });
  }
  return parseLayout(text, path);
}

/** A copy of `layout` with another QR error-correction level (for a `--qr-ecc` flag). */
export function withEcc(layout: Layout, ecc: Ecc): Layout {
  if (!isEcc(ecc)) throw new ParaduxError("usage", `unknown qr error correction level ${ecc}`);
  return { ...layout, qr: { ...layout.qr, ecc } };
}

/** Millimetres to PDF points. */
export function mmToPt(mm: number): number {
  return (mm * 72) / 25.4;
}
