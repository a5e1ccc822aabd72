import assert from "node:assert/strict";
import { join } from "node:path";
import { readState, recordPull, recordPush, statePath } from "../../datasets/state.ts";

Deno.test("state file: concurrent writers never lose each other's results", async () => {
  const home = await Deno.makeTempDir({ prefix: "paradux-state-" });
  try {
    const at = new Date("2026-11-24T10:00:00Z");
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        recordPush(home, `ds${i % 3}`, `dest${i}`, {
          ok: true,
          at,
          durationMs: i,
          bytes: i * 10,
          files: i,
          snapshot: `s${i}`,
        })),
    );
    await recordPull(home, "ds0", { ok: false, at, durationMs: 5, error: "gone" });
    const state = await readState(home);
    for (let i = 0; i < 12; i++) {
      assert.equal(state.datasets[`ds${i % 3}`]?.destinations[`dest${i}`]?.snapshot, `s${i}`);
    }
    assert.equal(state.datasets.ds0?.pull?.lastError, "gone");
    assert.equal(((await Deno.stat(statePath(home))).mode ?? 0) & 0o777, 0o600);
    // no temp or lock files are left behind
    assert.deepEqual([...Deno.readDirSync(join(home, "state"))].map((e) => e.name), [
      "datasets.json",
    ]);
    assert.deepEqual([...Deno.readDirSync(join(home, "locks"))], []);
    // a missing state file reads as empty
    assert.deepEqual(await readState(join(home, "nothing")), { version: 1, datasets: {} });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
