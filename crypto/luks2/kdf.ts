/**
 * Keyslot key derivation: PBKDF2 through WebCrypto, Argon2i/Argon2id through hash-wasm, with the
 * parameters a LUKS2 keyslot names (Argon2 memory in KiB, as cryptsetup stores it).
 * @module
 */
import { argon2i, argon2id } from "hash-wasm";
import { ParaduxError } from "../../errors.ts";
import { webHashName } from "./hash.ts";
import type { Luks2Kdf } from "./json.ts";

/** Upper bound on Argon2 memory we agree to spend (4 GiB, the LUKS2 maximum). */
const MAX_ARGON2_MEMORY_KIB = 4 * 1024 * 1024;

/** PBKDF2 with a LUKS2 hash name; returns `length` bytes. */
export async function pbkdf2(
  hash: string,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    password.slice(),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: webHashName(hash, "pbkdf2"), salt: salt.slice(), iterations },
    key,
    length * 8,
  );
  return new Uint8Array(bits);
}

/** Derives `length` bytes from `passphrase` with a keyslot's KDF. */
export async function deriveKey(
  kdf: Luks2Kdf,
  passphrase: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  if (kdf.type === "pbkdf2") {
    return await pbkdf2(kdf.hash, passphrase, kdf.salt, kdf.iterations, length);
  }
  if (kdf.memory > MAX_ARGON2_MEMORY_KIB || kdf.memory < 8 * kdf.cpus || kdf.cpus > 0xffffff) {
    throw new ParaduxError(
      "input",
      `invalid argon2 parameters in luks2 keyslot (memory ${kdf.memory} KiB, ${kdf.cpus} threads)`,
    );
  }
  const options = {
    password: passphrase,
    salt: kdf.salt,
    parallelism: kdf.cpus,
    iterations: kdf.time,
    memorySize: kdf.memory,
    hashLength: length,
    outputType: "binary" as const,
  };
  try {
    return kdf.type === "argon2id" ? await argon2id(options) : await argon2i(options);
  } catch (e) {
    // hash-wasm cannot allocate the largest LUKS2 memory costs (4 GiB) and rejects odd salts
    throw new ParaduxError(
      "input",
      `${kdf.type} with ${Math.round(kdf.memory / 1024)} MiB failed: ${
        e instanceof Error ? e.message : String(e)
      }`,
      { hint: "open this vault with cryptsetup instead", cause: e },
    );
  }
}
