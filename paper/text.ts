/**
 * Text preparation for the standard PDF fonts: WinAnsi-safe strings and word wrap.
 *
 * The PDFs use only the 14 standard fonts (Helvetica, Courier), which encode WinAnsi (Windows
 * code page 1252) and nothing else. {@link winAnsiSafe} keeps every character that encoding has,
 * spells a few common others in ASCII (arrows, math signs, odd dashes and spaces), drops accents
 * that have no precomposed WinAnsi form (ő -> o), and rejects the rest with a message naming the
 * character, so a document never silently loses text. Pure functions only.
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** Unicode characters WinAnsi encodes at 0x80..0x9F (the rest of it is Latin-1). */
const WIN_ANSI_EXTRA = new Set(
  "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ".split(""),
);

/** ASCII spellings for characters the fonts lack. */
const SPELLINGS: Readonly<Record<string, string>> = {
  "\t": "    ",
  "\u00a0": " ",
  "\u00ad": "",
  "\u2002": " ",
  "\u2003": " ",
  "\u2009": " ",
  "\u200a": " ",
  "\u200b": "",
  "\u202f": " ",
  "\u2010": "-",
  "\u2011": "-",
  "\u2012": "-",
  "\u2015": "-",
  "\u2212": "-",
  "\u2032": "'",
  "\u2033": '"',
  "\u2192": "->",
  "\u2190": "<-",
  "\u2194": "<->",
  "\u21d2": "=>",
  "\u2264": "<=",
  "\u2265": ">=",
  "\u2260": "!=",
  "\u2248": "~",
  "\u2713": "[x]",
  "\u2714": "[x]",
  "\u2610": "[ ]",
  "\u2611": "[x]",
  "\ufeff": "",
  "\u0141": "L",
  "\u0142": "l",
  "\u0110": "D",
  "\u0111": "d",
  "\u0126": "H",
  "\u0127": "h",
  "\u0131": "i",
  "\u0166": "T",
  "\u0167": "t",
};

/** True when the standard fonts can draw `ch` (one code point). */
export function isWinAnsi(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa1 && cp <= 0xff && cp !== 0xad) ||
    WIN_ANSI_EXTRA.has(ch);
}

function spell(ch: string): string | undefined {
  const fixed = SPELLINGS[ch];
  if (fixed !== undefined) return fixed;
  const stripped = ch.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  if (stripped !== "" && [...stripped].every(isWinAnsi)) return stripped;
  return undefined;
}

function codePoint(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * `text` rewritten so that Helvetica/Courier can draw it (one line: no line breaks).
 * `what` names the text in the error message.
 * @throws ParaduxError `input` naming the first character that has no printable form.
 */
export function winAnsiSafe(text: string, what = "text"): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (isWinAnsi(ch)) {
      out += ch;
      continue;
    }
    const spelled = spell(ch);
    if (spelled === undefined) {
      const shown = /\p{C}/u.test(ch) ? "" : ` "${ch}"`;
      throw new ParaduxError(
        "input",
        `${what} has the character${shown} (${
          codePoint(ch)
        }) that the standard pdf fonts cannot print`,
        { hint: "use Latin letters, digits and common punctuation in printed text" },
      );
    }
    out += spelled;
  }
  return out;
}

/** Measures the width of a string in points (e.g. a pdf-lib font at a size). */
export type Measure = (text: string) => number;

/**
 * Greedy word wrap: `text` cut into lines no wider than `maxWidth`. Explicit "\n" starts a new
 * line; a word wider than a whole line is cut between characters. Runs of spaces collapse.
 */
export function wrapText(text: string, maxWidth: number, measure: Measure): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ").filter((w) => w !== "")) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (measure(candidate) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line !== "") lines.push(line);
      line = "";
      for (const piece of breakWord(word, maxWidth, measure)) {
        if (line !== "") lines.push(line);
        line = piece;
      }
    }
    lines.push(line);
  }
  return lines;
}

function breakWord(word: string, maxWidth: number, measure: Measure): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (const ch of word) {
    if (piece !== "" && measure(piece + ch) > maxWidth) {
      pieces.push(piece);
      piece = "";
    }
    piece += ch;
  }
  pieces.push(piece);
  return pieces;
}
