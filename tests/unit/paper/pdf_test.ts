import assert from "node:assert/strict";
import { PDFDocument } from "pdf-lib";
import { isUserError } from "../../../errors.ts";
import { parseLayout, presetLayout } from "../../../paper/layout.ts";
import { renderQrDocument, renderTextDocument } from "../../../paper/pdf.ts";
import { darkRuns, planGrid } from "../../../paper/pdf_qr.ts";
import { encodeQr } from "../../../paper/qr.ts";

async function pageCount(pdf: Uint8Array): Promise<number> {
  return (await PDFDocument.load(pdf)).getPageCount();
}

Deno.test("darkRuns covers exactly the dark modules", () => {
  const m = encodeQr(crypto.getRandomValues(new Uint8Array(100)), "Q");
  const painted = new Uint8Array(m.size * m.size);
  for (const [row, col, len] of darkRuns(m)) {
    assert.ok(len > 0);
    for (let c = col; c < col + len; c++) {
      assert.equal(painted[row * m.size + c], 0, "runs overlap");
      painted[row * m.size + c] = 1;
    }
  }
  assert.deepEqual(painted, m.dark);
});

Deno.test("planGrid: columns fit the width; codes keep their own version", () => {
  const a4 = presetLayout("a4");
  const grid = planGrid([new Uint8Array(530), new Uint8Array(10)], a4, 510);
  assert.equal(grid.columns, 3);
  assert.equal(grid.codes[0]!.version, 18);
  assert.equal(grid.codes[1]!.version, 1);
  assert.throws(
    () => planGrid([new Uint8Array(530)], parseLayout("[qr]\nmodule_mm = 3"), 510),
    (e) => isUserError(e, "capacity") && e.message.includes("do not fit across the page"),
  );
  assert.throws(
    () => planGrid([new Uint8Array(530)], parseLayout("[qr]\ncolumns = 5"), 510),
    (e) => isUserError(e, "capacity"),
  );
});

Deno.test("renderQrDocument: pages grow with the codes; per_page is honoured", async () => {
  const payloads = (n: number) => Array.from({ length: n }, () => new Uint8Array(530));
  const one = await renderQrDocument({ title: "QR", payloads: payloads(12) });
  assert.equal(await pageCount(one), 1);
  assert.equal(await pageCount(await renderQrDocument({ title: "QR", payloads: payloads(13) })), 2);
  const layout = parseLayout("[qr]\nper_page = 4");
  assert.equal(
    await pageCount(await renderQrDocument({ title: "QR", payloads: payloads(9), layout })),
    3,
  );
  assert.equal(new TextDecoder().decode(one.subarray(0, 5)), "%PDF-");
});

Deno.test("renderTextDocument refuses what it cannot print, naming it", async () => {
  await assert.rejects(
    () =>
      renderTextDocument({
        title: "Letter",
        sections: [{ heading: "Fallback", monospace: ["abcd ".repeat(30)] }],
      }),
    (e) => isUserError(e, "capacity") && e.message === "fallback line 1 is too wide for the page",
  );
  await assert.rejects(
    () => renderTextDocument({ title: "Letter", sections: [{ heading: "Hi ☃", paragraphs: [] }] }),
    (e) => isUserError(e, "input") && e.message.includes("U+2603"),
  );
  const pdf = await renderTextDocument({
    title: "Letter to a steward – “thank you”",
    sections: [{ heading: "Dear Zoë", paragraphs: ["Long text. ".repeat(1500)] }],
  });
  assert.ok(await pageCount(pdf) >= 2);
});
