/**
 * Encrypted destinations (`encrypt: true` on a location of a protocol that stores plain files):
 * every push writes one sealed snapshot archive (protocols/archive.ts: tar | gzip | age to the
 * vault's X25519 recipients, cut into parts with SHA-256 in `manifest.json`). Snapshots form
 * chains (protocols/chain.ts): a full, then increments holding only what changed, made from
 * the local tar snapshot file, never by reading back what was stored (the job holds only the
 * recipient). `keep` keeps the newest `keep` snapshots and what their chains need. Only the
 * protocol's dir operations are used (`putDir`, `getDir`, `listDirs`, `removeDir`), so any
 * plain-file protocol works. Layout at the location, for snapshot `ID` (`20261124T094500Z`,
 * protocols/snapshot_id.ts):
 *
 * - `ID.000/data.tar.gz.age.000`, `ID.001/data.tar.gz.age.001`, ...: one directory per part,
 *   uploaded as soon as the part is complete and then removed locally, so neither memory nor the
 *   local disk grows with the dataset (at most one part is staged);
 * - `ID/manifest.json`: uploaded last, so a snapshot whose `ID/` holds a valid manifest is
 *   complete. Its `chain` lists the ids from the full to `ID`. Without Paradux, for each id of
 *   the chain in order: `cat $id.*\/data.tar.gz.age.* | age -d -i key.txt | gunzip |
 *   tar --listed-incremental=/dev/null -xpf - -C DIR` (fewer than 1000 parts; beyond that sort
 *   the names numerically). README has the whole recipe.
 *
 * - {@link pushEncrypted}: archive + upload + read back + prune.
 * - {@link encryptedSnapshots}: the complete snapshots at a location.
 * - {@link restoreEncrypted}: part by part: fetch, check size and SHA-256 (a damaged part is named
 *   before any of it is decrypted), decrypt with the identity of the archive's key generation,
 *   extract. On any failure the target directory is emptied again.
 *
 * Nothing here needs the identity except restoring: unattended jobs pass only recipients.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import {
  type ArchiveManifest,
  type ArchivePart,
  extractStream,
  readManifest,
  verifyParts,
  writeArchive,
} from "../protocols/archive.ts";
import type {
  Location,
  ProtocolSpec,
  Snapshot,
  TransferContext,
  TransferStats,
} from "../protocols/protocol.ts";
import { countFiles } from "../system/count_files.ts";
import {
  type ChainLink,
  type ChainOptions,
  type ChainPlan,
  commitChainState,
  newLink,
  planPush,
  readChainState,
  restorePlan,
  snapshotsToKeep,
  workingSnar,
} from "../protocols/chain.ts";
import {
  compareSnapshotIds,
  nextSnapshotId,
  SNAPSHOT_ID,
  snapshotTime,
} from "../protocols/snapshot_id.ts";

export { snapshotTime };

/** The manifest directory of a snapshot (`20261124T094500Z`, `20261124T094500Z-2`). */
export const SNAPSHOT_DIR = SNAPSHOT_ID;

/** The directory of one part (`20261124T094500Z.000`): snapshot id and part number. */
export const PART_DIR = /^(\d{8}T\d{6}Z(?:-\d+)?)\.(\d{3,})$/;

/** The directory holding part `part` of snapshot `id`. */
export function partDirName(id: string, part: ArchivePart): string {
  const m = /\.(\d+)$/.exec(part.name);
  if (m?.[1] === undefined) throw new Error(`unexpected part name ${part.name}`);
  return `${id}.${m[1]}`;
}

/** Options of {@link pushEncrypted}. */
export interface EncryptedPushOptions {
  /** Generation of the data key the recipients belong to (recorded in the manifest). */
  keyGeneration: number;
  /** How many complete snapshots to keep after a successful push (default: all). */
  keep?: number;
  /** Maximum part size in bytes (default 64 MiB); at most one part is staged locally. */
  partSize?: number;
  /**
   * Where the part being uploaded is staged (default: the system temp directory, not the
   * private directory: a part is ciphertext, and up to `partSize` of it would fill a small
   * tmpfs such as /run).
   */
  stagingDir?: string;
  /** Where the chain's local state lives and when to make a full; without it, always a full. */
  chain?: ChainOptions;
}

/** One complete encrypted snapshot at a location. */
export interface EncryptedSnapshot extends Snapshot {
  /** Data key generation it is encrypted to. */
  keyGeneration: number;
  /** Number of parts. */
  parts: number;
  /** Total size of the parts in bytes. */
  bytes: number;
  /** 0 for a full, n for the n-th increment after it. */
  level: number;
  /** Ids from its full to it. */
  chain: string[];
}

/** What {@link pushEncrypted} did. */
export interface EncryptedPushResult extends TransferStats {
  /** The new snapshot. */
  snapshot: EncryptedSnapshot;
  /** Its manifest. */
  manifest: ArchiveManifest;
  /** Snapshot ids removed by pruning (old complete ones and leftovers of interrupted pushes). */
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
    level: m.level,
    chain: m.chain,
  };
}

/** The chain link of a manifest. */
function linkOf(m: ArchiveManifest): ChainLink {
  return { snapshot: m.snapshot, level: m.level, chain: m.chain, bytes: m.totalBytes };
}

/** The manifests whose whole chain is present, oldest first. */
function restorable(complete: readonly ArchiveManifest[]): ArchiveManifest[] {
  const ids = new Set(complete.map((m) => m.snapshot));
  return complete.filter((m) => m.chain.every((id) => ids.has(id)));
}

async function tempIn(base: string | undefined, prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir(base === undefined ? { prefix } : { dir: base, prefix });
  await Deno.chmod(dir, 0o700);
  return dir;
}

/** The manifest of snapshot `id`, or undefined when it has none or a bad one. */
async function remoteManifest(
  p: DirProtocol,
  location: Location,
  id: string,
  ctx: TransferContext,
): Promise<ArchiveManifest | undefined> {
  const tmp = await tempIn(ctx.privateDir, "manifest-");
  try {
    await p.getDir(location, id, tmp, ctx);
    const m = await readManifest(tmp);
    return m.snapshot === id ? m : undefined;
  } catch (e) {
    if (e instanceof ParaduxError && (e.kind === "not-found" || e.kind === "input")) {
      return undefined;
    }
    throw e;
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/** What a location holds: complete snapshots, and every directory name per snapshot id. */
interface Listing {
  /** Manifests of the complete snapshots, oldest first. */
  complete: ArchiveManifest[];
  /** Snapshot id -> its directories (manifest dir and part dirs) present. */
  dirs: Map<string, string[]>;
}

async function listing(p: DirProtocol, location: Location, ctx: TransferContext): Promise<Listing> {
  const dirs = new Map<string, string[]>();
  for (const name of await p.listDirs(location, ctx)) {
    const id = SNAPSHOT_DIR.test(name) ? name : PART_DIR.exec(name)?.[1];
    if (id !== undefined) dirs.set(id, [...(dirs.get(id) ?? []), name]);
  }
  const complete: ArchiveManifest[] = [];
  for (const id of [...dirs.keys()].sort(compareSnapshotIds)) {
    if (!dirs.get(id)?.includes(id)) continue;
    const m = await remoteManifest(p, location, id, ctx);
    if (m !== undefined && m.parts.every((part) => dirs.get(id)?.includes(partDirName(id, part)))) {
      complete.push(m);
    }
  }
  return { complete, dirs };
}

/** The complete encrypted snapshots at a location, oldest first. */
export async function encryptedSnapshots(
  location: Location,
  protocol: ProtocolSpec,
  ctx: TransferContext,
): Promise<EncryptedSnapshot[]> {
  const { complete } = await listing(encryptingProtocol(protocol), location, ctx);
  return restorable(complete).map(toSnapshot);
}

/** Removes every directory of snapshot `id`, the manifest first (so it stops counting). */
async function removeSnapshot(
  p: DirProtocol,
  location: Location,
  ctx: TransferContext,
  names: readonly string[],
  id: string,
): Promise<void> {
  if (names.includes(id)) await p.removeDir(location, id, ctx);
  for (const name of [...names].sort()) {
    if (name !== id) await p.removeDir(location, name, ctx);
  }
}

/**
 * Archives `dir` encrypted to `recipients` and uploads it part by part as a new snapshot, reads
 * its manifest back, then prunes to `keep` complete snapshots and removes leftovers of
 * interrupted pushes older than the new one.
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
  const id = nextSnapshotId(ctx.now, before.dirs.keys());
  const chain = options.chain;
  const state = chain === undefined ? undefined : await readChainState(chain.stateDir);
  const plan: ChainPlan = chain === undefined
    ? { kind: "full", reason: "no chain state" }
    : planPush(state, location.url, restorable(before.complete).map(linkOf).at(-1), chain);
  const snar = await workingSnar(chain?.stateDir ?? "", plan, ctx.privateDir);
  const stage = await tempIn(options.stagingDir, "paradux-stage-");
  const snapDir = join(stage, id);
  let sent = 0;
  try {
    const manifest = await writeArchive({
      sourceDir: dir,
      snapshotDir: snapDir,
      recipients: [...recipients],
      keyGeneration: options.keyGeneration,
      now: ctx.now,
      id,
      chain: newLink(plan, id, 0).chain,
      snapshotFile: snar,
      ...(options.partSize === undefined ? {} : { partSize: options.partSize }),
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      onPart: async (part, path) => {
        const name = partDirName(id, part);
        const one = join(stage, name);
        await Deno.mkdir(one);
        await Deno.rename(path, join(one, part.name));
        await p.putDir(one, location, name, ctx);
        await Deno.remove(one, { recursive: true });
        sent += part.bytes;
        ctx.progress?.({ bytes: sent, current: part.name });
      },
    });
    await p.putDir(snapDir, location, id, ctx);
    const back = await remoteManifest(p, location, id, ctx);
    if (back === undefined || JSON.stringify(back) !== JSON.stringify(manifest)) {
      throw new ParaduxError("tool-failed", `snapshot ${id} cannot be read back after the push`, {
        hint: "check the destination; nothing old was removed",
      });
    }
    if (chain !== undefined) {
      await commitChainState(chain.stateDir, location.url, plan, linkOf(manifest), snar);
    }
    const removed = await prune(p, location, ctx, manifest, before, options.keep);
    return {
      bytes: manifest.totalBytes,
      files: await countFiles(dir),
      snapshot: toSnapshot(manifest),
      manifest,
      removed,
    };
  } finally {
    await Deno.remove(snar).catch(() => {});
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

/**
 * Removes leftovers of interrupted pushes older than `newest` and, with `keep`, the complete
 * snapshots no kept one needs (protocols/chain.ts).
 */
async function prune(
  p: DirProtocol,
  location: Location,
  ctx: TransferContext,
  newest: ArchiveManifest,
  before: Listing,
  keep: number | undefined,
): Promise<string[]> {
  const all = [...before.complete, newest];
  const complete = new Set(all.map((m) => m.snapshot));
  const doomed = [...before.dirs.keys()].filter((id) =>
    !complete.has(id) && compareSnapshotIds(id, newest.snapshot) < 0
  );
  if (keep !== undefined) {
    const kept = snapshotsToKeep(restorable(all).map(linkOf), keep);
    doomed.push(...[...complete].filter((id) => !kept.has(id)));
  }
  for (const id of doomed) await removeSnapshot(p, location, ctx, before.dirs.get(id) ?? [], id);
  return doomed.sort(compareSnapshotIds);
}

/** Identities ordered so the ones of `generation` come first. */
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

/** The parts of a snapshot, fetched one at a time and checked before any byte is passed on. */
function fetchedParts(
  p: DirProtocol,
  location: Location,
  ctx: TransferContext,
  m: ArchiveManifest,
  stage: string,
): ReadableStream<Uint8Array> {
  let index = 0;
  let current: { reader: ReadableStreamDefaultReader<Uint8Array>; dir: string } | undefined;
  const damaged = (why: string) =>
    new ParaduxError("input", `archive ${m.snapshot} is damaged: ${why}`, {
      hint: "restore from another destination or an older snapshot",
    });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        if (current === undefined) {
          const part = m.parts[index++];
          if (part === undefined) return controller.close();
          const dir = join(stage, partDirName(m.snapshot, part));
          await Deno.mkdir(dir);
          try {
            await p.getDir(location, partDirName(m.snapshot, part), dir, ctx);
          } catch (e) {
            if (e instanceof ParaduxError && e.kind === "not-found") {
              throw damaged(`${part.name}: missing`);
            }
            if (e instanceof ParaduxError) {
              throw new ParaduxError(
                e.kind,
                `archive ${m.snapshot}: fetching ${part.name} failed: ${e.message}`,
                { ...(e.hint === undefined ? {} : { hint: e.hint }), cause: e },
              );
            }
            throw e;
          }
          const problems = await verifyParts(dir, { ...m, parts: [part] });
          if (problems.length > 0) throw damaged(problems.join("; "));
          const file = await Deno.open(join(dir, part.name), { read: true });
          current = { reader: file.readable.getReader(), dir };
        }
        const { value, done } = await current.reader.read();
        if (!done) {
          controller.enqueue(value);
          return;
        }
        await Deno.remove(current.dir, { recursive: true });
        current = undefined;
      }
    },
    async cancel() {
      await current?.reader.cancel().catch(() => {});
    },
  });
}

/**
 * Restores an encrypted snapshot (default: the newest complete one) into `dir` (created if
 * missing; must be empty). Parts are fetched one at a time (at most one is staged in
 * `ctx.privateDir`) and each is checked against the manifest's size and SHA-256 before it is
 * decrypted; on any failure `dir` is emptied again.
 * @throws ParaduxError `not-found` for no (such) snapshot, `exists` for a non-empty `dir`,
 * `input` naming a damaged or missing part, `auth` when no identity opens the archive.
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
  await Deno.mkdir(dir, { recursive: true });
  for await (const _ of Deno.readDir(dir)) {
    throw new ParaduxError("exists", `${dir} is not empty`, {
      hint: "restore into a new or empty directory",
    });
  }
  const { complete } = await listing(p, location, ctx);
  const m = snapshot === undefined
    ? restorable(complete).at(-1)
    : complete.find((c) => c.snapshot === snapshot);
  if (m === undefined) {
    throw new ParaduxError(
      "not-found",
      snapshot === undefined
        ? `no encrypted snapshot at ${location.url}`
        : `no encrypted snapshot ${snapshot} at ${location.url}`,
      { hint: "list the snapshots with status-datasets, or push first (paradux backup)" },
    );
  }
  const byId = new Map(complete.map((c) => [c.snapshot, c]));
  const plan = restorePlan(complete.map(linkOf), m.snapshot, location.url)
    .map((l) => byId.get(l.snapshot)!);
  for (const one of plan) checkGeneration(identities, one);
  const stage = await tempIn(undefined, "paradux-fetch-"); // ciphertext: not on a small tmpfs
  try {
    for (const one of plan) {
      const parts = fetchedParts(p, location, ctx, one, stage);
      const ids = orderedIdentities(identities, one.keyGeneration);
      await extractStream(parts, ids, dir, one.snapshot);
    }
    return { bytes: m.totalBytes, files: await countFiles(dir), snapshot: toSnapshot(m) };
  } catch (e) {
    await emptyDir(dir);
    throw e;
  } finally {
    await Deno.remove(stage, { recursive: true }).catch(() => {});
  }
}

function checkGeneration(
  identities: readonly (KeyedIdentity | string)[],
  m: ArchiveManifest,
): void {
  if (identities.every((i) => typeof i !== "string" && i.generation !== m.keyGeneration)) {
    throw new ParaduxError(
      "auth",
      `snapshot ${m.snapshot} is encrypted to data key generation ${m.keyGeneration}, ` +
        "which this vault does not have",
      { hint: "restore with the vault that made it, or from another destination" },
    );
  }
}

async function emptyDir(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    await Deno.remove(join(dir, e.name), { recursive: true }).catch(() => {});
  }
}
