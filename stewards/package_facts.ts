/**
 * What a steward package prints, as facts (the owner's and successor's details, every steward's
 * name and contacts, the metadata locations, k, the share and the recovery card), and their
 * digests: recorded with the share when the package is exported
 * (`secrets.issuedShares[].printed`), and compared by `status-stewards`, which calls a package
 * stale, with the reasons, when anything it printed has changed since.
 *
 * The letter is written from these facts only (plus the date and Paradux version), so a change
 * that would print differently always changes a digest. {@link LETTER_VERSION} changes when the
 * letter's wording does: packages printed with older wording are stale too.
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { toHex } from "../crypto/hashes.ts";
import type { Contact, Documents } from "../vault/documents.ts";
import { describeLocation } from "./location_words.ts";
import { cardOf } from "./recovery_card.ts";
import { keyFingerprint, type StewardShareStatus, stewardShareStatus } from "./shares.ts";

/** The version of the letter's wording (raise it when the letter says something new). */
export const LETTER_VERSION = 2;

/** A person as printed: name and the contact details that are printed (never `notes`). */
export interface PrintedPerson {
  /** Full name. */
  name: string;
  /** E-mail, phone, postal address, as given (empty ones left out). */
  contacts: string[];
}

/** A steward as printed. */
export interface PrintedSteward extends PrintedPerson {
  /** Steward id (the name of their package's folder). */
  id: string;
}

/** A metadata location as printed. */
export interface PrintedLocation {
  /** Its name. */
  name: string;
  /** Its URL with any password hidden. */
  url: string;
  /** The URL in plain words. */
  words: string;
}

/** Everything a steward's package prints apart from the date and version. */
export interface PackageFacts {
  /** The steward the package is for. */
  steward: PrintedSteward;
  /** The owner (the user). */
  owner: PrintedPerson;
  /** The person the owner named to act in their place, if any. */
  successor: PrintedPerson | null;
  /** Every steward, in document order. */
  stewards: PrintedSteward[];
  /** The metadata locations. */
  locations: PrintedLocation[];
  /** k. */
  threshold: number;
  /** The steward's share index. */
  index: number;
  /** The recovery card's doc id (hex). */
  cardId: string;
  /** The vault key's fingerprint. */
  fingerprint: string;
}

/** A URL with any password in its user-info part hidden (the letter is not secret). */
export function hidePassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:********@");
}

function person(p: Omit<Contact, "notes">): PrintedPerson {
  return {
    name: p.name,
    contacts: [p.email, p.phone, p.address].filter((x): x is string => x !== undefined && x !== ""),
  };
}

/** The facts of steward `stewardId`'s package (the steward must hold a share of the set). */
export function packageFacts(docs: Documents, stewardId: string): PackageFacts {
  const stewards = docs.stewards.stewards.map((s) => ({ id: s.id, ...person(s) }));
  const steward = stewards.find((s) => s.id === stewardId);
  if (steward === undefined) throw new RangeError(`no steward ${stewardId}`);
  const share = docs.secrets.issuedShares.find((s) => s.stewardId === stewardId);
  if (share === undefined) throw new RangeError(`no share issued to ${stewardId}`);
  const successor = docs.user.successor;
  return {
    steward,
    owner: person(docs.user),
    successor: successor === undefined ? null : person(successor),
    stewards,
    locations: docs["metadata-locations"].locations.map((l) => ({
      name: l.name,
      url: hidePassword(l.url),
      words: describeLocation(l.url, {
        ...(l.credentials?.endpoint === undefined ? {} : { endpoint: l.credentials.endpoint }),
        ...(l.credentials?.region === undefined ? {} : { region: l.credentials.region }),
      }),
    })),
    threshold: docs.secrets.threshold,
    index: share.index,
    cardId: cardOf(docs.secrets).docIdHex,
    fingerprint: keyFingerprint(docs.secrets.signingPublicKey),
  };
}

function digest(value: unknown): string {
  return toHex(sha256(new TextEncoder().encode(JSON.stringify(value)))).slice(0, 16);
}

/**
 * The digests recorded at export: one per part of the package (`letter`, `owner`, `successor`,
 * `steward:ID` per steward, `stewards` (their order), `locations`, `share`).
 */
export function printedDigests(f: PackageFacts): Record<string, string> {
  const out: Record<string, string> = {
    letter: digest(LETTER_VERSION),
    owner: digest(f.owner),
    successor: digest(f.successor),
    stewards: digest(f.stewards.map((s) => s.id)),
    locations: digest(f.locations),
    share: digest([f.threshold, f.index, f.cardId, f.fingerprint]),
  };
  for (const s of f.stewards) out[`steward:${s.id}`] = digest(s);
  return out;
}

/** Why a package printed with digests `then` differs from one printed now (`now`). */
export function staleReasons(
  then: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): string[] {
  const reasons: string[] = [];
  const changed = (key: string) => then[key] !== now[key];
  if (changed("letter")) reasons.push("the letter's wording is new (printed by an older Paradux)");
  if (changed("owner")) reasons.push("your name or contact details changed (edit-user)");
  if (changed("successor")) reasons.push("the person you named (successor) changed (edit-user)");
  const ids = (m: Readonly<Record<string, string>>) =>
    Object.keys(m).filter((k) => k.startsWith("steward:")).map((k) => k.slice(8));
  const before = ids(then);
  const after = ids(now);
  for (const id of after) {
    if (!before.includes(id)) reasons.push(`steward ${id} was added to the list`);
    else if (changed(`steward:${id}`)) reasons.push(`steward ${id}'s name or contacts changed`);
  }
  for (const id of before) {
    if (!after.includes(id)) reasons.push(`steward ${id} was removed from the list`);
  }
  if (
    changed("stewards") && reasons.every((r) => !/was (added to|removed from) the list/.test(r))
  ) reasons.push("the stewards' order changed");
  if (changed("locations")) reasons.push("the metadata locations changed");
  if (changed("share")) reasons.push("k, the share or the recovery card changed");
  return reasons;
}

/** A steward's package state with the reasons it is stale (empty when it is not). */
export interface PackageStatus extends StewardShareStatus {
  /** Why the package is stale. */
  reasons: string[];
}

/**
 * The share and package state of every steward ({@link stewardShareStatus}), where a package
 * of the current share that printed something that has changed since is `stale`, with reasons.
 */
export function stewardPackageStatus(docs: Documents): PackageStatus[] {
  return stewardShareStatus(docs).map((st): PackageStatus => {
    if (st.state === "stale") {
      return { ...st, reasons: ["it holds a share of an older recovery secret"] };
    }
    if (st.state !== "current") return { ...st, reasons: [] };
    const share = docs.secrets.issuedShares.find((s) => s.stewardId === st.id);
    const then = share?.printed;
    if (then === undefined) {
      return {
        ...st,
        state: "stale",
        reasons: ["printed by an older Paradux that did not record what it printed"],
      };
    }
    const reasons = staleReasons(then, printedDigests(packageFacts(docs, st.id)));
    return reasons.length === 0 ? { ...st, reasons } : { ...st, state: "stale", reasons };
  });
}
