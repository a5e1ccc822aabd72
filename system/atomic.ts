/**
 * Atomic file replacement: write a temp file beside the target, fsync it, rename it over the
 * target, fsync the directory. A crash at any moment leaves either the old or the new file.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { ParaduxError } from "../errors.ts";

/** Options for {@link writeFileAtomic}. */
export interface AtomicOptions {
  /** File mode of the new file (default 0600: Paradux's files usually hold secrets). */
  mode?: number;
}

/** Replaces `path` with `data` atomically (temp, fsync, rename, fsync dir). */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: AtomicOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = tempPathBeside(path);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true, mode: options.mode ?? 0o600 });
  } catch (e) {
    throw noSpaceError(e, path);
  }
  try {
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } catch (e) {
    file.close();
    await Deno.remove(tmp).catch(() => {});
    throw noSpaceError(e, path);
  }
  file.close();
  await commitTemp(tmp, path);
}

/** A fresh temp path in the same directory as `path` (same filesystem, so rename is atomic). */
export function tempPathBeside(path: string): string {
  const rand = crypto.getRandomValues(new Uint8Array(6));
  const tag = Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("");
  return join(dirname(path), `.${basename(path)}.${tag}.tmp`);
}

/** Renames a fully written and synced temp file over `path` and syncs the directory. */
export async function commitTemp(tmp: string, path: string): Promise<void> {
  try {
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  await syncDir(dirname(path));
}

/** fsyncs a directory so a rename inside it is durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await Deno.open(dir, { read: true });
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  } finally {
    handle.close();
  }
}

/**
 * A full disk or quota (ENOSPC, EDQUOT) as ParaduxError("capacity") naming `path`; any other
 * error is returned unchanged (rethrow the result).
 */
export function noSpaceError(e: unknown, path: string): unknown {
  const code = typeof e === "object" && e !== null ? (e as { code?: unknown }).code : undefined;
  if (code !== "ENOSPC" && code !== "EDQUOT") return e;
  return new ParaduxError("capacity", `no space left on the disk to write ${path}`, {
    hint: "free some space there and try again; the old file was left as it was",
    cause: e,
  });
}
