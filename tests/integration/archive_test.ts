import assert from "node:assert/strict";
import { join } from "node:path";
import { extractArchive, partName, readManifest, writeArchive } from "../../protocols/archive.ts";
import { generateDataKey } from "../../crypto/age_x25519.ts";
import { isUserError } from "../../errors.ts";
import { diffTrees, makeUnusualTree } from "../helpers/tree.ts";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-archive-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function grepCount(dir: string, needle: string): Promise<number> {
  const out = await new Deno.Command("grep", { args: ["-r", "-l", "-a", "-F", needle, dir] })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").length;
}

Deno.test("encrypted archive: parts hide names and content, restore is byte- and mode-identical", async () => {
  await withTemp(async (tmp) => {
    const src = join(tmp, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src, { randomFiles: 20 });
    const key = await generateDataKey();
    const snap = join(tmp, "dest", "snap1");
    await Deno.mkdir(join(tmp, "dest"));
    const manifest = await writeArchive({
      sourceDir: src,
      snapshotDir: snap,
      recipients: [key.recipient],
      keyGeneration: 1,
      partSize: 64 * 1024,
    });
    assert.ok(manifest.parts.length >= 2, "small part size splits the archive");
    assert.ok(manifest.parts.slice(0, -1).every((p) => p.bytes === 64 * 1024));
    for (
      const needle of ["hello paradux", "plain.txt", "ünïcödé", "dir with spaces", "unicode names"]
    ) {
      assert.equal(
        await grepCount(join(tmp, "dest"), needle),
        0,
        `"${needle}" visible at the destination`,
      );
    }
    const target = join(tmp, "restored");
    await Deno.mkdir(target);
    await extractArchive(snap, [key.identity], target);
    assert.deepEqual(await diffTrees(src, target), []);
  });
});

Deno.test("encrypted archive: the age CLI decrypts the concatenated parts (a standard format)", async () => {
  await withTemp(async (tmp) => {
    const src = join(tmp, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "note.txt"), "readable with age and tar alone\n");
    const key = await generateDataKey();
    const snap = join(tmp, "snap");
    const manifest = await writeArchive({
      sourceDir: src,
      snapshotDir: snap,
      recipients: [key.recipient],
      keyGeneration: 1,
      partSize: 4096,
    });
    const keyFile = join(tmp, "key.txt");
    await Deno.writeTextFile(keyFile, key.identity + "\n", { mode: 0o600 });
    const all = manifest.parts.map((p) => join(snap, p.name));
    const out = join(tmp, "out");
    await Deno.mkdir(out);
    const sh = await new Deno.Command("sh", {
      args: ["-c", 'cat "$@" | age -d -i "$KEY" | tar -xz -C "$OUT"', "sh", ...all],
      env: { KEY: keyFile, OUT: out },
      stderr: "piped",
    }).output();
    assert.equal(sh.code, 0, new TextDecoder().decode(sh.stderr));
    assert.equal(
      await Deno.readTextFile(join(out, "note.txt")),
      "readable with age and tar alone\n",
    );
  });
});

Deno.test("encrypted archive: a damaged part or a wrong key is refused and nothing is extracted", async () => {
  await withTemp(async (tmp) => {
    const src = join(tmp, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "x".repeat(10000));
    const key = await generateDataKey();
    const snap = join(tmp, "snap");
    await writeArchive({
      sourceDir: src,
      snapshotDir: snap,
      recipients: [key.recipient],
      keyGeneration: 1,
      partSize: 4096,
    });
    const other = await generateDataKey();
    const t1 = join(tmp, "t1");
    await Deno.mkdir(t1);
    await assert.rejects(
      () => extractArchive(snap, [other.identity], t1),
      (e) => isUserError(e, "auth"),
    );
    const part = join(snap, partName(0));
    const bytes = await Deno.readFile(part);
    bytes[100] = (bytes[100] ?? 0) ^ 1;
    await Deno.writeFile(part, bytes);
    const t2 = join(tmp, "t2");
    await Deno.mkdir(t2);
    await assert.rejects(
      () => extractArchive(snap, [key.identity], t2),
      (e) => isUserError(e, "input") && /data\.tar\.gz\.age\.000: SHA-256 mismatch/.test(e.message),
    );
    assert.deepEqual([...Deno.readDirSync(t2)], []);
    await Deno.writeTextFile(join(snap, "manifest.json"), "{not json");
    await assert.rejects(() => readManifest(snap), (e) => isUserError(e, "input"));
  });
});
