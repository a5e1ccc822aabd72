/**
 * Encrypted destinations (`encrypt: true` on a location of a protocol that stores plain files):
 * every push writes one sealed snapshot archive (protocols/_archive.ts: tar | gzip | age to the
 * vault's X25519 recipients, cut into hashed parts, plus `manifest.json`) under a dated
 * directory at the location, then keeps the newest `keep` snapshots.
 *
 * - {@link pushEncrypted}: archive + upload + prune. By default each part is uploaded as soon
 *   as it is complete and then removed locally (`upload` of `<id>/<part>`), so neither memory
 *   nor local disk grows with the dataset; `manifest.json` goes last, so a directory with a
 *   readable manifest is a complete snapshot. `wholeDir: true` stages the whole archive and
 *   sends it with `putDir` instead.
 * - {@link encryptedSnapshots}: the complete snapshots at a location (valid manifest only).
 * - {@link restoreEncrypted}: fetch (`getDir`), verify every part's SHA-256, decrypt with the
 *   identity of the archive's key generation, extract. Nothing is left in the target when a part
 *   is missing or damaged.
 *
 * Nothing here needs the identity except restoring: unattended jobs pass only recipients.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import {
  type ArchiveManifest,
  extractArchive,
  readManifest,
  snapshotId,
  writeArchive,
} from "../protocols/_archive.ts";
import type {
  Location,
  ProtocolSpec,
  Snapshot,
  TransferContext,
  TransferStats,
} from "../protocols/_protocol.ts";

/** The snapshot directory names Paradux makes (`20261124T094500Z`). */
export const SNAPSHOT_DIR = /^\d{8}T\d{6}Z$/;

/** Options of {@link pushEncrypted}. */
export interface EncryptedPushOptions {
  /** Generation of the data key the recipients belong to (recorded in the manifest). */
  keyGeneration: number;
  /** How many complete snapshots to keep after a successful push (default: all). */
  keep?: number;
  /** Maximum part size in bytes (default 64 MiB). */
  partSize?: number;
  /** Where the archive is staged (default: `ctx.privateDir`). */
  stagingDir?: string;
  /** Stage the whole archive and send it with `putDir` (default: part by part with `upload`). */
  wholeDir?: boolean;
}

/** One complete encrypted snapshot at a location. */
export interface EncryptedSnapshot extends Snapshot {
  /** Data key generation it is encrypted to. */
  keyGeneration: number;
  /** Number of parts. */
  parts: number;
  /** Total size of the parts in bytes. */
  bytes: number;
}

/** What {@link pushEncrypted} did. */
export interface EncryptedPushResult extends TransferStats {
  /** The new snapshot. */
  snapshot: EncryptedSnapshot;
  /** Its manifest. */
  manifest: ArchiveManifest;
  /** Snapshot directories removed by pruning (old complete ones and older incomplete ones). */
  removed: string[];
}

/** An identity with the data key generation it belongs to. */
export interface KeyedIdentity {
  /** Data key generation. */
  generation: number;
  /** `AGE-SECRET-KEY-1...`. */
  identity: string;
}

type DirProtocol =
  & ProtocolSpec
  & Required<
    Pick<ProtocolSpec, "putDir" | "getDir" | "listDirs" | "removeDir">
  >;

/**
 * The protocol, checked to store plain files with the dir operations.
 * @throws ParaduxError `usage` when it cannot hold encrypted archives.
 */
export function encryptingProtocol(protocol: ProtocolSpec): DirProtocol {
  const p = protocol;
  if (!p.storesPlainFiles || !p.putDir || !p.getDir || !p.listDirs || !p.removeDir) {
    throw new ParaduxError("usage", `the ${p.name} protocol cannot hold encrypted archives`, {
      hint: p.storesPlainFiles
        ? "this protocol lacks the directory operations"
        : `${p.name} encrypts by itself: remove "encrypt" from this destination`,
    });
  }
  return p as DirProtocol;
}

function toSnapshot(m: ArchiveManifest): EncryptedSnapshot {
  return {
    id: m.snapshot,
    time: m.created,
    keyGeneration: m.keyGeneration,
    parts: m.parts.length,
    bytes: m.totalBytes,
  };
}

async function tempIn(base: string, prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ dir: base, prefix });
  await Deno.chmod(dir, 0o700);
  return dir;
}

/** The manifest of snapshot dir `name`, or undefined when it has none or a bad one. */
async function remoteManifest(
  p: DirProtocol,
  location: Location,
  name: string,
  ctx: TransferContext,
): Promise<ArchiveManifest | undefined> {
  const tmp = await tempIn(ctx.privateDir, "manifest-");
  try {
    await p.download(location, `${name}/manifest.json`, join(tmp, "manifest.json"), ctx);
    const m = await readManifest(tmp);
    return m.snapshot === name ? m : undefined;
  } catch (e) {
    if (e instanceof ParaduxError && (e.kind === "not-found" || e.kind === "input")) {
      return undefined;
    }
    throw e;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

interface Listing {
  complete: ArchiveManifest[];
  incomplete: string[];
}

async function listing(p: DirProtocol, location: Location, ctx: TransferContext): Promise<Listing> {
  const names = (await p.listDirs(location, ctx)).filter((n) => SNAPSHOT_DIR.test(n)).sort();
  const out: Listing = { complete: [], incomplete: [] };
  for (const name of names) {
    const m = await remoteManifest(p, location, name, ctx);
    if (m === undefined) out.incomplete.push(name);
    else out.complete.push(m);
  }
  return out;
}

/** The complete encrypted snapshots at a location, oldest first. */
export async function encryptedSnapshots(
  location: Location,
  protocol: ProtocolSpec,
  ctx: TransferContext,
): Promise<EncryptedSnapshot[]> {
  return (await listing(encryptingProtocol(protocol), location, ctx)).complete.map(toSnapshot);
}

/** The time a snapshot id stands for. */
export function snapshotTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(id);
  if (m === null) throw new ParaduxError("input", `not a snapshot id: ${id}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/**
 * The time for a new snapshot: `now`, or one second after the newest existing id when that is
 * not older (ids have one-second resolution and must sort after every existing one).
 */
export function nextSnapshotTime(now: Date, existing: readonly string[]): Date {
  const newest = [...existing].sort().at(-1);
  if (newest === undefined || snapshotId(now) > newest) return now;
  return new Date(snapshotTime(newest).getTime() + 1000);
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) n += await countFiles(join(dir, e.name));
    else n++;
  }
  return n;
}

/**
 * Archives `dir` encrypted to `recipients`, uploads it as a new snapshot, reads its manifest
 * back, then prunes to `keep` complete snapshots (and removes incomplete snapshot directories
 * older than the newest complete one: leftovers of interrupted pushes).
 * @throws ParaduxError `usage` for a protocol without dir operations, `tool-failed` when the
 * transfer fails or the new snapshot cannot be read back (then nothing is pruned).
 */
export async function pushEncrypted(
  dir: string,
  location: Location,
  protocol: ProtocolSpec,
  recipients: readonly string[],
  ctx: TransferContext,
  options: EncryptedPushOptions,
): Promise<EncryptedPushResult> {
  const p = encryptingProtocol(protocol);
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1)) {
    throw new ParaduxError("usage", `keep must be a whole number of at least 1`);
  }
  const before = await listing(p, location, ctx);
  const now = nextSnapshotTime(ctx.now, [
    ...before.incomplete,
    ...before.complete.map((m) => m.snapshot),
  ]);
  const id = snapshotId(now);
  const stage = await tempIn(options.stagingDir ?? ctx.privateDir, "stage-");
  const snapDir = join(stage, id);
  let sent = 0;
  try {
    const manifest = await writeArchive({
      sourceDir: dir,
      snapshotDir: snapDir,
      recipients: [...recipients],
      keyGeneration: options.keyGeneration,
      now,
      ...(options.partSize === undefined ? {} : { partSize: options.partSize }),
      ...(options.wholeDir === true ? {} : {
        onPart: async (part, path) => {
          await p.upload(location, path, `${id}/${part.name}`, ctx);
          await Deno.remove(path);
          sent += part.bytes;
          ctx.progress?.({ bytes: sent, current: part.name });
        },
      }),
    });
    if (options.wholeDir === true) await p.putDir(snapDir, location, id, ctx);
    else await p.upload(location, join(snapDir, "manifest.json"), `${id}/manifest.json`, ctx);
    ctx.progress?.({ bytes: manifest.totalBytes, totalBytes: manifest.totalBytes });
    const back = await remoteManifest(p, location, id, ctx);
    if (back === undefined || JSON.stringify(back) !== JSON.stringify(manifest)) {
      throw new ParaduxError("tool-failed", `snapshot ${id} cannot be read back after the push`, {
        hint: "check the destination; nothing old was removed",
      });
    }
    const removed = await prune(p, location, ctx, id, before, options.keep);
    return {
      bytes: manifest.totalBytes,
      files: await countFiles(dir),
      snapshot: toSnapshot(manifest),
      manifest,
      removed,
    };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

async function prune(
  p: DirProtocol,
  location: Location,
  ctx: TransferContext,
  newest: string,
  before: Listing,
  keep: number | undefined,
): Promise<string[]> {
  const complete = [...before.complete.map((m) => m.snapshot), newest].sort();
  const doomed = before.incomplete.filter((n) => n < newest);
  if (keep !== undefined) doomed.push(...complete.slice(0, Math.max(0, complete.length - keep)));
  for (const name of doomed) await p.removeDir(location, name, ctx);
  return doomed.sort();
}

/** Identities ordered so the one of `generation` comes first. */
function orderedIdentities(
  identities: readonly (KeyedIdentity | string)[],
  generation: number,
): string[] {
  const keyed = identities.map((i) => typeof i === "string" ? { generation: 0, identity: i } : i);
  return [
    ...keyed.filter((k) => k.generation === generation),
    ...keyed.filter((k) => k.generation !== generation),
  ].map((k) => k.identity);
}

/**
 * Restores an encrypted snapshot (default: the newest complete one) into `dir` (created if
 * missing; must be empty). Every part is checked against the manifest's SHA-256 before anything
 * is extracted.
 * @throws ParaduxError `not-found` for no (such) snapshot, `input` naming a damaged or missing
 * part, `auth` when no identity opens the archive.
 */
export async function restoreEncrypted(
  location: Location,
  protocol: ProtocolSpec,
  identities: readonly (KeyedIdentity | string)[],
  dir: string,
  ctx: TransferContext,
  snapshot?: string,
): Promise<TransferStats & { snapshot: EncryptedSnapshot }> {
  const p = encryptingProtocol(protocol);
  const id = snapshot ?? (await listing(p, location, ctx)).complete.at(-1)?.snapshot;
  if (id === undefined) {
    throw new ParaduxError("not-found", `no encrypted snapshot at ${location.url}`, {
      hint: "push to this destination first (paradux backup)",
    });
  }
  await Deno.mkdir(dir, { recursive: true });
  for await (const _ of Deno.readDir(dir)) {
    throw new ParaduxError("exists", `${dir} is not empty`, {
      hint: "restore into a new or empty directory",
    });
  }
  const stage = await tempIn(ctx.privateDir, "fetch-");
  try {
    const fetched = join(stage, id);
    await Deno.mkdir(fetched);
    await p.getDir(location, id, fetched, ctx);
    const m = await readManifest(fetched);
    if (identities.every((i) => typeof i !== "string" && i.generation !== m.keyGeneration)) {
      throw new ParaduxError(
        "auth",
        `snapshot ${id} is encrypted to data key generation ${m.keyGeneration}, which this vault lacks`,
        { hint: "restore with the vault that made it, or from another destination" },
      );
    }
    try {
      await extractArchive(fetched, orderedIdentities(identities, m.keyGeneration), dir);
    } catch (e) {
      await emptyDir(dir);
      throw e;
    }
    return { bytes: m.totalBytes, files: await countFiles(dir), snapshot: toSnapshot(m) };
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

async function emptyDir(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    await Deno.remove(join(dir, e.name), { recursive: true }).catch(() => {});
  }
}
