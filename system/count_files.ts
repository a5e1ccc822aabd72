/**
 * How many files a tree holds, the number transfers report.
 * @module
 */
import { join } from "node:path";

/** The entries below `dir` that are not directories (files, symlinks...), recursively. */
export async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    n += e.isDirectory ? await countFiles(join(dir, e.name)) : 1;
  }
  return n;
}
