import assert from "node:assert/strict";
import { join } from "node:path";
import { isUserError } from "../../../errors.ts";
import { makeUnusualTree } from "../../helpers/tree.ts";
import { protocol } from "../../../protocols/file.ts";
import { runConformance } from "./conformance.ts";

async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", "--sparse=always", `${from}/.`, to] })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

runConformance("file", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-dest-" });
  const root = join(base, "backups of ünïcode 'home'");
  return {
    location: { url: `file://${encodeURI(root)}` },
    cleanup: () => Deno.remove(base, { recursive: true }),
  };
}, {
  protocol,
  unreachable: () => ({ url: "file:///nonexistent-paradux-drive/not/mounted" }),
  invalid: [
    { url: "file:relative/path" },
    { url: "file://otherhost/x" },
    { url: "file:///x?y=1" },
    { url: "s3://bucket/x" },
    { url: "file:///tmp/x", credentials: { password: "nope" } },
  ],
  makeSource: async (tree) => {
    const base = await Deno.makeTempDir({ prefix: "paradux-file-src-" });
    const root = join(base, "source with spaces");
    await Deno.mkdir(root);
    await copyTree(tree, root);
    return {
      location: { url: `file://${encodeURI(root)}` },
      cleanup: () => Deno.remove(base, { recursive: true }),
    };
  },
  checkSparse: true,
});

function ctxIn(privateDir: string, now = new Date()) {
  return { privateDir, now };
}

Deno.test("file: unchanged files are hard links to the previous snapshot", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-links-" });
  try {
    const src = join(base, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src, { randomFiles: 3 });
    const location = { url: `file://${join(base, "dest")}` };
    const r1 = await protocol.push(src, location, ctxIn(base));
    await Deno.writeTextFile(join(src, "script.sh"), "#!/bin/sh\necho changed\n");
    const r2 = await protocol.push(src, location, ctxIn(base));
    const at = (id: string, name: string) => Deno.stat(join(base, "dest", id, name));
    const [a, b] = [
      await at(r1.snapshot.id, "private.key"),
      await at(r2.snapshot.id, "private.key"),
    ];
    assert.equal(a.ino, b.ino, "unchanged file is not hard-linked");
    assert.ok((b.nlink ?? 0) >= 2);
    const [c, d] = [await at(r1.snapshot.id, "script.sh"), await at(r2.snapshot.id, "script.sh")];
    assert.notEqual(c.ino, d.ino);
    assert.ok(r2.bytes < r1.bytes, `second push moved ${r2.bytes} bytes, first ${r1.bytes}`);
    assert.ok(r1.bytes > 0);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("file: a leftover partial snapshot is not a snapshot and is cleaned up", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-partial-" });
  try {
    const src = join(base, "src");
    const dest = join(base, "dest");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "a\n");
    await Deno.mkdir(join(dest, ".20200101T000000Z.partial/sub"), { recursive: true });
    await Deno.writeTextFile(join(dest, ".20200101T000000Z.partial/sub/half.bin"), "half");
    const location = { url: `file://${dest}` };
    assert.deepEqual(await protocol.snapshots(location, ctxIn(base)), []);
    await assert.rejects(
      () => protocol.restore(location, join(base, "out"), ctxIn(base)),
      (e) => isUserError(e, "not-found"),
    );
    const r = await protocol.push(src, location, ctxIn(base));
    const names = [...Deno.readDirSync(dest)].map((e) => e.name).sort();
    assert.deepEqual(names, [r.snapshot.id]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("file: an unmounted drive (missing parent) fails and creates nothing", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-unmounted-" });
  try {
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "a\n");
    const location = { url: `file://${join(base, "usb", "home")}` };
    await assert.rejects(
      () => protocol.push(src, location, ctxIn(base)),
      (e) => isUserError(e, "tool-failed") && /mounted/.test(e.hint ?? ""),
    );
    await assert.rejects(() => Deno.stat(join(base, "usb")), Deno.errors.NotFound);
    // The parent alone is enough: the root is created on the first push.
    await Deno.mkdir(join(base, "usb"));
    const r = await protocol.push(src, location, ctxIn(base));
    assert.equal(((await Deno.stat(join(base, "usb/home"))).mode ?? 0) & 0o777, 0o700);
    assert.ok((await Deno.stat(join(base, "usb/home", r.snapshot.id, "a.txt"))).isFile);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("file: progress is reported; an aborted push is interrupted and no snapshot", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-file-progress-" });
  try {
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeFile(join(src, "a.bin"), crypto.getRandomValues(new Uint8Array(65536)));
    const location = { url: `file://${join(base, "dest")}` };
    const seen: { bytes: number; totalBytes?: number }[] = [];
    await protocol.push(src, location, { ...ctxIn(base), progress: (p) => seen.push(p) });
    assert.ok(seen.length >= 1);
    assert.equal(seen.at(-1)?.bytes, 65536);

    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(
      () => protocol.push(src, location, { ...ctxIn(base), signal: aborted.signal }),
      (e) => isUserError(e, "interrupted"),
    );
    assert.equal((await protocol.snapshots(location, ctxIn(base))).length, 1);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
