/**
 * Private scratch space for secrets: a 0700 directory (on tmpfs when one is available, see
 * {@link privateBase}) whose files are created 0600, removed when the work is done and also on
 * Ctrl-C / SIGTERM (system/interrupt.ts).
 * @module
 */
import { join } from "node:path";
import { onInterruptExit } from "./interrupt.ts";

const live = new Set<string>();

function cleanupAll(): void {
  for (const dir of live) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  }
  live.clear();
}

/**
 * The base for private directories, the first that is a directory: `$RUNTIME_DIRECTORY` (the
 * units' `RuntimeDirectory=`, on /run), `$XDG_RUNTIME_DIR` (a login session's tmpfs), `/run`
 * for root (tmpfs on systemd machines); else undefined: the system temp directory. Not
 * /dev/shm: Deno grants /dev paths only with --allow-all, which Paradux never has.
 */
export function privateBase(
  env: (name: string) => string | undefined = (n) => Deno.env.get(n),
  uid: number | null = Deno.uid(),
): string | undefined {
  const candidates = [env("RUNTIME_DIRECTORY"), env("XDG_RUNTIME_DIR"), uid === 0 ? "/run" : ""];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === "") continue;
    try {
      if (Deno.statSync(candidate).isDirectory) return candidate;
    } catch {
      // not there (or not allowed)
    }
  }
  return undefined;
}

/** A handle to a private directory; `path(name)` names a file inside it. */
export interface PrivateDir {
  /** The directory (mode 0700). */
  readonly dir: string;
  /** A path inside the directory. */
  path(name: string): string;
  /** Writes `data` to a new 0600 file inside the directory and returns its path. */
  writeSecret(name: string, data: Uint8Array | string): Promise<string>;
  /** Removes the directory and everything in it. */
  remove(): Promise<void>;
}

/** Makes a private directory; the caller must `remove()` it (or use {@link withPrivateDir}). */
export async function makePrivateDir(prefix = "paradux-"): Promise<PrivateDir> {
  onInterruptExit(cleanupAll);
  const base = privateBase();
  const dir = await Deno.makeTempDir(base === undefined ? { prefix } : { prefix, dir: base });
  await Deno.chmod(dir, 0o700);
  live.add(dir);
  return {
    dir,
    path: (name: string) => join(dir, name),
    async writeSecret(name: string, data: Uint8Array | string): Promise<string> {
      const file = join(dir, name);
      const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
      await Deno.writeFile(file, bytes, { mode: 0o600, createNew: true });
      return file;
    },
    async remove(): Promise<void> {
      live.delete(dir);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs `fn` with a fresh private directory and always removes it afterwards. */
export async function withPrivateDir<T>(fn: (dir: PrivateDir) => Promise<T>): Promise<T> {
  const dir = await makePrivateDir();
  try {
    return await fn(dir);
  } finally {
    await dir.remove();
  }
}
