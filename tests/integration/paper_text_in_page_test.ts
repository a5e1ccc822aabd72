/**
 * Every word printed on a paper document lies inside its page: the PDFs are read back with
 * poppler's `pdftotext -bbox` (word boxes in points) and each box is checked against the page's
 * media box. The QR document's subtitle of a sharded backup used to run off the page.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { presetLayout } from "../../paper/layout.ts";
import { renderQrDocument } from "../../paper/pdf.ts";

interface Word {
  text: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  pageWidth: number;
  pageHeight: number;
}

/** The words of a PDF with their boxes and their page's size (pdftotext -bbox). */
async function wordsOf(pdf: Uint8Array): Promise<Word[]> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-bbox-" });
  try {
    const file = join(dir, "doc.pdf");
    await Deno.writeFile(file, pdf);
    const r = await new Deno.Command("pdftotext", { args: ["-bbox", file, "-"], stdout: "piped" })
      .output();
    assert.ok(r.success, "pdftotext -bbox");
    const html = new TextDecoder().decode(r.stdout);
    const words: Word[] = [];
    for (const page of html.split("<page ").slice(1)) {
      const size = page.match(/^width="([\d.]+)" height="([\d.]+)"/);
      assert.ok(size, "a page size");
      for (
        const m of page.matchAll(
          /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
        )
      ) {
        words.push({
          text: m[5]!,
          xMin: Number(m[1]),
          yMin: Number(m[2]),
          xMax: Number(m[3]),
          yMax: Number(m[4]),
          pageWidth: Number(size[1]),
          pageHeight: Number(size[2]),
        });
      }
    }
    return words;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("paper: a long QR document subtitle is wrapped inside the page (pdftotext -bbox)", async () => {
  const long = "Ethernity v1 paper backup. Scan every code, in any order; together with the " +
    "passphrase from any 2 of the 3 shard documents they give the files back.";
  const payloads = [new Uint8Array(200).fill(7)];
  for (const layout of [presetLayout("a4"), presetLayout("letter")]) {
    const pdf = await renderQrDocument({
      title: "QR document",
      lines: [long, "Keep this apart from the recovery document."],
      docIdHex: "0123456789abcdef",
      payloads,
      labels: ["Main 1 of 1"],
      layout,
    });
    const words = await wordsOf(pdf);
    const text = words.map((w) => w.text).join(" ");
    assert.match(
      text,
      /shard documents they give the files back\./,
      "the whole subtitle is printed",
    );
    for (const w of words) {
      assert.ok(
        w.xMin >= 0 && w.xMax <= w.pageWidth && w.yMin >= 0 && w.yMax <= w.pageHeight,
        `"${w.text}" at x ${w.xMin}..${w.xMax} on a page ${w.pageWidth} wide`,
      );
    }
  }
});
