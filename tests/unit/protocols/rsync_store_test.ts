import assert from "node:assert/strict";
import {
  checkName,
  compareSnapshotIds,
  isSnapshotId,
  nextSnapshotId,
  snapshotsToPrune,
  snapshotTime,
} from "../../../protocols/rsync_store.ts";
import { filePath, protocol as fileProtocol } from "../../../protocols/file.ts";
import {
  parseListing,
  parseSshUrl,
  protocol as sshProtocol,
  remotePath,
  rsyncRemote,
} from "../../../protocols/rsync_ssh.ts";
import { protocolFor, validateLocation } from "../../../protocols/lookup.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("snapshot ids: same-second suffixes, order, time", () => {
  const now = new Date("2026-11-24T09:45:00.123Z");
  assert.equal(nextSnapshotId(now, new Set()), "20261124T094500Z");
  assert.equal(nextSnapshotId(now, new Set(["20261124T094500Z"])), "20261124T094500Z-2");
  assert.equal(
    nextSnapshotId(now, new Set(["20261124T094500Z", ".20261124T094500Z-2.partial"])),
    "20261124T094500Z-3",
  );
  // Always after the newest, even when a middle one was pruned or the clock went back.
  assert.equal(nextSnapshotId(now, new Set(["20261124T094500Z-3"])), "20261124T094500Z-4");
  assert.equal(nextSnapshotId(now, new Set(["20261124T094510Z"])), "20261124T094510Z-2");
  assert.equal(nextSnapshotId(now, new Set(["20261124T094459Z", "x"])), "20261124T094500Z");
  const ids = ["20261124T094500Z-10", "20261124T094501Z", "20261124T094500Z-2", "20261124T094500Z"];
  assert.deepEqual(ids.sort(compareSnapshotIds), [
    "20261124T094500Z",
    "20261124T094500Z-2",
    "20261124T094500Z-10",
    "20261124T094501Z",
  ]);
  assert.equal(snapshotTime("20261124T094500Z-2"), "2026-11-24T09:45:00Z");
  assert.equal(isSnapshotId("20261124T094500Z"), true);
  assert.equal(isSnapshotId(".20261124T094500Z.partial"), false);
  assert.equal(isSnapshotId("vault.luks"), false);
});

Deno.test("snapshotsToPrune keeps the newest", () => {
  assert.deepEqual(snapshotsToPrune(["a", "b", "c"], 2), ["a"]);
  assert.deepEqual(snapshotsToPrune(["a", "b", "c"], 3), []);
  assert.deepEqual(snapshotsToPrune(["a", "b", "c"]), []);
  assert.deepEqual(snapshotsToPrune(["a", "b", "c"], 0), []);
  assert.deepEqual(snapshotsToPrune(["a", "b", "c"], 1), ["a", "b"]);
});

Deno.test("checkName refuses paths and hidden names", () => {
  checkName("vault.luks");
  checkName("name with spaces");
  for (const bad of ["", ".", "..", "a/b", ".hidden", "a\0b"]) {
    assert.throws(() => checkName(bad), (e) => isUserError(e, "input"), bad);
  }
});

Deno.test("file URLs", () => {
  assert.equal(filePath("file:///mnt/usb/home"), "/mnt/usb/home");
  assert.equal(filePath("file:///mnt/my%20disk/x/"), "/mnt/my disk/x");
  assert.equal(filePath("file://localhost/x"), "/x");
  assert.deepEqual(fileProtocol.validate({ url: "file:///mnt/usb" }), []);
  for (
    const bad of ["file:rel", "file://host/x", "file:///", "file:///a?b", "file:///%zz", "/abs"]
  ) {
    assert.ok(fileProtocol.validate({ url: bad }).length > 0, bad);
  }
});

Deno.test("rsync+ssh URLs", () => {
  const a = parseSshUrl("rsync+ssh://me@backup.example:2222/srv/my%20backups/");
  assert.deepEqual(a, {
    target: { host: "backup.example", port: 2222, user: "me" },
    rsyncHost: "backup.example",
    root: "/srv/my backups",
  });
  assert.equal(rsyncRemote(a, remotePath(a.root, "x")), "me@backup.example:/srv/my backups/x");
  const home = parseSshUrl("rsync+ssh://[::1]/~/b");
  assert.deepEqual(home.target, { host: "::1" });
  assert.equal(home.root, "b");
  assert.equal(rsyncRemote(home, remotePath(home.root, "")), "[::1]:b");
  assert.equal(parseSshUrl("rsync+ssh://h/~").root, "");
  assert.equal(remotePath("", ""), ".");
  assert.equal(remotePath("", "x"), "x");
  assert.equal(remotePath("/", "x"), "/x");
  for (const bad of ["rsync+ssh://h", "rsync+ssh://h/", "rsync+ssh://u:pw@h/x", "ssh://h/x"]) {
    assert.ok(parseSshUrlProblems(bad), bad);
  }
});

function parseSshUrlProblems(url: string): boolean {
  try {
    parseSshUrl(url);
    return false;
  } catch (e) {
    return isUserError(e, "input");
  }
}

Deno.test("parseListing", () => {
  assert.deepEqual(parseListing("d20260101T000000Z\0fvault.luks\0dnew\nline\0"), [
    { name: "20260101T000000Z", dir: true },
    { name: "vault.luks", dir: false },
    { name: "new\nline", dir: true },
  ]);
  assert.deepEqual(parseListing(""), []);
});

Deno.test("protocolFor and validateLocation", () => {
  const list = [fileProtocol, sshProtocol];
  assert.equal(protocolFor("file:///x", list), fileProtocol);
  assert.equal(protocolFor("RSYNC+SSH://h/x", list), sshProtocol);
  assert.throws(
    () => protocolFor("ftpx://h/x", list),
    (e) =>
      isUserError(e, "input") && /"ftpx"/.test(e.message) &&
      /file:\/\/, rsync\+ssh:\/\//.test(e.hint ?? ""),
  );
  assert.throws(() => protocolFor("/abs/path", list), (e) => isUserError(e, "input"));
  assert.deepEqual(validateLocation({ url: "file:///x" }, list), []);
  assert.equal(validateLocation({ url: "nope://x" }, list).length, 1);
  const ssh = validateLocation({ url: "rsync+ssh://h/x" }, list);
  assert.ok(ssh.some((m) => /missing credential sshKey/.test(m)));
  assert.ok(ssh.some((m) => /missing credential hostKey/.test(m)));
  assert.ok(
    validateLocation({ url: "file:///x", credentials: { password: "p" } }, list)
      .some((m) => /unknown credential password/.test(m)),
  );
});
