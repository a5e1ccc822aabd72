import assert from "node:assert/strict";
import { join } from "node:path";
import {
  changePassphrase,
  createVault,
  exportVault,
  INITIAL_DATA_SIZE,
  openVault,
  openVaultFile,
  saveVault,
  vaultPath,
} from "../../vault/vault.ts";
import {
  luksDump,
  TEST_ARGON2ID,
  testPassphrase,
  VAULT_DATA_OFFSET,
} from "../../system/cryptsetup.ts";
import { isUserError } from "../../errors.ts";
import { readTar } from "../../vault/tar.ts";
import {
  dataSegment,
  decryptSegment,
  parseLuks2Header,
  unlockVolumeKey,
} from "../../crypto/luks2/mod.ts";
import type { Documents } from "../../vault/documents.ts";
import { newVaultSecrets } from "../../stewards/recovery_card.ts";

const enc = new TextEncoder();
const PASS = enc.encode("correct horse battery staple");

async function tempHome(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "paradux-vault-test-" });
}

Deno.test("vault: create, open, save, reopen; keyslots 0 (argon2id) and 1 (pbkdf2)", async () => {
  const home = await tempHome();
  try {
    const v = await createVault(home, PASS, {
      secrets: await newVaultSecrets(3),
      userName: "Ann",
      pbkdf: TEST_ARGON2ID,
    });
    assert.equal((await Deno.stat(vaultPath(home))).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(vaultPath(home))).size, VAULT_DATA_OFFSET + INITIAL_DATA_SIZE);
    const dump = await luksDump(vaultPath(home));
    assert.deepEqual(dump.keyslots.map((k) => [k.id, k.kdf]), [[0, "argon2id"], [1, "pbkdf2"]]);
    assert.equal(dump.segments[0]?.size, "dynamic");
    assert.ok(
      await testPassphrase(vaultPath(home), enc.encode(v.docs.secrets.recoveryMnemonic), 1),
    );
    const opened = await openVault(home, PASS);
    assert.deepEqual(opened.docs, v.docs);
    assert.equal(opened.docs.secrets.threshold, 3);
    const docs: Documents = structuredClone(opened.docs);
    docs.user = { name: "Ann Example", email: "ann@example.org" };
    docs.stewards.stewards.push({ id: "bob", name: "Bob" });
    await saveVault(opened, docs);
    const again = await openVault(home, PASS);
    assert.deepEqual(again.docs, docs);
    // the recovery mnemonic opens it too
    const viaMnemonic = await openVault(home, enc.encode(docs.secrets.recoveryMnemonic));
    assert.equal(viaMnemonic.keyslot, 1);
    // saving touches the vault file only: job files and units are the command's business
    const names = [...Deno.readDirSync(home)].map((e) => e.name).sort();
    assert.deepEqual(names, ["vault.luks"]);
    await assert.rejects(openVault(home, enc.encode("wrong")), (e) => isUserError(e, "auth"));
    await assert.rejects(
      createVault(home, PASS, { secrets: await newVaultSecrets(2), pbkdf: TEST_ARGON2ID }),
      (e) => isUserError(e, "exists"),
    );
    // invalid documents are refused and change nothing
    const bad = structuredClone(docs);
    bad.stewards.stewards.push({ id: "bob", name: "Bob again" });
    await assert.rejects(
      saveVault(again, bad),
      (e) => isUserError(e, "input") && /stewards\.json/.test(e.message),
    );
    assert.deepEqual((await openVault(home, PASS)).docs, docs);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("vault: the payload is a tar at the start of the data segment; a big one grows the file", async () => {
  const home = await tempHome();
  try {
    const v = await createVault(home, PASS, {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const docs = structuredClone(v.docs);
    docs.user.notes = "x".repeat(4000);
    for (let i = 0; i < 250; i++) {
      const n = "n".repeat(4000);
      docs.stewards.stewards.push({
        id: `s${i}`,
        name: `Steward ${i}`,
        notes: n,
        address: n,
        phone: n,
      });
    }
    docs.settings.shareCapacity = 255;
    // past the size limit: a clear capacity error, and the vault is unchanged
    await assert.rejects(
      saveVault(v, docs, { maxDataSize: INITIAL_DATA_SIZE }),
      (e) => isUserError(e, "capacity") && /limit/.test(e.message),
    );
    assert.equal((await Deno.stat(vaultPath(home))).size, VAULT_DATA_OFFSET + INITIAL_DATA_SIZE);
    assert.deepEqual((await openVault(home, PASS)).docs, v.docs);
    await saveVault(v, docs);
    const size = (await Deno.stat(vaultPath(home))).size;
    assert.ok(size > VAULT_DATA_OFFSET + INITIAL_DATA_SIZE, `grew: ${size}`);
    const reopened = await openVault(home, PASS);
    assert.deepEqual(reopened.docs, docs);
    // shrink again: the old documents' bytes are zeroed beyond the new archive
    const small = structuredClone(docs);
    small.stewards.stewards = [];
    small.user.notes = "short";
    const saved = await saveVault(reopened, small);
    const file = await Deno.readFile(vaultPath(home));
    const header = parseLuks2Header(file);
    const seg = dataSegment(header);
    const { volumeKey } = await unlockVolumeKey(header, file, PASS);
    const plain = decryptSegment(seg, volumeKey, 0, file.subarray(seg.offset));
    assert.deepEqual(readTar(plain).map((e) => e.name), [
      "user.json",
      "stewards.json",
      "datasets.json",
      "metadata-locations.json",
      "settings.json",
      "secrets.json",
    ]);
    assert.ok(plain.subarray(saved.usedBytes, 1_200_000).every((b) => b === 0));
    // what `cryptsetup open` + `tar -xf /dev/mapper/x` would see: GNU tar reads it
    const plainFile = join(home, "segment.bin");
    await Deno.writeFile(plainFile, plain);
    const tar = await new Deno.Command("tar", { args: ["-tvf", plainFile] }).output();
    assert.equal(tar.code, 0, new TextDecoder().decode(tar.stderr));
    assert.match(new TextDecoder().decode(tar.stdout), /-rw------- root\/root .* secrets\.json\n$/);
    await Deno.remove(plainFile);
    assert.equal(new TextDecoder().decode(plain).indexOf("Steward 1"), -1);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("vault: export keeps only the recovery keyslot; change-passphrase swaps slot 0", async () => {
  const home = await tempHome();
  try {
    const v = await createVault(home, PASS, {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const mnemonic = enc.encode(v.docs.secrets.recoveryMnemonic);
    const dest = join(home, "export.luks");
    await assert.rejects(
      exportVault(v, join(home, "no", "such.luks")),
      (e) => isUserError(e, "not-found"),
    );
    await assert.rejects(exportVault(v, home), (e) => isUserError(e, "usage"));
    const report = await exportVault(v, dest);
    assert.deepEqual(report.keyslots, [1]);
    assert.equal((await Deno.stat(dest)).mode! & 0o777, 0o600);
    const dump = await luksDump(dest);
    assert.deepEqual(dump.keyslots.map((k) => k.id), [1]);
    assert.equal(await testPassphrase(dest, mnemonic), true);
    assert.equal(await testPassphrase(dest, PASS), false);
    assert.deepEqual((await openVaultFile(dest, mnemonic)).docs, v.docs);

    const newPass = enc.encode("a new everyday passphrase");
    await changePassphrase(v, newPass, TEST_ARGON2ID);
    await assert.rejects(openVault(home, PASS), (e) => isUserError(e, "auth"));
    const reopened = await openVault(home, newPass);
    assert.equal(reopened.keyslot, 0);
    assert.deepEqual(reopened.docs, v.docs);
    assert.deepEqual((await luksDump(vaultPath(home))).keyslots.map((k) => [k.id, k.kdf]), [
      [0, "argon2id"],
      [1, "pbkdf2"],
    ]);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(home))).map((e) => e.name).sort(), [
      "export.luks",
      "vault.luks",
    ]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

/** What opening `home` gives, in a subprocess whose PATH has no cryptsetup (a borrowed machine). */
async function openWithoutCryptsetup(home: string, passphraseFile: string): Promise<string> {
  const root = new URL("../../", import.meta.url);
  const script = `
    import { openVault } from ${JSON.stringify(new URL("vault/vault.ts", root).href)};
    const pass = await Deno.readFile(Deno.args[1]);
    try {
      const v = await openVault(Deno.args[0], pass);
      console.log(JSON.stringify({ keyslot: v.keyslot, key: Array.from(v.volumeKey), docs: v.docs }));
    } catch (e) {
      console.log(JSON.stringify({ error: (e as Error).message }));
    }`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("deno.json", root).pathname, script, home, passphraseFile],
    env: { PATH: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test("vault open: cryptsetup and the engine open the everyday slot alike; the mnemonic opens slot 1", async () => {
  const home = await tempHome();
  try {
    const v = await createVault(home, PASS, {
      secrets: await newVaultSecrets(2),
      pbkdf: TEST_ARGON2ID,
    });
    const mnemonic = enc.encode(v.docs.secrets.recoveryMnemonic);
    // cryptsetup on PATH: it unlocks the argon2 keyslot 0
    const everyday = await openVault(home, PASS);
    assert.equal(everyday.keyslot, 0);
    assert.deepEqual(everyday.docs, v.docs);
    const recovery = await openVault(home, mnemonic);
    assert.equal(recovery.keyslot, 1);
    assert.deepEqual(recovery.volumeKey, everyday.volumeKey);
    await assert.rejects(
      openVault(home, enc.encode("not the passphrase")),
      (e) => isUserError(e, "auth") && /wrong passphrase/.test((e as Error).message),
    );
    // no cryptsetup on PATH: the engine alone gives the same
    const files = { pass: join(home, "p"), mnemonic: join(home, "m"), wrong: join(home, "w") };
    await Deno.writeFile(files.pass, PASS, { mode: 0o600 });
    await Deno.writeFile(files.mnemonic, mnemonic, { mode: 0o600 });
    await Deno.writeTextFile(files.wrong, "not the passphrase", { mode: 0o600 });
    const engine = JSON.parse(await openWithoutCryptsetup(home, files.pass));
    assert.equal(engine.keyslot, 0);
    assert.deepEqual(engine.key, Array.from(everyday.volumeKey));
    assert.deepEqual(engine.docs, v.docs);
    assert.equal(JSON.parse(await openWithoutCryptsetup(home, files.mnemonic)).keyslot, 1);
    assert.match(
      JSON.parse(await openWithoutCryptsetup(home, files.wrong)).error,
      /wrong passphrase/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
