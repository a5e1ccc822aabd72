/**
 * The drill's share check: k shares of the current set, made again from the stored set (the
 * same bytes the stewards hold), go through the same verification as a real recovery (binding
 * to the recovery card, set id, the vault key's signatures, threshold) and must combine to the
 * vault's recovery mnemonic.
 * @module
 */
import { fromHex } from "../crypto/hashes.ts";
import { ParaduxError } from "../errors.ts";
import { recoverSecretFromShards } from "../paper/backup.ts";
import type { Documents } from "./documents.ts";
import { cardOf } from "./recovery_card.ts";
import { shareOf } from "./shares.ts";

/**
 * The mnemonic that k stored shares reconstruct (the last k stewards holding a share, so the
 * Lagrange weights are not the trivial ones of indices 1..k when there are more stewards).
 * @throws ParaduxError `insufficient` when fewer than k named stewards hold a share; the
 *   share checks' errors when a share does not verify.
 */
export function secretFromStoredShares(docs: Documents): Promise<string> {
  const secrets = docs.secrets;
  const k = secrets.threshold;
  const named = new Set(docs.stewards.stewards.map((s) => s.id));
  const held = secrets.issuedShares.filter((s) => named.has(s.stewardId));
  if (held.length < k) {
    throw new ParaduxError(
      "insufficient",
      `only ${held.length} named stewards hold a share; ${k} are needed`,
      { hint: "add stewards with 'paradux edit-stewards'" },
    );
  }
  const card = cardOf(secrets);
  const frames = held.slice(-k).map((s) => shareOf(secrets, s.stewardId).frame);
  const got = recoverSecretFromShards(frames, {
    hash: card.docHash,
    pub: fromHex(secrets.signingPublicKey),
  });
  return Promise.resolve(new TextDecoder().decode(got.secret));
}
