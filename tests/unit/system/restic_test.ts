/**
 * Table tests of the restic argument builders, JSON parsing, error classification and env.
 * @module
 */
import assert from "node:assert/strict";
import {
  backupArgs,
  backupStdinArgs,
  catConfigArgs,
  csvField,
  dumpArgs,
  failureDetail,
  forgetArgs,
  initArgs,
  isLockedError,
  isMissingRepository,
  parseBackupStatus,
  parseBackupSummary,
  parseSnapshots,
  resticEnv,
  resticFailure,
  resticGlobalArgs,
  restoreArgs,
  sftpCommandString,
  snapshotsArgs,
  unlockArgs,
} from "../../../system/restic.ts";
import { isUserError } from "../../../errors.ts";

const G = { repositoryFile: "/p/repo", passwordFile: "/p/pw" };
const GLOBAL = ["--repository-file", "/p/repo", "--password-file", "/p/pw", "--no-cache"];

Deno.test("restic: global flags", () => {
  assert.deepEqual(resticGlobalArgs(G), GLOBAL);
  assert.deepEqual(
    resticGlobalArgs({ ...G, caCertFile: "/p/ca.pem", sftpCommand: "ssh -i /p/id h -s sftp" }),
    [...GLOBAL, "--cacert", "/p/ca.pem", "-o", "sftp.command=ssh -i /p/id h -s sftp"],
  );
});

Deno.test("restic: command builders", () => {
  const table: [string[], string[]][] = [
    [initArgs(G), ["init", ...GLOBAL]],
    [catConfigArgs(G), ["cat", "config", ...GLOBAL]],
    [backupArgs(G, "paradux"), ["backup", ...GLOBAL, "--json", "--tag", "paradux", "."]],
    [backupStdinArgs(G, "t", "vault export.luks"), [
      "backup",
      ...GLOBAL,
      "--json",
      "--tag",
      "t",
      "--stdin",
      "--stdin-filename",
      "vault export.luks",
    ]],
    [snapshotsArgs(G, "paradux"), ["snapshots", ...GLOBAL, "--json", "--tag", "paradux"]],
    [forgetArgs(G, "paradux", 3), [
      "forget",
      ...GLOBAL,
      "--tag",
      "paradux",
      "--group-by",
      "",
      "--keep-last",
      "3",
      "--prune",
    ]],
    [restoreArgs(G, "abcd1234", "/out dir"), [
      "restore",
      ...GLOBAL,
      "--target",
      "/out dir",
      "--",
      "abcd1234",
    ]],
    [dumpArgs(G, "t", "f.bin"), ["dump", ...GLOBAL, "--tag", "t", "--", "latest", "/f.bin"]],
  ];
  for (const [got, want] of table) assert.deepEqual(got, want);
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(() => forgetArgs(G, "paradux", bad), (e) => isUserError(e, "input"));
  }
});

Deno.test("restic: -o values are CSV fields", () => {
  assert.equal(csvField("sftp.command=ssh -p 22 h"), "sftp.command=ssh -p 22 h");
  assert.equal(csvField('sftp.command=ssh -i "/a b/id" h'), '"sftp.command=ssh -i ""/a b/id"" h"');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.deepEqual(
    resticGlobalArgs({ ...G, sftpCommand: 'ssh -i "/p a/id" h' }).slice(-2),
    ["-o", '"sftp.command=ssh -i ""/p a/id"" h"'],
  );
});

Deno.test("restic: sftp.command joining quotes spaces and refuses quotes", () => {
  assert.equal(sftpCommandString(["ssh", "-i", "/p/id", "-p", "22"]), "ssh -i /p/id -p 22");
  assert.equal(sftpCommandString(["ssh", "-i", "/p a/id"]), 'ssh -i "/p a/id"');
  for (const bad of ['a"b', "a'b", "a\\b", "$x", ""]) {
    assert.throws(() => sftpCommandString(["ssh", bad]), (e) => isUserError(e, "input"));
  }
});

Deno.test("restic: backup summary parsing (restic 0.14 --json)", () => {
  const out = [
    '{"message_type":"status","percent_done":0.5}',
    '{"message_type":"summary","files_new":1,"files_changed":0,"files_unmodified":0,' +
    '"dirs_new":1,"data_blobs":1,"tree_blobs":2,"data_added":699,"total_files_processed":3,' +
    '"total_bytes_processed":42,"total_duration":0.23,"snapshot_id":"5775393e"}',
    "",
  ].join("\n");
  assert.deepEqual(parseBackupSummary(out), {
    snapshotId: "5775393e",
    files: 3,
    bytesAdded: 699,
    bytesProcessed: 42,
  });
  assert.throws(
    () => parseBackupSummary('{"message_type":"status"}\n'),
    (e) => isUserError(e, "tool-failed"),
  );
});

Deno.test("restic: snapshots parsing, oldest first; null and [] are empty", () => {
  assert.deepEqual(parseSnapshots("null\n"), []);
  assert.deepEqual(parseSnapshots("[]"), []);
  const json = JSON.stringify([
    {
      time: "2026-11-24T10:35:34.816061442Z",
      paths: ["/x"],
      tags: ["paradux"],
      id: "b".repeat(64),
      short_id: "bbbbbbbb",
    },
    {
      time: "2026-11-24T10:35:34.816061441Z",
      paths: ["/x"],
      id: "a".repeat(64),
      short_id: "aaaaaaaa",
    },
  ]);
  assert.deepEqual(parseSnapshots(json).map((s) => [s.shortId, s.tags]), [
    ["aaaaaaaa", []],
    ["bbbbbbbb", ["paradux"]],
  ]);
  assert.throws(() => parseSnapshots("Fatal: x"), (e) => isUserError(e, "tool-failed"));
});

Deno.test("restic: a missing repository is told apart from other failures", () => {
  const missing = [
    "Fatal: unable to open config file: stat /r/config: no such file or directory\n" +
    "Is there a repository at the following location?\n/r\n",
    "Fatal: unable to open config file: Stat: The specified key does not exist.\n",
    "Fatal: unable to open config file: Stat: The specified bucket does not exist\n",
    "Fatal: unable to open config file: Lstat: file does not exist\n",
    "Fatal: unable to open config file: <config/> does not exist\n",
  ];
  for (const m of missing) assert.ok(isMissingRepository(m), m);
  const other = [
    "Fatal: wrong password or no key found\n",
    "Fatal: unable to open repository at sftp:x: unable to start the sftp session, error: EOF\n",
    "Load(<config/0000000000>, 0, 0) returned error: dial tcp 127.0.0.1:1: connect: connection refused\n",
  ];
  for (const m of other) assert.ok(!isMissingRepository(m), m);
});

Deno.test("restic: failures: wrong password is auth, the rest tool-failed", () => {
  const r = (err: string) => ({
    code: 1,
    stdout: new Uint8Array(),
    stderr: new TextEncoder().encode(err),
  });
  assert.ok(isUserError(resticFailure(r("Fatal: wrong password or no key found\n"), "x"), "auth"));
  const e = resticFailure(
    r("Fatal: unable to open config file: boom\nIs there a repository at the following location?\n"),
    "listing",
  );
  assert.ok(isUserError(e, "tool-failed"));
  assert.equal(e.message, "listing failed (restic exit 1): unable to open config file: boom");
});

Deno.test("restic: failure detail prefers the Fatal line and what ssh said", () => {
  assert.equal(
    failureDetail(
      "subprocess ssh: ssh: connect to host 127.0.0.1 port 1: Connection refused\n" +
        "Fatal: unable to open repository at sftp:r@h:/x: unable to start the sftp session, " +
        "error: EOF\n",
    ),
    "unable to open repository at sftp:r@h:/x: unable to start the sftp session, error: EOF " +
      "(ssh: connect to host 127.0.0.1 port 1: Connection refused)",
  );
  assert.equal(
    failureDetail(
      'Fatal: unable to open config file: Stat: Get "https://127.0.0.1:1/b/": dial tcp: refused\n' +
        "Is there a repository at the following location?\ns3:https://127.0.0.1:1/b/x\n",
    ),
    'unable to open config file: Stat: Get "https://127.0.0.1:1/b/": dial tcp: refused',
  );
  assert.equal(failureDetail("just a line\n"), "just a line");
});

Deno.test("restic: backup status lines become progress reports", () => {
  assert.deepEqual(
    parseBackupStatus(
      '{"message_type":"status","percent_done":0.8,"total_files":50,"files_done":41,' +
        '"total_bytes":52428800,"bytes_done":42991616,"current_files":["/f46"]}',
    ),
    { bytes: 42991616, totalBytes: 52428800, current: "/f46" },
  );
  assert.deepEqual(parseBackupStatus('{"message_type":"status","bytes_done":5}'), { bytes: 5 });
  assert.equal(parseBackupStatus('{"message_type":"summary"}'), undefined);
  assert.equal(parseBackupStatus("not json"), undefined);
  assert.equal(parseBackupStatus("{broken"), undefined);
});

Deno.test("restic: child env drops the caller's RESTIC_* and AWS_*, adds ours", () => {
  assert.deepEqual(
    resticEnv(
      { RESTIC_PASSWORD: "leak", RESTIC_REPOSITORY: "/x", AWS_CA_BUNDLE: "/c", PATH: "/bin" },
      { AWS_ACCESS_KEY_ID: "AK" },
    ),
    { PATH: "/bin", AWS_ACCESS_KEY_ID: "AK" },
  );
});

Deno.test("restic: unlock arguments and lock failures", () => {
  assert.deepEqual(unlockArgs(G), ["unlock", ...GLOBAL]);
  const locked = [
    "unable to create lock in backend: repository is already locked by PID 4242 on host " +
    "by user (UID 0, GID 0)\nlock was created at 2026-12-06 14:00:00 (3m0s ago)\n",
    "Fatal: unable to create lock in backend: repository is already locked exclusively by PID 7\n",
    "Fatal: unable to create lock in backend: load <lock/abc>: EOF\n",
  ];
  for (const m of locked) assert.ok(isLockedError(m), m);
  const other = [
    "Fatal: wrong password or no key found\n",
    "Fatal: unable to open config file: stat /r/config: no such file or directory\n",
    "Fatal: unable to save snapshot: ENOSPC\n",
  ];
  for (const m of other) assert.ok(!isLockedError(m), m);
});
