/**
 * Dated, hard-linked rsync snapshots over any "store" (a local directory or a directory on an
 * ssh host): the shared engine of the `file` and `rsync+ssh` protocols.
 *
 * Layout under the location's root directory:
 * - `<id>/`: one snapshot, `id` as in protocols/snapshot_id.ts (UTC `YYYYMMDDTHHMMSSZ`, with
 *   `-2`, `-3`... appended when that second is taken). Made by rsync `--link-dest` to the
 *   previous snapshot ({@link linkDestOf}) so unchanged files are hard links to it.
 * - `.<id>.partial/`: a snapshot being written; renamed to `<id>` only when rsync succeeded, so
 *   an interrupted push never looks like a snapshot (stale ones are removed by the next push).
 * - plain files (`upload`) and other directories (`putDir`, names not starting with `.`).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { ParaduxError } from "../errors.ts";
import { isMissingSource, rsyncArgs, RsyncFailure, runRsync, TREE_FLAGS } from "../system/rsync.ts";
import { rsyncHasInsecureLinks } from "../system/trusted_path.ts";
import type {
  Location,
  ProtocolSpec,
  PushOptions,
  Snapshot,
  TransferContext,
  TransferStats,
} from "./protocol.ts";
import { compareSnapshotIds, isSnapshotId, nextSnapshotId, snapshotTime } from "./snapshot_id.ts";

/** One entry directly under a store's root. */
export interface StoreEntry {
  /** File name. */
  name: string;
  /** True for a directory (not a symlink to one). */
  dir: boolean;
}

/** The primitive operations the snapshot engine needs from a place. */
export interface Store {
  /** The location for messages. */
  readonly where: string;
  /** The remote shell for rsync, when the store is remote. */
  readonly remoteShell?: readonly string[];
  /** The rsync argument naming `name` under the root (`""` = the root itself). */
  rsyncPath(name: string): string;
  /** Entries directly under the root; null when the root does not exist yet. */
  list(): Promise<StoreEntry[] | null>;
  /** Creates the root if missing (its parent must exist). */
  ensureRoot(): Promise<void>;
  /** Renames `from` to `to` under the root (`to` must not exist). */
  rename(from: string, to: string): Promise<void>;
  /** Removes `name` under the root recursively; nothing happens when it is missing. */
  remove(name: string): Promise<void>;
  /** Copies a local file to `name` under the root, replacing the old one atomically. */
  upload(file: string, name: string, ctx: TransferContext): Promise<void>;
  /** Copies `name` under the root to the local path `file` atomically; `not-found` if missing. */
  download(name: string, file: string, ctx: TransferContext): Promise<void>;
  /** Releases what opening the store made (key files). */
  close(): Promise<void>;
  /**
   * True when the root is a local directory only the running user (and root) can reach and
   * nothing above it can be swapped (system/trusted_path.ts `privateTree`), so snapshot pushes
   * may skip rsync's per-file symlink-safe path walk. Absent for remote stores.
   */
  privateRoot?(): Promise<boolean>;
}

/** Opens the store of a location for one operation. */
export type OpenStore = (location: Location, ctx: TransferContext) => Promise<Store>;

const PARTIAL = /^\.(.+)\.partial$/;

export { compareSnapshotIds, isSnapshotId, nextSnapshotId, snapshotTime };

/** Which snapshots `keep` drops (oldest first), given ids sorted oldest first. */
export function snapshotsToPrune(sortedIds: readonly string[], keep?: number): string[] {
  if (keep === undefined || keep < 1 || sortedIds.length <= keep) return [];
  return sortedIds.slice(0, sortedIds.length - keep);
}

/**
 * Checks a file or directory name given to upload/download/putDir: one path component, not
 * hidden (names starting with `.` are the engine's own).
 */
export function checkName(name: string): void {
  if (
    name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0") ||
    name.startsWith(".")
  ) {
    throw new ParaduxError("input", `${JSON.stringify(name)} is not a valid file name here`, {
      hint: "use one path component that does not start with a dot",
    });
  }
}

function sortedSnapshots(entries: readonly StoreEntry[]): string[] {
  return entries.filter((e) => e.dir && isSnapshotId(e.name)).map((e) => e.name)
    .sort(compareSnapshotIds);
}

async function withStore<T>(
  open: OpenStore,
  location: Location,
  ctx: TransferContext,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await open(location, ctx);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

async function rsync(
  store: Store,
  src: string,
  dest: string,
  ctx: TransferContext,
  extra: { mirror?: boolean; linkDest?: string; okCodes?: number[]; insecureLinks?: boolean } = {},
): Promise<TransferStats> {
  const { okCodes, ...rest } = extra;
  const progress = ctx.progress;
  const args = rsyncArgs(src, dest, {
    ...rest,
    progress: progress !== undefined,
    ...(store.remoteShell === undefined ? {} : { remoteShell: store.remoteShell, compress: true }),
  });
  const stats = await runRsync(args, {
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    ...(okCodes === undefined ? {} : { okCodes }),
    ...(progress === undefined ? {} : {
      onProgress: (p: { bytes: number; totalBytes?: number }) => progress(p),
    }),
  });
  progress?.({ bytes: stats.totalBytes, totalBytes: stats.totalBytes });
  return { bytes: stats.bytes, files: stats.files };
}

/** rsync from the store, turning a missing source into `not-found`. */
async function rsyncFrom(
  store: Store,
  name: string,
  dir: string,
  ctx: TransferContext,
  mirror: boolean,
): Promise<TransferStats> {
  await Deno.mkdir(dir, { recursive: true });
  try {
    // Exit 24: files vanished at a live source during a pull; the rest is mirrored.
    return await rsync(store, `${store.rsyncPath(name)}/`, `${resolve(dir)}/`, ctx, {
      mirror,
      ...(mirror ? { okCodes: [24] } : {}),
    });
  } catch (e) {
    if (e instanceof RsyncFailure && isMissingSource(new TextDecoder().decode(e.result.stderr))) {
      throw new ParaduxError("not-found", `${name === "" ? store.where : name} does not exist`, {
        hint: `check the location ${store.where}`,
      });
    }
    throw e;
  }
}

/**
 * The `--link-dest` argument for the previous snapshot `previous`. rsync (3.4+) resolves it for
 * every file with a symlink-safe walk from `/`, one `openat` per path component, so a local
 * store gives the absolute path (`ROOT/ID`, two components fewer than `ROOT/.ID.partial/../ID`;
 * about 15% of a no-change push of 10,000 files). A remote store gives it relative to the
 * destination, the only form that names the same directory on the other host.
 */
export function linkDestOf(store: Store, previous: string): string {
  const local = store.remoteShell === undefined ? store.rsyncPath(previous) : "";
  return isAbsolute(local) ? local : `../${previous}`;
}

/**
 * True when a push into the store may pass `--insecure-links`: the rsync has it and the root is
 * private ({@link Store.privateRoot}). rsync's walk then costs 80% of a no-change snapshot of
 * 10,000 files and cannot change what is opened.
 */
async function skipsSafeWalk(store: Store): Promise<boolean> {
  if (store.privateRoot === undefined) return false;
  return await rsyncHasInsecureLinks() && await store.privateRoot();
}

/** Removes partial snapshots or directories left by interrupted runs. */
async function removeStalePartials(store: Store, entries: readonly StoreEntry[]): Promise<void> {
  for (const e of entries) if (PARTIAL.test(e.name)) await store.remove(e.name);
}

/** The operations of an rsync-snapshot protocol over the stores `open` gives. */
export function snapshotOperations(open: OpenStore): Pick<
  ProtocolSpec,
  | "pull"
  | "push"
  | "snapshots"
  | "restore"
  | "upload"
  | "download"
  | "putDir"
  | "getDir"
  | "listDirs"
  | "removeDir"
> {
  const snapshots = (location: Location, ctx: TransferContext): Promise<Snapshot[]> =>
    withStore(open, location, ctx, async (store) => {
      const ids = sortedSnapshots((await store.list()) ?? []);
      return ids.map((id) => ({ id, time: snapshotTime(id) }));
    });

  return {
    pull: (location, dir, ctx) =>
      withStore(open, location, ctx, (store) => rsyncFrom(store, "", dir, ctx, true)),

    push: (dir, location, ctx, options: PushOptions = {}) =>
      withStore(open, location, ctx, async (store) => {
        await store.ensureRoot();
        const entries = (await store.list()) ?? [];
        await removeStalePartials(store, entries);
        const existing = sortedSnapshots(entries);
        const id = nextSnapshotId(ctx.now, new Set(entries.map((e) => e.name)));
        const partial = `.${id}.partial`;
        const previous = existing.at(-1);
        const stats = await rsync(store, `${resolve(dir)}/`, `${store.rsyncPath(partial)}/`, ctx, {
          mirror: true,
          ...(previous === undefined ? {} : { linkDest: linkDestOf(store, previous) }),
          ...(await skipsSafeWalk(store) ? { insecureLinks: true } : {}),
        });
        await store.rename(partial, id);
        const all = [...existing, id].sort(compareSnapshotIds);
        for (const old of snapshotsToPrune(all, options.keep)) {
          if (old !== id) await store.remove(old);
        }
        return { ...stats, snapshot: { id, time: snapshotTime(id) } };
      }),

    snapshots,

    restore: (location, dir, ctx, wanted) =>
      withStore(open, location, ctx, async (store) => {
        const ids = sortedSnapshots((await store.list()) ?? []);
        const id = wanted ?? ids.at(-1);
        if (id === undefined || !ids.includes(id)) {
          throw new ParaduxError(
            "not-found",
            id === undefined
              ? `${store.where} holds no snapshot`
              : `${store.where} has no snapshot ${id}`,
            { hint: "list the snapshots with paradux restore DATASET --list" },
          );
        }
        return await rsyncFrom(store, id, dir, ctx, false);
      }),

    upload: (location, file, name, ctx) =>
      withStore(open, location, ctx, async (store) => {
        checkName(name);
        await store.ensureRoot();
        await store.upload(file, name, ctx);
      }),

    download: (location, name, file, ctx) =>
      withStore(open, location, ctx, async (store) => {
        checkName(name);
        await store.download(name, file, ctx);
      }),

    putDir: (dir, location, name, ctx) =>
      withStore(open, location, ctx, async (store) => {
        checkName(name);
        await store.ensureRoot();
        const partial = `.${name}.partial`;
        await rsync(store, `${resolve(dir)}/`, `${store.rsyncPath(partial)}/`, ctx, {
          mirror: true,
        });
        const present = ((await store.list()) ?? []).some((e) => e.name === name);
        if (present) {
          const old = `.${name}.old`;
          await store.remove(old);
          await store.rename(name, old);
          await store.rename(partial, name);
          await store.remove(old);
        } else {
          await store.rename(partial, name);
        }
      }),

    getDir: (location, name, dir, ctx) =>
      withStore(open, location, ctx, async (store) => {
        checkName(name);
        const entry = ((await store.list()) ?? []).find((e) => e.name === name && e.dir);
        if (entry === undefined) {
          throw new ParaduxError("not-found", `${store.where} has no directory ${name}`);
        }
        await rsyncFrom(store, name, dir, ctx, false);
      }),

    listDirs: (location, ctx) =>
      withStore(
        open,
        location,
        ctx,
        async (store) =>
          ((await store.list()) ?? []).filter((e) => e.dir && !e.name.startsWith("."))
            .map((e) => e.name).sort(),
      ),

    removeDir: (location, name, ctx) =>
      withStore(open, location, ctx, async (store) => {
        checkName(name);
        await store.remove(name);
      }),
  };
}

/** The flags used for every tree copy, re-exported for docs and tests. */
export const SNAPSHOT_RSYNC_FLAGS = TREE_FLAGS;
