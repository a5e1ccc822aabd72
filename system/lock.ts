/**
 * A lock file against two Paradux processes writing one vault: created with O_EXCL, holding the
 * owner's pid. A lock whose pid is no longer running (a crash, SIGKILL) is stale and is taken
 * over. A live one is `ParaduxError("locked")`.
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** A held lock; `release()` removes the file (only if it is still ours). */
export interface Lock {
  /** The lock file's path. */
  readonly path: string;
  /** Removes the lock file. */
  release(): Promise<void>;
}

/** True when a process with this pid exists (Linux /proc; elsewhere assume it does). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true;
  }
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

async function readLock(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/**
 * Takes the lock at `path` (e.g. `HOME/vault.lock`), removing a stale one.
 * @throws ParaduxError `locked` when a running process holds it.
 */
export async function acquireLock(path: string, what = "the vault"): Promise<Lock> {
  const mine = `${Deno.pid}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const f = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
      try {
        await f.write(new TextEncoder().encode(mine));
      } finally {
        f.close();
      }
      return {
        path,
        async release() {
          if ((await readLock(path)) === mine) await Deno.remove(path).catch(() => {});
        },
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    const content = await readLock(path);
    if (content === undefined) continue; // released meanwhile
    const pid = Number(content.trim());
    if (content.trim() !== "" && pidAlive(pid)) {
      throw new ParaduxError(
        "locked",
        `${what} is in use by another paradux process (pid ${pid})`,
        {
          hint: `wait for it to finish; if no paradux is running, remove ${path}`,
        },
      );
    }
    if (content.trim() === "" && attempt === 0) {
      // the owner may be between creating and writing the file
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    // stale: remove it only if it is still the same stale content
    if ((await readLock(path)) === content) await Deno.remove(path).catch(() => {});
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
