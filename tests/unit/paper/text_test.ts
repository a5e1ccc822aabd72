import assert from "node:assert/strict";
import fc from "fast-check";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { isUserError } from "../../../errors.ts";
import { isWinAnsi, winAnsiSafe, wrapText } from "../../../paper/text.ts";

const byLength = (t: string) => t.length;

Deno.test("wrapText: greedy wrap, explicit breaks, long words cut", () => {
  assert.deepEqual(wrapText("the quick brown fox", 9, byLength), ["the quick", "brown fox"]);
  assert.deepEqual(wrapText("a  b\nc", 10, byLength), ["a b", "c"]);
  assert.deepEqual(wrapText("abcdefghij xy", 4, byLength), ["abcd", "efgh", "ij", "xy"]);
  assert.deepEqual(wrapText("", 5, byLength), [""]);
  assert.deepEqual(wrapText("one\n\ntwo", 5, byLength), ["one", "", "two"]);
});

Deno.test("wrapText: lines fit and no word is lost (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[a-z]{1,15}$/), { maxLength: 40 }),
      fc.integer({ min: 1, max: 30 }),
      (words, width) => {
        const lines = wrapText(words.join(" "), width, byLength);
        for (const line of lines) assert.ok(line.length <= width);
        assert.equal(lines.join("").replaceAll(" ", ""), words.join(""));
      },
    ),
  );
});

Deno.test("winAnsiSafe keeps WinAnsi text, spells common others, rejects the rest clearly", () => {
  const kept = "Café “quoted” – 5 € • naïve ß ÿ Œ";
  assert.equal(winAnsiSafe(kept), kept);
  assert.equal(winAnsiSafe("a → b ≥ c\tŁódź ő\u00a0x"), "a -> b >= c    Lódz o x");
  for (
    const [text, shown] of [["key 🔑", "U+1F511"], ["日本", "U+65E5"], ["bell\u0007", "U+0007"]]
  ) {
    assert.throws(
      () => winAnsiSafe(text!, "the title"),
      (e) =>
        isUserError(e, "input") && e.message.startsWith("the title") && e.message.includes(shown!),
    );
  }
});

Deno.test("everything isWinAnsi accepts, pdf-lib's Helvetica and Courier can encode", async () => {
  const doc = await PDFDocument.create();
  const fonts = [
    await doc.embedFont(StandardFonts.Helvetica),
    await doc.embedFont(StandardFonts.Courier),
  ];
  let count = 0;
  for (let cp = 0; cp < 0x2200; cp++) {
    const ch = String.fromCodePoint(cp);
    if (!isWinAnsi(ch)) continue;
    count++;
    for (const font of fonts) {
      assert.doesNotThrow(() => font.encodeText(ch), `U+${cp.toString(16)}`);
    }
  }
  assert.equal(count, 95 + 94 + 27);
});
