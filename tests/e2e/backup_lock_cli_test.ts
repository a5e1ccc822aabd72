/**
 * e2e: a backup that finds its dataset locked by another process exits 7 (`locked`) with a "wait
 * or stop the other run" hint, never 1 with a "fix the location" hint; `--location NAME` without
 * a DATASET picks the dataset that has that destination. The lock is held by util-linux `flock`
 * on the same lock file (the same flock(2) lock Paradux takes), released when its stdin closes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { datasetLockPath } from "../../datasets/backup.ts";
import { makeSandbox, paradux, withPass } from "./sandbox.ts";

Deno.test("e2e backup: a held dataset lock is exit 7; --location finds its dataset", async () => {
  const s = await makeSandbox("backup-lock");
  try {
    const src = join(s.root, "src");
    await Deno.mkdir(src);
    await Deno.writeTextFile(join(src, "a.txt"), "a\n");
    const datasets = {
      datasets: [{
        name: "docs",
        source: { url: `file://${src}` },
        localCopy: join(s.root, "copy"),
        destinations: [{ name: "usb", url: `file://${s.root}/dest`, frequency: "daily" }],
      }],
    };
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(join(s.editorDir, "next.json"), JSON.stringify(datasets));
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);

    r = await withPass(s, ["backup", "--location", "nope"]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no dataset has a destination named nope/);
    assert.match(r.stderr, /known: docs\/usb/);

    const lockFile = datasetLockPath(s.home, "docs");
    await Deno.mkdir(join(lockFile, ".."), { recursive: true, mode: 0o700 });
    const holder = new Deno.Command("flock", {
      args: ["-x", lockFile, "-c", "echo held; exec cat"],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    let said = "";
    while (!said.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      said += new TextDecoder().decode(value);
    }
    assert.equal(said, "held\n", "flock holds the lock");
    try {
      r = await withPass(s, ["backup", "--location", "usb"]);
      assert.equal(r.code, 7, r.stdout + r.stderr);
      assert.match(r.stderr, /another paradux backup of docs is running/);
      assert.match(r.stderr, /wait for it to finish or stop it/);
      assert.doesNotMatch(r.stderr, /fix the location/);
      assert.match(r.stdout, /FAILED {3}docs: dataset docs is in use by another paradux process/);
    } finally {
      await holder.stdin.close();
      reader.releaseLock();
      await holder.stdout.cancel().catch(() => {});
      await holder.status;
    }
    r = await withPass(s, ["backup", "--location", "usb"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ok {7}docs\/usb /m);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});
