/**
 * Table tests of the rclone argument builders, config text and environment filter.
 * @module
 */
import assert from "node:assert/strict";
import {
  catArgs,
  copyArgs,
  copytoArgs,
  deletefileArgs,
  ftpRemoteOptions,
  isNotFound,
  lsfArgs,
  movetoArgs,
  purgeArgs,
  rcatArgs,
  rcloneConfigText,
  rcloneEnv,
  rcloneFailure,
  rcloneGlobalArgs,
  remotePath,
  s3RemoteOptions,
} from "../../../system/rclone.ts";
import { isUserError } from "../../../errors.ts";

const G = { configFile: "/priv/rclone.conf" };
const GLOBAL = [
  "--config",
  "/priv/rclone.conf",
  "--retries",
  "1",
  "--low-level-retries",
  "3",
  "--contimeout",
  "10s",
  "--timeout",
  "5m",
];

Deno.test("rclone: global flags, with and without a CA file", () => {
  assert.deepEqual(rcloneGlobalArgs(G), GLOBAL);
  assert.deepEqual(rcloneGlobalArgs({ ...G, caCertFile: "/priv/ca.pem" }), [
    ...GLOBAL,
    "--ca-cert",
    "/priv/ca.pem",
  ]);
});

Deno.test("rclone: command builders end options with -- before paths", () => {
  const table: [string[], string[]][] = [
    [copytoArgs(G, "/a b", "paradux:x/y"), [
      "copyto",
      ...GLOBAL,
      "--ignore-times",
      "--",
      "/a b",
      "paradux:x/y",
    ]],
    [movetoArgs(G, "paradux:t", "paradux:n"), [
      "moveto",
      ...GLOBAL,
      "--ignore-times",
      "--",
      "paradux:t",
      "paradux:n",
    ]],
    [copyArgs(G, "/d", "paradux:b/s"), ["copy", ...GLOBAL, "--", "/d", "paradux:b/s"]],
    [rcatArgs(G, "paradux:b/-x"), ["rcat", ...GLOBAL, "--", "paradux:b/-x"]],
    [catArgs(G, "paradux:b/x"), ["cat", ...GLOBAL, "--", "paradux:b/x"]],
    [lsfArgs(G, "paradux:b"), ["lsf", ...GLOBAL, "--", "paradux:b"]],
    [lsfArgs(G, "paradux:b", { dirsOnly: true }), [
      "lsf",
      ...GLOBAL,
      "--dirs-only",
      "--",
      "paradux:b",
    ]],
    [lsfArgs(G, "paradux:b", { filesOnly: true, maxDepth: 2 }), [
      "lsf",
      ...GLOBAL,
      "--files-only",
      "-R",
      "--max-depth",
      "2",
      "--",
      "paradux:b",
    ]],
    [purgeArgs(G, "paradux:b/s"), ["purge", ...GLOBAL, "--", "paradux:b/s"]],
    [deletefileArgs(G, "paradux:b/f"), ["deletefile", ...GLOBAL, "--", "paradux:b/f"]],
  ];
  for (const [got, want] of table) assert.deepEqual(got, want);
});

Deno.test("rclone: config text for s3 and ftp remotes", () => {
  assert.equal(remotePath("bucket/p"), "paradux:bucket/p");
  assert.equal(
    rcloneConfigText("s3", s3RemoteOptions({ accessKeyId: "AK", secretAccessKey: "SK" })),
    "[paradux]\ntype = s3\nprovider = AWS\nenv_auth = false\naccess_key_id = AK\n" +
      "secret_access_key = SK\nregion = us-east-1\n",
  );
  assert.equal(
    rcloneConfigText(
      "s3",
      s3RemoteOptions({
        accessKeyId: "AK",
        secretAccessKey: "SK",
        endpoint: "https://127.0.0.1:9000",
        region: "eu-1",
      }),
    ),
    "[paradux]\ntype = s3\nprovider = Other\nenv_auth = false\naccess_key_id = AK\n" +
      "secret_access_key = SK\nregion = eu-1\nendpoint = https://127.0.0.1:9000\n" +
      "force_path_style = true\n",
  );
  assert.equal(
    rcloneConfigText(
      "ftp",
      ftpRemoteOptions({ host: "h", user: "u", obscuredPassword: "OBSC" }),
    ),
    "[paradux]\ntype = ftp\nhost = h\nport = 21\nuser = u\npass = OBSC\n",
  );
});

Deno.test("rclone: config values with line breaks or edge spaces are refused", () => {
  for (const bad of ["a\nb", "a\rb", " lead", "trail "]) {
    assert.throws(
      () => rcloneConfigText("s3", { secret_access_key: bad }),
      (e) => isUserError(e, "input"),
    );
  }
});

Deno.test("rclone: the child environment drops AWS_CA_BUNDLE and RCLONE_CONFIG only", () => {
  assert.deepEqual(
    rcloneEnv({
      AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt",
      RCLONE_CONFIG: "/home/u/.config/rclone/rclone.conf",
      PATH: "/usr/bin",
      HOME: "/root",
    }),
    { PATH: "/usr/bin", HOME: "/root" },
  );
});

Deno.test("rclone: exit 3 and 4 are not-found, others tool-failed with the last line", () => {
  const r = (code: number, err: string) => ({
    code,
    stdout: new Uint8Array(),
    stderr: new TextEncoder().encode(err),
  });
  assert.ok(isNotFound(3) && isNotFound(4) && !isNotFound(1));
  assert.ok(isUserError(rcloneFailure(r(3, "x"), "listing"), "not-found"));
  const e = rcloneFailure(r(1, "2026/11/24 10:00:00 Failed to copy: connection refused\n"), "up");
  assert.ok(isUserError(e, "tool-failed"));
  assert.equal(e.message, "up failed (rclone exit 1): Failed to copy: connection refused");
});
