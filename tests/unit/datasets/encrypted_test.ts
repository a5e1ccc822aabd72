import assert from "node:assert/strict";
import {
  encryptingProtocol,
  PART_DIR,
  partDirName,
  SNAPSHOT_DIR,
  snapshotTime,
} from "../../../datasets/encrypted.ts";
import { partName, snapshotId } from "../../../protocols/archive.ts";
import { nextSnapshotId } from "../../../protocols/snapshot_id.ts";
import type { ProtocolSpec } from "../../../protocols/protocol.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("encrypted: snapshot ids and times round-trip", () => {
  const t = new Date("2026-11-24T09:45:07Z");
  assert.equal(snapshotId(t), "20261124T094507Z");
  assert.equal(snapshotTime("20261124T094507Z"), "2026-11-24T09:45:07Z");
  assert.equal(snapshotTime("20261124T094507Z-2"), "2026-11-24T09:45:07Z");
  assert.throws(() => snapshotTime("20261124T094507Z.000"), (e) => isUserError(e, "input"));
});

Deno.test("encrypted: a new snapshot sorts after every existing one (the shared rule)", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const table: [string[], string][] = [
    [[], "20260301T120000Z"],
    [["20260101T000000Z"], "20260301T120000Z"],
    [["20260301T120000Z"], "20260301T120000Z-2"],
    [["20260301T120000Z", "20260301T120000Z.000"], "20260301T120000Z-2"],
    [["20260301T120000Z-2.003"], "20260301T120000Z-3"],
    // a clock that went backwards: still after the newest
    [["20270101T000000Z"], "20270101T000000Z-2"],
  ];
  for (const [existing, want] of table) {
    assert.equal(nextSnapshotId(now, existing), want, existing.join(","));
  }
});

Deno.test("encrypted: part directory names", () => {
  const part = { name: partName(7), bytes: 1, sha256: "" };
  assert.equal(partDirName("20260301T120000Z", part), "20260301T120000Z.007");
  assert.equal(PART_DIR.exec("20260301T120000Z.007")?.[1], "20260301T120000Z");
  assert.equal(PART_DIR.exec("20260301T120000Z.1234")?.[2], "1234");
  for (const no of ["20260301T120000Z", "x.000", "20260301T120000Z.00", ".20260301T120000Z.000"]) {
    assert.equal(PART_DIR.test(no), false, no);
  }
  assert.ok(SNAPSHOT_DIR.test("20260301T120000Z"));
  assert.ok(SNAPSHOT_DIR.test("20260301T120000Z-2"));
  assert.equal(PART_DIR.exec("20260301T120000Z-2.001")?.[1], "20260301T120000Z-2");
});

Deno.test("encrypted: only plain-file protocols with dir operations hold archives", () => {
  const base = { name: "x", storesPlainFiles: true } as unknown as ProtocolSpec;
  const ops = {
    putDir: () => Promise.resolve(),
    getDir: () => Promise.resolve(),
    listDirs: () => Promise.resolve([]),
    removeDir: () => Promise.resolve(),
  };
  assert.ok(encryptingProtocol({ ...base, ...ops }));
  assert.throws(() => encryptingProtocol(base), (e) => isUserError(e, "usage"));
  assert.throws(
    () => encryptingProtocol({ ...base, ...ops, name: "restic", storesPlainFiles: false }),
    (e) => isUserError(e, "usage") && /restic encrypts by itself/.test(e.hint ?? ""),
  );
});
