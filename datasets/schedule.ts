/**
 * When a destination is due: its frequency is a systemd calendar spec (`hourly`, `daily`,
 * `weekly`, `monthly`, or any OnCalendar expression), and a destination is due when the
 * calendar has elapsed at least once since its last success (or it never succeeded).
 *
 * Times are computed in UTC. The generated timers fire on the same specs in local time; with
 * one elapse per period either way, every timer firing sees exactly one elapse since the last
 * run, so the two agree on what is due. Named frequencies are computed here (pure); other
 * expressions by `systemd-analyze calendar --base-time` (see system/systemd.ts).
 * @module
 */
import { calendarNext } from "../system/systemd.ts";
import { FREQUENCIES } from "../vault/documents.ts";

/** One of the named frequencies. */
export type NamedFrequency = typeof FREQUENCIES[number];

/** True for `hourly`, `daily`, `weekly`, `monthly`. */
export function isNamedFrequency(frequency: string): frequency is NamedFrequency {
  return (FREQUENCIES as readonly string[]).includes(frequency);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The first elapse of a named frequency strictly after `base` (UTC), with systemd's meanings:
 * hourly `*-*-* *:00:00`, daily `*-*-* 00:00:00`, weekly `Mon *-*-* 00:00:00`,
 * monthly `*-*-01 00:00:00`.
 */
export function nextNamedElapse(frequency: NamedFrequency, base: Date): Date {
  const t = base.getTime();
  const y = base.getUTCFullYear();
  const m = base.getUTCMonth();
  const d = base.getUTCDate();
  switch (frequency) {
    case "hourly":
      return new Date(Math.floor(t / HOUR) * HOUR + HOUR);
    case "daily":
      return new Date(Date.UTC(y, m, d + 1));
    case "weekly": {
      const dow = base.getUTCDay(); // 0 = Sunday
      const days = ((8 - dow) % 7) || 7;
      return new Date(Date.UTC(y, m, d) + days * DAY);
    }
    case "monthly":
      return new Date(Date.UTC(y, m + 1, 1));
  }
}

/** The first `count` elapses of `frequency` strictly after `base` (empty when it never elapses). */
export async function nextElapses(frequency: string, base: Date, count = 1): Promise<Date[]> {
  if (isNamedFrequency(frequency)) {
    const out: Date[] = [];
    let at = base;
    for (let i = 0; i < count; i++) {
      at = nextNamedElapse(frequency, at);
      out.push(at);
    }
    return out;
  }
  return await calendarNext(frequency, base, count);
}

/** Where a destination stands against its schedule. */
export interface Schedule {
  /** A backup now would push to it: never succeeded, or the calendar elapsed since. */
  due: boolean;
  /** A whole scheduled period passed without a success (or it never succeeded). */
  overdue: boolean;
  /** The next calendar elapse after `now` (when the timer fires next), if any. */
  nextRun?: Date;
  /** The first elapse after the last success, if it succeeded before. */
  dueSince?: Date;
}

/**
 * The pure rule: due when never succeeded or the first elapse after the last success has come;
 * overdue when never succeeded or the second elapse after it has come too.
 */
export function scheduleFrom(
  lastSuccess: Date | undefined,
  afterSuccess: readonly Date[],
  nextRun: Date | undefined,
  now: Date,
): Schedule {
  const base: Schedule = lastSuccess === undefined || afterSuccess[0] === undefined
    ? { due: lastSuccess === undefined, overdue: lastSuccess === undefined }
    : {
      due: afterSuccess[0].getTime() <= now.getTime(),
      overdue: afterSuccess[1] !== undefined && afterSuccess[1].getTime() <= now.getTime(),
      dueSince: afterSuccess[0],
    };
  return nextRun === undefined ? base : { ...base, nextRun };
}

/** Where a destination with `frequency` and last success `lastSuccess` stands at `now`. */
export async function scheduleOf(
  frequency: string,
  lastSuccess: Date | undefined,
  now: Date,
): Promise<Schedule> {
  const after = lastSuccess === undefined ? [] : await nextElapses(frequency, lastSuccess, 2);
  const [next] = await nextElapses(frequency, now, 1);
  return scheduleFrom(lastSuccess, after, next, now);
}
