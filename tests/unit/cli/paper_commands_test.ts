/**
 * What the `paper` commands share: flag parsing, layout resolution, `.txt` twins, and the path
 * rules for writing recovered files (inside DIR only, no symlinked folders, no overwriting
 * without --force, a refusal writes nothing).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ParaduxError } from "../../../errors.ts";
import { parseShards, parseWords } from "../../../commands/paper_backup.ts";
import {
  collectBackupFiles,
  readRecoveryInputs,
  resolveLayout,
  writeRecoveredFiles,
} from "../../../commands/_paper.ts";
import { recordingIo } from "../../../commands/_io.ts";
import { kdfOf, REAL_KDF } from "../../../commands/_vault.ts";
import { CHEAP_KDF } from "../../helpers/cheap_kdf.ts";
import { splitTwin, twinText } from "../../../paper/printed.ts";
import { presetLayout } from "../../../paper/layout.ts";

function isKind(kind: string, re?: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof ParaduxError, String(e));
    assert.equal(e.kind, kind, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-paper-cmd-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("parseShards and parseWords: table", () => {
  const good: Array<[string, { k: number; n: number }]> = [
    ["2/3", { k: 2, n: 3 }],
    [" 3 / 5 ", { k: 3, n: 5 }],
    ["1/2", { k: 1, n: 2 }],
    ["255/255", { k: 255, n: 255 }],
    ["2 of 4", { k: 2, n: 4 }],
  ];
  for (const [text, want] of good) assert.deepEqual(parseShards(text), want, text);
  for (const bad of ["3/2", "0/3", "2/1", "2/256", "2", "a/b", "-1/3", ""]) {
    assert.throws(() => parseShards(bad), isKind("usage"), bad);
  }
  for (const n of [12, 15, 18, 21, 24]) assert.equal(parseWords(String(n)), n);
  for (const bad of ["11", "13", "25", "x", ""]) {
    assert.throws(() => parseWords(bad), isKind("usage"), bad);
  }
});

Deno.test("resolveLayout: preset, ecc on top, a layout file, and --paper contradicting it", async () => {
  assert.deepEqual(await resolveLayout({}), presetLayout("a4"));
  assert.equal((await resolveLayout({ paper: "letter" })).page.size, "letter");
  assert.equal((await resolveLayout({ ecc: "H" })).qr.ecc, "H");
  await withTemp(async (dir) => {
    const file = join(dir, "l.toml");
    await Deno.writeTextFile(file, '[page]\nsize = "letter"\n[qr]\necc = "Q"\n');
    const l = await resolveLayout({ layout: file });
    assert.equal(l.page.size, "letter");
    assert.equal(l.qr.ecc, "Q");
    assert.equal((await resolveLayout({ layout: file, ecc: "L" })).qr.ecc, "L");
    await assert.rejects(resolveLayout({ layout: file, paper: "a4" }), isKind("usage"));
  });
});

Deno.test("kdfOf: the real costs unless deps pass others; the environment changes nothing", () => {
  Deno.env.set("PARADUX_TEST_FAST_KDF", "1");
  try {
    assert.deepEqual(kdfOf({}), REAL_KDF);
    assert.equal(REAL_KDF.paperLogN, 18);
    assert.deepEqual(REAL_KDF.everyday, { type: "argon2id" });
    assert.deepEqual(kdfOf({ kdf: CHEAP_KDF }), CHEAP_KDF);
  } finally {
    Deno.env.delete("PARADUX_TEST_FAST_KDF");
  }
});

Deno.test("twins: text, payloads, both; splitTwin gives back the parts with line numbers", () => {
  const fallback = "SHARD FRAME\nabcd efgh\n";
  const payloads = [Uint8Array.of(0x41, 0x50, 1), Uint8Array.of(255, 0)];
  assert.equal(twinText(null, payloads), "QVAB\n/wA\n");
  assert.equal(twinText(fallback, []), fallback);
  const both = twinText(fallback, payloads);
  assert.equal(both, "SHARD FRAME\nabcd efgh\n\nQR PAYLOADS\nQVAB\n/wA\n");
  assert.deepEqual(splitTwin(both), {
    fallback: "SHARD FRAME\nabcd efgh\n\n",
    payloads: [{ line: 5, text: "QVAB" }, { line: 6, text: "/wA" }],
  });
  assert.equal(splitTwin(fallback), null);
  assert.deepEqual(splitTwin("qr payloads\r\nQVAB\r\n"), {
    fallback: null,
    payloads: [{ line: 2, text: "QVAB" }],
  });
});

Deno.test("writeRecoveredFiles: writes inside DIR with mtimes, refuses escapes, symlinks, overwrites", async () => {
  await withTemp(async (root) => {
    const out = join(root, "out");
    const file = (path: string, text = "x") => ({
      path,
      data: new TextEncoder().encode(text),
      mtime: 1_600_000_000,
    });
    const written = await writeRecoveredFiles(
      out,
      [file("a.txt", "A"), file("d/b.txt", "B")],
      false,
    );
    assert.deepEqual(written, [join(out, "a.txt"), join(out, "d", "b.txt")]);
    assert.equal(await Deno.readTextFile(join(out, "d", "b.txt")), "B");
    assert.equal((await Deno.stat(join(out, "a.txt"))).mtime?.getTime(), 1_600_000_000_000);
    assert.equal((await Deno.stat(join(out, "a.txt"))).mode! & 0o777, 0o600);

    for (const bad of ["../evil", "/etc/evil", "d/../../evil", "", "C:evil", "a\\..\\evil"]) {
      await assert.rejects(writeRecoveredFiles(out, [file(bad)], true), isKind("input"), bad);
    }
    // nothing written when one file of several is refused
    await assert.rejects(
      writeRecoveredFiles(out, [file("new.txt"), file("a.txt")], false),
      isKind("exists", /a\.txt exists/),
    );
    await assert.rejects(Deno.stat(join(out, "new.txt")));
    await writeRecoveredFiles(out, [file("a.txt", "A2")], true);
    assert.equal(await Deno.readTextFile(join(out, "a.txt")), "A2");

    await Deno.mkdir(join(root, "elsewhere"));
    await Deno.symlink(join(root, "elsewhere"), join(out, "link"));
    await assert.rejects(writeRecoveredFiles(out, [file("link/x")], true), isKind("exists"));
    await assert.rejects(Deno.stat(join(root, "elsewhere", "x")));
    await assert.rejects(writeRecoveredFiles(out, [file("d")], true), isKind("exists"));
  });
});

Deno.test("collectBackupFiles: names, folders, --base-dir, duplicates, size limit", async () => {
  await withTemp(async (root) => {
    await Deno.mkdir(join(root, "a", "sub"), { recursive: true });
    await Deno.mkdir(join(root, "b"));
    await Deno.writeTextFile(join(root, "a", "sub", "x.txt"), "x");
    await Deno.writeTextFile(join(root, "a", "y.txt"), "yy");
    await Deno.writeTextFile(join(root, "b", "y.txt"), "zzz");
    const paths = (fs: { path: string }[]) => fs.map((f) => f.path);
    assert.deepEqual(paths(await collectBackupFiles([join(root, "a")], undefined, 1000)), [
      "a/sub/x.txt",
      "a/y.txt",
    ]);
    assert.deepEqual(
      paths(await collectBackupFiles([join(root, "a", "y.txt"), join(root, "b")], root, 1000)),
      ["a/y.txt", "b/y.txt"],
    );
    await assert.rejects(
      collectBackupFiles([join(root, "a", "y.txt"), join(root, "b", "y.txt")], undefined, 1000),
      isKind("input", /both be stored as y\.txt/),
    );
    await assert.rejects(
      collectBackupFiles([join(root, "a")], join(root, "b"), 1000),
      isKind("input", /not inside the base directory/),
    );
    await assert.rejects(collectBackupFiles([join(root, "a")], undefined, 2), isKind("capacity"));
    await assert.rejects(
      collectBackupFiles([join(root, "nope")], undefined, 9),
      isKind("not-found"),
    );
    await Deno.symlink(join(root, "b", "y.txt"), join(root, "a", "link"));
    await assert.rejects(collectBackupFiles([join(root, "a")], undefined, 1000), isKind("input"));
  });
});

Deno.test("readRecoveryInputs: literal payload lines, missing files, empty inputs", async () => {
  const io = recordingIo();
  const got = await readRecoveryInputs(["QVABRHH5uKWUEH83AAHBA2Fn"], io);
  assert.deepEqual(got.labels, ["argument 1"]);
  await assert.rejects(readRecoveryInputs(["/nonexistent/file.pdf"], io), isKind("not-found"));
  await withTemp(async (dir) => {
    const empty = join(dir, "e.pdf");
    await Deno.writeFile(empty, new TextEncoder().encode("%PDF-1.4 broken"));
    await assert.rejects(readRecoveryInputs([empty], io), isKind("input"));
  });
});
