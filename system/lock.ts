/**
 * A lock file against two Paradux processes writing one vault. The file holds the owner's pid
 * (for the error message) and is held with an exclusive `flock`: the kernel drops the lock when
 * its process dies, even by SIGKILL, so a lock left behind by a crash is stale by construction
 * and simply taken over. (Checking a pid with /proc or kill(0) is not possible under Paradux's
 * Deno permissions, and a pid can be reused; the flock cannot be fooled either way.)
 * A lock held by a running process is `ParaduxError("locked")`.
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** A held lock; `release()` removes the file and drops the lock. */
export interface Lock {
  /** The lock file's path. */
  readonly path: string;
  /** Removes the lock file and unlocks it. */
  release(): Promise<void>;
}

async function sameFile(file: Deno.FsFile, path: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([file.stat(), Deno.stat(path)]);
    return a.ino === b.ino && a.dev === b.dev;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function holderOf(path: string): Promise<string> {
  try {
    const pid = (await Deno.readTextFile(path)).trim();
    return /^[0-9]+$/.test(pid) ? ` (pid ${pid})` : "";
  } catch {
    return "";
  }
}

/**
 * Takes the lock at `path` (e.g. `HOME/vault.lock`) without waiting.
 * @throws ParaduxError `locked` when a running process holds it.
 */
export async function acquireLock(path: string, what = "the vault"): Promise<Lock> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
    let locked = false;
    try {
      locked = await file.tryLock(true);
    } catch (e) {
      file.close();
      throw e;
    }
    if (!locked) {
      file.close();
      throw new ParaduxError(
        "locked",
        `${what} is in use by another paradux process${await holderOf(path)}`,
        { hint: "wait for it to finish, then try again" },
      );
    }
    // the previous holder may have removed the file between our open and our lock: retry then
    if (!(await sameFile(file, path))) {
      file.close();
      continue;
    }
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
    let released = false;
    return {
      path,
      async release() {
        if (released) return;
        released = true;
        try {
          await Deno.remove(path).catch(() => {});
        } finally {
          file.close(); // closing drops the flock
        }
      },
    };
  }
  throw new ParaduxError("locked", `could not take the lock ${path}`, {
    hint: "another paradux process keeps taking it; try again",
  });
}

/** Runs `fn` while holding the lock at `path`. */
export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(path);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
