/**
 * Steward shares of the recovery secret: Ethernity v1 shard payloads (version 2, type
 * `passphrase`) of the mnemonic's UTF-8 bytes, threshold k, `share_count` = the set's capacity,
 * one `set_id` per recovery secret, `hash` = the recovery card's doc_hash, signed with the
 * vault's Ed25519 key.
 *
 * The polynomial is not stored: its random coefficients come from `shareSet.polynomialSeed`
 * (HMAC-SHA256 in counter mode), so any index can be evaluated again at any time. A steward
 * added later gets the lowest index never issued in this set, and nobody else needs new paper.
 * Every issued share is recorded in `secrets.issuedShares` (steward id, index, date; the
 * package export date is added when the package is written).
 * @module
 */
import { fromHex, toHex } from "../crypto/hashes.ts";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { makePolynomial, type Polynomial } from "../crypto/shamir128.ts";
import { ParaduxError } from "../errors.ts";
import { formatFallbackText } from "../paper/format/fallback_text.ts";
import { issueFromPolynomial, shardFrame } from "../paper/shards.ts";
import type { Documents, IssuedShare, SecretsDoc, ShareSetInfo } from "../vault/documents.ts";
import { cardOf, withRecoveryCard } from "./recovery_card.ts";

/** A deterministic byte source: HMAC-SHA256(seed, label || counter), concatenated. */
export function seededRandom(seed: Uint8Array, label = "paradux share polynomial"): (
  n: number,
) => Uint8Array {
  const prefix = new TextEncoder().encode(label);
  let counter = 0;
  let pool = new Uint8Array(0);
  return (n) => {
    while (pool.length < n) {
      const msg = new Uint8Array(prefix.length + 4);
      msg.set(prefix);
      new DataView(msg.buffer).setUint32(prefix.length, counter++);
      const block = hmac(sha256, seed, msg);
      const next = new Uint8Array(pool.length + block.length);
      next.set(pool);
      next.set(block, pool.length);
      pool = next;
    }
    const out = pool.slice(0, n);
    pool = pool.slice(n);
    return out;
  };
}

/** The polynomial of the current set (its constant terms are the mnemonic). */
function polynomialOf(secrets: SecretsDoc, set: ShareSetInfo): Polynomial {
  const secret = new TextEncoder().encode(secrets.recoveryMnemonic);
  return makePolynomial(secret, secrets.threshold, seededRandom(fromHex(set.polynomialSeed)));
}

/** A new share set description with capacity `shareCount`. */
export function newShareSet(shareCount: number, now = new Date()): ShareSetInfo {
  return {
    setId: toHex(crypto.getRandomValues(new Uint8Array(16))),
    polynomialSeed: toHex(crypto.getRandomValues(new Uint8Array(32))),
    shareCount,
    createdAt: now.toISOString(),
  };
}

function currentSet(secrets: SecretsDoc): ShareSetInfo {
  if (secrets.shareSet === undefined) {
    throw new ParaduxError("not-found", "no shares have been issued yet", {
      hint: "add stewards with 'paradux edit-stewards'",
    });
  }
  return secrets.shareSet;
}

/** The signed shard payload (canonical CBOR) at `index` of the current set. */
export function sharePayload(secrets: SecretsDoc, index: number): Uint8Array {
  const set = currentSet(secrets);
  const card = cardOf(secrets);
  const [payload] = issueFromPolynomial({
    type: "passphrase",
    threshold: secrets.threshold,
    shareCount: set.shareCount,
    docHash: card.docHash,
    signingSeed: fromHex(secrets.signingKeySeed),
    polynomial: polynomialOf(secrets, set),
    length: new TextEncoder().encode(secrets.recoveryMnemonic).length,
    setId: fromHex(set.setId),
  }, [index]);
  return payload as Uint8Array;
}

/** One steward's share, ready to print. */
export interface StewardShare {
  /** The record in `issuedShares`. */
  issued: IssuedShare;
  /** The shard payload. */
  payload: Uint8Array;
  /** Its KEY frame (doc_id = the card's). */
  frame: Uint8Array;
  /** Its fallback text (a SHARD FRAME section). */
  text: string;
}

/** The share issued to `stewardId` in the current set. @throws `not-found` when none. */
export function shareOf(secrets: SecretsDoc, stewardId: string): StewardShare {
  const issued = secrets.issuedShares.find((s) => s.stewardId === stewardId);
  if (issued === undefined) {
    throw new ParaduxError("not-found", `no share has been issued to steward ${stewardId}`, {
      hint: "is the id in 'paradux status-stewards'?",
    });
  }
  const payload = sharePayload(secrets, issued.index);
  const frame = shardFrame(cardOf(secrets).docId, payload);
  return { issued, payload, frame, text: formatFallbackText([{ kind: "key", frame }]) };
}

/** What {@link issueShares} did. */
export interface IssueResult {
  /** The documents with the new shares recorded (the same object when nothing changed). */
  docs: Documents;
  /** Shares issued now. */
  issued: IssuedShare[];
  /** Stewards that hold a share of the current set but are no longer named. */
  removed: string[];
}

/**
 * Issues a share to every steward who has none in the current set (making the card and the set
 * first when missing). Indices are never reused within a set, so a removed steward's index stays
 * taken. Pure apart from randomness.
 * @throws ParaduxError `capacity` when the set has no unused index left.
 */
export async function issueShares(docs: Documents, now = new Date()): Promise<IssueResult> {
  const stewards = docs.stewards.stewards;
  let secrets = docs.secrets;
  const names = new Set(stewards.map((s) => s.id));
  const removed = secrets.issuedShares.filter((s) => !names.has(s.stewardId)).map((s) =>
    s.stewardId
  );
  const holders = new Set(secrets.issuedShares.map((s) => s.stewardId));
  const missing = stewards.filter((s) => !holders.has(s.id));
  if (missing.length === 0) return { docs, issued: [], removed };
  if (secrets.recoveryCard === null) secrets = await withRecoveryCard(secrets, docs.user.name, now);
  if (secrets.shareSet === undefined) {
    const count = Math.max(docs.settings.shareCapacity, stewards.length, secrets.threshold);
    secrets = { ...secrets, shareSet: newShareSet(Math.min(255, count), now) };
  }
  const set = secrets.shareSet as ShareSetInfo;
  const taken = new Set(secrets.issuedShares.map((s) => s.index));
  const issued: IssuedShare[] = [];
  let next = 1;
  for (const steward of missing) {
    while (taken.has(next)) next++;
    if (next > set.shareCount) {
      throw new ParaduxError(
        "capacity",
        `the share set has ${set.shareCount} indices and all are taken; no share for ${steward.id}`,
        {
          hint: "raise shareCapacity (edit-settings), then run 'paradux change-secrets --recovery'",
        },
      );
    }
    taken.add(next);
    issued.push({ stewardId: steward.id, index: next, issuedAt: now.toISOString() });
  }
  secrets = { ...secrets, issuedShares: [...secrets.issuedShares, ...issued] };
  return { docs: { ...docs, secrets }, issued, removed };
}

/** Where a steward's package stands. */
export type PackageState = "current" | "stale" | "not-exported" | "no-share";

/** One steward's line in `status-stewards`. */
export interface StewardShareStatus {
  /** Steward id. */
  id: string;
  /** Steward name. */
  name: string;
  /** Share index in the current set (null: none issued). */
  index: number | null;
  /** When the share was issued. */
  issuedAt: string | null;
  /** When the package with this share was last exported. */
  exportedAt: string | null;
  /** current: exported package holds the current share; stale: only an old package was
   * exported; not-exported: a share exists, no package yet; no-share: none issued yet. */
  state: PackageState;
}

/** The share and package state of every steward. */
export function stewardShareStatus(docs: Documents): StewardShareStatus[] {
  const secrets = docs.secrets;
  return docs.stewards.stewards.map((s) => {
    const share = secrets.issuedShares.find((i) => i.stewardId === s.id);
    const old = (secrets.retiredShares ?? []).some((i) =>
      i.stewardId === s.id && i.exportedAt !== undefined
    );
    const state: PackageState = share === undefined
      ? (old ? "stale" : "no-share")
      : share.exportedAt !== undefined
      ? "current"
      : old
      ? "stale"
      : "not-exported";
    return {
      id: s.id,
      name: s.name,
      index: share?.index ?? null,
      issuedAt: share?.issuedAt ?? null,
      exportedAt: share?.exportedAt ?? null,
      state,
    };
  });
}

/**
 * The secrets with `exportedAt` set on the shares of `stewardIds`, and `printed` (the digests of
 * what each package printed, see stewards/package_facts.ts) where given.
 */
export function markExported(
  secrets: SecretsDoc,
  stewardIds: readonly string[],
  now = new Date(),
  printed: Readonly<Record<string, Record<string, string>>> = {},
): SecretsDoc {
  const ids = new Set(stewardIds);
  return {
    ...secrets,
    issuedShares: secrets.issuedShares.map((s) => {
      if (!ids.has(s.stewardId)) return s;
      const digests = printed[s.stewardId];
      const { printed: _old, ...rest } = s;
      return {
        ...rest,
        exportedAt: now.toISOString(),
        ...(digests === undefined ? {} : { printed: digests }),
      };
    }),
  };
}

/** The vault key's fingerprint as printed for stewards: SHA-256 of the public key, grouped. */
export function keyFingerprint(publicKeyHex: string): string {
  const digest = toHex(sha256(fromHex(publicKeyHex))).slice(0, 32);
  return digest.match(/.{4}/g)?.join(" ") ?? digest;
}
