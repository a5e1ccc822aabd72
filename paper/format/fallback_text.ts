/**
 * Fallback text (format.md section 11): a frame as lowercase z-base-32 in groups of four under a
 * marker line (`AUTH FRAME`, `MAIN FRAME`, `SHARD FRAME`). Parsing follows the spec's filtering
 * (split on \n, \r\n or \r; drop Unicode whitespace and dashes; skip empty lines; only alphabet
 * characters, any case) and remembers where every character came from, so errors and typo
 * repairs name input lines. Paradux also prints line numbers in a margin column ("12.") and its
 * parser ignores such tokens; the groups alone stay valid Ethernity text.
 * @module
 */
import { ParaduxError } from "../../errors.ts";
import {
  MAX_FALLBACK_LINES,
  MAX_FALLBACK_NORMALIZED_CHARS,
  MAX_RECOVERY_TEXT_BYTES,
} from "./limits.ts";
import { encodeZbase32, zbase32Value } from "./zbase32.ts";
import type { FrameType } from "./frame.ts";

/** A marked (or unmarked, kind null) block of fallback lines. */
export interface RawSection {
  /** From the marker line; null when the text has no markers. */
  kind: FrameType | null;
  /** The section's lines with their 1-based line numbers in the whole input. */
  lines: { no: number; text: string }[];
}

/** A section after filtering: its characters and where each came from. */
export interface FilteredSection {
  /** From the marker line, or null. */
  kind: FrameType | null;
  /** Concatenated lowercase z-base-32; a foreign character is replaced by "y" (see `foreign`). */
  chars: string;
  /** Input line (1-based) of each character. */
  lineOf: Uint32Array;
  /** Column (1-based, in code points of the input line) of each character. */
  colOf: Uint32Array;
  /** Number within the section (1-based) of each character's filtered line. */
  sectionLineOf: Uint32Array;
  /** Indexes into `chars` of characters outside the alphabet. */
  foreign: number[];
  /** The foreign characters as typed, in the order of `foreign`. */
  foreignText: string[];
  /** First and last input line that carried characters. */
  firstLine: number;
  /** Last input line that carried characters. */
  lastLine: number;
}

const MARKER = /^[=\-:\s]*(auth|main|key|shard) frame[=\-:\s]*$/i;
const LINE_NUMBER = /^[0-9]{1,6}[.:|)]$/;
const WHITE = /^[\p{White_Space}-]$/u;

/** Splits input into lines exactly as the spec says (\r\n, \r or \n). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The section kind a marker line names, or null. */
export function markerKind(line: string): FrameType | null {
  const m = MARKER.exec(line.trim());
  if (!m) return null;
  const word = (m[1] ?? "").toLowerCase();
  return word === "auth" ? "auth" : word === "main" ? "main" : "key";
}

/** True when some line of the text is a section marker. */
export function hasMarkers(text: string): boolean {
  return splitLines(text).some((l) => markerKind(l) !== null);
}

/** Splits marked text into sections (each marker starts one); unmarked text is one section. */
export function splitSections(text: string): RawSection[] {
  if (new TextEncoder().encode(text).length > MAX_RECOVERY_TEXT_BYTES) {
    throw new ParaduxError("input", `recovery text exceeds ${MAX_RECOVERY_TEXT_BYTES} bytes`);
  }
  const lines = splitLines(text);
  if (!lines.some((l) => markerKind(l) !== null)) {
    return [{ kind: null, lines: lines.map((t, i) => ({ no: i + 1, text: t })) }];
  }
  const out: RawSection[] = [];
  let current: RawSection | null = null;
  lines.forEach((t, i) => {
    const kind = markerKind(t);
    if (kind) {
      current = { kind, lines: [] };
      out.push(current);
    } else if (current) {
      current.lines.push({ no: i + 1, text: t });
    } else if (t.trim() !== "") {
      throw new ParaduxError("input", `line ${i + 1}: text before the first frame marker`);
    }
  });
  return out;
}

/** Filters one section per the spec; up to a few foreign characters are kept for typo repair. */
export function filterSection(section: RawSection): FilteredSection {
  let chars = "";
  const lineOf: number[] = [];
  const colOf: number[] = [];
  const sectionLineOf: number[] = [];
  const foreign: number[] = [];
  const foreignText: string[] = [];
  let filteredLines = 0;
  for (const { no, text } of section.lines) {
    const cps = [...text];
    // Line-number tokens ("12." in a margin) are not z-base-32 and are dropped.
    const drop = new Set<number>();
    let start = -1;
    for (let i = 0; i <= cps.length; i++) {
      const c = cps[i];
      const ws = c === undefined || /^\p{White_Space}$/u.test(c);
      if (!ws && start < 0) start = i;
      if (ws && start >= 0) {
        if (LINE_NUMBER.test(cps.slice(start, i).join(""))) {
          for (let j = start; j < i; j++) drop.add(j);
        }
        start = -1;
      }
    }
    let any = false;
    cps.forEach((c, i) => {
      if (drop.has(i) || WHITE.test(c)) return;
      if (!any) {
        any = true;
        filteredLines++;
        if (filteredLines > MAX_FALLBACK_LINES) {
          throw new ParaduxError("input", `fallback section exceeds ${MAX_FALLBACK_LINES} lines`);
        }
      }
      const lower = c.toLowerCase();
      if (zbase32Value(lower) < 0) {
        foreign.push(chars.length);
        foreignText.push(c);
        if (foreign.length > 2) {
          throw new ParaduxError("input", `line ${no}: characters outside z-base-32`);
        }
        chars += "y";
      } else {
        chars += lower;
      }
      lineOf.push(no);
      colOf.push(i + 1);
      sectionLineOf.push(filteredLines);
      if (chars.length > MAX_FALLBACK_NORMALIZED_CHARS) {
        throw new ParaduxError(
          "input",
          `fallback section exceeds ${MAX_FALLBACK_NORMALIZED_CHARS} characters`,
        );
      }
    });
  }
  return {
    kind: section.kind,
    chars,
    lineOf: Uint32Array.from(lineOf),
    colOf: Uint32Array.from(colOf),
    sectionLineOf: Uint32Array.from(sectionLineOf),
    foreign,
    foreignText,
    firstLine: lineOf[0] ?? 0,
    lastLine: lineOf[lineOf.length - 1] ?? 0,
  };
}

/** Layout of printed fallback text. */
export interface FallbackLayout {
  /** Characters per group (default 4). */
  groupSize?: number;
  /** Groups per line (default 6). */
  groupsPerLine?: number;
  /** Print "N." line numbers in a margin column (default false: plain Ethernity text). */
  lineNumbers?: boolean;
}

/** The lines of a frame as grouped z-base-32 (no marker). */
export function fallbackLines(frame: Uint8Array, layout: FallbackLayout = {}): string[] {
  const size = layout.groupSize ?? 4;
  const per = layout.groupsPerLine ?? 6;
  const text = encodeZbase32(frame);
  const groups: string[] = [];
  for (let i = 0; i < text.length; i += size) groups.push(text.slice(i, i + size));
  const lines: string[] = [];
  for (let i = 0; i < groups.length; i += per) lines.push(groups.slice(i, i + per).join(" "));
  if (!layout.lineNumbers) return lines;
  const width = String(lines.length).length;
  return lines.map((l, i) => `${String(i + 1).padStart(width, " ")}. ${l}`);
}

/** The marker line of a section kind. */
export function markerLine(kind: FrameType): string {
  return kind === "auth" ? "AUTH FRAME" : kind === "main" ? "MAIN FRAME" : "SHARD FRAME";
}

/** Fallback text of several frames, each under its marker, separated by blank lines. */
export function formatFallbackText(
  sections: { kind: FrameType; frame: Uint8Array }[],
  layout: FallbackLayout = {},
): string {
  return sections
    .map((s) => [markerLine(s.kind), ...fallbackLines(s.frame, layout)].join("\n"))
    .join("\n\n") + "\n";
}
