/**
 * age with one scrypt passphrase stanza (format.md section 13), binary (not armored), for paper
 * documents. Decryption accepts work factors up to `MAX_LOG_N` (Ethernity calibrates logN to
 * about one second: 19-20 and more), above npm age-encryption's built-in limit of 20; the scrypt
 * itself runs in hash-wasm (fast WebAssembly).
 * @module
 */
import { Decrypter, Encrypter, type Identity, type Stanza } from "age-encryption";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { scrypt } from "hash-wasm";
import { ParaduxError } from "../errors.ts";

/** The scrypt work factor age itself uses by default (log2 N). */
export const DEFAULT_LOG_N = 18;
/** The highest work factor decryption accepts (2^22 x 1 KiB = 4 GiB of memory). */
export const MAX_LOG_N = 22;

const LABEL = "age-encryption.org/v1/scrypt";

function b64nopadDecode(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) return null;
  const bin = atob(s + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** An age identity for a scrypt passphrase with a configurable work-factor ceiling. */
class PassphraseIdentity implements Identity {
  constructor(private readonly passphrase: string, private readonly maxLogN: number) {}

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const s of stanzas) {
      if (s.args[0] !== "scrypt") continue;
      if (stanzas.length !== 1) throw new Error("scrypt stanza is not alone in the header");
      const [, saltText, logNText] = s.args;
      const salt = saltText === undefined ? null : b64nopadDecode(saltText);
      if (
        s.args.length !== 3 || !salt || salt.length !== 16 || !/^[1-9][0-9]?$/.test(logNText ?? "")
      ) {
        throw new Error("invalid scrypt stanza");
      }
      const logN = Number(logNText);
      if (logN > this.maxLogN) throw new Error(`scrypt work factor ${logN} is too high`);
      if (s.body.length !== 32) throw new Error("invalid scrypt stanza body");
      const labelAndSalt = new Uint8Array(LABEL.length + 16);
      labelAndSalt.set(new TextEncoder().encode(LABEL));
      labelAndSalt.set(salt, LABEL.length);
      const key = await scrypt({
        password: new TextEncoder().encode(this.passphrase),
        salt: labelAndSalt,
        costFactor: 2 ** logN,
        blockSize: 8,
        parallelism: 1,
        hashLength: 32,
        outputType: "binary",
      });
      try {
        return chacha20poly1305(key, new Uint8Array(12)).decrypt(s.body);
      } catch {
        return null;
      }
    }
    return null;
  }
}

/** Encrypts `plaintext` to a passphrase; binary age with one scrypt stanza of work `logN`. */
export async function encryptWithPassphrase(
  plaintext: Uint8Array,
  passphrase: string,
  logN: number = DEFAULT_LOG_N,
): Promise<Uint8Array> {
  if (!Number.isInteger(logN) || logN < 1 || logN > MAX_LOG_N) {
    throw new RangeError(`scrypt work factor must be 1..${MAX_LOG_N}`);
  }
  const e = new Encrypter();
  e.setPassphrase(passphrase);
  e.setScryptWorkFactor(logN);
  return await e.encrypt(plaintext);
}

/** The scrypt work factor (log2 N) in an age header, or null when it has no scrypt stanza. */
export function scryptWorkFactorOf(ciphertext: Uint8Array): number | null {
  const head = new TextDecoder().decode(ciphertext.subarray(0, 200));
  const m = /\n-> scrypt [A-Za-z0-9+/]+ ([0-9]+)\n/.exec(head);
  return m ? Number(m[1]) : null;
}

/** Decrypts an age passphrase message; a wrong passphrase or damaged data is an "auth" error. */
export async function decryptWithPassphrase(
  ciphertext: Uint8Array,
  passphrase: string,
  opts: { maxLogN?: number } = {},
): Promise<Uint8Array> {
  const maxLogN = opts.maxLogN ?? MAX_LOG_N;
  const logN = scryptWorkFactorOf(ciphertext);
  if (logN !== null && logN > maxLogN) {
    throw new ParaduxError("input", `the age scrypt work factor ${logN} exceeds ${maxLogN}`);
  }
  const d = new Decrypter();
  d.addIdentity(new PassphraseIdentity(passphrase, maxLogN));
  try {
    return await d.decrypt(ciphertext);
  } catch (e) {
    throw new ParaduxError("auth", "cannot decrypt: wrong passphrase or damaged ciphertext", {
      hint: "check the passphrase; if it is right, the document is damaged",
      cause: e,
    });
  }
}
