/**
 * Where each destination stands: last success and failure (from the state file), age, next
 * run (the calendar's next elapse) and whether it is due or overdue (datasets/schedule.ts).
 * @module
 */
import type { Dataset } from "../vault/documents.ts";
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

/** The status of every dataset at `now`. */
export async function datasetStatuses(
  datasets: readonly Dataset[],
  state: StateFile,
  now: Date,
): Promise<DatasetStatus[]> {
  const out: DatasetStatus[] = [];
  for (const ds of datasets) {
    const entry = state.datasets[ds.name];
    const destinations: DestinationStatus[] = [];
    for (const d of ds.destinations) {
      const t = entry?.destinations[d.name] ?? {};
      const last = t.lastSuccess === undefined ? undefined : new Date(t.lastSuccess);
      const failing = t.lastFailure !== undefined &&
        (t.lastSuccess === undefined || t.lastFailure > t.lastSuccess);
      const base: DestinationStatus = {
        destination: d.name,
        frequency: d.frequency,
        ...t,
        due: last === undefined,
        overdue: last === undefined,
        failing,
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
