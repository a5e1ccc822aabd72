import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../../../system/atomic.ts";
import { makePrivateDir, withPrivateDir } from "../../../system/private_dir.ts";

Deno.test("writeFileAtomic replaces the file, mode 0600 by default, no temp left", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "doc.json");
    await Deno.writeTextFile(path, "old");
    await writeFileAtomic(path, "new");
    assert.equal(await Deno.readTextFile(path), "new");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["doc.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("private dirs are 0700, secrets 0600, and removed afterwards", async () => {
  let seen = "";
  await withPrivateDir(async (d) => {
    seen = d.dir;
    assert.equal((await Deno.stat(d.dir)).mode! & 0o777, 0o700);
    const f = await d.writeSecret("key", "s3cret");
    assert.equal((await Deno.stat(f)).mode! & 0o777, 0o600);
  });
  await assert.rejects(() => Deno.stat(seen), Deno.errors.NotFound);
  const d = await makePrivateDir();
  await d.remove();
  await assert.rejects(() => Deno.stat(d.dir), Deno.errors.NotFound);
});
