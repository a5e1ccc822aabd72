import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../../../system/atomic.ts";
import { makePrivateDir, privateBase, withPrivateDir } from "../../../system/private_dir.ts";

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

Deno.test("privateBase: the unit's runtime dir, the session's, /run for root; never /dev/shm", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    const env = (vars: Record<string, string>) => (n: string) => vars[n];
    assert.equal(privateBase(env({ RUNTIME_DIRECTORY: a, XDG_RUNTIME_DIR: b }), 1000), a);
    assert.equal(privateBase(env({ XDG_RUNTIME_DIR: b }), 1000), b);
    assert.equal(privateBase(env({ XDG_RUNTIME_DIR: join(b, "gone") }), 0), "/run");
    assert.equal(privateBase(env({}), 1000), undefined);
    // a private dir is made where privateBase says (here: /run as root) and takes secrets
    const d = await makePrivateDir();
    try {
      await d.writeSecret("s", "x");
      assert.ok(!d.dir.startsWith("/dev/"), d.dir);
    } finally {
      await d.remove();
    }
  } finally {
    await Deno.remove(a);
    await Deno.remove(b);
  }
});
