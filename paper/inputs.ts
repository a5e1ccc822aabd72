/**
 * Recovery inputs to frames: raw frame bytes (a QR scan), unpadded base64 QR payload text (one
 * per line), or fallback text (marked sections, or one unmarked frame), in any mix. Every frame
 * remembers which input it came from, so errors can name it; typo repairs become warnings.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { decodeFrame, type Frame } from "./format/frame.ts";
import { decodeQrPayloadText } from "./format/qr_payload.ts";
import { filterSection, hasMarkers, splitLines, splitSections } from "./format/fallback_text.ts";
import { decodeSectionFrame, type TypoRepair } from "./format/typo_repair.ts";

/** One recovery input: frame bytes, or text (QR payload lines or fallback text). */
export type RecoveryInput = Uint8Array | string;

/** One recovery input and the name the user knows it by (a file, "stdin", "x.pdf page 2 code 1"). */
export interface LabelledInput {
  /** Frame bytes (a scanned code) or text. */
  value: RecoveryInput;
  /** Shown in messages. */
  label: string;
}

/** A frame with where it came from. */
export interface SourcedFrame {
  /** The decoded frame. */
  frame: Frame;
  /** The frame's bytes. */
  bytes: Uint8Array;
  /** 1-based number of the input it came from. */
  input: number;
  /** Human description: "input 2" or "input 2, main frame text (lines 5-40)". */
  where: string;
  /** A typo corrected in fallback text. */
  repair?: TypoRepair;
}

function withInput<T>(where: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParaduxError) {
      throw new ParaduxError(e.kind, `${where}: ${e.message}`, {
        ...(e.hint === undefined ? {} : { hint: e.hint }),
        cause: e,
      });
    }
    throw e;
  }
}

function fromText(text: string, input: number, label?: string): SourcedFrame[] {
  const where = label ?? `input ${input}`;
  if (!hasMarkers(text)) {
    const lines = splitLines(text).map((l) => l.trim()).filter((l) => l !== "");
    if (lines.length === 0) throw new ParaduxError("input", `${where}: empty`);
    const payloads: SourcedFrame[] = [];
    for (const line of lines) {
      try {
        const bytes = decodeQrPayloadText(line);
        payloads.push({ frame: decodeFrame(bytes), bytes, input, where });
      } catch (e) {
        if (!(e instanceof ParaduxError)) throw e;
        payloads.length = 0;
        break;
      }
    }
    if (payloads.length > 0) return payloads;
  }
  return withInput(where, () =>
    splitSections(text).map((section): SourcedFrame => {
      const filtered = filterSection(section);
      const got = decodeSectionFrame(filtered);
      if (section.kind !== null && got.frame.type !== section.kind) {
        throw new ParaduxError(
          "input",
          `lines ${filtered.firstLine}-${filtered.lastLine}: a ${got.frame.type} frame under a ${section.kind} marker`,
        );
      }
      const kind = got.frame.type === "key" ? "shard" : got.frame.type;
      return {
        frame: got.frame,
        bytes: got.bytes,
        input,
        where: `${where}, ${kind} frame text (lines ${filtered.firstLine}-${filtered.lastLine})`,
        ...(got.repair ? { repair: got.repair } : {}),
      };
    }));
}

/**
 * Turns one input into frames; errors name the input: `label` (a file name, "code 3 of
 * scan.pdf") when given, else "input N" (1-based `input`).
 */
export function framesOfInput(value: RecoveryInput, input: number, label?: string): SourcedFrame[] {
  const where = label ?? `input ${input}`;
  if (typeof value === "string") return fromText(value, input, label);
  try {
    return [{ frame: decodeFrame(value), bytes: value, input, where }];
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(value);
    } catch {
      throw new ParaduxError("input", `${where}: ${e.message}`);
    }
    if (value[0] === 0x41 && value[1] === 0x50) {
      throw new ParaduxError("input", `${where}: ${e.message}`);
    }
    return fromText(text, input, label);
  }
}

/** Turns all inputs into frames, in input order; `labels[i]` names input i in messages. */
export function framesOfInputs(
  values: readonly RecoveryInput[],
  labels?: readonly string[],
): SourcedFrame[] {
  return values.flatMap((v, i) => framesOfInput(v, i + 1, labels?.[i]));
}

/** A warning line for a typo repair. */
export function repairWarning(f: SourcedFrame): string | null {
  const r = f.repair;
  if (!r) return null;
  const what = r.kind === "swap"
    ? `swapped "${r.from}" to "${r.to}"`
    : `replaced "${r.from}" with "${r.to}"`;
  return `${f.where}: typo repaired at line ${r.line} char ${r.column} (frame line ${r.sectionLine}): ${what}`;
}
