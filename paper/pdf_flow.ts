/**
 * A top-to-bottom writer over pdf-lib pages: fonts, a cursor, page breaks, the document header
 * on the first page, a short running header on the others and "page i of n" footers.
 * @module
 */
import { type PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import { type Layout, mmToPt } from "./layout.ts";
import { winAnsiSafe, wrapText } from "./text.ts";

/** The fonts every document uses (standard fonts only: nothing is embedded). */
export interface Fonts {
  /** Body text. */
  readonly regular: PDFFont;
  /** Headings and labels. */
  readonly bold: PDFFont;
  /** Fallback text and identifiers. */
  readonly mono: PDFFont;
}

/** Text colours. */
export const INK = rgb(0, 0, 0);
/** Secondary text (line numbers, footers). */
export const GREY = rgb(0.38, 0.38, 0.38);
/** Rules and frames. */
export const LIGHT = rgb(0.75, 0.75, 0.75);

/** What the header shows. */
export interface Heading {
  /** Large title on the first page. */
  readonly title: string;
  /** Lines under the title. */
  readonly lines: readonly string[];
  /** Document id in hex, shown on every page when given. */
  readonly docIdHex?: string | undefined;
}

const FOOTER_HEIGHT = 22;

/** A cursor over a growing document. */
export class Flow {
  /** The page being written. */
  page!: PDFPage;
  /** Cursor: top of the free space on the page, in points from the bottom. */
  y = 0;
  /** Left edge of the text area. */
  readonly left: number;
  /** Width of the text area. */
  readonly width: number;
  private readonly top: number;
  private readonly bottom: number;
  private pageStart = 0;

  private constructor(
    readonly doc: PDFDocument,
    readonly layout: Layout,
    readonly fonts: Fonts,
    readonly heading: Heading,
  ) {
    const { page } = layout;
    this.left = mmToPt(page.marginMm.left);
    this.width = mmToPt(page.widthMm - page.marginMm.left - page.marginMm.right);
    this.top = mmToPt(page.heightMm - page.marginMm.top);
    this.bottom = mmToPt(page.marginMm.bottom) + FOOTER_HEIGHT;
  }

  /** Starts a document: embeds the standard fonts and draws the first page's header. */
  static async start(doc: PDFDocument, layout: Layout, heading: Heading): Promise<Flow> {
    const fonts: Fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(StandardFonts.Courier),
    };
    const flow = new Flow(doc, layout, fonts, {
      title: winAnsiSafe(heading.title, "the title"),
      lines: heading.lines.map((l) => winAnsiSafe(l, "a header line")),
      docIdHex: heading.docIdHex,
    });
    doc.setTitle(flow.heading.title);
    doc.setProducer("Paradux");
    doc.setCreator("Paradux");
    flow.addPage();
    flow.drawFirstHeader();
    flow.pageStart = flow.y;
    return flow;
  }

  /** Space left on the current page, in points. */
  get free(): number {
    return this.y - this.bottom;
  }

  /** True when nothing has been written on the current page below its header yet. */
  get atTop(): boolean {
    return this.y >= this.pageStart;
  }

  /** Height of the writable area of a continuation page. */
  get fullHeight(): number {
    return this.top - this.bottom - (this.layout.page.fontSize + 21);
  }

  /** Starts a new page with the running header. */
  addPage(): void {
    const { widthMm, heightMm } = this.layout.page;
    this.page = this.doc.addPage([mmToPt(widthMm), mmToPt(heightMm)]);
    this.y = this.top;
    if (this.doc.getPageCount() > 1) this.drawRunningHeader();
    this.pageStart = this.y;
  }

  /** Makes sure `height` points are free, starting a new page when they are not. */
  ensure(height: number): void {
    if (this.free < height) this.addPage();
  }

  /** Writes one line of text at the cursor and moves down by `lineHeight`. */
  text(text: string, font: PDFFont, size: number, lineHeight: number, x = this.left, color = INK) {
    this.page.drawText(text, { x, y: this.y - size, size, font, color });
    this.y -= lineHeight;
  }

  /** Draws a horizontal rule across the text area and moves down by `after`. */
  rule(after: number, thickness = 0.75): void {
    this.page.drawLine({
      start: { x: this.left, y: this.y },
      end: { x: this.left + this.width, y: this.y },
      thickness,
      color: LIGHT,
    });
    this.y -= after;
  }

  private drawFirstHeader(): void {
    const { regular, bold, mono } = this.fonts;
    const size = this.layout.page.fontSize;
    this.text(this.heading.title, bold, 20, 28);
    // header lines are word-wrapped to the text width (a long subtitle stays on the page)
    const measure = (t: string) => regular.widthOfTextAtSize(t, size + 1);
    for (const line of this.heading.lines.flatMap((l) => wrapText(l, this.width, measure))) {
      this.text(line, regular, size + 1, size * 1.5, this.left, GREY);
    }
    if (this.heading.docIdHex !== undefined) {
      this.y -= 2;
      this.text(`Document ID: ${this.heading.docIdHex}`, mono, size, size * 1.5);
    }
    this.y -= 4;
    this.rule(16, 1.5);
  }

  private drawRunningHeader(): void {
    const size = this.layout.page.fontSize - 1;
    const id = this.heading.docIdHex === undefined ? "" : `  -  ${this.heading.docIdHex}`;
    this.text(`${this.heading.title}${id}`, this.fonts.regular, size, size + 6, this.left, GREY);
    this.rule(16);
  }

  /** Draws "page i of n" footers on every page; call once at the end. */
  finish(): void {
    const pages = this.doc.getPages();
    const size = 8;
    const y = mmToPt(this.layout.page.marginMm.bottom);
    pages.forEach((page, i) => {
      const label = `Page ${i + 1} of ${pages.length}`;
      const w = this.fonts.regular.widthOfTextAtSize(label, size);
      page.drawText(label, {
        x: this.left + this.width - w,
        y,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
      page.drawText(this.heading.title, {
        x: this.left,
        y,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
    });
  }
}
