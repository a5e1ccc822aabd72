/**
 * What an edited document must pass beyond its schema before it is saved (`paradux edit-*`):
 *
 * - every location (dataset source, destination, metadata location) is checked by its protocol
 *   through the one documented interface, {@link ProtocolSpec} (`schemes`, `validate`,
 *   `canBeSource`): an unknown scheme, a URL shape the protocol refuses, a missing required
 *   credential, a source whose protocol cannot be one;
 * - every frequency is a named one or an OnCalendar expression systemd accepts (a one-word
 *   typo such as `dialy` is refused with a suggestion even where systemd-analyze is missing);
 * - the stewards are at least k, the number needed to recover.
 *
 * Only the edited document is checked, so a vault saved before a rule existed can still be
 * opened and its other documents edited. Issues carry JSON paths like the schema's, so the
 * editor loop shows them the same way (file, line, column, path, message).
 * @module
 */
import { ParaduxError } from "../errors.ts";
import { protocolFor, validateLocation } from "../protocols/lookup.ts";
import type { Location, ProtocolSpec } from "../protocols/protocol.ts";
import { protocols } from "../protocols/registry.gen.ts";
import { calendarProblem } from "../system/systemd.ts";
import { type Documents, type EditableName, FREQUENCIES } from "./documents.ts";
import { childPath } from "./json.ts";
import type { Issue } from "./validate.ts";

/** Problems of one location at `path` (its object), found by its protocol; never throws. */
export function locationIssues(
  location: Location,
  path: string,
  role: "source" | "destination" | "metadata",
  list: readonly ProtocolSpec[] = protocols,
): Issue[] {
  let protocol: ProtocolSpec;
  try {
    protocol = protocolFor(location.url, list);
  } catch (e) {
    if (!(e instanceof ParaduxError)) throw e;
    return [{ path: childPath(path, "url"), message: `${e.message} (${e.hint ?? ""})` }];
  }
  if (role === "source" && !protocol.canBeSource) {
    const sources = list.filter((p) => p.canBeSource).flatMap((p) =>
      p.schemes.map((s) => `${s}://`)
    );
    return [{
      path: childPath(path, "url"),
      message: `the ${protocol.name} protocol cannot be a dataset source ` +
        `(a source can be ${sources.join(", ")})`,
    }];
  }
  return validateLocation(location, list).map((message) => ({
    path,
    message: `${protocol.name} location: ${message}`,
  }));
}

/** One-word calendar shorthands systemd accepts (systemd.time(7)). */
const SYSTEMD_WORDS = [
  "minutely",
  "hourly",
  "daily",
  "weekly",
  "monthly",
  "yearly",
  "annually",
  "quarterly",
  "semiannually",
];

const WEEKDAYS = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*$/i;

/** Edit distance (insert, delete, substitute, swap of neighbours) between short words. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

const USE = `use ${FREQUENCIES.join(", ")} or a systemd OnCalendar expression`;

function notAFrequency(spec: string, why?: string): string {
  const near = [...FREQUENCIES].sort((x, y) => editDistance(spec, x) - editDistance(spec, y));
  const guess = near[0] !== undefined && editDistance(spec.toLowerCase(), near[0]) <= 2
    ? `did you mean "${near[0]}"? `
    : "";
  return `${JSON.stringify(spec)} is not a frequency${why === undefined ? "" : `: ${why}`} ` +
    `(hint: ${guess}${USE})`;
}

/**
 * The problem with a frequency, or undefined when it is valid: named ones pass, one-word specs
 * must be systemd's shorthands, anything else is asked of `systemd-analyze calendar` (skipped
 * when it is not installed: the units step checks again).
 */
export async function frequencyProblem(spec: string): Promise<string | undefined> {
  if ((FREQUENCIES as readonly string[]).includes(spec)) return undefined;
  if (/^[a-z]+$/i.test(spec)) {
    return SYSTEMD_WORDS.includes(spec.toLowerCase()) || WEEKDAYS.test(spec)
      ? undefined
      : notAFrequency(spec);
  }
  try {
    const p = await calendarProblem(spec);
    if (p === undefined) return undefined;
    const said = p.slice(`invalid frequency ${JSON.stringify(spec)}: `.length);
    return notAFrequency(spec, `systemd-analyze calendar says "${said}"`);
  } catch (e) {
    if (e instanceof ParaduxError && e.kind === "missing-tool") return undefined;
    throw e;
  }
}

async function datasetsIssues(docs: Documents, list: readonly ProtocolSpec[]): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const [i, ds] of docs.datasets.datasets.entries()) {
    const base = childPath("$.datasets", i);
    issues.push(...locationIssues(ds.source, childPath(base, "source"), "source", list));
    for (const [j, d] of ds.destinations.entries()) {
      const p = childPath(childPath(base, "destinations"), j);
      issues.push(...locationIssues(d, p, "destination", list));
      const f = await frequencyProblem(d.frequency);
      if (f !== undefined) issues.push({ path: childPath(p, "frequency"), message: f });
    }
  }
  return issues;
}

function stewardsIssues(docs: Documents): Issue[] {
  const k = docs.secrets.threshold;
  const n = docs.stewards.stewards.length;
  if (n >= k) return [];
  return [{
    path: "$.stewards",
    message: `has ${n} steward${n === 1 ? "" : "s"}, but k = ${k} are needed to recover: ` +
      `add at least ${k - n} more (k was set by 'paradux init --min-stewards')`,
  }];
}

/**
 * The problems of the edited document `name` within `docs` (which already holds the new
 * value and passed the schema); empty when it may be saved.
 */
export async function editIssues(
  name: EditableName,
  docs: Documents,
  list: readonly ProtocolSpec[] = protocols,
): Promise<Issue[]> {
  switch (name) {
    case "datasets":
      return await datasetsIssues(docs, list);
    case "metadata-locations":
      return docs["metadata-locations"].locations.flatMap((l, i) =>
        locationIssues(l, childPath("$.locations", i), "metadata", list)
      );
    case "stewards":
      return stewardsIssues(docs);
    default:
      return [];
  }
}
