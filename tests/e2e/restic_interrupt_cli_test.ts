/**
 * e2e: a `paradux backup` to a restic destination killed hard in the middle (SIGKILL of Paradux
 * and its restic, as a power cut or the OOM killer would) leaves restic's lock in the
 * repository; the next `paradux backup` (whose `keep` prune needs the repository alone) removes
 * that stale lock and succeeds, and `paradux drill` (whose `restic check` needs it alone too)
 * passes. The kill happens when the repository holds the run's lock (an event: the lock file
 * appears), never after a sleep; if restic finished first the run is simply tried again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCliChild } from "./cli.ts";
import { makeSandbox, paradux, type Sandbox } from "./sandbox.ts";

const PASSWORD = "restic repository password";

async function edit(b: Sandbox, doc: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(join(b.editorDir, "next.json"), JSON.stringify(value, null, 2));
  const r = await paradux(b, [`edit-${doc}`, "--passphrase-file", b.passFile]);
  assert.equal(r.code, 0, `edit-${doc}: ${r.stderr}`);
}

/** The repository's lock files (restic's `ID-tmp-N` names of a lock being taken excluded). */
async function locks(repo: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(join(repo, "locks"))) {
      if (/^[0-9a-f]{64}$/.test(e.name)) out.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out;
}

/** The PIDs of `pid`'s children (pgrep -P). */
async function childrenOf(pid: number): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-P", String(pid)], stdout: "piped" })
    .output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "").map(Number);
}

/**
 * Starts a backup and SIGKILLs it and its restic child once the repository holds a lock.
 * Returns false when the run ended before that (restic was too quick), true when it was killed.
 */
async function killMidPush(b: Sandbox, repo: string): Promise<boolean> {
  const child = runCliChild([
    "--vault",
    b.home,
    "backup",
    "--force", // the destination was just pushed and is not due again
    "--passphrase-file",
    b.passFile,
  ], {
    cheapKdf: true,
    env: b.env,
  });
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const before = new Set(await locks(repo));
  while (!exited) {
    if ((await locks(repo)).some((l) => !before.has(l))) {
      const kids = await childrenOf(child.pid);
      for (const pid of [child.pid, ...kids]) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await status;
      return true;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  await status;
  return false;
}

Deno.test("e2e restic: a backup killed mid-push, then a backup and a drill that pass", async () => {
  const b = await makeSandbox("restic-interrupt");
  try {
    const data = join(b.root, "data");
    const repo = join(b.root, "repo");
    await Deno.mkdir(data);
    let r = await paradux(b, ["init", "--passphrase-file", b.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await edit(b, "user", { name: "Ada Example" });
    await edit(b, "stewards", {
      stewards: [{ id: "ann", name: "Ann" }, { id: "ben", name: "Ben" }, {
        id: "cat",
        name: "Cat",
      }],
    });
    await edit(b, "metadata-locations", {
      locations: [{ name: "m1", url: `file://${join(b.root, "meta1")}` }],
    });
    await edit(b, "datasets", {
      datasets: [{
        name: "docs",
        source: { url: `file://${data}` },
        localCopy: join(b.root, "local"),
        destinations: [{
          name: "offsite",
          url: `restic:${repo}`,
          frequency: "hourly",
          keep: 2,
          credentials: { password: PASSWORD },
        }],
      }],
    });
    const chunk = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 64; i++) {
      for (let off = 0; off < chunk.length; off += 65536) {
        crypto.getRandomValues(chunk.subarray(off, off + 65536));
      }
      await Deno.writeFile(join(data, `file-${i}.bin`), chunk);
    }
    r = await paradux(b, ["backup", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    let killed = false;
    for (let attempt = 0; attempt < 5 && !killed; attempt++) {
      await Deno.writeTextFile(join(data, "changed.txt"), `attempt ${attempt}\n`);
      killed = await killMidPush(b, repo);
    }
    assert.ok(killed, "the backup was killed while restic held its lock");
    assert.ok((await locks(repo)).length > 0, "the killed run left its lock behind");

    await Deno.writeTextFile(join(data, "after.txt"), "after the crash\n");
    r = await paradux(b, ["backup", "--force", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok {7}docs\/offsite /m);
    assert.doesNotMatch(r.stdout, /warning:/, "the prune ran: the stale lock was removed");
    assert.deepEqual(await locks(repo), []);

    r = await paradux(b, ["drill", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /docs\/offsite +pass/);
    assert.match(r.stdout, /drill passed/);
  } finally {
    await Deno.remove(b.root, { recursive: true });
  }
});
