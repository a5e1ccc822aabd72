/**
 * The one snapshot id format and same-second rule of every Paradux-made snapshot (file,
 * rsync+ssh, s3, ftp and encrypted destinations; restic keeps its own ids).
 *
 * An id is the run's UTC time `YYYYMMDDTHHMMSSZ`, with `-2`, `-3`... appended when that second
 * is already taken; a new id always sorts after every existing one (also when the clock reads
 * earlier than the newest id: it then takes the newest id's second and the next counter).
 * Compare ids with {@link compareSnapshotIds} (time, then counter), never as plain strings.
 * @module
 */
import { ParaduxError } from "../errors.ts";

/** A snapshot id: time plus optional same-second counter (group 1 = time, 2 = counter). */
export const SNAPSHOT_ID = /^(\d{8}T\d{6}Z)(?:-(\d+))?$/;

/** The id of a moment without counter: `20261124T094500Z`. */
export function snapshotId(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

/** True for a snapshot id. */
export function isSnapshotId(name: string): boolean {
  return SNAPSHOT_ID.test(name);
}

/** Orders snapshot ids by time, then by their same-second counter. */
export function compareSnapshotIds(a: string, b: string): number {
  const [, ta = "", na = "1"] = SNAPSHOT_ID.exec(a) ?? [];
  const [, tb = "", nb = "1"] = SNAPSHOT_ID.exec(b) ?? [];
  return ta < tb ? -1 : ta > tb ? 1 : Number(na) - Number(nb);
}

/** The ISO time of a snapshot id (`20261124T094500Z-2` -> `2026-11-24T09:45:00Z`). */
export function snapshotTime(id: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-\d+)?$/.exec(id);
  if (m === null) throw new ParaduxError("input", `${id} is not a snapshot id`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

/**
 * A free snapshot id for `now` given the names already present (ids, and names holding an id
 * such as `.ID.partial` or `ID.003`, which count as taken). It sorts after every id present.
 */
export function nextSnapshotId(now: Date, taken: Iterable<string>): string {
  const names = new Set(taken);
  const ids = new Set<string>();
  for (const n of names) {
    const m = /^\.?(\d{8}T\d{6}Z(?:-\d+)?)(?:\.partial|\.\d+)?$/.exec(n);
    if (m?.[1] !== undefined) ids.add(m[1]);
  }
  let base = snapshotId(now);
  let n = 1;
  const newest = [...ids].sort(compareSnapshotIds).at(-1);
  const m = newest === undefined ? null : SNAPSHOT_ID.exec(newest);
  if (m?.[1] !== undefined && m[1] >= base) {
    base = m[1];
    n = Number(m[2] ?? "1") + 1;
  }
  const name = (k: number) => k === 1 ? base : `${base}-${k}`;
  while (ids.has(name(n))) n++;
  return name(n);
}
