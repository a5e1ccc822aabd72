import assert from "node:assert/strict";
import { join } from "node:path";
import { countFiles } from "../../../system/count_files.ts";
import { walkTree } from "../../../system/tree.ts";

Deno.test("walkTree: depth first, sorted per folder, relative '/' paths, links not followed", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-tree-" });
  try {
    await Deno.mkdir(join(root, "b/d"), { recursive: true });
    await Deno.writeTextFile(join(root, "c.txt"), "c");
    await Deno.writeTextFile(join(root, "b/a.txt"), "a");
    await Deno.writeTextFile(join(root, "b/d/e.txt"), "e");
    await Deno.symlink("b", join(root, "a-link"));
    const seen: string[] = [];
    for await (const e of walkTree(root)) {
      seen.push(`${e.rel}${e.entry.isDirectory ? "/" : e.entry.isSymlink ? "@" : ""}`);
      assert.equal(e.path, join(root, e.rel));
    }
    assert.deepEqual(seen, ["a-link@", "b/", "b/a.txt", "b/d/", "b/d/e.txt", "c.txt"]);
    assert.equal(await countFiles(root), 4);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
