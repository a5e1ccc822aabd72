/**
 * Fault test: the disk fills up while Paradux writes the vault. A small tmpfs (7 MiB) holds the
 * Paradux home: a 3 MiB vault and 2 MiB of other data fit, a second vault copy for the atomic
 * save does not. Saving, exporting
 * and creating a vault then fail with ParaduxError("capacity") (exit code of `capacity` from
 * the CLI, no stack trace), leave the old vault intact and openable with its old documents, and
 * leave no temp file and no partial file at the destination name. After space is freed the same
 * save succeeds.
 *
 * Needs root (to mount the tmpfs: `mount -t tmpfs -o size=7m tmpfs DIR`); without it the test
 * is reported as ignored with the reason on stderr (Deno has no loop-free, unprivileged way to
 * make a small filesystem).
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createVault, exportVault, openVault, saveVault, vaultPath } from "../../vault/vault.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { isUserError } from "../../errors.ts";
import { runCli } from "../e2e/cli.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const PASS = "disk full passphrase";
const ROOT = Deno.uid() === 0;
if (!ROOT) console.error("faults_disk_full_test: ignored, mounting a tmpfs needs root");

function sh(program: string, args: string[]): void {
  const out = new Deno.Command(program, { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`${program} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** Fills the filesystem of `dir` with a file until the disk is full. */
async function fill(path: string): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(64 * 1024).fill(1);
  try {
    while (true) await f.write(chunk);
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOSPC") throw e;
  } finally {
    f.close();
  }
}

Deno.test({
  name: "faults: disk full while writing the vault leaves the old vault intact and openable",
  ignore: !ROOT,
  async fn() {
    const mnt = await Deno.makeTempDir({ prefix: "paradux-diskfull-" });
    sh("mount", ["-t", "tmpfs", "-o", "size=7m,mode=0700", "tmpfs", mnt]);
    try {
      const home = join(mnt, "home");
      const pass = new TextEncoder().encode(PASS);
      const vault = await createVault(home, pass, {
        secrets: await newVaultSecrets(2),
        pbkdf: TEST_ARGON2ID,
      });
      assert.equal((await Deno.stat(vaultPath(home))).size, 3 << 20);
      const before = await Deno.readFile(vaultPath(home));
      await Deno.writeFile(join(mnt, "ballast"), new Uint8Array(2 << 20).fill(7));

      // 1. an atomic save needs a second 3 MiB copy: only 2 MiB are free
      const docs = structuredClone(vault.docs);
      docs.user.notes = "changed";
      await assert.rejects(
        saveVault(vault, docs),
        (e) => isUserError(e, "capacity") && /no space left/.test(e.message),
      );
      assert.deepEqual(names(home), ["vault.luks"], "no temp file is left");
      assert.deepEqual(await Deno.readFile(vaultPath(home)), before, "the vault is unchanged");
      assert.deepEqual((await openVault(home, pass)).docs, vault.docs);

      // 2. an export to the same full disk: no file at the destination name, no temp
      const dest = join(mnt, "export.luks");
      await assert.rejects(exportVault(vault, dest), (e) => isUserError(e, "capacity"));
      assert.deepEqual(names(mnt), ["ballast", "home"]);

      // 3. the CLI reports it as a user error (capacity exit code, a hint, no stack trace)
      const passFile = join(await Deno.makeTempDir(), "pass");
      await Deno.writeTextFile(passFile, PASS + "\n");
      const r = await runCli([
        "--vault",
        home,
        "export-metadata",
        dest,
        "--passphrase-file",
        passFile,
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no space left on the disk/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.deepEqual(names(mnt), ["ballast", "home"]);
      await Deno.remove(passFile);

      // 4. a new vault on a completely full disk: refused, nothing at the vault's name
      await fill(join(mnt, "filler"));
      const other = join(mnt, "other");
      await assert.rejects(
        createVault(other, pass, { secrets: await newVaultSecrets(2), pbkdf: TEST_ARGON2ID }),
        (e) => isUserError(e),
      );
      assert.ok(!names(other).includes("vault.luks"), `${names(other)}`);
      assert.deepEqual((await openVault(home, pass)).docs, vault.docs);

      // 5. space freed: the same save now succeeds
      await Deno.remove(join(mnt, "filler"));
      await Deno.remove(join(mnt, "ballast"));
      await Deno.remove(other, { recursive: true });
      await saveVault(vault, docs);
      assert.equal((await openVault(home, pass)).docs.user.notes, "changed");
      assert.deepEqual(names(home), ["vault.luks"]);
    } finally {
      sh("umount", ["--lazy", mnt]);
      await Deno.remove(mnt, { recursive: true });
    }
  },
});
