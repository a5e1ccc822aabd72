/**
 * The cryptsetup argument builders as tables: exact argv for each option set, secrets never in
 * argv (only `--key-file -` or a key file path), and the luksDump JSON parser.
 * @module
 */
import assert from "node:assert/strict";
import {
  dumpVolumeKeyArgs,
  luksAddKeyArgs,
  luksDumpArgs,
  luksFormatArgs,
  type LuksFormatOptions,
  luksKillSlotArgs,
  parseLuksDumpJson,
  pbkdfArgs,
  type PbkdfOptions,
  TEST_ARGON2ID,
  TEST_PBKDF2,
  testPassphraseArgs,
  VAULT_KEYSLOTS_SIZE,
} from "../../../system/cryptsetup.ts";
import { isUserError } from "../../../errors.ts";

const FORMAT_BASE = [
  "luksFormat",
  "--type",
  "luks2",
  "--batch-mode",
  "--cipher",
  "aes-xts-plain64",
  "--key-size",
  "512",
  "--luks2-metadata-size",
  "16k",
  "--luks2-keyslots-size",
  "1015808",
];

Deno.test("cryptsetup: vault keyslots area ends the header at 1 MiB and fits three 512-bit slots", () => {
  assert.equal(2 * 16384 + VAULT_KEYSLOTS_SIZE, 1 << 20);
  assert.ok(3 * 258048 <= VAULT_KEYSLOTS_SIZE);
  assert.equal(VAULT_KEYSLOTS_SIZE % 4096, 0);
});

Deno.test("cryptsetup: pbkdfArgs table", () => {
  const table: [PbkdfOptions, string[]][] = [
    [{ type: "argon2id" }, ["--pbkdf", "argon2id"]],
    [TEST_ARGON2ID, [
      "--pbkdf",
      "argon2id",
      "--pbkdf-memory",
      "8192",
      "--pbkdf-parallel",
      "1",
      "--pbkdf-force-iterations",
      "4",
    ]],
    [{ type: "argon2i", iterTimeMs: 3000 }, ["--pbkdf", "argon2i", "--iter-time", "3000"]],
    [TEST_PBKDF2, ["--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000"]],
    [{ type: "pbkdf2", hash: "sha512", iterTimeMs: 100 }, [
      "--pbkdf",
      "pbkdf2",
      "--hash",
      "sha512",
      "--iter-time",
      "100",
    ]],
  ];
  for (const [opts, want] of table) assert.deepEqual(pbkdfArgs(opts), want, JSON.stringify(opts));
});

Deno.test("cryptsetup: luksFormatArgs table", () => {
  const table: [LuksFormatOptions, string[]][] = [
    [{}, [...FORMAT_BASE, "--pbkdf", "argon2id", "--key-file", "-", "/v/vault.luks"]],
    [{ pbkdf: TEST_PBKDF2, sectorSize: 512, keyslot: 0 }, [
      ...FORMAT_BASE,
      "--pbkdf",
      "pbkdf2",
      "--pbkdf-force-iterations",
      "1000",
      "--sector-size",
      "512",
      "--key-slot",
      "0",
      "--key-file",
      "-",
      "/v/vault.luks",
    ]],
    [{ sectorSize: 4096, label: "paradux", uuid: "u-1", keyslotsSize: 2 << 20 }, [
      ...FORMAT_BASE.slice(0, -1),
      String(2 << 20),
      "--pbkdf",
      "argon2id",
      "--sector-size",
      "4096",
      "--label",
      "paradux",
      "--uuid",
      "u-1",
      "--key-file",
      "-",
      "/v/vault.luks",
    ]],
    [{ pbkdf: TEST_PBKDF2, header: "/p/h", offsetSectors: 0, volumeKeyFile: "/p/vk" }, [
      ...FORMAT_BASE,
      "--pbkdf",
      "pbkdf2",
      "--pbkdf-force-iterations",
      "1000",
      "--header",
      "/p/h",
      "--offset",
      "0",
      "--volume-key-file",
      "/p/vk",
      "--key-file",
      "-",
      "/v/vault.luks",
    ]],
  ];
  for (const [opts, want] of table) {
    assert.deepEqual(luksFormatArgs("/v/vault.luks", opts), want, JSON.stringify(opts));
  }
});

Deno.test("cryptsetup: keyslot, dump and test argument tables", () => {
  const table: [string[], string[]][] = [
    [luksAddKeyArgs("/v/x", "/p/new-key", { pbkdf: TEST_PBKDF2 }), [
      "luksAddKey",
      "--batch-mode",
      "--pbkdf",
      "pbkdf2",
      "--pbkdf-force-iterations",
      "1000",
      "--key-file",
      "-",
      "/v/x",
      "/p/new-key",
    ]],
    [
      luksAddKeyArgs("/v/x", "/p/new-key", {
        pbkdf: TEST_PBKDF2,
        keyslot: 1,
        volumeKeyFile: "/p/volume-key",
      }),
      [
        "luksAddKey",
        "--batch-mode",
        "--pbkdf",
        "pbkdf2",
        "--pbkdf-force-iterations",
        "1000",
        "--new-key-slot",
        "1",
        "--volume-key-file",
        "/p/volume-key",
        "/v/x",
        "/p/new-key",
      ],
    ],
    [luksAddKeyArgs("/v/x", "/p/k", { pbkdf: { type: "pbkdf2" }, keyslot: 1 }), [
      "luksAddKey",
      "--batch-mode",
      "--pbkdf",
      "pbkdf2",
      "--new-key-slot",
      "1",
      "--key-file",
      "-",
      "/v/x",
      "/p/k",
    ]],
    [luksKillSlotArgs("/v/x", 0, true), ["luksKillSlot", "--key-file", "-", "/v/x", "0"]],
    [luksKillSlotArgs("/v/x", 3, false), ["luksKillSlot", "--batch-mode", "/v/x", "3"]],
    [luksDumpArgs("/v/x"), ["luksDump", "--dump-json-metadata", "/v/x"]],
    [testPassphraseArgs("/v/x"), ["open", "--test-passphrase", "--key-file", "-", "/v/x"]],
    [testPassphraseArgs("/v/x", 1), [
      "open",
      "--test-passphrase",
      "--key-slot",
      "1",
      "--key-file",
      "-",
      "/v/x",
    ]],
    [dumpVolumeKeyArgs("/v/x", "/p/vk"), [
      "luksDump",
      "--dump-volume-key",
      "--batch-mode",
      "--volume-key-file",
      "/p/vk",
      "--key-file",
      "-",
      "/v/x",
    ]],
  ];
  for (const [got, want] of table) assert.deepEqual(got, want);
});

Deno.test("cryptsetup: parseLuksDumpJson reads keyslots, segments and config", () => {
  const text = JSON.stringify({
    keyslots: {
      "1": { type: "luks2", key_size: 64, kdf: { type: "pbkdf2" } },
      "0": { type: "luks2", key_size: 64, kdf: { type: "argon2id" } },
      "2": { type: "reencrypt", mode: "decrypt" },
    },
    tokens: {},
    segments: {
      "0": {
        type: "crypt",
        offset: "1048576",
        size: "dynamic",
        iv_tweak: "0",
        encryption: "aes-xts-plain64",
        sector_size: 4096,
      },
    },
    digests: {},
    config: { json_size: "12288", keyslots_size: "1015808", requirements: { mandatory: ["x"] } },
  });
  assert.deepEqual(parseLuksDumpJson(text), {
    keyslots: [
      { id: 0, type: "luks2", kdf: "argon2id", keySize: 64 },
      { id: 1, type: "luks2", kdf: "pbkdf2", keySize: 64 },
      { id: 2, type: "reencrypt", kdf: undefined, keySize: undefined },
    ],
    segments: [{
      id: 0,
      type: "crypt",
      offset: 1048576,
      size: "dynamic",
      cipher: "aes-xts-plain64",
      sectorSize: 4096,
    }],
    keyslotsSize: 1015808,
    jsonSize: 12288,
    requirements: ["x"],
  });
  assert.throws(
    () => parseLuksDumpJson("Device x is not a valid LUKS device."),
    (e) => isUserError(e, "tool-failed"),
  );
});
