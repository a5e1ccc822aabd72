/**
 * datasetStatuses: a destination with a recorded success is not read; one without is read and
 * its newest snapshot counts as the last success; an unreachable one is named, not fatal.
 * (systemd-analyze computes the schedule, so this runs the real calendar code.)
 */
import assert from "node:assert/strict";
import { datasetStatuses, type SnapshotLister } from "../../../datasets/dataset_status.ts";
import { emptyState } from "../../../datasets/state.ts";
import type { Dataset } from "../../../vault/documents.ts";

const NOW = new Date("2026-12-07T12:00:00Z");

const DATASET: Dataset = {
  name: "home",
  source: { url: "file:///home/me" },
  localCopy: "/srv/paradux/home",
  destinations: [
    { name: "usb", url: "file:///mnt/usb", frequency: "daily" },
    { name: "nas", url: "file:///mnt/nas", frequency: "daily" },
    { name: "cloud", url: "s3://bucket/home", frequency: "daily" },
    { name: "empty", url: "file:///mnt/empty", frequency: "daily" },
    { name: "down", url: "file:///mnt/down", frequency: "daily" },
  ],
};

Deno.test("dataset status: destinations with no record here are read for what they hold", async () => {
  const state = emptyState();
  state.datasets.home = {
    pull: {},
    destinations: {
      usb: { lastSuccess: "2026-12-07T03:00:00.000Z" },
      down: { lastFailure: "2026-12-07T03:00:00.000Z", lastError: "not reachable" },
    },
  };
  const asked: string[] = [];
  const list: SnapshotLister = (_ds, d) => {
    asked.push(d.name);
    if (d.name === "cloud") return Promise.reject(new Error("cloud: not reachable"));
    if (d.name === "empty") return Promise.resolve([]);
    return Promise.resolve([
      { time: "2026-12-06T02:00:00.000Z" },
      { time: "2026-11-30T02:00:00.000Z" },
    ]);
  };
  const [st] = await datasetStatuses([DATASET], state, NOW, list);
  const [usb, nas, cloud, empty, down] = st!.destinations;
  assert.deepEqual(asked, ["nas", "cloud", "empty"], "a destination with a record is not read");
  assert.equal(down!.held, undefined, "a recorded failure is a record: not read");
  assert.equal(down!.failing, true);
  assert.equal(usb!.held, undefined);
  assert.equal(usb!.ageSeconds, 9 * 3600);
  assert.deepEqual(nas!.held, { count: 2, newest: "2026-12-06T02:00:00.000Z" });
  assert.equal(nas!.lastSuccess, undefined, "the local record stays empty");
  assert.equal(nas!.ageSeconds, 34 * 3600);
  assert.equal(nas!.due, true, "a daily destination last written yesterday is due");
  assert.equal(nas!.overdue, false, "but not overdue: no whole day passed without a snapshot");
  assert.deepEqual(cloud!.held, { count: 0, error: "cloud: not reachable" });
  assert.equal(cloud!.overdue, true);
  assert.deepEqual(empty!.held, { count: 0 });
});

Deno.test("dataset status: without a lister nothing is read", async () => {
  const [st] = await datasetStatuses([DATASET], emptyState(), NOW);
  for (const d of st!.destinations) {
    assert.equal(d.held, undefined);
    assert.equal(d.overdue, true);
  }
});
