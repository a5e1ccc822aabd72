/**
 * Whether a local directory is one nobody but the running user (and root) can change, all the
 * way from `/`: the condition under which rsync's per-file symlink-safe walk of the paths it is
 * given (rsync 3.4+, one `openat` per path component for every file) can only ever find what a
 * plain open finds, so `--insecure-links` changes nothing but the time. See {@link privateTree}.
 * @module
 */
import { dirname, join } from "node:path";
import { exec, stdoutText } from "./exec.ts";

const STICKY = 0o1000;

function trustedOwner(info: Deno.FileInfo, uid: number): boolean {
  return info.uid === 0 || info.uid === uid;
}

/**
 * True when `root` is a directory owned by the running user (or root) with no access at all for
 * group and others (so nothing inside it, including world-writable directories copied from a
 * source, can be reached by another user), every directory above it is owned by the user or
 * root and writable by nobody else unless sticky (so no component can be swapped), and every
 * symlink along the path is owned by the user or root (what rsync's walk requires). False on
 * any doubt, including errors.
 */
export async function privateTree(root: string): Promise<boolean> {
  const uid = Deno.uid();
  if (uid === null || !root.startsWith("/")) return false;
  try {
    // symlinks along the path as given: rsync's own rule
    for (let p = root; p !== "/"; p = dirname(p)) {
      const info = await Deno.lstat(p);
      if (info.isSymlink && !trustedOwner(info, uid)) return false;
    }
    const real = await Deno.realPath(root);
    const top = await Deno.lstat(real);
    if (!top.isDirectory || top.uid !== uid || top.mode === null) return false;
    if ((top.mode & 0o077) !== 0) return false;
    const parts = real.split("/").filter((s) => s !== "");
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = join("/", ...parts.slice(0, i));
      const info = await Deno.lstat(p);
      if (!info.isDirectory || !trustedOwner(info, uid) || info.mode === null) return false;
      if ((info.mode & 0o022) !== 0 && (info.mode & STICKY) === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

let insecureLinksKnown: Promise<boolean> | undefined;

/** True when the installed rsync has `--insecure-links` (3.4+); asked once per process. */
export function rsyncHasInsecureLinks(): Promise<boolean> {
  insecureLinksKnown ??= exec("rsync", ["--help"], { check: false })
    .then((r) => stdoutText(r).includes("--insecure-links"))
    .catch(() => false);
  return insecureLinksKnown;
}
