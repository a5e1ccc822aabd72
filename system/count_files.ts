/**
 * How many files a tree holds, the number transfers report.
 * @module
 */
import { walkTree } from "./tree.ts";

/** The entries below `dir` that are not directories (files, symlinks...), recursively. */
export async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of walkTree(dir)) if (!e.entry.isDirectory) n++;
  return n;
}
