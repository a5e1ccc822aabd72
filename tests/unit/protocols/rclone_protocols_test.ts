/**
 * Pure parts of the s3, ftp and restic protocols: URL parsing and validation, snapshot listing
 * from `lsf` output, remote path joining, and the restic repository string.
 * @module
 */
import assert from "node:assert/strict";
import {
  childPath,
  completeSnapshots,
  lsfNames,
  rootListing,
} from "../../../protocols/rclone_remote.ts";
import { parseS3Url, protocol as s3 } from "../../../protocols/s3.ts";
import { parseFtpUrl, protocol as ftp } from "../../../protocols/ftp.ts";
import {
  fileTag,
  findSnapshot,
  parseResticUrl,
  protocol as restic,
  repositoryString,
} from "../../../protocols/restic.ts";
import { isUserError } from "../../../errors.ts";

Deno.test("rclone store: complete snapshots are the dirs with a marker, in id order", () => {
  const lines = [
    "20260102T000000Z/.complete",
    "20260102T000000Z/data.tar",
    "20260101T000000Z-2/.complete",
    "20260101T000000Z/.complete",
    "20260103T000000Z/data.tar", // unfinished
    "vault.luks",
    "notasnapshot/.complete",
    "20260104T000000Z/sub/.complete",
    "",
  ];
  assert.deepEqual(completeSnapshots(lines), [
    "20260101T000000Z",
    "20260101T000000Z-2",
    "20260102T000000Z",
  ]);
  assert.deepEqual(lsfNames("a/\nb c/\nfile\n"), ["a", "b c", "file"]);
  assert.equal(childPath("paradux:", "x"), "paradux:x");
  assert.equal(childPath("paradux:bucket/p", "x"), "paradux:bucket/p/x");
});

Deno.test("s3: URLs", () => {
  assert.deepEqual(parseS3Url("s3://my-bucket"), { bucket: "my-bucket", path: "" });
  assert.deepEqual(parseS3Url("s3://my-bucket/a%20b//c/"), { bucket: "my-bucket", path: "a b/c" });
  for (
    const bad of ["s3://", "s3://ab/x", "s3://Upper/x", "s3://b_b/x", "s3://bkt/../x", "s3:/x"]
  ) {
    assert.throws(() => parseS3Url(bad), (e) => isUserError(e, "input"), bad);
  }
  const creds = { accessKeyId: "a", secretAccessKey: "b" };
  assert.deepEqual(s3.validate({ url: "s3://bkt/x", credentials: creds }), []);
  assert.ok(
    s3.validate({ url: "s3://bkt/x", credentials: { ...creds, caCert: "nope" } }).length > 0,
  );
});

Deno.test("ftp: URLs", () => {
  assert.deepEqual(parseFtpUrl("ftp://bob@ftp.example/backups/home%20dir/"), {
    user: "bob",
    host: "ftp.example",
    port: 21,
    path: "backups/home dir",
  });
  assert.deepEqual(parseFtpUrl("ftp://b%40x@127.0.0.1:2121"), {
    user: "b@x",
    host: "127.0.0.1",
    port: 2121,
    path: "",
  });
  for (const bad of ["ftp://h/x", "ftp://u:p@h/x", "ftp://u@h/a/../b", "ftp://u@h/%2e%2e/b"]) {
    assert.throws(() => parseFtpUrl(bad), (e) => isUserError(e, "input"), bad);
  }
  assert.deepEqual(ftp.validate({ url: "ftp://u@h/x", credentials: { password: "p" } }), []);
});

Deno.test("restic: URL kinds, credentials per kind, repository string", () => {
  assert.equal(parseResticUrl("restic:/r").kind, "local");
  assert.throws(() => parseResticUrl("restic:/a/../b"), (e) => isUserError(e, "input"));
  assert.equal(
    repositoryString(parseResticUrl("restic:rest:https://u@h:8000/r"), "p@ss/w:rd"),
    "rest:https://u:p%40ss%2Fw%3Ard@h:8000/r",
  );
  assert.equal(repositoryString(parseResticUrl("restic:/r"), "ignored"), "/r");
  assert.deepEqual(restic.validate({ url: "restic:/r", credentials: { password: "p" } }), []);
  assert.ok(
    restic.validate({ url: "restic:sftp:u@h:/r", credentials: { password: "p" } })
      .some((m) => m.includes("sshKey")),
  );
  assert.ok(
    restic.validate({ url: "restic:/r", credentials: { password: "p", restPassword: "x" } })
      .some((m) => m.includes("does not apply")),
  );
  assert.equal(fileTag("a b"), "paradux-file-612062");
});

Deno.test("restic: snapshot ids match exactly or by a unique 8+ digit prefix", () => {
  const snap = (id: string) => ({ id, shortId: id.slice(0, 8), time: "", tags: [], paths: [] });
  const list = [snap("abcdef01" + "0".repeat(56)), snap("abcdef02" + "1".repeat(56))];
  assert.equal(findSnapshot(list, "abcdef01")?.id, list[0]!.id);
  assert.equal(findSnapshot(list, list[1]!.id)?.id, list[1]!.id);
  assert.equal(findSnapshot(list, "abcdef0"), undefined, "too short");
  assert.equal(findSnapshot(list, "19990101T000000Z"), undefined);
});

Deno.test("rootListing: one lsf gives the top-level dirs and the complete snapshots", () => {
  const out = [
    "20260101T000000Z/",
    "20260101T000000Z/.complete",
    "20260101T000000Z/data.tar",
    "20260102T000000Z/",
    "20260102T000000Z/data.tar",
    "vault-export/",
    "vault-export/x.age",
    "single.txt",
    "",
  ].join("\n");
  assert.deepEqual(rootListing(out), {
    dirs: ["20260101T000000Z", "20260102T000000Z", "vault-export"],
    complete: ["20260101T000000Z"],
  });
});
