/**
 * The original plan's command names still work: `setup` = `init`, `create-steward-devices` =
 * `export-steward-packages` (with `--usb DIR` for the kits), and `edit` = a menu of the `edit-*`
 * commands (on a terminal; without one it asks for the document by name).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";

Deno.test("e2e aliases: setup, create-steward-devices, edit", async () => {
  const root = await Deno.makeTempDir({ prefix: "paradux-e2e-aliases-" });
  try {
    const home = join(root, "home");
    const pass = join(root, "pass");
    await Deno.writeTextFile(pass, "everyday passphrase 1\n");
    const env = { PARADUX_UNITS_ROOT: join(root, "units") };
    let r = await runCli(
      ["--vault", home, "setup", "--passphrase-file", pass, "--min-stewards", "2"],
      { env, cheapKdf: true },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok((await Deno.stat(join(home, "vault.luks"))).isFile);
    r = await runCli(["--vault", home, "setup", "--passphrase-file", pass], { env });
    assert.notEqual(r.code, 0, "setup refuses an existing vault like init");
    assert.match(r.stderr, /already exists/);

    r = await runCli(["create-steward-devices", "--help"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /export-steward-packages\|create-steward-devices/);
    assert.match(r.stdout, /--usb <dir>/);

    // edit without a document and without a terminal: a usage error naming the documents.
    r = await runCli(["--vault", home, "edit", "--passphrase-file", pass], { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no terminal for the menu/);
    assert.match(r.stderr, /user\|stewards\|datasets\|metadata-locations\|settings/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
