/**
 * The LUKS2 engine (crypto/luks2) against the real cryptsetup 2.6.1 on plain files, both ways:
 *
 * - cryptsetup encrypts, the engine reads. Recipe: write the plaintext at the start of a file
 *   that has 2 MiB spare at its end, then `cryptsetup reencrypt --encrypt --force-offline-reencrypt
 *   --reduce-device-size 2M` with the vault header sizes. cryptsetup moves the data 1 MiB up
 *   (behind a 1 MiB header: 2 x 16 KiB metadata + 992 KiB keyslots) and encrypts it there.
 * - the engine encrypts, cryptsetup reads. Recipe A (detached header): dump the volume key,
 *   copy the data segment to its own file, `luksFormat --header h --offset 0 --volume-key-file vk`
 *   on it, then `reencrypt --decrypt --header h`. Recipe B (in place): `reencrypt --decrypt
 *   --header new-file` on the vault itself exports the header and moves the plaintext to offset 0.
 *
 * KDF costs are tiny (PBKDF2 1000 iterations, argon2id 8 MiB x 4).
 * @module
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  dataSegment,
  decryptSegment,
  encryptSegment,
  parseLuks2Header,
  unlockVolumeKey,
} from "../../crypto/luks2/mod.ts";
import { isUserError } from "../../errors.ts";
import {
  dumpVolumeKey,
  luksAddKey,
  luksDump,
  luksFormat,
  luksKillSlot,
  pbkdfArgs,
  type PbkdfOptions,
  TEST_ARGON2ID,
  TEST_PBKDF2,
  testPassphrase,
  VAULT_DATA_OFFSET,
  VAULT_KEYSLOTS_SIZE,
} from "../../system/cryptsetup.ts";

const enc = new TextEncoder();
const PASS = enc.encode("correct horse\nbattery staple ✓");

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "paradux-luks2-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
  return out;
}

/** Runs cryptsetup directly (tests cross-check with the real tool); passphrase on stdin. */
async function cryptsetup(args: string[], stdin: Uint8Array = PASS): Promise<void> {
  const out = await new Deno.Command("cryptsetup", {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(stdin);
  await w.close();
  const res = await out.output();
  if (res.code !== 0) {
    throw new Error(`cryptsetup ${args.join(" ")}: ${new TextDecoder().decode(res.stderr)}`);
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const at = a.findIndex((x, i) => x !== b[i]);
  assert.equal(at, -1, `${what}: first difference at byte ${at}`);
}

interface Variant {
  name: string;
  pbkdf: PbkdfOptions;
  sectorSize: 512 | 1024 | 2048 | 4096;
  keySize: 256 | 512;
  /** The hash cryptsetup uses for the AF splitter and the digest (`--hash`). */
  hash: string;
}

const VARIANTS: Variant[] = [
  { name: "pbkdf2/512", pbkdf: TEST_PBKDF2, sectorSize: 512, keySize: 512, hash: "sha256" },
  { name: "pbkdf2/4096", pbkdf: TEST_PBKDF2, sectorSize: 4096, keySize: 512, hash: "sha256" },
  { name: "argon2id/512", pbkdf: TEST_ARGON2ID, sectorSize: 512, keySize: 512, hash: "sha256" },
  { name: "argon2id/4096", pbkdf: TEST_ARGON2ID, sectorSize: 4096, keySize: 512, hash: "sha256" },
  {
    name: "pbkdf2-sha512/2048/aes-128",
    pbkdf: { type: "pbkdf2", hash: "sha512", iterations: 1000 },
    sectorSize: 2048,
    keySize: 256,
    hash: "sha512",
  },
  {
    name: "argon2i-sha1/1024",
    pbkdf: { type: "argon2i", memoryKiB: 8192, iterations: 4, parallel: 2 },
    sectorSize: 1024,
    keySize: 512,
    hash: "sha1",
  },
];

const SPARE = 2 << 20;

for (const v of VARIANTS) {
  Deno.test(`luks2 ${v.name}: data encrypted by cryptsetup reencrypt is read back by the engine`, async () => {
    await withTemp(async (tmp) => {
      const plain = random(3 << 20);
      const file = join(tmp, "vault.luks");
      const padded = new Uint8Array(plain.length + SPARE);
      padded.set(plain);
      await Deno.writeFile(file, padded);
      await cryptsetup([
        "reencrypt",
        "--encrypt",
        "--type",
        "luks2",
        "--batch-mode",
        "--force-offline-reencrypt",
        "--reduce-device-size",
        "2M",
        "--cipher",
        "aes-xts-plain64",
        "--key-size",
        String(v.keySize),
        "--hash",
        v.hash,
        "--luks2-metadata-size",
        "16k",
        "--luks2-keyslots-size",
        String(VAULT_KEYSLOTS_SIZE),
        ...pbkdfArgs(v.pbkdf),
        "--sector-size",
        String(v.sectorSize),
        "--key-file",
        "-",
        file,
      ]);
      const bytes = await Deno.readFile(file);
      const header = parseLuks2Header(bytes);
      assert.equal(header.copy, "primary");
      const seg = dataSegment(header);
      assert.equal(seg.offset, VAULT_DATA_OFFSET);
      assert.equal(seg.sectorSize, v.sectorSize);
      assert.equal(header.json.keyslots["0"]?.kdf?.type, v.pbkdf.type);
      assert.equal(header.json.keyslots["0"]?.keySize, v.keySize / 8);
      assert.equal(header.json.keyslots["0"]?.af?.hash, v.hash);
      assert.equal(Object.values(header.json.digests)[0]?.hash, v.hash);
      const { volumeKey, keyslot } = await unlockVolumeKey(header, bytes, PASS);
      assert.equal(keyslot, 0);
      equalBytes(volumeKey, await dumpVolumeKey(file, PASS), "volume key");
      const cipher = bytes.subarray(seg.offset, seg.offset + plain.length);
      assert.notDeepEqual(cipher.subarray(0, 64), plain.subarray(0, 64));
      equalBytes(decryptSegment(seg, volumeKey, 0, cipher), plain, "whole segment");
      // a piece from the middle decrypts on its own
      const at = 37 * 4096;
      const piece = decryptSegment(seg, volumeKey, at, cipher.subarray(at, at + 3 * 4096));
      equalBytes(piece, plain.subarray(at, at + 3 * 4096), "middle piece");
      // and the engine's encryption of the plaintext is exactly cryptsetup's ciphertext
      equalBytes(encryptSegment(seg, volumeKey, 0, plain), cipher, "re-encrypted by engine");
    });
  });

  Deno.test(`luks2 ${v.name}: data written by the engine is decrypted by cryptsetup (detached header)`, async () => {
    await withTemp(async (tmp) => {
      const plain = random(2 << 20);
      const file = join(tmp, "vault.luks");
      await Deno.writeFile(file, new Uint8Array(VAULT_DATA_OFFSET + plain.length));
      await luksFormat(file, PASS, {
        pbkdf: v.pbkdf,
        sectorSize: v.sectorSize,
        keySize: v.keySize,
      });
      const bytes = await Deno.readFile(file);
      const header = parseLuks2Header(bytes);
      const seg = dataSegment(header);
      const { volumeKey } = await unlockVolumeKey(header, bytes, PASS);
      // write in two pieces, the second at a sector-aligned offset
      const split = 256 * 4096;
      bytes.set(encryptSegment(seg, volumeKey, 0, plain.subarray(0, split)), seg.offset);
      bytes.set(encryptSegment(seg, volumeKey, split, plain.subarray(split)), seg.offset + split);
      await Deno.writeFile(file, bytes);

      const vk = join(tmp, "vk");
      await Deno.writeFile(vk, await dumpVolumeKey(file, PASS), { mode: 0o600 });
      const data = join(tmp, "data");
      await Deno.writeFile(data, bytes.subarray(seg.offset));
      const hdr = join(tmp, "hdr");
      await cryptsetup([
        "luksFormat",
        "--type",
        "luks2",
        "--batch-mode",
        "--cipher",
        "aes-xts-plain64",
        "--key-size",
        String(v.keySize),
        ...pbkdfArgs(TEST_PBKDF2),
        "--sector-size",
        String(v.sectorSize),
        "--header",
        hdr,
        "--offset",
        "0",
        "--volume-key-file",
        vk,
        "--key-file",
        "-",
        data,
      ]);
      await cryptsetup([
        "reencrypt",
        "--decrypt",
        "--batch-mode",
        "--force-offline-reencrypt",
        "--header",
        hdr,
        "--key-file",
        "-",
        data,
      ]);
      equalBytes(await Deno.readFile(data), plain, "decrypted by cryptsetup");
    });
  });
}

Deno.test("luks2: cryptsetup decrypts an engine-written vault in place with two keyslots (exported header)", async () => {
  await withTemp(async (tmp) => {
    const plain = random(1 << 20);
    const file = join(tmp, "vault.luks");
    await Deno.writeFile(file, new Uint8Array(VAULT_DATA_OFFSET + plain.length));
    await luksFormat(file, PASS, { pbkdf: TEST_ARGON2ID, sectorSize: 4096 });
    const second = enc.encode("second passphrase");
    await luksAddKey(file, PASS, second, { pbkdf: TEST_PBKDF2 });
    const bytes = await Deno.readFile(file);
    const header = parseLuks2Header(bytes);
    const seg = dataSegment(header);
    const { volumeKey, keyslot } = await unlockVolumeKey(header, bytes, second);
    assert.equal(keyslot, 1);
    bytes.set(encryptSegment(seg, volumeKey, 0, plain), seg.offset);
    await Deno.writeFile(file, bytes);
    await cryptsetup([
      "reencrypt",
      "--decrypt",
      "--batch-mode",
      "--force-offline-reencrypt",
      "--header",
      join(tmp, "exported-header"),
      "--key-file",
      "-",
      file,
    ], second);
    equalBytes((await Deno.readFile(file)).subarray(0, plain.length), plain, "decrypted in place");
  });
});

/** Rewrites the JSON of both header copies (16 KiB metadata) and recomputes their checksums. */
function editJson(bytes: Uint8Array, edit: (json: Record<string, unknown>) => void): Uint8Array {
  const out = bytes.slice();
  for (const at of [0, 16384]) {
    const area = out.subarray(at + 4096, at + 16384);
    const json = JSON.parse(new TextDecoder().decode(area.subarray(0, area.indexOf(0))));
    edit(json);
    area.fill(0);
    area.set(enc.encode(JSON.stringify(json)));
    out.fill(0, at + 448, at + 512);
    out.set(createHash("sha256").update(out.subarray(at, at + 16384)).digest(), at + 448);
  }
  return out;
}

Deno.test("luks2: an unsupported keyslot does not hide another keyslot that opens", async () => {
  await withTemp(async (tmp) => {
    const file = join(tmp, "vault.luks");
    await Deno.writeFile(file, new Uint8Array(VAULT_DATA_OFFSET + 4096));
    await luksFormat(file, PASS, { pbkdf: TEST_ARGON2ID });
    const second = enc.encode("second");
    await luksAddKey(file, PASS, second, { pbkdf: TEST_PBKDF2 });
    const bytes = editJson(await Deno.readFile(file), (json) => {
      const slots = json["keyslots"] as Record<string, { area: Record<string, unknown> }>;
      slots["0"]!.area["encryption"] = "aes-cbc-essiv:sha256";
    });
    const header = parseLuks2Header(bytes);
    assert.equal(header.copy, "primary");
    assert.equal((await unlockVolumeKey(header, bytes, second)).keyslot, 1);
    await assert.rejects(unlockVolumeKey(header, bytes, PASS), (e) => isUserError(e, "auth"));
    await assert.rejects(
      unlockVolumeKey(header, bytes, PASS, 0),
      (e) => isUserError(e, "input") && /unsupported cipher/.test(e.message),
    );
  });
});

Deno.test("luks2: luksFormat of a missing file is a not-found error", async () => {
  await withTemp(async (tmp) => {
    await assert.rejects(
      luksFormat(join(tmp, "missing.luks"), PASS, { pbkdf: TEST_PBKDF2 }),
      (e) => isUserError(e, "not-found"),
    );
  });
});

Deno.test("luks2: a wrong passphrase is an auth error in the engine and in the wrapper", async () => {
  await withTemp(async (tmp) => {
    const file = join(tmp, "vault.luks");
    await Deno.writeFile(file, new Uint8Array(VAULT_DATA_OFFSET + 4096));
    await luksFormat(file, PASS, { pbkdf: TEST_ARGON2ID });
    const bytes = await Deno.readFile(file);
    const header = parseLuks2Header(bytes);
    const wrong = enc.encode("correct horse\nbattery staple");
    await assert.rejects(
      unlockVolumeKey(header, bytes, wrong),
      (e) => isUserError(e, "auth") && /wrong passphrase/.test(e.message),
    );
    await assert.rejects(
      unlockVolumeKey(header, bytes, PASS, 1),
      (e) => isUserError(e, "not-found"),
    );
    assert.equal(await testPassphrase(file, wrong), false);
    assert.equal(await testPassphrase(file, PASS), true);
    await assert.rejects(dumpVolumeKey(file, wrong), (e) => isUserError(e, "auth"));
  });
});

Deno.test("luks2: luksAddKey (pbkdf2) adds a slot the engine opens; luksKillSlot leaves one slot", async () => {
  await withTemp(async (tmp) => {
    const file = join(tmp, "vault.luks");
    await Deno.writeFile(file, new Uint8Array(VAULT_DATA_OFFSET + 8192));
    await luksFormat(file, PASS, { pbkdf: TEST_ARGON2ID, sectorSize: 512 });
    const recovery = random(32); // binary secrets (NUL, newline bytes) pass intact
    recovery[0] = 0;
    recovery[1] = 10;
    await luksAddKey(file, PASS, recovery, { pbkdf: TEST_PBKDF2, keyslot: 1 });

    let dump = await luksDump(file);
    assert.deepEqual(dump.keyslots.map((k) => [k.id, k.type, k.kdf]), [
      [0, "luks2", "argon2id"],
      [1, "luks2", "pbkdf2"],
    ]);
    assert.equal(dump.keyslotsSize, VAULT_KEYSLOTS_SIZE);
    assert.deepEqual(dump.segments.map((s) => [s.type, s.offset, s.cipher, s.sectorSize]), [
      ["crypt", VAULT_DATA_OFFSET, "aes-xts-plain64", 512],
    ]);

    let bytes = await Deno.readFile(file);
    let header = parseLuks2Header(bytes);
    const a = await unlockVolumeKey(header, bytes, recovery);
    const b = await unlockVolumeKey(header, bytes, recovery, 1);
    const c = await unlockVolumeKey(header, bytes, PASS);
    assert.equal(a.keyslot, 1);
    assert.equal(c.keyslot, 0);
    equalBytes(a.volumeKey, c.volumeKey, "same volume key");
    equalBytes(b.volumeKey, c.volumeKey, "same volume key (slot given)");
    await assert.rejects(unlockVolumeKey(header, bytes, PASS, 1), (e) => isUserError(e, "auth"));
    assert.equal(await testPassphrase(file, recovery, 1), true);
    assert.equal(await testPassphrase(file, recovery, 0), false);

    // a slot cannot be killed with its own passphrase
    await assert.rejects(luksKillSlot(file, 0, PASS), (e) => isUserError(e, "auth"));
    await luksKillSlot(file, 0, recovery);
    dump = await luksDump(file);
    assert.deepEqual(dump.keyslots.map((k) => [k.id, k.kdf]), [[1, "pbkdf2"]]);
    bytes = await Deno.readFile(file);
    header = parseLuks2Header(bytes);
    await assert.rejects(unlockVolumeKey(header, bytes, PASS), (e) => isUserError(e, "auth"));
    assert.equal((await unlockVolumeKey(header, bytes, recovery)).keyslot, 1);
    assert.equal(await testPassphrase(file, PASS), false);
  });
});
