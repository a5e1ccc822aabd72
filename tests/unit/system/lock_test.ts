import assert from "node:assert/strict";
import { join } from "node:path";
import { acquireLock, withLock } from "../../../system/lock.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("lock: a second holder is refused with 'locked'; release lets the next one in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "vault.lock");
    const first = await acquireLock(path);
    assert.equal((await Deno.readTextFile(path)).trim(), String(Deno.pid));
    await assert.rejects(
      acquireLock(path),
      (e) => isUserError(e, "locked") && /pid \d+/.test(e.message),
    );
    await first.release();
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    assert.equal(await withLock(path, () => Promise.resolve(42)), 42);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lock: a lock file left by a SIGKILLed process is stale and taken over", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "vault.lock");
    const lockUrl = new URL("../../../system/lock.ts", import.meta.url).href;
    const code = [
      `import { acquireLock } from ${JSON.stringify(lockUrl)};`,
      `const held = await acquireLock(${JSON.stringify(path)});`,
      `console.log("held", held.path);`,
      `setInterval(() => {}, 1000);`,
    ].join("\n");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.match(new TextDecoder().decode(first.value), /held .*vault\.lock/);
    await assert.rejects(acquireLock(path), (e) => isUserError(e, "locked"));
    child.kill("SIGKILL");
    await child.status;
    reader.releaseLock();
    await child.stdout.cancel();
    assert.ok((await Deno.stat(path)).isFile, "the dead process left its lock file");
    const lock = await acquireLock(path);
    await lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
