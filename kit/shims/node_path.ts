/**
 * `node:path` for the recovery kit's browser bundle: POSIX path functions over plain strings.
 * The kit never touches a file system; the modules it shares with the CLI import these names.
 * @module
 */

/** The path separator. */
export const sep = "/";

/** Collapses `.`, `..` and repeated slashes. */
export function normalize(path: string): string {
  const abs = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length > 0 && out.at(-1) !== "..") out.pop();
    else if (part !== ".." || !abs) out.push(part);
  }
  const joined = out.join("/");
  return abs ? `/${joined}` : joined === "" ? "." : joined;
}

/** Joins path parts. */
export function join(...parts: string[]): string {
  return normalize(parts.filter((p) => p !== "").join("/"));
}

/** True for an absolute path. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** An absolute path (relative parts resolve against `/`). */
export function resolve(...parts: string[]): string {
  let out = "";
  for (const p of parts) out = p.startsWith("/") ? p : `${out}/${p}`;
  return normalize(out.startsWith("/") ? out : `/${out}`);
}

/** The directory part. */
export function dirname(path: string): string {
  const n = normalize(path);
  const i = n.lastIndexOf("/");
  return i < 0 ? "." : i === 0 ? "/" : n.slice(0, i);
}

/** The last part, without `ext` when it ends with it. */
export function basename(path: string, ext?: string): string {
  const base = normalize(path).split("/").at(-1) ?? "";
  return ext !== undefined && base.endsWith(ext) ? base.slice(0, -ext.length) : base;
}

/** The extension of the last part, with its dot. */
export function extname(path: string): string {
  const base = basename(path);
  const i = base.lastIndexOf(".");
  return i <= 0 ? "" : base.slice(i);
}

/** The path from `from` to `to`. */
export function relative(from: string, to: string): string {
  const a = resolve(from).split("/").filter((p) => p !== "");
  const b = resolve(to).split("/").filter((p) => p !== "");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => ".."), ...b.slice(i)].join("/");
}

/** The POSIX functions again, as node:path's `posix`. */
export const posix = {
  sep,
  normalize,
  join,
  isAbsolute,
  resolve,
  dirname,
  basename,
  extname,
  relative,
};

export default posix;
