/**
 * The one recursive walk over a directory tree: every entry below a root, depth first, names
 * sorted within each folder, with its path relative to the root ('/'-separated).
 * @module
 */
import { join } from "node:path";

/** One entry below the root of a walk. */
export interface TreeEntry {
  /** The full path. */
  path: string;
  /** The path relative to the root, '/'-separated. */
  rel: string;
  /** What `Deno.readDir` said of it (a symlink is not followed). */
  entry: Deno.DirEntry;
}

/** Every entry below `root` (directories too, before their contents), depth first. */
export async function* walkTree(root: string, rel = ""): AsyncGenerator<TreeEntry> {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(root)) entries.push(e);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(root, entry.name);
    const sub = rel === "" ? entry.name : `${rel}/${entry.name}`;
    yield { path, rel: sub, entry };
    if (entry.isDirectory) yield* walkTree(path, sub);
  }
}
