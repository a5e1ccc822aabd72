/**
 * Making the `secrets` document of a new vault: the recovery secret (32 random bytes as a
 * 24-word BIP39 mnemonic), the Ed25519 signing key, the age X25519 data key, k, and an empty
 * share list. The recovery card is added by `newVaultSecrets` (stewards/recovery_card.ts).
 * @module
 */
import { toHex } from "../crypto/hashes.ts";
import { entropyToMnemonic, mnemonicToEntropy } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { generateDataKey } from "../crypto/age_x25519.ts";
import { ParaduxError } from "../errors.ts";
import type { SecretsDoc } from "./documents.ts";

/** A fresh recovery secret as its 24-word mnemonic (lowercase, single spaces). */
export function newRecoveryMnemonic(): string {
  return entropyToMnemonic(crypto.getRandomValues(new Uint8Array(32)), wordlist);
}

/** The 32 bytes behind a recovery mnemonic. */
export function recoverySecretBytes(mnemonic: string): Uint8Array {
  return mnemonicToEntropy(mnemonic, wordlist);
}

/** The smallest allowed k. */
export const MIN_THRESHOLD = 2;

/** Makes the secrets of a new vault with threshold `k`. */
export async function newSecrets(k: number, now = new Date()): Promise<SecretsDoc> {
  if (!Number.isInteger(k) || k < MIN_THRESHOLD || k > 255) {
    throw new ParaduxError("usage", `--min-stewards must be a whole number from 2 to 255`, {
      hint: "choose how many stewards must come together to recover (2 or more)",
    });
  }
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const dataKey = await generateDataKey();
  return {
    version: 1,
    vaultId: toHex(crypto.getRandomValues(new Uint8Array(16))),
    createdAt: now.toISOString(),
    recoveryMnemonic: newRecoveryMnemonic(),
    signingKeySeed: toHex(seed),
    signingPublicKey: toHex(ed25519.getPublicKey(seed)),
    threshold: k,
    issuedShares: [],
    ageIdentity: dataKey.identity,
    ageRecipient: dataKey.recipient,
    recoveryCard: null,
  };
}
