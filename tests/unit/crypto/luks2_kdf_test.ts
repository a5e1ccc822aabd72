/**
 * Keyslot KDFs: PBKDF2 against RFC 6070 (PBKDF2-HMAC-SHA1) vectors; argon2 parameters that
 * hash-wasm cannot honour become input errors. (Agreement with cryptsetup's argon2i/argon2id and
 * PBKDF2-SHA256/SHA512 keyslots is proven in tests/integration/luks2_engine_test.ts.)
 * @module
 */
import assert from "node:assert/strict";
import { deriveKey, pbkdf2 } from "../../../crypto/luks2/kdf.ts";
import { isUserError } from "../../../errors.ts";

const enc = new TextEncoder();
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("kdf: pbkdf2 RFC 6070 vectors", async () => {
  const table: [string, string, number, number, string][] = [
    ["password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"],
    ["password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"],
    ["password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"],
    [
      "passwordPASSWORDpassword",
      "saltSALTsaltSALTsaltSALTsaltSALTsalt",
      4096,
      25,
      "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
    ],
  ];
  for (const [p, s, c, len, want] of table) {
    assert.equal(hex(await pbkdf2("sha1", enc.encode(p), enc.encode(s), c, len)), want);
  }
});

Deno.test("kdf: argon2 parameters the engine cannot honour are input errors", async () => {
  const salt = new Uint8Array(32);
  const table = [
    { type: "argon2id" as const, time: 1, memory: 8, cpus: 2, salt }, // memory < 8 * cpus
    { type: "argon2id" as const, time: 1, memory: 5 * 1024 * 1024, cpus: 1, salt }, // > 4 GiB
    { type: "argon2i" as const, time: 1, memory: 4 * 1024 * 1024, cpus: 1, salt }, // 4 GiB: too big for wasm
  ];
  for (const kdf of table) {
    await assert.rejects(
      deriveKey(kdf, enc.encode("x"), 64),
      (e) => isUserError(e, "input") && /argon2/.test(e.message),
      JSON.stringify({ ...kdf, salt: 32 }),
    );
  }
  const ok = await deriveKey(
    { type: "argon2id", time: 1, memory: 64, cpus: 1, salt },
    enc.encode("x"),
    64,
  );
  assert.equal(ok.length, 64);
});
