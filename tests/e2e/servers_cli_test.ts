/**
 * The story over real servers on loopback, through the CLI: the dataset's source is
 * rsync+ssh (a throwaway sshd), one metadata location is s3 (s3rver over TLS), the other a
 * file directory. Every edit publishes to both; the drill passes, then names the missing copy
 * at s3; after the disaster the export downloaded from s3 and two package PDFs recover the
 * vault, and the restore matches the source byte for byte.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { startSshd } from "../helpers/servers/sshd.ts";
import { textTree } from "../helpers/tree.ts";
import { startS3rver } from "../helpers/servers/s3rver.ts";
import { protocol as s3 } from "../../protocols/s3.ts";

const PASS = "everyday passphrase 1";
const NEW_PASS = "a new everyday passphrase";
const BUCKET = "paradux-e2e";

Deno.test("e2e servers: rsync+ssh source, s3 metadata location, drill, recover from s3", async () => {
  const sshd = await startSshd();
  const s3server = await startS3rver([BUCKET]);
  const root = await Deno.makeTempDir({ prefix: "paradux-e2e-servers-" });
  try {
    const bin = join(root, "bin");
    await Deno.mkdir(bin);
    await Deno.writeTextFile(
      join(bin, "paradux-editor"),
      '#!/bin/sh\ncp "$PARADUX_EDITOR_DIR/next.json" "$1"\n',
      { mode: 0o755 },
    );
    const env = {
      PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      EDITOR: "paradux-editor",
      VISUAL: "",
      PARADUX_EDITOR_DIR: root,
      PARADUX_UNITS_ROOT: join(root, "units"),
    };
    const home = join(root, "home");
    const passFile = join(root, "pass");
    await Deno.writeTextFile(passFile, PASS + "\n");
    const px = (args: string[]) =>
      runCli(["--vault", home, ...args, "--passphrase-file", passFile], { env, cheapKdf: true });
    const edit = async (doc: string, value: unknown) => {
      await Deno.writeTextFile(join(root, "next.json"), JSON.stringify(value));
      const r = await px([`edit-${doc}`]);
      assert.equal(r.code, 0, `edit-${doc}: ${r.stderr}`);
      return r;
    };

    const remote = join(root, "remote data");
    await Deno.mkdir(join(remote, "a b"), { recursive: true });
    await Deno.writeTextFile(join(remote, "a b", "über.txt"), "über alles\n");
    await Deno.writeTextFile(join(remote, "x.txt"), "x\n");
    const s3creds = {
      accessKeyId: s3server.accessKeyId,
      secretAccessKey: s3server.secretAccessKey,
      endpoint: s3server.endpoint,
      caCert: s3server.caCert,
    };
    const s3loc = { url: `s3://${BUCKET}/paradux-meta`, credentials: s3creds };

    let r = await px(["init", "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await edit("stewards", {
      stewards: [{ id: "ann", name: "Ann" }, { id: "ben", name: "Ben" }, {
        id: "cat",
        name: "Cat",
      }],
    });
    r = await edit("metadata-locations", {
      locations: [
        { name: "s3", ...s3loc },
        { name: "disk", url: `file://${join(root, "meta")}` },
      ],
    });
    assert.match(r.stderr, /published the vault export to 2 metadata location/);
    const encoded = remote.split("/").map(encodeURIComponent).join("/");
    await edit("datasets", {
      datasets: [{
        name: "remote",
        source: {
          url: `rsync+ssh://${sshd.user}@127.0.0.1:${sshd.port}${encoded}`,
          credentials: { sshKey: sshd.privateKey, hostKey: sshd.hostKeyLine },
        },
        localCopy: join(root, "local"),
        destinations: [{ name: "usb", url: `file://${join(root, "usb")}`, frequency: "daily" }],
      }],
    });
    r = await px(["backup", "remote"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const pkgs = join(root, "packages");
    r = await px(["export-steward-packages", "--out", pkgs]);
    assert.equal(r.code, 0, r.stderr);
    r = await px(["publish-metadata"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /ok +s3 +s3:\/\//);

    r = await px(["drill"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /s3 +pass +opens with the recovery secret and is current/);

    // the export is gone from the bucket: the drill names it and still checks the rest
    const saved = join(root, "from-s3.luks");
    const ctx = { privateDir: root, now: new Date() };
    await s3.download(s3loc, "vault-export.luks", saved, ctx);
    await Deno.remove(join(s3server.dir, "data", BUCKET, "paradux-meta"), { recursive: true });
    r = await px(["drill"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /s3 +FAIL +missing metadata copy/);
    assert.match(r.stdout, /disk +pass/);
    assert.match(r.stdout, /remote\/usb +pass/);
    r = await px(["publish-metadata", "--location", "s3"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);

    // disaster: recover from two PDFs and the copy fetched from s3, restore, compare
    const want = await textTree(remote);
    await Deno.remove(home, { recursive: true });
    await Deno.remove(join(root, "local"), { recursive: true });
    const fetched = join(root, "fetched.luks");
    await s3.download(s3loc, "vault-export.luks", fetched, ctx);
    const newHome = join(root, "new-home");
    const stdin = NEW_PASS + "\n";
    r = await runCli([
      "--vault",
      newHome,
      "recover",
      join(pkgs, "ben", "package.pdf"),
      join(pkgs, "cat", "package.pdf"),
      "--from",
      fetched,
      "--install",
      "--passphrase-file",
      "-",
    ], { env, stdin });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const restored = join(root, "restored");
    r = await runCli(
      ["--vault", newHome, "restore", "remote", "--to", restored, "--passphrase-file", "-"],
      { env, stdin },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(await textTree(restored), want);
  } finally {
    await sshd.stop();
    await s3server.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
