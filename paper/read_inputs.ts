/**
 * Recovery inputs as a survivor gives them, turned into labelled inputs: PDF, PNG and JPEG
 * files are scanned (one input per QR code, labelled with page and code), text files are
 * fallback text, QR payload lines or `.txt` twins (a twin's payload lines are used only for
 * what its text lacks), `-` is stdin (bytes, so a scan can be piped too), and an argument that
 * is no file but looks like base64 is one QR payload line. `paradux recover`, `paradux paper
 * recover`, the drill and the demo all read their inputs here. Library code: it never prints;
 * warnings and progress go to the callbacks.
 * @module
 */
import { bytesEqual } from "../crypto/hashes.ts";
import { isUserError, ParaduxError } from "../errors.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import { missingPathMessage } from "../system/shown_path.ts";
import { stdinBytes } from "../system/stdin.ts";
import { splitTwin } from "./printed.ts";
import { framesOfInput, type LabelledInput } from "./inputs.ts";
import { type FileScan, scanFileReport, sniff } from "./scan.ts";

/** How {@link readInputs} reports and what it refuses. */
export interface ReadInputsOptions {
  /** A warning for the user (unreadable codes, a damaged twin text). */
  onWarning?: (message: string) => void;
  /** A progress line ("" when done). */
  onProgress?: (message: string) => void;
  /** Throws when the bytes are of a kind this caller must refuse (e.g. a vault export). */
  refuse?: (bytes: Uint8Array, name: string) => void;
  /** Throw (`input`) for a scan with no readable QR code instead of warning. */
  requireCodes?: boolean;
  /** Reads stdin (default: system/stdin.ts). */
  stdin?: () => Promise<Uint8Array>;
  /** Scans a PDF or image file (default: paper/scan.ts). */
  scan?: (path: string) => Promise<FileScan>;
}

const LITERAL_PAYLOAD = /^[A-Za-z0-9+/]{16,}$/;

async function readSource(arg: string, options: ReadInputsOptions): Promise<Uint8Array | null> {
  if (arg === "-") return await (options.stdin ?? stdinBytes)();
  try {
    return await Deno.readFile(arg);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    if (e instanceof Deno.errors.IsADirectory) {
      throw new ParaduxError("input", `${arg} is a directory`, {
        hint: "give the files inside it (scans, text)",
      });
    }
    throw new ParaduxError("input", `cannot read ${arg}`, { cause: e });
  }
}

function addText(out: LabelledInput[], text: string, name: string, o: ReadInputsOptions): void {
  const twin = splitTwin(text);
  if (twin === null) {
    out.push({ value: text, label: name });
    return;
  }
  let fromText: Uint8Array[] = [];
  if (twin.fallback !== null) {
    try {
      fromText = framesOfInput(twin.fallback, 0, name).map((f) => f.bytes);
    } catch (e) {
      const lines = twin.payloads.map((p) => {
        try {
          return framesOfInput(p.text, 0, name);
        } catch {
          return null;
        }
      });
      if (!isUserError(e) || lines.length === 0 || lines.some((l) => l === null)) throw e;
      o.onWarning?.(`${e.message}; using the qr payload lines of ${name} instead`);
      twin.fallback = null;
    }
  }
  if (twin.fallback !== null) out.push({ value: twin.fallback, label: name });
  for (const p of twin.payloads) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = framesOfInput(p.text, 0, name)[0]?.bytes;
    } catch {
      bytes = undefined;
    }
    if (bytes !== undefined && fromText.some((b) => bytesEqual(b, bytes))) continue;
    out.push({ value: p.text, label: `${name} line ${p.line}` });
  }
}

async function addScan(
  out: LabelledInput[],
  path: string,
  name: string,
  o: ReadInputsOptions,
): Promise<void> {
  o.onProgress?.(`scanning ${name}...`);
  const report = await (o.scan ?? scanFileReport)(path);
  o.onProgress?.("");
  let codes = 0;
  report.pages.forEach((page, p) => {
    page.payloads.forEach((value, c) => {
      const where = report.pages.length > 1 ? `page ${p + 1} code ${c + 1}` : `code ${c + 1}`;
      out.push({ value, label: `${name} ${where}` });
      codes++;
    });
    if (page.unreadable > 0) {
      const n = page.unreadable;
      o.onWarning?.(`${name} page ${p + 1}: ${n} code${n === 1 ? "" : "s"} seen but not readable`);
    }
  });
  if (codes > 0) return;
  if (o.requireCodes === true) {
    throw new ParaduxError("input", `${name}: no readable QR codes`, {
      hint: "scan it again at a higher resolution, or give its .txt twin or the typed text",
    });
  }
  o.onWarning?.(`${name}: no QR codes found`);
}

/**
 * Reads every argument (files, `-`, literal payload lines) into labelled inputs, in order.
 * @throws ParaduxError `not-found` for a missing file, `input` for an unreadable one or when
 *   nothing holds a frame, and whatever `refuse` throws.
 */
export async function readInputs(
  args: readonly string[],
  options: ReadInputsOptions = {},
): Promise<LabelledInput[]> {
  const out: LabelledInput[] = [];
  for (const [i, arg] of args.entries()) {
    const name = arg === "-" ? "stdin" : arg;
    const bytes = await readSource(arg, options);
    if (bytes === null) {
      if (LITERAL_PAYLOAD.test(arg)) {
        out.push({ value: arg, label: `argument ${i + 1}` });
        continue;
      }
      throw new ParaduxError("not-found", missingPathMessage(arg));
    }
    options.refuse?.(bytes, name);
    const kind = sniff(bytes.subarray(0, 8));
    if (kind !== undefined) {
      if (arg !== "-") await addScan(out, arg, name, options);
      else {
        await withPrivateDir(async (d) => {
          await addScan(out, await d.writeSecret(`stdin.${kind}`, bytes), name, options);
        });
      }
      continue;
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      out.push({ value: bytes, label: name }); // binary: maybe one raw frame
      continue;
    }
    addText(out, text, name, options);
  }
  return out;
}
