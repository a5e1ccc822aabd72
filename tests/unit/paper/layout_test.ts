import assert from "node:assert/strict";
import { isUserError } from "../../../errors.ts";
import { DEFAULT_LAYOUT, parseLayout, presetLayout, withEcc } from "../../../paper/layout.ts";

const root = new URL("../../../", import.meta.url);

Deno.test("layout presets in templates/paper/ are exactly the built-in presets", async () => {
  for (const size of ["a4", "letter"] as const) {
    const text = await Deno.readTextFile(new URL(`templates/paper/${size}.toml`, root));
    assert.deepEqual(parseLayout(text), presetLayout(size));
  }
});

Deno.test("an empty layout is the A4 default; size = letter switches paper and margins", () => {
  assert.deepEqual(parseLayout(""), DEFAULT_LAYOUT);
  assert.equal(DEFAULT_LAYOUT.page.widthMm, 210);
  const letter = parseLayout('[page]\nsize = "letter"');
  assert.equal(letter.page.widthMm, 215.9);
  assert.equal(letter.page.heightMm, 279.4);
  assert.equal(letter.page.marginMm.left, 19.05);
});

Deno.test("layout keys override the preset one by one", () => {
  const l = parseLayout(`
[page]
width_mm = 148
height_mm = 210
margin_mm = 10
margin_top_mm = 20
[qr]
module_mm = 0.8
quiet_zone = 5
columns = 2
per_page = 4
ecc = "H"
[fallback]
font_size = 11
groups_per_line = 4
line_numbers = false
`);
  assert.equal(l.page.size, "custom");
  assert.deepEqual(l.page.marginMm, { top: 20, right: 10, bottom: 10, left: 10 });
  assert.deepEqual(l.qr, { moduleMm: 0.8, quietZone: 5, columns: 2, perPage: 4, ecc: "H" });
  assert.deepEqual(l.fallback, { fontSize: 11, groupsPerLine: 4, lineNumbers: false });
  assert.equal(withEcc(l, "L").qr.ecc, "L");
});

Deno.test("layout validation errors name the key", () => {
  const cases: Array<[string, string]> = [
    ["[qr]\nmodul_mm = 1", "unknown key [qr] modul_mm"],
    ["[paper]\nsize = 'a4'", "unknown section or key paper"],
    ["qr = 1", "[qr] must be a table"],
    ["[qr]\necc = 'X'", "[qr] ecc must be one of L, M, Q, H"],
    ["[qr]\necc = 1", "[qr] ecc must be one of"],
    ["[qr]\nmodule_mm = 'big'", "[qr] module_mm must be a number"],
    ["[qr]\nmodule_mm = 9", "[qr] module_mm must be between 0.2 and 5, got 9"],
    ["[qr]\ncolumns = 1.5", "[qr] columns must be a whole number"],
    ["[page]\nsize = 'a3'", "[page] size must be one of a4, letter"],
    ["[page]\nmargin_mm = 90", "[page] margins leave less than 40 mm of width"],
    [
      "[page]\nheight_mm = 150\nmargin_top_mm = 50\nmargin_bottom_mm = 50",
      "less than 60 mm of height",
    ],
    ["[fallback]\nline_numbers = 'yes'", "[fallback] line_numbers must be true or false"],
    ["[fallback]\nfont_size = 3", "[fallback] font_size must be between 6 and 24, got 3"],
    ["[page\nsize = 'a4'", "not valid TOML at line 1"],
  ];
  for (const [toml, message] of cases) {
    assert.throws(
      () => parseLayout(toml, "my.toml"),
      (e) =>
        isUserError(e, "input") && e.message.startsWith("my.toml: ") && e.message.includes(message),
      `${JSON.stringify(toml)} -> ${message}`,
    );
  }
});
