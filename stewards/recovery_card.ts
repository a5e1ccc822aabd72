/**
 * The recovery card: a small Ethernity v1 backup, sealed, signed with the vault's Ed25519 key and
 * encrypted with the recovery mnemonic, holding one text file ({@link CARD_FILE}): the mnemonic,
 * the vault id, the owner's name, the issue date and how to open a vault export with cryptsetup
 * and tar. Every steward package carries a copy and every share binds to its doc_hash.
 *
 * It is made together with the recovery secret (at `init`, and at `change-secrets --recovery`)
 * and only then. The secrets document keeps its age ciphertext (base64); the frames and the
 * fallback text are rebuilt from it on demand ({@link cardOf}), byte for byte the same.
 * @module
 */
import { Buffer } from "node:buffer";
import { blake2b256, bytesEqual, fromHex, toHex } from "../crypto/hashes.ts";
import { ParaduxError } from "../errors.ts";
import { mainFramesOf, makeBackup, recoverBackup } from "../paper/backup.ts";
import { encodeAuthPayload } from "../paper/format/auth.ts";
import { formatFallbackText } from "../paper/format/fallback_text.ts";
import { encodeFrame } from "../paper/format/frame.ts";
import type { RecoveryInput } from "../paper/inputs.ts";
import type { SecretsDoc } from "../vault/documents.ts";
import { newRecoveryMnemonic, newSecrets } from "../vault/secrets.ts";

/** The one file inside the card. */
export const CARD_FILE = "paradux-recovery-card.txt";

/** scrypt work factor of the card: the passphrase is a random 256-bit mnemonic. */
export const CARD_LOG_N = 15;

/** What the card's text says. */
export interface CardInfo {
  /** The recovery mnemonic (24 words). */
  mnemonic: string;
  /** The vault id (hex). */
  vaultId: string;
  /** The owner's name. */
  owner: string;
  /** ISO 8601 issue time. */
  issuedAt: string;
}

/** The card's text file. */
export function cardText(info: CardInfo): string {
  return [
    "PARADUX RECOVERY CARD",
    "",
    `owner:     ${info.owner}`,
    `vault id:  ${info.vaultId}`,
    `issued:    ${info.issuedAt}`,
    "",
    "recovery secret (24 words, the passphrase of every vault export):",
    info.mnemonic,
    "",
    "To open a vault export without Paradux (as root, with cryptsetup and tar):",
    "  cryptsetup open --type luks2 vault-export.luks paradux-vault",
    "    (type the 24 words above, lowercase, single spaces, when asked)",
    "  mkdir paradux-metadata && tar -xf /dev/mapper/paradux-vault -C paradux-metadata",
    "  cryptsetup close paradux-vault",
    "The JSON files in paradux-metadata say where every backup is and how to open it.",
    "With Paradux, no root is needed:",
    "  paradux recover --secret-file WORDS.txt --from vault-export.luks --extract DIR",
    "",
  ].join("\n");
}

const LINE = /^([a-z ]+):\s+(.*)$/;

/** Reads the fields back from a card's text. @throws ParaduxError `input` if it is not a card. */
export function parseCardText(text: string): CardInfo {
  const lines = text.split("\n");
  if (lines[0] !== "PARADUX RECOVERY CARD") {
    throw new ParaduxError("input", "this is not a paradux recovery card");
  }
  const fields = new Map<string, string>();
  for (const l of lines) {
    const m = LINE.exec(l);
    if (m) fields.set(m[1] as string, (m[2] as string).trim());
  }
  const at = lines.findIndex((l) => l.startsWith("recovery secret"));
  const mnemonic = (lines[at + 1] ?? "").trim();
  const vaultId = fields.get("vault id");
  const owner = fields.get("owner");
  const issuedAt = fields.get("issued");
  if (at < 0 || vaultId === undefined || owner === undefined || issuedAt === undefined) {
    throw new ParaduxError("input", "the recovery card is incomplete");
  }
  return { mnemonic, vaultId, owner, issuedAt };
}

/** A card's printable parts, rebuilt from the stored ciphertext. */
export interface RecoveryCard {
  /** The age ciphertext. */
  ciphertext: Uint8Array;
  /** BLAKE2b-256 of the ciphertext: what every share's `hash` is. */
  docHash: Uint8Array;
  /** First 8 bytes of the hash (the frames' doc_id). */
  docId: Uint8Array;
  /** Hex doc_id. */
  docIdHex: string;
  /** MAIN frames for QR codes. */
  mainFrames: Uint8Array[];
  /** The signed AUTH frame. */
  authFrame: Uint8Array;
  /** Fallback text: AUTH FRAME and MAIN FRAME sections. */
  recoveryText: string;
}

/** The card of a vault's secrets. @throws ParaduxError `not-found` when it has none yet. */
export function cardOf(secrets: SecretsDoc): RecoveryCard {
  if (secrets.recoveryCard === null) {
    throw new ParaduxError("not-found", "the vault has no recovery card yet", {
      hint: "run 'paradux change-secrets --recovery' to make one",
    });
  }
  const ciphertext = new Uint8Array(Buffer.from(secrets.recoveryCard, "base64"));
  const docHash = blake2b256(ciphertext);
  const docId = docHash.slice(0, 8);
  const seed = fromHex(secrets.signingKeySeed);
  const authFrame = encodeFrame({
    type: "auth",
    docId,
    index: 0,
    total: 1,
    data: encodeAuthPayload(docHash, seed),
  });
  const whole = encodeFrame({ type: "main", docId, index: 0, total: 1, data: ciphertext });
  return {
    ciphertext,
    docHash,
    docId,
    docIdHex: toHex(docId),
    mainFrames: mainFramesOf(docId, ciphertext),
    authFrame,
    recoveryText: formatFallbackText([
      { kind: "auth", frame: authFrame },
      { kind: "main", frame: whole },
    ]),
  };
}

/** Makes the card of `secrets`' current mnemonic; returns the secrets with it stored. */
export async function withRecoveryCard(
  secrets: SecretsDoc,
  owner: string,
  now = new Date(),
): Promise<SecretsDoc> {
  const issuedAt = now.toISOString();
  const text = cardText({
    mnemonic: secrets.recoveryMnemonic,
    vaultId: secrets.vaultId,
    owner,
    issuedAt,
  });
  const created = Math.floor(now.getTime() / 1000);
  const backup = await makeBackup({
    files: [{ path: CARD_FILE, data: new TextEncoder().encode(text), mtime: created }],
    passphrase: secrets.recoveryMnemonic,
    signingSeed: fromHex(secrets.signingKeySeed),
    sealed: true,
    gzip: "auto",
    workFactor: CARD_LOG_N,
    created,
  });
  return {
    ...secrets,
    recoveryCard: Buffer.from(backup.ciphertext).toString("base64"),
    recoveryCardIssuedAt: issuedAt,
  };
}

/**
 * The secrets of a new vault with threshold `k` and the card of its recovery secret, made for
 * `owner` (the user's name, if given at init).
 * @throws ParaduxError `usage` when k is out of range.
 */
export async function newVaultSecrets(
  k: number,
  owner?: string,
  now = new Date(),
): Promise<SecretsDoc> {
  return await withRecoveryCard(await newSecrets(k, now), owner ?? "(no name given at init)", now);
}

/**
 * A new recovery secret with its card: the old shares move to `retiredShares` (their packages
 * are stale now), the share set is dropped (the next issue makes a new one). The caller must
 * also replace the vault's recovery keyslot.
 */
export async function withNewRecoverySecret(
  secrets: SecretsDoc,
  owner: string,
  now = new Date(),
): Promise<SecretsDoc> {
  const { shareSet: _old, ...rest } = secrets;
  const fresh: SecretsDoc = {
    ...rest,
    recoveryMnemonic: newRecoveryMnemonic(),
    issuedShares: [],
    retiredShares: [...(secrets.retiredShares ?? []), ...secrets.issuedShares],
  };
  return await withRecoveryCard(fresh, owner, now);
}

/** A recovery card read back with its mnemonic. */
export interface ReadCard extends CardInfo {
  /** The card's doc_hash. */
  docHash: Uint8Array;
  /** The AUTH signer's public key (null without an AUTH frame). */
  signerPub: Uint8Array | null;
  /** True when the AUTH signature verified (never in rescue mode). */
  authenticated: boolean;
  /** Typo repairs, rescue-mode notes. */
  warnings: string[];
}

/**
 * Decrypts a card from its frames/text with `mnemonic` and checks that it names that mnemonic.
 * @throws ParaduxError `auth` (wrong mnemonic, bad signature), `input` (not a card).
 */
export async function readRecoveryCard(
  inputs: RecoveryInput[],
  mnemonic: string,
  rescue = false,
): Promise<ReadCard> {
  const got = await recoverBackup({ inputs, passphrase: mnemonic, rescue });
  const file = got.files.find((f) => f.path === CARD_FILE);
  if (file === undefined) throw new ParaduxError("input", "this is not a paradux recovery card");
  const info = parseCardText(new TextDecoder().decode(file.data));
  if (info.mnemonic !== mnemonic) {
    throw new ParaduxError("input", "the recovery card names another recovery secret");
  }
  return {
    ...info,
    docHash: got.docHash,
    signerPub: got.signerPub,
    authenticated: got.authenticated,
    warnings: got.warnings,
  };
}

/** True when the stored card is the one with this doc hash. */
export function isCurrentCard(secrets: SecretsDoc, docHash: Uint8Array): boolean {
  return secrets.recoveryCard !== null && bytesEqual(cardOf(secrets).docHash, docHash);
}
