/**
 * The drill: a rehearsal of recovery that touches no live data. It proves, with the live vault
 * open, that:
 * - k stewards' package texts give the recovery secret, signed by the vault's key;
 * - every metadata location holds a copy (`vault-export.luks`) that opens with that secret,
 *   has no everyday keyslot left, and holds the same documents as the live vault (current);
 * - both on the survivor's path (recovery/survivor_path.ts: the inputs read, the shares verified
 *   and combined, the copy opened exactly as `paradux recover` does);
 * - every destination of every dataset is reachable, has a recent snapshot, passes the
 *   protocol's own check where it has one (`restic check`, the parts' hashes of encrypted
 *   archives), and a restore into a temporary directory matches the local copy: the file list
 *   in full, and the contents of a sample of files.
 *
 * Each check is one row of the report with its own message; one failing row never stops the
 * others. Downloads and restores go to private temporary directories removed afterwards.
 * @module
 */
import { join } from "node:path";
import { parseLuks2Header } from "../crypto/luks2/mod.ts";
import { failureOf, ParaduxError } from "../errors.ts";
import {
  type Location,
  locationOf,
  type ProtocolSpec,
  type Snapshot,
  type TransferContext,
} from "../protocols/protocol.ts";
import { protocolFor } from "../protocols/lookup.ts";
import { makePrivateDir, withPrivateDir } from "../system/private_dir.ts";
import { secretFromPackages } from "./drill_shares.ts";
import type { ReconstructedSecret } from "../recovery/recovery.ts";
import { type RecoveryPath, SURVIVOR_PATH } from "../recovery/survivor_path.ts";
import { walkTree } from "../system/tree.ts";
import {
  type Dataset,
  type Destination,
  DOCUMENT_NAMES,
  type DocumentName,
  type Documents,
} from "../vault/documents.ts";
import { allDataKeys } from "../datasets/data_keys.ts";
import { encryptedSnapshots, restoreEncrypted } from "../datasets/encrypted.ts";
import { EXPORT_NAME } from "../vault/publish.ts";
import { EVERYDAY_SLOT } from "../vault/vault.ts";

/** What a row checks. */
export type DrillArea = "metadata" | "shares" | "destination";

/** Why a row failed: stable codes for scripts and tests. */
export type DrillFailure =
  | "missing-metadata-copy"
  | "unreachable-metadata-location"
  | "corrupted-export"
  | "stale-metadata-copy"
  | "shares"
  | "unreachable-destination"
  | "no-snapshot"
  | "old-snapshot"
  | "check-failed"
  | "altered-files";

/** One row of the drill's table. */
export interface DrillCheck {
  /** What kind of check. */
  area: DrillArea;
  /** What was checked: a metadata location name, `DATASET/DESTINATION`, or `shares`. */
  name: string;
  /** True when it passed. */
  ok: boolean;
  /** The failure's code, when it failed. */
  failure?: DrillFailure;
  /** One line: what was proved, or what is wrong. */
  message: string;
  /** What to do about a failure. */
  hint?: string;
}

/** The whole drill. */
export interface DrillReport {
  /** ISO time of the drill. */
  time: string;
  /** Every check, metadata first, then shares, then destinations. */
  checks: DrillCheck[];
  /** True when every check passed. */
  ok: boolean;
}

/** Destination operations the drill needs; the defaults use the location's protocol. */
export interface DestinationOps {
  /** Snapshots held (throws when unreachable). */
  snapshots(dataset: Dataset, dest: Destination, ctx: TransferContext): Promise<Snapshot[]>;
  /** The protocol's own integrity check, when it has one (throws on failure). */
  verify?(dataset: Dataset, dest: Destination, ctx: TransferContext): Promise<string | void>;
  /** Restores the newest snapshot into the empty directory `dir`. */
  restore(dataset: Dataset, dest: Destination, dir: string, ctx: TransferContext): Promise<void>;
}

/** Options of {@link runDrill}. */
export interface DrillOptions {
  /** The time the drill runs (default now). */
  now?: Date;
  /** Finds a URL's protocol (default the registry). */
  lookup?: (url: string) => ProtocolSpec;
  /** The survivor's path the drill runs (default {@link SURVIVOR_PATH}; tests break a step). */
  recovery?: RecoveryPath;
  /** Destination operations (default: {@link defaultDestinationOps}). */
  destinations?: (dest: Destination) => DestinationOps;
  /** Files compared by content per destination (default {@link DEFAULT_SAMPLE}). */
  sample?: number;
  /** Called as each check starts. */
  onCheck?: (area: DrillArea, name: string) => void;
}

/** Files compared by content per destination. */
export const DEFAULT_SAMPLE = 20;

const HOUR = 3600_000;

/**
 * How old the newest snapshot of a destination may be: twice its frequency (a missed run is
 * tolerated, two are not); 31 days for a custom calendar expression.
 */
export function maxSnapshotAgeMs(frequency: string): number {
  switch (frequency) {
    case "hourly":
      return 2 * HOUR;
    case "daily":
      return 48 * HOUR;
    case "weekly":
      return 14 * 24 * HOUR;
    case "monthly":
      return 62 * 24 * HOUR;
    default:
      return 31 * 24 * HOUR;
  }
}

/** Human age: `3h`, `2d`, `40m`. */
export function formatAge(ms: number): string {
  if (ms >= 48 * HOUR) return `${Math.floor(ms / (24 * HOUR))}d`;
  if (ms >= HOUR) return `${Math.floor(ms / HOUR)}h`;
  return `${Math.max(0, Math.floor(ms / 60_000))}m`;
}

/** The documents that differ between two sets (in document order). */
export function differingDocuments(a: Documents, b: Documents): DocumentName[] {
  return DOCUMENT_NAMES.filter((n) => JSON.stringify(a[n]) !== JSON.stringify(b[n]));
}

/** True when a vault export's LUKS2 header still has the everyday keyslot. */
function hasEverydaySlot(file: Uint8Array): boolean {
  return Object.hasOwn(parseLuks2Header(file).json.keyslots, String(EVERYDAY_SLOT));
}

function fail(
  area: DrillArea,
  name: string,
  failure: DrillFailure,
  message: string,
  hint?: string,
): DrillCheck {
  return hint === undefined
    ? { area, name, ok: false, failure, message }
    : { area, name, ok: false, failure, message, hint };
}

function pass(area: DrillArea, name: string, message: string): DrillCheck {
  return { area, name, ok: true, message };
}

/** Checks the copy at one metadata location. */
export async function checkMetadataLocation(
  docs: Documents,
  m: { name: string; url: string; credentials?: Record<string, string> },
  lookup: (url: string) => ProtocolSpec,
  now: Date,
  secret: ReconstructedSecret,
  path: RecoveryPath = SURVIVOR_PATH,
): Promise<DrillCheck> {
  const area = "metadata";
  return await withPrivateDir(async (dir) => {
    const file = dir.path(EXPORT_NAME);
    try {
      const protocol = lookup(m.url);
      await protocol.download(locationOf(m), EXPORT_NAME, file, { privateDir: dir.dir, now });
    } catch (e) {
      const f = failureOf(e);
      if (e instanceof ParaduxError && e.kind === "not-found") {
        return fail(
          area,
          m.name,
          "missing-metadata-copy",
          `missing metadata copy: ${f.error}`,
          "run 'paradux publish-metadata'",
        );
      }
      return fail(
        area,
        m.name,
        "unreachable-metadata-location",
        `metadata location unreachable: ${f.error}`,
        f.hint ?? "check the location and its credentials",
      );
    }
    let copy: Documents;
    try {
      if (hasEverydaySlot(await Deno.readFile(file))) {
        throw new ParaduxError("input", "it still has the everyday keyslot");
      }
      copy = (await path.open(file, secret)).docs;
    } catch (e) {
      if (!(e instanceof ParaduxError)) throw e;
      return fail(
        area,
        m.name,
        "corrupted-export",
        `corrupted export at ${m.name}: ${e.message}`,
        "run 'paradux publish-metadata' to replace it (a copy made before the recovery secret " +
          "changed fails the same way); the other locations still serve",
      );
    }
    const differ = differingDocuments(docs, copy);
    if (differ.length > 0) {
      return fail(
        area,
        m.name,
        "stale-metadata-copy",
        `stale metadata copy: ${differ.join(", ")} differ from the live vault`,
        "run 'paradux publish-metadata'",
      );
    }
    return pass(area, m.name, "opens with the recovery secret and is current");
  });
}

/** Destination operations straight through the protocol (unencrypted destinations). */
export function plainDestinationOps(
  lookup: (url: string) => ProtocolSpec,
): (dest: Destination) => DestinationOps {
  return (dest) => {
    const location: Location = locationOf(dest);
    const protocol = () => lookup(dest.url);
    const ops: DestinationOps = {
      snapshots: (_ds, _d, ctx) => protocol().snapshots(location, ctx),
      restore: async (_ds, _d, dir, ctx) => {
        await protocol().restore(location, dir, ctx);
      },
    };
    let hasCheck = false;
    try {
      hasCheck = protocol().check !== undefined;
    } catch {
      // an unknown scheme: the snapshots call reports it in the drill's table
    }
    if (hasCheck) {
      ops.verify = (_ds, _d, ctx) => {
        const p = protocol();
        return p.check === undefined ? Promise.resolve() : p.check(location, ctx);
      };
    }
    return ops;
  };
}

/**
 * Operations for an encrypted destination: snapshots are the complete sealed archives; a
 * restore checks every part's SHA-256 against the manifest, then decrypts with the vault's
 * data keys (every generation).
 */
export function encryptedDestinationOps(
  docs: Documents,
  lookup: (url: string) => ProtocolSpec,
): (dest: Destination) => DestinationOps {
  const identities = allDataKeys(docs.secrets).map((k) => ({
    generation: k.generation,
    identity: k.identity,
  }));
  return (dest) => {
    const location: Location = locationOf(dest);
    return {
      snapshots: (_ds, _d, ctx) => encryptedSnapshots(location, lookup(dest.url), ctx),
      restore: async (_ds, _d, dir, ctx) => {
        await restoreEncrypted(location, lookup(dest.url), identities, dir, ctx);
      },
    };
  };
}

/** Encrypted ops for `encrypt: true` destinations, plain protocol calls for the others. */
export function defaultDestinationOps(
  docs: Documents,
  lookup: (url: string) => ProtocolSpec,
): (dest: Destination) => DestinationOps {
  const plain = plainDestinationOps(lookup);
  const sealed = encryptedDestinationOps(docs, lookup);
  return (dest) => (dest.encrypt === true ? sealed(dest) : plain(dest));
}

/** Every regular file and symlink under `root`, as relative paths, sorted. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of walkTree(root)) if (!e.entry.isDirectory) out.push(e.rel);
  return out.sort();
}

/** Picks up to `n` items spread evenly over the list (all when it is short). */
export function sampleOf<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)] as T);
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = [await Deno.lstat(a), await Deno.lstat(b)];
  if (sa.isSymlink || sb.isSymlink) {
    return sa.isSymlink && sb.isSymlink && (await Deno.readLink(a)) === (await Deno.readLink(b));
  }
  if (sa.size !== sb.size) return false;
  const [fa, fb] = [await Deno.open(a), await Deno.open(b)];
  try {
    const [ba, bb] = [new Uint8Array(1 << 20), new Uint8Array(1 << 20)];
    for (;;) {
      const na = await readFull(fa, ba);
      const nb = await readFull(fb, bb);
      if (na !== nb) return false;
      for (let i = 0; i < na; i++) if (ba[i] !== bb[i]) return false;
      if (na < ba.length) return true;
    }
  } finally {
    fa.close();
    fb.close();
  }
}

async function readFull(f: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const got = await f.read(buf.subarray(n));
    if (got === null) break;
    n += got;
  }
  return n;
}

/**
 * Compares a restored tree with the local copy: the whole file list, and the contents of a
 * sample. Returns the problems (empty when they match).
 */
export async function compareWithLocal(
  restored: string,
  local: string,
  sample: number,
): Promise<string[]> {
  const [got, want] = [await listTree(restored), await listTree(local)];
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  const problems: string[] = [];
  const missing = want.filter((p) => !gotSet.has(p));
  const extra = got.filter((p) => !wantSet.has(p));
  if (missing.length > 0) problems.push(`missing ${list(missing)}`);
  if (extra.length > 0) problems.push(`not in the local copy ${list(extra)}`);
  const changed: string[] = [];
  for (const p of sampleOf(want.filter((x) => gotSet.has(x)), sample)) {
    if (!(await sameFile(join(restored, p), join(local, p)))) changed.push(p);
  }
  if (changed.length > 0) problems.push(`different content ${list(changed)}`);
  return problems;
}

function list(paths: string[]): string {
  const shown = paths.slice(0, 3).map((p) => JSON.stringify(p)).join(", ");
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}

/** Checks one destination of a dataset. */
export async function checkDestination(
  dataset: Dataset,
  dest: Destination,
  ops: DestinationOps,
  now: Date,
  sample: number,
): Promise<DrillCheck> {
  const area = "destination";
  const name = `${dataset.name}/${dest.name}`;
  const scratch = await makePrivateDir("paradux-drill-");
  const ctx: TransferContext = { privateDir: scratch.dir, now };
  try {
    let snaps: Snapshot[];
    try {
      snaps = await ops.snapshots(dataset, dest, ctx);
    } catch (e) {
      const f = failureOf(e);
      return fail(
        area,
        name,
        "unreachable-destination",
        `unreachable destination: ${f.error}`,
        f.hint ?? "check the destination and its credentials",
      );
    }
    const newest = snaps.at(-1);
    if (newest === undefined) {
      return fail(
        area,
        name,
        "no-snapshot",
        "the destination holds no snapshot",
        `run 'paradux backup ${dataset.name}'`,
      );
    }
    const age = now.getTime() - Date.parse(newest.time);
    if (age > maxSnapshotAgeMs(dest.frequency)) {
      return fail(
        area,
        name,
        "old-snapshot",
        `newest snapshot is ${formatAge(age)} old (${dest.frequency})`,
        `check the timer and run 'paradux backup ${dataset.name}'`,
      );
    }
    let verified = "";
    if (ops.verify !== undefined) {
      try {
        verified = (await ops.verify(dataset, dest, ctx)) ?? "";
      } catch (e) {
        const f = failureOf(e);
        return fail(
          area,
          name,
          "check-failed",
          `integrity check failed: ${f.error}`,
          f.hint ?? "back up again to a fresh destination",
        );
      }
    }
    // on disk, not in the private (tmpfs) directory: a dataset may be larger than memory
    const restoreDir = await Deno.makeTempDir({ prefix: "paradux-drill-restore-" });
    await Deno.chmod(restoreDir, 0o700);
    try {
      return await restoreAndCompare(dataset, dest, ops, ctx, restoreDir, sample, age, verified);
    } finally {
      await Deno.remove(restoreDir, { recursive: true }).catch(() => {});
    }
  } finally {
    await scratch.remove();
  }
}

async function restoreAndCompare(
  dataset: Dataset,
  dest: Destination,
  ops: DestinationOps,
  ctx: TransferContext,
  restoreDir: string,
  sample: number,
  age: number,
  verified: string,
): Promise<DrillCheck> {
  const area = "destination";
  const name = `${dataset.name}/${dest.name}`;
  {
    try {
      await ops.restore(dataset, dest, restoreDir, ctx);
    } catch (e) {
      const f = failureOf(e);
      if (e instanceof ParaduxError && (e.kind === "input" || e.kind === "auth")) {
        return fail(
          area,
          name,
          "altered-files",
          `altered files at the destination: ${f.error}`,
          `run 'paradux backup ${dataset.name}' and find out who changed them`,
        );
      }
      return fail(
        area,
        name,
        "check-failed",
        `restore failed: ${f.error}`,
        f.hint ?? "back up again",
      );
    }
    const problems = await compareWithLocal(restoreDir, dataset.localCopy, sample);
    if (problems.length > 0) {
      return fail(
        area,
        name,
        "altered-files",
        `altered files at the destination: ${problems.join("; ")}`,
        `run 'paradux backup ${dataset.name}' and find out who changed them`,
      );
    }
    return pass(
      area,
      name,
      `reachable, newest snapshot ${formatAge(age)} old${
        verified === "" ? "" : `, ${verified}`
      }, restore matches the local copy`,
    );
  }
}

/** Runs every check of the drill. Never throws for a failing check: it becomes a row. */
export async function runDrill(docs: Documents, options: DrillOptions = {}): Promise<DrillReport> {
  const now = options.now ?? new Date();
  const lookup = options.lookup ?? protocolFor;
  const sample = options.sample ?? DEFAULT_SAMPLE;
  const destOps = options.destinations ?? defaultDestinationOps(docs, lookup);
  const checks: DrillCheck[] = [];
  const locations = docs["metadata-locations"].locations;
  if (locations.length === 0) {
    checks.push(
      fail(
        "metadata",
        "(none)",
        "missing-metadata-copy",
        "no metadata location is defined",
        "add one with 'paradux edit-metadata-locations'",
      ),
    );
  }
  const path = options.recovery ?? SURVIVOR_PATH;
  options.onCheck?.("shares", "shares");
  const shares = await checkShares(docs, path);
  // The exports are opened with the secret the shares gave; when they gave none, with the
  // mnemonic typed in (the survivor's other way).
  const secret = shares.secret ??
    await path.secret([], { mnemonic: docs.secrets.recoveryMnemonic }).catch(() => null);
  for (const m of locations) {
    options.onCheck?.("metadata", m.name);
    checks.push(
      secret === null
        ? fail("metadata", m.name, "corrupted-export", "the recovery secret could not be rebuilt")
        : await checkMetadataLocation(docs, m, lookup, now, secret, path),
    );
  }
  checks.push(shares.check);
  for (const dataset of docs.datasets.datasets) {
    for (const dest of dataset.destinations) {
      options.onCheck?.("destination", `${dataset.name}/${dest.name}`);
      checks.push(await checkDestination(dataset, dest, destOps(dest), now, sample));
    }
  }
  return { time: now.toISOString(), checks, ok: checks.every((c) => c.ok) };
}

async function checkShares(
  docs: Documents,
  path: RecoveryPath,
): Promise<{ check: DrillCheck; secret?: ReconstructedSecret }> {
  const k = docs.secrets.threshold;
  const rotate = "rotate the recovery secret: paradux change-secrets --recovery";
  try {
    const got = await secretFromPackages(docs, path);
    if (got.mnemonic !== docs.secrets.recoveryMnemonic) {
      return {
        check: fail(
          "shares",
          "shares",
          "shares",
          `${k} stewards' shares give another secret`,
          rotate,
        ),
      };
    }
    if (!got.authenticated || got.signer !== docs.secrets.signingPublicKey) {
      return {
        check: fail(
          "shares",
          "shares",
          "shares",
          "the shares are not signed by the vault's key",
          rotate,
        ),
      };
    }
    return {
      check: pass("shares", "shares", `${k} stewards' package texts recover the secret`),
      secret: got,
    };
  } catch (e) {
    const f = failureOf(e);
    return {
      check: fail(
        "shares",
        "shares",
        "shares",
        `the shares do not reconstruct the secret: ${f.error}`,
        f.hint ?? rotate,
      ),
    };
  }
}
