/**
 * Where each destination stands: last success and failure (from the state file), age, next
 * run (the calendar's next elapse) and whether it is due or overdue (datasets/schedule.ts).
 * A destination this machine has no record of at all, neither a success nor a failure (a vault
 * just recovered, a new machine), is asked
 * what it holds, so the newest snapshot there counts as the last success.
 * @module
 */
import type { Dataset, Destination } from "../vault/documents.ts";
import { scheduleOf } from "./schedule.ts";
import type { StateFile, TransferState } from "./state.ts";

/** The status of one destination. */
export interface DestinationStatus extends TransferState {
  /** Destination name. */
  destination: string;
  /** Its frequency. */
  frequency: string;
  /** Seconds since the last success. */
  ageSeconds?: number;
  /** The next run of the timer (ISO). */
  nextRun?: string;
  /** A backup now would push to it. */
  due: boolean;
  /** A whole period passed without a success, or it never succeeded. */
  overdue: boolean;
  /** The last run failed (the last failure is newer than the last success). */
  failing: boolean;
  /** Why the frequency could not be evaluated. */
  scheduleError?: string;
  /** What the destination holds, when this machine has no record of any run there. */
  held?: HeldSnapshots;
}

/** The snapshots found at a destination (or why they could not be read). */
export interface HeldSnapshots {
  /** How many snapshots it holds. */
  count: number;
  /** The newest one's time (ISO). */
  newest?: string;
  /** Why the destination could not be read (then `count` is 0). */
  error?: string;
}

/** Reads the times of the snapshots a destination holds (throws when it is unreachable). */
export type SnapshotLister = (dataset: Dataset, destination: Destination) => Promise<
  { time: string }[]
>;

async function heldAt(
  list: SnapshotLister,
  dataset: Dataset,
  destination: Destination,
): Promise<HeldSnapshots> {
  try {
    const times = (await list(dataset, destination)).map((s) => s.time).sort();
    const newest = times.at(-1);
    return { count: times.length, ...(newest === undefined ? {} : { newest }) };
  } catch (e) {
    return { count: 0, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The status of one dataset. */
export interface DatasetStatus {
  /** Dataset name. */
  dataset: string;
  /** The last pull of the source. */
  pull: TransferState;
  /** One entry per destination, in document order. */
  destinations: DestinationStatus[];
}

/**
 * The status of every dataset at `now`. With `list`, each destination with no recorded run here
 * (no success, no failure) is read, and its newest snapshot stands in for the last success.
 */
export async function datasetStatuses(
  datasets: readonly Dataset[],
  state: StateFile,
  now: Date,
  list?: SnapshotLister,
): Promise<DatasetStatus[]> {
  const out: DatasetStatus[] = [];
  for (const ds of datasets) {
    const entry = state.datasets[ds.name];
    const destinations: DestinationStatus[] = [];
    for (const d of ds.destinations) {
      const t = entry?.destinations[d.name] ?? {};
      const noRecord = t.lastSuccess === undefined && t.lastFailure === undefined;
      const held = noRecord && list !== undefined ? await heldAt(list, ds, d) : undefined;
      const lastTime = t.lastSuccess ?? held?.newest;
      const last = lastTime === undefined ? undefined : new Date(lastTime);
      const failing = t.lastFailure !== undefined &&
        (t.lastSuccess === undefined || t.lastFailure > t.lastSuccess);
      const base: DestinationStatus = {
        destination: d.name,
        frequency: d.frequency,
        ...t,
        due: last === undefined,
        overdue: last === undefined,
        failing,
        ...(held === undefined ? {} : { held }),
      };
      if (last !== undefined) {
        base.ageSeconds = Math.round((now.getTime() - last.getTime()) / 1000);
      }
      try {
        const s = await scheduleOf(d.frequency, last, now);
        base.due = s.due;
        base.overdue = s.overdue;
        if (s.nextRun !== undefined) base.nextRun = s.nextRun.toISOString();
      } catch (e) {
        base.scheduleError = e instanceof Error ? e.message : String(e);
      }
      destinations.push(base);
    }
    out.push({ dataset: ds.name, pull: entry?.pull ?? {}, destinations });
  }
  return out;
}
