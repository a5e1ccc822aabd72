import assert from "node:assert/strict";
import { describeLocation, type LocationHints } from "../../../stewards/location_words.ts";

const CASES: [string, LocationHints, string][] = [
  ["file:///mnt/usb/paradux-vault", {}, "a folder on a computer or disk at /mnt/usb/paradux-vault"],
  ["file:///tmp/with%20space", {}, "a folder on a computer or disk at /tmp/with space"],
  ["file://localhost/srv/v", {}, "a folder on a computer or disk at /srv/v"],
  ["file://elsewhere/srv/v", {}, "the address file://elsewhere/srv/v"],
  [
    "rsync+ssh://ada@nas.lan:22/srv/paradux/vault",
    {},
    "the folder /srv/paradux/vault on the computer nas.lan, reached over SSH (user ada)",
  ],
  [
    "rsync+ssh://ada@nas.lan:2222/~/vault",
    {},
    "the folder vault in the home folder on the computer nas.lan, reached over SSH (user ada, port 2222)",
  ],
  ["rsync+ssh://nas.lan/~/", {}, "the home folder on the computer nas.lan, reached over SSH"],
  [
    "s3://ada-backups/vault",
    {},
    "an S3 bucket named ada-backups on Amazon S3, in its folder vault",
  ],
  [
    "s3://ada-backups/vault/",
    { endpoint: "https://s3.example.net:9000/" },
    "an S3 bucket named ada-backups on the S3-compatible service at https://s3.example.net:9000, in its folder vault",
  ],
  ["s3://b", { region: "eu-west-1" }, "an S3 bucket named b on Amazon S3 (region eu-west-1)"],
  [
    "ftp://ada:secret@ftp.example.org:21/paradux/vault",
    {},
    "the folder paradux/vault on the FTP server ftp.example.org (user ada)",
  ],
  [
    "ftp://ftp.example.org:2121/",
    {},
    "the login folder on the FTP server ftp.example.org (port 2121)",
  ],
  [
    "restic:/srv/restic/vault",
    {},
    "a restic backup store in the folder /srv/restic/vault on a computer or disk",
  ],
  [
    "restic:sftp:ada@nas.lan:/srv/restic",
    {},
    "a restic backup store in the folder /srv/restic on the computer nas.lan, reached over SSH (user ada)",
  ],
  [
    "restic:sftp://ada@nas.lan:2222//srv/restic",
    {},
    "a restic backup store in the folder /srv/restic on the computer nas.lan, reached over SSH (user ada, port 2222)",
  ],
  [
    "restic:s3:https://s3.example.net:9000/bucket/vault",
    {},
    "a restic backup store in the S3 bucket named bucket on the S3-compatible service at https://s3.example.net:9000, in its folder vault",
  ],
  [
    "restic:s3:s3.amazonaws.com/bucket/vault",
    {},
    "a restic backup store in the S3 bucket named bucket on Amazon S3, in its folder vault",
  ],
  [
    "restic:rest:https://ada:pw@rest.example.org:8000/vault",
    {},
    "a restic backup store on the restic REST server at https://ada@rest.example.org:8000/vault",
  ],
  ["gopher://foo/bar", {}, "the address gopher://foo/bar"],
  ["sftp://ada:pw@host/x", {}, "the address sftp://ada@host/x"],
  ["restic:", {}, "the address restic:"],
];

Deno.test("location words: each scheme described in plain words, never a password", () => {
  for (const [url, hints, words] of CASES) {
    const got = describeLocation(url, hints);
    assert.equal(got, words, url);
    assert.ok(!/secret|:pw@/.test(got), `${url}: no password in ${got}`);
  }
});
