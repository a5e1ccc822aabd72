/**
 * `node:crypto` for the recovery kit's browser bundle: the hashes and AES-ECB that the LUKS2
 * engine (crypto/luks2/hash.ts, xts.ts) takes from node:crypto, done by the audited noble
 * libraries the project already uses. No crypto is written here, only the node-shaped calls.
 * @module
 */
import { ecb } from "@noble/ciphers/aes.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { sha1 } from "@noble/hashes/legacy.js";

const HASHES = { sha1, sha256, sha384, sha512 } as const;

/** node's createHash for sha1/sha256/sha384/sha512. */
export function createHash(name: string): {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
} {
  const fn = HASHES[name as keyof typeof HASHES];
  if (fn === undefined) throw new Error(`the recovery kit has no hash ${name}`);
  const h = fn.create();
  const self = {
    update(data: Uint8Array) {
      h.update(data);
      return self;
    },
    digest: () => h.digest(),
  };
  return self;
}

function ecbCipher(name: string, key: Uint8Array, encrypt: boolean) {
  if (!/^aes-(128|256)-ecb$/.test(name)) throw new Error(`the recovery kit has no cipher ${name}`);
  const c = ecb(key, { disablePadding: true });
  return {
    setAutoPadding(_on: boolean) {},
    update: (data: Uint8Array) => encrypt ? c.encrypt(data) : c.decrypt(data),
    final: () => new Uint8Array(0),
  };
}

/** node's createCipheriv, AES-ECB only (no IV). */
export function createCipheriv(name: string, key: Uint8Array, _iv: null) {
  return ecbCipher(name, key, true);
}

/** node's createDecipheriv, AES-ECB only (no IV). */
export function createDecipheriv(name: string, key: Uint8Array, _iv: null) {
  return ecbCipher(name, key, false);
}
