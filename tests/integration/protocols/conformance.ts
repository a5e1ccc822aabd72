/**
 * The one conformance suite every protocol passes against a real server on loopback.
 *
 * A protocol's test file calls {@link runConformance} once per backend; that registers one
 * `Deno.test` whose steps check, in order: validation, push + restore of a tree with unusual
 * names (byte for byte, mode for mode), a second push after deletions at the source (with the
 * SAME `ctx.now`, so two pushes in one second must not collide) leaving the old snapshot
 * restorable, `keep`, a missing snapshot id, upload/download with replacement, pull (when
 * `canBeSource`), the dir operations (when `storesPlainFiles`) and an unreachable location
 * failing fast with `tool-failed`.
 *
 * ```ts
 * runConformance("file", async () => ({ location, cleanup }), { protocol, unreachable, invalid });
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Location, ProtocolSpec, TransferContext } from "../../../protocols/protocol.ts";
import { isUserError } from "../../../errors.ts";
import { countFiles } from "../../../system/count_files.ts";
import { diffTrees, makeUnusualTree } from "../../helpers/tree.ts";

/** A fresh location plus how to get rid of it. */
export interface ConformanceTarget {
  /** The location (an empty destination). */
  location: Location;
  /** Removes what the location holds (called after each step that made one). */
  cleanup(): Promise<void>;
}

/** What a protocol's test passes besides the location factory. */
export interface ConformanceOptions {
  /** The protocol under test. */
  protocol: ProtocolSpec;
  /**
   * Starts what the locations need (servers) before the first step; returns the matching stop,
   * run after the last step even when a step fails.
   */
  setup?: () => Promise<() => Promise<void>>;
  /** A location whose server is down or absent; operations must fail with `tool-failed`. */
  unreachable: () => Location;
  /** Locations `validate` must reject (at least one). */
  invalid: Location[];
  /**
   * For protocols that can be a source: a location whose content is a copy of the local
   * directory `tree` (the test fills the server side directly).
   */
  makeSource?: (tree: string) => Promise<ConformanceTarget>;
  /** Size of the sparse file in the test tree (default 1 MiB). */
  sparseBytes?: number;
  /** Also check the restored sparse file is still sparse (default false). */
  checkSparse?: boolean;
  /** Upper bound for the unreachable location's failure, in ms (default 30000). */
  unreachableMs?: number;
}

async function withContext<T>(fn: (ctx: TransferContext) => Promise<T>, now?: Date): Promise<T> {
  const privateDir = await Deno.makeTempDir({ prefix: "paradux-conf-priv-" });
  await Deno.chmod(privateDir, 0o700);
  try {
    return await fn({ privateDir, now: now ?? new Date() });
  } finally {
    await Deno.remove(privateDir, { recursive: true }).catch(() => {});
  }
}

/** Copies a tree with `cp -a` (keeps modes, links and holes), for the expected side. */
async function copyTree(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", "--sparse=always", `${from}/.`, to] })
    .output();
  if (!out.success) throw new Error(`cp failed: ${new TextDecoder().decode(out.stderr)}`);
}

async function tempDir(tag: string): Promise<string> {
  return await Deno.makeTempDir({ prefix: `paradux-conf-${tag}-` });
}

async function removeAll(...dirs: string[]): Promise<void> {
  for (const d of dirs) await Deno.remove(d, { recursive: true }).catch(() => {});
}

async function assertSameTree(expected: string, actual: string, what: string): Promise<void> {
  const problems = await diffTrees(expected, actual);
  assert.deepEqual(problems, [], `${what}: trees differ`);
}

async function assertSparse(file: string): Promise<void> {
  const info = await Deno.stat(file);
  assert.ok(info.blocks !== null, "stat has no block count");
  assert.ok(
    info.blocks * 512 < info.size / 2,
    `${file} is not sparse: ${info.blocks * 512} bytes allocated of ${info.size}`,
  );
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the conformance test for one protocol backend (one Deno.test with steps). */
export function runConformance(
  name: string,
  makeLocation: () => Promise<ConformanceTarget>,
  options: ConformanceOptions,
): void {
  const p = options.protocol;
  const treeOptions = { sparseBytes: options.sparseBytes ?? 1024 * 1024 };

  Deno.test(`conformance: ${name}`, async (t) => {
    const stop = options.setup === undefined ? undefined : await options.setup();
    try {
      await t.step("validate accepts a good location and rejects bad ones", async () => {
        const target = await makeLocation();
        try {
          assert.deepEqual(p.validate(target.location), []);
          assert.ok(options.invalid.length > 0, "give at least one invalid location");
          for (const bad of options.invalid) {
            const problems = p.validate(bad);
            assert.ok(problems.length > 0, `validate accepted ${JSON.stringify(bad)}`);
            for (const m of problems) assert.equal(typeof m, "string");
          }
        } finally {
          await target.cleanup();
        }
      });

      await t.step("push, snapshots, restore; deletions keep old snapshots; keep", async () => {
        const target = await makeLocation();
        const [src, first, out1, out2, out3] = [
          await tempDir("src"),
          await tempDir("first"),
          await tempDir("out1"),
          await tempDir("out2"),
          await tempDir("out3"),
        ];
        try {
          const loc = target.location;
          await makeUnusualTree(src, treeOptions);
          await copyTree(src, first);
          const now = new Date();
          assert.deepEqual(await withContext((ctx) => p.snapshots(loc, ctx)), []);

          const r1 = await withContext((ctx) => p.push(src, loc, ctx), now);
          assert.equal(typeof r1.snapshot.id, "string");
          assert.ok(r1.snapshot.id.length > 0);
          assert.ok(!Number.isNaN(Date.parse(r1.snapshot.time)), "snapshot time is ISO 8601");
          // every protocol counts the same: the entries that are not directories
          assert.equal(r1.files, await countFiles(src), "push's file count");
          assert.ok(r1.bytes >= 0);

          await withContext((ctx) => p.restore(loc, out1, ctx));
          await assertSameTree(src, out1, "restore of the first push");
          if (options.checkSparse === true) await assertSparse(join(out1, "sparse.img"));

          // Deletions and a change at the source, pushed with the same clock reading.
          await Deno.remove(join(src, "dir with spaces"), { recursive: true });
          await Deno.remove(join(src, "new\nline.txt"));
          await Deno.writeTextFile(join(src, "script.sh"), "#!/bin/sh\necho changed\n");
          const r2 = await withContext((ctx) => p.push(src, loc, ctx), now);
          assert.notEqual(r2.snapshot.id, r1.snapshot.id, "two pushes in one second collided");

          const list = await withContext((ctx) => p.snapshots(loc, ctx));
          assert.deepEqual(list.map((s) => s.id), [r1.snapshot.id, r2.snapshot.id]);
          for (const s of list) assert.ok(!Number.isNaN(Date.parse(s.time)));

          await withContext((ctx) => p.restore(loc, out2, ctx, r1.snapshot.id));
          await assertSameTree(first, out2, "old snapshot after deletions at the source");
          await withContext((ctx) => p.restore(loc, out3, ctx));
          await assertSameTree(src, out3, "newest snapshot");

          // keep: a third push keeping two drops the oldest.
          await Deno.writeTextFile(join(src, "third.txt"), "third\n");
          const r3 = await withContext((ctx) => p.push(src, loc, ctx, { keep: 2 }));
          const kept = await withContext((ctx) => p.snapshots(loc, ctx));
          assert.deepEqual(kept.map((s) => s.id), [r2.snapshot.id, r3.snapshot.id]);

          await assert.rejects(
            () => withContext((ctx) => p.restore(loc, out1, ctx, "19990101T000000Z-no-such")),
            (e) => isUserError(e, "not-found"),
            "restoring a missing snapshot is not-found",
          );
        } finally {
          await removeAll(src, first, out1, out2, out3);
          await target.cleanup();
        }
      });

      await t.step("restore from an empty destination is not-found", async () => {
        const target = await makeLocation();
        const out = await tempDir("empty");
        try {
          await assert.rejects(
            () => withContext((ctx) => p.restore(target.location, out, ctx)),
            (e) => isUserError(e, "not-found"),
          );
        } finally {
          await removeAll(out);
          await target.cleanup();
        }
      });

      await t.step("upload and download replace single files", async () => {
        const target = await makeLocation();
        const dir = await tempDir("files");
        try {
          const loc = target.location;
          const a = join(dir, "a.bin");
          const b = join(dir, "b.bin");
          const got = join(dir, "got.bin");
          const bytesA = crypto.getRandomValues(new Uint8Array(60_000));
          const bytesB = new TextEncoder().encode("second version\n");
          await Deno.writeFile(a, bytesA, { mode: 0o600 });
          await Deno.writeFile(b, bytesB, { mode: 0o600 });
          await withContext((ctx) => p.upload(loc, a, "vault export.luks", ctx));
          await withContext((ctx) => p.download(loc, "vault export.luks", got, ctx));
          assert.deepEqual(await Deno.readFile(got), bytesA);
          await withContext((ctx) => p.upload(loc, b, "vault export.luks", ctx));
          await withContext((ctx) => p.download(loc, "vault export.luks", got, ctx));
          assert.deepEqual(await Deno.readFile(got), bytesB);
          await assert.rejects(
            () => withContext((ctx) => p.download(loc, "no-such-file", join(dir, "x"), ctx)),
            (e) => isUserError(e, "not-found"),
          );
          // Files uploaded next to snapshots are not snapshots.
          assert.deepEqual(await withContext((ctx) => p.snapshots(loc, ctx)), []);
        } finally {
          await removeAll(dir);
          await target.cleanup();
        }
      });

      if (p.canBeSource) {
        await t.step("pull mirrors a source, deletions included", async () => {
          assert.ok(options.makeSource !== undefined, "canBeSource needs options.makeSource");
          const tree = await tempDir("srctree");
          const local = join(await tempDir("local"), "copy");
          try {
            await makeUnusualTree(tree, treeOptions);
            const source = await options.makeSource(tree);
            try {
              const r = await withContext((ctx) => p.pull(source.location, local, ctx));
              assert.equal(r.files, await countFiles(tree), "pull's file count");
              await assertSameTree(tree, local, "first pull");
              if (options.checkSparse === true) await assertSparse(join(local, "sparse.img"));
              await Deno.writeTextFile(join(local, "stale.txt"), "not at the source\n");
              await withContext((ctx) => p.pull(source.location, local, ctx));
              await assertSameTree(tree, local, "second pull (stale file removed)");
            } finally {
              await source.cleanup();
            }
          } finally {
            await removeAll(tree, join(local, ".."));
          }
        });
      }

      if (p.storesPlainFiles) {
        await t.step("putDir, listDirs, getDir, removeDir", async () => {
          assert.ok(
            p.putDir && p.getDir && p.listDirs && p.removeDir,
            "storesPlainFiles needs the dir operations",
          );
          const target = await makeLocation();
          const dir = await tempDir("dirs");
          const out = await tempDir("dirsout");
          try {
            const loc = target.location;
            await Deno.writeFile(join(dir, "data.tar.gz.age.000"), new Uint8Array([1, 2, 3]));
            await Deno.writeTextFile(join(dir, "manifest.json"), '{"a": 1}\n');
            assert.deepEqual(await withContext((ctx) => p.listDirs!(loc, ctx)), []);
            await withContext((ctx) => p.putDir!(dir, loc, "20260101T000000Z", ctx));
            await withContext((ctx) => p.putDir!(dir, loc, "20260102T000000Z", ctx));
            assert.deepEqual(
              (await withContext((ctx) => p.listDirs!(loc, ctx))).sort(),
              ["20260101T000000Z", "20260102T000000Z"],
            );
            await withContext((ctx) => p.getDir!(loc, "20260101T000000Z", out, ctx));
            assert.deepEqual([...await Deno.readFile(join(out, "data.tar.gz.age.000"))], [1, 2, 3]);
            assert.equal(await Deno.readTextFile(join(out, "manifest.json")), '{"a": 1}\n');
            await withContext((ctx) => p.removeDir!(loc, "20260101T000000Z", ctx));
            assert.deepEqual(await withContext((ctx) => p.listDirs!(loc, ctx)), [
              "20260102T000000Z",
            ]);
            await assert.rejects(
              () => withContext((ctx) => p.getDir!(loc, "20260101T000000Z", join(out, "x"), ctx)),
              (e) => isUserError(e, "not-found"),
            );
          } finally {
            await removeAll(dir, out);
            await target.cleanup();
          }
        });
      }

      await t.step("an unreachable location fails fast with tool-failed", async () => {
        const loc = options.unreachable();
        const ms = options.unreachableMs ?? 30_000;
        const src = await tempDir("unreach");
        try {
          await Deno.writeTextFile(join(src, "f.txt"), "x\n");
          await assert.rejects(
            () => withTimeout(withContext((ctx) => p.snapshots(loc, ctx)), ms, "snapshots"),
            (e) => isUserError(e, "tool-failed"),
          );
          await assert.rejects(
            () => withTimeout(withContext((ctx) => p.push(src, loc, ctx)), ms, "push"),
            (e) => isUserError(e, "tool-failed"),
          );
          await assert.rejects(
            () =>
              withTimeout(
                withContext((ctx) => p.upload(loc, join(src, "f.txt"), "f.txt", ctx)),
                ms,
                "upload",
              ),
            (e) => isUserError(e, "tool-failed"),
          );
        } finally {
          await removeAll(src);
        }
      });
    } finally {
      if (stop !== undefined) await stop();
    }
  });
}
