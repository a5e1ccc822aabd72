/**
 * BIP39 English mnemonics (12-24 words with checksum) used as passphrases (format.md 14).
 * @module
 */
import {
  entropyToMnemonic,
  generateMnemonic,
  mnemonicToEntropy,
  validateMnemonic,
} from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";

/** Word counts BIP39 allows. */
export const WORD_COUNTS = [12, 15, 18, 21, 24] as const;

/** A new random mnemonic of `words` words (lowercase, single spaces). */
export function newMnemonic(words = 24): string {
  if (!(WORD_COUNTS as readonly number[]).includes(words)) {
    throw new RangeError(`a mnemonic has 12, 15, 18, 21 or 24 words, not ${words}`);
  }
  return generateMnemonic(wordlist, (words / 3) * 32);
}

/** The mnemonic of 16-32 bytes of entropy. */
export function mnemonicOf(entropy: Uint8Array): string {
  return entropyToMnemonic(entropy, wordlist);
}

/** The entropy of a valid mnemonic (throws on a bad word or checksum). */
export function entropyOf(mnemonic: string): Uint8Array {
  return mnemonicToEntropy(mnemonic, wordlist);
}

/** True when `text` is exactly a valid mnemonic (lowercase words, single spaces, checksum). */
export function isMnemonic(text: string): boolean {
  const words = text.split(" ");
  if (!(WORD_COUNTS as readonly number[]).includes(words.length)) return false;
  if (words.some((w) => w.length === 0 || w !== w.toLowerCase())) return false;
  return validateMnemonic(text, wordlist);
}

/** True when every word is from the BIP39 list (so the text is meant to be a mnemonic). */
export function looksLikeMnemonic(text: string): boolean {
  const words = text.trim().toLowerCase().split(/\s+/);
  return words.length >= 12 && words.every((w) => wordlist.includes(w));
}

/** The mnemonic in canonical form: lowercase words joined by single spaces. */
export function normalizeMnemonic(text: string): string {
  return text.trim().toLowerCase().split(/\s+/).join(" ");
}
