/**
 * Encrypted destinations through the CLI: `paradux backup` to an `encrypt: true` file
 * destination, nothing of the source readable there (grep), job files and units holding the
 * recipient and no identity, the identity taken from the vault documents (`recover --extract`)
 * opening an archive with the Debian `age` CLI, `paradux restore` byte for byte and mode for mode,
 * `change-secrets --data-key` with the old snapshot still restorable, and status-datasets showing
 * the key generation. A second test backs up to encrypted `s3` (s3rver) and `ftp` (pyftpdlib)
 * destinations and restores from each.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { makeSandbox, paradux, PASS, withPass } from "./sandbox.ts";
import { diffTrees, listTree, makeUnusualTree } from "../helpers/tree.ts";
import { openVault } from "../../vault/vault.ts";
import { startS3rver } from "../helpers/servers/s3rver.ts";
import { startFtp } from "../helpers/servers/ftp.ts";

const MARKER = "PARADUX-E2E-MARKER-0b7d";

async function grepFiles(dir: string, needle: string): Promise<string[]> {
  const out = await new Deno.Command("grep", {
    args: ["-r", "-l", "-a", "-F", "--", needle, dir],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
}

/** `cat ID.*\/data.tar.gz.age.* | age -d -i KEY | tar -xzp -C OUT` in the destination. */
async function ageExtract(dest: string, id: string, keyFile: string, out: string) {
  await Deno.mkdir(out, { recursive: true });
  return await new Deno.Command("sh", {
    args: ["-c", 'cat "$ID".*/data.tar.gz.age.* | age -d -i "$KEY" | tar -xzp -C "$OUT"'],
    cwd: dest,
    env: { ID: id, KEY: keyFile, OUT: out },
    stderr: "piped",
  }).output();
}

Deno.test("e2e encrypted: backup seals, jobs hold only the recipient, age CLI opens, restore, key rotation", async () => {
  const s = await makeSandbox("encrypted");
  try {
    const src = join(s.root, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src, { randomFiles: 8 });
    await Deno.writeTextFile(join(src, "marker.txt"), `${MARKER}\n`);
    const expectedFirst = join(s.root, "expected-first");
    assert.ok(
      (await new Deno.Command("cp", { args: ["-a", src, expectedFirst] }).output()).success,
    );
    const dest = join(s.root, "sealed dest");
    const datasets = {
      datasets: [{
        name: "docs",
        source: { url: `file://${src}` },
        localCopy: join(s.root, "copy"),
        destinations: [{
          name: "sealed",
          url: `file://${encodeURI(dest)}`,
          frequency: "daily",
          encrypt: true,
          keep: 3,
        }],
      }],
    };
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(join(s.root, "editor", "next.json"), JSON.stringify(datasets));
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);

    // Job files and units: the recipient, never an identity.
    const secrets1 = (await openVault(s.home, new TextEncoder().encode(PASS))).docs.secrets;
    const job = join(s.home, "jobs", "docs.json");
    const jobText = await Deno.readTextFile(job);
    assert.ok(jobText.includes(secrets1.ageRecipient), "job file has the recipient");
    for (const where of [join(s.home, "jobs"), s.unitsRoot]) {
      assert.deepEqual(await grepFiles(where, "AGE-SECRET-KEY"), [], `identity in ${where}`);
      assert.deepEqual(await grepFiles(where, secrets1.ageIdentity), []);
    }
    const service = await Deno.readTextFile(
      join(s.unitsRoot, "etc/systemd/system/paradux-backup@docs.service"),
    );
    assert.doesNotMatch(service, /AGE-SECRET-KEY/);

    // Unattended backup from the job file (no passphrase).
    r = await paradux(s, ["backup", "--job", job]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const first = /snapshot (\d{8}T\d{6}Z)/.exec(r.stdout)?.[1];
    assert.ok(first !== undefined, r.stdout);

    // Nothing of the source is readable at the destination: contents or names.
    const needles = new Set([MARKER, "hello paradux", "data in the middle of a hole"]);
    for (const path of (await listTree(src)).keys()) {
      for (const part of path.split("/")) for (const line of part.split("\n")) needles.add(line);
    }
    const stored = [...(await listTree(dest)).keys()];
    for (const needle of needles) {
      assert.deepEqual(await grepFiles(dest, needle), [], `"${needle}" visible at the destination`);
      assert.deepEqual(stored.filter((p) => p.includes(needle)), [], `"${needle}" in a name`);
    }

    // The identity from the vault documents (recover --extract) opens it with the age CLI.
    const exported = join(s.root, "export.luks");
    r = await withPass(s, ["export-metadata", exported]);
    assert.equal(r.code, 0, r.stderr);
    const words = join(s.root, "words.txt");
    await Deno.writeTextFile(words, secrets1.recoveryMnemonic + "\n", { mode: 0o600 });
    const docsDir = join(s.root, "extracted");
    r = await paradux(s, [
      "recover",
      "--secret-file",
      words,
      "--from",
      exported,
      "--extract",
      docsDir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const extracted = JSON.parse(await Deno.readTextFile(join(docsDir, "secrets.json")));
    const keyFile = join(s.root, "identity.txt");
    await Deno.writeTextFile(keyFile, extracted.ageIdentity + "\n", { mode: 0o600 });
    const byAge = await ageExtract(dest, first, keyFile, join(s.root, "by-age"));
    assert.equal(byAge.code, 0, new TextDecoder().decode(byAge.stderr));
    assert.deepEqual(await diffTrees(src, join(s.root, "by-age")), []);

    // paradux restore: byte for byte, mode for mode.
    r = await withPass(s, ["restore", "docs", "--to", join(s.root, "restored-1")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await diffTrees(src, join(s.root, "restored-1")), []);

    // status-datasets: encrypted with generation 1.
    r = await withPass(s, ["status-datasets"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sealed .*encrypted \(age, key generation 1\)/);

    // Rotate the data key: the job file gets the new recipient, old copies stay restorable.
    r = await withPass(s, ["change-secrets", "--data-key"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /generation 2/);
    const secrets2 = (await openVault(s.home, new TextEncoder().encode(PASS))).docs.secrets;
    assert.notEqual(secrets2.ageRecipient, secrets1.ageRecipient);
    const jobText2 = await Deno.readTextFile(job);
    assert.ok(jobText2.includes(secrets2.ageRecipient), "job file has the new recipient");
    assert.ok(!jobText2.includes(secrets1.ageRecipient), "and not the old one");
    assert.deepEqual(await grepFiles(join(s.home, "jobs"), "AGE-SECRET-KEY"), []);

    await Deno.writeTextFile(join(src, "marker.txt"), "after the rotation\n");
    r = await paradux(s, ["backup", "--job", job, "--force"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const second = /snapshot (\d{8}T\d{6}Z)/.exec(r.stdout)?.[1];
    assert.ok(second !== undefined && second !== first, r.stdout);

    r = await withPass(s, ["restore", "docs", "--from", "sealed", "--list", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout).snapshots as { id: string }[]).map((x) => x.id);
    assert.deepEqual(ids, [first, second]);

    // The old identity alone no longer opens the new snapshot; the vault opens both.
    const old = await ageExtract(dest, second, keyFile, join(s.root, "by-old-key"));
    assert.notEqual(old.code, 0, "the old identity must not open the new snapshot");
    r = await withPass(s, ["restore", "docs", "--snapshot", first, "--to", join(s.root, "r-old")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await diffTrees(expectedFirst, join(s.root, "r-old")), []);
    r = await withPass(s, ["restore", "docs", "--to", join(s.root, "r-new")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await diffTrees(src, join(s.root, "r-new")), []);

    r = await withPass(s, ["status-datasets", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const enc = JSON.parse(r.stdout).status[0].destinations[0].encryption;
    assert.equal(enc.mode, "age");
    assert.equal(enc.keyGeneration, 2);
    assert.equal(enc.recipient, secrets2.ageRecipient);
  } finally {
    await Deno.remove(s.root, { recursive: true });
  }
});

Deno.test("e2e encrypted over s3 (s3rver) and ftp (pyftpdlib): backup, nothing readable, restore from each", async () => {
  const s = await makeSandbox("encrypted");
  const s3 = await startS3rver(["paradux-e2e"]);
  const ftp = await startFtp();
  try {
    const src = join(s.root, "src");
    await Deno.mkdir(src);
    await makeUnusualTree(src, { randomFiles: 8 });
    await Deno.writeTextFile(join(src, "marker.txt"), `${MARKER}\n`);
    const destination = (name: string, url: string, credentials: Record<string, string>) => ({
      name,
      url,
      credentials,
      frequency: "daily",
      encrypt: true,
    });
    const datasets = {
      datasets: [{
        name: "docs",
        source: { url: `file://${src}` },
        localCopy: join(s.root, "copy"),
        destinations: [
          destination("bucket", "s3://paradux-e2e/sealed%20copies", {
            accessKeyId: s3.accessKeyId,
            secretAccessKey: s3.secretAccessKey,
            endpoint: s3.endpoint,
            caCert: s3.caCert,
          }),
          destination("ftp", `ftp://${ftp.user}@127.0.0.1:${ftp.port}/sealed%20copies`, {
            password: ftp.password,
          }),
        ],
      }],
    };
    let r = await paradux(s, ["init", "--passphrase-file", s.passFile, "--min-stewards", "2"]);
    assert.equal(r.code, 0, r.stderr);
    await Deno.writeTextFile(join(s.root, "editor", "next.json"), JSON.stringify(datasets));
    r = await withPass(s, ["edit-datasets"]);
    assert.equal(r.code, 0, r.stderr);
    r = await withPass(s, ["backup"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok +docs\/bucket /m);
    assert.match(r.stdout, /^ok +docs\/ftp /m);

    const needles = new Set([MARKER, "hello paradux", "data in the middle of a hole"]);
    for (const path of (await listTree(src)).keys()) {
      for (const part of path.split("/")) for (const line of part.split("\n")) needles.add(line);
    }
    for (const storage of [join(s3.dir, "data"), ftp.root]) {
      const stored = [...(await listTree(storage)).keys()];
      assert.ok(stored.some((p) => p.includes("data.tar.gz.age.000")), `parts in ${storage}`);
      for (const needle of needles) {
        assert.deepEqual(await grepFiles(storage, needle), [], `"${needle}" in ${storage}`);
        assert.deepEqual(stored.filter((p) => p.includes(needle)), [], `"${needle}" in a name`);
      }
    }
    for (const from of ["bucket", "ftp"]) {
      const to = join(s.root, `restored-${from}`);
      r = await withPass(s, ["restore", "docs", "--from", from, "--to", to]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(await diffTrees(src, to), [], `restored from ${from}`);
    }
  } finally {
    await s3.stop();
    await ftp.stop();
    await Deno.remove(s.root, { recursive: true });
  }
});
