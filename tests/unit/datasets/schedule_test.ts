import assert from "node:assert/strict";
import { nextElapses, nextNamedElapse, scheduleFrom } from "../../../datasets/schedule.ts";

const T = (s: string) => new Date(s);

Deno.test("schedule: next elapse of named frequencies (UTC, strictly after the base)", () => {
  const table: [Parameters<typeof nextNamedElapse>[0], string, string][] = [
    ["hourly", "2026-11-24T10:15:00Z", "2026-11-24T11:00:00Z"],
    ["hourly", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z"],
    ["hourly", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"],
    ["daily", "2026-11-24T10:15:00Z", "2026-11-25T00:00:00Z"],
    ["daily", "2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"],
    ["daily", "2026-02-28T12:00:00Z", "2026-03-01T00:00:00Z"],
    ["daily", "2028-02-28T12:00:00Z", "2028-02-29T00:00:00Z"],
    ["weekly", "2026-11-24T10:15:00Z", "2026-11-30T00:00:00Z"], // Tuesday -> Monday
    ["weekly", "2026-11-29T23:59:59Z", "2026-11-30T00:00:00Z"], // Sunday
    ["weekly", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"], // Monday midnight itself
    ["weekly", "2026-11-30T08:00:00Z", "2026-12-07T00:00:00Z"],
    ["monthly", "2026-11-24T10:15:00Z", "2026-12-01T00:00:00Z"],
    ["monthly", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"],
    ["monthly", "2026-12-31T23:00:00Z", "2027-01-01T00:00:00Z"],
  ];
  for (const [freq, base, want] of table) {
    assert.equal(
      nextNamedElapse(freq, T(base)).toISOString(),
      T(want).toISOString(),
      `${freq} ${base}`,
    );
  }
});

Deno.test("schedule: nextElapses chains named elapses", async () => {
  const got = await nextElapses("daily", T("2026-11-24T10:00:00Z"), 3);
  assert.deepEqual(got.map((d) => d.toISOString()), [
    "2026-11-25T00:00:00.000Z",
    "2026-11-26T00:00:00.000Z",
    "2026-11-27T00:00:00.000Z",
  ]);
});

Deno.test("schedule: due and overdue from the last success", () => {
  const now = T("2026-11-24T10:00:00Z");
  const next = T("2026-11-25T00:00:00Z");
  // never succeeded: due and overdue
  assert.deepEqual(scheduleFrom(undefined, [], next, now), {
    due: true,
    overdue: true,
    nextRun: next,
  });
  // succeeded after the last elapse: not due
  let s = scheduleFrom(
    T("2026-11-24T00:00:05Z"),
    [T("2026-11-25T00:00:00Z"), T("2026-11-26T00:00:00Z")],
    next,
    now,
  );
  assert.equal(s.due, false);
  assert.equal(s.overdue, false);
  assert.equal(s.dueSince?.toISOString(), "2026-11-25T00:00:00.000Z");
  // one elapse since: due, not overdue
  s = scheduleFrom(
    T("2026-11-23T00:00:05Z"),
    [T("2026-11-24T00:00:00Z"), T("2026-11-25T00:00:00Z")],
    next,
    now,
  );
  assert.deepEqual([s.due, s.overdue], [true, false]);
  // two elapses since: overdue
  s = scheduleFrom(
    T("2026-11-22T00:00:05Z"),
    [T("2026-11-23T00:00:00Z"), T("2026-11-24T00:00:00Z")],
    next,
    now,
  );
  assert.deepEqual([s.due, s.overdue], [true, true]);
  // exactly at the elapse counts as come
  s = scheduleFrom(T("2026-11-23T12:00:00Z"), [now], next, now);
  assert.equal(s.due, true);
  // a calendar that never elapses again: not due after a success
  s = scheduleFrom(T("2026-11-23T12:00:00Z"), [], undefined, now);
  assert.deepEqual(s, { due: false, overdue: false });
});
