/**
 * The vault's metadata documents: their names, TypeScript shapes and starting contents. Five are
 * edited by the user as JSON (user, stewards, datasets, metadata-locations, settings); `secrets`
 * is written only by Paradux. Each document is a separate file in the vault payload, so one bad
 * edit cannot damage another.
 * @module
 */

/** The documents a user edits by hand. */
export const EDITABLE_DOCUMENTS = [
  "user",
  "stewards",
  "datasets",
  "metadata-locations",
  "settings",
] as const;

/** Every document in the vault, in payload order. */
export const DOCUMENT_NAMES = [...EDITABLE_DOCUMENTS, "secrets"] as const;

/** A user-edited document's name. */
export type EditableName = typeof EDITABLE_DOCUMENTS[number];
/** Any document's name. */
export type DocumentName = typeof DOCUMENT_NAMES[number];

/** The user whose data Paradux protects. */
export interface UserDoc {
  /** Full name (shown to stewards). */
  name: string;
  /** Optional contact details. */
  email?: string;
  /** Phone number. */
  phone?: string;
  /** Postal address. */
  address?: string;
  /** Free text. */
  notes?: string;
  /** The person who may recover in the user's place when the user cannot (printed in every
   * steward letter: the stewards give their packages to this person then). */
  successor?: Contact;
}

/** A person and how to reach them. */
export interface Contact {
  /** Full name. */
  name: string;
  /** E-mail address. */
  email?: string;
  /** Phone number. */
  phone?: string;
  /** Postal address. */
  address?: string;
  /** Free text. */
  notes?: string;
}

/** A trusted friend who keeps one share. */
export interface Steward {
  /** Stable slug id, e.g. `alice`. */
  id: string;
  /** Full name. */
  name: string;
  /** E-mail address. */
  email?: string;
  /** Phone number. */
  phone?: string;
  /** Postal address. */
  address?: string;
  /** Free text. */
  notes?: string;
}

/** The stewards document. */
export interface StewardsDoc {
  /** Every steward. */
  stewards: Steward[];
}

/** The four named frequencies; anything else is a systemd OnCalendar expression. */
export const FREQUENCIES = ["hourly", "daily", "weekly", "monthly"] as const;

/** One destination of a dataset. */
export interface Destination {
  /** Slug, unique within the dataset. */
  name: string;
  /** Location URL; its scheme picks the protocol. */
  url: string;
  /** "hourly" | "daily" | "weekly" | "monthly" or a systemd OnCalendar expression. */
  frequency: string;
  /** Protocol-specific credentials (user, password, key...). */
  credentials?: Record<string, string>;
  /** Encrypt to the vault's age recipient (for untrusted destinations). */
  encrypt?: boolean;
  /** How many snapshots to keep, where the protocol supports it. */
  keep?: number;
}

/** A set of data that lives and dies together. */
export interface Dataset {
  /** Slug, unique in the vault. */
  name: string;
  /** Where the data comes from. */
  source: { url: string; credentials?: Record<string, string> };
  /** Absolute path of the local copy on the Paradux machine. */
  localCopy: string;
  /** Where copies go. */
  destinations: Destination[];
}

/** The datasets document. */
export interface DatasetsDoc {
  /** Every dataset. */
  datasets: Dataset[];
}

/** A place where vault exports are published. */
export interface MetadataLocation {
  /** Slug, unique. */
  name: string;
  /** Location URL. */
  url: string;
  /** Protocol-specific credentials. */
  credentials?: Record<string, string>;
}

/** The metadata-locations document. */
export interface MetadataLocationsDoc {
  /** Every metadata location. */
  locations: MetadataLocation[];
}

/** User settings. */
export interface SettingsDoc {
  /** Number of share slots in a share set (n of k-of-n), at least the number of stewards. */
  shareCapacity: number;
  /** Publish the vault export to the metadata locations after every change. */
  publishAfterEdit: boolean;
}

/** One share handed to a steward. */
export interface IssuedShare {
  /** The steward's id. */
  stewardId: string;
  /** The share index (1..shareCapacity). */
  index: number;
  /** ISO 8601 time of issue. */
  issuedAt: string;
  /** ISO 8601 time its steward package was last exported (absent: never). */
  exportedAt?: string;
  /** Digests of what that package printed, per part (see stewards/package_facts.ts). */
  printed?: Record<string, string>;
}

/** The current share set: what lets a steward added later get an index of the same polynomial. */
export interface ShareSetInfo {
  /** The Ethernity v1 `set_id` (hex, 16 bytes). */
  setId: string;
  /** Seed the polynomial's random coefficients are derived from (hex, 32 bytes); secret. */
  polynomialSeed: string;
  /** `share_count`: the set's capacity (valid indices 1..shareCount). */
  shareCount: number;
  /** ISO 8601 time the set was made. */
  createdAt: string;
}

/** One generation of the vault's age X25519 data key. */
export interface DataKeyEntry {
  /** 1 for the key made at `init`, one more at every `change-secrets --data-key`. */
  generation: number;
  /** The secret identity (`AGE-SECRET-KEY-1...`). */
  identity: string;
  /** Its recipient (`age1...`). */
  recipient: string;
  /** ISO 8601 time the key was made. */
  createdAt: string;
}

/** What only Paradux writes: keys and the share bookkeeping. */
export interface SecretsDoc {
  /** Document format version. */
  version: 1;
  /** Random id of this vault (hex, 16 bytes). */
  vaultId: string;
  /** ISO 8601 creation time. */
  createdAt: string;
  /** The recovery secret: 24-word BIP39 mnemonic of 32 random bytes (recovery keyslot). */
  recoveryMnemonic: string;
  /** Ed25519 signing key seed (hex, 32 bytes). */
  signingKeySeed: string;
  /** Ed25519 public key (hex, 32 bytes). */
  signingPublicKey: string;
  /** k: how many stewards' shares recover the secret. */
  threshold: number;
  /** Shares handed out so far. */
  issuedShares: IssuedShare[];
  /** age X25519 identity (`AGE-SECRET-KEY-1...`) for data at untrusted destinations. */
  ageIdentity: string;
  /** Its recipient (`age1...`). */
  ageRecipient: string;
  /** Generation of `ageIdentity` (absent: 1); see datasets/data_keys.ts. */
  dataKeyGeneration?: number;
  /** When `ageIdentity` was made (absent: `createdAt`). */
  dataKeyCreatedAt?: string;
  /** Older data keys, kept so copies encrypted to them stay restorable (absent: none). */
  retiredDataKeys?: DataKeyEntry[];
  /** The recovery card's bytes (base64), made by the recovery-card feature; null until then. */
  recoveryCard: string | null;
  /** When the recovery card (and its recovery secret) was made (see stewards/recovery_card.ts). */
  recoveryCardIssuedAt?: string;
  /** The current share set (absent until the first share is issued; see stewards/shares.ts). */
  shareSet?: ShareSetInfo;
  /** Shares of earlier recovery secrets, kept to show stewards whose package is stale. */
  retiredShares?: IssuedShare[];
}

/** All documents of one vault. */
export interface Documents {
  /** The user. */
  user: UserDoc;
  /** The stewards. */
  stewards: StewardsDoc;
  /** The datasets. */
  datasets: DatasetsDoc;
  /** The metadata locations. */
  "metadata-locations": MetadataLocationsDoc;
  /** Settings. */
  settings: SettingsDoc;
  /** Secrets (never hand-edited). */
  secrets: SecretsDoc;
}

/** Default settings of a new vault. */
export function defaultSettings(): SettingsDoc {
  return { shareCapacity: 16, publishAfterEdit: true };
}

/** The user-edited documents of a new vault. */
export function initialDocuments(secrets: SecretsDoc, userName = ""): Documents {
  return {
    user: { name: userName === "" ? "Your Name" : userName },
    stewards: { stewards: [] },
    datasets: { datasets: [] },
    "metadata-locations": { locations: [] },
    settings: defaultSettings(),
    secrets,
  };
}

/** The file name of a document inside the vault payload. */
export function fileNameOf(name: DocumentName): string {
  return `${name}.json`;
}

/** A document as the text written into the vault and shown in the editor. */
export function documentText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}
