/**
 * Rasterising PDF pages to PNG with poppler's `pdftoppm` (Debian package poppler-utils), for
 * reading the QR codes of printed documents back.
 * @module
 */
import { exec } from "./exec.ts";

/** Options for {@link pdftoppmArgs}. */
export interface PdftoppmOptions {
  /** Resolution in dots per inch (72..1200). */
  readonly dpi: number;
  /** Write greyscale PNGs (smaller, and QR reading needs no colour). Default true. */
  readonly gray?: boolean;
  /** First page to rasterise (1-based). */
  readonly firstPage?: number;
  /** Last page to rasterise (1-based). */
  readonly lastPage?: number;
  /** Anti-alias vector graphics (pdftoppm's default); false gives hard module edges. */
  readonly antialiasVector?: boolean;
}

/**
 * Arguments for `pdftoppm` writing `<outPrefix>-<page>.png` for each page of `input`. Pure.
 * @throws RangeError on a resolution or page range pdftoppm would misread.
 */
export function pdftoppmArgs(input: string, outPrefix: string, options: PdftoppmOptions): string[] {
  const { dpi } = options;
  if (!Number.isInteger(dpi) || dpi < 72 || dpi > 1200) {
    throw new RangeError(`dpi must be a whole number from 72 to 1200, got ${dpi}`);
  }
  const args = ["-r", `${dpi}`, "-png"];
  if (options.gray !== false) args.push("-gray");
  for (const [flag, page] of [["-f", options.firstPage], ["-l", options.lastPage]] as const) {
    if (page === undefined) continue;
    if (!Number.isInteger(page) || page < 1) throw new RangeError(`${flag} page must be 1 or more`);
    args.push(flag, `${page}`);
  }
  if (options.antialiasVector === false) args.push("-aaVector", "no");
  args.push(safePath(input), safePath(outPrefix));
  return args;
}

/** A path that pdftoppm cannot take for an option or for stdin/stdout ("-"). */
function safePath(path: string): string {
  return path.startsWith("-") ? `./${path}` : path;
}

/** Page number of a pdftoppm output file name `<prefix>-<n>.png` (n may be zero-padded). */
export function pageNumberOf(name: string, prefix: string): number | undefined {
  const m = name.match(/^(.*)-(\d+)\.png$/);
  if (m === null || m[1] !== prefix) return undefined;
  return Number(m[2]);
}

/**
 * Rasterises `input` into `outDir` (which should be private and empty) and returns the PNG
 * paths in page order.
 * @throws ParaduxError `missing-tool` without poppler-utils, `tool-failed` when pdftoppm fails.
 */
export async function rasterisePdf(
  input: string,
  outDir: string,
  options: PdftoppmOptions,
): Promise<string[]> {
  const prefix = "page";
  await exec("pdftoppm", pdftoppmArgs(input, `${outDir}/${prefix}`, options));
  const pages: Array<[number, string]> = [];
  for await (const entry of Deno.readDir(outDir)) {
    const n = pageNumberOf(entry.name, prefix);
    if (entry.isFile && n !== undefined) pages.push([n, `${outDir}/${entry.name}`]);
  }
  return pages.sort((a, b) => a[0] - b[0]).map(([, path]) => path);
}
