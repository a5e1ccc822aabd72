import assert from "node:assert/strict";
import { datasetsWithLocation, reportLines } from "../../../commands/backup.ts";
import type { Dataset } from "../../../vault/documents.ts";
import { isUserError } from "../../../errors.ts";
import { formatAge, formatBytes, formatDuration, formatTime } from "../../../commands/_datasets.ts";
import { destinationLine } from "../../../commands/status_datasets.ts";

Deno.test("backup output: one line per destination, hints indented, pull failures first", () => {
  const lines = reportLines({
    dataset: "docs",
    pull: { status: "failed", error: "source gone", hint: "mount it" },
    results: [
      {
        destination: "usb",
        url: "file:///m/usb",
        status: "ok",
        bytes: 1536,
        files: 3,
        ms: 1200,
        snapshot: "20261124T100000Z",
        warnings: ["snapshot 1 was written, but pruning failed"],
      },
      { destination: "nas", url: "file:///n", status: "failed", error: "no route", hint: "h" },
      { destination: "s3", url: "s3://b", status: "not-due", dueAt: "2026-11-25T00:00:00.000Z" },
      { destination: "x", url: "file:///x", status: "would-push" },
    ],
  });
  assert.deepEqual(lines, [
    "FAILED   docs (source): source gone",
    "         hint: mount it",
    "ok       docs/usb  file:///m/usb  (1.5 KiB, 3 files, 1.2 s, snapshot 20261124T100000Z)",
    "         warning: snapshot 1 was written, but pruning failed",
    "FAILED   docs/nas  file:///n: no route",
    "         hint: h",
    "not due  docs/s3  s3://b (due 2026-11-25 00:00 UTC)",
    "would push docs/x  file:///x",
  ]);
});

Deno.test("dataset formatting: bytes, durations, ages, times", () => {
  assert.deepEqual([0, 1023, 1024, 1536, 5 * 1024 ** 3].map(formatBytes), [
    "0 B",
    "1023 B",
    "1.0 KiB",
    "1.5 KiB",
    "5.0 GiB",
  ]);
  assert.deepEqual([850, 12_300, 245_000, 7_380_000, 3 * 86_400_000].map(formatDuration), [
    "850 ms",
    "12.3 s",
    "4 min 5 s",
    "2 h 3 min",
    "3 days",
  ]);
  const now = new Date("2026-11-24T10:00:00Z");
  const ago = (s: number) => formatAge(new Date(now.getTime() - s * 1000), now);
  assert.deepEqual([10, 300, 3 * 3600, 5 * 86400].map(ago), [
    "just now",
    "5 min ago",
    "3 h ago",
    "5 days ago",
  ]);
  assert.equal(formatTime("2026-11-24T10:07:33.120Z"), "2026-11-24 10:07 UTC");
});

Deno.test("status-datasets line: flags first, failure and next run", () => {
  const now = new Date("2026-11-24T10:00:00Z");
  assert.equal(
    destinationLine(
      {
        destination: "usb",
        frequency: "daily",
        lastSuccess: "2026-11-22T00:00:10.000Z",
        lastFailure: "2026-11-24T00:00:05.000Z",
        lastError: "drive not mounted",
        due: true,
        overdue: true,
        failing: true,
        nextRun: "2026-11-25T00:00:00.000Z",
      },
      "file:///m/usb",
      now,
    ),
    "OVERDUE FAILING usb  file:///m/usb  [daily]; last ok 2026-11-22 00:00 UTC (2 days ago); " +
      "failed 2026-11-24 00:00 UTC: drive not mounted; next 2026-11-25 00:00 UTC",
  );
  assert.equal(
    destinationLine(
      { destination: "nas", frequency: "hourly", due: true, overdue: true, failing: false },
      "file:///n",
      now,
    ),
    "OVERDUE nas  file:///n  [hourly]; never backed up",
  );
});

Deno.test("backup --location without DATASET: the one dataset with that destination", () => {
  const ds = (name: string, dests: string[]): Dataset => ({
    name,
    source: { url: "file:///src" },
    localCopy: "/copy",
    destinations: dests.map((d) => ({ name: d, url: `file:///d/${d}`, frequency: "daily" })),
  });
  const all = [ds("home", ["usb", "cloud"]), ds("photos", ["usb", "nas"])];
  assert.deepEqual(datasetsWithLocation(all, "cloud").map((d) => d.name), ["home"]);
  assert.deepEqual(datasetsWithLocation(all, "nas").map((d) => d.name), ["photos"]);
  assert.throws(
    () => datasetsWithLocation(all, "usb"),
    (e) =>
      isUserError(e, "usage") &&
      /2 datasets have a destination named usb: home, photos/.test(e.message),
  );
  assert.throws(
    () => datasetsWithLocation(all, "tape"),
    (e) => isUserError(e, "usage") && /no dataset has a destination named tape/.test(e.message),
  );
});

Deno.test("backup output after Ctrl-C: stopped and not-started lines, and the summary", async () => {
  const { interruptedSummary } = await import("../../../commands/backup.ts");
  const report = {
    dataset: "docs",
    pull: { status: "ok" as const },
    results: [
      { destination: "usb", url: "file:///u", status: "ok" as const, bytes: 1, files: 1 },
      {
        destination: "s3",
        url: "s3://b/x",
        status: "interrupted" as const,
        error: "stopped during the push (an unfinished snapshot is never restored)",
      },
      {
        destination: "nas",
        url: "file:///n",
        status: "interrupted" as const,
        error: "not started",
      },
    ],
  };
  assert.deepEqual(reportLines(report).slice(1), [
    "INTERRUPTED docs/s3  s3://b/x: stopped during the push (an unfinished snapshot is never restored)",
    "INTERRUPTED docs/nas  file:///n: not started",
  ]);
  assert.equal(
    interruptedSummary([report], ["photos"]),
    "interrupted: 1 destination finished, 1 stopped, 1 not started, 1 dataset not started",
  );
  assert.equal(
    interruptedSummary([{ dataset: "d", pull: { status: "interrupted" }, results: [] }], []),
    "interrupted: 0 destinations finished, 1 stopped, 0 not started",
  );
});
