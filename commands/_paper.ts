/**
 * What the `paper` commands share: layout flags, the scrypt work factor, reading recovery inputs
 * (PDFs and images scanned, text files and twins, QR payload lines, stdin), collecting files to
 * back up, writing documents, and writing recovered files inside one directory only.
 * @module
 */
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ParaduxError } from "../errors.ts";
import type { BackupFile } from "../paper/backup.ts";
import { type PaperDocument, qrPayloadsName, twinName } from "../paper/printed.ts";
import type { RecoveredFile } from "../paper/format/envelope.ts";
import { pathProblem } from "../paper/format/paths.ts";
import type { RecoveryInput } from "../paper/inputs.ts";
import { type Layout, loadLayout, type PaperSize, presetLayout, withEcc } from "../paper/layout.ts";
import type { Ecc } from "../paper/qr.ts";
import { readInputs } from "../paper/read_inputs.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { walkTree } from "../system/tree.ts";
import type { OptionSpec } from "./_command.ts";
import type { Io } from "./_io.ts";
import { exists } from "../system/exists.ts";
import { missingPathMessage } from "../system/shown_path.ts";
import { isLuksHead } from "../recovery/recovery.ts";
import { STEWARD_PACKAGE_TITLE } from "../stewards/steward_package.ts";

/** `--paper`, `--layout`, `--ecc`. */
export const LAYOUT_OPTIONS: readonly OptionSpec[] = [
  { flags: "--paper <size>", description: "paper size (default a4)", choices: ["a4", "letter"] },
  {
    flags: "--layout <file>",
    description: "page layout in TOML ([page], [qr], [fallback]; see templates/paper/a4.toml)",
  },
  {
    flags: "--ecc <level>",
    description: "QR error correction level (default M)",
    choices: ["L", "M", "Q", "H"],
  },
];

/** Values of the layout flags. */
export interface LayoutOptions {
  /** `--paper`. */
  paper?: PaperSize;
  /** `--layout`. */
  layout?: string;
  /** `--ecc`. */
  ecc?: Ecc;
}

/** The layout the flags ask for: the TOML file, else the paper preset; `--ecc` on top. */
export async function resolveLayout(options: LayoutOptions): Promise<Layout> {
  let layout = presetLayout(options.paper ?? "a4");
  if (options.layout !== undefined) {
    layout = await loadLayout(options.layout);
    if (options.paper !== undefined && layout.page.size !== options.paper) {
      throw new ParaduxError(
        "usage",
        `--paper ${options.paper} contradicts ${options.layout} (page size ${layout.page.size})`,
        { hint: "set [page] size in the layout file, or leave out --paper" },
      );
    }
  }
  return options.ecc === undefined ? layout : withEcc(layout, options.ecc);
}

/** Recovery inputs with a name for each, for messages. */
export interface LabelledInputs {
  /** Frame bytes or text, in order. */
  inputs: RecoveryInput[];
  /** A name per input ("scan.pdf, page 1 code 3", "shard.txt"). */
  labels: string[];
}

/** Refuses a vault export or a steward package's text given as a paper backup document. */
function refuseForeignInput(bytes: Uint8Array, name: string): void {
  if (isLuksHead(bytes)) {
    throw new ParaduxError(
      "usage",
      `${name} is a vault export (LUKS2), not a paper backup document`,
      {
        hint: `a vault is recovered with 'paradux recover PACKAGE... --from ${name} --extract DIR'`,
      },
    );
  }
  const head = new TextDecoder().decode(bytes.subarray(0, 64));
  if (head.startsWith(STEWARD_PACKAGE_TITLE)) {
    throw new ParaduxError(
      "usage",
      `${name} is a steward package (a share of a recovery secret), not a paper backup document`,
      { hint: "a vault is recovered from steward packages with 'paradux recover'" },
    );
  }
}

/**
 * Reads a paper backup's recovery inputs (paper/read_inputs.ts: scans, text, twins, payload
 * lines, stdin), refusing a vault export or a steward package given instead.
 * @throws ParaduxError `insufficient` when nothing holds a frame.
 */
export async function readRecoveryInputs(args: readonly string[], io: Io): Promise<LabelledInputs> {
  const read = await readInputs(args, {
    onWarning: (m) => io.err(`warning: ${m}`),
    onProgress: (m) => io.progress(m, false),
    refuse: refuseForeignInput,
  });
  if (read.length === 0) {
    throw new ParaduxError("insufficient", "the inputs hold no frames", {
      hint: "give scans of the QR document or shard documents, or their text",
    });
  }
  return { inputs: read.map((i) => i.value), labels: read.map((i) => i.label) };
}

/** Refuses `-` for both the passphrase and an input: stdin can carry only one of them. */
export function checkStdinUse(inputs: readonly string[], passphraseFile: string | undefined): void {
  if (passphraseFile === "-" && inputs.includes("-")) {
    throw new ParaduxError("usage", "stdin cannot carry both the passphrase and an input", {
      hint: "put the passphrase or the input in a file",
    });
  }
}

/** Stored path of a file given on the command line: relative to `base`, else its name. */
function storedPath(path: string, base: string | undefined, root?: string): string {
  if (base !== undefined) {
    const rel = relative(resolve(base), resolve(path));
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      throw new ParaduxError("input", `${path} is not inside the base directory ${base}`);
    }
    return rel.split(sep).join("/");
  }
  if (root !== undefined) {
    const rel = relative(resolve(root), resolve(path)).split(sep).join("/");
    return `${basename(resolve(root))}/${rel}`;
  }
  return basename(resolve(path));
}

async function walk(dir: string, found: string[]): Promise<void> {
  for await (const { path, entry } of walkTree(dir)) {
    if (entry.isDirectory) continue;
    if (!entry.isFile) {
      throw new ParaduxError("input", `${path} is not a regular file or directory`, {
        hint: "paper backups hold regular files; give the link's target instead",
      });
    }
    found.push(path);
  }
}

/**
 * The files to back up: files as their names (or relative to `baseDir`), directories walked
 * (stored as `DIRNAME/...`, or relative to `baseDir`). Refuses symlinks inside folders,
 * duplicates, and more than `maxBytes` in total before reading.
 */
export async function collectBackupFiles(
  paths: readonly string[],
  baseDir: string | undefined,
  maxBytes: number,
): Promise<BackupFile[]> {
  const chosen: { path: string; stored: string; size: number; mtime: number | null }[] = [];
  for (const p of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(p); // a link named on the command line is followed
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new ParaduxError("not-found", missingPathMessage(p));
      }
      throw new ParaduxError("input", `cannot read ${p}`, { cause: e });
    }
    const files: string[] = [];
    if (info.isDirectory) await walk(p, files);
    else if (info.isFile) files.push(p);
    else throw new ParaduxError("input", `${p} is not a regular file or directory`);
    for (const f of files) {
      const st = await Deno.stat(f);
      chosen.push({
        path: f,
        stored: storedPath(f, baseDir, info.isDirectory ? p : undefined),
        size: st.size,
        mtime: st.mtime === null ? null : Math.floor(st.mtime.getTime() / 1000),
      });
    }
  }
  if (chosen.length === 0) throw new ParaduxError("input", "no files to back up");
  const seen = new Map<string, string>();
  for (const c of chosen) {
    const other = seen.get(c.stored.normalize("NFC"));
    if (other !== undefined) {
      throw new ParaduxError(
        "input",
        `${c.path} and ${other} would both be stored as ${c.stored}`,
        {
          hint: "use --base-dir to keep their folders apart",
        },
      );
    }
    seen.set(c.stored.normalize("NFC"), c.path);
  }
  const total = chosen.reduce((n, c) => n + c.size, 0);
  if (total > maxBytes) {
    throw new ParaduxError("capacity", `the files hold ${total} bytes, more than paper can carry`, {
      hint: `paper backups are for small secrets (well under ${Math.floor(maxBytes / 1024)} KiB)`,
    });
  }
  const out: BackupFile[] = [];
  for (const c of chosen) {
    out.push({
      path: c.stored,
      data: await Deno.readFile(c.path),
      ...(c.mtime === null ? {} : { mtime: c.mtime }),
    });
  }
  return out;
}

/** Writes documents (PDF and `.txt` twin, 0600) into a new directory; returns the paths. */
export async function writeDocuments(
  dir: string,
  docs: readonly PaperDocument[],
  force = false,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  for (const d of docs) {
    const files: [string, Uint8Array | string][] = [[d.name, d.pdf], [twinName(d.name), d.text]];
    if (d.qrPayloadsText) files.push([qrPayloadsName(d.name), d.qrPayloadsText]);
    for (const [name, data] of files) {
      const path = join(dir, name);
      if (!force && await exists(path)) {
        throw new ParaduxError("exists", `${path} exists`, { hint: "use --force to replace it" });
      }
      await writeFileAtomic(path, data, { mode: 0o600 });
      written.push(path);
    }
  }
  return written;
}

/** Where a recovered file goes, checked to stay inside `out` (no symlinked folders either). */
async function targetOf(out: string, file: RecoveredFile): Promise<string> {
  const problem = pathProblem(file.path) ??
    (file.path.includes("\\") ? "contains a backslash" : null);
  if (problem !== null) {
    throw new ParaduxError(
      "input",
      `refusing to write ${JSON.stringify(file.path)}: it ${problem}`,
    );
  }
  const root = resolve(out);
  const target = resolve(root, ...file.path.split("/"));
  if (!target.startsWith(root + sep)) {
    throw new ParaduxError("input", `refusing to write ${file.path} outside ${out}`);
  }
  let dir = dirname(target);
  while (dir.startsWith(root + sep)) {
    try {
      const st = await Deno.lstat(dir);
      if (st.isSymlink || !st.isDirectory) {
        throw new ParaduxError("exists", `refusing to write ${file.path}: ${dir} is not a folder`, {
          hint: "recover into an empty directory",
        });
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    dir = dirname(dir);
  }
  return target;
}

/**
 * Writes recovered files under `out` (0600, mtimes kept). Every path is checked first: nothing
 * outside `out`, no existing file replaced unless `force`; a refusal writes nothing.
 */
export async function writeRecoveredFiles(
  out: string,
  files: readonly RecoveredFile[],
  force: boolean,
): Promise<string[]> {
  const targets: string[] = [];
  for (const f of files) {
    const target = await targetOf(out, f);
    if (await exists(target)) {
      const st = await Deno.lstat(target);
      if (!force || !st.isFile) {
        throw new ParaduxError("exists", `${target} exists`, {
          hint: st.isFile ? "use --force to replace it, or another --out" : "use another --out",
        });
      }
    }
    targets.push(target);
  }
  await Deno.mkdir(out, { recursive: true, mode: 0o700 });
  for (const [i, f] of files.entries()) {
    const target = targets[i] as string;
    await Deno.mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeFileAtomic(target, f.data, { mode: 0o600 });
    if (f.mtime !== null) await Deno.utime(target, f.mtime, f.mtime).catch(() => {});
  }
  return targets;
}
