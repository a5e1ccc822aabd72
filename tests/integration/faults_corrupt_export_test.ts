/**
 * Fault test: the vault export at one metadata location is damaged (garbled data sector, both
 * header copies hit, truncated). `paradux recover --from` that copy fails with a user error
 * that names the file (no stack trace, nothing extracted), and the same command with the copy
 * from another location recovers the documents. (The drill's naming of a corrupted copy is in
 * tests/integration/drill_test.ts and tests/e2e/drill_cli_test.ts.)
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createVault, exportVault } from "../../vault/vault.ts";
import { TEST_ARGON2ID } from "../../system/cryptsetup.ts";
import { runCli } from "../e2e/cli.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const DAMAGE: Record<string, (b: Uint8Array) => Uint8Array> = {
  "a garbled data sector": (b) => {
    const out = new Uint8Array(b);
    const dataOffset = 1 << 20; // the vault's data segment starts at 1 MiB
    out[dataOffset + 100] = out[dataOffset + 100]! ^ 0x40;
    return out;
  },
  "both header copies hit": (b) => {
    const out = new Uint8Array(b);
    out[5000] = out[5000]! ^ 1;
    out[16384 + 5000] = out[16384 + 5000]! ^ 1;
    return out;
  },
  "a truncated file": (b) => b.subarray(0, 20000),
};

Deno.test("faults: a damaged export at one location is named by recover; another location's copy recovers", async () => {
  const work = await Deno.makeTempDir({ prefix: "paradux-corrupt-export-" });
  try {
    const vault = await createVault(join(work, "home"), new TextEncoder().encode("p a s s"), {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const secretFile = join(work, "secret");
    await Deno.writeTextFile(secretFile, vault.docs.secrets.recoveryMnemonic + "\n");
    const good = join(work, "location-b", "vault-export.luks");
    await Deno.mkdir(join(work, "location-b"));
    await exportVault(vault, good);
    const exported = await Deno.readFile(good);
    const recover = (from: string, out: string) =>
      runCli(["recover", "--from", from, "--secret-file", secretFile, "--extract", out]);

    let n = 0;
    for (const [what, damage] of Object.entries(DAMAGE)) {
      const dir = join(work, `location-a${n++}`);
      await Deno.mkdir(dir);
      const bad = join(dir, "vault-export.luks");
      await Deno.writeFile(bad, damage(exported));
      const out = join(work, `out-${n}`);
      const r = await recover(bad, out);
      assert.notEqual(r.code, 0, `${what}: recovered from a damaged copy`);
      assert.ok(r.stderr.includes(bad), `${what}: the error names ${bad}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
      let extracted: string[] = [];
      try {
        extracted = [...Deno.readDirSync(out)].map((e) => e.name);
      } catch {
        // not made
      }
      assert.deepEqual(extracted, [], `${what}: nothing extracted`);
    }
    const out = join(work, "out-good");
    const r = await recover(good, out);
    assert.equal(r.code, 0, r.stderr);
    const user = JSON.parse(await Deno.readTextFile(join(out, "user.json")));
    assert.deepEqual(user, vault.docs.user);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});
