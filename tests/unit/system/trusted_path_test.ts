import assert from "node:assert/strict";
import { join } from "node:path";
import { privateTree, rsyncHasInsecureLinks } from "../../../system/trusted_path.ts";
import { rsyncArgs } from "../../../system/rsync.ts";

Deno.test("privateTree: a 0700 directory of ours under private parents is private", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    await Deno.chmod(tmp, 0o700);
    const root = join(tmp, "dest");
    await Deno.mkdir(root, { mode: 0o700 });
    await Deno.chmod(root, 0o700);
    assert.equal(await privateTree(root), true);
    // group or others may enter: a world-writable directory copied inside could be reached
    await Deno.chmod(root, 0o750);
    assert.equal(await privateTree(root), false);
    await Deno.chmod(root, 0o700);
    // a parent others may write (not sticky): a component could be swapped for a symlink
    await Deno.chmod(tmp, 0o777);
    assert.equal(await privateTree(root), false);
    await Deno.chmod(tmp, 0o1777);
    assert.equal(await privateTree(root), true, "a sticky parent (like /tmp) is fine");
    await Deno.chmod(tmp, 0o700);
    // through our own symlink: judged by the real path
    const link = join(tmp, "link");
    await Deno.symlink(root, link);
    assert.equal(await privateTree(link), true);
    assert.equal(await privateTree(join(tmp, "missing")), false);
    assert.equal(await privateTree("relative/path"), false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("rsync --insecure-links only when asked, and only an rsync that has it says so", async () => {
  assert.ok(!rsyncArgs("a/", "b/").includes("--insecure-links"));
  assert.ok(rsyncArgs("a/", "b/", { insecureLinks: true }).includes("--insecure-links"));
  const help = await new Deno.Command("rsync", { args: ["--help"], stdout: "piped" }).output();
  const has = new TextDecoder().decode(help.stdout).includes("--insecure-links");
  assert.equal(await rsyncHasInsecureLinks(), has);
});
