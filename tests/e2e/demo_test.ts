import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("e2e demo: `paradux demo` tells the whole story and passes", async () => {
  const r = await runCli(["demo", "--keep"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const kept = /^kept (.+)$/m.exec(r.stdout)?.[1];
  assert.ok(kept !== undefined, r.stdout);
  try {
    // the after-change hooks wrote the demo's units inside its world, not into the system
    assert.ok((await Deno.stat(join(kept, "systemd-units"))).isDirectory);
    await Deno.stat(join(kept, "borrowed-machine", "paradux-home", "jobs", "documents.json"));
    assert.ok(!(await exists(join(kept, "laptop"))), "the laptop was deleted");
  } finally {
    await Deno.remove(kept, { recursive: true });
  }
  assert.match(r.stdout, /\[1\/11\] checking the programs/);
  assert.match(r.stdout, /DISASTER: the house burns down/);
  assert.match(r.stdout, /all 4 files are byte-identical/);
  assert.match(r.stdout, /^DEMO PASSED: every file came back byte for byte/m);
});

Deno.test("e2e demo: a missing program is named with its Debian package", async () => {
  const r = await runCli(["demo"], { env: { PATH: "/nonexistent" } });
  assert.equal(r.code, 8, r.stdout + r.stderr);
  assert.match(r.stderr, /the demo needs cryptsetup, rsync, pdftoppm/);
  assert.match(r.stderr, /apt-get install cryptsetup-bin rsync poppler-utils/);
  assert.match(r.stdout, /^DEMO FAILED/m);
});
