/**
 * The state file `HOME/state/datasets.json`, outside the vault (unattended runs cannot open the
 * vault): per dataset and destination the last success and failure, bytes, files, duration and
 * snapshot id; per dataset the last pull. Written atomically under `HOME/locks/state.lock`, so
 * backups of different datasets running at once never lose each other's results.
 * @module
 */
import { join } from "node:path";
import { ParaduxError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic.ts";
import { acquireLock, type Lock } from "../system/lock.ts";

/** The outcome of one transfer (a pull or a push). */
export interface TransferState {
  /** ISO time of the last success. */
  lastSuccess?: string;
  /** ISO time of the last failure. */
  lastFailure?: string;
  /** Why the last failure happened (one line). */
  lastError?: string;
  /** Bytes the last successful run moved. */
  bytes?: number;
  /** Files in the tree of the last successful run. */
  files?: number;
  /** Milliseconds the last run (success or failure) took. */
  durationMs?: number;
  /** Snapshot id the last successful push made. */
  snapshot?: string;
}

/** The state of one dataset. */
export interface DatasetState {
  /** The last pull of the source into the local copy. */
  pull?: TransferState;
  /** Per destination name. */
  destinations: Record<string, TransferState>;
}

/** The whole state file. */
export interface StateFile {
  /** Format version. */
  version: 1;
  /** Per dataset name. */
  datasets: Record<string, DatasetState>;
}

/** The state directory of a home. */
export function stateDir(home: string): string {
  return join(home, "state");
}

/**
 * The local state of one destination's snapshot chain (protocols/chain.ts):
 * `HOME/state/chains/DATASET/DESTINATION`. Losing it only makes the next push a full.
 */
export function chainStateDir(home: string, dataset: string, destination: string): string {
  return join(stateDir(home), "chains", dataset, destination);
}

/** The locks directory of a home (dataset locks and the state lock). */
export function locksDir(home: string): string {
  return join(home, "locks");
}

/** The state file of a home. */
export function statePath(home: string): string {
  return join(stateDir(home), "datasets.json");
}

/** An empty state. */
export function emptyState(): StateFile {
  return { version: 1, datasets: {} };
}

/** Parses the state file's text; an unreadable file is an `input` error naming it. */
export function parseState(text: string, path = "datasets.json"): StateFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ParaduxError("input", `the state file ${path} is damaged`, {
      hint: "remove it; it only records past results and is rebuilt by the next backup",
      cause: e,
    });
  }
  const v = value as Partial<StateFile> | null;
  if (typeof v !== "object" || v === null || v.version !== 1 || typeof v.datasets !== "object") {
    throw new ParaduxError("input", `the state file ${path} has an unknown format`, {
      hint: "remove it; it only records past results and is rebuilt by the next backup",
    });
  }
  return v as StateFile;
}

/** Reads the state of a home (empty when there is none yet). */
export async function readState(home: string): Promise<StateFile> {
  const path = statePath(home);
  try {
    return parseState(await Deno.readTextFile(path), path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return emptyState();
    throw e;
  }
}

/** The state of one destination (empty when never run). */
export function destinationState(
  state: StateFile,
  dataset: string,
  destination: string,
): TransferState {
  return state.datasets[dataset]?.destinations[destination] ?? {};
}

/** What a finished transfer reports for the state. */
export type Outcome =
  | { ok: true; at: Date; durationMs: number; bytes: number; files: number; snapshot?: string }
  | { ok: false; at: Date; durationMs: number; error: string };

/** A new transfer state after `outcome` (pure: a failure keeps the last success's numbers). */
export function applyOutcome(old: TransferState, outcome: Outcome): TransferState {
  if (!outcome.ok) {
    return {
      ...old,
      lastFailure: outcome.at.toISOString(),
      lastError: outcome.error,
      durationMs: outcome.durationMs,
    };
  }
  const next: TransferState = {
    ...old,
    lastSuccess: outcome.at.toISOString(),
    bytes: outcome.bytes,
    files: outcome.files,
    durationMs: outcome.durationMs,
  };
  if (outcome.snapshot !== undefined) next.snapshot = outcome.snapshot;
  return next;
}

async function stateLock(home: string): Promise<Lock> {
  await Deno.mkdir(locksDir(home), { recursive: true, mode: 0o700 });
  const path = join(locksDir(home), "state.lock");
  for (let i = 0;; i++) {
    try {
      return await acquireLock(path, "the state file");
    } catch (e) {
      if (!(e instanceof ParaduxError && e.kind === "locked") || i >= 200) throw e;
      await new Promise((r) => setTimeout(r, 25)); // held only for a read and a write
    }
  }
}

/** Applies `change` to the state of `home` under its lock, atomically. Returns the new state. */
export async function updateState(
  home: string,
  change: (state: StateFile) => void,
): Promise<StateFile> {
  const lock = await stateLock(home);
  try {
    const state = await readState(home);
    change(state);
    await Deno.mkdir(stateDir(home), { recursive: true, mode: 0o700 });
    await writeFileAtomic(statePath(home), JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
    return state;
  } finally {
    await lock.release();
  }
}

function datasetEntry(state: StateFile, dataset: string): DatasetState {
  const entry = state.datasets[dataset] ?? { destinations: {} };
  state.datasets[dataset] = entry;
  return entry;
}

/** Records the outcome of a push to `destination` of `dataset`. */
export async function recordPush(
  home: string,
  dataset: string,
  destination: string,
  outcome: Outcome,
): Promise<void> {
  await updateState(home, (s) => {
    const entry = datasetEntry(s, dataset);
    entry.destinations[destination] = applyOutcome(entry.destinations[destination] ?? {}, outcome);
  });
}

/** Records the outcome of a pull of `dataset`'s source. */
export async function recordPull(home: string, dataset: string, outcome: Outcome): Promise<void> {
  await updateState(home, (s) => {
    const entry = datasetEntry(s, dataset);
    entry.pull = applyOutcome(entry.pull ?? {}, outcome);
  });
}
