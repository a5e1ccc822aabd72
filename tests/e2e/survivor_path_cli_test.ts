/**
 * e2e: the demo (and the drill inside it) run the survivor's path (recovery/survivor_path.ts), the
 * same code `paradux recover` runs. With one step of that path broken (tests/e2e/
 * broken_path_main.ts), the demo's drill fails and names what broke, and the demo fails
 * before the disaster.
 */
import assert from "node:assert/strict";
import { runCli } from "./cli.ts";

const ENTRY = "tests/e2e/broken_path_main.ts";

function demoWithBroken(step: string) {
  return runCli(["demo"], { entry: ENTRY, env: { PARADUX_TEST_BROKEN_STEP: step } });
}

Deno.test("e2e survivor's path: breaking a step of it fails the drill and the demo", async (t) => {
  await t.step("open: the copy opened loses its datasets", async () => {
    const r = await demoWithBroken("open");
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL metadata cloud-a: stale metadata copy: datasets differ/);
    assert.match(r.stdout, /FAIL metadata cloud-b: stale metadata copy/);
    assert.match(r.stdout, /^DEMO FAILED: the drill failed before the disaster/m);
    assert.doesNotMatch(r.stdout, /DISASTER/);
  });
  await t.step("read: an input is lost", async () => {
    const r = await demoWithBroken("read");
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL shares shares: the shares do not reconstruct the secret: need 2/);
    assert.match(r.stdout, /^DEMO FAILED: the drill failed before the disaster/m);
  });
});
