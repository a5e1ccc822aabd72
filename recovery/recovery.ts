/**
 * Recovery with the stewards' help: turn labelled inputs (package PDFs' codes, `.txt` twins,
 * typed text, a typed mnemonic) into the recovery mnemonic, verify the recovery card and every
 * share (authenticated unless `rescue`), prove the mnemonic opens a source (a vault export or
 * the paper copy of the metadata); installing it as the live vault is recovery/install.ts.
 *
 * Every refusal names the offending input by its label: forged shares (`auth`), shares of
 * another set or card (`mismatch`), conflicting duplicates (`input`), too few shares
 * (`insufficient`).
 * Opening an export uses Paradux's own LUKS2 engine: no root, no cryptsetup (the browser kit
 * runs this module).
 * @module
 */
import { blake2b256, bytesEqual, toHex } from "../crypto/hashes.ts";
import { isMnemonic, normalizeMnemonic } from "../crypto/bip39.ts";
import { ParaduxError } from "../errors.ts";
import { hasMarkers, markerKind, splitLines } from "../paper/format/fallback_text.ts";
import {
  framesOfInput,
  type LabelledInput,
  type RecoveryInput,
  repairWarning,
  type SourcedFrame,
} from "../paper/inputs.ts";
import {
  checkShardConsistency,
  checkShardSignatures,
  combineShardSet,
  type SourcedShard,
  sourcedShard,
} from "../paper/shards.ts";
import type { Documents } from "../vault/documents.ts";
import { type ReadCard, readRecoveryCard } from "../stewards/recovery_card.ts";
import { openVaultFile } from "../vault/vault.ts";
import { MAGIC_PRIMARY } from "../crypto/luks2/header.ts";

/** One labelled recovery input (paper/inputs.ts). */
export type { LabelledInput };

/** What {@link reconstructSecret} found. */
export interface ReconstructedSecret {
  /** The recovery mnemonic. */
  mnemonic: string;
  /** How: from shares, or given directly. */
  via: "shares" | "mnemonic";
  /** The shares used: index and label. */
  shares: { index: number; label: string }[];
  /** The recovery card, when its frames were among the inputs. */
  card: ReadCard | null;
  /** The key that signed the shares/card (hex), when known. */
  signer: string | null;
  /** True when every signature present verified (never in rescue mode); the signer must still
   * be checked against the source ({@link checkSourceDocs}). */
  authenticated: boolean;
  /** Typo repairs, ignored duplicates, rescue notes. */
  warnings: string[];
}

/** Text from the first frame marker on (a package `.txt` starts with a letter). */
export function framesPart(text: string): string {
  if (!hasMarkers(text)) return text;
  const lines = splitLines(text);
  const first = lines.findIndex((l) => markerKind(l) !== null);
  return lines.slice(first).join("\n");
}

/** A user error with "input N" in its message replaced by (or prefixed with) `label`. */
export function relabel(e: unknown, label: string): unknown {
  if (!(e instanceof ParaduxError)) return e;
  const message = e.message.replace(/^input \d+(, )?/, (_m, comma) => comma ? `${label}, ` : label);
  return new ParaduxError(e.kind, message.startsWith(label) ? message : `${label}: ${message}`, {
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    cause: e,
  });
}

/** The mnemonic an input is, when it is a typed mnemonic. */
function typedMnemonic(value: RecoveryInput): string | null {
  if (typeof value !== "string") return null;
  const words = normalizeMnemonic(value);
  return words.split(" ").length === 24 && isMnemonic(words) ? words : null;
}

interface Labelled<T> {
  item: T;
  label: string;
}

function framesOf(inputs: LabelledInput[]): Labelled<SourcedFrame>[] {
  const out: Labelled<SourcedFrame>[] = [];
  inputs.forEach((input, i) => {
    const value = typeof input.value === "string" ? framesPart(input.value) : input.value;
    try {
      for (const f of framesOfInput(value, i + 1)) {
        const where = f.where.replace(/^input \d+/, input.label);
        out.push({ item: { ...f, where }, label: input.label });
      }
    } catch (e) {
      throw relabel(e, input.label);
    }
  });
  return out;
}

/** The card ciphertext hash of each complete group of main frames, by doc id (hex). */
function cardHashes(frames: SourcedFrame[]): Map<string, Uint8Array> {
  const groups = new Map<string, SourcedFrame[]>();
  for (const f of frames.filter((f) => f.frame.type === "main")) {
    const key = `${toHex(f.frame.docId)}/${f.frame.total}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const out = new Map<string, Uint8Array>();
  for (const [key, group] of groups) {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < (group[0]?.frame.total ?? 0); i++) {
      const f = group.find((g) => g.frame.index === i);
      if (f === undefined) break;
      parts.push(f.frame.data);
    }
    if (parts.length !== group[0]?.frame.total) continue;
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      whole.set(p, off);
      off += p.length;
    }
    const hash = blake2b256(whole);
    if (toHex(hash.subarray(0, 8)) === key.split("/")[0]) out.set(toHex(hash.subarray(0, 8)), hash);
  }
  return out;
}

/** The card frames of one document (all groups with its doc id) as inputs. */
function cardInputs(frames: SourcedFrame[], docIdHex: string): RecoveryInput[] {
  return frames.filter((f) => f.frame.type !== "key" && toHex(f.frame.docId) === docIdHex)
    .filter((f, _i, all) => {
      // keep one complete group of main frames (codes and text twins have different totals)
      if (f.frame.type !== "main") return true;
      const total = all.find((g) => g.frame.type === "main")?.frame.total;
      return f.frame.total === total;
    })
    .map((f) => f.bytes);
}

function pickReference(shards: Labelled<SourcedShard>[], cards: Map<string, Uint8Array>): string {
  const count = new Map<string, number>();
  for (const s of shards) {
    const id = toHex(s.item.payload.hash.subarray(0, 8));
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  const ranked = [...count.entries()].sort((a, b) => b[1] - a[1]);
  const withCard = ranked.find(([id]) => cards.has(id));
  return (withCard ?? ranked[0] ?? [[...cards.keys()][0] ?? ""])[0] as string;
}

/**
 * Every input must hold a share or a part of the recovery card the shares belong to: anything
 * else (another set's card, a paper backup's QR document, the paper copy of the metadata) is
 * named (`mismatch`), never ignored.
 */
function checkEveryInputBelongs(
  frames: Labelled<SourcedFrame>[],
  inputs: LabelledInput[],
  refId: string,
): void {
  for (const label of new Set(inputs.map((i) => i.label))) {
    const own = frames.filter((f) => f.label === label);
    const belongs = own.some((f) =>
      f.item.frame.type === "key" || toHex(f.item.frame.docId) === refId
    );
    if (own.length > 0 && !belongs) {
      throw new ParaduxError(
        "mismatch",
        `${label}: no share of this set, and not its recovery card (a recovery card of ` +
          "another set, a paper backup's QR document or the paper copy of the metadata?)",
        {
          hint: "give only the stewards' packages as INPUTs; the paper copy of the metadata " +
            "goes to --from; a paper backup is recovered with 'paradux paper recover'",
        },
      );
    }
  }
}

/** `; share 1 was given 2 times (a.pdf, a.txt)` for each share given more than once, or "". */
function repeatedShares(list: readonly SourcedShard[]): string {
  const byIndex = new Map<number, string[]>();
  for (const s of list) {
    byIndex.set(s.payload.shareIndex, [...(byIndex.get(s.payload.shareIndex) ?? []), s.where]);
  }
  return [...byIndex.entries()].filter(([, w]) => w.length > 1).map(([i, w]) =>
    `; share ${i} was given ${w.length} times (${w.join(", ")}): one steward's package counts once`
  ).join("");
}

/**
 * Rebuilds the recovery mnemonic from shares (or takes a given/typed one) and verifies the
 * recovery card and shares.
 * @throws ParaduxError naming the offending input: `auth` (forged), `mismatch` (another set or
 *   card), `input` (conflicting duplicates), `insufficient` (too few shares).
 */
export async function reconstructSecret(
  inputs: LabelledInput[],
  options: { mnemonic?: string; rescue?: boolean } = {},
): Promise<ReconstructedSecret> {
  const rescue = options.rescue ?? false;
  const warnings: string[] = [];
  let given = options.mnemonic === undefined ? null : normalizeMnemonic(options.mnemonic);
  const frameInputs: LabelledInput[] = [];
  for (const input of inputs) {
    const typed = typedMnemonic(input.value);
    if (typed !== null) given = typed;
    else frameInputs.push(input);
  }
  if (given !== null && !isMnemonic(given)) {
    throw new ParaduxError("input", "the recovery secret is not a valid 24-word mnemonic", {
      hint: "check the words and their order",
    });
  }
  const frames = framesOf(frameInputs);
  for (const f of frames) {
    const w = repairWarning(f.item);
    if (w) warnings.push(w);
  }
  const cards = cardHashes(frames.map((f) => f.item));
  const shards = frames.filter((f) => f.item.frame.type === "key").map((f) => {
    const s = sourcedShard(f.item.frame.data, f.label);
    if (!bytesEqual(f.item.frame.docId, s.payload.hash.subarray(0, 8))) {
      throw new ParaduxError("input", `${f.label}: the share's frame does not match its card`);
    }
    return { item: s, label: f.label };
  });
  let mnemonic: string;
  let used: { index: number; label: string }[] = [];
  let signer: string | null = null;
  let signed = true;
  let refId = pickReference(shards, cards);
  if (given === null) checkEveryInputBelongs(frames, frameInputs, refId);
  if (given !== null) {
    mnemonic = given;
    if (shards.length > 0) warnings.push("the recovery secret was given; the shares were not used");
  } else {
    if (shards.length === 0) {
      throw new ParaduxError("insufficient", "no shares and no recovery secret among the inputs", {
        hint: "give the stewards' packages (pdf, scans or package.txt), or --secret-file",
      });
    }
    const refHash = cards.get(refId);
    for (const s of shards) {
      const id = toHex(s.item.payload.hash.subarray(0, 8));
      if (id !== refId) {
        throw new ParaduxError(
          "mismatch",
          `${s.label}: share of another set or vault (it belongs to recovery card ${id}, ` +
            `the others to ${refId})`,
          { hint: "leave out shares from older packages or other people's vaults" },
        );
      }
    }
    const list = shards.map((s) => s.item);
    let consistent;
    try {
      consistent = checkShardConsistency(
        list,
        refHash === undefined ? { rescue } : {
          hash: refHash,
          rescue,
        },
      );
    } catch (e) {
      if (e instanceof ParaduxError && e.kind === "insufficient") {
        const k = list[0]?.payload.threshold ?? 0;
        const distinct = new Set(list.map((s) => s.payload.shareIndex)).size;
        throw new ParaduxError(
          "insufficient",
          `need ${k} shares, have ${distinct} (from ${
            [...new Set(list.map((s) => s.where))].join(", ")
          })${repeatedShares(list)}`,
          {
            hint: `find ${k - distinct} more steward package${
              k - distinct === 1 ? "" : "s"
            } of the same set`,
          },
        );
      }
      throw e;
    }
    warnings.push(...consistent.warnings);
    const sig = checkShardSignatures(consistent.distinct, { rescue });
    warnings.push(...sig.warnings);
    signed = sig.signed;
    const payloads = consistent.distinct.map((d) => d.payload);
    const bytes = combineShardSet(payloads);
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    if (!isMnemonic(text)) {
      throw new ParaduxError("auth", "the shares do not combine to a valid recovery secret", {
        hint: "one of them may be damaged or forged; try another combination of packages",
      });
    }
    mnemonic = text;
    used = consistent.distinct.map((d) => ({ index: d.payload.shareIndex, label: d.where }));
    signer = toHex(payloads[0]?.pub ?? new Uint8Array());
  }
  let card: ReadCard | null = null;
  if (cards.size > 0) {
    if (given !== null) refId = [...cards.keys()][0] as string;
    for (const id of cards.keys()) {
      if (id !== refId) {
        const f = frames.find((x) => toHex(x.item.frame.docId) === id);
        throw new ParaduxError(
          "mismatch",
          `${
            f?.label ?? "an input"
          }: recovery card of another set (${id}, the shares use ${refId})`,
        );
      }
    }
    card = await readRecoveryCard(cardInputs(frames.map((f) => f.item), refId), mnemonic, rescue);
    warnings.push(...card.warnings.filter((w) => !/typo repaired/.test(w)));
    const cardSigner = card.signerPub === null ? null : toHex(card.signerPub);
    if (signer !== null && cardSigner !== signer) {
      if (!rescue) {
        throw new ParaduxError(
          "auth",
          "the recovery card and the shares are signed by different keys",
        );
      }
      warnings.push("the recovery card and the shares are signed by different keys (rescue mode)");
    }
    signer ??= cardSigner;
    signed = signed && card.authenticated;
  } else if (frames.length > 0 || given === null) {
    warnings.push("no recovery card among the inputs: the secret is checked against the source");
  }
  return {
    mnemonic,
    via: given !== null ? "mnemonic" : "shares",
    shares: used,
    card,
    signer,
    authenticated: !rescue && signed,
    warnings,
  };
}

/** What a source gave. */
export interface OpenedSource {
  /** The documents inside. */
  docs: Documents;
  /** "export" (a LUKS2 vault export) or "paper" (the paper copy of the metadata). */
  kind: "export" | "paper";
  /** The export file (for `--install`), when kind is "export". */
  exportPath: string | null;
}

/** True when bytes start with the LUKS magic (a vault export). */
export function isLuksHead(head: Uint8Array): boolean {
  return head.length >= MAGIC_PRIMARY.length && MAGIC_PRIMARY.every((b, i) => head[i] === b);
}

/** True when the file starts with the LUKS magic. */
export async function isLuksFile(path: string): Promise<boolean> {
  const f = await Deno.open(path, { read: true });
  try {
    const head = new Uint8Array(MAGIC_PRIMARY.length);
    const n = (await f.read(head)) ?? 0;
    return isLuksHead(head.subarray(0, n));
  } finally {
    f.close();
  }
}

/**
 * Checks that `mnemonic` opens the documents of a source and that they are this vault's
 * (its recovery secret; its signing key signed the shares, unless `rescue`).
 */
export function checkSourceDocs(
  docs: Documents,
  secret: ReconstructedSecret,
  rescue: boolean,
  where: string,
): string[] {
  const warnings: string[] = [];
  if (docs.secrets.recoveryMnemonic !== secret.mnemonic) {
    throw new ParaduxError("auth", `${where} belongs to another recovery secret`, {
      hint: "use a vault export made after the stewards' packages",
    });
  }
  if (secret.signer !== null && secret.signer !== docs.secrets.signingPublicKey) {
    if (!rescue) {
      throw new ParaduxError("auth", `the shares were not signed by the key of ${where}`, {
        hint: "they may be forged; --rescue relaxes this check if you trust them",
      });
    }
    warnings.push(`the shares were not signed by the key of ${where} (rescue mode)`);
  }
  return warnings;
}

/** Opens a vault export with the mnemonic (LUKS2 engine: no root, no cryptsetup). */
export async function openExport(path: string, mnemonic: string): Promise<Documents> {
  try {
    return (await openVaultFile(path, new TextEncoder().encode(mnemonic))).docs;
  } catch (e) {
    if (e instanceof ParaduxError && e.kind === "auth") {
      throw new ParaduxError("auth", `the recovery secret does not open ${path}`, {
        hint: "is it an export of this vault, made with the current recovery secret?",
        cause: e,
      });
    }
    if (e instanceof ParaduxError && e.kind === "input") {
      throw new ParaduxError("input", `${path} is damaged: ${e.message}`, {
        hint: "use the vault export from another metadata location",
        cause: e,
      });
    }
    throw e;
  }
}
