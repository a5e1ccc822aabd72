import assert from "node:assert/strict";
import { runCli } from "./cli.ts";

Deno.test("--help lists the commands from the registry and the exit codes", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /doctor/);
  assert.match(r.stdout, /Exit codes:/);
});

Deno.test("--version prints the version from deno.json", async () => {
  const r = await runCli(["--version"]);
  assert.equal(r.code, 0);
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(r.stdout.trim(), denoJson.version);
});

Deno.test("an unknown command is a one-line error with a hint and exit code 2", async () => {
  const r = await runCli(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^paradux: unknown command 'frobnicate'/m);
  assert.match(r.stderr, /^hint: /m);
  assert.equal(r.stdout, "");
});

Deno.test("doctor names the Debian package of a missing tool and exits 8", async () => {
  const emptyPath = await Deno.makeTempDir();
  try {
    const r = await runCli(["doctor", "--json"], { env: { PATH: emptyPath } });
    assert.equal(r.code, 8);
    const report = JSON.parse(r.stdout);
    const cs = report.tools.find((t: { tool: string }) => t.tool === "cryptsetup");
    assert.deepEqual(
      { installed: cs.installed, package: cs.package, ok: report.ok },
      { installed: false, package: "cryptsetup-bin", ok: false },
    );
  } finally {
    await Deno.remove(emptyPath, { recursive: true });
  }
});
