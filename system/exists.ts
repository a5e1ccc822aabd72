/**
 * Whether a path exists, without following a final symlink.
 * @module
 */

/** True when `path` exists (a dangling symlink counts); other errors than NotFound are thrown. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
