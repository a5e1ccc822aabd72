import assert from "node:assert/strict";
import { tarCreateArgs, tarExtractArgs } from "../../../system/tar.ts";
import {
  type ChainLink,
  type ChainState,
  isChainLink,
  newLink,
  planPush,
  restorePlan,
  snapshotsToKeep,
} from "../../../protocols/chain.ts";
import {
  chainProblems,
  parseMarker,
  restorable,
  TAR_FORMAT,
} from "../../../protocols/rclone_remote.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("tar: create and extract arguments", () => {
  const table: [string[], string[]][] = [
    [tarCreateArgs("/d"), [
      "--create",
      "--format=posix",
      "--sparse",
      "--numeric-owner",
      "--file=-",
      "--directory",
      "/d",
      ".",
    ]],
    [tarCreateArgs("/d", { snapshotFile: "/p/s.snar" }), [
      "--create",
      "--format=posix",
      "--sparse",
      "--numeric-owner",
      "--listed-incremental=/p/s.snar",
      "--no-check-device",
      "--file=-",
      "--directory",
      "/d",
      ".",
    ]],
    [tarExtractArgs("/t"), [
      "--extract",
      "--file=-",
      "--directory",
      "/t",
      "--numeric-owner",
      "--preserve-permissions",
    ]],
    [tarExtractArgs("/t", { incremental: true }), [
      "--extract",
      "--listed-incremental=/dev/null",
      "--file=-",
      "--directory",
      "/t",
      "--numeric-owner",
      "--preserve-permissions",
    ]],
  ];
  for (const [got, want] of table) assert.deepEqual(got, want);
});

const URL = "s3://b/x";
function state(chain: string[], fullBytes = 100, incrementBytes = 10): ChainState {
  return {
    format: "paradux-chain-state-v1",
    location: URL,
    snapshot: chain.at(-1)!,
    chain,
    fullBytes,
    incrementBytes,
    snar: `snar.${chain.at(-1)}`,
  };
}
function link(chain: string[], bytes = 1): ChainLink {
  return { snapshot: chain.at(-1)!, level: chain.length - 1, chain, bytes };
}

const A = "20260101T000000Z";
const B = "20260102T000000Z";
const C = "20260103T000000Z";
const D = "20260104T000000Z";

Deno.test("chain: full or increment", () => {
  const table: [string, ChainState | undefined, ChainLink | undefined, object, string][] = [
    ["no state", undefined, link([A]), {}, "full"],
    ["empty destination", state([A]), undefined, {}, "full"],
    ["matching", state([A, B]), link([A, B]), {}, "increment"],
    ["stale: destination moved on", state([A]), link([A, B]), {}, "full"],
    ["stale: other chain, same id", state([A, B]), link([B]), {}, "full"],
    ["--full", state([A]), link([A]), { full: true }, "full"],
    ["long", state([A, B, C]), link([A, B, C]), { maxIncrements: 2 }, "full"],
    ["not yet long", state([A, B]), link([A, B]), { maxIncrements: 2 }, "increment"],
    ["heavy", state([A, B], 100, 101), link([A, B]), {}, "full"],
    ["heavy by ratio", state([A, B], 100, 60), link([A, B]), { maxIncrementRatio: 0.5 }, "full"],
  ];
  for (const [what, s, newest, o, want] of table) {
    assert.equal(planPush(s, URL, newest, o).kind, want, what);
  }
  assert.equal(
    planPush({ ...state([A]), location: "ftp://u@h/x" }, URL, link([A]), {}).kind,
    "full",
  );
  const plan = planPush(state([A, B]), URL, link([A, B]), {});
  assert.deepEqual(newLink(plan, C, 5), { snapshot: C, level: 2, chain: [A, B, C], bytes: 5 });
  assert.deepEqual(newLink({ kind: "full", reason: "" }, C, 5).chain, [C]);
});

Deno.test("chain: keep never drops a part a kept snapshot needs", () => {
  const links = [link([A]), link([A, B]), link([C]), link([C, D])];
  assert.deepEqual([...snapshotsToKeep(links, 1)].sort(), [C, D]);
  assert.deepEqual([...snapshotsToKeep(links, 2)].sort(), [C, D]);
  assert.deepEqual([...snapshotsToKeep(links, 3)].sort(), [A, B, C, D]);
  assert.deepEqual([...snapshotsToKeep([link([A]), link([A, B]), link([A, B, C])], 1)].sort(), [
    A,
    B,
    C,
  ]);
  assert.equal(snapshotsToKeep(links).size, 4);
});

Deno.test("chain: restore plans and broken chains", () => {
  const links = [link([A]), link([A, B]), link([A, B, C])];
  assert.deepEqual(restorePlan(links, B, "x").map((l) => l.snapshot), [A, B]);
  assert.throws(() => restorePlan(links, D, "x"), (e) => isUserError(e, "not-found"));
  const broken = [link([A, B]), link([A, B, C])];
  assert.throws(() => restorePlan(broken, C, "x"), (e) => isUserError(e, "input"));
  assert.deepEqual(restorable(broken), []);
  assert.deepEqual(restorable(links).length, 3);
});

Deno.test("chain: markers are checked before they count", () => {
  assert.ok(isChainLink(link([A, B])));
  for (
    const bad of [
      { snapshot: B, level: 0, chain: [A, B], bytes: 1 },
      { snapshot: B, level: 1, chain: [B, A], bytes: 1 },
      { snapshot: B, level: 1, chain: [A, "x"], bytes: 1 },
      { snapshot: B, level: 1, chain: [A, B] },
      null,
    ]
  ) assert.equal(isChainLink(bad), false, JSON.stringify(bad));
  const v2 = { format: "paradux-tar-v2", ...link([A, B]), created: "", files: 1 };
  assert.deepEqual(parseMarker(JSON.stringify(v2)), link([A, B]));
  const v1 = { format: "paradux-tar-v1", snapshot: A, bytes: 7, files: 1 };
  assert.deepEqual(parseMarker(JSON.stringify(v1)), link([A], 7));
  assert.equal(parseMarker("{"), undefined);
  assert.equal(parseMarker(JSON.stringify({ ...v2, format: "other" })), undefined);
});

Deno.test("chain check: a missing link, a missing part and a size mismatch are each named", () => {
  const full = { snapshot: "a", level: 0, chain: ["a"], bytes: 100 };
  const inc = { snapshot: "b", level: 1, chain: ["a", "b"], bytes: 10 };
  const sizes = new Map([["a/data.tar", 100], ["b/data.tar", 10]]);
  assert.deepEqual(chainProblems([full, inc], sizes), []);
  assert.deepEqual(chainProblems([inc], sizes), ["b: its chain lacks a"]);
  assert.deepEqual(chainProblems([full, inc], new Map([["a/data.tar", 100]])), [
    "b/data.tar: missing",
  ]);
  assert.deepEqual(chainProblems([full, inc], new Map([["a/data.tar", 99], ["b/data.tar", 10]])), [
    "a/data.tar: 99 bytes, its marker says 100",
  ]);
});

Deno.test("chain marker: a sha256 is kept only when it is 64 lowercase hex digits", () => {
  const base = { format: TAR_FORMAT, ...link([A]), created: "", files: 1 };
  const sha = "ab".repeat(32);
  const line = (extra: object) => JSON.stringify({ ...base, ...extra });
  assert.equal(parseMarker(line({ sha256: sha }))?.sha256, sha);
  assert.equal(parseMarker(line({}))?.snapshot, A, "a marker without a hash still counts");
  assert.equal(parseMarker(line({ sha256: "AB".repeat(32) }))?.sha256, undefined);
});
