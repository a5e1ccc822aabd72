/**
 * What the dataset commands (backup, restore, status-datasets) share: finding a dataset by name
 * and formatting sizes, durations and ages for one-line results.
 * @module
 */
import { ParaduxError } from "../errors.ts";
import type { Dataset } from "../vault/documents.ts";

/**
 * The dataset named `name`.
 * @throws ParaduxError `not-found` listing the known names.
 */
export function findDataset(datasets: readonly Dataset[], name: string): Dataset {
  const found = datasets.find((d) => d.name === name);
  if (found !== undefined) return found;
  throw new ParaduxError("not-found", `no dataset named ${name}`, {
    hint: `known: ${
      datasets.map((d) => d.name).join(", ") || "none"
    } (add one with 'paradux edit-datasets')`,
  });
}

/** Bytes as `512 B`, `1.5 KiB`, `12.0 MiB`... */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Milliseconds as `850 ms`, `12.3 s`, `4 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m - h * 60} min`;
  return `${Math.floor(h / 24)} days`;
}

/** How long ago `then` was, seen from `now`: `just now`, `5 min ago`, `3 h ago`, `2 days ago`. */
export function formatAge(then: Date, now: Date): string {
  const s = Math.round((now.getTime() - then.getTime()) / 1000);
  if (s < 0) return `in ${formatDuration(-s * 1000)}`;
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

/** An ISO time as `2026-11-24 10:00 UTC`. */
export function formatTime(iso: string | Date): string {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  return d.toISOString().replace("T", " ").replace(/:\d\d\.\d+Z$/, " UTC");
}
