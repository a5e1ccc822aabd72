import assert from "node:assert/strict";
import { pageNumberOf, pdftoppmArgs } from "../../../system/pdftoppm.ts";

Deno.test("pdftoppmArgs: table", () => {
  const cases: Array<[Parameters<typeof pdftoppmArgs>, string[]]> = [
    [["a.pdf", "/t/page", { dpi: 150 }], ["-r", "150", "-png", "-gray", "a.pdf", "/t/page"]],
    [["a.pdf", "/t/p", { dpi: 300, gray: false }], ["-r", "300", "-png", "a.pdf", "/t/p"]],
    [
      ["a.pdf", "/t/p", { dpi: 200, firstPage: 2, lastPage: 3 }],
      ["-r", "200", "-png", "-gray", "-f", "2", "-l", "3", "a.pdf", "/t/p"],
    ],
    [
      ["a.pdf", "/t/p", { dpi: 72, antialiasVector: false }],
      ["-r", "72", "-png", "-gray", "-aaVector", "no", "a.pdf", "/t/p"],
    ],
    [["-x.pdf", "-out", { dpi: 100 }], ["-r", "100", "-png", "-gray", "./-x.pdf", "./-out"]],
    [["-", "/t/p", { dpi: 100 }], ["-r", "100", "-png", "-gray", "./-", "/t/p"]],
  ];
  for (const [args, expected] of cases) assert.deepEqual(pdftoppmArgs(...args), expected);
});

Deno.test("pdftoppmArgs rejects values pdftoppm would misread", () => {
  for (const dpi of [0, 71, 1201, 150.5, NaN]) {
    assert.throws(() => pdftoppmArgs("a.pdf", "p", { dpi }), RangeError);
  }
  assert.throws(() => pdftoppmArgs("a.pdf", "p", { dpi: 150, firstPage: 0 }), RangeError);
  assert.throws(() => pdftoppmArgs("a.pdf", "p", { dpi: 150, lastPage: 1.5 }), RangeError);
});

Deno.test("pageNumberOf reads pdftoppm's (zero-padded) output names", () => {
  assert.equal(pageNumberOf("page-1.png", "page"), 1);
  assert.equal(pageNumberOf("page-07.png", "page"), 7);
  assert.equal(pageNumberOf("page-123.png", "page"), 123);
  assert.equal(pageNumberOf("other-1.png", "page"), undefined);
  assert.equal(pageNumberOf("page-1.ppm", "page"), undefined);
  assert.equal(pageNumberOf("page.png", "page"), undefined);
});
