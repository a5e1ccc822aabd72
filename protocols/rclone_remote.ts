/**
 * What the rclone-backed protocols (`s3`, `ftp`) share: snapshots stored as chains of tar
 * streams (protocols/chain.ts: one full, then increments holding only what changed).
 *
 * Plain object stores and FTP cannot keep modes, owners, symlinks, empty directories or sparse
 * files, and rclone has no atomic directory rename on S3. So a push streams ONE GNU tar
 * `--listed-incremental` archive (system/tar.ts; made by system tar, nothing on disk) into
 * `rclone rcat`, and a snapshot is:
 *
 * - `<id>/data.tar`: a full (level 0) or the changes since the snapshot before it (deletions and
 *   renames included: every directory's list of names is in the archive);
 * - `<id>/.complete`: a one-line JSON marker written LAST: format, snapshot, level and `chain`
 *   (the ids from the full to this one). Only directories with the marker count as snapshots,
 *   so an interrupted push is never restored; the next push removes it.
 *
 * Restore snapshot ID without Paradux (each part of its chain, in order, into an empty DIR):
 *
 * ```sh
 * for id in $(rclone cat REMOTE:PATH/ID/.complete | sed 's/.*"chain":\[\([^]]*\)\].*\/\1/' | tr -d '"' | tr , ' '); do
 *   rclone cat "REMOTE:PATH/$id/data.tar" | tar --listed-incremental=/dev/null -xpf - -C DIR
 * done
 * ```
 *
 * Ids follow protocols/snapshot_id.ts. Restores stream `rclone cat` into `tar -x`, so names
 * with newlines, modes, symlinks, empty dirs, hard links and holes come back as they were.
 *
 * Single files (`upload`) are `rclone copyto --ignore-times` (always sent, even when size and
 * time match) straight to the name where the store's PUT is atomic (S3), or to a temp name and
 * then `moveto` (FTP). The dir operations copy plain files for encrypted archives.
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { commitTemp, tempPathBeside } from "../system/atomic.ts";
import { spawnStreaming, stdoutText, type StreamingProcess } from "../system/exec.ts";
import {
  catArgs,
  catMatchingArgs,
  copyArgs,
  copytoArgs,
  deletefileArgs,
  isNotFound,
  lsfArgs,
  movetoArgs,
  purgeArgs,
  rcatArgs,
  rclone,
  rcloneFailure,
  type RcloneGlobal,
  runRclone,
  spawnRclone,
} from "../system/rclone.ts";
import { tarCreateArgs, tarExtractArgs } from "../system/tar.ts";
import {
  type ChainLink,
  type ChainPlan,
  commitChainState,
  isChainLink,
  newLink,
  planPush,
  readChainState,
  restorePlan,
  snapshotsToKeep,
  workingSnar,
} from "./chain.ts";
import type {
  Location,
  ProtocolSpec,
  PushOptions,
  Snapshot,
  TransferContext,
  TransferStats,
} from "./protocol.ts";
import { checkName } from "./rsync_store.ts";
import { compareSnapshotIds, isSnapshotId, nextSnapshotId, snapshotTime } from "./snapshot_id.ts";
import { countFiles } from "../system/count_files.ts";

/** The tar file inside a snapshot directory. */
export const DATA_NAME = "data.tar";
/** The marker written last into a complete snapshot directory. */
export const COMPLETE_NAME = ".complete";
/** The marker's format tag (v1: one plain tar per snapshot, read as a full). */
export const TAR_FORMAT = "paradux-tar-v2";

/** An opened rclone location: flags, the remote path of its root, and cleanup. */
export interface RcloneTarget {
  /** Config and CA flags for every run. */
  global: RcloneGlobal;
  /** The location's root as rclone names it (`paradux:bucket/path`). */
  root: string;
  /** Human name for messages (the URL). */
  where: string;
  /** Whether a single-file upload replaces the old copy atomically (S3 PUT) or needs a temp name. */
  atomicPut: boolean;
  /** Removes the generated config and CA files. */
  close(): Promise<void>;
  /** Stops every rclone run on this target (Ctrl-C): set from the transfer context. */
  signal?: AbortSignal;
}

/** The run options that tie an rclone run to the target's abort signal (pure). */
function sig(t: RcloneTarget, extra: { stdin?: string } = {}) {
  return t.signal === undefined ? extra : { ...extra, signal: t.signal };
}

/** Opens a location (writes the config into `ctx.privateDir`). */
export type OpenTarget = (location: Location, ctx: TransferContext) => Promise<RcloneTarget>;

/** `root/name` for an rclone path (pure). */
export function childPath(root: string, name: string): string {
  return root.endsWith(":") || root.endsWith("/") ? `${root}${name}` : `${root}/${name}`;
}

/** The complete snapshots among `lsf -R --max-depth 2 --files-only` lines, oldest first (pure). */
export function completeSnapshots(lines: readonly string[]): string[] {
  const ids = new Set<string>();
  for (const line of lines) {
    const [id, file, ...rest] = line.split("/");
    if (id !== undefined && file === COMPLETE_NAME && rest.length === 0 && isSnapshotId(id)) {
      ids.add(id);
    }
  }
  return [...ids].sort(compareSnapshotIds);
}

/** Names in `lsf` output (one per line, dirs end with `/`), without the slash (pure). */
export function lsfNames(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l !== "").map((l) => l.replace(/\/$/, ""));
}

async function withTarget<T>(
  open: OpenTarget,
  location: Location,
  ctx: TransferContext,
  fn: (t: RcloneTarget) => Promise<T>,
): Promise<T> {
  const t = await open(location, ctx);
  if (ctx.signal !== undefined) t.signal = ctx.signal;
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

async function listLines(t: RcloneTarget, path: string, o: Parameters<typeof lsfArgs>[2]) {
  const r = await runRclone(lsfArgs(t.global, path, o), sig(t));
  if (isNotFound(r.code)) return [];
  if (r.code !== 0) throw rcloneFailure(r, `listing ${t.where}`);
  return lsfNames(stdoutText(r));
}

/** A byte counter (and hasher) that reports progress now and then. */
function counter(
  ctx: TransferContext,
  stats: { bytes: number; hash?: Hash },
  current: string,
) {
  let reported = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      stats.bytes += chunk.length;
      stats.hash?.update(chunk);
      if (ctx.progress !== undefined && stats.bytes - reported >= 1 << 20) {
        reported = stats.bytes;
        ctx.progress({ bytes: stats.bytes, current });
      }
      controller.enqueue(chunk);
    },
  });
}

type Proc = Pick<StreamingProcess, "finished" | "kill">;

/**
 * Pipes `from`'s stdout through a counter into `to`'s stdin and waits for both; the first
 * failure wins, preferring the side that failed on its own (the other one then just saw a
 * broken pipe). Ctrl-C kills both.
 */
async function pipe(
  from: Proc & { stdout: ReadableStream<Uint8Array> },
  to: Proc & { stdin: WritableStream<Uint8Array> },
  ctx: TransferContext,
  stats: { bytes: number; hash?: Hash },
  current: string,
  blame: "from" | "to",
): Promise<void> {
  const onAbort = () => {
    from.kill();
    to.kill();
  };
  ctx.signal?.addEventListener("abort", onAbort);
  try {
    const piping = from.stdout.pipeThrough(counter(ctx, stats, current)).pipeTo(to.stdin)
      .then(() => undefined, (e: unknown) => e);
    const [a, b] = await Promise.allSettled([from.finished(), to.finished()]);
    await piping;
    if (ctx.signal?.aborted === true) {
      throw new ParaduxError("interrupted", "the transfer was interrupted");
    }
    const failures = blame === "to" ? [b, a] : [a, b];
    for (const f of failures) if (f.status === "rejected") throw f.reason;
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
  }
}

/** The marker of a complete snapshot (pure). */
export interface Marker extends ChainLink {
  /** {@link TAR_FORMAT} (or `paradux-tar-v1` for a plain full of an older version). */
  format: string;
  /** ISO time of the push. */
  created: string;
  /** Files in the tree. */
  files: number;
  /** Lowercase hex SHA-256 of `data.tar`. */
  sha256: string;
}

/** A complete snapshot's link, with the SHA-256 of its `data.tar` when the marker has one. */
export type MarkedLink = ChainLink & { sha256?: string };

/** The chain link a marker line stands for, or undefined for a bad line (pure). */
export function parseMarker(line: string): MarkedLink | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== "object" || typeof v.snapshot !== "string") return undefined;
  if (v.format === "paradux-tar-v1" && Number.isInteger(v.bytes)) {
    return { snapshot: v.snapshot, level: 0, chain: [v.snapshot], bytes: v.bytes as number };
  }
  if (v.format !== TAR_FORMAT || !isChainLink(v)) return undefined;
  const link = { snapshot: v.snapshot, level: v.level, chain: v.chain, bytes: v.bytes };
  const sha = (v as { sha256?: unknown }).sha256;
  return typeof sha === "string" && /^[0-9a-f]{64}$/.test(sha) ? { ...link, sha256: sha } : link;
}

/** The markers' links by snapshot id, from one `cat` of every marker (pure). */
function linksOf(markers: string): Map<string, MarkedLink> {
  const byId = new Map<string, MarkedLink>();
  for (const line of markers.split("\n")) {
    const link = parseMarker(line);
    if (link !== undefined) byId.set(link.snapshot, link);
  }
  return byId;
}

/** What one `lsf -R --max-depth 2` of the root says: top-level dirs and complete ids (pure). */
export function rootListing(stdout: string): { dirs: string[]; complete: string[] } {
  const lines = stdout.split("\n").filter((l) => l !== "");
  const dirs = lines.filter((l) => /^[^/]+\/$/.test(l)).map((l) => l.slice(0, -1));
  return { dirs, complete: completeSnapshots(lines) };
}

/**
 * The root's listing and the markers' links, oldest first: one `lsf` of the root (dirs and the
 * files of the snapshot dirs) and one `cat` of all markers, run at the same time (two rclone
 * start-ups and round trips overlap instead of adding up).
 */
async function readRoot(t: RcloneTarget): Promise<{ links: MarkedLink[]; taken: string[] }> {
  const [listed, markers] = await Promise.all([
    runRclone(lsfArgs(t.global, t.root, { maxDepth: 2 }), sig(t)),
    runRclone(catMatchingArgs(t.global, t.root, `/*/${COMPLETE_NAME}`), sig(t)),
  ]);
  if (isNotFound(listed.code)) return { links: [], taken: [] };
  if (listed.code !== 0) throw rcloneFailure(listed, `listing ${t.where}`);
  const { dirs, complete } = rootListing(stdoutText(listed));
  if (complete.length === 0) return { links: [], taken: dirs };
  if (markers.code !== 0) {
    throw rcloneFailure(markers, `reading the snapshot markers at ${t.where}`);
  }
  const byId = linksOf(stdoutText(markers));
  return { links: complete.flatMap((id) => byId.get(id) ?? []), taken: dirs };
}

/** The complete snapshots' links, oldest first. */
async function readLinks(t: RcloneTarget): Promise<MarkedLink[]> {
  return (await readRoot(t)).links;
}

/** The links whose whole chain is present (restorable), oldest first (pure). */
export function restorable(links: readonly ChainLink[]): ChainLink[] {
  const ids = new Set(links.map((l) => l.snapshot));
  return links.filter((l) => l.chain.every((id) => ids.has(id)));
}

function toSnapshot(l: ChainLink): Snapshot {
  return { id: l.snapshot, time: snapshotTime(l.snapshot), level: l.level };
}

async function push(
  open: OpenTarget,
  dir: string,
  location: Location,
  ctx: TransferContext,
  options: PushOptions = {},
): Promise<TransferStats & { snapshot: Snapshot }> {
  return await withTarget(open, location, ctx, async (t) => {
    // the walk that counts the files runs while rclone waits on the network
    const counting = countFiles(dir);
    counting.catch(() => {}); // awaited below; no unhandled rejection when listing fails first
    const { links, taken } = await readRoot(t);
    const id = nextSnapshotId(ctx.now, taken);
    const chain = options.chain;
    const state = chain === undefined ? undefined : await readChainState(chain.stateDir);
    const plan: ChainPlan = chain === undefined
      ? { kind: "full", reason: "no chain state" }
      : planPush(state, location.url, restorable(links).at(-1), chain);
    const snar = await workingSnar(chain?.stateDir ?? "", plan, ctx.privateDir);
    const snapDir = childPath(t.root, id);
    const stats = { bytes: 0, hash: createHash("sha256") };
    const files = await counting;
    const tar = spawnStreaming("tar", tarCreateArgs(dir, { snapshotFile: snar }), {
      stdout: "piped",
    });
    const up = spawnRclone(
      rcatArgs(t.global, childPath(snapDir, DATA_NAME)),
      `upload to ${t.where}`,
      {
        stdin: "piped",
        stdout: "null",
      },
    );
    let link: ChainLink;
    try {
      try {
        // A tar failure ends the stream early and rcat would store the truncated file: tar's
        // error wins, and the snapshot gets no marker.
        await pipe(tar, up, ctx, stats, id, "from");
        link = newLink(plan, id, stats.bytes);
        const marker: Marker = {
          format: TAR_FORMAT,
          ...link,
          created: ctx.now.toISOString(),
          files,
          sha256: stats.hash.digest("hex"),
        };
        await rclone(
          rcatArgs(t.global, childPath(snapDir, COMPLETE_NAME)),
          `upload to ${t.where}`,
          sig(t, { stdin: JSON.stringify(marker) + "\n" }),
        );
      } catch (e) {
        await runRclone(purgeArgs(t.global, snapDir), sig(t)).catch(() => {});
        throw e;
      }
      if (chain !== undefined) {
        await commitChainState(chain.stateDir, location.url, plan, link, snar);
      }
    } finally {
      await Deno.remove(snar).catch(() => {});
    }
    await prune(t, options.keep, [...links, link], taken);
    return { bytes: stats.bytes, files, snapshot: toSnapshot(link) };
  });
}

/**
 * Drops complete snapshots no kept one needs (protocols/chain.ts) and every unfinished
 * snapshot directory older than the newest (leftovers of interrupted pushes).
 */
async function prune(
  t: RcloneTarget,
  keep: number | undefined,
  complete: readonly ChainLink[],
  taken: readonly string[],
): Promise<void> {
  const newest = complete.at(-1)?.snapshot;
  const kept = snapshotsToKeep(restorable(complete), keep);
  const done = new Set(complete.map((l) => l.snapshot));
  const doomed = [
    ...(keep === undefined ? [] : [...done].filter((id) => !kept.has(id))),
    ...taken.filter((id) =>
      isSnapshotId(id) && !done.has(id) && newest !== undefined &&
      compareSnapshotIds(id, newest) < 0
    ),
  ];
  for (const id of doomed) {
    await rclone(purgeArgs(t.global, childPath(t.root, id)), `removing snapshot ${id}`, sig(t));
  }
}

async function restore(
  open: OpenTarget,
  location: Location,
  dir: string,
  ctx: TransferContext,
  snapshotId?: string,
): Promise<TransferStats> {
  return await withTarget(open, location, ctx, async (t) => {
    const links = await readLinks(t);
    const id = snapshotId ?? restorable(links).at(-1)?.snapshot;
    if (id === undefined) {
      throw new ParaduxError("not-found", `${t.where} holds no snapshot`);
    }
    const plan = restorePlan(links, id, t.where);
    await Deno.mkdir(dir, { recursive: true });
    const stats = { bytes: 0 };
    for (const link of plan) {
      const down = spawnRclone(
        catArgs(t.global, childPath(childPath(t.root, link.snapshot), DATA_NAME)),
        `download from ${t.where}`,
        { stdin: "null", stdout: "piped" },
      );
      const tar = spawnStreaming("tar", tarExtractArgs(dir, { incremental: true }), {
        stdin: "piped",
        stdout: "null",
      });
      await pipe(down, tar, ctx, stats, link.snapshot, "from");
    }
    return { bytes: stats.bytes, files: await countFiles(dir) };
  });
}

async function snapshots(
  open: OpenTarget,
  location: Location,
  ctx: TransferContext,
): Promise<Snapshot[]> {
  return await withTarget(
    open,
    location,
    ctx,
    async (t) => restorable(await readLinks(t)).map(toSnapshot),
  );
}

/** Problems of a chained destination's parts (pure): broken chains and size mismatches. */
export function chainProblems(
  links: readonly ChainLink[],
  sizes: ReadonlyMap<string, number>,
): string[] {
  const ids = new Set(links.map((l) => l.snapshot));
  const problems: string[] = [];
  for (const l of links) {
    const lacking = l.chain.filter((id) => !ids.has(id));
    if (lacking.length > 0) problems.push(`${l.snapshot}: its chain lacks ${lacking.join(", ")}`);
    const size = sizes.get(`${l.snapshot}/${DATA_NAME}`);
    if (size === undefined) problems.push(`${l.snapshot}/${DATA_NAME}: missing`);
    else if (size !== l.bytes) {
      problems.push(`${l.snapshot}/${DATA_NAME}: ${size} bytes, its marker says ${l.bytes}`);
    }
  }
  return problems;
}

/** The SHA-256 of one stored `data.tar` (streamed, nothing on disk). */
async function remoteSha256(t: RcloneTarget, id: string, ctx: TransferContext): Promise<string> {
  const down = spawnRclone(
    catArgs(t.global, childPath(childPath(t.root, id), DATA_NAME)),
    `download from ${t.where}`,
    { stdin: "null", stdout: "piped" },
  );
  const hash = createHash("sha256");
  const onAbort = () => down.kill();
  ctx.signal?.addEventListener("abort", onAbort);
  try {
    for await (const chunk of down.stdout) hash.update(chunk);
    await down.finished();
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
  }
  return hash.digest("hex");
}

/**
 * The drill's check of a chained destination: every snapshot's chain is present, every
 * `data.tar` has its marker's size, and the newest chain's parts match their SHA-256.
 */
async function check(open: OpenTarget, location: Location, ctx: TransferContext): Promise<string> {
  return await withTarget(open, location, ctx, async (t) => {
    const links = await readLinks(t);
    const sizes = new Map<string, number>();
    for (const line of await listLines(t, t.root, { filesOnly: true, maxDepth: 2, format: "ps" })) {
      const cut = line.lastIndexOf(";");
      sizes.set(line.slice(0, cut), Number(line.slice(cut + 1)));
    }
    const problems = chainProblems(links, sizes);
    const newest = restorable(links).at(-1);
    const byId = new Map(links.map((l) => [l.snapshot, l]));
    for (const id of problems.length > 0 ? [] : newest?.chain ?? []) {
      const want = byId.get(id)?.sha256;
      if (want !== undefined && await remoteSha256(t, id, ctx) !== want) {
        problems.push(`${id}/${DATA_NAME}: SHA-256 mismatch`);
      }
    }
    if (problems.length > 0) {
      throw new ParaduxError("tool-failed", `damaged chain at ${t.where}: ${problems.join("; ")}`, {
        hint: "run 'paradux backup DATASET --full' to start a new chain",
      });
    }
    const fulls = links.filter((l) => l.level === 0).length;
    return `${links.length} snapshots in ${fulls} chains: every part present, sizes match, ` +
      `the newest chain's SHA-256 match`;
  });
}

async function upload(
  open: OpenTarget,
  location: Location,
  file: string,
  name: string,
  ctx: TransferContext,
): Promise<void> {
  checkName(name);
  await withTarget(open, location, ctx, async (t) => {
    const dest = childPath(t.root, name);
    const what = `uploading ${name} to ${t.where}`;
    const signal = ctx.signal === undefined ? {} : { signal: ctx.signal };
    if (t.atomicPut) {
      await rclone(copytoArgs(t.global, file, dest), what, signal);
      return;
    }
    const rand = crypto.getRandomValues(new Uint8Array(6));
    const tag = Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("");
    const tmp = childPath(t.root, `.${name}.${tag}.partial`);
    try {
      await rclone(copytoArgs(t.global, file, tmp), what, signal);
      await rclone(movetoArgs(t.global, tmp, dest), what, signal);
    } catch (e) {
      await runRclone(deletefileArgs(t.global, tmp), sig(t)).catch(() => {});
      throw e;
    }
  });
}

async function download(
  open: OpenTarget,
  location: Location,
  name: string,
  file: string,
  ctx: TransferContext,
): Promise<void> {
  checkName(name);
  await withTarget(open, location, ctx, async (t) => {
    const tmp = tempPathBeside(file);
    const what = `downloading ${name} from ${t.where}`;
    try {
      const signal = ctx.signal === undefined ? {} : { signal: ctx.signal };
      await rclone(copytoArgs(t.global, childPath(t.root, name), tmp), what, signal);
      // copyto of a missing object may succeed with nothing copied.
      let handle: Deno.FsFile;
      try {
        handle = await Deno.open(tmp, { read: true, write: true });
      } catch {
        throw new ParaduxError("not-found", `${what}: not found`);
      }
      try {
        await handle.sync();
      } finally {
        handle.close();
      }
      await commitTemp(tmp, file);
    } finally {
      await Deno.remove(tmp).catch(() => {});
    }
  });
}

/** The operations every rclone-backed protocol shares. */
export function rcloneOperations(
  open: OpenTarget,
): Pick<
  ProtocolSpec,
  | "push"
  | "snapshots"
  | "restore"
  | "check"
  | "upload"
  | "download"
  | "putDir"
  | "getDir"
  | "listDirs"
  | "removeDir"
> {
  return {
    push: (dir, location, ctx, options) => push(open, dir, location, ctx, options),
    snapshots: (location, ctx) => snapshots(open, location, ctx),
    restore: (location, dir, ctx, id) => restore(open, location, dir, ctx, id),
    check: (location, ctx) => check(open, location, ctx),
    upload: (location, file, name, ctx) => upload(open, location, file, name, ctx),
    download: (location, name, file, ctx) => download(open, location, name, file, ctx),
    putDir: (dir, location, name, ctx) => {
      checkName(name);
      return withTarget(open, location, ctx, async (t) => {
        await rclone(
          copyArgs(t.global, dir, childPath(t.root, name)),
          `copying to ${t.where}`,
          sig(t),
        );
      });
    },
    getDir: (location, name, dir, ctx) => {
      checkName(name);
      return withTarget(open, location, ctx, async (t) => {
        const src = childPath(t.root, name);
        const present = await listLines(t, src, {});
        if (present.length === 0) {
          throw new ParaduxError("not-found", `${t.where} has no directory ${name}`);
        }
        await Deno.mkdir(dir, { recursive: true });
        await rclone(copyArgs(t.global, src, dir), `copying from ${t.where}`, sig(t));
      });
    },
    listDirs: (location, ctx) =>
      withTarget(open, location, ctx, (t) => listLines(t, t.root, { dirsOnly: true })),
    removeDir: (location, name, ctx) => {
      checkName(name);
      return withTarget(open, location, ctx, async (t) => {
        const r = await runRclone(purgeArgs(t.global, childPath(t.root, name)), sig(t));
        if (r.code !== 0 && !isNotFound(r.code)) throw rcloneFailure(r, `removing ${name}`);
      });
    },
  };
}

/** The `pull` of protocols that cannot be a dataset source. */
export function noPull(name: string): ProtocolSpec["pull"] {
  return () =>
    Promise.reject(
      new ParaduxError("usage", `${name} locations cannot be a dataset source`, {
        hint: "an object store or FTP server keeps no modes or symlinks; use it as a destination",
      }),
    );
}

/** Writes a 0600 file in a fresh 0700 dir under `privateDir`; returns the dir. */
export async function privateFiles(
  privateDir: string,
  prefix: string,
  files: Record<string, string>,
): Promise<{ dir: string; path(name: string): string; remove(): Promise<void> }> {
  const dir = await Deno.makeTempDir({ dir: privateDir, prefix });
  await Deno.chmod(dir, 0o700);
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, name), text, { mode: 0o600, createNew: true });
  }
  return {
    dir,
    path: (name) => join(dir, name),
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}
