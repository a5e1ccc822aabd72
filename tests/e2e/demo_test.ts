import assert from "node:assert/strict";
import { runCli } from "./cli.ts";

Deno.test("e2e demo: `paradux demo` tells the whole story and passes", async () => {
  const r = await runCli(["demo"]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
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
