/**
 * What the recovery kit page does, without the page: classify each added share, rebuild the
 * recovery secret, open a vault export (or the paper copy of the metadata), recover a paper
 * backup. Everything here calls the CLI's own functions (recovery/recovery.ts, paper/inputs.ts,
 * paper/shards.ts, paper/recover.ts, vault/export_bytes.ts): the kit has no crypto or parsing
 * of its own. Runs under Deno too (tests/unit/kit/logic_test.ts).
 * @module
 */
import { isMnemonic, normalizeMnemonic } from "../crypto/bip39.ts";
import { bytesEqual, toHex } from "../crypto/hashes.ts";
import { failureOf, isUserError, ParaduxError } from "../errors.ts";
import { verifyShardPayload } from "../paper/format/shard.ts";
import { framesOfInput, repairWarning, type SourcedFrame } from "../paper/inputs.ts";
import { recoverBackup, type RecoveredBackup } from "../paper/recover.ts";
import { type SourcedShard, sourcedShard } from "../paper/shards.ts";
import type { Documents } from "../vault/documents.ts";
import { openExportBytes } from "../vault/export_bytes.ts";
import { documentsFromPaper } from "../recovery/metadata_paper.ts";
import {
  checkSourceDocs,
  framesPart,
  isLuksHead,
  type LabelledInput,
  type ReconstructedSecret,
  reconstructSecret,
  relabel,
} from "../recovery/recovery.ts";

/** One thing the person added: a file (its QR codes) or a pasted text. */
export interface ShareItem {
  /** Shown in messages: the file name, or "typed text 2". */
  label: string;
  /** The codes or text it gave (one label for all). */
  inputs: LabelledInput[];
}

/** What one added item turned out to be. */
export type ShareState =
  | "valid" // a share of the set, correctly signed
  | "duplicate" // the same share as one added before: counts once
  | "forged" // the signature does not verify, or another key signed it
  | "other-set" // a share of another recovery secret (an old package, another vault)
  | "conflict" // the same share number as another, with different contents
  | "card" // only a recovery card, no share (fine, but it counts for nothing)
  | "mnemonic" // the 24 words
  | "unreadable"; // no share could be read from it

/** The verdict on one item. */
export interface ShareStatus {
  /** The item's label. */
  label: string;
  /** What it is. */
  state: ShareState;
  /** One plain sentence for the person. */
  message: string;
  /** The share's number in its set, when it holds one. */
  index: number | null;
  /** Typo repairs made in typed text (line and character). */
  repairs: string[];
}

/** All items at once: each one's verdict, and how many more are needed. */
export interface SharesReport {
  /** One per item, in order. */
  statuses: ShareStatus[];
  /** How many shares the set needs (k), once a share was read. */
  threshold: number | null;
  /** Distinct valid shares. */
  have: number;
  /** How many more are needed (0 when enough, or when the 24 words were given). */
  needed: number;
  /** True when the recovery secret can be rebuilt (enough valid shares, or the 24 words). */
  ready: boolean;
}

interface Read {
  item: ShareItem;
  frames: SourcedFrame[];
  shard: SourcedShard | null;
  status: ShareStatus;
}

/** The 24 words, when `text` is a valid recovery mnemonic. */
export function mnemonicOf(text: string): string | null {
  const words = normalizeMnemonic(text);
  return words.split(" ").length === 24 && isMnemonic(words) ? words : null;
}

function readItem(item: ShareItem): Read {
  const status = (state: ShareState, message: string): ShareStatus => ({
    label: item.label,
    state,
    message,
    index: null,
    repairs: [],
  });
  const only = item.inputs.length === 1 ? item.inputs[0]?.value : undefined;
  if (typeof only === "string" && mnemonicOf(only) !== null) {
    return {
      item,
      frames: [],
      shard: null,
      status: status("mnemonic", "the 24 words of the recovery secret: no shares are needed"),
    };
  }
  const frames: SourcedFrame[] = [];
  try {
    item.inputs.forEach((input, i) => {
      const value = typeof input.value === "string" ? framesPart(input.value) : input.value;
      if (!(typeof value === "string") && isLuksHead(value)) {
        throw new ParaduxError("usage", "this is a vault export, not a share: give it in step 2");
      }
      for (const f of framesOfInput(value, i + 1)) {
        frames.push({ ...f, where: f.where.replace(/^input \d+/, input.label) });
      }
    });
  } catch (e) {
    if (!isUserError(e)) throw e;
    const err = relabel(e, item.label) as ParaduxError;
    return { item, frames: [], shard: null, status: status("unreadable", err.message) };
  }
  const repairs = frames.map(repairWarning).filter((w): w is string => w !== null);
  const key = frames.find((f) => f.frame.type === "key");
  if (key === undefined) {
    const s = frames.length > 0
      ? status(
        "card",
        "no share in it: a recovery card or another paper document (it counts as no share)",
      )
      : status("unreadable", "no QR code or share text could be read from it");
    return { item, frames, shard: null, status: { ...s, repairs } };
  }
  let shard: SourcedShard;
  try {
    shard = sourcedShard(key.frame.data, item.label);
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { item, frames, shard: null, status: { ...status("unreadable", e.message), repairs } };
  }
  const index = shard.payload.shareIndex;
  if (
    !verifyShardPayload(shard.payload) ||
    !bytesEqual(key.frame.docId, shard.payload.hash.subarray(0, 8))
  ) {
    return {
      item,
      frames,
      shard,
      status: {
        ...status("forged", `share ${index}: its signature does not match: forged or damaged`),
        index,
        repairs,
      },
    };
  }
  return {
    item,
    frames,
    shard,
    status: { ...status("valid", `share ${index}: valid`), index, repairs },
  };
}

function mostCommon(keys: string[]): string | null {
  const count = new Map<string, number>();
  for (const k of keys) count.set(k, (count.get(k) ?? 0) + 1);
  let best: string | null = null;
  for (const [k, n] of count) if (best === null || n > (count.get(best) ?? 0)) best = k;
  return best;
}

const setOf = (s: SourcedShard) => toHex(s.payload.hash.subarray(0, 8));

function classify(items: readonly ShareItem[]): { reads: Read[]; ref: string | null } {
  const reads = items.map(readItem);
  const signed = reads.filter((r) => r.status.state === "valid" && r.shard !== null);
  const ref = mostCommon(signed.map((r) => setOf(r.shard!)));
  const signer = mostCommon(
    signed.filter((r) => setOf(r.shard!) === ref).map((r) => toHex(r.shard!.payload.pub)),
  );
  const seen = new Map<number, Read>();
  for (const r of signed) {
    const s = r.shard!;
    const index = s.payload.shareIndex;
    if (setOf(s) !== ref) {
      r.status = {
        ...r.status,
        state: "other-set",
        message: `share ${index} of another recovery secret (an older package, or another ` +
          "person's vault): leave it out",
      };
    } else if (toHex(s.payload.pub) !== signer) {
      r.status = {
        ...r.status,
        state: "forged",
        message: `share ${index}: signed by another key than the other shares: forged?`,
      };
    } else if (seen.has(index)) {
      const first = seen.get(index)!;
      const same = bytesEqual(first.shard!.payload.share, s.payload.share);
      r.status = same
        ? {
          ...r.status,
          state: "duplicate",
          message: `share ${index} again (already added as ${first.item.label}): it counts once`,
        }
        : {
          ...r.status,
          state: "conflict",
          message: `share ${index} differs from ${first.item.label}, which has the same ` +
            "number: one of them is damaged or forged",
        };
    } else seen.set(index, r);
  }
  for (const r of reads) {
    if (r.status.state !== "card" || ref === null) continue;
    const card = r.frames.find((f) => f.frame.type !== "key");
    if (card !== undefined && toHex(card.frame.docId) !== ref) {
      r.status = {
        ...r.status,
        state: "other-set",
        message: "a recovery card of another recovery secret: leave it out",
      };
    }
  }
  return { reads, ref };
}

/** The verdict on every item and how many more shares are needed. */
export function examineShares(items: readonly ShareItem[]): SharesReport {
  const { reads } = classify(items);
  const statuses = reads.map((r) => r.status);
  const valid = reads.filter((r) => r.status.state === "valid");
  const threshold = valid[0]?.shard?.payload.threshold ?? null;
  const have = valid.length;
  const words = statuses.some((s) => s.state === "mnemonic");
  const needed = words || threshold === null ? (words ? 0 : 2) : Math.max(0, threshold - have);
  return {
    statuses,
    threshold,
    have,
    needed: words ? 0 : needed,
    ready: words || (threshold !== null && have >= threshold),
  };
}

/**
 * Rebuilds the recovery secret from the valid shares (and the recovery cards of their set), or
 * takes the 24 words: reconstructSecret, exactly as `paradux recover` does.
 * @throws ParaduxError as reconstructSecret (too few shares, forged, another set).
 */
export async function rebuildSecret(items: readonly ShareItem[]): Promise<ReconstructedSecret> {
  const { reads, ref } = classify(items);
  const words = reads.find((r) => r.status.state === "mnemonic");
  if (words !== undefined) {
    const text = words.item.inputs[0]?.value;
    return await reconstructSecret([], { mnemonic: typeof text === "string" ? text : "" });
  }
  const use = reads.filter((r) =>
    r.status.state === "valid" || r.status.state === "duplicate" ||
    (r.status.state === "card" && ref !== null)
  );
  return await reconstructSecret(use.flatMap((r) => r.item.inputs));
}

/** The vault copy given in step 2: an export's bytes, or the paper copy of the metadata. */
export type VaultSource =
  | { kind: "export"; name: string; bytes: Uint8Array }
  | { kind: "paper"; name: string; inputs: LabelledInput[] };

/** What opening the vault copy gave. */
export interface OpenedVaultCopy {
  /** The documents. */
  docs: Documents;
  /** Things to know (typo repairs, ignored duplicates, no recovery card). */
  warnings: string[];
}

/**
 * Opens the vault copy with the rebuilt secret and checks it is this vault's (its recovery
 * secret; its key signed the shares), as `paradux recover --extract` does.
 */
export async function openVaultCopy(
  source: VaultSource,
  secret: ReconstructedSecret,
): Promise<OpenedVaultCopy> {
  if (source.kind === "export") {
    if (!isLuksHead(source.bytes)) {
      throw new ParaduxError("input", `${source.name} is not a vault export (a LUKS2 file)`, {
        hint: "the export is the file vault-export.luks from a metadata location or USB kit",
      });
    }
    const docs = await openExportBytes(source.bytes, secret.mnemonic, source.name);
    return {
      docs,
      warnings: [...secret.warnings, ...checkSourceDocs(docs, secret, false, source.name)],
    };
  }
  let paper;
  try {
    paper = await documentsFromPaper(source.inputs.map((i) => i.value), secret.mnemonic);
  } catch (e) {
    throw relabel(e, source.name);
  }
  return {
    docs: paper.docs,
    warnings: [
      ...secret.warnings,
      ...paper.warnings,
      ...checkSourceDocs(paper.docs, secret, false, source.name),
    ],
  };
}

/** Recovers a paper backup's files from its documents (scans and/or typed text). */
export async function recoverPaperBackup(
  items: readonly ShareItem[],
  passphrase: string,
): Promise<RecoveredBackup> {
  const inputs = items.flatMap((i) => i.inputs);
  return await recoverBackup({
    inputs: inputs.map((i) => i.value),
    labels: inputs.map((i) => i.label),
    ...(passphrase === "" ? {} : { passphrase }),
  });
}

/** One line (and a hint) for an error, for the page. */
export function explain(e: unknown): { error: string; hint?: string } {
  return failureOf(e);
}
