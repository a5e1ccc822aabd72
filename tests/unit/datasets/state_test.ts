import assert from "node:assert/strict";
import { isUserError } from "../../../errors.ts";
import { applyOutcome, emptyState, parseState } from "../../../datasets/state.ts";

const AT = new Date("2026-11-24T10:00:00Z");
const LATER = new Date("2026-11-24T11:00:00Z");

Deno.test("state: a success records time, numbers and snapshot; a failure keeps them", () => {
  const ok = applyOutcome({}, {
    ok: true,
    at: AT,
    durationMs: 1200,
    bytes: 4096,
    files: 3,
    snapshot: "20261124T100000Z",
  });
  assert.deepEqual(ok, {
    lastSuccess: AT.toISOString(),
    bytes: 4096,
    files: 3,
    durationMs: 1200,
    snapshot: "20261124T100000Z",
  });
  const failed = applyOutcome(ok, { ok: false, at: LATER, durationMs: 30, error: "disk full" });
  assert.deepEqual(failed, {
    ...ok,
    lastFailure: LATER.toISOString(),
    lastError: "disk full",
    durationMs: 30,
  });
  // a pull has no snapshot: the field is not invented
  assert.equal(
    "snapshot" in applyOutcome({}, { ok: true, at: AT, durationMs: 1, bytes: 0, files: 0 }),
    false,
  );
});

Deno.test("state: parse accepts its own format and refuses others with a hint", () => {
  const s = emptyState();
  s.datasets.docs = { destinations: { usb: { lastSuccess: AT.toISOString() } } };
  assert.deepEqual(parseState(JSON.stringify(s)), s);
  for (const bad of ["{", "[]", '{"version":2,"datasets":{}}', '{"version":1}', "null"]) {
    assert.throws(() => parseState(bad, "x.json"), (e) => {
      assert.ok(isUserError(e, "input"));
      assert.match(e.message, /x\.json/);
      assert.match(e.hint ?? "", /remove it/);
      return true;
    });
  }
});
