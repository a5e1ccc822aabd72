import assert from "node:assert/strict";
import { join } from "node:path";
import { grayPng, rasterisePdfRects } from "../../kit/pdf_pages.ts";
import { scanFile, scanImageBytes } from "../../paper/scan.ts";
import { runCli } from "../e2e/cli.ts";

Deno.test("kit pdf pages: the codes of Paradux's PDFs, as pdftoppm + zxing read them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paradux-kit-pdf-" });
  try {
    const file = join(dir, "notes.txt");
    await Deno.writeFile(file, crypto.getRandomValues(new Uint8Array(1500)));
    const out = join(dir, "out");
    const r = await runCli(["paper", "backup", "--shards", "2/3", "-o", out, file], {
      cheapKdf: true,
    });
    assert.equal(r.code, 0, r.stderr);
    const [backup] = [...Deno.readDirSync(out)].map((e) => join(out, e.name));
    const pdfs = [...Deno.readDirSync(backup!)].map((e) => e.name).filter((n) => n.endsWith(".pdf"))
      .sort();
    assert.ok(pdfs.length >= 5);
    for (const name of pdfs) {
      const path = join(backup!, name);
      const codes: Uint8Array[] = [];
      for (const page of await rasterisePdfRects(await Deno.readFile(path))) {
        codes.push(...await scanImageBytes(await grayPng(page)));
      }
      assert.deepEqual(codes, await scanFile(path), name);
      if (name === "qr_document.pdf") assert.ok(codes.length >= 3, `${codes.length} codes`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
