/**
 * A restic run killed hard (as after Ctrl-C at the wrong moment) leaves its lock in the
 * repository; the next push removes it (`restic unlock` removes only stale locks, a live run's
 * lock stays) and succeeds. Real restic, local repository.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { protocol } from "../../../protocols/restic.ts";

const PASSWORD = "correct horse battery staple";

/** The repository's lock files; restic writes one as `ID-tmp-N` and renames it to `ID`, so a
 * temp name (a lock being taken) is not counted. */
async function locks(repo: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(repo, "locks"))) {
    if (/^[0-9a-f]{64}$/.test(e.name)) out.push(e.name);
  }
  return out;
}

/** Waits (for the event, not a time) until the repository holds a lock file. */
async function untilLocked(repo: string, child: Deno.ChildProcess): Promise<void> {
  let exited = false;
  child.status.then(() => (exited = true));
  while ((await locks(repo)).length === 0) {
    assert.ok(!exited, "restic exited before taking its lock");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function restic(repo: string, args: string[], stdin: "piped" | "null" = "null") {
  return new Deno.Command("restic", {
    args: ["--no-cache", ...args],
    env: { RESTIC_PASSWORD: PASSWORD, RESTIC_REPOSITORY: repo },
    stdin,
    stdout: "null",
    stderr: "piped",
  });
}

Deno.test("restic: a stale lock from a killed run is removed by the next push", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-restic-lock-" });
  try {
    const repo = join(base, "repo");
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "hello\n");
    const location = { url: `restic:${repo}`, credentials: { password: PASSWORD } };
    const ctx = { privateDir: base, now: new Date() };
    await protocol.push(src, location, ctx);

    // A live run holds a lock (it waits for stdin): unlock leaves it alone.
    const live = restic(repo, ["backup", "--stdin", "--stdin-filename", "x"], "piped").spawn();
    await untilLocked(repo, live);
    const held = await locks(repo);
    assert.ok((await restic(repo, ["unlock"]).output()).success);
    assert.deepEqual(await locks(repo), held, "restic unlock keeps a live run's lock");
    // Killed hard, its lock stays behind, and plain restic refuses to back up.
    live.kill("SIGKILL");
    await live.status;
    await live.stdin.close().catch(() => {});
    await live.stderr.cancel();
    assert.deepEqual(await locks(repo), held, "the killed run's lock is left");
    // It blocks runs that need the repository alone (prune, check).
    const check = await restic(repo, ["check"]).output();
    assert.ok(!check.success);
    assert.match(new TextDecoder().decode(check.stderr), /already locked/);

    await Deno.writeTextFile(join(src, "b.txt"), "second\n");
    // push with keep prunes (an exclusive lock): the stale lock is removed, then it succeeds.
    const r = await protocol.push(src, location, { ...ctx, now: new Date() }, { keep: 1 });
    assert.match(r.snapshot.id, /^[0-9a-f]{8}$/);
    assert.deepEqual(await locks(repo), [], "the stale lock is gone");
    const list = await protocol.snapshots(location, ctx);
    assert.equal(list.length, 1);
    assert.match(await protocol.check!(location, ctx), /restic check passed/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("restic: pruning blocked by a live run is a warning; the new snapshot counts", async () => {
  const base = await Deno.makeTempDir({ prefix: "paradux-restic-prune-" });
  try {
    const repo = join(base, "repo");
    const src = join(base, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "hello\n");
    const location = { url: `restic:${repo}`, credentials: { password: PASSWORD } };
    const ctx = { privateDir: base, now: new Date() };
    await protocol.push(src, location, ctx);
    const live = restic(repo, ["backup", "--stdin", "--stdin-filename", "x"], "piped").spawn();
    try {
      await untilLocked(repo, live);
      await Deno.writeTextFile(join(src, "b.txt"), "second\n");
      const r = await protocol.push(src, location, { ...ctx, now: new Date() }, { keep: 1 });
      assert.match(r.snapshot.id, /^[0-9a-f]{8}$/);
      assert.equal(r.warnings?.length, 1, JSON.stringify(r.warnings));
      assert.match(
        r.warnings?.[0] ?? "",
        new RegExp(
          `^snapshot ${r.snapshot.id} was written, but .*\\(the next backup prunes again\\)$`,
        ),
      );
      assert.ok((await locks(repo)).length > 0, "the live run's lock stays");
    } finally {
      live.kill("SIGKILL");
      await live.status;
      await live.stdin.close().catch(() => {});
      await live.stderr.cancel();
    }
    assert.equal((await protocol.snapshots(location, ctx)).length, 2, "nothing pruned yet");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
