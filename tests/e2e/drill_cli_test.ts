/**
 * The whole story through the CLI as subprocesses (the `paradux` permission set): init, edits
 * (stewards get shares, every edit publishes), backup, steward packages, drill (passes, then
 * detects a stale copy, a missing copy, a corrupted export, an unreachable destination and
 * altered files, each with its own message), then the disaster: recover from two package PDFs
 * and a published export into a fresh home, restore, compare byte for byte.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { makeSandbox, paradux, type Sandbox } from "./sandbox.ts";
import { textTree } from "../helpers/tree.ts";

const NEW_PASS = "a new everyday passphrase";

async function edit(b: Sandbox, doc: string, value: unknown) {
  await Deno.writeTextFile(join(b.editorDir, "next.json"), JSON.stringify(value, null, 2));
  const r = await paradux(b, [`edit-${doc}`, "--passphrase-file", b.passFile]);
  assert.equal(r.code, 0, `edit-${doc}: ${r.stderr}`);
  return r;
}

function drill(b: Sandbox) {
  return paradux(b, ["drill", "--passphrase-file", b.passFile]);
}

const url = (p: string) => `file://${p}`;

Deno.test("e2e drill: publish on edit, drill failures each named, recover and restore", async () => {
  const b = await makeSandbox("drill");
  const data = join(b.root, "data");
  const local = join(b.root, "local");
  const mnt = join(b.root, "mnt");
  const [m1, m2] = [join(b.root, "meta1"), join(b.root, "meta2")];
  try {
    await Deno.mkdir(join(data, "sub dir"), { recursive: true });
    await Deno.mkdir(mnt);
    await Deno.writeTextFile(join(data, "notes.txt"), "remember the milk\n");
    await Deno.writeTextFile(join(data, "sub dir", "ünïcode.txt"), "ça va\n");

    let r = await paradux(b, ["init", "--passphrase-file", b.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await edit(b, "user", { name: "Ada Example", email: "ada@example.org" });
    r = await edit(b, "stewards", {
      stewards: [
        { id: "ann", name: "Ann" },
        { id: "ben", name: "Ben" },
        { id: "cat", name: "Cat" },
      ],
    });
    assert.match(r.stderr, /issued share 3 to steward cat/);
    r = await edit(b, "metadata-locations", {
      locations: [{ name: "m1", url: url(m1) }, { name: "m2", url: url(m2) }],
    });
    assert.match(r.stderr, /published the vault export to 2 metadata location/);
    await Deno.stat(join(m1, "vault-export.luks"));
    await Deno.stat(join(m2, "vault-export.luks"));
    await edit(b, "datasets", {
      datasets: [{
        name: "docs",
        source: { url: url(data) },
        localCopy: local,
        destinations: [{ name: "usb", url: url(join(mnt, "usb")), frequency: "daily" }],
      }],
    });
    r = await paradux(b, ["backup", "docs", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const pkgs = join(b.root, "packages");
    r = await paradux(b, [
      "export-steward-packages",
      "--out",
      pkgs,
      "--passphrase-file",
      b.passFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    // recording the packages' export date changed the vault: it was published again
    assert.match(r.stderr, /published the vault export to 2 metadata location/);
    r = await paradux(b, ["publish-metadata", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok {6}m1/);

    r = await drill(b);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /drill passed: all 4 checks/);

    // stale: settings changed without publishing
    await edit(b, "settings", { shareCapacity: 16, publishAfterEdit: false });
    r = await drill(b);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /m1 +FAIL +stale metadata copy: settings differ/);
    assert.match(r.stdout, /m2 +FAIL +stale metadata copy/);
    assert.match(r.stderr, /2 of 4 drill checks failed: metadata m1, metadata m2\n/);
    r = await paradux(b, ["drill", "--json", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: { name: string; failure?: string }[];
    };
    assert.equal(json.ok, false);
    assert.deepEqual(json.checks.map((c) => c.failure ?? "pass"), [
      "stale-metadata-copy",
      "stale-metadata-copy",
      "pass",
      "pass",
    ]);
    r = await paradux(b, ["publish-metadata", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // missing at m2, corrupted at m1: both named
    await Deno.remove(join(m2, "vault-export.luks"));
    const exp = join(m1, "vault-export.luks");
    const good = await Deno.readFile(exp);
    const bad = good.slice();
    bad.fill(0, 40_000, 300_000);
    await Deno.writeFile(exp, bad);
    r = await drill(b);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /m1 +FAIL +corrupted export at m1/);
    assert.match(r.stdout, /m2 +FAIL +missing metadata copy/);
    assert.match(r.stdout, /docs\/usb +pass/);
    await Deno.writeFile(exp, good);
    r = await paradux(b, ["publish-metadata", "--location", "m2", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // unreachable destination: the drive is not mounted
    await Deno.rename(mnt, mnt + ".away");
    r = await drill(b);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /docs\/usb +FAIL +unreachable destination/);
    assert.match(r.stdout, /m1 +pass/);
    await Deno.rename(mnt + ".away", mnt);

    // altered files at the destination
    const usb = join(mnt, "usb");
    const snap = [...Deno.readDirSync(usb)].find((e) => e.isDirectory && /^\d/.test(e.name));
    await Deno.writeTextFile(join(usb, snap!.name, "notes.txt"), "remember the cheese\n");
    r = await drill(b);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /docs\/usb +FAIL +altered files at the destination: .*notes\.txt/);
    await Deno.writeTextFile(join(usb, snap!.name, "notes.txt"), "remember the milk\n");
    r = await drill(b);
    assert.equal(r.code, 0, r.stdout);

    // the disaster: home, data and local copy gone; recover from two PDFs and a published copy
    const want = await textTree(data);
    for (const d of [b.home, data, local]) await Deno.remove(d, { recursive: true });
    const newHome = join(b.root, "new-home");
    r = await runCli([
      "--vault",
      newHome,
      "recover",
      join(pkgs, "ann", "package.pdf"),
      join(pkgs, "cat", "package.pdf"),
      "--from",
      url(m2), // the metadata location itself
      "--install",
      "--passphrase-file",
      "-",
    ], { env: b.env, cheapKdf: true, stdin: NEW_PASS + "\n" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // the new machine has no record of any run: status reads what the destinations hold
    r = await runCli(["--vault", newHome, "status-datasets", "--passphrase-file", "-"], {
      env: b.env,
      stdin: NEW_PASS + "\n",
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /never backed up/);
    assert.match(
      r.stdout,
      /usb .*no run recorded on this machine; the destination holds \d+ snapshots?, newest/,
    );
    const restored = join(b.root, "restored");
    r = await runCli([
      "--vault",
      newHome,
      "restore",
      "docs",
      "--to",
      restored,
      "--passphrase-file",
      "-",
    ], {
      env: b.env,
      stdin: NEW_PASS + "\n",
    });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await textTree(restored), want);
  } finally {
    await Deno.remove(b.root, { recursive: true }).catch(() => {});
  }
});

Deno.test("e2e publish: a failing location is reported, the edit stays, others still get it", async () => {
  const b = await makeSandbox("drill");
  try {
    let r = await paradux(b, ["init", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 0, r.stderr);
    const good = join(b.root, "meta");
    const gone = join(b.root, "no-such-drive", "meta");
    r = await edit(b, "metadata-locations", {
      locations: [{ name: "good", url: url(good) }, { name: "gone", url: url(gone) }],
    });
    assert.match(r.stderr, /saved metadata-locations\.json/);
    assert.match(r.stderr, /the change is saved, but publishing the vault export failed/);
    assert.match(r.stderr, /FAILED {2}gone .*not reachable/);
    await Deno.stat(join(good, "vault-export.luks"));
    r = await paradux(b, ["status-metadata-locations", "--passphrase-file", b.passFile]);
    assert.match(r.stdout, /no-such-drive/, "the edit was kept");

    r = await paradux(b, ["publish-metadata", "--passphrase-file", b.passFile]);
    assert.equal(r.code, 1, "partial");
    assert.match(r.stdout, /ok {6}good/);
    assert.match(r.stderr, /publishing failed at 1 of 2 metadata locations: gone/);
    r = await paradux(b, [
      "publish-metadata",
      "--location",
      "gone",
      "--passphrase-file",
      b.passFile,
    ]);
    assert.equal(r.code, 9, "all failed");
    r = await paradux(b, [
      "publish-metadata",
      "--location",
      "nope",
      "--passphrase-file",
      b.passFile,
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no metadata location named nope/);

    // opting out: an edit no longer publishes
    await edit(b, "settings", { shareCapacity: 16, publishAfterEdit: false });
    const before = await Deno.stat(join(good, "vault-export.luks"));
    r = await edit(b, "user", { name: "Someone Else" });
    assert.doesNotMatch(r.stderr, /publish/);
    const after = await Deno.stat(join(good, "vault-export.luks"));
    assert.equal(after.mtime?.getTime(), before.mtime?.getTime());
  } finally {
    await Deno.remove(b.root, { recursive: true }).catch(() => {});
  }
});
