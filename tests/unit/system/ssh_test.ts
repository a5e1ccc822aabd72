import assert from "node:assert/strict";
import {
  knownHostsText,
  normalizePrivateKey,
  PINNED_ALIAS,
  privateKeyProblems,
  remoteScript,
  shQuote,
  sshArgs,
  sshDestination,
  sshOptions,
  stopMasterArgs,
} from "../../../system/ssh.ts";
import { isUserError } from "../../../errors.ts";

const files = { keyFile: "/p/id", knownHostsFile: "/p/kh" };

Deno.test("sshOptions: pinned key, batch mode, no user config", () => {
  const o = sshOptions(files, 2222);
  assert.deepEqual(o.slice(0, 4), ["-F", "/dev/null", "-i", "/p/id"]);
  for (
    const kv of [
      "IdentitiesOnly=yes",
      "UserKnownHostsFile=/p/kh",
      "GlobalKnownHostsFile=/dev/null",
      "StrictHostKeyChecking=yes",
      `HostKeyAlias=${PINNED_ALIAS}`,
      "BatchMode=yes",
    ]
  ) {
    const i = o.indexOf(kv);
    assert.ok(i > 0 && o[i - 1] === "-o", kv);
  }
  assert.deepEqual(o.slice(-2), ["-p", "2222"]);
  assert.deepEqual(sshOptions(files).slice(-2), ["-p", "22"]);
  assert.ok(!sshOptions(files).some((a) => a.startsWith("ControlPath")));
  assert.ok(sshOptions({ ...files, controlPath: "/p/cm" }).includes("ControlPath=/p/cm"));
});

Deno.test("sshArgs / stopMasterArgs: destination after --", () => {
  const a = sshArgs({ host: "h", user: "u", port: 2 }, files, "true");
  assert.deepEqual(a.slice(-3), ["--", "u@h", "true"]);
  assert.deepEqual(stopMasterArgs({ host: "h" }, files).slice(-4), ["-O", "exit", "--", "h"]);
  assert.equal(sshDestination({ host: "h" }), "h");
  assert.equal(sshDestination({ host: "::1", user: "me" }), "me@::1");
});

Deno.test("shQuote / remoteScript survive a shell re-parse with hostile names", async () => {
  const names = [
    "plain",
    "with space",
    "it's",
    'a "q"',
    "new\nline",
    "$HOME `id` $(id)",
    "-rf",
    "*",
    "ü ✓",
  ];
  const cmd = remoteScript('for a in "$@"; do printf "%s\\0" "$a"; done', names);
  // What the remote side does with the command string: its shell parses it.
  const out = await new Deno.Command("sh", { args: ["-c", cmd] }).output();
  assert.ok(out.success);
  const got = new TextDecoder().decode(out.stdout).split("\0").slice(0, -1);
  assert.deepEqual(got, names);
  assert.equal(shQuote("a'b"), `'a'\\''b'`);
  assert.throws(() => shQuote("a\0b"), (e) => isUserError(e, "input"));
});

Deno.test("knownHostsText accepts known_hosts lines and bare keys, rejects junk", () => {
  const key = "AAAAC3NzaC1lZDI1NTE5AAAAIGkiBhnhqk619C0/8Mag9Z5hMhcNc3UUIydCaAln1Mfl";
  const expected = `${PINNED_ALIAS} ssh-ed25519 ${key}\n`;
  assert.equal(knownHostsText(`ssh-ed25519 ${key}`), expected);
  assert.equal(knownHostsText(`ssh-ed25519 ${key} comment here`), expected);
  assert.equal(knownHostsText(`[127.0.0.1]:2222 ssh-ed25519 ${key}`), expected);
  assert.equal(knownHostsText(`# comment\nhost,1.2.3.4 ssh-ed25519 ${key}\r\n`), expected);
  assert.equal(
    knownHostsText(`h ssh-ed25519 ${key}\nh ecdsa-sha2-nistp256 AAAAE2Vj`),
    `${expected}${PINNED_ALIAS} ecdsa-sha2-nistp256 AAAAE2Vj\n`,
  );
  for (const bad of ["", "hello world", "ssh-ed25519", "ssh-ed25519 not*base64"]) {
    assert.throws(() => knownHostsText(bad), (e) => isUserError(e, "input"), bad);
  }
});

Deno.test("private key checks and normalization", () => {
  const k = "-----BEGIN OPENSSH PRIVATE KEY-----\r\nabc\r\n-----END OPENSSH PRIVATE KEY-----";
  assert.deepEqual(privateKeyProblems(k), []);
  assert.equal(privateKeyProblems("ssh-ed25519 AAAA").length, 1);
  assert.equal(
    normalizePrivateKey(k),
    "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
  );
});
