/**
 * Kill moments for the SIGKILL fault tests that do not depend on the machine's speed: the
 * parent waits for an event of the child's work (a file appears, a file is replaced), then kills
 * it at once or after a random extra delay. A child that finishes first is simply not killed.
 * @module
 */
import { join } from "node:path";

/** A condition on the filesystem, checked over and over while the child runs. */
export type Probe = () => boolean;

function names(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch {
    return [];
  }
}

/** True once `dir` holds an entry matching `pattern` that was not there when the probe was made. */
export function newEntry(dir: string, pattern: RegExp): Probe {
  const before = new Set(names(dir));
  return () => names(dir).some((n) => pattern.test(n) && !before.has(n));
}

/** True once `path` is another file than when the probe was made (created or renamed over). */
export function replaced(path: string): Probe {
  const ino = (): number | null => {
    try {
      return Deno.statSync(path).ino;
    } catch {
      return null;
    }
  };
  const before = ino();
  return () => {
    const now = ino();
    return now !== null && now !== before;
  };
}

/** True once any file under `dir` (recursively) appears that was not there at the start. */
export function newFileUnder(dir: string): Probe {
  const list = (d: string): string[] =>
    names(d).flatMap((n) => {
      const p = join(d, n);
      try {
        return Deno.statSync(p).isDirectory ? list(p) : [p];
      } catch {
        return [];
      }
    });
  const before = new Set(list(dir));
  return () => list(dir).some((p) => !before.has(p));
}

/** A probe that is true from the start (kill after the random delay only). */
export const atStart: Probe = () => true;

/**
 * Waits until `probe` holds (or the child exits), then waits a random time up to `extraMs`
 * and sends SIGKILL. Returns whether the event was seen before the child exited.
 */
export async function killAt(
  child: Deno.ChildProcess,
  probe: Probe,
  extraMs: number,
): Promise<boolean> {
  let exited = false;
  child.status.then(() => (exited = true));
  while (!exited && !probe()) await new Promise((r) => setTimeout(r, 2));
  const seen = !exited;
  if (extraMs > 0) await new Promise((r) => setTimeout(r, Math.random() * extraMs));
  try {
    child.kill("SIGKILL");
  } catch {
    // already exited
  }
  return seen;
}
