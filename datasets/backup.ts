/**
 * Moving a dataset: {@link backupDataset} pulls the source into the local copy and pushes it to
 * each destination that is due; {@link restoreDataset} brings a snapshot back.
 *
 * A backup holds the dataset's lock (`HOME/locks/dataset-NAME.lock`) for its whole run, records
 * every outcome in the state file (datasets/state.ts), and never stops at a failing destination:
 * each gets its own result. A failing pull fails every due destination (nothing stale is pushed).
 * Destinations with `encrypt: true` get sealed archives (datasets/encrypted.ts) made with the age
 * recipient only, so unattended jobs never need the identity.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { failureOf, ParaduxError } from "../errors.ts";
import {
  type Location,
  locationOf,
  type Progress,
  type ProtocolSpec,
  type TransferStats,
} from "../protocols/protocol.ts";
import { protocolFor } from "../protocols/lookup.ts";
import { acquireLock } from "../system/lock.ts";
import { withPrivateDir } from "../system/private_dir.ts";
import type { Dataset, Destination } from "../vault/documents.ts";
import type { KeyedIdentity } from "./encrypted.ts";
import { scheduleOf } from "./schedule.ts";
import {
  chainStateDir,
  destinationState,
  locksDir,
  type Outcome,
  readState,
  recordPull,
  recordPush,
  type StateFile,
} from "./state.ts";
import { exists } from "../system/exists.ts";

/** The age recipient (and its data key generation) that encrypted destinations are sealed to. */
export interface Encryption {
  /** `age1...`. */
  recipient: string;
  /** Data key generation of the recipient. */
  keyGeneration: number;
}

/** A progress report of a running backup or restore. */
export interface TransferEvent {
  /** What is running. */
  step: "pull" | "push" | "restore";
  /** The destination, for pushes and restores. */
  destination?: string;
  /** The protocol's progress. */
  progress: Progress;
}

/** Options of {@link backupDataset}. */
export interface BackupOptions {
  /** The Paradux home (state and locks). */
  home: string;
  /** Only this destination, due or not (`--location`). */
  only?: string;
  /** Push to every destination, due or not. */
  force?: boolean;
  /** Start a new chain: chained destinations (s3, ftp, encrypted) get a full (`--full`). */
  full?: boolean;
  /** Report what would happen; transfer nothing, record nothing. */
  dryRun?: boolean;
  /** The time of this run (default now). */
  now?: Date;
  /** What encrypted destinations are sealed to; without it they fail with a clear error. */
  encryption?: Encryption;
  /** Finds the protocol of a URL (default: the registry). */
  lookup?: (url: string) => ProtocolSpec;
  /** Progress of long transfers. */
  onProgress?: (event: TransferEvent) => void;
  /** Called when a step starts. */
  onStep?: (step: "pull" | "push", destination?: string) => void;
  /** Aborts transfers (Ctrl-C). */
  signal?: AbortSignal;
}

/** What happened at one destination. */
export type DestinationStatus = "ok" | "failed" | "not-due" | "would-push" | "interrupted";

/** One destination's result. */
export interface DestinationResult {
  /** Destination name. */
  destination: string;
  /** Its URL. */
  url: string;
  /** What happened. */
  status: DestinationStatus;
  /** Why it failed (one line). */
  error?: string;
  /** What to do about the failure. */
  hint?: string;
  /** Bytes moved. */
  bytes?: number;
  /** Files in the tree. */
  files?: number;
  /** Milliseconds the push took. */
  ms?: number;
  /** The new snapshot's id. */
  snapshot?: string;
  /** For `not-due`: when it is due next (ISO). */
  dueAt?: string;
  /** For `ok`: what went wrong after the snapshot was safe (e.g. pruning). */
  warnings?: string[];
}

/** The pull's result. */
export interface PullResult {
  /** `skipped` when nothing was due (or a dry run); `interrupted` by Ctrl-C or SIGTERM. */
  status: "ok" | "failed" | "skipped" | "interrupted";
  /** Why it failed. */
  error?: string;
  /** What to do about the failure. */
  hint?: string;
  /** Bytes moved. */
  bytes?: number;
  /** Files in the local copy. */
  files?: number;
  /** Milliseconds. */
  ms?: number;
}

/** The outcome of one dataset's backup. */
export interface BackupReport {
  /** Dataset name. */
  dataset: string;
  /** The pull of the source into the local copy. */
  pull: PullResult;
  /** One result per selected destination, in document order. */
  results: DestinationResult[];
}

/** The lock file of a dataset. */
export function datasetLockPath(home: string, dataset: string): string {
  return join(locksDir(home), `dataset-${dataset}.lock`);
}

/**
 * The destinations `only` selects (all when absent).
 * @throws ParaduxError `usage` for an unknown name.
 */
export function selectDestinations(dataset: Dataset, only?: string): Destination[] {
  if (only === undefined) return [...dataset.destinations];
  const found = dataset.destinations.filter((d) => d.name === only);
  if (found.length === 0) {
    throw new ParaduxError("usage", `dataset ${dataset.name} has no destination named ${only}`, {
      hint: `known: ${dataset.destinations.map((d) => d.name).join(", ") || "none"}`,
    });
  }
  return found;
}

function checked(protocol: ProtocolSpec, location: Location, what: string): void {
  const problems = protocol.validate(location);
  if (problems.length > 0) {
    throw new ParaduxError("input", `${what}: ${problems.join("; ")}`, {
      hint: "fix it with 'paradux edit-datasets'",
    });
  }
}

/** Which selected destinations are due, from the state (pure apart from calendar lookups). */
export async function dueDestinations(
  dataset: Dataset,
  state: StateFile,
  now: Date,
  options: { only?: string; force?: boolean } = {},
): Promise<{ destination: Destination; due: boolean; dueAt?: Date }[]> {
  const out: { destination: Destination; due: boolean; dueAt?: Date }[] = [];
  for (const d of selectDestinations(dataset, options.only)) {
    if (options.force === true || options.only !== undefined) {
      out.push({ destination: d, due: true });
      continue;
    }
    const last = destinationState(state, dataset.name, d.name).lastSuccess;
    const s = await scheduleOf(d.frequency, last === undefined ? undefined : new Date(last), now);
    out.push(
      s.dueSince === undefined ? { destination: d, due: s.due } : {
        destination: d,
        due: s.due,
        dueAt: s.dueSince,
      },
    );
  }
  return out;
}

function since(started: number): number {
  return Math.round(performance.now() - started);
}

/**
 * Backs up one dataset: pull, then push to every due destination.
 * @throws ParaduxError `locked` when another backup of the dataset runs, `usage` for an unknown
 * `only`; transfer failures are results, not exceptions.
 */
export async function backupDataset(
  dataset: Dataset,
  options: BackupOptions,
): Promise<BackupReport> {
  const now = options.now ?? new Date();
  const lookup = options.lookup ?? protocolFor;
  const plan = await dueDestinations(dataset, await readState(options.home), now, options);
  const notDue = (p: (typeof plan)[number]): DestinationResult => ({
    destination: p.destination.name,
    url: p.destination.url,
    status: "not-due",
    ...(p.dueAt === undefined ? {} : { dueAt: p.dueAt.toISOString() }),
  });
  const due = plan.filter((p) => p.due);
  if (options.dryRun === true || due.length === 0) {
    return {
      dataset: dataset.name,
      pull: { status: "skipped" },
      results: plan.map((p) =>
        p.due
          ? { destination: p.destination.name, url: p.destination.url, status: "would-push" }
          : notDue(p)
      ),
    };
  }
  await Deno.mkdir(locksDir(options.home), { recursive: true, mode: 0o700 });
  const lock = await acquireLock(
    datasetLockPath(options.home, dataset.name),
    `dataset ${dataset.name}`,
  );
  try {
    const pull = await pullSource(dataset, lookup, now, options);
    const results: DestinationResult[] = [];
    for (const p of plan) {
      if (!p.due) results.push(notDue(p));
      else if (options.signal?.aborted === true) {
        results.push({
          destination: p.destination.name,
          url: p.destination.url,
          status: "interrupted",
          error: "not started",
        });
      } else if (pull.status === "failed") {
        const r: DestinationResult = {
          destination: p.destination.name,
          url: p.destination.url,
          status: "failed",
          error: `not pushed: the source pull failed: ${pull.error ?? "failed"}`,
          ...(pull.hint === undefined ? {} : { hint: pull.hint }),
        };
        await recordPush(options.home, dataset.name, p.destination.name, {
          ok: false,
          at: now,
          durationMs: 0,
          error: r.error ?? "",
        });
        results.push(r);
      } else results.push(await pushOne(dataset, p.destination, lookup, now, options));
    }
    return { dataset: dataset.name, pull, results };
  } finally {
    await lock.release();
  }
}

async function pullSource(
  dataset: Dataset,
  lookup: (url: string) => ProtocolSpec,
  now: Date,
  options: BackupOptions,
): Promise<PullResult> {
  options.onStep?.("pull");
  const started = performance.now();
  let outcome: Outcome;
  let result: PullResult;
  try {
    const location = locationOf(dataset.source);
    const protocol = lookup(location.url);
    if (!protocol.canBeSource) {
      throw new ParaduxError("usage", `the ${protocol.name} protocol cannot be a dataset source`, {
        hint: "use a location of another protocol as the source",
      });
    }
    checked(protocol, location, `source of dataset ${dataset.name}`);
    await Deno.mkdir(dirname(dataset.localCopy), { recursive: true });
    const stats = await withPrivateDir((dir) =>
      protocol.pull(location, dataset.localCopy, {
        privateDir: dir.dir,
        now,
        progress: (p) => options.onProgress?.({ step: "pull", progress: p }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
    );
    const ms = since(started);
    result = { status: "ok", bytes: stats.bytes, files: stats.files, ms };
    outcome = { ok: true, at: now, durationMs: ms, bytes: stats.bytes, files: stats.files };
  } catch (e) {
    const f = failureOf(e);
    const ms = since(started);
    const interrupted = options.signal?.aborted === true;
    result = interrupted
      ? { status: "interrupted", error: "stopped during the pull", ms }
      : { status: "failed", ...f, ms };
    outcome = { ok: false, at: now, durationMs: ms, error: interrupted ? "interrupted" : f.error };
  }
  await recordPull(options.home, dataset.name, outcome);
  return result;
}

async function pushOne(
  dataset: Dataset,
  d: Destination,
  lookup: (url: string) => ProtocolSpec,
  now: Date,
  options: BackupOptions,
): Promise<DestinationResult> {
  options.onStep?.("push", d.name);
  const started = performance.now();
  let result: DestinationResult;
  let outcome: Outcome;
  try {
    const location = locationOf(d);
    const protocol = lookup(location.url);
    checked(protocol, location, `destination ${d.name} of dataset ${dataset.name}`);
    const chain = {
      stateDir: chainStateDir(options.home, dataset.name, d.name),
      ...(options.full === true ? { full: true } : {}),
    };
    const keep = d.keep === undefined ? {} : { keep: d.keep };
    const pushed = await withPrivateDir(async (dir) => {
      const ctx = {
        privateDir: dir.dir,
        now,
        progress: (p: Progress) =>
          options.onProgress?.({ step: "push", destination: d.name, progress: p }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      };
      if (d.encrypt !== true) {
        return await protocol.push(dataset.localCopy, location, ctx, { ...keep, chain });
      }
      if (options.encryption === undefined) {
        throw new ParaduxError("usage", "no age recipient to encrypt to", {
          hint: "the vault (or job file) must carry the data key's recipient",
        });
      }
      const { pushEncrypted } = await import("./encrypted.ts"); // age: only when encrypting
      return await pushEncrypted(
        dataset.localCopy,
        location,
        protocol,
        [
          options.encryption.recipient,
        ],
        ctx,
        { keyGeneration: options.encryption.keyGeneration, ...keep, chain },
      );
    });
    const ms = since(started);
    result = {
      destination: d.name,
      url: d.url,
      status: "ok",
      bytes: pushed.bytes,
      files: pushed.files,
      ms,
      snapshot: pushed.snapshot.id,
      ...(pushed.warnings === undefined ? {} : { warnings: pushed.warnings }),
    };
    outcome = {
      ok: true,
      at: now,
      durationMs: ms,
      bytes: pushed.bytes,
      files: pushed.files,
      snapshot: pushed.snapshot.id,
    };
  } catch (e) {
    const f = failureOf(e);
    const ms = since(started);
    const interrupted = options.signal?.aborted === true;
    result = interrupted
      ? {
        destination: d.name,
        url: d.url,
        status: "interrupted",
        error: "stopped during the push (an unfinished snapshot is never restored)",
        ms,
      }
      : { destination: d.name, url: d.url, status: "failed", ...f, ms };
    outcome = { ok: false, at: now, durationMs: ms, error: interrupted ? "interrupted" : f.error };
  }
  await recordPush(options.home, dataset.name, d.name, outcome);
  return result;
}

/** Options of {@link restoreDataset}. */
export interface RestoreOptions {
  /** The Paradux home (state and locks). */
  home: string;
  /** The destination to restore from (default: the one with the newest success, else the first). */
  from?: string;
  /** Target directory (default: the local copy). */
  to?: string;
  /** Snapshot id (default: the newest). */
  snapshot?: string;
  /** Replace a non-empty target. */
  force?: boolean;
  /** Identities for encrypted destinations (every data key generation the vault has). */
  identities?: readonly KeyedIdentity[];
  /** Finds the protocol of a URL (default: the registry). */
  lookup?: (url: string) => ProtocolSpec;
  /** The time of this run (default now). */
  now?: Date;
  /** Progress of the transfer. */
  onProgress?: (event: TransferEvent) => void;
}

/** What a restore did. */
export interface RestoreReport {
  /** Dataset name. */
  dataset: string;
  /** The destination it came from. */
  destination: string;
  /** The snapshot restored (when known). */
  snapshot?: string;
  /** Where it went. */
  target: string;
  /** Bytes and files. */
  stats: TransferStats;
}

/** The destination a restore reads: `from`, else the newest success in the state, else the first. */
export function restoreSource(dataset: Dataset, state: StateFile, from?: string): Destination {
  if (from !== undefined) {
    const [d] = selectDestinations(dataset, from);
    if (d !== undefined) return d;
  }
  const ranked = dataset.destinations
    .map((d) => ({ d, t: destinationState(state, dataset.name, d.name).lastSuccess ?? "" }))
    .sort((a, b) => (a.t < b.t ? 1 : a.t > b.t ? -1 : 0));
  const best = ranked[0]?.d;
  if (best === undefined) {
    throw new ParaduxError("not-found", `dataset ${dataset.name} has no destinations`, {
      hint: "add one with 'paradux edit-datasets'",
    });
  }
  return best;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(dir)) return false;
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return true;
    if (e instanceof Deno.errors.NotADirectory) return false;
    throw e;
  }
}

function tag(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}

/** The snapshots a destination holds, oldest first. */
export async function listSnapshots(
  dataset: Dataset,
  destination: Destination,
  options: { lookup?: (url: string) => ProtocolSpec; now?: Date } = {},
): Promise<{ id: string; time: string; level?: number }[]> {
  const protocol = (options.lookup ?? protocolFor)(destination.url);
  const location = locationOf(destination);
  checked(protocol, location, `destination ${destination.name} of dataset ${dataset.name}`);
  return await withPrivateDir(async (dir) => {
    const ctx = { privateDir: dir.dir, now: options.now ?? new Date() };
    const list = destination.encrypt === true
      ? await (await import("./encrypted.ts")).encryptedSnapshots(location, protocol, ctx)
      : await protocol.snapshots(location, ctx);
    return list.map((s) => ({
      id: s.id,
      time: s.time,
      ...(s.level === undefined ? {} : { level: s.level }),
    }));
  });
}

/**
 * Restores a snapshot of `dataset` into the target (default: its local copy). The data lands in
 * a temporary directory beside the target first and replaces it only when complete.
 * @throws ParaduxError `exists` for a non-empty target without `force`, `not-found` for an
 * unknown snapshot, the protocol's errors for a failing transfer.
 */
export async function restoreDataset(
  dataset: Dataset,
  options: RestoreOptions,
): Promise<RestoreReport> {
  const destination = restoreSource(dataset, await readState(options.home), options.from);
  const target = options.to ?? dataset.localCopy;
  if (options.force !== true && !(await isEmptyOrMissing(target))) {
    throw new ParaduxError("exists", `${target} is not empty`, {
      hint: "restore elsewhere with --to DIR, or pass --force to replace its contents",
    });
  }
  const lookup = options.lookup ?? protocolFor;
  const now = options.now ?? new Date();
  await Deno.mkdir(locksDir(options.home), { recursive: true, mode: 0o700 });
  const lock = await acquireLock(
    datasetLockPath(options.home, dataset.name),
    `dataset ${dataset.name}`,
  );
  try {
    const protocol = lookup(destination.url);
    const location = locationOf(destination);
    checked(protocol, location, `destination ${destination.name} of dataset ${dataset.name}`);
    await Deno.mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${basename(target)}.paradux-restore-${tag()}`);
    await Deno.mkdir(tmp, { mode: 0o700 });
    try {
      const done = await withPrivateDir(async (dir) => {
        const ctx = {
          privateDir: dir.dir,
          now,
          progress: (p: Progress) =>
            options.onProgress?.({ step: "restore", destination: destination.name, progress: p }),
        };
        if (destination.encrypt === true) {
          const { restoreEncrypted } = await import("./encrypted.ts");
          const r = await restoreEncrypted(
            location,
            protocol,
            options.identities ?? [],
            tmp,
            ctx,
            options.snapshot,
          );
          return { stats: { bytes: r.bytes, files: r.files }, snapshot: r.snapshot.id };
        }
        const id = options.snapshot ?? (await protocol.snapshots(location, ctx)).at(-1)?.id;
        if (id === undefined) {
          throw new ParaduxError("not-found", `no snapshot at ${destination.url}`, {
            hint: "back up to this destination first (paradux backup)",
          });
        }
        return { stats: await protocol.restore(location, tmp, ctx, id), snapshot: id };
      });
      await replaceDir(tmp, target);
      return {
        dataset: dataset.name,
        destination: destination.name,
        snapshot: done.snapshot,
        target,
        stats: done.stats,
      };
    } finally {
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  } finally {
    await lock.release();
  }
}

/** Moves the complete directory `tmp` to `target`, replacing what was there. */
async function replaceDir(tmp: string, target: string): Promise<void> {
  if (!(await exists(target))) {
    await Deno.rename(tmp, target);
    return;
  }
  const old = join(dirname(target), `.${basename(target)}.paradux-old-${tag()}`);
  await Deno.rename(target, old);
  try {
    await Deno.rename(tmp, target);
  } catch (e) {
    await Deno.rename(old, target).catch(() => {});
    throw e;
  }
  await Deno.remove(old, { recursive: true });
}
